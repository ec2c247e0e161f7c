"""InferencePool in one shape, whichever API version the cluster stores it in.

Two shapes exist (upstream-facts.md):

- ``inference.networking.k8s.io/v1`` (GA): ``spec.selector.matchLabels``,
  ``spec.targetPorts[].number``, ``spec.appProtocol``, ``spec.endpointPickerRef{group, kind,
  name, port.number, failureMode}`` (optional since v1.6), status ``status.parents[]``.
- legacy ``inference.networking.x-k8s.io/v1alpha2``: ``spec.selector`` is a flat label map,
  ``spec.targetPortNumber``, ``spec.extensionRef{group, kind, name, portNumber,
  failureMode}``, status ``status.parent[]`` (singular).

:func:`normalize_inference_pool` maps both onto :class:`InferencePoolView`, keeping the
``api_version`` so the UI can say which one it shows. Defaults are the CRDs' own:
``failureMode: FailClose``, picker ``kind: Service``, ``appProtocol: http``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

from pydantic import BaseModel

from ngf_console.readmodel.objects import (
    GATEWAY_GROUP,
    INFERENCE_GROUP,
    LEGACY_INFERENCE_GROUP,
    ConditionView,
    Health,
    ObjectRef,
    api_group,
    as_dicts,
    condition_flag,
    labels_of,
    meta,
    name_of,
    namespace_of,
    parse_conditions,
    per_parent_health,
    spec_of,
    status_of,
    uid_of,
)

__all__ = [
    "INFERENCE_POOL_GROUPS",
    "EndpointPickerView",
    "InferencePoolView",
    "PoolParentStatus",
    "is_inference_pool",
    "normalize_inference_pool",
]

INFERENCE_POOL_GROUPS: Final = (INFERENCE_GROUP, LEGACY_INFERENCE_GROUP)
FailureMode = Literal["FailOpen", "FailClose"]


class EndpointPickerView(BaseModel):
    """The endpoint picker (EPP) a pool sends its scheduling questions to."""

    group: str = ""
    kind: str = "Service"
    name: str
    port: int | None = None
    failure_mode: FailureMode = "FailClose"


class PoolParentStatus(BaseModel):
    """A Gateway's verdict on the pool (one entry of ``status.parents``)."""

    parent_ref: ObjectRef
    controller_name: str | None = None
    conditions: list[ConditionView] = []


class InferencePoolView(BaseModel):
    """An InferencePool, the same shape for v1 and the legacy v1alpha2."""

    api_version: str
    legacy: bool
    name: str
    namespace: str
    uid: str | None = None
    labels: dict[str, str] = {}
    created_at: str | None = None
    selector: dict[str, str]
    target_ports: list[int]
    app_protocol: str = "http"
    endpoint_picker: EndpointPickerView | None = None
    parents: list[PoolParentStatus] = []
    accepted: bool | None = None
    resolved_refs: bool | None = None
    health: Health = "unknown"


def is_inference_pool(obj: Mapping[str, Any]) -> bool:
    """Whether ``obj`` is an InferencePool of either API group."""
    return obj.get("kind") == "InferencePool" and (
        api_group(str(obj.get("apiVersion") or "")) in INFERENCE_POOL_GROUPS
    )


def normalize_inference_pool(obj: Mapping[str, Any]) -> InferencePoolView:
    """The pool's view; the shape is chosen by ``apiVersion`` (v1 when it has none)."""
    api_version = str(obj.get("apiVersion") or f"{INFERENCE_GROUP}/v1")
    legacy = api_group(api_version) == LEGACY_INFERENCE_GROUP
    spec = spec_of(obj)
    if legacy:
        selector = _string_map(spec.get("selector"))
        port = spec.get("targetPortNumber")
        target_ports = [port] if isinstance(port, int) else []
        picker = _legacy_picker(spec.get("extensionRef"))
    else:
        raw_selector = spec.get("selector")
        selector = _string_map(
            raw_selector.get("matchLabels") if isinstance(raw_selector, dict) else None
        )
        target_ports = [
            p["number"]
            for p in as_dicts(spec.get("targetPorts"))
            if isinstance(p.get("number"), int)
        ]
        picker = _v1_picker(spec.get("endpointPickerRef"))
    parents = _parents(obj)
    return InferencePoolView(
        api_version=api_version,
        legacy=legacy,
        name=name_of(obj),
        namespace=namespace_of(obj),
        uid=uid_of(obj),
        labels=labels_of(obj),
        created_at=meta(obj).get("creationTimestamp"),
        selector=selector,
        target_ports=target_ports,
        app_protocol=str(spec.get("appProtocol") or "http"),
        endpoint_picker=picker,
        parents=parents,
        accepted=_all_parents(parents, "Accepted"),
        resolved_refs=_all_parents(parents, "ResolvedRefs"),
        health=pool_health(parents),
    )


def pool_health(parents: list[PoolParentStatus]) -> Health:
    """Health from the parents' verdicts: rejected or unresolved -> error or degraded."""
    healths: list[Health] = []
    for parent in parents:
        accepted = condition_flag(parent.conditions, "Accepted")
        resolved = condition_flag(parent.conditions, "ResolvedRefs")
        if accepted is False:
            healths.append("error")
        elif resolved is False:
            # InvalidExtensionRef: the picker is missing, requests to the pool fail (FailClose)
            # or lose the picker's choice (FailOpen).
            healths.append("degraded")
        elif accepted is True:
            healths.append("healthy")
        else:
            healths.append("unknown")
    return per_parent_health(healths)


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _failure_mode(value: Any) -> FailureMode:
    return "FailOpen" if value == "FailOpen" else "FailClose"


def _v1_picker(ref: Any) -> EndpointPickerView | None:
    if not isinstance(ref, dict) or not ref.get("name"):
        return None
    port = ref.get("port")
    number = port.get("number") if isinstance(port, dict) else None
    return EndpointPickerView(
        group=str(ref.get("group") or ""),
        kind=str(ref.get("kind") or "Service"),
        name=str(ref["name"]),
        port=number if isinstance(number, int) else None,
        failure_mode=_failure_mode(ref.get("failureMode")),
    )


def _legacy_picker(ref: Any) -> EndpointPickerView | None:
    if not isinstance(ref, dict) or not ref.get("name"):
        return None
    number = ref.get("portNumber")
    return EndpointPickerView(
        group=str(ref.get("group") or ""),
        kind=str(ref.get("kind") or "Service"),
        name=str(ref["name"]),
        port=number if isinstance(number, int) else None,
        failure_mode=_failure_mode(ref.get("failureMode")),
    )


def _parents(obj: Mapping[str, Any]) -> list[PoolParentStatus]:
    status = status_of(obj)
    # v1 says "parents", v1alpha2 said "parent"; read whichever is there.
    entries = as_dicts(status.get("parents")) or as_dicts(status.get("parent"))
    out: list[PoolParentStatus] = []
    for entry in entries:
        ref = entry.get("parentRef")
        ref = ref if isinstance(ref, dict) else {}
        out.append(
            PoolParentStatus(
                parent_ref=ObjectRef(
                    group=str(ref.get("group") if ref.get("group") is not None else GATEWAY_GROUP),
                    kind=str(ref.get("kind") or "Gateway"),
                    name=str(ref.get("name") or ""),
                    namespace=ref.get("namespace") or namespace_of(obj) or None,
                ),
                controller_name=entry.get("controllerName"),
                conditions=parse_conditions(entry.get("conditions")),
            )
        )
    return out


def _all_parents(parents: list[PoolParentStatus], ctype: str) -> bool | None:
    """True if every parent says True, False if any says False, else None."""
    flags = [condition_flag(p.conditions, ctype) for p in parents]
    if any(flag is False for flag in flags):
        return False
    if flags and all(flag is True for flag in flags):
        return True
    return None
