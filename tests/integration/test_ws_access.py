"""Websocket topics are authorized per namespace, as the REST routes are (OIDC mode, real
API server and control plane): a subscriber sees only messages about namespaces where it may
read the topic's kind, and one that may read it nowhere is refused at the handshake."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from api_harness import running_api, settings_for
from lightkube import Client
from lightkube.models.core_v1 import ObjectReference
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Event, Namespace

from auth_oidc_issuer import AUDIENCE, Issuer, served_issuer
from ngf_console.api.auth import AuthSettings


def _event(namespace: str, name: str) -> Event:
    return Event(
        metadata=ObjectMeta(name=name, namespace=namespace),
        involvedObject=ObjectReference(kind="Pod", name="p", namespace=namespace),
        reason="Testing",
        message=name,
        type="Normal",
    )


@pytest.fixture(scope="module")
def console(
    kubeconfig: Path, kube: Client, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Issuer, str, str]]:
    suffix = secrets.token_hex(3)
    mine, other = f"t-ws-a-{suffix}", f"t-ws-b-{suffix}"
    for ns in (mine, other):
        kube.create(Namespace(metadata=ObjectMeta(name=ns, labels={"ngf-console/test": "true"})))
    try:
        with served_issuer() as issuer:
            auth = AuthSettings.model_validate(
                {
                    "mode": "oidc",
                    "oidc": {
                        "issuer": issuer.url,
                        "audience": AUDIENCE,
                        "role_bindings": [
                            {"group": "viewers", "role": "viewer", "namespaces": [mine]}
                        ],
                    },
                }
            )
            db = tmp_path_factory.mktemp("ws-access") / "console.db"
            with running_api(settings_for(kubeconfig, db, auth=auth)) as url:
                # The cache must know both namespaces before a subscriber is scoped.
                time.sleep(1)
                yield url.replace("http://", "ws://"), issuer, mine, other
    finally:
        for ns in (mine, other):
            kube.delete(Namespace, ns)


def _headers(issuer: Issuer, groups: list[str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.token(email='u@example.com', groups=groups)}"}


def test_a_viewer_sees_only_its_namespaces_events(
    console: tuple[str, Issuer, str, str], kube: Client
) -> None:
    url, issuer, mine, other = console

    async def run() -> list[dict[str, Any]]:
        async with websockets.connect(
            f"{url}/api/v1/ws/events", additional_headers=_headers(issuer, ["viewers"])
        ) as ws:
            await asyncio.sleep(0.3)
            await asyncio.to_thread(kube.create, _event(other, "not-for-you"))
            await asyncio.to_thread(kube.create, _event(mine, "for-you"))
            seen: list[dict[str, Any]] = []
            async with asyncio.timeout(20):
                while not any(d["metadata"]["name"] == "for-you" for d in seen):
                    frame = json.loads(await ws.recv())
                    if frame.get("type") == "message":
                        seen.append(frame["data"])
            return seen

    seen = asyncio.run(run())
    assert {d["metadata"]["namespace"] for d in seen} == {mine}


def test_no_read_right_anywhere_is_refused_at_the_handshake(
    console: tuple[str, Issuer, str, str],
) -> None:
    url, issuer, mine, other = console

    async def connect(path: str, groups: list[str]) -> None:
        async with websockets.connect(f"{url}{path}", additional_headers=_headers(issuer, groups)):
            pass

    with pytest.raises(websockets.InvalidStatus) as refused:
        asyncio.run(connect("/api/v1/ws/events", ["nobody"]))
    assert refused.value.response.status_code == 403
    with pytest.raises(websockets.InvalidStatus) as other_ns:
        asyncio.run(connect(f"/api/v1/ws/crd-status/{other}/x", ["viewers"]))
    assert other_ns.value.response.status_code == 403
    asyncio.run(connect(f"/api/v1/ws/crd-status/{mine}/x", ["viewers"]))  # its own: fine
