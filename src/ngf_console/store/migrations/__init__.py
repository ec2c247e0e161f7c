"""Alembic migrations of the config DB, shipped inside the package and run at start-up.

The Alembic configuration is built here in code, so an installed wheel needs no
``alembic.ini``: the script location is this directory. To write a new revision from a
checkout::

    uv run python -m ngf_console.store.migrations revision -m "what changes" [URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from ngf_console.store.session import SQLITE_BEGIN_OPTION

SCRIPT_LOCATION = Path(__file__).resolve().parent

# Any constant will do; PostgreSQL advisory locks are keyed by a 64-bit integer.
_MIGRATION_LOCK_KEY = 0x4E4746434F4E53  # "NGFCONS"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for this package; ``connection`` is what env.py migrates."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the shipped scripts define."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migration scripts found"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at; None for an empty database."""
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade_to_head(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Two replicas starting at once: the second waits, then finds nothing to do.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
    command.upgrade(alembic_config(connection), "head")


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the database to the head revision, in one transaction (idempotent)."""
    async with engine.connect() as conn:
        # On SQLite, BEGIN IMMEDIATE serialises concurrent start-ups the same way.
        conn = await conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        async with conn.begin():
            await conn.run_sync(_upgrade_to_head)


def _main(argv: list[str]) -> None:
    """``revision -m MESSAGE [URL]``: autogenerate a revision against a database at head."""
    import asyncio

    from ngf_console.store.db import create_engine

    if len(argv) < 3 or argv[0] != "revision" or argv[1] != "-m":
        raise SystemExit(__doc__)
    message = argv[2]
    url = argv[3] if len(argv) > 3 else "sqlite+aiosqlite:///revision-scratch.db"

    async def run() -> None:
        engine = create_engine(url)
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.run_sync(
                lambda sync: command.revision(
                    alembic_config(sync), message=message, autogenerate=True
                )
            )
        await engine.dispose()

    asyncio.run(run())


if __name__ == "__main__":
    _main(sys.argv[1:])
