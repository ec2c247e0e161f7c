"""The latency breakdown and model comparison panels: OTLP inference records in through the
receiver, exactly the hand-computed numbers out (chDB, and a ClickHouse server reached over
HTTP for the same queries)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from clickhouse_http import serving
from inference_panel_fixtures import (
    LLAMA_BREAKDOWN,
    LLAMA_COMPARISON,
    MISTRAL_BREAKDOWN,
    MISTRAL_COMPARISON,
    WINDOW_SECONDS,
    panel_records,
    without_labels,
)
from ngf_console.telemetry.analytics.config import AnalyticsSettings
from ngf_console.telemetry.analytics.inference_panels import (
    PHASES,
    latency_breakdown,
    model_comparison,
)
from ngf_console.telemetry.analytics.queries import add_filters, scope
from ngf_console.telemetry.analytics.receiver import standalone_app
from ngf_console.telemetry.analytics.service import AnalyticsService
from ngf_console.telemetry.analytics.store import AnalyticsStore
from ngf_console.telemetry.analytics.tables import INFERENCE_LOGS
from otlp_fixtures import BASE
from otlp_fixtures import request as otlp_request

pytestmark = pytest.mark.anyio
PROTOBUF = {"content-type": "application/x-protobuf"}
SINCE = BASE - dt.timedelta(minutes=1)
UNTIL = SINCE + dt.timedelta(seconds=WINDOW_SECONDS)


@pytest.fixture(scope="module")
def engine_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chdb-panels")


@pytest.fixture(scope="module")
def server_url(engine_dir: Path) -> Iterator[str]:
    with serving(engine_dir) as url:
        yield url


@pytest.fixture(params=["chdb", "clickhouse"])
async def store(request: pytest.FixtureRequest, engine_dir: Path) -> AsyncIterator[AnalyticsStore]:
    """A fresh database filled through the OTLP receiver, read through ``request.param``."""
    database = f"t_{secrets.token_hex(4)}"
    service = AnalyticsService(
        AnalyticsSettings(dir=engine_dir, database=database), engine_dir, default_cluster="c0"
    )
    transport = httpx.ASGITransport(app=standalone_app(service))
    async with httpx.AsyncClient(transport=transport, base_url="http://otlp") as http:
        body = otlp_request(panel_records()).SerializeToString()
        response = await http.post("/v1/logs", content=body, headers=PROTOBUF)
    assert response.status_code == 200, response.text
    await (await service.ingest()).flush()
    if request.param == "chdb":
        yield await service.store()
        await service.close()
        return
    await service.close()
    url = request.getfixturevalue("server_url")
    remote = AnalyticsStore(
        AnalyticsSettings(backend="clickhouse", url=url, database=database), engine_dir
    )
    await remote.start()
    try:
        yield remote
    finally:
        await remote.close()


async def test_latency_breakdown_per_pool(store: AnalyticsStore) -> None:
    where = scope("c1", SINCE, UNTIL, None)
    items = [i.model_dump() for i in await latency_breakdown(store, where)]
    assert [without_labels(i) for i in items] == [LLAMA_BREAKDOWN, MISTRAL_BREAKDOWN]
    assert [p["label"] for p in items[0]["phases"]] == [label for _, label, _ in PHASES]


async def test_model_comparison_per_model_and_pool(store: AnalyticsStore) -> None:
    where = scope("c1", SINCE, UNTIL, None)
    items = await model_comparison(store, where, WINDOW_SECONDS)
    assert [i.model_dump() for i in items] == [LLAMA_COMPARISON, MISTRAL_COMPARISON]


async def test_scope_and_filters_narrow_the_panels(store: AnalyticsStore) -> None:
    only_b = scope("c1", SINCE, UNTIL, ["team-b"])
    assert [i.pool for i in await latency_breakdown(store, only_b)] == ["mistral-pool"]
    by_model = scope("c1", SINCE, UNTIL, None)
    add_filters(by_model, INFERENCE_LOGS, {"model_name": "llama-3.1-8b"})
    assert [i.model for i in await model_comparison(store, by_model, 60)] == ["llama-3.1-8b"]
    other_cluster = scope("c2", SINCE, UNTIL, None)
    assert await latency_breakdown(store, other_cluster) == []
    assert await model_comparison(store, other_cluster, 60) == []
    # A window before the rows: nothing, not zeros.
    before = scope("c1", SINCE - dt.timedelta(hours=1), SINCE, None)
    assert await latency_breakdown(store, before) == []
