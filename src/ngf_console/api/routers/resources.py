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
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query

from ngf_console.api.auth import Action, Guard, ResourceRef, cluster_scoped, require
from ngf_console.api.cluster_reads import all_cached, cached_object, cached_page
from ngf_console.api.routers.listing import (
    ContinueQ,
    GuardDep,
    LimitQ,
    NameQ,
    NamespaceQ,
    SelectorQ,
    ViewPage,
    authorize_list,
    lenient_page,
    obj_namespace,
    page_sorted,
    readable,
    ref_of,
    visible_page,
)
from ngf_console.api.routers.objects import ObjectList
from ngf_console.api.routers.resource_views import (
    ChildrenView,
    ChildView,
    EventView,
    GatewayClassDetail,
    GatewayClassView,
    GatewayDetail,
    InferencePoolDetail,
    all_routes,
    child_readiness,
    event_view,
    gateway_class_view,
    parent_index,
    pod_summary,
    routes_by_gateway,
)
from ngf_console.api.state import ClusterDep
from ngf_console.kube.resource_store import Page
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import (
    PARENT_TYPES,
    SERVED_TYPES,
    served_type,
)
from ngf_console.readmodel.gateways import GatewayView, attached_routes, gateway_view
from ngf_console.readmodel.inference_pools import InferencePoolView, normalize_inference_pool
from ngf_console.readmodel.objects import (
    GATEWAY_GROUP,
    INFERENCE_GROUP,
    LEGACY_INFERENCE_GROUP,
    Obj,
    ObjectRef,
    meta,
    name_of,
    namespace_of,
    spec_of,
)
from ngf_console.readmodel.ownership import ParentIndex
from ngf_console.readmodel.snapshot import ROUTE_KINDS

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
        users = await readable(guard, ref_of(GATEWAYS), users, obj_namespace)
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
        page = await visible_page(
            cluster,
            GATEWAYS,
            guard,
            namespace=namespace,
            label_selector=label_selector,
            name_contains=name,
            limit=limit,
            continue_token=continue_token,
        )
        routes, parents = routes_by_gateway(all_routes(cluster)), parent_index(cluster)
        return ViewPage[GatewayView](
            items=[
                gateway_view(g, routes.get((namespace_of(g), name_of(g)), []), parents)
                for g in page.items
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
            objs = lenient_page(
                cluster, t, namespace=namespace, label_selector=label_selector, name_contains=name
            )
            if objs is None:
                continue
            served += 1
            objs = await readable(guard, ref_of(t), objs, obj_namespace)
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
        objs = await readable(guard, ref_of(EVENTS), page.items, obj_namespace)
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
        filters: dict[str, Any] = {
            "label_selector": label_selector,
            "name_contains": name,
            "limit": limit,
            "continue_token": continue_token,
        }
        if t.namespaced:
            page = await visible_page(cluster, t, guard, namespace=namespace, **filters)
        elif await guard.allowed(Action.READ, ref, None):
            page = cached_page(cluster, t, **filters)
        else:  # Namespaces: the ones the caller may read, filtered before paging.
            everything = cached_page(cluster, t, label_selector=label_selector, name_contains=name)
            mine = [
                o
                for o in everything.items
                if await guard.allowed(Action.READ, ref, name_of(o), name=name_of(o))
            ]
            items, token = page_sorted(
                mine,
                lambda o: (name_of(o),),
                query={"selector": label_selector, "name": name},
                limit=limit,
                continue_token=continue_token,
            )
            page = Page(items, token, everything.resource_version, len(mine))
        return ObjectList(
            items=page.items,
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
            for obj in await readable(guard, ref_of(t), owned, obj_namespace):
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
