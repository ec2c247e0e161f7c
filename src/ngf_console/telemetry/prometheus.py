"""An async PromQL client: instant and range queries over Prometheus's HTTP API.

Errors are surfaced, never swallowed into empty results: an unreachable server, a non-JSON
answer and a PromQL error (``status: error``, with Prometheus's ``errorType`` and ``error``)
each raise :class:`PrometheusError` carrying what Prometheus said. An empty vector is a
valid answer (no such series), which is what the name fallbacks
(:meth:`PrometheusClient.first_instant`, :meth:`PrometheusClient.first_range`) build on.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
    "InstantSample",
    "PrometheusClient",
    "PrometheusError",
    "RangeSeries",
    "TimeRange",
]


class PrometheusError(Exception):
    """Prometheus could not answer a query (unreachable, bad PromQL, timeout...)."""

    def __init__(self, message: str, *, error_type: str = "unavailable", query: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.query = query


@dataclass(frozen=True)
class InstantSample:
    """One series of an instant vector: its labels and value."""

    labels: dict[str, str]
    value: float


@dataclass(frozen=True)
class RangeSeries:
    """One series of a range query: its labels and ``(unix seconds, value)`` points."""

    labels: dict[str, str]
    points: list[tuple[float, float]]


@dataclass(frozen=True)
class TimeRange:
    """The window and resolution of a range query (unix seconds)."""

    start: float
    end: float
    step: float
    scrape_interval: float = 15.0
    """Prometheus's scrape interval: rate() windows span at least four scrapes."""

    @classmethod
    def last(
        cls, seconds: float, step: float, *, now: float | None = None, scrape_interval: float = 15.0
    ) -> TimeRange:
        """The ``seconds`` up to ``now`` (default: the current time)."""
        end = now if now is not None else dt.datetime.now(dt.UTC).timestamp()
        return cls(start=end - seconds, end=end, step=step, scrape_interval=scrape_interval)

    @property
    def points(self) -> int:
        """How many points each series of a range query holds at most."""
        return int((self.end - self.start) // self.step) + 1


def _number(raw: Any) -> float:
    """A sample value: Prometheus sends strings, with ``NaN`` and ``+Inf`` spelled out."""
    try:
        return float(raw)
    except (TypeError, ValueError):
        return math.nan


class PrometheusClient:
    """Queries one Prometheus server (``base_url`` like ``http://127.0.0.1:9090``)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout + 2.0, transport=transport
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _get(self, path: str, params: dict[str, str]) -> Any:
        query = params.get("query", "")
        try:
            response = await self._http.post(path, data=params)
        except httpx.HTTPError as err:
            raise PrometheusError(
                f"Prometheus at {self.base_url} is unreachable: {err!r}", query=query
            ) from err
        try:
            body = response.json()
        except ValueError as err:
            raise PrometheusError(
                f"Prometheus answered {response.status_code} without JSON: {response.text[:200]}",
                error_type="bad_response",
                query=query,
            ) from err
        if not isinstance(body, dict) or body.get("status") != "success":
            error_type = (
                str(body.get("errorType", "bad_response")) if isinstance(body, dict) else ""
            )
            error = str(body.get("error", body)) if isinstance(body, dict) else str(body)
            raise PrometheusError(
                f"{error_type}: {error}", error_type=error_type or "bad_response", query=query
            )
        return body["data"]

    async def instant(self, query: str, *, at: float | None = None) -> list[InstantSample]:
        """Evaluate ``query`` at ``at`` (default: now); a scalar comes back as one sample."""
        params = {"query": query, "timeout": f"{int(self._timeout * 1000)}ms"}
        if at is not None:
            params["time"] = repr(at)
        data = await self._get("/api/v1/query", params)
        kind = data.get("resultType")
        result = data.get("result")
        if kind in ("scalar", "string"):
            return [InstantSample({}, _number(result[1]))]
        if kind != "vector":
            raise PrometheusError(
                f"expected an instant vector, got {kind}", error_type="bad_data", query=query
            )
        return [InstantSample(dict(s.get("metric", {})), _number(s["value"][1])) for s in result]

    async def range(self, query: str, window: TimeRange) -> list[RangeSeries]:
        """Evaluate ``query`` over ``window``: one series per label set."""
        params = {
            "query": query,
            "start": repr(window.start),
            "end": repr(window.end),
            "step": repr(window.step),
            "timeout": f"{int(self._timeout * 1000)}ms",
        }
        data = await self._get("/api/v1/query_range", params)
        if data.get("resultType") != "matrix":
            raise PrometheusError(
                f"expected a matrix, got {data.get('resultType')}", error_type="bad_data"
            )
        return [
            RangeSeries(
                dict(s.get("metric", {})), [(float(t), _number(v)) for t, v in s.get("values", [])]
            )
            for s in data["result"]
        ]

    async def first_instant(self, queries: Sequence[str]) -> list[InstantSample]:
        """The first of ``queries`` that returns any series (current names before older)."""
        for query in queries:
            samples = await self.instant(query)
            if samples:
                return samples
        return []

    async def first_range(self, queries: Sequence[str], window: TimeRange) -> list[RangeSeries]:
        """The first of ``queries`` whose range result holds any series."""
        for query in queries:
            series = await self.range(query, window)
            if series:
                return series
        return []

    async def ready(self) -> bool:
        """Whether the server answers its readiness probe."""
        try:
            response = await self._http.get("/-/ready")
        except httpx.HTTPError:
            return False
        return response.status_code == 200
