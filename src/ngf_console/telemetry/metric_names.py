"""The metric names the console reads, current first and older after (upstream-facts.md).

NGINX Gateway Fabric v2 ships data-plane metrics through NGINX Agent v3 (the OTel nginx
receivers, exported to Prometheus); NGF 1.x exposed nginx-prometheus-exporter's names under
the ``nginx_gateway_fabric_`` prefix. Each :class:`NamePair` lists the current name and the
older one; queries try them in that order (``PrometheusClient.first_*``).

Labels the queries rely on: every data-plane series carries ``namespace`` and ``gateway``
(the Gateway of the NGINX pod: its ``gateway.networking.k8s.io/gateway-name`` label, which
the scrape config relabels to ``gateway``) and ``pod``; per-upstream series carry the upstream
name NGF gives a route's backend (``{namespace}_{service}_{port}``); model-server and DCGM
series carry ``namespace`` and ``pod`` (Prometheus's Kubernetes discovery, or DCGM's pod
attribution).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ngf_console.render.providers.engines import METRIC_DIALECTS, MetricDialect, MetricSpec

__all__ = [
    "DCGM",
    "ENGINE_EXTRAS",
    "EPP",
    "NGINX",
    "EngineExtras",
    "NamePair",
    "dialect_of",
]


@dataclass(frozen=True)
class NamePair:
    """A metric's current name and the older one (same meaning), with their label names."""

    current: str
    older: str
    upstream_label: str = "nginx_upstream_name"
    older_upstream_label: str = "upstream"
    status_label: str = "nginx_status_range"
    older_status_label: str = "code"


@dataclass(frozen=True)
class _Nginx:
    requests: NamePair = NamePair(
        "nginx_http_requests_total", "nginx_gateway_fabric_http_requests_total"
    )
    # Responses by status class at the server zone (2xx, 4xx, 5xx...).
    responses: NamePair = NamePair(
        "nginx_http_response_status_total", "nginx_gateway_fabric_upstream_server_responses"
    )
    active_connections: NamePair = NamePair(
        'nginx_http_connection_count_connections{nginx_connections_outcome="ACTIVE"}',
        "nginx_gateway_fabric_connections_active",
    )
    # NGINX Plus per-upstream-peer metrics: the route view sums a route's backends.
    upstream_responses: NamePair = NamePair(
        "nginx_http_upstream_peer_responses_total",
        "nginx_gateway_fabric_upstream_server_responses",
    )
    upstream_response_time_ms: NamePair = NamePair(
        "nginx_http_upstream_peer_response_time_milliseconds",
        "nginx_gateway_fabric_upstream_server_response_time",
    )
    upstream_healthy: NamePair = NamePair(
        'nginx_http_upstream_peer_state{nginx_peer_state="UP"}',
        'nginx_gateway_fabric_upstream_server_state{state="up"}',
    )


NGINX: Final = _Nginx()


@dataclass(frozen=True)
class _Dcgm:
    gpu_util: str = "DCGM_FI_DEV_GPU_UTIL"
    fb_used_mib: str = "DCGM_FI_DEV_FB_USED"
    fb_free_mib: str = "DCGM_FI_DEV_FB_FREE"
    temperature_c: str = "DCGM_FI_DEV_GPU_TEMP"
    power_w: str = "DCGM_FI_DEV_POWER_USAGE"
    xid_errors: str = "DCGM_FI_DEV_XID_ERRORS"
    engine_active: str = "DCGM_FI_PROF_GR_ENGINE_ACTIVE"


DCGM: Final = _Dcgm()


@dataclass(frozen=True)
class _Epp:
    """The endpoint picker's own metrics; pool-level series are labelled ``name`` (the pool)."""

    requests: str = "inference_objective_request_total"
    errors: str = "inference_objective_request_error_total"
    duration_s: str = "inference_objective_request_duration_seconds"
    ttft_s: str = "inference_objective_request_ttft_seconds"
    tpot_s: str = "inference_objective_request_tpot_seconds"
    input_tokens: str = "inference_objective_input_tokens"
    output_tokens: str = "inference_objective_output_tokens"
    running: str = "inference_objective_running_requests"
    pool_kv_cache: str = "inference_pool_average_kv_cache_utilization"
    pool_queue: str = "inference_pool_average_queue_size"
    pod_queue: str = "inference_pool_per_pod_queue_size"
    ready_pods: str = "inference_pool_ready_pods"
    scheduler_e2e_s: str = "inference_extension_scheduler_e2e_duration_seconds"
    prefix_hit_ratio: str = "inference_extension_prefix_indexer_hit_ratio"


EPP: Final = _Epp()


@dataclass(frozen=True)
class EngineExtras:
    """Per-engine series beyond the EPP's three: TTFT histogram, tokens, prefix cache.

    ``tokens_per_second`` is PromQL over a ``{sel}`` placeholder (a rate of a counter, or a
    gauge the engine computes itself); ``prefix_hit_rate`` likewise, as a fraction.
    """

    ttft_histogram: str | None
    tokens_per_second: str | None
    prefix_hit_rate: str | None
    requests_total: str | None


ENGINE_EXTRAS: Final[dict[str, EngineExtras]] = {
    "vllm": EngineExtras(
        ttft_histogram="vllm:time_to_first_token_seconds",
        tokens_per_second="rate(vllm:generation_tokens_total{sel}[1m])",
        prefix_hit_rate=(
            "rate(vllm:prefix_cache_hits_total{sel}[5m])"
            " / rate(vllm:prefix_cache_queries_total{sel}[5m])"
        ),
        requests_total="vllm:request_success_total",
    ),
    "sglang": EngineExtras(
        ttft_histogram="sglang:time_to_first_token_seconds",
        tokens_per_second="sglang:gen_throughput{sel}",
        prefix_hit_rate="sglang:cache_hit_rate{sel}",
        requests_total="sglang:num_requests_total",
    ),
    "trtllm-serve": EngineExtras(
        ttft_histogram="trtllm_time_to_first_token_seconds",
        tokens_per_second=None,
        prefix_hit_rate="trtllm_kv_cache_hit_rate{sel}",
        requests_total="trtllm_request_success_total",
    ),
    "triton-tensorrt-llm": EngineExtras(
        ttft_histogram=None,
        tokens_per_second=None,
        prefix_hit_rate=None,
        requests_total="nv_inference_request_success",
    ),
    "tgi": EngineExtras(
        ttft_histogram=None,
        tokens_per_second=None,
        prefix_hit_rate=None,
        requests_total="tgi_request_success",
    ),
}

# vLLM before v0.10 named the KV-cache gauge differently (same meaning, a fraction).
OLDER_KV_NAMES: Final[dict[str, MetricSpec]] = {
    "vllm": MetricSpec("vllm:gpu_cache_usage_perc"),
}


def dialect_of(engine: str | None) -> MetricDialect:
    """The metric dialect of a pod's ``engine-type`` label (vLLM when absent or unknown)."""
    return METRIC_DIALECTS.get(engine or "vllm", METRIC_DIALECTS["vllm"])
