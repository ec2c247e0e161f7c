"""Canary rollouts: one active per route, due selection, conditional progress, history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest
from pydantic import ValidationError

from ngf_console.store import (
    CanaryRolloutInput,
    CanaryRolloutPatch,
    ConflictError,
    RolloutState,
    Store,
)

pytestmark = pytest.mark.anyio

STABLE = {"name": "web-v1", "port": 80}
CANARY = {"name": "web-v2", "port": 80}


def _spec(**overrides: Any) -> CanaryRolloutInput:
    values: dict[str, Any] = {
        "cluster": "default",
        "route_namespace": "prod",
        "route_name": "shop",
        "rule_index": 0,
        "stable_backend": STABLE,
        "canary_backend": CANARY,
        "steps": [5, 25, 50, 100],
        "interval_seconds": 60,
        "started_by": "alice@example.com",
        "original_backend_refs": [{**STABLE, "weight": 1}],
    }
    values.update(overrides)
    return CanaryRolloutInput.model_validate(values)


async def test_create_and_read_back(store: Store) -> None:
    created = await store.canary.create(_spec())
    assert created.state is RolloutState.PENDING and created.active
    assert created.current_step == 0 and created.history == []
    assert created.next_step_at is not None and created.next_step_at.tzinfo is not None
    assert created.route_key == "default/HTTPRoute/prod/shop"
    read = await store.canary.get(created.id)
    assert read == created
    assert read.original_backend_refs == [{"name": "web-v1", "port": 80, "weight": 1}]
    assert await store.canary.get(uuid.uuid4()) is None


async def test_one_active_rollout_per_route(store: Store) -> None:
    first = await store.canary.create(_spec())
    with pytest.raises(ConflictError, match="already has an active canary rollout"):
        await store.canary.create(_spec())
    # Another route, rule index aside, or another cluster is independent.
    await store.canary.create(_spec(route_name="cart"))
    await store.canary.create(_spec(cluster="east"))
    # A finished rollout frees the route.
    await store.canary.update(first.id, CanaryRolloutPatch(state=RolloutState.ROLLED_BACK))
    again = await store.canary.create(_spec())
    assert again.id != first.id


async def test_concurrent_starts_leave_one_active(store: Store) -> None:
    outcomes: list[str] = []

    async def start() -> None:
        try:
            await store.canary.create(_spec())
            outcomes.append("created")
        except ConflictError:
            outcomes.append("conflict")

    async with anyio.create_task_group() as group:
        for _ in range(4):
            group.start_soon(start)
    assert sorted(outcomes) == ["conflict"] * 3 + ["created"]


async def test_due_selects_pending_and_running_whose_time_has_come(store: Store) -> None:
    now = datetime.now(UTC)
    due_pending = await store.canary.create(_spec(route_name="a", next_step_at=now))
    later = await store.canary.create(
        _spec(route_name="b", next_step_at=now + timedelta(minutes=5))
    )
    paused = await store.canary.create(_spec(route_name="c", next_step_at=now))
    await store.canary.update(paused.id, CanaryRolloutPatch(state=RolloutState.PAUSED))
    running = await store.canary.create(
        _spec(route_name="d", next_step_at=now - timedelta(seconds=5))
    )
    await store.canary.update(running.id, CanaryRolloutPatch(state=RolloutState.RUNNING))

    due = await store.canary.due(now + timedelta(milliseconds=1))
    assert [r.id for r in due] == [running.id, due_pending.id]
    assert later.id in {r.id for r in await store.canary.due(now + timedelta(minutes=6))}


async def test_update_is_conditional_on_state_and_step(store: Store) -> None:
    created = await store.canary.create(_spec())
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    moved = await store.canary.update(
        created.id,
        CanaryRolloutPatch(state=RolloutState.RUNNING, current_step=1, next_step_at=at),
        expect_states={RolloutState.PENDING},
        expect_step=0,
        event={"event": "step", "step": 1, "weight": 5},
    )
    assert moved is not None and moved.current_step == 1 and moved.next_step_at == at
    assert [(e["event"], e["step"]) for e in moved.history] == [("step", 1)]
    assert datetime.fromisoformat(moved.history[0]["at"]).tzinfo is not None
    # A second writer that read step 0 loses.
    with pytest.raises(ConflictError, match="step 1, not 0"):
        await store.canary.update(created.id, CanaryRolloutPatch(current_step=1), expect_step=0)
    with pytest.raises(ConflictError, match="running"):
        await store.canary.update(
            created.id, CanaryRolloutPatch(), expect_states={RolloutState.PAUSED}
        )
    # An explicit null clears; unset fields stay.
    cleared = await store.canary.update(
        created.id, CanaryRolloutPatch(next_step_at=None, last_error="boom")
    )
    assert cleared is not None and cleared.next_step_at is None and cleared.current_step == 1
    assert cleared.last_error == "boom" and len(cleared.history) == 1
    assert await store.canary.update(uuid.uuid4(), CanaryRolloutPatch()) is None


async def test_list_filters_newest_first(store: Store) -> None:
    a = await store.canary.create(_spec(route_name="a"))
    b = await store.canary.create(_spec(route_name="b", route_namespace="dev"))
    c = await store.canary.create(_spec(route_name="c", cluster="east"))
    await store.canary.update(a.id, CanaryRolloutPatch(state=RolloutState.COMPLETED))
    listed = await store.canary.list_rollouts()
    assert {r.id for r in listed} == {a.id, b.id, c.id}
    assert [r.id for r in await store.canary.list_rollouts(cluster="east")] == [c.id]
    assert [r.id for r in await store.canary.list_rollouts(namespace="dev")] == [b.id]
    assert [r.id for r in await store.canary.list_rollouts(route_name="a")] == [a.id]
    active = await store.canary.list_rollouts(
        cluster="default", states={RolloutState.PENDING, RolloutState.RUNNING}
    )
    assert [r.id for r in active] == [b.id]


@pytest.mark.parametrize("steps", [[], [0, 50], [50, 25], [25, 25], [5, 101]], ids=str)
def test_steps_are_increasing_percentages(steps: list[int]) -> None:
    with pytest.raises(ValidationError):
        _spec(steps=steps)


def test_interval_is_at_least_a_second() -> None:
    with pytest.raises(ValidationError):
        _spec(interval_seconds=0)
