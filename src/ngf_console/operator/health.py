"""Is a child ready? Judged from the child's *own* status, as its controller reports it.

A child that merely exists is not ready when another controller has yet to act on it: a
Deployment needs available replicas, an HTTPRoute needs its gateway's acceptance. Kinds
without a status of their own (ConfigMap, Service, Secret, RBAC objects) are ready once
they exist. Pure functions over plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class Health:
    """A child's readiness and the sentence that explains it.

    ``failed`` separates "not yet" (a controller has not acted) from "no" (a controller
    said False with a reason): the first makes the parent Provisioning, the second Degraded.
    """

    ready: bool
    message: str
    failed: bool = False


def _conditions(status: Obj | None) -> dict[str, Obj]:
    return {c.get("type", ""): c for c in (status or {}).get("conditions") or []}


def _observed(obj: Obj) -> bool:
    generation = obj.get("metadata", {}).get("generation")
    observed = (obj.get("status") or {}).get("observedGeneration")
    return generation is None or observed is None or observed >= generation


def _deployment(obj: Obj) -> Health:
    want = (obj.get("spec") or {}).get("replicas", 1)
    status = obj.get("status") or {}
    available = status.get("availableReplicas", 0)
    if not _observed(obj):
        return Health(False, "waiting for the deployment controller to observe the change")
    progressing = _conditions(status).get("Progressing", {})
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        return Health(False, f"rollout stuck: {progressing.get('message', '')}", failed=True)
    # A rollout is done when every replica runs the new template and no old one is left
    # (what `kubectl rollout status` waits for).
    updated = status.get("updatedReplicas")
    total = status.get("replicas", 0)
    if updated is not None and (updated < want or total > updated):
        return Health(False, f"rolling out: {updated}/{want} replicas updated")
    if available >= want:
        return Health(True, f"{available}/{want} replicas available")
    return Health(False, f"{available}/{want} replicas available")


def _daemonset(obj: Obj) -> Health:
    status = obj.get("status") or {}
    desired = status.get("desiredNumberScheduled")
    ready = status.get("numberReady", 0)
    if desired is None or not _observed(obj):
        return Health(False, "waiting for the daemonset controller")
    if desired == 0:
        # Also true for a moment after creation, so "not yet" rather than failed.
        return Health(False, "no node matches the DaemonSet's node selector")
    updated = status.get("updatedNumberScheduled", desired)
    if updated < desired:
        return Health(False, f"rolling out: {updated}/{desired} pods updated")
    return Health(ready >= desired, f"{ready}/{desired} pods ready")


def _route_parents(obj: Obj, what: str, waiting_for: str) -> Health:
    """HTTPRoute / InferencePool: ready when every parent accepted it and resolved refs."""
    parents = (obj.get("status") or {}).get("parents") or []
    if not parents:
        return Health(False, f"waiting for {waiting_for} to accept the {what}")
    for parent in parents:
        conditions = _conditions(parent)
        for ctype in ("Accepted", "ResolvedRefs"):
            cond = conditions.get(ctype)
            if (
                cond is not None
                and cond.get("status") == "False"
                and cond.get("reason") != "Pending"
            ):
                reason, message = cond.get("reason", ""), cond.get("message", "")
                return Health(
                    False, f"{ctype}=False ({reason}): {message}".rstrip(": "), failed=True
                )
        if conditions.get("Accepted", {}).get("status") != "True":
            return Health(False, f"waiting for {waiting_for} to accept the {what}")
    return Health(True, f"accepted by {len(parents)} parent(s)")


def _condition_true(ctype: str, waiting_for: str) -> Callable[[Obj], Health]:
    def check(obj: Obj) -> Health:
        cond = _conditions(obj.get("status")).get(ctype)
        if cond is None:
            return Health(False, f"waiting for {waiting_for} to report {ctype}")
        if cond.get("status") == "True":
            return Health(True, cond.get("message") or f"{ctype}")
        if cond.get("status") == "Unknown" or cond.get("reason") == "Pending":
            # Gateway API's CRD defaults: "Waiting for controller" until one acts.
            return Health(False, f"waiting for {waiting_for} to report {ctype}")
        reason, message = cond.get("reason", ""), cond.get("message", "")
        return Health(False, f"{ctype}=False ({reason}): {message}".rstrip(": "), failed=True)

    return check


def _hpa(obj: Obj) -> Health:
    """Able to scale, and able to read its metrics (ScalingActive False says it cannot)."""
    able = _condition_true("AbleToScale", "the HPA controller")(obj)
    if not able.ready:
        return able
    active = _conditions(obj.get("status")).get("ScalingActive")
    if active is not None and active.get("status") == "False":
        reason = active.get("reason", "")
        if reason != "ScalingDisabled":  # replicas 0 on purpose
            message = active.get("message", "")
            return Health(False, f"ScalingActive=False ({reason}): {message}".rstrip(": "), True)
    return able


def _distributed_cloud(obj: Obj) -> Health:
    state = (obj.get("status") or {}).get("state")
    if state == "Published":
        return Health(True, "published to F5 Distributed Cloud")
    if state in ("Error", "Degraded"):
        return Health(False, f"F5 Distributed Cloud publication is {state}", failed=True)
    return Health(False, "waiting for the Distributed Cloud controller to publish")


def _snippets_filter(obj: Obj) -> Health:
    controllers = (obj.get("status") or {}).get("controllers") or []
    for controller in controllers:
        accepted = _conditions(controller).get("Accepted")
        if accepted and accepted.get("status") == "True":
            return Health(True, "accepted by NGINX Gateway Fabric")
        if accepted and accepted.get("status") == "False":
            return Health(False, f"rejected: {accepted.get('message', '')}", failed=True)
    return Health(False, "waiting for NGINX Gateway Fabric to accept the SnippetsFilter")


_CHECKS: dict[str, Callable[[Obj], Health]] = {
    "Deployment": _deployment,
    "DaemonSet": _daemonset,
    "HTTPRoute": lambda o: _route_parents(o, "HTTPRoute", "the gateway controller"),
    "InferencePool": lambda o: _route_parents(o, "InferencePool", "the gateway controller"),
    "Gateway": _condition_true("Programmed", "the gateway controller"),
    "ScaledObject": _condition_true("Ready", "KEDA"),
    "HorizontalPodAutoscaler": _hpa,
    "DistributedCloudPublish": _distributed_cloud,
    "SnippetsFilter": _snippets_filter,
}


def child_health(kind: str, live: Obj | None) -> Health:
    """Readiness of a child of ``kind`` given its live object (None: it does not exist)."""
    if live is None:
        return Health(False, f"{kind} does not exist yet")
    check = _CHECKS.get(kind)
    return check(live) if check else Health(True, "exists")
