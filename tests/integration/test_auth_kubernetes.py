"""Kubernetes auth mode against the real API server: ServiceAccount tokens reviewed, RBAC
asked with SubjectAccessReviews, writes made by impersonating the user."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TypeVar

import httpx
import pytest
from fastapi import Depends, FastAPI
from lightkube import ApiError, Client, KubeConfig
from lightkube.models.authentication_v1 import TokenRequestSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.models.rbac_v1 import PolicyRule, RoleRef, Subject
from lightkube.resources.authentication_v1 import SelfSubjectReview
from lightkube.resources.core_v1 import ConfigMap, Namespace, ServiceAccount, ServiceAccountToken
from lightkube.resources.rbac_authorization_v1 import Role, RoleBinding

from ngf_console.api.auth import (
    Action,
    AuthContext,
    AuthSettings,
    Guard,
    NotAuthenticated,
    Principal,
    ResourceRef,
    require,
)
from ngf_console.api.auth.authorizer import SubjectAccessReviewAuthorizer

CONFIGMAPS = ResourceRef("", "configmaps")
T = TypeVar("T")


@dataclass
class Tenancy:
    """Two namespaces; alice edits ConfigMaps in ``home`` and reads them in ``neighbour``."""

    home: str
    neighbour: str
    alice: str
    nobody: str

    @property
    def alice_user(self) -> str:
        return f"system:serviceaccount:{self.home}:alice"


def _token(kube: Client, namespace: str, account: str) -> str:
    request = ServiceAccountToken(
        metadata=ObjectMeta(), spec=TokenRequestSpec(audiences=[], expirationSeconds=3600)
    )
    status = kube.create(request, account, namespace=namespace).status
    assert status is not None and status.token
    return status.token


def _grant(kube: Client, namespace: str, user_ns: str, account: str, verbs: list[str]) -> None:
    name = f"configmaps-{'-'.join(verbs)}"
    kube.create(
        Role(
            metadata=ObjectMeta(name=name, namespace=namespace),
            rules=[PolicyRule(apiGroups=[""], resources=["configmaps"], verbs=verbs)],
        )
    )
    kube.create(
        RoleBinding(
            metadata=ObjectMeta(name=f"{account}-{name}", namespace=namespace),
            roleRef=RoleRef(apiGroup="rbac.authorization.k8s.io", kind="Role", name=name),
            subjects=[Subject(kind="ServiceAccount", name=account, namespace=user_ns)],
        )
    )


@pytest.fixture
def tenancy(kube: Client, namespace: str) -> Iterator[Tenancy]:
    neighbour = f"{namespace[:50]}-nb"
    kube.create(Namespace(metadata=ObjectMeta(name=neighbour, labels={"ngf-console/test": "true"})))
    try:
        for account in ("alice", "nobody"):
            kube.create(ServiceAccount(metadata=ObjectMeta(name=account, namespace=namespace)))
        _grant(kube, namespace, namespace, "alice", ["get", "list", "create"])
        _grant(kube, neighbour, namespace, "alice", ["get", "list"])
        yield Tenancy(
            home=namespace,
            neighbour=neighbour,
            alice=_token(kube, namespace, "alice"),
            nobody=_token(kube, namespace, "nobody"),
        )
    finally:
        kube.delete(Namespace, neighbour)


def _run(kubeconfig: Path, scenario: Callable[[AuthContext], Awaitable[T]]) -> T:
    """Run ``scenario`` with a kubernetes-mode context made (and closed) in its own loop."""

    async def main() -> T:
        context = AuthContext.from_settings(
            AuthSettings.from_yaml("mode: kubernetes"), kube_config=KubeConfig.from_file(kubeconfig)
        )
        try:
            return await scenario(context)
        finally:
            await context.aclose()

    return asyncio.run(main())


def test_service_account_token_is_reviewed_and_cached(kubeconfig: Path, tenancy: Tenancy) -> None:
    async def scenario(context: AuthContext) -> None:
        principal = await context.authenticator.authenticate(f"Bearer {tenancy.alice}")
        assert principal.username == tenancy.alice_user
        assert {"system:serviceaccounts", f"system:serviceaccounts:{tenancy.home}"} <= set(
            principal.groups
        )
        assert principal.kubernetes is not None and principal.kubernetes.uid
        again = await context.authenticator.authenticate(f"Bearer {tenancy.alice}")
        assert again == principal
        assert context.authenticator.review_count == 1  # type: ignore[attr-defined]

    _run(kubeconfig, scenario)


def test_invalid_token_is_401_without_echoing_it(kubeconfig: Path, tenancy: Tenancy) -> None:
    forged = tenancy.alice[:-8] + "AAAAAAAA"

    async def scenario(context: AuthContext) -> list[NotAuthenticated]:
        errors = []
        for header in (f"Bearer {forged}", None, f"Basic {secrets.token_hex(8)}"):
            with pytest.raises(NotAuthenticated) as caught:
                await context.authenticator.authenticate(header)
            errors.append(caught.value)
        return errors

    forged_error, missing, basic = _run(kubeconfig, scenario)
    for error in (forged_error, missing, basic):
        assert error.status_code == 401
        assert error.headers is not None
        assert error.headers["WWW-Authenticate"].startswith("Bearer")
    assert forged not in str(forged_error.detail)
    assert forged not in forged_error.headers["WWW-Authenticate"]  # type: ignore[index]
    assert 'error="invalid_token"' in forged_error.headers["WWW-Authenticate"]  # type: ignore[index]
    assert "error=" not in missing.headers["WWW-Authenticate"]  # type: ignore[index]


def test_access_reviews_follow_the_clusters_role_bindings(
    kubeconfig: Path, tenancy: Tenancy
) -> None:
    async def scenario(context: AuthContext) -> dict[str, bool]:
        alice = await context.authenticator.authenticate(f"Bearer {tenancy.alice}")
        nobody = await context.authenticator.authenticate(f"Bearer {tenancy.nobody}")
        az = context.authorizer

        async def may(
            who: Principal, action: Action, ns: str | None, verb: str | None = None
        ) -> bool:
            return await az.allowed(who, action, resource=CONFIGMAPS, namespace=ns, verb=verb)

        return {
            "alice reads home": await may(alice, Action.READ, tenancy.home),
            "alice reads neighbour": await may(alice, Action.READ, tenancy.neighbour),
            "alice creates in home": await may(alice, Action.WRITE, tenancy.home),
            "alice creates in neighbour": await may(alice, Action.WRITE, tenancy.neighbour),
            "alice deletes in home": await may(alice, Action.WRITE, tenancy.home, "delete"),
            "alice reads all namespaces": await may(alice, Action.READ, None),
            "nobody reads home": await may(nobody, Action.READ, tenancy.home),
        }

    assert _run(kubeconfig, scenario) == {
        "alice reads home": True,
        "alice reads neighbour": True,
        "alice creates in home": True,
        "alice creates in neighbour": False,
        "alice deletes in home": False,
        "alice reads all namespaces": False,
        "nobody reads home": False,
    }


def test_access_review_answers_are_cached_for_their_ttl(
    kube: Client, kubeconfig: Path, tenancy: Tenancy
) -> None:
    now = [0.0]

    async def scenario(context: AuthContext) -> list[bool]:
        assert context.server_client is not None
        az = SubjectAccessReviewAuthorizer(
            context.server_client, cache_seconds=10, clock=lambda: now[0]
        )
        alice = await context.authenticator.authenticate(f"Bearer {tenancy.alice}")

        async def may_read() -> bool:
            return await az.allowed(alice, Action.READ, resource=CONFIGMAPS, namespace=tenancy.home)

        seen = [await may_read()]
        await asyncio.to_thread(
            kube.delete, RoleBinding, "alice-configmaps-get-list-create", namespace=tenancy.home
        )
        now[0] = 9.0
        seen.append(await may_read())  # still the cached answer
        assert az.review_count == 1
        now[0] = 10.5
        seen.append(await may_read())  # asked again: revoked
        assert az.review_count == 2
        return seen

    assert _run(kubeconfig, scenario) == [True, True, False]


def test_impersonating_client_acts_with_the_users_rights(
    kubeconfig: Path, tenancy: Tenancy
) -> None:
    async def scenario(context: AuthContext) -> None:
        alice = await context.authenticator.authenticate(f"Bearer {tenancy.alice}")
        async with context.kube_client(alice) as client:
            review = await client.create(SelfSubjectReview())
            assert review.status is not None and review.status.userInfo is not None
            assert review.status.userInfo.username == tenancy.alice_user
            assert set(alice.groups) <= set(review.status.userInfo.groups or [])

            created = await client.create(
                ConfigMap(
                    metadata=ObjectMeta(name="made-by-alice", namespace=tenancy.home),
                    data={"k": "v"},
                )
            )
            assert created.metadata is not None and created.metadata.managedFields
            assert created.metadata.managedFields[0].manager == "ngf-console"
            with pytest.raises(ApiError) as denied:
                await client.create(
                    ConfigMap(
                        metadata=ObjectMeta(name="made-by-alice", namespace=tenancy.neighbour)
                    )
                )
            assert denied.value.status.code == 403
            assert tenancy.alice_user in str(denied.value.status.message)

    _run(kubeconfig, scenario)


def test_routes_guarded_in_kubernetes_mode(kubeconfig: Path, tenancy: Tenancy) -> None:
    async def scenario(context: AuthContext) -> dict[str, int]:
        app = FastAPI()
        app.state.auth = context

        @app.get("/configmaps/{namespace}")
        async def read(guard: Annotated[Guard, Depends(require(Action.READ, CONFIGMAPS))]) -> str:
            return guard.principal.username

        @app.post("/configmaps/{namespace}/{name}")
        async def write(
            namespace: str,
            name: str,
            guard: Annotated[Guard, Depends(require(Action.WRITE, CONFIGMAPS))],
        ) -> str:
            async with guard.kube_client() as client:
                await client.create(ConfigMap(metadata=ObjectMeta(name=name, namespace=namespace)))
            return name

        transport = httpx.ASGITransport(app=app)
        codes: dict[str, int] = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
            alice = {"Authorization": f"Bearer {tenancy.alice}"}
            nobody = {"Authorization": f"Bearer {tenancy.nobody}"}
            codes["anonymous read"] = (await http.get(f"/configmaps/{tenancy.home}")).status_code
            codes["alice read home"] = (
                await http.get(f"/configmaps/{tenancy.home}", headers=alice)
            ).status_code
            codes["nobody read home"] = (
                await http.get(f"/configmaps/{tenancy.home}", headers=nobody)
            ).status_code
            codes["alice write home"] = (
                await http.post(f"/configmaps/{tenancy.home}/via-api", headers=alice)
            ).status_code
            denied = await http.post(f"/configmaps/{tenancy.neighbour}/via-api", headers=alice)
            codes["alice write neighbour"] = denied.status_code
            assert "may not create configmaps" in denied.json()["detail"]
        return codes

    assert _run(kubeconfig, scenario) == {
        "anonymous read": 401,
        "alice read home": 200,
        "nobody read home": 403,
        "alice write home": 200,
        "alice write neighbour": 403,
    }
