"""A small ClickHouse-HTTP-compatible server with the real engine (chDB) behind it.

No ClickHouse server can be installed here, so the store's ``clickhouse`` backend (the
clickhouse-connect HTTP client, unchanged) is tested against this: it implements what that
client uses of the HTTP interface — the query in the ``query`` parameter or the body, the
``database`` parameter, ``param_<name>`` query parameters, settings as URL parameters,
``FORMAT <fmt>`` at the end of the query (Native by default), inserts as ``INSERT ...
FORMAT Native`` with the data in the body, ``/ping``, and ClickHouse's error answers
(status 500/400 with ``X-ClickHouse-Exception-Code`` and the engine's message as the body).

Each request runs on a fresh chDB session (so ``SET`` of one request does not leak to the
next), on the one engine path of the process.
"""

from __future__ import annotations

import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from chdb import session as chdb_session
from fastapi import FastAPI, Request, Response

# Parameters of the HTTP interface that are not settings.
_TRANSPORT = {
    "query",
    "database",
    "default_format",
    "query_id",
    "session_id",
    "session_timeout",
    "session_check",
    "user",
    "password",
    "compress",
    "decompress",
    "enable_http_compression",
    "wait_end_of_query",
    "client_protocol_version",
    "buffer_size",
    "http_headers_progress_interval_ms",
    "send_progress_in_http_headers",
}
_FORMAT = re.compile(r"\s+FORMAT\s+(\w+)\s*;?\s*$", re.IGNORECASE)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s", re.IGNORECASE)
_INSERT_HEAD = re.compile(rb"^\s*INSERT\s+INTO\s.*?\sFORMAT\s+\w+\s", re.IGNORECASE | re.DOTALL)
_CODE = re.compile(r"Code: (\d+)\.")


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def create_app(path: Path) -> FastAPI:
    """The HTTP interface over chDB at ``path``."""
    app = FastAPI()
    lock = threading.Lock()  # chDB sessions are opened one at a time
    spool = Path(tempfile.mkdtemp(prefix="ch-http-"))

    @app.get("/ping")
    def ping() -> Response:
        return Response("Ok.\n", media_type="text/plain")

    @app.api_route("/", methods=["GET", "POST"])
    async def query(request: Request) -> Response:
        params = dict(request.query_params)
        body = await request.body()
        sql = params.get("query", "")
        data: bytes | None = None
        if sql and body:
            data = body  # INSERT ... FORMAT x with the rows in the body
        elif body:
            head = _INSERT_HEAD.match(body)
            if head:  # the INSERT statement, then the rows, in the body
                sql, data = head.group(0).decode().rstrip(), body[head.end() :]
            else:
                sql = body.decode()
        return _execute(path, lock, spool, sql, params, data)

    return app


def _execute(
    path: Path,
    lock: threading.Lock,
    spool: Path,
    sql: str,
    params: dict[str, str],
    data: bytes | None,
) -> Response:
    fmt = params.get("default_format", "TabSeparated")
    found = _FORMAT.search(sql)
    if found and not _INSERT.match(sql):
        fmt, sql = found.group(1), sql[: found.start()]
    settings = {
        k: v for k, v in params.items() if k not in _TRANSPORT and not k.startswith("param_")
    }
    bound = {k.removeprefix("param_"): v for k, v in params.items() if k.startswith("param_")}
    spooled: Path | None = None
    if data is not None and found and _INSERT.match(sql):
        spooled = spool / f"{time.monotonic_ns()}.{found.group(1)}"
        spooled.write_bytes(data)
        source = f"file({_literal(str(spooled))}, {_literal(found.group(1))})"
        sql = f"{sql[: found.start()]} SELECT * FROM {source}"
    with lock:
        sess = chdb_session.Session(str(path))
    try:
        if params.get("database"):
            sess.query(f"USE {params['database']}")
        # readonly last: once it is set, no other setting may change.
        for key in sorted(settings, key=lambda k: k == "readonly"):
            sess.query(f"SET {key} = {_literal(settings[key])}")
        result = sess.query(sql, fmt, params=bound or None)
        payload = result.bytes()
    except Exception as err:  # the engine's own error, as ClickHouse answers it
        message = str(err)
        code = _CODE.search(message)
        return Response(
            message + "\n",
            status_code=500,
            media_type="text/plain",
            headers={"X-ClickHouse-Exception-Code": code.group(1) if code else "1000"},
        )
    finally:
        sess.close()
        if spooled is not None:
            spooled.unlink(missing_ok=True)
    return Response(
        payload,
        media_type="application/octet-stream",
        headers={"X-ClickHouse-Format": fmt, "X-ClickHouse-Timezone": "UTC"},
    )


@contextmanager
def serving(path: Path) -> Iterator[str]:
    """Serve the interface over chDB at ``path`` on 127.0.0.1; yield its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(path), host="127.0.0.1", port=port, log_level="warning")
    )
    # Keeps the engine up between requests (it shuts down with its last session).
    anchor = chdb_session.Session(str(path))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the ClickHouse HTTP endpoint did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        anchor.close()
