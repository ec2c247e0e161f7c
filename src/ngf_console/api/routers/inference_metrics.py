"""Inference metrics (spec §3.10.8): summary, per pool, per pod, TTFT, signals, GPUs, cost,
scaling events. Numbers come from Prometheus (engines, DCGM, EPP); pods, replicas and events
from the watch cache. Lists span the namespaces the caller may read InferencePools in."""

# No ``from __future__ import annotations``: FastAPI reads these annotations.
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from ngf_console.api.auth import Action, Guard, ResourceRef, from_query, require
from ngf_console.api.cluster_reads import all_cached, cached_object
from ngf_console.api.routers.listing import readable
from ngf_console.api.state import ClusterDep, StateDep
from ngf_console.api.telemetry import (
    EVENTS,
    INFERENCE_POOLS,
    PrometheusDep,
    WindowDep,
    autoscaler_names,
    cluster_pools,
    prometheus_failed,
    stack_gpu,
)
from ngf_console.kube.clusters import Cluster
from ngf_console.telemetry.cost import PoolCost, estimate
from ngf_console.telemetry.inference import (
    SIGNALS,
    PodState,
    PoolMetrics,
    TtftHistogram,
    aggregate,
    pod_states,
    pool_metrics,
    signal_per_pod,
    ttft_histogram,
)
from ngf_console.telemetry.pools import PoolPods
from ngf_console.telemetry.prometheus import PrometheusClient, PrometheusError, TimeRange
from ngf_console.telemetry.scaling import ScalingEvent, scaling_events
from ngf_console.telemetry.series import Point, Series, rate_window

_POOLS_REF = ResourceRef(INFERENCE_POOLS.group, INFERENCE_POOLS.plural)
ReadPools = Annotated[Guard, Depends(require(Action.READ, _POOLS_REF, namespace=from_query()))]
ReadPool = Annotated[Guard, Depends(require(Action.READ, _POOLS_REF, name_param="name"))]
SUMMARY_SIGNALS = (
    "requests_per_second",
    "tokens_per_second",
    "queue_depth",
    "kv_cache_pct",
    "gpu_util_pct",
    "prefix_hit_rate",
)
# Short route names of the dashboard panels -> signal.
SIGNAL_ROUTES = {
    "tps": "tokens_per_second",
    "queue-depth": "queue_depth",
    "kv-cache": "kv_cache_pct",
    "prefix-cache": "prefix_hit_rate",
    "gpu-utilization": "gpu_util_pct",
    "gpu-memory": "gpu_mem_used_mib",
}


class InferenceSummary(BaseModel):
    """Every readable pool's headline numbers, and the totals."""

    start: float
    end: float
    step: float
    pools: int
    pods: int
    ready_pods: int
    series: dict[str, list[Point]] = Field(description="Totals (sums; means for % and rates).")
    now: dict[str, float | None]
    per_pool: list[PoolMetrics]


class SignalView(BaseModel):
    """One signal of a pool: the pool series and each pod's."""

    namespace: str
    pool: str
    signal: str
    unit: str
    pool_series: list[Point]
    per_pod: list[Series]


class GpuCell(BaseModel):
    """One GPU of the heatmap: whose it is and its utilisation over time."""

    namespace: str
    pool: str
    pod: str
    node: str
    gpu_type: str
    points: list[Point]


class GpuHeatmap(BaseModel):
    """GPU utilisation per pod GPU over the window (rows) at each step (columns)."""

    start: float
    end: float
    step: float
    gpus: list[GpuCell]


class CostReport(BaseModel):
    """Estimated GPU cost of every readable pool, with over-provisioning findings."""

    pricing: dict[str, float]
    hourly: float
    daily: float
    window_cost: float
    pools: list[PoolCost]
    findings: list[str]


async def _readable_pools(
    cluster: Cluster, guard: Guard, namespace: str | None, name: str | None = None
) -> list[PoolPods]:
    pools = [p for p in cluster_pools(cluster, namespace) if name is None or p.pool == name]
    return await readable(guard, _POOLS_REF, pools, lambda p: p.namespace)


def _pool(cluster: Cluster, namespace: str, name: str) -> PoolPods:
    cached_object(cluster, INFERENCE_POOLS, namespace, name)
    for pool in cluster_pools(cluster, namespace):
        if pool.pool == name:
            return pool
    raise HTTPException(status_code=404, detail={"message": f"InferencePool {namespace}/{name}"})


async def _history(
    client: PrometheusClient, pool: PoolPods, window: TimeRange
) -> tuple[list[Point], list[Point]]:
    """Replicas (pods reporting) and busy pods (running >= 1) over the window."""
    replicas: list[Point] = []
    busy: list[Point] = []
    pattern = pool.history_pattern()
    engines = pool.engines() or {"vllm": []}
    for engine in sorted(engines):
        running = SIGNALS["running"].query(
            engine, [f'namespace="{pool.namespace}"', f'pod=~"{pattern}"'], rate_window(window)
        )[0]
        for target, query in (
            (replicas, f"count({running})"),
            (busy, f"sum(clamp_max({running}, 1))"),
        ):
            for series in await client.range(query, window):
                target.extend(series.points)
    return aggregate({"r": replicas}, "sum"), aggregate({"b": busy}, "sum")


def router() -> APIRouter:
    """``/inference/metrics/...`` routes."""
    routes = APIRouter(tags=["inference-metrics"])

    @routes.get("/inference/metrics/summary", response_model=InferenceSummary)
    async def summary(
        cluster: ClusterDep,
        client: PrometheusDep,
        window: WindowDep,
        guard: ReadPools,
        namespace: str | None = None,
    ) -> InferenceSummary:
        """Headline numbers of every pool the caller may read, and their totals."""
        pools = await _readable_pools(cluster, guard, namespace)
        try:
            per_pool = [await pool_metrics(client, p, window, SUMMARY_SIGNALS) for p in pools]
        except PrometheusError as err:
            raise prometheus_failed(err) from err
        series = {
            name: aggregate(
                {str(i): m.series[name] for i, m in enumerate(per_pool)}, SIGNALS[name].aggregate
            )
            for name in SUMMARY_SIGNALS
        }
        return InferenceSummary(
            start=window.start,
            end=window.end,
            step=window.step,
            pools=len(pools),
            pods=sum(m.pods for m in per_pool),
            ready_pods=sum(m.ready_pods for m in per_pool),
            series=series,
            now={name: (points[-1][1] if points else None) for name, points in series.items()},
            per_pool=per_pool,
        )

    @routes.get("/inference/metrics/pool/{namespace}/{name}", response_model=PoolMetrics)
    async def pool(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        client: PrometheusDep,
        window: WindowDep,
        _: ReadPool,
    ) -> PoolMetrics:
        """Every signal of one pool over the window."""
        try:
            return await pool_metrics(client, _pool(cluster, namespace, name), window)
        except PrometheusError as err:
            raise prometheus_failed(err) from err

    @routes.get("/inference/metrics/pool/{namespace}/{name}/pods", response_model=list[PodState])
    async def pods(
        namespace: str, name: str, cluster: ClusterDep, client: PrometheusDep, _: ReadPool
    ) -> list[PodState]:
        """Each pod's current state: queue, KV cache, GPU utilisation, memory, temperature."""
        try:
            return await pod_states(client, _pool(cluster, namespace, name))
        except PrometheusError as err:
            raise prometheus_failed(err) from err

    @routes.get("/inference/metrics/pool/{namespace}/{name}/ttft", response_model=TtftHistogram)
    async def ttft(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        client: PrometheusDep,
        window: WindowDep,
        _: ReadPool,
    ) -> TtftHistogram:
        """Time-to-first-token distribution over the window, with p50/p95/p99."""
        try:
            return await ttft_histogram(client, _pool(cluster, namespace, name), window)
        except PrometheusError as err:
            raise prometheus_failed(err) from err

    async def signal_view(
        cluster: Cluster, client: PrometheusClient, window: TimeRange, ns: str, name: str, sig: str
    ) -> SignalView:
        if sig not in SIGNALS:
            raise HTTPException(
                status_code=404,
                detail={"message": f"no signal {sig!r}; known: {', '.join(sorted(SIGNALS))}"},
            )
        signal = SIGNALS[sig]
        try:
            per_pod = await signal_per_pod(client, _pool(cluster, ns, name), signal, window)
        except PrometheusError as err:
            raise prometheus_failed(err) from err
        return SignalView(
            namespace=ns,
            pool=name,
            signal=sig,
            unit=signal.unit,
            pool_series=aggregate(per_pod, signal.aggregate),
            per_pod=[Series(labels={"pod": p}, points=pts) for p, pts in sorted(per_pod.items())],
        )

    @routes.get(
        "/inference/metrics/pool/{namespace}/{name}/signals/{signal}", response_model=SignalView
    )
    async def any_signal(
        namespace: str,
        name: str,
        signal: str,
        cluster: ClusterDep,
        client: PrometheusDep,
        window: WindowDep,
        _: ReadPool,
    ) -> SignalView:
        """One signal per pod and for the pool (names: see /inference/metrics/signals)."""
        return await signal_view(cluster, client, window, namespace, name, signal)

    def alias(path: str, signal: str) -> None:
        async def view(
            namespace: str,
            name: str,
            cluster: ClusterDep,
            client: PrometheusDep,
            window: WindowDep,
            _: ReadPool,
        ) -> SignalView:
            return await signal_view(cluster, client, window, namespace, name, signal)

        routes.add_api_route(
            f"/inference/metrics/pool/{{namespace}}/{{name}}/{path}",
            view,
            methods=["GET"],
            response_model=SignalView,
            summary=f"{signal} of one pool, per pod",
            name=f"inference_metrics_{path}",
        )

    for path, signal in SIGNAL_ROUTES.items():
        alias(path, signal)

    @routes.get("/inference/metrics/signals")
    async def signals(_: ReadPools) -> dict[str, dict[str, str]]:
        """The signal names and units the signal routes know."""
        return {s.name: {"unit": s.unit, "aggregate": s.aggregate} for s in SIGNALS.values()}

    @routes.get("/inference/metrics/gpu", response_model=GpuHeatmap)
    async def gpu(
        cluster: ClusterDep,
        client: PrometheusDep,
        window: WindowDep,
        guard: ReadPools,
        namespace: str | None = None,
        pool: str | None = None,
    ) -> GpuHeatmap:
        """GPU utilisation heatmap: one row per pod GPU of every readable pool."""
        cells = []
        try:
            for p in await _readable_pools(cluster, guard, namespace, pool):
                per_pod = await signal_per_pod(client, p, SIGNALS["gpu_util_pct"], window)
                cells += [
                    GpuCell(
                        namespace=p.namespace,
                        pool=p.pool,
                        pod=pod.name,
                        node=pod.node,
                        gpu_type=pod.gpu_type,
                        points=per_pod.get(pod.name, []),
                    )
                    for pod in p.pods
                ]
        except PrometheusError as err:
            raise prometheus_failed(err) from err
        return GpuHeatmap(start=window.start, end=window.end, step=window.step, gpus=cells)

    @routes.get("/inference/metrics/cost", response_model=CostReport)
    async def cost(
        state: StateDep,
        cluster: ClusterDep,
        client: PrometheusDep,
        window: WindowDep,
        guard: ReadPools,
        namespace: str | None = None,
    ) -> CostReport:
        """GPU cost per pool (now: hourly, daily; over the window) and over-provisioning."""
        pricing = dict(state.settings.gpu_pricing)
        reports = []
        try:
            for p in await _readable_pools(cluster, guard, namespace):
                gpu_type, gpus = stack_gpu(cluster, p)
                replica_series, busy_series = await _history(client, p, window)
                reports.append(
                    estimate(
                        namespace=p.namespace,
                        pool=p.pool,
                        gpu_type=gpu_type,
                        gpus_per_pod=gpus,
                        replicas=p.replicas if p.replicas is not None else len(p.pods),
                        pricing=pricing,
                        replica_series=replica_series,
                        busy_series=busy_series,
                        window_seconds=window.end - window.start,
                    )
                )
        except PrometheusError as err:
            raise prometheus_failed(err) from err
        return CostReport(
            pricing=pricing,
            hourly=sum(r.hourly for r in reports),
            daily=sum(r.daily for r in reports),
            window_cost=sum(r.window_cost for r in reports),
            pools=reports,
            findings=[r.finding for r in reports if r.finding],
        )

    def events_of(cluster: Cluster, pools: list[PoolPods], since: float) -> list[ScalingEvent]:
        events: list[dict[str, Any]] = all_cached(cluster, EVENTS)
        found: list[ScalingEvent] = []
        for p in pools:
            found += scaling_events(
                events,
                namespace=p.namespace,
                pool=p.pool,
                deployments=p.deployments,
                autoscalers=autoscaler_names(p),
                since=since,
            )
        return sorted(found, key=lambda e: e.time)

    @routes.get("/inference/metrics/scaling-events", response_model=list[ScalingEvent])
    async def all_scaling_events(
        cluster: ClusterDep, window: WindowDep, guard: ReadPools, namespace: str | None = None
    ) -> list[ScalingEvent]:
        """Scaling events of every readable pool in the window (Kubernetes Events)."""
        pools = await _readable_pools(cluster, guard, namespace)
        return [e for e in events_of(cluster, pools, window.start) if e.time <= window.end]

    @routes.get(
        "/inference/metrics/pool/{namespace}/{name}/scaling-events",
        response_model=list[ScalingEvent],
    )
    async def pool_scaling_events(
        namespace: str, name: str, cluster: ClusterDep, window: WindowDep, _: ReadPool
    ) -> list[ScalingEvent]:
        """One pool's scaling events in the window, with the metric that triggered each."""
        found = events_of(cluster, [_pool(cluster, namespace, name)], window.start)
        return [e for e in found if e.time <= window.end]

    return routes
