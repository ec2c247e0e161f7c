"""The cluster state the read models work on: lists of plain objects, by kind.

The API server fills a :class:`ClusterSnapshot` from its watch cache. Objects are the dicts
the apiserver returns. The kind of most objects is known from the list holding them (a LIST
response leaves ``kind`` out of its items); the mixed lists (``inferencepools``, ``policies``,
``parents``) need each object's ``apiVersion`` and ``kind``, as watch events carry them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from ngf_console.readmodel.objects import (
    CONSOLE_GROUP,
    GATEWAY_GROUP,
    INFERENCE_GROUP,
    LEGACY_INFERENCE_GROUP,
    NGF_GROUP,
    Obj,
    api_group,
)

__all__ = ["ROUTE_KINDS", "ClusterSnapshot"]

# Route kind -> ClusterSnapshot field.
ROUTE_KINDS: Final = {
    "HTTPRoute": "httproutes",
    "GRPCRoute": "grpcroutes",
    "TLSRoute": "tlsroutes",
    "TCPRoute": "tcproutes",
    "UDPRoute": "udproutes",
}
_GATEWAY_API_FIELDS: Final = {
    "GatewayClass": "gatewayclasses",
    "Gateway": "gateways",
    "ReferenceGrant": "referencegrants",
    "BackendTLSPolicy": "policies",
    **ROUTE_KINDS,
}
_CORE_FIELDS: Final = {"Service": "services", "Pod": "pods", "Secret": "secrets"}


@dataclass
class ClusterSnapshot:
    """Every object the read models may look at, one list per kind."""

    gatewayclasses: list[Obj] = field(default_factory=list)
    gateways: list[Obj] = field(default_factory=list)
    httproutes: list[Obj] = field(default_factory=list)
    grpcroutes: list[Obj] = field(default_factory=list)
    tlsroutes: list[Obj] = field(default_factory=list)
    tcproutes: list[Obj] = field(default_factory=list)
    udproutes: list[Obj] = field(default_factory=list)
    services: list[Obj] = field(default_factory=list)
    pods: list[Obj] = field(default_factory=list)
    # InferencePools of inference.networking.k8s.io/v1 and of the legacy
    # inference.networking.x-k8s.io/v1alpha2 (each with its apiVersion).
    inferencepools: list[Obj] = field(default_factory=list)
    # Any gateway.nginx.org kind (policies, NginxProxy, SnippetsFilter, ...) and
    # BackendTLSPolicy, each with apiVersion and kind.
    policies: list[Obj] = field(default_factory=list)
    referencegrants: list[Obj] = field(default_factory=list)
    # The console's parent CRDs (InferenceStack, GatewayBundle, CertificateBundle,
    # MigrationPlan, DistributedCloudPublish), each with apiVersion and kind.
    parents: list[Obj] = field(default_factory=list)
    secrets: list[Obj] = field(default_factory=list)

    def routes(self) -> list[Obj]:
        """Every route of every kind, each with ``kind`` set.

        A route from a LIST response has no ``kind``; it gets a shallow copy with the kind of
        its list (the input objects are never changed).
        """
        out: list[Obj] = []
        for kind, attr in ROUTE_KINDS.items():
            for route in getattr(self, attr):
                out.append(route if route.get("kind") == kind else {**route, "kind": kind})
        return out

    @classmethod
    def from_objects(cls, objects: Iterable[Obj]) -> ClusterSnapshot:
        """Sort objects that carry ``apiVersion`` and ``kind`` into a snapshot.

        Objects of kinds the read models do not use are skipped.
        """
        snapshot = cls()
        for obj in objects:
            attr = _field_for(str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""))
            if attr is not None:
                getattr(snapshot, attr).append(obj)
        return snapshot


def _field_for(api_version: str, kind: str) -> str | None:
    group = api_group(api_version)
    if group == "":
        return _CORE_FIELDS.get(kind)
    if group == GATEWAY_GROUP:
        return _GATEWAY_API_FIELDS.get(kind)
    if group in (INFERENCE_GROUP, LEGACY_INFERENCE_GROUP):
        return "inferencepools" if kind == "InferencePool" else None
    if group == NGF_GROUP:
        return "policies"
    if group == CONSOLE_GROUP:
        return "parents"
    return None
