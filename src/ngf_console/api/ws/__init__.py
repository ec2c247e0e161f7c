"""Websocket hub: per-topic publish/subscribe with bounded per-client queues.

``hub`` holds the fan-out, ``endpoint`` serves one topic on one websocket (Origin check,
auth hook, slow-consumer close), ``topics`` names the topics and declares the routes.
"""

from ngf_console.api.ws.endpoint import Authenticator, WsSettings, bearer_token, serve_topic
from ngf_console.api.ws.hub import Hub, Subscription, SubscriptionEndedError
from ngf_console.api.ws.topics import new_hub, router

__all__ = [
    "Authenticator",
    "Hub",
    "Subscription",
    "SubscriptionEndedError",
    "WsSettings",
    "bearer_token",
    "new_hub",
    "router",
    "serve_topic",
]
