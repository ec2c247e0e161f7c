"""The pure part of a canary rollout: which backendRefs a route rule should have at a step.

A step gives the canary backend ``weight`` (a percentage) and the stable backend
``100 - weight``; every other field of the rule's backendRefs (filters, port, a weight of
an unrelated backend) is kept as the route has it now. A canary backend the rule does not
list yet is appended. A rollback restores the rule's backendRefs as they were when the
rollout started. Comparing the rule's refs with the target is what makes a step
idempotent: a step already applied (the runner stopped after the write, before recording
it) is not written again.

Backends are identified as Gateway API resolves them: group (default core), kind (default
Service), namespace (default the route's), name and port.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
BackendKey = tuple[str, str, str, str, int | None]
DEFAULT_WEIGHT = 1  # Gateway API's default for a backendRef without a weight


class RuleShapeError(ValueError):
    """The route rule cannot be rolled out: no such rule, or the backends are not there."""


def backend_key(ref: Mapping[str, Any], route_namespace: str) -> BackendKey:
    """How Gateway API tells backends apart (defaults filled in)."""
    group = ref.get("group") or ""
    port = ref.get("port")
    return (
        "" if group == "core" else str(group),
        str(ref.get("kind") or "Service"),
        str(ref.get("namespace") or route_namespace),
        str(ref.get("name") or ""),
        int(port) if isinstance(port, int) else None,
    )


def _same(ref: Mapping[str, Any], wanted: Mapping[str, Any], route_namespace: str) -> bool:
    have, want = backend_key(ref, route_namespace), backend_key(wanted, route_namespace)
    # A wanted backend without a port matches the backend whatever its port.
    return have[:4] == want[:4] and (want[4] is None or have[4] == want[4])


def rule_refs(route: Mapping[str, Any], rule_index: int) -> list[Obj]:
    """The backendRefs of rule ``rule_index`` (copies); RuleShapeError if there is no rule."""
    rules = (route.get("spec") or {}).get("rules") or []
    if not 0 <= rule_index < len(rules):
        raise RuleShapeError(f"the route has no rule {rule_index} (it has {len(rules)})")
    return [dict(r) for r in (rules[rule_index].get("backendRefs") or []) if isinstance(r, dict)]


def find_stable(
    refs: Sequence[Mapping[str, Any]], canary: Mapping[str, Any], route_namespace: str
) -> Obj:
    """The one backend of a rule that is not the canary (RuleShapeError otherwise)."""
    others = [dict(r) for r in refs if not _same(r, canary, route_namespace)]
    if len(others) != 1:
        raise RuleShapeError(
            f"the rule has {len(others)} backends besides the canary; name the stable one "
            "(a rollout shifts weight between exactly two backends)"
        )
    return others[0]


def check_rule(
    refs: Sequence[Mapping[str, Any]],
    stable: Mapping[str, Any],
    canary: Mapping[str, Any],
    route_namespace: str,
) -> None:
    """Refuse a rule a rollout cannot express in percentages: the stable backend must be
    listed once, and no backend other than the stable and canary ones may take traffic."""
    if backend_key(stable, route_namespace)[:4] == backend_key(canary, route_namespace)[:4]:
        raise RuleShapeError("the stable and canary backends are the same")
    stables = [r for r in refs if _same(r, stable, route_namespace)]
    if len(stables) != 1:
        raise RuleShapeError(
            f"the rule lists the stable backend {stable.get('name')!r} {len(stables)} times"
        )
    if sum(1 for r in refs if _same(r, canary, route_namespace)) > 1:
        raise RuleShapeError("the rule lists the canary backend more than once")
    for r in refs:
        if _same(r, stable, route_namespace) or _same(r, canary, route_namespace):
            continue
        if r.get("weight", DEFAULT_WEIGHT) != 0:
            raise RuleShapeError(
                f"the rule also sends traffic to {r.get('name')!r}; a rollout shifts weight "
                "between exactly two backends"
            )


def split_refs(
    refs: Sequence[Mapping[str, Any]],
    stable: Mapping[str, Any],
    canary: Mapping[str, Any],
    route_namespace: str,
    weight: int,
) -> list[Obj]:
    """The rule's backendRefs with the canary at ``weight`` and the stable at the rest.

    RuleShapeError when the stable backend is no longer in the rule (someone removed it).
    """
    if not 0 <= weight <= 100:
        raise ValueError(f"weight {weight} is not a percentage")
    if not any(_same(r, stable, route_namespace) for r in refs):
        raise RuleShapeError(f"the stable backend {stable.get('name')!r} is no longer in the rule")
    result: list[Obj] = []
    canary_seen = False
    for ref in refs:
        item = dict(ref)
        if _same(ref, canary, route_namespace):
            item["weight"], canary_seen = weight, True
        elif _same(ref, stable, route_namespace):
            item["weight"] = 100 - weight
        result.append(item)
    if not canary_seen:
        result.append({**canary, "weight": weight})
    return result


def weights(
    refs: Sequence[Mapping[str, Any]],
    stable: Mapping[str, Any],
    canary: Mapping[str, Any],
    route_namespace: str,
) -> tuple[int | None, int | None]:
    """(stable, canary) weights the rule has now; None for a backend it does not list."""

    def weight_of(wanted: Mapping[str, Any]) -> int | None:
        for r in refs:
            if _same(r, wanted, route_namespace):
                return int(r.get("weight", DEFAULT_WEIGHT))
        return None

    return weight_of(stable), weight_of(canary)


def with_rule_refs(route: Mapping[str, Any], rule_index: int, refs: Sequence[Obj]) -> Obj:
    """A copy of ``route`` whose rule ``rule_index`` has ``refs`` as its backendRefs."""
    updated = copy.deepcopy(dict(route))
    updated["spec"]["rules"][rule_index]["backendRefs"] = [dict(r) for r in refs]
    return updated


@dataclass(frozen=True)
class NextStep:
    """The step a rollout applies next: its number (1-based), weight, and whether it is the
    last one."""

    number: int
    weight: int
    last: bool


def next_step(steps: Sequence[int], applied: int) -> NextStep | None:
    """The step after ``applied`` steps of ``steps``; None when all are applied."""
    if applied >= len(steps):
        return None
    return NextStep(number=applied + 1, weight=steps[applied], last=applied + 1 == len(steps))
