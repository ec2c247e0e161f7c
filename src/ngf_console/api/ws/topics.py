"""Hub topic names, per-connection filters from query parameters, and the WS routes.

Topics and the routes that serve them:

==========================================  ========================================
route                                       topic
==========================================  ========================================
``/api/v1/ws/events``                       ``events`` (filter: see :func:`event_filter`)
``/api/v1/ws/topology``                     ``topology``
``/api/v1/ws/crd-status/{namespace}/{name}``  ``crd-status/{namespace}/{name}`` (``kind``)
``/api/v1/ws/metrics``                      ``metrics``
``/api/v1/ws/inference/epp-decisions``      ``inference/epp-decisions`` (``namespace``, ``pool``)
``/api/v1/ws/inference/gpu-metrics``        ``inference/gpu-metrics`` (``namespace``, ``pool``)
``/api/v1/ws/inference/scaling-events``     ``inference/scaling-events`` (``namespace``, ``pool``)
``/api/v1/ws/inference/epp/{namespace}/{name}``  ``inference/epp-decisions`` of that pool only
==========================================  ========================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from fastapi import APIRouter, WebSocket
from prometheus_client import CollectorRegistry
from starlette.datastructures import QueryParams

from ngf_console.api.ws.endpoint import WsSettings, serve_topic
from ngf_console.api.ws.hub import Hub, Predicate

EVENTS: Final = "events"
TOPOLOGY: Final = "topology"
METRICS: Final = "metrics"
EPP_DECISIONS: Final = "inference/epp-decisions"
GPU_METRICS: Final = "inference/gpu-metrics"
SCALING_EVENTS: Final = "inference/scaling-events"
CRD_STATUS_PREFIX: Final = "crd-status"


def crd_status(namespace: str, name: str) -> str:
    """The topic of status changes of the parent resources named ``namespace/name``."""
    return f"{CRD_STATUS_PREFIX}/{namespace}/{name}"


def topic_family(topic: str) -> str:
    """The metric label of a topic: per-object topics collapse to their prefix."""
    if topic.startswith(CRD_STATUS_PREFIX + "/"):
        return CRD_STATUS_PREFIX
    return topic


def new_hub(registry: CollectorRegistry | None = None) -> Hub:
    """A hub whose metrics label topics by :func:`topic_family` (bounded cardinality)."""
    return Hub(registry=registry, metric_label=topic_family)


def _values(query: QueryParams, key: str) -> frozenset[str]:
    """Every value of a repeatable parameter (``kind=A&kind=B`` or ``kind=A,B``)."""
    return frozenset(
        part.strip() for value in query.getlist(key) for part in value.split(",") if part.strip()
    )


def _field(message: Mapping[str, Any], *path: str) -> str | None:
    value: Any = message
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value if isinstance(value, str) else None


def event_filter(query: QueryParams) -> Predicate | None:
    """The ``events`` filter of one connection, or None when it asks for everything.

    Messages on ``events`` are Kubernetes Event objects (core/v1 ``involvedObject`` or
    events.k8s.io/v1 ``regarding``/``note``). Parameters, each repeatable or comma-separated
    and ANDed together: ``namespace`` and ``kind``/``name`` of the object the event is
    about, ``type`` (Normal, Warning), ``reason``, and ``q`` (case-insensitive text in the
    event's message).
    """
    namespaces = _values(query, "namespace")
    kinds = _values(query, "kind")
    names = _values(query, "name")
    types = _values(query, "type")
    reasons = _values(query, "reason")
    text = (query.get("q") or "").strip().lower()
    if not (namespaces or kinds or names or types or reasons or text):
        return None

    def wanted(event: Mapping[str, Any]) -> bool:
        about = "involvedObject" if "involvedObject" in event else "regarding"
        if (
            namespaces
            and (_field(event, about, "namespace") or _field(event, "metadata", "namespace"))
            not in namespaces
        ):
            return False
        if kinds and _field(event, about, "kind") not in kinds:
            return False
        if names and _field(event, about, "name") not in names:
            return False
        if types and _field(event, "type") not in types:
            return False
        if reasons and _field(event, "reason") not in reasons:
            return False
        if text:
            said = _field(event, "message") or _field(event, "note") or ""
            if text not in said.lower():
                return False
        return True

    return wanted


def field_filter(query: QueryParams, fields: Mapping[str, str]) -> Predicate | None:
    """A filter on top-level string fields: query parameter -> message key, values ORed.

    Used for the inference topics, whose messages carry ``namespace`` and ``pool`` (the
    InferencePool's name), and for ``crd-status`` (``kind``).
    """
    wanted_values = {key: _values(query, param) for param, key in fields.items()}
    wanted_values = {key: values for key, values in wanted_values.items() if values}
    if not wanted_values:
        return None

    def wanted(message: Mapping[str, Any]) -> bool:
        return all(message.get(key) in values for key, values in wanted_values.items())

    return wanted


def _pool_filter(namespace: str, name: str) -> Predicate:
    def wanted(message: Mapping[str, Any]) -> bool:
        return message.get("namespace") == namespace and message.get("pool") == name

    return wanted


_INFERENCE_FIELDS: Final = {"namespace": "namespace", "pool": "pool"}


def router(hub: Hub, settings: WsSettings | None = None) -> APIRouter:
    """The ``/api/v1/ws/...`` websocket routes, serving topics of ``hub``."""
    settings = settings or WsSettings()
    routes = APIRouter()

    def simple(path: str, topic: str, filter_of: Callable[[QueryParams], Predicate | None]) -> None:
        async def serve(websocket: WebSocket) -> None:
            predicate = filter_of(websocket.query_params)
            await serve_topic(websocket, hub, topic, settings=settings, predicate=predicate)

        routes.add_api_websocket_route(path, serve, name=f"ws:{topic}")

    def no_filter(_: QueryParams) -> Predicate | None:
        return None

    def inference_filter(query: QueryParams) -> Predicate | None:
        return field_filter(query, _INFERENCE_FIELDS)

    simple("/api/v1/ws/events", EVENTS, event_filter)
    simple("/api/v1/ws/topology", TOPOLOGY, no_filter)
    simple("/api/v1/ws/metrics", METRICS, no_filter)
    simple("/api/v1/ws/inference/epp-decisions", EPP_DECISIONS, inference_filter)
    simple("/api/v1/ws/inference/gpu-metrics", GPU_METRICS, inference_filter)
    simple("/api/v1/ws/inference/scaling-events", SCALING_EVENTS, inference_filter)

    @routes.websocket("/api/v1/ws/crd-status/{namespace}/{name}", name="ws:crd-status")
    async def crd_status_stream(websocket: WebSocket, namespace: str, name: str) -> None:
        predicate = field_filter(websocket.query_params, {"kind": "kind"})
        await serve_topic(
            websocket, hub, crd_status(namespace, name), settings=settings, predicate=predicate
        )

    @routes.websocket("/api/v1/ws/inference/epp/{namespace}/{name}", name="ws:epp-pool")
    async def epp_pool_stream(websocket: WebSocket, namespace: str, name: str) -> None:
        await serve_topic(
            websocket,
            hub,
            EPP_DECISIONS,
            settings=settings,
            predicate=_pool_filter(namespace, name),
        )

    return routes
