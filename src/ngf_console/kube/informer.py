"""List+watch of one resource type into a :class:`ResourceStore` (an informer).

The loop: a full LIST in pages (``limit``/``continue``), then a WATCH from the list's
resourceVersion with ``allowWatchBookmarks=true``. Every event and BOOKMARK advances the
stored resourceVersion, so a watch that ends (server timeout, dropped connection) resumes
from there without a new LIST and without missing events. Only ``410 Gone`` (the version
was compacted away) forces a relist, whose differences to the store are emitted as
synthetic ADDED/MODIFIED/DELETED events. A type the server does not serve (404 on LIST: the
CRD is not installed) is reported as such and retried slowly.

Requests go through lightkube's own HTTP client (its base URL, TLS and auth come from the
KubeConfig); lightkube's ``watch()`` neither asks for bookmarks nor exposes them, and the
objects are kept as the JSON dicts the API server sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

import httpx2
from lightkube import AsyncClient

from ngf_console.kube.resource_store import EventType, ResourceStore, diff_objects, object_key
from ngf_console.kube.resource_type import ResourceType

__all__ = ["Informer", "InformerState", "InformerStatus", "http_client"]

log = logging.getLogger(__name__)

InformerState = Literal["starting", "synced", "not_served", "error", "stopped"]
Emit = Callable[[EventType, ResourceType, dict[str, Any]], None]

LIST_PAGE_SIZE: Final = 500
# Server-side watch timeout, randomised like client-go so watches do not reconnect in step.
WATCH_TIMEOUT_RANGE: Final = (300, 600)


def http_client(client: AsyncClient) -> httpx2.AsyncClient:
    """lightkube's underlying HTTP client: base URL, TLS and auth of its KubeConfig."""
    http: httpx2.AsyncClient = client._client._client
    return http


class WatchFailedError(RuntimeError):
    """The API server refused or broke off a list or watch (not a 404 or 410)."""


class _NotServedError(Exception):
    pass


class _GoneError(Exception):
    pass


@dataclass(frozen=True)
class InformerStatus:
    """What one informer is doing, for health reporting and tests."""

    resource_type: ResourceType
    state: InformerState
    resource_version: str
    items: int
    lists: int
    watches: int
    relists_after_gone: int
    error: str | None


def _strip(obj: dict[str, Any]) -> dict[str, Any]:
    # managedFields are often the bulk of an object and the console never shows them.
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return obj


class _Backoff:
    """Exponential backoff with jitter: 0.2 s doubling to ``cap``."""

    def __init__(self, first: float = 0.2, cap: float = 30.0) -> None:
        self.first, self.cap, self.delay = first, cap, first

    def reset(self) -> None:
        self.delay = self.first

    def next(self) -> float:
        delay = self.delay
        self.delay = min(self.cap, self.delay * 2)
        return delay * random.uniform(0.8, 1.2)


class Informer:
    """Keeps ``store`` equal to the API server's objects of ``resource_type``."""

    def __init__(
        self,
        client: AsyncClient,
        resource_type: ResourceType,
        emit: Emit,
        *,
        not_served_retry: float = 30.0,
    ) -> None:
        self.resource_type = resource_type
        self.store = ResourceStore()
        self.resource_version = ""
        self.state: InformerState = "starting"
        self.error: str | None = None
        self.synced = asyncio.Event()
        self.settled = asyncio.Event()  # synced or known not served
        self._http = http_client(client)
        self._emit = emit
        self._not_served_retry = not_served_retry
        self._task: asyncio.Task[None] | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._hold = 0.0
        self._lists = self._watches = self._gone = 0

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the list+watch loop as a background task."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"informer {self.resource_type}")

    async def stop(self) -> None:
        """Cancel the loop and wait for it to end."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.state = "stopped"

    def status(self) -> InformerStatus:
        """A snapshot of the informer's state and counters."""
        return InformerStatus(
            self.resource_type,
            self.state,
            self.resource_version,
            len(self.store),
            self._lists,
            self._watches,
            self._gone,
            self.error,
        )

    def reconnect(self, *, hold: float = 0.0, from_resource_version: str | None = None) -> None:
        """Drop the current watch connection; reconnect after ``hold`` seconds.

        ``from_resource_version`` overrides where the watch resumes (tests use a compacted
        version to provoke 410 Gone). The normal path resumes from the last version seen.
        """
        self._hold = hold
        if from_resource_version is not None:
            self.resource_version = from_resource_version
        if self._watch_task is not None:
            self._watch_task.cancel()

    # -- the loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = _Backoff()
        while True:
            try:
                await self._relist()
            except _NotServedError:
                self._forget_all()
                self._set_state("not_served", f"{self.resource_type.resource} is not served")
                self.settled.set()
                await asyncio.sleep(self._not_served_retry)
                continue
            except (httpx2.HTTPError, WatchFailedError, ValueError) as e:
                self._set_state("error" if not self.synced.is_set() else self.state, str(e))
                await asyncio.sleep(backoff.next())
                continue
            backoff.reset()
            self._set_state("synced", None)
            self.synced.set()
            self.settled.set()
            await self._watch_until_gone(backoff)

    def _forget_all(self) -> None:
        """The type stopped being served (its CRD was deleted): its objects are gone."""
        self.synced.clear()
        old = self.store.snapshot()
        self.store.replace([])
        self.resource_version = ""
        for event_type, obj in diff_objects(old, {}):
            self._emit(event_type, self.resource_type, obj)

    def _set_state(self, state: InformerState, error: str | None) -> None:
        if (state, error) != (self.state, self.error) and error:
            log.info("informer %s: %s (%s)", self.resource_type, state, error)
        self.state, self.error = state, error

    async def _relist(self) -> None:
        """LIST everything in pages; replace the store, emitting the differences."""
        params: dict[str, str] = {"limit": str(LIST_PAGE_SIZE)}
        if self.resource_type.field_selector:
            params["fieldSelector"] = self.resource_type.field_selector
        objects: list[dict[str, Any]] = []
        path = self.resource_type.api_path()
        version = ""
        while True:
            response = await self._http.get(path, params=params)
            if response.status_code == 404:
                raise _NotServedError
            if response.status_code == 410:
                # The continue token expired mid-list: start over.
                params.pop("continue", None)
                objects.clear()
                continue
            if response.status_code != 200:
                raise WatchFailedError(f"LIST {path}: HTTP {response.status_code}: {response.text}")
            body = response.json()
            objects.extend(_strip(o) for o in body.get("items") or [])
            meta = body.get("metadata") or {}
            version = meta.get("resourceVersion") or version
            if not meta.get("continue"):
                break
            params["continue"] = meta["continue"]
        self._lists += 1
        old = self.store.snapshot()
        self.store.replace(objects)
        self.resource_version = version
        for event_type, obj in diff_objects(old, self.store.snapshot()):
            self._emit(event_type, self.resource_type, obj)

    async def _watch_until_gone(self, backoff: _Backoff) -> None:
        """Watch (reconnecting with backoff) until the server answers 410 Gone or 404."""
        while True:
            if self._hold:
                hold, self._hold = self._hold, 0.0
                await asyncio.sleep(hold)
            connected = time.monotonic()
            task = asyncio.create_task(self._watch_once(backoff))
            self._watch_task = task
            try:
                await asyncio.wait({task})
            finally:
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                self._watch_task = None
            if task.cancelled():
                continue  # reconnect() dropped the connection
            try:
                task.result()
                if time.monotonic() - connected < 1.0:
                    # A server ending watches at once must not turn this into a busy loop.
                    await asyncio.sleep(backoff.next())
            except _GoneError:
                self._gone += 1
                return
            except _NotServedError:
                return
            except (httpx2.HTTPError, WatchFailedError, ValueError) as e:
                log.info("watch %s broke off: %s; resuming", self.resource_type, e)
                await asyncio.sleep(backoff.next())

    async def _watch_once(self, backoff: _Backoff) -> None:
        """One watch connection, from the stored resourceVersion until it ends."""
        timeout_seconds = random.randint(*WATCH_TIMEOUT_RANGE)
        params = {
            "watch": "1",
            "resourceVersion": self.resource_version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(timeout_seconds),
        }
        if self.resource_type.field_selector:
            params["fieldSelector"] = self.resource_type.field_selector
        # No bytes for a while is normal on a quiet watch; the server ends it by itself after
        # timeoutSeconds, so a read timeout beyond that only catches a dead connection.
        timeout = httpx2.Timeout(10.0, read=timeout_seconds + 30.0)
        path = self.resource_type.api_path()
        async with self._http.stream("GET", path, params=params, timeout=timeout) as response:
            if response.status_code == 410:
                raise _GoneError
            if response.status_code == 404:
                raise _NotServedError
            if response.status_code != 200:
                await response.aread()
                raise WatchFailedError(f"WATCH {path}: HTTP {response.status_code}")
            self._watches += 1
            backoff.reset()
            started = time.monotonic()
            async for line in response.aiter_lines():
                if line:
                    self._handle(json.loads(line))
            log.debug("watch %s ended after %.0f s", self.resource_type, time.monotonic() - started)

    def _handle(self, event: dict[str, Any]) -> None:
        kind, obj = event.get("type"), event.get("object") or {}
        if kind == "ERROR":
            if obj.get("code") == 410:
                raise _GoneError
            raise WatchFailedError(f"watch error: {obj.get('message') or obj}")
        version = (obj.get("metadata") or {}).get("resourceVersion")
        if kind == "BOOKMARK":
            if version:
                self.resource_version = version
            return
        if kind not in ("ADDED", "MODIFIED", "DELETED"):
            raise WatchFailedError(f"unexpected watch event type {kind!r}")
        _strip(obj)
        if kind == "DELETED":
            gone = self.store.remove(object_key(obj))
            if version:
                self.resource_version = version
            if gone is not None:
                self._emit("DELETED", self.resource_type, obj)
            return
        old = self.store.put(obj)
        if version:
            self.resource_version = version
        self._emit("ADDED" if old is None else "MODIFIED", self.resource_type, obj)
