"""Query alert rules through the real API: a PromQL rule against a real Prometheus scraping
a test exporter, and a SQL rule over chDB fed through the OTLP receiver, each firing and
resolving once at a local webhook receiver; refused queries name the field; a source that
fails shows on the rule, not as a crash."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from lightkube import ApiError, Client
from lightkube.models.authentication_v1 import TokenRequestSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.models.rbac_v1 import PolicyRule, RoleRef, Subject
from lightkube.resources.core_v1 import ServiceAccount, ServiceAccountToken
from lightkube.resources.rbac_authorization_v1 import ClusterRole, ClusterRoleBinding
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from prometheus_harness import running_prometheus

from alert_receiver import Receiver, serve
from ngf_console.api.auth import AuthSettings
from ngf_console.telemetry.analytics.config import AnalyticsSettings
from ngf_console.telemetry.analytics.otlp import attribute_of
from ngf_console.telemetry.prometheus import PrometheusClient
from otlp_fixtures import inference

PROTOBUF = {"content-type": "application/x-protobuf"}


class Gauges:
    """What the test exporter serves: ``ngf_test_queue{pool=...}``, settable."""

    def __init__(self) -> None:
        self.values = {"a": 1.0, "b": 2.0}
        self.lock = threading.Lock()

    def exposition(self) -> str:
        with self.lock:
            return "".join(f'ngf_test_queue{{pool="{p}"}} {v}\n' for p, v in self.values.items())


@pytest.fixture(scope="module")
def gauges() -> Gauges:
    return Gauges()


@pytest.fixture(scope="module")
def exporter(gauges: Gauges) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = gauges.exposition().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def prometheus(exporter: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_prometheus(tmp_path_factory.mktemp("prom"), static_targets=[exporter]) as url:

        async def scraped() -> bool:
            client = PrometheusClient(url)
            try:
                return bool(await client.instant("ngf_test_queue"))
            finally:
                await client.aclose()

        deadline = time.monotonic() + 30
        while not asyncio.run(scraped()):
            assert time.monotonic() < deadline, "Prometheus never scraped the exporter"
            time.sleep(0.5)
        yield url


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, str]]:
    got = Receiver()
    with serve(got) as url:
        yield got, url


@pytest.fixture(scope="module")
def api(
    kubeconfig: Path, prometheus: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("alert-queries") / "console.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NGF_ALERTS_INTERVAL_SECONDS", "1")
        settings = settings_for(kubeconfig, db, prometheus_url=prometheus)
        with running_api(settings) as url, httpx.Client(base_url=url, timeout=60) as client:
            yield client


def _rule(source: str, query: str, hook: str, **config: Any) -> dict[str, Any]:
    return {
        "name": f"{source} {hook}",
        "config": {
            "source": source,
            "query": query,
            "operator": ">",
            "threshold": 5,
            "for": 0,
            "severity": "warning",
            "labels": {"team": "ml"},
            **config,
        },
        "notification_channels": [{"type": "webhook", "url": hook}],
    }


def _events(got: Receiver, path: str) -> list[tuple[str, dict[str, str], Any]]:
    return [(b["event"], b["labels"], b["value"]) for b in got.bodies(path)]


def test_every_query_source_is_offered_with_prometheus_and_analytics(api: httpx.Client) -> None:
    sources = api.get("/api/v1/alerts/sources").json()
    assert [(s["name"], s["available"], s["query_language"]) for s in sources] == [
        ("cert_expiry", True, None),
        ("prometheus_query", True, "promql"),
        ("clickhouse_query", True, "sql"),
    ]


def test_a_promql_rule_fires_and_resolves_once(
    api: httpx.Client, gauges: Gauges, receiver: tuple[Receiver, str]
) -> None:
    got, base = receiver
    hook = "/hook/promql"
    body = _rule("prometheus_query", "max by (pool) (ngf_test_queue)", f"{base}{hook}")
    created = api.post("/api/v1/alerts/rules", json=body)
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]

    tested = api.post(f"/api/v1/alerts/rules/{rule_id}/test")
    assert tested.status_code == 200, tested.text
    # The counts come back in the delivery records too (the UI's "Test" shows them).
    assert [r["annotations"] for r in tested.json()] == [{"samples": "2", "meeting_condition": "0"}]
    (test_event,) = got.bodies(hook)
    assert test_event["event"] == "test"
    assert test_event["annotations"] == {"samples": "2", "meeting_condition": "0"}

    with gauges.lock:
        gauges.values["a"] = 9.0
    until(lambda: len(got.bodies(hook)) >= 2, timeout=30, what="the PromQL rule to fire")
    assert _events(got, hook)[1] == ("firing", {"pool": "a", "team": "ml"}, 9.0)
    (active,) = api.get("/api/v1/alerts/active", params={"rule_id": rule_id}).json()
    assert (active["state"], active["labels"], active["value"]) == ("firing", {"pool": "a"}, 9.0)

    with gauges.lock:
        gauges.values["a"] = 1.0
    until(lambda: len(got.bodies(hook)) >= 3, timeout=30, what="the PromQL rule to resolve")
    time.sleep(2)  # two more evaluations: nothing more is sent
    assert [e[0] for e in _events(got, hook)] == ["test", "firing", "resolved"]
    assert _events(got, hook)[2][1] == {"pool": "a", "team": "ml"}
    assert api.get(f"/api/v1/alerts/rules/{rule_id}").json()["last_error"] is None
    assert api.delete(f"/api/v1/alerts/rules/{rule_id}").status_code == 204


def _inference_now(pool: str, statuses: list[int]) -> bytes:
    """Inference-log records stamped now (the rule reads the last seconds)."""
    req = ExportLogsServiceRequest()
    scope_logs = req.resource_logs.add().scope_logs.add()
    now_ns = time.time_ns()
    for i, status in enumerate(statuses):
        record = scope_logs.log_records.add()
        record.time_unix_nano = now_ns + i * 1_000_000
        attrs = inference(i) | {
            "ngf.inference_pool.name": pool,
            "http.response.status_code": status,
        }
        for key, value in attrs.items():
            record.attributes.append(attribute_of(key, value))
    return req.SerializeToString()


ERRORS_SQL = """
SELECT namespace, inference_pool AS pool, countIf(status >= 500) AS value
FROM ngf_inference_logs
WHERE timestamp >= {since:DateTime64(3, 'UTC')} AND timestamp < {until:DateTime64(3, 'UTC')}
GROUP BY namespace, pool
"""


def test_a_sql_rule_fires_and_resolves_once(
    api: httpx.Client, receiver: tuple[Receiver, str]
) -> None:
    got, base = receiver
    hook = "/hook/sql"
    body = _rule("clickhouse_query", ERRORS_SQL, f"{base}{hook}", params={"window": "8s"})
    created = api.post("/api/v1/alerts/rules", json=body)
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]

    # 6 errors out of 8 in pool "sick" (over the threshold), 2 of 4 in "well" (under).
    sent = api.post(
        "/v1/logs", content=_inference_now("sick", [500] * 6 + [200] * 2), headers=PROTOBUF
    )
    assert sent.status_code == 200, sent.text
    sent = api.post(
        "/v1/logs", content=_inference_now("well", [503, 200, 503, 200]), headers=PROTOBUF
    )
    assert sent.status_code == 200, sent.text

    until(lambda: got.bodies(hook), timeout=30, what="the SQL rule to fire")
    assert _events(got, hook) == [
        ("firing", {"namespace": "team-a", "pool": "sick", "team": "ml"}, 6.0)
    ]
    active = api.get("/api/v1/alerts/active", params={"rule_id": rule_id}).json()
    assert [(a["labels"]["pool"], a["value"]) for a in active] == [("sick", 6.0)]

    # The rows leave the 8 s window: the sample is gone and the alert resolves, once.
    until(lambda: len(got.bodies(hook)) >= 2, timeout=30, what="the SQL rule to resolve")
    time.sleep(2)
    assert [e[0] for e in _events(got, hook)] == ["firing", "resolved"]
    assert api.get(f"/api/v1/alerts/rules/{rule_id}").json()["last_error"] is None
    assert api.delete(f"/api/v1/alerts/rules/{rule_id}").status_code == 204


@pytest.mark.parametrize(
    ("source", "query", "params", "field", "message"),
    [
        ("clickhouse_query", "DROP TABLE ngf_inference_logs", {}, "query", "not DROP"),
        ("clickhouse_query", "SELECT 1 AS value; SELECT 2", {}, "query", "one statement"),
        ("clickhouse_query", "SELECT 1 AS n", {}, "query", "numeric column named 'value'"),
        ("clickhouse_query", "SELECT 'x' AS value", {}, "query", "must be numeric, not String"),
        ("clickhouse_query", "SELECT nope AS value", {}, "query", "Unknown expression"),
        ("clickhouse_query", "", {}, "query", "needs a query"),
        ("clickhouse_query", "SELECT 1 AS value", {"window": "soon"}, "params.window", "duration"),
        ("prometheus_query", "sum(ngf_test_queue", {}, "query", "Prometheus refused the query"),
        ("prometheus_query", "ngf_test_queue[1m]", {}, "query", "instant vector"),
        ("prometheus_query", "  ", {}, "query", "needs a query"),
        ("prometheus_query", "up", {"x": 1}, "params.x", "Extra inputs"),
    ],
)
def test_refused_queries_name_the_field(
    api: httpx.Client, source: str, query: str, params: dict[str, Any], field: str, message: str
) -> None:
    body = _rule(source, query, "http://127.0.0.1:9/hook", params=params)
    response = api.post("/api/v1/alerts/rules", json=body)
    assert response.status_code == 422, response.text
    causes = {c["field"]: c["message"] for c in response.json()["detail"]["causes"]}
    assert message in causes[f"body.config.{field}"], causes


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # Well-typed (ClickHouse can describe it), fails only when run.
        (
            "SELECT toUInt64(x) AS value FROM (SELECT arrayJoin(['1', 'zz']) AS x)",
            "ClickHouse: Code: ",
        ),
        # Two rows would be one alert.
        (
            "SELECT 'a' AS pool, 1 AS value UNION ALL SELECT 'a' AS pool, 2 AS value",
            "two results have the same labels (pool=a)",
        ),
    ],
)
def test_a_failing_query_shows_on_the_rule(
    api: httpx.Client, receiver: tuple[Receiver, str], sql: str, expected: str
) -> None:
    got, base = receiver
    hook = "/hook/broken"
    created = api.post("/api/v1/alerts/rules", json=_rule("clickhouse_query", sql, f"{base}{hook}"))
    assert created.status_code == 201, created.text
    rule = f"/api/v1/alerts/rules/{created.json()['id']}"
    error = until(lambda: api.get(rule).json()["last_error"], what="the rule's error")
    assert expected in error
    assert api.get("/api/v1/alerts/active", params={"rule_id": created.json()["id"]}).json() == []
    tested = api.post(f"{rule}/test")
    assert tested.status_code == 400
    assert tested.json()["detail"]["reason"] == "SourceFailed"
    assert got.bodies(hook) == []  # nothing sent
    assert api.delete(rule).status_code == 204


def test_prometheus_down_is_the_rules_error_not_a_crash(
    kubeconfig: Path, tmp_path: Path, receiver: tuple[Receiver, str]
) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    got, base = receiver
    hook = "/hook/down"
    settings = settings_for(
        kubeconfig,
        tmp_path / "console.db",
        prometheus_url=dead,
        analytics=AnalyticsSettings(enabled=False),
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NGF_ALERTS_INTERVAL_SECONDS", "1")
        with running_api(settings) as url, httpx.Client(base_url=url, timeout=30) as http:
            body = _rule("prometheus_query", "ngf_test_queue", f"{base}{hook}")
            # Prometheus being down is not the rule's fault: it is saved.
            created = http.post("/api/v1/alerts/rules", json=body)
            assert created.status_code == 201, created.text
            rule = f"/api/v1/alerts/rules/{created.json()['id']}"
            error = until(lambda: http.get(rule).json()["last_error"], what="the rule's error")
            assert error.startswith("Prometheus: ") and "unreachable" in error
            assert http.get("/api/v1/alerts/active").json() == []
            # Without analytics there is no clickhouse_query source on this server.
            sql = _rule("clickhouse_query", "SELECT 1 AS value", f"{base}{hook}")
            refused = http.post("/api/v1/alerts/rules", json=sql)
            assert refused.status_code == 422
            assert "unknown metric source" in refused.json()["detail"]["causes"][0]["message"]
    assert got.bodies(hook) == []


def _cluster_role(kube: Client, name: str, rules: list[PolicyRule], account: str, ns: str) -> None:
    kube.create(ClusterRole(metadata=ObjectMeta(name=name), rules=rules))
    kube.create(
        ClusterRoleBinding(
            metadata=ObjectMeta(name=name),
            roleRef=RoleRef(apiGroup="rbac.authorization.k8s.io", kind="ClusterRole", name=name),
            subjects=[Subject(kind="ServiceAccount", name=account, namespace=ns)],
        )
    )


def test_query_rules_need_cluster_wide_reads_of_what_they_query(
    kubeconfig: Path, kube: Client, namespace: str, prometheus: str, tmp_path: Path
) -> None:
    """Kubernetes auth: writing alert rules is not enough for a query rule; its writer must
    also list what the query reads in every namespace (as for POST /logs/sql)."""
    kube.create(ServiceAccount(metadata=ObjectMeta(name="alerter", namespace=namespace)))
    token = kube.create(
        ServiceAccountToken(
            metadata=ObjectMeta(), spec=TokenRequestSpec(audiences=[], expirationSeconds=3600)
        ),
        "alerter",
        namespace=namespace,
    ).status
    assert token is not None
    headers = {"Authorization": f"Bearer {token.token}"}
    names = [f"{namespace}-alert-writer", f"{namespace}-telemetry-reader"]
    write = PolicyRule(
        apiGroups=["ngf-console.f5.com"], resources=["alertrules"], verbs=["create", "update"]
    )
    read = PolicyRule(
        apiGroups=["gateway.networking.k8s.io", "inference.networking.k8s.io"],
        resources=["gateways", "httproutes", "inferencepools"],
        verbs=["get", "list"],
    )
    settings = settings_for(
        kubeconfig,
        tmp_path / "console.db",
        prometheus_url=prometheus,
        auth=AuthSettings.model_validate(
            {"mode": "kubernetes", "kubernetes": {"access_review_cache_seconds": 0}}
        ),
    )
    try:
        _cluster_role(kube, names[0], [write], "alerter", namespace)
        with running_api(settings) as url, httpx.Client(base_url=url, timeout=30) as http:
            promql = _rule("prometheus_query", "max by (pool) (ngf_test_queue)", "http://x/h")
            sql = _rule("clickhouse_query", "SELECT 1 AS value", "http://x/h")
            cert = _rule("cert_expiry", "", "http://x/h")
            cert["config"].pop("query")
            assert http.post("/api/v1/alerts/rules", json=cert, headers=headers).status_code == 201
            for body in (promql, sql):
                refused = http.post("/api/v1/alerts/rules", json=body, headers=headers)
                assert refused.status_code == 403, refused.text
            _cluster_role(kube, names[1], [read], "alerter", namespace)
            for body in (promql, sql):
                created = http.post("/api/v1/alerts/rules", json=body, headers=headers)
                assert created.status_code == 201, created.text
    finally:
        for name in names:
            for kind in (ClusterRoleBinding, ClusterRole):
                with contextlib.suppress(ApiError):
                    kube.delete(kind, name)
