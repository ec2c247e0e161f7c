"""What the metric read models return: named time series and current values, JSON-ready."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from ngf_console.telemetry.prometheus import (
    InstantSample,
    PrometheusClient,
    RangeSeries,
    TimeRange,
)

__all__ = [
    "Generation",
    "Point",
    "Series",
    "first_instant",
    "first_range",
    "rate_window",
    "series_of",
    "sum_points",
]

Point = tuple[float, float]
Generation = Literal["current", "older", "none"]


class Series(BaseModel):
    """One time series: its labels and ``[unix seconds, value]`` points (NaN dropped)."""

    labels: dict[str, str] = Field(default_factory=dict)
    points: list[Point]


def _finite(points: Sequence[Point]) -> list[Point]:
    return [(t, v) for t, v in points if math.isfinite(v)]


def series_of(result: Sequence[RangeSeries], keep: Sequence[str] = ()) -> list[Series]:
    """API series from a range result, keeping only the ``keep`` labels."""
    return [
        Series(labels={k: s.labels[k] for k in keep if k in s.labels}, points=_finite(s.points))
        for s in result
    ]


def sum_points(result: Sequence[RangeSeries]) -> list[Point]:
    """The pointwise sum of several series (a missing point counts as absent, not zero)."""
    totals: dict[float, float] = {}
    for s in result:
        for t, v in s.points:
            if math.isfinite(v):
                totals[t] = totals.get(t, 0.0) + v
    return sorted(totals.items())


def rate_window(window: TimeRange) -> str:
    """The ``rate()`` range of a graph: at least four scrapes, and at least one step."""
    seconds = max(4 * window.scrape_interval, window.step)
    return f"{math.ceil(seconds)}s"


async def first_range(
    client: PrometheusClient, current: str, older: str | None, window: TimeRange
) -> tuple[Generation, list[RangeSeries]]:
    """The current names' series, else the older names'; which one answered."""
    result = await client.range(current, window)
    if result:
        return "current", result
    if older is not None:
        result = await client.range(older, window)
        if result:
            return "older", result
    return "none", []


async def first_instant(
    client: PrometheusClient, current: str, older: str | None
) -> tuple[Generation, list[InstantSample]]:
    """The current names' samples, else the older names'; which one answered."""
    result = await client.instant(current)
    if result:
        return "current", result
    if older is not None:
        result = await client.instant(older)
        if result:
            return "older", result
    return "none", []
