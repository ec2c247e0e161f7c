"""Metric sources: where a rule's samples come from.

A source turns a rule's ``query``/``params`` into labelled samples; each sample's labels
identify one alert of the rule (one certificate, one route, ...). Sources are registered
by name with the runner; the Prometheus and ClickHouse query sources
(:mod:`ngf_console.alerts.query_sources`) plug in the same way as the certificate expiry
source here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from ngf_console.alerts.rules import RuleConfig
from ngf_console.api.cluster_reads import all_cached
from ngf_console.kube.cache import UnknownResourceTypeError
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import PARENT_TYPES, served_type
from ngf_console.readmodel.certificates import inventory

CERT_EXPIRY = "cert_expiry"


@dataclass(frozen=True)
class Sample:
    """One labelled value. ``labels`` identify the alert; ``annotations`` only describe it."""

    labels: dict[str, str]
    value: float
    annotations: dict[str, str] = field(default_factory=dict)


class SourceError(Exception):
    """The source could not be read; the rule's alerts keep their state until it can."""


class MetricSource(Protocol):
    """What the evaluator needs from a source of samples."""

    @property
    def name(self) -> str:
        """The name rules give as ``config.source``."""
        ...

    @property
    def params_model(self) -> type[BaseModel]:
        """The schema of ``config.params`` (validated when a rule is saved)."""
        ...

    async def samples(self, config: RuleConfig, *, now: dt.datetime) -> list[Sample]:
        """The current samples for a rule; raise ``SourceError`` if they cannot be had."""
        ...


class InvalidRuleError(ValueError):
    """A rule the source can never evaluate (a query that is not a SELECT, PromQL that does
    not parse); ``field`` is the path under the rule's ``config`` (``query``, ``params.x``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@runtime_checkable
class CheckedSource(Protocol):
    """A source that can check a rule before it is saved, beyond its ``params_model``."""

    async def check(self, config: RuleConfig) -> None:
        """Raise ``InvalidRuleError`` when ``config`` can never be evaluated. A check that
        cannot be made now (the backend is down) passes; evaluation reports it later."""
        ...


def label_sets_unique(samples: list[Sample], hint: str) -> list[Sample]:
    """``samples`` if no two share their labels (each label set is one alert), else a
    ``SourceError`` naming the repeated set and what to do (``hint``)."""
    seen: set[tuple[tuple[str, str], ...]] = set()
    for sample in samples:
        key = tuple(sorted(sample.labels.items()))
        if key in seen:
            where = ", ".join(f"{k}={v}" for k, v in key) or "no labels"
            raise SourceError(f"two results have the same labels ({where}); {hint}")
        seen.add(key)
    return samples


def _synced(cluster: Cluster, t: ResourceType) -> bool:
    try:
        return cluster.cache.synced(t)
    except UnknownResourceTypeError:
        return False


class CertificateExpiryParams(BaseModel):
    """Which certificates a ``cert_expiry`` rule looks at (all, when nothing is set)."""

    model_config = ConfigDict(extra="forbid")

    cluster: str | None = Field(default=None, description="Only this cluster.")
    namespace: str | None = Field(default=None, description="Only this namespace.")
    secret: str | None = Field(default=None, description="Only Secrets with this name.")


class CertificateExpirySource:
    """Days left per TLS certificate (``kubernetes.io/tls`` Secret) in the watch caches.

    Samples are labelled ``cluster``, ``namespace`` and ``secret`` (so a renewed
    certificate in the same Secret is the same alert); the value is whole days left,
    negative once expired, as the certificate inventory reports it. Secrets whose
    certificate cannot be parsed give no sample.
    """

    def __init__(self, clusters: Callable[[], Iterable[Cluster]]) -> None:
        self._clusters = clusters

    @property
    def name(self) -> str:
        return CERT_EXPIRY

    @property
    def params_model(self) -> type[BaseModel]:
        return CertificateExpiryParams

    async def samples(self, config: RuleConfig, *, now: dt.datetime) -> list[Sample]:
        """Samples from every cluster's cache (or the one ``params.cluster`` names)."""
        params = CertificateExpiryParams.model_validate(config.params)
        clusters = [c for c in self._clusters() if params.cluster in (None, c.name)]
        if params.cluster is not None and not clusters:
            raise SourceError(f"no cluster named {params.cluster!r}")
        secrets_type = served_type("secrets")
        samples: list[Sample] = []
        for cluster in clusters:
            if not _synced(cluster, secrets_type):
                # An empty list would resolve every alert; keep their state instead.
                raise SourceError(f"the TLS Secrets of cluster {cluster.name} are not synced")
            secrets = [
                s
                for s in all_cached(cluster, secrets_type)
                if params.namespace in (None, (s.get("metadata") or {}).get("namespace"))
                and params.secret in (None, (s.get("metadata") or {}).get("name"))
            ]
            if not secrets:
                continue
            gateways = all_cached(cluster, served_type("gateways", "gateway.networking.k8s.io"))
            parents = [obj for t in PARENT_TYPES for obj in all_cached(cluster, t)]
            for view in inventory(secrets, gateways, parents, now=now):
                if view.days_left is None or view.not_after is None:
                    continue
                annotations = {
                    "not_after": view.not_after.isoformat(),
                    "expiry_state": str(view.expiry_state),
                }
                if view.common_name:
                    annotations["common_name"] = view.common_name
                used_by = sorted({f"{a.kind}/{a.namespace}/{a.name}" for a in view.attached_to})
                if used_by:
                    annotations["attached_to"] = ", ".join(used_by)
                samples.append(
                    Sample(
                        labels={
                            "cluster": cluster.name,
                            "namespace": view.namespace,
                            "secret": view.secret_name,
                        },
                        value=float(view.days_left),
                        annotations=annotations,
                    )
                )
        return samples
