"""The live fixture itself: the simulator's logs reach the analytics store through the
API's OTLP receiver, and Prometheus serves the simulator's metrics through the API."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from conftest import LiveConsole

T = TypeVar("T")


def until(check: Callable[[], T], timeout: float, what: str) -> T:
    """Poll ``check`` every second until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def test_simulated_traffic_reaches_logs_and_metrics(live_console: LiveConsole) -> None:
    with httpx.Client(base_url=live_console.url + "/api/v1", timeout=30) as api:
        ns = live_console.namespace
        logs = until(
            lambda: api.get("/logs/query", params={"namespace": ns}).json()["items"],
            90,
            "access logs from the simulator's OTLP export",
        )
        assert all(row["namespace"] == ns for row in logs)
        decisions = until(
            lambda: api.get("/inference/epp/decisions", params={"namespace": ns}).json()["items"],
            60,
            "EPP decisions",
        )
        assert decisions[0]["selected_pod"]
        summary = until(
            lambda: api.get("/metrics/summary", params={"range": "5m"}).json()["requests"],
            90,
            "RED summary from Prometheus",
        )
        assert summary
