"""The API server application: JSON routes under ``/api`` and the built UI at ``/``.

This is the frame later routers plug into; today it serves the health probe, the
console's configuration and the single-page UI.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse
from lightkube import KubeConfig
from pydantic import BaseModel

from ngf_console import __version__
from ngf_console.kube.version import server_version


class ClusterInfo(BaseModel):
    """What the API server knows of the cluster it talks to."""

    reachable: bool
    kubernetes_version: str | None = None
    error: str | None = None


class ConsoleConfig(BaseModel):
    """``GET /api/v1/config``: what the UI needs to know before it draws anything."""

    version: str
    edition: str
    cluster: ClusterInfo


def default_ui_dir() -> Path:
    """The built UI: ``NGF_UI_DIR``, else ``frontend/dist`` of this checkout."""
    override = os.environ.get("NGF_UI_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "frontend" / "dist"


def create_app(kubeconfig: Path | None = None, ui_dir: Path | None = None) -> FastAPI:
    """Build the FastAPI application."""
    app = FastAPI(
        title="NGF Console API",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    ui_root = (ui_dir or default_ui_dir()).resolve()

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/config", response_model=ConsoleConfig)
    async def config() -> ConsoleConfig:
        return ConsoleConfig(
            version=__version__,
            # Edition detection (OSS / Enterprise from the NGF deployment) is not built yet.
            edition="unknown",
            cluster=await _cluster_info(kubeconfig),
        )

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

    return app


async def _cluster_info(kubeconfig: Path | None) -> ClusterInfo:
    if kubeconfig is None:
        return ClusterInfo(reachable=False, error="no kubeconfig configured")
    try:
        info = await server_version(KubeConfig.from_file(kubeconfig))
    except Exception as err:
        return ClusterInfo(reachable=False, error=str(err))
    return ClusterInfo(reachable=True, kubernetes_version=str(info.get("gitVersion")))
