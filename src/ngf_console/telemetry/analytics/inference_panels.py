"""Two inference dashboard panels from the inference logs (spec §3.10.3): the request
latency breakdown per pool and the model throughput comparison per model and pool.

Both read the raw ``ngf_inference_logs`` rows of the window (the rollups keep neither the
phase columns nor exact quantiles). Quantiles are ClickHouse's ``quantiles`` (a reservoir
of 8192 values per group, linear interpolation between the two nearest values): exact up
to 8192 requests per group, a uniform sample beyond.

Latency phases, per request: queue wait (``queue_time_ms``), prefill up to the first token
(``prefill_time_ms``), decode / token generation (``decode_time_ms``) and the response —
what the total (``total_inference_time_ms``) leaves after the three, never below zero (the
transfer back and the gateway's own time). Requests whose emitter reported none of the three
phases count in ``requests`` but not in the phases, rather than as zero-length phases.
"""

from __future__ import annotations

import math
from typing import Any, Final

from pydantic import BaseModel, Field

from ngf_console.telemetry.analytics.queries import Where
from ngf_console.telemetry.analytics.store import AnalyticsStore
from ngf_console.telemetry.analytics.tables import INFERENCE_LOGS

__all__ = [
    "PHASES",
    "LatencyPhase",
    "ModelThroughput",
    "PoolLatencyBreakdown",
    "latency_breakdown",
    "model_comparison",
]

_Q: Final = "0.5, 0.95"
_HAS_PHASES: Final = "(queue_time_ms + prefill_time_ms + decode_time_ms) > 0"
_RESPONSE: Final = (
    "greatest(total_inference_time_ms - queue_time_ms - prefill_time_ms - decode_time_ms, 0)"
)
# (name, label, expression) in the order a request goes through them.
PHASES: Final[tuple[tuple[str, str, str], ...]] = (
    ("queue", "Queue wait", "queue_time_ms"),
    ("prefill", "Prefill (to the first token)", "prefill_time_ms"),
    ("decode", "Token generation (decode)", "decode_time_ms"),
    ("response", "Response (the rest of the total)", _RESPONSE),
)


def _num(value: Any) -> float | None:
    """A ClickHouse aggregate as JSON: NaN (an aggregate of no rows) becomes None."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else round(number, 3)


class LatencyPhase(BaseModel):
    """One phase of the requests of a pool."""

    phase: str = Field(description="queue, prefill, decode or response.")
    label: str
    p50_ms: float | None
    p95_ms: float | None
    avg_ms: float | None = Field(description="Averages add up to the mean total; quantiles do not.")


class PoolLatencyBreakdown(BaseModel):
    """Where the time of a pool's requests goes."""

    namespace: str
    pool: str
    requests: int
    requests_with_phases: int = Field(description="Requests that reported their phases.")
    phases: list[LatencyPhase]
    total_p50_ms: float | None
    total_p95_ms: float | None
    total_avg_ms: float | None


def breakdown_sql(where_sql: str) -> str:
    """Per pool: request counts, p50/p95/avg of each phase and of the total."""
    phase_columns = ", ".join(
        f"quantilesIf({_Q})({expr}, has_phases) AS {name}_q, "
        f"avgIf({expr}, has_phases) AS {name}_avg"
        for name, _, expr in PHASES
    )
    return (
        f"SELECT namespace, inference_pool, count() AS requests, "
        f"countIf(has_phases) AS requests_with_phases, {phase_columns}, "
        f"quantiles({_Q})(total_inference_time_ms) AS total_q, "
        f"avg(total_inference_time_ms) AS total_avg "
        f"FROM (SELECT *, {_HAS_PHASES} AS has_phases FROM {INFERENCE_LOGS.name} "
        f"WHERE {where_sql}) "
        "GROUP BY namespace, inference_pool ORDER BY namespace, inference_pool"
    )


async def latency_breakdown(store: AnalyticsStore, where: Where) -> list[PoolLatencyBreakdown]:
    """The latency breakdown of each pool with rows matching ``where``."""
    result = await store.query(breakdown_sql(where.sql), where.params)
    out = []
    for row in result.dicts():
        phases = [
            LatencyPhase(
                phase=name,
                label=label,
                p50_ms=_num(row[f"{name}_q"][0]),
                p95_ms=_num(row[f"{name}_q"][1]),
                avg_ms=_num(row[f"{name}_avg"]),
            )
            for name, label, _ in PHASES
        ]
        out.append(
            PoolLatencyBreakdown(
                namespace=row["namespace"],
                pool=row["inference_pool"],
                requests=int(row["requests"]),
                requests_with_phases=int(row["requests_with_phases"]),
                phases=phases,
                total_p50_ms=_num(row["total_q"][0]),
                total_p95_ms=_num(row["total_q"][1]),
                total_avg_ms=_num(row["total_avg"]),
            )
        )
    return out


class ModelThroughput(BaseModel):
    """How one model in one pool performed over the window."""

    namespace: str
    pool: str
    model: str
    requests: int
    errors: int = Field(description="Responses with status 500 or more.")
    error_rate: float = Field(description="errors / requests.")
    requests_per_second: float = Field(description="requests / the window's seconds.")
    ttft_p50_ms: float | None = Field(description="Over requests that reported a TTFT.")
    ttft_p95_ms: float | None
    ttft_avg_ms: float | None
    tps_avg: float | None = Field(
        description="Mean per-request generation speed (tokens/s) of requests reporting one."
    )
    input_tokens: int
    output_tokens: int
    output_tokens_per_second: float = Field(
        description="Aggregate generation throughput: output tokens / the window's seconds."
    )


def comparison_sql(where_sql: str) -> str:
    """Per (namespace, pool, model): counts, TTFT quantiles, TPS and tokens."""
    return (
        "SELECT namespace, inference_pool, model_name, count() AS requests, "
        "countIf(status >= 500) AS errors, "
        f"quantilesIf({_Q})(time_to_first_token_ms, time_to_first_token_ms > 0) AS ttft_q, "
        "avgIf(time_to_first_token_ms, time_to_first_token_ms > 0) AS ttft_avg, "
        "avgIf(tokens_per_second, tokens_per_second > 0) AS tps_avg, "
        "sum(toUInt64(input_tokens)) AS input_tokens, "
        "sum(toUInt64(output_tokens)) AS output_tokens "
        f"FROM {INFERENCE_LOGS.name} WHERE {where_sql} "
        "GROUP BY namespace, inference_pool, model_name "
        "ORDER BY namespace, inference_pool, model_name"
    )


async def model_comparison(
    store: AnalyticsStore, where: Where, window_seconds: float
) -> list[ModelThroughput]:
    """Each (pool, model) with rows matching ``where``; rates over ``window_seconds``."""
    result = await store.query(comparison_sql(where.sql), where.params)
    out = []
    for row in result.dicts():
        requests, errors = int(row["requests"]), int(row["errors"])
        output_tokens = int(row["output_tokens"])
        out.append(
            ModelThroughput(
                namespace=row["namespace"],
                pool=row["inference_pool"],
                model=row["model_name"],
                requests=requests,
                errors=errors,
                error_rate=round(errors / requests, 6) if requests else 0.0,
                requests_per_second=round(requests / window_seconds, 6),
                ttft_p50_ms=_num(row["ttft_q"][0]),
                ttft_p95_ms=_num(row["ttft_q"][1]),
                ttft_avg_ms=_num(row["ttft_avg"]),
                tps_avg=_num(row["tps_avg"]),
                input_tokens=int(row["input_tokens"]),
                output_tokens=output_tokens,
                output_tokens_per_second=round(output_tokens / window_seconds, 6),
            )
        )
    return out
