"""Console users: created on first sign-in, with their UI preferences."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ngf_console.store.documents import json_document
from ngf_console.store.models import UserRow, utcnow
from ngf_console.store.session import Database


class User(BaseModel):
    """A console user. ``subject`` is the identity provider's stable id for the person."""

    id: uuid.UUID
    subject: str
    email: str | None
    display_name: str | None
    preferences: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        subject=row.subject,
        email=row.email,
        display_name=row.display_name,
        preferences=row.preferences,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _locked(session: AsyncSession, user_id: uuid.UUID) -> UserRow | None:
    # FOR UPDATE on PostgreSQL; SQLite's write transactions are serialised already.
    query = sa.select(UserRow).where(UserRow.id == user_id).with_for_update()
    return await session.scalar(query)


class Users:
    """Looking up, creating and updating users."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get_or_create(
        self, subject: str, *, email: str | None = None, display_name: str | None = None
    ) -> User:
        """The user with ``subject``, created if new; a changed email or name is updated.

        Safe to call concurrently for the same subject: exactly one row results.
        """
        if not subject:
            raise ValueError("subject must not be empty")
        now = utcnow()
        values = {
            "id": uuid.uuid4(),
            "subject": subject,
            "email": email,
            "display_name": display_name,
            "preferences": {},
            "created_at": now,
            "updated_at": now,
        }
        insert = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        async with self._db.write() as session:
            await session.execute(
                insert(UserRow).values(**values).on_conflict_do_nothing(index_elements=["subject"])
            )
            row = await session.scalar(
                sa.select(UserRow).where(UserRow.subject == subject).with_for_update()
            )
            assert row is not None
            if email is not None and row.email != email:
                row.email = email
            if display_name is not None and row.display_name != display_name:
                row.display_name = display_name
            await session.flush()
            return _user(row)

    async def get(self, user_id: uuid.UUID) -> User | None:
        """The user with ``user_id``, or None."""
        async with self._db.read() as session:
            row = await session.get(UserRow, user_id)
            return _user(row) if row else None

    async def get_by_subject(self, subject: str) -> User | None:
        """The user with ``subject``, or None."""
        async with self._db.read() as session:
            row = await session.scalar(sa.select(UserRow).where(UserRow.subject == subject))
            return _user(row) if row else None

    async def get_by_email(self, email: str) -> User | None:
        """The (oldest) user with ``email``, or None."""
        async with self._db.read() as session:
            row = await session.scalar(
                sa.select(UserRow).where(UserRow.email == email).order_by(UserRow.created_at)
            )
            return _user(row) if row else None

    async def update_preferences(
        self, user_id: uuid.UUID, changes: Mapping[str, Any], *, replace: bool = False
    ) -> User | None:
        """Merge ``changes`` into the user's preferences (top-level keys; a None value removes
        the key), or with ``replace`` make them the whole preferences. None if no such user.
        """
        changes = json_document(changes)
        async with self._db.write() as session:
            row = await _locked(session, user_id)
            if row is None:
                return None
            merged = {} if replace else dict(row.preferences)
            for key, value in changes.items():
                if value is None and not replace:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            row.preferences = merged
            await session.flush()
            return _user(row)
