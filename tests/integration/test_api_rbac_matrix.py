"""The RBAC matrix in OIDC mode: every mutating route of the served OpenAPI document, for
each role (Admin on "*", Operator in A, Viewer in A) and each namespace (A, B).

An unauthorised write answers 403 and leaves the cluster as it was; an authorised one
answers 2xx and the cluster shows it (404 for kinds the control plane does not serve).
The routes come from the OpenAPI document, so a new mutating route is tested too: one of a
known shape gets the full matrix, any other at least the guard probe (anonymous 401,
Viewer 403, Operator outside its namespace 403).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from api_objects import COLLECTIONS, Cluster, dns_name, object_for, served_issuer
from lightkube import Client
from lightkube.models.core_v1 import ServicePort, ServiceSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace, Service

from auth_oidc_issuer import AUDIENCE, Issuer
from ngf_console.api.app import create_app
from ngf_console.api.auth import AuthSettings
from ngf_console.api.settings import ApiSettings
from ngf_console.kube.served_types import served_type

ROLES = ("admin", "operator", "viewer")
GROUPS = {"admin": "platform-admins", "operator": "team-a", "viewer": "team-a-viewers"}
MUTATING = ("post", "put", "delete", "patch")
_ITEM = "/{namespace}/{name}"
_PREFIX = re.compile(r"^/api/v1(/clusters/\{cluster\})?/")
# Routes that act only on the caller's own console records (docs: routers/views.py): any
# authenticated caller may use them, whatever their role; another user's records are not
# theirs to change.
CALLER_OWNED = {"views", "views/{view_id}", "me"}


@dataclass(frozen=True)
class Operation:
    """One mutating operation of the OpenAPI document."""

    method: str
    path: str

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def relative(self) -> str:
        """The path below the (default or named cluster) prefix."""
        return _PREFIX.sub("", self.path)

    @property
    def collection(self) -> str | None:
        """The writable collection this is a create/replace/delete of, if it is one."""
        rel = self.relative
        if self.method == "post" and rel in COLLECTIONS:
            return rel
        if self.method in ("put", "delete") and rel.endswith(_ITEM):
            base = rel.removesuffix(_ITEM)
            return base if base in COLLECTIONS else None
        return None

    def url(self, **params: str) -> str:
        return self.path.replace("{cluster}", "default").format(**params)


def mutating_operations() -> list[Operation]:
    """Every mutating operation under /api of the app's OpenAPI document."""
    document = create_app(ApiSettings()).openapi()
    return [
        Operation(method, path)
        for path, item in document["paths"].items()
        if path.startswith("/api/")
        for method in item
        if method in MUTATING
    ]


OPERATIONS = mutating_operations()


def may_write(role: str, namespace: str, a: str) -> bool:
    """The role model of docs/auth.md for this test's bindings."""
    return role == "admin" or (role == "operator" and namespace == a)


@dataclass
class Env:
    http: httpx.Client
    cluster: Cluster
    a: str
    b: str
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role in self.tokens else {}


def _auth(issuer: Issuer, a: str) -> AuthSettings:
    return AuthSettings.model_validate(
        {
            "mode": "oidc",
            "oidc": {
                "issuer": issuer.url,
                "audience": AUDIENCE,
                "jwks_min_refetch_seconds": 0,
                "role_bindings": [
                    {"group": GROUPS["admin"], "role": "admin", "namespaces": ["*"]},
                    {"group": GROUPS["operator"], "role": "operator", "namespaces": [a]},
                    {"group": GROUPS["viewer"], "role": "viewer", "namespaces": [a]},
                ],
            },
        }
    )


@pytest.fixture(scope="module")
def env(kubeconfig: Path, kube: Client, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    suffix = secrets.token_hex(3)
    a, b = f"t-rbac-a-{suffix}", f"t-rbac-b-{suffix}"
    for ns in (a, b):
        kube.create(Namespace(metadata=ObjectMeta(name=ns, labels={"ngf-console/test": "true"})))
    db = tmp_path_factory.mktemp("rbac-db") / "console.db"
    try:
        with served_issuer() as issuer:
            settings = settings_for(kubeconfig, db, auth=_auth(issuer, a))
            exp = int(time.time()) + 3600
            tokens = {
                role: issuer.token(email=f"{role}@example.com", groups=[GROUPS[role]], exp=exp)
                for role in ROLES
            }
            with running_api(settings) as url, httpx.Client(base_url=url, timeout=60) as http:
                yield Env(http, Cluster(kube), a, b, tokens)
    finally:
        for ns in (a, b):
            kube.delete(Namespace, ns)


def test_the_document_lists_the_known_mutating_routes() -> None:
    ids = {op.id for op in OPERATIONS}
    for collection in COLLECTIONS:
        for prefix in ("/api/v1", "/api/v1/clusters/{cluster}"):
            assert f"POST {prefix}/{collection}" in ids
            assert f"PUT {prefix}/{collection}{_ITEM}" in ids
            assert f"DELETE {prefix}/{collection}{_ITEM}" in ids
    assert "POST /api/v1/audit/{entry_id}/revert" in ids


Outcome = tuple[int, bool]


def _object_matrix(
    env: Env, op: Operation, collection: str
) -> tuple[dict[str, Outcome], dict[str, Outcome]]:
    """(actual, expected) of (status, the cluster shows the write) per caller and namespace."""
    t = COLLECTIONS[collection]
    served = env.cluster.served(t)
    actual: dict[str, Outcome] = {}
    expected: dict[str, Outcome] = {}
    slug = collection.replace("/", "-")
    for role in (*ROLES, "anonymous"):
        for ns in (env.a, env.b):
            key = f"{role}@{'A' if ns == env.a else 'B'}"
            allowed = role != "anonymous" and may_write(role, ns, env.a)
            name = dns_name(role, op.method, slug, "p" if "{cluster}" in op.path else "d")
            if op.method == "post":
                response = env.http.post(
                    op.url(), json=object_for(collection, ns, name), headers=env.headers(role)
                )
                shows = env.cluster.get(t, ns, name) is not None
                want = (201, True) if served else (404, False)
            else:
                if served:
                    env.cluster.create(t, object_for(collection, ns, name))
                if op.method == "put":
                    body = object_for(collection, ns, name, touched=role)
                    response = env.http.put(
                        op.url(namespace=ns, name=name), json=body, headers=env.headers(role)
                    )
                    live = env.cluster.get(t, ns, name) or {}
                    shows = (live.get("metadata", {}).get("labels") or {}).get("touched") == role
                    want = (200, True) if served else (404, False)
                else:
                    response = env.http.delete(
                        op.url(namespace=ns, name=name), headers=env.headers(role)
                    )
                    shows = served and env.cluster.get(t, ns, name) is None
                    want = (204, True) if served else (404, False)
            actual[key] = (response.status_code, shows)
            if role == "anonymous":
                expected[key] = (401, False)
            else:
                expected[key] = want if allowed else (403, False)
    return actual, expected


def _revert_matrix(env: Env, op: Operation) -> tuple[dict[str, Outcome], dict[str, Outcome]]:
    """Reverting an admin's create (which deletes the object) as each caller."""
    t = COLLECTIONS["httproutes"]
    actual: dict[str, Outcome] = {}
    expected: dict[str, Outcome] = {}
    tag = "p" if "{cluster}" in op.path else "d"
    for role in (*ROLES, "anonymous"):
        for ns in (env.a, env.b):
            key = f"{role}@{'A' if ns == env.a else 'B'}"
            name = dns_name("revert", role, tag)
            created = env.http.post(
                "/api/v1/httproutes",
                json=object_for("httproutes", ns, name),
                headers=env.headers("admin"),
            )
            assert created.status_code == 201, created.text
            entry = created.json()["auditId"]
            response = env.http.post(op.url(entry_id=str(entry)), headers=env.headers(role))
            actual[key] = (response.status_code, env.cluster.get(t, ns, name) is None)
            if role == "anonymous":
                expected[key] = (401, False)
            elif may_write(role, ns, env.a):
                expected[key] = (200, True)
            else:
                expected[key] = (403, False)
    return actual, expected


def _guard_probe(env: Env, op: Operation) -> tuple[dict[str, int], dict[str, int]]:
    """Any other mutating route: refused without a token, to a Viewer, and to an Operator
    outside its namespace."""
    actual: dict[str, int] = {}
    for role, ns in (("anonymous", env.a), ("viewer", env.a), ("operator", env.b)):
        params = {
            name: {"namespace": ns, "cluster": "default", "entry_id": "1"}.get(name, "probe")
            for name in re.findall(r"\{(\w+)\}", op.path)
        }
        body = {"apiVersion": "v1", "kind": "Probe", "metadata": {"name": "probe", "namespace": ns}}
        response = env.http.request(
            op.method.upper(),
            op.path.format(**params),
            json=body,
            params={"namespace": ns},
            headers=env.headers(role),
        )
        actual[role] = response.status_code
    return actual, {"anonymous": 401, "viewer": 403, "operator": 403}


def _caller_owned_matrix(env: Env, op: Operation) -> tuple[dict[str, int], dict[str, int]]:
    """Own records: every role may; anonymous may not; another's view may not be changed."""
    actual: dict[str, int] = {}
    expected: dict[str, int] = {}
    view = {"name": "mine", "view_type": "filter", "config": {"q": "x"}}
    for role in (*ROLES, "anonymous"):
        if op.relative == "me":
            response = env.http.put(
                op.url(), json={"preferences": {"theme": role}}, headers=env.headers(role)
            )
            want = 200
        elif op.relative == "views":
            response = env.http.post(op.url(), json=view, headers=env.headers(role))
            want = 201
        else:  # views/{view_id}: the admin's shared view, then the caller's own
            for owner, shared in (("admin", True), (role, False)):
                if owner == "anonymous":
                    continue
                made = env.http.post(
                    "/api/v1/views", json={**view, "shared": shared}, headers=env.headers(owner)
                )
                assert made.status_code == 201, made.text
                key = f"{role} on {'own' if owner == role else 'admin'}'s"
                response = env.http.request(
                    op.method.upper(),
                    op.url(view_id=made.json()["id"]),
                    json=view,
                    headers=env.headers(role),
                )
                actual[key] = response.status_code
                if role == "anonymous":
                    expected[key] = 401
                elif role != owner:
                    expected[key] = 403
                else:
                    expected[key] = 200 if op.method == "put" else 204
            continue
        actual[role] = response.status_code
        expected[role] = 401 if role == "anonymous" else want
    return actual, expected


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.id for op in OPERATIONS])
def test_mutating_route_enforces_the_role_model(env: Env, op: Operation) -> None:
    collection = op.collection
    actual: Any
    expected: Any
    if collection is not None:
        actual, expected = _object_matrix(env, op, collection)
    elif op.method == "post" and op.relative == "audit/{entry_id}/revert":
        actual, expected = _revert_matrix(env, op)
    elif op.relative in CALLER_OWNED:
        actual, expected = _caller_owned_matrix(env, op)
    else:
        actual, expected = _guard_probe(env, op)
    assert actual == expected


def test_lists_across_namespaces_show_only_the_bound_namespaces(env: Env) -> None:
    for ns in (env.a, env.b):
        env.cluster.create(COLLECTIONS["httproutes"], object_for("httproutes", ns, "seen"))

    def names(role: str) -> set[str] | None:
        response = env.http.get(
            "/api/v1/httproutes", params={"name": "seen"}, headers=env.headers(role)
        )
        assert response.status_code == 200, response.text
        return {o["metadata"]["namespace"] for o in response.json()["items"]} or None

    assert until(lambda: names("admin") == {env.a, env.b}, what="the cache to see both")
    assert names("operator") == {env.a}
    assert names("viewer") == {env.a}
    for role in ("operator", "viewer"):
        other = env.http.get(
            "/api/v1/httproutes", params={"namespace": env.b}, headers=env.headers(role)
        )
        assert other.status_code == 403
        item = env.http.get(f"/api/v1/httproutes/{env.b}/seen", headers=env.headers(role))
        assert item.status_code == 403
        # Neither the total nor the pages tell of the namespaces the caller cannot read.
        seen = env.http.get(
            "/api/v1/httproutes", params={"name": "seen"}, headers=env.headers(role)
        ).json()
        assert seen["total"] == len(seen["items"]) == 1


def _walk(env: Env, path: str, role: str, name: str) -> tuple[int, list[str]]:
    """Every page of ``path`` one item at a time: (the first page's total, namespaces)."""
    params: dict[str, Any] = {"limit": 1, "name": name}
    first = env.http.get(path, params=params, headers=env.headers(role))
    assert first.status_code == 200, first.text
    body = first.json()
    walked, token = list(body["items"]), body["continue"]
    while token:
        page = env.http.get(path, params={**params, "continue": token}, headers=env.headers(role))
        assert page.status_code == 200, page.text
        assert page.json()["items"], "an empty page before the end"
        walked += page.json()["items"]
        token = page.json()["continue"]
    return body["total"], [(o.get("metadata") or o)["namespace"] for o in walked]


GATEWAYS = served_type("gateways", "gateway.networking.k8s.io")


@pytest.mark.parametrize(
    ("path", "collection"),
    [
        ("/api/v1/httproutes", "httproutes"),  # the generic object routes
        ("/api/v1/gateways", None),  # a view list
        ("/api/v1/services", None),  # a raw core list
    ],
)
def test_paged_lists_are_cut_after_the_namespace_filter(
    env: Env, kube: Client, path: str, collection: str | None
) -> None:
    name = f"pg{secrets.token_hex(3)}"
    for ns in (env.a, env.b):
        for obj_name in (f"{name}-{i}" for i in range(3)):
            if collection is not None:
                env.cluster.create(COLLECTIONS[collection], object_for(collection, ns, obj_name))
            elif path.endswith("gateways"):
                env.cluster.create(GATEWAYS, _gateway(ns, obj_name))
            else:
                kube.create(_service(ns, obj_name))
    assert until(lambda: _walk(env, path, "admin", name)[0] == 6, what="the cache to see all six")
    for role in ("operator", "viewer"):
        total, namespaces = _walk(env, path, role, name)
        assert total == len(namespaces) == 3
        assert set(namespaces) == {env.a}


def _gateway(namespace: str, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "gatewayClassName": "nginx",
            "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
        },
    }


def _service(namespace: str, name: str) -> Service:
    return Service(
        metadata=ObjectMeta(name=name, namespace=namespace),
        spec=ServiceSpec(ports=[ServicePort(port=80)]),
    )


def test_the_ui_learns_how_to_sign_in_and_what_each_role_may_do(env: Env) -> None:
    info = env.http.get("/api/v1/auth")  # no token: the sign-in page needs it first
    assert info.status_code == 200, info.text
    assert info.json()["mode"] == "oidc"
    assert info.json()["oidc"]["client_id"] == AUDIENCE

    def rights(role: str, namespace: str) -> dict[str, tuple[bool, bool]]:
        response = env.http.get(
            "/api/v1/me/permissions", params={"namespace": namespace}, headers=env.headers(role)
        )
        assert response.status_code == 200, response.text
        return {p["kind"]: (p["read"], p["write"]) for p in response.json()["items"]}

    assert rights("admin", env.b)["HTTPRoute"] == (True, True)
    assert rights("operator", env.a)["InferenceStack"] == (True, True)
    assert rights("operator", env.b)["InferenceStack"] == (False, False)
    assert set(rights("viewer", env.a).values()) == {(True, False)}
    anonymous = env.http.get("/api/v1/me/permissions", params={"namespace": env.a})
    assert anonymous.status_code == 401
