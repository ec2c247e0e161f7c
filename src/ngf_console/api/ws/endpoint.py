"""Serving one hub topic on one websocket: Origin check, auth hook, sender, keepalive.

The connection's life: check Origin and authenticate *before* accepting (a refusal is an
HTTP 403/401 to the handshake), subscribe, accept, then run a sender (subscription -> socket,
with a keepalive frame when idle) beside a reader (which only notices the client leaving).
When the hub drops the connection as a slow consumer it is closed with code 1013 and reason
``"slow consumer"``; when the hub closes, with 1001.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Awaitable, Callable, Set
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from fastapi import HTTPException, WebSocket, WebSocketException
from starlette.responses import PlainTextResponse
from starlette.websockets import WebSocketDisconnect

from ngf_console.api.ws.hub import (
    DEFAULT_QUEUE_SIZE,
    HUB_CLOSED,
    Hub,
    Predicate,
    Subscription,
    SubscriptionEndedError,
    keepalive_frame,
)

log = logging.getLogger(__name__)

Authorizer = Callable[[WebSocket, str], Awaitable[Predicate | None]]
"""Given the authenticated websocket and its topic: a filter of the messages its principal
may see (None: all); raises (``HTTPException`` 403) to refuse the handshake."""

Authenticator = Callable[[WebSocket], Awaitable[object]]
"""Authenticates a websocket before it is accepted; returns the principal, raises to refuse.

An ``HTTPException`` (or ``WebSocketException``) chooses the handshake's status (401, 403);
any other exception refuses with 403. The principal is kept in ``websocket.state.principal``.
"""

BEARER_SUBPROTOCOL: Final = "bearer"
"""Browsers cannot set headers on a websocket: they offer ``["bearer", <token>]`` as
subprotocols instead, and the server accepts the ``bearer`` subprotocol (never the token)."""

K8S_BEARER_PREFIX: Final = "base64url.bearer.authorization.k8s.io."
"""The Kubernetes convention (also the auth module's): the token, base64url-encoded, as a
subprotocol ``base64url.bearer.authorization.k8s.io.<b64>``, offered beside the real
subprotocol :data:`CONSOLE_SUBPROTOCOL`, which the server accepts."""
CONSOLE_SUBPROTOCOL: Final = "ngf-console"

CLOSE_POLICY_VIOLATION: Final = 1008
CLOSE_TRY_AGAIN_LATER: Final = 1013
CLOSE_GOING_AWAY: Final = 1001
CLOSE_INTERNAL_ERROR: Final = 1011

_DEFAULT_PORTS: Final = {"http": 80, "https": 443, "ws": 80, "wss": 443}


@dataclass(frozen=True)
class WsSettings:
    """How the websocket endpoints behave; one instance is shared by every route."""

    allowed_origins: Set[str] = field(default_factory=frozenset)
    """Origins accepted besides the server's own host (``https://console.example.com``);
    ``*`` accepts any origin. A request without an Origin header (not a browser) passes."""
    authenticate: Authenticator | None = None
    authorize: Authorizer | None = None
    """After authentication: what the principal may see of a topic (raises to refuse)."""
    queue_size: int = DEFAULT_QUEUE_SIZE
    """Frames buffered per connection before it counts as a slow consumer and is dropped."""
    keepalive_seconds: float | None = 20.0
    """Send a ``{"type":"keepalive"}`` frame after this long without one; None: never."""
    close_timeout_seconds: float = 5.0
    """How long closing a dropped (stalled) connection may wait for its socket to drain."""


def bearer_token(websocket: WebSocket) -> str | None:
    """The bearer token a client presented, for an :data:`Authenticator` to verify.

    Looked up in order: ``Authorization: Bearer <t>``, the ``bearer`` subprotocol pair
    (``Sec-WebSocket-Protocol: bearer, <t>``), the Kubernetes-style subprotocol
    ``base64url.bearer.authorization.k8s.io.<base64url t>``, the ``token`` query parameter.
    The query parameter ends up in access logs; prefer the others.
    """
    authorization = websocket.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    offered = [str(p) for p in websocket.scope.get("subprotocols", [])]
    if BEARER_SUBPROTOCOL in offered:
        index = offered.index(BEARER_SUBPROTOCOL)
        if index + 1 < len(offered) and offered[index + 1]:
            return offered[index + 1]
    for protocol in offered:
        if protocol.startswith(K8S_BEARER_PREFIX):
            encoded = protocol.removeprefix(K8S_BEARER_PREFIX)
            try:
                return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
            except (binascii.Error, ValueError, UnicodeDecodeError):
                return None
    token = websocket.query_params.get("token")
    return token or None


def accepted_subprotocol(websocket: WebSocket) -> str | None:
    """The subprotocol to accept: ``bearer`` or ``ngf-console`` when offered.

    A browser that offers subprotocols fails the handshake unless the server picks one of
    them, and the token-carrying one must not be echoed back.
    """
    offered = websocket.scope.get("subprotocols", [])
    for marker in (BEARER_SUBPROTOCOL, CONSOLE_SUBPROTOCOL):
        if marker in offered:
            return marker
    return None


def origin_allowed(origin: str | None, host: str | None, allowed: Set[str]) -> bool:
    """Whether a handshake's Origin may open a websocket to the server at ``host``.

    Same-origin (the Origin's host and port equal the Host header's) is always allowed, a
    missing Origin too (non-browser clients; authentication still applies); anything else
    must be listed in ``allowed`` (compared after normalising case and default ports).
    """
    if origin is None or "*" in allowed:
        return True
    own = _normalise_origin(origin)
    if own is None:
        # Opaque origins ("null": sandboxed iframes, file:// pages) only by explicit listing.
        return origin.strip() in allowed
    if own in {_normalise_origin(entry) for entry in allowed}:
        return True
    if not host:
        return False
    scheme, origin_host, origin_port = own
    try:
        parsed_host = urlsplit(f"//{host.strip()}")
        host_port = parsed_host.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        return False
    return (parsed_host.hostname or "") == origin_host and host_port == origin_port


def _normalise_origin(origin: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(origin.strip())
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        return scheme, parts.hostname.lower(), parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        return None


async def serve_topic(
    websocket: WebSocket,
    hub: Hub,
    topic: str,
    *,
    settings: WsSettings,
    predicate: Predicate | None = None,
) -> None:
    """Serve ``topic`` of ``hub`` on ``websocket`` until either side ends it.

    ``predicate`` is this connection's filter (built from its query parameters).
    """
    if not origin_allowed(
        websocket.headers.get("origin"), websocket.headers.get("host"), settings.allowed_origins
    ):
        hub.record_refusal("origin")
        log.info("websocket %s refused: origin %s", topic, websocket.headers.get("origin"))
        # Closing before accept makes the server answer the handshake with HTTP 403.
        await websocket.close(code=CLOSE_POLICY_VIOLATION, reason="origin not allowed")
        return
    if settings.authenticate is not None:
        try:
            websocket.state.principal = await settings.authenticate(websocket)
        except Exception as err:
            hub.record_refusal("auth")
            log.info("websocket %s refused: authentication failed: %s", topic, err)
            await _refuse(websocket, err)
            return
    if settings.authorize is not None:
        try:
            scope = await settings.authorize(websocket, topic)
        except Exception as err:
            hub.record_refusal("forbidden")
            log.info("websocket %s refused: %s", topic, err)
            await _refuse(websocket, err)
            return
        predicate = _both(predicate, scope)
    # Subscribe before accepting so nothing published after the handshake is missed.
    subscription = hub.subscribe(topic, maxsize=settings.queue_size, predicate=predicate)
    try:
        await websocket.accept(subprotocol=accepted_subprotocol(websocket))
        await _stream(websocket, subscription, settings)
    except WebSocketDisconnect:
        pass
    finally:
        subscription.close()


def _both(first: Predicate | None, second: Predicate | None) -> Predicate | None:
    if first is None or second is None:
        return first or second
    return lambda message: first(message) and second(message)


async def _refuse(websocket: WebSocket, err: Exception) -> None:
    status = 403
    detail = "forbidden"
    if isinstance(err, HTTPException):
        status, detail = err.status_code, str(err.detail)
    elif isinstance(err, WebSocketException):
        detail = err.reason or detail
    if status != 403 and "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(PlainTextResponse(detail, status_code=status))
        return
    await websocket.close(code=CLOSE_POLICY_VIOLATION, reason=detail[:120])


async def _stream(websocket: WebSocket, subscription: Subscription, settings: WsSettings) -> None:
    sender = asyncio.create_task(_send_frames(websocket, subscription))
    reader = asyncio.create_task(_read_until_disconnect(websocket))
    ended = asyncio.create_task(subscription.wait_ended())
    tasks = [sender, reader, ended]
    if settings.keepalive_seconds is not None:
        tasks.append(asyncio.create_task(_keepalive(subscription, settings.keepalive_seconds)))
    try:
        # The sender may be stuck writing to a stalled socket, so the subscription's end
        # (the hub dropping it) is watched on its own and cancels the sender.
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if reader.done() and not reader.cancelled() and reader.exception() is None:
        return  # the client left
    if subscription.dropped:
        log.info("websocket %s: dropped a slow consumer %s", subscription.topic, websocket.client)
        await _close(websocket, CLOSE_TRY_AGAIN_LATER, "slow consumer", settings)
    elif subscription.end_reason == HUB_CLOSED:
        await _close(websocket, CLOSE_GOING_AWAY, "server shutting down", settings)
    elif sender.done() and not sender.cancelled():
        error = sender.exception()
        if error is not None and not isinstance(error, WebSocketDisconnect):
            log.error("websocket %s: sender failed", subscription.topic, exc_info=error)
            await _close(websocket, CLOSE_INTERNAL_ERROR, "internal error", settings)


async def _send_frames(websocket: WebSocket, subscription: Subscription) -> None:
    # No timer per frame (a keepalive task watches idleness instead): with a thousand
    # connections, arming and cancelling one per message is a measurable share of the fan-out.
    while True:
        try:
            frame = await subscription.get()
        except SubscriptionEndedError:
            return
        await websocket.send_text(frame)


async def _keepalive(subscription: Subscription, seconds: float) -> None:
    """Queue a keepalive frame after every ``seconds`` in which nothing else was queued."""
    frame = keepalive_frame(subscription.topic)
    seen = subscription.offered
    while True:
        await asyncio.sleep(seconds)
        if subscription.offered == seen and not subscription.offer(frame):
            return  # full: the hub's next publish drops this slow consumer
        seen = subscription.offered


async def _read_until_disconnect(websocket: WebSocket) -> None:
    # Clients have nothing to say on these streams; reading only notices them leaving.
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _close(websocket: WebSocket, code: int, reason: str, settings: WsSettings) -> None:
    # A stalled peer's socket never drains, so the close frame may never be written: give
    # up after the timeout; the server closes the transport once the handler returns.
    try:
        async with asyncio.timeout(settings.close_timeout_seconds):
            await websocket.close(code=code, reason=reason)
    except (TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
        pass
