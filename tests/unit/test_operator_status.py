"""status.py: the parent's .status from its children's health (phase, conditions, slots, drift).

Every status built here is also validated against the parent's pydantic status model, so the
operator never writes a status the CRD schema would reject.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

import pytest
from pydantic import BaseModel

from crd_cases import load_sample
from ngf_console.crd import KINDS_BY_NAME
from ngf_console.crd.common import MAX_DRIFT_HISTORY
from ngf_console.crd.gateway_bundle import GatewayBundleStatus
from ngf_console.crd.inference_stack import InferenceStackStatus
from ngf_console.operator.health import Health
from ngf_console.operator.reconciler import spec_hash
from ngf_console.operator.slots import LIST_SLOTS, child_report, withheld_child
from ngf_console.operator.status import (
    ChildReport,
    DriftEvent,
    Outcome,
    Withheld,
    aggregate,
    children_status,
    drift_history,
    set_condition,
    timestamp,
)
from ngf_console.render import RenderOptions, render_parent

pytestmark = pytest.mark.unit

T0 = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
T0_S = "2026-03-01T12:00:00Z"
NS = "ml"
GB_LIST_SLOTS = LIST_SLOTS["GatewayBundle"]


# --- builders ---------------------------------------------------------------------------------


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def ts(minutes: int) -> str:
    return timestamp(at(minutes))


READY = Health(True, "1/1 replicas available")
WAITING = Health(False, "0/1 replicas available")
FAILED = Health(False, "rollout stuck: timed out", failed=True)


def report(
    kind: str, name: str, slot: str, health: Health = READY, namespace: str = NS
) -> ChildReport:
    return ChildReport(kind, name, namespace, slot, health)


def epp(health: Health = READY) -> list[ChildReport]:
    """The EPP slot as rendered: the Deployment comes last, after its supporting objects."""
    return [
        report("ServiceAccount", "llama-epp", "epp", Health(True, "exists")),
        report("ConfigMap", "llama-epp-config", "epp", Health(True, "exists")),
        report("Service", "llama-epp", "epp", Health(True, "exists")),
        report("Deployment", "llama-epp", "epp", health),
    ]


def drift_event(name: str = "llama-route", change: str = "deleted", minute: int = 0) -> DriftEvent:
    return DriftEvent("HTTPRoute", name, change, at(minute), at(minute) + dt.timedelta(seconds=1))


def run(
    previous: dict[str, Any] | None = None,
    outcome: Outcome | None = None,
    *,
    generation: int | None = 1,
    spec_hash: str = "h1",
    minute: int = 0,
    list_slots: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    return aggregate(
        previous or {},
        outcome or Outcome(),
        generation=generation,
        spec_hash=spec_hash,
        namespace=NS,
        list_slots=list_slots,
        now=at(minute),
    )


def passes(
    *steps: tuple[Outcome, str], model: type[BaseModel] = InferenceStackStatus
) -> list[dict[str, Any]]:
    """Statuses of consecutive passes, each patched over the previous (JSON merge patch)."""
    statuses: list[dict[str, Any]] = []
    stored: dict[str, Any] = {}
    for minute, (outcome, digest) in enumerate(steps):
        status = run(stored, outcome, spec_hash=digest, minute=minute)
        model.model_validate(status)
        statuses.append(status)
        stored = {**stored, **copy.deepcopy(status)}
    return statuses


def condition(status: dict[str, Any], ctype: str) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [c for c in status["conditions"] if c["type"] == ctype]
    assert len(matches) == 1, f"{ctype} appears {len(matches)} times"
    return matches[0]


def valid_stack_status(status: dict[str, Any]) -> InferenceStackStatus:
    return InferenceStackStatus.model_validate(status)


def valid_bundle_status(status: dict[str, Any]) -> GatewayBundleStatus:
    return GatewayBundleStatus.model_validate(status)


# --- timestamp --------------------------------------------------------------------------------


def test_timestamp_is_utc_with_second_precision() -> None:
    moment = dt.datetime(2026, 3, 1, 12, 0, 5, 987654, tzinfo=dt.UTC)
    assert timestamp(moment) == "2026-03-01T12:00:05Z"


def test_timestamp_converts_other_zones_to_utc() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    assert timestamp(dt.datetime(2026, 3, 1, 13, 0, 0, tzinfo=cet)) == T0_S


# --- set_condition ----------------------------------------------------------------------------


def test_set_condition_adds_a_new_condition() -> None:
    conditions: list[dict[str, Any]] = []
    set_condition(conditions, "Ready", True, "AllChildrenReady", "fine", 4, T0)
    assert conditions == [
        {
            "type": "Ready",
            "status": "True",
            "reason": "AllChildrenReady",
            "message": "fine",
            "lastTransitionTime": T0_S,
            "observedGeneration": 4,
        }
    ]


def test_set_condition_without_generation_leaves_it_out() -> None:
    conditions: list[dict[str, Any]] = []
    set_condition(conditions, "Ready", False, "Waiting", "m", None, T0)
    assert "observedGeneration" not in conditions[0]
    assert conditions[0]["status"] == "False"


def test_set_condition_keeps_transition_time_when_status_holds() -> None:
    conditions: list[dict[str, Any]] = []
    set_condition(conditions, "Ready", False, "WaitingForChildren", "a", 1, at(0))
    set_condition(conditions, "Ready", False, "Degraded", "b", 2, at(5))
    assert conditions == [
        {
            "type": "Ready",
            "status": "False",
            "reason": "Degraded",
            "message": "b",
            "lastTransitionTime": ts(0),
            "observedGeneration": 2,
        }
    ]


def test_set_condition_moves_transition_time_when_status_flips() -> None:
    conditions: list[dict[str, Any]] = []
    set_condition(conditions, "Ready", False, "WaitingForChildren", "a", 1, at(0))
    set_condition(conditions, "Ready", True, "AllChildrenReady", "b", 1, at(5))
    assert conditions[0]["status"] == "True"
    assert conditions[0]["lastTransitionTime"] == ts(5)
    set_condition(conditions, "Ready", False, "Degraded", "c", 1, at(9))
    assert conditions[0]["lastTransitionTime"] == ts(9)


def test_set_condition_update_without_generation_keeps_the_old_one() -> None:
    conditions: list[dict[str, Any]] = []
    set_condition(conditions, "Ready", True, "R", "m", 3, T0)
    set_condition(conditions, "Ready", True, "R", "m", None, T0)
    assert conditions[0]["observedGeneration"] == 3


def test_set_condition_updates_only_its_own_type() -> None:
    conditions: list[dict[str, Any]] = []
    set_condition(conditions, "Ready", True, "R", "ready", 1, at(0))
    set_condition(conditions, "Degraded", False, "AsExpected", "ok", 1, at(1))
    set_condition(conditions, "Degraded", True, "ChildFailed", "bad", 1, at(2))
    assert [c["type"] for c in conditions] == ["Ready", "Degraded"]
    assert conditions[0] == {
        "type": "Ready",
        "status": "True",
        "reason": "R",
        "message": "ready",
        "lastTransitionTime": ts(0),
        "observedGeneration": 1,
    }
    assert conditions[1]["lastTransitionTime"] == ts(2)


def test_set_condition_truncates_long_messages_to_the_schema_limit() -> None:
    conditions: list[dict[str, Any]] = []
    set_condition(conditions, "Ready", False, "R", "x" * 40000, 1, T0)
    assert len(conditions[0]["message"]) == 32768
    set_condition(conditions, "Ready", False, "R", "y" * 40000, 1, T0)
    assert conditions[0]["message"] == "y" * 32768


# --- aggregate: phases ------------------------------------------------------------------------


def test_error_phase_sets_reconciled_and_ready_false_with_reason() -> None:
    status = run(
        outcome=Outcome(error="invalid spec: spec.pool: bad", error_reason="InvalidSpec"),
        generation=7,
        spec_hash="abc",
    )
    assert status["phase"] == "Error"
    assert status["observedGeneration"] == 7
    # a spec that failed was not reconciled: its hash is not recorded
    assert "observedSpecHash" not in status
    for ctype in ("Reconciled", "Ready"):
        assert condition(status, ctype) == {
            "type": ctype,
            "status": "False",
            "reason": "InvalidSpec",
            "message": "invalid spec: spec.pool: bad",
            "lastTransitionTime": T0_S,
            "observedGeneration": 7,
        }
    valid_stack_status(status)
    valid_bundle_status(status)


def test_error_default_reason_is_reconcile_failed() -> None:
    status = run(outcome=Outcome(error="boom"))
    assert condition(status, "Ready")["reason"] == "ReconcileFailed"
    assert condition(status, "Reconciled")["reason"] == "ReconcileFailed"


def test_error_leaves_children_and_history_to_the_previous_status() -> None:
    # A merge patch without these keys keeps what the last good pass wrote.
    previous = run(outcome=Outcome(reports=epp(), drift=[drift_event()]))
    status = run(previous, Outcome(error="boom"), minute=1)
    assert "children" not in status
    assert "driftHistory" not in status
    assert "lastReconciledAt" not in status
    assert {c["type"] for c in status["conditions"]} == {
        "Reconciled",
        "Degraded",
        "Ready",
        "DriftDetected",
    }
    assert condition(status, "Degraded") == condition(previous, "Degraded")
    assert condition(status, "DriftDetected") == condition(previous, "DriftDetected")


def test_ready_when_every_child_is_ready() -> None:
    reports = [report("InferencePool", "llama-pool", "inferencePool"), *epp()]
    status = run(outcome=Outcome(reports=reports))
    assert status["phase"] == "Ready"
    assert status["lastReconciledAt"] == T0_S
    assert condition(status, "Ready") == {
        "type": "Ready",
        "status": "True",
        "reason": "AllChildrenReady",
        "message": "all children are ready",
        "lastTransitionTime": T0_S,
        "observedGeneration": 1,
    }
    assert condition(status, "Reconciled")["status"] == "True"
    assert condition(status, "Reconciled")["reason"] == "Applied"
    assert condition(status, "Reconciled")["message"] == "5 children applied"
    assert condition(status, "Degraded")["status"] == "False"
    assert condition(status, "Degraded")["reason"] == "AsExpected"
    assert condition(status, "Degraded")["message"] == "no child failed"
    valid_stack_status(status)


def test_no_children_at_all_is_ready() -> None:
    status = run()
    assert status["phase"] == "Ready"
    assert status["children"] == {}
    assert condition(status, "Reconciled")["message"] == "0 children applied"


def test_provisioning_while_a_child_waits() -> None:
    reports = [
        report("InferencePool", "llama-pool", "inferencePool"),
        report("HTTPRoute", "llama-route", "httpRoute", Health(False, "waiting for gw")),
        *epp(WAITING),
    ]
    status = run(outcome=Outcome(reports=reports))
    assert status["phase"] == "Provisioning"
    ready = condition(status, "Ready")
    assert ready["status"] == "False"
    assert ready["reason"] == "WaitingForChildren"
    # The first child that is not ready, in apply order.
    assert ready["message"] == "HTTPRoute llama-route: waiting for gw"
    assert condition(status, "Degraded")["status"] == "False"
    valid_stack_status(status)


def test_degraded_when_a_child_failed() -> None:
    reports = [report("InferencePool", "llama-pool", "inferencePool"), *epp(FAILED)]
    status = run(outcome=Outcome(reports=reports))
    assert status["phase"] == "Degraded"
    degraded = condition(status, "Degraded")
    assert degraded["status"] == "True"
    assert degraded["reason"] == "ChildFailed"
    assert degraded["message"] == "Deployment llama-epp: rollout stuck: timed out"
    ready = condition(status, "Ready")
    assert ready["status"] == "False"
    assert ready["reason"] == "Degraded"
    assert ready["message"] == "Deployment llama-epp: rollout stuck: timed out"
    valid_stack_status(status)


def test_failed_child_wins_over_waiting_child_in_phase_and_ready_message() -> None:
    reports = [
        report("HTTPRoute", "llama-route", "httpRoute", Health(False, "waiting for gw")),
        report("Gateway", "llama-gateway", "gateway", Health(False, "Programmed=False (X)", True)),
    ]
    status = run(outcome=Outcome(reports=reports))
    assert status["phase"] == "Degraded"
    assert condition(status, "Ready")["message"] == "Gateway llama-gateway: Programmed=False (X)"
    # Only failures are problems; the waiting child is not named in Degraded.
    assert condition(status, "Degraded")["message"] == "Gateway llama-gateway: Programmed=False (X)"


def test_degraded_when_a_child_is_withheld() -> None:
    withheld = Withheld(
        "WAFPolicy", "edge-waf", "wafPolicy", "requires NGINX Gateway Fabric Enterprise"
    )
    reports = [report("Gateway", "edge", "gateway", Health(True, "Programmed"))]
    status = run(outcome=Outcome(reports=reports, withheld=[withheld]))
    assert status["phase"] == "Degraded"
    degraded = condition(status, "Degraded")
    assert degraded["status"] == "True"
    assert degraded["reason"] == "ChildFailed"
    assert degraded["message"] == "WAFPolicy edge-waf: requires NGINX Gateway Fabric Enterprise"
    ready = condition(status, "Ready")
    assert ready["status"] == "False"
    assert ready["reason"] == "Degraded"
    assert ready["message"] == "WAFPolicy edge-waf: requires NGINX Gateway Fabric Enterprise"
    valid_bundle_status(status)


def test_withheld_and_waiting_is_degraded_and_ready_names_the_waiting_child() -> None:
    withheld = Withheld("WAFPolicy", "edge-waf", "wafPolicy", "requires Enterprise")
    reports = [report("Gateway", "edge", "gateway", Health(False, "waiting for Programmed"))]
    status = run(outcome=Outcome(reports=reports, withheld=[withheld]))
    assert status["phase"] == "Degraded"
    assert condition(status, "Ready")["reason"] == "Degraded"
    assert condition(status, "Ready")["message"] == "Gateway edge: waiting for Programmed"
    assert condition(status, "Degraded")["message"] == "WAFPolicy edge-waf: requires Enterprise"


def test_all_problems_joined_failed_first_then_withheld() -> None:
    reports = [
        report("Deployment", "a", "epp", FAILED),
        report("Gateway", "g", "gateway", Health(False, "Programmed=False (Invalid)", True)),
    ]
    withheld = [Withheld("WAFPolicy", "w", "wafPolicy", "requires Enterprise")]
    status = run(outcome=Outcome(reports=reports, withheld=withheld))
    assert condition(status, "Degraded")["message"] == (
        "Deployment a: rollout stuck: timed out; "
        "Gateway g: Programmed=False (Invalid); "
        "WAFPolicy w: requires Enterprise"
    )


def test_huge_degraded_message_still_fits_the_schema() -> None:
    reports = [
        report("Deployment", f"d{i}", "epp", Health(False, "x" * 1000, failed=True))
        for i in range(50)
    ]
    status = run(outcome=Outcome(reports=reports))
    assert len(condition(status, "Degraded")["message"]) == 32768
    valid_stack_status(status)


def test_standard_conditions_in_a_stable_order() -> None:
    status = run(outcome=Outcome(reports=epp()))
    assert [c["type"] for c in status["conditions"]] == [
        "Reconciled",
        "Degraded",
        "Ready",
        "DriftDetected",
    ]


def test_generation_none_is_carried_through() -> None:
    status = run(outcome=Outcome(reports=epp()), generation=None)
    assert status["observedGeneration"] is None
    assert all("observedGeneration" not in c for c in status["conditions"])
    valid_stack_status(status)


def test_previous_status_is_not_modified() -> None:
    previous = run(outcome=Outcome(reports=epp(WAITING), drift=[drift_event()]))
    snapshot = copy.deepcopy(previous)
    run(previous, Outcome(reports=epp(FAILED), drift=[drift_event(minute=1)]), minute=1)
    run(previous, Outcome(error="boom"), minute=2)
    assert previous == snapshot


# --- aggregate across passes: lastTransitionTime ----------------------------------------------


def test_ready_transition_time_held_while_ready_and_moved_on_flip() -> None:
    first, second, third, fourth = passes(
        (Outcome(reports=epp(WAITING)), "h1"),
        (Outcome(reports=epp(READY)), "h1"),
        (Outcome(reports=epp(READY)), "h1"),
        (Outcome(reports=epp(FAILED)), "h1"),
    )
    assert condition(first, "Ready")["lastTransitionTime"] == ts(0)
    assert condition(second, "Ready")["lastTransitionTime"] == ts(1)
    assert condition(third, "Ready")["lastTransitionTime"] == ts(1)
    assert condition(fourth, "Ready")["lastTransitionTime"] == ts(3)
    # Reconciled stayed True the whole time.
    assert condition(fourth, "Reconciled")["lastTransitionTime"] == ts(0)
    # lastReconciledAt moves every pass.
    assert [s["lastReconciledAt"] for s in (first, second, third, fourth)] == [
        ts(0),
        ts(1),
        ts(2),
        ts(3),
    ]


def test_recovering_from_error_flips_reconciled_back() -> None:
    _, bad, again = passes(
        (Outcome(reports=epp()), "h1"),
        (Outcome(error="boom"), "h2"),
        (Outcome(reports=epp()), "h3"),
    )
    assert condition(bad, "Reconciled")["status"] == "False"
    assert condition(bad, "Reconciled")["lastTransitionTime"] == ts(1)
    assert condition(again, "Reconciled")["status"] == "True"
    assert condition(again, "Reconciled")["lastTransitionTime"] == ts(2)
    assert condition(again, "Ready")["status"] == "True"
    assert again["phase"] == "Ready"


# --- DriftDetected ----------------------------------------------------------------------------


def test_first_pass_reports_no_drift() -> None:
    status = run(outcome=Outcome(reports=epp()))
    assert condition(status, "DriftDetected") == {
        "type": "DriftDetected",
        "status": "False",
        "reason": "NoDrift",
        "message": "no drift since the last spec change",
        "lastTransitionTime": T0_S,
        "observedGeneration": 1,
    }
    assert status["driftHistory"] == []


def test_drift_sets_drift_detected_true_with_the_changes() -> None:
    drift = [
        drift_event("llama-route", "spec.rules[0].matches[0].path.value"),
        DriftEvent("Deployment", "llama-epp", "deleted", T0, T0),
    ]
    status = run(outcome=Outcome(reports=epp(), drift=drift))
    cond = condition(status, "DriftDetected")
    assert cond["status"] == "True"
    assert cond["reason"] == "DriftCorrected"
    assert cond["message"] == (
        "HTTPRoute llama-route: spec.rules[0].matches[0].path.value; Deployment llama-epp: deleted"
    )
    # Drift that was healed does not by itself degrade the parent.
    assert status["phase"] == "Ready"


def test_drift_detected_stays_true_until_the_spec_changes() -> None:
    clean, drifted, later, even_later, changed, drifted_again = passes(
        (Outcome(reports=epp()), "h1"),
        (Outcome(reports=epp(), drift=[drift_event(minute=1)]), "h1"),
        (Outcome(reports=epp()), "h1"),
        (Outcome(reports=epp(WAITING)), "h1"),
        (Outcome(reports=epp()), "h2"),
        (Outcome(reports=epp(), drift=[drift_event("again", minute=5)]), "h2"),
    )
    assert condition(clean, "DriftDetected")["status"] == "False"
    assert condition(drifted, "DriftDetected")["status"] == "True"
    assert condition(drifted, "DriftDetected")["lastTransitionTime"] == ts(1)
    for status in (later, even_later):
        assert condition(status, "DriftDetected") == condition(drifted, "DriftDetected")
    assert condition(changed, "DriftDetected")["status"] == "False"
    assert condition(changed, "DriftDetected")["reason"] == "NoDrift"
    assert condition(changed, "DriftDetected")["lastTransitionTime"] == ts(4)
    assert condition(drifted_again, "DriftDetected")["status"] == "True"
    assert condition(drifted_again, "DriftDetected")["message"] == "HTTPRoute again: deleted"
    assert condition(drifted_again, "DriftDetected")["lastTransitionTime"] == ts(5)


def test_repeated_drift_updates_message_but_keeps_transition_time() -> None:
    _, first, second = passes(
        (Outcome(reports=epp()), "h1"),
        (Outcome(reports=epp(), drift=[drift_event("a", minute=1)]), "h1"),
        (Outcome(reports=epp(), drift=[drift_event("b", minute=2)]), "h1"),
    )
    assert condition(second, "DriftDetected")["message"] == "HTTPRoute b: deleted"
    assert condition(second, "DriftDetected")["lastTransitionTime"] == ts(1)
    assert condition(first, "DriftDetected")["lastTransitionTime"] == ts(1)


def test_drift_detected_false_is_added_when_missing_even_without_spec_change() -> None:
    # A status written before the condition existed (same spec hash, no DriftDetected).
    previous = {"observedSpecHash": "h1", "conditions": []}
    status = run(previous, Outcome(reports=epp()), spec_hash="h1")
    assert condition(status, "DriftDetected")["status"] == "False"


def test_drift_detected_resets_after_a_spec_change_that_first_failed() -> None:
    _, _, _, recovered = passes(
        (Outcome(reports=epp()), "h1"),
        (Outcome(reports=epp(), drift=[drift_event(minute=1)]), "h1"),
        (Outcome(error="applying children failed: conflict", error_reason="ApplyFailed"), "h2"),
        (Outcome(reports=epp()), "h2"),
    )
    assert condition(recovered, "DriftDetected")["status"] == "False"


# --- drift history ----------------------------------------------------------------------------


def test_drift_history_records_each_event() -> None:
    event = DriftEvent(
        "HTTPRoute", "llama-route", "deleted", at(0), at(0) + dt.timedelta(seconds=2)
    )
    status = run(outcome=Outcome(reports=epp(), drift=[event]))
    assert status["driftHistory"] == [
        {
            "kind": "HTTPRoute",
            "name": "llama-route",
            "change": "deleted",
            "detectedAt": "2026-03-01T12:00:00Z",
            "healedAt": "2026-03-01T12:00:02Z",
        }
    ]
    valid_stack_status(status)


def test_drift_history_appends_newest_last() -> None:
    statuses = passes(
        (Outcome(drift=[drift_event("a", minute=0)]), "h1"),
        (Outcome(), "h1"),
        (Outcome(drift=[drift_event("b", minute=2), drift_event("c", minute=2)]), "h1"),
        (Outcome(), "h2"),
    )
    assert [h["name"] for h in statuses[0]["driftHistory"]] == ["a"]
    assert [h["name"] for h in statuses[1]["driftHistory"]] == ["a"]
    assert [h["name"] for h in statuses[2]["driftHistory"]] == ["a", "b", "c"]
    # A spec change resets the condition, not the history.
    assert [h["name"] for h in statuses[3]["driftHistory"]] == ["a", "b", "c"]


def test_drift_history_is_bounded_to_the_newest_entries() -> None:
    stored: dict[str, Any] = {}
    for i in range(MAX_DRIFT_HISTORY + 7):
        stored = run(stored, Outcome(drift=[drift_event(f"r{i}", minute=i)]), minute=i)
        assert len(stored["driftHistory"]) == min(i + 1, MAX_DRIFT_HISTORY)
        valid_stack_status(stored)
        valid_bundle_status(stored)
    names = [h["name"] for h in stored["driftHistory"]]
    assert names == [f"r{i}" for i in range(7, MAX_DRIFT_HISTORY + 7)]


def test_drift_history_bounded_within_a_single_pass() -> None:
    events = [drift_event(f"r{i}") for i in range(MAX_DRIFT_HISTORY + 3)]
    history = drift_history([], events)
    assert len(history) == MAX_DRIFT_HISTORY
    assert history[0]["name"] == "r3"
    assert history[-1]["name"] == f"r{MAX_DRIFT_HISTORY + 2}"


def test_drift_history_truncates_long_changes_to_the_schema_limit() -> None:
    change = ", ".join(f"spec.rules[{i}].matches[0].path.value" for i in range(100))
    history = drift_history([], [drift_event(change=change)])
    assert history[0]["change"] == change[:1024]
    status = run(outcome=Outcome(drift=[drift_event(change=change)]))
    assert len(status["driftHistory"][0]["change"]) == 1024
    valid_stack_status(status)


def test_drift_history_copies_previous_entries() -> None:
    previous = [{"kind": "HTTPRoute", "name": "a", "change": "deleted", "detectedAt": T0_S}]
    history = drift_history(previous, [])
    assert history == previous
    history[0]["name"] = "changed"
    assert previous[0]["name"] == "a"


# --- children_status --------------------------------------------------------------------------


def entry(kind: str, name: str, ready: bool, message: str, namespace: str = NS) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "namespace": namespace,
        "ready": ready,
        "message": message,
        "lastSyncedAt": T0_S,
    }


def slots(
    reports: Sequence[ChildReport],
    withheld: Sequence[Withheld] = (),
    list_slots: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    return children_status(reports, withheld, list_slots, NS, T0)


def test_single_child_slot() -> None:
    out = slots([report("InferencePool", "llama-pool", "inferencePool", Health(True, "accepted"))])
    assert out == {"inferencePool": entry("InferencePool", "llama-pool", True, "accepted")}


def test_workload_speaks_for_a_multi_object_slot() -> None:
    out = slots(epp(Health(True, "2/2 replicas available")))
    assert out == {"epp": entry("Deployment", "llama-epp", True, "2/2 replicas available")}


def test_multi_object_slot_not_ready_names_the_first_child_that_is_not() -> None:
    reports = [
        report("ServiceAccount", "llama-epp", "epp", Health(True, "exists")),
        report(
            "ConfigMap", "llama-epp-config", "epp", Health(False, "ConfigMap does not exist yet")
        ),
        report("Deployment", "llama-epp", "epp", WAITING),
    ]
    out = slots(reports)
    # Identity stays the workload's; the message names the culprit.
    assert out["epp"] == entry(
        "Deployment", "llama-epp", False, "ConfigMap llama-epp-config: ConfigMap does not exist yet"
    )


def test_multi_object_slot_with_only_the_workload_not_ready() -> None:
    out = slots(epp(WAITING))
    assert out["epp"] == entry(
        "Deployment", "llama-epp", False, "Deployment llama-epp: 0/1 replicas available"
    )


@pytest.mark.parametrize(
    ("workload", "slot", "namespace"),
    [
        ("DaemonSet", "dcgmExporter", "ngf-console-system"),
        ("HorizontalPodAutoscaler", "autoscaler", NS),
        ("ScaledObject", "autoscaler", NS),
    ],
)
def test_every_workload_kind_leads_its_slot(workload: str, slot: str, namespace: str) -> None:
    reports = [
        report("Service", "helper", slot, Health(True, "exists"), namespace),
        report(workload, "main", slot, Health(True, "scaling"), namespace),
    ]
    assert slots(reports)[slot] == entry(workload, "main", True, "scaling", namespace)


def test_slot_without_workload_is_led_by_its_first_member() -> None:
    reports = [
        report("Service", "llama-model", "modelServer", Health(True, "exists")),
        report("ConfigMap", "llama-model-cfg", "modelServer", Health(True, "exists")),
    ]
    assert slots(reports)["modelServer"] == entry("Service", "llama-model", True, "exists")


def test_first_workload_leads_when_there_are_several() -> None:
    reports = [
        report("ConfigMap", "c", "autoscaler", Health(True, "exists")),
        report("ScaledObject", "s", "autoscaler", Health(True, "ready")),
        report("Deployment", "d", "autoscaler", Health(True, "1/1")),
    ]
    assert slots(reports)["autoscaler"]["kind"] == "ScaledObject"


def test_list_slots_get_one_entry_per_child_in_order() -> None:
    reports = [
        report("SnippetsFilter", "edge-snippets-http", "snippets", Health(True, "accepted")),
        report("SnippetsFilter", "edge-snippets-server", "snippets", Health(False, "waiting")),
        report("Secret", "edge-https-tls", "tlsSecrets", Health(True, "exists")),
        report("Gateway", "edge", "gateway", Health(True, "Programmed")),
    ]
    out = slots(reports, list_slots=GB_LIST_SLOTS)
    assert out == {
        "snippets": [
            entry("SnippetsFilter", "edge-snippets-http", True, "accepted"),
            entry("SnippetsFilter", "edge-snippets-server", False, "waiting"),
        ],
        "tlsSecrets": [entry("Secret", "edge-https-tls", True, "exists")],
        "gateway": entry("Gateway", "edge", True, "Programmed"),
    }
    valid_bundle_status({"children": out})


def test_list_slot_with_one_child_is_still_a_list() -> None:
    reports = [report("Secret", "edge-https-tls", "tlsSecrets", Health(True, "exists"))]
    assert slots(reports, list_slots=GB_LIST_SLOTS) == {
        "tlsSecrets": [entry("Secret", "edge-https-tls", True, "exists")]
    }


def test_child_keeps_its_own_namespace() -> None:
    reports = [
        report(
            "Service",
            "ngf-console-dcgm-exporter",
            "dcgmExporter",
            Health(True, "exists"),
            "ngf-console-system",
        ),
        report(
            "DaemonSet",
            "ngf-console-dcgm-exporter",
            "dcgmExporter",
            Health(True, "2/2"),
            "ngf-console-system",
        ),
    ]
    out = slots(reports)
    assert out["dcgmExporter"]["namespace"] == "ngf-console-system"


def test_withheld_child_gets_its_slot_not_ready_with_the_reason() -> None:
    withheld = [
        Withheld("WAFPolicy", "edge-waf", "wafPolicy", "requires NGINX Gateway Fabric Enterprise")
    ]
    out = slots([], withheld)
    assert out == {
        "wafPolicy": entry(
            "WAFPolicy", "edge-waf", False, "requires NGINX Gateway Fabric Enterprise"
        )
    }


def test_withheld_child_in_a_list_slot_joins_the_rendered_ones() -> None:
    reports = [report("SnippetsFilter", "edge-snippets-http", "snippets", Health(True, "ok"))]
    withheld = [Withheld("SnippetsFilter", "edge-snippets-main", "snippets", "not served")]
    out = slots(reports, withheld, GB_LIST_SLOTS)
    assert out["snippets"] == [
        entry("SnippetsFilter", "edge-snippets-http", True, "ok"),
        entry("SnippetsFilter", "edge-snippets-main", False, "not served"),
    ]


def test_withheld_child_alone_in_a_list_slot_makes_a_list() -> None:
    withheld = [Withheld("SnippetsFilter", "edge-snippets-http", "snippets", "requires Enterprise")]
    out = slots([], withheld, GB_LIST_SLOTS)
    assert out == {
        "snippets": [entry("SnippetsFilter", "edge-snippets-http", False, "requires Enterprise")]
    }


def test_withheld_child_is_placed_in_the_parent_namespace() -> None:
    withheld = [Withheld("ScaledObject", "llama-scaler", "autoscaler", "not applicable")]
    out = children_status([], withheld, frozenset(), "other-ns", T0)
    assert out["autoscaler"]["namespace"] == "other-ns"


def test_aggregate_reports_withheld_children_in_their_slot() -> None:
    reports = [report("Gateway", "edge", "gateway", Health(True, "Programmed"))]
    withheld = [Withheld("WAFPolicy", "edge-waf", "wafPolicy", "requires Enterprise")]
    status = run(outcome=Outcome(reports=reports, withheld=withheld), list_slots=GB_LIST_SLOTS)
    assert status["children"] == {
        "gateway": entry("Gateway", "edge", True, "Programmed"),
        "wafPolicy": entry("WAFPolicy", "edge-waf", False, "requires Enterprise"),
    }
    valid_bundle_status(status)


def test_child_without_a_slot_gets_no_children_entry() -> None:
    reports = [
        report("Gateway", "edge", "gateway", Health(True, "Programmed")),
        report("APPolicy", "edge-waf", "", Health(True, "exists")),
    ]
    withheld = [Withheld("APPolicy", "edge-waf-2", "", "requires Enterprise")]
    status = run(outcome=Outcome(reports=reports, withheld=withheld), list_slots=GB_LIST_SLOTS)
    assert "" not in status["children"]
    valid_bundle_status(status)


# --- statuses built from real renders validate against the CRD models -------------------------


SAMPLES = {
    "InferenceStack": [
        "inferencestack-llama3-production",
        "inferencestack-llama31-8b-vllm",
        "inferencestack-qwen-dynamo-disaggregated",
    ],
    "GatewayBundle": ["gatewaybundle-production-gateway", "gatewaybundle-shop-gateway"],
}
STATUS_MODELS: dict[str, type[BaseModel]] = {
    "InferenceStack": InferenceStackStatus,
    "GatewayBundle": GatewayBundleStatus,
}
HEALTHS = {
    "ready": Health(True, "ok"),
    "waiting": Health(False, "not yet"),
    "failed": Health(False, "Accepted=False (Invalid): bad", failed=True),
}


def rendered_outcome(
    kind: str, sample: str, edition: str, health: Health, *, drop_slotless: bool
) -> Outcome:
    """The Outcome the reconciler builds for ``sample``, every child in ``health``."""
    doc = load_sample(sample)
    name = doc["metadata"]["name"]
    parent = KINDS_BY_NAME[kind].resource.model_validate(doc)
    result = render_parent(parent, RenderOptions(edition=edition))  # type: ignore[arg-type]
    reports = [child_report(kind, name, NS, m, health) for m in result.manifests]
    withheld = [withheld_child(kind, name, w) for w in result.withheld]
    if drop_slotless:
        reports = [r for r in reports if r.slot]
        withheld = [w for w in withheld if w.slot]
    return Outcome(reports=reports, withheld=withheld, drift=[drift_event()])


CASES = [
    (kind, sample, edition, health)
    for kind, samples in SAMPLES.items()
    for sample in samples
    for edition in ("oss", "enterprise", "unknown")
    for health in HEALTHS
]


@pytest.mark.parametrize(("kind", "sample", "edition", "health"), CASES)
def test_status_of_every_sample_validates_against_its_crd_model(
    kind: str, sample: str, edition: str, health: str
) -> None:
    outcome = rendered_outcome(kind, sample, edition, HEALTHS[health], drop_slotless=True)
    status = aggregate(
        {},
        outcome,
        generation=3,
        spec_hash="0123456789abcdef",
        namespace=NS,
        list_slots=LIST_SLOTS[kind],
        now=T0,
    )
    model = STATUS_MODELS[kind].model_validate(status)
    assert status["children"]
    assert status["phase"] in {"Ready", "Provisioning", "Degraded"}
    if health == "failed" or outcome.withheld:
        assert status["phase"] == "Degraded"
    # Round trip: the model reads back exactly what the operator wrote, nothing lost or added.
    assert model.model_dump(mode="json", by_alias=True, exclude_none=True) == status


@pytest.mark.parametrize("edition", ["oss", "enterprise"])
def test_status_of_bundle_with_app_policy_validates_as_the_reconciler_builds_it(
    edition: str,
) -> None:
    outcome = rendered_outcome(
        "GatewayBundle",
        "gatewaybundle-production-gateway",
        edition,
        HEALTHS["ready"],
        drop_slotless=False,
    )
    status = aggregate(
        {},
        outcome,
        generation=1,
        spec_hash="h",
        namespace=NS,
        list_slots=LIST_SLOTS["GatewayBundle"],
        now=T0,
    )
    GatewayBundleStatus.model_validate(status)


# --- spec_hash (recorded as status.observedSpecHash) ------------------------------------------


def stack_spec() -> dict[str, Any]:
    return copy.deepcopy(load_sample("inferencestack-llama3-production")["spec"])


def reordered(value: Any) -> Any:
    """``value`` with every mapping's keys in reverse order (lists untouched)."""
    if isinstance(value, dict):
        return {k: reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(v) for v in value]
    return value


def test_spec_hash_is_sixteen_hex_digits_of_canonical_json_sha256() -> None:
    spec = {"b": [1, {"y": 2, "x": "é"}], "a": True}
    canonical = '{"a":true,"b":[1,{"x":"\\u00e9","y":2}]}'
    assert spec_hash(spec) == hashlib.sha256(canonical.encode()).hexdigest()[:16]
    assert len(spec_hash(spec)) == 16
    assert set(spec_hash(spec)) <= set("0123456789abcdef")


def test_spec_hash_is_deterministic() -> None:
    assert spec_hash(stack_spec()) == spec_hash(stack_spec())
    assert spec_hash({}) == spec_hash({})


def test_spec_hash_ignores_key_order_at_every_level() -> None:
    spec = stack_spec()
    assert list(reordered(spec)) != list(spec)
    assert spec_hash(reordered(spec)) == spec_hash(spec)


def test_spec_hash_fits_the_status_model() -> None:
    status = run(outcome=Outcome(), spec_hash=spec_hash(stack_spec()))
    assert valid_stack_status(status).observed_spec_hash == spec_hash(stack_spec())


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s["pool"].update(replicas=s["pool"]["replicas"] + 1),
        lambda s: s["epp"].update(strategy="best_kv_cache"),
        lambda s: s["gateway"]["route"].update(pathPrefix="/v2"),
        lambda s: s["pool"].pop("nodeSelector"),
        lambda s: s.update(extra=None),
        lambda s: s["pool"]["tolerations"].insert(0, {"key": "b", "operator": "Exists"}),
        lambda s: s["pool"]["tolerations"].append({"key": "b", "operator": "Exists"}),
        lambda s: s["pool"].update(replicas=str(s["pool"]["replicas"])),
    ],
    ids=[
        "scalar",
        "enum",
        "nested",
        "removed-key",
        "added-null",
        "list-prepend",
        "list-append",
        "type",
    ],
)
def test_spec_hash_changes_with_any_value(edit: Any) -> None:
    spec = stack_spec()
    changed = copy.deepcopy(spec)
    edit(changed)
    assert changed != spec
    assert spec_hash(changed) != spec_hash(spec)


def test_spec_hash_depends_on_list_order() -> None:
    one, two = {"key": "a"}, {"key": "b"}
    assert spec_hash({"t": [one, two]}) != spec_hash({"t": [two, one]})


def test_spec_hash_differs_between_samples() -> None:
    hashes = {spec_hash(load_sample(name)["spec"]) for names in SAMPLES.values() for name in names}
    assert len(hashes) == sum(len(names) for names in SAMPLES.values())
