"""Kubernetes Events on parent resources (what ``kubectl describe`` shows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from lightkube import AsyncClient
from lightkube.models.core_v1 import EventSource, ObjectReference
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Event

COMPONENT = "ngf-console-operator"


async def emit(
    client: AsyncClient,
    parent: Mapping[str, Any],
    *,
    reason: str,
    message: str,
    warning: bool = False,
) -> None:
    """Record an Event about ``parent``; failures to record are not failures to reconcile."""
    meta = parent["metadata"]
    now = dt.datetime.now(dt.UTC)
    event = Event(
        metadata=ObjectMeta(generateName=f"{meta['name']}.", namespace=meta["namespace"]),
        involvedObject=ObjectReference(
            apiVersion=parent["apiVersion"],
            kind=parent["kind"],
            name=meta["name"],
            namespace=meta["namespace"],
            uid=meta.get("uid"),
            resourceVersion=meta.get("resourceVersion"),
        ),
        reason=reason,
        message=message[:1024],
        type="Warning" if warning else "Normal",
        source=EventSource(component=COMPONENT),
        reportingComponent=COMPONENT,
        firstTimestamp=now,
        lastTimestamp=now,
        count=1,
    )
    await client.create(event)
