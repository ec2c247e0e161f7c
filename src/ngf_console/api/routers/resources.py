"""Read-only routes over the watch cache: GatewayClasses, Gateways (with attached routes),
InferencePools (v1 and legacy v1alpha2, one shape), Services, Pods, Events, Namespaces, and
the live children of a parent CRD.

Lists take ``namespace``, ``labelSelector``, ``name`` (substring), ``limit`` and
``continue`` like the object router's. A list across namespaces is not refused to a caller
who may read only some of them: it keeps the objects of the namespaces they may read. Lists
merged from several types or sorted otherwise than by namespace/name (InferencePools,
Events) page with a cursor of their own (:func:`page_sorted`).
"""

# No ``from __future__ import annotations``: the routes' Annotated dependencies close over
# the factories' locals, which FastAPI can only see in evaluated annotations.
import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from ngf_console.api.auth import Action, Guard, ResourceRef, cluster_scoped, get_guard, require
from ngf_console.api.cluster_reads import all_cached, cached_object, cached_page
from ngf_console.api.routers.objects import ObjectList
from ngf_console.api.state import ClusterDep
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import (
    GATEWAY_API_TYPES,
    PARENT_TYPES,
    SERVED_TYPES,
    served_type,
)
from ngf_console.readmodel.gateways import GatewayView, RouteRef, attached_routes, gateway_view
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
    GATEWAY_GROUP,
    INFERENCE_GROUP,
    LEGACY_INFERENCE_GROUP,
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

T = TypeVar("T")

GATEWAYCLASSES = served_type("gatewayclasses", GATEWAY_GROUP)
GATEWAYS = served_type("gateways", GATEWAY_GROUP)
SERVICES = served_type("services")
PODS = served_type("pods")
EVENTS = served_type("events")
NAMESPACES = served_type("namespaces")
POOL_TYPES: tuple[ResourceType, ...] = tuple(
    t
    for t in SERVED_TYPES
    if t.plural == "inferencepools" and t.group in (INFERENCE_GROUP, LEGACY_INFERENCE_GROUP)
)
ROUTE_TYPES: tuple[ResourceType, ...] = tuple(t for t in GATEWAY_API_TYPES if t.kind in ROUTE_KINDS)


def ref_of(t: ResourceType) -> ResourceRef:
    """The RBAC name of a served type."""
    return ResourceRef(t.group, t.plural)


# -- listing helpers (used by the certificate and topology routers too) -------------------


class ViewPage(BaseModel, Generic[T]):
    """A page of views."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    items: list[T]
    continue_token: str | None = Field(default=None, alias="continue")
    resource_version: str | None = Field(default=None, alias="resourceVersion")
    total: int = Field(description="Items matching the query across all pages.")


NamespaceQ = Annotated[str | None, Query(description="One namespace (default: all).")]
SelectorQ = Annotated[
    str | None, Query(alias="labelSelector", description="Kubernetes label selector.")
]
NameQ = Annotated[str | None, Query(description="Substring of the name.")]
LimitQ = Annotated[int | None, Query(ge=1, le=5000)]
ContinueQ = Annotated[str | None, Query(alias="continue")]
GuardDep = Annotated[Guard, Depends(get_guard)]


async def authorize_list(guard: Guard, refs: Sequence[ResourceRef], namespace: str | None) -> None:
    """403 unless the caller may read ``refs`` in ``namespace``; all namespaces are
    filtered per object instead (:func:`readable`)."""
    if namespace is not None:
        for ref in refs:
            await guard.authorize(Action.READ, ref, namespace)


async def readable(
    guard: Guard,
    ref: ResourceRef,
    items: Iterable[T],
    namespace_of_item: Callable[[T], str | None],
) -> list[T]:
    """The items in namespaces the caller may read ``ref`` in (all if cluster-wide)."""
    items = list(items)
    if await guard.allowed(Action.READ, ref, None):
        return items
    allowed: dict[str, bool] = {}
    kept = []
    for item in items:
        ns = namespace_of_item(item) or ""
        if ns not in allowed:
            # A cluster-scoped object needs the cluster-wide right, refused above.
            allowed[ns] = bool(ns) and await guard.allowed(Action.READ, ref, ns)
        if allowed[ns]:
            kept.append(item)
    return kept


def _obj_namespace(obj: Obj) -> str | None:
    return namespace_of(obj) or None


def page_sorted(
    items: list[T],
    key: Callable[[T], tuple[str, ...]],
    *,
    query: Mapping[str, object],
    limit: int | None,
    continue_token: str | None,
    newest_first: bool = False,
) -> tuple[list[T], str | None]:
    """One page of ``items`` in ``key`` order (descending with ``newest_first``).

    The continue token holds the last key given and a fingerprint of ``query``, so a page
    resumes after that key even if items came or went in between, and a token replayed
    with other filters is a 400.
    """
    fingerprint = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:16]
    ordered = sorted(items, key=key, reverse=newest_first)
    if continue_token:
        last = _decode_cursor(continue_token, fingerprint)
        ordered = [x for x in ordered if (key(x) < last if newest_first else key(x) > last)]
    if not limit or len(ordered) <= limit:
        return ordered, None
    page = ordered[:limit]
    token = json.dumps({"k": list(key(page[-1])), "q": fingerprint}).encode()
    return page, base64.urlsafe_b64encode(token).decode()


def _decode_cursor(token: str, fingerprint: str) -> tuple[str, ...]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        last = tuple(str(k) for k in data["k"])
        query = data["q"]
    except (binascii.Error, ValueError, KeyError, TypeError) as err:
        raise HTTPException(
            status_code=400, detail={"message": "invalid continue token: not one of ours"}
        ) from err
    if query != fingerprint:
        raise HTTPException(
            status_code=400,
            detail={"message": "invalid continue token: it belongs to a different query"},
        )
    return last


def _lenient_page(cluster: Cluster, t: ResourceType, **filters: Any) -> list[Obj] | None:
    """Every object of ``t`` matching ``filters``; None if the cluster does not serve it."""
    try:
        return cached_page(cluster, t, **filters).items
    except HTTPException as err:
        if err.status_code == 404:
            return None
        raise


# -- views of this router -----------------------------------------------------------------


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


def router() -> APIRouter:
    """The read-only resource routes."""
    api = APIRouter(tags=["resources"])

    @api.get("/gatewayclasses", response_model=ViewPage[GatewayClassView])
    async def list_gateway_classes(
        cluster: ClusterDep,
        guard: Annotated[
            Guard, Depends(require(Action.READ, ref_of(GATEWAYCLASSES), namespace=cluster_scoped))
        ],
        label_selector: SelectorQ = None,
        name: NameQ = None,
        limit: LimitQ = None,
        continue_token: ContinueQ = None,
    ) -> ViewPage[GatewayClassView]:
        page = cached_page(
            cluster,
            GATEWAYCLASSES,
            label_selector=label_selector,
            name_contains=name,
            limit=limit,
            continue_token=continue_token,
        )
        gateways = all_cached(cluster, GATEWAYS)
        return ViewPage[GatewayClassView](
            items=[gateway_class_view(c, gateways) for c in page.items],
            continue_token=page.continue_token,
            resource_version=page.resource_version,
            total=page.total,
        )

    @api.get("/gatewayclasses/{name}", response_model=GatewayClassDetail)
    async def get_gateway_class(
        name: str,
        cluster: ClusterDep,
        guard: Annotated[
            Guard,
            Depends(
                require(
                    Action.READ, ref_of(GATEWAYCLASSES), namespace=cluster_scoped, name_param="name"
                )
            ),
        ],
    ) -> GatewayClassDetail:
        gwc = cached_object(cluster, GATEWAYCLASSES, None, name)
        users = [
            g for g in all_cached(cluster, GATEWAYS) if spec_of(g).get("gatewayClassName") == name
        ]
        users = await readable(guard, ref_of(GATEWAYS), users, _obj_namespace)
        return GatewayClassDetail(
            gateway_class=gateway_class_view(gwc, users),
            gateways=[
                ObjectRef(
                    group=GATEWAY_GROUP, kind="Gateway", name=name_of(g), namespace=namespace_of(g)
                )
                for g in users
            ],
            object=gwc,
        )

    @api.get("/gateways", response_model=ViewPage[GatewayView])
    async def list_gateways(
        cluster: ClusterDep,
        guard: GuardDep,
        namespace: NamespaceQ = None,
        label_selector: SelectorQ = None,
        name: NameQ = None,
        limit: LimitQ = None,
        continue_token: ContinueQ = None,
    ) -> ViewPage[GatewayView]:
        await authorize_list(guard, [ref_of(GATEWAYS)], namespace)
        page = cached_page(
            cluster,
            GATEWAYS,
            namespace=namespace,
            label_selector=label_selector,
            name_contains=name,
            limit=limit,
            continue_token=continue_token,
        )
        items = await readable(guard, ref_of(GATEWAYS), page.items, _obj_namespace)
        routes, parents = routes_by_gateway(all_routes(cluster)), parent_index(cluster)
        return ViewPage[GatewayView](
            items=[
                gateway_view(g, routes.get((namespace_of(g), name_of(g)), []), parents)
                for g in items
            ],
            continue_token=page.continue_token,
            resource_version=page.resource_version,
            total=page.total,
        )

    @api.get("/gateways/{namespace}/{name}", response_model=GatewayDetail)
    async def get_gateway(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        guard: Annotated[Guard, Depends(require(Action.READ, ref_of(GATEWAYS), name_param="name"))],
    ) -> GatewayDetail:
        gw = cached_object(cluster, GATEWAYS, namespace, name)
        routes = all_routes(cluster)
        attached = attached_routes(gw, routes)
        # Routes of namespaces the caller may not read are counted but not named.
        shown = [
            r
            for r in attached
            if await guard.allowed(
                Action.READ, ResourceRef(GATEWAY_GROUP, ROUTE_KINDS[r.kind]), r.namespace
            )
        ]
        return GatewayDetail(
            gateway=gateway_view(gw, routes, parent_index(cluster)), routes=shown, object=gw
        )

    async def list_pools(
        cluster: ClusterDep,
        guard: GuardDep,
        namespace: NamespaceQ = None,
        label_selector: SelectorQ = None,
        name: NameQ = None,
        limit: LimitQ = None,
        continue_token: ContinueQ = None,
    ) -> ViewPage[InferencePoolView]:
        refs = [ref_of(t) for t in POOL_TYPES]
        await authorize_list(guard, refs[:1], namespace)
        views: list[InferencePoolView] = []
        served = 0
        for t in POOL_TYPES:
            objs = _lenient_page(
                cluster, t, namespace=namespace, label_selector=label_selector, name_contains=name
            )
            if objs is None:
                continue
            served += 1
            objs = await readable(guard, ref_of(t), objs, _obj_namespace)
            views += [normalize_inference_pool(o) for o in objs]
        if not served:
            raise HTTPException(
                status_code=404,
                detail={"message": "no InferencePool API is served by this cluster"},
            )
        page, token = page_sorted(
            views,
            lambda v: (v.namespace, v.name, v.api_version),
            query={"ns": namespace, "sel": label_selector, "name": name, "type": "pools"},
            limit=limit,
            continue_token=continue_token,
        )
        return ViewPage[InferencePoolView](items=page, continue_token=token, total=len(views))

    async def get_pool(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        guard: Annotated[
            Guard, Depends(require(Action.READ, ref_of(POOL_TYPES[0]), name_param="name"))
        ],
        api_version: Annotated[
            str | None,
            Query(alias="apiVersion", description="Pick one version when both hold the name."),
        ] = None,
    ) -> InferencePoolDetail:
        for t in POOL_TYPES:
            if api_version is not None and t.api_version != api_version:
                continue
            try:
                obj = cached_object(cluster, t, namespace, name)
            except HTTPException as err:
                if err.status_code == 404:
                    continue
                raise
            view = normalize_inference_pool(obj)
            pods: list[Obj] = []
            if view.selector:
                selector = ",".join(f"{k}={v}" for k, v in sorted(view.selector.items()))
                pods = cached_page(
                    cluster, PODS, namespace=namespace, label_selector=selector
                ).items
            return InferencePoolDetail(pool=view, pods=[pod_summary(p) for p in pods], object=obj)
        raise HTTPException(
            status_code=404, detail={"message": f"InferencePool {namespace}/{name} not found"}
        )

    # /inferencepools (the resource's name) and /inference/pools (spec §3.10.8) alike.
    for base in ("/inferencepools", "/inference/pools"):
        api.add_api_route(
            base, list_pools, response_model=ViewPage[InferencePoolView], methods=["GET"]
        )
        api.add_api_route(
            f"{base}/{{namespace}}/{{name}}",
            get_pool,
            response_model=InferencePoolDetail,
            methods=["GET"],
        )

    for t in (SERVICES, PODS, NAMESPACES):
        _raw_routes(api, t)

    @api.get("/events", response_model=ViewPage[EventView])
    async def list_events(
        cluster: ClusterDep,
        guard: GuardDep,
        namespace: NamespaceQ = None,
        label_selector: SelectorQ = None,
        name: NameQ = None,
        involved_kind: Annotated[str | None, Query(alias="involvedKind")] = None,
        involved_name: Annotated[str | None, Query(alias="involvedName")] = None,
        event_type: Annotated[Literal["Normal", "Warning"] | None, Query(alias="type")] = None,
        reason: str | None = None,
        limit: LimitQ = None,
        continue_token: ContinueQ = None,
    ) -> ViewPage[EventView]:
        await authorize_list(guard, [ref_of(EVENTS)], namespace)
        page = cached_page(
            cluster, EVENTS, namespace=namespace, label_selector=label_selector, name_contains=name
        )
        objs = await readable(guard, ref_of(EVENTS), page.items, _obj_namespace)
        views = [
            v
            for v in map(event_view, objs)
            if (involved_kind is None or v.involved_object.kind == involved_kind)
            and (involved_name is None or v.involved_object.name == involved_name)
            and (event_type is None or v.type == event_type)
            and (reason is None or v.reason == reason)
        ]
        items, token = page_sorted(
            views,
            lambda v: (v.last_seen, v.namespace, v.name),
            query={
                "ns": namespace,
                "sel": label_selector,
                "name": name,
                "kind": involved_kind,
                "iname": involved_name,
                "type": event_type,
                "reason": reason,
            },
            limit=limit,
            continue_token=continue_token,
            newest_first=True,
        )
        return ViewPage[EventView](
            items=items,
            continue_token=token,
            resource_version=page.resource_version,
            total=len(views),
        )

    for parent_type in PARENT_TYPES:
        _children_route(api, parent_type)
    return api


def _raw_routes(api: APIRouter, t: ResourceType) -> None:
    """List (and get) of one core type, objects as the cluster has them."""
    ref = ref_of(t)

    @api.get(f"/{t.plural}", response_model=ObjectList, name=f"list {t.kind}")
    async def list_objects(
        cluster: ClusterDep,
        guard: GuardDep,
        namespace: NamespaceQ = None,
        label_selector: SelectorQ = None,
        name: NameQ = None,
        limit: LimitQ = None,
        continue_token: ContinueQ = None,
    ) -> ObjectList:
        if t.namespaced:
            await authorize_list(guard, [ref], namespace)
        page = cached_page(
            cluster,
            t,
            namespace=namespace,
            label_selector=label_selector,
            name_contains=name,
            limit=limit,
            continue_token=continue_token,
        )
        if t.namespaced:
            items = await readable(guard, ref, page.items, _obj_namespace)
        elif await guard.allowed(Action.READ, ref, None):
            items = page.items
        else:  # Namespaces: the ones the caller may read.
            items = [
                o
                for o in page.items
                if await guard.allowed(Action.READ, ref, name_of(o), name=name_of(o))
            ]
        return ObjectList(
            items=items,
            continue_token=page.continue_token,
            resource_version=page.resource_version,
            total=page.total,
        )

    if not t.namespaced:
        return

    @api.get(f"/{t.plural}/{{namespace}}/{{name}}", name=f"get {t.kind}")
    async def get_object(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        _: Annotated[Guard, Depends(require(Action.READ, ref, name_param="name"))],
    ) -> Obj:
        return cached_object(cluster, t, namespace, name)


def _children_route(api: APIRouter, parent_type: ResourceType) -> None:
    """``GET /{parents}/{ns}/{name}/children``: what the parent owns, live, with readiness."""

    @api.get(
        f"/{parent_type.plural}/{{namespace}}/{{name}}/children",
        response_model=ChildrenView,
        name=f"children of {parent_type.kind}",
    )
    async def children(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        guard: Annotated[
            Guard, Depends(require(Action.READ, ref_of(parent_type), name_param="name"))
        ],
    ) -> ChildrenView:
        parent = cached_object(cluster, parent_type, namespace, name)
        index = ParentIndex([parent])
        uid = meta(parent).get("uid")
        found: list[ChildView] = []
        for t in SERVED_TYPES:
            if t in (EVENTS, PODS, NAMESPACES):
                continue  # pods belong to their ReplicaSet; events own nothing
            owned = [o for o in all_cached(cluster, t) if index.owns(parent, o)]
            for obj in await readable(guard, ref_of(t), owned, _obj_namespace):
                ready, health, detail = child_readiness(obj)
                by_ref = any(r.get("uid") == uid for r in meta(obj).get("ownerReferences") or [])
                found.append(
                    ChildView(
                        api_version=str(obj.get("apiVersion")),
                        kind=str(obj.get("kind")),
                        name=name_of(obj),
                        namespace=namespace_of(obj) or None,
                        owned_by="ownerReference" if by_ref else "labels",
                        ready=ready,
                        health=health,
                        detail=detail,
                    )
                )
        found.sort(key=lambda c: (c.kind, c.namespace or "", c.name))
        return ChildrenView(
            parent=ObjectRef(
                group=parent_type.group, kind=parent_type.kind, name=name, namespace=namespace
            ),
            children=found,
            ready=sum(1 for c in found if c.ready),
            total=len(found),
        )
