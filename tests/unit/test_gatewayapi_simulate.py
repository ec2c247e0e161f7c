"""simulate(): listener choice, the explanation it gives, and what it hands the routes."""

from __future__ import annotations

from typing import Any

import pytest

from gatewayapi_factories import backend, gateway, listener, match, policy, route, rule, snapshot
from ngf_console.gatewayapi import RoutingTable, SimulatedRequest, from_curl, simulate

LISTENERS = [
    listener("any", 80, "HTTP"),
    listener("wild", 80, "HTTP", "*.example.com"),
    listener("exact", 80, "HTTP", "app.example.com"),
    listener("tls", 443, "HTTPS", "app.example.com"),
]


def _req(**kw: Any) -> SimulatedRequest:
    return SimulatedRequest.model_validate({"host": "app.example.com", **kw})


@pytest.mark.parametrize(
    ("req", "chosen"),
    [
        pytest.param({"host": "app.example.com"}, "exact", id="listener-exact-hostname-first"),
        pytest.param({"host": "b.example.com"}, "wild", id="listener-wildcard-next"),
        pytest.param({"host": "example.com"}, "any", id="listener-wildcard-not-bare-domain"),
        pytest.param({"host": "other.io"}, "any", id="listener-no-hostname-last"),
        pytest.param({"scheme": "https"}, "tls", id="listener-scheme-and-port"),
        pytest.param({"host": "App.Example.com:80"}, "exact", id="listener-host-case-port"),
    ],
)
def test_listener_choice(req: dict[str, Any], chosen: str) -> None:
    routes = [
        route(f"r-{x['name']}", parents=[{"name": "gw", "sectionName": x["name"]}])
        for x in LISTENERS
    ]
    result = simulate(snapshot(gateway(listeners=LISTENERS), *routes), _req(**req))
    assert result.listener == chosen
    assert result.route is not None and result.route.name == f"r-{chosen}"
    reasons = {c.listener: c.reason for c in result.listeners if not c.chosen}
    assert all(reasons.values())


def test_no_listener_on_the_port() -> None:
    result = simulate(snapshot(gateway()), _req(port=8080))
    assert result.outcome == "no-listener" and result.listener is None
    assert "port 80, request port 8080" in result.listeners[0].reason


def test_only_accepted_routes_take_part() -> None:
    other_ns = route("r", "apps")  # Same-namespace listener refuses it
    result = simulate(snapshot(gateway(), other_ns), _req())
    assert result.outcome == "no-route"


def test_full_explanation() -> None:
    winner = route(
        "api",
        rules=[
            rule(
                match("/api", headers={"x-env": "prod"}),
                backends=[backend("svc", weight=9), backend("canary", weight=1)],
                filters=[
                    {
                        "type": "RequestHeaderModifier",
                        "requestHeaderModifier": {"add": [{"name": "x-via", "value": "gw"}]},
                    }
                ],
            )
        ],
    )
    loser = route("root", rules=[rule(match("/"))])
    csp = policy("ClientSettingsPolicy", "csp", "Gateway", "gw", body={"maxSize": "1m"})
    snap = snapshot(gateway(), winner, loser, csp)
    result = simulate(snap, from_curl("curl -H 'X-Env: prod' http://app.example.com/api/users"))
    assert result.outcome == "forwarded" and result.route is not None
    assert [(c.field, c.passed) for c in result.route.conditions] == [
        ("path", True),
        ("header:x-env", True),
    ]
    [lost] = result.candidates
    assert lost.name == "root" and lost.lost_by == "path: most characters in the PathPrefix"
    assert [(b.name, b.share, b.resolved) for b in result.backends] == [
        ("svc", 0.9, True),
        ("canary", 0.1, False),
    ]
    assert result.filters is not None and result.filters.upstream_headers["x-via"] == "gw"
    assert [c.reason for c in result.route_conditions] == ["Accepted", "BackendNotFound"]
    assert result.policies is not None
    assert [p.policy.name for p in result.policies.policies] == ["csp"]


def test_failed_candidates_show_the_failing_condition() -> None:
    snap = snapshot(gateway(), route("m", rules=[rule(match("/a", method="POST"))]))
    result = simulate(snap, _req(path="/a/b"))
    [cand] = result.candidates
    assert not cand.matched and [(c.field, c.passed) for c in cand.conditions] == [
        ("path", True),
        ("method", False),
    ]


def test_query_in_path_is_split_off() -> None:
    snap = snapshot(gateway(), route("q", rules=[rule(match("/s", "Exact", query={"a": "1"}))]))
    result = simulate(snap, _req(path="/s?a=1"))
    assert result.route is not None and result.request.path == "/s"


def test_request_gateway_picks_among_gateways_on_one_port() -> None:
    snap = snapshot(gateway("a"), gateway("b"), route("r", parents=[{"name": "b"}]))
    assert simulate(snap, _req()).gateway == "default/a"
    result = simulate(snap, _req(gateway="default/b"))
    assert result.gateway == "default/b" and result.route is not None


def test_routing_table_is_reusable() -> None:
    table = RoutingTable(snapshot(gateway(), route("r", rules=[rule(match("/x", "Exact"))])))
    assert table.simulate(_req(path="/x")).outcome == "forwarded"
    assert table.simulate(_req(path="/y")).outcome == "no-route"
