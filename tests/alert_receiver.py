"""A notification receiver for alerting tests: records every POST, answers as scripted.

Its ASGI app goes on an ``httpx.ASGITransport`` (unit tier) or is served by uvicorn on
127.0.0.1 with :func:`serve` (integration tier).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    """Records requests; ``script(path, 500, 200)`` makes ``path`` answer 500, then 200."""

    requests: list[Received] = field(default_factory=list)
    _scripts: dict[str, deque[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, path: str, *answers: int | tuple[int, dict[str, str]]) -> None:
        """The next answers of ``path`` (status, or status and headers); then 200/202."""
        queue = self._scripts.setdefault(path, deque())
        for answer in answers:
            queue.append(answer if isinstance(answer, tuple) else (answer, {}))

    def bodies(self, path: str) -> list[Any]:
        with self._lock:
            return [r.body for r in self.requests if r.path == path]

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            path = request.url.path
            raw = await request.body()
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            with self._lock:
                self.requests.append(Received(path, dict(request.headers), body))
                queue = self._scripts.get(path)
                status, headers = queue.popleft() if queue else (None, {})
            if status is None:
                status = 202 if path.startswith("/pagerduty") else 200
            return JSONResponse({"status": status}, status_code=status, headers=headers)

        return Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])


@contextmanager
def serve(receiver: Receiver) -> Iterator[str]:
    """Serve ``receiver`` with uvicorn on a free 127.0.0.1 port; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(receiver.app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "receiver did not start"
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
