"""The request trace and the traffic split against the live demo: a request the simulator
logged through the OTLP receiver is traced by its request id (the waterfall comes from its
access-log row), and its route's split shows the observed shares."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from console_server import LiveConsole
from playwright.sync_api import Page, expect
from ui_helpers import serious_violations, shoot

T = TypeVar("T")


def _until(check: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def _logged_http_request(api: httpx.Client, namespace: str) -> dict[str, Any]:
    """An access-log row of an HTTPRoute (the traffic split answers for it) with an id."""

    def find() -> dict[str, Any] | None:
        rows = api.get("/logs/query", params={"namespace": namespace, "limit": 200}).json()
        for row in rows["items"]:
            if not (row.get("request_id") and row.get("route") and row.get("gateway")):
                continue
            split = api.get("/traffic-split", params={"namespace": namespace, "name": row["route"]})
            if split.status_code == 200 and (split.json().get("observed") or {}).get(
                "total_requests"
            ):
                return dict(row)
        return None

    return _until(find, 120, "an access-log row of an HTTPRoute with a request id")


def test_trace_correlates_a_logged_request_and_the_split_is_observed(
    page: Page, live_console: LiveConsole, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    ns = live_console.namespace
    with httpx.Client(base_url=live_console.url + "/api/v1", timeout=30) as api:
        row = _logged_http_request(api, ns)
        gateway = api.get(f"/gateways/{row['gateway_namespace']}/{row['gateway']}").json()
        listeners = gateway["gateway"]["listeners"]
        # The listener the request came in on: by name, else the HTTP(S) one for its host.
        http = [x for x in listeners if x["protocol"] in ("HTTP", "HTTPS")]
        listener = next((x for x in http if x["name"] == row["listener"]), None) or next(
            (x for x in http if x.get("hostname") in (row["host"], None)), None
        )
        assert listener is not None, (row["listener"], row["host"], listeners)

    page.goto(live_console.url + "/diagnostics/trace")
    page.get_by_label("Request id (optional)").fill(row["request_id"])
    page.get_by_label("Method").fill(row["method"])
    page.get_by_label("Host").fill(row["host"])
    page.get_by_label("Scheme").select_option(
        "https" if listener["protocol"] == "HTTPS" else "http"
    )
    page.get_by_label("Port", exact=True).fill(str(listener["port"]))
    page.get_by_label("Path").fill(row["path"].split("?")[0] or "/")
    page.get_by_label("Gateway", exact=True).select_option(
        f"{row['gateway_namespace']}/{row['gateway']}"
    )
    page.get_by_role("button", name="Trace").click()
    correlation = page.get_by_test_id("correlation")
    expect(correlation).to_contain_text("Matched by request_id", timeout=30_000)
    expect(page.get_by_test_id("waterfall-bar").first).to_be_visible()
    expect(page.get_by_role("table", name="Simulated against observed")).to_be_visible()
    # The simulation lands on the route the access log names.
    expect(page.get_by_test_id("chosen-route")).to_contain_text(f"{ns}/{row['route']}")
    shoot(page, tmp_path, "trace-live")
    # The page scrolls inside its layout: the results get a screenshot of their own.
    page.get_by_test_id("trace-results").screenshot(path=str(tmp_path / "trace-live-results.png"))
    assert serious_violations(page) == []

    page.goto(live_console.url + f"/routes/canary?route=HTTPRoute/{ns}/{row['route']}")
    observed = page.get_by_test_id("observed-split")
    expect(observed).to_contain_text("Observed from the access logs", timeout=30_000)
    expect(observed.get_by_role("table", name="Observed split")).to_be_visible()
    shoot(page, tmp_path, "split-live")
    assert serious_violations(page) == []
    assert errors == []
