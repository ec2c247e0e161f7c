# ruff: noqa: E501 (exposition lines are kept whole, as Prometheus reads them)
"""PromQL reads against a real Prometheus scraping a test exporter with known values."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from prometheus_harness import running_prometheus

from ngf_console.telemetry.inference import SIGNALS, signal_per_pod, ttft_histogram
from ngf_console.telemetry.pools import PodInfo, PoolPods
from ngf_console.telemetry.prometheus import PrometheusClient, PrometheusError, TimeRange
from ngf_console.telemetry.red import Scope, red

START = time.time()


def _exposition() -> str:
    """Counters growing at fixed rates (per second since START), and fixed gauges."""
    elapsed = time.time() - START
    lines = [
        # Gateway shop/web: 10 req/s, of which 1/s 5xx and 0.5/s 4xx (current names).
        f'nginx_http_requests_total{{namespace="shop",gateway="web",pod="web-0"}} {10 * elapsed}',
        f'nginx_http_response_status_total{{namespace="shop",gateway="web",pod="web-0",nginx_status_range="2xx"}} {8.5 * elapsed}',
        f'nginx_http_response_status_total{{namespace="shop",gateway="web",pod="web-0",nginx_status_range="4xx"}} {0.5 * elapsed}',
        f'nginx_http_response_status_total{{namespace="shop",gateway="web",pod="web-0",nginx_status_range="5xx"}} {1.0 * elapsed}',
        'nginx_http_connection_count_connections{namespace="shop",gateway="web",pod="web-0",nginx_connections_outcome="ACTIVE"} 7',
        f'nginx_http_upstream_peer_responses_total{{namespace="shop",gateway="web",pod="web-0",nginx_upstream_name="shop_cart_80",nginx_status_range="2xx"}} {4 * elapsed}',
        f'nginx_http_upstream_peer_responses_total{{namespace="shop",gateway="web",pod="web-0",nginx_upstream_name="shop_cart_80",nginx_status_range="5xx"}} {1 * elapsed}',
        f'nginx_http_upstream_peer_responses_total{{namespace="shop",gateway="web",pod="web-0",nginx_upstream_name="shop_other_80",nginx_status_range="2xx"}} {3 * elapsed}',
        'nginx_http_upstream_peer_response_time_milliseconds{namespace="shop",gateway="web",pod="web-0",nginx_upstream_name="shop_cart_80"} 42',
        # Gateway legacy/old: only NGF 1.x names, 4 req/s.
        f'nginx_gateway_fabric_http_requests_total{{namespace="legacy",gateway="old",pod="old-0"}} {4 * elapsed}',
        'nginx_gateway_fabric_connections_active{namespace="legacy",gateway="old",pod="old-0"} 3',
        # Pool ai/llm: one vLLM pod, one SGLang pod.
        'vllm:num_requests_waiting{namespace="ai",pod="llm-a"} 3',
        'vllm:kv_cache_usage_perc{namespace="ai",pod="llm-a"} 0.25',
        'sglang:num_queue_reqs{namespace="ai",pod="llm-b"} 5',
        'sglang:token_usage{namespace="ai",pod="llm-b"} 0.75',
        'DCGM_FI_DEV_GPU_UTIL{namespace="ai",pod="llm-a",gpu="0"} 80',
        'DCGM_FI_DEV_GPU_UTIL{namespace="ai",pod="llm-b",gpu="0"} 40',
        # A pod of another namespace with the same name must not leak in.
        'vllm:num_requests_waiting{namespace="other",pod="llm-a"} 99',
    ]
    # TTFT: per second, 6 requests under 0.1 s, 3 in (0.1, 0.5], 1 in (0.5, 1].
    for le, per_s in (("0.1", 6), ("0.5", 9), ("1.0", 10), ("+Inf", 10)):
        lines.append(
            f'vllm:time_to_first_token_seconds_bucket{{namespace="ai",pod="llm-a",le="{le}"}} '
            f"{per_s * elapsed}"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def exporter() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = _exposition().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def prometheus(exporter: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state: Path = tmp_path_factory.mktemp("prometheus")
    with running_prometheus(state, static_targets=[exporter]) as url:

        async def scraped() -> bool:
            client = PrometheusClient(url)
            try:
                # rate() needs two samples, and the rate window of the tests is 60 s.
                return bool(await client.instant("rate(nginx_http_requests_total[1m])"))
            finally:
                await client.aclose()

        deadline = time.monotonic() + 30
        while not asyncio.run(scraped()):
            assert time.monotonic() < deadline, "Prometheus never scraped the exporter"
            time.sleep(0.5)
        time.sleep(6)  # a few more scrapes: rate windows of the tests are 4 s
        yield url


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _with_client(url: str, use: Any) -> Any:
    client = PrometheusClient(url)
    try:
        return await use(client)
    finally:
        await client.aclose()


def test_gateway_red_with_current_names(prometheus: str) -> None:
    window = TimeRange.last(60, 5, scrape_interval=1)
    view = _run(_with_client(prometheus, lambda c: red(c, Scope(gateway=("shop", "web")), window)))
    assert view.metric_generation == "current"
    assert view.now.requests_per_second == pytest.approx(10, rel=0.15)
    assert view.now.errors_by_status["5xx"] == pytest.approx(1.0, rel=0.15)
    assert view.now.errors_by_status["4xx"] == pytest.approx(0.5, rel=0.15)
    assert view.now.error_rate == pytest.approx(0.15, rel=0.15)
    assert view.now.active_connections == 7
    assert view.requests and all(t >= window.start for t, _ in view.requests)
    # The PromQL that answered, e.g. for "Open in Grafana".
    assert view.queries["requests"].startswith("sum(rate(nginx_http_requests_total{")


def test_gateway_red_falls_back_to_older_names(prometheus: str) -> None:
    window = TimeRange.last(60, 5, scrape_interval=1)
    view = _run(
        _with_client(prometheus, lambda c: red(c, Scope(gateway=("legacy", "old")), window))
    )
    assert view.metric_generation == "older"
    assert view.now.requests_per_second == pytest.approx(4, rel=0.15)
    assert "nginx_http_requests_total" not in view.queries["requests"]  # the older name
    assert view.now.active_connections == 3


def test_route_red_sums_its_upstreams_only(prometheus: str) -> None:
    window = TimeRange.last(60, 5, scrape_interval=1)
    view = _run(
        _with_client(prometheus, lambda c: red(c, Scope(upstreams=("shop_cart_80",)), window))
    )
    assert view.now.requests_per_second == pytest.approx(5, rel=0.15)
    assert view.now.errors_by_status["5xx"] == pytest.approx(1, rel=0.15)
    assert view.now.avg_latency_ms == 42


def test_engine_names_per_pod_and_namespace(prometheus: str) -> None:
    pool = PoolPods(
        "ai",
        "llm",
        (
            PodInfo("llm-a", "vllm", "n1", "H100", 1, True),
            PodInfo("llm-b", "sglang", "n2", "A100", 1, True),
        ),
    )

    async def read(c: PrometheusClient) -> tuple[Any, Any, Any]:
        queue = await signal_per_pod(c, pool, SIGNALS["queue_depth"], None, scrape_interval=1)
        kv = await signal_per_pod(c, pool, SIGNALS["kv_cache_pct"], None, scrape_interval=1)
        gpu = await signal_per_pod(
            c, pool, SIGNALS["gpu_util_pct"], TimeRange.last(30, 5, scrape_interval=1)
        )
        return queue, kv, gpu

    queue, kv, gpu = _run(_with_client(prometheus, read))
    assert {pod: points[-1][1] for pod, points in queue.items()} == {"llm-a": 3, "llm-b": 5}
    assert {pod: points[-1][1] for pod, points in kv.items()} == {"llm-a": 25, "llm-b": 75}
    assert set(gpu) == {"llm-a", "llm-b"} and gpu["llm-a"][-1][1] == 80


def test_ttft_histogram_buckets_and_quantiles(prometheus: str) -> None:
    pool = PoolPods("ai", "llm", (PodInfo("llm-a", "vllm", "n1", "H100", 1, True),))
    hist = _run(
        _with_client(
            prometheus, lambda c: ttft_histogram(c, pool, TimeRange.last(20, 5, scrape_interval=1))
        )
    )
    counts = dict(hist.buckets)
    assert hist.count > 0
    # Shares 60 % / 30 % / 10 % / 0 % of the requests per bucket.
    assert counts["0.1"] / hist.count == pytest.approx(0.6, abs=0.05)
    assert counts["0.5"] / hist.count == pytest.approx(0.3, abs=0.05)
    assert counts["+Inf"] == pytest.approx(0, abs=1)
    assert hist.p50 is not None and hist.p50 <= 0.1
    assert hist.p95 is not None and 0.5 < hist.p95 <= 1.0


def test_promql_errors_are_surfaced(prometheus: str) -> None:
    with pytest.raises(PrometheusError) as caught:
        _run(_with_client(prometheus, lambda c: c.instant("sum(")))
    assert caught.value.error_type == "bad_data"
    assert "parse error" in caught.value.message


def test_unreachable_prometheus_is_an_error() -> None:
    with pytest.raises(PrometheusError, match="unreachable"):
        _run(_with_client("http://127.0.0.1:9", lambda c: c.instant("up")))
