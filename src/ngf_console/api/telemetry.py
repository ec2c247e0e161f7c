"""What the metrics routes share: the Prometheus client, time ranges, pools from the cache,
and the websocket producers of ``inference/gpu-metrics`` and ``inference/scaling-events``."""

# No ``from __future__ import annotations``: FastAPI reads the dependency annotations.
import asyncio
import contextlib
import datetime as dt
import logging
import math
import re
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request

from ngf_console.api.cluster_reads import all_cached
from ngf_console.api.ws import topics
from ngf_console.api.ws.hub import Hub
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.served_types import PARENT_TYPES, served_type
from ngf_console.telemetry.inference import SIGNALS, signal_per_pod
from ngf_console.telemetry.pools import PoolPods, pool_pods
from ngf_console.telemetry.prometheus import PrometheusClient, PrometheusError, TimeRange
from ngf_console.telemetry.scaling import scaling_events

log = logging.getLogger(__name__)

INFERENCE_POOLS = served_type("inferencepools", "inference.networking.k8s.io")
PODS = served_type("pods")
DEPLOYMENTS = served_type("deployments", "apps")
EVENTS = served_type("events")
_STACKS = next(t for t in PARENT_TYPES if t.kind == "InferenceStack")
MAX_POINTS = 11_000
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def get_prometheus(request: Request) -> PrometheusClient:
    """The API's Prometheus client; 404 when no Prometheus is configured.

    404, not 503: without a Prometheus these metrics do not exist on this console (a
    configuration, not an outage); ``reason`` tells the UI to hide the panels.
    """
    client: PrometheusClient | None = getattr(request.app.state, "prometheus", None)
    if client is None:
        raise HTTPException(
            status_code=404,
            detail={
                "message": "no Prometheus configured (prometheus_url)",
                "reason": "NoPrometheus",
            },
        )
    return client


PrometheusDep = Annotated[PrometheusClient, Depends(get_prometheus)]


def parse_duration(raw: str, what: str) -> float:
    """Seconds of a Prometheus-style duration (``90s``, ``15m``, ``1h``; bare = seconds)."""
    match = _DURATION.match(raw.strip())
    if not match:
        raise HTTPException(
            status_code=400, detail={"message": f"{what}: {raw!r} is not a duration like 15m"}
        )
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]
    if seconds <= 0 or not math.isfinite(seconds):
        raise HTTPException(status_code=400, detail={"message": f"{what} must be positive"})
    return seconds


def _instant(raw: str, what: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise HTTPException(status_code=400, detail={"message": f"{what} must be finite"})
        return value
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError as err:
        raise HTTPException(
            status_code=400,
            detail={"message": f"{what}: {raw!r} is neither unix seconds nor RFC 3339"},
        ) from err


def time_range(
    request: Request,
    range_: Annotated[
        str, Query(alias="range", description="Window length (5m, 15m, 1h, 6h, 24h...).")
    ] = "15m",
    start: Annotated[str | None, Query(description="Start (unix seconds or RFC 3339).")] = None,
    end: Annotated[str | None, Query(description="End (default: now).")] = None,
    step: Annotated[str | None, Query(description="Resolution (default: window/120).")] = None,
) -> TimeRange:
    """The window of a metrics request: ``start``..``end``, or ``range`` up to ``end``."""
    end_s = _instant(end, "end") if end else dt.datetime.now(dt.UTC).timestamp()
    start_s = _instant(start, "start") if start else end_s - parse_duration(range_, "range")
    if start_s >= end_s:
        raise HTTPException(status_code=400, detail={"message": "start must be before end"})
    step_s = parse_duration(step, "step") if step else max(1.0, (end_s - start_s) / 120)
    if (end_s - start_s) / step_s > MAX_POINTS:
        raise HTTPException(
            status_code=400,
            detail={"message": f"at most {MAX_POINTS} points per series: use a larger step"},
        )
    console = getattr(request.app.state, "console", None)
    scrape = console.settings.prometheus_scrape_interval if console is not None else 15.0
    return TimeRange(start=start_s, end=end_s, step=step_s, scrape_interval=scrape)


WindowDep = Annotated[TimeRange, Depends(time_range)]


def prometheus_failed(err: PrometheusError) -> HTTPException:
    """Prometheus's own error as a 502 (bad PromQL would be our bug; unreachable is theirs)."""
    return HTTPException(
        status_code=502,
        detail={"message": err.message, "reason": f"Prometheus:{err.error_type}"},
    )


def stack_of(cluster: Cluster, namespace: str, name: str | None) -> dict[str, Any] | None:
    """The InferenceStack a pool belongs to (by its parent label), if cached."""
    if not name:
        return None
    with contextlib.suppress(Exception):
        obj = cluster.cache.get(_STACKS, namespace, name)
        return dict(obj) if obj is not None else None
    return None


def cluster_pools(cluster: Cluster, namespace: str | None = None) -> list[PoolPods]:
    """Every cached InferencePool (current API version) with its pods and Deployments."""
    pods = all_cached(cluster, PODS)
    deployments = all_cached(cluster, DEPLOYMENTS)
    pools = []
    for pool in all_cached(cluster, INFERENCE_POOLS):
        meta = pool.get("metadata") or {}
        if namespace is not None and meta.get("namespace") != namespace:
            continue
        pools.append(pool_pods(pool, pods, {}, deployments))
    return sorted(pools, key=lambda p: (p.namespace, p.pool))


def stack_gpu(cluster: Cluster, pool: PoolPods) -> tuple[str, int]:
    """GPU type and GPUs per pod of a pool: its stack's spec, else what its pods ask for."""
    stack = stack_of(cluster, pool.namespace, pool.stack)
    model = ((stack or {}).get("spec") or {}).get("model") or {}
    gpu_type = str(model.get("gpuType") or next((p.gpu_type for p in pool.pods if p.gpu_type), ""))
    gpus = int(model.get("gpusPerPod") or next((p.gpus for p in pool.pods if p.gpus), 1))
    return gpu_type or "unknown", gpus


def autoscaler_names(pool: PoolPods) -> list[str]:
    """Names the pool's autoscaler objects go by (console-rendered, and KEDA's own HPA)."""
    if not pool.stack:
        return []
    scaler = f"{pool.stack}-scaler"
    return [scaler, f"keda-hpa-{scaler}"]


async def _publish_gpu(hub: Hub, cluster: Cluster, client: PrometheusClient) -> None:
    signals = [
        SIGNALS[s] for s in ("gpu_util_pct", "gpu_mem_used_mib", "gpu_temp_c", "gpu_power_w")
    ]
    signals += [SIGNALS["queue_depth"], SIGNALS["kv_cache_pct"]]
    for pool in cluster_pools(cluster):
        if not pool.pods:
            continue
        results = await asyncio.gather(*(signal_per_pod(client, pool, s, None) for s in signals))
        pods = [
            {
                "pod": pod.name,
                "node": pod.node,
                "gpu_type": pod.gpu_type,
                **{
                    s.name: (r[pod.name][-1][1] if r.get(pod.name) else None)
                    for s, r in zip(signals, results, strict=True)
                },
            }
            for pod in pool.pods
        ]
        hub.publish(
            topics.GPU_METRICS,
            {
                "cluster": cluster.name,
                "namespace": pool.namespace,
                "pool": pool.pool,
                "time": dt.datetime.now(dt.UTC).timestamp(),
                "pods": pods,
            },
        )


def _publish_scaling(
    hub: Hub | None, cluster: Cluster, seen: dict[tuple[str, str, int], None]
) -> None:
    events = all_cached(cluster, EVENTS)
    for pool in cluster_pools(cluster):
        for event in scaling_events(
            events,
            namespace=pool.namespace,
            pool=pool.pool,
            deployments=pool.deployments,
            autoscalers=autoscaler_names(pool),
        ):
            key = (event.kind + "/" + event.name, event.message, int(event.time))
            if key in seen:
                continue
            seen[key] = None
            if hub is not None:
                hub.publish(topics.SCALING_EVENTS, {"cluster": cluster.name, **event.model_dump()})
    while len(seen) > 10_000:
        seen.pop(next(iter(seen)))


async def feed(hub: Hub, cluster: Cluster, client: PrometheusClient, interval: float) -> None:
    """Push GPU metrics and new scaling events every ``interval`` while anyone listens."""
    seen: dict[tuple[str, str, int], None] = {}
    primed = False
    while True:
        try:
            if hub.subscriber_count(topics.GPU_METRICS):
                await _publish_gpu(hub, cluster, client)
            if not primed:
                # Events already in the cache at start-up are history, not news.
                _publish_scaling(None, cluster, seen)
                primed = True
            else:
                _publish_scaling(hub, cluster, seen)
        except PrometheusError as err:
            log.warning("gpu-metrics feed: %s", err.message)
        except Exception:  # a bad object must not end the feed for good
            log.exception("telemetry feed of cluster %s", cluster.name)
        await asyncio.sleep(interval)
