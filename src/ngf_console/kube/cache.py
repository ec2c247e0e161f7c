"""A watch-fed read cache of one cluster: informers per resource type, lists, gets, events.

The API server reads Kubernetes objects from here instead of sending one LIST per request
(issue 4, "Reads come from a watch-fed cache"). :class:`WatchCache` runs one
:class:`~ngf_console.kube.informer.Informer` per :class:`ResourceType` over the cluster's
lightkube ``AsyncClient``; lists are paged (``limit``/``continue``) and filtered (namespace,
label selector, name substring) in memory, and every change is offered to subscribers.

Objects are plain JSON dicts as the API server returned them, minus
``metadata.managedFields``. They are shared, not copied: treat them as read-only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from lightkube import AsyncClient

from ngf_console.kube.informer import Informer, InformerStatus
from ngf_console.kube.label_selector import parse_label_selector
from ngf_console.kube.resource_store import (
    ContinueToken,
    EventType,
    Page,
    decode_continue,
    encode_continue,
    query_fingerprint,
)
from ngf_console.kube.resource_type import ResourceType

__all__ = [
    "CacheEvent",
    "CacheNotSyncedError",
    "InformerStatus",
    "Page",
    "ResourceNotServedError",
    "ResourceType",
    "Subscription",
    "SubscriptionLostError",
    "UnknownResourceTypeError",
    "WatchCache",
]

log = logging.getLogger(__name__)


class CacheNotSyncedError(RuntimeError):
    """The type's initial list has not completed yet: the cache cannot answer reads."""


class ResourceNotServedError(CacheNotSyncedError):
    """The cluster does not serve the type (its CRD is not installed)."""


class UnknownResourceTypeError(KeyError):
    """The cache was not built for this resource type."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown resource type"


class SubscriptionLostError(RuntimeError):
    """The subscriber fell behind, its queue overflowed and events were dropped.

    Its view is no longer complete: re-list, then subscribe again.
    """


@dataclass(frozen=True)
class CacheEvent:
    """One change to the cache, after it was applied (a read sees the new state)."""

    type: EventType
    resource_type: ResourceType
    object: dict[str, Any]


class Subscription:
    """Events of some resource types, in order, through a bounded queue.

    Iterate it with ``async for``. A subscriber that lets ``maxsize`` events pile up is
    marked lost instead of slowing the cache down: iteration then raises
    :class:`SubscriptionLostError`. ``close()`` (or leaving ``async with``) unsubscribes.
    """

    def __init__(self, cache: WatchCache, types: frozenset[ResourceType] | None, maxsize: int):
        self._cache = cache
        self.types = types
        self._queue: asyncio.Queue[CacheEvent | None] = asyncio.Queue(maxsize)
        self.lost = False
        self.closed = False

    def offer(self, event: CacheEvent) -> None:
        """Queue ``event`` if it is of a subscribed type; never blocks."""
        if self.lost or self.closed:
            return
        if self.types is not None and event.resource_type not in self.types:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.lost = True
            log.warning("cache subscriber overflowed (%d events queued); marked lost", self.size)
            self._drain()
            self._queue.put_nowait(None)  # wakes a waiting reader, which then raises

    @property
    def size(self) -> int:
        """Events waiting to be read."""
        return self._queue.qsize()

    def _drain(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    def close(self) -> None:
        """Unsubscribe; a reader waiting in ``async for`` ends."""
        if not self.closed:
            self.closed = True
            self._cache._unsubscribe(self)
            if not self.lost:
                self._drain()
                self._queue.put_nowait(None)

    def __aiter__(self) -> AsyncIterator[CacheEvent]:
        return self

    async def __anext__(self) -> CacheEvent:
        if self.lost:
            raise SubscriptionLostError("subscriber fell behind and lost events; re-list")
        if self.closed and self._queue.empty():
            raise StopAsyncIteration
        event = await self._queue.get()
        if event is None:
            if self.lost:
                raise SubscriptionLostError("subscriber fell behind and lost events; re-list")
            raise StopAsyncIteration
        return event

    # A per-call timeout reads better than asyncio.timeout around every test wait.
    async def get(self, timeout: float | None = None) -> CacheEvent:  # noqa: ASYNC109
        """The next event, waiting at most ``timeout`` seconds (``TimeoutError``)."""
        async with asyncio.timeout(timeout):
            return await self.__anext__()

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class WatchCache:
    """Informer-fed caches of ``types`` in one cluster, reachable through ``client``."""

    def __init__(
        self,
        client: AsyncClient,
        types: Sequence[ResourceType],
        *,
        not_served_retry: float = 30.0,
    ) -> None:
        self.client = client
        self.types = tuple(dict.fromkeys(types))
        self._subscriptions: list[Subscription] = []
        self._informers = {
            t: Informer(client, t, self._dispatch, not_served_retry=not_served_retry)
            for t in self.types
        }

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start every informer (returns at once; see :meth:`wait_synced`)."""
        for informer in self._informers.values():
            informer.start()

    async def stop(self) -> None:
        """Stop every informer and end every subscription."""
        await asyncio.gather(*(i.stop() for i in self._informers.values()))
        for subscription in list(self._subscriptions):
            subscription.close()

    async def wait_synced(self, timeout: float = 30) -> None:  # noqa: ASYNC109
        """Wait until every type has either synced or been found not served.

        Raises ``TimeoutError`` naming the types still pending.
        """
        waits = [i.settled.wait() for i in self._informers.values()]
        try:
            async with asyncio.timeout(timeout):
                await asyncio.gather(*waits)
        except TimeoutError:
            pending = [
                str(i.resource_type) for i in self._informers.values() if not i.settled.is_set()
            ]
            errors = {str(i.resource_type): i.error for i in self._informers.values() if i.error}
            raise TimeoutError(
                f"cache not synced after {timeout}s: {pending}; errors: {errors}"
            ) from None

    # -- state -------------------------------------------------------------------------

    def informer(self, t: ResourceType) -> Informer:
        """The informer of ``t`` (``UnknownResourceTypeError`` if the cache lacks it)."""
        try:
            return self._informers[t]
        except KeyError:
            raise UnknownResourceTypeError(f"the cache does not hold {t}") from None

    def synced(self, t: ResourceType) -> bool:
        """Whether ``t`` has completed its initial list (and is still served)."""
        return self.informer(t).synced.is_set()

    def served(self, t: ResourceType) -> bool:
        """False once the cluster answered 404 for ``t`` (CRD not installed)."""
        return self.informer(t).state != "not_served"

    def all_synced(self) -> bool:
        """Every type synced or known not to be served."""
        return all(i.settled.is_set() and i.state != "error" for i in self._informers.values())

    def status(self) -> list[InformerStatus]:
        """Per-type state, resource version and counters."""
        return [i.status() for i in self._informers.values()]

    # -- reads -------------------------------------------------------------------------

    def _ready(self, t: ResourceType) -> Informer:
        informer = self.informer(t)
        if informer.state == "not_served":
            raise ResourceNotServedError(
                f"{t.resource} ({t.api_version}) is not served by this cluster; "
                "is its CRD installed?"
            )
        if not informer.synced.is_set():
            detail = f": {informer.error}" if informer.error else ""
            raise CacheNotSyncedError(f"the cache of {t} has not synced yet{detail}")
        return informer

    def list(
        self,
        t: ResourceType,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
        name_contains: str | None = None,
        limit: int | None = None,
        continue_token: str | None = None,
    ) -> Page:
        """Objects of ``t`` ordered by namespace/name, filtered, one page at a time.

        ``namespace`` None means all namespaces (ignored for cluster-scoped types);
        ``label_selector`` uses the Kubernetes syntax; ``name_contains`` is a
        case-insensitive substring of the name; ``limit`` None or 0 means no limit.
        Raises ``ValueError`` for a malformed selector, a negative limit or a continue
        token that is invalid or belongs to another query, and
        :class:`CacheNotSyncedError` / :class:`ResourceNotServedError` when the type
        cannot be read yet or at all.
        """
        informer = self._ready(t)
        if limit is not None and limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        selector = parse_label_selector(label_selector)
        if not t.namespaced:
            namespace = None
        fingerprint = query_fingerprint(t.resource, namespace, selector, name_contains)
        after = None
        snapshot_version = informer.resource_version
        if continue_token:
            token = decode_continue(continue_token)
            if token.fingerprint != fingerprint:
                raise ValueError("invalid continue token: it belongs to a different query")
            after, snapshot_version = token.last_key, token.resource_version
        items, resume, total = informer.store.select(
            namespace=namespace,
            selector=selector,
            name_contains=name_contains,
            after=after,
            limit=limit or None,
        )
        next_token = (
            encode_continue(ContinueToken(resume, snapshot_version, fingerprint))
            if resume is not None
            else None
        )
        return Page(items, next_token, informer.resource_version, total)

    def get(self, t: ResourceType, namespace: str | None, name: str) -> dict[str, Any] | None:
        """The object ``namespace/name`` of ``t`` (namespace ignored if cluster-scoped)."""
        informer = self._ready(t)
        return informer.store.get(((namespace or "") if t.namespaced else "", name))

    # -- events ------------------------------------------------------------------------

    def subscribe(
        self, types: set[ResourceType] | frozenset[ResourceType] | None = None, maxsize: int = 1000
    ) -> Subscription:
        """Events of ``types`` (None: all) from now on, through a queue of ``maxsize``."""
        if types is not None:
            for t in types:
                self.informer(t)
        subscription = Subscription(self, frozenset(types) if types is not None else None, maxsize)
        self._subscriptions.append(subscription)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    def _dispatch(self, event_type: EventType, t: ResourceType, obj: dict[str, Any]) -> None:
        event = CacheEvent(event_type, t, obj)
        for subscription in self._subscriptions:
            subscription.offer(event)
