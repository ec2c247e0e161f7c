"""Probes, metrics, the console's configuration and the clusters it knows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from pydantic import BaseModel

from ngf_console import __version__
from ngf_console.api.auth import Guard, get_guard
from ngf_console.api.state import ClusterDep, StateDep


class EditionView(BaseModel):
    """The NGF edition of a cluster and the evidence for it."""

    edition: str
    version: str | None
    evidence: list[str]


class ClusterView(BaseModel):
    """One configured cluster and its health."""

    name: str
    default: bool
    server: str
    reachable: bool
    kubernetes_version: str | None
    error: str | None
    cache_synced: bool
    not_served: list[str]


class ConsoleConfig(BaseModel):
    """``GET /api/v1/config``: what the UI needs to know before it draws anything."""

    version: str
    edition: str
    edition_detail: EditionView
    auth_mode: str
    grafana_url: str | None = None
    cluster: str
    clusters: list[str]
    integrations: dict[str, bool]


def probes() -> APIRouter:
    """``/healthz`` (alive), ``/readyz`` (DB and caches), ``/metrics`` — no auth."""
    routes = APIRouter(include_in_schema=False)

    @routes.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @routes.get("/readyz")
    async def readyz(state: StateDep) -> JSONResponse:
        database = await state.store.ping()
        caches = {c.name: c.cache.all_synced() for c in state.clusters}
        ready = database and all(caches.values())
        return JSONResponse(
            {"ready": ready, "database": database, "caches": caches},
            status_code=200 if ready else 503,
        )

    @routes.get("/metrics")
    async def metrics(request: Request) -> Response:
        registry = request.app.state.metrics_registry
        body = generate_latest(REGISTRY) + generate_latest(registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return routes


def api() -> APIRouter:
    """``/config`` and ``/clusters`` (cluster-relative: mounted under both prefixes)."""
    routes = APIRouter(tags=["console"])

    @routes.get("/config", response_model=ConsoleConfig)
    async def config(
        state: StateDep, cluster: ClusterDep, _: Annotated[Guard, Depends(get_guard)]
    ) -> ConsoleConfig:
        info = await state.editions.get(cluster)
        groups = await state.editions.api_groups(cluster)
        return ConsoleConfig(
            version=__version__,
            edition=info.edition,
            edition_detail=EditionView(
                edition=info.edition, version=info.version, evidence=list(info.evidence)
            ),
            auth_mode=state.settings.auth.mode.value,
            grafana_url=state.settings.grafana_url,
            cluster=cluster.name,
            clusters=state.clusters.names,
            integrations={
                "gatewayApi": "gateway.networking.k8s.io" in groups,
                "inferenceExtension": "inference.networking.k8s.io" in groups,
                "keda": "keda.sh" in groups,
                "certManager": "cert-manager.io" in groups,
                "nginxGatewayFabric": "gateway.nginx.org" in groups,
                "enterprise": info.is_enterprise,
            },
        )

    @routes.get("/clusters", response_model=list[ClusterView])
    async def clusters(
        state: StateDep, _: Annotated[Guard, Depends(get_guard)]
    ) -> list[ClusterView]:
        healths = await state.clusters.health()
        return [
            ClusterView(
                name=h.name,
                default=c is state.clusters.default,
                server=c.server,
                reachable=h.reachable,
                kubernetes_version=h.kubernetes_version,
                error=h.error,
                cache_synced=h.cache_synced,
                not_served=list(h.not_served),
            )
            for c, h in zip(state.clusters, healths, strict=True)
        ]

    return routes
