"""The raw tables of the analytics store: columns, their ClickHouse types, and the OTLP
attributes each column is read from.

One definition serves three purposes: the DDL (schema.py), the OTLP mapping (otlp.py)
and the read APIs' filters (queries.py), so a column added here is ingested, stored and
filterable at once.
"""

from __future__ import annotations

from dataclasses import dataclass

# Resource attributes (OTel semantic conventions) that fill columns on every table.
CLUSTER_ATTR = "k8s.cluster.name"


@dataclass(frozen=True)
class Column:
    """One column: its name, ClickHouse type and the OTLP attributes it is read from.

    ``attributes`` are tried in order, on the log record first, then on its resource.
    ``required`` columns must be present in every record (else the request is a 400).
    """

    name: str
    type: str
    attributes: tuple[str, ...] = ()
    required: bool = False
    description: str = ""

    @property
    def base_type(self) -> str:
        """The type without LowCardinality(...)."""
        t = self.type
        return t[len("LowCardinality(") : -1] if t.startswith("LowCardinality(") else t


@dataclass(frozen=True)
class Table:
    """A raw MergeTree table fed by one OTLP event name."""

    name: str
    event: str
    columns: tuple[Column, ...]
    order_by: str
    ttl_days: int

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError if there is none)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, type_: str, *attrs: str, required: bool = False, doc: str = "") -> Column:
    return Column(name, type_, attrs, required, doc)


LC = "LowCardinality(String)"
TS = _c("timestamp", "DateTime64(3, 'UTC')", doc="LogRecord.timeUnixNano (else observed time)")
CLUSTER = _c("cluster", LC, CLUSTER_ATTR, doc="default: the console's default cluster")
TRACE_ID = _c("trace_id", "String", "trace_id", doc="LogRecord.traceId (hex), else attribute")
REQUEST_ID = _c("request_id", "String", "ngf.request.id", "http.request.header.x-request-id")

# The HTTP columns both access and inference logs carry.
METHOD = _c("method", LC, "http.request.method")
PATH = _c("path", "String", "url.path")
STATUS = _c("status", "UInt16", "http.response.status_code")
CLIENT_IP = _c("client_ip", "String", "client.address")
REQUEST_SIZE = _c("request_size", "UInt64", "http.request.size", "http.request.body.size")
RESPONSE_SIZE = _c("response_size", "UInt64", "http.response.size", "http.response.body.size")
XC_EDGE = _c("xc_edge_latency_ms", "Float64", "ngf.xc.edge_latency_ms")

ACCESS_LOGS = Table(
    name="ngf_access_logs",
    event="ngf.access",
    columns=(
        TS,
        CLUSTER,
        _c("gateway", "String", "ngf.gateway.name"),
        _c("gateway_namespace", "String", "ngf.gateway.namespace"),
        _c("listener", "String", "ngf.listener.name"),
        _c("route", "String", "ngf.route.name"),
        _c("namespace", "String", "ngf.route.namespace", "k8s.namespace.name"),
        _c("host", "String", "server.address"),
        _c(METHOD.name, METHOD.type, *METHOD.attributes, required=True),
        _c(PATH.name, PATH.type, *PATH.attributes, required=True),
        _c(STATUS.name, STATUS.type, *STATUS.attributes, required=True),
        _c("latency_ms", "Float64", "ngf.latency_ms"),
        _c("upstream_latency_ms", "Float64", "ngf.upstream.latency_ms"),
        REQUEST_SIZE,
        RESPONSE_SIZE,
        _c("upstream_name", "String", "ngf.upstream.name"),
        _c("upstream_addr", "String", "ngf.upstream.address"),
        CLIENT_IP,
        _c("user_agent", "String", "user_agent.original"),
        REQUEST_ID,
        TRACE_ID,
        _c("tls_version", LC, "tls.protocol.version"),
        _c("tls_cipher", LC, "tls.cipher"),
        _c("waf_action", LC, "ngf.waf.action"),
        _c("waf_violation_rating", "Float32", "ngf.waf.violation_rating"),
        _c("waf_signatures", "Array(String)", "ngf.waf.signatures"),
        _c("bot_classification", LC, "ngf.bot.classification"),
        XC_EDGE,
    ),
    order_by="(gateway, route, timestamp)",
    ttl_days=7,
)

POOL = _c("inference_pool", "String", "ngf.inference_pool.name", required=True)
POOL_NS = _c("namespace", "String", "ngf.inference_pool.namespace", "k8s.namespace.name")
MODEL = _c("model_name", "String", "gen_ai.request.model", "gen_ai.response.model")
POD = _c("pod_name", "String", "k8s.pod.name")
NODE = _c("node_name", "String", "k8s.node.name")
GPU_TYPE = _c("gpu_type", LC, "ngf.gpu.type")
GPU_UTIL = _c("gpu_utilization_pct", "Float32", "ngf.gpu.utilization_pct")
GPU_MEM_USED = _c("gpu_memory_used_mb", "UInt32", "ngf.gpu.memory_used_mb")
GPU_MEM_TOTAL = _c("gpu_memory_total_mb", "UInt32", "ngf.gpu.memory_total_mb")
GPU_TEMP = _c("gpu_temperature_c", "UInt16", "ngf.gpu.temperature_c")

INFERENCE_LOGS = Table(
    name="ngf_inference_logs",
    event="ngf.inference",
    columns=(
        TS,
        CLUSTER,
        POOL_NS,
        POOL,
        _c(MODEL.name, MODEL.type, *MODEL.attributes, required=True),
        _c("model_version", "String", "ngf.model.version"),
        POD,
        NODE,
        _c("gpu_id", "UInt8", "ngf.gpu.id"),
        GPU_TYPE,
        REQUEST_ID,
        TRACE_ID,
        _c("time_to_first_token_ms", "Float64", "ngf.inference.ttft_ms"),
        _c("total_inference_time_ms", "Float64", "ngf.inference.duration_ms"),
        # The latency breakdown (§3.10.3): queue wait, prefill (to the first token), decode.
        _c("queue_time_ms", "Float64", "ngf.inference.queue_ms"),
        _c("prefill_time_ms", "Float64", "ngf.inference.prefill_ms"),
        _c("decode_time_ms", "Float64", "ngf.inference.decode_ms"),
        _c(
            "tokens_generated",
            "UInt32",
            "ngf.inference.tokens_generated",
            "gen_ai.usage.output_tokens",
        ),
        _c("input_tokens", "UInt32", "gen_ai.usage.input_tokens"),
        _c("output_tokens", "UInt32", "gen_ai.usage.output_tokens"),
        _c("tokens_per_second", "Float32", "ngf.inference.tokens_per_second"),
        _c("epp_selected_reason", LC, "ngf.epp.strategy"),
        _c("epp_decision_latency_us", "Float32", "ngf.epp.decision_latency_us"),
        _c("queue_depth_at_selection", "UInt16", "ngf.epp.queue_depth"),
        _c("kv_cache_pct_at_selection", "Float32", "ngf.epp.kv_cache_pct"),
        _c("prefix_cache_hit", "Bool", "ngf.epp.prefix_cache_hit"),
        _c("candidate_pods_considered", "UInt8", "ngf.epp.candidate_count"),
        GPU_UTIL,
        GPU_MEM_USED,
        GPU_MEM_TOTAL,
        GPU_TEMP,
        _c("pool_replica_count", "UInt16", "ngf.pool.replicas"),
        _c("pool_target_replica_count", "UInt16", "ngf.pool.target_replicas"),
        STATUS,
        CLIENT_IP,
        PATH,
        METHOD,
        REQUEST_SIZE,
        RESPONSE_SIZE,
        XC_EDGE,
        _c("xc_waf_action", LC, "ngf.xc.waf_action"),
        _c("xc_bot_classification", LC, "ngf.xc.bot_classification"),
    ),
    order_by="(inference_pool, model_name, timestamp)",
    ttl_days=14,
)

EPP_DECISIONS = Table(
    name="ngf_epp_decisions",
    event="ngf.epp.decision",
    columns=(
        TS,
        CLUSTER,
        POOL_NS,
        POOL,
        MODEL,
        REQUEST_ID,
        _c("selected_pod", "String", "ngf.epp.selected_pod", required=True),
        _c("strategy", LC, "ngf.epp.strategy"),
        _c("reason", "String", "ngf.epp.reason", doc="why the pod won, in words"),
        _c("decision_latency_us", "Float32", "ngf.epp.decision_latency_us"),
        _c("candidate_pods", "Array(String)", "ngf.epp.candidate.pods"),
        _c("candidate_scores", "Array(Float64)", "ngf.epp.candidate.scores"),
        _c("candidate_queue_depths", "Array(UInt16)", "ngf.epp.candidate.queue_depths"),
        _c("candidate_kv_cache_pcts", "Array(Float32)", "ngf.epp.candidate.kv_cache_pcts"),
        _c("candidate_prefix_hits", "Array(Bool)", "ngf.epp.candidate.prefix_hits"),
    ),
    order_by="(inference_pool, timestamp)",
    ttl_days=14,
)

# Arrays of one decision that describe the same candidates, index by index.
CANDIDATE_ARRAYS = tuple(c.name for c in EPP_DECISIONS.columns if c.name.startswith("candidate_"))

POD_SAMPLES = Table(
    name="ngf_pod_samples",
    event="ngf.pod.sample",
    columns=(
        TS,
        CLUSTER,
        POOL_NS,
        POOL,
        _c("pod_name", "String", "k8s.pod.name", required=True),
        NODE,
        _c("gpu_id", "UInt8", "ngf.gpu.id"),
        GPU_TYPE,
        GPU_UTIL,
        GPU_MEM_USED,
        GPU_MEM_TOTAL,
        _c("gpu_temperature_c", "Float32", "ngf.gpu.temperature_c"),
        _c("gpu_power_w", "Float32", "ngf.gpu.power_w"),
        _c("queue_depth", "UInt16", "ngf.pod.queue_depth"),
        _c("kv_cache_pct", "Float32", "ngf.pod.kv_cache_pct"),
        _c("prefix_cache_hit_rate", "Float32", "ngf.pod.prefix_cache_hit_rate"),
        _c("requests_in_flight", "UInt16", "ngf.pod.requests_in_flight"),
    ),
    order_by="(inference_pool, pod_name, timestamp)",
    ttl_days=14,
)

RAW_TABLES = (ACCESS_LOGS, INFERENCE_LOGS, EPP_DECISIONS, POD_SAMPLES)
TABLES_BY_EVENT = {t.event: t for t in RAW_TABLES}
