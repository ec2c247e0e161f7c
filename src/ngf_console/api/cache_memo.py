"""A value derived from a cluster's watch cache, rebuilt only when what it reads changes.

The key is the resource versions (and informer states) of the types the value is built
from, as ``cluster.cache.status()`` reports them: any object of those types changing moves
it. Objects are read on the event loop (the cache replaces objects rather than changing
them, so the list is stable) and the value is built in a thread, one build at a time per
cluster.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ngf_console.kube.clusters import Cluster
from ngf_console.kube.resource_type import ResourceType

V = TypeVar("V")
CacheKey = tuple[tuple[str, str, str], ...]
# Reads what it needs from the cluster's cache (on the loop); returns the build to run.
Prepare = Callable[[Cluster], Callable[[], V]]


def cache_key(cluster: Cluster, types: Sequence[ResourceType]) -> CacheKey:
    """The resource versions and states of ``types`` in the cluster's cache."""
    wanted = set(types)
    return tuple(
        (str(s.resource_type), s.resource_version, s.state)
        for s in cluster.cache.status()
        if s.resource_type in wanted
    )


@dataclass
class _Entry(Generic[V]):
    key: CacheKey | None = None
    value: V | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class CacheMemo(Generic[V]):
    """The last value of each cluster, rebuilt when the cache key of ``types`` changes."""

    def __init__(self, types: Sequence[ResourceType], prepare: Prepare[V]) -> None:
        self.types = tuple(types)
        self._prepare = prepare
        self._entries: dict[str, _Entry[V]] = {}
        self.builds = 0
        """How many values were built (observability and tests)."""

    def key(self, cluster: Cluster) -> CacheKey:
        """The cluster's current cache key for this value."""
        return cache_key(cluster, self.types)

    async def get(self, cluster: Cluster) -> V:
        """The cluster's value as of now."""
        entry = self._entries.setdefault(cluster.name, _Entry())
        async with entry.lock:
            key = self.key(cluster)
            if entry.value is None or entry.key != key:
                entry.value = await asyncio.to_thread(self._prepare(cluster))
                entry.key = key
                self.builds += 1
            return entry.value
