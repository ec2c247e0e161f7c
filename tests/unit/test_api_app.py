"""The API frame: config endpoint, UI serving with SPA fallback, API 404s."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ngf_console import __version__
from ngf_console.api.app import create_app
from ngf_console.api.settings import ApiSettings
from ngf_console.store import sqlite_url


@pytest.fixture
def ui_dir(tmp_path: Path) -> Path:
    ui = tmp_path / "dist"
    (ui / "assets").mkdir(parents=True)
    (ui / "index.html").write_text("<html>shell</html>")
    (ui / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside the UI")
    return ui


def test_an_unreachable_cluster_is_reported_not_fatal(ui_dir: Path, tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\n"
    )
    settings = ApiSettings(
        kubeconfig=kubeconfig,
        ui_dir=ui_dir,
        database_url=sqlite_url(tmp_path / "db.sqlite"),
        cache_sync_timeout=0.5,
    )
    with TestClient(create_app(settings)) as client:
        [cluster] = client.get("/api/v1/clusters").json()
        assert cluster["reachable"] is False
        assert cluster["error"]
        assert cluster["cache_synced"] is False
        body = client.get("/api/v1/config").json()
        assert body["version"] == __version__
        assert body["edition"] == "unknown"
        assert client.get("/readyz").status_code == 503
        # A list the cache cannot serve yet says so instead of guessing.
        assert client.get("/api/v1/httproutes").status_code == 503


def test_ui_files_spa_fallback_and_api_404(ui_dir: Path) -> None:
    # No lifespan (no `with`): the UI and the OpenAPI document need no cluster.
    client = TestClient(create_app(ApiSettings(ui_dir=ui_dir)))
    assert client.get("/").text == "<html>shell</html>"
    assert client.get("/assets/app.js").text == "console.log(1)"
    # Client-side routes get the shell; API paths never do.
    assert client.get("/inference/pools").text == "<html>shell</html>"
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["detail"] == {"message": "no API route /api/v1/nothing-here"}
    # Paths escaping the UI directory fall back to the shell instead of reading the file.
    assert "outside" not in client.get("/..%2Fsecret.txt").text
    assert client.get("/api/openapi.json").json()["info"]["title"] == "NGF Console API"


def test_ui_not_built_is_said(tmp_path: Path) -> None:
    client = TestClient(create_app(ApiSettings(ui_dir=tmp_path / "missing")))
    response = client.get("/")
    assert response.status_code == 503
    assert "UI not built" in response.json()["detail"]["message"]
