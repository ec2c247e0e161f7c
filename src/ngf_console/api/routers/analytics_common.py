"""What the analytics routers share: the store dependency, time windows, namespace scoping,
filter models built from the table definitions, and error mapping."""

# No ``from __future__ import annotations``: FastAPI reads these annotations.
import datetime as dt
import hashlib
import json
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, create_model

from ngf_console.api.auth import Action, Guard, ResourceRef
from ngf_console.telemetry.analytics.backends import AnalyticsUnavailableError
from ngf_console.telemetry.analytics.queries import (
    BadQueryError,
    add_filters,
    add_text,
    filterable,
    namespaces_seen,
    row_page,
    scope,
)
from ngf_console.telemetry.analytics.service import AnalyticsService
from ngf_console.telemetry.analytics.store import AnalyticsStore, QueryError
from ngf_console.telemetry.analytics.tables import Table

DEFAULT_WINDOW = dt.timedelta(hours=1)


def get_analytics(request: Request) -> AnalyticsService:
    """The app's analytics service (``app.state.analytics``); 503 when there is none."""
    service: AnalyticsService | None = getattr(request.app.state, "analytics", None)
    if service is None:
        raise unavailable("no analytics store configured")
    return service


AnalyticsDep = Annotated[AnalyticsService, Depends(get_analytics)]


def unavailable(reason: str) -> HTTPException:
    return HTTPException(
        status_code=503,
        detail={"message": reason, "reason": "AnalyticsUnavailable"},
        headers={"Retry-After": "10"},
    )


def bad_request(message: str, reason: str = "BadQuery") -> HTTPException:
    return HTTPException(status_code=400, detail={"message": message, "reason": reason})


async def open_store(service: AnalyticsService) -> AnalyticsStore:
    """The store, or 503 with the reason it cannot be opened."""
    try:
        return await service.store()
    except AnalyticsUnavailableError as err:
        raise unavailable(str(err)) from err


def query_failed(err: QueryError) -> HTTPException:
    """A failed ClickHouse query as a 400 with ClickHouse's own text."""
    return bad_request(str(err), "QueryFailed")


def window(since: dt.datetime | None, until: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """[since, until) in UTC: until defaults to now, since to an hour before until."""
    end = _utc(until) if until else dt.datetime.now(dt.UTC)
    start = _utc(since) if since else end - DEFAULT_WINDOW
    if start >= end:
        raise bad_request("since must be before until")
    return start, end


def _utc(ts: dt.datetime) -> dt.datetime:
    return ts.replace(tzinfo=dt.UTC) if ts.tzinfo is None else ts.astimezone(dt.UTC)


async def readable_namespaces(
    guard: Guard,
    ref: ResourceRef,
    namespace: str | None,
    store: AnalyticsStore,
    table: Table,
    cluster: str,
    since: dt.datetime,
    until: dt.datetime,
) -> list[str] | None:
    """The namespaces whose rows the caller may see (None: every namespace).

    Logs are namespace-scoped data: the rows of a namespace are readable to whoever may
    read ``ref`` (HTTPRoutes for access logs, InferencePools for inference data) there.
    """
    if namespace is not None:
        await guard.authorize(Action.READ, ref, namespace)
        return [namespace]
    if await guard.allowed(Action.READ, ref, None):
        return None
    seen = await namespaces_seen(store, table, cluster, since, until)
    return [ns for ns in seen if ns and await guard.allowed(Action.READ, ref, ns)]


_PY_TYPES: dict[str, type] = {
    "String": str,
    "Bool": bool,
    "Float32": float,
    "Float64": float,
    **dict.fromkeys(("UInt8", "UInt16", "UInt32", "UInt64"), int),
}


class LogFilters(BaseModel):
    """The time window, text search and paging of a log query (column filters are added
    per table by :func:`filter_model`)."""

    model_config = ConfigDict(populate_by_name=True)

    since: dt.datetime | None = Field(default=None, description="From (RFC 3339).")
    until: dt.datetime | None = Field(default=None, description="Until (default now).")
    q: str | None = Field(default=None, description="Text search (case-insensitive).")
    limit: int = Field(default=100, ge=1, le=1000)
    continue_: str | None = Field(default=None, alias="continue")
    namespace: str | None = Field(default=None, description="One namespace (default: all).")


def filter_model(table: Table, name: str) -> type[LogFilters]:
    """LogFilters plus a filter per column of ``table`` (numbers also get
    ``<col>_min``/``<col>_max``; arrays match rows containing the value)."""
    fields: dict[str, Any] = {}
    for column in filterable(table):
        if column.name == "namespace":
            continue
        base = column.base_type
        inner = base[6:-1] if base.startswith("Array(") else base
        py = _PY_TYPES[inner]
        extra: dict[str, Any] = {"ge": 0} if inner.startswith("UInt") else {}
        doc = f"{column.name} = value" if inner == base else f"{column.name} contains value"
        fields[column.name] = (py | None, Field(default=None, description=doc, **extra))
        if py in (int, float) and inner == base:
            fields[f"{column.name}_min"] = (py | None, Field(default=None, **extra))
            fields[f"{column.name}_max"] = (py | None, Field(default=None, **extra))
    model: type[LogFilters] = create_model(name, __base__=LogFilters, **fields)
    return model


FILTER_META = ("since", "until", "q", "limit", "continue_")


def column_filters(params: BaseModel) -> dict[str, Any]:
    """The column filters set in ``params`` (without window, text and paging)."""
    return {
        k: v
        for k, v in params.model_dump(by_alias=False).items()
        if k not in FILTER_META and v is not None
    }


def fingerprint(params: BaseModel, cluster: str) -> str:
    """What a continue token is bound to: the filters, not the page position."""
    data = params.model_dump(mode="json", by_alias=False, exclude={"continue_", "limit"})
    data["cluster"] = cluster
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class LogPage(BaseModel):
    """A page of log rows, newest first."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    items: list[dict[str, Any]]
    continue_token: str | None = Field(default=None, alias="continue")
    total: int = Field(description="Rows matching the query across all pages.")
    since: dt.datetime
    until: dt.datetime


async def log_page(
    params: LogFilters,
    guard: Guard,
    cluster: str,
    service: AnalyticsService,
    *,
    resource: ResourceRef,
    table: Table,
    text_columns: tuple[str, ...],
) -> LogPage:
    """One page of ``table``'s rows (newest first) for the routes that list raw logs:
    filters per column, ``q`` over ``text_columns``, the caller's readable namespaces."""
    store = await open_store(service)
    since, until = window(params.since, params.until)
    namespaces = await readable_namespaces(
        guard, resource, params.namespace, store, table, cluster, since, until
    )
    where = scope(cluster, since, until, namespaces)
    try:
        add_filters(where, table, column_filters(params))
        add_text(where, params.q, text_columns)
        page = await row_page(
            store,
            table,
            where,
            limit=params.limit,
            continue_token=params.continue_,
            fingerprint=fingerprint(params, cluster),
        )
    except BadQueryError as err:
        raise bad_request(str(err)) from err
    except QueryError as err:
        raise query_failed(err) from err
    return LogPage(
        items=page.rows,
        continue_token=page.continue_token,
        total=page.total,
        since=since,
        until=until,
    )
