"""The observability section against the live demo: RED from the real Prometheus, access
logs, Top-N and custom SQL from the real chDB store fed by the simulator's OTLP export."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from console_server import LiveConsole
from playwright.sync_api import Page, expect
from ui_helpers import serious_violations, shoot

# Logs and metrics arrive within ~60 s of the fixture starting (first test of the module).
ARRIVAL_MS = 120_000
NON_ZERO_RATE = re.compile(r"^(?!0/s$)\d[\d.]*k?/s$")


def _select_namespace(page: Page, namespace: str) -> None:
    """Pick ``namespace`` in the header's selector (its options load from the API)."""
    select = page.get_by_label("Namespace")
    expect(select.locator(f'option[value="{namespace}"]')).to_have_count(1, timeout=30_000)
    select.select_option(namespace)


def _shoot(page: Page, directory: Path, name: str) -> None:
    """A screenshot tall enough for the whole page (the layout scrolls inside <main>)."""
    page.set_viewport_size({"width": 1280, "height": 1800})
    shoot(page, directory, name)
    page.set_viewport_size({"width": 1280, "height": 800})


def _no_serious_violations(page: Page) -> None:
    assert serious_violations(page) == []


def test_overview_shows_a_non_zero_request_rate(
    page: Page, live_console: LiveConsole, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(live_console.url + "/observability?range=5m")
    expect(page.get_by_role("heading", level=1, name="Observability")).to_be_visible()
    # Auto-refresh refetches every 15 s: the rate turns non-zero once Prometheus has two
    # scrapes of the simulator's counters.
    expect(page.get_by_test_id("tile-Requests")).to_have_text(NON_ZERO_RATE, timeout=ARRIVAL_MS)
    expect(page.get_by_test_id("chart-Request rate")).to_be_visible()
    expect(page.locator('[data-testid="chart-Request rate"] .recharts-line')).to_have_count(1)
    # Per Gateway (Prometheus) and per route (access-log rollups), linking to their detail.
    _select_namespace(page, live_console.namespace)
    gateway_link = page.get_by_role("table", name="RED per Gateway").get_by_role("link").first
    expect(gateway_link).to_be_visible(timeout=30_000)
    rates = page.get_by_test_id("gateway-rate")
    expect(rates.filter(has_text=NON_ZERO_RATE).first).to_be_visible(timeout=60_000)
    route_links = page.get_by_role("table", name="Busiest routes").get_by_role(
        "link", name=re.compile("^" + re.escape(live_console.namespace) + r"\/")
    )
    expect(route_links.first).to_be_visible(timeout=ARRIVAL_MS)
    expect(page.get_by_text("Latency percentiles")).to_be_visible()
    _shoot(page, tmp_path, "observability-overview")
    _no_serious_violations(page)

    route_links.first.click()
    expect(page).to_have_url(re.compile(r"/observability/route/"))
    expect(page.get_by_role("heading", level=2, name=re.compile("^HTTPRoute "))).to_be_visible()
    expect(page.get_by_test_id("tile-Requests")).to_be_visible(timeout=30_000)
    _shoot(page, tmp_path, "observability-route")
    _no_serious_violations(page)
    assert errors == []


def _route_cells(page: Page) -> list[str]:
    return page.locator('[data-testid="log-row"] [data-column="namespace"]').all_inner_texts()


def test_log_explorer_lists_the_namespace_and_a_filter_narrows_it(
    page: Page, live_console: LiveConsole, tmp_path: Path
) -> None:
    ns = live_console.namespace
    page.goto(live_console.url + "/observability/logs")
    _select_namespace(page, ns)
    search = page.get_by_role("button", name="Search")
    rows = page.get_by_test_id("log-row")
    routes: set[str] = set()
    # Wait until the newest page holds more than one route (web and inference traffic), so
    # that filtering on one of them has something to leave out.
    for _ in range(60):
        search.click()
        answered = rows.first.or_(page.get_by_text("No access logs match"))
        expect(answered).to_be_visible(timeout=15_000)
        routes = set(_route_cells(page))
        if len(routes) > 1:
            break
        page.wait_for_timeout(2_000)
    assert len(routes) > 1, f"only {routes} in the newest access logs of {ns}"
    assert all(cell.startswith(f"{ns}/") for cell in routes)
    _shoot(page, tmp_path, "observability-logs")
    _no_serious_violations(page)

    # Paging within the pinned window (continue token), and back.
    page.get_by_role("button", name="Older").click()
    expect(page.get_by_text("Page 2")).to_be_visible()
    expect(rows.first).to_be_visible()
    assert all(cell.startswith(f"{ns}/") for cell in _route_cells(page))
    page.get_by_role("button", name="Newer").click()
    expect(page.get_by_text("Page 1")).to_be_visible()
    expect(page.get_by_role("button", name="Newer")).to_have_count(0)

    chosen = sorted(routes)[0].split("/", 1)[1]
    page.get_by_label("Route").fill(chosen)
    search.click()
    expect(page).to_have_url(re.compile(f"route={re.escape(chosen)}"))
    expect(rows.first).to_be_visible(timeout=15_000)
    expect(
        page.locator('[data-testid="log-row"] [data-column="namespace"]').filter(
            has_not_text=f"{ns}/{chosen}"
        )
    ).to_have_count(0)
    assert set(_route_cells(page)) == {f"{ns}/{chosen}"}

    # The row drawer shows every column of the row.
    page.get_by_role("button", name=re.compile("^Details of request")).first.click()
    drawer = page.get_by_role("dialog")
    expect(drawer).to_be_visible()
    columns = ("timestamp", "route", "user_agent", "upstream_addr", "request_id", "tls_version")
    for column in columns:
        expect(drawer.locator(f'dd[data-column="{column}"]')).to_have_count(1)
    expect(drawer.locator('dd[data-column="route"]')).to_have_text(chosen)
    _shoot(page, tmp_path, "observability-logs-drawer")
    _no_serious_violations(page)
    page.keyboard.press("Escape")
    expect(drawer).to_have_count(0)


def test_top_n_panels(page: Page, live_console: LiveConsole, tmp_path: Path) -> None:
    page.goto(live_console.url + "/observability/topn")
    _select_namespace(page, live_console.namespace)
    busiest = page.get_by_test_id("topn-routes")
    expect(busiest.get_by_role("link").first).to_have_text(
        re.compile("^" + re.escape(live_console.namespace) + r"\/"), timeout=ARRIVAL_MS
    )
    expect(page.get_by_test_id("topn-status")).to_contain_text("2xx")
    expect(page.get_by_test_id("topn-user_agents").locator("tbody tr").first).to_be_visible()
    expect(page.get_by_test_id("topn-slowest").locator("tbody tr").first).to_contain_text("ms")
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
    _shoot(page, tmp_path, "observability-topn")
    _no_serious_violations(page)


def _type_sql(page: Page, sql: str) -> None:
    page.locator(".monaco-editor").first.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(sql)


def _api_refusal(live_console: LiveConsole, sql: str) -> str:
    """What the API itself answers to ``sql`` (the UI must show exactly this)."""
    response = httpx.post(live_console.url + "/api/v1/logs/sql", json={"sql": sql}, timeout=30)
    assert response.status_code == 400, response.text
    message: str = response.json()["detail"]["message"]
    return message


def test_sql_console(page: Page, live_console: LiveConsole, tmp_path: Path) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_console.url + "/observability")
    expect(page.get_by_role("heading", level=1, name="Observability")).to_be_visible()
    # Monaco is code-split: the overview never loads it, the SQL page does.
    assert not [u for u in requests if "editor.api" in u or "SqlPage" in u]
    page.get_by_role("link", name="SQL console").click()
    expect(page.locator(".monaco-editor").first).to_be_visible(timeout=30_000)
    assert [u for u in requests if "editor.api" in u]
    assert not [u for u in requests if "cdn" in u or "jsdelivr" in u]

    _type_sql(page, "SELECT count() FROM ngf_access_logs")
    page.get_by_role("button", name="Run", exact=True).click()
    result = page.get_by_test_id("sql-result")
    expect(result.locator("thead")).to_contain_text("count()")
    expect(result.locator("tbody td").first).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.get_by_test_id("sql-stats")).to_have_text(re.compile(r"^1 row · \d+\.\d ms$"))
    _shoot(page, tmp_path, "observability-sql")
    _no_serious_violations(page)

    bad = "SELECT no_such_column FROM ngf_access_logs"
    _type_sql(page, bad)
    page.keyboard.press("ControlOrMeta+Enter")
    clickhouse_text = _api_refusal(live_console, bad)
    assert "no_such_column" in clickhouse_text
    expect(page.get_by_test_id("sql-error")).to_have_text(clickhouse_text)
    _shoot(page, tmp_path, "observability-sql-error")
    _no_serious_violations(page)

    insert = "INSERT INTO ngf_access_logs (path) VALUES ('/x')"
    _type_sql(page, insert)
    page.get_by_role("button", name="Run", exact=True).click()
    refusal = _api_refusal(live_console, insert)
    assert "only SELECT" in refusal
    expect(page.get_by_test_id("sql-error")).to_have_text(refusal)
