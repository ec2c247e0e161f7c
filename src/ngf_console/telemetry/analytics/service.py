"""The analytics store and its ingest queue as one long-lived service.

The store opens on first use, not at start-up: an API server whose analytics are never
used (most tests, a console without telemetry) never pays for opening ClickHouse, and a
ClickHouse server that is down at start-up does not stop the console. A failed open is
remembered for ``RETRY_SECONDS`` and its reason given to every caller meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path

from ngf_console.telemetry.analytics.backends import AnalyticsUnavailableError
from ngf_console.telemetry.analytics.config import AnalyticsSettings
from ngf_console.telemetry.analytics.ingest import IngestQueue
from ngf_console.telemetry.analytics.otlp import MappedLogs
from ngf_console.telemetry.analytics.store import AnalyticsStore

RETRY_SECONDS = 10.0

log = logging.getLogger(__name__)


class AnalyticsService:
    """Opens the store lazily; owns the ingest queue feeding it."""

    def __init__(
        self, settings: AnalyticsSettings, chdb_dir: Path, *, default_cluster: str = "default"
    ) -> None:
        self.settings = settings
        self.default_cluster = default_cluster
        self._store = AnalyticsStore(settings, chdb_dir)
        self._queue: IngestQueue | None = None
        self._lock = asyncio.Lock()
        self._failure: tuple[float, str] | None = None
        self._closed = False
        self._listeners: list[Callable[[MappedLogs], None]] = []

    def on_accepted(self, listener: Callable[[MappedLogs], None]) -> None:
        """Call ``listener`` with every batch the receiver accepts (live feeds read from it)."""
        self._listeners.append(listener)

    def accepted(self, mapped: MappedLogs) -> None:
        """The receiver accepted ``mapped``: tell the listeners (their failures are logged)."""
        for listener in self._listeners:
            try:
                listener(mapped)
            except Exception:
                log.exception("analytics listener %r failed", listener)

    @property
    def started(self) -> bool:
        """Whether the store is open."""
        return self._queue is not None

    async def store(self) -> AnalyticsStore:
        """The open store (opened now if need be); AnalyticsUnavailableError otherwise."""
        await self._ensure()
        return self._store

    async def ingest(self) -> IngestQueue:
        """The ingest queue of the open store."""
        await self._ensure()
        assert self._queue is not None
        return self._queue

    async def _ensure(self) -> None:
        if self._queue is not None:
            return
        if not self.settings.enabled:
            raise AnalyticsUnavailableError("analytics are disabled (analytics.enabled=false)")
        async with self._lock:
            if self._queue is not None:
                return
            if self._closed:
                raise AnalyticsUnavailableError("the analytics store is shut down")
            if self._failure and time.monotonic() - self._failure[0] < RETRY_SECONDS:
                raise AnalyticsUnavailableError(self._failure[1])
            try:
                await self._store.start()
            except AnalyticsUnavailableError as err:
                self._failure = (time.monotonic(), str(err))
                raise
            self._failure = None
            queue = IngestQueue(
                self._store,
                capacity_rows=self.settings.queue_rows,
                batch_rows=self.settings.batch_rows,
                flush_seconds=self.settings.flush_seconds,
            )
            queue.start()
            self._queue = queue

    async def close(self) -> None:
        """Insert what is queued, then close the store."""
        async with self._lock:
            self._closed = True
            if self._queue is not None:
                await self._queue.stop()
                self._queue = None
            await self._store.close()
