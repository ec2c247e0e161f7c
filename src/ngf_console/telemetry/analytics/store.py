"""The analytics store: an async facade over a small pool of clickhouse-connect clients.

Calls run in worker threads (both drivers are blocking; chDB releases the GIL while the
engine works). Each client serves one call at a time, so the pool size bounds the
concurrency the store asks of ClickHouse.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError

from ngf_console.telemetry.analytics import schema
from ngf_console.telemetry.analytics.backends import (
    AnalyticsUnavailableError,
    ChdbEngine,
    connect,
)
from ngf_console.telemetry.analytics.config import AnalyticsSettings

log = logging.getLogger(__name__)
T = TypeVar("T")
POOL_SIZE = 3
_CODE = re.compile(r"Code: \d+\.")
_URL_TRAILER = re.compile(r"\s*\(for url [^)]*\)\s*$")


class QueryError(Exception):
    """ClickHouse refused or failed a statement; the message is ClickHouse's own text."""


def clickhouse_message(err: Exception) -> str:
    """ClickHouse's error text without the driver's preamble (from ``Code: N.`` on)."""
    text = str(err)
    found = _CODE.search(text)
    text = text[found.start() :] if found else text
    # The HTTP driver appends the FORMAT clause it sent; that is not the caller's SQL.
    return _URL_TRAILER.sub("", text.replace(" FORMAT Native", "")).strip()


@dataclass(frozen=True)
class QueryResult:
    """Rows of a query with their column names and ClickHouse types."""

    columns: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class AnalyticsStore:
    """ClickHouse (chDB embedded or a server) with the console's schema applied."""

    def __init__(self, settings: AnalyticsSettings, chdb_dir: Path) -> None:
        self.settings = settings
        self.chdb_dir = chdb_dir
        self._pool: asyncio.Queue[Client] = asyncio.Queue()
        self._clients: list[Client] = []
        self._engine_claimed = False

    @property
    def backend(self) -> str:
        """``chdb`` or ``clickhouse``."""
        return self.settings.backend

    async def start(self) -> None:
        """Connect, create the database, apply pending migrations.

        Raises AnalyticsUnavailableError if the backend cannot be opened.
        """
        if self.settings.backend == "chdb":
            ChdbEngine.acquire(self.chdb_dir)
            self._engine_claimed = True
        try:
            await asyncio.to_thread(self._open)
            await self.migrate()
        except BaseException:
            await self.close()
            raise

    def _open(self) -> None:
        bootstrap = connect(self.settings, self.chdb_dir, None)
        try:
            bootstrap.command(f"CREATE DATABASE IF NOT EXISTS {self.settings.database}")
        except ClickHouseError as err:
            raise AnalyticsUnavailableError(clickhouse_message(err)) from err
        finally:
            bootstrap.close()
        for _ in range(POOL_SIZE):
            client = connect(self.settings, self.chdb_dir, self.settings.database)
            self._clients.append(client)
            self._pool.put_nowait(client)

    async def close(self) -> None:
        """Close every client (and release the chDB engine for another path)."""
        clients, self._clients = self._clients, []
        for client in clients:
            await asyncio.to_thread(client.close)
        self._pool = asyncio.Queue()
        if self._engine_claimed:
            ChdbEngine.release(self.chdb_dir)
            self._engine_claimed = False

    async def _run(self, call: Callable[[Client], T]) -> T:
        if not self._clients:
            raise AnalyticsUnavailableError("the analytics store is not open")
        client = await self._pool.get()
        try:
            return await asyncio.to_thread(call, client)
        except ClickHouseError as err:
            raise QueryError(clickhouse_message(err)) from err
        finally:
            self._pool.put_nowait(client)

    async def query(
        self,
        sql: str,
        parameters: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> QueryResult:
        """Run a query; ``{name:Type}`` placeholders are bound server-side from
        ``parameters``. Raises QueryError with ClickHouse's message."""

        def call(client: Client) -> QueryResult:
            result = client.query(
                sql, parameters=dict(parameters or {}), settings=dict(settings or {})
            )
            return QueryResult(
                list(result.column_names),
                [t.name for t in result.column_types],
                [tuple(r) for r in result.result_rows],
            )

        return await self._run(call)

    async def command(self, sql: str, parameters: Mapping[str, Any] | None = None) -> None:
        """Run a statement that returns nothing of interest (DDL, INSERT ... SELECT)."""
        await self._run(lambda c: c.command(sql, parameters=dict(parameters or {})))

    async def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert rows (each in ``columns`` order) in one batch."""
        if not rows:
            return
        await self._run(lambda c: c.insert(table, rows, column_names=list(columns)))

    async def applied_migrations(self) -> list[int]:
        """Versions recorded in ``schema_migrations``, ascending."""
        result = await self.query(
            f"SELECT DISTINCT version FROM {schema.MIGRATIONS_TABLE} ORDER BY version"
        )
        return [int(r[0]) for r in result.rows]

    async def migrate(self) -> list[int]:
        """Apply the migrations not yet recorded; return the versions applied now."""
        await self.command(schema.migrations_table_ddl())
        done = set(await self.applied_migrations())
        applied = []
        for migration in schema.MIGRATIONS:
            if migration.version in done:
                continue
            for statement in migration.statements:
                await self.command(statement)
            await self.insert(
                schema.MIGRATIONS_TABLE,
                ["version", "description"],
                [(migration.version, migration.description)],
            )
            log.info("analytics schema: applied %d (%s)", migration.version, migration.description)
            applied.append(migration.version)
        return applied
