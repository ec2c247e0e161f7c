"""What the console knows about each model server and the metrics its engine exposes.

Two tables, because a stack names two things (spec.model): the *backend* is the server process
in the pod (its image, ports, health and metrics endpoints), the *engine* executes the model and
decides the metric names (Triton hosting TensorRT-LLM exposes ``nv_trt_llm_*``, trtllm-serve
exposes ``trtllm_*``). The metric names are the ones the endpoint picker reads
(upstream-facts.md, and GAIE v1.5.0's built-in engine configs) and the autoscaler queries, so
both renderers take them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.crd.model_spec import ModelServer
from ngf_console.render.errors import RenderError

__all__ = [
    "DEFAULT_METRICS_PATH",
    "ENGINE_TYPE_LABEL",
    "METRIC_DIALECTS",
    "SERVERS",
    "MetricDialect",
    "MetricSpec",
    "ServerProfile",
    "metric_dialect",
    "metrics_path",
    "server_profile",
]

ENGINE_TYPE_LABEL: Final = "inference.networking.k8s.io/engine-type"
"""Pod label the endpoint picker reads to choose a pod's metric dialect."""

DEFAULT_METRICS_PATH: Final = "/metrics"


@dataclass(frozen=True)
class MetricSpec:
    """A Prometheus metric name with fixed label values, e.g. ``x{request_type="waiting"}``."""

    name: str
    labels: tuple[tuple[str, str], ...] = ()

    def selector(self, *matchers: str) -> str:
        """PromQL vector selector: the fixed labels plus ``matchers`` (already PromQL)."""
        parts = [f'{key}="{value}"' for key, value in self.labels] + list(matchers)
        return f"{self.name}{{{','.join(parts)}}}" if parts else self.name

    def epp_spec(self) -> str:
        """The endpoint picker's metric specification string (a PromQL vector selector)."""
        return self.selector()


@dataclass(frozen=True)
class MetricDialect:
    """The metric names of one engine, as the endpoint picker's engine config lists them.

    ``name`` is the value of the ``inference.networking.k8s.io/engine-type`` pod label. It is
    the endpoint picker's own name for the dialect where it has one (``trtllm-serve``,
    ``triton-tensorrt-llm``), so its built-in configs and other tools that read the label
    (llm-d, dashboards) recognise our pods too.
    """

    name: str
    queued: MetricSpec
    running: MetricSpec
    kv_usage: MetricSpec | None
    """KV-cache utilization as a fraction in [0, 1]; None if the engine has no such metric."""
    lora: MetricSpec | None = None
    cache_info: MetricSpec | None = None
    cache_block_size_label: str | None = None
    cache_num_blocks_label: str | None = None
    cache_block_size: MetricSpec | None = None
    cache_num_blocks: MetricSpec | None = None


@dataclass(frozen=True)
class ServerProfile:
    """How a model server runs: default image, ports and HTTP endpoints."""

    backend: ModelServer
    image: str
    port: int
    """Serving port (OpenAI-compatible or KServe HTTP): the InferencePool's target port."""
    metrics_port: int
    metrics_path: str
    health_path: str


_VLLM = MetricDialect(
    name="vllm",
    queued=MetricSpec("vllm:num_requests_waiting"),
    running=MetricSpec("vllm:num_requests_running"),
    kv_usage=MetricSpec("vllm:kv_cache_usage_perc"),
    lora=MetricSpec("vllm:lora_requests_info"),
    cache_info=MetricSpec("vllm:cache_config_info"),
)
_SGLANG = MetricDialect(
    name="sglang",
    queued=MetricSpec("sglang:num_queue_reqs"),
    running=MetricSpec("sglang:num_running_reqs"),
    kv_usage=MetricSpec("sglang:token_usage"),
    cache_info=MetricSpec("sglang:cache_config_info"),
    cache_block_size_label="page_size",
    cache_num_blocks_label="num_pages",
)
_TRTLLM_SERVE = MetricDialect(
    name="trtllm-serve",
    queued=MetricSpec("trtllm_num_requests_waiting"),
    running=MetricSpec("trtllm_num_requests_running"),
    kv_usage=MetricSpec("trtllm_kv_cache_utilization"),
    cache_block_size=MetricSpec("trtllm_kv_cache_tokens_per_block"),
    cache_num_blocks=MetricSpec("trtllm_kv_cache_max_blocks"),
)
_TRITON_TRTLLM = MetricDialect(
    name="triton-tensorrt-llm",
    queued=MetricSpec("nv_trt_llm_request_metrics", (("request_type", "waiting"),)),
    running=MetricSpec("nv_trt_llm_request_metrics", (("request_type", "scheduled"),)),
    kv_usage=MetricSpec(
        "nv_trt_llm_kv_cache_block_metrics", (("kv_cache_block_type", "fraction"),)
    ),
    cache_block_size=MetricSpec(
        "nv_trt_llm_kv_cache_block_metrics", (("kv_cache_block_type", "tokens_per"),)
    ),
    cache_num_blocks=MetricSpec(
        "nv_trt_llm_kv_cache_block_metrics", (("kv_cache_block_type", "max"),)
    ),
)
# Text Generation Inference has queue and batch gauges but no KV-cache utilization metric.
_TGI = MetricDialect(
    name="tgi",
    queued=MetricSpec("tgi_queue_size"),
    running=MetricSpec("tgi_batch_current_size"),
    kv_usage=None,
)

METRIC_DIALECTS: Final[dict[str, MetricDialect]] = {
    d.name: d for d in (_VLLM, _SGLANG, _TRTLLM_SERVE, _TRITON_TRTLLM, _TGI)
}

# Every server listens on 8000 (the upstream GAIE manifests' convention), so a pool that
# selects pods of an existing workload targets the port its engine most likely serves on.
SERVERS: Final[dict[ModelServer, ServerProfile]] = {
    "vllm": ServerProfile("vllm", "vllm/vllm-openai:v0.18.1", 8000, 8000, "/metrics", "/health"),
    # Upstream's own SGLang manifest runs :latest; spec.model.image pins a version.
    "sglang": ServerProfile("sglang", "lmsysorg/sglang:latest", 8000, 8000, "/metrics", "/health"),
    "trtllm": ServerProfile(
        "trtllm",
        "nvcr.io/nvidia/tensorrt-llm/release:1.0.0",
        8000,
        8000,
        "/prometheus/metrics",
        "/health",
    ),
    # Triton serves HTTP on 8000 and Prometheus metrics on a port of their own, 8002.
    "triton": ServerProfile(
        "triton",
        "nvcr.io/nvidia/tritonserver:25.01-trtllm-python-py3",
        8000,
        8002,
        "/metrics",
        "/v2/health/ready",
    ),
    "tgi": ServerProfile(
        "tgi",
        "ghcr.io/huggingface/text-generation-inference:3.3.4",
        8000,
        8000,
        "/metrics",
        "/health",
    ),
}

# The dialect of an engine running in its own server.
_OWN_DIALECT: Final[dict[ModelServer, MetricDialect]] = {
    "vllm": _VLLM,
    "sglang": _SGLANG,
    "trtllm": _TRTLLM_SERVE,
    "triton": _TRITON_TRTLLM,
    "tgi": _TGI,
}
# The dialect of an engine hosted by Triton: its TensorRT-LLM backend or its vLLM backend.
_TRITON_HOSTED: Final[dict[ModelServer, MetricDialect]] = {
    "triton": _TRITON_TRTLLM,
    "trtllm": _TRITON_TRTLLM,
    "vllm": _VLLM,
}


def server_profile(stack: InferenceStack) -> ServerProfile:
    """The profile of the stack's model server (``spec.model.backend``)."""
    return SERVERS[stack.spec.model.backend]


def metric_dialect(stack: InferenceStack) -> MetricDialect:
    """The metric dialect of the stack's engine, hosted by its backend."""
    model = stack.spec.model
    engine = model.engine or model.backend
    if model.backend == "triton":
        dialect = _TRITON_HOSTED.get(engine)
    else:
        dialect = _OWN_DIALECT[engine] if engine == model.backend else None
    if dialect is None:
        raise RenderError(
            f"engine {engine!r} cannot run in backend {model.backend!r}"
            + (" (Triton hosts trtllm or vllm)" if model.backend == "triton" else ""),
            field_path="spec.model.engine",
        )
    return dialect


def metrics_path(stack: InferenceStack) -> str:
    """Where the endpoint picker scrapes the model server's metrics.

    ``spec.epp.metricsPath`` defaults to ``/metrics`` (the API server fills the default in), so
    the default cannot be told apart from an explicit ``/metrics``; the default therefore means
    "the server's own path", which differs for trtllm-serve (``/prometheus/metrics``).
    """
    path = stack.spec.epp.metrics_path
    return server_profile(stack).metrics_path if path == DEFAULT_METRICS_PATH else path
