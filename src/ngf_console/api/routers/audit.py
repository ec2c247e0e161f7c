"""The audit log (spec §4.1, §5.1): every mutation made through the API, its diff, and
revert — re-applying the version an entry replaced (itself audited)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel

from ngf_console.api import audit_trail, kube_io, redaction
from ngf_console.api.auth import Action, Guard, ResourceRef, from_query, get_guard, require
from ngf_console.api.routers.objects import WriteResult, write_client
from ngf_console.api.routers.routes import POLICY_TYPES, ROUTE_PLURALS
from ngf_console.api.state import ClusterDep, StoreDep
from ngf_console.crd import GROUP
from ngf_console.kube.resource_type import ResourceType
from ngf_console.kube.served_types import PARENT_TYPES, served_type
from ngf_console.store import AuditEntry, AuditPage, restorable

AUDIT = ResourceRef(GROUP, "auditentries")
# Entry ids are 64-bit database keys; a larger number would overflow the driver, not miss.
MAX_ID = 2**63 - 1
EntryId = Annotated[int, Path(ge=1, le=MAX_ID)]


def writable_types() -> dict[str, ResourceType]:
    """Kinds the API writes (and so can revert), by kind."""
    types = [*PARENT_TYPES, *(served_type(p, "gateway.networking.k8s.io") for p in ROUTE_PLURALS)]
    types += [served_type(plural, group) for group, plural in POLICY_TYPES.values()]
    return {t.kind: t for t in types}


class AuditDiff(BaseModel):
    """A unified diff between two versions of a resource."""

    diff: str


def router() -> APIRouter:
    """``/audit`` routes."""
    routes = APIRouter(tags=["audit"])

    @routes.get("/audit", response_model=AuditPage)
    async def list_audit(
        store: StoreDep,
        _: Annotated[Guard, Depends(require(Action.READ, AUDIT, namespace=from_query()))],
        kind: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        user: Annotated[str | None, Query(description="The user's email or name.")] = None,
        action: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    ) -> AuditPage:
        for moment in (since, until):
            if moment is not None and moment.tzinfo is None:
                raise HTTPException(
                    status_code=422,
                    detail={"message": "since/until need a timezone (e.g. ...Z)"},
                )
        return await store.audit.list_entries(
            kind=kind,
            namespace=namespace,
            name=name,
            user_email=user,
            action=action,
            since=since,
            until=until,
            limit=limit,
            cursor=cursor,
        )

    @routes.get("/audit/diff", response_model=AuditDiff)
    async def audit_diff(
        store: StoreDep,
        guard: Annotated[Guard, Depends(get_guard)],
        id: Annotated[int, Query(ge=1, le=MAX_ID, description="The entry (its own change).")],
        against: Annotated[
            int | None,
            Query(ge=1, le=MAX_ID, description="An older entry to compare with instead."),
        ] = None,
    ) -> AuditDiff:
        entry = await _entry(store, guard, id)
        if against is None:
            return AuditDiff(diff=entry.diff)
        await _entry(store, guard, against)
        diff = await store.audit.diff_between(against, id)
        return AuditDiff(diff=diff or "")

    @routes.get("/audit/{entry_id}", response_model=AuditEntry)
    async def get_audit(
        entry_id: EntryId, store: StoreDep, guard: Annotated[Guard, Depends(get_guard)]
    ) -> AuditEntry:
        return await _entry(store, guard, entry_id)

    @routes.post("/audit/{entry_id}/revert", response_model=WriteResult)
    async def revert(
        entry_id: EntryId,
        request: Request,
        cluster: ClusterDep,
        store: StoreDep,
        guard: Annotated[Guard, Depends(get_guard)],
    ) -> WriteResult:
        entry = await _entry(store, guard, entry_id)
        t = writable_types().get(entry.resource_kind)
        if t is None:
            raise HTTPException(
                status_code=400,
                detail={"message": f"{entry.resource_kind} changes cannot be reverted here"},
            )
        ref = ResourceRef(t.group, t.plural)
        namespace, name = entry.resource_namespace, entry.resource_name
        await guard.authorize(Action.WRITE, ref, namespace, name=name)
        async with write_client(guard, cluster) as client:
            current = await kube_io.read(client, t, namespace, name)
            result = await _restore(client, t, entry, current)
        audit = await audit_trail.record(
            store,
            request,
            guard.principal,
            action="revert",
            kind=t.kind,
            namespace=namespace,
            name=name,
            previous=None if current is None else redaction.redact(current),
            new=None if result is None else redaction.redact(result),
            metadata={"revertOf": entry_id},
        )
        shown = {} if result is None else redaction.redact(result)
        return WriteResult(object=shown, dry_run=False, audit_id=audit.id)

    return routes


async def _entry(store: StoreDep, guard: Guard, entry_id: int) -> AuditEntry:
    entry = await store.audit.get(entry_id)
    if entry is None:
        raise HTTPException(status_code=404, detail={"message": f"no audit entry {entry_id}"})
    await guard.authorize(Action.READ, AUDIT, entry.resource_namespace)
    return entry


async def _restore(
    client: Any, t: ResourceType, entry: AuditEntry, current: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Make the object as it was before ``entry``: recreate, replace, or delete."""
    if entry.previous_config is None:  # the entry created it: reverting deletes it
        if current is not None:
            await kube_io.delete(
                client, t, entry.resource_namespace, entry.resource_name, dry_run=False
            )
        return None
    try:
        # The log holds secrets as placeholders: the current values fill them in.
        desired = redaction.restore(restorable(entry.previous_config), current)
    except redaction.PlaceholderError as err:
        raise HTTPException(
            status_code=409,
            detail={"message": f"cannot revert: a secret it held is gone ({err.path})"},
        ) from err
    if current is None:
        return await kube_io.create(client, t, desired, dry_run=False)
    desired.setdefault("metadata", {})["resourceVersion"] = current["metadata"]["resourceVersion"]
    return await kube_io.replace(client, t, desired, dry_run=False)
