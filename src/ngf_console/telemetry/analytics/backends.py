"""The two ClickHouse backends, both as clickhouse-connect clients (same API, DDL, SQL).

* chDB: the engine embedded in this process, persisted to a directory. chDB runs one
  engine per process at one path: clients on the same path share it, and a client for a
  different path is refused while any is open. ``ChdbEngine`` keeps that rule visible:
  it counts the stores using the engine and names the path in use when another is asked.
* ClickHouse server: the HTTP interface, through clickhouse-connect's HTTP client.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from ngf_console.telemetry.analytics.config import AnalyticsSettings


class AnalyticsUnavailableError(Exception):
    """The analytics store cannot be opened or reached (the message says why)."""


@dataclass
class _EngineUse:
    path: Path
    users: int


class ChdbEngine:
    """The process's chDB engine path and how many stores use it."""

    _lock = threading.Lock()
    _use: _EngineUse | None = None

    @classmethod
    def acquire(cls, path: Path) -> None:
        """Claim the engine for ``path``; refused while another path is in use."""
        path = path.resolve()
        with cls._lock:
            if cls._use is not None and cls._use.path != path:
                raise AnalyticsUnavailableError(
                    f"chDB is already open at {cls._use.path} in this process and runs one "
                    f"data directory per process; cannot also open {path}"
                )
            if cls._use is None:
                cls._use = _EngineUse(path, 0)
            cls._use.users += 1

    @classmethod
    def release(cls, path: Path) -> None:
        """Give the claim back (the path is free for another once nobody uses it)."""
        path = path.resolve()
        with cls._lock:
            if cls._use is not None and cls._use.path == path:
                cls._use.users -= 1
                if cls._use.users <= 0:
                    cls._use = None

    @classmethod
    def path_in_use(cls) -> Path | None:
        """The path the engine is open at, if any."""
        with cls._lock:
            return cls._use.path if cls._use else None


def connect(settings: AnalyticsSettings, chdb_dir: Path, database: str | None) -> Client:
    """A new client of the configured backend (``database`` None: the server default).

    Raises AnalyticsUnavailableError when the backend cannot be reached.
    """
    common: dict[str, Any] = {"autogenerate_session_id": False}
    try:
        if settings.backend == "chdb":
            chdb_dir.mkdir(parents=True, exist_ok=True)
            return clickhouse_connect.get_client(
                interface="chdb", path=str(chdb_dir.resolve()), database=database
            )
        if not settings.url:
            raise AnalyticsUnavailableError("analytics backend 'clickhouse' needs a url")
        return clickhouse_connect.get_client(
            dsn=settings.url,
            database=database or "",
            compress=False,
            connect_timeout=5,
            send_receive_timeout=max(30, int(settings.sql_timeout_seconds) + 5),
            **common,
        )
    except AnalyticsUnavailableError:
        raise
    except Exception as err:  # the drivers raise many kinds; all mean "not reachable"
        where = chdb_dir if settings.backend == "chdb" else settings.url
        raise AnalyticsUnavailableError(f"cannot open ClickHouse ({where}): {err}") from err
