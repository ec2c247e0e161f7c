"""The Diagnostics, Migration and Canary pages in a browser against the real API and control
plane: route check, request simulator, migration import → apply (with the operator), a
malformed source, canary start + promote; axe-core and a screenshot on each page."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lightkube import Client, codecs
from lightkube.codecs import from_dict
from lightkube.core.exceptions import ApiError
from lightkube.models.core_v1 import ServicePort, ServiceSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Service
from lightkube.types import PatchType
from playwright.sync_api import Page, expect
from ui_helpers import Gateway, HTTPRoute, serious_violations, shoot

from ngf_console.sandbox import demo, processes

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: cafe
  namespace: {namespace}
  annotations:
    nginx.org/rewrites: "serviceName=tea rewrite=/"
    nginx.org/proxy-read-timeout: "30s"
    nginx.org/lb-method: "least_conn"
spec:
  ingressClassName: nginx
  rules:
  - host: cafe.example.com
    http:
      paths:
      - path: /tea
        pathType: Prefix
        backend:
          service:
            name: tea
            port:
              number: 80
"""


def _service(kube: Client, namespace: str, name: str) -> None:
    kube.create(
        Service(
            metadata=ObjectMeta(name=name, namespace=namespace),
            spec=ServiceSpec(ports=[ServicePort(port=80)], selector={"app": name}),
        )
    )


def _create(kube: Client, body: dict[str, Any]) -> None:
    kube.create(from_dict(body))


def _gateway(kube: Client, namespace: str, name: str = "edge") -> None:
    _create(
        kube,
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "gatewayClassName": "nginx",
                "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
            },
        },
    )


def _route(kube: Client, namespace: str, name: str, parent: str, rules: list[Any]) -> None:
    _create(
        kube,
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "parentRefs": [{"name": parent}],
                "hostnames": [f"{name}.{namespace}.example.com"],
                "rules": rules,
            },
        },
    )


def _clean(page: Page, tmp_path: Path, name: str, errors: list[str]) -> None:
    shoot(page, tmp_path, name)
    assert serious_violations(page) == []
    assert errors == []


@pytest.fixture
def errors(page: Page) -> list[str]:
    found: list[str] = []
    page.on("pageerror", lambda err: found.append(str(err)))
    return found


def test_route_check_shows_the_eight_checks_and_the_missing_gateway(
    page: Page, console_url: str, kube: Client, namespace: str, tmp_path: Path, errors: list[str]
) -> None:
    _service(kube, namespace, "shop")
    _route(
        kube, namespace, "orphan", "missing-gw", [{"backendRefs": [{"name": "shop", "port": 80}]}]
    )
    page.goto(console_url + "/diagnostics")
    expect(page.get_by_role("heading", level=1, name="Diagnostics")).to_be_visible()
    picker = page.get_by_label("Route to check")
    value = f"HTTPRoute/{namespace}/orphan"
    expect(picker.locator(f"option[value='{value}']")).to_have_count(1, timeout=15_000)
    picker.select_option(value)
    checks = page.get_by_role("list", name="Route checks").locator(":scope > li")
    expect(checks).to_have_count(8, timeout=15_000)
    attachment = page.get_by_test_id("check-gateway-attachment")
    expect(attachment).to_have_attribute("data-status", "fail")
    expect(attachment).to_contain_text(f"Gateway {namespace}/missing-gw does not exist")
    expect(attachment).to_contain_text("Fix:")
    expect(page.get_by_test_id("check-route-status")).to_contain_text("First failure:")
    assert f"route=HTTPRoute%2F{namespace}%2Forphan" in page.url
    _clean(page, tmp_path, "route-check", errors)


def test_simulator_picks_the_rule_and_shows_the_losing_candidate(
    page: Page, console_url: str, kube: Client, namespace: str, tmp_path: Path, errors: list[str]
) -> None:
    _service(kube, namespace, "shop")
    _service(kube, namespace, "shop-v2")
    _gateway(kube, namespace)
    api = {"path": {"type": "PathPrefix", "value": "/api"}}
    _route(
        kube,
        namespace,
        "shop",
        "edge",
        [
            {
                "matches": [{**api, "headers": [{"name": "x-env", "value": "canary"}]}],
                "backendRefs": [{"name": "shop-v2", "port": 80}],
            },
            {"matches": [api], "backendRefs": [{"name": "shop", "port": 80}]},
        ],
    )
    host = f"shop.{namespace}.example.com"
    page.goto(console_url + "/diagnostics/simulate")
    page.get_by_label("Paste a curl command (optional)").fill(
        f"curl -H 'x-env: prod' 'http://{host}/api/items?page=2'"
    )
    page.get_by_role("button", name="Use curl").click()
    expect(page.get_by_label("Host")).to_have_value(host)
    expect(page.get_by_label("Path")).to_have_value("/api/items")
    expect(page.get_by_label("Headers 1 value")).to_have_value("prod")
    # Other tests' Gateways listen on port 80 too: ask this namespace's one.
    page.get_by_label("Gateway", exact=True).select_option(f"{namespace}/edge")
    page.get_by_role("button", name="Simulate").click()
    # The routing table follows the watch cache: retry until the new route is in it.
    chosen = page.get_by_test_id("chosen-route")
    deadline = time.monotonic() + 20
    while f"HTTPRoute {namespace}/shop rule 1" not in (chosen.text_content(timeout=15_000) or ""):
        assert time.monotonic() < deadline, chosen.text_content()
        page.get_by_role("button", name="Simulate").click()
        time.sleep(0.5)
    expect(chosen).to_have_text(f"HTTPRoute {namespace}/shop rule 1 match 0")
    loser = page.get_by_test_id("losing-candidate")
    expect(loser).to_have_count(1)
    expect(loser).to_contain_text(f"HTTPRoute {namespace}/shop rule 0 match 0")
    failed = loser.locator("li[data-passed='false']")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("header:x-env")
    expect(failed).to_contain_text("canary")
    expect(page.get_by_role("table", name="Backend shares")).to_contain_text(f"{namespace}/shop")
    _clean(page, tmp_path, "simulator", errors)

    page.get_by_role("link", name="Request trace").click()
    page.get_by_label("Host").fill(host)
    page.get_by_label("Path").fill("/nothing-here")
    page.get_by_label("Gateway", exact=True).select_option(f"{namespace}/edge")
    page.get_by_role("button", name="Trace").click()
    expect(page.get_by_test_id("trace-route")).to_have_attribute(
        "data-status", "miss", timeout=15_000
    )
    expect(page.get_by_test_id("trace-response")).to_contain_text("404")
    _clean(page, tmp_path, "trace", errors)

    page.get_by_role("link", name="Policy conflicts").click()
    expect(page.get_by_text("oldest creationTimestamp wins")).to_be_visible(timeout=15_000)
    _clean(page, tmp_path, "conflicts", errors)


@pytest.fixture
def operator(kubeconfig: Path, tmp_path: Path) -> Iterator[None]:
    """The operator, which applies a MigrationPlan's resources."""
    proc = demo.start_operator(kubeconfig, tmp_path / "operator.log")
    try:
        yield
    finally:
        processes.stop(proc)


def test_migration_of_an_ingress_is_analysed_generated_and_applied(
    page: Page,
    console_url: str,
    kube: Client,
    namespace: str,
    tmp_path: Path,
    errors: list[str],
    operator: None,
) -> None:
    # The same Ingress in the cluster: the page lists what is left to migrate.
    kube.create(codecs.load_all_yaml(INGRESS.format(namespace=namespace))[0])
    page.goto(console_url + "/migration")
    expect(page.get_by_role("heading", level=1, name="Migration")).to_be_visible()
    kic = page.get_by_role("table", name="NGINX Ingress Controller routes")
    expect(kic.get_by_role("row").filter(has_text=f"{namespace}/cafe")).to_contain_text(
        "cafe.example.com", timeout=30_000
    )
    expect(page.get_by_test_id("readiness")).to_contain_text("% ready")
    page.get_by_role("button", name="Import and analyse").click()
    expect(page.get_by_text("A project name is required.")).to_be_visible()
    page.get_by_label("Project name").fill("cafe")
    page.get_by_label("Target namespace").fill(namespace)
    page.get_by_label("Source", exact=True).fill(INGRESS.format(namespace=namespace))
    _clean(page, tmp_path, "migration-import", errors)
    page.get_by_role("button", name="Import and analyse").click()

    row = page.get_by_test_id("analysis-row")
    expect(row).to_have_count(1, timeout=15_000)
    expect(row).to_contain_text(f"Ingress/{namespace}/cafe")
    expect(row).to_contain_text("confidence")
    expect(row).to_contain_text("nginx.org/proxy-read-timeout")
    expect(row).to_contain_text("nginx.org/lb-method")
    expect(row).to_contain_text("nginx.org/rewrites")

    page.get_by_role("button", name="Generate Gateway API resources").click()
    expect(page.get_by_text("Generated Gateway API resources")).to_be_visible(timeout=15_000)
    route_name = "cafe-cafe-example-com"
    expect(page.locator("summary", has_text=route_name)).to_contain_text("HTTPRoute")
    editor = page.locator("details", has_text=route_name).get_by_test_id("code-editor")
    expect(editor).to_contain_text("kind: HTTPRoute", timeout=15_000)
    expect(editor).to_contain_text("replacePrefixMatch: /")
    page.get_by_role("button", name="Dry run (server-side)").click()
    expect(page.get_by_text("Dry run: the API server accepted the MigrationPlan")).to_be_visible(
        timeout=15_000
    )
    with pytest.raises(ApiError):
        kube.get(HTTPRoute, route_name, namespace=namespace)
    _clean(page, tmp_path, "migration-generated", errors)

    page.get_by_label("Pause between resources").fill("0s")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_text("Created MigrationPlan")).to_be_visible(timeout=15_000)
    # The operator applies the Gateway first and waits for a gateway controller to accept
    # it; none runs here, so the test plays NGF and accepts it.
    _accept_gateway(kube, namespace, "ngf-migrated")
    deadline = time.monotonic() + 60
    while True:
        try:
            created = kube.get(HTTPRoute, route_name, namespace=namespace)
            break
        except ApiError:
            assert time.monotonic() < deadline, "the operator did not create the HTTPRoute"
            time.sleep(1)
    assert created.spec["hostnames"] == ["cafe.example.com"]
    validation = page.get_by_test_id("validation-row").filter(has_text=route_name)
    expect(validation).to_contain_text("Yes", timeout=20_000)
    _clean(page, tmp_path, "migration-applied", errors)


def _accept_gateway(kube: Client, namespace: str, name: str) -> None:
    """Wait for Gateway ``name`` and set Accepted=True on it, as a gateway controller would."""
    deadline = time.monotonic() + 30
    while True:
        try:
            gateway = kube.get(Gateway, name, namespace=namespace)
            break
        except ApiError:
            assert time.monotonic() < deadline, f"the operator did not create Gateway {name}"
            time.sleep(0.5)
    condition = {
        "type": "Accepted",
        "status": "True",
        "reason": "Accepted",
        "message": "accepted by the test",
        "observedGeneration": gateway.metadata.generation if gateway.metadata else None,
        "lastTransitionTime": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    kube.patch(
        Gateway.Status,
        name,
        {"status": {"conditions": [condition]}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )


def test_migration_of_malformed_yaml_shows_the_line(
    page: Page, console_url: str, namespace: str, tmp_path: Path, errors: list[str]
) -> None:
    page.goto(console_url + "/migration/new")
    page.get_by_label("Project name").fill("broken")
    page.get_by_label("Target namespace").fill(namespace)
    source = "apiVersion: v1\nkind: Ingress\nmetadata:\n  name: x\n  bad: [unclosed\nspec: {}\n"
    page.get_by_label("Source", exact=True).fill(source)
    page.get_by_role("button", name="Import and analyse").click()
    error = page.get_by_test_id("input-error")
    expect(error).to_have_count(1, timeout=15_000)
    expect(error).to_contain_text("Line 6:")
    expect(error).to_contain_text("invalid YAML")
    # The line itself is shown with its neighbours.
    expect(error.locator("pre")).to_contain_text("bad: [unclosed")
    _clean(page, tmp_path, "migration-malformed", errors)


def _weights(kube: Client, namespace: str, name: str) -> dict[str, int]:
    route = kube.get(HTTPRoute, name, namespace=namespace)
    refs = route.spec["rules"][0]["backendRefs"]
    return {r["name"]: r.get("weight", 1) for r in refs}


def test_canary_start_and_promote_change_the_route_weights(
    page: Page, console_url: str, kube: Client, namespace: str, tmp_path: Path, errors: list[str]
) -> None:
    _service(kube, namespace, "shop")
    _service(kube, namespace, "shop-v2")
    _gateway(kube, namespace)
    _route(kube, namespace, "shop", "edge", [{"backendRefs": [{"name": "shop", "port": 80}]}])
    page.goto(console_url + "/routes/canary")
    expect(page.get_by_role("heading", level=1, name="Canary rollouts")).to_be_visible()
    picker = page.get_by_label("HTTPRoute", exact=True)
    value = f"HTTPRoute/{namespace}/shop"
    expect(picker.locator(f"option[value='{value}']")).to_have_count(1, timeout=15_000)
    picker.select_option(value)
    expect(page.get_by_test_id("split-rule-0")).to_contain_text(
        "shop:80 weight 1 (100%)", timeout=15_000
    )

    page.get_by_label("Steps (canary %)").fill("10, 0")
    page.get_by_role("button", name="Start rollout").click()
    expect(page.get_by_text('"0" is not a whole percentage from 1 to 100.')).to_be_visible()
    page.get_by_label("Canary Service").fill("shop-v2")
    page.get_by_label("Port", exact=True).fill("80")
    page.get_by_label("Steps (canary %)").fill("10, 50, 100")
    page.get_by_label("Seconds between steps").fill("3600")
    page.get_by_role("button", name="Start rollout").click()

    row = page.get_by_test_id("rollout-row").filter(has_text=f"{namespace}/shop")
    expect(row).to_have_attribute("data-state", "running", timeout=15_000)
    expect(row).to_contain_text("90% stable / 10% canary")
    assert _weights(kube, namespace, "shop") == {"shop": 90, "shop-v2": 10}
    expect(page.get_by_test_id("split-rule-0")).to_contain_text(
        "shop-v2:80 weight 10 (10%)", timeout=15_000
    )
    _clean(page, tmp_path, "canary-running", errors)

    row.get_by_role("button", name=f"Promote rollout of {namespace}/shop").click()
    expect(row).to_have_attribute("data-state", "completed", timeout=15_000)
    weights = _weights(kube, namespace, "shop")
    assert weights.get("shop-v2") == 100
    assert weights.get("shop", 0) == 0
    expect(row.get_by_role("button")).to_have_count(0)
    _clean(page, tmp_path, "canary-promoted", errors)
