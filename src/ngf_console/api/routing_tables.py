"""One :class:`~ngf_console.gatewayapi.RoutingTable` per cluster, rebuilt when the cache moves.

A table (attachments and per-listener indexes of every route) is remembered under a key
made of the watch cache's per-type resource versions and states (``cluster.cache.status()``)
of the types it is built from, and rebuilt off the event loop, one build at a time per
cluster, when any of them changes. ``allowedRoutes`` Selectors are judged with the labels
of the cache's Namespace objects.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Final

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

__all__ = ["TABLE_TYPES", "RoutingTables", "table_key"]

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

TableKey = tuple[tuple[str, str, str], ...]


def table_key(cluster: Cluster) -> TableKey:
    """The resource versions (and states) of :data:`TABLE_TYPES` in the cluster's cache."""
    wanted = set(TABLE_TYPES)
    return tuple(
        (str(s.resource_type), s.resource_version, s.state)
        for s in cluster.cache.status()
        if s.resource_type in wanted
    )


@dataclass
class _Entry:
    key: TableKey | None = None
    table: RoutingTable | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class RoutingTables:
    """The last routing table of each cluster."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self.builds = 0
        """How many tables were built (observability and tests)."""

    async def table(self, cluster: Cluster) -> RoutingTable:
        """The cluster's routing table as of now."""
        entry = self._entries.setdefault(cluster.name, _Entry())
        async with entry.lock:
            key = table_key(cluster)
            if entry.table is None or entry.key != key:
                # Objects are read on the loop; the cache replaces objects rather than
                # changing them, so the thread builds from a stable list.
                objects = [
                    o for t in TABLE_TYPES if t != NAMESPACES for o in all_cached(cluster, t)
                ]
                # No Namespaces (not synced yet): Selectors are reported as not judged
                # rather than judged against no labels.
                namespaces = all_cached(cluster, NAMESPACES)
                labels = namespace_labels_from(namespaces) if namespaces else None
                snap = ClusterSnapshot.from_objects(objects)
                entry.table = await asyncio.to_thread(RoutingTable, snap, labels)
                entry.key = key
                self.builds += 1
            return entry.table
