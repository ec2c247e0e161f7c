"""Prometheus exporters of the simulated world, one HTTP server on 127.0.0.1.

Each simulated process is its own scrape target, at its own path:

* ``/pods/{namespace}/{pod}/metrics``: the model server (its engine's names: vLLM, SGLang...)
* ``/dcgm/{namespace}/{pod}/metrics``: the DCGM exporter's series of that pod's GPU
* ``/nginx/{namespace}/{gateway}/metrics``: the Gateway's NGINX (NGINX Agent v3 names)
* ``/epp/{namespace}/{pool}/metrics``: the pool's endpoint picker

``/targets`` lists them for Prometheus's HTTP service discovery (``http_sd_configs``), so
pods the autoscaler adds are scraped without a reload. Series carry the ``namespace``,
``pod`` (and ``gateway``) labels that Kubernetes discovery and relabelling would add.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from ngf_console.sandbox.simulator.dynamics import Histogram, SimPod
from ngf_console.sandbox.simulator.world import SimGateway, SimPool, World
from ngf_console.telemetry.metric_names import dialect_of

__all__ = ["Exporter"]


def _gauge(name: str, doc: str, labels: dict[str, str], value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


def _counter(name: str, doc: str, labels: dict[str, str], value: float) -> CounterMetricFamily:
    family = CounterMetricFamily(name, doc, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


def _histogram(name: str, doc: str, labels: dict[str, str], h: Histogram) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, doc, labels=list(labels))
    family.add_metric(list(labels.values()), h.cumulative(), h.sum)
    return family


def model_server_metrics(pod: SimPod) -> Iterator[Metric]:
    """The model server's series, in its engine's dialect."""
    base = {"namespace": pod.namespace, "pod": pod.name, "model_name": pod.model}
    dialect = dialect_of(pod.engine)
    for spec, value in (
        (dialect.queued, float(len(pod.waiting))),
        (dialect.running, float(len(pod.running))),
        (dialect.kv_usage, pod.kv_cache),
    ):
        if spec is not None:
            yield _gauge(spec.name, "simulated", base | dict(spec.labels), value)
    if dialect.name == "vllm":
        yield _histogram("vllm:time_to_first_token_seconds", "Time to first token", base, pod.ttft)
        yield _histogram("vllm:e2e_request_latency_seconds", "End-to-end latency", base, pod.e2e)
        yield _counter("vllm:generation_tokens", "Generated tokens", base, pod.generation_tokens)
        yield _counter("vllm:prompt_tokens", "Prompt tokens", base, pod.prompt_tokens)
        yield _counter(
            "vllm:request_success",
            "Finished requests",
            base | {"finished_reason": "stop"},
            pod.requests_ok,
        )
        yield _counter(
            "vllm:prefix_cache_queries", "Prompt tokens queried", base, pod.prefix_queries
        )
        yield _counter("vllm:prefix_cache_hits", "Prompt tokens cached", base, pod.prefix_hits)
    elif dialect.name == "sglang":
        yield _histogram("sglang:time_to_first_token_seconds", "TTFT", base, pod.ttft)
        throughput = len(pod.running) * pod.profile.decode_tokens_per_s
        yield _gauge("sglang:gen_throughput", "Tokens per second", base, throughput)
        hit = pod.prefix_hits / pod.prefix_queries if pod.prefix_queries else 0.0
        yield _gauge("sglang:cache_hit_rate", "Prefix cache hit rate", base, hit)
        yield _counter("sglang:num_requests", "Requests", base, pod.requests_ok)


def dcgm_metrics(pod: SimPod) -> Iterator[Metric]:
    """The DCGM exporter's series of the pod's one GPU."""
    labels = {
        "gpu": "0",
        "UUID": f"GPU-{abs(hash((pod.namespace, pod.name))) % 10**12:012d}",
        "modelName": f"NVIDIA {pod.profile.product}",
        "Hostname": pod.node,
        "namespace": pod.namespace,
        "pod": pod.name,
        "container": "model-server",
    }
    used = pod.memory_used_mib
    yield _gauge("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", labels, round(pod.gpu_util))
    yield _gauge("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).", labels, round(used))
    free = pod.profile.memory_mib - used
    yield _gauge("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB).", labels, round(free))
    yield _gauge("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", labels, round(pod.temperature))
    yield _gauge("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", labels, round(pod.power_w, 1))
    yield _gauge("DCGM_FI_DEV_XID_ERRORS", "Last XID error.", labels, 0)
    yield _gauge("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "Engine active.", labels, pod.gpu_util / 100)


def nginx_metrics(gateway: SimGateway) -> Iterator[Metric]:
    """The Gateway's NGINX, as NGINX Agent v3 exports it (OSS plus the Plus upstream series)."""
    base = {"namespace": gateway.namespace, "gateway": gateway.name, "pod": gateway.pod}
    yield _counter("nginx_http_requests", "Requests", base, gateway.requests)
    family = CounterMetricFamily(
        "nginx_http_response_status",
        "Responses by status class",
        labels=[*base, "nginx_status_range"],
    )
    for klass, count in sorted(gateway.responses.items()):
        family.add_metric([*base.values(), klass], count)
    yield family
    yield _gauge(
        "nginx_http_connection_count_connections",
        "Connections",
        base | {"nginx_connections_outcome": "ACTIVE"},
        gateway.connections,
    )
    peers = CounterMetricFamily(
        "nginx_http_upstream_peer_responses",
        "Upstream responses",
        labels=[*base, "nginx_upstream_name", "nginx_status_range"],
    )
    for (upstream, klass), count in sorted(gateway.upstream_responses.items()):
        peers.add_metric([*base.values(), upstream, klass], count)
    yield peers
    timing = GaugeMetricFamily(
        "nginx_http_upstream_peer_response_time_milliseconds",
        "Upstream response time",
        labels=[*base, "nginx_upstream_name"],
    )
    state = GaugeMetricFamily(
        "nginx_http_upstream_peer_state",
        "Peer state",
        labels=[*base, "nginx_upstream_name", "nginx_peer_state"],
    )
    for upstream, ms in sorted(gateway.upstream_time_ms.items()):
        timing.add_metric([*base.values(), upstream], ms)
        state.add_metric([*base.values(), upstream, "UP"], 1)
    yield timing
    yield state


def epp_metrics(pool: SimPool) -> Iterator[Metric]:
    """The endpoint picker's own series for its pool."""
    pool_labels = {"namespace": pool.namespace, "name": pool.name}
    model = {"namespace": pool.namespace, "model_name": pool.model, "target_model_name": pool.model}
    pods = list(pool.pods.values())
    yield _counter("inference_objective_request", "Requests", model, pool.requests)
    yield _counter(
        "inference_objective_request_error",
        "Errors",
        model | {"error_code": "Internal"},
        pool.errors,
    )
    running = float(sum(len(p.running) for p in pods))
    yield _gauge("inference_objective_running_requests", "Running", model, running)
    kv = sum(p.kv_cache for p in pods) / len(pods) if pods else 0.0
    queue = sum(len(p.waiting) for p in pods) / len(pods) if pods else 0.0
    yield _gauge("inference_pool_average_kv_cache_utilization", "KV cache", pool_labels, kv)
    yield _gauge("inference_pool_average_queue_size", "Queue", pool_labels, queue)
    yield _gauge("inference_pool_ready_pods", "Ready pods", pool_labels, float(len(pods)))
    per_pod = GaugeMetricFamily(
        "inference_pool_per_pod_queue_size",
        "Queue per pod",
        labels=[*pool_labels, "model_server_pod"],
    )
    for p in pods:
        per_pod.add_metric([*pool_labels.values(), p.name], float(len(p.waiting)))
    yield per_pod
    ratio = pool.prefix_hit_decisions / pool.decisions if pool.decisions else 0.0
    yield _gauge("inference_extension_prefix_indexer_hit_ratio", "Prefix hits", pool_labels, ratio)


class _WorldCollector(Collector):
    def __init__(self, produce: Any) -> None:
        self.produce = produce

    def collect(self) -> Iterator[Metric]:
        yield from self.produce()


class Exporter:
    """The HTTP server of every simulated target (``port`` 0 picks a free one)."""

    def __init__(self, world: World, lock: threading.Lock, port: int = 0) -> None:
        self.world = world
        self.lock = lock
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body, kind = exporter.render(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def targets(self) -> list[dict[str, Any]]:
        """The http_sd target groups: one per simulated process."""
        paths = []
        for pool in self.world.pools.values():
            paths.append((f"/epp/{pool.namespace}/{pool.name}/metrics", "epp"))
            for pod in pool.pods.values():
                paths.append((f"/pods/{pod.namespace}/{pod.name}/metrics", "model-server"))
                paths.append((f"/dcgm/{pod.namespace}/{pod.name}/metrics", "dcgm"))
        for gw in self.world.gateways.values():
            paths.append((f"/nginx/{gw.namespace}/{gw.name}/metrics", "nginx"))
        return [
            {
                "targets": [f"127.0.0.1:{self.port}"],
                "labels": {"__metrics_path__": path, "component": component},
            }
            for path, component in paths
        ]

    def render(self, path: str) -> tuple[int, bytes, str]:
        """Status, body and content type for a GET of ``path``."""
        path = path.split("?", 1)[0]
        with self.lock:
            if path == "/targets":
                return 200, json.dumps(self.targets()).encode(), "application/json"
            parts = path.strip("/").split("/")
            if len(parts) != 4 or parts[3] != "metrics":
                return 404, b"not found\n", "text/plain"
            kind, namespace, name = parts[0], parts[1], parts[2]
            produce = self._producer(kind, namespace, name)
            if produce is None:
                return 404, b"no such target\n", "text/plain"
            registry = CollectorRegistry(auto_describe=False)
            registry.register(_WorldCollector(produce))
            return 200, generate_latest(registry), "text/plain; version=0.0.4; charset=utf-8"

    def _producer(self, kind: str, namespace: str, name: str) -> Any:
        if kind == "nginx":
            gw = self.world.gateways.get((namespace, name))
            return (lambda: list(nginx_metrics(gw))) if gw else None
        if kind == "epp":
            pool = self.world.pools.get((namespace, name))
            return (lambda: list(epp_metrics(pool))) if pool else None
        for pool in self.world.pools.values():
            pod = pool.pods.get(name) if pool.namespace == namespace else None
            if pod is not None and kind == "pods":
                return lambda: list(model_server_metrics(pod))
            if pod is not None and kind == "dcgm":
                return lambda: list(dcgm_metrics(pod))
        return None
