"""The route and policy builders, driven in a browser against the real API and control plane:
GRPCRoute and TCPRoute built through the forms, a ClientSettingsPolicy from the template
gallery, field-level errors that create nothing, and axe-core on each builder page."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from lightkube import Client
from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.core_v1 import ServicePort, ServiceSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Service
from playwright.sync_api import Page, expect
from ui_helpers import Gateway, HTTPRoute, serious_violations, shoot

GW = "gateway.networking.k8s.io"
GRPCRoute = create_namespaced_resource(GW, "v1", "GRPCRoute", "grpcroutes")
TCPRoute = create_namespaced_resource(GW, "v1alpha2", "TCPRoute", "tcproutes")
ClientSettingsPolicy = create_namespaced_resource(
    "gateway.nginx.org", "v1alpha1", "ClientSettingsPolicy", "clientsettingspolicies"
)


def _seed(kube: Client, namespace: str) -> None:
    """A Gateway with an HTTP and a TCP listener, two Services and an HTTPRoute to target."""
    kube.create(
        Gateway.from_dict(
            {
                "metadata": {"name": "edge", "namespace": namespace},
                "spec": {
                    "gatewayClassName": "nginx",
                    "listeners": [
                        {"name": "http", "port": 80, "protocol": "HTTP"},
                        {"name": "pg", "port": 5432, "protocol": "TCP"},
                    ],
                },
            }
        )
    )
    for name, port in (("greeter", 50051), ("postgres", 5432)):
        kube.create(
            Service(
                metadata=ObjectMeta(name=name, namespace=namespace),
                spec=ServiceSpec(ports=[ServicePort(port=port)], selector={"app": name}),
            )
        )
    kube.create(
        HTTPRoute.from_dict(
            {
                "metadata": {"name": "api", "namespace": namespace},
                "spec": {
                    "parentRefs": [{"name": "edge"}],
                    "rules": [{"backendRefs": [{"name": "greeter", "port": 50051}]}],
                },
            }
        )
    )


def _wait_listed(page: Page, console_url: str, path: str, name: str) -> None:
    """Until the API's cache lists ``name`` at ``path`` (the pickers read the cache)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        body: dict[str, Any] = page.request.get(console_url + path).json()
        if any(
            (item.get("metadata") or item).get("name") == name for item in body.get("items", [])
        ):
            return
        time.sleep(0.2)
    pytest.fail(f"{name} never appeared at {path}")


@pytest.fixture
def seeded(page: Page, console_url: str, kube: Client, namespace: str) -> str:
    _seed(kube, namespace)
    _wait_listed(page, console_url, f"/api/v1/gateways?namespace={namespace}", "edge")
    _wait_listed(page, console_url, f"/api/v1/httproutes?namespace={namespace}", "api")
    _wait_listed(page, console_url, f"/api/v1/services?namespace={namespace}", "greeter")
    return namespace


def _accessible(page: Page) -> None:
    assert serious_violations(page) == []


def test_grpcroute_built_through_the_ui(
    page: Page, console_url: str, kube: Client, seeded: str, tmp_path: Path
) -> None:
    ns = seeded
    page.goto(console_url + "/routes")
    page.get_by_text("Create route").click()
    shoot(page, tmp_path, "create-route-menu")
    page.get_by_role("link", name="GRPCRoute").click()
    expect(page.get_by_role("heading", level=1, name="Create GRPCRoute")).to_be_visible()
    page.locator("#gr-name").fill("greeter")
    page.locator("#gr-ns").fill(ns)
    page.locator("#gr-gw").select_option(f"{ns}/edge")
    page.locator("#gr-section").select_option("http")
    page.locator("#gr-hosts").fill("grpc.example.com")
    page.locator("#g0m0s").fill("helloworld.Greeter")
    page.locator("#g0m0m").fill("SayHello")
    page.get_by_role("button", name="Add filter").click()
    page.locator("#g0f0h").fill("x-route: grpc-builder")
    page.locator("#g0b0n").fill("greeter")
    page.locator("#g0b0p").fill("50051")
    page.locator("#g0b0w").fill("80")
    page.get_by_role("button", name="Add backend").click()
    page.locator("#g0b1n").fill("postgres")
    page.locator("#g0b1p").fill("5432")
    page.locator("#g0b1w").fill("20")
    expect(page.get_by_text("Weight 20 → 20% of traffic")).to_be_visible()
    expect(page.get_by_label("GRPCRoute YAML", exact=True)).to_contain_text(
        "service: helloworld.Greeter"
    )
    _accessible(page)
    page.get_by_role("button", name="Review (dry run)").click()
    expect(page.get_by_text("The API server accepted this GRPCRoute")).to_be_visible()
    # The dry run stored nothing.
    assert list(kube.list(GRPCRoute, namespace=ns)) == []
    shoot(page, tmp_path, "grpcroute-review")
    page.get_by_role("button", name="Create GRPCRoute").click()
    expect(page.get_by_text(f"Created GRPCRoute {ns}/greeter")).to_be_visible()

    spec = kube.get(GRPCRoute, "greeter", namespace=ns)["spec"]
    assert [(p["name"], p.get("sectionName")) for p in spec["parentRefs"]] == [("edge", "http")]
    assert spec["hostnames"] == ["grpc.example.com"]
    [rule] = spec["rules"]
    assert rule["matches"] == [
        {"method": {"type": "Exact", "service": "helloworld.Greeter", "method": "SayHello"}}
    ]
    assert rule["filters"] == [
        {
            "type": "RequestHeaderModifier",
            "requestHeaderModifier": {"set": [{"name": "x-route", "value": "grpc-builder"}]},
        }
    ]
    assert [(b["name"], b["port"], b["weight"]) for b in rule["backendRefs"]] == [
        ("greeter", 50051, 80),
        ("postgres", 5432, 20),
    ]


def test_tcproute_built_through_the_ui(
    page: Page, console_url: str, kube: Client, seeded: str, tmp_path: Path
) -> None:
    ns = seeded
    page.goto(console_url + "/routes/create/tcproute")
    expect(page.get_by_role("heading", level=1, name="Create TCPRoute")).to_be_visible()
    # TCP has no hostnames; the listener picker offers only the TCP listener.
    expect(page.locator("#l4-hosts")).to_have_count(0)
    page.locator("#l4-name").fill("postgres")
    page.locator("#l4-ns").fill(ns)
    page.locator("#l4-gw").select_option(f"{ns}/edge")
    expect(page.locator("#l4-section option")).to_have_text(["Any TCP listener", "pg (TCP:5432)"])
    page.locator("#l4-section").select_option("pg")
    page.locator("#l4b0n").fill("postgres")
    page.locator("#l4b0p").fill("5432")
    _accessible(page)
    page.get_by_role("button", name="Review (dry run)").click()
    page.get_by_role("button", name="Create TCPRoute").click()
    expect(page.get_by_text(f"Created TCPRoute {ns}/postgres")).to_be_visible()
    shoot(page, tmp_path, "tcproute-created")

    spec = kube.get(TCPRoute, "postgres", namespace=ns)["spec"]
    assert [(p["name"], p.get("sectionName")) for p in spec["parentRefs"]] == [("edge", "pg")]
    assert [
        [(b["name"], b["port"], b["weight"]) for b in r["backendRefs"]] for r in spec["rules"]
    ] == [[("postgres", 5432, 1)]]


def test_clientsettingspolicy_from_the_gallery(
    page: Page, console_url: str, kube: Client, seeded: str, tmp_path: Path
) -> None:
    ns = seeded
    page.goto(console_url + "/policies")
    page.get_by_role("link", name="Create policy").click()
    expect(page.get_by_role("heading", level=1, name="Create policy")).to_be_visible()
    # This cluster has NGF 1.6 CRDs: RateLimitPolicy (NGF 2.4+) is marked missing.
    rate = page.get_by_role("link", name="Rate limit API to 100 req/min")
    expect(rate.get_by_text("CRD not installed")).to_be_visible()
    expect(page.get_by_test_id("enterprise-gated").first).to_be_visible()
    _accessible(page)
    shoot(page, tmp_path, "policy-gallery")
    page.get_by_role("link", name="Client body size and timeouts").click()
    expect(page.get_by_role("heading", level=1, name="Create ClientSettingsPolicy")).to_be_visible()
    expect(page.get_by_label("Max request body size")).to_have_value("10m")
    page.locator("#p-namespace").fill(ns)
    target = page.locator("#t0n")
    expect(target.locator("option", has_text="api")).to_have_count(1)
    target.select_option("api")
    page.get_by_label("Max request body size").fill("20m")
    _accessible(page)
    page.get_by_role("button", name="Review (dry run)").click()
    expect(page.get_by_text("The API server accepted this ClientSettingsPolicy")).to_be_visible()
    shoot(page, tmp_path, "clientsettings-review")
    page.get_by_role("button", name="Create ClientSettingsPolicy").click()
    expect(page.get_by_text(f"Created ClientSettingsPolicy {ns}/client-settings")).to_be_visible()

    policy = kube.get(ClientSettingsPolicy, "client-settings", namespace=ns)
    assert policy["spec"] == {
        "targetRef": {"group": GW, "kind": "HTTPRoute", "name": "api"},
        "body": {"maxSize": "20m", "timeout": "30s"},
        "keepAlive": {
            "requests": 1000,
            "time": "1h",
            "timeout": {"server": "60s", "header": "50s"},
        },
    }


def test_bad_input_shows_a_field_error_and_creates_nothing(
    page: Page, console_url: str, kube: Client, seeded: str, tmp_path: Path
) -> None:
    ns = seeded
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(console_url + "/routes/create/grpcroute")
    page.locator("#gr-name").fill("bad")
    page.locator("#gr-ns").fill(ns)
    page.locator("#gr-gw").select_option(f"{ns}/edge")
    page.locator("#g0m0s").fill("hello world")
    page.locator("#g0b0n").fill("greeter")
    page.get_by_role("button", name="Review (dry run)").click()
    expect(page.get_by_text("A fully qualified service such as helloworld.Greeter")).to_be_visible()
    expect(page.locator("#g0m0s")).to_have_attribute("aria-invalid", "true")
    assert posts == []
    # Valid for the form, refused by the API server: a namespace that does not exist. The
    # refusal lands on the Namespace field.
    page.locator("#g0m0s").fill("helloworld.Greeter")
    page.locator("#gr-ns").fill(f"{ns}-missing")
    page.get_by_role("button", name="Review (dry run)").click()
    expect(
        page.get_by_text(f"Namespace {ns}-missing does not exist in this cluster")
    ).to_be_visible()
    expect(page.locator("#gr-ns")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Create GRPCRoute")).to_have_count(0)
    assert len(posts) == 1 and posts[0].endswith("/api/v1/grpcroutes?dryRun=true")
    shoot(page, tmp_path, "grpcroute-field-errors")
    assert list(kube.list(GRPCRoute, namespace=ns)) == []


def test_a_policy_kind_the_cluster_lacks_is_refused_clearly(
    page: Page, console_url: str, seeded: str, tmp_path: Path
) -> None:
    ns = seeded
    page.goto(console_url + "/policies/create/ratelimit?template=rate-limit-api")
    expect(page.get_by_text("RateLimitPolicy is not installed in this cluster")).to_be_visible()
    page.locator("#p-namespace").fill(ns)
    page.locator("#t0n").select_option("api")
    page.get_by_role("button", name="Review (dry run)").click()
    refusal = page.get_by_role("alert").filter(has_text="Nothing was created")
    expect(refusal).to_contain_text("the CRD ratelimitpolicies.gateway.nginx.org is missing")
    expect(page.get_by_role("button", name="Create RateLimitPolicy")).to_have_count(0)
    shoot(page, tmp_path, "ratelimit-not-installed")


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/routes/create/tlsroute", "Create TLSRoute"),
        ("/routes/create/udproute", "Create UDPRoute"),
        ("/policies/create/ratelimit?template=rate-limit-api", "Create RateLimitPolicy"),
        ("/policies/create/backendtls?template=backend-tls", "Create BackendTLSPolicy"),
        ("/policies/create/observability?template=tracing", "Create ObservabilityPolicy"),
        (
            "/policies/create/upstreamsettings?template=upstream-keepalive",
            "Create UpstreamSettingsPolicy",
        ),
        ("/policies/create/proxysettings?template=stream-responses", "Create ProxySettingsPolicy"),
        ("/policies/create/authentication?template=basic-auth", "Create AuthenticationFilter"),
        ("/policies/create/snippetsfilter", "Create SnippetsFilter"),
    ],
)
def test_builder_pages_are_accessible(
    page: Page, console_url: str, tmp_path: Path, path: str, heading: str
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(console_url + path)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    if "ratelimit" in path:
        # NGF 1.6 CRDs here: the builder says up front that the kind is not installed.
        expect(page.get_by_text("RateLimitPolicy is not installed in this cluster")).to_be_visible()
    if "snippetsfilter" in path:
        expect(page.get_by_test_id("enterprise-gated")).to_be_visible()
    shoot(page, tmp_path, path.strip("/").split("?")[0].replace("/", "-"))
    _accessible(page)
    assert errors == []
