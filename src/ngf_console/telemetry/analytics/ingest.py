"""Batched inserts with backpressure.

Accepted rows wait in memory, per table, until ``batch_rows`` of a table are waiting or the
oldest has waited ``flush_seconds``; one insert per table then takes them. The queue holds
at most ``capacity_rows`` (rows being inserted count too), and ``offer`` refuses a request
that would overflow it, whole (the receiver answers 429 with Retry-After).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from ngf_console.telemetry.analytics.backends import AnalyticsUnavailableError
from ngf_console.telemetry.analytics.otlp import MappedLogs
from ngf_console.telemetry.analytics.store import AnalyticsStore, QueryError
from ngf_console.telemetry.analytics.tables import RAW_TABLES

log = logging.getLogger(__name__)
_COLUMNS = {t.name: t.column_names for t in RAW_TABLES}
INSERT_ATTEMPTS = 3


class QueueFullError(Exception):
    """The queue cannot take the request now; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BatchTooLargeError(Exception):
    """One request holds more rows than the whole queue; it can never be accepted."""


@dataclass
class IngestStats:
    """Counters since start (rows)."""

    accepted: int = 0
    inserted: int = 0
    dropped: int = 0
    refused_full: int = 0


class IngestQueue:
    """Rows waiting to be inserted into the analytics store, and the task inserting them."""

    def __init__(
        self,
        store: AnalyticsStore,
        *,
        capacity_rows: int,
        batch_rows: int,
        flush_seconds: float,
    ) -> None:
        self.store = store
        self.capacity_rows = capacity_rows
        self.batch_rows = batch_rows
        self.flush_seconds = flush_seconds
        self.stats = IngestStats()
        self._waiting: dict[str, list[tuple[object, ...]]] = {}
        self._oldest: float | None = None
        self._pending = 0  # waiting + being inserted
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def pending_rows(self) -> int:
        """Rows accepted but not yet inserted (or dropped)."""
        return self._pending

    def offer(self, mapped: MappedLogs) -> None:
        """Accept every row of ``mapped`` or none (QueueFullError / BatchTooLargeError)."""
        count = mapped.row_count
        if count == 0:
            return
        if count > self.capacity_rows:
            raise BatchTooLargeError(
                f"{count} records in one request; at most {self.capacity_rows} are accepted"
            )
        if self._pending + count > self.capacity_rows:
            self.stats.refused_full += count
            raise QueueFullError(
                f"ingest queue full ({self._pending} of {self.capacity_rows} rows waiting)",
                retry_after=max(1, round(self.flush_seconds * 2)),
            )
        for table, rows in mapped.rows.items():
            self._waiting.setdefault(table, []).extend(rows)
        self._pending += count
        self.stats.accepted += count
        self._idle.clear()
        if self._oldest is None:
            self._oldest = time.monotonic()
        if any(len(rows) >= self.batch_rows for rows in self._waiting.values()):
            self._wake.set()

    def start(self) -> None:
        """Start the inserting task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="analytics-ingest")

    async def stop(self) -> None:
        """Insert what is waiting, then stop."""
        if self._task is None:
            return
        # A flag, not cancel(): asyncio.wait_for of 3.11 can swallow a cancellation that
        # arrives as the awaited event fires.
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=30)
        except TimeoutError:
            log.error("analytics ingest: %d rows not inserted at shutdown", self._pending)
            self._task.cancel()
        self._task = None

    async def flush(self) -> None:
        """Return once every row accepted so far is inserted (or dropped)."""
        self._wake.set()
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            timeout = self.flush_seconds
            if self._oldest is not None:
                timeout = max(0.0, self._oldest + self.flush_seconds - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            self._wake.clear()
            if self._waiting:
                batches, self._waiting, self._oldest = self._waiting, {}, None
                for table, rows in batches.items():
                    for start in range(0, len(rows), self.batch_rows):
                        await self._insert(table, rows[start : start + self.batch_rows])
            if self._pending == 0:
                self._idle.set()
            if self._stopping and not self._waiting:
                return

    async def _insert(self, table: str, rows: list[tuple[object, ...]]) -> None:
        for attempt in range(1, INSERT_ATTEMPTS + 1):
            try:
                await self.store.insert(table, _COLUMNS[table], rows)
                self.stats.inserted += len(rows)
                break
            except (QueryError, AnalyticsUnavailableError) as err:
                if attempt == INSERT_ATTEMPTS:
                    log.error("dropping %d rows for %s: %s", len(rows), table, err)
                    self.stats.dropped += len(rows)
                    break
                await asyncio.sleep(0.2 * attempt)
        self._pending -= len(rows)
