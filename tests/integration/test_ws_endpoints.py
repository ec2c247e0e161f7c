"""The /api/v1/ws routes on a real uvicorn server, driven by real websocket clients.

No Kubernetes here: each test starts uvicorn on 127.0.0.1 (random port) in its own event
loop with a small FastAPI app mounting the ws router, and publishes to the hub directly.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, HTTPException, WebSocket
from prometheus_client import CollectorRegistry
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from ngf_console.api.ws.endpoint import WsSettings, bearer_token
from ngf_console.api.ws.hub import Hub
from ngf_console.api.ws.topics import (
    EPP_DECISIONS,
    EVENTS,
    TOPOLOGY,
    crd_status,
    new_hub,
    router,
)


@asynccontextmanager
async def serving(settings: WsSettings | None = None) -> AsyncIterator[tuple[Hub, str]]:
    """A uvicorn server with the ws router; yields the hub and ``ws://127.0.0.1:PORT``."""
    hub = new_hub(CollectorRegistry())
    app = FastAPI()
    app.include_router(router(hub, settings or WsSettings()))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)
    try:
        yield hub, f"ws://127.0.0.1:{port}"
    finally:
        hub.close()
        server.should_exit = True
        await task
        listener.close()


def run(body: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(body(), 60))


async def until(condition: Callable[[], bool], within: float = 5) -> None:
    # Polling: the conditions are hub state changed by server tasks, with no event to await.
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def close_frame(conn: ClientConnection) -> tuple[int, str]:
    """Read until the server closes; the code and reason of its close frame."""
    try:
        while True:
            await asyncio.wait_for(conn.recv(), 10)
    except ConnectionClosed as closed:
        received = closed.rcvd
    assert received is not None, "closed without a close frame"
    return received.code, received.reason


async def next_message(conn: ClientConnection) -> dict[str, Any]:
    """The next published message's envelope, skipping keepalives."""
    while True:
        frame = json.loads(await asyncio.wait_for(conn.recv(), 5))
        if frame["type"] == "message":
            return dict(frame)


def test_clients_receive_published_messages_in_order() -> None:
    async def body() -> None:
        async with serving() as (hub, base):
            async with (
                connect(f"{base}/api/v1/ws/topology") as one,
                connect(f"{base}/api/v1/ws/topology") as two,
            ):
                await until(lambda: hub.subscriber_count(TOPOLOGY) == 2)
                for i in range(20):
                    assert hub.publish(TOPOLOGY, {"i": i}) == 2
                for conn in (one, two):
                    got = [await next_message(conn) for _ in range(20)]
                    assert [m["data"]["i"] for m in got] == list(range(20))
                    assert [m["seq"] for m in got] == list(range(1, 21))
                    assert {m["topic"] for m in got} == {TOPOLOGY}
            # Disconnecting unsubscribes.
            await until(lambda: hub.subscriber_count(TOPOLOGY) == 0)

    run(body)


def test_event_filter_parameters_and_path_topics() -> None:
    async def body() -> None:
        async with serving() as (hub, base):
            events = f"{base}/api/v1/ws/events?namespace=shop&type=Warning"
            status = f"{base}/api/v1/ws/crd-status/shop/llama?kind=InferenceStack"
            pool = f"{base}/api/v1/ws/inference/epp/ai/llama"
            async with connect(events) as ev, connect(status) as st, connect(pool) as epp:
                await until(
                    lambda: (
                        hub.topics()
                        == {EVENTS: 1, crd_status("shop", "llama"): 1, EPP_DECISIONS: 1}
                    )
                )

                def event(ns: str, kind: str) -> dict[str, Any]:
                    return {
                        "type": kind,
                        "reason": f"{ns}-{kind}",
                        "involvedObject": {"namespace": ns},
                    }

                hub.publish(EVENTS, event("shop", "Normal"))
                hub.publish(EVENTS, event("other", "Warning"))
                hub.publish(EVENTS, event("shop", "Warning"))
                assert (await next_message(ev))["data"]["reason"] == "shop-Warning"

                hub.publish(crd_status("shop", "llama"), {"kind": "GatewayBundle", "phase": "x"})
                hub.publish(crd_status("shop", "other"), {"kind": "InferenceStack", "phase": "y"})
                hub.publish(crd_status("shop", "llama"), {"kind": "InferenceStack", "phase": "z"})
                assert (await next_message(st))["data"]["phase"] == "z"

                hub.publish(EPP_DECISIONS, {"namespace": "ai", "pool": "mistral", "pod": "m"})
                hub.publish(EPP_DECISIONS, {"namespace": "ai", "pool": "llama", "pod": "l"})
                assert (await next_message(epp))["data"]["pod"] == "l"

    run(body)


def test_origin_same_host_and_allowed_pass_others_refused() -> None:
    async def body() -> None:
        settings = WsSettings(allowed_origins={"https://console.example.com"})
        async with serving(settings) as (hub, base):
            url = f"{base}/api/v1/ws/topology"
            for origin in (f"http://{base.removeprefix('ws://')}", "https://console.example.com"):
                async with connect(url, origin=origin) as conn:  # type: ignore[arg-type]
                    await until(lambda: hub.subscriber_count(TOPOLOGY) == 1)
                    hub.publish(TOPOLOGY, {"ok": True})
                    assert (await next_message(conn))["data"] == {"ok": True}
                await until(lambda: hub.subscriber_count(TOPOLOGY) == 0)
            for origin in ("https://evil.example", "http://127.0.0.1:1"):
                with pytest.raises(InvalidStatus) as refused:
                    await connect(url, origin=origin)  # type: ignore[arg-type]
                assert refused.value.response.status_code == 403
            assert hub.refusals() == {"origin": 2}
            assert hub.topics() == {}

    run(body)


def test_auth_hook_refuses_or_admits_by_token() -> None:
    async def authenticate(websocket: WebSocket) -> object:
        token = bearer_token(websocket)
        if token is None:
            raise HTTPException(status_code=401, detail="token required")
        if token != "s3cret":
            raise PermissionError("bad token")
        return {"user": "alice"}

    async def body() -> None:
        async with serving(WsSettings(authenticate=authenticate)) as (hub, base):
            url = f"{base}/api/v1/ws/topology"
            encoded = base64.urlsafe_b64encode(b"s3cret").decode().rstrip("=")
            k8s_bearer = f"base64url.bearer.authorization.k8s.io.{encoded}"
            with pytest.raises(InvalidStatus) as missing:
                await connect(url)
            assert missing.value.response.status_code == 401
            with pytest.raises(InvalidStatus) as wrong:
                await connect(url, additional_headers={"Authorization": "Bearer nope"})
            assert wrong.value.response.status_code == 403
            assert hub.refusals() == {"auth": 2}
            assert hub.topics() == {}

            admitted = [
                connect(url, additional_headers={"Authorization": "Bearer s3cret"}),
                connect(url, subprotocols=["bearer", "s3cret"]),  # type: ignore[list-item]
                connect(f"{url}?token=s3cret"),
                connect(url, subprotocols=[k8s_bearer, "ngf-console"]),  # type: ignore[list-item]
            ]
            for attempt in admitted:
                async with attempt as conn:
                    await until(lambda: hub.subscriber_count(TOPOLOGY) == 1)
                    hub.publish(TOPOLOGY, {"n": 1})
                    assert (await next_message(conn))["data"] == {"n": 1}
                await until(lambda: hub.subscriber_count(TOPOLOGY) == 0)
            async with connect(url, subprotocols=["bearer", "s3cret"]) as conn:  # type: ignore[list-item]
                # The server answers with the marker subprotocol, never the token.
                assert conn.subprotocol == "bearer"
            async with connect(url, subprotocols=[k8s_bearer, "ngf-console"]) as conn:  # type: ignore[list-item]
                assert conn.subprotocol == "ngf-console"

    run(body)


def stalled_socket() -> socket.socket:
    """A client socket with tiny kernel buffers, so a peer that never reads fills up fast."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


def test_stalled_client_is_dropped_while_another_keeps_receiving() -> None:
    payload = os.urandom(32 * 1024).hex()  # 64 KiB frames fill socket buffers quickly

    async def body() -> None:
        settings = WsSettings(queue_size=4, close_timeout_seconds=30)
        async with serving(settings) as (hub, base):
            url = f"{base}/api/v1/ws/topology"
            sock = stalled_socket()
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(
                sock, ("127.0.0.1", int(base.rsplit(":", 1)[1]))
            )
            # max_queue=1: the client library itself stops reading after one frame.
            stalled = await connect(url, sock=sock, max_queue=1, compression=None)
            async with connect(url, max_size=None) as reader:
                await until(lambda: hub.subscriber_count(TOPOLOGY) == 2)
                received: list[int] = []

                async def read() -> None:
                    while True:
                        received.append((await next_message(reader))["data"]["i"])

                reading = asyncio.create_task(read())
                published = 0
                while hub.stats()[TOPOLOGY].dropped == 0 and published < 3000:
                    hub.publish(TOPOLOGY, {"i": published, "blob": payload})
                    published += 1
                    await asyncio.sleep(0.002)
                assert hub.stats()[TOPOLOGY].dropped == 1, f"not dropped after {published}"
                print(f"stalled client dropped after {published} frames of 64 KiB")
                # The dropped client holds nothing up: the reader gets these too.
                for _ in range(20):
                    hub.publish(TOPOLOGY, {"i": published, "blob": payload})
                    published += 1
                    await asyncio.sleep(0.002)
                await until(lambda: len(received) == published, within=10)
                reading.cancel()
                assert received == list(range(published))
                assert hub.subscriber_count(TOPOLOGY) == 1

            # Once the stalled client reads again it finds the close: 1013 "slow consumer".
            assert await close_frame(stalled) == (1013, "slow consumer")

    run(body)


def test_keepalive_when_idle_and_going_away_on_hub_close() -> None:
    async def body() -> None:
        async with (
            serving(WsSettings(keepalive_seconds=0.2)) as (hub, base),
            connect(f"{base}/api/v1/ws/metrics") as conn,
        ):
            frame = json.loads(await asyncio.wait_for(conn.recv(), 5))
            assert frame == {"type": "keepalive", "topic": "metrics"}
            hub.close()
            assert await close_frame(conn) == (1001, "server shutting down")

    run(body)
