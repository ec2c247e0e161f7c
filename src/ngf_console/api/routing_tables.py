"""One :class:`~ngf_console.gatewayapi.RoutingTable` per cluster, rebuilt when the cache moves.

A table (attachments and per-listener indexes of every route) is remembered under a key
made of the watch cache's per-type resource versions and states (``cluster.cache.status()``)
of the types it is built from, and rebuilt off the event loop, one build at a time per
cluster, when any of them changes. ``allowedRoutes`` Selectors are judged with the labels
of the cache's Namespace objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ngf_console.api.cache_memo import CacheMemo
from ngf_console.api.cluster_reads import all_cached
from ngf_console.gatewayapi import RoutingTable
from ngf_console.gatewayapi.attachment import namespace_labels_from
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import (
    GATEWAY_API_TYPES,
    INFERENCE_TYPES,
    NGF_TYPES,
    PARENT_TYPES,
    served_type,
)
from ngf_console.readmodel.snapshot import ClusterSnapshot

__all__ = ["TABLE_TYPES", "RoutingTables"]

NAMESPACES: Final = served_type("namespaces")
# What a table (and the route check over it) reads; events and deployments do not count.
TABLE_TYPES: Final[tuple[ResourceType, ...]] = (
    *GATEWAY_API_TYPES,
    *(t for t in INFERENCE_TYPES if t.kind == "InferencePool"),
    *NGF_TYPES,
    *PARENT_TYPES,
    served_type("services"),
    served_type("pods"),
    served_type("secrets"),
    NAMESPACES,
)


def _prepare(cluster: Cluster) -> Callable[[], RoutingTable]:
    objects = [o for t in TABLE_TYPES if t != NAMESPACES for o in all_cached(cluster, t)]
    # No Namespaces (not synced yet): Selectors are reported as not judged rather than
    # judged against no labels.
    namespaces = all_cached(cluster, NAMESPACES)
    labels = namespace_labels_from(namespaces) if namespaces else None
    snap = ClusterSnapshot.from_objects(objects)
    return lambda: RoutingTable(snap, labels)


class RoutingTables(CacheMemo[RoutingTable]):
    """The last routing table of each cluster."""

    def __init__(self) -> None:
        super().__init__(TABLE_TYPES, _prepare)

    async def table(self, cluster: Cluster) -> RoutingTable:
        """The cluster's routing table as of now."""
        return await self.get(cluster)
