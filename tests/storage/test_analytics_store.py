"""The analytics store on both backends: chDB in-process, and a ClickHouse server reached
through clickhouse-connect's HTTP client (tests/clickhouse_http.py serves the HTTP interface
with the real engine behind it). Schema, OTLP ingest, rollups, custom SQL."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clickhouse_http import serving
from ngf_console.telemetry.analytics import schema
from ngf_console.telemetry.analytics.config import AnalyticsSettings
from ngf_console.telemetry.analytics.receiver import standalone_app
from ngf_console.telemetry.analytics.service import AnalyticsService
from ngf_console.telemetry.analytics.sql_guard import (
    RejectedSqlError,
    SqlLimits,
    check_select,
    run_select,
)
from ngf_console.telemetry.analytics.store import AnalyticsStore, QueryError
from ngf_console.telemetry.analytics.tables import ACCESS_LOGS
from otlp_fixtures import access as access_attrs
from otlp_fixtures import epp_decision, expected_access, inference, json_request, request

pytestmark = pytest.mark.anyio
PROTOBUF = {"content-type": "application/x-protobuf"}


@pytest.fixture(scope="module")
def engine_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One chDB directory for the module (chDB runs one path per process); each test gets a
    database of its own in it."""
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture(scope="module")
def server_url(engine_dir: Path) -> Iterator[str]:
    with serving(engine_dir) as url:
        yield url


def _settings(
    backend: str, engine_dir: Path, server_url: str | None, **extra: Any
) -> AnalyticsSettings:
    database = f"t_{secrets.token_hex(4)}"
    if backend == "chdb":
        return AnalyticsSettings(backend="chdb", dir=engine_dir, database=database, **extra)
    return AnalyticsSettings(backend="clickhouse", url=server_url, database=database, **extra)


@pytest.fixture(params=["chdb", "clickhouse"])
async def store(request: pytest.FixtureRequest, engine_dir: Path) -> AsyncIterator[AnalyticsStore]:
    url = request.getfixturevalue("server_url") if request.param == "clickhouse" else None
    opened = AnalyticsStore(_settings(request.param, engine_dir, url), engine_dir)
    await opened.start()
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def chdb_service(engine_dir: Path) -> AsyncIterator[AnalyticsService]:
    service = AnalyticsService(
        _settings("chdb", engine_dir, None), engine_dir, default_cluster="dflt"
    )
    try:
        yield service
    finally:
        await service.close()


def _client(service: AnalyticsService) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=standalone_app(service)), base_url="http://otlp"
    )


def _naive(row: dict[str, Any]) -> dict[str, Any]:
    ts = row["timestamp"]
    return {**row, "timestamp": ts.replace(tzinfo=None) if ts.tzinfo else ts}


# -- schema -------------------------------------------------------------------------------


async def test_migrations_create_every_table_once(store: AnalyticsStore) -> None:
    assert await store.applied_migrations() == [m.version for m in schema.MIGRATIONS]
    assert await store.migrate() == []  # nothing pending the second time
    tables = {r[0] for r in (await store.query("SHOW TABLES")).rows}
    for g in schema.GRANULARITIES:
        assert {f"ngf_metrics_{g.suffix}", f"ngf_inference_metrics_{g.suffix}"} <= tables
    assert {
        "ngf_access_logs",
        "ngf_inference_logs",
        "ngf_epp_decisions",
        "ngf_pod_samples",
    } <= tables
    ddl = (await store.query("SHOW CREATE TABLE ngf_access_logs")).rows[0][0]
    assert "PARTITION BY toYYYYMMDD(timestamp)" in ddl
    assert "ORDER BY (gateway, route, timestamp)" in ddl
    assert "toIntervalDay(7)" in ddl
    rollup = (await store.query("SHOW CREATE TABLE ngf_metrics_1m")).rows[0][0]
    assert (
        "AggregatingMergeTree" in rollup
        and "AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99)" in rollup
        and "`latency_hist` SimpleAggregateFunction(sumMap, Tuple(" in rollup
    )


async def test_reopening_keeps_the_data(engine_dir: Path) -> None:
    settings = _settings("chdb", engine_dir, None)
    first = AnalyticsStore(settings, engine_dir)
    await first.start()
    await first.command("INSERT INTO ngf_access_logs (timestamp, path) VALUES (now64(3), '/kept')")
    await first.close()
    second = AnalyticsStore(settings, engine_dir)
    await second.start()
    try:
        rows = (await second.query("SELECT path FROM ngf_access_logs")).rows
        assert rows == [("/kept",)]
    finally:
        await second.close()


# -- OTLP ingest --------------------------------------------------------------------------


async def _access_rows(service: AnalyticsService) -> list[dict[str, Any]]:
    store = await service.store()
    result = await store.query("SELECT * FROM ngf_access_logs ORDER BY timestamp")
    return [_naive(r) for r in result.dicts()]


async def test_protobuf_records_become_exactly_these_rows(chdb_service: AnalyticsService) -> None:
    records = [access_attrs(i) for i in range(4)]
    async with _client(chdb_service) as http:
        response = await http.post(
            "/v1/logs", content=request(records).SerializeToString(), headers=PROTOBUF
        )
    assert response.status_code == 200, response.text
    await (await chdb_service.ingest()).flush()
    assert await _access_rows(chdb_service) == [expected_access(i) for i in range(4)]


async def test_json_records_become_exactly_these_rows(chdb_service: AnalyticsService) -> None:
    async with _client(chdb_service) as http:
        response = await http.post(
            "/v1/logs", json=json_request([access_attrs(i) for i in range(3)], cluster="c2")
        )
    assert response.status_code == 200, response.text
    assert response.json() == {}
    await (await chdb_service.ingest()).flush()
    assert await _access_rows(chdb_service) == [expected_access(i, "c2") for i in range(3)]


async def test_inference_logs_and_epp_decisions_land_in_their_tables(
    chdb_service: AnalyticsService,
) -> None:
    body = request([inference(0), epp_decision(0), {"event.name": "k8s.event"}])
    async with _client(chdb_service) as http:
        response = await http.post("/v1/logs", content=body.SerializeToString(), headers=PROTOBUF)
    assert response.status_code == 200, response.text
    await (await chdb_service.ingest()).flush()
    store = await chdb_service.store()
    inf = (await store.query("SELECT * FROM ngf_inference_logs")).dicts()
    assert len(inf) == 1
    assert inf[0]["inference_pool"] == "llama-pool"
    assert inf[0]["tokens_generated"] == 200 and inf[0]["output_tokens"] == 200
    assert inf[0]["prefix_cache_hit"] is True and inf[0]["epp_selected_reason"] == "least_queue"
    dec = (await store.query("SELECT * FROM ngf_epp_decisions")).dicts()
    assert dec[0]["selected_pod"] == "llama-1"
    assert dec[0]["candidate_pods"] == ["llama-0", "llama-1"]
    assert dec[0]["candidate_scores"] == [0.4, 0.9]
    assert dec[0]["candidate_prefix_hits"] == [False, True]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (
            {"http.response.status_code": "teapot"},
            "http.response.status_code='teapot' is not a UInt16",
        ),
        ({"http.response.status_code": 70000}, "is not a UInt16"),
        ({"url.path": None}, "missing attribute url.path"),
        ({"ngf.latency_ms": [1.0]}, "is not a Float64"),
    ],
)
async def test_a_malformed_record_fails_the_whole_request(
    chdb_service: AnalyticsService, bad: dict[str, Any], reason: str
) -> None:
    broken = {k: v for k, v in access_attrs(2, **bad).items() if v is not None}
    body = request([access_attrs(0), access_attrs(1), broken]).SerializeToString()
    async with _client(chdb_service) as http:
        response = await http.post("/v1/logs", content=body, headers=PROTOBUF)
    assert response.status_code == 400
    message = response.json()["detail"]["message"]
    assert "logRecords[2]" in message and reason in message
    await (await chdb_service.ingest()).flush()
    assert await _access_rows(chdb_service) == []


async def test_undecodable_bodies_are_400(chdb_service: AnalyticsService) -> None:
    async with _client(chdb_service) as http:
        garbage = await http.post("/v1/logs", content=b"\xff\x00garbage", headers=PROTOBUF)
        not_json = await http.post(
            "/v1/logs", content=b"{", headers={"content-type": "application/json"}
        )
        wrong_type = await http.post(
            "/v1/logs", content=b"x", headers={"content-type": "text/plain"}
        )
    assert [garbage.status_code, not_json.status_code, wrong_type.status_code] == [400, 400, 400]


async def test_a_full_queue_answers_429_with_retry_after(engine_dir: Path) -> None:
    settings = _settings("chdb", engine_dir, None, queue_rows=3, flush_seconds=3600)
    service = AnalyticsService(settings, engine_dir)
    try:
        async with _client(service) as http:
            body = request([access_attrs(i) for i in range(3)]).SerializeToString()
            first = await http.post("/v1/logs", content=body, headers=PROTOBUF)
            second = await http.post("/v1/logs", content=body, headers=PROTOBUF)
        assert first.status_code == 200
        assert second.status_code == 429
        assert int(second.headers["retry-after"]) >= 1
        queue = await service.ingest()
        await queue.flush()
        assert queue.stats.inserted == 3 and queue.stats.refused_full == 3
    finally:
        await service.close()


# -- rollups ------------------------------------------------------------------------------

# Three days back: inside every TTL, and spanning several hours and days.
START = "toDateTime64(toStartOfHour(now() - INTERVAL 3 DAY), 3, 'UTC')"
_RAW = (
    "INSERT INTO ngf_access_logs (timestamp, cluster, namespace, gateway, route, status, "
    "latency_ms, upstream_latency_ms, request_size, response_size, user_agent) "
    f"SELECT {START} + toIntervalSecond(number * 37), "
    "'c1', 'ns-' || toString(number % 2), 'gw', 'r' || toString(number % 3), "
    "[200, 201, 404, 500, 503][number % 5 + 1], (number * 7919) % 1000 / 10, number % 50, "
    "number % 700, number % 3000, 'ua-' || toString(number % 4) FROM numbers(6000)"
)


async def test_each_access_rollup_equals_the_aggregate_of_the_raw_rows(
    store: AnalyticsStore,
) -> None:
    await store.command(_RAW)
    keys = "cluster, namespace, gateway, route, status_class"
    for g in schema.GRANULARITIES:
        measures = ", ".join(
            schema.merged(name, type_) + f" AS {name}"
            for name, type_, _ in schema.ACCESS_ROLLUP_MEASURES
        )
        rollup = await store.query(
            f"SELECT window_start, {keys}, {measures} FROM ngf_metrics_{g.suffix} "
            f"GROUP BY window_start, {keys} ORDER BY window_start, {keys}"
        )
        raw_measures = ", ".join(
            f"{expr.replace('State(', '(')} AS {name}"
            for name, _, expr in schema.ACCESS_ROLLUP_MEASURES
        )
        raw = await store.query(
            f"SELECT {g.window}(timestamp) AS window_start, cluster, namespace, gateway, route, "
            f"{schema._STATUS_CLASS} AS status_class, {raw_measures} FROM ngf_access_logs "
            f"GROUP BY window_start, {keys} ORDER BY window_start, {keys}"
        )
        assert rollup.rows, g.suffix
        assert rollup.rows == raw.rows, g.suffix


async def test_each_inference_rollup_equals_the_aggregate_of_the_raw_rows(
    store: AnalyticsStore,
) -> None:
    await store.command(
        "INSERT INTO ngf_inference_logs (timestamp, cluster, namespace, inference_pool, "
        "model_name, time_to_first_token_ms, total_inference_time_ms, tokens_generated, "
        "input_tokens, output_tokens, tokens_per_second, queue_depth_at_selection, "
        "kv_cache_pct_at_selection, prefix_cache_hit, gpu_utilization_pct, gpu_memory_used_mb, "
        "epp_decision_latency_us, status) "
        f"SELECT {START} + toIntervalSecond(number * 53), "
        "'c1', 'team-a', 'pool-' || toString(number % 2), 'm' || toString(number % 3), "
        "(number * 31) % 900, 1000 + number % 300, number % 400, number % 90, number % 400, "
        "(number % 100) * 1.5, number % 7, (number % 100) * 0.9, number % 3 = 0, number % 100, "
        "30000 + number % 5000, number % 200, [200, 200, 500][number % 3 + 1] FROM numbers(4000)"
    )
    keys = "cluster, namespace, inference_pool, model_name"
    for g in schema.GRANULARITIES:
        measures = ", ".join(
            schema.merged(name, type_) + f" AS {name}"
            for name, type_, _ in schema.INFERENCE_ROLLUP_MEASURES
        )
        rollup = await store.query(
            f"SELECT window_start, {keys}, {measures} FROM ngf_inference_metrics_{g.suffix} "
            f"GROUP BY window_start, {keys} ORDER BY window_start, {keys}"
        )
        raw_measures = ", ".join(
            f"{expr.replace('State(', '(')} AS {name}"
            for name, _, expr in schema.INFERENCE_ROLLUP_MEASURES
        )
        raw = await store.query(
            f"SELECT {g.window}(timestamp) AS window_start, {keys}, {raw_measures} "
            f"FROM ngf_inference_logs GROUP BY window_start, {keys} ORDER BY window_start, {keys}"
        )
        assert rollup.rows and rollup.rows == raw.rows, g.suffix


# -- custom SQL ---------------------------------------------------------------------------

LIMITS = SqlLimits(timeout_seconds=5, max_rows=100)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "INSERT INTO ngf_access_logs (path) VALUES ('x')",
            "only SELECT queries are allowed, not INSERT",
        ),
        ("ALTER TABLE ngf_access_logs DELETE WHERE 1", "not ALTER"),
        ("DROP TABLE ngf_access_logs", "not DROP"),
        ("SELECT 1; DROP TABLE ngf_access_logs", "only one statement"),
        ("SELECT 1; SELECT 2", "only one statement"),
        ("SELECT 1 SETTINGS readonly=0", "SETTINGS are not allowed"),
        ("SELECT 1 INTO OUTFILE '/tmp/x'", "INTO OUTFILE is not allowed"),
        ("/* hi */ -- there\n   ", "empty query"),
    ],
)
def test_custom_sql_is_one_select(sql: str, message: str) -> None:
    with pytest.raises(RejectedSqlError, match=message):
        check_select(sql)


def test_keywords_inside_strings_and_comments_do_not_count() -> None:
    assert check_select("SELECT 'DROP TABLE x; INSERT' AS s -- ; DROP\n;") == (
        "SELECT 'DROP TABLE x; INSERT' AS s -- ; DROP"
    )


async def test_custom_sql_runs_read_only_with_limits(store: AnalyticsStore) -> None:
    await store.command(_RAW)
    result = await run_select(
        store,
        "WITH 3 AS n SELECT route, count() AS c FROM ngf_access_logs "
        "GROUP BY route ORDER BY route LIMIT n;",
        LIMITS,
    )
    assert result.columns == ["route", "c"] and result.rows == [
        ("r0", 2000),
        ("r1", 2000),
        ("r2", 2000),
    ]
    with pytest.raises(QueryError, match="Limit for result exceeded"):
        await run_select(store, "SELECT number FROM numbers(1000)", LIMITS)
    with pytest.raises(QueryError, match=r"Code: 164.*readonly"):
        await run_select(store, "SELECT * FROM file('/etc/passwd', 'LineAsString')", LIMITS)
    with pytest.raises(QueryError, match=r"Code: 60.*no_such_table"):
        await run_select(store, "SELECT * FROM no_such_table", LIMITS)
    with pytest.raises(QueryError, match="Syntax error"):
        await run_select(store, "SELECT FROM WHERE", LIMITS)


def test_access_columns_match_the_spec() -> None:
    spec = [
        *("timestamp", "gateway", "listener", "route", "namespace", "method", "path"),
        *("status", "latency_ms", "upstream_latency_ms", "request_size", "response_size"),
        *("upstream_name", "upstream_addr", "client_ip", "user_agent", "request_id"),
        *("trace_id", "tls_version", "tls_cipher", "waf_action", "waf_violation_rating"),
        *("waf_signatures", "bot_classification", "xc_edge_latency_ms"),
    ]
    assert set(spec) <= set(ACCESS_LOGS.column_names)
    assert json.dumps(sorted(set(ACCESS_LOGS.column_names) - set(spec))) == json.dumps(
        ["cluster", "gateway_namespace", "host"]
    )
