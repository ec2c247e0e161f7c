"""A rate-limited work queue with a fixed pool of workers, in the manner of client-go's.

Handlers only *enqueue* keys; workers reconcile them. That bounds how many passes run at
once (the API server is not flooded), collapses bursts of triggers for one key into one
pass, never runs two passes of the same key at once, and retries failures with a per-key
exponential back-off instead of holding a coroutine (and the event body it was given) per
pending trigger.

The semantics:
- a key added while queued is not queued twice;
- a key added while a worker processes it is queued again once that pass ends (the pass
  may have read state older than the trigger);
- a failed pass is retried after ``base_delay * 2**(failures-1)`` seconds (capped); the
  count resets on success;
- urgent keys (a child was deleted, a spec changed) go before background ones (the periodic
  resync), so a heal does not wait behind a resync of every parent; a background key
  added again as urgent moves up.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)


class RetryAfter(Exception):  # noqa: N818 — a signal, not an error condition
    """Raised by a worker function to retry its key after ``delay`` seconds."""

    def __init__(self, message: str, delay: float) -> None:
        super().__init__(message)
        self.delay = delay


class WorkQueue(Generic[K]):
    """Keys to process, processed by ``workers`` concurrent calls of ``process``."""

    def __init__(
        self,
        process: Callable[[K], Awaitable[None]],
        *,
        workers: int = 8,
        base_delay: float = 0.25,
        max_delay: float = 30.0,
    ) -> None:
        self._process = process
        self._workers = workers
        self._base_delay = base_delay
        self._max_delay = max_delay
        # Each live entry of the two deques holds one release of ``_items``; an entry left
        # behind by a promotion to urgent holds none and is skipped.
        self._urgent: deque[K] = deque()
        self._background: deque[K] = deque()
        self._items = asyncio.Semaphore(0)
        self._queued: dict[K, bool] = {}  # key -> queued as urgent
        self._active: set[K] = set()
        self._again: dict[K, bool] = {}
        self._failures: dict[K, int] = {}
        self._timers: dict[K, asyncio.TimerHandle] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def __len__(self) -> int:
        """Keys waiting (queued, or waiting to be queued again after the current pass)."""
        return len(self._queued) + len(self._again)

    @property
    def active(self) -> int:
        """Keys being processed right now."""
        return len(self._active)

    def add(self, key: K, *, urgent: bool = True) -> None:
        """Process ``key`` soon (once, however often it is added before a worker takes it)."""
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        if key in self._active:
            self._again[key] = self._again.get(key, False) or urgent
            return
        queued_urgent = self._queued.get(key)
        if queued_urgent is not None and (queued_urgent or not urgent):
            return
        self._queued[key] = urgent
        (self._urgent if urgent else self._background).append(key)
        if queued_urgent is None:
            self._items.release()

    def _next(self) -> K:
        """The next live entry, urgent ones first (one is there: a release was acquired)."""
        while True:
            urgent = bool(self._urgent)
            key = self._urgent.popleft() if urgent else self._background.popleft()
            if self._queued.get(key) is urgent:
                del self._queued[key]
                return key

    def add_after(self, key: K, delay: float) -> None:
        """Process ``key`` in ``delay`` seconds (an earlier :meth:`add` wins)."""
        if key in self._queued or key in self._timers:
            return
        loop = asyncio.get_running_loop()
        self._timers[key] = loop.call_later(delay, self._fire, key)

    def forget(self, key: K) -> None:
        """Drop a pending retry of ``key`` and its failure count (the object is gone)."""
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        self._failures.pop(key, None)

    def _fire(self, key: K) -> None:
        self._timers.pop(key, None)
        self.add(key)

    def start(self) -> None:
        """Start the workers (on the running event loop)."""
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._work(), name=f"workqueue-{i}")
                for i in range(self._workers)
            ]

    async def stop(self) -> None:
        """Stop the workers; passes in flight are cancelled."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    async def _work(self) -> None:
        while True:
            await self._items.acquire()
            key = self._next()
            self._active.add(key)
            try:
                await self._process(key)
            except asyncio.CancelledError:
                raise
            except RetryAfter as retry:
                log.info("retrying %s in %.1fs: %s", key, retry.delay, retry)
                self._schedule_retry(key, retry.delay)
            except Exception:
                failures = self._failures.get(key, 0) + 1
                self._failures[key] = failures
                delay = min(self._max_delay, self._base_delay * 2 ** (failures - 1))
                log.exception("%s failed (attempt %d); retry in %.1fs", key, failures, delay)
                self._schedule_retry(key, delay)
            else:
                self._failures.pop(key, None)
            finally:
                self._active.discard(key)
                if key in self._again:
                    self.add(key, urgent=self._again.pop(key))

    def _schedule_retry(self, key: K, delay: float) -> None:
        if key in self._again:
            return  # a newer trigger already asks for a pass right away
        self.add_after(key, delay)
