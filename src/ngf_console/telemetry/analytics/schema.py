"""The analytics schema as versioned migrations (recorded in ``schema_migrations``).

The same DDL runs on chDB and on a ClickHouse server. Raw tables are MergeTree,
partitioned by day, ordered and expired as spec §3.4.2 / §3.10.3 say. Rollups are
materialized views into AggregatingMergeTree tables holding ``-State`` values (averages
cannot be summed); read them with the ``-Merge`` combinators (``merged``). Latency
quantiles are read from log-bucket histograms (``histogram.py``, migration 4): summing
bucket counts is far cheaper than merging the t-digest states migration 2 created, which
the rollups still fill for SQL written against them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ngf_console.telemetry.analytics import histogram
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
ACCESS_ROLLUP_MEASURES_V2 = (
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

# Migration 4: latency histograms (histogram.py) beside the t-digests.
ACCESS_ROLLUP_MEASURES = (
    *ACCESS_ROLLUP_MEASURES_V2,
    ("latency_hist", histogram.TYPE, histogram.state_sql("latency_ms")),
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
INFERENCE_ROLLUP_MEASURES_V2 = (
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

INFERENCE_ROLLUP_MEASURES = (
    *INFERENCE_ROLLUP_MEASURES_V2,
    ("ttft_hist", histogram.TYPE, histogram.state_sql("time_to_first_token_ms")),
)

Spec = tuple[tuple[str, str, str], ...]


def rollup_name(base: str, g: Granularity) -> str:
    """The target table of a rollup at a granularity, e.g. ``ngf_metrics_1m``."""
    return f"{base}_{g.suffix}"


def _columns(keys: Spec, measures: Spec, g: Granularity) -> list[tuple[str, str, str]]:
    return [("window_start", "DateTime('UTC')", f"{g.window}(timestamp)"), *keys, *measures]


def mv_select(source: Table, keys: Spec, measures: Spec, g: Granularity) -> str:
    """The SELECT of the materialized view filling a rollup."""
    select = ",\n    ".join(f"{expr} AS {name}" for name, _, expr in _columns(keys, measures, g))
    group = ", ".join(["window_start", *(k[0] for k in keys)])
    return f"SELECT\n    {select}\nFROM {source.name}\nGROUP BY {group}"


def rollup_ddl(base: str, source: Table, keys: Spec, measures: Spec, g: Granularity) -> list[str]:
    """The AggregatingMergeTree target and the materialized view filling it."""
    target = rollup_name(base, g)
    body = ",\n    ".join(f"{name} {type_}" for name, type_, _ in _columns(keys, measures, g))
    order = ", ".join(["window_start", *(k[0] for k in keys)])
    return [
        f"CREATE TABLE IF NOT EXISTS {target} (\n    {body}\n)\n"
        "ENGINE = AggregatingMergeTree\n"
        "PARTITION BY toYYYYMM(window_start)\n"
        f"ORDER BY ({order})\n"
        f"TTL window_start + {g.ttl}",
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {target}_mv TO {target} AS\n"
        + mv_select(source, keys, measures, g),
    ]


ACCESS_ROLLUP = "ngf_metrics"
USER_AGENT_ROLLUP = "ngf_user_agents"
INFERENCE_ROLLUP = "ngf_inference_metrics"


def _rollups() -> tuple[str, ...]:
    statements: list[str] = []
    for g in GRANULARITIES:
        statements += rollup_ddl(
            ACCESS_ROLLUP, ACCESS_LOGS, ACCESS_ROLLUP_KEYS, ACCESS_ROLLUP_MEASURES_V2, g
        )
        statements += rollup_ddl(
            INFERENCE_ROLLUP,
            INFERENCE_LOGS,
            INFERENCE_ROLLUP_KEYS,
            INFERENCE_ROLLUP_MEASURES_V2,
            g,
        )
    statements += rollup_ddl(
        USER_AGENT_ROLLUP, ACCESS_LOGS, USER_AGENT_KEYS, USER_AGENT_MEASURES, GRANULARITIES[0]
    )
    return tuple(statements)


def _histograms() -> tuple[str, ...]:
    """Migration 4: a histogram column per latency t-digest, the views filling it, and a
    histogram for every row already there, derived from its t-digest (the raw rows have
    shorter TTLs than the rollups, so the digest is the one source every row still has).
    A group that already has a histogram is skipped, so a re-run adds nothing twice."""
    statements: list[str] = []
    for base, source, keys, measures, (hist, digest) in (
        (
            ACCESS_ROLLUP,
            ACCESS_LOGS,
            ACCESS_ROLLUP_KEYS,
            ACCESS_ROLLUP_MEASURES,
            ("latency_hist", "latency_quantiles"),
        ),
        (
            INFERENCE_ROLLUP,
            INFERENCE_LOGS,
            INFERENCE_ROLLUP_KEYS,
            INFERENCE_ROLLUP_MEASURES,
            ("ttft_hist", "ttft_quantiles"),
        ),
    ):
        key_names = ", ".join(["window_start", *(k[0] for k in keys)])
        for g in GRANULARITIES:
            target = rollup_name(base, g)
            statements += [
                f"ALTER TABLE {target} ADD COLUMN IF NOT EXISTS {hist} {histogram.TYPE}",
                f"ALTER TABLE {target}_mv MODIFY QUERY\n" + mv_select(source, keys, measures, g),
                f"INSERT INTO {target} ({key_names}, {hist})\n"
                # No alias on the histogram: it would shadow the column in HAVING.
                f"SELECT {key_names}, "
                f"{histogram.from_tdigest_sql(digest, 'sum(request_count)')}\n"
                f"FROM {target} GROUP BY {key_names}\n"
                f"HAVING sum(request_count) > 0 AND empty((sumMap({hist})).1)",
            ]
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
    Migration(
        4, "latency histograms in the rollups (quantiles without t-digest merges)", _histograms()
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
