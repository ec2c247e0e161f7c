"""The views the read-only routes answer with (pydantic), and how they are built from
cached objects. Pure."""

# No ``from __future__ import annotations``: FastAPI reads these models' annotations.
import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel

from ngf_console.api.cluster_reads import all_cached
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import (
    GATEWAY_API_TYPES,
    PARENT_TYPES,
)
from ngf_console.readmodel.gateways import GatewayView, RouteRef
from ngf_console.readmodel.health import (
    parent_health,
    pod_health,
    pod_ready,
    policy_health,
    route_health,
)
from ngf_console.readmodel.inference_pools import InferencePoolView, normalize_inference_pool
from ngf_console.readmodel.objects import (
    CONSOLE_GROUP,
    NGF_GROUP,
    ConditionView,
    Health,
    Obj,
    ObjectRef,
    as_dicts,
    condition_flag,
    condition_statuses,
    gateway_api_health,
    meta,
    name_of,
    namespace_of,
    parse_conditions,
    spec_of,
    status_of,
)
from ngf_console.readmodel.ownership import ParentIndex
from ngf_console.readmodel.snapshot import ROUTE_KINDS

ROUTE_TYPES: tuple[ResourceType, ...] = tuple(t for t in GATEWAY_API_TYPES if t.kind in ROUTE_KINDS)


class GatewayClassView(BaseModel):
    """A GatewayClass (cluster-scoped; viewed, never written by the console)."""

    name: str
    uid: str | None = None
    created_at: str | None = None
    controller_name: str = ""
    description: str | None = None
    parameters_ref: ObjectRef | None = None
    accepted: bool | None = None
    conditions: list[ConditionView] = []
    health: Health = "unknown"
    gateway_count: int = 0


class GatewayClassDetail(BaseModel):
    gateway_class: GatewayClassView
    gateways: list[ObjectRef]
    object: Obj


class GatewayDetail(BaseModel):
    """A Gateway's view, the routes attached to it and the object itself."""

    gateway: GatewayView
    routes: list[RouteRef]
    object: Obj


class PodSummary(BaseModel):
    name: str
    namespace: str
    phase: str | None = None
    ready: bool
    health: Health
    node: str | None = None
    pod_ip: str | None = None


class InferencePoolDetail(BaseModel):
    """A pool's normalised view (status included), the pods it selects, the object."""

    pool: InferencePoolView
    pods: list[PodSummary]
    object: Obj


class InvolvedObject(BaseModel):
    kind: str | None = None
    name: str | None = None
    namespace: str | None = None
    uid: str | None = None
    field_path: str | None = None


class EventView(BaseModel):
    namespace: str
    name: str
    type: str | None = None
    reason: str | None = None
    message: str | None = None
    involved_object: InvolvedObject
    count: int = 1
    first_seen: str | None = None
    last_seen: str
    source: str | None = None


class ChildView(BaseModel):
    """One live child of a parent CRD and whether it is ready."""

    api_version: str
    kind: str
    name: str
    namespace: str | None = None
    owned_by: Literal["ownerReference", "labels"]
    ready: bool | None
    health: Health
    detail: str | None = None


class ChildrenView(BaseModel):
    parent: ObjectRef
    children: list[ChildView]
    ready: int
    total: int


# -- view builders --------------------------------------------------------------------------


def gateway_class_view(gwc: Obj, gateways: Iterable[Obj]) -> GatewayClassView:
    """The view of a GatewayClass and how many Gateways use it."""
    spec = spec_of(gwc)
    conditions = parse_conditions(status_of(gwc).get("conditions"))
    ref = spec.get("parametersRef")
    return GatewayClassView(
        name=name_of(gwc),
        uid=meta(gwc).get("uid"),
        created_at=meta(gwc).get("creationTimestamp"),
        controller_name=str(spec.get("controllerName") or ""),
        description=spec.get("description"),
        parameters_ref=ObjectRef(
            group=str(ref.get("group") or ""),
            kind=str(ref.get("kind") or ""),
            name=str(ref.get("name") or ""),
            namespace=ref.get("namespace"),
        )
        if isinstance(ref, dict)
        else None,
        accepted=condition_flag(conditions, "Accepted"),
        conditions=conditions,
        health=gateway_api_health(conditions),
        gateway_count=sum(
            1 for g in gateways if spec_of(g).get("gatewayClassName") == name_of(gwc)
        ),
    )


def all_routes(cluster: Cluster) -> list[Obj]:
    """Every cached route, each with ``kind`` set."""
    return [r for t in ROUTE_TYPES for r in all_cached(cluster, t)]


def routes_by_gateway(routes: Iterable[Obj]) -> dict[tuple[str, str], list[Obj]]:
    """(namespace, name) of a Gateway -> the routes naming it in spec or status.

    A list of Gateways then checks each route against the Gateways it names only, not
    every route against every Gateway.
    """
    out: dict[tuple[str, str], list[Obj]] = {}
    for route in routes:
        ns = namespace_of(route)
        refs = [*as_dicts(spec_of(route).get("parentRefs"))]
        refs += [
            p["parentRef"]
            for p in as_dicts(status_of(route).get("parents"))
            if isinstance(p.get("parentRef"), dict)
        ]
        keys = {(str(r.get("namespace") or ns), str(r.get("name") or "")) for r in refs}
        for key in keys:
            out.setdefault(key, []).append(route)
    return out


def parent_index(cluster: Cluster) -> ParentIndex:
    return ParentIndex(p for t in PARENT_TYPES for p in all_cached(cluster, t))


def pod_summary(pod: Obj) -> PodSummary:
    ready = pod_ready(pod)
    status = status_of(pod)
    return PodSummary(
        name=name_of(pod),
        namespace=namespace_of(pod),
        phase=status.get("phase"),
        ready=ready,
        health=pod_health(pod, ready=ready),
        node=spec_of(pod).get("nodeName"),
        pod_ip=status.get("podIP"),
    )


def _timestamp(value: Any) -> str | None:
    """An RFC 3339 time in one fixed form (microseconds, UTC) that sorts as text."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_view(event: Obj) -> EventView:
    """Core v1 Event; ``last_seen`` from series, lastTimestamp, eventTime or creation."""
    series = event.get("series")
    last_seen = (
        _timestamp(series.get("lastObservedTime") if isinstance(series, dict) else None)
        or _timestamp(event.get("lastTimestamp"))
        or _timestamp(event.get("eventTime"))
        or _timestamp(meta(event).get("creationTimestamp"))
        or ""
    )
    involved = event.get("involvedObject")
    involved = involved if isinstance(involved, dict) else {}
    source = event.get("source")
    count = event.get("count") or (series.get("count") if isinstance(series, dict) else None)
    return EventView(
        namespace=namespace_of(event),
        name=name_of(event),
        type=event.get("type"),
        reason=event.get("reason"),
        message=event.get("message"),
        involved_object=InvolvedObject(
            kind=involved.get("kind"),
            name=involved.get("name"),
            namespace=involved.get("namespace"),
            uid=involved.get("uid"),
            field_path=involved.get("fieldPath"),
        ),
        count=count if isinstance(count, int) else 1,
        first_seen=_timestamp(event.get("firstTimestamp")) or _timestamp(event.get("eventTime")),
        last_seen=last_seen,
        source=event.get("reportingComponent")
        or (source.get("component") if isinstance(source, dict) else None),
    )


def child_readiness(child: Obj) -> tuple[bool | None, Health, str | None]:
    """(ready, health, detail) of any kind of child an operator renders."""
    kind, group = str(child.get("kind") or ""), str(child.get("apiVersion") or "").split("/")[0]
    status, spec = status_of(child), spec_of(child)
    if kind in ("Deployment", "StatefulSet"):
        want = spec.get("replicas", 1)
        ready = status.get("readyReplicas") or 0
        ok = isinstance(want, int) and ready >= want
        return ok, "healthy" if ok else "degraded", f"{ready}/{want} replicas ready"
    if kind == "Pod":
        ready_pod = pod_ready(child)
        return ready_pod, pod_health(child, ready=ready_pod), status.get("phase")
    if kind in ("Service", "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding"):
        return True, "healthy", None  # exists; nothing more to wait for
    if kind == "InferencePool":
        view = normalize_inference_pool(child)
        return view.accepted, view.health, None
    if kind in ROUTE_KINDS:
        health = route_health(child)
    elif group == NGF_GROUP or kind.endswith("Policy"):
        health = policy_health(child)
    elif group == CONSOLE_GROUP:
        health = parent_health(child)
    else:
        health = gateway_api_health(condition_statuses(status.get("conditions")))
        ready_flag = condition_statuses(status.get("conditions")).get("Ready")
        if ready_flag is not None and health == "unknown":
            health = "healthy" if ready_flag == "True" else "degraded"
    ready = {"healthy": True, "error": False, "degraded": False}.get(health)
    return ready, health, None


# -- routes ---------------------------------------------------------------------------------
