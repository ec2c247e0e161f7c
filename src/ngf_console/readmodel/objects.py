"""Accessors shared by the read models: metadata, conditions and object references.

Objects are plain dicts as the apiserver returns them; every accessor tolerates missing
fields (a watch cache may hold objects that no controller has written status to yet).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

from pydantic import BaseModel

Obj = dict[str, Any]
Health = Literal["healthy", "degraded", "error", "unknown"]

GATEWAY_GROUP: Final = "gateway.networking.k8s.io"
INFERENCE_GROUP: Final = "inference.networking.k8s.io"
LEGACY_INFERENCE_GROUP: Final = "inference.networking.x-k8s.io"
NGF_GROUP: Final = "gateway.nginx.org"
CONSOLE_GROUP: Final = "ngf-console.f5.com"

# Worst first: when several signals disagree, the worst wins.
_HEALTH_RANK: Final[dict[Health, int]] = {"error": 3, "degraded": 2, "unknown": 1, "healthy": 0}


class ConditionView(BaseModel):
    """One status condition (``metav1.Condition``)."""

    type: str
    status: Literal["True", "False", "Unknown"] = "Unknown"
    reason: str | None = None
    message: str | None = None
    last_transition_time: str | None = None
    observed_generation: int | None = None


class ObjectRef(BaseModel):
    """A reference to one object, by group, kind, namespace and name."""

    group: str = ""
    kind: str
    name: str
    namespace: str | None = None


def meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """``metadata`` of an object, empty if absent."""
    value = obj.get("metadata")
    return value if isinstance(value, dict) else {}


def name_of(obj: Mapping[str, Any]) -> str:
    return str(meta(obj).get("name") or "")


def namespace_of(obj: Mapping[str, Any]) -> str:
    """The object's namespace; ``""`` for cluster-scoped objects."""
    return str(meta(obj).get("namespace") or "")


def uid_of(obj: Mapping[str, Any]) -> str | None:
    uid = meta(obj).get("uid")
    return str(uid) if uid else None


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    value = meta(obj).get("labels")
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def spec_of(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    value = obj.get("spec")
    return value if isinstance(value, dict) else {}


def status_of(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    value = obj.get("status")
    return value if isinstance(value, dict) else {}


def api_group(api_version: str | None) -> str:
    """The group of ``apiVersion`` (``""`` for the core group's ``v1``)."""
    if not api_version or "/" not in api_version:
        return ""
    return api_version.split("/", 1)[0]


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty list (absent or malformed fields)."""
    return value if isinstance(value, list) else []


def as_dicts(value: Any) -> list[Mapping[str, Any]]:
    """The mapping items of a list field, skipping anything malformed."""
    return [item for item in as_list(value) if isinstance(item, dict)]


def parse_conditions(value: Any) -> list[ConditionView]:
    """Normalised conditions of a ``conditions`` list; entries without a type are skipped."""
    out: list[ConditionView] = []
    for cond in as_dicts(value):
        ctype = cond.get("type")
        if not ctype:
            continue
        status = cond.get("status")
        generation = cond.get("observedGeneration")
        out.append(
            ConditionView(
                type=str(ctype),
                status=status if status in ("True", "False", "Unknown") else "Unknown",
                reason=cond.get("reason"),
                message=cond.get("message"),
                last_transition_time=cond.get("lastTransitionTime"),
                observed_generation=generation if isinstance(generation, int) else None,
            )
        )
    return out


def condition_flag(conditions: Iterable[ConditionView], ctype: str) -> bool | None:
    """True/False for a condition that says so, None when absent or Unknown."""
    for cond in conditions:
        if cond.type == ctype:
            return {"True": True, "False": False}.get(cond.status)
    return None


def worst(healths: Iterable[Health]) -> Health:
    """The worst of several healths (``unknown`` if there are none)."""
    result: Health | None = None
    for health in healths:
        if result is None or _HEALTH_RANK[health] > _HEALTH_RANK[result]:
            result = health
    return result or "unknown"


def condition_statuses(value: Any) -> dict[str, str]:
    """``type -> status`` of a raw ``conditions`` list, without building views (hot path)."""
    return {
        str(c["type"]): str(c.get("status") or "Unknown") for c in as_dicts(value) if c.get("type")
    }


def gateway_api_health(conditions: list[ConditionView] | dict[str, str]) -> Health:
    """Health from Gateway API conditions (Accepted, Programmed, ResolvedRefs, Conflicted).

    Not accepted or not programmed means nothing is served: error. Unresolved references
    (a missing backend or certificate) leave the rest working: degraded. No verdict yet (no
    conditions, or only Unknown ones): unknown. Takes views or :func:`condition_statuses`.
    """
    statuses = (
        conditions if isinstance(conditions, dict) else {c.type: c.status for c in conditions}
    )
    if not statuses:
        return "unknown"
    get = statuses.get
    if get("Accepted") == "False" or get("Programmed") == "False" or get("Conflicted") == "True":
        return "error"
    if get("ResolvedRefs") == "False":
        return "degraded"
    if get("Accepted") == "True" or get("Programmed") == "True":
        return "healthy"
    return "unknown"


def per_parent_health(healths: list[Health]) -> Health:
    """Health of an object judged by several parents (a route on two Gateways).

    Rejected by every parent is an error; rejected by some but working on others is degraded.
    """
    if not healths:
        return "unknown"
    if all(h == "error" for h in healths):
        return "error"
    if "error" in healths:
        return "degraded"
    return worst(healths)


def match_labels(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Whether every ``key: value`` of a non-empty ``selector`` is in ``labels``."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())
