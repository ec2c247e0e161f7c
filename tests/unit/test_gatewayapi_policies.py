"""Policy attachment (GEP-713): targets, direct vs inherited, overrides and conflicts."""

from __future__ import annotations

from typing import Any

import pytest

from gatewayapi_factories import T0, gateway, policy, route, snapshot
from ngf_console.gatewayapi.policies import effective_policies, find_conflicts

T1, T2 = "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"
ROUTE = ("HTTPRoute", "default", "r")


def _effective(*policies: dict[str, Any], listener: str | None = "http") -> Any:
    snap = snapshot(gateway(), route(), *policies)
    return effective_policies(
        snap,
        gateway=("default", "gw"),
        listener=listener,
        route=ROUTE,
        services=[("default", "svc")],
    )


def _setting(result: Any, kind: str, setting: str) -> tuple[Any, str, list[str]]:
    found = next(s for s in result.settings if s.kind == kind and s.setting == setting)
    return found.value, found.winner.name, [p.name for p in found.overridden]


def test_inherited_gateway_policy_reaches_the_route() -> None:
    csp = policy("ClientSettingsPolicy", "gw-csp", "Gateway", "gw", body={"maxSize": "10m"})
    result = _effective(csp)
    [att] = result.policies
    assert (att.attachment, att.status) == ("inherited", "active")
    assert _setting(result, "ClientSettingsPolicy", "body.maxSize") == ("10m", "gw-csp", [])


def test_route_policy_overrides_gateway_setting_field_by_field() -> None:
    gw_csp = policy(
        "ClientSettingsPolicy",
        "gw-csp",
        "Gateway",
        "gw",
        body={"maxSize": "10m", "timeout": "30s"},
    )
    rt_csp = policy("ClientSettingsPolicy", "rt-csp", "HTTPRoute", "r", body={"maxSize": "1m"})
    result = _effective(gw_csp, rt_csp)
    assert _setting(result, "ClientSettingsPolicy", "body.maxSize") == ("1m", "rt-csp", ["gw-csp"])
    assert _setting(result, "ClientSettingsPolicy", "body.timeout") == ("30s", "gw-csp", [])
    assert {p.policy.name: p.status for p in result.policies} == {
        "gw-csp": "active",
        "rt-csp": "active",
    }


def test_fully_overridden_policy_is_marked_overridden() -> None:
    gw_waf = policy("WAFPolicy", "gw-waf", "Gateway", "gw", policySource={"url": "a"})
    rt_waf = policy("WAFPolicy", "rt-waf", "HTTPRoute", "r", policySource={"url": "b"})
    result = _effective(gw_waf, rt_waf)
    assert {p.policy.name: p.status for p in result.policies} == {
        "gw-waf": "overridden",
        "rt-waf": "active",
    }


def test_listener_section_policy_beats_gateway_wide() -> None:
    wide = policy("ProxySettingsPolicy", "wide", "Gateway", "gw", buffering={"disable": False})
    section = policy(
        "ProxySettingsPolicy", "sect", "Gateway", "gw", section="http", buffering={"disable": True}
    )
    result = _effective(wide, section)
    assert _setting(result, "ProxySettingsPolicy", "buffering.disable") == (True, "sect", ["wide"])


def test_direct_policy_on_gateway_does_not_reach_route() -> None:
    obs = policy("ObservabilityPolicy", "obs", "Gateway", "gw", tracing={"strategy": "ratio"})
    result = _effective(obs)
    assert [(p.policy.name, p.status) for p in result.policies] == [("obs", "invalid-target")]
    assert result.settings == []


def test_direct_policy_on_service_applies() -> None:
    usp = policy("UpstreamSettingsPolicy", "usp", "Service", "svc", keepAlive={"connections": 4})
    result = _effective(usp)
    assert [(p.attachment, p.status) for p in result.policies] == [("direct", "active")]


def test_backend_tls_policy_targets_the_service() -> None:
    btp = policy(
        "BackendTLSPolicy",
        "btp",
        "Service",
        "svc",
        group="gateway.networking.k8s.io",
        validation={"hostname": "svc.internal"},
    )
    assert _setting(_effective(btp), "BackendTLSPolicy", "validation.hostname")[1] == "btp"


CONFLICTS: list[Any] = [
    pytest.param(
        [
            policy("ObservabilityPolicy", "b", "HTTPRoute", "r", created=T0, tracing={"a": 1}),
            policy("ObservabilityPolicy", "a", "HTTPRoute", "r", created=T1, metrics={"b": 1}),
        ],
        "b",
        ["a"],
        id="non-mergeable-kind-oldest-wins",
    ),
    pytest.param(
        [
            policy("ObservabilityPolicy", "b", "HTTPRoute", "r", tracing={"a": 1}),
            policy("ObservabilityPolicy", "a", "HTTPRoute", "r", tracing={"a": 2}),
        ],
        "a",
        ["b"],
        id="same-timestamp-name-alphabetical-wins",
    ),
    pytest.param(
        [
            policy(
                "ClientSettingsPolicy", "x", "Gateway", "gw", created=T1, body={"maxSize": "1m"}
            ),
            policy(
                "ClientSettingsPolicy", "y", "Gateway", "gw", created=T0, body={"maxSize": "2m"}
            ),
        ],
        "y",
        ["x"],
        id="mergeable-kind-same-field-conflicts",
    ),
    pytest.param(
        [
            policy(
                "BackendTLSPolicy",
                "new",
                "Service",
                "svc",
                created=T2,
                group="gateway.networking.k8s.io",
                validation={"hostname": "a"},
            ),
            policy(
                "BackendTLSPolicy",
                "old",
                "Service",
                "svc",
                created=T1,
                group="gateway.networking.k8s.io",
                validation={"hostname": "b"},
            ),
        ],
        "old",
        ["new"],
        id="backend-tls-policy-oldest-wins",
    ),
]


@pytest.mark.parametrize(("policies", "winner", "losers"), CONFLICTS)
def test_conflicts_oldest_then_name_wins(
    policies: list[dict[str, Any]], winner: str, losers: list[str]
) -> None:
    [conflict] = find_conflicts(policies)[0]
    assert conflict.winner.name == winner and [p.name for p in conflict.losers] == losers
    assert "oldest creationTimestamp" in conflict.rule
    result = _effective(*policies)
    assert {p.policy.name: p.status for p in result.policies if p.status == "conflicted"} == {
        name: "conflicted" for name in losers
    }
    assert [c.winner.name for c in result.conflicts] == [winner]


def test_mergeable_kind_different_fields_merge_without_conflict() -> None:
    a = policy("ClientSettingsPolicy", "a", "Gateway", "gw", body={"maxSize": "1m"})
    b = policy("ClientSettingsPolicy", "b", "Gateway", "gw", keepAlive={"requests": 5})
    assert find_conflicts([a, b])[0] == []
    result = _effective(a, b)
    assert {s.winner.name for s in result.settings} == {"a", "b"}


def test_policies_on_other_targets_are_not_in_effect() -> None:
    other = policy("ClientSettingsPolicy", "o", "HTTPRoute", "another", body={"maxSize": "1m"})
    assert _effective(other).policies == []
