"""Aggregate the children's health into the parent's ``.status``. Pure.

Phase: ``Error`` when the spec cannot be rendered or applied; ``Degraded`` when a child
failed or was withheld (an Enterprise-only child on an OSS cluster); ``Provisioning`` while
some child waits for its controller; ``Ready`` when every child says so. Conditions follow
the Kubernetes convention (``lastTransitionTime`` only moves when ``status`` flips).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ngf_console.crd.common import MAX_DRIFT_HISTORY
from ngf_console.operator.health import Health


@dataclass(frozen=True)
class ChildReport:
    """One child as the reconciler saw it: identity, readiness, and which status slot."""

    kind: str
    name: str
    namespace: str
    slot: str
    health: Health


@dataclass(frozen=True)
class Withheld:
    """A child the renderer did not produce, and why (e.g. requires NGF Enterprise)."""

    kind: str
    name: str
    slot: str
    reason: str


@dataclass(frozen=True)
class DriftEvent:
    """A child that had to be restored: what changed, when seen, when healed."""

    kind: str
    name: str
    change: str
    detected_at: dt.datetime
    healed_at: dt.datetime


def timestamp(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with second precision, as metav1.Time serialises."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def set_condition(
    conditions: list[dict[str, Any]],
    ctype: str,
    status: bool,
    reason: str,
    message: str,
    generation: int | None,
    now: dt.datetime,
) -> None:
    """Insert or update ``ctype``; keep lastTransitionTime unless status flips."""
    value = "True" if status else "False"
    for cond in conditions:
        if cond["type"] == ctype:
            if cond.get("status") != value:
                cond["lastTransitionTime"] = timestamp(now)
            cond.update(status=value, reason=reason, message=message[:32768])
            if generation is not None:
                cond["observedGeneration"] = generation
            return
    cond = {
        "type": ctype,
        "status": value,
        "reason": reason,
        "message": message[:32768],
        "lastTransitionTime": timestamp(now),
    }
    if generation is not None:
        cond["observedGeneration"] = generation
    conditions.append(cond)


_WORKLOADS = frozenset({"Deployment", "DaemonSet", "ScaledObject", "HorizontalPodAutoscaler"})


def _slot_entry(
    kind: str, name: str, namespace: str, ready: bool, message: str, now: dt.datetime
) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "namespace": namespace,
        "ready": ready,
        "message": message,
        "lastSyncedAt": timestamp(now),
    }


def children_status(
    reports: Sequence[ChildReport],
    withheld: Sequence[Withheld],
    list_slots: frozenset[str],
    namespace: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The ``status.children`` object: one entry per slot (a list for ``list_slots``).

    Several objects can share a slot (the EPP is a Deployment, a Service and a ConfigMap);
    the slot is ready only if all are, and names the first one that is not.
    """
    grouped: dict[str, list[ChildReport]] = {}
    for report in reports:
        if report.slot:  # children without a slot count in phase and conditions only
            grouped.setdefault(report.slot, []).append(report)
    out: dict[str, Any] = {}
    for slot, members in grouped.items():
        if slot in list_slots:
            out[slot] = [
                _slot_entry(m.kind, m.name, m.namespace, m.health.ready, m.health.message, now)
                for m in members
            ]
            continue
        # The workload speaks for the slot (the EPP's Deployment, not its ServiceAccount).
        primary = next((m for m in members if m.kind in _WORKLOADS), members[0])
        lead = next((m for m in members if not m.health.ready), primary)
        ready = all(m.health.ready for m in members)
        message = (
            f"{lead.kind} {lead.name}: {lead.health.message}"
            if not ready
            else primary.health.message
        )
        out[slot] = _slot_entry(primary.kind, primary.name, primary.namespace, ready, message, now)
    for item in withheld:
        if not item.slot:
            continue
        entry = _slot_entry(item.kind, item.name, namespace, False, item.reason, now)
        if item.slot in list_slots:
            out.setdefault(item.slot, []).append(entry)
        else:
            out[item.slot] = entry
    return out


def drift_history(
    previous: Sequence[Mapping[str, Any]], events: Sequence[DriftEvent]
) -> list[dict[str, Any]]:
    """Previous history plus ``events``, newest last, bounded."""
    history = [dict(h) for h in previous]
    history.extend(
        {
            "kind": e.kind,
            "name": e.name,
            "change": e.change[:1024],
            "detectedAt": timestamp(e.detected_at),
            "healedAt": timestamp(e.healed_at),
        }
        for e in events
    )
    return history[-MAX_DRIFT_HISTORY:]


@dataclass(frozen=True)
class Outcome:
    """What one reconcile pass found, as input to :func:`aggregate`."""

    reports: Sequence[ChildReport] = ()
    withheld: Sequence[Withheld] = ()
    drift: Sequence[DriftEvent] = ()
    error: str | None = None
    error_reason: str = "ReconcileFailed"
    replicas: tuple[int, int] | None = None
    """(current, desired) replicas of the parent's workload, when it has one."""


def workload_replicas(
    children: Sequence[Mapping[str, Any]], workload: str
) -> tuple[int, int] | None:
    """(ready, desired) replicas of the Deployment named ``workload`` among the live
    children; an autoscaler's desired count wins over the Deployment's own."""
    deployment = next(
        (
            c
            for c in children
            if c.get("kind") == "Deployment" and c["metadata"]["name"] == workload
        ),
        None,
    )
    if deployment is None:
        return None
    ready = int((deployment.get("status") or {}).get("readyReplicas") or 0)
    desired = int((deployment.get("spec") or {}).get("replicas") or 0)
    for child in children:
        if child.get("kind") == "HorizontalPodAutoscaler":
            desired = int((child.get("status") or {}).get("desiredReplicas") or desired)
    return ready, desired


def aggregate(
    previous: Mapping[str, Any],
    outcome: Outcome,
    *,
    generation: int | None,
    spec_hash: str,
    namespace: str,
    list_slots: frozenset[str] = frozenset(),
    now: dt.datetime,
) -> dict[str, Any]:
    """The new ``.status`` from the previous one and this pass's outcome."""
    conditions = [dict(c) for c in previous.get("conditions") or []]
    status: dict[str, Any] = {
        "observedGeneration": generation,
        "observedSpecHash": spec_hash,
    }
    spec_changed = previous.get("observedSpecHash") != spec_hash
    if outcome.error is not None:
        status["phase"] = "Error"
        set_condition(
            conditions, "Reconciled", False, outcome.error_reason, outcome.error, generation, now
        )
        set_condition(
            conditions, "Ready", False, outcome.error_reason, outcome.error, generation, now
        )
        # A spec that failed was not reconciled: the next good pass must see it as new (so
        # children it creates are not mistaken for deleted ones, and DriftDetected resets).
        if previous.get("observedSpecHash"):
            status["observedSpecHash"] = previous["observedSpecHash"]
        else:
            del status["observedSpecHash"]
        status["conditions"] = conditions
        return status

    failed = [r for r in outcome.reports if r.health.failed]
    waiting = [r for r in outcome.reports if not r.health.ready and not r.health.failed]
    if failed or outcome.withheld:
        phase = "Degraded"
    elif waiting:
        phase = "Provisioning"
    else:
        phase = "Ready"
    status["phase"] = phase
    status["children"] = children_status(
        outcome.reports, outcome.withheld, list_slots, namespace, now
    )
    status["lastReconciledAt"] = timestamp(now)
    if outcome.replicas is not None:
        status["currentReplicas"], status["desiredReplicas"] = outcome.replicas

    set_condition(
        conditions,
        "Reconciled",
        True,
        "Applied",
        f"{len(outcome.reports)} children applied",
        generation,
        now,
    )
    problems = [f"{r.kind} {r.name}: {r.health.message}" for r in failed]
    problems += [f"{w.kind} {w.name}: {w.reason}" for w in outcome.withheld]
    set_condition(
        conditions,
        "Degraded",
        bool(problems),
        "ChildFailed" if problems else "AsExpected",
        "; ".join(problems) or "no child failed",
        generation,
        now,
    )
    if phase == "Ready":
        set_condition(
            conditions, "Ready", True, "AllChildrenReady", "all children are ready", generation, now
        )
    else:
        pending = (failed + waiting)[:1]
        reason = "Degraded" if phase == "Degraded" else "WaitingForChildren"
        message = (
            f"{pending[0].kind} {pending[0].name}: {pending[0].health.message}"
            if pending
            else "; ".join(problems)
        )
        set_condition(conditions, "Ready", False, reason, message, generation, now)
    if outcome.drift:
        set_condition(
            conditions,
            "DriftDetected",
            True,
            "DriftCorrected",
            "; ".join(f"{e.kind} {e.name}: {e.change}" for e in outcome.drift),
            generation,
            now,
        )
    elif spec_changed or not any(c["type"] == "DriftDetected" for c in conditions):
        # Stays True after a correction until the spec changes, so the UI can show it.
        set_condition(
            conditions,
            "DriftDetected",
            False,
            "NoDrift",
            "no drift since the last spec change",
            generation,
            now,
        )
    status["conditions"] = conditions
    status["driftHistory"] = drift_history(previous.get("driftHistory") or [], outcome.drift)
    return status


_PASS_TIMESTAMPS = frozenset({"lastReconciledAt", "lastSyncedAt"})


def _without_pass_timestamps(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _without_pass_timestamps(v)
            for k, v in value.items()
            if k not in _PASS_TIMESTAMPS and v is not None
        }
    if isinstance(value, list):
        return [_without_pass_timestamps(v) for v in value]
    return value


def needs_write(
    previous: Mapping[str, Any], status: Mapping[str, Any], *, now: dt.datetime, refresh: float
) -> bool:
    """Is ``status`` worth a write over ``previous``?

    Only when something other than the pass timestamps changed, or when the last write is
    older than ``refresh`` seconds (so ``lastReconciledAt`` still shows the operator alive).
    A status write is an event for every watcher of the parent; most passes change nothing.
    """
    if _without_pass_timestamps(previous) != _without_pass_timestamps(status):
        return True
    last = previous.get("lastReconciledAt")
    if not last:
        return True
    written = dt.datetime.strptime(last, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return (now - written).total_seconds() >= refresh
