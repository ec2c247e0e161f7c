"""Children shared by several parents (the cluster's one DCGM exporter).

Owner references cannot express "keep while any of these parents, in any namespace, wants
it", so the shared object records its users in an annotation: a parent claims it when it
renders it, and releases it when it stops rendering it or is deleted (its finalizer). The
last release deletes the object. One lock serialises the read-modify-write.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ngf_console.operator.children import ChildClient, Obj
from ngf_console.render.common import SHARED_LABEL

USERS_ANNOTATION = "ngf-console.f5.com/used-by"


def _user(parent: Mapping[str, Any]) -> str:
    meta = parent["metadata"]
    return f"{parent['kind']}/{meta['namespace']}/{meta['name']}"


def _users(obj: Mapping[str, Any] | None) -> set[str]:
    if obj is None:
        return set()
    raw = (obj["metadata"].get("annotations") or {}).get(USERS_ANNOTATION, "")
    return {u for u in raw.split(",") if u}


class SharedChildren:
    """Claims and releases of shared children, keyed by their identity."""

    def __init__(
        self,
        children: ChildClient,
        candidates: Callable[[], Sequence[Mapping[str, Any]]] = lambda: (),
    ) -> None:
        self.children = children
        # Every shared object that could exist, so that releases find them.
        self.candidates = candidates
        self._lock = asyncio.Lock()

    @staticmethod
    def is_shared(manifest: Mapping[str, Any]) -> bool:
        return (manifest["metadata"].get("labels") or {}).get(SHARED_LABEL) == "true"

    async def claim(self, manifest: Mapping[str, Any], parent: Mapping[str, Any]) -> Obj:
        """Apply ``manifest`` with ``parent`` added to its users; return the live object."""
        async with self._lock:
            live = await self.children.get(manifest)
            users = _users(live) | {_user(parent)}
            desired = copy.deepcopy(dict(manifest))
            desired["metadata"].setdefault("annotations", {})[USERS_ANNOTATION] = ",".join(
                sorted(users)
            )
            return await self.children.apply(desired)

    async def release_unused(
        self, parent: Mapping[str, Any], rendered: Sequence[Mapping[str, Any]]
    ) -> None:
        """Release the shared children ``parent`` claimed but no longer renders."""
        still = {(m["kind"], m["metadata"]["name"]) for m in rendered if self.is_shared(m)}
        await self._release(parent, keep=still)

    async def release_all(self, parent: Mapping[str, Any]) -> None:
        """Release every claim of ``parent`` (it is being deleted)."""
        await self._release(parent, keep=set())

    async def _release(self, parent: Mapping[str, Any], keep: set[tuple[str, str]]) -> None:
        me = _user(parent)
        async with self._lock:
            for manifest in self.candidates():
                if (manifest["kind"], manifest["metadata"]["name"]) in keep:
                    continue
                live = await self.children.get(manifest)
                users = _users(live)
                if me not in users:
                    continue
                users.discard(me)
                if not users:
                    meta = manifest["metadata"]
                    await self.children.delete(
                        manifest["apiVersion"],
                        manifest["kind"],
                        meta["name"],
                        meta.get("namespace"),
                    )
                else:
                    desired = copy.deepcopy(dict(manifest))
                    desired["metadata"].setdefault("annotations", {})[USERS_ANNOTATION] = ",".join(
                        sorted(users)
                    )
                    await self.children.apply(desired)
