"""Opening the config DB: URL forms, the engine, and the ``Store`` the API works with.

URLs: ``sqlite+aiosqlite:///relative/path.db``, ``sqlite+aiosqlite:////absolute/path.db``
(the default is ``ngf-console.db`` in the working directory) or
``postgresql+asyncpg://user:password@host:5432/db``. The sync spellings ``sqlite:///...``,
``postgresql://...`` and ``postgres://...`` are accepted and given the async driver.

SQLite runs in WAL mode (readers do not block the writer) with foreign keys enforced and a
busy timeout, and our own ``BEGIN`` so that transactions, including the migrations' DDL,
really are transactions.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ngf_console.store import migrations
from ngf_console.store.alert_rules import AlertRules
from ngf_console.store.audit import AuditLog
from ngf_console.store.canary import CanaryRollouts
from ngf_console.store.migration_projects import MigrationProjects
from ngf_console.store.saved_views import SavedViews
from ngf_console.store.session import SQLITE_BEGIN_OPTION, Database
from ngf_console.store.users import Users
from ngf_console.store.xc_publish_state import XcPublishStates

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///ngf-console.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite database file at ``path``."""
    return f"sqlite+aiosqlite:///{path}"


def normalize_url(url: str) -> URL:
    """``url`` with the async driver this package uses filled in.

    Raises ValueError for a database other than SQLite and PostgreSQL.
    """
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(f"unsupported config DB {backend!r}: use SQLite or PostgreSQL")
    if parsed.drivername == backend:
        parsed = parsed.set(drivername=_ASYNC_DRIVERS[backend])
    return parsed


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy's "begin" (the sqlite3 module would otherwise
    # begin lazily, only before DML, and never for DDL).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _on_sqlite_begin(connection: sa.Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``, with the SQLite settings described above."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed)
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
        return engine
    # pre_ping: a PostgreSQL restart must not surface as errors on pooled connections.
    return create_async_engine(parsed, pool_pre_ping=True)


class Store:
    """The config DB: one repository per table, sharing one engine.

    Use ``open_store`` to get one; close it (or use ``async with``) when done.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        db = Database(engine)
        self.dialect: str = db.dialect
        self.users = Users(db)
        self.audit = AuditLog(db)
        self.alert_rules = AlertRules(db)
        self.saved_views = SavedViews(db)
        self.migration_projects = MigrationProjects(db)
        self.xc_publish_state = XcPublishStates(db)
        self.canary = CanaryRollouts(db)

    @property
    def url(self) -> str:
        """The database URL with any password masked, for logs."""
        return self.engine.url.render_as_string(hide_password=True)

    async def ping(self) -> bool:
        """True when the database answers a trivial query (for readiness probes)."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except (sa.exc.SQLAlchemyError, OSError):
            return False
        return True

    async def schema_revision(self) -> str | None:
        """The migration revision the database is at."""
        async with self.engine.connect() as conn:
            return await conn.run_sync(migrations.current_revision)

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


async def open_store(url: str = DEFAULT_DATABASE_URL) -> Store:
    """Connect to the config DB at ``url`` and migrate it to the newest schema."""
    engine = create_engine(url)
    try:
        await migrations.upgrade(engine)
    except BaseException:
        await engine.dispose()
        raise
    return Store(engine)
