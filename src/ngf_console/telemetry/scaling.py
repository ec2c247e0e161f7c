"""Scaling events of a pool, from the Kubernetes Events the watch cache holds.

Three writers tell the story: the deployment controller (``ScalingReplicaSet``: "Scaled up
replica set X from 1 to 3"), the HPA controller (``SuccessfulRescale``: "New size: 3; reason:
... above target") and KEDA (``KEDAScaleTargetActivated``/``Deactivated``; its HPA emits the
rescales). Events about the pool's Deployments and its autoscaler are kept; the HPA's reason
names the metric that triggered the change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel

__all__ = ["SCALING_REASONS", "ScalingEvent", "scaling_events"]

SCALING_REASONS = frozenset(
    {
        "ScalingReplicaSet",
        "SuccessfulRescale",
        "KEDAScaleTargetActivated",
        "KEDAScaleTargetDeactivated",
        "FailedGetPodsMetric",
        "FailedComputeMetricsReplicas",
        "KEDAScalerFailed",
    }
)
_REPLICA_SET = re.compile(r"Scaled (up|down) replica set \S+ (?:from (\d+) )?to (\d+)")
_RESCALE = re.compile(r"New size: (\d+); reason: (.*)")


class ScalingEvent(BaseModel):
    """One scaling step (or failure to scale) of a pool's model server."""

    time: float
    namespace: str
    pool: str
    kind: str
    name: str
    reason: str
    type: str
    message: str
    direction: Literal["up", "down"] | None
    from_replicas: int | None
    to_replicas: int | None
    trigger: str | None
    count: int


def _timestamp(event: Mapping[str, Any]) -> float:
    for key in ("lastTimestamp", "eventTime", "firstTimestamp"):
        raw = event.get(key)
        if isinstance(raw, str) and raw:
            return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    created = (event.get("metadata") or {}).get("creationTimestamp")
    if isinstance(created, str):
        return dt.datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp()
    return 0.0


def scaling_events(
    events: Iterable[Mapping[str, Any]],
    *,
    namespace: str,
    pool: str,
    deployments: Iterable[str],
    autoscalers: Iterable[str],
    since: float = 0.0,
) -> list[ScalingEvent]:
    """The pool's scaling events since ``since`` (unix seconds), oldest first."""
    deployment_names = set(deployments)
    scaler_names = set(autoscalers)
    found = []
    for event in events:
        about = event.get("involvedObject") or event.get("regarding") or {}
        if event.get("reason") not in SCALING_REASONS or about.get("namespace") != namespace:
            continue
        kind, name = str(about.get("kind")), str(about.get("name"))
        if not (
            (kind == "Deployment" and name in deployment_names)
            or (kind in ("HorizontalPodAutoscaler", "ScaledObject") and name in scaler_names)
        ):
            continue
        time = _timestamp(event)
        if time < since:
            continue
        message = str(event.get("message") or event.get("note") or "")
        direction: Literal["up", "down"] | None = None
        before = after = None
        trigger = None
        if match := _REPLICA_SET.search(message):
            direction = "up" if match.group(1) == "up" else "down"
            before = int(match.group(2)) if match.group(2) else None
            after = int(match.group(3))
        elif match := _RESCALE.search(message):
            after = int(match.group(1))
            trigger = match.group(2).strip()
            direction = "down" if "below" in trigger else "up" if "above" in trigger else None
        found.append(
            ScalingEvent(
                time=time,
                namespace=namespace,
                pool=pool,
                kind=kind,
                name=name,
                reason=str(event.get("reason")),
                type=str(event.get("type") or "Normal"),
                message=message,
                direction=direction,
                from_replicas=before,
                to_replicas=after,
                trigger=trigger,
                count=int(event.get("count") or 1),
            )
        )
    found.sort(key=lambda e: (e.time, e.name))
    return found
