"""The Inference section's live pages on the live demo: pool detail charts, the EPP decision
visualizer (a chosen pod, its reason, new decisions arriving), the GPU heatmap and cost."""

from __future__ import annotations

import re
from pathlib import Path

from console_server import LiveConsole
from lightkube import Client
from playwright.sync_api import Page, expect
from ui_helpers import InferenceStack, serious_violations, shoot

POOL = "qwen-chat-pool"
# Data starts flowing ~60-90 s after the fixture starts (Prometheus scrapes, OTLP batches).
DATA_TIMEOUT_MS = 150_000


def _shoot_all(page: Page, directory: Path, name: str) -> None:
    """A screenshot of the whole page: the shell scrolls its main area, not the window, so
    the viewport is made as tall as the content first."""
    height = page.evaluate("() => document.querySelector('main')?.scrollHeight ?? 800")
    page.set_viewport_size({"width": 1280, "height": min(6000, max(800, int(height) + 80))})
    page.wait_for_timeout(500)
    shoot(page, directory, name)


def _chart_points(page: Page, title: str) -> int:
    figure = page.locator(f'figure[data-chart="{title}"]')
    return int(figure.get_attribute("data-points") or 0)


def _wait_for_chart(page: Page, title: str) -> None:
    """The chart has points and Recharts drew them (a path or bars inside its SVG)."""
    page.wait_for_function(
        """(title) => {
            const f = document.querySelector(`figure[data-chart="${title}"]`);
            return f && Number(f.dataset.points) > 0 &&
                f.querySelector('svg .recharts-line-curve, svg .recharts-bar-rectangle path');
        }""",
        arg=title,
        timeout=DATA_TIMEOUT_MS,
    )


def test_pool_detail_page_shows_charts(
    live_console: LiveConsole, page: Page, tmp_path: Path
) -> None:
    ns = live_console.namespace
    page.goto(f"{live_console.url}/inference/pools/{ns}/{POOL}")
    expect(page.get_by_role("heading", name=f"InferencePool {POOL}")).to_be_visible()
    status = page.get_by_label("Pool status")
    expect(status).to_contain_text("qwen2.5-7b-instruct", timeout=30_000)
    expect(status).to_contain_text("H100")
    expect(status).to_contain_text("Ready", timeout=60_000)

    for title in (
        "Time to first token",
        "Tokens per second",
        "Queue depth per pod",
        "KV-cache utilisation",
        "Prefix cache hit rate",
        "GPU utilisation per pod",
        "GPU memory per pod",
    ):
        _wait_for_chart(page, title)
        assert _chart_points(page, title) > 0, title
    # The TTFT panel names its quantiles from the API's numbers.
    ttft = page.locator('figure[data-chart="Time to first token"] figcaption')
    expect(ttft).to_contain_text("p50")
    expect(ttft).not_to_contain_text("p50 —")
    # Cost of one H100 replica or more, from the chart's default pricing.
    expect(page.get_by_test_id("cost-hourly")).to_contain_text("$", timeout=30_000)
    # The pool's GPUs in the heatmap.
    expect(page.locator('td[data-heat-cell="value"]').first).to_be_attached(timeout=60_000)
    # From the inference logs: where a request's time goes, and the models side by side.
    heading = page.get_by_role("heading", name="Request latency breakdown")
    breakdown = page.locator("section", has=heading).last  # the card, not the page
    expect(breakdown).to_contain_text("Mean request", timeout=60_000)
    expect(breakdown.get_by_role("cell", name="Decode")).to_be_visible()
    models = page.get_by_role("table", name="Models and pools")
    expect(models).to_contain_text("qwen2.5-7b-instruct", timeout=30_000)

    assert serious_violations(page) == []
    _shoot_all(page, tmp_path, "inference-pool-detail")


def test_epp_visualizer_shows_live_decisions(
    live_console: LiveConsole, page: Page, tmp_path: Path
) -> None:
    ns = live_console.namespace
    page.goto(f"{live_console.url}/inference/pools/{ns}/{POOL}/epp")
    decisions = page.get_by_role("list", name="EPP decisions")
    first = decisions.locator("li").first
    expect(first).to_be_attached(timeout=DATA_TIMEOUT_MS)

    # The newest decision's pod is highlighted and its reason shown.
    chosen = page.locator('article[data-chosen="true"]')
    expect(chosen).to_have_count(1)
    expect(page.get_by_test_id("epp-reason")).to_contain_text("Selected")
    chosen_pod = chosen.get_attribute("data-pod")
    assert chosen_pod and chosen_pod.startswith("qwen-chat-model-")
    expect(page.get_by_test_id("epp-reason")).to_contain_text(chosen_pod)

    # A new decision arrives without a reload.
    newest = first.get_attribute("data-decision-id")
    page.wait_for_function(
        """(old) => {
            const li = document.querySelector('[aria-label="EPP decisions"] li');
            return li && li.dataset.decisionId !== old;
        }""",
        arg=newest,
        timeout=60_000,
    )

    # A click on a decision shows every candidate's score, the chosen pod marked.
    decisions.locator("li button").nth(1).click()
    table = page.get_by_role("table", name="Candidates of decision")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    assert rows.count() >= 1
    expect(table).to_contain_text("chosen")
    expect(page.get_by_role("button", name="Follow live")).to_be_visible()

    assert serious_violations(page) == []
    _shoot_all(page, tmp_path, "inference-epp")


def test_gpu_heatmap_and_cost(live_console: LiveConsole, page: Page, tmp_path: Path) -> None:
    ns = live_console.namespace
    page.goto(f"{live_console.url}/inference/gpus")
    expect(page.get_by_role("heading", name="GPU utilisation")).to_be_visible()
    row = page.locator(f'tr[data-gpu-row^="{ns}/{POOL}/"]').first
    expect(row.locator('td[data-heat-cell="value"]').first).to_be_attached(timeout=DATA_TIMEOUT_MS)
    assert serious_violations(page) == []
    _shoot_all(page, tmp_path, "inference-gpus")

    page.goto(f"{live_console.url}/inference/cost")
    pools = page.get_by_role("table", name="Cost per pool")
    expect(pools).to_contain_text(f"{ns}/{POOL}", timeout=60_000)
    expect(pools).to_contain_text(f"{ns}/llama31-8b-pool")
    expect(pools).to_contain_text("H100")
    assert serious_violations(page) == []
    _shoot_all(page, tmp_path, "inference-cost")


def test_scaling_policy_what_if_then_apply(
    live_console: LiveConsole, page: Page, kube: Client, tmp_path: Path
) -> None:
    ns = live_console.namespace
    page.goto(f"{live_console.url}/inference/pools/{ns}/{POOL}")
    card = page.locator("section", has=page.get_by_role("heading", name="Scaling policy (what if)"))
    card = card.last
    queue = card.get_by_label("Queue depth per pod")
    expect(queue).to_have_value("4", timeout=30_000)  # the demo stack's threshold
    queue.fill("0")
    expect(card).to_contain_text("Must be above 0.")
    expect(card.get_by_role("button", name="Review change (dry run)")).to_be_disabled()
    queue.fill("1")
    # The overlay: replicas the new threshold would have asked for, over the recorded load.
    expect(card.get_by_text(re.compile(r"what-if \d"))).to_be_visible(timeout=90_000)
    card.get_by_role("button", name="Review change (dry run)").click()
    expect(card).to_contain_text("accepts this change (dry run)")
    # A dry run changes nothing in the cluster.
    stack = kube.get(InferenceStack, "qwen-chat", namespace=ns).to_dict()
    assert stack["spec"]["autoscaling"]["queueDepthThreshold"]["value"] == 4
    card.get_by_role("button", name="Apply").click()
    expect(card.get_by_role("status")).to_contain_text("Applied")
    stack = kube.get(InferenceStack, "qwen-chat", namespace=ns).to_dict()
    assert stack["spec"]["autoscaling"]["queueDepthThreshold"] == {"value": 1, "duration": "30s"}
    assert serious_violations(page) == []
    shoot(page, tmp_path, "scaling-what-if")
