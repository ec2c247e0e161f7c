"""Children shared by several parents (the cluster's one DCGM exporter).

Owner references cannot express "keep while any of these parents, in any namespace, wants
it". The parents themselves are the record: a shared child is kept while some parent
renders it. The operator remembers which parents rendered it in their last pass (its
users), so the common pass — a user that finds the exporter as it should be — costs no
request and takes no lock. Only when the last remembered user lets go does it ask the API
server whether any parent still renders the child (the memory is empty after a restart
until every parent has had its first pass), and deletes it if none does.

Keeping the users out of the object (an earlier design kept them in an annotation) matters
at scale: every claim was a write to the shared object, and every write an event for all
of its users — one more stack among K cost about 2K passes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from ngf_console.operator import metrics
from ngf_console.operator.child_index import ChildIndex, ChildKey, ParentRef, child_key
from ngf_console.operator.children import ChildClient, Obj
from ngf_console.operator.drift import describe, drifted_fields
from ngf_console.operator.health import Health, child_health
from ngf_console.render.common import SHARED_LABEL

log = logging.getLogger(__name__)

# Every shared child any parent still renders, ignoring one parent (the one letting go).
StillWanted = Callable[[ParentRef], Awaitable[set[ChildKey]]]


def is_shared(manifest: Mapping[str, Any]) -> bool:
    """Is ``manifest`` a child that several parents share?"""
    return (manifest["metadata"].get("labels") or {}).get(SHARED_LABEL) == "true"


class SharedChildren:
    """Applies, heals and collects shared children; remembers their users."""

    def __init__(
        self,
        children: ChildClient,
        index: ChildIndex,
        candidates: Callable[[], Sequence[Mapping[str, Any]]],
        still_wanted: StillWanted,
    ) -> None:
        self.children = children
        self.index = index
        # Every shared object that could exist, so that releases and heals find them.
        self.candidates = candidates
        self.still_wanted = still_wanted
        self._users: dict[ChildKey, set[ParentRef]] = {}
        self._health: dict[ChildKey, Health] = {}
        self._locks: dict[ChildKey, asyncio.Lock] = {}

    def users(self, manifest: Mapping[str, Any]) -> frozenset[ParentRef]:
        """The parents that rendered ``manifest``'s object in their last pass."""
        return frozenset(self._users.get(child_key(manifest), ()))

    def _lock(self, key: ChildKey) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    def _candidate(self, key: ChildKey) -> Mapping[str, Any] | None:
        return next((m for m in self.candidates() if child_key(m) == key), None)

    async def ensure(self, manifest: Mapping[str, Any], user: ParentRef) -> Obj:
        """Record ``user`` and make the object match ``manifest``; return the live object."""
        key = child_key(manifest)
        self._users.setdefault(key, set()).add(user)
        live = await self.children.read_through(self.index, manifest)
        if live is not None and not drifted_fields(manifest, live):
            return live  # the common case: no lock, no request
        async with self._lock(key):
            # Another user may have applied it while this one waited.
            live = self.index.get(manifest)
            if live is not None and not drifted_fields(manifest, live):
                return live
            applied = await self.children.apply(manifest)
            self.index.store(applied)
            return applied

    async def heal(self, key: ChildKey) -> str | None:
        """Restore a shared object that was deleted or edited; return what was healed."""
        manifest = self._candidate(key)
        if manifest is None or not self._users.get(key):
            return None
        async with self._lock(key):
            live = self.index.get(manifest)
            fields = None if live is None else drifted_fields(manifest, live)
            if live is not None and not fields:
                return None
            applied = await self.children.apply(manifest)
            self.index.store(applied)
        if live is not None and applied["metadata"].get("resourceVersion") == live["metadata"].get(
            "resourceVersion"
        ):
            return None  # API-server normalisation, not an edit
        change = "deleted" if fields is None else describe(fields)
        metrics.DRIFT_CORRECTIONS.labels(kind="shared", child_kind=manifest["kind"]).inc()
        log.info("restored shared %s %s: %s", key[1], key[3], change)
        return change

    def observe(
        self, event_type: str | None, body: Mapping[str, Any]
    ) -> tuple[bool, set[ParentRef]]:
        """A watch event on a shared object: (needs healing, users whose status changes).

        Users are told only when the object's health flips (the exporter became ready), not
        on every write: their status reports health, nothing else of it.
        """
        key = child_key(body)
        if not self.index.observe(event_type, body):
            return False, set()
        users = set(self._users.get(key, ()))
        manifest = self._candidate(key)
        if not users or manifest is None:
            return False, set()
        if event_type == "DELETED":
            self._health.pop(key, None)
            return True, set()
        if drifted_fields(manifest, body):
            return True, set()
        health = child_health(body["kind"], body)
        if self._health.get(key) == health:
            return False, set()
        self._health[key] = health
        return False, users

    async def release_unused(self, user: ParentRef, rendered: Sequence[Mapping[str, Any]]) -> None:
        """Release the shared children ``user`` had and no longer renders."""
        keep = {child_key(m) for m in rendered if is_shared(m)}
        for manifest in self.candidates():
            key = child_key(manifest)
            if key not in keep and user in self._users.get(key, ()):
                await self._release(manifest, user)

    async def release_all(self, user: ParentRef) -> None:
        """Release every claim of ``user`` (it is being deleted).

        After a restart the memory of users may not know ``user`` yet, so an existing
        object without remembered users is checked against the parents too.
        """
        for manifest in self.candidates():
            key = child_key(manifest)
            if user in self._users.get(key, ()) or (
                not self._users.get(key) and self.index.get(manifest) is not None
            ):
                await self._release(manifest, user)

    async def _release(self, manifest: Mapping[str, Any], user: ParentRef) -> None:
        key = child_key(manifest)
        users = self._users.setdefault(key, set())
        users.discard(user)
        if users:
            return
        async with self._lock(key):
            if self._users.get(key):
                return  # claimed again while waiting
            if key in await self.still_wanted(user):
                return  # a parent not yet seen since start-up renders it
            meta = manifest["metadata"]
            await self.children.delete(
                manifest["apiVersion"], manifest["kind"], meta["name"], meta.get("namespace")
            )
            self.index.forget(manifest)
            self._health.pop(key, None)
            log.info("deleted shared %s %s: no parent renders it", key[1], key[3])
