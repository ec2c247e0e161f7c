"""Which routes attach to which listeners, and the conditions a controller would set.

Implements, per Gateway API v1 (``ParentReference``, ``Listener``, ``AllowedRoutes``,
``RouteConditionReason``):

- parentRef: ``group`` defaults to ``gateway.networking.k8s.io``, ``kind`` to ``Gateway``,
  ``namespace`` to the route's (:func:`~ngf_console.readmodel.gateways.parent_ref_matches`);
  ``sectionName`` selects the listener of that name, ``port`` the listeners on that port,
  both together must both hold. No listener so selected: ``Accepted=False NoMatchingParent``.
- listener protocol vs route kind and ``allowedRoutes.kinds`` (kinds the protocol cannot
  serve are dropped: the listener's ``ResolvedRefs=False InvalidRouteKinds``);
  ``allowedRoutes.namespaces.from`` ``Same`` (default) / ``All`` / ``Selector`` over the
  namespace's labels. None allows the route: ``Accepted=False NotAllowedByListeners``.
- hostname intersection (:mod:`.hostnames`): a listener that allows the route but shares
  no hostname with it: ``Accepted=False NoMatchingListenerHostname``.
- listener conflicts (``Conflicted=True``): ``ProtocolConflict`` for incompatible protocols
  on one port (HTTPS and TLS may share one), ``HostnameConflict`` for the same port,
  protocol and hostname. Conflicted listeners accept no routes here, as NGF programs none.
- backendRefs (``ResolvedRefs``): a kind the implementation does not serve
  ``InvalidKind``; another namespace without a ReferenceGrant ``RefNotPermitted``
  (:class:`~ngf_console.readmodel.grants.ReferenceGrants`); missing object
  ``BackendNotFound``. The first failing reference gives the condition's reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

from ngf_console.gatewayapi.hostnames import intersect_hostnames
from ngf_console.kube.label_selector import LabelSelector, Requirement
from ngf_console.readmodel.gateways import listener_route_kinds, parent_ref_matches
from ngf_console.readmodel.grants import ReferenceGrants
from ngf_console.readmodel.inference_pools import INFERENCE_POOL_GROUPS
from ngf_console.readmodel.objects import (
    GATEWAY_GROUP,
    Obj,
    as_dicts,
    labels_of,
    name_of,
    namespace_of,
    spec_of,
)
from ngf_console.readmodel.snapshot import ClusterSnapshot

__all__ = [
    "AttachmentContext",
    "BackendVerdict",
    "ConditionVerdict",
    "ListenerConflict",
    "ListenerVerdict",
    "ParentVerdict",
    "RouteAttachment",
    "attach_all",
    "attach_route",
    "listener_conflicts",
    "namespace_labels_from",
]

_PROTOCOL_KINDS: Final[dict[str, frozenset[str]]] = {
    "HTTP": frozenset({"HTTPRoute", "GRPCRoute"}),
    "HTTPS": frozenset({"HTTPRoute", "GRPCRoute"}),
    "TLS": frozenset({"TLSRoute", "TCPRoute"}),
    "TCP": frozenset({"TCPRoute"}),
    "UDP": frozenset({"UDPRoute"}),
}
_HOSTNAME_KINDS: Final = frozenset({"HTTPRoute", "GRPCRoute", "TLSRoute"})
# Protocols that may share a port (both terminate or pass TLS, told apart by SNI).
_COMPATIBLE: Final = ({"HTTPS", "TLS"},)
_SELECTOR_OPS: Final = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}

ListenerReason = Literal[
    "Attached",
    "SectionName",
    "Port",
    "Conflicted",
    "NotAllowedKind",
    "NotAllowedNamespace",
    "NoMatchingHostname",
]


class ConditionVerdict(BaseModel):
    """A condition as a controller would write it on ``status.parents[]``."""

    type: str
    status: Literal["True", "False", "Unknown"]
    reason: str
    message: str = ""


class ListenerVerdict(BaseModel):
    """One listener's answer to one parentRef: attached, or the rule that refused."""

    listener: str
    attached: bool
    reason: ListenerReason
    message: str = ""
    # The hostnames the route serves through this listener (None: any hostname).
    hostnames: list[str | None] = Field(default_factory=list)


class ParentVerdict(BaseModel):
    """One parentRef of a route and what the Gateway's controller would say about it."""

    gateway_namespace: str
    gateway_name: str
    section_name: str | None = None
    port: int | None = None
    gateway_found: bool
    accepted: ConditionVerdict
    listeners: list[ListenerVerdict] = Field(default_factory=list)

    @property
    def attached_listeners(self) -> list[ListenerVerdict]:
        return [x for x in self.listeners if x.attached]


class BackendVerdict(BaseModel):
    """One backendRef (``rule`` index, ``index`` in the rule; ``mirror`` for RequestMirror)."""

    rule: int
    index: int
    group: str = ""
    kind: str = "Service"
    namespace: str
    name: str
    port: int | None = None
    weight: int = 1
    mirror: bool = False
    resolved: bool
    reason: str = "ResolvedRefs"
    message: str = ""


class RouteAttachment(BaseModel):
    """A route's verdicts: per parentRef (Accepted) and per backendRef (ResolvedRefs)."""

    kind: str
    namespace: str
    name: str
    parents: list[ParentVerdict] = Field(default_factory=list)
    backends: list[BackendVerdict] = Field(default_factory=list)
    resolved_refs: ConditionVerdict


class ListenerConflict(BaseModel):
    """A listener the Gateway marks ``Conflicted=True``, and the listeners it clashes with."""

    listener: str
    reason: Literal["ProtocolConflict", "HostnameConflict"]
    conflicts_with: list[str]


def namespace_labels_from(namespaces: Iterable[Obj]) -> dict[str, dict[str, str]]:
    """``name -> labels`` of Namespace objects, for ``allowedRoutes`` selectors."""
    return {name_of(ns): labels_of(ns) for ns in namespaces}


@dataclass
class AttachmentContext:
    """What attachment looks at, indexed once per snapshot.

    ``namespace_labels`` is ``None`` when unknown: a ``Selector`` then counts as allowing
    the route, and the verdict says it could not be judged.
    """

    gateways: dict[tuple[str, str], Obj]
    grants: ReferenceGrants
    services: set[tuple[str, str]]
    pools: set[tuple[str, str]]
    namespace_labels: Mapping[str, Mapping[str, str]] | None = None
    conflicts: dict[tuple[str, str], dict[str, ListenerConflict]] = field(default_factory=dict)

    @classmethod
    def from_snapshot(
        cls, snapshot: ClusterSnapshot, namespace_labels: Mapping[str, Mapping[str, str]] | None
    ) -> AttachmentContext:
        gateways = {(namespace_of(g), name_of(g)): g for g in snapshot.gateways}
        return cls(
            gateways=gateways,
            grants=ReferenceGrants(snapshot.referencegrants),
            services={(namespace_of(s), name_of(s)) for s in snapshot.services},
            pools={(namespace_of(p), name_of(p)) for p in snapshot.inferencepools},
            namespace_labels=namespace_labels,
            conflicts={key: listener_conflicts(g) for key, g in gateways.items()},
        )


def listener_conflicts(gateway: Obj) -> dict[str, ListenerConflict]:
    """Listeners marked ``Conflicted`` (Gateway API ``ListenerConditionReason``).

    Same port with incompatible protocols is a ``ProtocolConflict``; same port, protocol
    and hostname (absent counts as one value) a ``HostnameConflict``.
    """
    by_port: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
    for listener in as_dicts(spec_of(gateway).get("listeners")):
        by_port[listener.get("port")].append(listener)
    out: dict[str, ListenerConflict] = {}
    for listeners in by_port.values():
        protocols = {str(x.get("protocol") or "") for x in listeners}
        if len(protocols) > 1 and not any(protocols <= group for group in _COMPATIBLE):
            for x in listeners:
                others = [str(o.get("name")) for o in listeners if o is not x]
                out[str(x.get("name"))] = ListenerConflict(
                    listener=str(x.get("name")), reason="ProtocolConflict", conflicts_with=others
                )
            continue
        seen: dict[tuple[str, str], list[str]] = defaultdict(list)
        for x in listeners:
            key = (str(x.get("protocol") or ""), str(x.get("hostname") or "").lower())
            seen[key].append(str(x.get("name")))
        for names in seen.values():
            if len(names) > 1:
                for n in names:
                    out[n] = ListenerConflict(
                        listener=n,
                        reason="HostnameConflict",
                        conflicts_with=[o for o in names if o != n],
                    )
    return out


def _allowed_kinds(listener: Mapping[str, Any]) -> frozenset[str]:
    """Kinds the listener serves: ``allowedRoutes.kinds`` its protocol supports, else all."""
    supported = _PROTOCOL_KINDS.get(str(listener.get("protocol") or ""), frozenset())
    allowed = listener.get("allowedRoutes")
    kinds = as_dicts(allowed.get("kinds")) if isinstance(allowed, dict) else []
    if not kinds:
        return supported
    named = {
        str(k.get("kind"))
        for k in kinds
        if (k.get("group") if k.get("group") is not None else GATEWAY_GROUP) == GATEWAY_GROUP
    }
    return frozenset(named & set(listener_route_kinds(listener)) & supported)


def _selector(raw: Any) -> LabelSelector:
    reqs: list[Requirement] = []
    if isinstance(raw, dict):
        labels = raw.get("matchLabels")
        if isinstance(labels, dict):
            reqs += [Requirement(str(k), "=", (str(v),)) for k, v in labels.items()]
        for expr in as_dicts(raw.get("matchExpressions")):
            op = _SELECTOR_OPS.get(str(expr.get("operator")))
            if op is not None:
                values = tuple(sorted(str(v) for v in expr.get("values") or []))
                reqs.append(Requirement(str(expr.get("key")), op, values))  # type: ignore[arg-type]
    return LabelSelector(tuple(reqs))


def _namespace_allowed(
    listener: Mapping[str, Any], gateway_ns: str, route_ns: str, ctx: AttachmentContext
) -> tuple[bool, str]:
    allowed = listener.get("allowedRoutes")
    namespaces = allowed.get("namespaces") if isinstance(allowed, dict) else None
    namespaces = namespaces if isinstance(namespaces, dict) else {}
    origin = str(namespaces.get("from") or "Same")
    if origin == "All":
        return True, "allowedRoutes.namespaces.from: All"
    if origin == "Same":
        ok = route_ns == gateway_ns
        return ok, f"allowedRoutes.namespaces.from: Same (Gateway namespace {gateway_ns})"
    if origin == "Selector":
        if ctx.namespace_labels is None:
            return True, "Selector not judged: namespace labels were not provided"
        selector = _selector(namespaces.get("selector"))
        ok = selector.matches(ctx.namespace_labels.get(route_ns, {}))
        return ok, f"allowedRoutes.namespaces.selector {str(selector) or '(everything)'}"
    return False, f"allowedRoutes.namespaces.from: {origin} (unknown value)"


def _listener_verdict(
    listener: Mapping[str, Any],
    gateway: Obj,
    ref: Mapping[str, Any],
    route: Obj,
    ctx: AttachmentContext,
) -> ListenerVerdict:
    name = str(listener.get("name") or "")
    kind, route_ns = str(route.get("kind") or "HTTPRoute"), namespace_of(route)
    section, port = ref.get("sectionName"), ref.get("port")
    if section and section != name:
        return ListenerVerdict(listener=name, attached=False, reason="SectionName")
    if port is not None and port != listener.get("port"):
        return ListenerVerdict(
            listener=name,
            attached=False,
            reason="Port",
            message=f"parentRef port {port}, listener port {listener.get('port')}",
        )
    conflict = ctx.conflicts.get((namespace_of(gateway), name_of(gateway)), {}).get(name)
    if conflict is not None:
        return ListenerVerdict(
            listener=name,
            attached=False,
            reason="Conflicted",
            message=f"{conflict.reason} with {', '.join(conflict.conflicts_with)}",
        )
    kinds = _allowed_kinds(listener)
    if kind not in kinds:
        return ListenerVerdict(
            listener=name,
            attached=False,
            reason="NotAllowedKind",
            message=f"{listener.get('protocol')} listener allows {sorted(kinds)}, not {kind}",
        )
    ok, why = _namespace_allowed(listener, namespace_of(gateway), route_ns, ctx)
    if not ok:
        return ListenerVerdict(
            listener=name,
            attached=False,
            reason="NotAllowedNamespace",
            message=f"namespace {route_ns} refused by {why}",
        )
    if kind not in _HOSTNAME_KINDS:
        return ListenerVerdict(listener=name, attached=True, reason="Attached", message=why)
    lhost = listener.get("hostname") or None
    route_hosts: list[str | None] = [
        str(h) for h in spec_of(route).get("hostnames") or [] if h
    ] or [None]
    hostnames: list[str | None] = []
    for host in route_hosts:
        both = intersect_hostnames(lhost, host)
        if both is not False and both not in hostnames:
            hostnames.append(both)  # type: ignore[arg-type]
    if not hostnames:
        return ListenerVerdict(
            listener=name,
            attached=False,
            reason="NoMatchingHostname",
            message=f"listener hostname {lhost} intersects none of {route_hosts}",
        )
    return ListenerVerdict(
        listener=name, attached=True, reason="Attached", message=why, hostnames=hostnames
    )


def _parent_verdict(route: Obj, ref: Mapping[str, Any], ctx: AttachmentContext) -> ParentVerdict:
    route_ns = namespace_of(route)
    gw_ns = str(ref.get("namespace") or route_ns)
    gw_name = str(ref.get("name") or "")
    port = ref.get("port")
    base: dict[str, Any] = {
        "gateway_namespace": gw_ns,
        "gateway_name": gw_name,
        "section_name": ref.get("sectionName") or None,
        "port": port if isinstance(port, int) else None,
    }
    gateway = ctx.gateways.get((gw_ns, gw_name))
    if gateway is None or not parent_ref_matches(ref, route_ns, gateway):
        what = f"{ref.get('group', GATEWAY_GROUP)}/{ref.get('kind') or 'Gateway'}"
        message = (
            f"Gateway {gw_ns}/{gw_name} does not exist"
            if (ref.get("kind") or "Gateway") == "Gateway"
            else f"parent kind {what} is not evaluated"
        )
        return ParentVerdict(
            **base,
            gateway_found=False,
            accepted=ConditionVerdict(
                type="Accepted", status="False", reason="NoMatchingParent", message=message
            ),
        )
    verdicts = [
        _listener_verdict(x, gateway, ref, route, ctx)
        for x in as_dicts(spec_of(gateway).get("listeners"))
    ]
    reasons = {v.reason for v in verdicts}
    if "Attached" in reasons:
        names = ", ".join(v.listener for v in verdicts if v.attached)
        accepted = ConditionVerdict(
            type="Accepted", status="True", reason="Accepted", message=f"listeners: {names}"
        )
    elif reasons <= {"SectionName", "Port"}:
        accepted = ConditionVerdict(
            type="Accepted",
            status="False",
            reason="NoMatchingParent",
            message="no listener matches the parentRef's sectionName/port",
        )
    elif "NoMatchingHostname" in reasons:
        accepted = ConditionVerdict(
            type="Accepted",
            status="False",
            reason="NoMatchingListenerHostname",
            message="no listener hostname intersects the route's hostnames",
        )
    else:
        refused = [v for v in verdicts if v.reason not in ("SectionName", "Port")]
        accepted = ConditionVerdict(
            type="Accepted",
            status="False",
            reason="NotAllowedByListeners",
            message="; ".join(f"{v.listener}: {v.message}" for v in refused),
        )
    return ParentVerdict(**base, gateway_found=True, accepted=accepted, listeners=verdicts)


def _backend_verdict(
    route: Obj,
    ref: Mapping[str, Any],
    rule: int,
    index: int,
    mirror: bool,
    ctx: AttachmentContext,
) -> BackendVerdict:
    kind_of_route, route_ns = str(route.get("kind") or "HTTPRoute"), namespace_of(route)
    group, kind = str(ref.get("group") or ""), str(ref.get("kind") or "Service")
    ns, name = str(ref.get("namespace") or route_ns), str(ref.get("name") or "")
    weight = ref.get("weight")
    port = ref.get("port")
    out: dict[str, Any] = {
        "rule": rule,
        "index": index,
        "group": group,
        "kind": kind,
        "namespace": ns,
        "name": name,
        "port": port if isinstance(port, int) else None,
        "weight": weight if isinstance(weight, int) else 1,
        "mirror": mirror,
    }
    is_service = group == "" and kind == "Service"
    is_pool = group in INFERENCE_POOL_GROUPS and kind == "InferencePool"
    if not (is_service or (is_pool and kind_of_route == "HTTPRoute")):
        return BackendVerdict(
            **out,
            resolved=False,
            reason="InvalidKind",
            message=f"{group or 'core'}/{kind} is not a supported backend for {kind_of_route}",
        )
    if not ctx.grants.permits(
        from_group=GATEWAY_GROUP,
        from_kind=kind_of_route,
        from_namespace=route_ns,
        to_group=group,
        to_kind=kind,
        to_namespace=ns,
        to_name=name,
    ):
        return BackendVerdict(
            **out,
            resolved=False,
            reason="RefNotPermitted",
            message=f"no ReferenceGrant in {ns} allows {kind_of_route} from {route_ns}",
        )
    if (ns, name) not in (ctx.services if is_service else ctx.pools):
        return BackendVerdict(
            **out, resolved=False, reason="BackendNotFound", message=f"{kind} {ns}/{name} not found"
        )
    return BackendVerdict(**out, resolved=True)


def attach_route(route: Obj, ctx: AttachmentContext) -> RouteAttachment:
    """Every parentRef's ``Accepted`` and every backendRef's ``ResolvedRefs`` for ``route``.

    ``route`` carries ``kind`` (``ClusterSnapshot.routes()``; absent means HTTPRoute).
    """
    spec = spec_of(route)
    parents = [_parent_verdict(route, ref, ctx) for ref in as_dicts(spec.get("parentRefs"))]
    backends: list[BackendVerdict] = []
    for r, rule in enumerate(as_dicts(spec.get("rules"))):
        for i, ref in enumerate(as_dicts(rule.get("backendRefs"))):
            backends.append(_backend_verdict(route, ref, r, i, False, ctx))
        for flt in as_dicts(rule.get("filters")):
            mirror = flt.get("requestMirror")
            if flt.get("type") == "RequestMirror" and isinstance(mirror, dict):
                target = mirror.get("backendRef")
                if isinstance(target, dict):
                    backends.append(_backend_verdict(route, target, r, -1, True, ctx))
    failed = next((b for b in backends if not b.resolved), None)
    resolved = (
        ConditionVerdict(type="ResolvedRefs", status="True", reason="ResolvedRefs")
        if failed is None
        else ConditionVerdict(
            type="ResolvedRefs", status="False", reason=failed.reason, message=failed.message
        )
    )
    return RouteAttachment(
        kind=str(route.get("kind") or "HTTPRoute"),
        namespace=namespace_of(route),
        name=name_of(route),
        parents=parents,
        backends=backends,
        resolved_refs=resolved,
    )


def attach_all(
    snapshot: ClusterSnapshot,
    namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> list[RouteAttachment]:
    """:func:`attach_route` for every route of the snapshot."""
    ctx = AttachmentContext.from_snapshot(snapshot, namespace_labels)
    return [attach_route(route, ctx) for route in snapshot.routes()]
