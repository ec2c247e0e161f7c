"""The route detail page over the live demo: RED charts from the real Prometheus scraping the
simulator, and the traffic split observed in the access logs it sends."""

from __future__ import annotations

import re
from pathlib import Path

from console_server import LiveConsole
from playwright.sync_api import Page, expect
from ui_helpers import serious_violations, shoot


def test_route_detail_draws_red_charts_and_the_observed_split(
    page: Page, live_console: LiveConsole, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    # The demo's shop-api splits 90/10 between api and api-canary.
    page.goto(f"{live_console.url}/routes/httproute/{live_console.namespace}/shop-api?range=5m")
    expect(page.get_by_role("heading", level=1, name="HTTPRoute shop-api")).to_be_visible()
    backends = page.get_by_role("table", name="Backends of rule 1")
    expect(backends.get_by_role("row", name=re.compile("^api-canary"))).to_contain_text("10%")
    # Prometheus needs a few scrapes before a rate is more than 0.
    expect(page.get_by_test_id("tile-Requests")).to_have_text(re.compile(r"[1-9]"), timeout=120_000)
    expect(page.locator(".recharts-surface").first).to_be_visible()
    observed = page.get_by_test_id("observed-split")
    expect(observed).to_contain_text(re.compile(r"[1-9]\d* request\(s\)"), timeout=60_000)
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0, timeout=30_000)
    # The shell scrolls inside: a tall viewport puts the charts and the split in the picture.
    page.set_viewport_size({"width": 1280, "height": 2600})
    shoot(page, tmp_path, "route-detail-live")
    assert serious_violations(page) == []
    assert errors == []
