"""Shared steps of the browser tests: axe-core, screenshots, kube objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lightkube.generic_resource import create_namespaced_resource
from playwright.sync_api import Page

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
AXE_JS = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"

GatewayBundle = create_namespaced_resource(
    "ngf-console.f5.com", "v1alpha1", "GatewayBundle", "gatewaybundles"
)
InferenceStack = create_namespaced_resource(
    "ngf-console.f5.com", "v1alpha1", "InferenceStack", "inferencestacks"
)
Gateway = create_namespaced_resource("gateway.networking.k8s.io", "v1", "Gateway", "gateways")
HTTPRoute = create_namespaced_resource("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes")


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE_JS))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def shoot(page: Page, directory: Path, name: str) -> Path:
    """A full-page screenshot under the test's tmp dir (kept by pytest for inspection)."""
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
