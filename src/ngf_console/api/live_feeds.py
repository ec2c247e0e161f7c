"""Producers of the websocket topics that come from the watch cache.

- ``events``: every Kubernetes Event as the API server has it;
- ``topology``: a small notice per change of an object the topology graph draws (the
  UI re-reads the graph, which is built from the same cache);
- ``crd-status/{namespace}/{name}``: a parent's status whenever it changes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from ngf_console.api.ws import topics
from ngf_console.api.ws.hub import Hub
from ngf_console.kube.cache import SubscriptionLostError
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.served_types import CORE_TYPES, PARENT_TYPES, SERVED_TYPES
from ngf_console.telemetry.analytics.otlp import MappedLogs
from ngf_console.telemetry.analytics.tables import EPP_DECISIONS

log = logging.getLogger(__name__)

_EVENT_TYPES = frozenset(t for t in CORE_TYPES if t.kind == "Event")
_PARENT_TYPES = frozenset(PARENT_TYPES)
# The graph draws neither events nor namespaces, and EndpointSlices and NetworkPolicies
# (read by route checks) change with every pod's readiness: no topology refresh for them.
_NOT_IN_TOPOLOGY = ("Event", "Namespace", "EndpointSlice", "NetworkPolicy")
_TOPOLOGY_TYPES = frozenset(t for t in SERVED_TYPES if t.kind not in _NOT_IN_TOPOLOGY)


def publish_change(hub: Hub, cluster: str, event_type: str, kind: str, obj: dict[str, Any]) -> None:
    """Route one cache event to the topics that want it."""
    meta = obj.get("metadata") or {}
    namespace, name = meta.get("namespace"), meta.get("name")
    if kind == "Event":
        hub.publish(topics.EVENTS, {**obj, "cluster": cluster})
        return
    hub.publish(
        topics.TOPOLOGY,
        {
            "cluster": cluster,
            "type": event_type,
            "kind": kind,
            "namespace": namespace,
            "name": name,
        },
    )
    if namespace and name and any(t.kind == kind for t in _PARENT_TYPES):
        hub.publish(
            topics.crd_status(namespace, name),
            {
                "cluster": cluster,
                "type": event_type,
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "generation": meta.get("generation"),
                "status": obj.get("status") or {},
            },
        )


async def feed(hub: Hub, cluster: Cluster) -> None:
    """Forward ``cluster``'s cache events to ``hub`` until cancelled (resubscribes if lost)."""
    types = set(_EVENT_TYPES | _TOPOLOGY_TYPES)
    while True:
        subscription = cluster.cache.subscribe(types, maxsize=10_000)
        try:
            async for event in subscription:
                publish_change(
                    hub, cluster.name, event.type, event.resource_type.kind, event.object
                )
        except SubscriptionLostError:
            log.warning("live feed of %s fell behind; resubscribing", cluster.name)
            await asyncio.sleep(0.1)
        finally:
            subscription.close()


def epp_decisions_to_hub(hub: Hub) -> Callable[[MappedLogs], None]:
    """A listener of the OTLP receiver: each accepted EPP decision, published on the
    ``inference/epp-decisions`` topic as its analytics row (with ``pool`` for the per-pool
    filter), so the visualizer sees a decision about a second after the EPP made it."""
    columns = [c.name for c in EPP_DECISIONS.columns]

    def publish(mapped: MappedLogs) -> None:
        rows = mapped.rows.get(EPP_DECISIONS.name)
        if not rows or not hub.subscriber_count(topics.EPP_DECISIONS):
            return
        for row in rows:
            message = {
                name: value.isoformat() if isinstance(value, dt.datetime) else value
                for name, value in zip(columns, row, strict=True)
            }
            message["pool"] = message["inference_pool"]
            hub.publish(topics.EPP_DECISIONS, message)

    return publish
