"""The MigrationPlan controller: analyse the source, then apply and roll back in phases.

One pass does one thing (``migration_steps.decide``): analyse, apply one resource, check
one resource was accepted, wait out a pause, finish, or delete one resource. It writes the
status after (and, around an apply, before) acting, and asks the work queue for the next
pass — at once, or after the pause. So every step is a separate pass whose progress is in
the plan, and an operator restarted between (or in the middle of) steps picks up where the
status says: a resource applied just before a crash is recognised by its step annotation
and recorded, not applied again.

MigrationPlans share the operator's work queue under their own key type
(:class:`MigrationWork`), so their passes never overlap, are retried with back-off on API
server errors, and count against the same worker pool as the other parents.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol

from lightkube import AsyncClient
from lightkube.core.exceptions import ApiError, LoadResourceError

from ngf_console.kube.informer import http_client
from ngf_console.operator import events, metrics
from ngf_console.operator.children import ChildClient, Obj
from ngf_console.operator.migration_source import (
    SourceError,
    analysis_of,
    analysis_of_resources,
    confined,
    convert_source,
    scan,
    source_cluster_client,
)
from ngf_console.operator.migration_steps import (
    Analyze,
    Apply,
    Delete,
    Finish,
    Pause,
    RollbackDone,
    StartApplying,
    StartRollback,
    Step,
    Validate,
    Wait,
    acceptance,
    applied_by,
    counts,
    decide,
    pause_seconds,
    steps,
    validates,
)
from ngf_console.operator.status import set_condition

log = logging.getLogger(__name__)

KIND = "MigrationPlan"
API_VERSION = "ngf-console.f5.com/v1alpha1"
POLL_SECONDS = 1.0  # how often a resource waiting for its gateway controller is looked at
_MERGE = {"Content-Type": "application/merge-patch+json"}


@dataclasses.dataclass(frozen=True)
class MigrationWork:
    """A work item: one pass of the MigrationPlan ``namespace/name``."""

    namespace: str
    name: str


class Queue(Protocol):
    """What the controller needs of the operator's work queue."""

    def add(self, key: Any, *, urgent: bool = True) -> None: ...
    def add_after(self, key: Any, delay: float) -> None: ...


class MigrationPlanController:
    """Runs MigrationPlan passes (called by the reconciler's work queue)."""

    def __init__(self, client: AsyncClient, children: ChildClient, queue: Queue) -> None:
        self.client = client
        self.children = children
        self.queue = queue

    async def process(self, key: MigrationWork) -> None:
        """One pass of the plan ``key``."""
        started, result = time.perf_counter(), "ok"
        try:
            await self._process(key)
        except Exception:
            result = "error"
            raise
        finally:
            metrics.RECONCILES.labels(kind=KIND, result=result).inc()
            metrics.RECONCILE_SECONDS.labels(kind=KIND).observe(time.perf_counter() - started)

    async def _process(self, key: MigrationWork) -> None:
        plan = await self.children.get_parent(API_VERSION, KIND, key.name, key.namespace)
        if plan is None or plan["metadata"].get("deletionTimestamp"):
            return
        now = dt.datetime.now(dt.UTC)
        action = decide(plan, now)
        log.debug("MigrationPlan %s/%s: %s", key.namespace, key.name, action)
        match action:
            case Analyze():
                await self._analyze(key, plan, now)
            case Wait(phase=phase, message=message):
                await self._settle(plan, phase, message, now)
            case StartApplying():
                await self._start(plan, "Applying", "applying the enabled resources", now)
                self.queue.add(key)
            case Apply(step=step):
                await self._apply(key, plan, step, now)
            case Validate():
                await self._validate(key, plan, action, now)
            case Pause(seconds=seconds):
                self.queue.add_after(key, seconds)
            case Finish(phase=phase, message=message):
                await self._finish(plan, phase, message, now)
            case StartRollback():
                await self._start(plan, "RollingBack", "deleting applied resources", now)
                self.queue.add(key)
            case Delete():
                await self._delete(key, plan, action, now)
            case RollbackDone():
                await self._rolled_back(plan, now)

    # Analysis ---------------------------------------------------------------------------

    async def _analyze(self, key: MigrationWork, plan: Obj, now: dt.datetime) -> None:
        spec, meta = plan["spec"], plan["metadata"]
        source = spec.get("source") or {}
        given = spec.get("resources")
        if (plan.get("status") or {}).get("phase") != "Analyzing":
            await self._write(plan, {"phase": "Analyzing"}, now, progressing=None)
        try:
            if given and not source.get("sourceYAML"):
                # Made from a plan directory: the resources are the analysis.
                analysis, resources = analysis_of_resources(given), None
            else:
                result = await self._convert(source, meta["namespace"])
                analysis = analysis_of(result)
                resources = None if given else confined(result.resources(), meta["namespace"])
        except SourceError as err:
            await self._write(
                plan,
                {"phase": "Failed"},
                now,
                analyzed=(False, "SourceUnreadable", str(err)),
                progressing=None,
            )
            await self._event(plan, "AnalysisFailed", str(err), True)
            return
        if resources is not None:
            await self._patch(plan, {"spec": {"resources": resources}})
        proposed = resources if resources is not None else given or []
        total = sum(1 for r in proposed if r.get("enabled", True))
        await self._write(
            plan,
            {"phase": "Reviewed", "analysis": analysis, "totalResources": total},
            now,
            analyzed=(
                True,
                "Analyzed",
                f"{len(proposed)} resource(s) proposed, {total} enabled; review, then apply",
            ),
            progressing=None,
        )
        await self._event(
            plan,
            "Analyzed",
            f"{total} resource(s) proposed, {analysis['overallConfidence']} confidence",
            False,
        )
        if plan["spec"].get("apply") or plan["spec"].get("rollback"):
            self.queue.add(key)

    async def _convert(self, source: Mapping[str, Any], namespace: str) -> Any:
        if source.get("sourceYAML") is not None:
            return await asyncio.to_thread(convert_source, source)
        client = self.client
        ref = source.get("sourceCluster")
        if ref:
            client = await source_cluster_client(self.client, namespace, ref["kubeconfigSecretRef"])
        try:
            scanned = await scan(client, source.get("type", ""), source.get("namespaces") or [])
        except ApiError as err:
            if err.status.code in (401, 403):
                message = f"the source cluster refused the scan: {err.status.message}"
                raise SourceError(message) from err
            raise
        finally:
            if client is not self.client:
                await client.close()
        return await asyncio.to_thread(convert_source, source, scanned)

    # Applying ---------------------------------------------------------------------------

    async def _apply(self, key: MigrationWork, plan: Obj, step: Step, now: dt.datetime) -> None:
        entries = list((plan.get("status") or {}).get("resourceStatuses") or [])
        entry: Obj = {"sourceRef": step.source_ref, "kind": step.kind, "name": step.name}
        live: Obj | None = None
        if step.error or step.manifest is None:
            entry.update(applied=False, healthy=False, error=step.error)
        else:
            try:
                live = await self.children.get(step.manifest)
            except LoadResourceError:
                live = None
                entry.update(applied=False, healthy=False, error=_not_served(step))
            if "error" in entry:
                pass
            elif live is not None and not applied_by(live, plan):
                entry.update(
                    applied=False,
                    healthy=False,
                    error=f"{step.kind} {step.name} already exists and was not created by this "
                    "plan; it was left alone",
                )
            elif live is None:
                # Progress first: a crash from here on finds the object by its annotation.
                message = f"applying {step.kind} {step.name} (resource {step.index})"
                await self._write(plan, {}, now, progressing=(True, "Applying", message))
                live, error = await self._apply_one(step)
                if error:
                    entry.update(applied=False, healthy=False, error=error)
            if "error" not in entry:
                entry.update(applied=True, healthy=False)
        validating = False
        if entry["applied"]:
            verdict, message = acceptance(step.kind, live or {})
            if not validates(plan["spec"]) or verdict is True:
                entry["healthy"] = True
            elif verdict is False:
                entry["error"] = message
            else:
                validating = True
        entries.append(entry)
        await self._step_written(key, plan, entries, now, validating)
        await self._event(
            plan,
            "ResourceFailed" if entry.get("error") else "ResourceApplied",
            f"{step.kind} {step.name}: {entry.get('error') or 'applied'}",
            bool(entry.get("error")),
        )

    async def _apply_one(self, step: Step) -> tuple[Obj | None, str | None]:
        """Server-side apply; a refusal (4xx) is the step's error, anything else raises."""
        assert step.manifest is not None
        try:
            return await self.children.apply(step.manifest), None
        except LoadResourceError:
            return None, _not_served(step)
        except ApiError as err:
            if err.status.code is not None and 400 <= err.status.code < 500:
                if err.status.code == 429:
                    raise
                return None, f"refused by the API server ({err.status.code}): {err.status.message}"
            raise

    async def _validate(
        self, key: MigrationWork, plan: Obj, action: Validate, now: dt.datetime
    ) -> None:
        step = action.step
        entries = [dict(e) for e in (plan.get("status") or {}).get("resourceStatuses") or []]
        entry = entries[action.entry]
        live = await self.children.get(step.manifest) if step.manifest else None
        if live is None:
            entry["error"] = "deleted before a gateway controller accepted it"
        else:
            verdict, message = acceptance(step.kind, live)
            if verdict is True:
                entry["healthy"] = True
            elif verdict is False:
                entry["error"] = message
            elif (now - action.started).total_seconds() >= action.timeout:
                entry["error"] = f"not Accepted by a gateway controller within {action.timeout:g}s"
            else:
                # Still waiting: make sure the wait's start is recorded, look again soon.
                status = plan.get("status") or {}
                if _condition_status(status, "Validating") != "True":
                    await self._write(plan, {}, now, validating=True)
                self.queue.add_after(key, POLL_SECONDS)
                return
        await self._step_written(key, plan, entries, now, False)
        if entry.get("error"):
            await self._event(
                plan, "ResourceNotAccepted", f"{step.kind} {step.name}: {entry['error']}", True
            )

    async def _step_written(
        self,
        key: MigrationWork,
        plan: Obj,
        entries: list[Obj],
        now: dt.datetime,
        validating: bool,
    ) -> None:
        """Record the entries; then validate, pause or go on."""
        done = {(e["kind"], e["name"]) for e in entries}
        remaining = [s for s in steps(plan) if (s.kind, s.name) not in done]
        pause = pause_seconds(plan["spec"]) if remaining and not validating else 0.0
        total = len(steps(plan))
        message = (
            f"validating {entries[-1]['kind']} {entries[-1]['name']}"
            if validating
            else f"{len(entries)} of {total} resource(s) attempted"
        )
        await self._write(
            plan,
            {"resourceStatuses": entries, **counts(entries, total)},
            now,
            progressing=(True, "Applying", message),
            validating=validating,
            paused=pause > 0,
        )
        if validating:
            self.queue.add_after(key, POLL_SECONDS)
        elif pause > 0:
            self.queue.add_after(key, pause)
        else:
            self.queue.add(key)

    async def _finish(self, plan: Obj, phase: str, message: str, now: dt.datetime) -> None:
        entries = (plan.get("status") or {}).get("resourceStatuses") or []
        await self._write(
            plan,
            {"phase": phase, **counts(entries, len(steps(plan)))},
            now,
            progressing=(False, phase, message),
            ready=(phase == "Completed", phase, message),
        )
        await self._event(plan, f"Migration{phase}", message, phase == "Failed")

    # Rollback ---------------------------------------------------------------------------

    async def _delete(
        self, key: MigrationWork, plan: Obj, action: Delete, now: dt.datetime
    ) -> None:
        entries = [dict(e) for e in (plan.get("status") or {}).get("resourceStatuses") or []]
        namespace = plan["metadata"]["namespace"]
        if action.api_version is not None:
            ref = {
                "apiVersion": action.api_version,
                "kind": action.kind,
                "metadata": {"name": action.name, "namespace": namespace},
            }
            try:
                live = await self.children.get(ref)
            except LoadResourceError:
                live = None
            # Only what this plan applied: an object replaced by someone else is theirs.
            if live is not None and applied_by(live, plan):
                await self.children.delete(action.api_version, action.kind, action.name, namespace)
        del entries[action.entry]
        await self._write(
            plan,
            {"resourceStatuses": entries, **counts(entries, len(steps(plan)))},
            now,
            progressing=(True, "RollingBack", f"deleted {action.kind} {action.name}"),
        )
        await self._event(plan, "ResourceDeleted", f"{action.kind} {action.name} deleted", False)
        self.queue.add(key)

    async def _rolled_back(self, plan: Obj, now: dt.datetime) -> None:
        message = "every applied resource was deleted, newest first"
        await self._write(
            plan,
            {"phase": "Reviewed", "resourceStatuses": [], **counts([], len(steps(plan)))},
            now,
            progressing=(False, "RolledBack", message),
            ready=(False, "RolledBack", message),
            paused=False,
            validating=False,
        )
        await self._event(plan, "RolledBack", message, False)

    # Status -----------------------------------------------------------------------------

    async def _start(self, plan: Obj, phase: str, message: str, now: dt.datetime) -> None:
        await self._write(
            plan,
            {"phase": phase},
            now,
            progressing=(True, phase, message),
            paused=False,
            validating=False,
        )

    async def _settle(self, plan: Obj, phase: str, message: str, now: dt.datetime) -> None:
        """Waiting for the user: write only when the status does not say so yet."""
        status = plan.get("status") or {}
        if status.get("phase") == phase and status.get("observedGeneration") == plan[
            "metadata"
        ].get("generation"):
            return
        await self._write(plan, {"phase": phase}, now)

    async def _write(
        self,
        plan: Obj,
        fields: Mapping[str, Any],
        now: dt.datetime,
        *,
        analyzed: tuple[bool, str, str] | None = None,
        progressing: tuple[bool, str, str] | None = None,
        ready: tuple[bool, str, str] | None = None,
        paused: bool | None = None,
        validating: bool | None = None,
    ) -> None:
        """Merge ``fields`` and the conditions into the status; keep ``plan`` up to date."""
        status = dict(plan.get("status") or {})
        status.update(fields)
        generation = plan["metadata"].get("generation")
        status["observedGeneration"] = generation
        conditions = [dict(c) for c in status.get("conditions") or []]
        for ctype, value in (
            ("Analyzed", analyzed),
            ("Progressing", progressing),
            ("Ready", ready),
        ):
            if value is not None:
                set_condition(conditions, ctype, value[0], value[1], value[2], generation, now)
        for ctype, flag, reason in (
            ("Paused", paused, "PauseBetween"),
            ("Validating", validating, "AwaitingAcceptance"),
        ):
            if flag is not None:
                message = (
                    ("waiting pauseBetween before the next resource" if flag else "not pausing")
                    if ctype == "Paused"
                    else ("waiting for a gateway controller" if flag else "not validating")
                )
                set_condition(
                    conditions, ctype, flag, reason if flag else "Idle", message, generation, now
                )
        status["conditions"] = conditions
        meta = plan["metadata"]
        await self.children.patch_status(API_VERSION, KIND, meta["name"], meta["namespace"], status)
        plan["status"] = status

    async def _patch(self, plan: Obj, body: Mapping[str, Any]) -> None:
        meta = plan["metadata"]
        path = f"/apis/{API_VERSION}/namespaces/{meta['namespace']}/migrationplans/{meta['name']}"
        response = await http_client(self.client).patch(path, json=dict(body), headers=_MERGE)
        if response.status_code >= 400:
            raise ApiError(request=response.request, response=response)
        updated: Obj = response.json()
        plan["spec"], plan["metadata"] = updated["spec"], updated["metadata"]

    async def _event(self, plan: Obj, reason: str, message: str, warning: bool) -> None:
        try:
            await events.emit(self.client, plan, reason=reason, message=message, warning=warning)
        except ApiError as err:
            log.warning("could not record event %s: %s", reason, err)


def _not_served(step: Step) -> str:
    api_version = (step.manifest or {}).get("apiVersion", "")
    return f"{step.kind} ({api_version}) is not served by this cluster (its CRD is not installed)"


def _condition_status(status: Mapping[str, Any], ctype: str) -> str | None:
    for c in status.get("conditions") or []:
        if c.get("type") == ctype:
            return str(c.get("status"))
    return None
