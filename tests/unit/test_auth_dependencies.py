"""The FastAPI dependencies: where the namespace comes from, which verb is checked, and
which status a turned-away request gets."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Request, WebSocket
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse

from ngf_console.api.auth import (
    Action,
    AuthContext,
    AuthMode,
    AuthSettings,
    Guard,
    NotAuthenticated,
    Principal,
    ResourceRef,
    Role,
    cluster_scoped,
    from_body,
    from_query,
    get_principal,
    require,
)
from ngf_console.api.auth.authenticators import bearer_token
from ngf_console.api.auth.authorizer import Authorizer, RoleBindingAuthorizer, default_verb
from ngf_console.api.auth.settings import RoleBinding

GATEWAYS = ResourceRef("gateway.networking.k8s.io", "gateways")
CLASSES = ResourceRef("gateway.networking.k8s.io", "gatewayclasses")


@dataclass
class TokenTable:
    """An authenticator over a fixed table of tokens (the real ones are tested elsewhere)."""

    principals: dict[str, Principal]

    async def authenticate(self, authorization: str | None) -> Principal:
        principal = self.principals.get(bearer_token(authorization))
        if principal is None:
            raise NotAuthenticated("unknown token")
        return principal

    async def aclose(self) -> None:
        pass


@dataclass
class Recorder:
    """An authorizer that allows everything and remembers what it was asked."""

    asked: list[tuple[Action, str | None, str | None, str | None]] = field(default_factory=list)

    async def allowed(
        self,
        principal: Principal,
        action: Action,
        *,
        resource: ResourceRef,
        namespace: str | None,
        name: str | None = None,
        verb: str | None = None,
    ) -> bool:
        self.asked.append((action, namespace, name, verb))
        return True


def _app(context: AuthContext | None) -> FastAPI:
    app = FastAPI()
    if context is not None:
        app.state.auth = context

    @app.get("/ns/{namespace}/gateways")
    async def list_gateways(
        guard: Annotated[Guard, Depends(require(Action.READ, GATEWAYS))],
    ) -> str:
        return guard.principal.username

    @app.get("/ns/{namespace}/gateways/{name}")
    async def get_gateway(
        guard: Annotated[Guard, Depends(require(Action.READ, GATEWAYS, name_param="name"))],
    ) -> str:
        return guard.principal.username

    @app.delete("/ns/{namespace}/gateways/{name}")
    async def delete_gateway(
        guard: Annotated[Guard, Depends(require(Action.WRITE, GATEWAYS, name_param="name"))],
    ) -> str:
        return guard.principal.username

    @app.get("/gateways")
    async def all_gateways(
        guard: Annotated[
            Guard, Depends(require(Action.READ, GATEWAYS, namespace=from_query("namespace")))
        ],
    ) -> str:
        return guard.principal.username

    @app.post("/gateways")
    async def create_gateway(
        request: Request,
        guard: Annotated[Guard, Depends(require(Action.WRITE, GATEWAYS, namespace=from_body()))],
    ) -> dict[str, object]:
        body: dict[str, object] = await request.json()  # the body is still readable
        return body

    @app.put("/gatewayclasses/{name}")
    async def put_class(
        guard: Annotated[Guard, Depends(require(Action.WRITE, CLASSES, namespace=cluster_scoped))],
    ) -> str:
        return guard.principal.username

    @app.get("/misdeclared")
    async def misdeclared(
        guard: Annotated[Guard, Depends(require(Action.READ, GATEWAYS))],
    ) -> str:
        return "no namespace parameter"

    @app.get("/whoami")
    async def whoami(
        request: Request, principal: Annotated[Principal, Depends(get_principal)]
    ) -> str:
        kept: Principal = request.state.principal
        assert kept is principal
        return principal.username

    @app.websocket("/ws")
    async def ws(
        websocket: WebSocket, principal: Annotated[Principal, Depends(get_principal)]
    ) -> None:
        await websocket.accept()
        await websocket.send_text(principal.username)
        await websocket.close()

    return app


def _context(authorizer: Authorizer) -> AuthContext:
    principals = {
        "ops-token": Principal(username="ops", groups=("team-a-ops",), mode=AuthMode.OIDC),
        "viewer-token": Principal(username="viewer", groups=("viewers",), mode=AuthMode.OIDC),
    }
    return AuthContext(
        settings=AuthSettings(),
        authenticator=TokenTable(principals),
        authorizer=authorizer,
    )


def _call(app: FastAPI, method: str, url: str, token: str | None, json: object = None) -> int:
    async def main() -> int:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await http.request(method, url, headers=headers, json=json)
            return response.status_code

    return asyncio.run(main())


ROLES = RoleBindingAuthorizer(
    [
        RoleBinding(group="viewers", role=Role.VIEWER, namespaces=["*"]),
        RoleBinding(group="team-a-ops", role=Role.OPERATOR, namespaces=["team-a"]),
    ]
)


@pytest.mark.parametrize(
    ("method", "url", "token", "body", "status"),
    [
        ("GET", "/ns/team-a/gateways", None, None, 401),
        ("GET", "/ns/team-a/gateways", "forged", None, 401),
        ("GET", "/ns/team-a/gateways", "ops-token", None, 200),
        ("GET", "/ns/team-b/gateways", "ops-token", None, 403),
        ("GET", "/ns/team-b/gateways", "viewer-token", None, 200),
        ("DELETE", "/ns/team-a/gateways/gw", "ops-token", None, 200),
        ("DELETE", "/ns/team-a/gateways/gw", "viewer-token", None, 403),
        ("GET", "/gateways?namespace=team-a", "ops-token", None, 200),
        ("GET", "/gateways", "ops-token", None, 403),
        ("GET", "/gateways", "viewer-token", None, 200),
        ("POST", "/gateways", "ops-token", {"metadata": {"namespace": "team-a"}}, 200),
        ("POST", "/gateways", "ops-token", {"metadata": {"namespace": "team-b"}}, 403),
        ("POST", "/gateways", "ops-token", {"metadata": {}}, 403),
        ("PUT", "/gatewayclasses/nginx", "ops-token", None, 403),
        ("GET", "/whoami", "viewer-token", None, 200),
    ],
)
def test_requirements_decide_the_status(
    method: str, url: str, token: str | None, body: object, status: int
) -> None:
    app = _app(_context(ROLES))
    assert _call(app, method, url, token, json=body) == status


def test_kubernetes_verbs_follow_the_http_method_and_name() -> None:
    recorder = Recorder()
    app = _app(_context(recorder))
    _call(app, "GET", "/ns/team-a/gateways", "ops-token")
    _call(app, "GET", "/ns/team-a/gateways/gw", "ops-token")
    _call(app, "DELETE", "/ns/team-a/gateways/gw", "ops-token")
    _call(app, "PUT", "/gatewayclasses/nginx", "ops-token")
    _call(app, "POST", "/gateways", "ops-token", json={"metadata": {"namespace": "team-a"}})
    assert recorder.asked == [
        (Action.READ, "team-a", None, None),
        (Action.READ, "team-a", "gw", None),
        (Action.WRITE, "team-a", "gw", "delete"),
        (Action.WRITE, None, None, "update"),
        (Action.WRITE, "team-a", None, "create"),
    ]
    assert [default_verb(Action.READ), default_verb(Action.READ, name="gw")] == ["list", "get"]


def test_misconfiguration_fails_loudly() -> None:
    with pytest.raises(RuntimeError, match="has no path parameter 'namespace'"):
        _call(_app(_context(Recorder())), "GET", "/misdeclared", "ops-token")
    with pytest.raises(RuntimeError, match=r"app\.state\.auth is not an AuthContext"):
        _call(_app(None), "GET", "/whoami", "ops-token")


def test_mode_none_context_serves_the_anonymous_admin() -> None:
    context = AuthContext.from_settings(AuthSettings())
    app = _app(context)
    assert _call(app, "DELETE", "/ns/any/gateways/gw", None) == 200
    assert _call(app, "PUT", "/gatewayclasses/nginx", None) == 200

    async def use_client() -> None:
        async with context.kube_client(Principal("anonymous", (), AuthMode.NONE)):
            pass

    with pytest.raises(RuntimeError, match="without a kubeconfig"):
        asyncio.run(use_client())


def test_kubernetes_mode_needs_a_kubeconfig() -> None:
    with pytest.raises(ValueError, match="needs the console's kubeconfig"):
        AuthContext.from_settings(AuthSettings(mode=AuthMode.KUBERNETES))


def test_body_that_is_not_json_is_a_400() -> None:
    async def main() -> int:
        transport = httpx.ASGITransport(app=_app(_context(ROLES)))
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
            headers = {"Authorization": "Bearer ops-token"}
            return (await http.post("/gateways", headers=headers, content=b"{nope")).status_code

    assert asyncio.run(main()) == 400


def test_websocket_token_as_bearer_subprotocol_or_header() -> None:
    client = TestClient(_app(_context(ROLES)))
    encoded = base64.urlsafe_b64encode(b"viewer-token").rstrip(b"=").decode()
    offered = ["ngf-console.v1", f"base64url.bearer.authorization.k8s.io.{encoded}"]
    with client.websocket_connect("/ws", subprotocols=offered) as socket:
        assert socket.receive_text() == "viewer"
    with client.websocket_connect("/ws", headers={"Authorization": "Bearer ops-token"}) as socket:
        assert socket.receive_text() == "ops"
    for subprotocols in (None, ["base64url.bearer.authorization.k8s.io.%%%"]):
        with (
            pytest.raises(WebSocketDenialResponse) as denied,
            client.websocket_connect("/ws", subprotocols=subprotocols),
        ):
            pass
        assert denied.value.status_code == 401
