"""Where HTTPRoutes are published in F5 Distributed Cloud, and how their last sync went.

One row per (route, XC tenant, XC namespace); ``config_hash`` is the hash of what was last
pushed, so a changed route shows up as drift.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.exc import IntegrityError

from ngf_console.store.errors import ConflictError
from ngf_console.store.models import XcPublishStateRow
from ngf_console.store.session import Database


class XcPublishStateInput(BaseModel):
    """What the publisher records for a route published to XC."""

    httproute_namespace: str = Field(min_length=1, max_length=255)
    httproute_name: str = Field(min_length=1, max_length=255)
    xc_tenant: str = Field(min_length=1, max_length=255)
    xc_namespace: str = Field(min_length=1, max_length=255)
    xc_http_lb_name: str | None = Field(default=None, max_length=255)
    xc_origin_pool_name: str | None = Field(default=None, max_length=255)
    public_endpoint: str | None = Field(default=None, max_length=255)
    last_sync_status: str | None = Field(default=None, max_length=50)
    last_sync_time: AwareDatetime | None = None
    config_hash: str | None = Field(default=None, max_length=64)


class XcPublishStatePatch(BaseModel):
    """A partial update of the XC side and the sync result (the route key does not change)."""

    xc_http_lb_name: str | None = Field(default=None, max_length=255)
    xc_origin_pool_name: str | None = Field(default=None, max_length=255)
    public_endpoint: str | None = Field(default=None, max_length=255)
    last_sync_status: str | None = Field(default=None, max_length=50)
    last_sync_time: AwareDatetime | None = None
    config_hash: str | None = Field(default=None, max_length=64)


class XcPublishState(XcPublishStateInput):
    """A stored publish state."""

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime


def _state(row: XcPublishStateRow) -> XcPublishState:
    return XcPublishState(
        id=row.id,
        httproute_namespace=row.httproute_namespace,
        httproute_name=row.httproute_name,
        xc_tenant=row.xc_tenant,
        xc_namespace=row.xc_namespace,
        xc_http_lb_name=row.xc_http_lb_name,
        xc_origin_pool_name=row.xc_origin_pool_name,
        public_endpoint=row.public_endpoint,
        last_sync_status=row.last_sync_status,
        last_sync_time=row.last_sync_time,
        config_hash=row.config_hash,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class XcPublishStates:
    """Creating, reading, updating and deleting XC publish states."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, spec: XcPublishStateInput) -> XcPublishState:
        """Store a new state; ``ConflictError`` if the route is already recorded for that
        tenant and namespace.
        """
        row = XcPublishStateRow(**spec.model_dump())
        try:
            async with self._db.write() as session:
                session.add(row)
                await session.flush()
                return _state(row)
        except IntegrityError as error:
            raise ConflictError(
                f"{spec.httproute_namespace}/{spec.httproute_name} is already recorded for "
                f"XC {spec.xc_tenant}/{spec.xc_namespace}"
            ) from error

    async def get(self, state_id: uuid.UUID) -> XcPublishState | None:
        """The state with ``state_id``, or None."""
        async with self._db.read() as session:
            row = await session.get(XcPublishStateRow, state_id)
            return _state(row) if row else None

    async def list_states(
        self, *, httproute_namespace: str | None = None, httproute_name: str | None = None
    ) -> list[XcPublishState]:
        """States, optionally of one namespace or one route, ordered by route."""
        query = sa.select(XcPublishStateRow).order_by(
            XcPublishStateRow.httproute_namespace,
            XcPublishStateRow.httproute_name,
            XcPublishStateRow.xc_tenant,
            XcPublishStateRow.xc_namespace,
        )
        if httproute_namespace is not None:
            query = query.where(XcPublishStateRow.httproute_namespace == httproute_namespace)
        if httproute_name is not None:
            query = query.where(XcPublishStateRow.httproute_name == httproute_name)
        async with self._db.read() as session:
            return [_state(row) for row in await session.scalars(query)]

    async def update(
        self, state_id: uuid.UUID, changes: XcPublishStatePatch
    ) -> XcPublishState | None:
        """Change the fields the patch sets (an explicit null clears a field); None when
        there is no such state.
        """
        async with self._db.write() as session:
            row = await session.get(XcPublishStateRow, state_id, with_for_update=True)
            if row is None:
                return None
            for key, value in changes.model_dump(exclude_unset=True).items():
                setattr(row, key, value)
            await session.flush()
            return _state(row)

    async def delete(self, state_id: uuid.UUID) -> bool:
        """Delete the state; False when there was none."""
        async with self._db.write() as session:
            result = await session.execute(
                sa.delete(XcPublishStateRow).where(XcPublishStateRow.id == state_id)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
