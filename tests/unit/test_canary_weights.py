"""The pure step logic of canary rollouts: targets per step, idempotence, rule checks."""

from __future__ import annotations

from typing import Any

import pytest

from ngf_console.api.canary_weights import (
    NextStep,
    RuleShapeError,
    backend_key,
    check_rule,
    find_stable,
    next_step,
    rule_refs,
    split_refs,
    weights,
    with_rule_refs,
)

NS = "shop"
STABLE = {"name": "web-v1", "port": 80}
CANARY = {"name": "web-v2", "port": 80}


def route(*refs: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"name": "r", "namespace": NS, "resourceVersion": "7"},
        "spec": {
            "rules": [
                {"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}]},
                {"backendRefs": list(refs), "filters": [{"type": "RequestHeaderModifier"}]},
            ]
        },
    }


def test_backend_key_fills_gateway_api_defaults() -> None:
    assert backend_key({"name": "a"}, NS) == ("", "Service", NS, "a", None)
    explicit = {"group": "core", "kind": "Service", "namespace": NS, "name": "a", "port": 80}
    assert backend_key(explicit, NS) == ("", "Service", NS, "a", 80)
    assert backend_key({"name": "a", "namespace": "other"}, NS)[2] == "other"


def test_first_step_appends_the_canary_and_keeps_other_fields() -> None:
    refs = [{**STABLE, "filters": [{"type": "X"}]}]
    target = split_refs(refs, STABLE, CANARY, NS, 5)
    assert target == [
        {"name": "web-v1", "port": 80, "filters": [{"type": "X"}], "weight": 95},
        {"name": "web-v2", "port": 80, "weight": 5},
    ]
    assert refs == [{**STABLE, "filters": [{"type": "X"}]}]  # not mutated


def test_later_steps_move_weights_in_place() -> None:
    refs = [{**CANARY, "weight": 5}, {**STABLE, "namespace": NS, "weight": 95}]
    target = split_refs(refs, STABLE, CANARY, NS, 50)
    assert [r["weight"] for r in target] == [50, 50]
    assert target[1]["namespace"] == NS
    assert weights(target, STABLE, CANARY, NS) == (50, 50)


def test_a_step_already_applied_yields_the_same_refs() -> None:
    applied = split_refs([dict(STABLE)], STABLE, CANARY, NS, 25)
    # What makes a step idempotent: recomputing it on the result changes nothing.
    assert split_refs(applied, STABLE, CANARY, NS, 25) == applied
    assert split_refs(applied, STABLE, CANARY, NS, 50) != applied


def test_full_promotion_keeps_the_stable_at_zero() -> None:
    target = split_refs([dict(STABLE)], STABLE, CANARY, NS, 100)
    assert weights(target, STABLE, CANARY, NS) == (0, 100)


def test_weights_default_to_one_and_none_when_absent() -> None:
    assert weights([dict(STABLE)], STABLE, CANARY, NS) == (1, None)


def test_a_stable_backend_removed_by_hand_stops_the_step() -> None:
    with pytest.raises(RuleShapeError, match="no longer in the rule"):
        split_refs([dict(CANARY)], STABLE, CANARY, NS, 50)


@pytest.mark.parametrize("weight", [-1, 101])
def test_weight_is_a_percentage(weight: int) -> None:
    with pytest.raises(ValueError, match="percentage"):
        split_refs([dict(STABLE)], STABLE, CANARY, NS, weight)


def test_rule_refs_and_with_rule_refs() -> None:
    r = route(dict(STABLE))
    assert rule_refs(r, 1) == [STABLE]
    assert rule_refs(r, 0) == []
    with pytest.raises(RuleShapeError, match="no rule 2"):
        rule_refs(r, 2)
    updated = with_rule_refs(r, 1, [{**STABLE, "weight": 3}])
    assert updated["spec"]["rules"][1]["backendRefs"] == [{**STABLE, "weight": 3}]
    assert updated["spec"]["rules"][1]["filters"] == [{"type": "RequestHeaderModifier"}]
    assert updated["metadata"]["resourceVersion"] == "7"
    assert r["spec"]["rules"][1]["backendRefs"] == [STABLE]  # the original is untouched


def test_find_stable_needs_exactly_one_other_backend() -> None:
    assert find_stable([dict(STABLE), dict(CANARY)], CANARY, NS) == STABLE
    with pytest.raises(RuleShapeError, match="0 backends"):
        find_stable([dict(CANARY)], CANARY, NS)
    with pytest.raises(RuleShapeError, match="2 backends"):
        find_stable([dict(STABLE), {"name": "x"}], CANARY, NS)


def test_check_rule_refuses_what_percentages_cannot_express() -> None:
    check_rule([dict(STABLE)], STABLE, CANARY, NS)
    check_rule([dict(STABLE), {"name": "old", "weight": 0}], STABLE, CANARY, NS)
    with pytest.raises(RuleShapeError, match="also sends traffic"):
        check_rule([dict(STABLE), {"name": "third"}], STABLE, CANARY, NS)
    with pytest.raises(RuleShapeError, match="0 times"):
        check_rule([{"name": "other"}], STABLE, CANARY, NS)
    with pytest.raises(RuleShapeError, match="the same"):
        check_rule([dict(STABLE)], STABLE, {"name": "web-v1", "port": 8080}, NS)


def test_a_port_less_backend_matches_any_port() -> None:
    target = split_refs([{"name": "web-v1", "port": 8080}], {"name": "web-v1"}, CANARY, NS, 25)
    assert target[0] == {"name": "web-v1", "port": 8080, "weight": 75}


def test_next_step_walks_the_schedule() -> None:
    steps = [5, 25, 100]
    assert next_step(steps, 0) == NextStep(number=1, weight=5, last=False)
    assert next_step(steps, 2) == NextStep(number=3, weight=100, last=True)
    assert next_step(steps, 3) is None
