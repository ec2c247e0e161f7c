"""Sessions on the config DB: short read transactions and serialised write transactions.

On SQLite a write transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up
front (waiting up to the busy timeout) instead of upgrading a read snapshot later, which
WAL mode refuses at once with "database is locked" when another writer got in between.
PostgreSQL needs nothing special: its row locks and MVCC handle concurrent writers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

# Execution option read by the SQLite "begin" hook in db.py.
SQLITE_BEGIN_OPTION = "ngf_sqlite_begin"


class Database:
    """The engine of the config DB and a factory for its sessions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading; whatever it began is rolled back at the end."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in a write transaction, committed on success, rolled back on error."""
        async with self._sessions() as session, session.begin():
            if self.dialect == "sqlite":
                await session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            yield session
