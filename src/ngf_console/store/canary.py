"""Canary rollouts: the weights of one route rule shifted from a stable backend to a canary
one in steps on a schedule (the API's canary runner applies them).

A rollout is *active* while pending, running or paused; at most one rollout per route is
active (a unique key that is cleared when a rollout finishes). Every state change can be
made conditional on the state and step the caller last saw (``expect_states``,
``expect_step``), so two writers (the runner and a request) cannot both advance a rollout.
The backends are stored as the route's ``backendRefs`` entries (JSON documents); what they
mean is the API's business.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Collection
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, Field, field_validator
from sqlalchemy.exc import IntegrityError

from ngf_console.store.documents import json_document
from ngf_console.store.errors import ConflictError
from ngf_console.store.models import CanaryRolloutRow, utcnow
from ngf_console.store.session import Database

MAX_STEPS = 100
MAX_INTERVAL_SECONDS = 7 * 24 * 3600


class RolloutState(StrEnum):
    """Where a rollout is: active (pending, running, paused) or finished."""

    PENDING = "pending"  # created; no weight changed yet
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"  # every step applied (or promoted)
    ABORTED = "aborted"  # stopped; the rollback could not be applied (see last_error)
    ROLLED_BACK = "rolled_back"  # stopped and the original weights restored


ACTIVE_STATES = frozenset({RolloutState.PENDING, RolloutState.RUNNING, RolloutState.PAUSED})


class CanaryRolloutInput(BaseModel):
    """What starting a rollout records."""

    cluster: str = Field(min_length=1, max_length=63)
    route_kind: str = Field(default="HTTPRoute", min_length=1, max_length=50)
    route_namespace: str = Field(min_length=1, max_length=255)
    route_name: str = Field(min_length=1, max_length=255)
    rule_index: int = Field(ge=0)
    stable_backend: dict[str, Any]
    canary_backend: dict[str, Any]
    steps: list[int] = Field(min_length=1, max_length=MAX_STEPS)
    interval_seconds: int = Field(ge=1, le=MAX_INTERVAL_SECONDS)
    started_by: str = Field(min_length=1, max_length=255)
    original_backend_refs: list[dict[str, Any]]
    next_step_at: AwareDatetime | None = Field(
        default=None, description="When the first step is due (default: now)."
    )

    @field_validator("steps")
    @classmethod
    def _increasing_percentages(cls, steps: list[int]) -> list[int]:
        if any(not 1 <= s <= 100 for s in steps):
            raise ValueError("every step is a canary weight from 1 to 100")
        if any(b <= a for a, b in itertools.pairwise(steps)):
            raise ValueError("steps must increase strictly")
        return steps


class CanaryRollout(CanaryRolloutInput):
    """A stored rollout. ``current_step`` counts the steps applied (0: none yet)."""

    id: uuid.UUID
    state: RolloutState
    current_step: int
    last_error: str | None
    finished_at: datetime | None
    history: list[dict[str, Any]] = Field(
        description="One entry per step or control action, oldest first."
    )
    created_at: datetime
    updated_at: datetime

    @property
    def active(self) -> bool:
        """Pending, running or paused."""
        return self.state in ACTIVE_STATES

    @property
    def route_key(self) -> str:
        """``cluster/kind/namespace/name`` of the route."""
        return f"{self.cluster}/{self.route_kind}/{self.route_namespace}/{self.route_name}"


class CanaryRolloutPatch(BaseModel):
    """A change of a rollout's progress; only the fields set are written."""

    state: RolloutState | None = None
    current_step: int | None = Field(default=None, ge=0)
    next_step_at: AwareDatetime | None = None
    last_error: str | None = None
    finished_at: AwareDatetime | None = None


def _active_key(cluster: str, kind: str, namespace: str, name: str) -> str:
    return f"{cluster}/{kind}/{namespace}/{name}"


def _rollout(row: CanaryRolloutRow) -> CanaryRollout:
    return CanaryRollout(
        id=row.id,
        cluster=row.cluster,
        route_kind=row.route_kind,
        route_namespace=row.route_namespace,
        route_name=row.route_name,
        rule_index=row.rule_index,
        stable_backend=row.stable_backend,
        canary_backend=row.canary_backend,
        steps=list(row.steps),
        interval_seconds=row.interval_seconds,
        started_by=row.started_by,
        original_backend_refs=row.original_backend_refs,
        next_step_at=row.next_step_at,
        state=RolloutState(row.state),
        current_step=row.current_step,
        last_error=row.last_error,
        finished_at=row.finished_at,
        history=list(row.history),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class CanaryRollouts:
    """Starting, reading and advancing canary rollouts."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, spec: CanaryRolloutInput) -> CanaryRollout:
        """Store a new pending rollout; ``ConflictError`` if the route has an active one."""
        row = CanaryRolloutRow(
            cluster=spec.cluster,
            route_kind=spec.route_kind,
            route_namespace=spec.route_namespace,
            route_name=spec.route_name,
            rule_index=spec.rule_index,
            stable_backend=json_document(spec.stable_backend),
            canary_backend=json_document(spec.canary_backend),
            steps=list(spec.steps),
            interval_seconds=spec.interval_seconds,
            current_step=0,
            state=RolloutState.PENDING.value,
            started_by=spec.started_by,
            next_step_at=spec.next_step_at or utcnow(),
            original_backend_refs=[json_document(r) for r in spec.original_backend_refs],
            history=[],
            active_key=_active_key(
                spec.cluster, spec.route_kind, spec.route_namespace, spec.route_name
            ),
        )
        try:
            async with self._db.write() as session:
                session.add(row)
                await session.flush()
                return _rollout(row)
        except IntegrityError as error:
            raise ConflictError(
                f"{spec.route_kind} {spec.route_namespace}/{spec.route_name} already has an "
                "active canary rollout"
            ) from error

    async def get(self, rollout_id: uuid.UUID) -> CanaryRollout | None:
        """The rollout with ``rollout_id``, or None."""
        async with self._db.read() as session:
            row = await session.get(CanaryRolloutRow, rollout_id)
            return _rollout(row) if row else None

    async def list_rollouts(
        self,
        *,
        cluster: str | None = None,
        namespace: str | None = None,
        route_name: str | None = None,
        states: Collection[RolloutState] | None = None,
    ) -> list[CanaryRollout]:
        """Rollouts matching every given filter, newest first."""
        query = sa.select(CanaryRolloutRow).order_by(
            CanaryRolloutRow.created_at.desc(), CanaryRolloutRow.id
        )
        if cluster is not None:
            query = query.where(CanaryRolloutRow.cluster == cluster)
        if namespace is not None:
            query = query.where(CanaryRolloutRow.route_namespace == namespace)
        if route_name is not None:
            query = query.where(CanaryRolloutRow.route_name == route_name)
        if states is not None:
            query = query.where(CanaryRolloutRow.state.in_([s.value for s in states]))
        async with self._db.read() as session:
            return [_rollout(row) for row in await session.scalars(query)]

    async def due(self, now: datetime, *, limit: int = 50) -> list[CanaryRollout]:
        """Pending or running rollouts whose next step is due at ``now``, oldest due first."""
        query = (
            sa.select(CanaryRolloutRow)
            .where(
                CanaryRolloutRow.state.in_([RolloutState.PENDING, RolloutState.RUNNING]),
                CanaryRolloutRow.next_step_at <= now,
            )
            .order_by(CanaryRolloutRow.next_step_at, CanaryRolloutRow.id)
            .limit(limit)
        )
        async with self._db.read() as session:
            return [_rollout(row) for row in await session.scalars(query)]

    async def update(
        self,
        rollout_id: uuid.UUID,
        changes: CanaryRolloutPatch,
        *,
        expect_states: Collection[RolloutState] | None = None,
        expect_step: int | None = None,
        event: dict[str, Any] | None = None,
    ) -> CanaryRollout | None:
        """Apply ``changes`` (and append ``event`` to the history); None when there is no
        such rollout.

        Raises ``ConflictError`` when the rollout is no longer in one of ``expect_states``
        or at ``expect_step``: someone else moved it since the caller read it. A finished
        state frees the route for a new rollout.
        """
        async with self._db.write() as session:
            row = await session.get(CanaryRolloutRow, rollout_id, with_for_update=True)
            if row is None:
                return None
            if expect_states is not None and row.state not in {s.value for s in expect_states}:
                raise ConflictError(f"the rollout is {row.state}")
            if expect_step is not None and row.current_step != expect_step:
                raise ConflictError(f"the rollout is at step {row.current_step}, not {expect_step}")
            for key, value in changes.model_dump(exclude_unset=True).items():
                setattr(row, key, value.value if isinstance(value, RolloutState) else value)
            if row.state not in ACTIVE_STATES:
                row.active_key = None
            if event is not None:
                # A new list: SQLAlchemy does not see in-place changes of a JSON column.
                row.history = [*row.history, json_document({"at": utcnow(), **event})]
            await session.flush()
            return _rollout(row)
