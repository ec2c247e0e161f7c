"""Gateway edit and scale, and the route detail page, in a browser against the real API and
control plane. No operator runs here: the test writes the bundle's Gateway itself (owned by
the bundle, as the operator would) and the route's status (as a gateway controller would)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.models.meta_v1 import ObjectMeta, OwnerReference
from lightkube.types import PatchType
from playwright.sync_api import Page, expect
from ui_helpers import Gateway, GatewayBundle, HTTPRoute, serious_violations, shoot


def bundle_with_gateway(kube: Client, namespace: str) -> None:
    """GatewayBundle ``web`` (one HTTP listener, 1 replica) and its Gateway child."""
    bundle = kube.create(
        GatewayBundle(
            metadata=ObjectMeta(name="web", namespace=namespace, labels={"team": "web"}),
            spec={
                "gatewayClassName": "nginx",
                "listeners": [
                    {"name": "http", "port": 80, "protocol": "HTTP", "hostname": "old.example.com"}
                ],
                "infrastructure": {"replicas": 1},
            },
        )
    )
    assert bundle.metadata is not None
    assert bundle.metadata.uid is not None
    owner = OwnerReference(
        apiVersion="ngf-console.f5.com/v1alpha1",
        kind="GatewayBundle",
        name="web",
        uid=bundle.metadata.uid,
        controller=True,
    )
    gateway = Gateway(
        metadata=ObjectMeta(name="web", namespace=namespace, ownerReferences=[owner]),
        spec={
            "gatewayClassName": "nginx",
            "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP", "hostname": "old.example.com"}
            ],
        },
    )
    try:
        kube.create(gateway)
    except ApiError as err:
        # An operator of another test may share this control plane and create it first.
        if err.status.code != 409:
            raise


def _wait_for(check: Any, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.3)


def test_edit_a_listener_hostname_then_scale_the_data_plane(
    page: Page, console_url: str, kube: Client, namespace: str, tmp_path: Path
) -> None:
    bundle_with_gateway(kube, namespace)
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))

    page.goto(f"{console_url}/gateways/{namespace}/web")
    expect(page.get_by_role("heading", level=1, name="Gateway web")).to_be_visible()
    # The page polls: the watch cache may list the Gateway a moment before its owner.
    edit = page.get_by_role("link", name="Edit", exact=True)
    expect(edit).to_be_visible(timeout=25_000)
    edit.click()

    expect(
        page.get_by_role("heading", level=1, name=f"Edit gateway {namespace}/web")
    ).to_be_visible()
    page.get_by_role("button", name="Next").click()
    # Pre-filled from the bundle; name and namespace are fixed.
    expect(page.locator("#gw-name")).to_have_value("web")
    expect(page.locator("#gw-name")).to_have_attribute("readonly", "")
    expect(page.locator("#gw-namespace")).to_have_value(namespace)
    expect(page.locator("#gw-labels")).to_have_value("team=web")
    expect(page.locator("#gw-replicas")).to_have_value("1")
    hostname = page.locator("#l-0-hostname")
    expect(hostname).to_have_value("old.example.com")
    hostname.fill("new.example.com")
    shoot(page, tmp_path, "gateway-edit-step2")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Skip").click()
    page.get_by_role("button", name="Skip").click()

    # Review: the side-by-side diff shows exactly the hostname line changed.
    diff = page.get_by_role("table", name="Side-by-side diff")
    changed = diff.locator('[data-change="changed"]')
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("hostname: old.example.com")
    expect(changed).to_contain_text("hostname: new.example.com")
    expect(diff.locator('[data-change="added"], [data-change="removed"]')).to_have_count(0)
    # The children from the API's dry run (PUT ?dryRun=true).
    expect(page.get_by_text("What the operator will create")).to_be_visible()
    expect(page.get_by_label("Gateway web YAML", exact=True)).to_contain_text("new.example.com")
    shoot(page, tmp_path, "gateway-edit-review")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Saved GatewayBundle {namespace}/web")).to_be_visible()

    stored = kube.get(GatewayBundle, "web", namespace=namespace)
    assert stored["spec"]["listeners"] == [
        {"name": "http", "port": 80, "protocol": "HTTP", "hostname": "new.example.com"}
    ]
    assert stored["spec"]["infrastructure"] == {"replicas": 1}
    assert stored.metadata is not None and stored.metadata.labels == {"team": "web"}

    # Scale: validated, confirmed with the diff line, then PUT.
    page.get_by_role("link", name="Back to the gateway").click()
    expect(page.get_by_text("Replicas now: 1")).to_be_visible()
    replicas = page.get_by_label("Replicas", exact=True)
    replicas.fill("0")
    page.get_by_role("button", name="Scale…").click()
    expect(
        page.get_by_text("At least 1 (0 would stop the data plane serving traffic)")
    ).to_be_visible()
    replicas.fill("3")
    page.get_by_role("button", name="Scale…").click()
    dialog = page.get_by_role("alertdialog", name="Confirm scale")
    expect(dialog.locator('[data-change="changed"]')).to_contain_text("replicas: 1")
    expect(dialog.locator('[data-change="changed"]')).to_contain_text("replicas: 3")
    shoot(page, tmp_path, "gateway-scale-confirm")
    assert serious_violations(page) == []
    dialog.get_by_role("button", name="Confirm scale").click()
    expect(page.get_by_text("Saved: 3 replicas requested")).to_be_visible()
    stored = kube.get(GatewayBundle, "web", namespace=namespace)
    assert stored["spec"]["infrastructure"] == {"replicas": 3}
    assert stored["spec"]["listeners"][0]["hostname"] == "new.example.com"
    assert errors == []


def test_route_detail_shows_rules_status_and_deletes(
    page: Page, console_url: str, kube: Client, namespace: str, tmp_path: Path
) -> None:
    kube.create(
        HTTPRoute(
            metadata=ObjectMeta(name="shop", namespace=namespace),
            spec={
                "parentRefs": [{"name": "web", "sectionName": "http"}],
                "hostnames": ["shop.example.com"],
                "rules": [
                    {
                        "matches": [
                            {"path": {"type": "PathPrefix", "value": "/api"}, "method": "GET"}
                        ],
                        "backendRefs": [
                            {"name": "api-v1", "port": 8080, "weight": 80},
                            {"name": "api-v2", "port": 8080, "weight": 20},
                        ],
                    },
                    {"backendRefs": [{"name": "frontend", "port": 80}]},
                ],
            },
        )
    )
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    kube.patch(
        HTTPRoute.Status,
        "shop",
        {
            "status": {
                "parents": [
                    {
                        "parentRef": {"name": "web", "sectionName": "http"},
                        "controllerName": "gateway.nginx.org/nginx-gateway-controller",
                        "conditions": [
                            {
                                "type": "Accepted",
                                "status": "True",
                                "reason": "Accepted",
                                "message": "The route is accepted",
                                "observedGeneration": 1,
                                "lastTransitionTime": now,
                            },
                            {
                                "type": "ResolvedRefs",
                                "status": "False",
                                "reason": "BackendNotFound",
                                "message": "Service api-v2 not found",
                                "observedGeneration": 1,
                                "lastTransitionTime": now,
                            },
                        ],
                    }
                ]
            }
        },
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))

    # The Routes list links each row to its detail page.
    page.goto(f"{console_url}/routes")
    # Other tests' routes share this control plane: the row of this namespace's route.
    link = page.locator(f'a[href="/routes/httproute/{namespace}/shop"]')
    expect(link).to_be_visible(timeout=25_000)
    link.click()
    expect(page).to_have_url(f"{console_url}/routes/httproute/{namespace}/shop")
    expect(page.get_by_role("heading", level=1, name="HTTPRoute shop")).to_be_visible()

    # Status per parent, as the controller wrote it.
    conditions = page.get_by_role("table", name=f"Conditions from {namespace}/web#http")
    expect(conditions).to_contain_text("Accepted")
    expect(conditions).to_contain_text("BackendNotFound")
    expect(conditions).to_contain_text("Service api-v2 not found")
    # Rules: matches and backends with weights and shares.
    rule = page.get_by_test_id("rule-0")
    expect(rule).to_contain_text("PathPrefix /api · GET")
    backends = page.get_by_role("table", name="Backends of rule 1")
    expect(backends.get_by_role("row", name="api-v1")).to_contain_text("80%")
    expect(backends.get_by_role("row", name="api-v2")).to_contain_text("20%")
    # The CRD defaults an unset weight to 1 and an absent match to PathPrefix /.
    expect(page.get_by_test_id("rule-1")).to_contain_text("PathPrefix /")
    expect(
        page.get_by_role("table", name="Backends of rule 2").get_by_role("row", name="frontend")
    ).to_contain_text("100%")
    # The route check link carries the route.
    check = page.get_by_role("link", name="Run route check")
    expect(check).to_have_attribute(
        "href", f"/diagnostics/route-check?route=HTTPRoute%2F{namespace}%2Fshop"
    )
    # Metrics: this console has no Prometheus, which the page says rather than drawing zeros.
    expect(page.get_by_text("Metrics unavailable")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0, timeout=15_000)
    shoot(page, tmp_path, "route-detail")
    page.get_by_text("Metrics unavailable").scroll_into_view_if_needed()
    shoot(page, tmp_path, "route-detail-metrics")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Delete…").click()
    page.get_by_role("alertdialog", name="Confirm delete").get_by_role(
        "button", name="Delete HTTPRoute"
    ).click()
    expect(page).to_have_url(f"{console_url}/routes")
    _wait_for(
        lambda: not list(kube.list(HTTPRoute, namespace=namespace)), "the route was not deleted"
    )
    assert errors == []
