"""NGINX Ingress Controller migration projects: source, analysis and generated resources."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field

from ngf_console.store.documents import json_document, json_documents
from ngf_console.store.models import MigrationProjectRow
from ngf_console.store.session import Database


class MigrationProjectInput(BaseModel):
    """What a client sends to start a migration project."""

    name: str = Field(min_length=1, max_length=255)
    source_type: str = Field(min_length=1, max_length=50, description="cluster, file, git")
    source_config: dict[str, Any] = Field(default_factory=dict)
    analysis_result: dict[str, Any] | None = None
    generated_resources: list[dict[str, Any]] = Field(default_factory=list)
    status: str = Field(
        default="importing",
        min_length=1,
        max_length=50,
        description="importing, analyzed, reviewed, applied, completed",
    )


class MigrationProjectPatch(BaseModel):
    """A partial update: only the fields set are changed (``analysis_result`` may be null)."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    source_type: str | None = Field(default=None, min_length=1, max_length=50)
    source_config: dict[str, Any] | None = None
    analysis_result: dict[str, Any] | None = None
    generated_resources: list[dict[str, Any]] | None = None
    status: str | None = Field(default=None, min_length=1, max_length=50)


class MigrationProject(MigrationProjectInput):
    """A stored migration project."""

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime


def _project(row: MigrationProjectRow) -> MigrationProject:
    return MigrationProject(
        id=row.id,
        name=row.name,
        source_type=row.source_type,
        source_config=row.source_config,
        analysis_result=row.analysis_result,
        generated_resources=row.generated_resources,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _column_values(changes: Mapping[str, Any]) -> dict[str, Any]:
    # Only analysis_result is nullable; None elsewhere in a patch means "leave as is".
    values = {k: v for k, v in changes.items() if v is not None or k == "analysis_result"}
    for key in ("source_config", "analysis_result"):
        if values.get(key) is not None:
            values[key] = json_document(values[key])
    if "generated_resources" in values:
        values["generated_resources"] = json_documents(values["generated_resources"])
    return values


class MigrationProjects:
    """Creating, reading, updating and deleting migration projects."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, spec: MigrationProjectInput) -> MigrationProject:
        """Store a new project and return it."""
        row = MigrationProjectRow(**_column_values(spec.model_dump()))
        async with self._db.write() as session:
            session.add(row)
            await session.flush()
            return _project(row)

    async def get(self, project_id: uuid.UUID) -> MigrationProject | None:
        """The project with ``project_id``, or None."""
        async with self._db.read() as session:
            row = await session.get(MigrationProjectRow, project_id)
            return _project(row) if row else None

    async def list_projects(self, *, status: str | None = None) -> list[MigrationProject]:
        """Projects, newest first, optionally only those in ``status``."""
        query = sa.select(MigrationProjectRow).order_by(MigrationProjectRow.created_at.desc())
        if status is not None:
            query = query.where(MigrationProjectRow.status == status)
        async with self._db.read() as session:
            return [_project(row) for row in await session.scalars(query)]

    async def update(
        self, project_id: uuid.UUID, changes: MigrationProjectPatch
    ) -> MigrationProject | None:
        """Change the fields the patch sets; None when there is no such project."""
        values = _column_values(changes.model_dump(exclude_unset=True))
        async with self._db.write() as session:
            row = await session.get(MigrationProjectRow, project_id, with_for_update=True)
            if row is None:
                return None
            for key, value in values.items():
                setattr(row, key, value)
            await session.flush()
            return _project(row)

    async def delete(self, project_id: uuid.UUID) -> bool:
        """Delete the project; False when there was none."""
        async with self._db.write() as session:
            result = await session.execute(
                sa.delete(MigrationProjectRow).where(MigrationProjectRow.id == project_id)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
