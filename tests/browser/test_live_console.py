"""The live fixture itself: the simulator's logs reach the analytics store through the
API's OTLP receiver, and Prometheus serves the simulator's metrics through the API."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from console_server import LiveConsole
from playwright.sync_api import Page, expect
from ui_helpers import serious_violations, shoot

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


def test_the_dashboard_shows_live_traffic_and_inference(
    page: Page, live_console: LiveConsole, tmp_path: Path
) -> None:
    page.goto(live_console.url + "/")
    traffic = page.get_by_role("region", name="Traffic (RED, last hour)")
    requests = traffic.get_by_test_id("tile-Requests")
    # Prometheus needs a few scrapes before a rate is more than 0.
    expect(requests).to_have_text(re.compile(r"[1-9]"), timeout=120_000)
    inference = page.get_by_role("region", name="Inference")
    expect(inference.get_by_test_id("tile-Pools")).to_have_text(
        re.compile(r"[1-9]"), timeout=60_000
    )
    expect(page.get_by_role("region", name="Alerts firing")).to_contain_text("None firing.")
    shoot(page, tmp_path, "dashboard-live")
    assert serious_violations(page) == []
