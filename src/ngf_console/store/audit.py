"""The audit log: every configuration change, with full objects and a unified diff.

A change is recorded with the full object before and after it (for revert). The stored
diff compares YAML dumps with sorted keys and without the bookkeeping the API server adds
(``DIFF_IGNORED_METADATA``), so a diff shows what a person changed. Entries are never
updated or deleted here.
"""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import yaml
from pydantic import BaseModel, Field

from ngf_console.store.documents import json_document
from ngf_console.store.errors import UnknownUserError
from ngf_console.store.models import AuditRow, UserRow
from ngf_console.store.session import Database

# metadata fields the API server maintains; they are stored but left out of diffs.
DIFF_IGNORED_METADATA = frozenset(
    {"managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"}
)
# kubectl's copy of the whole object in an annotation would repeat every change in the diff.
DIFF_IGNORED_ANNOTATIONS = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})
# What a re-apply must not carry over from a stored object, beyond the fields above.
SERVER_SET_METADATA = DIFF_IGNORED_METADATA | {
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
}

MAX_PAGE_SIZE = 500


class AuditAction(StrEnum):
    """The actions the console records (any string up to 50 characters is accepted)."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DEPLOY = "deploy"
    ROLLBACK = "rollback"
    REVERT = "revert"


class AuditEntrySummary(BaseModel):
    """An audit entry without the objects and the diff: what a list shows."""

    id: int
    created_at: datetime
    user_id: uuid.UUID | None
    user_email: str | None
    action: str
    resource_kind: str
    resource_namespace: str | None
    resource_name: str
    request_id: str | None
    metadata: dict[str, Any]


class AuditEntry(AuditEntrySummary):
    """An audit entry in full: the objects before and after the change, and their diff."""

    previous_config: dict[str, Any] | None
    new_config: dict[str, Any] | None
    diff: str


class AuditPage(BaseModel):
    """One page of entries, newest first; pass ``next_cursor`` back for the next page."""

    entries: list[AuditEntrySummary]
    next_cursor: int | None = Field(
        description="Cursor of the next (older) page; null on the last page."
    )


def _without_bookkeeping(obj: Mapping[str, Any], ignored: frozenset[str]) -> dict[str, Any]:
    view = dict(obj)
    metadata = view.get("metadata")
    if isinstance(metadata, Mapping):
        metadata = {k: v for k, v in metadata.items() if k not in ignored}
        annotations = metadata.get("annotations")
        if isinstance(annotations, Mapping):
            kept = {k: v for k, v in annotations.items() if k not in DIFF_IGNORED_ANNOTATIONS}
            if kept:
                metadata["annotations"] = kept
            else:
                metadata.pop("annotations")
        view["metadata"] = metadata
    return view


def diff_view(obj: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` as diffs show it: without ``DIFF_IGNORED_METADATA`` and kubectl's copy."""
    return _without_bookkeeping(obj, DIFF_IGNORED_METADATA)


def restorable(obj: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` as it can be applied again (revert): no server-set metadata, no status."""
    view = _without_bookkeeping(obj, SERVER_SET_METADATA)
    view.pop("status", None)
    return view


def _yaml_lines(obj: Mapping[str, Any] | None) -> list[str]:
    if obj is None:
        return []
    text = yaml.safe_dump(diff_view(obj), sort_keys=True, default_flow_style=False)
    return text.splitlines(keepends=True)


def unified_diff(
    previous: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    *,
    from_label: str,
    to_label: str,
) -> str:
    """Unified diff of the YAML of two objects; None stands for "absent" (/dev/null)."""
    lines = difflib.unified_diff(
        _yaml_lines(previous),
        _yaml_lines(new),
        fromfile=from_label if previous is not None else "/dev/null",
        tofile=to_label if new is not None else "/dev/null",
    )
    return "".join(lines)


def _resource_label(kind: str, namespace: str | None, name: str) -> str:
    return "/".join(part for part in (kind, namespace, name) if part)


def _entry_label(entry: AuditEntrySummary) -> str:
    label = _resource_label(entry.resource_kind, entry.resource_namespace, entry.resource_name)
    return f"{label}@{entry.id}"


def _summary(row: AuditRow, email: str | None) -> AuditEntrySummary:
    return AuditEntrySummary(
        id=row.id,
        created_at=row.created_at,
        user_id=row.user_id,
        user_email=email,
        action=row.action,
        resource_kind=row.resource_kind,
        resource_namespace=row.resource_namespace,
        resource_name=row.resource_name,
        request_id=row.request_id,
        metadata=row.metadata_,
    )


def _entry(row: AuditRow, email: str | None) -> AuditEntry:
    return AuditEntry(
        **_summary(row, email).model_dump(),
        previous_config=row.previous_config,
        new_config=row.new_config,
        diff=row.diff,
    )


class AuditLog:
    """Recording and reading configuration changes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        *,
        user_id: uuid.UUID | None,
        action: str,
        kind: str,
        namespace: str | None,
        name: str,
        previous: Mapping[str, Any] | None,
        new: Mapping[str, Any] | None,
        request_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Record one change of ``kind`` ``namespace``/``name`` and return the stored entry.

        ``previous`` is None for a creation and ``new`` None for a deletion. The objects are
        stored in full; the diff leaves out ``DIFF_IGNORED_METADATA``. Raises
        ``UnknownUserError`` when ``user_id`` names no user.
        """
        if not action or len(action) > 50:
            raise ValueError("action must be 1 to 50 characters")
        previous_doc = json_document(previous) if previous is not None else None
        new_doc = json_document(new) if new is not None else None
        label = _resource_label(kind, namespace, name)
        row = AuditRow(
            user_id=user_id,
            action=str(action),
            resource_kind=kind,
            resource_namespace=namespace,
            resource_name=name,
            previous_config=previous_doc,
            new_config=new_doc,
            diff=unified_diff(
                previous_doc, new_doc, from_label=f"a/{label}", to_label=f"b/{label}"
            ),
            metadata_=json_document(metadata or {}),
            request_id=request_id,
        )
        email: str | None = None
        async with self._db.write() as session:
            if user_id is not None:
                user = await session.get(UserRow, user_id)
                if user is None:
                    raise UnknownUserError(f"no user with id {user_id}")
                email = user.email
            session.add(row)
            await session.flush()
        return _entry(row, email)

    async def get(self, entry_id: int) -> AuditEntry | None:
        """The entry with ``entry_id``, or None."""
        async with self._db.read() as session:
            found = (
                await session.execute(
                    sa.select(AuditRow, UserRow.email)
                    .outerjoin(UserRow, AuditRow.user_id == UserRow.id)
                    .where(AuditRow.id == entry_id)
                )
            ).first()
        return _entry(found[0], found[1]) if found else None

    async def list_entries(
        self,
        *,
        kind: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        user_id: uuid.UUID | None = None,
        user_email: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        cursor: int | None = None,
    ) -> AuditPage:
        """Entries matching every given filter, newest first, ``limit`` at a time.

        ``since`` is inclusive and ``until`` exclusive (both timezone-aware); ``cursor`` is
        the ``next_cursor`` of the previous page.
        """
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
        for bound in (since, until):
            if bound is not None and bound.tzinfo is None:
                raise ValueError("since and until must be timezone-aware")
        # The big columns (objects, diff) are not read for a list.
        query = (
            sa.select(AuditRow, UserRow.email)
            .outerjoin(UserRow, AuditRow.user_id == UserRow.id)
            .options(
                sa.orm.defer(AuditRow.previous_config),
                sa.orm.defer(AuditRow.new_config),
                sa.orm.defer(AuditRow.diff),
            )
            .order_by(AuditRow.id.desc())
            .limit(limit + 1)
        )
        conditions: list[sa.ColumnElement[bool]] = []
        if kind is not None:
            conditions.append(AuditRow.resource_kind == kind)
        if namespace is not None:
            conditions.append(AuditRow.resource_namespace == namespace)
        if name is not None:
            conditions.append(AuditRow.resource_name == name)
        if user_id is not None:
            conditions.append(AuditRow.user_id == user_id)
        if user_email is not None:
            conditions.append(UserRow.email == user_email)
        if action is not None:
            conditions.append(AuditRow.action == action)
        if since is not None:
            conditions.append(AuditRow.created_at >= since)
        if until is not None:
            conditions.append(AuditRow.created_at < until)
        if cursor is not None:
            conditions.append(AuditRow.id < cursor)
        async with self._db.read() as session:
            rows = (await session.execute(query.where(*conditions))).all()
        entries = [_summary(row, email) for row, email in rows[:limit]]
        next_cursor = entries[-1].id if len(rows) > limit else None
        return AuditPage(entries=entries, next_cursor=next_cursor)

    async def diff(self, entry_id: int) -> str | None:
        """The stored diff of one entry, or None when there is no such entry."""
        async with self._db.read() as session:
            return await session.scalar(sa.select(AuditRow.diff).where(AuditRow.id == entry_id))

    async def diff_between(self, older_id: int, newer_id: int) -> str | None:
        """Diff of the resource as ``older_id`` left it against how ``newer_id`` left it.

        "Left it" is the entry's new object (absent after a deletion). None when either
        entry does not exist.
        """
        older, newer = await self.get(older_id), await self.get(newer_id)
        if older is None or newer is None:
            return None
        return unified_diff(
            older.new_config,
            newer.new_config,
            from_label=f"a/{_entry_label(older)}",
            to_label=f"b/{_entry_label(newer)}",
        )
