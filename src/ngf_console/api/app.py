"""The API server application: JSON routes under ``/api``, websockets, and the built UI.

Every cluster-relative route is served twice: ``/api/v1/<path>`` for the default cluster
and ``/api/v1/clusters/{cluster}/<path>`` for a named one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse
from prometheus_client import CollectorRegistry

from ngf_console import __version__
from ngf_console.alerts.runner import console_runner
from ngf_console.api import gc_tuning, live_feeds, telemetry
from ngf_console.api.auth import AuthContext, get_principal
from ngf_console.api.canary_runner import CanaryRunner
from ngf_console.api.middleware import RequestContextMiddleware, install_error_handlers
from ngf_console.api.routers import (
    access,
    audit,
    certificates,
    coexistence,
    inference_logs,
    inference_metrics,
    logs,
    metrics,
    migration,
    parents,
    resources,
    routes,
    system,
    views,
)
from ngf_console.api.routers import alerts as alert_routes
from ngf_console.api.routers import canary as canary_routes
from ngf_console.api.routers import diagnostics as diagnostic_routes
from ngf_console.api.routers import topology as topology_routes
from ngf_console.api.settings import ApiSettings
from ngf_console.api.state import ConsoleState
from ngf_console.api.ws import topics
from ngf_console.api.ws.access import topic_scope
from ngf_console.api.ws.endpoint import WsSettings
from ngf_console.kube.clusters import ClusterRegistry
from ngf_console.store import open_store
from ngf_console.telemetry.analytics.service import AnalyticsService
from ngf_console.telemetry.prometheus import PrometheusClient

API_PREFIX = "/api/v1"


def default_ui_dir() -> Path:
    """The built UI: ``NGF_UI_DIR``, else ``frontend/dist`` of this checkout."""
    override = os.environ.get("NGF_UI_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "frontend" / "dist"


def cluster_routers() -> list[APIRouter]:
    """Every router whose routes are about one cluster."""
    return [
        system.api(),
        access.router(),
        parents.router(),
        routes.router(),
        audit.router(),
        resources.router(),
        certificates.router(),
        topology_routes.router(),
        alert_routes.router(),
        views.router(),
        diagnostic_routes.router(),
        canary_routes.router(),
        metrics.router(),
        inference_metrics.router(),
        migration.router(),
        coexistence.router(),
        logs.router(),
        inference_logs.router(),
    ]


def _registry(settings: ApiSettings) -> ClusterRegistry:
    if settings.clusters_file is not None:
        return ClusterRegistry.from_file(settings.clusters_file)
    if settings.kubeconfig is not None:
        return ClusterRegistry.single("default", settings.kubeconfig)
    return ClusterRegistry.from_in_cluster()


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the FastAPI application (clusters, DB and feeds start with its lifespan)."""
    settings = settings or ApiSettings()
    metrics_registry = CollectorRegistry()
    hub = topics.new_hub(metrics_registry)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        clusters = _registry(settings)
        store = await open_store(settings.database_url)
        auth = AuthContext.from_settings(settings.auth, kube_config=clusters.default.config)
        app.state.auth = auth
        app.state.console = ConsoleState(settings, clusters, store, hub)
        # Opened on first use (docs/analytics.md); closing flushes the ingest queue.
        app.state.analytics = AnalyticsService(
            settings.analytics,
            settings.analytics.resolved_dir(settings.database_url),
            default_cluster=clusters.default.name,
        )
        await clusters.start()
        app.state.analytics.on_accepted(live_feeds.epp_decisions_to_hub(hub))
        feeds = [asyncio.create_task(live_feeds.feed(hub, c)) for c in clusters]
        app.state.prometheus = None
        if settings.prometheus_url:
            app.state.prometheus = PrometheusClient(settings.prometheus_url)
            feeds += [
                asyncio.create_task(
                    telemetry.feed(hub, c, app.state.prometheus, settings.telemetry_interval)
                )
                for c in clusters
            ]
        with contextlib.suppress(TimeoutError):
            await clusters.default.cache.wait_synced(settings.cache_sync_timeout)
        app.state.alerts = console_runner(
            store, clusters, prometheus=app.state.prometheus, analytics=app.state.analytics
        )
        await app.state.alerts.start()
        app.state.canary = CanaryRunner(store, clusters)
        await app.state.canary.start()
        if settings.settle_heap:
            gc_tuning.settle_heap()
        try:
            yield
        finally:
            await app.state.canary.stop()
            await app.state.alerts.stop()
            for task in feeds:
                task.cancel()
            await asyncio.gather(*feeds, return_exceptions=True)
            if app.state.prometheus is not None:
                await app.state.prometheus.aclose()
            hub.close()
            await clusters.stop()
            await app.state.analytics.close()
            await auth.aclose()
            await store.close()

    app = FastAPI(
        title="NGF Console API",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.metrics_registry = metrics_registry
    install_error_handlers(app)
    # The UI's scripts (~850 KiB for the dashboard) and large lists shrink ~4x compressed.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    if settings.allowed_origins:
        # Same-origin needs no CORS; only origins named in the settings get it.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=sorted(settings.allowed_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )

    app.include_router(system.probes())
    app.include_router(logs.ingest_router())
    app.include_router(access.public_router(), prefix=API_PREFIX)
    for router in cluster_routers():
        app.include_router(router, prefix=API_PREFIX)
        app.include_router(router, prefix=f"{API_PREFIX}/clusters/{{cluster}}")
    app.include_router(
        topics.router(
            hub,
            WsSettings(
                allowed_origins=settings.allowed_origins,
                authenticate=get_principal,
                authorize=topic_scope,
            ),
        )
    )
    _serve_ui(app, (settings.ui_dir or default_ui_dir()).resolve())
    return app


def _serve_ui(app: FastAPI, ui_root: Path) -> None:
    @app.get("/{path:path}", include_in_schema=False)
    async def ui(path: str) -> FileResponse:
        if path.startswith("api/"):
            raise HTTPException(status_code=404, detail=f"no API route /{path}")
        index = ui_root / "index.html"
        if not index.is_file():
            raise HTTPException(
                status_code=503, detail=f"UI not built: {index} missing (run `make ui`)"
            )
        candidate = (ui_root / path).resolve()
        # Serve real files; every other path is a client-side route of the SPA.
        if path and candidate.is_relative_to(ui_root) and candidate.is_file():
            return FileResponse(candidate)
        return FileResponse(index)
