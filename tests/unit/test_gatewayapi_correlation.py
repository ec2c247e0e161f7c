"""Request trace correlated with the logs (spec §3.7.2): ids from the request, observed vs
simulated aspect by aspect (a disagreement is a finding), timings as waterfall segments."""

from __future__ import annotations

from typing import Any

import pytest

from gatewayapi_factories import backend, gateway, route, rule
from ngf_console.gatewayapi import RoutingTable, SimulatedRequest
from ngf_console.gatewayapi.correlation import (
    MISSING_TIMINGS,
    correlate,
    keys_of,
    trace_id_of,
    uncorrelated,
)
from ngf_console.gatewayapi.simulate import SimulationResult
from ngf_console.gatewayapi.trace import trace_of
from ngf_console.readmodel.snapshot import ClusterSnapshot

TRACE = "0af7651916cd43dd8448eb211c80319c"


def service(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"ports": [{"port": 80}]},
    }


def simulate(path: str = "/api", headers: dict[str, str] | None = None) -> SimulationResult:
    objs = [
        gateway(),
        route(
            "app",
            hostnames=["app.example.com"],
            rules=[
                rule(backends=[backend("web", weight=90), backend("canary", weight=10)]),
            ],
        ),
        route(
            "old",
            hostnames=["old.example.com"],
            rules=[
                {
                    "filters": [
                        {
                            "type": "RequestRedirect",
                            "requestRedirect": {"hostname": "app.example.com"},
                        }
                    ]
                }
            ],
        ),
        service("web"),
        service("canary"),
    ]
    table = RoutingTable(ClusterSnapshot.from_objects(objs))
    host = "old.example.com" if path == "/old" else "app.example.com"
    return table.simulate(SimulatedRequest(host=host, path=path, headers=headers or {}))


def row(**over: Any) -> dict[str, Any]:
    base = {
        "timestamp": "2026-11-23T10:00:00+00:00",
        "gateway": "gw",
        "gateway_namespace": "default",
        "listener": "http",
        "route": "app",
        "namespace": "default",
        "host": "app.example.com",
        "method": "GET",
        "path": "/api",
        "status": 200,
        "latency_ms": 42.0,
        "upstream_latency_ms": 30.0,
        "upstream_name": "default_web_80",
        "upstream_addr": "10.0.2.7:8080",
        "request_id": "req-1",
        "trace_id": TRACE,
        "xc_edge_latency_ms": 0.0,
    }
    return base | over


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"00-{TRACE}-b7ad6b7169203331-01", TRACE),
        (f"00-{TRACE.upper()}-b7ad6b7169203331-01", TRACE),
        (f"ff-{TRACE}-b7ad6b7169203331-01", None),  # version ff is invalid
        ("00-" + "0" * 32 + "-b7ad6b7169203331-01", None),  # all-zero trace id
        (f"00-{TRACE}-" + "0" * 16 + "-01", None),  # all-zero parent id
        ("not a traceparent", None),
        (None, None),
    ],
)
def test_trace_id_of_a_w3c_traceparent(header: str | None, expected: str | None) -> None:
    assert trace_id_of(header) == expected


def test_keys_from_headers_and_explicit_ids() -> None:
    req = SimulatedRequest(
        host="h", headers={"X-Request-ID": "abc", "traceparent": f"00-{TRACE}-b7ad6b7169203331-01"}
    )
    assert keys_of(req).model_dump() == {"request_id": "abc", "trace_id": TRACE}
    explicit = keys_of(req, request_id="zzz", trace_id=TRACE.upper())
    assert explicit.model_dump() == {"request_id": "zzz", "trace_id": TRACE}
    assert not keys_of(SimulatedRequest(host="h")).any


def test_agreeing_row_by_request_id() -> None:
    sim = simulate(headers={"x-request-id": "req-1"})
    logs = correlate(sim, keys_of(sim.request), "request_id", [row()])
    assert logs.available and logs.agrees is True
    assert {f.aspect: f.agrees for f in logs.findings} == {
        "request": True,
        "gateway": True,
        "listener": True,
        "route": True,
        "upstream": True,
    }
    assert logs.observed is not None and logs.observed.upstream == "default_web_80"
    assert logs.missing_timings == list(MISSING_TIMINGS)
    segments = {s.name: (s.start_ms, s.duration_ms, s.parent) for s in logs.segments}
    assert segments == {
        "request": (0.0, 42.0, None),
        "gateway": (0.0, 12.0, "request"),
        "upstream": (12.0, 30.0, "request"),
    }
    trace = trace_of(sim, logs)
    upstream = next(s for s in trace.steps if s.stage == "upstream")
    response = trace.steps[-1]
    assert upstream.duration_ms == 30.0
    assert response.duration_ms == 42.0 and "200 from default_web_80" in response.summary


@pytest.mark.parametrize(
    ("over", "aspect", "words"),
    [
        ({"upstream_name": "default_legacy_80"}, "upstream", "none of the simulated backends"),
        ({"route": "other"}, "route", "logged default/other, simulated default/app"),
        ({"listener": "https"}, "listener", "logged https"),
        ({"upstream_name": "", "status": 404}, "upstream", "answered 404 without an upstream"),
        ({"path": "/web"}, "request", "simulate the logged request"),
    ],
)
def test_each_disagreement_is_a_finding(over: dict[str, Any], aspect: str, words: str) -> None:
    sim = simulate()
    logs = correlate(sim, keys_of(sim.request, request_id="req-1"), "request_id", [row(**over)])
    assert logs.agrees is False
    bad = [f for f in logs.findings if not f.agrees]
    assert [f.aspect for f in bad] == [aspect]
    assert words in bad[0].message


def test_gateway_answered_itself_as_simulated() -> None:
    sim = simulate("/old")
    assert sim.status == 302
    ok = correlate(
        sim,
        keys_of(sim.request),
        "recent",
        [row(host="old.example.com", path="/old", route="old", status=302, upstream_name="")],
    )
    status = next(f for f in ok.findings if f.aspect == "status")
    assert status.agrees and ok.agrees
    assert "request" not in {f.aspect for f in ok.findings}  # found by host+path+method
    bad = correlate(sim, keys_of(sim.request), "recent", [row(route="old", status=200)])
    assert next(f for f in bad.findings if f.aspect == "status").agrees is False


def test_inference_rows_add_epp_queue_prefill_decode_segments() -> None:
    sim = simulate()
    inference = {
        "request_id": "req-1",
        "queue_time_ms": 5.0,
        "prefill_time_ms": 7.0,
        "decode_time_ms": 15.0,
        "time_to_first_token_ms": 13.0,
        "epp_decision_latency_us": 80.0,
    }
    decision = {"request_id": "req-1", "decision_latency_us": 500.0, "selected_pod": "llama-1"}
    logs = correlate(
        sim, keys_of(sim.request, "req-1"), "request_id", [row()], [inference], [decision]
    )
    seg = {s.name: s for s in logs.segments}
    assert seg["epp-decision"].duration_ms == 0.5  # the EPP's own row wins
    assert seg["epp-decision"].start_ms == seg["upstream"].start_ms == 12.0
    assert (seg["queue"].start_ms, seg["prefill"].start_ms, seg["decode"].start_ms) == (
        12.5,
        17.5,
        24.5,
    )
    assert seg["time-to-first-token"].duration_ms == 13.0
    assert logs.epp_decisions == [decision]


def test_edge_latency_shifts_the_waterfall() -> None:
    sim = simulate()
    logs = correlate(sim, keys_of(sim.request), "recent", [row(xc_edge_latency_ms=8.0)])
    seg = {s.name: s.start_ms for s in logs.segments}
    assert seg == {"xc-edge": 0.0, "request": 8.0, "gateway": 8.0, "upstream": 20.0}


def test_no_rows_and_no_store_say_why() -> None:
    sim = simulate()
    empty = correlate(sim, keys_of(sim.request, "nope"), "request_id", [])
    assert empty.available and empty.observed is None and empty.agrees is None
    assert empty.reason == "no access-log rows with this request id in the window"
    off = uncorrelated("analytics are disabled", keys_of(sim.request, "nope"))
    assert not off.available and off.request_id == "nope"
    trace = trace_of(sim, off)
    assert trace.steps[-1].summary.startswith("forwarded; the backend's response")
