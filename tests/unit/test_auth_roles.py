"""The role model of modes none and oidc, settings loading and the loopback-only rule."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from ngf_console.api.auth import (
    Action,
    AuthMode,
    AuthSettings,
    InsecureBindError,
    NotAuthorized,
    Principal,
    ResourceRef,
    Role,
    check_bind,
)
from ngf_console.api.auth.authorizer import AllowAll, RoleBindingAuthorizer, authorize
from ngf_console.api.auth.settings import RoleBinding

GATEWAYS = ResourceRef("gateway.networking.k8s.io", "gateways")
OWN, OTHER, CLUSTER = "team-a", "team-b", None

# (role, bound namespaces) -> which of (read own, read other, read cluster,
#                                       write own, write other, write cluster) are allowed
MATRIX: dict[tuple[Role, str], tuple[bool, bool, bool, bool, bool, bool]] = {
    (Role.VIEWER, OWN): (True, False, False, False, False, False),
    (Role.OPERATOR, OWN): (True, False, False, True, False, False),
    (Role.ADMIN, OWN): (True, False, False, True, False, False),
    (Role.VIEWER, "*"): (True, True, True, False, False, False),
    (Role.OPERATOR, "*"): (True, True, True, True, True, False),
    (Role.ADMIN, "*"): (True, True, True, True, True, True),
}
TARGETS = [
    (Action.READ, OWN),
    (Action.READ, OTHER),
    (Action.READ, CLUSTER),
    (Action.WRITE, OWN),
    (Action.WRITE, OTHER),
    (Action.WRITE, CLUSTER),
]


def _principal(*groups: str) -> Principal:
    return Principal(username="ada", groups=groups, mode=AuthMode.OIDC)


def _allowed(
    authorizer: RoleBindingAuthorizer | AllowAll,
    principal: Principal,
    action: Action,
    namespace: str | None,
) -> bool:
    return asyncio.run(
        authorizer.allowed(principal, action, resource=GATEWAYS, namespace=namespace)
    )


@pytest.mark.parametrize(("role", "bound"), list(MATRIX))
def test_role_binding_matrix(role: Role, bound: str) -> None:
    authorizer = RoleBindingAuthorizer([RoleBinding(group="g", role=role, namespaces=[bound])])
    seen = tuple(_allowed(authorizer, _principal("g"), a, ns) for a, ns in TARGETS)
    assert seen == MATRIX[(role, bound)]


def test_bindings_add_up_and_other_groups_get_nothing() -> None:
    authorizer = RoleBindingAuthorizer(
        [
            RoleBinding(group="everyone", role=Role.VIEWER, namespaces=["*"]),
            RoleBinding(group="team-a-ops", role=Role.OPERATOR, namespaces=[OWN, "team-c"]),
        ]
    )
    both = _principal("everyone", "team-a-ops")
    assert [_allowed(authorizer, both, a, ns) for a, ns in TARGETS] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]
    assert _allowed(authorizer, both, Action.WRITE, "team-c")
    assert authorizer.roles(both.groups, OWN) == {Role.VIEWER, Role.OPERATOR}
    stranger = _principal("team-a-opsx", "")
    assert not any(_allowed(authorizer, stranger, a, ns) for a, ns in TARGETS)


def test_forbidden_says_who_may_not_do_what_where() -> None:
    authorizer = RoleBindingAuthorizer([RoleBinding(group="g", role=Role.VIEWER, namespaces=["*"])])
    with pytest.raises(NotAuthorized) as caught:
        asyncio.run(
            authorize(authorizer, _principal("g"), Action.WRITE, resource=GATEWAYS, namespace=OTHER)
        )
    assert caught.value.status_code == 403
    assert caught.value.detail == (
        "forbidden: 'ada' may not write gateways.gateway.networking.k8s.io in namespace 'team-b'"
    )


def test_mode_none_allows_everything() -> None:
    anonymous = Principal(username="anonymous", groups=(), mode=AuthMode.NONE)
    assert all(_allowed(AllowAll(), anonymous, a, ns) for a, ns in TARGETS)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_mode_none_binds_to_loopback(host: str) -> None:
    check_bind(AuthSettings(), host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "192.168.0.5", "console.lan", ""])
def test_mode_none_refuses_other_addresses(host: str) -> None:
    with pytest.raises(InsecureBindError, match="only binds to a loopback address"):
        check_bind(AuthSettings(), host)


@pytest.mark.parametrize("mode", ["kubernetes", "oidc"])
def test_authenticated_modes_bind_anywhere(mode: str) -> None:
    oidc = "oidc: {issuer: 'https://idp.test', audience: console}" if mode == "oidc" else ""
    check_bind(AuthSettings.from_yaml(f"mode: {mode}\n{oidc}"), "0.0.0.0")


def test_settings_from_a_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "console.yaml"
    path.write_text(
        """
auth:
  mode: oidc
  oidc:
    issuer: https://idp.example.com/realms/ngf
    audience: ngf-console
    groups_claim: realm_access.roles
    role_bindings:
      - {group: platform, role: admin, namespaces: ["*"]}
      - {group: team-a, role: operator, namespaces: [team-a]}
"""
    )
    settings = AuthSettings.from_file(path)
    assert settings.mode is AuthMode.OIDC and settings.oidc is not None
    assert settings.oidc.jwks_url is None and settings.oidc.username_claim is None
    assert settings.oidc.algorithms == ["RS256", "ES256"]
    assert settings.oidc.role_bindings[1] == RoleBinding(
        group="team-a", role=Role.OPERATOR, namespaces=["team-a"]
    )
    assert AuthSettings.from_yaml("").mode is AuthMode.NONE


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("mode: oidc", "needs an 'oidc' section"),
        ("mode: ldap", "mode"),
        ("mode: none\nmodee: oidc", "modee"),
        ("mode: oidc\noidc: {issuer: i, audience: a, algorithms: [HS256]}", "algorithms"),
        (
            "mode: oidc\noidc: {issuer: i, audience: a, role_bindings: [{group: g, role: root,"
            " namespaces: ['*']}]}",
            "role",
        ),
        (
            "mode: oidc\noidc: {issuer: i, audience: a, role_bindings: [{group: g,"
            " role: admin, namespaces: []}]}",
            "namespaces",
        ),
    ],
)
def test_settings_refuse_what_they_cannot_honour(text: str, complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        AuthSettings.from_yaml(text)
