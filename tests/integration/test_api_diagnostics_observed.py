"""The logs' and the network's side of the diagnostics, on the real control plane and a real
chDB: access-log, inference and EPP rows go in through the API's OTLP receiver, then the
request trace correlates them (request id, trace id, recent like requests), the traffic split
shows the observed shares and their drift, and route check 8 reads the cluster's
EndpointSlices and NetworkPolicies."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from lightkube import Client
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from test_api_diagnostics import (
    _create,
    build_base,
    check,
    diagnose,
    play_route_status,
    pod_doc,
    route_doc,
    service_doc,
)

from ngf_console.telemetry.analytics.config import AnalyticsSettings
from ngf_console.telemetry.analytics.otlp import attribute_of

PROTOBUF = {"content-type": "application/x-protobuf"}
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
DP_LABEL = "gateway.networking.k8s.io/gateway-name"


@pytest.fixture(scope="module")
def api(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("diag-observed") / "console.db"
    with (
        running_api(settings_for(kubeconfig, db)) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        yield http


def access(ns: str, i: int, upstream: str, **over: Any) -> dict[str, Any]:
    """An NGINX access-log record of a request to route ns/app through Gateway ns/gw."""
    attrs: dict[str, Any] = {
        "http.request.method": "GET",
        "url.path": "/api/users",
        "http.response.status_code": 200,
        "server.address": "app.example.com",
        "ngf.gateway.name": "gw",
        "ngf.gateway.namespace": ns,
        "ngf.listener.name": "http",
        "ngf.route.name": "app",
        "ngf.route.namespace": ns,
        "ngf.latency_ms": 42.0,
        "ngf.upstream.latency_ms": 30.0,
        "ngf.upstream.name": upstream,
        "ngf.upstream.address": "10.0.2.7:80",
        "ngf.request.id": f"{ns}-req-{i}",
    }
    return attrs | over


def send(http: httpx.Client, records: list[tuple[dict[str, Any], str | None]]) -> None:
    """One OTLP request; record k is stamped k ms after 10 s ago (so newer ones come later)."""
    req = ExportLogsServiceRequest()
    scope_logs = req.resource_logs.add().scope_logs.add()
    base = time.time_ns() - 10_000_000_000
    for k, (attrs, trace_id) in enumerate(records):
        record = scope_logs.log_records.add()
        record.time_unix_nano = base + k * 1_000_000
        if trace_id:
            record.trace_id = bytes.fromhex(trace_id)
        for key, value in attrs.items():
            record.attributes.append(attribute_of(key, value))
    sent = http.post("/v1/logs", content=req.SerializeToString(), headers=PROTOBUF)
    assert sent.status_code == 200, sent.text


def canary_route(kube: Client, ns: str) -> None:
    build_base(kube, ns)
    backends = [
        {"name": "web", "port": 80, "weight": 80},
        {"name": "canary", "port": 80, "weight": 20},
    ]
    _create(kube, service_doc(ns, "canary", app="canary"), route_doc(ns, backends=backends))


def trace(http: httpx.Client, ns: str, headers: str = "", **body: Any) -> dict[str, Any]:
    curl = f"curl {headers} http://app.example.com/api/users".replace("  ", " ")
    response = http.post(
        "/api/v1/diagnostics/trace", json={"curl": curl, "gateway": f"{ns}/gw"} | body
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def traced(
    http: httpx.Client, ns: str, headers: str = "", *, epp: bool = False, **body: Any
) -> dict[str, Any]:
    """The trace once the route is cached and the rows (each table's) are queryable."""

    def ready() -> dict[str, Any] | None:
        result = trace(http, ns, headers, **body)
        logs = result["logs"]
        if epp and not logs["epp_decisions"]:
            return None
        return result if logs["observed"] and result["outcome"] == "forwarded" else None

    return until(ready, timeout=60, what="the trace to see the rows")


def test_trace_by_request_id_trace_id_and_recent_rows(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    ns = namespace
    canary_route(kube, ns)
    inference = {
        "event.name": "ngf.inference",
        "ngf.inference_pool.name": "pool",
        "ngf.inference_pool.namespace": ns,
        "gen_ai.request.model": "llama",
        "ngf.request.id": f"{ns}-req-1",
        "ngf.inference.queue_ms": 4.0,
        "ngf.inference.prefill_ms": 6.0,
        "ngf.inference.decode_ms": 15.0,
        "ngf.inference.ttft_ms": 11.0,
    }
    decision = {
        "event.name": "ngf.epp.decision",
        "ngf.inference_pool.name": "pool",
        "ngf.inference_pool.namespace": ns,
        "ngf.request.id": f"{ns}-req-1",
        "ngf.epp.selected_pod": "llama-1",
        "ngf.epp.decision_latency_us": 500.0,
    }
    send(
        api,
        [
            (access(ns, 1, f"{ns}_web_80"), TRACE_ID),
            (inference, None),
            (decision, None),
            # Served by an upstream no backendRef names: the data plane disagrees.
            (access(ns, 2, f"{ns}_legacy_80", **{"http.response.status_code": 503}), None),
        ],
    )

    by_id = traced(api, ns, f"-H 'X-Request-ID: {ns}-req-1'", epp=True)
    logs = by_id["logs"]
    assert (logs["matched_by"], logs["agrees"]) == ("request_id", True)
    assert logs["observed"]["upstream"] == f"{ns}_web_80"
    assert logs["observed"]["status"] == 200
    assert {f["aspect"]: f["agrees"] for f in logs["findings"]} == {
        "request": True,
        "gateway": True,
        "listener": True,
        "route": True,
        "upstream": True,
    }
    segments = {s["name"]: (s["start_ms"], s["duration_ms"]) for s in logs["segments"]}
    assert segments["request"] == (0.0, 42.0)
    assert segments["upstream"] == (12.0, 30.0)
    assert segments["epp-decision"] == (12.0, 0.5)
    assert segments["queue"] == (12.5, 4.0) and segments["decode"] == (22.5, 15.0)
    assert [d["selected_pod"] for d in logs["epp_decisions"]] == ["llama-1"]
    assert len(logs["inference_logs"]) == 1
    assert any("upstream connect time" in m for m in logs["missing_timings"])
    upstream_step = next(s for s in by_id["steps"] if s["stage"] == "upstream")
    assert upstream_step["duration_ms"] == 30.0
    assert by_id["steps"][-1]["summary"].startswith("logged for this request: 200 from")

    wrong = traced(api, ns, f"-H 'X-Request-ID: {ns}-req-2'")["logs"]
    assert wrong["agrees"] is False
    [finding] = [f for f in wrong["findings"] if not f["agrees"]]
    assert finding["aspect"] == "upstream" and f"{ns}_legacy_80" in finding["message"]

    parent = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
    by_trace = traced(api, ns, f"-H 'traceparent: {parent}'")["logs"]
    assert (by_trace["matched_by"], by_trace["trace_id"]) == ("trace_id", TRACE_ID)
    assert by_trace["observed"]["request_id"] == f"{ns}-req-1"

    recent = traced(api, ns)["logs"]
    assert recent["matched_by"] == "recent" and "need not be this request" in recent["reason"]
    # The newest like request is req-2 (other namespaces' rows share the host and path, but
    # they were sent before this test's rows or carry other ids).
    assert recent["observed"]["request_id"].endswith("-req-2")

    missing = trace(api, ns, request_id="no-such-id")["logs"]
    assert missing["available"] and missing["observed"] is None
    assert missing["reason"] == "no access-log rows with this request id in the window"
    bad = api.post("/api/v1/diagnostics/trace", json={"host": "app.example.com", "trace_id": "xyz"})
    assert bad.status_code == 422


def test_traffic_split_observed_shares_and_drift(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    ns = namespace
    canary_route(kube, ns)
    # Configured 80/20, observed 50/50 over 200 requests: drift.
    rows = [(access(ns, i, f"{ns}_{'web' if i % 2 else 'canary'}_80"), None) for i in range(200)]
    send(api, rows)

    def split() -> dict[str, Any] | None:
        response = api.get("/api/v1/traffic-split", params={"namespace": ns, "name": "app"})
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        observed = body["observed"]
        return body if observed and observed["total_requests"] == 200 else None

    body = until(split, timeout=60, what="the observed split")
    seen = body["observed"]
    [rule] = seen["rules"]
    assert rule["judged"] and rule["requests"] == 200
    assert [
        (b["name"], b["configured_share"], b["observed_share"], b["drifted"])
        for b in rule["backends"]
    ] == [
        ("web", 0.8, 0.5, True),
        ("canary", 0.2, 0.5, True),
    ]
    assert seen["drifted"] and "configured 80.0%" in seen["findings"][0]
    assert sum(sum(b["counts"].values()) for b in seen["series"]) == 200
    assert seen["bucket_seconds"] == 60
    assert body["observed_reason"].startswith("200 access-log row(s) of the route")
    loose = api.get(
        "/api/v1/traffic-split", params={"namespace": ns, "name": "app", "tolerance": 0.5}
    ).json()
    assert loose["observed"]["drifted"] is False
    off = api.get(
        "/api/v1/traffic-split", params={"namespace": ns, "name": "app", "observe": False}
    )
    assert off.json()["observed"] is None and "observe=false" in off.json()["observed_reason"]
    reversed_window = api.get(
        "/api/v1/traffic-split",
        params={
            "namespace": ns,
            "name": "app",
            "since": "2026-01-02T00:00:00Z",
            "until": "2026-01-01T00:00:00Z",
        },
    )
    assert reversed_window.status_code == 400


def test_without_analytics_the_trace_and_split_say_why(
    kubeconfig: Path, kube: Client, namespace: str, tmp_path: Path
) -> None:
    ns = namespace
    canary_route(kube, ns)
    settings = settings_for(
        kubeconfig, tmp_path / "console.db", analytics=AnalyticsSettings(enabled=False)
    )
    with running_api(settings) as url, httpx.Client(base_url=url, timeout=60) as http:

        def forwarded() -> dict[str, Any] | None:
            result = trace(http, ns, "-H 'X-Request-ID: abc'")
            return result if result["outcome"] == "forwarded" else None

        result = until(forwarded, what="the route in the cache")
        assert result["logs"]["available"] is False
        assert "analytics are disabled" in result["logs"]["reason"]
        assert result["logs"]["request_id"] == "abc"
        assert result["steps"][2]["summary"].startswith(f"HTTPRoute {ns}/app rule 0")
        split = http.get("/api/v1/traffic-split", params={"namespace": ns, "name": "app"}).json()
        assert split["observed"] is None and "analytics are disabled" in split["observed_reason"]
        assert [b["share"] for b in split["rules"][0]["backends"]] == [0.8, 0.2]


def netpol(ns: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def test_reachability_reads_network_policies_and_endpoint_slices(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    ns = namespace
    build_base(kube, ns)
    _create(kube, route_doc(ns))
    play_route_status(kube, ns, "app")
    reach = "network-connectivity"
    diagnose(api, ns, "app", lambda r: check(r, reach)["status"] == "pass", "reachable")

    # Deny all ingress to the web pods: the data plane cannot reach them.
    _create(kube, netpol(ns, "deny-web", {"podSelector": {"matchLabels": {"app": "web"}}}))
    report = diagnose(api, ns, "app", lambda r: check(r, reach)["status"] != "pass", "blocked")
    blocked = check(report, reach)
    # No data-plane pod runs here: the verdict rests on NGF 2.x's labels, so it warns.
    assert blocked["status"] == "warn", blocked
    assert f"refused by {ns}/deny-web" in blocked["summary"]
    assert "ingress rule" in blocked["remediation"] and f"{DP_LABEL}: gw" in blocked["remediation"]

    # A data-plane pod of the Gateway: now the refusal is certain.
    dp = pod_doc(ns, "gw-nginx-0", app="nginx")
    dp["metadata"]["labels"][DP_LABEL] = "gw"
    _create(kube, dp)
    report = diagnose(api, ns, "app", lambda r: check(r, reach)["status"] == "fail", "a fail")
    assert f"{ns}/gw-nginx-0 -> {ns}/web-0:80 (ingress)" in check(report, reach)["summary"]

    # The rule the remediation asks for admits it again.
    peer = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
        "podSelector": {"matchLabels": {DP_LABEL: "gw"}},
    }
    allow = {
        "podSelector": {"matchLabels": {"app": "web"}},
        "ingress": [{"from": [peer], "ports": [{"port": 80}]}],
    }
    _create(kube, netpol(ns, "allow-gw", allow))
    report = diagnose(api, ns, "app", lambda r: check(r, reach)["status"] == "pass", "admitted")
    assert f"ingress admitted by {ns}/allow-gw" in check(report, reach)["evidence"]


def test_reachability_named_target_port_missing(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    ns = namespace
    build_base(kube, ns)
    svc = service_doc(ns, "named", app="web")
    svc["spec"]["ports"] = [{"port": 80, "targetPort": "http"}]
    _create(kube, svc, route_doc(ns, backends=[{"name": "named", "port": 80}]))
    play_route_status(kube, ns, "app")
    reach = "network-connectivity"
    report = diagnose(api, ns, "app", lambda r: check(r, reach)["status"] == "fail", "a fail")
    failed = check(report, reach)
    assert "no container port named 'http'" in failed["summary"]
    assert "targetPort" in failed["remediation"]
