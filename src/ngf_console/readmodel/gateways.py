"""Gateways with their listeners and attached routes, and what deleting one would break.

A route attaches to a Gateway through ``spec.parentRefs`` (``group`` defaults to
``gateway.networking.k8s.io``, ``kind`` to ``Gateway``, ``namespace`` to the route's own) and,
once a controller has looked at it, is listed in the route's ``status.parents``. Both count:
the spec says what the user asked for, the status what a controller (of any name) did, and a
stale status still names a Gateway whose deletion would matter. ``sectionName`` narrows the
attachment to one listener and ``port`` to the listeners on that port; without either, a route
attaches to every listener that allows its kind and namespace (``allowedRoutes``; a
``Selector`` on namespaces cannot be judged without namespace labels and counts as allowed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

from pydantic import BaseModel

from ngf_console.readmodel.objects import (
    GATEWAY_GROUP,
    ConditionView,
    Health,
    Obj,
    ObjectRef,
    as_dicts,
    condition_flag,
    gateway_api_health,
    labels_of,
    meta,
    name_of,
    namespace_of,
    parse_conditions,
    spec_of,
    status_of,
    uid_of,
)
from ngf_console.readmodel.ownership import ParentIndex
from ngf_console.readmodel.snapshot import ClusterSnapshot

__all__ = [
    "Dependants",
    "GatewayAddress",
    "GatewayView",
    "ListenerView",
    "RouteRef",
    "attached_routes",
    "bundle_gateways",
    "dependants_of_gateway",
    "dependants_of_gateway_bundle",
    "gateway_view",
    "listener_route_kinds",
    "parent_ref_matches",
    "ref_listeners",
]

# Route kinds a listener accepts by protocol when allowedRoutes.kinds is not set.
_KINDS_BY_PROTOCOL: Final[dict[str, tuple[str, ...]]] = {
    "HTTP": ("HTTPRoute", "GRPCRoute"),
    "HTTPS": ("HTTPRoute", "GRPCRoute"),
    "TLS": ("TLSRoute", "TCPRoute"),
    "TCP": ("TCPRoute",),
    "UDP": ("UDPRoute",),
}


class ListenerView(BaseModel):
    """One listener of a Gateway, with the status its controller reports for it."""

    name: str
    port: int | None = None
    protocol: str = ""
    hostname: str | None = None
    tls_mode: str | None = None
    certificate_refs: list[ObjectRef] = []
    allowed_namespaces: str = "Same"
    route_kinds: list[str] = []
    attached_routes: int | None = None  # from status.listeners[].attachedRoutes
    computed_routes: int = 0  # from the routes in the snapshot
    conditions: list[ConditionView] = []
    health: Health = "unknown"


class GatewayAddress(BaseModel):
    type: str | None = None
    value: str


class GatewayView(BaseModel):
    """A Gateway for the list and detail views."""

    name: str
    namespace: str
    uid: str | None = None
    labels: dict[str, str] = {}
    created_at: str | None = None
    gateway_class_name: str = ""
    listeners: list[ListenerView] = []
    addresses: list[GatewayAddress] = []
    accepted: bool | None = None
    programmed: bool | None = None
    conditions: list[ConditionView] = []
    health: Health = "unknown"
    route_count: int = 0
    owners: list[ObjectRef] = []


class RouteRef(BaseModel):
    """A route attached to a Gateway, and to which of its listeners."""

    kind: str
    name: str
    namespace: str
    listeners: list[str] = []
    section_name: str | None = None
    port: int | None = None
    via: Literal["spec", "status", "both"] = "spec"
    accepted: bool | None = None


class Dependants(BaseModel):
    """What would break if a Gateway (or the bundle rendering it) were deleted."""

    gateways: list[ObjectRef] = []
    routes: list[RouteRef] = []
    inference_stacks: list[ObjectRef] = []

    @property
    def blocking(self) -> bool:
        """Whether anything depends on it (the API answers 409 unless forced)."""
        return bool(self.routes or self.inference_stacks)


def parent_ref_matches(ref: Mapping[str, Any], route_namespace: str, gateway: Obj) -> bool:
    """Whether a route's parentRef (spec or status) names ``gateway``."""
    group = ref.get("group")
    if (GATEWAY_GROUP if group is None else group) != GATEWAY_GROUP:
        return False
    if (ref.get("kind") or "Gateway") != "Gateway":
        return False
    namespace = ref.get("namespace") or route_namespace
    return ref.get("name") == name_of(gateway) and namespace == namespace_of(gateway)


def listener_route_kinds(listener: Mapping[str, Any]) -> list[str]:
    """Route kinds a listener accepts: allowedRoutes.kinds, else those of its protocol."""
    allowed = listener.get("allowedRoutes")
    kinds = as_dicts(allowed.get("kinds")) if isinstance(allowed, dict) else []
    if kinds:
        return [str(k.get("kind")) for k in kinds if k.get("kind")]
    return list(_KINDS_BY_PROTOCOL.get(str(listener.get("protocol") or ""), ()))


def _allowed_from(listener: Mapping[str, Any]) -> str:
    allowed = listener.get("allowedRoutes")
    namespaces = allowed.get("namespaces") if isinstance(allowed, dict) else None
    value = namespaces.get("from") if isinstance(namespaces, dict) else None
    return str(value or "Same")


def _listener_allows(listener: Mapping[str, Any], gateway: Obj, kind: str, namespace: str) -> bool:
    if kind not in listener_route_kinds(listener):
        return False
    origin = _allowed_from(listener)
    return origin != "Same" or namespace == namespace_of(gateway)


def ref_listeners(gateway: Obj, ref: Mapping[str, Any], kind: str, namespace: str) -> list[str]:
    """The listeners of ``gateway`` a parentRef of a ``kind`` route in ``namespace`` binds to.

    ``sectionName`` names one listener (kept even if it would refuse the route: the route
    asked for it); ``port`` keeps the listeners on that port; otherwise every listener that
    allows the route's kind and namespace.
    """
    listeners = as_dicts(spec_of(gateway).get("listeners"))
    section = ref.get("sectionName")
    if section:
        return [str(x.get("name")) for x in listeners if x.get("name") == section]
    port = ref.get("port")
    return [
        str(x.get("name"))
        for x in listeners
        if (port is None or x.get("port") == port) and _listener_allows(x, gateway, kind, namespace)
    ]


def attached_routes(gateway: Obj, routes: Iterable[Obj]) -> list[RouteRef]:
    """The routes that name ``gateway`` in their parentRefs or status.parents, sorted.

    ``routes`` are route objects with ``kind`` set (``ClusterSnapshot.routes()``; a route
    without one is taken as an HTTPRoute).
    """
    out: list[RouteRef] = []
    for route in routes:
        ref = _route_ref(gateway, route)
        if ref is not None:
            out.append(ref)
    out.sort(key=lambda r: (r.namespace, r.kind, r.name))
    return out


def _route_ref(gateway: Obj, route: Obj) -> RouteRef | None:
    kind, namespace = str(route.get("kind") or "HTTPRoute"), namespace_of(route)
    listeners: list[str] = []
    spec_refs = [
        r
        for r in as_dicts(spec_of(route).get("parentRefs"))
        if parent_ref_matches(r, namespace, gateway)
    ]
    status_entries = [
        p
        for p in as_dicts(status_of(route).get("parents"))
        if isinstance(p.get("parentRef"), dict)
        and parent_ref_matches(p["parentRef"], namespace, gateway)
    ]
    if not spec_refs and not status_entries:
        return None
    for ref in [*spec_refs, *(p["parentRef"] for p in status_entries)]:
        for listener in ref_listeners(gateway, ref, kind, namespace):
            if listener not in listeners:
                listeners.append(listener)
    first = spec_refs[0] if spec_refs else status_entries[0]["parentRef"]
    flags = [
        condition_flag(parse_conditions(p.get("conditions")), "Accepted") for p in status_entries
    ]
    accepted: bool | None = None
    if any(f is False for f in flags):
        accepted = False
    elif flags and all(f is True for f in flags):
        accepted = True
    port = first.get("port")
    return RouteRef(
        kind=kind,
        name=name_of(route),
        namespace=namespace,
        listeners=listeners,
        section_name=first.get("sectionName") or None,
        port=port if isinstance(port, int) else None,
        via="both" if spec_refs and status_entries else "spec" if spec_refs else "status",
        accepted=accepted,
    )


def _listener_view(gateway: Obj, listener: Mapping[str, Any], computed: int) -> ListenerView:
    name = str(listener.get("name") or "")
    status = next(
        (s for s in as_dicts(status_of(gateway).get("listeners")) if s.get("name") == name), {}
    )
    raw_tls = listener.get("tls")
    tls: Mapping[str, Any] = raw_tls if isinstance(raw_tls, dict) else {}
    refs = [
        ObjectRef(
            group=str(r.get("group") or ""),
            kind=str(r.get("kind") or "Secret"),
            name=str(r.get("name") or ""),
            namespace=r.get("namespace") or namespace_of(gateway),
        )
        for r in as_dicts(tls.get("certificateRefs"))
    ]
    conditions = parse_conditions(status.get("conditions"))
    attached = status.get("attachedRoutes")
    port = listener.get("port")
    return ListenerView(
        name=name,
        port=port if isinstance(port, int) else None,
        protocol=str(listener.get("protocol") or ""),
        hostname=listener.get("hostname") or None,
        tls_mode=(tls.get("mode") or "Terminate") if tls else None,
        certificate_refs=refs,
        allowed_namespaces=_allowed_from(listener),
        route_kinds=listener_route_kinds(listener),
        attached_routes=attached if isinstance(attached, int) else None,
        computed_routes=computed,
        conditions=conditions,
        health=gateway_api_health(conditions),
    )


def gateway_view(
    gateway: Obj, routes: Iterable[Obj] = (), parents: ParentIndex | None = None
) -> GatewayView:
    """The view of ``gateway``; ``routes`` (kind set) give the computed route counts."""
    attached = attached_routes(gateway, routes)
    per_listener: dict[str, int] = {}
    for route in attached:
        for listener in route.listeners:
            per_listener[listener] = per_listener.get(listener, 0) + 1
    listeners = [
        _listener_view(gateway, x, per_listener.get(str(x.get("name")), 0))
        for x in as_dicts(spec_of(gateway).get("listeners"))
    ]
    conditions = parse_conditions(status_of(gateway).get("conditions"))
    health = gateway_api_health(conditions)
    if health == "healthy" and any(x.health in ("error", "degraded") for x in listeners):
        health = "degraded"  # some listeners broken, the Gateway still serves the others
    owners = parents.owners_of(gateway) if parents is not None else []
    return GatewayView(
        name=name_of(gateway),
        namespace=namespace_of(gateway),
        uid=uid_of(gateway),
        labels=labels_of(gateway),
        created_at=meta(gateway).get("creationTimestamp"),
        gateway_class_name=str(spec_of(gateway).get("gatewayClassName") or ""),
        listeners=listeners,
        addresses=[
            GatewayAddress(type=a.get("type"), value=str(a["value"]))
            for a in as_dicts(status_of(gateway).get("addresses"))
            if a.get("value")
        ],
        accepted=condition_flag(conditions, "Accepted"),
        programmed=condition_flag(conditions, "Programmed"),
        conditions=conditions,
        health=health,
        route_count=len(attached),
        owners=[_parent_ref(p) for p in owners],
    )


def _parent_ref(parent: Mapping[str, Any]) -> ObjectRef:
    api_version = str(parent.get("apiVersion") or "")
    return ObjectRef(
        group=api_version.split("/", 1)[0] if "/" in api_version else "",
        kind=str(parent.get("kind") or ""),
        name=name_of(parent),
        namespace=namespace_of(parent) or None,
    )


def _stack_gateway_ref(stack: Mapping[str, Any]) -> Mapping[str, Any] | None:
    spec = spec_of(stack)
    attachment = spec.get("gateway")
    ref = attachment.get("gatewayRef") if isinstance(attachment, dict) else None
    if not isinstance(ref, dict):
        ref = spec.get("gatewayRef")  # flat shape of the spec's early drafts
    return ref if isinstance(ref, dict) else None


def dependants_of_gateway(
    gateway: Obj, snapshot: ClusterSnapshot, *, exclude_owner: Obj | None = None
) -> Dependants:
    """Routes attached to ``gateway`` and InferenceStacks whose gatewayRef names it.

    ``exclude_owner``: a parent being deleted with the Gateway; its own children go with it
    and are no dependants.
    """
    index = ParentIndex(snapshot.parents)
    routes = [
        r for r in snapshot.routes() if exclude_owner is None or not index.owns(exclude_owner, r)
    ]
    stacks: list[ObjectRef] = []
    for parent in snapshot.parents:
        if parent.get("kind") != "InferenceStack":
            continue
        ref = _stack_gateway_ref(parent)
        if ref is None or ref.get("name") != name_of(gateway):
            continue
        if (ref.get("namespace") or namespace_of(parent)) == namespace_of(gateway):
            stacks.append(_parent_ref(parent))
    stacks.sort(key=lambda r: (r.namespace or "", r.name))
    return Dependants(
        gateways=[
            ObjectRef(
                group=GATEWAY_GROUP,
                kind="Gateway",
                name=name_of(gateway),
                namespace=namespace_of(gateway),
            )
        ],
        routes=attached_routes(gateway, routes),
        inference_stacks=stacks,
    )


def bundle_gateways(bundle: Obj, snapshot: ClusterSnapshot) -> list[Obj]:
    """The Gateways a GatewayBundle rendered: owned by it (owner reference or labels)."""
    index = ParentIndex([bundle])
    return [g for g in snapshot.gateways if index.owns(bundle, g)]


def dependants_of_gateway_bundle(bundle: Obj, snapshot: ClusterSnapshot) -> Dependants:
    """What depends on the Gateway(s) of ``bundle``, its own children left out."""
    merged = Dependants()
    for gateway in bundle_gateways(bundle, snapshot):
        found = dependants_of_gateway(gateway, snapshot, exclude_owner=bundle)
        merged.gateways += found.gateways
        merged.routes += [r for r in found.routes if r not in merged.routes]
        merged.inference_stacks += [
            s for s in found.inference_stacks if s not in merged.inference_stacks
        ]
    return merged
