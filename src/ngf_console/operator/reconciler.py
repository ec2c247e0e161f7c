"""One reconcile pass of a parent: desired state -> diff -> apply -> status.

The same pass serves every trigger (parent created or changed, a child changed or deleted,
the periodic resync), so there is one code path to get right. Passes for the same parent
never overlap (a lock per parent); different parents reconcile concurrently.
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
from ngf_console.operator.children import ChildClient, Obj
from ngf_console.operator.drift import describe, drifted_fields
from ngf_console.operator.health import child_health
from ngf_console.operator.shared import SharedChildren
from ngf_console.operator.slots import LIST_SLOTS, child_report, withheld_child
from ngf_console.operator.status import (
    ChildReport,
    DriftEvent,
    Outcome,
    aggregate,
    workload_replicas,
)
from ngf_console.render import (
    NgfCapabilities,
    RenderError,
    RenderOptions,
    prunable_kinds,
    render_parent,
    shared_candidates,
)
from ngf_console.render.providers.base import model_server_name

log = logging.getLogger(__name__)


class ParentUnavailableError(RuntimeError):
    """A parent known to exist could not be read; the pass should be retried shortly."""


def spec_hash(spec: Mapping[str, Any]) -> str:
    """A short stable hash of a parent's spec (recorded as status.observedSpecHash)."""
    data = json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()[:16]


class Reconciler:
    """Reconciles parents of the kinds it is given against one cluster."""

    def __init__(
        self, client: AsyncClient, options: RenderOptions, edition: Any | None = None
    ) -> None:
        self.client = client
        self.children = ChildClient(client)
        self.options = options
        self.shared = SharedChildren(self.children, lambda: shared_candidates(self.options))
        # A callable returning the cluster's edition ("oss" / "enterprise" / "unknown").
        self._edition = edition
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}
        self._queued: set[tuple[str, str, str]] = set()

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

    def _lock(self, key: tuple[str, str, str]) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    async def reconcile(
        self, kind: str, namespace: str, name: str, *, must_exist: bool = False
    ) -> None:
        """Bring the parent's children to its spec and write its status.

        ``must_exist``: the caller knows the parent exists (kopf just saw it), so not finding
        it is a transient API-server condition (a CRD still initialising), not a deletion.
        """
        key = (kind, namespace, name)
        # A burst of triggers (ten children applied -> ten events) needs one pass, not ten:
        # a pass already waiting for the lock will read the newest state anyway.
        if key in self._queued:
            return
        self._queued.add(key)
        async with self._lock(key):
            self._queued.discard(key)
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
        api_version = "ngf-console.f5.com/v1alpha1"
        live = await self.children.get_parent(api_version, kind, name, namespace)
        if live is None and must_exist:
            raise ParentUnavailableError(f"{kind} {namespace}/{name} is not readable yet")
        if live is None or live["metadata"].get("deletionTimestamp"):
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
        reports: list[ChildReport] = []
        live_children: list[Obj] = []
        drift: list[DriftEvent] = []
        try:
            for manifest in rendered.manifests:
                if self.shared.is_shared(manifest):
                    applied = await self.shared.claim(manifest, live)
                else:
                    applied, change = await self._apply_child(manifest, known_spec)
                    if change is not None:
                        drift.append(
                            DriftEvent(
                                manifest["kind"],
                                manifest["metadata"]["name"],
                                change,
                                now,
                                dt.datetime.now(dt.UTC),
                            )
                        )
                live_children.append(applied)
                reports.append(
                    child_report(
                        kind, name, namespace, manifest, child_health(manifest["kind"], applied)
                    )
                )
            await self._prune(kind, name, namespace, rendered.manifests)
            await self.shared.release_unused(live, rendered.manifests)
        except ApiError as err:
            if await self._gone(live, err):
                return  # the parent or its namespace is being deleted
            outcome = Outcome(
                error=f"applying children failed: {err.status.message}", error_reason="ApplyFailed"
            )
            await self._write_status(live, previous, outcome, generation, digest, now)
            raise

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

    async def _apply_child(
        self, manifest: Mapping[str, Any], known_spec: bool
    ) -> tuple[Obj, str | None]:
        """Apply when missing or different; return the object and the drift it healed.

        A difference counts as drift only when the spec was already reconciled (otherwise
        it is a spec update) and the apply actually changed the object (otherwise it was
        API-server normalisation, e.g. of a quantity).
        """
        live = await self.children.get(manifest)
        if live is None:
            applied = await self.children.apply(manifest)
            return applied, "deleted" if known_spec else None
        fields = drifted_fields(manifest, live)
        if not fields:
            return live, None
        applied = await self.children.apply(manifest)
        changed = applied["metadata"].get("resourceVersion") != live["metadata"].get(
            "resourceVersion"
        )
        return applied, describe(fields) if (changed and known_spec) else None

    async def _prune(
        self, kind: str, name: str, namespace: str, desired: list[dict[str, Any]]
    ) -> None:
        """Delete children this parent no longer renders (e.g. autoscaler switched off)."""
        wanted = {(m["kind"], m["metadata"]["name"]) for m in desired}
        for api_version, child_kind in prunable_kinds(kind):
            for obj in await self.children.list_owned(
                api_version, child_kind, kind, name, namespace
            ):
                if (child_kind, obj["metadata"]["name"]) not in wanted:
                    await self.children.delete(
                        api_version, child_kind, obj["metadata"]["name"], namespace
                    )

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
        await self.shared.release_all(body)


def _error_message(err: Exception) -> str:
    if isinstance(err, ValidationError):
        parts = []
        for e in err.errors()[:5]:
            loc = ".".join(str(p) for p in e["loc"])
            parts.append(f"{loc}: {e['msg']}")
        return "invalid spec: " + "; ".join(parts)
    return str(err)
