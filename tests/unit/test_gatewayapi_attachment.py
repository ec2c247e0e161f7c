"""Route attachment and the conditions a controller would set, one case per spec rule."""

from __future__ import annotations

from typing import Any

import pytest

from gatewayapi_factories import (
    backend,
    gateway,
    listener,
    parent,
    reference_grant,
    route,
    rule,
    service,
    snapshot,
)
from ngf_console.gatewayapi.attachment import (
    AttachmentContext,
    RouteAttachment,
    attach_route,
    listener_conflicts,
)

HTTP_HTTPS = [listener("http", 80, "HTTP"), listener("https", 443, "HTTPS", "app.example.com")]


def _attach(
    r: dict[str, Any],
    *objects: dict[str, Any],
    labels: dict[str, dict[str, str]] | None = None,
) -> RouteAttachment:
    ctx = AttachmentContext.from_snapshot(snapshot(*objects), labels)
    return attach_route(r, ctx)


def _accepted(att: RouteAttachment) -> tuple[str, str, list[str]]:
    [p] = att.parents
    return p.accepted.status, p.accepted.reason, [x.listener for x in p.attached_listeners]


CASES: list[Any] = [
    pytest.param(
        gateway(listeners=HTTP_HTTPS),
        route(hostnames=["app.example.com"]),
        ("True", "Accepted", ["http", "https"]),
        id="no-section-attaches-every-compatible-listener",
    ),
    pytest.param(
        gateway(listeners=HTTP_HTTPS),
        route(parents=[parent(section="https")]),
        ("True", "Accepted", ["https"]),
        id="sectionName-selects-one-listener",
    ),
    pytest.param(
        gateway(listeners=HTTP_HTTPS),
        route(parents=[parent(section="nope")]),
        ("False", "NoMatchingParent", []),
        id="sectionName-unknown-NoMatchingParent",
    ),
    pytest.param(
        gateway(listeners=HTTP_HTTPS),
        route(parents=[parent(port=8080)]),
        ("False", "NoMatchingParent", []),
        id="port-no-listener-NoMatchingParent",
    ),
    pytest.param(
        gateway(listeners=HTTP_HTTPS),
        route(parents=[parent(port=443)]),
        ("True", "Accepted", ["https"]),
        id="port-selects-listeners-on-port",
    ),
    pytest.param(
        gateway(listeners=HTTP_HTTPS),
        route(parents=[parent(section="http", port=443)]),
        ("False", "NoMatchingParent", []),
        id="sectionName-and-port-must-both-hold",
    ),
    pytest.param(
        gateway(listeners=[listener("tcp", 5432, "TCP")]),
        route(),
        ("False", "NotAllowedByListeners", []),
        id="protocol-does-not-serve-kind",
    ),
    pytest.param(
        gateway(listeners=[listener(kinds=["GRPCRoute"])]),
        route(),
        ("False", "NotAllowedByListeners", []),
        id="allowedRoutes-kinds-excludes-kind",
    ),
    pytest.param(
        gateway(listeners=[listener(kinds=["GRPCRoute", "HTTPRoute"])]),
        route(),
        ("True", "Accepted", ["http"]),
        id="allowedRoutes-kinds-includes-kind",
    ),
    pytest.param(
        gateway(listeners=[listener(kinds=["TCPRoute"])]),
        route(kind="TCPRoute"),
        ("False", "NotAllowedByListeners", []),
        id="allowedRoutes-kind-protocol-cannot-serve",
    ),
    pytest.param(
        gateway(namespace="infra"),
        route("r", "apps", parents=[parent(namespace="infra")]),
        ("False", "NotAllowedByListeners", []),
        id="allowedRoutes-Same-is-default",
    ),
    pytest.param(
        gateway(namespace="infra", listeners=[listener(allowed_from="All")]),
        route("r", "apps", parents=[parent(namespace="infra")]),
        ("True", "Accepted", ["http"]),
        id="allowedRoutes-All",
    ),
    pytest.param(
        gateway(listeners=[listener(hostname="app.example.com")]),
        route(hostnames=["other.io"]),
        ("False", "NoMatchingListenerHostname", []),
        id="hostname-no-intersection",
    ),
    pytest.param(
        gateway(listeners=[listener(hostname="*.example.com")]),
        route(hostnames=["example.com"]),
        ("False", "NoMatchingListenerHostname", []),
        id="wildcard-listener-excludes-bare-domain",
    ),
    pytest.param(
        gateway(listeners=[listener(hostname="*.example.com")]),
        route(hostnames=["a.example.com", "other.io"]),
        ("True", "Accepted", ["http"]),
        id="hostname-one-intersection-suffices",
    ),
    pytest.param(
        gateway(),
        route(parents=[parent("missing")]),
        ("False", "NoMatchingParent", []),
        id="gateway-not-found",
    ),
    pytest.param(
        gateway(listeners=[listener("a"), listener("b")]),
        route(),
        ("False", "NotAllowedByListeners", []),
        id="conflicted-listeners-accept-nothing",
    ),
]


@pytest.mark.parametrize(("gw", "r", "expected"), CASES)
def test_route_attachment(gw: dict[str, Any], r: dict[str, Any], expected: Any) -> None:
    assert _accepted(_attach(r, gw)) == expected


SELECTOR = {"matchLabels": {"team": "a"}}


@pytest.mark.parametrize(
    ("labels", "selector", "expected"),
    [
        pytest.param({"apps": {"team": "a"}}, SELECTOR, "Accepted", id="selector-matchLabels"),
        pytest.param({"apps": {"team": "b"}}, SELECTOR, "NotAllowedByListeners", id="sel-no"),
        pytest.param(
            {"apps": {"env": "prod"}},
            {"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}]},
            "Accepted",
            id="selector-matchExpressions-In",
        ),
        pytest.param(
            {"apps": {}},
            {"matchExpressions": [{"key": "env", "operator": "Exists"}]},
            "NotAllowedByListeners",
            id="selector-matchExpressions-Exists",
        ),
        pytest.param(None, SELECTOR, "Accepted", id="selector-unjudged-without-labels"),
    ],
)
def test_allowed_routes_selector_uses_namespace_labels(
    labels: dict[str, dict[str, str]] | None, selector: dict[str, Any], expected: str
) -> None:
    gw = gateway(
        namespace="infra", listeners=[listener(allowed_from="Selector", selector=selector)]
    )
    att = _attach(route("r", "apps", parents=[parent(namespace="infra")]), gw, labels=labels)
    assert att.parents[0].accepted.reason == expected


@pytest.mark.parametrize(
    ("backends", "objects", "status", "reason"),
    [
        pytest.param([backend()], [], "True", "ResolvedRefs", id="same-namespace-service"),
        pytest.param([backend("nope")], [], "False", "BackendNotFound", id="service-missing"),
        pytest.param(
            [backend(namespace="other")],
            [service("svc", "other")],
            "False",
            "RefNotPermitted",
            id="cross-namespace-without-grant",
        ),
        pytest.param(
            [backend(namespace="other")],
            [service("svc", "other"), reference_grant("other", "default")],
            "True",
            "ResolvedRefs",
            id="cross-namespace-with-grant",
        ),
        pytest.param(
            [backend(namespace="other")],
            [service("svc", "other"), reference_grant("other", "elsewhere")],
            "False",
            "RefNotPermitted",
            id="grant-for-another-namespace",
        ),
        pytest.param(
            [backend(namespace="other")],
            [service("svc", "other"), reference_grant("other", "default", to_name="different")],
            "False",
            "RefNotPermitted",
            id="grant-names-another-object",
        ),
        pytest.param(
            [backend(namespace="other")],
            [service("svc", "other"), reference_grant("default", "other")],
            "False",
            "RefNotPermitted",
            id="grant-must-live-in-target-namespace",
        ),
        pytest.param(
            [backend(namespace="other")],
            [service("svc", "other"), reference_grant("other", "default", from_kind="GRPCRoute")],
            "False",
            "RefNotPermitted",
            id="grant-for-another-route-kind",
        ),
        pytest.param(
            [backend(kind="ConfigMap")],
            [],
            "False",
            "InvalidKind",
            id="unsupported-backend-kind",
        ),
        pytest.param(
            [backend(), backend("nope")],
            [],
            "False",
            "BackendNotFound",
            id="first-failure-wins",
        ),
    ],
)
def test_backend_refs_resolved_refs(
    backends: list[dict[str, Any]], objects: list[dict[str, Any]], status: str, reason: str
) -> None:
    att = _attach(route(rules=[rule(backends=backends)]), gateway(), *objects)
    assert (att.resolved_refs.status, att.resolved_refs.reason) == (status, reason)


def test_mirror_backend_needs_a_grant_too() -> None:
    mirror = {"type": "RequestMirror", "requestMirror": {"backendRef": backend(namespace="x")}}
    att = _attach(route(rules=[rule(filters=[mirror])]), gateway(), service("svc", "x"))
    assert att.resolved_refs.reason == "RefNotPermitted"
    assert [b.mirror for b in att.backends] == [False, True]


@pytest.mark.parametrize(
    ("listeners", "expected"),
    [
        pytest.param(
            [listener("a", 80, "HTTP"), listener("b", 80, "TCP")],
            {"a": "ProtocolConflict", "b": "ProtocolConflict"},
            id="incompatible-protocols-on-one-port",
        ),
        pytest.param(
            [listener("a", 443, "HTTPS", "x.io"), listener("b", 443, "TLS", "y.io")],
            {},
            id="https-and-tls-may-share-a-port",
        ),
        pytest.param(
            [listener("a", 80, "HTTP", "x.io"), listener("b", 80, "HTTP", "X.io")],
            {"a": "HostnameConflict", "b": "HostnameConflict"},
            id="same-port-protocol-hostname",
        ),
        pytest.param(
            [listener("a", 80, "HTTP", "x.io"), listener("b", 80, "HTTP")],
            {},
            id="distinct-hostnames-no-conflict",
        ),
    ],
)
def test_listener_conflicts(listeners: list[dict[str, Any]], expected: dict[str, str]) -> None:
    found = listener_conflicts(gateway(listeners=listeners))
    assert {k: v.reason for k, v in found.items()} == expected


def test_attached_hostnames_are_the_intersections() -> None:
    gw = gateway(listeners=[listener(hostname="*.example.com")])
    att = _attach(route(hostnames=["a.example.com", "*.b.example.com", "c.io"]), gw)
    assert att.parents[0].listeners[0].hostnames == ["a.example.com", "*.b.example.com"]
