"""Reads served from a cluster's watch cache, with the cache's refusals as HTTP errors."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import HTTPException

from ngf_console.kube.cache import (
    CacheNotSyncedError,
    ResourceNotServedError,
    UnknownResourceTypeError,
)
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.resource_store import Page
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import SERVED_TYPES
from ngf_console.readmodel.snapshot import ClusterSnapshot

Obj = dict[str, Any]


def with_kind(t: ResourceType, obj: Obj) -> Obj:
    """``obj`` with ``apiVersion`` and ``kind`` (items of a LIST come without them)."""
    if obj.get("kind") == t.kind and obj.get("apiVersion") == t.api_version:
        return obj
    return {"apiVersion": t.api_version, "kind": t.kind, **obj}


def cached_page(
    cluster: Cluster,
    t: ResourceType,
    *,
    namespace: str | None = None,
    label_selector: str | None = None,
    name_contains: str | None = None,
    limit: int | None = None,
    continue_token: str | None = None,
) -> Page:
    """One page of ``t`` from the cache (400 bad filter, 404 not served, 503 not synced)."""
    try:
        page = cluster.cache.list(
            t,
            namespace=namespace,
            label_selector=label_selector,
            name_contains=name_contains,
            limit=limit,
            continue_token=continue_token,
        )
    except (ResourceNotServedError, UnknownResourceTypeError) as err:
        raise HTTPException(status_code=404, detail={"message": str(err)}) from err
    except CacheNotSyncedError as err:
        raise HTTPException(status_code=503, detail={"message": str(err)}) from err
    except ValueError as err:
        raise HTTPException(status_code=400, detail={"message": str(err)}) from err
    return dataclasses.replace(page, items=[with_kind(t, o) for o in page.items])


def cached_object(cluster: Cluster, t: ResourceType, namespace: str | None, name: str) -> Obj:
    """One object from the cache, or 404."""
    try:
        obj = cluster.cache.get(t, namespace, name)
    except (ResourceNotServedError, UnknownResourceTypeError) as err:
        raise HTTPException(status_code=404, detail={"message": str(err)}) from err
    except CacheNotSyncedError as err:
        raise HTTPException(status_code=503, detail={"message": str(err)}) from err
    if obj is None:
        where = f"{namespace}/{name}" if namespace else name
        raise HTTPException(status_code=404, detail={"message": f"{t.kind} {where} not found"})
    return with_kind(t, obj)


def all_cached(cluster: Cluster, t: ResourceType) -> list[Obj]:
    """Every object of ``t`` the cache holds; none when the type is not served or synced."""
    try:
        page = cluster.cache.list(t)
    except (CacheNotSyncedError, UnknownResourceTypeError):
        return []
    return [with_kind(t, o) for o in page.items]


def snapshot(cluster: Cluster) -> ClusterSnapshot:
    """What the read models (topology, dependants, certificates) work on."""
    return ClusterSnapshot.from_objects(obj for t in SERVED_TYPES for obj in all_cached(cluster, t))
