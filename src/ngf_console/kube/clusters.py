"""The clusters the API server talks to: each with its own client, read cache and health.

Clusters come from a YAML file of kubeconfig contexts and in-cluster entries::

    clusters:
      - name: prod-east
        kubeconfig: /etc/ngf-console/prod-east.kubeconfig   # relative: to this file
        context: admin@prod-east                           # optional: current-context
        default: true
      - name: local
        inCluster: true

or from one kubeconfig (:meth:`ClusterRegistry.single`). Without an entry marked
``default``, the first cluster is the default.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import httpx2
import yaml
from lightkube import AsyncClient, KubeConfig
from lightkube.config.kubeconfig import SingleConfig
from lightkube.core.exceptions import ConfigError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ngf_console.kube.cache import WatchCache
from ngf_console.kube.informer import http_client
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import SERVED_TYPES

__all__ = [
    "Cluster",
    "ClusterConfigError",
    "ClusterEntry",
    "ClusterHealth",
    "ClusterRegistry",
    "ClustersFile",
    "UnknownClusterError",
]

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
HEALTH_TIMEOUT = 5.0


class ClusterConfigError(ValueError):
    """The clusters file or a kubeconfig it names is missing or invalid."""


class UnknownClusterError(KeyError):
    """No cluster of that name is configured."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown cluster"


class ClusterEntry(BaseModel):
    """One entry of the clusters file: a kubeconfig (and context), or in-cluster."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(description="DNS label; appears in URLs (/api/v1/clusters/{name}/...)")
    kubeconfig: Path | None = None
    context: str | None = None
    in_cluster: bool = Field(default=False, alias="inCluster")
    default: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if not _NAME.match(self.name):
            raise ValueError(
                f"name {self.name!r} must be a DNS label (lowercase letters, digits, '-')"
            )
        if self.in_cluster == (self.kubeconfig is not None):
            raise ValueError(f"cluster {self.name!r}: set exactly one of kubeconfig or inCluster")
        if self.in_cluster and self.context is not None:
            raise ValueError(f"cluster {self.name!r}: context applies to kubeconfig entries only")
        return self


class ClustersFile(BaseModel):
    """The whole clusters file."""

    model_config = ConfigDict(extra="forbid")

    clusters: list[ClusterEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        names = [c.name for c in self.clusters]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate cluster names: {duplicates}")
        defaults = [c.name for c in self.clusters if c.default]
        if len(defaults) > 1:
            raise ValueError(f"more than one default cluster: {defaults}")
        return self


@dataclass(frozen=True)
class ClusterHealth:
    """Whether a cluster answers, its Kubernetes version, and whether its cache is synced.

    ``not_served`` lists the resource types the cluster lacks (CRDs not installed).
    """

    name: str
    reachable: bool
    kubernetes_version: str | None
    error: str | None
    cache_synced: bool
    not_served: tuple[str, ...] = ()


class Cluster:
    """One cluster: its configuration, lightkube client and read cache."""

    def __init__(
        self,
        name: str,
        config: KubeConfig,
        context: str | None,
        types: Sequence[ResourceType],
        *,
        default: bool = False,
    ) -> None:
        self.name = name
        self.config = config
        self.context = context
        self.default = default
        try:
            single: SingleConfig | None = config.get(context)
        except ConfigError as e:
            raise ClusterConfigError(f"cluster {name!r}: {e}") from None
        if single is None:
            raise ClusterConfigError(f"cluster {name!r}: the kubeconfig names no context to use")
        try:
            self.client = AsyncClient(single, field_manager="ngf-console")
        except (ConfigError, OSError, ValueError) as e:
            raise ClusterConfigError(f"cluster {name!r}: cannot build a client: {e}") from None
        self.cache = WatchCache(self.client, types)

    @property
    def server(self) -> str:
        """The API server URL."""
        return str(self.client.config.cluster.server)

    async def health(self) -> ClusterHealth:
        """Ask the API server for ``/version`` (bounded by a short timeout)."""
        not_served = tuple(
            str(s.resource_type) for s in self.cache.status() if s.state == "not_served"
        )
        synced = self.cache.all_synced()
        try:
            response = await http_client(self.client).get("/version", timeout=HEALTH_TIMEOUT)
            response.raise_for_status()
            version = response.json().get("gitVersion")
        except (httpx2.HTTPError, ValueError) as e:
            error = str(e) or type(e).__name__
            return ClusterHealth(self.name, False, None, error, synced, not_served)
        return ClusterHealth(self.name, True, version, None, synced, not_served)

    async def start(self) -> None:
        """Start the cache's informers."""
        await self.cache.start()

    async def stop(self) -> None:
        """Stop the cache and close the client."""
        await self.cache.stop()
        await self.client.close()


class ClusterRegistry:
    """The configured clusters by name, and which one is the default."""

    def __init__(self, clusters: Sequence[Cluster]) -> None:
        if not clusters:
            raise ClusterConfigError("no clusters configured")
        self._clusters = {c.name: c for c in clusters}
        self.default = next((c for c in clusters if c.default), clusters[0])

    @classmethod
    def from_file(
        cls, path: Path | str, types: Sequence[ResourceType] = SERVED_TYPES
    ) -> ClusterRegistry:
        """Build the registry from a clusters YAML file (see the module docstring)."""
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text())
        except OSError as e:
            raise ClusterConfigError(f"cannot read clusters file {path}: {e}") from None
        except yaml.YAMLError as e:
            raise ClusterConfigError(f"clusters file {path} is not valid YAML: {e}") from None
        try:
            parsed = ClustersFile.model_validate(raw)
        except ValidationError as e:
            raise ClusterConfigError(f"invalid clusters file {path}:\n{e}") from None
        return cls([_cluster(entry, path.parent, types) for entry in parsed.clusters])

    @classmethod
    def single(
        cls,
        name: str,
        kubeconfig_path: Path | str,
        context: str | None = None,
        types: Sequence[ResourceType] = SERVED_TYPES,
    ) -> ClusterRegistry:
        """One cluster from one kubeconfig (its current context unless ``context``)."""
        entry = ClusterEntry(name=name, kubeconfig=Path(kubeconfig_path), context=context)
        return cls([_cluster(entry, Path.cwd(), types)])

    @classmethod
    def from_in_cluster(
        cls, name: str = "in-cluster", types: Sequence[ResourceType] = SERVED_TYPES
    ) -> ClusterRegistry:
        """The cluster the console runs in (its ServiceAccount's credentials)."""
        entry = ClusterEntry.model_validate({"name": name, "inCluster": True})
        return cls([_cluster(entry, Path.cwd(), types)])

    def get(self, name: str) -> Cluster:
        """The cluster called ``name`` (``UnknownClusterError``, a ``KeyError``, if none)."""
        try:
            return self._clusters[name]
        except KeyError:
            known = ", ".join(sorted(self._clusters))
            raise UnknownClusterError(f"no cluster named {name!r} (known: {known})") from None

    def __iter__(self) -> Iterator[Cluster]:
        return iter(self._clusters.values())

    def __len__(self) -> int:
        return len(self._clusters)

    @property
    def names(self) -> list[str]:
        """Cluster names in configuration order."""
        return list(self._clusters)

    async def start(self) -> None:
        """Start every cluster's cache (returns at once; unreachable clusters keep retrying)."""
        for cluster in self:
            await cluster.start()

    async def stop(self) -> None:
        """Stop every cache and close every client."""
        await asyncio.gather(*(c.stop() for c in self))

    async def health(self) -> list[ClusterHealth]:
        """Health of every cluster, asked concurrently."""
        return list(await asyncio.gather(*(c.health() for c in self)))


def _cluster(entry: ClusterEntry, base: Path, types: Sequence[ResourceType]) -> Cluster:
    if entry.in_cluster:
        try:
            config = KubeConfig.from_service_account()
        except (ConfigError, OSError, KeyError) as e:
            raise ClusterConfigError(
                f"cluster {entry.name!r}: in-cluster configuration unavailable: {e}"
            ) from None
        return Cluster(entry.name, config, None, types, default=entry.default)
    assert entry.kubeconfig is not None
    path = entry.kubeconfig if entry.kubeconfig.is_absolute() else base / entry.kubeconfig
    try:
        config = KubeConfig.from_file(path)
    except (ConfigError, OSError, yaml.YAMLError) as e:
        raise ClusterConfigError(f"cluster {entry.name!r}: cannot load {path}: {e}") from None
    if entry.context is not None and entry.context not in config.contexts:
        known = ", ".join(sorted(config.contexts))
        raise ClusterConfigError(
            f"cluster {entry.name!r}: context {entry.context!r} not in {path} (has: {known})"
        )
    return Cluster(entry.name, config, entry.context, types, default=entry.default)
