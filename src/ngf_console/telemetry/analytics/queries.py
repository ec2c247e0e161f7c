"""The read queries of the logs and inference APIs (SQL with server-bound parameters).

Every query is confined to one cluster, a time window and, for callers who may not read
every namespace, the namespaces they may read. Values never enter the SQL text: filters
become ``{name:Type}`` placeholders bound by ClickHouse.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ngf_console.telemetry.analytics import histogram, schema
from ngf_console.telemetry.analytics.store import AnalyticsStore
from ngf_console.telemetry.analytics.tables import ACCESS_LOGS, EPP_DECISIONS, Column, Table

NUMERIC = ("UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64")


class BadQueryError(ValueError):
    """A filter or cursor the query cannot use (a 400)."""


def filterable(table: Table) -> list[Column]:
    """Columns a caller can filter on by equality (all but the time and cluster)."""
    return [c for c in table.columns if c.name not in ("timestamp", "cluster")]


@dataclass
class Where:
    """A WHERE clause under construction, with its bound parameters."""

    clauses: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def add(self, clause: str, **params: Any) -> None:
        self.clauses.append(clause)
        self.params.update(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1"


def scope(
    cluster: str,
    since: dt.datetime,
    until: dt.datetime,
    namespaces: Sequence[str] | None,
    *,
    time_column: str = "timestamp",
) -> Where:
    """The cluster, the window [since, until) and the readable namespaces (None: all)."""
    where = Where()
    where.add("cluster = {cluster:String}", cluster=cluster)
    where.add(f"{time_column} >= {{since:DateTime64(3, 'UTC')}}", since=since)
    where.add(f"{time_column} < {{until:DateTime64(3, 'UTC')}}", until=until)
    if namespaces is not None:
        where.add("namespace IN {namespaces:Array(String)}", namespaces=list(namespaces))
    return where


def add_filters(where: Where, table: Table, filters: Mapping[str, Any]) -> None:
    """Equality per column, ``<col>_min``/``<col>_max`` for numbers, membership for arrays."""
    by_name = {c.name: c for c in filterable(table)}
    for key, value in filters.items():
        if value is None:
            continue
        name, bound = key, ""
        for suffix in ("_min", "_max"):
            if key.endswith(suffix) and key.removesuffix(suffix) in by_name:
                name, bound = key.removesuffix(suffix), suffix
        column = by_name.get(name)
        if column is None:
            raise BadQueryError(f"no column {key!r} to filter on")
        p = f"f_{key}"
        base = column.base_type
        if base.startswith("Array("):
            where.add(f"has({name}, {{{p}:{base[6:-1]}}})", **{p: value})
        elif bound == "_min":
            where.add(f"{name} >= {{{p}:{base}}}", **{p: value})
        elif bound == "_max":
            where.add(f"{name} <= {{{p}:{base}}}", **{p: value})
        else:
            where.add(f"{name} = {{{p}:{base}}}", **{p: value})


def add_text(where: Where, text: str | None, columns: Sequence[str]) -> None:
    """Case-insensitive substring search over ``columns``."""
    if text:
        where.add(
            "("
            + " OR ".join(f"positionCaseInsensitiveUTF8({c}, {{q:String}}) > 0" for c in columns)
            + ")",
            q=text,
        )


# -- pages of raw rows --------------------------------------------------------------------


@dataclass(frozen=True)
class RowPage:
    """Rows newest first, the cursor of the next page, and how many rows match in all."""

    rows: list[dict[str, Any]]
    continue_token: str | None
    total: int


def _encode_cursor(ts: dt.datetime, skip: int, fingerprint: str) -> str:
    raw = json.dumps({"t": ts.isoformat(), "s": skip, "q": fingerprint}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(token: str, fingerprint: str) -> tuple[dt.datetime, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        ts, skip, query = dt.datetime.fromisoformat(data["t"]), int(data["s"]), data["q"]
    except (binascii.Error, ValueError, KeyError, TypeError) as err:
        raise BadQueryError("invalid continue token: not one of ours") from err
    if query != fingerprint:
        raise BadQueryError("invalid continue token: it belongs to a different query")
    return ts, skip


async def row_page(
    store: AnalyticsStore,
    table: Table,
    where: Where,
    *,
    limit: int,
    continue_token: str | None,
    fingerprint: str,
) -> RowPage:
    """One page of ``table`` newest first. The cursor is (last timestamp, rows already
    given at that timestamp), so pages do not shift as newer rows arrive."""
    total_result = await store.query(
        f"SELECT count() FROM {table.name} WHERE {where.sql}", where.params
    )
    page_where = Where(list(where.clauses), dict(where.params))
    skip = 0
    if continue_token:
        last, skip = _decode_cursor(continue_token, fingerprint)
        page_where.add("timestamp <= {cursor_ts:DateTime64(3, 'UTC')}", cursor_ts=last)
    result = await store.query(
        f"SELECT * FROM {table.name} WHERE {page_where.sql} "
        "ORDER BY timestamp DESC, request_id DESC "
        "LIMIT {limit:UInt32} OFFSET {skip:UInt32}",
        {**page_where.params, "limit": limit + 1, "skip": skip},
    )
    rows = result.dicts()
    token = None
    if len(rows) > limit:
        rows = rows[:limit]
        last_ts = rows[-1]["timestamp"]
        at_last = sum(1 for r in rows if r["timestamp"] == last_ts)
        # Rows at the last timestamp already given: this page's plus, if the whole page
        # sat at the cursor's timestamp, those given before it.
        carried = skip if continue_token and at_last == len(rows) else 0
        token = _encode_cursor(last_ts, at_last + carried, fingerprint)
    return RowPage([_jsonable(r) for r in rows], token, int(total_result.rows[0][0]))


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if isinstance(value, dt.datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
        out[key] = value
    return out


# -- Top-N from the rollups ---------------------------------------------------------------

TOPN_KINDS = ("routes", "errors", "slowest", "user_agents", "status")


def rollup_for(since: dt.datetime, until: dt.datetime) -> schema.Granularity:
    """The coarsest rollup that still resolves the window: 1m up to 6 h, 1h up to 7 d."""
    span = until - since
    if span <= dt.timedelta(hours=6):
        return schema.GRANULARITIES[0]
    if span <= dt.timedelta(days=7):
        return schema.GRANULARITIES[1]
    return schema.GRANULARITIES[2]


def topn_sql(kind: str, g: schema.Granularity, where_sql: str) -> str:
    """The Top-N query of ``kind`` over the rollup ``g``. For ``slowest`` it returns every
    route with its histogram (``counts``) and maximum; ``slowest_items`` ranks them."""
    table = schema.rollup_name(schema.ACCESS_ROLLUP, g)
    if kind == "user_agents":
        table = schema.rollup_name(schema.USER_AGENT_ROLLUP, schema.GRANULARITIES[0])
        return (
            f"SELECT user_agent, sum(request_count) AS requests, sum(error_count) AS errors "
            f"FROM {table} WHERE {where_sql} GROUP BY user_agent "
            "ORDER BY requests DESC, user_agent LIMIT {limit:UInt32}"
        )
    if kind == "status":
        return (
            f"SELECT status_class, sum(request_count) AS requests FROM {table} "
            f"WHERE {where_sql} GROUP BY status_class ORDER BY status_class"
        )
    measures = (
        "SELECT namespace, gateway, route, sum(request_count) AS requests, "
        "sumIf(request_count, status_class = '5xx') AS errors, "
        "if(requests = 0, 0, errors / requests) AS error_rate, "
        "avgMerge(latency_avg) AS avg_ms"
    )
    if kind == "slowest":
        # Quantiles are the costly part of a rollup read, so only "slowest" reads the
        # histograms: summed per route in SQL, interpolated in Python (histogram.py).
        keys = ("namespace", "gateway", "route")
        return (
            "SELECT namespace, gateway, route, requests, errors, error_rate, avg_ms, max_ms, "
            f"counts FROM ({measures}, max(latency_max) AS max_ms, "
            f"{histogram.group_key_sql(keys)} AS hist_key FROM {table} "
            f"WHERE {where_sql} GROUP BY namespace, gateway, route) AS m "
            f"LEFT JOIN ({histogram.counts_sql('latency_hist', table, keys, where_sql)}) AS h "
            "USING (hist_key)"
        )
    order = {"routes": "requests DESC", "errors": "errors DESC, error_rate DESC"}[kind]
    having = "HAVING errors > 0" if kind == "errors" else ""
    return (
        f"{measures} FROM {table} WHERE {where_sql} GROUP BY namespace, gateway, route "
        f"{having} ORDER BY {order}, namespace, gateway, route LIMIT {{limit:UInt32}}"
    )


def slowest_items(rows: Sequence[Mapping[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The ``limit`` routes with the highest p95 (then namespace, gateway, route), each with
    ``p95_ms``/``p99_ms`` from its histogram (within the bucket bound of histogram.py)."""
    items = []
    for row in rows:
        item = {k: v for k, v in row.items() if k not in ("counts", "max_ms")}
        counts = row["counts"] or [0] * histogram.BUCKETS
        item["p95_ms"], item["p99_ms"] = histogram.quantiles(
            counts, (0.95, 0.99), float(row["max_ms"])
        )
        items.append(item)
    # Routes without a histogram (nan) last.
    items.sort(
        key=lambda i: (
            math.isnan(i["p95_ms"]),
            -i["p95_ms"] if not math.isnan(i["p95_ms"]) else 0.0,
            i["namespace"],
            i["gateway"],
            i["route"],
        )
    )
    return items[:limit]


async def top_n(
    store: AnalyticsStore,
    kind: str,
    cluster: str,
    since: dt.datetime,
    until: dt.datetime,
    namespaces: Sequence[str] | None,
    limit: int,
) -> tuple[list[dict[str, Any]], schema.Granularity]:
    """The Top-N rows of ``kind`` and the rollup they came from."""
    if kind not in TOPN_KINDS:
        raise BadQueryError(f"unknown Top-N {kind!r}; one of {', '.join(TOPN_KINDS)}")
    g = rollup_for(since, until)
    if kind == "user_agents":
        g = schema.GRANULARITIES[0]
    window = g.window
    where = scope(
        cluster,
        _floor(since, window),
        until,
        namespaces,
        time_column="window_start",
    )
    result = await store.query(topn_sql(kind, g, where.sql), {**where.params, "limit": limit})
    if kind == "slowest":
        return slowest_items(result.dicts(), limit), g
    return result.dicts(), g


def _floor(ts: dt.datetime, window: str) -> dt.datetime:
    if window == "toStartOfMinute":
        return ts.replace(second=0, microsecond=0)
    if window == "toStartOfHour":
        return ts.replace(minute=0, second=0, microsecond=0)
    return ts.replace(hour=0, minute=0, second=0, microsecond=0)


# -- namespaces and EPP decisions ---------------------------------------------------------


async def namespaces_seen(
    store: AnalyticsStore, table: Table, cluster: str, since: dt.datetime, until: dt.datetime
) -> list[str]:
    """Namespaces that have rows of ``table`` in the window (to filter per namespace)."""
    where = scope(cluster, since, until, None)
    result = await store.query(
        f"SELECT DISTINCT namespace FROM {table.name} WHERE {where.sql}", where.params
    )
    return sorted(str(r[0]) for r in result.rows)


def decision_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """An EPP decision with its candidates as objects (pod, score, queue, KV-cache, prefix)."""
    out = {k: v for k, v in row.items() if not k.startswith("candidate_")}
    pods = list(row.get("candidate_pods") or [])
    columns = {
        "score": row.get("candidate_scores") or [],
        "queue_depth": row.get("candidate_queue_depths") or [],
        "kv_cache_pct": row.get("candidate_kv_cache_pcts") or [],
        "prefix_hit": row.get("candidate_prefix_hits") or [],
    }
    out["candidates"] = [
        {"pod": pod, **{k: (v[i] if i < len(v) else None) for k, v in columns.items()}}
        for i, pod in enumerate(pods)
    ]
    return out


__all__ = ["ACCESS_LOGS", "EPP_DECISIONS", "BadQueryError", "RowPage", "Where"]
