"""The canary runner: applies due steps of canary rollouts to their routes, in the background
of the API server, and carries out the control actions (pause, resume, abort, promote).

Every second it asks the config DB for rollouts whose next step is due and, for each, under
a per-rollout lock shared with the control actions:

1. reads the route from the API server (not the cache, which may lag) and computes the
   rule's backendRefs at the step's weight (:mod:`ngf_console.api.canary_weights`);
2. writes them with the route's resourceVersion, re-reading and retrying on a 409 (someone
   edited the route meanwhile; their edit is kept), unless the rule already has them;
3. records one audit row for the step (unless one already exists for that rollout and
   step), in the name of the user who started the rollout;
4. advances the rollout in the DB, conditionally on the step it read.

State lives in the DB, so a restarted API server resumes where the last one stopped. A
step interrupted after its write and before step 4 is found already applied by step 2 and
is not written again. Errors that retrying cannot fix (the route or its stable backend is
gone, the API server refuses the write) pause the rollout with ``last_error``; others
(API server unreachable, conflicts that keep coming) are retried a few seconds later.

The runner writes with the console's own credentials: in kubernetes auth mode the user who
starts or controls a rollout is checked (SubjectAccessReview) at the request, not at each
step. One API server replica should run rollouts at a time: replicas would not write a
step twice (step 4 is conditional, step 2 idempotent) but would race on the audit row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import HTTPException
from lightkube import AsyncClient

from ngf_console.api import kube_io
from ngf_console.api.canary_weights import (
    NextStep,
    Obj,
    RuleShapeError,
    next_step,
    rule_refs,
    split_refs,
    with_rule_refs,
)
from ngf_console.kube.clusters import ClusterRegistry, UnknownClusterError
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import served_type
from ngf_console.store import (
    ACTIVE_STATES,
    CanaryRollout,
    CanaryRolloutPatch,
    ConflictError,
    RolloutState,
    Store,
)
from ngf_console.store.models import utcnow

log = logging.getLogger(__name__)

GATEWAY_GROUP = "gateway.networking.k8s.io"
ROUTE_PLURALS = {"HTTPRoute": "httproutes", "GRPCRoute": "grpcroutes"}
STEP_ACTION = "canary-step"
RUNNER_ACTOR = "canary-runner"
CONFLICT_ATTEMPTS = 5
RETRY_SECONDS = 5.0
DUE = frozenset({RolloutState.PENDING, RolloutState.RUNNING})

TargetRefs = Callable[[list[Obj]], list[Obj]]


def route_type(kind: str) -> ResourceType:
    """The served type of a route kind a rollout can shift (HTTPRoute, GRPCRoute)."""
    return served_type(ROUTE_PLURALS[kind], GATEWAY_GROUP)


class StepError(Exception):
    """A write of a rollout's weights failed; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class WriteOutcome:
    """The route before and after a write of weights; ``wrote`` False when the rule already
    had them (nothing was sent)."""

    previous: Obj
    current: Obj
    wrote: bool
    conflicts: int = 0


def _detail(err: HTTPException) -> str:
    detail = err.detail
    if isinstance(detail, dict):
        return str(detail.get("message") or detail)
    return str(detail)


async def write_rule_refs(
    client: AsyncClient,
    rollout: CanaryRollout,
    target: TargetRefs,
    *,
    seen: Obj | None = None,
    attempts: int = CONFLICT_ATTEMPTS,
) -> WriteOutcome:
    """Give the rollout's rule the backendRefs ``target`` computes from the current ones.

    ``seen`` is a copy of the route read earlier, tried first (a stale one meets a 409 and
    is re-read). Raises :class:`StepError`.
    """
    t = route_type(rollout.route_kind)
    label = f"{rollout.route_kind} {rollout.route_namespace}/{rollout.route_name}"
    for attempt in range(attempts):
        try:
            route = seen or await kube_io.read(
                client, t, rollout.route_namespace, rollout.route_name
            )
        except HTTPException as err:
            raise StepError(f"reading {label}: {_detail(err)}", permanent=False) from err
        seen = None
        if route is None:
            raise StepError(f"{label} no longer exists", permanent=True)
        try:
            refs = rule_refs(route, rollout.rule_index)
            wanted = target(refs)
        except RuleShapeError as err:
            raise StepError(f"{label}: {err}", permanent=True) from err
        if refs == wanted:
            return WriteOutcome(route, route, wrote=False, conflicts=attempt)
        body = with_rule_refs(route, rollout.rule_index, wanted)
        try:
            written = await kube_io.replace(client, t, body, dry_run=False)
        except HTTPException as err:
            if err.status_code == 409:
                continue  # edited meanwhile: read it again and recompute on top of the edit
            permanent = err.status_code < 500 and err.status_code != 429
            raise StepError(f"writing {label}: {_detail(err)}", permanent=permanent) from err
        return WriteOutcome(route, written, wrote=True, conflicts=attempt)
    raise StepError(f"{label} kept changing: {attempts} conflicting writes", permanent=False)


def step_target(rollout: CanaryRollout, weight: int) -> TargetRefs:
    """The rule's refs with the canary at ``weight`` percent."""

    def target(refs: list[Obj]) -> list[Obj]:
        return split_refs(
            refs, rollout.stable_backend, rollout.canary_backend, rollout.route_namespace, weight
        )

    return target


def rollback_target(rollout: CanaryRollout) -> TargetRefs:
    """The rule's refs as they were when the rollout started."""
    original = [dict(r) for r in rollout.original_backend_refs]
    return lambda _refs: original


@dataclass(frozen=True)
class ControlOutcome:
    """What a control action did: the rollout after it, and the route write if there was
    one (for the audit row)."""

    rollout: CanaryRollout
    write: WriteOutcome | None = None


class RolloutStateError(Exception):
    """The control action does not apply to the rollout in its current state (a 409)."""


class CanaryRunner:
    """Applies due rollout steps every ``tick_seconds``; see the module docstring."""

    def __init__(
        self,
        store: Store,
        clusters: ClusterRegistry,
        *,
        tick_seconds: float = 1.0,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._store = store
        self._clusters = clusters
        self._tick = tick_seconds
        self._retry = retry_seconds
        self._locks: dict[uuid.UUID, asyncio.Lock] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        """Start the background loop."""
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="canary-runner")

    async def stop(self) -> None:
        """Let the step in progress finish (briefly), then stop the loop."""
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=10)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
            except Exception:  # the loop must outlive any one bad rollout or DB hiccup
                log.exception("canary runner tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._tick)

    def _lock(self, rollout_id: uuid.UUID) -> asyncio.Lock:
        return self._locks.setdefault(rollout_id, asyncio.Lock())

    def _release(self, rollout: CanaryRollout) -> None:
        if not rollout.active:
            self._locks.pop(rollout.id, None)

    async def tick(self, now: datetime | None = None) -> int:
        """Apply every due step once; the number of steps applied."""
        applied = 0
        for rollout in await self._store.canary.due(now or utcnow()):
            if self._stopping.is_set():
                break
            if await self.apply_due_step(rollout.id, now):
                applied += 1
        return applied

    def _client(self, rollout: CanaryRollout) -> AsyncClient:
        try:
            return self._clusters.get(rollout.cluster).client
        except UnknownClusterError as err:
            raise StepError(
                f"cluster {rollout.cluster!r} is not configured", permanent=True
            ) from err

    async def apply_due_step(self, rollout_id: uuid.UUID, now: datetime | None = None) -> bool:
        """Apply the rollout's next step if it is (still) due; True when one was applied."""
        async with self._lock(rollout_id):
            now = now or utcnow()
            rollout = await self._store.canary.get(rollout_id)
            if rollout is None or rollout.state not in DUE:
                return False
            if rollout.next_step_at is None or rollout.next_step_at > now:
                return False
            step = next_step(rollout.steps, rollout.current_step)
            if step is None:  # all applied, but not marked completed: finish it
                await self._finish(rollout, now)
                return False
            try:
                outcome = await write_rule_refs(
                    self._client(rollout), rollout, step_target(rollout, step.weight)
                )
            except StepError as err:
                await self._failed(rollout, err, now)
                return False
            audit_id = await self._audit_step(rollout, step, outcome)
            await self._advanced(rollout, step, outcome, audit_id, now)
            return True

    async def _audit_step(
        self, rollout: CanaryRollout, step: NextStep, outcome: WriteOutcome
    ) -> int | None:
        if not outcome.wrote and await self._step_audited(rollout, step.number):
            return None
        user = await self._store.users.get_or_create(rollout.started_by, email=rollout.started_by)
        entry = await self._store.audit.record(
            user_id=user.id,
            action=STEP_ACTION,
            kind=rollout.route_kind,
            namespace=rollout.route_namespace,
            name=rollout.route_name,
            previous=outcome.previous,
            new=outcome.current,
            metadata={
                "cluster": rollout.cluster,
                "canary": str(rollout.id),
                "step": step.number,
                "weight": step.weight,
                "actor": RUNNER_ACTOR,
                "wrote": outcome.wrote,
            },
        )
        return entry.id

    async def _step_audited(self, rollout: CanaryRollout, number: int) -> bool:
        page = await self._store.audit.list_entries(
            kind=rollout.route_kind,
            namespace=rollout.route_namespace,
            name=rollout.route_name,
            action=STEP_ACTION,
            limit=100,
        )
        return any(
            e.metadata.get("canary") == str(rollout.id) and e.metadata.get("step") == number
            for e in page.entries
        )

    async def _advanced(
        self,
        rollout: CanaryRollout,
        step: NextStep,
        outcome: WriteOutcome,
        audit_id: int | None,
        now: datetime,
    ) -> None:
        changes = CanaryRolloutPatch(
            state=RolloutState.COMPLETED if step.last else RolloutState.RUNNING,
            current_step=step.number,
            next_step_at=None if step.last else now + timedelta(seconds=rollout.interval_seconds),
            last_error=None,
        )
        if step.last:
            changes.finished_at = now
        try:
            updated = await self._store.canary.update(
                rollout.id,
                changes,
                expect_states=DUE,
                expect_step=rollout.current_step,
                event={
                    "event": "step",
                    "step": step.number,
                    "weight": step.weight,
                    "wrote": outcome.wrote,
                    "conflicts": outcome.conflicts,
                    "audit_id": audit_id,
                },
            )
        except ConflictError:
            log.warning("canary %s moved while its step %d was applied", rollout.id, step.number)
            return
        if updated is not None:
            self._release(updated)

    async def _finish(self, rollout: CanaryRollout, now: datetime) -> None:
        with contextlib.suppress(ConflictError):
            await self._store.canary.update(
                rollout.id,
                CanaryRolloutPatch(
                    state=RolloutState.COMPLETED, next_step_at=None, finished_at=now
                ),
                expect_states=DUE,
            )

    async def _failed(self, rollout: CanaryRollout, err: StepError, now: datetime) -> None:
        log.warning("canary %s: %s", rollout.id, err)
        changes = CanaryRolloutPatch(last_error=str(err))
        if err.permanent:
            changes.state = RolloutState.PAUSED
            changes.next_step_at = None
        else:
            changes.next_step_at = now + timedelta(seconds=self._retry)
        with contextlib.suppress(ConflictError):
            await self._store.canary.update(
                rollout.id,
                changes,
                expect_states=DUE,
                expect_step=rollout.current_step,
                event={"event": "paused" if err.permanent else "retry", "error": str(err)},
            )

    # Control actions (the routes audit them; they hold the same lock as a step).

    async def _active(
        self, rollout_id: uuid.UUID, allowed: Sequence[RolloutState]
    ) -> CanaryRollout:
        rollout = await self._store.canary.get(rollout_id)
        if rollout is None:
            raise LookupError(f"no canary rollout {rollout_id}")
        if rollout.state not in allowed:
            raise RolloutStateError(f"the rollout is {rollout.state.value}")
        return rollout

    async def _update(
        self,
        rollout: CanaryRollout,
        changes: CanaryRolloutPatch,
        allowed: Sequence[RolloutState],
        event: Mapping[str, Any],
    ) -> CanaryRollout:
        try:
            updated = await self._store.canary.update(
                rollout.id, changes, expect_states=allowed, event=dict(event)
            )
        except ConflictError as err:
            raise RolloutStateError(str(err)) from err
        if updated is None:
            raise LookupError(f"no canary rollout {rollout.id}")
        self._release(updated)
        return updated

    async def pause(self, rollout_id: uuid.UUID, actor: str) -> ControlOutcome:
        """Stop applying steps until resumed (the weights stay where they are)."""
        allowed = (RolloutState.PENDING, RolloutState.RUNNING)
        async with self._lock(rollout_id):
            rollout = await self._active(rollout_id, allowed)
            changes = CanaryRolloutPatch(state=RolloutState.PAUSED, next_step_at=None)
            event = {"event": "pause", "by": actor}
            return ControlOutcome(await self._update(rollout, changes, allowed, event))

    async def resume(self, rollout_id: uuid.UUID, actor: str) -> ControlOutcome:
        """Continue a paused rollout: its next step is due at once."""
        allowed = (RolloutState.PAUSED,)
        async with self._lock(rollout_id):
            rollout = await self._active(rollout_id, allowed)
            state = RolloutState.RUNNING if rollout.current_step else RolloutState.PENDING
            changes = CanaryRolloutPatch(state=state, next_step_at=utcnow(), last_error=None)
            event = {"event": "resume", "by": actor}
            return ControlOutcome(await self._update(rollout, changes, allowed, event))

    async def promote(self, rollout_id: uuid.UUID, actor: str) -> ControlOutcome:
        """Give the canary all the traffic now and complete the rollout.

        Raises :class:`StepError` when the route cannot be written (the rollout is left as
        it was).
        """
        allowed = tuple(ACTIVE_STATES)
        async with self._lock(rollout_id):
            rollout = await self._active(rollout_id, allowed)
            write = await write_rule_refs(self._client(rollout), rollout, step_target(rollout, 100))
            now = utcnow()
            changes = CanaryRolloutPatch(
                state=RolloutState.COMPLETED,
                current_step=len(rollout.steps),
                next_step_at=None,
                finished_at=now,
                last_error=None,
            )
            event = {"event": "promote", "by": actor, "weight": 100, "wrote": write.wrote}
            return ControlOutcome(await self._update(rollout, changes, allowed, event), write)

    async def abort(self, rollout_id: uuid.UUID, actor: str) -> ControlOutcome:
        """Stop the rollout and restore the rule's original backendRefs.

        The rollout is ``rolled_back`` when the restore was written, ``aborted`` (with
        ``last_error``) when it could not be.
        """
        allowed = tuple(ACTIVE_STATES)
        async with self._lock(rollout_id):
            rollout = await self._active(rollout_id, allowed)
            now = utcnow()
            stopped = await self._update(
                rollout,
                CanaryRolloutPatch(state=RolloutState.ABORTED, next_step_at=None, finished_at=now),
                allowed,
                {"event": "abort", "by": actor},
            )
            try:
                write = await write_rule_refs(
                    self._client(stopped), stopped, rollback_target(stopped)
                )
            except StepError as err:
                failed = await self._store.canary.update(
                    stopped.id,
                    CanaryRolloutPatch(last_error=f"rollback failed: {err}"),
                    event={"event": "rollback-failed", "error": str(err)},
                )
                return ControlOutcome(failed or stopped)
            rolled_back = await self._store.canary.update(
                stopped.id,
                CanaryRolloutPatch(state=RolloutState.ROLLED_BACK, last_error=None),
                event={"event": "rolled-back", "wrote": write.wrote},
            )
            return ControlOutcome(rolled_back or stopped, write)
