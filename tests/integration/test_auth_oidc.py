"""OIDC mode end to end: a local issuer on 127.0.0.1 serving discovery and a real JWKS,
tokens it signs, and a console app whose routes are guarded by the auth dependencies."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
import uvicorn
from fastapi import Depends, FastAPI

from auth_oidc_issuer import AUDIENCE, Issuer
from ngf_console.api.auth import (
    Action,
    AuthContext,
    AuthSettings,
    Guard,
    ResourceRef,
    cluster_scoped,
    require,
)

GATEWAYS = ResourceRef("gateway.networking.k8s.io", "gateways")
CLASSES = ResourceRef("gateway.networking.k8s.io", "gatewayclasses")


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    """An issuer served by uvicorn on a free loopback port, for the test's duration."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    issuer = Issuer(f"http://127.0.0.1:{sock.getsockname()[1]}")
    server = uvicorn.Server(uvicorn.Config(issuer.app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "issuer did not start"
        time.sleep(0.02)
    try:
        yield issuer
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _settings(issuer: Issuer) -> AuthSettings:
    return AuthSettings.from_yaml(
        f"""
auth:
  mode: oidc
  oidc:
    issuer: {issuer.url}
    audience: {AUDIENCE}
    jwks_min_refetch_seconds: 0
    role_bindings:
      - {{group: platform, role: admin, namespaces: ["*"]}}
      - {{group: team-a, role: operator, namespaces: [team-a]}}
      - {{group: auditors, role: viewer, namespaces: ["*"]}}
"""
    )


def _console(context: AuthContext) -> FastAPI:
    app = FastAPI()
    app.state.auth = context

    @app.get("/api/v1/gateways/{namespace}")
    async def read(guard: Annotated[Guard, Depends(require(Action.READ, GATEWAYS))]) -> str:
        return guard.principal.username

    @app.post("/api/v1/gateways/{namespace}")
    async def write(guard: Annotated[Guard, Depends(require(Action.WRITE, GATEWAYS))]) -> str:
        return guard.principal.username

    @app.put("/api/v1/gatewayclasses/{name}")
    async def write_class(
        guard: Annotated[Guard, Depends(require(Action.WRITE, CLASSES, namespace=cluster_scoped))],
    ) -> str:
        return guard.principal.username

    return app


REQUESTS = [
    ("GET", "/api/v1/gateways/team-a"),
    ("GET", "/api/v1/gateways/team-b"),
    ("POST", "/api/v1/gateways/team-a"),
    ("POST", "/api/v1/gateways/team-b"),
    ("PUT", "/api/v1/gatewayclasses/nginx"),
]


async def _statuses(http: httpx.AsyncClient, token: str) -> list[int]:
    headers = {"Authorization": f"Bearer {token}"}
    return [(await http.request(m, url, headers=headers)).status_code for m, url in REQUESTS]


def test_each_role_is_allowed_exactly_its_share(issuer: Issuer) -> None:
    async def scenario() -> dict[str, list[int]]:
        context = AuthContext.from_settings(_settings(issuer))
        transport = httpx.ASGITransport(app=_console(context))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
                return {
                    group: await _statuses(http, issuer.token(groups=[group]))
                    for group in ("platform", "team-a", "auditors", "strangers")
                }
        finally:
            await context.aclose()

    assert asyncio.run(scenario()) == {
        "platform": [200, 200, 200, 200, 200],
        "team-a": [200, 403, 200, 403, 403],
        "auditors": [200, 200, 403, 403, 403],
        "strangers": [403, 403, 403, 403, 403],
    }


def test_key_rotation_accepts_new_tokens_and_drops_old_ones(issuer: Issuer) -> None:
    async def scenario() -> list[int]:
        context = AuthContext.from_settings(_settings(issuer))
        transport = httpx.ASGITransport(app=_console(context))
        url = "/api/v1/gateways/team-a"
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:

                def bearer(token: str) -> dict[str, str]:
                    return {"Authorization": f"Bearer {token}"}

                old = issuer.token(groups=["team-a"])
                seen = [(await http.get(url, headers=bearer(old))).status_code]
                new_key = issuer.rotate("ES256")
                new = issuer.token(new_key, groups=["team-a"])
                seen.append((await http.get(url, headers=bearer(new))).status_code)
                rejected = await http.get(url, headers=bearer(old))
                seen.append(rejected.status_code)
                assert "unknown to the issuer" in rejected.json()["detail"]
                assert rejected.headers["WWW-Authenticate"].startswith("Bearer")
                return seen
        finally:
            await context.aclose()

    assert asyncio.run(scenario()) == [200, 200, 401]
    # First use, the rotated key's kid, the old kid once more (refetch interval 0 here).
    assert issuer.jwks_requests == 3
