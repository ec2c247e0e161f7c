"""Alert rules in Settings against the real API and chDB: the sources this server offers
(no Prometheus here: PromQL rules are offered disabled, saying why), a SQL rule the API
refuses (the reason on the query field, nothing saved), a valid one listed, and "Test"
showing the source's counts (delivered to a local webhook) or, for a source that fails at
evaluation, the API's SourceFailed message with nothing sent. Then PromQL rules against an
API with a real Prometheus (which refuses what does not parse)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from console_server import serving
from playwright.sync_api import Page, expect
from ui_helpers import serious_violations, shoot

from alert_receiver import Receiver, serve
from ngf_console.api.settings import ApiSettings
from ngf_console.sandbox import processes
from ngf_console.sandbox import prometheus as prom
from ngf_console.store import sqlite_url
from ngf_console.telemetry.analytics.config import AnalyticsSettings

# DESCRIBE sees no numeric `value` column: refused when saved (422 on body.config.query).
NO_VALUE = "SELECT count() AS total FROM ngf_inference_logs"
# Three rows, two of them above 5; real ClickHouse evaluates it, no table needed.
THREE_ROWS = "SELECT arrayJoin(['a', 'b', 'c']) AS pool, if(pool = 'a', 1, 9) AS value"
# Analysed fine when saved (DESCRIBE does not run it); fails when the rule is evaluated.
FAILS_WHEN_RUN = "SELECT 'a' AS pool, toFloat64(throwIf(1 = 1, 'boom from the test')) AS value"


@pytest.fixture(scope="module")
def promql_console_url(
    kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory, analytics_dir: Path
) -> Iterator[str]:
    """An API server with a real Prometheus (nothing to scrape: the rules use vector())."""
    state = tmp_path_factory.mktemp("alerts-prometheus")
    process, url = prom.start(state, prom.write_config(state / "prometheus.yml"))
    try:
        prom.wait_ready(url, process)
        settings = ApiSettings(
            kubeconfig=kubeconfig,
            database_url=sqlite_url(state / "console.db"),
            analytics=AnalyticsSettings(dir=analytics_dir),
            prometheus_url=url,
        )
        with serving(settings) as console:
            yield console
    finally:
        processes.stop(process)


@pytest.fixture
def hook() -> Iterator[tuple[Receiver, str]]:
    got = Receiver()
    with serve(got) as url:
        yield got, url


def _rules(console_url: str) -> list[dict[str, object]]:
    response = httpx.get(console_url + "/api/v1/alerts/rules", timeout=30)
    response.raise_for_status()
    rules: list[dict[str, object]] = response.json()
    return rules


def _type_query(page: Page, text: str) -> None:
    editor = page.get_by_test_id("rule-query").locator(".monaco-editor")
    expect(editor).to_be_visible(timeout=30_000)
    editor.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def _shoot(page: Page, directory: Path, name: str) -> None:
    """A screenshot tall enough for the whole page (the layout scrolls inside <main>)."""
    page.set_viewport_size({"width": 1280, "height": 1600})
    shoot(page, directory, name)
    page.set_viewport_size({"width": 1280, "height": 800})


def _new_sql_rule(page: Page, name: str, query: str, webhook: str) -> None:
    page.get_by_role("button", name="New rule").click()
    page.get_by_role("radio", name=re.compile("Analytics query")).check()
    _type_query(page, query)
    page.get_by_label("Window").fill("10m")
    page.get_by_label("Operator").select_option(">")
    page.get_by_label("Threshold").fill("5")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Webhook URL (optional)").fill(webhook)


def test_sql_alert_rules_from_settings(
    page: Page, console_url: str, hook: tuple[Receiver, str], tmp_path: Path
) -> None:
    got, base = hook
    page.goto(console_url + "/settings")
    expect(page.get_by_role("heading", level=1, name="Settings")).to_be_visible()

    # No Prometheus on this server: offered, but disabled with the API's reason.
    page.get_by_role("button", name="New rule").click()
    promql = page.get_by_role("radio", name=re.compile("Prometheus query"))
    expect(promql).to_be_disabled()
    reason = page.get_by_text(re.compile("Not available: no Prometheus is configured"))
    expect(reason).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("Certificate expiry"))).to_be_checked()
    page.get_by_role("button", name="Cancel").click()

    # A SELECT without a numeric value column: the API's reason on the query field.
    _new_sql_rule(page, "ui no value", NO_VALUE, f"{base}/hook/refused")
    page.get_by_role("button", name="Create rule").click()
    query_error = page.locator("#r-query-error")
    expect(query_error).to_contain_text("value", timeout=30_000)
    expect(page.get_by_text("The API refused this rule; nothing was saved")).to_be_visible()
    assert not [r for r in _rules(console_url) if r["name"] == "ui no value"]
    _shoot(page, tmp_path, "alert-rule-refused")
    assert serious_violations(page) == []

    # The same form, a valid query: saved and listed.
    _type_query(page, THREE_ROWS)
    page.get_by_label("Name", exact=True).fill("ui three rows")
    page.get_by_label("Webhook URL (optional)").fill(f"{base}/hook/ui")
    page.get_by_role("button", name="Create rule").click()
    table = page.get_by_role("table", name="Alert rules")
    row = table.get_by_role("row").filter(has_text="ui three rows")
    expect(row).to_contain_text("clickhouse_query > 5")
    expect(page.locator("#r-query-error")).to_have_count(0)
    (saved,) = [r for r in _rules(console_url) if r["name"] == "ui three rows"]
    assert saved["config"]["query"] == THREE_ROWS  # type: ignore[index]
    assert saved["config"]["params"] == {"window": 600}  # type: ignore[index]

    # Test: the source's counts now, and the test notification at the webhook.
    row.get_by_role("button", name="Test rule ui three rows").click()
    result = page.get_by_test_id("rule-test-result")
    expect(result).to_contain_text("3 samples, 2 meeting the condition", timeout=30_000)
    expect(result).to_contain_text("Delivered to http://127.0.0.1")
    # (The runner evaluates the rule too: its firing notifications also arrive here.)
    (sent,) = [b for b in got.bodies("/hook/ui") if b["event"] == "test"]
    assert sent["event"] == "test"
    assert sent["annotations"] == {"samples": "3", "meeting_condition": "2"}
    _shoot(page, tmp_path, "alert-rule-tested")
    assert serious_violations(page) == []

    # Edit: the form holds the saved query and the redacted webhook, which the API keeps.
    row.get_by_role("button", name="Edit rule ui three rows").click()
    expect(page.get_by_test_id("rule-query")).to_contain_text("arrayJoin", timeout=30_000)
    page.get_by_label("Threshold").fill("0")
    page.get_by_role("button", name="Save rule").click()
    expect(row).to_contain_text("clickhouse_query > 0")
    row.get_by_role("button", name="Test rule ui three rows").click()
    expect(result).to_contain_text("3 samples, 3 meeting the condition", timeout=30_000)
    tests = [b for b in got.bodies("/hook/ui") if b["event"] == "test"]
    assert [t["annotations"]["meeting_condition"] for t in tests] == ["2", "3"]

    # A query that fails when run: Test shows the SourceFailed message; nothing is sent.
    _new_sql_rule(page, "ui fails", FAILS_WHEN_RUN, f"{base}/hook/fails")
    page.get_by_role("button", name="Create rule").click()
    failing = table.get_by_role("row").filter(has_text="ui fails")
    failing.get_by_role("button", name="Test rule ui fails").click()
    alert = page.get_by_role("alert").filter(has_text="Test of ui fails failed")
    expect(alert).to_contain_text("the rule's source failed, nothing was sent", timeout=30_000)
    expect(alert).to_contain_text("boom from the test")
    assert got.bodies("/hook/fails") == []
    # The runner's pass (woken by the save) failed too: the list says so, without a reload.
    expect(failing).to_contain_text("Last evaluation: ClickHouse", timeout=45_000)
    _shoot(page, tmp_path, "alert-rule-source-failed")
    assert serious_violations(page) == []


def test_promql_alert_rules_from_settings(
    page: Page, promql_console_url: str, hook: tuple[Receiver, str], tmp_path: Path
) -> None:
    got, base = hook
    page.goto(promql_console_url + "/settings")
    page.get_by_role("button", name="New rule").click()
    promql = page.get_by_role("radio", name=re.compile("Prometheus query"))
    expect(promql).to_be_enabled()
    promql.check()
    expect(page.get_by_label("Window")).to_have_count(0)  # SQL rules only
    _type_query(page, "sum(")
    page.get_by_label("Operator").select_option(">")
    page.get_by_label("Threshold").fill("5")
    page.get_by_label("Name", exact=True).fill("ui promql")
    page.get_by_label("Webhook URL (optional)").fill(f"{base}/hook/promql")
    page.get_by_role("button", name="Create rule").click()
    expect(page.locator("#r-query-error")).to_contain_text(
        "Prometheus refused the query", timeout=30_000
    )
    assert not [r for r in _rules(promql_console_url) if r["name"] == "ui promql"]
    _shoot(page, tmp_path, "alert-rule-promql-refused")
    assert serious_violations(page) == []

    _type_query(page, 'label_replace(vector(7), "pool", "a", "", "")')
    page.get_by_role("button", name="Create rule").click()
    row = page.get_by_role("table", name="Alert rules").get_by_role("row")
    row = row.filter(has_text="ui promql")
    expect(row).to_contain_text("prometheus_query > 5")
    row.get_by_role("button", name="Test rule ui promql").click()
    expect(page.get_by_test_id("rule-test-result")).to_contain_text(
        "1 sample, 1 meeting the condition", timeout=30_000
    )
    tests = [b for b in got.bodies("/hook/promql") if b["event"] == "test"]
    assert [t["annotations"] for t in tests] == [{"samples": "1", "meeting_condition": "1"}]
