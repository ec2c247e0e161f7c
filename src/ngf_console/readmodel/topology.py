"""The topology graph: GatewayClass -> Gateway -> listeners -> routes -> backends -> pods.

Nodes have deterministic ids, ``{kind}/{namespace}/{name}`` (``GatewayClass//{name}`` for
the cluster-scoped class, ``Gateway/{ns}/{name}#{listener}`` for a listener, and
``InferencePool.inference.networking.x-k8s.io/{ns}/{name}`` for a legacy pool, which may
coexist with a v1 pool of the same name). Edges point downstream, in the direction traffic
and configuration flow, and have the id ``{kind}:{source}->{target}``.

A reference to an object that is not in the snapshot (a backend Service that does not
exist, a route's parent Gateway, a policy's target) becomes a node with status ``error``
and ``data.missing = True``, so the UI shows the broken reference instead of hiding it.

Everything is indexed once (pods by namespace and label, objects by id), so the build is
linear in the number of objects and references. docs/topology.md describes the model.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

from pydantic import BaseModel

from ngf_console.readmodel.gateways import gateway_view, ref_listeners
from ngf_console.readmodel.grants import ReferenceGrants
from ngf_console.readmodel.health import (
    parent_health,
    pod_health,
    pod_ready,
    policy_health,
    route_health,
    selecting_health,
)
from ngf_console.readmodel.inference_pools import normalize_inference_pool
from ngf_console.readmodel.objects import (
    GATEWAY_GROUP,
    LEGACY_INFERENCE_GROUP,
    Health,
    Obj,
    api_group,
    as_dicts,
    condition_statuses,
    gateway_api_health,
    labels_of,
    name_of,
    namespace_of,
    spec_of,
    status_of,
    worst,
)
from ngf_console.readmodel.ownership import ParentIndex
from ngf_console.readmodel.snapshot import ClusterSnapshot

__all__ = [
    "EdgeKind",
    "TopologyEdge",
    "TopologyGraph",
    "TopologyNode",
    "build_topology",
    "gateway_subgraph",
    "listener_id",
    "node_id",
]

EdgeKind = Literal[
    "implements",  # GatewayClass -> Gateway
    "has-listener",  # Gateway -> listener
    "attaches",  # listener (or Gateway, without a matching listener) -> route
    "routes-to",  # route -> Service / InferencePool / other backend
    "selects",  # Service / InferencePool -> Pod
    "endpoint-picker",  # InferencePool -> its endpoint picker Service
    "parameters",  # Gateway / GatewayClass -> NginxProxy (parametersRef)
    "uses-filter",  # route -> SnippetsFilter / AuthenticationFilter (ExtensionRef filter)
    "targets",  # policy -> Gateway / listener / route / Service
    "owns",  # parent CRD -> child
]
# Edges followed downstream from a Gateway for the per-gateway graph.
_DOWNSTREAM: Final[frozenset[str]] = frozenset(
    {
        "has-listener",
        "attaches",
        "routes-to",
        "selects",
        "endpoint-picker",
        "parameters",
        "uses-filter",
    }
)
# Edges followed upstream, one hop, into the per-gateway graph: the class, the policies on
# its objects and the parent CRDs that own them.
_UPSTREAM: Final[frozenset[str]] = frozenset({"implements", "targets", "owns"})
_LEGACY_POOL_KIND: Final = f"InferencePool.{LEGACY_INFERENCE_GROUP}"


class TopologyNode(BaseModel):
    id: str
    kind: str
    name: str
    namespace: str | None = None
    status: Health = "unknown"
    label: str
    data: dict[str, Any] = {}


class TopologyEdge(BaseModel):
    id: str
    source: str
    target: str
    kind: EdgeKind
    label: str | None = None
    data: dict[str, Any] = {}


class TopologyGraph(BaseModel):
    """Nodes and edges; ``root`` is the Gateway's id for a per-gateway graph."""

    nodes: list[TopologyNode] = []
    edges: list[TopologyEdge] = []
    root: str | None = None


def node_id(kind: str, namespace: str | None, name: str, group: str | None = None) -> str:
    """The id of an object's node; ``group`` tells a legacy InferencePool apart."""
    if kind == "InferencePool" and group == LEGACY_INFERENCE_GROUP:
        kind = _LEGACY_POOL_KIND
    return f"{kind}/{namespace or ''}/{name}"


def listener_id(namespace: str, gateway: str, listener: str) -> str:
    return f"{node_id('Gateway', namespace, gateway)}#{listener}"


class _Graph:
    def __init__(self) -> None:
        self.nodes: dict[str, TopologyNode] = {}
        self.edges: dict[str, TopologyEdge] = {}
        self.objects: dict[str, Obj] = {}

    def add(self, obj: Obj | None, node: TopologyNode) -> str:
        """Add a node; a real object replaces the placeholder of an earlier dangling ref."""
        existing = self.nodes.get(node.id)
        if existing is None or existing.data.get("missing"):
            self.nodes[node.id] = node
        if obj is not None:
            self.objects.setdefault(node.id, obj)
        return node.id

    def obj_node(
        self, obj: Obj, kind: str, status: Health, *, group: str | None = None, **data: Any
    ) -> str:
        name, namespace = name_of(obj), namespace_of(obj)
        return self.add(
            obj,
            TopologyNode.model_construct(
                id=node_id(kind, namespace, name, group),
                kind=kind,
                name=name,
                namespace=namespace or None,
                status=status,
                label=name,
                data={"api_version": obj.get("apiVersion"), **data},
            ),
        )

    def ref(self, kind: str, namespace: str | None, name: str, group: str) -> str:
        """The node of a referenced object, a missing-object node if it is not there."""
        nid = node_id(kind, namespace, name, group)
        if nid not in self.nodes:
            self.nodes[nid] = TopologyNode.model_construct(
                id=nid,
                kind=kind,
                name=name,
                namespace=namespace or None,
                status="error",
                label=name,
                data={"missing": True, "group": group},
            )
        return nid

    def edge(
        self, kind: EdgeKind, source: str, target: str, label: str | None = None, **data: Any
    ) -> None:
        eid = f"{kind}:{source}->{target}"
        if eid not in self.edges:
            self.edges[eid] = TopologyEdge.model_construct(
                id=eid, source=source, target=target, kind=kind, label=label, data=data
            )


class _PodIndex:
    """Pods by namespace and by (label key, value): a selector costs its smallest label set."""

    def __init__(self, graph: _Graph, pods: Iterable[Obj]) -> None:
        self.by_label: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.ready: set[str] = set()
        for pod in pods:
            status, ready = status_of(pod), pod_ready(pod)
            pid = graph.obj_node(
                pod,
                "Pod",
                pod_health(pod, ready=ready),
                phase=status.get("phase"),
                ready=ready,
                node=spec_of(pod).get("nodeName"),
                pod_ip=status.get("podIP"),
            )
            if ready:
                self.ready.add(pid)
            labels = self.by_label[namespace_of(pod)]
            for item in labels_of(pod).items():
                labels[item].append(pid)

    def select(self, namespace: str, selector: Mapping[str, str]) -> list[str]:
        """Pod ids matching every label of a non-empty selector, in snapshot order."""
        if not selector:
            return []
        labels = self.by_label.get(namespace, {})
        sets = sorted((labels.get(item, []) for item in selector.items()), key=len)
        first, rest = sets[0], [set(s) for s in sets[1:]]
        return [pid for pid in first if all(pid in s for s in rest)]


def _backend_target(
    graph: _Graph, ref: Mapping[str, Any], route_namespace: str
) -> tuple[str, str, str, str]:
    """(node id, group, kind, namespace) of a backendRef, with Gateway API defaults."""
    group = str(ref.get("group") or "")
    kind = str(ref.get("kind") or "Service")
    namespace = str(ref.get("namespace") or route_namespace)
    return graph.ref(kind, namespace, str(ref.get("name") or ""), group), group, kind, namespace


def _add_gateways(graph: _Graph, snapshot: ClusterSnapshot) -> None:
    for gwc in snapshot.gatewayclasses:
        spec = spec_of(gwc)
        health = gateway_api_health(condition_statuses(status_of(gwc).get("conditions")))
        cid = graph.obj_node(gwc, "GatewayClass", health, controller=spec.get("controllerName"))
        _parameters(graph, cid, spec.get("parametersRef"), None)
    for gw in snapshot.gateways:
        view = gateway_view(gw)
        ns, name = view.namespace, view.name
        gid = graph.obj_node(
            gw,
            "Gateway",
            view.health,
            gateway_class=view.gateway_class_name,
            addresses=[a.value for a in view.addresses],
            listeners=len(view.listeners),
        )
        cid = graph.ref("GatewayClass", None, view.gateway_class_name, GATEWAY_GROUP)
        graph.edge("implements", cid, gid)
        infrastructure = spec_of(gw).get("infrastructure")
        if isinstance(infrastructure, dict):
            _parameters(graph, gid, infrastructure.get("parametersRef"), ns)
        for listener in view.listeners:
            lid = listener_id(ns, name, listener.name)
            graph.add(
                None,
                TopologyNode.model_construct(
                    id=lid,
                    kind="Listener",
                    name=listener.name,
                    namespace=ns,
                    status=listener.health,
                    label=f"{listener.name} {listener.protocol}:{listener.port}",
                    data={
                        "gateway": gid,
                        "port": listener.port,
                        "protocol": listener.protocol,
                        "hostname": listener.hostname,
                        "attached_routes": listener.attached_routes,
                        "tls_mode": listener.tls_mode,
                    },
                ),
            )
            graph.edge("has-listener", gid, lid)


def _parameters(graph: _Graph, source: str, ref: Any, namespace: str | None) -> None:
    if isinstance(ref, dict) and ref.get("name") and ref.get("kind"):
        ns = ref.get("namespace") or namespace
        target = graph.ref(str(ref["kind"]), ns, str(ref["name"]), str(ref.get("group") or ""))
        graph.edge("parameters", source, target)


def _add_routes(
    graph: _Graph, routes: list[Obj], gateways: dict[str, Obj], grants: ReferenceGrants
) -> None:
    for route in routes:
        kind, ns = str(route["kind"]), namespace_of(route)
        spec = spec_of(route)
        hostnames = [str(h) for h in spec.get("hostnames") or [] if h]
        rid = graph.obj_node(route, kind, route_health(route), hostnames=hostnames)
        for ref in as_dicts(spec.get("parentRefs")):
            if (ref.get("kind") or "Gateway") != "Gateway":
                continue  # ListenerSet, Service (mesh): not drawn
            gw_ns, gw_name = str(ref.get("namespace") or ns), str(ref.get("name") or "")
            gid = graph.ref("Gateway", gw_ns, gw_name, GATEWAY_GROUP)
            gateway = gateways.get(gid)
            listeners = ref_listeners(gateway, ref, kind, ns) if gateway is not None else []
            if not listeners:
                label = "no matching listener" if gateway is not None else None
                graph.edge("attaches", gid, rid, label)
            for listener in listeners:
                graph.edge("attaches", listener_id(gw_ns, gw_name, listener), rid)
        for rule in as_dicts(spec.get("rules")):
            for ref in as_dicts(rule.get("backendRefs")):
                target, group, bkind, bns = _backend_target(graph, ref, ns)
                parts = [f"port {ref['port']}" if ref.get("port") else None]
                parts.append(f"weight {ref['weight']}" if ref.get("weight") is not None else None)
                data: dict[str, Any] = {}
                if not grants.permits(
                    from_group=GATEWAY_GROUP,
                    from_kind=kind,
                    from_namespace=ns,
                    to_group=group,
                    to_kind=bkind,
                    to_namespace=bns,
                    to_name=str(ref.get("name") or ""),
                ):
                    data["ref_not_permitted"] = True
                graph.edge(
                    "routes-to", rid, target, ", ".join(p for p in parts if p) or None, **data
                )
            for flt in as_dicts(rule.get("filters")):
                ext = flt.get("extensionRef")
                if flt.get("type") == "ExtensionRef" and isinstance(ext, dict):
                    target = graph.ref(
                        str(ext.get("kind") or ""),
                        ns,
                        str(ext.get("name") or ""),
                        str(ext.get("group") or ""),
                    )
                    graph.edge("uses-filter", rid, target)


def _add_backends(graph: _Graph, snapshot: ClusterSnapshot, pods: _PodIndex) -> None:
    for svc in snapshot.services:
        spec = spec_of(svc)
        selector = spec.get("selector")
        selector = (
            {str(k): str(v) for k, v in selector.items()} if isinstance(selector, dict) else {}
        )
        selected = pods.select(namespace_of(svc), selector)
        ready = sum(1 for p in selected if p in pods.ready)
        # Without a selector (ExternalName, hand-made endpoints) pods say nothing about it.
        health: Health = selecting_health(len(selected), ready) if selector else "unknown"
        sid = graph.obj_node(
            svc,
            "Service",
            health,
            type=spec.get("type") or "ClusterIP",
            ports=[p.get("port") for p in as_dicts(spec.get("ports"))],
            pods=len(selected),
            ready_pods=ready,
        )
        for pid in selected:
            graph.edge("selects", sid, pid)
    for obj in snapshot.inferencepools:
        pool = normalize_inference_pool(obj)
        selected = pods.select(pool.namespace, pool.selector)
        ready = sum(1 for p in selected if p in pods.ready)
        health = worst([pool.health, selecting_health(len(selected), ready)])
        if not pool.parents:
            # No Gateway has judged it yet: the pods alone decide.
            health = selecting_health(len(selected), ready)
        pid = graph.obj_node(
            obj,
            "InferencePool",
            health,
            group=api_group(pool.api_version),
            legacy=pool.legacy,
            target_ports=pool.target_ports,
            pods=len(selected),
            ready_pods=ready,
        )
        for pod in selected:
            graph.edge("selects", pid, pod)
        picker = pool.endpoint_picker
        if picker is not None:
            target = graph.ref(picker.kind, pool.namespace, picker.name, picker.group)
            label = (
                f"port {picker.port}, {picker.failure_mode}" if picker.port else picker.failure_mode
            )
            graph.edge("endpoint-picker", pid, target, label)


def _target_id(graph: _Graph, ref: Mapping[str, Any], namespace: str) -> str:
    group, kind, name = (
        str(ref.get("group") or ""),
        str(ref.get("kind") or ""),
        str(ref.get("name") or ""),
    )
    target = graph.ref(kind, namespace, name, group)
    section = ref.get("sectionName")
    if section and kind == "Gateway":
        lid = listener_id(namespace, name, str(section))
        if lid in graph.nodes:
            return lid
    return target


def _add_policies(graph: _Graph, policies: list[Obj]) -> None:
    for policy in policies:
        pid = graph.obj_node(policy, str(policy.get("kind") or "Policy"), policy_health(policy))
        spec, ns = spec_of(policy), namespace_of(policy)
        refs = as_dicts(spec.get("targetRefs"))
        single = spec.get("targetRef")
        if isinstance(single, dict):
            refs = [single, *refs]
        for ref in refs:
            section = ref.get("sectionName")
            graph.edge(
                "targets", pid, _target_id(graph, ref, ns), str(section) if section else None
            )


def _add_parents(graph: _Graph, index: ParentIndex) -> None:
    for parent in index.parents:
        graph.obj_node(parent, str(parent["kind"]), parent_health(parent), group=None)
    # Ownership over every object drawn except pods: their owner is a ReplicaSet, and the
    # model server's pod template may carry the parent labels too.
    for nid, obj in list(graph.objects.items()):
        if graph.nodes[nid].kind == "Pod":
            continue
        for parent in index.owners_of(obj):
            pid = node_id(str(parent["kind"]), namespace_of(parent), name_of(parent))
            if pid != nid:
                graph.edge("owns", pid, nid)


def build_topology(
    snapshot: ClusterSnapshot, *, gateway: tuple[str, str] | None = None
) -> TopologyGraph:
    """The full graph, or with ``gateway=(namespace, name)`` that Gateway's part of it.

    The per-gateway graph holds what is reachable downstream from the Gateway (listeners,
    routes, backends, pods, endpoint pickers, NginxProxy, filters) plus, one hop upstream,
    its GatewayClass, the policies targeting any of those and the parent CRDs owning them.
    A Gateway not in the snapshot gives an empty graph.
    """
    graph = _Graph()
    _add_gateways(graph, snapshot)
    gateways = {
        nid: graph.objects[nid]
        for nid, n in graph.nodes.items()
        if n.kind == "Gateway" and nid in graph.objects
    }
    pods = _PodIndex(graph, snapshot.pods)
    _add_backends(graph, snapshot, pods)
    _add_routes(graph, snapshot.routes(), gateways, ReferenceGrants(snapshot.referencegrants))
    _add_policies(graph, snapshot.policies)
    # Last, so that ownership covers every object drawn.
    _add_parents(graph, ParentIndex(snapshot.parents))
    if gateway is None:
        return TopologyGraph(nodes=list(graph.nodes.values()), edges=list(graph.edges.values()))
    return _component(graph.nodes, list(graph.edges.values()), node_id("Gateway", *gateway))


def gateway_subgraph(graph: TopologyGraph, namespace: str, name: str) -> TopologyGraph:
    """One Gateway's part of a full graph, as ``build_topology(..., gateway=...)`` gives it.

    For an API that builds the full graph once per watch-cache change and cuts it per request.
    """
    nodes = {n.id: n for n in graph.nodes}
    return _component(nodes, graph.edges, node_id("Gateway", namespace, name))


def _component(
    nodes: dict[str, TopologyNode], edges: list[TopologyEdge], root: str
) -> TopologyGraph:
    if root not in nodes or nodes[root].data.get("missing"):
        return TopologyGraph(root=root)
    downstream: dict[str, list[str]] = defaultdict(list)
    upstream: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        if edge.kind in _DOWNSTREAM:
            downstream[edge.source].append(edge.target)
        elif edge.kind in _UPSTREAM:
            upstream[edge.target].append(edge.source)
    seen = {root}
    queue = deque([root])
    while queue:
        for nxt in downstream.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    # One hop upstream (class, policies, owners); a policy's own targets elsewhere stay out.
    seen |= {src for nid in list(seen) for src in upstream.get(nid, [])}
    return TopologyGraph(
        nodes=[n for nid, n in nodes.items() if nid in seen],
        edges=[e for e in edges if e.source in seen and e.target in seen],
        root=root,
    )
