"""The API server (serving the built UI) as the browser tests start it, and what the live
console fixture hands its tests. A module of its own: test modules import these by name, and
``conftest`` is not a unique module name across the test tiers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import uvicorn

from ngf_console.api.app import create_app, default_ui_dir
from ngf_console.api.settings import ApiSettings
from ngf_console.sandbox import demo


@contextmanager
def serving(settings: ApiSettings) -> Iterator[str]:
    """The API server (with the built UI) on a free loopback port; yields its base URL."""
    if not (default_ui_dir() / "index.html").is_file():
        pytest.fail(f"the UI is not built ({default_ui_dir()}): run `make ui` first")
    port = demo.free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass(frozen=True)
class LiveConsole:
    """The demo's moving parts around one API server: what a live page shows."""

    url: str
    namespace: str
    prometheus_url: str
