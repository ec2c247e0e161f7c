"""The topology graph (docs/topology.md): ``GET /topology`` and
``GET /topology/gateway/{namespace}/{name}``.

The full graph is built once per change of the watch cache: it is remembered under a key
made of the resource versions of the types it is drawn from, and rebuilt (off the event
loop, one build at a time per cluster) when any of them moves. A per-gateway graph is cut
from the full one. Every answer is then filtered for the caller: nodes in namespaces the
caller may not read (per kind) are dropped with their edges; cluster-scoped nodes
(GatewayClasses) stay.
"""

# No ``from __future__ import annotations``: FastAPI must see the Annotated dependencies.
from collections.abc import Callable
from typing import Annotated, Final

from fastapi import APIRouter, Depends

from ngf_console.api.auth import Action, Guard, ResourceRef, get_guard, require
from ngf_console.api.cache_memo import CacheMemo
from ngf_console.api.cluster_reads import all_cached, cached_object
from ngf_console.api.routers.listing import ref_of
from ngf_console.api.routers.resources import GATEWAYS, POOL_TYPES
from ngf_console.api.state import ClusterDep
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import (
    GATEWAY_API_TYPES,
    NGF_TYPES,
    PARENT_TYPES,
    SERVED_TYPES,
    served_type,
)
from ngf_console.readmodel.objects import LEGACY_INFERENCE_GROUP
from ngf_console.readmodel.snapshot import ClusterSnapshot
from ngf_console.readmodel.topology import (
    TopologyGraph,
    TopologyNode,
    build_topology,
    gateway_subgraph,
)

# The types the graph is drawn from; events, secrets etc. do not trigger a rebuild.
GRAPH_TYPES: Final[tuple[ResourceType, ...]] = (
    *GATEWAY_API_TYPES,
    *POOL_TYPES,
    *NGF_TYPES,
    *PARENT_TYPES,
    served_type("services"),
    served_type("pods"),
)
_REF_BY_KIND: Final[dict[str, ResourceRef]] = {}
for _t in SERVED_TYPES:
    _REF_BY_KIND.setdefault(_t.kind, ref_of(_t))
_REF_BY_KIND["Listener"] = ref_of(GATEWAYS)
_REF_BY_KIND[f"InferencePool.{LEGACY_INFERENCE_GROUP}"] = ResourceRef(
    LEGACY_INFERENCE_GROUP, "inferencepools"
)


def _prepare(cluster: Cluster) -> Callable[[], TopologyGraph]:
    snap = ClusterSnapshot.from_objects(obj for t in GRAPH_TYPES for obj in all_cached(cluster, t))
    return lambda: build_topology(snap)


class TopologyMemo(CacheMemo[TopologyGraph]):
    """The last full graph of each cluster, rebuilt when an object it draws changes."""

    def __init__(self) -> None:
        super().__init__(GRAPH_TYPES, _prepare)

    async def graph(self, cluster: Cluster) -> TopologyGraph:
        """The cluster's full graph as of now."""
        return await self.get(cluster)


def node_ref(node: TopologyNode) -> ResourceRef:
    """The RBAC resource a node's object is read as."""
    ref = _REF_BY_KIND.get(node.kind)
    if ref is not None:
        return ref
    group = node.data.get("group") if isinstance(node.data.get("group"), str) else ""
    return ResourceRef(str(group), node.kind.lower() + "s")


async def visible(guard: Guard, graph: TopologyGraph) -> TopologyGraph:
    """``graph`` without the nodes (and their edges) the caller may not read."""
    cluster_wide: dict[ResourceRef, bool] = {}
    per_namespace: dict[tuple[ResourceRef, str], bool] = {}
    keep: set[str] = set()
    for node in graph.nodes:
        if not node.namespace:
            keep.add(node.id)  # cluster-scoped: GatewayClass, NginxProxy v1alpha1
            continue
        ref = node_ref(node)
        if ref not in cluster_wide:
            cluster_wide[ref] = await guard.allowed(Action.READ, ref, None)
        if cluster_wide[ref]:
            keep.add(node.id)
            continue
        key = (ref, node.namespace)
        if key not in per_namespace:
            per_namespace[key] = await guard.allowed(Action.READ, ref, node.namespace)
        if per_namespace[key]:
            keep.add(node.id)
    if len(keep) == len(graph.nodes):
        return graph
    return TopologyGraph(
        nodes=[n for n in graph.nodes if n.id in keep],
        edges=[e for e in graph.edges if e.source in keep and e.target in keep],
        root=graph.root if graph.root in keep else None,
    )


def router(memo: TopologyMemo | None = None) -> APIRouter:
    """The topology routes, remembering graphs in ``memo`` (a new one by default)."""
    api = APIRouter(tags=["topology"])
    graphs = memo or TopologyMemo()

    @api.get("/topology", response_model=TopologyGraph)
    async def full_topology(
        cluster: ClusterDep, guard: Annotated[Guard, Depends(get_guard)]
    ) -> TopologyGraph:
        return await visible(guard, await graphs.graph(cluster))

    @api.get("/topology/gateway/{namespace}/{name}", response_model=TopologyGraph)
    async def gateway_topology(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        guard: Annotated[Guard, Depends(require(Action.READ, ref_of(GATEWAYS), name_param="name"))],
    ) -> TopologyGraph:
        cached_object(cluster, GATEWAYS, namespace, name)  # 404 for an unknown Gateway
        graph = gateway_subgraph(await graphs.graph(cluster), namespace, name)
        return await visible(guard, graph)

    return api
