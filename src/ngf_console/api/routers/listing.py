"""Listing helpers shared by the read-only routers: typed pages, cursors for merged or
custom-sorted lists, and per-namespace read filtering."""

# No ``from __future__ import annotations``: FastAPI reads these models' annotations.
import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from ngf_console.api.auth import Action, Guard, ResourceRef, get_guard
from ngf_console.api.cluster_reads import cached_page
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.resource_store import Page
from ngf_console.kube.resource_type import ResourceType
from ngf_console.readmodel.objects import (
    Obj,
    namespace_of,
)

T = TypeVar("T")


def ref_of(t: ResourceType) -> ResourceRef:
    """The RBAC name of a served type."""
    return ResourceRef(t.group, t.plural)


# -- listing helpers (used by the certificate and topology routers too) -------------------


class ViewPage(BaseModel, Generic[T]):
    """A page of views."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    items: list[T]
    continue_token: str | None = Field(default=None, alias="continue")
    resource_version: str | None = Field(default=None, alias="resourceVersion")
    total: int = Field(description="Items matching the query across all pages.")


NamespaceQ = Annotated[str | None, Query(description="One namespace (default: all).")]
SelectorQ = Annotated[
    str | None, Query(alias="labelSelector", description="Kubernetes label selector.")
]
NameQ = Annotated[str | None, Query(description="Substring of the name.")]
LimitQ = Annotated[int | None, Query(ge=1, le=5000)]
ContinueQ = Annotated[str | None, Query(alias="continue")]
GuardDep = Annotated[Guard, Depends(get_guard)]


async def authorize_list(guard: Guard, refs: Sequence[ResourceRef], namespace: str | None) -> None:
    """403 unless the caller may read ``refs`` in ``namespace``; all namespaces are
    filtered per object instead (:func:`readable`)."""
    if namespace is not None:
        for ref in refs:
            await guard.authorize(Action.READ, ref, namespace)


async def readable(
    guard: Guard,
    ref: ResourceRef,
    items: Iterable[T],
    namespace_of_item: Callable[[T], str | None],
) -> list[T]:
    """The items in namespaces the caller may read ``ref`` in (all if cluster-wide)."""
    items = list(items)
    if await guard.allowed(Action.READ, ref, None):
        return items
    allowed: dict[str, bool] = {}
    kept = []
    for item in items:
        ns = namespace_of_item(item) or ""
        if ns not in allowed:
            # A cluster-scoped object needs the cluster-wide right, refused above.
            allowed[ns] = bool(ns) and await guard.allowed(Action.READ, ref, ns)
        if allowed[ns]:
            kept.append(item)
    return kept


def obj_namespace(obj: Obj) -> str | None:
    return namespace_of(obj) or None


async def visible_page(
    cluster: Cluster,
    t: ResourceType,
    guard: Guard,
    *,
    namespace: str | None,
    label_selector: str | None,
    name_contains: str | None,
    limit: int | None,
    continue_token: str | None,
) -> Page:
    """One page of the namespaced objects of ``t`` the caller may read.

    One namespace: 403 unless readable there, then the cache's own page. All namespaces
    without the cluster-wide right: the readable namespaces' objects, filtered *before*
    paging, so neither ``total`` nor a short page tells of objects the caller cannot see.
    """
    ref = ref_of(t)
    if namespace is not None:
        await guard.authorize(Action.READ, ref, namespace)
    if namespace is not None or await guard.allowed(Action.READ, ref, None):
        return cached_page(
            cluster,
            t,
            namespace=namespace,
            label_selector=label_selector,
            name_contains=name_contains,
            limit=limit,
            continue_token=continue_token,
        )
    everything = cached_page(cluster, t, label_selector=label_selector, name_contains=name_contains)
    visible = await readable(guard, ref, everything.items, obj_namespace)
    items, token = page_sorted(
        visible,
        lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]),
        query={"selector": label_selector, "name": name_contains},
        limit=limit,
        continue_token=continue_token,
    )
    return Page(
        items=items,
        continue_token=token,
        resource_version=everything.resource_version,
        total=len(visible),
    )


def page_sorted(
    items: list[T],
    key: Callable[[T], tuple[str, ...]],
    *,
    query: Mapping[str, object],
    limit: int | None,
    continue_token: str | None,
    newest_first: bool = False,
) -> tuple[list[T], str | None]:
    """One page of ``items`` in ``key`` order (descending with ``newest_first``).

    The continue token holds the last key given and a fingerprint of ``query``, so a page
    resumes after that key even if items came or went in between, and a token replayed
    with other filters is a 400.
    """
    fingerprint = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:16]
    ordered = sorted(items, key=key, reverse=newest_first)
    if continue_token:
        last = _decode_cursor(continue_token, fingerprint)
        ordered = [x for x in ordered if (key(x) < last if newest_first else key(x) > last)]
    if not limit or len(ordered) <= limit:
        return ordered, None
    page = ordered[:limit]
    token = json.dumps({"k": list(key(page[-1])), "q": fingerprint}).encode()
    return page, base64.urlsafe_b64encode(token).decode()


def _decode_cursor(token: str, fingerprint: str) -> tuple[str, ...]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        last = tuple(str(k) for k in data["k"])
        query = data["q"]
    except (binascii.Error, ValueError, KeyError, TypeError) as err:
        raise HTTPException(
            status_code=400, detail={"message": "invalid continue token: not one of ours"}
        ) from err
    if query != fingerprint:
        raise HTTPException(
            status_code=400,
            detail={"message": "invalid continue token: it belongs to a different query"},
        )
    return last


def lenient_page(cluster: Cluster, t: ResourceType, **filters: Any) -> list[Obj] | None:
    """Every object of ``t`` matching ``filters``; None if the cluster does not serve it."""
    try:
        return cached_page(cluster, t, **filters).items
    except HTTPException as err:
        if err.status_code == 404:
            return None
        raise


# -- views of this router -----------------------------------------------------------------
