"""The analytics routes on the real API server: OTLP in at /v1/logs, logs and inference
data out through /logs/*, /inference/logs and /inference/epp/decisions (chDB beside the
test's config DB)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from api_harness import running_api, settings_for, until

from otlp_fixtures import BASE, access, epp_decision, inference, request

PROTOBUF = {"content-type": "application/x-protobuf"}
SINCE = (BASE.replace(tzinfo=None)).isoformat() + "Z"


@pytest.fixture(scope="module")
def api(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("analytics-api") / "console.db"
    with (
        running_api(settings_for(kubeconfig, db)) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        records = [access(i) for i in range(7)] + [inference(0), epp_decision(0)]
        # The default cluster of the API is "default": send these without a cluster name.
        sent = http.post(
            "/v1/logs",
            content=request(records, cluster=None).SerializeToString(),
            headers=PROTOBUF,
        )
        assert sent.status_code == 200, sent.text
        until(lambda: _total(http) == 7, timeout=60, what="the access logs to be queryable")
        # A rollup's part is committed after the raw table's (same INSERT, own part).
        until(lambda: _rolled_up(http) == 7, timeout=30, what="the rollups to have the rows")
        yield http


def _rolled_up(http: httpx.Client) -> int:
    response = http.get("/api/v1/logs/topn", params={"by": "routes", "since": SINCE})
    return sum(int(r["requests"]) for r in response.json()["items"])


def _total(http: httpx.Client) -> int:
    response = http.get("/api/v1/logs/query", params={"since": SINCE})
    return int(response.json()["total"]) if response.status_code == 200 else -1


def _query(http: httpx.Client, **params: Any) -> dict[str, Any]:
    response = http.get("/api/v1/logs/query", params={"since": SINCE, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_filters_on_columns_text_and_ranges(api: httpx.Client) -> None:
    errors = _query(api, status=503)
    assert {r["request_id"] for r in errors["items"]} == {"req-0", "req-3", "req-6"}
    assert errors["total"] == 3
    slow = _query(api, latency_ms_min=14, route="route-0")
    assert {r["request_id"] for r in slow["items"]} == {"req-4", "req-6"}
    curl = _query(api, q="CURL")
    assert {r["request_id"] for r in curl["items"]} == {"req-0", "req-2", "req-4", "req-6"}
    waf = _query(api, waf_signatures="200002")
    assert [r["request_id"] for r in waf["items"]] == ["req-1"]
    assert _query(api, namespace="elsewhere")["total"] == 0


def test_pages_cover_every_row_once_newest_first(api: httpx.Client) -> None:
    seen: list[str] = []
    token = None
    for _ in range(10):
        page = _query(api, limit=3, **({"continue": token} if token else {}))
        seen += [r["request_id"] for r in page["items"]]
        token = page.get("continue")
        if not token:
            break
    assert seen == [f"req-{i}" for i in reversed(range(7))]
    other = api.get(
        "/api/v1/logs/query", params={"since": SINCE, "status": 200, "continue": _first_token(api)}
    )
    assert other.status_code == 400
    assert "different query" in other.json()["detail"]["message"]


def _first_token(http: httpx.Client) -> str:
    token = _query(http, limit=2).get("continue")
    assert token
    return str(token)


def test_topn_reads_the_rollups(api: httpx.Client) -> None:
    def topn(by: str) -> list[dict[str, Any]]:
        response = api.get("/api/v1/logs/topn", params={"by": by, "since": SINCE})
        assert response.status_code == 200, response.text
        assert response.json()["rollup"] == "1m"
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    busiest = topn("routes")
    assert [(r["route"], r["requests"]) for r in busiest] == [("route-0", 4), ("route-1", 3)]
    erroring = topn("errors")
    assert [(r["route"], r["errors"]) for r in erroring] == [("route-0", 2), ("route-1", 1)]
    assert {r["user_agent"]: r["requests"] for r in topn("user_agents")} == {
        "curl/8.5": 4,
        "Mozilla/5.0 shop": 3,
    }
    assert {r["status_class"]: r["requests"] for r in topn("status")} == {"2xx": 4, "5xx": 3}
    assert api.get("/api/v1/logs/topn", params={"by": "nope"}).status_code == 400


def test_custom_sql(api: httpx.Client) -> None:
    ok = api.post(
        "/api/v1/logs/sql",
        json={
            "sql": "SELECT route, count() AS n FROM ngf_access_logs GROUP BY route ORDER BY route"
        },
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["rows"] == [["route-0", 4], ["route-1", 3]]
    assert [c["name"] for c in ok.json()["columns"]] == ["route", "n"]
    for sql, text in [
        ("INSERT INTO ngf_access_logs (path) VALUES ('x')", "not INSERT"),
        ("DROP TABLE ngf_access_logs", "not DROP"),
        ("SELECT 1; SELECT 2", "only one statement"),
        ("SELECT nope FROM ngf_access_logs", "Code: 47"),
    ]:
        refused = api.post("/api/v1/logs/sql", json={"sql": sql})
        assert refused.status_code == 400, sql
        assert text in refused.json()["detail"]["message"], refused.text
    assert _total(api) == 7


def test_inference_logs_and_epp_decisions(api: httpx.Client) -> None:
    logs = api.get(
        "/api/v1/inference/logs", params={"since": SINCE, "inference_pool": "llama-pool"}
    )
    assert logs.status_code == 200, logs.text
    assert [r["request_id"] for r in logs.json()["items"]] == ["inf-0"]
    decisions = api.get(
        "/api/v1/inference/epp/decisions",
        params={"since": SINCE, "namespace": "team-a", "pool": "llama-pool"},
    )
    assert decisions.status_code == 200, decisions.text
    [decision] = decisions.json()["items"]
    assert decision["selected_pod"] == "llama-1"
    assert decision["reason"].startswith("llama-1: queue_depth=0")
    assert decision["candidates"] == [
        {
            "pod": "llama-0",
            "score": 0.4,
            "queue_depth": 3,
            "kv_cache_pct": 70.0,
            "prefix_hit": False,
        },
        {
            "pod": "llama-1",
            "score": 0.9,
            "queue_depth": 0,
            "kv_cache_pct": 20.0,
            "prefix_hit": True,
        },
    ]


def test_malformed_otlp_is_400_and_stores_nothing(api: httpx.Client) -> None:
    bad = request([access(100), access(101, **{"http.response.status_code": "x"})])
    response = api.post("/v1/logs", content=bad.SerializeToString(), headers=PROTOBUF)
    assert response.status_code == 400
    assert "logRecords[1]" in response.json()["detail"]["message"]
    assert _total(api) == 7


def test_accepted_epp_decisions_are_published_on_their_pools_websocket(
    api: httpx.Client,
) -> None:
    url = str(api.base_url).replace("http://", "ws://").rstrip("/")

    async def run() -> dict[str, Any]:
        async with websockets.connect(f"{url}/api/v1/ws/inference/epp/team-a/llama-pool") as ws:
            await asyncio.sleep(0.3)  # subscribed before the decision arrives
            sent = await asyncio.to_thread(
                api.post,
                "/v1/logs",
                content=request([epp_decision(42)], cluster=None).SerializeToString(),
                headers=PROTOBUF,
            )
            assert sent.status_code == 200, sent.text
            async with asyncio.timeout(10):
                while True:
                    frame = json.loads(await ws.recv())
                    if frame.get("type") == "message":
                        return dict(frame["data"])

    data = asyncio.run(run())
    assert data["request_id"] == "inf-42" and data["selected_pod"] == "llama-1"
    assert (data["namespace"], data["pool"]) == ("team-a", "llama-pool")
    assert data["candidate_pods"] == ["llama-0", "llama-1"]
