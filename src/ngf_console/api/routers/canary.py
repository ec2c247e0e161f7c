"""Canary rollouts (issue 6): shift a route rule's weights from a stable backend to a canary
one in steps on a schedule, with pause, resume, abort (roll back) and promote.

- ``POST /canary``: start one (the route, its rule and the backends must be in the cache;
  409 while the route has an active rollout). The runner applies the first step within a
  second, then one step per interval (:mod:`ngf_console.api.canary_runner`).
- ``GET /canary`` (``?namespace=&name=&state=``) and ``GET /canary/{id}``.
- ``POST /canary/{id}/pause|resume|abort|promote``.

Authorisation: starting and controlling a rollout need write on the route's kind
(httproutes, grpcroutes) in its namespace, reading one needs read there. A rollout id that
does not exist is checked as if cluster-wide, so that a caller bound to some namespaces
learns nothing from 404 versus 403. Every start and control action is audited: those that
write the route as a change of the route (revertible), the others as a change of the
``CanaryRollout`` record (its state before and after). The runner audits each step itself.
"""

# No ``from __future__ import annotations``: FastAPI must see the Annotated dependencies.
import uuid
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import HTTPConnection

from ngf_console.api import audit_trail
from ngf_console.api.auth import Action, Guard, ResourceRef, from_body, get_guard, require
from ngf_console.api.canary_runner import (
    CanaryRunner,
    ControlOutcome,
    RolloutStateError,
    StepError,
    route_type,
)
from ngf_console.api.canary_weights import (
    RuleShapeError,
    backend_key,
    check_rule,
    find_stable,
    rule_refs,
)
from ngf_console.api.cluster_reads import cached_object
from ngf_console.api.routers.listing import readable
from ngf_console.api.state import ClusterDep, StoreDep, get_state
from ngf_console.kube.served_types import served_type
from ngf_console.store import (
    CanaryRollout,
    CanaryRolloutInput,
    ConflictError,
    RolloutState,
    Store,
)

__all__ = ["router"]

GATEWAY_GROUP: Final = "gateway.networking.k8s.io"
HTTPROUTES: Final = ResourceRef(GATEWAY_GROUP, "httproutes")
ROLLOUT_KIND: Final = "CanaryRollout"
RouteKind = Literal["HTTPRoute", "GRPCRoute"]
DEFAULT_STEPS: Final = (5, 25, 50, 100)


def _ref(kind: str) -> ResourceRef:
    t = route_type(kind)
    return ResourceRef(t.group, t.plural)


class BackendRefBody(BaseModel):
    """A backend as a route's ``backendRefs`` names it (a Service by default)."""

    model_config = ConfigDict(extra="forbid")

    group: str = ""
    kind: str = "Service"
    name: str = Field(min_length=1, max_length=253)
    namespace: str | None = Field(default=None, description="Default: the route's namespace.")
    port: int | None = Field(default=None, ge=1, le=65535)

    def as_ref(self) -> dict[str, Any]:
        """The backendRef entry (defaults left out, as people write them)."""
        return self.model_dump(exclude_none=True, exclude_defaults=True) | {"name": self.name}


class CanaryStart(BaseModel):
    """A rollout to start."""

    model_config = ConfigDict(extra="forbid")

    kind: RouteKind = "HTTPRoute"
    namespace: str = Field(min_length=1, max_length=253, description="The route's namespace.")
    name: str = Field(min_length=1, max_length=253, description="The route's name.")
    rule: int = Field(default=0, ge=0, description="Index of the rule in spec.rules.")
    canary: BackendRefBody
    stable: BackendRefBody | None = Field(
        default=None, description="Default: the rule's one backend that is not the canary."
    )
    steps: list[int] = Field(
        default=list(DEFAULT_STEPS),
        min_length=1,
        max_length=100,
        description="Canary weights (percent), strictly increasing, 1 to 100.",
    )
    interval_seconds: int = Field(ge=1, le=7 * 24 * 3600, description="Time between steps.")


class RolloutView(CanaryRollout):
    """A rollout and the canary weight its last applied step set."""

    canary_weight: int = Field(description="Percent of traffic the canary has (last step).")


class RolloutList(BaseModel):
    items: list[RolloutView]
    total: int


def _view(rollout: CanaryRollout) -> RolloutView:
    weight = rollout.steps[rollout.current_step - 1] if rollout.current_step else 0
    if rollout.state is RolloutState.ROLLED_BACK:
        weight = 0
    return RolloutView(**rollout.model_dump(), canary_weight=weight)


def _record(rollout: CanaryRollout) -> dict[str, Any]:
    """The rollout as its audit rows show it (without the growing history)."""
    return rollout.model_dump(mode="json", exclude={"history", "updated_at"})


def _runner(conn: HTTPConnection) -> CanaryRunner:
    runner: CanaryRunner | None = getattr(conn.app.state, "canary", None)
    if runner is None:
        raise RuntimeError("the API server's lifespan has not started the canary runner")
    return runner


RunnerDep = Annotated[CanaryRunner, Depends(_runner)]


def _problem(status: int, message: str, reason: str) -> HTTPException:
    return HTTPException(status_code=status, detail={"message": message, "reason": reason})


def _parse_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _guarded_rollout(action: Action) -> Any:
    """A dependency: the rollout of the path's ``rollout_id`` if the caller may ``action``
    on its route (see the module docstring for ids that do not exist)."""

    async def dependency(
        rollout_id: str,
        request: Request,
        cluster: ClusterDep,
        guard: Annotated[Guard, Depends(get_guard)],
    ) -> tuple[CanaryRollout, Guard]:
        parsed = _parse_id(rollout_id)
        store = get_state(request).store
        rollout = await store.canary.get(parsed) if parsed else None
        if rollout is not None and rollout.cluster != cluster.name:
            rollout = None
        if rollout is None:
            await guard.authorize(action, HTTPROUTES, None)
            raise _problem(404, f"no canary rollout {rollout_id}", "NotFound")
        verb = "update" if action is Action.WRITE else "get"
        await guard.authorize(
            action,
            _ref(rollout.route_kind),
            rollout.route_namespace,
            name=rollout.route_name,
            verb=verb,
        )
        return rollout, guard

    return dependency


Writable = Annotated[tuple[CanaryRollout, Guard], Depends(_guarded_rollout(Action.WRITE))]
Readable = Annotated[tuple[CanaryRollout, Guard], Depends(_guarded_rollout(Action.READ))]
# Write on httproutes in the body's namespace; a GRPCRoute start is checked again inside.
Starter = Annotated[
    Guard,
    Depends(require(Action.WRITE, HTTPROUTES, namespace=from_body("namespace"), verb="update")),
]


def _unprocessable(message: str, field: str) -> HTTPException:
    return HTTPException(
        status_code=422,
        detail={
            "message": message,
            "reason": "Invalid",
            "causes": [{"field": field, "message": message, "reason": "FieldValueInvalid"}],
        },
    )


def _backend_exists(cluster: ClusterDep, ref: dict[str, Any], route_ns: str, field: str) -> None:
    group, kind, namespace, name, _port = backend_key(ref, route_ns)
    if (group, kind) != ("", "Service"):
        return  # other backend kinds (InferencePool, ...) are checked by the gateway
    try:
        cached_object(cluster, served_type("services"), namespace, name)
    except HTTPException as err:
        if err.status_code == 404:
            raise _unprocessable(f"Service {namespace}/{name} not found", field) from err
        raise


def _new_rollout(body: CanaryStart, cluster: ClusterDep, started_by: str) -> CanaryRolloutInput:
    """Check the route, rule and backends against the cache; the rollout to store."""
    route = cached_object(cluster, route_type(body.kind), body.namespace, body.name)
    canary = body.canary.as_ref()
    try:
        refs = rule_refs(route, body.rule)
    except RuleShapeError as err:
        raise _unprocessable(str(err), "rule") from err
    try:
        stable = body.stable.as_ref() if body.stable else find_stable(refs, canary, body.namespace)
        check_rule(refs, stable, canary, body.namespace)
    except RuleShapeError as err:
        raise _unprocessable(str(err), "stable") from err
    # The stable backend as the rule names it (its port, if the body left it out).
    stable = next(
        r
        for r in refs
        if backend_key(r, body.namespace)[:4] == backend_key(stable, body.namespace)[:4]
    )
    stable = {
        k: v for k, v in stable.items() if k in ("group", "kind", "name", "namespace", "port")
    }
    _backend_exists(cluster, stable, body.namespace, "stable")
    _backend_exists(cluster, canary, body.namespace, "canary")
    try:
        return CanaryRolloutInput(
            cluster=cluster.name,
            route_kind=body.kind,
            route_namespace=body.namespace,
            route_name=body.name,
            rule_index=body.rule,
            stable_backend=stable,
            canary_backend=canary,
            steps=body.steps,
            interval_seconds=body.interval_seconds,
            started_by=started_by,
            original_backend_refs=refs,
        )
    except ValueError as err:
        raise _unprocessable(str(err).splitlines()[-1].strip(), "steps") from err


async def _audit_control(
    store: Store,
    request: Request,
    guard: Guard,
    verb: str,
    before: CanaryRollout,
    outcome: ControlOutcome,
) -> None:
    after = outcome.rollout
    meta = {"canary": str(after.id), "state": after.state.value}
    write = outcome.write
    if write is not None and write.wrote:
        await audit_trail.record(
            store, request, guard.principal,
            action=f"canary-{verb}", kind=after.route_kind, namespace=after.route_namespace,
            name=after.route_name, previous=write.previous, new=write.current, metadata=meta,
        )  # fmt: skip
        return
    await audit_trail.record(
        store, request, guard.principal,
        action=f"canary-{verb}", kind=ROLLOUT_KIND, namespace=after.route_namespace,
        name=str(after.id), previous=_record(before), new=_record(after), metadata=meta,
    )  # fmt: skip


def router() -> APIRouter:
    """The canary routes."""
    api = APIRouter(tags=["canary"])

    @api.post("/canary", response_model=RolloutView, status_code=201)
    async def start(
        body: CanaryStart,
        request: Request,
        cluster: ClusterDep,
        store: StoreDep,
        guard: Starter,
    ) -> RolloutView:
        """Start a rollout; its first step is applied within a second."""
        if body.kind != "HTTPRoute":
            await guard.authorize(
                Action.WRITE, _ref(body.kind), body.namespace, name=body.name, verb="update"
            )
        spec = _new_rollout(body, cluster, guard.principal.username)
        try:
            rollout = await store.canary.create(spec)
        except ConflictError as err:
            raise _problem(409, str(err), "AlreadyExists") from err
        await audit_trail.record(
            store, request, guard.principal,
            action="canary-start", kind=ROLLOUT_KIND, namespace=rollout.route_namespace,
            name=str(rollout.id), previous=None, new=_record(rollout),
            metadata={"canary": str(rollout.id), "route": rollout.route_name},
        )  # fmt: skip
        return _view(rollout)

    @api.get("/canary", response_model=RolloutList)
    async def list_rollouts(
        cluster: ClusterDep,
        store: StoreDep,
        guard: Annotated[Guard, Depends(get_guard)],
        namespace: Annotated[str | None, Query(description="The routes' namespace.")] = None,
        name: Annotated[str | None, Query(description="The route's name.")] = None,
        state: Annotated[list[RolloutState] | None, Query()] = None,
    ) -> RolloutList:
        """Rollouts of this cluster, newest first, in namespaces the caller may read."""
        if namespace is not None:
            await guard.authorize(Action.READ, HTTPROUTES, namespace)
        rollouts = await store.canary.list_rollouts(
            cluster=cluster.name, namespace=namespace, route_name=name, states=state
        )
        visible = [
            r
            for r in await readable(guard, HTTPROUTES, rollouts, lambda r: r.route_namespace)
            if r.route_kind == "HTTPRoute"
            or await guard.allowed(Action.READ, _ref(r.route_kind), r.route_namespace)
        ]
        return RolloutList(items=[_view(r) for r in visible], total=len(visible))

    @api.get("/canary/{rollout_id}", response_model=RolloutView)
    async def get_rollout(found: Readable) -> RolloutView:
        """One rollout, with its history of steps and control actions."""
        return _view(found[0])

    async def control(
        verb: str, found: tuple[CanaryRollout, Guard], request: Request, runner: CanaryRunner
    ) -> RolloutView:
        before, guard = found
        actions = {
            "pause": runner.pause,
            "resume": runner.resume,
            "abort": runner.abort,
            "promote": runner.promote,
        }
        try:
            outcome = await actions[verb](before.id, guard.principal.username)
        except LookupError as err:
            raise _problem(404, str(err), "NotFound") from err
        except RolloutStateError as err:
            raise _problem(409, f"cannot {verb}: {err}", "Conflict") from err
        except StepError as err:
            status = 409 if err.permanent else 502
            raise _problem(status, f"cannot {verb}: {err}", "StepFailed") from err
        await _audit_control(get_state(request).store, request, guard, verb, before, outcome)
        return _view(outcome.rollout)

    @api.post("/canary/{rollout_id}/pause", response_model=RolloutView)
    async def pause(found: Writable, request: Request, runner: RunnerDep) -> RolloutView:
        """Stop applying steps; the weights stay as they are."""
        return await control("pause", found, request, runner)

    @api.post("/canary/{rollout_id}/resume", response_model=RolloutView)
    async def resume(found: Writable, request: Request, runner: RunnerDep) -> RolloutView:
        """Continue a paused rollout; its next step is applied at once."""
        return await control("resume", found, request, runner)

    @api.post("/canary/{rollout_id}/abort", response_model=RolloutView)
    async def abort(found: Writable, request: Request, runner: RunnerDep) -> RolloutView:
        """Stop and restore the rule's original backendRefs (state ``rolled_back``; ``aborted``
        with ``last_error`` if the restore could not be written)."""
        return await control("abort", found, request, runner)

    @api.post("/canary/{rollout_id}/promote", response_model=RolloutView)
    async def promote(found: Writable, request: Request, runner: RunnerDep) -> RolloutView:
        """Give the canary 100% now and complete the rollout."""
        return await control("promote", found, request, runner)

    return api
