"""Inference analytics that need only ClickHouse (§3.10.8): ``/inference/logs`` and
``/inference/epp/decisions`` (each decision with the reason for the pick and its
candidates). Rows are scoped to the namespaces where the caller may read InferencePools.
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
from ngf_console.telemetry.analytics.queries import (
    add_filters,
    decision_view,
    scope,
)
from ngf_console.telemetry.analytics.store import QueryError
from ngf_console.telemetry.analytics.tables import EPP_DECISIONS, INFERENCE_LOGS

InferenceLogFilters = filter_model(INFERENCE_LOGS, "InferenceLogFilters")


class EppDecisions(BaseModel):
    """EPP decisions newest first; each names the chosen pod, why, and every candidate."""

    items: list[dict[str, Any]]
    since: dt.datetime
    until: dt.datetime


def router() -> APIRouter:
    """``/inference/logs`` and ``/inference/epp/decisions``."""
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

    return routes
