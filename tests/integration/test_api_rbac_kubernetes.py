"""Kubernetes auth mode through the real API server app: ServiceAccount tokens from
TokenRequest, Roles and RoleBindings on the local API server, writes made as the user."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from api_harness import running_api, settings_for, until
from api_objects import COLLECTIONS, Cluster, object_for
from lightkube import Client
from lightkube.models.authentication_v1 import TokenRequestSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.models.rbac_v1 import PolicyRule, RoleRef, Subject
from lightkube.resources.core_v1 import Namespace, ServiceAccount, ServiceAccountToken
from lightkube.resources.rbac_authorization_v1 import Role, RoleBinding

from ngf_console.api.auth import AuthSettings

ROUTES = COLLECTIONS["httproutes"]
STACKS = COLLECTIONS["inferencestacks"]


@dataclass
class Env:
    http: httpx.Client
    cluster: Cluster
    a: str
    b: str
    editor: dict[str, str]
    nobody: dict[str, str]

    @property
    def editor_user(self) -> str:
        return f"system:serviceaccount:{self.a}:editor"


def _token(kube: Client, namespace: str, account: str) -> dict[str, str]:
    kube.create(ServiceAccount(metadata=ObjectMeta(name=account, namespace=namespace)))
    request = ServiceAccountToken(
        metadata=ObjectMeta(), spec=TokenRequestSpec(audiences=[], expirationSeconds=3600)
    )
    status = kube.create(request, account, namespace=namespace).status
    assert status is not None and status.token
    return {"Authorization": f"Bearer {status.token}"}


def _grant_httproutes(kube: Client, namespace: str, sa_namespace: str, verbs: list[str]) -> None:
    kube.create(
        Role(
            metadata=ObjectMeta(name="httproutes", namespace=namespace),
            rules=[
                PolicyRule(
                    apiGroups=["gateway.networking.k8s.io"], resources=["httproutes"], verbs=verbs
                ),
                # the console's audit log is authorised as this (virtual) resource
                PolicyRule(
                    apiGroups=["ngf-console.f5.com"], resources=["auditentries"], verbs=["list"]
                ),
            ],
        )
    )
    kube.create(
        RoleBinding(
            metadata=ObjectMeta(name="editor-httproutes", namespace=namespace),
            roleRef=RoleRef(apiGroup="rbac.authorization.k8s.io", kind="Role", name="httproutes"),
            subjects=[Subject(kind="ServiceAccount", name="editor", namespace=sa_namespace)],
        )
    )


@pytest.fixture(scope="module")
def env(kubeconfig: Path, kube: Client, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    suffix = secrets.token_hex(3)
    a, b = f"t-k8srbac-a-{suffix}", f"t-k8srbac-b-{suffix}"
    for ns in (a, b):
        kube.create(Namespace(metadata=ObjectMeta(name=ns, labels={"ngf-console/test": "true"})))
    try:
        _grant_httproutes(
            kube, a, a, ["get", "list", "watch", "create", "update", "patch", "delete"]
        )
        editor, nobody = _token(kube, a, "editor"), _token(kube, a, "nobody")
        db = tmp_path_factory.mktemp("k8s-rbac-db") / "console.db"
        settings = settings_for(
            kubeconfig,
            db,
            auth=AuthSettings.model_validate(
                {"mode": "kubernetes", "kubernetes": {"access_review_cache_seconds": 0}}
            ),
        )
        with running_api(settings) as url, httpx.Client(base_url=url, timeout=60) as http:
            yield Env(http, Cluster(kube), a, b, editor, nobody)
    finally:
        for ns in (a, b):
            kube.delete(Namespace, ns)


def test_editor_creates_updates_and_deletes_httproutes_in_its_namespace(env: Env) -> None:
    created = env.http.post(
        "/api/v1/httproutes", json=object_for("httproutes", env.a, "mine"), headers=env.editor
    )
    assert created.status_code == 201, created.text
    live = env.cluster.get(ROUTES, env.a, "mine")
    assert live is not None
    assert live["spec"]["parentRefs"][0]["name"] == "no-such-gateway"

    body = object_for("httproutes", env.a, "mine", edited="yes")
    updated = env.http.put(f"/api/v1/httproutes/{env.a}/mine", json=body, headers=env.editor)
    assert updated.status_code == 200, updated.text
    assert (env.cluster.get(ROUTES, env.a, "mine") or {})["metadata"]["labels"] == {"edited": "yes"}

    deleted = env.http.delete(f"/api/v1/httproutes/{env.a}/mine", headers=env.editor)
    assert deleted.status_code == 204, deleted.text
    assert env.cluster.get(ROUTES, env.a, "mine") is None

    # the audit log names the ServiceAccount, and is guarded like the objects
    query = {"namespace": env.a, "name": "mine"}
    assert env.http.get("/api/v1/audit", params=query).status_code == 401
    audit = env.http.get("/api/v1/audit", params=query, headers=env.editor)
    assert audit.status_code == 200, audit.text
    entries = audit.json()["entries"]
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    assert {e["user_email"] for e in entries} == {env.editor_user}
    other = env.http.get("/api/v1/audit", params={"namespace": env.b}, headers=env.editor)
    assert other.status_code == 403


def test_editor_is_refused_in_the_other_namespace_and_nothing_is_written(env: Env) -> None:
    env.cluster.create(ROUTES, object_for("httproutes", env.b, "theirs"))
    created = env.http.post(
        "/api/v1/httproutes", json=object_for("httproutes", env.b, "mine"), headers=env.editor
    )
    assert created.status_code == 403, created.text
    assert env.editor_user in created.json()["detail"]["message"]
    assert env.cluster.get(ROUTES, env.b, "mine") is None

    body = object_for("httproutes", env.b, "theirs", edited="yes")
    updated = env.http.put(f"/api/v1/httproutes/{env.b}/theirs", json=body, headers=env.editor)
    assert updated.status_code == 403, updated.text
    deleted = env.http.delete(f"/api/v1/httproutes/{env.b}/theirs", headers=env.editor)
    assert deleted.status_code == 403, deleted.text
    live = env.cluster.get(ROUTES, env.b, "theirs")
    assert live is not None and not live["metadata"].get("labels")


def test_cache_served_reads_are_filtered_by_access_reviews(env: Env) -> None:
    for ns in (env.a, env.b):
        env.cluster.create(ROUTES, object_for("httproutes", ns, "listed"))
    until(
        lambda: (
            env.http.get(f"/api/v1/httproutes/{env.a}/listed", headers=env.editor).status_code
            == 200
        ),
        what="the cache to see the route in A",
    )
    assert env.http.get(f"/api/v1/httproutes/{env.b}/listed", headers=env.editor).status_code == 403
    in_a = env.http.get("/api/v1/httproutes", params={"namespace": env.a}, headers=env.editor)
    assert in_a.status_code == 200
    assert "listed" in {o["metadata"]["name"] for o in in_a.json()["items"]}
    in_b = env.http.get("/api/v1/httproutes", params={"namespace": env.b}, headers=env.editor)
    assert in_b.status_code == 403
    # every namespace: only those the user may list (the cache holds B's route too)
    everywhere = env.http.get("/api/v1/httproutes", headers=env.editor)
    assert everywhere.status_code == 200, everywhere.text
    namespaces = {o["metadata"]["namespace"] for o in everywhere.json()["items"]}
    assert namespaces == {env.a}
    # a user with no rights sees nothing at all
    assert (
        env.http.get("/api/v1/httproutes", params={"namespace": env.a}, headers=env.nobody)
    ).status_code == 403
    nothing = env.http.get("/api/v1/httproutes", headers=env.nobody)
    assert nothing.status_code == 200 and nothing.json()["items"] == []


def test_parent_create_without_rights_is_refused_and_nothing_written(env: Env) -> None:
    for who in (env.editor, env.nobody):
        response = env.http.post(
            "/api/v1/inferencestacks",
            json=object_for("inferencestacks", env.a, "chat"),
            headers=who,
        )
        assert response.status_code == 403, response.text
        assert "inferencestacks" in response.json()["detail"]["message"]
    assert env.cluster.get(STACKS, env.a, "chat") is None
    # the same user without rights on httproutes either
    response = env.http.post(
        "/api/v1/httproutes", json=object_for("httproutes", env.a, "nope"), headers=env.nobody
    )
    assert response.status_code == 403
    assert env.cluster.get(ROUTES, env.a, "nope") is None


def test_a_forged_token_is_401(env: Env) -> None:
    forged = {"Authorization": env.editor["Authorization"][:-8] + "AAAAAAAA"}
    response = env.http.post(
        "/api/v1/httproutes", json=object_for("httproutes", env.a, "forged"), headers=forged
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert env.cluster.get(ROUTES, env.a, "forged") is None
