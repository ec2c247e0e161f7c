"""The real API server in-process for integration tests: an httpx client over ASGI, with
the app's lifespan (clusters, watch caches, config DB) running."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn

from ngf_console.api.app import create_app
from ngf_console.api.settings import ApiSettings

T = TypeVar("T")


@contextmanager
def running_api(settings: ApiSettings, port: int | None = None) -> Iterator[str]:
    """Serve the app on 127.0.0.1 (a real uvicorn server); yield its base URL. ``port``:
    one chosen beforehand (e.g. given to a simulator started earlier), else a free one."""
    import socket

    if port is None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def settings_for(kubeconfig: Path, db: Path, **extra: Any) -> ApiSettings:
    """API settings on the test control plane with a SQLite DB at ``db``."""
    from ngf_console.store import sqlite_url

    return ApiSettings(kubeconfig=kubeconfig, database_url=sqlite_url(db), **extra)


def until(check: Callable[[], T | None], timeout: float = 20.0, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.1)


__all__ = ["asyncio", "httpx", "running_api", "settings_for", "until"]
