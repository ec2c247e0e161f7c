"""Every built page in a browser against the real API: content, live topology, edition
gating, accessibility (axe-core) and screenshots kept under the test's tmp dir."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from lightkube import Client
from playwright.sync_api import Page, expect
from ui_helpers import Gateway, HTTPRoute, serious_violations, shoot

MAIN_PAGES = [
    ("/", "Dashboard"),
    ("/gateways", "Gateways"),
    ("/gateways/create", "Create gateway"),
    ("/routes", "Routes"),
    ("/routes/create/httproute", "Create HTTPRoute"),
    ("/policies", "Policies"),
    ("/certificates", "Certificates"),
    ("/topology", "Topology"),
    ("/inference", "Inference"),
    ("/inference/pools/create", "Create inference pool"),
    ("/audit", "Audit"),
    ("/settings", "Settings"),
]


@pytest.mark.parametrize(("path", "heading"), MAIN_PAGES)
def test_page_renders_without_serious_accessibility_violations(
    page: Page, console_url: str, tmp_path: Path, path: str, heading: str
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(console_url + path)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0, timeout=15_000)
    shoot(page, tmp_path, path.strip("/").replace("/", "-") or "dashboard")
    assert serious_violations(page) == []
    assert errors == []


def _gateway(namespace: str, name: str) -> Any:
    return Gateway.from_dict(  # type: ignore[attr-defined]
        {
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "gatewayClassName": "nginx",
                "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
            },
        }
    )


def _route(namespace: str, name: str, gateway: str) -> Any:
    return HTTPRoute.from_dict(  # type: ignore[attr-defined]
        {
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "parentRefs": [{"name": gateway}],
                "rules": [{"backendRefs": [{"name": "shop", "port": 80}]}],
            },
        }
    )


def test_topology_shows_a_new_gateway_and_route_live(
    page: Page, console_url: str, kube: Client, namespace: str, tmp_path: Path
) -> None:
    kube.create(_gateway(namespace, "edge"))
    kube.create(_route(namespace, "shop", "edge"))
    page.goto(console_url + "/topology")
    expect(page.get_by_text("Live updates: connected")).to_be_visible(timeout=15_000)
    namespaces = page.get_by_label("Namespace")
    expect(namespaces.locator(f"option[value='{namespace}']")).to_have_count(1, timeout=15_000)
    namespaces.select_option(namespace)
    graph = page.get_by_test_id("topology-graph")
    expect(graph.get_by_text("edge", exact=True)).to_be_visible(timeout=15_000)
    expect(graph.get_by_text("shop", exact=True).first).to_be_visible()
    # A route created while the page is open arrives over the topology websocket.
    kube.create(_route(namespace, "checkout", "edge"))
    expect(graph.get_by_text("checkout", exact=True)).to_be_visible(timeout=15_000)
    shoot(page, tmp_path, "topology-live")
    graph.get_by_text("edge", exact=True).click()
    expect(page.get_by_role("link", name="Open")).to_have_attribute(
        "href", f"/gateways/{namespace}/edge"
    )


def test_oss_cluster_greys_enterprise_features_and_never_calls_them(
    page: Page, console_url: str, tmp_path: Path
) -> None:
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    page.goto(console_url + "/policies")
    expect(page.get_by_text("OSS", exact=True)).to_be_visible()
    gated = page.get_by_test_id("enterprise-gated")
    expect(gated).to_have_count(2)
    expect(gated.first).to_have_attribute(
        "title", "Requires NGINX Gateway Fabric Enterprise. Contact F5 for a trial."
    )
    expect(gated.first.get_by_role("link", name="Start an F5 trial")).to_be_visible()
    shoot(page, tmp_path, "policies-oss")
    page.goto(console_url + "/gateways/create")
    page.get_by_role("button", name="Next").click()
    page.locator("#gw-name").fill("x")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("enterprise-gated")).to_contain_text("App Protect WAF policy")
    enterprise_calls = [u for u in requested if "/policies/waf" in u or "snippetsfilter" in u]
    assert enterprise_calls == []


def _synthetic_graph(size: int) -> dict[str, Any]:
    """A topology of `size` nodes shaped like a real one: gateways, routes, services, pods."""
    kinds = ["Gateway", "HTTPRoute", "HTTPRoute", "Service", "Pod", "Pod"]
    nodes = [
        {
            "id": f"n{i}",
            "kind": kinds[i % len(kinds)],
            "name": f"node-{i}",
            "namespace": f"ns-{i % 20}",
            "label": f"node-{i}",
            "status": ["healthy", "degraded", "error", "unknown"][i % 4],
            "data": {},
        }
        for i in range(size)
    ]
    edges = [
        {"id": f"e{i}", "source": f"n{i - 1}", "target": f"n{i}", "kind": "attaches", "data": {}}
        for i in range(1, size)
    ]
    return {"nodes": nodes, "edges": edges, "root": None}


def test_topology_of_2000_nodes_pans_smoothly(page: Page, console_url: str, tmp_path: Path) -> None:
    body = json.dumps(_synthetic_graph(2000))
    page.route(
        "**/api/v1/topology",
        lambda route: route.fulfill(status=200, content_type="application/json", body=body),
    )
    started = time.monotonic()
    page.goto(console_url + "/topology")
    expect(page.get_by_text("2000 nodes")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("topology-graph").get_by_text("node-0", exact=True)).to_be_visible()
    shown_after = time.monotonic() - started
    pane = page.locator(".react-flow__pane")
    box = pane.bounding_box()
    assert box is not None
    page.evaluate(
        """() => { window.__frames = 0;
        const tick = () => { window.__frames++; window.__raf = requestAnimationFrame(tick); };
        window.__raf = requestAnimationFrame(tick); }"""
    )
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    t0 = time.monotonic()
    steps = 120
    for i in range(steps):
        page.mouse.move(x - 3 * i, y - 2 * i)
    page.mouse.up()
    elapsed = time.monotonic() - t0
    frames = page.evaluate("() => { cancelAnimationFrame(window.__raf); return window.__frames; }")
    fps = frames / elapsed
    shoot(page, tmp_path, "topology-2000")
    (tmp_path / "figures.json").write_text(
        json.dumps({"nodes": 2000, "fps_panning": round(fps, 1), "shown_s": round(shown_after, 2)})
    )
    print(f"topology 2000 nodes: shown in {shown_after:.2f}s, panning {fps:.1f} frames/s")
    assert fps >= 10, f"panning a 2,000-node topology ran at {fps:.1f} frames/s"
