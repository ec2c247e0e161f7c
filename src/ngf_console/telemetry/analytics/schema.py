"""The analytics schema as versioned migrations (recorded in ``schema_migrations``).

The same DDL runs on chDB and on a ClickHouse server. Raw tables are MergeTree,
partitioned by day, ordered and expired as spec §3.4.2 / §3.10.3 say. Rollups are
materialized views into AggregatingMergeTree tables holding ``-State`` values (averages and
quantiles cannot be summed); read them with the ``-Merge`` combinators (``merged``).
Quantiles are t-digest states (bounded in size, unlike the reservoir of ``quantiles``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ngf_console.telemetry.analytics.tables import ACCESS_LOGS, INFERENCE_LOGS, RAW_TABLES, Table

MIGRATIONS_TABLE = "schema_migrations"
QUANTILES = (0.5, 0.95, 0.99)
_Q = ", ".join(str(q) for q in QUANTILES)


@dataclass(frozen=True)
class Migration:
    """One schema version: statements applied in order, then recorded."""

    version: int
    description: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class Granularity:
    """A rollup resolution: its suffix, window function and retention."""

    suffix: str
    window: str
    ttl: str


GRANULARITIES = (
    Granularity("1m", "toStartOfMinute", "INTERVAL 90 DAY"),
    Granularity("1h", "toStartOfHour", "INTERVAL 180 DAY"),
    Granularity("1d", "toStartOfDay", "INTERVAL 365 DAY"),
)


def raw_table_ddl(table: Table) -> str:
    """CREATE TABLE for one raw table."""
    columns = ",\n    ".join(f"{c.name} {c.type}" for c in table.columns)
    return (
        f"CREATE TABLE IF NOT EXISTS {table.name} (\n    {columns}\n)\n"
        "ENGINE = MergeTree\n"
        "PARTITION BY toYYYYMMDD(timestamp)\n"
        f"ORDER BY {table.order_by}\n"
        f"TTL toDateTime(timestamp) + INTERVAL {table.ttl_days} DAY"
    )


# -- rollups ------------------------------------------------------------------------------
# Each rollup: (target columns with their types, the SELECT expressions filling them).
# Keys are plain columns; measures are SimpleAggregateFunction (sum/max: mergeable as they
# are) or AggregateFunction (-State, merged with -Merge).

_STATUS_CLASS = (
    "multiIf(status < 200, '1xx', status < 300, '2xx', status < 400, '3xx', "
    "status < 500, '4xx', '5xx')"
)

ACCESS_ROLLUP_KEYS = (
    ("cluster", "LowCardinality(String)", "cluster"),
    ("namespace", "String", "namespace"),
    ("gateway", "String", "gateway"),
    ("route", "String", "route"),
    ("status_class", "LowCardinality(String)", _STATUS_CLASS),
)
ACCESS_ROLLUP_MEASURES = (
    ("request_count", "SimpleAggregateFunction(sum, UInt64)", "count()"),
    ("latency_avg", "AggregateFunction(avg, Float64)", "avgState(latency_ms)"),
    ("latency_max", "SimpleAggregateFunction(max, Float64)", "max(latency_ms)"),
    (
        "latency_quantiles",
        f"AggregateFunction(quantilesTDigest({_Q}), Float64)",
        f"quantilesTDigestState({_Q})(latency_ms)",
    ),
    ("upstream_latency_avg", "AggregateFunction(avg, Float64)", "avgState(upstream_latency_ms)"),
    ("total_request_bytes", "SimpleAggregateFunction(sum, UInt64)", "sum(request_size)"),
    ("total_response_bytes", "SimpleAggregateFunction(sum, UInt64)", "sum(response_size)"),
)

USER_AGENT_KEYS = (
    ("cluster", "LowCardinality(String)", "cluster"),
    ("namespace", "String", "namespace"),
    ("user_agent", "String", "user_agent"),
)
USER_AGENT_MEASURES = (
    ("request_count", "SimpleAggregateFunction(sum, UInt64)", "count()"),
    ("error_count", "SimpleAggregateFunction(sum, UInt64)", "countIf(status >= 500)"),
)

INFERENCE_ROLLUP_KEYS = (
    ("cluster", "LowCardinality(String)", "cluster"),
    ("namespace", "String", "namespace"),
    ("inference_pool", "String", "inference_pool"),
    ("model_name", "String", "model_name"),
)
INFERENCE_ROLLUP_MEASURES = (
    ("request_count", "SimpleAggregateFunction(sum, UInt64)", "count()"),
    ("error_count", "SimpleAggregateFunction(sum, UInt64)", "countIf(status >= 500)"),
    ("ttft_avg", "AggregateFunction(avg, Float64)", "avgState(time_to_first_token_ms)"),
    (
        "ttft_quantiles",
        f"AggregateFunction(quantilesTDigest({_Q}), Float64)",
        f"quantilesTDigestState({_Q})(time_to_first_token_ms)",
    ),
    (
        "inference_time_avg",
        "AggregateFunction(avg, Float64)",
        "avgState(total_inference_time_ms)",
    ),
    ("tps_avg", "AggregateFunction(avg, Float32)", "avgState(tokens_per_second)"),
    ("total_tokens", "SimpleAggregateFunction(sum, UInt64)", "sum(toUInt64(tokens_generated))"),
    ("input_tokens", "SimpleAggregateFunction(sum, UInt64)", "sum(toUInt64(input_tokens))"),
    ("output_tokens", "SimpleAggregateFunction(sum, UInt64)", "sum(toUInt64(output_tokens))"),
    ("queue_depth_avg", "AggregateFunction(avg, UInt16)", "avgState(queue_depth_at_selection)"),
    ("kv_cache_pct_avg", "AggregateFunction(avg, Float32)", "avgState(kv_cache_pct_at_selection)"),
    ("prefix_cache_hits", "SimpleAggregateFunction(sum, UInt64)", "countIf(prefix_cache_hit)"),
    ("gpu_util_avg", "AggregateFunction(avg, Float32)", "avgState(gpu_utilization_pct)"),
    ("gpu_mem_used_avg", "AggregateFunction(avg, UInt32)", "avgState(gpu_memory_used_mb)"),
    ("gpu_mem_used_max", "SimpleAggregateFunction(max, UInt32)", "max(gpu_memory_used_mb)"),
    ("epp_latency_avg", "AggregateFunction(avg, Float32)", "avgState(epp_decision_latency_us)"),
)

Spec = tuple[tuple[str, str, str], ...]


def rollup_name(base: str, g: Granularity) -> str:
    """The target table of a rollup at a granularity, e.g. ``ngf_metrics_1m``."""
    return f"{base}_{g.suffix}"


def rollup_ddl(base: str, source: Table, keys: Spec, measures: Spec, g: Granularity) -> list[str]:
    """The AggregatingMergeTree target and the materialized view filling it."""
    target = rollup_name(base, g)
    cols = [("window_start", "DateTime('UTC')", f"{g.window}(timestamp)"), *keys, *measures]
    body = ",\n    ".join(f"{name} {type_}" for name, type_, _ in cols)
    order = ", ".join(["window_start", *(k[0] for k in keys)])
    select = ",\n    ".join(f"{expr} AS {name}" for name, _, expr in cols)
    group = ", ".join(["window_start", *(k[0] for k in keys)])
    return [
        f"CREATE TABLE IF NOT EXISTS {target} (\n    {body}\n)\n"
        "ENGINE = AggregatingMergeTree\n"
        "PARTITION BY toYYYYMM(window_start)\n"
        f"ORDER BY ({order})\n"
        f"TTL window_start + {g.ttl}",
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {target}_mv TO {target} AS\n"
        f"SELECT\n    {select}\nFROM {source.name}\nGROUP BY {group}",
    ]


ACCESS_ROLLUP = "ngf_metrics"
USER_AGENT_ROLLUP = "ngf_user_agents"
INFERENCE_ROLLUP = "ngf_inference_metrics"


def _rollups() -> tuple[str, ...]:
    statements: list[str] = []
    for g in GRANULARITIES:
        statements += rollup_ddl(
            ACCESS_ROLLUP, ACCESS_LOGS, ACCESS_ROLLUP_KEYS, ACCESS_ROLLUP_MEASURES, g
        )
        statements += rollup_ddl(
            INFERENCE_ROLLUP, INFERENCE_LOGS, INFERENCE_ROLLUP_KEYS, INFERENCE_ROLLUP_MEASURES, g
        )
    statements += rollup_ddl(
        USER_AGENT_ROLLUP, ACCESS_LOGS, USER_AGENT_KEYS, USER_AGENT_MEASURES, GRANULARITIES[0]
    )
    return tuple(statements)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "raw tables", tuple(raw_table_ddl(t) for t in RAW_TABLES)),
    Migration(2, "1m/1h/1d rollups (AggregatingMergeTree)", _rollups()),
    Migration(
        3,
        "inference latency breakdown columns",
        tuple(
            f"ALTER TABLE {INFERENCE_LOGS.name} ADD COLUMN IF NOT EXISTS {name} Float64"
            for name in ("queue_time_ms", "prefill_time_ms", "decode_time_ms")
        ),
    ),
)


def migrations_table_ddl() -> str:
    """The table recording applied versions."""
    return (
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (\n"
        "    version UInt32,\n    description String,\n"
        "    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)\n"
        ") ENGINE = ReplacingMergeTree ORDER BY version"
    )


def merged(measure: str, type_: str) -> str:
    """The read expression of a rollup measure: ``-Merge`` for states, else the plain
    aggregate for SimpleAggregateFunction columns."""
    if type_.startswith("AggregateFunction("):
        fn = type_[len("AggregateFunction(") :].split(",", 1)[0]
        if fn.startswith("quantilesTDigest("):
            return f"quantilesTDigestMerge({_Q})({measure})"
        return f"{fn}Merge({measure})"
    fn = type_[len("SimpleAggregateFunction(") :].split(",", 1)[0]
    return f"{fn}({measure})"
