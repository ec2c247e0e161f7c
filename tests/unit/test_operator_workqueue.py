"""The operator's work queue: dedupe, no overlapping passes per key, retries, bounded workers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from ngf_console.operator.workqueue import RetryAfter, WorkQueue


async def _until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.005)


def _run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(test())


def test_keys_added_before_a_worker_takes_them_are_processed_once() -> None:
    calls: list[str] = []

    async def process(key: str) -> None:
        calls.append(key)

    async def test() -> None:
        queue: WorkQueue[str] = WorkQueue(process, workers=2)
        for _ in range(5):
            queue.add("a")
        queue.add("b")
        queue.start()
        await _until(lambda: len(calls) == 2 and not queue.active and not len(queue))
        await asyncio.sleep(0.05)
        await queue.stop()

    _run(test)
    assert sorted(calls) == ["a", "b"]


def test_a_key_added_during_its_pass_runs_again_after_it_never_concurrently() -> None:
    running: set[str] = set()
    overlaps = 0
    calls = 0

    async def test() -> None:
        nonlocal overlaps, calls
        gate = asyncio.Event()

        async def process(key: str) -> None:
            nonlocal overlaps, calls
            calls += 1
            if key in running:
                overlaps += 1
            running.add(key)
            if calls == 1:
                await gate.wait()
            running.discard(key)

        queue: WorkQueue[str] = WorkQueue(process, workers=4)
        queue.start()
        queue.add("a")
        await _until(lambda: queue.active == 1)
        queue.add("a")  # arrives while "a" is processed
        queue.add("a")
        await asyncio.sleep(0.05)
        assert calls == 1  # not started beside the running pass
        gate.set()
        await _until(lambda: calls == 2 and not queue.active)
        await asyncio.sleep(0.05)
        await queue.stop()

    _run(test)
    assert calls == 2
    assert overlaps == 0


def test_failures_are_retried_with_backoff_and_success_resets() -> None:
    attempts: list[float] = []

    async def test() -> None:
        loop = asyncio.get_running_loop()

        async def process(key: str) -> None:
            attempts.append(loop.time())
            if len(attempts) < 3:
                raise RuntimeError("API server unavailable")

        queue: WorkQueue[str] = WorkQueue(process, workers=1, base_delay=0.05, max_delay=1)
        queue.start()
        queue.add("a")
        await _until(lambda: len(attempts) == 3, within=5)
        await asyncio.sleep(0.2)
        await queue.stop()

    _run(test)
    assert len(attempts) == 3  # no retry after the success
    first_gap, second_gap = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert first_gap >= 0.04
    assert second_gap >= 0.09  # doubled


def test_retry_after_uses_the_requested_delay() -> None:
    attempts: list[float] = []

    async def test() -> None:
        loop = asyncio.get_running_loop()

        async def process(key: str) -> None:
            attempts.append(loop.time())
            if len(attempts) == 1:
                raise RetryAfter("not readable yet", delay=0.2)

        queue: WorkQueue[str] = WorkQueue(process, workers=1, base_delay=0.01)
        queue.start()
        queue.add("a")
        await _until(lambda: len(attempts) == 2)
        await queue.stop()

    _run(test)
    assert attempts[1] - attempts[0] >= 0.19


def test_a_new_trigger_preempts_a_scheduled_retry() -> None:
    attempts = 0

    async def test() -> None:
        nonlocal attempts

        async def process(key: str) -> None:
            nonlocal attempts
            attempts += 1
            if attempts == 1:
                raise RetryAfter("later", delay=30)

        queue: WorkQueue[str] = WorkQueue(process, workers=1)
        queue.start()
        queue.add("a")
        await _until(lambda: attempts == 1 and not queue.active)
        queue.add("a")  # e.g. a child event: run now, not in 30 s
        await _until(lambda: attempts == 2)
        await queue.stop()

    _run(test)
    assert attempts == 2


def test_forget_cancels_a_pending_retry() -> None:
    attempts = 0

    async def test() -> None:
        nonlocal attempts

        async def process(key: str) -> None:
            nonlocal attempts
            attempts += 1
            raise RetryAfter("later", delay=0.1)

        queue: WorkQueue[str] = WorkQueue(process, workers=1)
        queue.start()
        queue.add("a")
        await _until(lambda: attempts == 1 and not queue.active)
        queue.forget("a")  # the parent was deleted
        await asyncio.sleep(0.3)
        await queue.stop()

    _run(test)
    assert attempts == 1


@pytest.mark.parametrize("workers", [1, 3])
def test_at_most_workers_passes_run_at_once(workers: int) -> None:
    peak = 0
    current = 0

    async def process(key: int) -> None:
        nonlocal peak, current
        current += 1
        peak = max(peak, current)
        await asyncio.sleep(0.01)
        current -= 1

    async def test() -> None:
        queue: WorkQueue[int] = WorkQueue(process, workers=workers)
        queue.start()
        for key in range(20):
            queue.add(key)
        await _until(lambda: not len(queue) and not queue.active)
        await queue.stop()

    _run(test)
    assert peak == workers


def test_urgent_keys_go_before_background_ones_and_a_background_key_can_be_promoted() -> None:
    order: list[str] = []

    async def test() -> None:
        gate = asyncio.Event()

        async def process(key: str) -> None:
            if key == "block":
                await gate.wait()
            order.append(key)

        queue: WorkQueue[str] = WorkQueue(process, workers=1)
        queue.start()
        queue.add("block")
        await _until(lambda: queue.active == 1)
        for key in ("resync-1", "resync-2", "resync-3"):
            queue.add(key, urgent=False)
        queue.add("heal")
        queue.add("resync-3")  # a child event for a parent waiting for its resync
        queue.add("resync-1", urgent=False)  # already queued: no second pass
        gate.set()
        await _until(lambda: len(order) == 5)
        await asyncio.sleep(0.05)
        await queue.stop()

    _run(test)
    assert order == ["block", "heal", "resync-3", "resync-1", "resync-2"]
