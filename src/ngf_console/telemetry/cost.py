"""GPU cost of inference pools: hourly and daily estimates and over-provisioning findings.

The arithmetic is pure (:func:`estimate`): a pool costs replicas x GPUs per pod x the GPU
type's price per hour. Over a window, the cost is the integral of the replica count; the
over-provisioning finding compares the mean replica count with the mean number of *busy* pods
(pods with at least one request running), e.g. "averaged 2.0 busy pods while keeping 5.0
replicas". Prices default to the chart's ``costEstimation.gpuPricing`` (spec §7.2).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Final

from pydantic import BaseModel, Field

from ngf_console.telemetry.series import Point

__all__ = ["DEFAULT_GPU_PRICING", "PoolCost", "estimate", "mean_over_time"]

DEFAULT_GPU_PRICING: Final[dict[str, float]] = {
    "A100": 3.67,
    "H100": 8.10,
    "L40S": 1.84,
    "T4": 0.53,
}
# A pool is over-provisioned when it keeps a replica or more beyond its busy pods and uses
# less than this share of them; right-sizing keeps this much headroom over the busy pods.
BUSY_SHARE_THRESHOLD: Final = 0.6
HEADROOM: Final = 1.25


class PoolCost(BaseModel):
    """What one pool costs, now and over the window."""

    namespace: str
    pool: str
    gpu_type: str
    gpus_per_pod: int
    price_per_gpu_hour: float | None = Field(description="None: no price for this GPU type.")
    replicas: int
    hourly: float
    daily: float
    window_hours: float
    window_cost: float
    avg_replicas: float | None
    avg_busy_pods: float | None
    recommended_replicas: int | None
    savings_per_day: float | None
    finding: str | None


def mean_over_time(points: Sequence[Point]) -> float | None:
    """The time-weighted mean of a step series (each value holds until the next point)."""
    finite = [(t, v) for t, v in points if math.isfinite(v)]
    if not finite:
        return None
    if len(finite) == 1:
        return finite[0][1]
    total = sum(v * (t2 - t1) for (t1, v), (t2, _) in itertools.pairwise(finite))
    return total / (finite[-1][0] - finite[0][0])


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:.1f} h" if hours >= 1 else f"{seconds / 60:.0f} min"


def estimate(
    *,
    namespace: str,
    pool: str,
    gpu_type: str,
    gpus_per_pod: int,
    replicas: int,
    pricing: Mapping[str, float],
    replica_series: Sequence[Point] = (),
    busy_series: Sequence[Point] = (),
    window_seconds: float = 0.0,
) -> PoolCost:
    """The cost of one pool, and whether it kept more replicas than it needed."""
    price = pricing.get(gpu_type)
    per_hour = (price or 0.0) * max(gpus_per_pod, 1)
    avg_replicas = mean_over_time(replica_series)
    avg_busy = mean_over_time(busy_series)
    window_hours = window_seconds / 3600
    window_cost = per_hour * (avg_replicas if avg_replicas is not None else replicas) * window_hours
    finding = recommended = savings = None
    if avg_replicas is not None and avg_busy is not None and avg_replicas > 0:
        needed = max(1, math.ceil(avg_busy * HEADROOM))
        if avg_replicas - avg_busy >= 1 and avg_busy / avg_replicas < BUSY_SHARE_THRESHOLD:
            recommended = needed
            savings = max(0.0, (avg_replicas - needed) * per_hour * 24)
            finding = (
                f"{namespace}/{pool} averaged {avg_busy:.1f} busy pods while keeping "
                f"{avg_replicas:.1f} replicas over the last {_hours(window_seconds)}"
                + (
                    f"; {needed} replicas would save about ${savings:,.0f}/day"
                    if price is not None
                    else ""
                )
            )
    return PoolCost(
        namespace=namespace,
        pool=pool,
        gpu_type=gpu_type,
        gpus_per_pod=gpus_per_pod,
        price_per_gpu_hour=price,
        replicas=replicas,
        hourly=per_hour * replicas,
        daily=per_hour * replicas * 24,
        window_hours=window_hours,
        window_cost=window_cost,
        avg_replicas=avg_replicas,
        avg_busy_pods=avg_busy,
        recommended_replicas=recommended,
        savings_per_day=savings,
        finding=finding,
    )
