"""Access-log analytics (ClickHouse): ``/logs/query``, ``/logs/topn``, ``/logs/sql``.

Rows are namespace-scoped: a caller sees the rows of the namespaces where it may read
HTTPRoutes. Custom SQL can read every table, so it needs that right cluster-wide.
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations.
import datetime as dt
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from ngf_console.api.auth import Action, Guard, ResourceRef, cluster_scoped, require
from ngf_console.api.routers.analytics_common import (
    AnalyticsDep,
    LogPage,
    bad_request,
    filter_model,
    get_analytics,
    log_page,
    open_store,
    query_failed,
    readable_namespaces,
    window,
)
from ngf_console.api.routers.listing import GuardDep
from ngf_console.api.state import ClusterDep
from ngf_console.crd import GROUP
from ngf_console.telemetry.analytics.queries import (
    TOPN_KINDS,
    top_n,
)
from ngf_console.telemetry.analytics.receiver import otlp_router
from ngf_console.telemetry.analytics.service import AnalyticsService
from ngf_console.telemetry.analytics.sql_guard import RejectedSqlError, SqlLimits, run_select
from ngf_console.telemetry.analytics.store import QueryError
from ngf_console.telemetry.analytics.tables import ACCESS_LOGS

HTTPROUTES = ResourceRef("gateway.networking.k8s.io", "httproutes")
INFERENCE_POOLS = ResourceRef("inference.networking.k8s.io", "inferencepools")
# Sending telemetry: "create" on this console resource, cluster-wide (docs/analytics.md).
TELEMETRY = ResourceRef(GROUP, "telemetry")
AccessLogFilters = filter_model(ACCESS_LOGS, "AccessLogFilters")


class TopN(BaseModel):
    """A Top-N answer and the rollup it was read from."""

    kind: str
    rollup: str = Field(description="The rollup table read (1m up to 6 h, 1h up to 7 d, 1d).")
    since: dt.datetime
    until: dt.datetime
    items: list[dict[str, Any]]


class SqlRequest(BaseModel):
    """One SELECT over the analytics tables."""

    sql: str = Field(min_length=1, max_length=100_000)


class SqlColumn(BaseModel):
    name: str
    type: str


class SqlResult(BaseModel):
    """Columns, rows and the time ClickHouse took."""

    columns: list[SqlColumn]
    rows: list[list[Any]]
    elapsed_ms: float


def router() -> APIRouter:
    """``/logs/...`` routes."""
    routes = APIRouter(tags=["logs"])

    @routes.get("/logs/query", response_model=LogPage)
    async def query_logs(
        filters: Annotated[AccessLogFilters, Query()],  # type: ignore[valid-type]
        guard: GuardDep,
        cluster: ClusterDep,
        service: AnalyticsDep,
    ) -> LogPage:
        """Access logs newest first: a filter per column (``<col>_min``/``<col>_max`` on
        numbers), ``q`` searches path and user agent, ``since``/``until``, paging."""
        return await log_page(
            filters,
            guard,
            cluster.name,
            service,
            resource=HTTPROUTES,
            table=ACCESS_LOGS,
            text_columns=("path", "user_agent"),
        )

    @routes.get("/logs/topn", response_model=TopN)
    async def topn(
        guard: GuardDep,
        cluster: ClusterDep,
        service: AnalyticsDep,
        by: Annotated[str, Query(description=f"One of {', '.join(TOPN_KINDS)}.")] = "routes",
        namespace: Annotated[str | None, Query()] = None,
        since: Annotated[dt.datetime | None, Query()] = None,
        until: Annotated[dt.datetime | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> TopN:
        """Busiest routes, most erroring (5xx), slowest (p95), top user agents, status
        mix; read from the rollups, not the raw logs."""
        if by not in TOPN_KINDS:
            raise bad_request(f"by must be one of {', '.join(TOPN_KINDS)}")
        store = await open_store(service)
        start, end = window(since, until)
        namespaces = await readable_namespaces(
            guard, HTTPROUTES, namespace, store, ACCESS_LOGS, cluster.name, start, end
        )
        try:
            items, g = await top_n(store, by, cluster.name, start, end, namespaces, limit)
        except QueryError as err:
            raise query_failed(err) from err
        return TopN(kind=by, rollup=g.suffix, since=start, until=end, items=items)

    @routes.post("/logs/sql", response_model=SqlResult)
    async def custom_sql(
        body: SqlRequest,
        service: AnalyticsDep,
        guard: Annotated[
            Guard, Depends(require(Action.READ, HTTPROUTES, namespace=cluster_scoped, verb="list"))
        ],
    ) -> SqlResult:
        """One SELECT, read-only, with the configured time and row limits; a refused or
        failed query is a 400 with the reason (ClickHouse's own text when it failed)."""
        await guard.authorize(Action.READ, INFERENCE_POOLS, None)
        store = await open_store(service)
        limits = SqlLimits(
            timeout_seconds=service.settings.sql_timeout_seconds,
            max_rows=service.settings.sql_max_rows,
        )
        started = time.perf_counter()
        try:
            result = await run_select(store, body.sql, limits)
        except RejectedSqlError as err:
            raise bad_request(str(err), "NotASelect") from err
        except QueryError as err:
            raise query_failed(err) from err
        return SqlResult(
            columns=[
                SqlColumn(name=n, type=t) for n, t in zip(result.columns, result.types, strict=True)
            ],
            rows=[list(r) for r in result.rows],
            elapsed_ms=round((time.perf_counter() - started) * 1000, 3),
        )

    return routes


def _service(request: Request) -> AnalyticsService:
    return get_analytics(request)


def ingest_router() -> APIRouter:
    """``POST /v1/logs`` (OTLP/HTTP, at the root as OTLP exporters expect); the sender needs
    WRITE on ``telemetry`` cluster-wide."""
    guard = Depends(require(Action.WRITE, TELEMETRY, namespace=cluster_scoped, verb="create"))
    return otlp_router(_service, [guard])
