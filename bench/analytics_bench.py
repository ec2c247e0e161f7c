"""Analytics store benchmarks (chDB, in-process).

1. Ingest: OTLP/HTTP protobuf requests of access-log records through the receiver (the
   FastAPI app in-process over ASGI, decode, map, queue, batched insert with the rollup
   MVs firing), rows/s from the first request to the last row inserted.
2. Queries over N access-log rows (default 10 M, generated with INSERT ... SELECT from
   numbers(), spread over the last 24 h): Top-N busiest routes and the 1-minute series
   (requests, p95) read from the rollups versus the same aggregates scanned from the raw
   table, p50/p95 of each, in one run.

    uv run python bench/analytics_bench.py [--rows 10000000] [--repeats 20]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from ngf_console.telemetry.analytics import histogram
from ngf_console.telemetry.analytics.config import AnalyticsSettings
from ngf_console.telemetry.analytics.otlp import attribute_of
from ngf_console.telemetry.analytics.queries import Where, scope, top_n
from ngf_console.telemetry.analytics.receiver import standalone_app
from ngf_console.telemetry.analytics.service import AnalyticsService
from ngf_console.telemetry.analytics.store import AnalyticsStore


def otlp_body(n: int, offset: int) -> bytes:
    """One ExportLogsServiceRequest of ``n`` access-log records."""
    req = ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    rl.resource.attributes.append(attribute_of("k8s.cluster.name", "default"))
    sl = rl.scope_logs.add()
    now = time.time_ns()
    for i in range(offset, offset + n):
        rec = sl.log_records.add()
        rec.time_unix_nano = now + i
        for key, value in (
            ("http.request.method", "GET"),
            ("url.path", f"/api/items/{i % 1000}"),
            ("http.response.status_code", 200 if i % 20 else 503),
            ("ngf.gateway.name", "gw"),
            ("ngf.route.name", f"route-{i % 50}"),
            ("ngf.route.namespace", f"team-{i % 5}"),
            ("ngf.latency_ms", float(i % 300)),
            ("http.response.size", 1500),
            ("client.address", "10.1.2.3"),
            ("user_agent.original", "bench/1.0"),
            ("ngf.request.id", f"r{i}"),
        ):
            rec.attributes.append(attribute_of(key, value))
    return req.SerializeToString()


async def bench_ingest(root: Path, requests: int, per_request: int) -> float:
    settings = AnalyticsSettings(dir=root, database="ingest", queue_rows=500_000)
    service = AnalyticsService(settings, root)
    await service.store()  # opening is not part of the ingest rate
    bodies = [otlp_body(per_request, k * per_request) for k in range(requests)]
    transport = httpx.ASGITransport(app=standalone_app(service))
    async with httpx.AsyncClient(transport=transport, base_url="http://otlp") as http:
        started = time.perf_counter()
        for body in bodies:
            while True:
                response = await http.post(
                    "/v1/logs", content=body, headers={"content-type": "application/x-protobuf"}
                )
                if response.status_code != 429:
                    break
                await asyncio.sleep(0.05)
            assert response.status_code == 200, response.text
        await (await service.ingest()).flush()
        elapsed = time.perf_counter() - started
    store = await service.store()
    count = (await store.query("SELECT count() FROM ngf_access_logs")).rows[0][0]
    assert count == requests * per_request, count
    await service.close()
    return count / elapsed


GENERATE = """
INSERT INTO ngf_access_logs (timestamp, cluster, namespace, gateway, route, method, path,
    status, latency_ms, upstream_latency_ms, request_size, response_size, user_agent)
SELECT now64(3) - toIntervalMillisecond(intDiv(number * 86400000, {rows:UInt64})),
    'default', 'team-' || toString(cityHash64(number) % 50 % 5),
    'gw-' || toString(cityHash64(number) % 50 % 3),
    'route-' || toString(cityHash64(number) % 50), 'GET', '/api/' || toString(number % 1000),
    [200, 200, 200, 200, 201, 304, 404, 500, 503, 200][number % 10 + 1],
    (cityHash64(number, 1) % 5000) / 10, (cityHash64(number, 2) % 4000) / 10,
    number % 2000, number % 50000, 'agent-' || toString(cityHash64(number, 3) % 20)
FROM numbers({rows:UInt64})
"""

RAW_TOPN = """
SELECT namespace, gateway, route, count() AS requests,
    countIf(status >= 500) AS errors, if(requests = 0, 0, errors / requests) AS error_rate,
    avg(latency_ms) AS avg_ms {quantiles}
FROM ngf_access_logs WHERE {where}
GROUP BY namespace, gateway, route ORDER BY {order}, namespace, gateway, route LIMIT 10
"""
MV_SERIES = """
SELECT window_start, sum(request_count) AS requests,
    sumIf(request_count, status_class = '5xx') AS errors, avgMerge(latency_avg) AS avg_ms
    {quantiles}
FROM ngf_metrics_1m WHERE {where} GROUP BY window_start ORDER BY window_start
"""
RAW_SERIES = """
SELECT toStartOfMinute(timestamp) AS window_start, count() AS requests,
    countIf(status >= 500) AS errors, avg(latency_ms) AS avg_ms {quantiles}
FROM ngf_access_logs WHERE {where} GROUP BY window_start ORDER BY window_start
"""
# The earlier design: quantiles by merging the t-digest states the rollups still keep.
TDIGEST = "quantilesTDigestMerge(0.5, 0.95, 0.99)(latency_quantiles)"
TDIGEST_TOPN = """
SELECT namespace, gateway, route, sum(request_count) AS requests,
    sumIf(request_count, status_class = '5xx') AS errors,
    if(requests = 0, 0, errors / requests) AS error_rate, avgMerge(latency_avg) AS avg_ms,
    {q}[2] AS p95_ms, {q}[3] AS p99_ms
FROM ngf_metrics_1h WHERE {where} GROUP BY namespace, gateway, route
ORDER BY p95_ms DESC, namespace, gateway, route LIMIT 10
"""
RAW_P95 = ", quantileTDigest(0.95)(latency_ms) AS p95_ms"
# The raw side with ClickHouse's cheapest quantile (a reservoir sample), so the ratio is
# not flattered by a slow raw aggregate.
RAW_P95_RESERVOIR = ", quantile(0.95)(latency_ms) AS p95_ms"

Run = Callable[[], Awaitable[object]]


async def timed(run: Run, n: int) -> list[float]:
    await run()  # warm
    times = []
    for _ in range(n):
        started = time.perf_counter()
        await run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def sql(store: AnalyticsStore, text: str, params: dict[str, object]) -> Run:
    return lambda: store.query(text, params)


def series_p95(store: AnalyticsStore, where: Where) -> Run:
    """The 1-minute series with p95 the way the console reads quantiles: per window the
    measures and the summed histogram in one query, the interpolation in Python."""
    text = (
        "SELECT window_start, requests, errors, avg_ms, max_ms, counts FROM ("
        + MV_SERIES.format(
            where=where.sql,
            quantiles=", max(latency_max) AS max_ms, "
            f"{histogram.group_key_sql(['window_start'])} AS hist_key",
        ).replace("ORDER BY window_start", "")
        + ") AS m LEFT JOIN ("
        + histogram.counts_sql("latency_hist", "ngf_metrics_1m", ["window_start"], where.sql)
        + ") AS h USING (hist_key) ORDER BY window_start"
    )

    async def run() -> list[dict[str, object]]:
        rows = (await store.query(text, where.params)).dicts()
        for row in rows:
            row["p95_ms"] = histogram.quantiles(row.pop("counts"), [0.95], row["max_ms"])[0]
        return rows

    return run


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]


async def sizes(store: AnalyticsStore, span: dt.timedelta, until: dt.datetime, g: str) -> str:
    """What each side reads for the window: raw latencies vs rollup rows and the non-zero
    histogram buckets they hold."""
    raw = scope("default", until - span, until, None)
    mv = scope("default", until - span, until, None, time_column="window_start")
    n_raw = await store.query(f"SELECT count() FROM ngf_access_logs WHERE {raw.sql}", raw.params)
    n_mv = await store.query(
        f"SELECT count(), sum(length(latency_hist.1)) FROM ngf_metrics_{g} WHERE {mv.sql}",
        mv.params,
    )
    rows, buckets = n_mv.rows[0]
    return (
        f"{span.total_seconds() / 3600:.0f} h: {n_raw.rows[0][0]:,} raw rows; "
        f"{rows:,} rows of ngf_metrics_{g} holding {buckets:,} non-zero buckets"
    )


async def bench_queries(root: Path, rows: int, repeats: int) -> None:
    store = AnalyticsStore(AnalyticsSettings(dir=root, database="queries"), root)
    await store.start()
    started = time.perf_counter()
    await store.command(GENERATE, {"rows": rows})
    print(f"generated {rows:,} rows (MVs populated) in {time.perf_counter() - started:.1f} s")
    await store.command("OPTIMIZE TABLE ngf_metrics_1m FINAL")
    await store.command("OPTIMIZE TABLE ngf_metrics_1h FINAL")
    until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    since = until - dt.timedelta(hours=25)
    raw_where = scope("default", since, until, None)
    mv_where = scope("default", since, until, None, time_column="window_start")
    for span, g in ((dt.timedelta(hours=25), "1h"), (dt.timedelta(hours=1), "1m")):
        print("read sizes, " + await sizes(store, span, until, g))
    cases: list[tuple[str, Run, Run]] = []
    for label, kind, order, raw_q in (
        ("busiest", "routes", "requests DESC", ""),
        ("slowest (p95)", "slowest", "p95_ms DESC", RAW_P95),
        ("slowest (p95), raw reservoir", "slowest", "p95_ms DESC", RAW_P95_RESERVOIR),
    ):
        cases.append(
            (
                f"Top-N {label}, 24 h (1h rollup)",
                # The console's own function: query, then the Python ranking for "slowest".
                functools.partial(top_n, store, kind, "default", since, until, None, 10),
                sql(
                    store,
                    RAW_TOPN.format(where=raw_where.sql, order=order, quantiles=raw_q),
                    raw_where.params,
                ),
            )
        )
    cases.append(
        (
            "Top-N slowest (p95), t-digest states [earlier design], 24 h (1h rollup)",
            sql(store, TDIGEST_TOPN.format(q=TDIGEST, where=mv_where.sql), mv_where.params),
            sql(
                store,
                RAW_TOPN.format(where=raw_where.sql, order="p95_ms DESC", quantiles=RAW_P95),
                raw_where.params,
            ),
        )
    )
    for label, span, with_p95, raw_q in (
        ("requests/errors/avg", dt.timedelta(hours=24), "", ""),
        ("requests/errors/avg/p95", dt.timedelta(hours=1), "histogram", RAW_P95),
        (
            "requests/errors/avg/p95, raw reservoir",
            dt.timedelta(hours=1),
            "histogram",
            RAW_P95_RESERVOIR,
        ),
        ("requests/errors/avg/p95", dt.timedelta(hours=24), "histogram", RAW_P95),
        ("p95 t-digest states [earlier design]", dt.timedelta(hours=1), "tdigest", RAW_P95),
    ):
        s_raw = scope("default", until - span, until, None)
        s_mv = scope("default", until - span, until, None, time_column="window_start")
        if with_p95 == "histogram":
            mv_run = series_p95(store, s_mv)
        else:
            quantiles = f", {TDIGEST}[2] AS p95_ms" if with_p95 == "tdigest" else ""
            mv_run = sql(store, MV_SERIES.format(where=s_mv.sql, quantiles=quantiles), s_mv.params)
        cases.append(
            (
                f"1-minute series ({label}), {span.total_seconds() / 3600:.0f} h",
                mv_run,
                sql(store, RAW_SERIES.format(where=s_raw.sql, quantiles=raw_q), s_raw.params),
            )
        )
    # The floor under any query: a round trip through the client and the engine.
    floor = await timed(sql(store, "SELECT 1", {}), repeats)
    print(f"SELECT 1 (round trip): p50 {statistics.median(floor):.1f} ms, p95 {p95(floor):.1f} ms")
    for name, mv_run, raw_run in cases:
        mv = await timed(mv_run, repeats)
        raw = await timed(raw_run, max(3, repeats // 4))
        print(
            f"{name}: MV p50 {statistics.median(mv):.1f} ms, p95 {p95(mv):.1f} ms; "
            f"raw p50 {statistics.median(raw):.1f} ms, p95 {p95(raw):.1f} ms; "
            f"raw/MV (p50) {statistics.median(raw) / statistics.median(mv):.0f}x"
        )
    await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--ingest-requests", type=int, default=40)
    parser.add_argument("--per-request", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="analytics-bench-") as tmp:
        root = Path(tmp)
        rate = await bench_ingest(root, args.ingest_requests, args.per_request)
        total = args.ingest_requests * args.per_request
        print(f"ingest via OTLP/HTTP protobuf: {rate:,.0f} rows/s ({total:,} rows)")
        await bench_queries(root, args.rows, args.repeats)


if __name__ == "__main__":
    asyncio.run(main())
