"""Every storage test runs twice: on a SQLite file and on a real PostgreSQL server.

The PostgreSQL server is Debian's (``/usr/lib/postgresql/<version>/bin``), started once per
session: ``initdb`` into a private directory under /tmp, ``postgres`` listening only on a
unix socket in that directory (no TCP port at all), stopped at session end. As root it runs
as the ``postgres`` system user, since PostgreSQL refuses to run as root. Each test gets a
database of its own, dropped afterwards.

Set ``NGF_TEST_POSTGRES_URL`` (a superuser URL, e.g. ``postgresql://me:pw@127.0.0.1/postgres``)
to use a running server instead.

Tests are async and run on anyio's pytest plugin (``pytestmark = pytest.mark.anyio``).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from ngf_console.store import Store, normalize_url, open_store, sqlite_url

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _postgres_bin() -> Path:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not candidates:
        pytest.fail(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): "
            "run hack/setup-system.sh, or set NGF_TEST_POSTGRES_URL"
        )
    return candidates[-1].parent


def _run_as() -> dict[str, Any]:
    """subprocess arguments that drop root to the postgres system user."""
    if os.geteuid() != 0:
        return {}
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("running as root and there is no 'postgres' user to run PostgreSQL as")
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _start_postgres(root: Path) -> tuple[subprocess.Popen[bytes], Path]:
    bindir = _postgres_bin()
    as_user = _run_as()
    if as_user:
        os.chown(root, as_user["user"], as_user["group"])
    data, log = root / "data", root / "postgres.log"
    subprocess.run(
        [
            str(bindir / "initdb"),
            "--pgdata",
            str(data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        ],
        cwd=root,
        check=True,
        capture_output=True,
        **as_user,
    )
    with log.open("ab") as out:
        server = subprocess.Popen(
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-k",
                str(root),
                "-c",
                "listen_addresses=",
                # A throwaway server: durability buys nothing here.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            **as_user,
        )
    deadline = time.monotonic() + 60
    while True:
        ready = subprocess.run(
            [str(bindir / "pg_isready"), "-q", "-h", str(root), "-U", "postgres"], check=False
        )
        if ready.returncode == 0:
            return server, log
        if server.poll() is not None or time.monotonic() > deadline:
            _stop(server)
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            pytest.fail(f"PostgreSQL did not start:\n{tail}")
        time.sleep(0.1)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)  # "fast" shutdown: disconnect clients, then exit
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A superuser URL of the session's PostgreSQL server (its ``postgres`` database)."""
    given = os.environ.get("NGF_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    # Not pytest's tmp_path: that sits in a root-only directory the postgres user cannot enter.
    root = Path(tempfile.mkdtemp(prefix="ngf-pg-"))
    server, _log = _start_postgres(root)
    try:
        yield f"postgresql+asyncpg://postgres@/postgres?host={root}"
    finally:
        _stop(server)
        shutil.rmtree(root, ignore_errors=True)


async def _admin(admin_url: str, statement: str) -> None:
    engine = create_async_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            if statement.startswith("CREATE DATABASE"):
                version = int((await conn.execute(sa.text("SHOW server_version_num"))).scalar_one())
                # From 15 on, the default WAL_LOG strategy is several times slower for the
                # tiny template database than copying its files.
                if version >= 150000:
                    statement += " STRATEGY FILE_COPY"
            await conn.execute(sa.text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database of the test's own, on each backend in turn."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "config.db")
        return
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    name = f"t_{secrets.token_hex(6)}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield normalize_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A migrated, empty config DB, closed after the test."""
    opened = await open_store(database_url)
    try:
        yield opened
    finally:
        await opened.close()
