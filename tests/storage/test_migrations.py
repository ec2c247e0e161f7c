"""Migrations: every table at start-up, idempotent re-open, models and scripts agree."""

from __future__ import annotations

import uuid
from pathlib import Path

import anyio
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ngf_console.store import Store, normalize_url, open_store, sqlite_url
from ngf_console.store.migrations import SCRIPT_LOCATION, head_revision
from ngf_console.store.models import Base, SavedViewRow

pytestmark = pytest.mark.anyio

TABLES = {
    "users",
    "audit_log",
    "alert_rules",
    "saved_views",
    "migration_projects",
    "xc_publish_state",
    "canary_rollouts",
}


async def _table_names(store: Store) -> set[str]:
    async with store.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def test_open_creates_every_table_at_head(store: Store) -> None:
    assert await _table_names(store) == TABLES | {"alembic_version"}
    assert await store.schema_revision() == head_revision() == "0002"


async def test_reopen_is_idempotent_and_keeps_data(database_url: str) -> None:
    first = await open_store(database_url)
    user = await first.users.get_or_create("alice")
    await first.close()
    second = await open_store(database_url)
    try:
        assert await second.schema_revision() == head_revision()
        assert await second.users.get(user.id) == user
        async with second.engine.connect() as conn:
            versions = (
                await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            ).all()
        assert versions == [(head_revision(),)]
    finally:
        await second.close()


async def test_concurrent_start_ups_migrate_once(database_url: str) -> None:
    stores: list[Store] = []

    async def start() -> None:
        stores.append(await open_store(database_url))

    async with anyio.create_task_group() as group:
        for _ in range(3):
            group.start_soon(start)
    try:
        for opened in stores:
            assert await opened.schema_revision() == head_revision()
    finally:
        for opened in stores:
            await opened.close()


async def test_migrated_schema_matches_the_models(store: Store) -> None:
    def differences(sync: sa.Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(sync), Base.metadata))

    async with store.engine.connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_foreign_keys_are_enforced(store: Store) -> None:
    # Straight to the table, past the repository's own check of the owner.
    orphan = sa.insert(SavedViewRow.__table__).values(
        id=uuid.uuid4(), user_id=uuid.uuid4(), name="v", view_type="dashboard", config={}
    )
    with pytest.raises(sa.exc.IntegrityError):
        async with store.engine.begin() as conn:
            await conn.execute(orphan)


async def test_sqlite_file_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = await open_store(sqlite_url(tmp_path / "nested" / "dir" / "config.db"))
    try:
        async with store.engine.connect() as conn:
            assert (await conn.execute(sa.text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(sa.text("PRAGMA foreign_keys"))).scalar() == 1
        assert (tmp_path / "nested" / "dir" / "config.db").exists()
    finally:
        await store.close()


def test_migration_scripts_ship_inside_the_package() -> None:
    package_root = Path(__import__("ngf_console").__file__).parent
    assert SCRIPT_LOCATION.is_relative_to(package_root)
    assert (SCRIPT_LOCATION / "env.py").is_file()
    assert list((SCRIPT_LOCATION / "versions").glob("0001_*.py"))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
        ("postgresql://u:p@h:5432/d", "postgresql+asyncpg://u:p@h:5432/d"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
    ],
)
def test_urls_get_the_async_driver(given: str, expected: str) -> None:
    assert normalize_url(given).render_as_string(hide_password=False) == expected


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported config DB 'mysql'"):
        normalize_url("mysql://u@h/d")
