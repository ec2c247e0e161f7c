"""Data-plane RED metrics from Prometheus: ``/metrics/summary``, per Gateway, per route.

Every route takes a time range (``range`` or ``start``/``end``) and a ``step``; see
docs/telemetry.md for the metric names read (NGINX Agent v3 first, NGF 1.x names after).
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations.
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ngf_console.api.auth import Action, Guard, ResourceRef, from_query, require
from ngf_console.api.cluster_reads import cached_object
from ngf_console.api.state import ClusterDep
from ngf_console.api.telemetry import (
    INFERENCE_POOLS,
    PrometheusDep,
    WindowDep,
    cluster_pools,
    prometheus_failed,
)
from ngf_console.kube.served_types import served_type
from ngf_console.telemetry.inference import PoolMetrics, pool_metrics
from ngf_console.telemetry.prometheus import PrometheusError
from ngf_console.telemetry.red import RedView, Scope, red, upstream_name

GATEWAYS = served_type("gateways", "gateway.networking.k8s.io")
HTTPROUTES = served_type("httproutes", "gateway.networking.k8s.io")
_GATEWAYS_REF = ResourceRef(GATEWAYS.group, GATEWAYS.plural)
_ROUTES_REF = ResourceRef(HTTPROUTES.group, HTTPROUTES.plural)
_POOLS_REF = ResourceRef(INFERENCE_POOLS.group, INFERENCE_POOLS.plural)


def route_upstreams(route: dict[str, Any]) -> tuple[str, ...]:
    """The NGINX upstreams of a route's backends (Services and InferencePools)."""
    namespace = (route.get("metadata") or {}).get("namespace") or "default"
    names = set()
    for rule in (route.get("spec") or {}).get("rules") or []:
        for ref in rule.get("backendRefs") or []:
            if ref.get("kind", "Service") not in ("Service", "InferencePool"):
                continue
            names.add(
                upstream_name(ref.get("namespace") or namespace, ref["name"], ref.get("port"))
            )
    return tuple(sorted(names))


async def _red(client: Any, scope: Scope, window: Any) -> RedView:
    try:
        return await red(client, scope, window)
    except PrometheusError as err:
        raise prometheus_failed(err) from err


def router() -> APIRouter:
    """``/metrics/...`` routes."""
    routes = APIRouter(tags=["metrics"])

    @routes.get("/metrics/summary", response_model=RedView)
    async def summary(
        client: PrometheusDep,
        window: WindowDep,
        _: Annotated[Guard, Depends(require(Action.READ, _GATEWAYS_REF, namespace=from_query()))],
        namespace: str | None = None,
    ) -> RedView:
        """RED of every data plane (or of the Gateways of one ``namespace``)."""
        return await _red(client, Scope(namespace=namespace), window)

    @routes.get("/metrics/gateway/{namespace}/{name}", response_model=RedView)
    async def gateway(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        client: PrometheusDep,
        window: WindowDep,
        _: Annotated[Guard, Depends(require(Action.READ, _GATEWAYS_REF, name_param="name"))],
    ) -> RedView:
        """RED of one Gateway's NGINX pods."""
        cached_object(cluster, GATEWAYS, namespace, name)
        return await _red(client, Scope(gateway=(namespace, name)), window)

    @routes.get("/metrics/route/{namespace}/{name}", response_model=RedView)
    async def route(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        client: PrometheusDep,
        window: WindowDep,
        _: Annotated[Guard, Depends(require(Action.READ, _ROUTES_REF, name_param="name"))],
    ) -> RedView:
        """RED of one HTTPRoute: the sum over the upstreams of its backends."""
        obj = cached_object(cluster, HTTPROUTES, namespace, name)
        return await _red(client, Scope(upstreams=route_upstreams(obj)), window)

    @routes.get("/metrics/inference/{namespace}/{name}", response_model=PoolMetrics)
    async def inference(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        client: PrometheusDep,
        window: WindowDep,
        _: Annotated[Guard, Depends(require(Action.READ, _POOLS_REF, name_param="name"))],
    ) -> PoolMetrics:
        """The model-server signals of one InferencePool (same as /inference/metrics/pool)."""
        cached_object(cluster, INFERENCE_POOLS, namespace, name)
        pool = next(p for p in cluster_pools(cluster, namespace) if p.pool == name)
        try:
            return await pool_metrics(client, pool, window)
        except PrometheusError as err:
            raise prometheus_failed(err) from err

    return routes
