"""Latency quantiles from the rollups' histograms against the exact quantiles of the raw
rows, on chDB and over the HTTP backend: every answer lies in the bucket of the exact
quantile (histogram.py states the bound). Also migration 4 on a store that has rollup rows
from before it: they get a histogram derived from their t-digest, counted once."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from clickhouse_http import serving
from ngf_console.telemetry.analytics import histogram, schema
from ngf_console.telemetry.analytics.config import AnalyticsSettings
from ngf_console.telemetry.analytics.queries import top_n
from ngf_console.telemetry.analytics.store import AnalyticsStore

pytestmark = pytest.mark.anyio
LEVELS = (0.0, 0.01, 0.5, 0.9, 0.95, 0.99, 1.0)
EPS = 1e-9

# Three days back (inside every TTL). Latencies log-uniform over 0.01 ms .. 100 s, plus
# zeros and a few over the top bucket (150-200 s), so every kind of bucket is exercised.
START = "toDateTime64(toStartOfHour(now() - INTERVAL 3 DAY), 3, 'UTC')"
LATENCY = (
    "multiIf(number % 97 = 0, 0, number % 89 = 0, 150000 + number % 50000, "
    "pow(10, ((number * 7919) % 10000) / 10000 * 7 - 2))"
)
ACCESS_ROWS = (
    "INSERT INTO ngf_access_logs (timestamp, cluster, namespace, gateway, route, status, "
    "latency_ms) "
    f"SELECT {START} + toIntervalSecond(number * 37), 'c1', 'ns-' || toString(number % 2), "
    f"'gw', 'r' || toString(number % 3), [200, 404, 503][number % 3 + 1], {LATENCY} "
    "FROM numbers(6000)"
)
INFERENCE_ROWS = (
    "INSERT INTO ngf_inference_logs (timestamp, cluster, namespace, inference_pool, "
    "model_name, time_to_first_token_ms, status) "
    f"SELECT {START} + toIntervalSecond(number * 53), 'c1', 'team-a', "
    f"'pool-' || toString(number % 2), 'm' || toString(number % 3), {LATENCY}, 200 "
    "FROM numbers(4000)"
)
ACCESS_KEYS = "cluster, namespace, gateway, route, status_class"
ACCESS_RAW_KEYS = f"cluster, namespace, gateway, route, {schema._STATUS_CLASS} AS status_class"
INFERENCE_KEYS = "cluster, namespace, inference_pool, model_name"


@pytest.fixture(scope="module")
def engine_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chdb-quantiles")


@pytest.fixture(scope="module")
def server_url(engine_dir: Path) -> Iterator[str]:
    with serving(engine_dir) as url:
        yield url


def _settings(backend: str, engine_dir: Path, url: str | None) -> AnalyticsSettings:
    database = f"q_{secrets.token_hex(4)}"
    if backend == "chdb":
        return AnalyticsSettings(backend="chdb", dir=engine_dir, database=database)
    return AnalyticsSettings(backend="clickhouse", url=url, database=database)


@pytest.fixture(params=["chdb", "clickhouse"])
async def store(request: pytest.FixtureRequest, engine_dir: Path) -> AsyncIterator[AnalyticsStore]:
    url = request.getfixturevalue("server_url") if request.param == "clickhouse" else None
    opened = AnalyticsStore(_settings(request.param, engine_dir, url), engine_dir)
    await opened.start()
    try:
        yield opened
    finally:
        await opened.close()


def assert_in_bucket(estimate: float, low: float, high: float, group_max: float) -> None:
    """``estimate`` lies in the bucket of ``low`` .. the bucket of ``high`` (the same value
    for an exact comparison), the top capped by the group's maximum."""
    lo = histogram.lower_bound(histogram.bucket_of(low))
    hi = min(histogram.upper_bound(histogram.bucket_of(high)), group_max)
    assert lo * (1 - EPS) <= estimate <= hi * (1 + EPS) + EPS, (estimate, low, high)
    if low == high and low >= histogram.LOWEST_MS and high < histogram.lower_bound(histogram.LAST):
        # The documented bound, as a relative error.
        assert abs(estimate - low) <= histogram.RELATIVE_ERROR * low * (1 + EPS)


async def _compare(
    store: AnalyticsStore,
    rollup: str,
    raw_table: str,
    keys: str,
    raw_keys: str,
    hist: str,
    value: str,
    max_rollup: str | None,
    rank_slack: float = 0.0,
) -> int:
    """Per group and rollup window: the histogram quantiles — dense counts summed in SQL
    and interpolated in Python (what the console does), and the SQL-only interpolation for
    hand-written queries — vs quantileExact of the raw rows (at level ± rank_slack).
    Returns the number of groups compared."""
    compared = 0
    group = ["window_start", *(k.strip() for k in keys.split(","))]
    for g in schema.GRANULARITIES:
        table = f"{rollup}_{g.suffix}"
        max_sql = f"max({max_rollup})" if max_rollup else "0"
        q = histogram.quantiles_with(hist, LEVELS, "qs", max_sql if max_rollup else None)
        rolled = await store.query(
            f"SELECT window_start, {keys}, mx, counts, sql_qs FROM ("
            f"WITH {q} SELECT window_start, {keys}, {max_sql} AS mx, qs AS sql_qs, "
            f"{histogram.group_key_sql(group)} AS hist_key FROM {table} "
            f"GROUP BY window_start, {keys}) AS m "
            f"LEFT JOIN ({histogram.counts_sql(hist, table, group, '1')}) AS h "
            "USING (hist_key) ORDER BY window_start, " + keys
        )
        lows = ", ".join(str(max(0.0, lv - rank_slack)) for lv in LEVELS)
        highs = ", ".join(str(min(1.0, lv + rank_slack)) for lv in LEVELS)
        raw = await store.query(
            f"SELECT {g.window}(timestamp) AS window_start, {raw_keys}, "
            f"quantilesExact({lows})({value}), quantilesExact({highs})({value}), max({value}) "
            f"FROM {raw_table} GROUP BY window_start, {keys} ORDER BY window_start, {keys}"
        )
        assert len(rolled.rows) == len(raw.rows) > 0, g.suffix
        for got, want in zip(rolled.rows, raw.rows, strict=True):
            assert got[:-3] == want[:-3]
            mx, counts, sql_qs = got[-3:]
            assert len(counts) == histogram.BUCKETS
            group_max = float(want[-1]) if max_rollup else float("inf")
            if max_rollup:
                assert float(mx) == group_max
            py_qs = histogram.quantiles(counts, LEVELS, float(mx) if max_rollup else None)
            for in_python, in_sql, low, high in zip(py_qs, sql_qs, want[-3], want[-2], strict=True):
                assert_in_bucket(in_python, float(low), float(high), group_max)
                assert float(in_sql) == pytest.approx(in_python, rel=1e-9)
            compared += 1
    return compared


async def test_access_rollup_quantiles_lie_in_the_bucket_of_the_exact_quantile(
    store: AnalyticsStore,
) -> None:
    await store.command(ACCESS_ROWS)
    compared = await _compare(
        store,
        schema.ACCESS_ROLLUP,
        "ngf_access_logs",
        ACCESS_KEYS,
        ACCESS_RAW_KEYS,
        "latency_hist",
        "latency_ms",
        "latency_max",
    )
    assert compared > 1000


async def test_inference_rollup_ttft_quantiles_lie_in_the_bucket_of_the_exact_quantile(
    store: AnalyticsStore,
) -> None:
    await store.command(INFERENCE_ROWS)
    compared = await _compare(
        store,
        schema.INFERENCE_ROLLUP,
        "ngf_inference_logs",
        INFERENCE_KEYS,
        INFERENCE_KEYS,
        "ttft_hist",
        "time_to_first_token_ms",
        None,
    )
    assert compared > 1000


async def test_top_n_slowest_matches_the_raw_p95_and_p99(store: AnalyticsStore) -> None:
    await store.command(ACCESS_ROWS)
    now = dt.datetime.now(dt.UTC)
    # 3 h: the 1m rollup; 3 days: the 1h rollup; 30 days: the 1d rollup.
    for span in (dt.timedelta(hours=3), dt.timedelta(days=3), dt.timedelta(days=30)):
        since = now - dt.timedelta(days=3) - dt.timedelta(hours=1)
        until = since + span + dt.timedelta(hours=1)
        items, g = await top_n(store, "slowest", "c1", since, until, None, 10)
        start = since.replace(minute=0, second=0, microsecond=0)
        if g.suffix == "1d":
            start = start.replace(hour=0)
        raw = await store.query(
            "SELECT namespace, gateway, route, quantilesExact(0.95, 0.99)(latency_ms), "
            "max(latency_ms) FROM ngf_access_logs WHERE cluster = 'c1' AND "
            f"{g.window}(timestamp) >= {{s:DateTime64(3, 'UTC')}} AND "
            "timestamp < {u:DateTime64(3, 'UTC')} GROUP BY namespace, gateway, route",
            {"s": start, "u": until},
        )
        exact: dict[tuple[Any, ...], tuple[Any, ...]] = {
            tuple(r[:3]): (r[3], r[4]) for r in raw.rows
        }
        assert items and len(items) == len(exact), g.suffix
        for item in items:
            (p95, p99), top = exact[(item["namespace"], item["gateway"], item["route"])]
            assert_in_bucket(item["p95_ms"], p95, p95, top)
            assert_in_bucket(item["p99_ms"], p99, p99, top)
        p95s = [item["p95_ms"] for item in items]
        assert p95s == sorted(p95s, reverse=True)


def test_bucket_arithmetic_matches_the_sql() -> None:
    assert histogram.bucket_of(0.0) == 0 and histogram.bucket_of(float("nan")) == 0
    assert histogram.bucket_of(0.1) == 1 and histogram.bucket_of(1e9) == histogram.LAST
    assert histogram.upper_bound(histogram.LAST - 1) == pytest.approx(120_470, rel=1e-3)
    for i in range(histogram.BUCKETS - 1):
        assert histogram.upper_bound(i) == pytest.approx(histogram.lower_bound(i + 1))
        mid = (histogram.lower_bound(i) + min(histogram.upper_bound(i), 1e6)) / 2
        assert histogram.bucket_of(mid) == i


def test_quantiles_interpolate_inside_the_bucket() -> None:
    empty = histogram.quantiles([0] * histogram.BUCKETS, [0.5])
    assert len(empty) == 1 and empty[0] != empty[0]  # nan
    counts = [0] * histogram.BUCKETS
    counts[10], counts[20] = 3, 1  # ranks 1-3 in bucket 10, rank 4 in bucket 20
    lo, hi = histogram.lower_bound(10), histogram.upper_bound(10)
    # p50 of 4: rank floor(2) + 1 = 3, the last of bucket 10's three slots.
    assert histogram.quantiles(counts, [0.5]) == [pytest.approx(lo + (hi - lo) * 2.5 / 3)]
    # p99: rank 4, alone in bucket 20: its middle, or capped by a smaller maximum.
    mid20 = (histogram.lower_bound(20) + histogram.upper_bound(20)) / 2
    assert histogram.quantiles(counts, [0.99]) == [pytest.approx(mid20)]
    top = histogram.lower_bound(20) + 0.01
    assert histogram.quantiles(counts, [1.0], top) == [
        pytest.approx((histogram.lower_bound(20) + top) / 2)
    ]
    over = [0] * histogram.BUCKETS
    over[histogram.LAST] = 2
    floor = histogram.lower_bound(histogram.LAST)
    assert histogram.quantiles(over, [0.5]) == [floor]  # no maximum: the bucket's floor
    assert histogram.quantiles(over, [1.0], 200_000.0) == [
        pytest.approx(floor + (200_000.0 - floor) * 0.75)
    ]


async def test_sql_buckets_agree_with_python(store: AnalyticsStore) -> None:
    values = [0.0, -1.0, 0.05, 0.1, 0.1001, 1.0, 3.3, 999.0, 120_000.0, 5e6]
    result = await store.query(
        f"SELECT x, {histogram.bucket_sql('x')} FROM (SELECT arrayJoin({{v:Array(Float64)}}) AS x)",
        {"v": values},
    )
    assert [(float(x), int(b)) for x, b in result.rows] == [
        (v, histogram.bucket_of(v)) for v in values
    ]


# -- migration 4 over rollups written before it -------------------------------------------


@pytest.mark.parametrize("backend", ["chdb", "clickhouse"])
async def test_migration_4_derives_histograms_from_the_t_digests(
    backend: str, request: pytest.FixtureRequest, engine_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = request.getfixturevalue("server_url") if backend == "clickhouse" else None
    settings = _settings(backend, engine_dir, url)
    old = AnalyticsStore(settings, engine_dir)
    before_4 = tuple(m for m in schema.MIGRATIONS if m.version < 4)
    monkeypatch.setattr(schema, "MIGRATIONS", before_4)
    await old.start()
    try:
        await old.command(ACCESS_ROWS)
        await old.command(INFERENCE_ROWS)
        monkeypatch.undo()
        counts_before = await _counts(old)
        assert await old.migrate() == [4]
        assert await _counts(old) == counts_before
        # Rows written after the migration get exact histograms from the view; these land
        # in the same windows as the old ones, so groups mix derived and exact counts.
        await old.command(ACCESS_ROWS)
        await old.command(INFERENCE_ROWS)
        assert await _counts(old) == [(*c[:2], 2 * c[2]) for c in counts_before]
        # Before it, 128 points of each t-digest stand for the rows: the answer is within
        # ~2 percentage points of rank of the exact quantile, then the bucket's width.
        await _compare(
            old,
            schema.ACCESS_ROLLUP,
            "ngf_access_logs",
            ACCESS_KEYS,
            ACCESS_RAW_KEYS,
            "latency_hist",
            "latency_ms",
            "latency_max",
            rank_slack=0.02,
        )
        await _compare(
            old,
            schema.INFERENCE_ROLLUP,
            "ngf_inference_logs",
            INFERENCE_KEYS,
            INFERENCE_KEYS,
            "ttft_hist",
            "time_to_first_token_ms",
            None,
            rank_slack=0.02,
        )
        # Re-running the backfill adds nothing: every group has a histogram now.
        rows_before = await _rows(old)
        for statement in schema.MIGRATIONS[-1].statements:
            if statement.startswith("INSERT"):
                await old.command(statement)
        assert await _rows(old) == rows_before
    finally:
        await old.close()


async def _counts(store: AnalyticsStore) -> list[tuple[Any, ...]]:
    out = []
    for base in (schema.ACCESS_ROLLUP, schema.INFERENCE_ROLLUP):
        for g in schema.GRANULARITIES:
            result = await store.query(f"SELECT sum(request_count) FROM {base}_{g.suffix}")
            out.append((base, g.suffix, *result.rows[0]))
    return out


async def _rows(store: AnalyticsStore) -> list[int]:
    out = []
    for base in (schema.ACCESS_ROLLUP, schema.INFERENCE_ROLLUP):
        for g in schema.GRANULARITIES:
            result = await store.query(f"SELECT count() FROM {base}_{g.suffix}")
            out.append(int(result.rows[0][0]))
    return out
