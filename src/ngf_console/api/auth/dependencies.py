"""FastAPI dependencies: who is calling (:func:`get_principal`), may they (:func:`require`).

The app factory puts an :class:`AuthContext` on ``app.state.auth``. Routers then declare::

    GATEWAYS = ResourceRef("gateway.networking.k8s.io", "gateways")

    @router.get("/gateways/{namespace}/{name}")
    async def get_gateway(
        namespace: str, name: str, guard: Guard = Depends(require(Action.READ, GATEWAYS))
    ) -> ...: ...

and, when the namespace is only known inside the handler (a body, several namespaces),
take a :class:`Guard` and call ``await guard.authorize(...)`` themselves.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from lightkube import AsyncClient
from starlette.requests import HTTPConnection, Request

from ngf_console.api.auth.authorizer import authorize
from ngf_console.api.auth.context import AuthContext
from ngf_console.api.auth.errors import NotAuthenticated
from ngf_console.api.auth.principal import Action, Principal, ResourceRef
from ngf_console.api.bodies import parse_object

WEBSOCKET_BEARER_PREFIX = "base64url.bearer.authorization.k8s.io."

NamespaceSource = Callable[[HTTPConnection], Awaitable[str | None]]
"""Where a request names its namespace; ``None`` means cluster-scoped or all namespaces."""

_HTTP_METHOD_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def get_auth_context(conn: HTTPConnection) -> AuthContext:
    """The app's :class:`AuthContext` (``app.state.auth``).

    Raises:
        RuntimeError: the app factory did not set one (auth must never be silently off).
    """
    context = getattr(conn.app.state, "auth", None)
    if not isinstance(context, AuthContext):
        raise RuntimeError("app.state.auth is not an AuthContext; the app factory must set it")
    return context


async def get_principal(conn: HTTPConnection) -> Principal:
    """The authenticated caller (401 otherwise); also kept on ``request.state.principal``.

    The token is the ``Authorization`` header's; a WebSocket may instead offer it as the
    subprotocol ``base64url.bearer.authorization.k8s.io.<base64url token>`` (browsers cannot
    set headers on WebSockets; Kubernetes uses the same convention).
    """
    context = get_auth_context(conn)
    authorization = conn.headers.get("authorization")
    if authorization is None and conn.scope["type"] == "websocket":
        authorization = websocket_authorization(conn.headers.get("sec-websocket-protocol"))
    principal = await context.authenticator.authenticate(authorization)
    conn.state.principal = principal
    return principal


def websocket_authorization(protocols: str | None) -> str | None:
    """An ``Authorization`` value from a WebSocket's bearer subprotocol, if one is offered.

    Raises:
        NotAuthenticated: the subprotocol is there but its token is not base64url.
    """
    for protocol in (protocols or "").split(","):
        protocol = protocol.strip()
        if protocol.startswith(WEBSOCKET_BEARER_PREFIX):
            encoded = protocol.removeprefix(WEBSOCKET_BEARER_PREFIX)
            try:
                token = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
            except (ValueError, UnicodeDecodeError) as err:
                raise NotAuthenticated("the WebSocket bearer subprotocol is not base64url") from err
            return f"Bearer {token}"
    return None


@dataclass(frozen=True)
class Guard:
    """The caller and the means to check and act for them, handed to a route."""

    context: AuthContext
    principal: Principal

    async def allowed(
        self,
        action: Action,
        resource: ResourceRef,
        namespace: str | None,
        *,
        name: str | None = None,
        verb: str | None = None,
    ) -> bool:
        """Whether the caller may; for filtering lists by namespace."""
        return await self.context.authorizer.allowed(
            self.principal, action, resource=resource, namespace=namespace, name=name, verb=verb
        )

    async def authorize(
        self,
        action: Action,
        resource: ResourceRef,
        namespace: str | None,
        *,
        name: str | None = None,
        verb: str | None = None,
    ) -> None:
        """Return if the caller may, else raise ``NotAuthorized`` (403)."""
        await authorize(
            self.context.authorizer,
            self.principal,
            action,
            resource=resource,
            namespace=namespace,
            name=name,
            verb=verb,
        )

    @asynccontextmanager
    async def kube_client(self) -> AsyncIterator[AsyncClient]:
        """The client for Kubernetes writes on the caller's behalf (see AuthContext)."""
        async with self.context.kube_client(self.principal) as client:
            yield client


async def get_guard(
    conn: HTTPConnection, principal: Annotated[Principal, Depends(get_principal)]
) -> Guard:
    """A :class:`Guard` for the authenticated caller, with no check made yet."""
    return Guard(get_auth_context(conn), principal)


def from_path(param: str = "namespace") -> NamespaceSource:
    """The namespace is the path parameter ``param`` (which the route must declare)."""

    async def source(conn: HTTPConnection) -> str | None:
        if param not in conn.path_params:
            raise RuntimeError(f"route {conn.url.path} has no path parameter {param!r}")
        return str(conn.path_params[param])

    return source


def from_query(param: str = "namespace") -> NamespaceSource:
    """The namespace is the query parameter ``param``; absent means all namespaces."""

    async def source(conn: HTTPConnection) -> str | None:
        return conn.query_params.get(param) or None

    return source


def from_body(path: str = "metadata.namespace") -> NamespaceSource:
    """The namespace is a field of the JSON body (dotted ``path``); absent means cluster-wide."""

    async def source(conn: HTTPConnection) -> str | None:
        if not isinstance(conn, Request):
            raise RuntimeError("from_body needs an HTTP request with a JSON body")
        # JSON or YAML, as the routes themselves accept (a malformed body is a 400).
        value: object = parse_object(await conn.body(), conn.headers.get("content-type"))
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        return value if isinstance(value, str) and value else None

    return source


async def cluster_scoped(conn: HTTPConnection) -> str | None:
    """The resource has no namespace (or the route spans all of them)."""
    return None


def require(
    action: Action,
    resource: ResourceRef,
    *,
    namespace: NamespaceSource | None = None,
    name_param: str | None = None,
    verb: str | None = None,
) -> Callable[[HTTPConnection, Guard], Awaitable[Guard]]:
    """A dependency that lets the request through only if the caller may ``action``.

    ``namespace`` defaults to the path parameter ``namespace``; pass :func:`from_query`,
    :func:`from_body` or :func:`cluster_scoped` otherwise. ``name_param`` names the path
    parameter holding the object's name, if any. ``verb`` is the Kubernetes verb checked
    in kubernetes mode; by default the HTTP method's (POST create, PUT update, PATCH
    patch, DELETE delete) for writes, ``get`` (with a name) or ``list`` for reads.
    The dependency's value is the request's :class:`Guard`.
    """
    namespace_source = namespace or from_path()

    async def dependency(
        conn: HTTPConnection, guard: Annotated[Guard, Depends(get_guard)]
    ) -> Guard:
        name = str(conn.path_params[name_param]) if name_param else None
        kube_verb = verb
        if kube_verb is None and action is Action.WRITE and isinstance(conn, Request):
            kube_verb = _HTTP_METHOD_VERBS.get(conn.method)
        await guard.authorize(
            action, resource, await namespace_source(conn), name=name, verb=kube_verb
        )
        return guard

    return dependency
