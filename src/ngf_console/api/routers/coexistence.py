"""NGINX Ingress Controller beside NGINX Gateway Fabric (spec §3.10.7).

Gateway API routes come from the watch cache. The NGINX Ingress Controller kinds (Ingress,
VirtualServer, VirtualServerRoute, TransportServer) are not among the cache's types, so they
are listed from the API server — at most once per ``TTL_SECONDS`` per cluster, shared by
every request in between, and with the engine's per-resource confidence computed once per
listing. Callers see only the namespaces they may read routes in.
"""

# No ``from __future__ import annotations``: FastAPI reads the Annotated dependencies.
import asyncio
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from ngf_console.api.auth import Action, Guard, ResourceRef, get_guard
from ngf_console.api.cluster_reads import all_cached
from ngf_console.api.state import ClusterDep
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.informer import http_client
from ngf_console.kube.served_types import GATEWAY_API_TYPES
from ngf_console.readmodel.coexistence import (
    GATEWAY_ROUTE_KINDS,
    GatewayRoute,
    KicRoute,
    coexistence,
    readiness,
)

Obj = dict[str, Any]
TTL_SECONDS = 15.0
ROUTES = ResourceRef("gateway.networking.k8s.io", "httproutes")
_KIC_LISTS = (
    ("/apis/networking.k8s.io/v1/ingresses", "networking.k8s.io/v1", "Ingress"),
    ("/apis/k8s.nginx.org/v1/virtualservers", "k8s.nginx.org/v1", "VirtualServer"),
    ("/apis/k8s.nginx.org/v1/virtualserverroutes", "k8s.nginx.org/v1", "VirtualServerRoute"),
    ("/apis/k8s.nginx.org/v1/transportservers", "k8s.nginx.org/v1", "TransportServer"),
)


@dataclass
class _Listing:
    at: float
    objects: list[Obj]
    confidence: dict[str, str]


_listings: dict[str, _Listing] = {}
_locks: dict[str, asyncio.Lock] = {}


def _confidence(objects: list[Obj]) -> dict[str, str]:
    """The engine's confidence per source resource (``Kind/ns/name``)."""
    import yaml

    from ngf_console.migration.loader import LoadedInput, load_text
    from ngf_console.migration.plan import convert

    loaded = LoadedInput()
    load_text(yaml.safe_dump_all(objects), "<cluster>", loaded)
    try:
        report = convert(loaded).report
    except Exception:  # a view must not fail on what the engine cannot read
        return {}
    return {r.source: r.confidence for r in report.resources}


async def _kic_objects(cluster: Cluster) -> _Listing:
    listing = _listings.get(cluster.name)
    if listing is not None and time.monotonic() - listing.at < TTL_SECONDS:
        return listing
    async with _locks.setdefault(cluster.name, asyncio.Lock()):
        listing = _listings.get(cluster.name)
        if listing is not None and time.monotonic() - listing.at < TTL_SECONDS:
            return listing
        http = http_client(cluster.client)
        objects: list[Obj] = []
        for path, api_version, kind in _KIC_LISTS:
            response = await http.get(path)
            if response.status_code >= 400:
                continue  # not served (no CRD) or not readable: nothing of that kind
            for item in response.json().get("items") or []:
                meta = item.get("metadata") or {}
                objects.append(
                    {
                        "apiVersion": api_version,
                        "kind": kind,
                        "metadata": {
                            k: meta[k] for k in ("name", "namespace", "annotations") if k in meta
                        },
                        "spec": item.get("spec") or {},
                    }
                )
        confidence = await asyncio.to_thread(_confidence, objects) if objects else {}
        listing = _Listing(time.monotonic(), objects, confidence)
        _listings[cluster.name] = listing
        return listing


class KicRouteView(BaseModel):
    """One host/path of an NGINX Ingress Controller resource, and its equivalent."""

    kind: str
    namespace: str
    name: str
    host: str
    path: str
    ingress_class: str | None
    confidence: str | None = Field(description="The migration engine's verdict on the resource.")
    equivalent: str | None = Field(description="Kind/namespace/name of the Gateway API route.")


class GatewayRouteView(BaseModel):
    """A Gateway API route."""

    kind: str
    namespace: str
    name: str
    hostnames: list[str]
    migrated: bool


class OverviewView(BaseModel):
    """KIC resources beside Gateway API ones (the split view)."""

    kic: list[KicRouteView]
    gateway_api: list[GatewayRouteView]
    summary: dict[str, int]


class ReadinessView(BaseModel):
    """The migration readiness score with its reasons."""

    score: int = Field(description="Percent of KIC routes with a Gateway API equivalent.")
    total: int
    ready: int
    remaining: int
    reasons: list[str]
    recommendations: list[str]


async def _visible(
    guard: Guard, cluster: Cluster, namespace: str | None
) -> tuple[list[Obj], list[Obj], dict[str, str]]:
    """KIC and Gateway API objects in the namespaces the caller may read."""
    if namespace is not None:
        await guard.authorize(Action.READ, ROUTES, namespace)
    listing = await _kic_objects(cluster)
    gateway = [
        o
        for t in GATEWAY_API_TYPES
        if t.kind in GATEWAY_ROUTE_KINDS
        for o in all_cached(cluster, t)
    ]
    allowed: dict[str, bool] = {}

    async def may(obj: Obj) -> bool:
        ns = obj["metadata"].get("namespace") or "default"
        if namespace is not None:
            return ns == namespace
        if ns not in allowed:
            allowed[ns] = await guard.allowed(Action.READ, ROUTES, ns)
        return allowed[ns]

    kic = [o for o in listing.objects if await may(o)]
    gw = [o for o in gateway if await may(o)]
    return kic, gw, listing.confidence


def _route_ref(route: GatewayRoute | None) -> str | None:
    return None if route is None else f"{route.kind}/{route.namespace}/{route.name}"


def _kic_view(route: KicRoute, eq: GatewayRoute | None, confidence: dict[str, str]) -> KicRouteView:
    return KicRouteView(
        kind=route.kind,
        namespace=route.namespace,
        name=route.name,
        host=route.host,
        path=route.path,
        ingress_class=route.ingress_class,
        confidence=confidence.get(route.source),
        equivalent=_route_ref(eq),
    )


def router() -> APIRouter:
    """``/coexistence`` routes."""
    routes = APIRouter(tags=["coexistence"])

    @routes.get("/coexistence/overview", response_model=OverviewView)
    async def overview(
        cluster: ClusterDep,
        guard: Annotated[Guard, Depends(get_guard)],
        namespace: Annotated[str | None, Query(description="One namespace (default: all).")] = None,
    ) -> OverviewView:
        kic, gw, confidence = await _visible(guard, cluster, namespace)
        view = coexistence(kic, gw)
        return OverviewView(
            kic=[_kic_view(r, eq, confidence) for r, eq in view.kic],
            gateway_api=[
                GatewayRouteView(
                    kind=r.kind,
                    namespace=r.namespace,
                    name=r.name,
                    hostnames=list(r.hostnames),
                    migrated=r.migrated,
                )
                for r in view.gateway
            ],
            summary={
                "kicRoutes": len(view.kic),
                "withEquivalent": view.with_equivalent,
                "remaining": len(view.kic) - view.with_equivalent,
                "gatewayApiRoutes": len(view.gateway),
                "migratedRoutes": sum(1 for r in view.gateway if r.migrated),
            },
        )

    @routes.get("/coexistence/migration-readiness", response_model=ReadinessView)
    async def migration_readiness(
        cluster: ClusterDep,
        guard: Annotated[Guard, Depends(get_guard)],
        namespace: Annotated[str | None, Query(description="One namespace (default: all).")] = None,
    ) -> ReadinessView:
        kic, gw, confidence = await _visible(guard, cluster, namespace)
        score = readiness(coexistence(kic, gw), confidence)
        return ReadinessView(
            score=score.score,
            total=score.total,
            ready=score.ready,
            remaining=score.remaining,
            reasons=score.reasons,
            recommendations=score.recommendations,
        )

    return routes
