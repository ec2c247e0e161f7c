"""What each cluster runs — the NGF edition (OSS or Enterprise) and the API groups it
serves (which integrations are installed) — detected and briefly remembered."""

from __future__ import annotations

import time

import httpx2

from ngf_console.kube.clusters import Cluster
from ngf_console.kube.edition import EditionInfo, read_edition
from ngf_console.kube.informer import http_client

TTL_SECONDS = 60.0


class EditionCache:
    """``read_edition`` per cluster, re-read at most every ``ttl`` seconds."""

    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._seen: dict[str, tuple[float, EditionInfo]] = {}
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}

    async def get(self, cluster: Cluster) -> EditionInfo:
        """The cluster's edition; ``unknown`` (with the reason) when it cannot be read."""
        cached = self._seen.get(cluster.name)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        try:
            info = await read_edition(cluster.client)
        except Exception as err:  # an unreachable cluster has an unknown edition
            info = EditionInfo(edition="unknown", evidence=(f"detection failed: {err}",))
        self._seen[cluster.name] = (time.monotonic(), info)
        return info

    async def api_groups(self, cluster: Cluster) -> frozenset[str]:
        """The API groups the cluster serves (discovery); empty when it cannot be asked."""
        cached = self._groups.get(cluster.name)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        try:
            response = await http_client(cluster.client).get("/apis", timeout=10)
            response.raise_for_status()
            groups = frozenset(g["name"] for g in response.json().get("groups", []))
        except (httpx2.HTTPError, ValueError, KeyError):
            groups = frozenset()
        self._groups[cluster.name] = (time.monotonic(), groups)
        return groups
