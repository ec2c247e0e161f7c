"""Health of each kind of object, for the nodes of the topology graph.

Four values: ``healthy``, ``degraded`` (works, but something is wrong), ``error`` (does not
work) and ``unknown`` (nobody has said yet). The Gateway API rules live in
:func:`~ngf_console.readmodel.objects.gateway_api_health`; the rest is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ngf_console.readmodel.objects import (
    Health,
    as_dicts,
    condition_statuses,
    gateway_api_health,
    per_parent_health,
    status_of,
)

__all__ = [
    "parent_health",
    "pod_health",
    "pod_ready",
    "policy_health",
    "route_health",
    "selecting_health",
]

# status.phase (status.state for DistributedCloudPublish) of the console's parent CRDs.
_PARENT_PHASES: Final[dict[str, Health]] = {
    "Ready": "healthy",
    "Active": "healthy",
    "Published": "healthy",
    "Applied": "healthy",
    "Completed": "healthy",
    "Reviewed": "healthy",
    "Degraded": "degraded",
    "Expiring": "degraded",
    "RollingBack": "degraded",
    "Error": "error",
    "Expired": "error",
    "Failed": "error",
}
# Container waiting reasons that mean the pod will not become ready by itself.
_BROKEN_WAITING: Final = frozenset(
    {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"}
)


def parent_health(parent: Mapping[str, Any]) -> Health:
    """Ready/Active/Published... healthy, Degraded/Expiring degraded, Error/Expired error.

    Pending, Provisioning, Analyzing, Applying and no status at all are ``unknown``: the
    operator has not reached a verdict yet.
    """
    status = status_of(parent)
    phase = status.get("phase") or status.get("state")
    return _PARENT_PHASES.get(str(phase), "unknown")


def pod_ready(pod: Mapping[str, Any]) -> bool:
    """Whether the pod is Running with condition Ready=True."""
    status = status_of(pod)
    if status.get("phase") != "Running":
        return False
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in as_dicts(status.get("conditions"))
    )


def pod_health(pod: Mapping[str, Any], *, ready: bool | None = None) -> Health:
    """Running and Ready healthy; Failed or crash-looping error; starting/unready degraded."""
    status = status_of(pod)
    phase = status.get("phase")
    if phase == "Failed":
        return "error"
    for container in as_dicts(status.get("containerStatuses")):
        state = container.get("state")
        waiting = state.get("waiting") if isinstance(state, dict) else None
        if isinstance(waiting, dict) and waiting.get("reason") in _BROKEN_WAITING:
            return "error"
    if pod_ready(pod) if ready is None else ready:
        return "healthy"
    if phase in ("Running", "Pending"):
        return "degraded"
    return "unknown"  # Succeeded, Unknown, or no status yet


def selecting_health(selected: int, ready: int) -> Health:
    """Health of a Service or pool by its pods: some ready healthy, none ready degraded."""
    if selected == 0 or ready == 0:
        return "degraded"
    return "healthy"


def route_health(route: Mapping[str, Any]) -> Health:
    """Per-parent verdicts of ``status.parents``; rejected by only some parents: degraded."""
    healths: list[Health] = [
        gateway_api_health(condition_statuses(p.get("conditions")))
        for p in as_dicts(status_of(route).get("parents"))
    ]
    return per_parent_health(healths)


def policy_health(policy: Mapping[str, Any]) -> Health:
    """Policies report per ancestor (``status.ancestors``), like routes per parent."""
    status = status_of(policy)
    entries = as_dicts(status.get("ancestors"))
    if not entries:
        return gateway_api_health(condition_statuses(status.get("conditions")))
    return per_parent_health(
        [gateway_api_health(condition_statuses(a.get("conditions"))) for a in entries]
    )
