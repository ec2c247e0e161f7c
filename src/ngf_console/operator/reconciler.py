"""One reconcile pass of a parent: desired state -> diff -> apply -> status.

The same pass serves every trigger (parent created or changed, a child changed or deleted,
the periodic resync), so there is one code path to get right. Triggers only enqueue the
parent; a fixed pool of workers runs the passes (operator/workqueue.py), so passes for the
same parent never overlap and the API server sees a bounded number at once. Live children
come from the index the child watches fill (operator/child_index.py): a pass that finds
everything as it should be costs one read of the parent and nothing else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from lightkube import AsyncClient
from lightkube.core.exceptions import ApiError
from pydantic import ValidationError

from ngf_console.crd import KINDS_BY_NAME, InferenceStack
from ngf_console.operator import events, metrics
from ngf_console.operator.child_index import ChildIndex, ChildKey, ParentRef, child_key
from ngf_console.operator.children import ChildClient, Obj
from ngf_console.operator.drift import describe, drifted_fields
from ngf_console.operator.health import child_health
from ngf_console.operator.migration_plan import MigrationPlanController, MigrationWork
from ngf_console.operator.shared import SharedChildren, is_shared
from ngf_console.operator.slots import LIST_SLOTS, child_report, withheld_child
from ngf_console.operator.status import (
    ChildReport,
    DriftEvent,
    Outcome,
    aggregate,
    needs_write,
    workload_replicas,
)
from ngf_console.operator.workqueue import RetryAfter, WorkQueue
from ngf_console.render import (
    NgfCapabilities,
    RenderError,
    RenderOptions,
    prunable_kinds,
    render_parent,
    shared_candidates,
)
from ngf_console.render.common import PARENT_KIND_LABEL, PARENT_NAME_LABEL
from ngf_console.render.providers.base import model_server_name

log = logging.getLogger(__name__)


class ParentUnavailableError(RuntimeError):
    """A parent known to exist could not be read; the pass should be retried shortly."""


def spec_hash(spec: Mapping[str, Any]) -> str:
    """A short stable hash of a parent's spec (recorded as status.observedSpecHash)."""
    data = json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()[:16]


API_VERSION = "ngf-console.f5.com/v1alpha1"
_GRANTED_FIRST = frozenset({"Role", "ClusterRole"})
# The parent kinds this operator reconciles (the others have their own controllers).
RECONCILED_KINDS = ("InferenceStack", "GatewayBundle")


@dataclasses.dataclass(frozen=True)
class SharedWork:
    """A work item: restore the shared child ``key`` (deleted or edited)."""

    key: ChildKey


WorkKey = ParentRef | SharedWork | MigrationWork


class Reconciler:
    """Reconciles parents of the kinds it is given against one cluster."""

    def __init__(
        self,
        client: AsyncClient,
        options: RenderOptions,
        edition: Any | None = None,
        *,
        workers: int = 8,
        status_refresh: float = 60.0,
    ) -> None:
        self.client = client
        self.children = ChildClient(client)
        self.index = ChildIndex()
        self.options = options
        self.shared = SharedChildren(
            self.children,
            self.index,
            lambda: shared_candidates(self.options),
            self._shared_still_wanted,
        )
        self.queue: WorkQueue[WorkKey] = WorkQueue(self._process, workers=workers)
        # MigrationPlans: their own controller, their passes in this queue (migration_plan.py).
        self.migrations = MigrationPlanController(client, self.children, self.queue)
        # A callable returning the cluster's edition ("oss" / "enterprise" / "unknown").
        self._edition = edition
        self._status_refresh = status_refresh
        self._locks: dict[ParentRef, asyncio.Lock] = {}
        self._must_exist: set[ParentRef] = set()

    async def discover(self) -> None:
        """Learn which kinds the cluster serves: decoders for CRD kinds, NGF's API versions."""
        from lightkube.resources.apiextensions_v1 import CustomResourceDefinition

        await self.children.load_custom_kinds()
        served = [
            f"{crd.spec.group}/{version.name}/{crd.spec.names.kind}"
            async for crd in self.client.list(CustomResourceDefinition)
            for version in crd.spec.versions
            if version.served
        ]
        self.options = dataclasses.replace(self.options, ngf=NgfCapabilities.from_served(served))

    def enqueue(
        self,
        kind: str,
        namespace: str,
        name: str,
        *,
        must_exist: bool = False,
        urgent: bool = True,
    ) -> None:
        """Ask for a pass of the parent (soon, once, however often asked before it runs).

        ``must_exist``: the caller knows the parent exists (kopf just saw it), so not finding
        it is a transient API-server condition (a CRD still initialising), not a deletion.
        ``urgent``: False for the periodic resync, which yields to everything else.
        """
        key = (kind, namespace, name)
        if must_exist:
            self._must_exist.add(key)
        self.queue.add(key, urgent=urgent)

    def child_event(self, event_type: str | None, body: Mapping[str, Any]) -> None:
        """A managed child changed: remember it, and enqueue whoever must react.

        Events that change nothing but ``resourceVersion``/``managedFields`` (the
        operator's own no-op applies, watch restarts) trigger nothing.
        """
        if is_shared(body):
            heal, users = self.shared.observe(event_type, body)
            if heal:
                self.queue.add(SharedWork(child_key(body)))
            for user in users:
                self.queue.add(user)
            return
        if not self.index.observe(event_type, body):
            return
        labels = body["metadata"].get("labels") or {}
        kind, name = labels.get(PARENT_KIND_LABEL), labels.get(PARENT_NAME_LABEL)
        if kind in RECONCILED_KINDS and name:
            self.queue.add((kind, body["metadata"].get("namespace") or "", name))

    async def _process(self, key: WorkKey) -> None:
        if isinstance(key, SharedWork):
            await self.shared.heal(key.key)
            return
        if isinstance(key, MigrationWork):
            await self.migrations.process(key)
            return
        must_exist = key in self._must_exist
        self._must_exist.discard(key)
        try:
            await self.reconcile(*key, must_exist=must_exist)
        except ParentUnavailableError as err:
            self._must_exist.add(key)
            raise RetryAfter(str(err), delay=2) from err

    def _lock(self, key: ParentRef) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    async def reconcile(
        self, kind: str, namespace: str, name: str, *, must_exist: bool = False
    ) -> None:
        """Bring the parent's children to its spec and write its status (one pass, now)."""
        key = (kind, namespace, name)
        async with self._lock(key):
            started = time.perf_counter()
            result = "ok"
            try:
                await self._reconcile(kind, namespace, name, must_exist)
            except Exception:
                result = "error"
                raise
            finally:
                metrics.RECONCILES.labels(kind=kind, result=result).inc()
                metrics.RECONCILE_SECONDS.labels(kind=kind).observe(time.perf_counter() - started)

    async def _options(self) -> RenderOptions:
        if self._edition is None:
            return self.options
        edition = await self._edition()
        return dataclasses.replace(self.options, edition=edition)

    async def _reconcile(self, kind: str, namespace: str, name: str, must_exist: bool) -> None:
        parent_kind = KINDS_BY_NAME[kind]
        ref = (kind, namespace, name)
        live = await self.children.get_parent(API_VERSION, kind, name, namespace)
        if live is None and must_exist:
            raise ParentUnavailableError(f"{kind} {namespace}/{name} is not readable yet")
        if live is None or live["metadata"].get("deletionTimestamp"):
            self._locks.pop(ref, None)
            return
        previous: dict[str, Any] = live.get("status") or {}
        generation = live["metadata"].get("generation")
        digest = spec_hash(live.get("spec") or {})
        now = dt.datetime.now(dt.UTC)

        try:
            parent = parent_kind.resource.model_validate(live)
            rendered = render_parent(parent, await self._options())
        except (ValidationError, RenderError) as err:
            outcome = Outcome(error=_error_message(err), error_reason="InvalidSpec")
            await self._write_status(live, previous, outcome, generation, digest, now)
            return

        known_spec = previous.get("observedSpecHash") == digest
        try:
            # Children are applied at once — a new stack costs two round trips, not eleven —
            # except that a RoleBinding may only be created once its Role exists (the API
            # server checks the operator holds what it grants): roles go first.
            first = [m for m in rendered.manifests if m["kind"] in _GRANTED_FIRST]
            rest = [m for m in rendered.manifests if m["kind"] not in _GRANTED_FIRST]
            synced = [
                *await asyncio.gather(*(self._sync_child(ref, m, known_spec, now) for m in first)),
                *await asyncio.gather(*(self._sync_child(ref, m, known_spec, now) for m in rest)),
            ]
            await self._prune(ref, rendered.manifests)
            await self.shared.release_unused(ref, rendered.manifests)
        except ApiError as err:
            if await self._gone(live, err):
                return  # the parent or its namespace is being deleted
            outcome = Outcome(
                error=f"applying children failed: {err.status.message}", error_reason="ApplyFailed"
            )
            await self._write_status(live, previous, outcome, generation, digest, now)
            raise

        live_children = [applied for applied, _, _ in synced]
        reports = [report for _, report, _ in synced]
        drift = [event for _, _, event in synced if event is not None]
        withheld = [withheld_child(kind, name, w) for w in rendered.withheld]
        replicas = (
            workload_replicas(live_children, model_server_name(parent))
            if isinstance(parent, InferenceStack)
            else None
        )
        outcome = Outcome(reports=reports, withheld=withheld, drift=drift, replicas=replicas)
        for event in drift:
            metrics.DRIFT_CORRECTIONS.labels(kind=kind, child_kind=event.kind).inc()
            await self._event(
                live, "DriftCorrected", f"{event.kind} {event.name} restored: {event.change}", True
            )
        await self._write_status(live, previous, outcome, generation, digest, now)

    async def _sync_child(
        self, parent: ParentRef, manifest: Mapping[str, Any], known_spec: bool, now: dt.datetime
    ) -> tuple[Obj, ChildReport, DriftEvent | None]:
        """Bring one child to ``manifest``: the live object, its report, the drift healed."""
        kind, namespace, name = parent
        event = None
        if is_shared(manifest):
            applied = await self.shared.ensure(manifest, parent)
        else:
            applied, change = await self._apply_child(manifest, known_spec)
            if change is not None:
                meta = manifest["metadata"]
                event = DriftEvent(
                    manifest["kind"], meta["name"], change, now, dt.datetime.now(dt.UTC)
                )
        health = child_health(manifest["kind"], applied)
        return applied, child_report(kind, name, namespace, manifest, health), event

    async def _apply_child(
        self, manifest: Mapping[str, Any], known_spec: bool
    ) -> tuple[Obj, str | None]:
        """Apply when missing or different; return the object and the drift it healed.

        A difference counts as drift only when the spec was already reconciled (otherwise
        it is a spec update) and the apply actually changed the object (otherwise it was
        API-server normalisation, e.g. of a quantity).
        """
        # A new spec's children are mostly missing: no need to confirm a miss.
        live = (
            await self.children.read_through(self.index, manifest)
            if known_spec
            else self.index.get(manifest)
        )
        if live is None:
            applied = await self.children.apply(manifest)
            self.index.store(applied)
            return applied, "deleted" if known_spec else None
        fields = drifted_fields(manifest, live)
        if not fields:
            return live, None
        applied = await self.children.apply(manifest)
        self.index.store(applied)
        changed = applied["metadata"].get("resourceVersion") != live["metadata"].get(
            "resourceVersion"
        )
        return applied, describe(fields) if (changed and known_spec) else None

    async def _prune(self, parent: ParentRef, desired: list[dict[str, Any]]) -> None:
        """Delete children this parent no longer renders (e.g. autoscaler switched off)."""
        wanted = {child_key(m) for m in desired}
        for api_version, child_kind in prunable_kinds(parent[0]):
            for obj in list(self.index.owned(parent, child_kind)):
                if child_key(obj) not in wanted:
                    meta = obj["metadata"]
                    await self.children.delete(
                        api_version, child_kind, meta["name"], meta.get("namespace")
                    )
                    self.index.forget(obj)

    async def _shared_still_wanted(self, ignore: ParentRef) -> set[ChildKey]:
        """Shared children some parent other than ``ignore`` renders (asks the API server)."""
        options = await self._options()
        wanted: set[ChildKey] = set()
        for kind in ("InferenceStack",):  # the kinds that render shared children
            resource = KINDS_BY_NAME[kind]
            async for raw in self.children.list_parents(API_VERSION, kind):
                meta = raw["metadata"]
                if (kind, meta["namespace"], meta["name"]) == ignore:
                    continue
                if meta.get("deletionTimestamp"):
                    continue
                try:
                    rendered = render_parent(resource.resource.model_validate(raw), options)
                except (ValidationError, RenderError):
                    continue
                wanted.update(child_key(m) for m in rendered.manifests if is_shared(m))
        return wanted

    async def _write_status(
        self,
        live: Obj,
        previous: Mapping[str, Any],
        outcome: Outcome,
        generation: int | None,
        digest: str,
        now: dt.datetime,
    ) -> None:
        meta = live["metadata"]
        status = aggregate(
            previous,
            outcome,
            generation=generation,
            spec_hash=digest,
            namespace=meta["namespace"],
            list_slots=LIST_SLOTS.get(live["kind"], frozenset()),
            now=now,
        )
        # JSON merge patch: slots the parent no longer has must be removed explicitly.
        for slot in previous.get("children") or {}:
            status.setdefault("children", {}).setdefault(slot, None)
        if not needs_write(previous, status, now=now, refresh=self._status_refresh):
            return
        if outcome.error is not None and previous.get("phase") != "Error":
            await self._event(live, "ReconcileFailed", outcome.error, True)
        try:
            await self.children.patch_status(
                live["apiVersion"], live["kind"], meta["name"], meta["namespace"], status
            )
        except ApiError as err:
            if not await self._gone(live, err):
                raise

    async def _gone(self, parent: Obj, err: ApiError) -> bool:
        """Did ``err`` happen because the parent (or its namespace) went away mid-pass?

        A 404 for a child in another namespace (say, the DCGM exporter's) is a real error.
        """
        if err.status.code == 403 and "being terminated" in (err.status.message or ""):
            return True
        if err.status.code != 404:
            return False
        meta = parent["metadata"]
        current = await self.children.get_parent(
            parent["apiVersion"], parent["kind"], meta["name"], meta["namespace"]
        )
        return current is None or bool(current["metadata"].get("deletionTimestamp"))

    async def _event(self, parent: Obj, reason: str, message: str, warning: bool) -> None:
        try:
            await events.emit(self.client, parent, reason=reason, message=message, warning=warning)
        except ApiError as err:
            log.warning(
                "could not record event %s on %s: %s", reason, parent["metadata"]["name"], err
            )

    async def finalize(self, kind: str, body: Mapping[str, Any]) -> None:
        """Clean up what owner references cannot: the parent's claims on shared children."""
        meta = body["metadata"]
        ref = (kind, meta["namespace"], meta["name"])
        # A pass that read the parent just before its deletion would claim the shared
        # children again after this release: wait for it. Later passes see the
        # deletionTimestamp and claim nothing.
        async with self._lock(ref):
            await self.shared.release_all(ref)
        self._locks.pop(ref, None)
        self.queue.forget(ref)


def _error_message(err: Exception) -> str:
    if isinstance(err, ValidationError):
        parts = []
        for e in err.errors()[:5]:
            loc = ".".join(str(p) for p in e["loc"])
            parts.append(f"{loc}: {e['msg']}")
        return "invalid spec: " + "; ".join(parts)
    return str(err)
