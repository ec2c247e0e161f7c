"""Inference metrics of a pool's pods: queue, KV cache, tokens, TTFT, prefix cache, GPUs.

Every engine names its series differently (render/providers/engines.py, metric_names.py):
the pods of a pool are grouped by their ``inference.networking.k8s.io/engine-type`` label and
each group is queried with its engine's names, per pod (``max by (pod)``); the pool's series
are then summed or averaged here. GPU series come from DCGM, attributed to pods.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from ngf_console.telemetry.metric_names import DCGM, ENGINE_EXTRAS, OLDER_KV_NAMES, dialect_of
from ngf_console.telemetry.pools import PodInfo, PoolPods
from ngf_console.telemetry.prometheus import PrometheusClient, TimeRange
from ngf_console.telemetry.series import Point, Series, rate_window

__all__ = [
    "SIGNALS",
    "PodState",
    "PoolMetrics",
    "Signal",
    "TtftHistogram",
    "pod_states",
    "pool_metrics",
    "signal_per_pod",
    "ttft_histogram",
]


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def pod_matchers(namespace: str, pods: Sequence[PodInfo]) -> list[str]:
    """Matchers selecting ``pods`` of ``namespace``."""
    names = "|".join(_quote(p.name) for p in pods)
    return [f'namespace="{_quote(namespace)}"', f'pod=~"{names}"']


def _template(template: str, matchers: Sequence[str]) -> str:
    return template.replace("{sel}", "{" + ",".join(matchers) + "}")


@dataclass(frozen=True)
class Signal:
    """A per-pod signal: PromQL for one engine's pods (None: the engine lacks it)."""

    name: str
    unit: str
    aggregate: str  # "sum" or "avg" across the pool's pods
    query: Callable[[str, list[str], str], list[str]]
    """(engine, matchers, rate window) -> PromQL candidates, current names first."""


def _queued(engine: str, m: list[str], _: str) -> list[str]:
    return [dialect_of(engine).queued.selector(*m)]


def _running(engine: str, m: list[str], _: str) -> list[str]:
    return [dialect_of(engine).running.selector(*m)]


def _kv(engine: str, m: list[str], _: str) -> list[str]:
    spec = dialect_of(engine).kv_usage
    if spec is None:
        return []
    older = OLDER_KV_NAMES.get(engine)
    return [f"100 * {spec.selector(*m)}"] + ([f"100 * {older.selector(*m)}"] if older else [])


def _extra(attr: str) -> Callable[[str, list[str], str], list[str]]:
    def query(engine: str, m: list[str], _: str) -> list[str]:
        extras = ENGINE_EXTRAS.get(engine)
        template = getattr(extras, attr) if extras else None
        return [_template(template, m)] if template else []

    return query


def _requests(engine: str, m: list[str], rate: str) -> list[str]:
    extras = ENGINE_EXTRAS.get(engine)
    if extras is None or extras.requests_total is None:
        return []
    return [f"rate({extras.requests_total}{{{','.join(m)}}}[{rate}])"]


def _dcgm(metric: str) -> Callable[[str, list[str], str], list[str]]:
    def query(_: str, m: list[str], __: str) -> list[str]:
        return [f"{metric}{{{','.join(m)}}}"]

    return query


SIGNALS: dict[str, Signal] = {
    s.name: s
    for s in (
        Signal("queue_depth", "requests", "sum", _queued),
        Signal("running", "requests", "sum", _running),
        Signal("kv_cache_pct", "%", "avg", _kv),
        Signal("tokens_per_second", "tokens/s", "sum", _extra("tokens_per_second")),
        Signal("prefix_hit_rate", "fraction", "avg", _extra("prefix_hit_rate")),
        Signal("requests_per_second", "requests/s", "sum", _requests),
        Signal("gpu_util_pct", "%", "avg", _dcgm(DCGM.gpu_util)),
        Signal("gpu_mem_used_mib", "MiB", "sum", _dcgm(DCGM.fb_used_mib)),
        Signal("gpu_mem_free_mib", "MiB", "sum", _dcgm(DCGM.fb_free_mib)),
        Signal("gpu_temp_c", "°C", "avg", _dcgm(DCGM.temperature_c)),
        Signal("gpu_power_w", "W", "sum", _dcgm(DCGM.power_w)),
    )
}


async def signal_per_pod(
    client: PrometheusClient,
    pool: PoolPods,
    signal: Signal,
    window: TimeRange | None,
    *,
    scrape_interval: float = 15.0,
) -> dict[str, list[Point]]:
    """Per pod: the signal's points over ``window``, or its one current value (window None)."""
    rate = rate_window(window) if window is not None else f"{4 * scrape_interval:g}s"
    out: dict[str, list[Point]] = {}
    for engine, pods in sorted(pool.engines().items()):
        for candidate in signal.query(engine, pod_matchers(pool.namespace, pods), rate):
            query = f"max by (pod) ({candidate})"
            if window is None:
                samples = await client.instant(query)
                found = {s.labels.get("pod", ""): [(0.0, s.value)] for s in samples}
            else:
                series = await client.range(query, window)
                found = {s.labels.get("pod", ""): s.points for s in series}
            if found:
                out.update(
                    {
                        pod: [(t, v) for t, v in points if math.isfinite(v)]
                        for pod, points in found.items()
                    }
                )
                break
    return out


def aggregate(per_pod: dict[str, list[Point]], how: str) -> list[Point]:
    """The pool's series from per-pod series: pointwise sum or mean."""
    buckets: dict[float, list[float]] = {}
    for points in per_pod.values():
        for t, v in points:
            buckets.setdefault(t, []).append(v)
    if how == "sum":
        return [(t, sum(vs)) for t, vs in sorted(buckets.items())]
    return [(t, sum(vs) / len(vs)) for t, vs in sorted(buckets.items())]


class PoolMetrics(BaseModel):
    """A pool's signals over a time range: the pool series and the current value of each."""

    namespace: str
    pool: str
    start: float
    end: float
    step: float
    pods: int
    ready_pods: int
    series: dict[str, list[Point]] = Field(description="Signal name -> pool series.")
    now: dict[str, float | None] = Field(description="Signal name -> last value.")
    units: dict[str, str]


async def pool_metrics(
    client: PrometheusClient,
    pool: PoolPods,
    window: TimeRange,
    signals: Sequence[str] = tuple(SIGNALS),
) -> PoolMetrics:
    """Every signal of the pool over ``window``."""
    chosen = [SIGNALS[name] for name in signals]
    results = await asyncio.gather(
        *(signal_per_pod(client, pool, signal, window) for signal in chosen)
    )
    series = {s.name: aggregate(r, s.aggregate) for s, r in zip(chosen, results, strict=True)}
    return PoolMetrics(
        namespace=pool.namespace,
        pool=pool.pool,
        start=window.start,
        end=window.end,
        step=window.step,
        pods=len(pool.pods),
        ready_pods=sum(1 for p in pool.pods if p.ready),
        series=series,
        now={name: (points[-1][1] if points else None) for name, points in series.items()},
        units={s.name: s.unit for s in chosen},
    )


class PodState(BaseModel):
    """One pod's current state: what the EPP sees and what DCGM reports."""

    pod: str
    node: str
    gpu_type: str
    engine: str
    ready: bool
    values: dict[str, float | None]


async def pod_states(client: PrometheusClient, pool: PoolPods) -> list[PodState]:
    """Every pod of the pool with each signal's current value."""
    results = await asyncio.gather(
        *(signal_per_pod(client, pool, s, None) for s in SIGNALS.values())
    )
    by_signal = dict(zip(SIGNALS, results, strict=True))
    return [
        PodState(
            pod=pod.name,
            node=pod.node,
            gpu_type=pod.gpu_type,
            engine=pod.engine,
            ready=pod.ready,
            values={
                name: (values[pod.name][-1][1] if values.get(pod.name) else None)
                for name, values in by_signal.items()
            },
        )
        for pod in pool.pods
    ]


class TtftHistogram(BaseModel):
    """Time to first token over a window: bucket counts and quantiles (seconds)."""

    namespace: str
    pool: str
    start: float
    end: float
    buckets: list[tuple[str, float]] = Field(description="(upper bound `le`, requests) pairs.")
    count: float
    p50: float | None
    p95: float | None
    p99: float | None
    quantiles_over_time: list[Series] = Field(default_factory=list)


def _le_key(le: str) -> float:
    return math.inf if le == "+Inf" else float(le)


async def ttft_histogram(
    client: PrometheusClient, pool: PoolPods, window: TimeRange
) -> TtftHistogram:
    """TTFT buckets of the pool's pods over the window (engines with a TTFT histogram)."""
    span = f"{max(1, int(window.end - window.start))}s"
    cumulative: dict[str, float] = {}
    histograms: list[str] = []
    for engine, pods in sorted(pool.engines().items()):
        extras = ENGINE_EXTRAS.get(engine)
        if extras is None or extras.ttft_histogram is None:
            continue
        m = ",".join(pod_matchers(pool.namespace, pods))
        histograms.append(f"{extras.ttft_histogram}_bucket{{{m}}}")
    for bucket_series in histograms:
        samples = await client.instant(
            f"sum by (le) (increase({bucket_series}[{span}]))", at=window.end
        )
        for s in samples:
            le = s.labels.get("le", "+Inf")
            cumulative[le] = cumulative.get(le, 0.0) + (s.value if math.isfinite(s.value) else 0)
    ordered = sorted(cumulative.items(), key=lambda kv: _le_key(kv[0]))
    buckets, previous = [], 0.0
    for le, total in ordered:
        buckets.append((le, max(0.0, total - previous)))
        previous = max(previous, total)
    count = ordered[-1][1] if ordered else 0.0

    def quantile(q: float) -> float | None:
        if count <= 0:
            return None
        rank = q * count
        lower_bound, lower_count = 0.0, 0.0
        for le, total in ordered:
            upper = _le_key(le)
            if total >= rank:
                if math.isinf(upper):
                    return lower_bound
                share = (rank - lower_count) / (total - lower_count) if total > lower_count else 1
                return lower_bound + (upper - lower_bound) * share
            lower_bound, lower_count = upper, total
        return lower_bound

    over_time: list[Series] = []
    if histograms:
        union = " or ".join(f"sum by (le) (rate({h}[{rate_window(window)}]))" for h in histograms)
        for q in (0.5, 0.95):
            result = await client.range(f"histogram_quantile({q}, sum by (le) ({union}))", window)
            for rs in result:
                points = [(t, v) for t, v in rs.points if math.isfinite(v)]
                over_time.append(Series(labels={"quantile": str(q)}, points=points))
    return TtftHistogram(
        namespace=pool.namespace,
        pool=pool.pool,
        start=window.start,
        end=window.end,
        buckets=buckets,
        count=count,
        p50=quantile(0.5),
        p95=quantile(0.95),
        p99=quantile(0.99),
        quantiles_over_time=over_time,
    )
