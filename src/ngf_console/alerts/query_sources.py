"""Metric sources that run the rule's own query: PromQL on Prometheus, SQL on ClickHouse.

``prometheus_query``: an instant query at the evaluation time; each series of the result
is one sample labelled by the series' labels (``__name__`` dropped, as Prometheus's own
alerting does). ``clickhouse_query``: one SELECT through the analytics store with the
guard of ``/logs/sql`` (lexical check, ClickHouse's parser, ``readonly=1``, the
configured time and row limits); it must return a numeric ``value`` column, every other
column becomes a label.

Both check a rule before it is saved (:class:`~ngf_console.alerts.sources.CheckedSource`):
PromQL that Prometheus refuses to parse, or SQL that is not one SELECT returning a
numeric ``value``, is an ``InvalidRuleError`` on ``query``. Errors at evaluation
(Prometheus down, a failing SQL) are ``SourceError``: they show as the rule's
``last_error`` and leave its alerts as they are.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ngf_console.alerts.rules import RuleConfig, parse_duration
from ngf_console.alerts.sources import (
    InvalidRuleError,
    Sample,
    SourceError,
    label_sets_unique,
)
from ngf_console.telemetry.analytics.backends import AnalyticsUnavailableError
from ngf_console.telemetry.analytics.service import AnalyticsService
from ngf_console.telemetry.analytics.sql_guard import (
    RejectedSqlError,
    SqlLimits,
    check_select,
    describe_select,
    run_select,
)
from ngf_console.telemetry.analytics.store import QueryError
from ngf_console.telemetry.prometheus import PrometheusClient, PrometheusError

PROMETHEUS_QUERY: Final = "prometheus_query"
CLICKHOUSE_QUERY: Final = "clickhouse_query"
VALUE_COLUMN: Final = "value"
# ClickHouse types a ``value`` column may have (inside Nullable/LowCardinality).
_NUMERIC = re.compile(r"^(U?Int\d+|Float\d+|Decimal(\d+)?\(.*\))$")
_WRAPPERS = ("Nullable(", "LowCardinality(")


def _needs_query(config: RuleConfig, what: str) -> str:
    if config.query is None or not config.query.strip():
        raise InvalidRuleError("query", f"a {config.source} rule needs a query ({what})")
    return config.query


class PrometheusQueryParams(BaseModel):
    """A ``prometheus_query`` rule takes no parameters: everything is in its query."""

    model_config = ConfigDict(extra="forbid")


class PrometheusQuerySource:
    """Samples from a PromQL instant query (``config.query``) at the evaluation time."""

    def __init__(self, client: PrometheusClient) -> None:
        self._client = client

    @property
    def name(self) -> str:
        return PROMETHEUS_QUERY

    @property
    def params_model(self) -> type[BaseModel]:
        return PrometheusQueryParams

    async def check(self, config: RuleConfig) -> None:
        """Ask Prometheus: a query it cannot parse (or that is not an instant vector or a
        scalar) is refused; Prometheus being unreachable is not the rule's fault."""
        query = _needs_query(config, "PromQL giving an instant vector")
        try:
            await self._client.instant(query)
        except PrometheusError as err:
            if err.error_type == "bad_data":
                raise InvalidRuleError("query", f"Prometheus refused the query: {err}") from err

    async def samples(self, config: RuleConfig, *, now: dt.datetime) -> list[Sample]:
        """One sample per series of the query's result at ``now``."""
        PrometheusQueryParams.model_validate(config.params)
        query = config.query or ""
        if not query.strip():
            raise SourceError("the rule has no query")
        try:
            result = await self._client.instant(query, at=now.timestamp())
        except PrometheusError as err:
            raise SourceError(f"Prometheus: {err}") from err
        samples = [
            Sample(
                labels={k: v for k, v in series.labels.items() if k != "__name__"},
                value=series.value,
            )
            for series in result
        ]
        return label_sets_unique(
            samples, "aggregate them with by (...) so that each series is one alert"
        )


class ClickHouseQueryParams(BaseModel):
    """The time window a ``clickhouse_query`` rule may read through bound parameters."""

    model_config = ConfigDict(extra="forbid")

    window: float = Field(
        default=300.0,
        description="Seconds (or '5m') before the evaluation time bound as "
        "{since:DateTime64(3, 'UTC')}; the evaluation time is {until:DateTime64(3, 'UTC')}.",
    )

    @field_validator("window", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        seconds = parse_duration(value)
        if seconds <= 0:
            raise ValueError("the window must be longer than zero")
        return seconds


def _bound(params: ClickHouseQueryParams, now: dt.datetime) -> dict[str, Any]:
    return {"since": now - dt.timedelta(seconds=params.window), "until": now}


def numeric_type(type_: str) -> bool:
    """Whether a ClickHouse column type holds numbers (inside Nullable/LowCardinality)."""
    inner = type_
    while wrapper := next((w for w in _WRAPPERS if inner.startswith(w)), None):
        inner = inner[len(wrapper) : -1]
    return bool(_NUMERIC.match(inner))


def _value_column(columns: list[tuple[str, str]]) -> int:
    """The index of the numeric ``value`` column; SourceError when there is none."""
    names = [name for name, _ in columns]
    if VALUE_COLUMN not in names:
        raise SourceError(
            f"the query must return a numeric column named {VALUE_COLUMN!r} "
            f"(it returns {', '.join(names) or 'no columns'})"
        )
    index = names.index(VALUE_COLUMN)
    if not numeric_type(columns[index][1]):
        raise SourceError(
            f"the query's {VALUE_COLUMN!r} column must be numeric, not {columns[index][1]}"
        )
    return index


def _label(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    return str(value)


class ClickHouseQuerySource:
    """Samples from a SELECT over the analytics store (``config.query``): a row each."""

    def __init__(self, service: AnalyticsService) -> None:
        self._service = service

    @property
    def name(self) -> str:
        return CLICKHOUSE_QUERY

    @property
    def params_model(self) -> type[BaseModel]:
        return ClickHouseQueryParams

    def _limits(self) -> SqlLimits:
        settings = self._service.settings
        return SqlLimits(
            timeout_seconds=settings.sql_timeout_seconds, max_rows=settings.sql_max_rows
        )

    async def check(self, config: RuleConfig) -> None:
        """One SELECT (lexically, then by ClickHouse's parser) whose ``value`` column is
        numeric (``DESCRIBE``: analysed, not run). With the store down only the lexical
        check is made."""
        query = _needs_query(config, f"one SELECT returning a numeric {VALUE_COLUMN!r} column")
        params = ClickHouseQueryParams.model_validate(config.params)
        try:
            store = await self._service.store()
        except AnalyticsUnavailableError:
            try:
                check_select(query)
            except RejectedSqlError as err:
                raise InvalidRuleError("query", str(err)) from err
            return
        try:
            columns = await describe_select(
                store, query, self._limits(), _bound(params, dt.datetime.now(dt.UTC))
            )
            _value_column(columns)
        except (RejectedSqlError, QueryError, SourceError) as err:
            raise InvalidRuleError("query", str(err)) from err

    async def samples(self, config: RuleConfig, *, now: dt.datetime) -> list[Sample]:
        """One sample per row: ``value`` (NULL counts as NaN, which never meets a
        condition), the other columns as labels."""
        params = ClickHouseQueryParams.model_validate(config.params)
        query = config.query or ""
        if not query.strip():
            raise SourceError("the rule has no query")
        try:
            store = await self._service.store()
        except AnalyticsUnavailableError as err:
            raise SourceError(f"the analytics store is unavailable: {err}") from err
        try:
            result = await run_select(store, query, self._limits(), _bound(params, now))
        except RejectedSqlError as err:
            raise SourceError(f"not a SELECT: {err}") from err
        except QueryError as err:
            raise SourceError(f"ClickHouse: {err}") from err
        if not result.rows:
            # The driver gives no column names for an empty result; the value column was
            # checked when the rule was saved.
            return []
        index = _value_column(list(zip(result.columns, result.types, strict=True)))
        samples = []
        for row in result.rows:
            raw = row[index]
            value = math.nan if raw is None else float(raw)
            labels = {
                name: _label(cell)
                for i, (name, cell) in enumerate(zip(result.columns, row, strict=True))
                if i != index
            }
            samples.append(Sample(labels=labels, value=value))
        return label_sets_unique(
            samples, "GROUP BY the label columns so that each row is one alert"
        )
