"""Route check (spec §3.7.1): each of the eight checks passes on a healthy scene, and each
breakage makes the right check warn or fail with a remediation that names the fix."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from gatewayapi_factories import GW, backend, gateway, listener, match, parent, policy, route, rule
from ngf_console.gatewayapi import RoutingTable
from ngf_console.gatewayapi.route_check import RouteCheckReport, check_route
from ngf_console.gatewayapi.route_check_backends import tls_name_covers
from ngf_console.readmodel.snapshot import ClusterSnapshot
from readmodel_factories import certificate, ec_key, pem, tls_secret

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
Obj = dict[str, Any]


def _cond(ctype: str, status: str = "True", reason: str | None = None, gen: int = 1) -> Obj:
    return {
        "type": ctype,
        "status": status,
        "reason": reason or ctype,
        "message": "",
        "observedGeneration": gen,
    }


def _cert_secret(days_left: int, names: list[str], name: str = "app-tls") -> Obj:
    key = ec_key()
    cert = certificate(
        key,
        dns=names,
        not_before=NOW - dt.timedelta(days=30),
        not_after=NOW + dt.timedelta(days=days_left),
    )
    return tls_secret(name, crt=pem(cert))


def _service(name: str = "svc", selector: dict[str, str] | None = None, port: int = 80) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": selector or {"app": "web"}, "ports": [{"port": port}]},
    }


def _pod(name: str = "web-1", ready: bool = True, labels: dict[str, str] | None = None) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": labels or {"app": "web"}},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def healthy() -> dict[str, Obj]:
    """A route that works: every check passes (connectivity is always skipped)."""
    gw = gateway(
        listeners=[
            listener("http", 80, "HTTP"),
            {
                **listener("https", 443, "HTTPS", "app.example.com"),
                "tls": {"mode": "Terminate", "certificateRefs": [{"name": "app-tls"}]},
            },
        ]
    )
    gw["status"] = {"conditions": [_cond("Accepted"), _cond("Programmed")]}
    r = route("app", hostnames=["app.example.com"], rules=[rule(match("/api"))])
    r["metadata"]["generation"] = 1
    r["status"] = {
        "parents": [
            {
                "parentRef": {"name": "gw"},
                "conditions": [_cond("Accepted"), _cond("ResolvedRefs")],
            }
        ]
    }
    gwc = {
        "apiVersion": f"{GW}/v1",
        "kind": "GatewayClass",
        "metadata": {"name": "nginx"},
        "spec": {"controllerName": "gateway.nginx.org/nginx-gateway-controller"},
    }
    return {
        "gwc": gwc,
        "gw": gw,
        "route": r,
        "svc": _service(),
        "pod": _pod(),
        "secret": _cert_secret(90, ["app.example.com"]),
    }


def run(objs: dict[str, Obj], *extra: Obj, name: str = "app") -> RouteCheckReport:
    snap = ClusterSnapshot.from_objects([*objs.values(), *extra])
    return check_route(RoutingTable(snap), "HTTPRoute", "default", name, now=NOW)


def status_of(report: RouteCheckReport) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


def check(report: RouteCheckReport, ident: str) -> Any:
    return next(c for c in report.checks if c.id == ident)


def test_healthy_route_passes_every_check_in_spec_order() -> None:
    report = run(healthy())
    assert [c.id for c in report.checks] == [
        "route-status",
        "gateway-attachment",
        "listener-match",
        "route-precedence",
        "backend-health",
        "policy-blocks",
        "tls",
        "network-connectivity",
    ]
    assert status_of(report) == {
        "route-status": "pass",
        "gateway-attachment": "pass",
        "listener-match": "pass",
        "route-precedence": "pass",
        "backend-health": "pass",
        "policy-blocks": "pass",
        "tls": "pass",
        "network-connectivity": "skip",
    }
    assert report.status == "pass" and report.first_failure is None
    assert all(c.remediation is None for c in report.checks)
    assert "not checked" in check(report, "network-connectivity").summary


def _mutate(fn: Callable[[dict[str, Obj]], None]) -> dict[str, Obj]:
    objs = copy.deepcopy(healthy())
    fn(objs)
    return objs


def _set(path: str, value: Any) -> Callable[[dict[str, Obj]], None]:
    def apply(objs: dict[str, Obj]) -> None:
        key, *rest = path.split(".")
        if not rest:
            objs[key] = value
            return
        target: Any = objs[key]
        for part in rest[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = rest[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return apply


# (id, mutation, check, status, words the summary or remediation must contain)
CASES: list[tuple[str, Callable[[dict[str, Obj]], None], str, str, list[str]]] = [
    (
        "status-rejected-by-controller",
        _set(
            "route.status.parents.0.conditions.0",
            _cond("Accepted", "False", "NotAllowedByListeners"),
        ),
        "route-status",
        "fail",
        ["NotAllowedByListeners"],
    ),
    (
        "status-unresolved-refs",
        _set(
            "route.status.parents.0.conditions.1",
            _cond("ResolvedRefs", "False", "BackendNotFound"),
        ),
        "route-status",
        "fail",
        ["BackendNotFound"],
    ),
    (
        "status-none-written",
        _set("route.status", {}),
        "route-status",
        "warn",
        ["GatewayClass", "controller"],
    ),
    (
        "status-stale-generation",
        _set("route.metadata.generation", 2),
        "route-status",
        "warn",
        ["older generation", "reconcile"],
    ),
    (
        "gateway-missing",
        _set("route.spec.parentRefs", [parent("nope")]),
        "gateway-attachment",
        "fail",
        ["default/nope", "Create Gateway"],
    ),
    (
        "gateway-not-programmed",
        _set("gw.status.conditions.1", _cond("Programmed", "False", "AddressNotAssigned")),
        "gateway-attachment",
        "fail",
        ["AddressNotAssigned"],
    ),
    (
        "gateway-no-status",
        _set("gw.status", {}),
        "gateway-attachment",
        "warn",
        ["GatewayClass nginx", "controller"],
    ),
    (
        "listener-wrong-section-name",
        _set("route.spec.parentRefs", [parent(section="htps")]),
        "listener-match",
        "fail",
        ["sectionName 'htps'", "http, https"],
    ),
    (
        "listener-hostname-mismatch",
        _set("gw.spec.listeners", [listener("http", 80, "HTTP", "other.example.com")]),
        "listener-match",
        "fail",
        ["other.example.com", "spec.hostnames"],
    ),
    (
        "listener-kind-not-allowed",
        _set("gw.spec.listeners", [listener("http", 80, "HTTP", kinds=["GRPCRoute"])]),
        "listener-match",
        "fail",
        ["allowedRoutes.kinds"],
    ),
    (
        "listener-partial",
        _set("route.spec.parentRefs", [parent(section="http"), parent(section="nope")]),
        "listener-match",
        "warn",
        ["sectionName 'nope'"],
    ),
    (
        "backend-missing-service",
        lambda o: o.pop("svc"),
        "backend-health",
        "fail",
        ["BackendNotFound", "Create Service default/svc"],
    ),
    (
        "backend-wrong-port",
        _set("svc", _service(port=8080)),
        "backend-health",
        "fail",
        ["no port 80", "[8080]"],
    ),
    (
        "backend-no-pods",
        lambda o: o.pop("pod"),
        "backend-health",
        "fail",
        ["selects no pods", "app=web"],
    ),
    (
        "backend-pods-not-ready",
        _set("pod", _pod(ready=False)),
        "backend-health",
        "fail",
        ["none of 1 pods", "ready"],
    ),
    (
        "backend-no-selector",
        _set("svc.spec.selector", {}),
        "backend-health",
        "warn",
        ["no selector", "endpointslices"],
    ),
    (
        "backend-weight-zero-missing",
        _set(
            "route.spec.rules",
            [rule(match("/api"), backends=[backend("svc"), backend("gone", weight=0)])],
        ),
        "backend-health",
        "warn",
        ["gone", "BackendNotFound"],
    ),
    (
        "backend-rule-without-backends",
        _set("route.spec.rules", [rule(match("/api"), backends=[])]),
        "backend-health",
        "warn",
        ["404"],
    ),
    (
        "tls-expired",
        _set("secret", _cert_secret(-3, ["app.example.com"])),
        "tls",
        "fail",
        ["expired on", "Renew"],
    ),
    (
        "tls-expiring",
        _set("secret", _cert_secret(5, ["app.example.com"])),
        "tls",
        "warn",
        ["expires in 5 days"],
    ),
    (
        "tls-wrong-names",
        _set("secret", _cert_secret(90, ["other.example.com"])),
        "tls",
        "warn",
        ["do not cover", "app.example.com"],
    ),
    (
        "tls-secret-missing",
        lambda o: o.pop("secret"),
        "tls",
        "fail",
        ["default/app-tls", "not found"],
    ),
    (
        "tls-http-only",
        _set("gw.spec.listeners", [listener("http", 80, "HTTP")]),
        "tls",
        "skip",
        [],
    ),
]


@pytest.mark.parametrize(
    ("mutation", "ident", "status", "words"),
    [pytest.param(m, c, s, w, id=i) for i, m, c, s, w in CASES],
)
def test_each_breakage_is_diagnosed_by_its_check(
    mutation: Callable[[dict[str, Obj]], None], ident: str, status: str, words: list[str]
) -> None:
    result = check(run(_mutate(mutation)), ident)
    assert result.status == status, result
    text = f"{result.summary} {result.remediation or ''}"
    assert all(w.lower() in text.lower() for w in words), text
    if status in ("warn", "fail"):
        assert result.remediation, result


def test_namespace_not_allowed_by_same_names_the_fix() -> None:
    objs = healthy()
    for key in ("route", "svc", "pod"):
        objs[key]["metadata"]["namespace"] = "apps"
    objs["route"]["spec"]["parentRefs"] = [parent(namespace="default")]
    objs["route"]["status"] = {}
    snap = ClusterSnapshot.from_objects(objs.values())
    report = check_route(RoutingTable(snap), "HTTPRoute", "apps", "app", now=NOW)
    listener_check = check(report, "listener-match")
    assert listener_check.status == "fail"
    assert "namespaces.from to All" in listener_check.remediation
    assert "namespace apps" in listener_check.remediation
    assert check(report, "route-status").status == "fail"  # predicted NotAllowedByListeners
    assert "NotAllowedByListeners" in check(report, "route-status").summary
    assert report.first_failure == "route-status"


def test_cross_namespace_backend_without_grant_names_the_grant() -> None:
    objs = healthy()
    objs["route"]["spec"]["rules"] = [rule(match("/api"), backends=[backend("db", namespace="d")])]
    objs["route"]["status"] = {}
    db = _service("db")
    db["metadata"]["namespace"] = "d"
    report = run(objs, db)
    backends = check(report, "backend-health")
    assert backends.status == "fail"
    assert "RefNotPermitted" in backends.summary
    assert "Create a ReferenceGrant in namespace d" in backends.remediation
    assert "namespace: default" in backends.remediation
    assert check(report, "route-status").status == "fail"


def test_shadowed_route_names_the_winner_and_the_rule() -> None:
    objs = healthy()
    older = route(
        "older", hostnames=["app.example.com"], rules=[rule(match("/api"))], created="2025-01-01"
    )
    objs["route"]["metadata"]["creationTimestamp"] = "2026-02-01T00:00:00Z"
    precedence = check(run(objs, older), "route-precedence")
    assert precedence.status == "fail"
    assert "HTTPRoute default/older" in precedence.remediation
    assert "oldest route by creationTimestamp" in precedence.remediation
    # the older one is not shadowed
    assert check(run(objs, older, name="older"), "route-precedence").status == "pass"


def test_partly_shadowed_route_warns_and_hides_unreadable_winners() -> None:
    objs = healthy()
    objs["route"]["spec"]["rules"] = [rule(match("/api")), rule(match("/web"))]
    objs["route"]["metadata"]["creationTimestamp"] = "2026-02-01T00:00:00Z"
    other = route(
        "other",
        "team-b",
        hostnames=["app.example.com"],
        rules=[rule(match("/api"))],
        parents=[parent(namespace="default")],
        created="2025-01-01",
    )
    objs["gw"]["spec"]["listeners"][0]["allowedRoutes"] = {"namespaces": {"from": "All"}}
    objs["gw"]["spec"]["listeners"][1]["allowedRoutes"] = {"namespaces": {"from": "All"}}
    snap = ClusterSnapshot.from_objects([*objs.values(), other])
    report = check_route(
        RoutingTable(snap),
        "HTTPRoute",
        "default",
        "app",
        now=NOW,
        visible=lambda ns: ns != "team-b",
    )
    precedence = check(report, "route-precedence")
    assert precedence.status == "warn"
    assert "team-b" not in " ".join([precedence.remediation, *precedence.evidence])
    assert "namespace you cannot read" in precedence.remediation


def test_rule_shadowed_by_an_earlier_rule_of_the_same_route_warns() -> None:
    objs = healthy()
    objs["route"]["spec"]["rules"] = [rule(match("/api")), rule(match("/api"))]
    precedence = check(run(objs), "route-precedence")
    assert precedence.status == "warn"
    assert "rule 0 match 0 of this route" in " ".join(precedence.evidence)


def test_blocking_policies_warn_and_a_missing_filter_fails() -> None:
    objs = healthy()
    waf = policy("WAFPolicy", "waf", "Gateway", "gw")
    warned = check(run(objs, waf), "policy-blocks")
    assert warned.status == "warn" and "WAFPolicy default/waf" in warned.summary
    objs["route"]["spec"]["rules"][0]["filters"] = [
        {
            "type": "ExtensionRef",
            "extensionRef": {"group": "gateway.nginx.org", "kind": "SnippetsFilter", "name": "x"},
        }
    ]
    failed = check(run(objs), "policy-blocks")
    assert failed.status == "fail" and "500" in failed.summary
    assert "Create SnippetsFilter x in namespace default" in failed.remediation


def test_conflicting_policy_warns_with_the_rule() -> None:
    body = {"body": {"maxSize": "1m"}}
    old = policy(
        "ClientSettingsPolicy", "a", "HTTPRoute", "app", created="2025-01-01T00:00:00Z", **body
    )
    new = policy(
        "ClientSettingsPolicy", "b", "HTTPRoute", "app", created="2026-01-01T00:00:00Z", **body
    )
    result = check(run(healthy(), old, new), "policy-blocks")
    assert result.status == "warn"
    assert result.summary.startswith("ClientSettingsPolicy default/b is rejected as Conflicted")
    assert "oldest creationTimestamp wins" in result.summary
    assert "only the oldest applies" in result.remediation


@pytest.mark.parametrize(
    ("san", "host", "covers"),
    [
        ("app.example.com", "APP.example.com", True),
        ("*.example.com", "app.example.com", True),
        ("*.example.com", "a.b.example.com", False),  # RFC 6125: one label
        ("*.example.com", "example.com", False),
        ("*.example.com", "*.example.com", True),  # a wildcard listener, a wildcard cert
        ("other.example.com", "app.example.com", False),
    ],
)
def test_certificate_name_coverage(san: str, host: str, covers: bool) -> None:
    assert tls_name_covers(san, host) is covers
