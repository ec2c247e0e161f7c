"""The analytics reads of the diagnostics routes: a trace's log rows, a route's observed split.

I/O only; what the rows mean is :mod:`ngf_console.gatewayapi.correlation` and
:mod:`ngf_console.gatewayapi.traffic`. Neither route fails when the analytics store is off
or unreachable: the answer carries the reason instead of the logs' side.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from fastapi import Request

from ngf_console.api.auth import Action, Guard, ResourceRef
from ngf_console.api.routers.analytics_common import readable_namespaces
from ngf_console.gatewayapi.correlation import (
    Correlation,
    LogKeys,
    MatchedBy,
    correlate,
    uncorrelated,
)
from ngf_console.gatewayapi.simulate import SimulationResult
from ngf_console.gatewayapi.traffic import ObservedSplit, RuleSplit, bucket_for, observed_split
from ngf_console.readmodel.objects import GATEWAY_GROUP, INFERENCE_GROUP
from ngf_console.telemetry.analytics.backends import AnalyticsUnavailableError
from ngf_console.telemetry.analytics.queries import scope
from ngf_console.telemetry.analytics.service import AnalyticsService
from ngf_console.telemetry.analytics.store import AnalyticsStore, QueryError
from ngf_console.telemetry.analytics.tables import ACCESS_LOGS, EPP_DECISIONS, INFERENCE_LOGS

__all__ = ["ID_WINDOW", "RECENT_WINDOW", "analytics_of", "observed", "trace_logs"]

HTTPROUTES: Final = ResourceRef(GATEWAY_GROUP, "httproutes")
INFERENCE_POOLS: Final = ResourceRef(INFERENCE_GROUP, "inferencepools")
# Ids are unique: a day back is cheap (daily partitions). A host+path+method guess is only
# worth anything for recent traffic.
ID_WINDOW: Final = dt.timedelta(hours=24)
RECENT_WINDOW: Final = dt.timedelta(minutes=15)
SPLIT_WINDOW: Final = dt.timedelta(hours=1)


def analytics_of(request: Request) -> AnalyticsService | None:
    """The app's analytics service, or None when the app has none."""
    service: AnalyticsService | None = getattr(request.app.state, "analytics", None)
    return service


def _utc(ts: dt.datetime) -> dt.datetime:
    return ts.replace(tzinfo=dt.UTC) if ts.tzinfo is None else ts.astimezone(dt.UTC)


def span(
    since: dt.datetime | None, until: dt.datetime | None, default: dt.timedelta
) -> tuple[dt.datetime, dt.datetime]:
    """[since, until) in UTC; ValueError when since is not before until."""
    end = _utc(until) if until else dt.datetime.now(dt.UTC)
    start = _utc(since) if since else end - default
    if start >= end:
        raise ValueError("since must be before until")
    return start, end


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (_utc(v).isoformat() if isinstance(v, dt.datetime) else v) for k, v in row.items()}


async def _rows(store: AnalyticsStore, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [_jsonable(r) for r in (await store.query(sql, params)).dicts()]


async def trace_logs(
    service: AnalyticsService | None,
    guard: Guard,
    cluster: str,
    sim: SimulationResult,
    keys: LogKeys,
    *,
    since: dt.datetime | None,
    until: dt.datetime | None,
    limit: int,
) -> Correlation:
    """The access-log (and inference / EPP) rows of the simulated request, correlated.

    By request id or trace id when the request carries one, else the most recent rows with
    its host, path and method. Access rows: the caller already reads HTTPRoutes
    cluster-wide (the trace needs it); inference rows: the namespaces where it may read
    InferencePools.
    """
    if service is None:
        return uncorrelated("no analytics store is configured: no access logs to match", keys)
    try:
        store = await service.store()
    except AnalyticsUnavailableError as err:
        return uncorrelated(f"the analytics store is unavailable: {err}", keys)
    by: MatchedBy = "request_id" if keys.request_id else "trace_id" if keys.trace_id else "recent"
    start, end = span(since, until, RECENT_WINDOW if by == "recent" else ID_WINDOW)
    where = scope(cluster, start, end, None)
    if by == "recent":
        req = sim.request
        where.add(
            "host = {host:String} AND path = {path:String} AND method = {method:String}",
            host=req.host,
            path=req.path,
            method=req.method.upper(),
        )
    else:
        ors = []
        if keys.request_id:
            ors.append("request_id = {rid:String}")
            where.params["rid"] = keys.request_id
        if keys.trace_id:
            ors.append("trace_id = {tid:String}")
            where.params["tid"] = keys.trace_id
        where.add("(" + " OR ".join(ors) + ")")
    try:
        access = await _rows(
            store,
            f"SELECT * FROM {ACCESS_LOGS.name} WHERE {where.sql} "
            "ORDER BY timestamp DESC LIMIT {limit:UInt32}",
            {**where.params, "limit": limit},
        )
        if (
            access
            and by != "recent"
            and keys.request_id
            and not any(r.get("request_id") == keys.request_id for r in access)
        ):
            by = "trace_id"  # found by the trace id alone
        inference, decisions = await _inference_rows(
            store, guard, cluster, keys, access, start, end, limit
        )
    except QueryError as err:
        return uncorrelated(f"the access-log query failed: {err}", keys)
    return correlate(sim, keys, by, access, inference, decisions, since=start, until=end)


async def _inference_rows(
    store: AnalyticsStore,
    guard: Guard,
    cluster: str,
    keys: LogKeys,
    access: list[dict[str, Any]],
    since: dt.datetime,
    until: dt.datetime,
    limit: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    ids = sorted({str(r.get("request_id") or "") for r in access} | {keys.request_id or ""})
    ids = [i for i in ids if i]
    if not ids and not keys.trace_id:
        return [], []
    namespaces = await readable_namespaces(
        guard, INFERENCE_POOLS, None, store, INFERENCE_LOGS, cluster, since, until
    )
    if namespaces == []:
        return [], []
    where = scope(cluster, since, until, namespaces)
    match = "request_id IN {ids:Array(String)}"
    if keys.trace_id:
        match += " OR trace_id = {tid:String}"
    where.add(f"({match})", ids=ids, tid=keys.trace_id or "")
    inference = await _rows(
        store,
        f"SELECT * FROM {INFERENCE_LOGS.name} WHERE {where.sql} "
        "ORDER BY timestamp DESC LIMIT {limit:UInt32}",
        {**where.params, "limit": limit},
    )
    ids = sorted(set(ids) | {str(r.get("request_id") or "") for r in inference} - {""})
    decisions: list[dict[str, Any]] = []
    if ids:
        dwhere = scope(cluster, since, until, namespaces)
        dwhere.add("request_id IN {ids:Array(String)}", ids=ids)
        decisions = await _rows(
            store,
            f"SELECT * FROM {EPP_DECISIONS.name} WHERE {dwhere.sql} "
            "ORDER BY timestamp DESC LIMIT {limit:UInt32}",
            {**dwhere.params, "limit": limit},
        )
    return inference, decisions


async def observed(
    service: AnalyticsService | None,
    guard: Guard,
    cluster: str,
    namespace: str,
    route: str,
    rules: list[RuleSplit],
    *,
    since: dt.datetime | None,
    until: dt.datetime | None,
    bucket_seconds: int | None,
    tolerance: float,
    min_requests: int,
) -> tuple[ObservedSplit | None, str]:
    """The route's observed split in the window and a sentence on where it came from."""
    if service is None:
        return None, "no analytics store is configured: only the configured weights are known"
    if not await guard.allowed(Action.READ, HTTPROUTES, namespace):
        return None, (
            f"the access logs of namespace {namespace} need read on httproutes there: only "
            "the configured weights are shown"
        )
    try:
        store = await service.store()
    except AnalyticsUnavailableError as err:
        return None, f"the analytics store is unavailable: {err}"
    start, end = span(since, until, SPLIT_WINDOW)
    bucket = bucket_seconds or bucket_for(start, end)
    where = scope(cluster, start, end, [namespace])
    where.add("route = {route:String}", route=route)
    try:
        result = await store.query(
            "SELECT toStartOfInterval(timestamp, toIntervalSecond({bucket:UInt32})) AS bucket, "
            f"upstream_name, count() AS n FROM {ACCESS_LOGS.name} WHERE {where.sql} "
            "GROUP BY bucket, upstream_name ORDER BY bucket, upstream_name",
            {**where.params, "bucket": bucket},
        )
    except QueryError as err:
        return None, f"the access-log query failed: {err}"
    series = [(_utc(b), str(u), int(n)) for b, u, n in result.rows]
    split = observed_split(
        rules,
        series,
        since=start,
        until=end,
        bucket_seconds=bucket,
        tolerance=tolerance,
        min_requests=min_requests,
    )
    reason = (
        f"{split.total_requests} access-log row(s) of the route from {start.isoformat()} "
        f"to {end.isoformat()}"
        if split.total_requests
        else "no access-log rows for the route in the window"
    )
    return split, reason
