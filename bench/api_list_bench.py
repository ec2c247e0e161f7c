"""List latency: the API server's watch-fed cache versus a direct apiserver LIST.

    uv run python bench/api_list_bench.py [--routes 10000] [--trials 50] [--json FILE]

Creates N HTTPRoutes (across a few namespaces, concurrently with bounded parallelism), starts
the :class:`ngf_console.kube.cache.WatchCache` over them, then measures in one run, trials
interleaved so both sides see the same machine load:

cache-all        ``cache.list(HTTPRoute)``: every route (what the route handler gets)
cache-all+json   the same, serialised with ``json.dumps`` (what an HTTP response costs)
cache-page       ``cache.list(..., label_selector=, name_contains=, limit=100)``
direct-lightkube ``AsyncClient.list(HTTPRoute, namespace=ALL_NS)`` fully iterated: the
                 per-request LIST the cache replaces
direct-raw       the same LIST as one GET and ``json.loads`` (the least a LIST costs)
direct-page      the apiserver's ``labelSelector=...&limit=100`` (no name filter there)

The control plane is started in a temp dir (always stopped) unless --kubeconfig names one.
Prints figures and the p99 ratio against the issue's target (>= 10x); asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from lightkube import ALL_NS, AsyncClient, KubeConfig
from lightkube.generic_resource import create_namespaced_resource

from ngf_console.kube.cache import WatchCache
from ngf_console.kube.informer import http_client
from ngf_console.kube.served_types import served_type

TARGET_RATIO = 10.0
ROUTE = served_type("httproutes", "gateway.networking.k8s.io")
NS_PREFIX = "bench-list-"
APPS = 10
PAGE_SELECTOR = "app=app-3"
PAGE_NAME = "7"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def dist(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "max": max(values),
        "mean": sum(values) / len(values),
    }


@contextlib.contextmanager
def control_plane(kubeconfig: str | None, workdir: Path) -> Iterator[Path]:
    """The given cluster, or one started here and always stopped."""
    if kubeconfig:
        yield Path(kubeconfig)
        return
    from ngf_console.sandbox.cluster_crds import all_crd_documents
    from ngf_console.sandbox.control_plane import ControlPlane

    plane = ControlPlane(workdir / "control-plane")
    started = time.perf_counter()
    log("starting the control plane")
    try:
        path = plane.up(crd_documents=all_crd_documents)
        log(f"control plane up in {time.perf_counter() - started:.1f}s")
        yield path
    finally:
        log("stopping the control plane")
        plane.down()


def route_doc(namespace: str, index: int) -> dict[str, Any]:
    """A realistic HTTPRoute: one parent, a path match, two weighted backends."""
    return {
        "apiVersion": ROUTE.api_version,
        "kind": "HTTPRoute",
        "metadata": {
            "name": f"route-{index:05d}",
            "namespace": namespace,
            "labels": {"app": f"app-{index % APPS}", "bench": "list"},
        },
        "spec": {
            "parentRefs": [{"name": "gateway", "sectionName": "http"}],
            "hostnames": [f"svc-{index}.example.com"],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": f"/v1/r{index}"}}],
                    "backendRefs": [
                        {"name": f"svc-{index}", "port": 8080, "weight": 90},
                        {"name": f"svc-{index}-canary", "port": 8080, "weight": 10},
                    ],
                }
            ],
        },
    }


async def create_routes(client: AsyncClient, count: int, namespaces: int, parallel: int) -> float:
    """Create the namespaces and ``count`` routes (skipping existing ones); return seconds."""
    http = http_client(client)
    for n in range(namespaces):
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"{NS_PREFIX}{n}"}}
        response = await http.post("/api/v1/namespaces", json=body)
        if response.status_code not in (201, 409):
            response.raise_for_status()
    semaphore = asyncio.Semaphore(parallel)
    started = time.perf_counter()
    done = 0

    async def one(index: int) -> None:
        nonlocal done
        namespace = f"{NS_PREFIX}{index % namespaces}"
        async with semaphore:
            for attempt in range(5):
                response = await http.post(
                    ROUTE.api_path(namespace), json=route_doc(namespace, index)
                )
                if response.status_code in (201, 409):
                    break
                if response.status_code in (429, 500, 503, 504) and attempt < 4:
                    await asyncio.sleep(0.5 * (attempt + 1))
                    continue
                response.raise_for_status()
        done += 1
        if done % 2000 == 0:
            log(f"  {done}/{count} routes created")

    await asyncio.gather(*(one(i) for i in range(count)))
    return time.perf_counter() - started


@dataclass
class ApiProcess:
    """``ngf-console api`` as its own process, as deployed."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_api(kubeconfig: Path, log_path: Path) -> ApiProcess:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = log_path.with_suffix(".db")
    argv = [
        sys.executable, "-m", "ngf_console.cli", "api",
        "--kubeconfig", str(kubeconfig), "--port", str(port),
        "--database-url", f"sqlite+aiosqlite:///{db}",
    ]  # fmt: skip
    log(f"starting the API server on 127.0.0.1:{port} (log {log_path})")
    process = subprocess.Popen(argv, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
    return ApiProcess(process, f"http://127.0.0.1:{port}")


async def wait_api(http: httpx.AsyncClient, expected: int, within: float = 300) -> None:
    """Until the API's cache lists every bench route."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            response = await http.get(
                "/api/v1/httproutes", params={"labelSelector": "bench=list", "limit": "1"}
            )
            if response.status_code == 200 and response.json()["total"] >= expected:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.5)
    raise RuntimeError("the API server did not serve the routes in time")


async def timed(fn: Callable[[], Awaitable[int]]) -> tuple[float, int]:
    started = time.perf_counter()
    size = await fn()
    return (time.perf_counter() - started) * 1000, size


async def run(args: argparse.Namespace, kubeconfig: Path) -> dict[str, Any]:
    client = AsyncClient(KubeConfig.from_file(kubeconfig), field_manager="ngf-console-bench")
    http = http_client(client)
    route_class = create_namespaced_resource(
        "gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes"
    )
    figures: dict[str, Any] = {
        "routes": args.routes,
        "namespaces": args.namespaces,
        "trials": args.trials,
        "machine": f"{platform.machine()}, python {platform.python_version()}",
    }
    log(
        f"creating {args.routes} HTTPRoutes in {args.namespaces} namespaces "
        f"({args.parallel} parallel)"
    )
    figures["create_s"] = await create_routes(client, args.routes, args.namespaces, args.parallel)
    log(f"created in {figures['create_s']:.1f}s")

    cache = WatchCache(client, [ROUTE])
    started = time.perf_counter()
    await cache.start()
    await cache.wait_synced(300)
    figures["cache_sync_s"] = time.perf_counter() - started
    bench_total = cache.list(ROUTE, label_selector="bench=list").total
    log(f"cache synced in {figures['cache_sync_s']:.2f}s; {bench_total} bench routes held")

    async def cache_all() -> int:
        return len(cache.list(ROUTE).items)

    async def cache_all_json() -> int:
        return len(json.dumps(cache.list(ROUTE).items))

    async def cache_page() -> int:
        page = cache.list(ROUTE, label_selector=PAGE_SELECTOR, name_contains=PAGE_NAME, limit=100)
        return len(page.items)

    async def direct_lightkube() -> int:
        return len([o async for o in client.list(route_class, namespace=ALL_NS)])

    async def direct_raw() -> int:
        response = await http.get(ROUTE.api_path(), timeout=60)
        response.raise_for_status()
        return len(json.loads(response.content)["items"])

    async def direct_page() -> int:
        params = {"labelSelector": PAGE_SELECTOR, "limit": "100"}
        response = await http.get(ROUTE.api_path(), params=params, timeout=60)
        response.raise_for_status()
        return len(json.loads(response.content)["items"])

    api_log = Path(args.workdir or tempfile.gettempdir()) / "api-list-bench-api.log"
    api = start_api(kubeconfig, api_log)
    api_http = httpx.AsyncClient(base_url=api.url, timeout=120)
    await wait_api(api_http, bench_total)

    async def api_all() -> int:
        response = await api_http.get("/api/v1/httproutes")
        response.raise_for_status()
        return len(json.loads(response.content)["items"])

    async def api_page() -> int:
        params = {"labelSelector": PAGE_SELECTOR, "name": PAGE_NAME, "limit": "100"}
        response = await api_http.get("/api/v1/httproutes", params=params)
        response.raise_for_status()
        return len(json.loads(response.content)["items"])

    cases: dict[str, Callable[[], Awaitable[int]]] = {
        "api-all": api_all,
        "api-page": api_page,
        "cache-all": cache_all,
        "cache-all+json": cache_all_json,
        "cache-page": cache_page,
        "direct-lightkube": direct_lightkube,
        "direct-raw": direct_raw,
        "direct-page": direct_page,
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    sizes: dict[str, int] = {}
    for name, fn in cases.items():  # warm-up: connections, decoders, the apiserver's cache
        _, sizes[name] = await timed(fn)
    log(f"measuring {args.trials} interleaved trials of {', '.join(cases)}")
    for trial in range(args.trials):
        for name, fn in cases.items():
            elapsed, sizes[name] = await timed(fn)
            samples[name].append(elapsed)
        if (trial + 1) % 10 == 0:
            log(f"  trial {trial + 1}/{args.trials}")
    await cache.stop()
    await client.close()
    await api_http.aclose()
    api.stop()

    figures["items"] = sizes
    figures["latency_ms"] = {name: dist(values) for name, values in samples.items()}
    figures["samples_ms"] = samples
    lat = figures["latency_ms"]
    figures["ratio_p99_all"] = lat["direct-lightkube"]["p99"] / lat["cache-all"]["p99"]
    figures["ratio_p99_all_raw"] = lat["direct-raw"]["p99"] / lat["cache-all"]["p99"]
    figures["ratio_p99_all_json"] = lat["direct-lightkube"]["p99"] / lat["cache-all+json"]["p99"]
    figures["ratio_p99_page"] = lat["direct-page"]["p99"] / lat["cache-page"]["p99"]
    figures["ratio_p99_api_all"] = lat["direct-raw"]["p99"] / lat["api-all"]["p99"]
    figures["ratio_p99_api_page"] = lat["direct-page"]["p99"] / lat["api-page"]["p99"]
    return figures


def report(figures: dict[str, Any]) -> None:
    print(f"\n{figures['routes']} HTTPRoutes, {figures['trials']} trials ({figures['machine']})")
    print(
        f"created in {figures['create_s']:.1f}s; cache synced (paged LIST + WATCH) in "
        f"{figures['cache_sync_s']:.2f}s\n"
    )
    print(f"{'case':<18}{'items':>7}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, d in figures["latency_ms"].items():
        print(
            f"{name:<18}{figures['items'][name]:>7}{d['p50']:>10.2f}{d['p90']:>10.2f}"
            f"{d['p99']:>10.2f}{d['max']:>10.2f}"
        )
    ratio = figures["ratio_p99_all"]
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    print(
        f"\np99 direct LIST (lightkube) / p99 cache list, all routes: {ratio:.0f}x "
        f"({verdict} the >= {TARGET_RATIO:.0f}x target)"
    )
    print(f"  against a raw GET + json.loads LIST: {figures['ratio_p99_all_raw']:.0f}x")
    print(f"  cache list + json.dumps of the page: {figures['ratio_p99_all_json']:.1f}x")
    print(
        "  end to end, GET /api/v1/httproutes (all) vs raw apiserver LIST, both parsed: "
        f"{figures['ratio_p99_api_all']:.1f}x"
    )
    print(
        "  end to end, API 100-item filtered page vs apiserver labelSelector+limit: "
        f"{figures['ratio_p99_api_page']:.1f}x"
    )
    print(
        "  filtered 100-item page vs apiserver labelSelector+limit: "
        f"{figures['ratio_p99_page']:.0f}x"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routes", type=int, default=10_000)
    parser.add_argument("--namespaces", type=int, default=10)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--parallel", type=int, default=16, help="concurrent creates")
    parser.add_argument("--kubeconfig", help="use this running cluster instead of starting one")
    parser.add_argument("--workdir", help="keep the control plane's state and logs here")
    parser.add_argument("--json", help="also write every figure (samples included) to this file")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="ngf-list-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    with control_plane(args.kubeconfig, workdir) as kubeconfig:
        figures = asyncio.run(run(args, kubeconfig))
    report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
        log(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
