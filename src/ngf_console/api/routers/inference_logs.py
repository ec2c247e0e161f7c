"""Inference analytics that need only ClickHouse (§3.10.8): ``/inference/logs``,
``/inference/epp/decisions`` (each decision with the reason for the pick and its
candidates), and the latency breakdown and model comparison panels
(``/inference/metrics/latency-breakdown``, ``/inference/metrics/model-comparison``). Rows
are scoped to the namespaces where the caller may read InferencePools.
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations.
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from ngf_console.api.routers.analytics_common import (
    AnalyticsDep,
    LogPage,
    filter_model,
    log_page,
    open_store,
    query_failed,
    readable_namespaces,
    window,
)
from ngf_console.api.routers.listing import GuardDep
from ngf_console.api.routers.logs import INFERENCE_POOLS
from ngf_console.api.state import ClusterDep
from ngf_console.telemetry.analytics.inference_panels import (
    ModelThroughput,
    PoolLatencyBreakdown,
    latency_breakdown,
    model_comparison,
)
from ngf_console.telemetry.analytics.queries import (
    Where,
    add_filters,
    decision_view,
    scope,
)
from ngf_console.telemetry.analytics.store import AnalyticsStore, QueryError
from ngf_console.telemetry.analytics.tables import EPP_DECISIONS, INFERENCE_LOGS

InferenceLogFilters = filter_model(INFERENCE_LOGS, "InferenceLogFilters")


class EppDecisions(BaseModel):
    """EPP decisions newest first; each names the chosen pod, why, and every candidate."""

    items: list[dict[str, Any]]
    since: dt.datetime
    until: dt.datetime


class LatencyBreakdown(BaseModel):
    """Per pool: queue wait, prefill, decode and response, p50/p95/avg each."""

    items: list[PoolLatencyBreakdown]
    since: dt.datetime
    until: dt.datetime


class ModelComparison(BaseModel):
    """Per model and pool: requests, TTFT, TPS, error rate and tokens over the window."""

    items: list[ModelThroughput]
    since: dt.datetime
    until: dt.datetime


async def _panel_scope(
    guard: GuardDep,
    cluster: str,
    service: AnalyticsDep,
    namespace: str | None,
    pool: str | None,
    model: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> tuple[AnalyticsStore, Where, dt.datetime, dt.datetime]:
    """The open store and the WHERE of a panel: cluster, window, readable namespaces,
    and the pool/model filters."""
    store = await open_store(service)
    start, end = window(since, until)
    namespaces = await readable_namespaces(
        guard, INFERENCE_POOLS, namespace, store, INFERENCE_LOGS, cluster, start, end
    )
    where = scope(cluster, start, end, namespaces)
    add_filters(where, INFERENCE_LOGS, {"inference_pool": pool, "model_name": model})
    return store, where, start, end


def router() -> APIRouter:
    """``/inference/logs``, ``/inference/epp/decisions`` and the ClickHouse panels."""
    routes = APIRouter(tags=["inference"])

    @routes.get("/inference/logs", response_model=LogPage)
    async def inference_logs(
        filters: Annotated[InferenceLogFilters, Query()],  # type: ignore[valid-type]
        guard: GuardDep,
        cluster: ClusterDep,
        service: AnalyticsDep,
    ) -> LogPage:
        """Inference logs newest first: a filter per column, ``q`` over path and model,
        ``since``/``until``, paging."""
        return await log_page(
            filters,
            guard,
            cluster.name,
            service,
            resource=INFERENCE_POOLS,
            table=INFERENCE_LOGS,
            text_columns=("path", "model_name"),
        )

    @routes.get("/inference/epp/decisions", response_model=EppDecisions)
    async def epp_decisions(
        guard: GuardDep,
        cluster: ClusterDep,
        service: AnalyticsDep,
        namespace: Annotated[str | None, Query()] = None,
        pool: Annotated[str | None, Query(description="InferencePool name.")] = None,
        pod: Annotated[str | None, Query(description="Only decisions choosing this pod.")] = None,
        since: Annotated[dt.datetime | None, Query()] = None,
        until: Annotated[dt.datetime | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> EppDecisions:
        """The latest EPP decisions, each with the reason for its pick."""
        store = await open_store(service)
        start, end = window(since, until)
        namespaces = await readable_namespaces(
            guard, INFERENCE_POOLS, namespace, store, EPP_DECISIONS, cluster.name, start, end
        )
        where = scope(cluster.name, start, end, namespaces)
        filters = {"inference_pool": pool, "selected_pod": pod}
        try:
            add_filters(where, EPP_DECISIONS, filters)
            result = await store.query(
                f"SELECT * FROM {EPP_DECISIONS.name} WHERE {where.sql} "
                "ORDER BY timestamp DESC, request_id DESC LIMIT {limit:UInt32}",
                {**where.params, "limit": limit},
            )
        except QueryError as err:
            raise query_failed(err) from err
        items = [decision_view(row) for row in result.dicts()]
        for item in items:
            ts = item["timestamp"]
            item["timestamp"] = (ts if ts.tzinfo else ts.replace(tzinfo=dt.UTC)).isoformat()
        return EppDecisions(items=items, since=start, until=end)

    @routes.get("/inference/metrics/latency-breakdown", response_model=LatencyBreakdown)
    async def latency_breakdown_panel(
        guard: GuardDep,
        cluster: ClusterDep,
        service: AnalyticsDep,
        namespace: Annotated[str | None, Query()] = None,
        pool: Annotated[str | None, Query(description="InferencePool name.")] = None,
        model: Annotated[str | None, Query(description="Model name.")] = None,
        since: Annotated[dt.datetime | None, Query()] = None,
        until: Annotated[dt.datetime | None, Query()] = None,
    ) -> LatencyBreakdown:
        """Request latency breakdown per pool from the inference logs: queue wait, prefill
        (to the first token), token generation (decode) and the response, p50/p95/avg."""
        store, where, start, end = await _panel_scope(
            guard, cluster.name, service, namespace, pool, model, since, until
        )
        try:
            items = await latency_breakdown(store, where)
        except QueryError as err:
            raise query_failed(err) from err
        return LatencyBreakdown(items=items, since=start, until=end)

    @routes.get("/inference/metrics/model-comparison", response_model=ModelComparison)
    async def model_comparison_panel(
        guard: GuardDep,
        cluster: ClusterDep,
        service: AnalyticsDep,
        namespace: Annotated[str | None, Query()] = None,
        pool: Annotated[str | None, Query(description="InferencePool name.")] = None,
        model: Annotated[str | None, Query(description="Model name.")] = None,
        since: Annotated[dt.datetime | None, Query()] = None,
        until: Annotated[dt.datetime | None, Query()] = None,
    ) -> ModelComparison:
        """Model throughput comparison from the inference logs: per model and pool,
        requests, error rate, TTFT p50/p95, tokens/s and tokens over the window."""
        store, where, start, end = await _panel_scope(
            guard, cluster.name, service, namespace, pool, model, since, until
        )
        try:
            items = await model_comparison(store, where, (end - start).total_seconds())
        except QueryError as err:
            raise query_failed(err) from err
        return ModelComparison(items=items, since=start, until=end)

    return routes
