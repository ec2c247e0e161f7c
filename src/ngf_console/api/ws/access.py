"""What a websocket subscriber may see: the namespaces where it may read the topic's kind.

Authentication happens before the handshake (endpoint.py); this is the authorization that
follows it. A subscriber with the cluster-wide right sees every message of the topic; one
with rights in some namespaces gets a filter that passes only messages about those (fixed
for the connection's life: a reconnect asks again); one with none is refused with 403
before the handshake completes. The REST routes apply the same rules per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from fastapi import HTTPException, WebSocket

from ngf_console.api.auth import Action, Guard, ResourceRef
from ngf_console.api.auth.dependencies import get_auth_context
from ngf_console.api.cluster_reads import all_cached
from ngf_console.api.ws import topics
from ngf_console.api.ws.hub import Predicate
from ngf_console.crd import GROUP, PARENT_KINDS
from ngf_console.kube.served_types import served_type

_INFERENCE_POOLS: Final = ResourceRef("inference.networking.k8s.io", "inferencepools")

TOPIC_RESOURCES: Final[Mapping[str, ResourceRef]] = {
    topics.EVENTS: ResourceRef("", "events"),
    # The graph's change notices name objects of every kind; Gateways stand for the graph
    # (GET /topology asks the same).
    topics.TOPOLOGY: ResourceRef("gateway.networking.k8s.io", "gateways"),
    topics.METRICS: ResourceRef("gateway.networking.k8s.io", "gateways"),
    topics.EPP_DECISIONS: _INFERENCE_POOLS,
    topics.GPU_METRICS: _INFERENCE_POOLS,
    topics.SCALING_EVENTS: _INFERENCE_POOLS,
}
"""The kind whose read right a topic's messages need, per namespace."""

NAMESPACES: Final = served_type("namespaces")


def message_namespace(message: Mapping[str, Any]) -> str | None:
    """The namespace a message is about (``namespace``, else the object's metadata)."""
    namespace = message.get("namespace")
    if isinstance(namespace, str):
        return namespace
    metadata = message.get("metadata")
    if isinstance(metadata, Mapping) and isinstance(metadata.get("namespace"), str):
        return str(metadata["namespace"])
    return None


def _parent_refs(kind: str | None) -> list[ResourceRef]:
    """The parent kinds a status stream may carry: the one asked for (``?kind=``), else all."""
    chosen = [k for k in PARENT_KINDS if kind is None or k.kind == kind]
    if not chosen:
        raise HTTPException(status_code=403, detail=f"{kind} is not a parent kind")
    return [ResourceRef(GROUP, k.plural) for k in chosen]


async def topic_scope(websocket: WebSocket, topic: str) -> Predicate | None:
    """The filter of what ``websocket``'s principal may see on ``topic`` (None: all).

    Raises:
        HTTPException: 403 when the principal may read the topic's kind nowhere.
    """
    guard = Guard(context=get_auth_context(websocket), principal=websocket.state.principal)
    if topic.startswith(topics.CRD_STATUS_PREFIX + "/"):
        # One parent's status: the read right on its kind(s) in its namespace.
        namespace = topic.removeprefix(topics.CRD_STATUS_PREFIX + "/").split("/", 1)[0]
        for parent in _parent_refs(websocket.query_params.get("kind")):
            await guard.authorize(Action.READ, parent, namespace)
        return None
    ref = TOPIC_RESOURCES.get(topic)
    if ref is None:
        raise HTTPException(status_code=403, detail=f"no read rule for topic {topic}")
    if await guard.allowed(Action.READ, ref, None):
        return None
    cluster = websocket.app.state.console.clusters.default
    names = [str(ns["metadata"]["name"]) for ns in all_cached(cluster, NAMESPACES)]
    allowed = frozenset([ns for ns in names if await guard.allowed(Action.READ, ref, ns)])
    if not allowed:
        raise HTTPException(
            status_code=403, detail=f"not allowed to read {ref.plural} in any namespace"
        )

    def readable(message: Mapping[str, Any]) -> bool:
        # Messages about cluster-scoped objects (GatewayClasses) carry no namespace.
        namespace = message_namespace(message)
        return namespace is None or namespace in allowed

    return readable
