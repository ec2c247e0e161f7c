"""The MigrationPlan controller's decisions, pure: from the plan as stored to the next step.

Everything the controller needs to resume after a restart is in the plan itself:

- ``status.phase``: Analyzing, Reviewed, Applying, Applied, RollingBack, Completed, Failed;
- ``status.resourceStatuses``: one entry per resource attempted, in the order applied (so
  that a rollback can go newest first). An entry is *done* when it is healthy, or carries an
  error; an entry applied but neither is still being validated;
- conditions whose ``lastTransitionTime`` marks when a timed wait began: ``Paused`` (True
  during ``pauseBetween``) and ``Validating`` (True while a gateway controller has not yet
  accepted the last resource). Both flip to False between steps, so the time is the start;
- each applied object carries the plan's label and the step's annotation, so that a step
  applied just before a crash (its status not yet written) is found and recorded, never
  applied twice.

:func:`decide` returns one :class:`Action`; the controller performs it, writes the status,
and asks for the next pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from ngf_console.render.common import KIND_LABELS, MANAGED_BY_LABEL
from ngf_console.render.options import duration_ms

Obj = dict[str, Any]

PLAN_LABEL = KIND_LABELS["MigrationPlan"]
PLAN_ANNOTATION = "ngf-console.f5.com/migration-plan"  # "<namespace>/<name>" of the plan
STEP_ANNOTATION = "ngf-console.f5.com/migration-step"  # the resource's index in spec.resources
# Per plan: how long to wait for a gateway controller to accept a route (default 60s).
VALIDATE_TIMEOUT_ANNOTATION = "ngf-console.f5.com/validate-timeout"
DEFAULT_PAUSE_SECONDS = 30.0  # spec §2.5.4: a phased plan without pauseBetween waits 30s
DEFAULT_VALIDATE_TIMEOUT = 60.0
# Kinds a gateway controller reports on: routes (status.parents) and policies (ancestors).
ROUTE_KINDS = frozenset({"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"})
ACTIVE_PHASES = frozenset({"Applying", "Applied", "Completed", "Failed", "RollingBack"})
# Where the kinds the engine emits live: a rollback of a resource no longer in the spec (the
# user removed it after it was applied) still knows what to delete.
_GW, _NGF = "gateway.networking.k8s.io", "gateway.nginx.org"
KNOWN_API_VERSIONS = {
    **{k: f"{_GW}/v1" for k in ("Gateway", "HTTPRoute", "GRPCRoute", "BackendTLSPolicy")},
    **{k: f"{_GW}/v1alpha2" for k in ("TLSRoute", "TCPRoute", "UDPRoute")},
    "ReferenceGrant": f"{_GW}/v1beta1",
    "ObservabilityPolicy": f"{_NGF}/v1alpha2",
    **{
        k: f"{_NGF}/v1alpha1"
        for k in (
            "ClientSettingsPolicy",
            "UpstreamSettingsPolicy",
            "RateLimitPolicy",
            "AuthenticationFilter",
            "ProxySettingsPolicy",
            "SnippetsFilter",
            "WAFPolicy",
        )
    },
}


@dataclass(frozen=True)
class Step:
    """One enabled resource of the plan, ready to apply (or why it cannot be)."""

    index: int
    source_ref: str
    kind: str
    name: str
    manifest: Obj | None
    error: str | None = None


@dataclass(frozen=True)
class Analyze:
    """Read the source; fill spec.resources (unless given) and status.analysis."""


@dataclass(frozen=True)
class Wait:
    """Nothing to do until the spec changes (``phase`` is what the status should say)."""

    phase: str
    message: str


@dataclass(frozen=True)
class StartApplying:
    """spec.apply was set: phase Applying (written before the first step)."""


@dataclass(frozen=True)
class Apply:
    """Apply this step's resource (unless it is found already applied)."""

    step: Step


@dataclass(frozen=True)
class Validate:
    """Check that a gateway controller accepted the resource applied last."""

    step: Step
    entry: int  # its index in status.resourceStatuses
    started: dt.datetime
    timeout: float


@dataclass(frozen=True)
class Pause:
    """Wait ``seconds`` more before the next step (pauseBetween)."""

    seconds: float


@dataclass(frozen=True)
class Finish:
    """Every enabled resource was attempted: the final phase and why."""

    phase: str
    message: str


@dataclass(frozen=True)
class StartRollback:
    """spec.rollback was set: phase RollingBack (written before the first deletion)."""


@dataclass(frozen=True)
class Delete:
    """Delete the newest applied resource (entry ``entry`` of status.resourceStatuses)."""

    entry: int
    kind: str
    name: str
    api_version: str | None


@dataclass(frozen=True)
class RollbackDone:
    """Everything applied was deleted: back to Reviewed."""


Action = (
    Analyze
    | Wait
    | StartApplying
    | Apply
    | Validate
    | Pause
    | Finish
    | StartRollback
    | Delete
    | RollbackDone
)


def parse_time(value: str | None) -> dt.datetime | None:
    """A metav1.Time string as an aware datetime (None if absent or unreadable)."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def condition(status: Mapping[str, Any], ctype: str) -> Mapping[str, Any]:
    """The condition of type ``ctype`` ({} when absent)."""
    return next((c for c in status.get("conditions") or [] if c.get("type") == ctype), {})


def pause_seconds(spec: Mapping[str, Any]) -> float:
    """Seconds to wait between resources: 0 unless phased; 30s when phased without a value."""
    strategy = spec.get("strategy") or {}
    if strategy.get("phased", True) is False:
        return 0.0
    value = strategy.get("pauseBetween")
    return DEFAULT_PAUSE_SECONDS if value is None else duration_ms(value) / 1000


def validates(spec: Mapping[str, Any]) -> bool:
    """Whether to wait for a gateway controller after each resource (default: when phased)."""
    strategy = spec.get("strategy") or {}
    explicit = strategy.get("validateAfterApply")
    return bool(strategy.get("phased", True)) if explicit is None else bool(explicit)


def validate_timeout(meta: Mapping[str, Any]) -> float:
    """The plan's validate timeout (annotation), else the default."""
    value = (meta.get("annotations") or {}).get(VALIDATE_TIMEOUT_ANNOTATION)
    if value:
        try:
            return duration_ms(value) / 1000
        except ValueError:
            pass
    return DEFAULT_VALIDATE_TIMEOUT


def steps(plan: Mapping[str, Any]) -> list[Step]:
    """The enabled resources in order, as manifests marked with the plan and the step.

    A resource is applied in the plan's own namespace only (one with none gets it): a plan
    must not write where its author may not. A resource that cannot be read, names another
    namespace or disagrees with its ``kind`` becomes a step with an error (recorded, never
    applied).
    """
    meta = plan["metadata"]
    namespace, plan_name = meta["namespace"], meta["name"]
    result = []
    for index, resource in enumerate((plan.get("spec") or {}).get("resources") or []):
        if resource.get("enabled", True) is False:
            continue
        source_ref, kind = resource.get("sourceRef", ""), resource.get("kind", "")
        try:
            body = yaml.safe_load(resource.get("generatedYAML") or "")
        except yaml.YAMLError as err:
            result.append(Step(index, source_ref, kind, "", None, f"generatedYAML: {err}"))
            continue
        name = ((body or {}).get("metadata") or {}).get("name") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not name or not body.get("apiVersion"):
            invalid = "generatedYAML is not a Kubernetes object with apiVersion and metadata.name"
            result.append(Step(index, source_ref, kind, str(name or ""), None, invalid))
            continue
        error: str | None = None
        if body.get("kind") != kind:
            error = f"generatedYAML is a {body.get('kind')}, the resource says {kind}"
        elif body["metadata"].setdefault("namespace", namespace) != namespace:
            error = (
                f"namespace {body['metadata']['namespace']!r} is not the plan's namespace "
                f"{namespace!r}; a plan applies resources in its own namespace only"
            )
        manifest = None if error else marked(body, plan_name, namespace, index)
        result.append(Step(index, source_ref, kind, name, manifest, error))
    return result


def marked(body: Obj, plan_name: str, namespace: str, index: int) -> Obj:
    """``body`` with the label and annotations naming the plan and the step."""
    meta = body.setdefault("metadata", {})
    labels = meta.setdefault("labels", {}) or {}
    labels[PLAN_LABEL] = plan_name
    labels.pop(MANAGED_BY_LABEL, None)  # not the drift reconciler's: it is the user's now
    meta["labels"] = labels
    annotations = meta.setdefault("annotations", {}) or {}
    annotations[PLAN_ANNOTATION] = f"{namespace}/{plan_name}"
    annotations[STEP_ANNOTATION] = str(index)
    meta["annotations"] = annotations
    return body


def applied_by(obj: Mapping[str, Any], plan: Mapping[str, Any]) -> bool:
    """Was ``obj`` applied by ``plan`` (its annotation names the plan)?"""
    meta = plan["metadata"]
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return bool(annotations.get(PLAN_ANNOTATION) == f"{meta['namespace']}/{meta['name']}")


def entry_key(entry: Mapping[str, Any]) -> tuple[str, str]:
    """What an entry of status.resourceStatuses is about (kind, name; namespace is the plan's)."""
    return entry.get("kind", ""), entry.get("name", "")


def entry_done(entry: Mapping[str, Any]) -> bool:
    """Is this entry's step finished (healthy, failed, or given up validating)?"""
    return bool(entry.get("healthy")) or bool(entry.get("error")) or not entry.get("applied")


def acceptance(kind: str, obj: Mapping[str, Any]) -> tuple[bool | None, str]:
    """Did a gateway controller accept ``obj``? True / False (refused) / None (not yet).

    Routes report per parent (``status.parents``), policies per ancestor
    (``status.ancestors``), Gateways in ``status.conditions``. Other kinds have no
    controller verdict: the API server's acceptance is all there is.
    """
    status = obj.get("status") or {}
    if kind in ROUTE_KINDS or "parents" in status:
        groups = [p.get("conditions") or [] for p in status.get("parents") or []]
    elif kind.endswith("Policy") and kind != "WAFPolicy":
        groups = [a.get("conditions") or [] for a in status.get("ancestors") or []]
    elif kind == "Gateway":
        groups = [status.get("conditions") or []]
    else:
        return True, "accepted by the API server"
    verdicts = [c for conds in groups for c in conds if c.get("type") == "Accepted"]
    if any(c.get("status") == "True" for c in verdicts):
        return True, "Accepted"
    # A fresh Gateway shows Accepted=Unknown/Pending before a controller has looked at it.
    refused = [c for c in verdicts if c.get("status") == "False"]
    if refused:
        c = refused[0]
        return False, f"not Accepted: {c.get('reason', '')}: {c.get('message', '')}".strip()
    return None, "waiting for a gateway controller to accept it"


def decide(plan: Mapping[str, Any], now: dt.datetime) -> Action:
    """The next thing to do for ``plan``."""
    spec: Mapping[str, Any] = plan.get("spec") or {}
    status: Mapping[str, Any] = plan.get("status") or {}
    phase = status.get("phase")
    entries: Sequence[Mapping[str, Any]] = status.get("resourceStatuses") or []

    if spec.get("rollback"):
        return _rollback(phase, entries, plan)
    if phase in (None, "Analyzing") or status.get("analysis") is None:
        return Analyze()
    if not spec.get("apply"):
        if phase == "RollingBack":
            applied = any(e.get("applied") for e in entries)
            if not applied:
                return RollbackDone()
            return Wait("Applied", "rollback stopped: spec.rollback is false")
        if phase in ACTIVE_PHASES:
            return Wait(phase, "spec.apply is false: nothing more is applied")
        return Wait("Reviewed", "review spec.resources, then set spec.apply: true")

    todo = steps(plan)
    done = {entry_key(e) for e in entries}
    pending = [s for s in todo if (s.kind, s.name) not in done]
    if phase != "Applying":
        if phase in ("Reviewed", "RollingBack") or pending:
            return StartApplying()
        return Wait(phase or "Reviewed", "every enabled resource was attempted")

    for i, entry in enumerate(entries):
        if not entry_done(entry):
            step = next((s for s in todo if (s.kind, s.name) == entry_key(entry)), None)
            if step is not None:
                validating = condition(status, "Validating")
                started = (
                    parse_time(validating.get("lastTransitionTime"))
                    if validating.get("status") == "True"
                    else None
                )
                timeout = validate_timeout(plan["metadata"])
                return Validate(step, i, started or now, timeout)
    paused = condition(status, "Paused")
    if pending and paused.get("status") == "True":
        since = parse_time(paused.get("lastTransitionTime")) or now
        remaining = pause_seconds(spec) - (now - since).total_seconds()
        if remaining > 0:
            return Pause(remaining)
    if pending:
        return Apply(pending[0])
    return _finish(entries)


def _finish(entries: Sequence[Mapping[str, Any]]) -> Finish:
    failed = sum(1 for e in entries if not e.get("applied"))
    unhealthy = sum(1 for e in entries if e.get("applied") and not e.get("healthy"))
    if failed:
        return Finish("Failed", f"{failed} of {len(entries)} resource(s) failed to apply")
    if unhealthy:
        return Finish(
            "Applied",
            f"every resource applied; {unhealthy} not accepted by a gateway controller",
        )
    return Finish("Completed", f"{len(entries)} resource(s) applied and accepted")


def _rollback(
    phase: str | None, entries: Sequence[Mapping[str, Any]], plan: Mapping[str, Any]
) -> Action:
    applied = [i for i, e in enumerate(entries) if e.get("applied")]
    if not applied:
        if phase == "RollingBack":
            return RollbackDone()
        if phase in (None, "Analyzing") or (plan.get("status") or {}).get("analysis") is None:
            return Analyze()
        return Wait(phase or "Reviewed", "spec.rollback is true: nothing is applied")
    if phase != "RollingBack":
        return StartRollback()
    newest = applied[-1]
    entry = entries[newest]
    kind, name = entry_key(entry)
    api_version = next(
        (
            (s.manifest or {}).get("apiVersion")
            for s in steps(plan)
            if (s.kind, s.name) == (kind, name)
        ),
        KNOWN_API_VERSIONS.get(kind),
    )
    return Delete(newest, kind, name, api_version)


def counts(entries: Sequence[Mapping[str, Any]], total: int) -> dict[str, int]:
    """status.totalResources / appliedResources / failedResources."""
    return {
        "totalResources": total,
        "appliedResources": sum(1 for e in entries if e.get("applied")),
        "failedResources": sum(1 for e in entries if e.get("error")),
    }
