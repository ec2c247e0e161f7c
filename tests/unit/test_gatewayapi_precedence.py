"""HTTPRoute and GRPCRoute precedence: each tie-breaker, named after the spec's criterion."""

from __future__ import annotations

from typing import Any

import pytest

from gatewayapi_factories import gateway, grpc_match, listener, match, route, rule, snapshot
from ngf_console.gatewayapi.request import SimulatedRequest
from ngf_console.gatewayapi.simulate import SimulationResult, simulate

T1, T2 = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"


def _sim(routes: list[dict[str, Any]], **req: Any) -> SimulationResult:
    gw = gateway(listeners=[listener()])
    return simulate(snapshot(gw, *routes), SimulatedRequest.model_validate({"host": "a.io", **req}))


def _winner(result: SimulationResult) -> str:
    assert result.route is not None, result.notes
    return f"{result.route.name}#{result.route.rule}.{result.route.match}"


# (routes, request, expected winner "name#rule.match", the criterion the runner-up lost by)
HTTP_CASES: list[Any] = [
    pytest.param(
        [
            route("prefix", rules=[rule(match("/a"))]),
            route("exact", rules=[rule(match("/a", "Exact"))]),
        ],
        {"path": "/a"},
        "exact#0.0",
        "path: Exact before PathPrefix",
        id="exact-path-before-prefix",
    ),
    pytest.param(
        [route("short", rules=[rule(match("/a"))]), route("long", rules=[rule(match("/a/b"))])],
        {"path": "/a/b/c"},
        "long#0.0",
        "path: most characters in the PathPrefix",
        id="longest-prefix-wins",
    ),
    pytest.param(
        [
            route("re", rules=[rule(match("/a.*", "RegularExpression"))]),
            route("p", rules=[rule(match("/"))]),
        ],
        {"path": "/ab"},
        "p#0.0",
        "path: Exact before PathPrefix",
        id="regex-ranks-after-prefix-implementation-specific",
    ),
    pytest.param(
        [
            route("any", rules=[rule(match("/a"))]),
            route("get", rules=[rule(match("/a", method="GET"))]),
        ],
        {"path": "/a"},
        "get#0.0",
        "method match",
        id="method-match-wins-tie",
    ),
    pytest.param(
        [
            route("one", rules=[rule(match("/a", headers={"x": "1"}))]),
            route("two", rules=[rule(match("/a", headers={"x": "1", "y": "2"}))]),
        ],
        {"path": "/a", "headers": {"x": "1", "y": "2"}},
        "two#0.0",
        "most header matches",
        id="most-header-matches",
    ),
    pytest.param(
        [
            route("hdr", rules=[rule(match("/a", headers={"x": "1"}))]),
            route("meth", rules=[rule(match("/a", method="GET"))]),
        ],
        {"path": "/a", "headers": {"x": "1"}},
        "meth#0.0",
        "method match",
        id="method-before-headers",
    ),
    pytest.param(
        [
            route("q1", rules=[rule(match("/a", query={"a": "1"}))]),
            route("q2", rules=[rule(match("/a", query={"a": "1", "b": "2"}))]),
        ],
        {"path": "/a", "query": {"a": ["1"], "b": ["2"]}},
        "q2#0.0",
        "most query param matches",
        id="most-query-matches",
    ),
    pytest.param(
        [
            route("q", rules=[rule(match("/a", query={"a": "1", "b": "2"}))]),
            route("h", rules=[rule(match("/a", headers={"x": "1"}))]),
        ],
        {"path": "/a", "headers": {"x": "1"}, "query": {"a": ["1"], "b": ["2"]}},
        "h#0.0",
        "most header matches",
        id="headers-before-query",
    ),
    pytest.param(
        [route("zzz", created=T1), route("aaa", created=T2)],
        {"path": "/"},
        "zzz#0.0",
        "oldest route by creationTimestamp",
        id="oldest-route-wins",
    ),
    pytest.param(
        [route("b"), route("a")],
        {"path": "/"},
        "a#0.0",
        "route {namespace}/{name} alphabetically",
        id="namespace-name-alphabetical",
    ),
    pytest.param(
        [route("r", rules=[rule(match("/")), rule(match("/"))])],
        {"path": "/x"},
        "r#0.0",
        "first rule in the route",
        id="first-rule-wins",
    ),
    pytest.param(
        [route("r", rules=[rule(match("/x"), match("/x"))])],
        {"path": "/x"},
        "r#0.0",
        "first match in the rule",
        id="first-match-wins",
    ),
    pytest.param(
        [route("r", rules=[rule(match("/x"), match("/y", "Exact"))])],
        {"path": "/y"},
        "r#0.1",
        None,
        id="matches-ored-across",
    ),
    pytest.param(
        [
            route("wild", hostnames=["*.a.io"], rules=[rule(match("/x", "Exact"))]),
            route("exact", hostnames=["b.a.io"], rules=[rule(match("/"))]),
        ],
        {"path": "/x", "host": "b.a.io"},
        "exact#0.0",
        None,
        id="hostname-exact-before-wildcard-even-with-weaker-path",
    ),
    pytest.param(
        [
            route("short", hostnames=["*.io"], rules=[rule()]),
            route("long", hostnames=["*.a.io"], rules=[rule()]),
        ],
        {"path": "/", "host": "b.a.io"},
        "long#0.0",
        None,
        id="longer-wildcard-first",
    ),
    pytest.param(
        [route("any", rules=[rule()]), route("wild", hostnames=["*.a.io"], rules=[rule()])],
        {"path": "/", "host": "b.a.io"},
        "wild#0.0",
        None,
        id="wildcard-before-catch-all",
    ),
]


@pytest.mark.parametrize(("routes", "req", "winner", "lost_by"), HTTP_CASES)
def test_http_precedence(
    routes: list[dict[str, Any]], req: dict[str, Any], winner: str, lost_by: str | None
) -> None:
    result = _sim(routes, **req)
    assert _winner(result) == winner
    if lost_by is not None:
        losers = [c for c in result.candidates if c.matched and not c.shadowed]
        assert losers, "expected a runner-up"
        assert losers[0].lost_by is not None and losers[0].lost_by.startswith(lost_by)


def test_bare_domain_does_not_reach_a_wildcard_route() -> None:
    result = _sim([route("wild", hostnames=["*.a.io"])], host="a.io")
    assert result.outcome == "no-route" and result.status == 404


def test_no_fall_through_to_a_less_specific_hostname() -> None:
    routes = [
        route("exact", hostnames=["b.a.io"], rules=[rule(match("/only", "Exact"))]),
        route("wild", hostnames=["*.a.io"], rules=[rule()]),
    ]
    result = _sim(routes, host="b.a.io", path="/other")
    assert result.status == 404 and result.hostname == "b.a.io"
    assert [c.name for c in result.candidates if c.shadowed and c.matched] == ["wild"]


def test_segment_boundary_excludes_foobar() -> None:
    result = _sim([route("foo", rules=[rule(match("/foo"))])], path="/foobar")
    assert result.outcome == "no-route"


def _grpc(routes: list[dict[str, Any]], path: str, **req: Any) -> SimulationResult:
    gw = gateway(listeners=[listener()])
    request = SimulatedRequest.model_validate(
        {"host": "a.io", "path": path, "method": "POST", "protocol": "grpc", **req}
    )
    return simulate(snapshot(gw, *routes), request)


GRPC_CASES: list[Any] = [
    pytest.param(
        [
            route("svc", kind="GRPCRoute", rules=[rule(grpc_match("pkg.Svc"))]),
            route("both", kind="GRPCRoute", rules=[rule(grpc_match("pkg.Svc", "Get"))]),
        ],
        "/pkg.Svc/Get",
        "both#0.0",
        "most characters in a matching method",
        id="grpc-service-and-method-before-service-only",
    ),
    pytest.param(
        [
            route("meth", kind="GRPCRoute", rules=[rule(grpc_match(None, "Get"))]),
            route("svc", kind="GRPCRoute", rules=[rule(grpc_match("pkg.Svc"))]),
        ],
        "/pkg.Svc/Get",
        "svc#0.0",
        "most characters in a matching service",
        id="grpc-service-characters-before-method",
    ),
    pytest.param(
        [
            route("re", kind="GRPCRoute", rules=[rule(grpc_match("pkg.Svc.*", regex=True))]),
            route("all", kind="GRPCRoute", rules=[rule()]),
        ],
        "/pkg.Svc/Get",
        "all#0.0",
        "Exact method match before RegularExpression",
        id="grpc-regex-implementation-specific-after-exact",
    ),
    pytest.param(
        [
            route("a", kind="GRPCRoute", rules=[rule(grpc_match("pkg.Svc"))]),
            route("h", kind="GRPCRoute", rules=[rule(grpc_match("pkg.Svc", headers={"x": "1"}))]),
        ],
        "/pkg.Svc/Get",
        "h#0.0",
        "most header matches",
        id="grpc-most-header-matches",
    ),
    pytest.param(
        [route("new", kind="GRPCRoute", created=T2), route("old", kind="GRPCRoute", created=T1)],
        "/pkg.Svc/Get",
        "old#0.0",
        "oldest route by creationTimestamp",
        id="grpc-oldest-route",
    ),
]


@pytest.mark.parametrize(("routes", "path", "winner", "lost_by"), GRPC_CASES)
def test_grpc_precedence(
    routes: list[dict[str, Any]], path: str, winner: str, lost_by: str
) -> None:
    result = _grpc(routes, path, headers={"x": "1"})
    assert _winner(result) == winner
    loser = next(c for c in result.candidates if c.matched)
    assert loser.lost_by is not None and loser.lost_by.startswith(lost_by)


def test_grpc_request_ignores_http_routes() -> None:
    result = _grpc([route("http")], "/pkg.Svc/Get")
    assert result.outcome == "no-route"
