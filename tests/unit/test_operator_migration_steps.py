"""The MigrationPlan controller's decisions (operator/migration_steps.py), pure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from ngf_console.operator.migration_steps import (
    PLAN_ANNOTATION,
    STEP_ANNOTATION,
    Analyze,
    Apply,
    Delete,
    Finish,
    Pause,
    RollbackDone,
    StartApplying,
    StartRollback,
    Validate,
    Wait,
    acceptance,
    applied_by,
    decide,
    pause_seconds,
    steps,
    validates,
)

NOW = dt.datetime(2026, 11, 23, 12, 0, 0, tzinfo=dt.UTC)
ANALYSIS = {"totalSourceResources": 1, "overallConfidence": "high"}


def route(name: str, namespace: str | None = "shop") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": meta}


def resource(body: dict[str, Any], enabled: bool = True) -> dict[str, Any]:
    return {
        "sourceRef": "Ingress/shop/web",
        "generatedYAML": yaml.safe_dump(body),
        "kind": body["kind"],
        "confidence": "high",
        "enabled": enabled,
    }


def plan(
    resources: list[dict[str, Any]],
    *,
    phase: str | None = "Reviewed",
    entries: list[dict[str, Any]] | None = None,
    conditions: list[dict[str, Any]] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase, "analysis": ANALYSIS}
    if entries is not None:
        status["resourceStatuses"] = entries
    if conditions is not None:
        status["conditions"] = conditions
    return {
        "metadata": {"name": "p", "namespace": "shop"},
        "spec": {"source": {"type": "ingress"}, "resources": resources, **spec},
        "status": status,
    }


def entry(name: str, **fields: Any) -> dict[str, Any]:
    return {"sourceRef": "Ingress/shop/web", "kind": "HTTPRoute", "name": name, **fields}


def cond(ctype: str, status: str, seconds_ago: float) -> dict[str, Any]:
    at = (NOW - dt.timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"type": ctype, "status": status, "lastTransitionTime": at, "reason": "R"}


THREE = [resource(route(n)) for n in ("a", "b", "c")]


def test_a_new_plan_is_analysed_and_waits_for_apply() -> None:
    assert decide(plan(THREE, phase=None), NOW) == Analyze()
    new = plan(THREE)
    del new["status"]["analysis"]
    assert decide(new, NOW) == Analyze()
    waiting = decide(plan(THREE), NOW)
    assert isinstance(waiting, Wait) and waiting.phase == "Reviewed"


def test_apply_goes_one_resource_at_a_time_in_order() -> None:
    assert decide(plan(THREE, apply=True), NOW) == StartApplying()
    first = decide(plan(THREE, phase="Applying", apply=True), NOW)
    assert isinstance(first, Apply) and first.step.name == "a" and first.step.index == 0
    done_a = [entry("a", applied=True, healthy=True)]
    second = decide(plan(THREE, phase="Applying", apply=True, entries=done_a), NOW)
    assert isinstance(second, Apply) and second.step.name == "b"


def test_disabled_resources_are_skipped() -> None:
    resources = [resource(route("a")), resource(route("b"), enabled=False), resource(route("c"))]
    done_a = [entry("a", applied=True, healthy=True)]
    action = decide(plan(resources, phase="Applying", apply=True, entries=done_a), NOW)
    assert isinstance(action, Apply) and action.step.name == "c" and action.step.index == 2


def test_pause_between_resources_counts_from_when_the_pause_began() -> None:
    done_a = [entry("a", applied=True, healthy=True)]
    strategy = {"phased": True, "pauseBetween": "30s"}
    paused = plan(
        THREE,
        phase="Applying",
        apply=True,
        entries=done_a,
        conditions=[cond("Paused", "True", 10)],
        strategy=strategy,
    )
    assert decide(paused, NOW) == Pause(20.0)
    over = plan(
        THREE,
        phase="Applying",
        apply=True,
        entries=done_a,
        conditions=[cond("Paused", "True", 31)],
        strategy=strategy,
    )
    action = decide(over, NOW)
    assert isinstance(action, Apply) and action.step.name == "b"


def test_pause_defaults() -> None:
    assert pause_seconds({}) == 30.0
    assert pause_seconds({"strategy": {"phased": False, "pauseBetween": "10s"}}) == 0.0
    assert pause_seconds({"strategy": {"pauseBetween": "1m30s"}}) == 90.0
    assert validates({}) is True
    assert validates({"strategy": {"phased": False}}) is False
    assert validates({"strategy": {"validateAfterApply": False}}) is False


def test_an_applied_resource_not_yet_accepted_is_validated_with_its_start_time() -> None:
    pending = [entry("a", applied=True, healthy=False)]
    action = decide(
        plan(
            THREE,
            phase="Applying",
            apply=True,
            entries=pending,
            conditions=[cond("Validating", "True", 5)],
        ),
        NOW,
    )
    assert isinstance(action, Validate)
    assert action.step.name == "a" and action.entry == 0
    assert action.started == NOW - dt.timedelta(seconds=5)
    assert action.timeout == 60.0


def test_finish_phase_says_what_happened() -> None:
    ok = [entry(n, applied=True, healthy=True) for n in "abc"]
    assert decide(plan(THREE, phase="Applying", apply=True, entries=ok), NOW) == Finish(
        "Completed", "3 resource(s) applied and accepted"
    )
    failed = [*ok[:2], entry("c", applied=False, healthy=False, error="422")]
    result = decide(plan(THREE, phase="Applying", apply=True, entries=failed), NOW)
    assert isinstance(result, Finish) and result.phase == "Failed"
    timed_out = [*ok[:2], entry("c", applied=True, healthy=False, error="not Accepted")]
    result = decide(plan(THREE, phase="Applying", apply=True, entries=timed_out), NOW)
    assert isinstance(result, Finish) and result.phase == "Applied"


def test_a_finished_plan_continues_when_more_resources_are_enabled() -> None:
    ok = [entry(n, applied=True, healthy=True) for n in "ab"]
    finished = plan(THREE[:2], phase="Completed", apply=True, entries=ok)
    assert isinstance(decide(finished, NOW), Wait)
    more = plan(THREE, phase="Completed", apply=True, entries=ok)
    assert decide(more, NOW) == StartApplying()


def test_rollback_deletes_newest_first_then_returns_to_reviewed() -> None:
    entries = [
        entry("a", applied=True, healthy=True),
        entry("b", applied=False, healthy=False, error="refused"),
        entry("c", applied=True, healthy=True),
    ]
    applied = plan(THREE, phase="Completed", apply=True, rollback=True, entries=entries)
    assert decide(applied, NOW) == StartRollback()
    rolling = plan(THREE, phase="RollingBack", apply=True, rollback=True, entries=entries)
    assert decide(rolling, NOW) == Delete(2, "HTTPRoute", "c", "gateway.networking.k8s.io/v1")
    rolling["status"]["resourceStatuses"] = entries[:2]
    assert decide(rolling, NOW) == Delete(0, "HTTPRoute", "a", "gateway.networking.k8s.io/v1")
    rolling["status"]["resourceStatuses"] = entries[1:2]
    assert decide(rolling, NOW) == RollbackDone()
    # the user removed a resource after it was applied: still deleted, by its kind's API
    gone = plan([], phase="RollingBack", rollback=True, entries=[entry("x", applied=True)])
    assert decide(gone, NOW) == Delete(0, "HTTPRoute", "x", "gateway.networking.k8s.io/v1")
    # rollback wins over apply; a cancelled rollback stops without claiming it finished
    cancelled = plan(THREE, phase="RollingBack", apply=False, entries=entries)
    action = decide(cancelled, NOW)
    assert isinstance(action, Wait) and action.phase == "Applied"


def test_steps_mark_the_manifests_and_refuse_other_namespaces() -> None:
    resources = [
        resource(route("a", None)),
        resource(route("b", "elsewhere")),
        {**resource(route("c")), "kind": "Gateway"},
        {**resource(route("d")), "generatedYAML": "a: ["},
    ]
    a, b, c, d = steps(plan(resources))
    assert a.error is None and a.manifest is not None
    meta = a.manifest["metadata"]
    assert meta["namespace"] == "shop"
    assert meta["annotations"] == {PLAN_ANNOTATION: "shop/p", STEP_ANNOTATION: "0"}
    assert meta["labels"]["ngf-console.f5.com/migration-plan"] == "p"
    assert b.manifest is None and "own namespace" in (b.error or "")
    assert c.manifest is None and "resource says Gateway" in (c.error or "")
    assert d.manifest is None and (d.error or "").startswith("generatedYAML")
    assert applied_by(a.manifest, plan(resources))
    assert not applied_by(route("a"), plan(resources))


def test_acceptance_reads_each_kind_the_way_its_controller_reports() -> None:
    def parents(*conditions: dict[str, str]) -> dict[str, Any]:
        return {"status": {"parents": [{"conditions": list(conditions)}]}}

    assert acceptance("HTTPRoute", {})[0] is None
    assert acceptance("HTTPRoute", parents({"type": "Accepted", "status": "True"}))[0] is True
    refused = acceptance(
        "HTTPRoute", parents({"type": "Accepted", "status": "False", "reason": "NoMatchingParent"})
    )
    assert refused[0] is False and "NoMatchingParent" in refused[1]
    pending = {"status": {"conditions": [{"type": "Accepted", "status": "Unknown"}]}}
    assert acceptance("Gateway", pending)[0] is None
    policy = {"status": {"ancestors": [{"conditions": [{"type": "Accepted", "status": "True"}]}]}}
    assert acceptance("ClientSettingsPolicy", policy)[0] is True
    assert acceptance("ReferenceGrant", {})[0] is True
