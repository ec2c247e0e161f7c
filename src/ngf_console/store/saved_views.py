"""Saved dashboard views and queries: each belongs to a user; shared ones everyone sees."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field

from ngf_console.store.documents import json_document
from ngf_console.store.errors import UnknownUserError
from ngf_console.store.models import SavedViewRow, UserRow
from ngf_console.store.session import Database


class SavedViewInput(BaseModel):
    """What a client sends to save a view, or to replace one."""

    name: str = Field(min_length=1, max_length=255)
    view_type: str = Field(min_length=1, max_length=50, description="dashboard, query, filter")
    config: dict[str, Any] = Field(default_factory=dict)
    shared: bool = False


class SavedViewPatch(BaseModel):
    """A partial update: only the fields set are changed."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    view_type: str | None = Field(default=None, min_length=1, max_length=50)
    config: dict[str, Any] | None = None
    shared: bool | None = None


class SavedView(SavedViewInput):
    """A stored view; ``user_id`` is its owner."""

    id: uuid.UUID
    user_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


def _view(row: SavedViewRow) -> SavedView:
    return SavedView(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        view_type=row.view_type,
        config=row.config,
        shared=row.shared,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SavedViews:
    """Saving, listing, changing and deleting views; only the owner may change one."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, owner_id: uuid.UUID, spec: SavedViewInput) -> SavedView:
        """Save a view for ``owner_id``; ``UnknownUserError`` if there is no such user."""
        values = spec.model_dump()
        values["config"] = json_document(values["config"])
        row = SavedViewRow(user_id=owner_id, **values)
        async with self._db.write() as session:
            if await session.get(UserRow, owner_id) is None:
                raise UnknownUserError(f"no user with id {owner_id}")
            session.add(row)
            await session.flush()
            return _view(row)

    async def get(self, view_id: uuid.UUID, *, viewer_id: uuid.UUID) -> SavedView | None:
        """The view if ``viewer_id`` owns it or it is shared; otherwise None."""
        async with self._db.read() as session:
            row = await session.get(SavedViewRow, view_id)
            if row is None or not (row.shared or row.user_id == viewer_id):
                return None
            return _view(row)

    async def list_visible(
        self, viewer_id: uuid.UUID, *, view_type: str | None = None
    ) -> list[SavedView]:
        """The viewer's own views and everyone's shared views, ordered by name."""
        query = (
            sa.select(SavedViewRow)
            .where(sa.or_(SavedViewRow.user_id == viewer_id, SavedViewRow.shared.is_(True)))
            .order_by(SavedViewRow.name, SavedViewRow.created_at)
        )
        if view_type is not None:
            query = query.where(SavedViewRow.view_type == view_type)
        async with self._db.read() as session:
            return [_view(row) for row in await session.scalars(query)]

    async def update(
        self,
        view_id: uuid.UUID,
        changes: SavedViewInput | SavedViewPatch,
        *,
        owner_id: uuid.UUID,
    ) -> SavedView | None:
        """Replace or patch a view of ``owner_id``; None if they own no view ``view_id``."""
        if isinstance(changes, SavedViewInput):
            values = changes.model_dump()
        else:
            values = {
                k: v for k, v in changes.model_dump(exclude_unset=True).items() if v is not None
            }
        if "config" in values:
            values["config"] = json_document(values["config"])
        async with self._db.write() as session:
            row = await session.get(SavedViewRow, view_id, with_for_update=True)
            if row is None or row.user_id != owner_id:
                return None
            for key, value in values.items():
                setattr(row, key, value)
            await session.flush()
            return _view(row)

    async def delete(self, view_id: uuid.UUID, *, owner_id: uuid.UUID) -> bool:
        """Delete a view of ``owner_id``; False if they own no view ``view_id``."""
        async with self._db.write() as session:
            result = await session.execute(
                sa.delete(SavedViewRow).where(
                    SavedViewRow.id == view_id, SavedViewRow.user_id == owner_id
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
