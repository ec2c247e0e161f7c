"""The creation wizards, driven in a browser against the real API and control plane."""

from __future__ import annotations

from pathlib import Path

from lightkube import Client
from playwright.sync_api import Page, expect
from ui_helpers import GatewayBundle, InferenceStack, shoot


def test_gateway_wizard_creates_the_bundle_with_the_entered_spec(
    page: Page, console_url: str, kube: Client, namespace: str, tmp_path: Path
) -> None:
    page.goto(console_url + "/gateways/create")
    expect(page.get_by_role("heading", name="Create gateway")).to_be_visible()
    # Step 1: the class (this cluster lists none, so the name is typed; nginx is prefilled).
    page.get_by_role("button", name="Next").click()
    # Step 2: gateway and listeners.
    page.locator("#gw-name").fill("web")
    page.locator("#gw-namespace").fill(namespace)
    page.get_by_role("textbox", name="Labels").fill("team=web")
    page.get_by_role("textbox", name="Hostname").fill("*.example.com")
    page.get_by_role("button", name="Add listener").click()
    page.locator("#l-1-name").fill("tcp")
    page.locator("#l-1-protocol").select_option("TCP")
    page.locator("#l-1-port").fill("80")
    page.get_by_role("button", name="Next").click()
    # Port 80 over TCP is already HTTP: the wizard refuses before the API does.
    expect(page.get_by_text("Port 80 is already HTTP on listener 1")).to_be_visible()
    page.locator("#l-1-port").fill("5432")
    shoot(page, tmp_path, "gateway-wizard-step2")
    page.get_by_role("button", name="Next").click()
    # Steps 3 and 4 are Enterprise: greyed on this OSS cluster.
    expect(page.get_by_test_id("enterprise-gated")).to_be_visible()
    page.get_by_role("button", name="Skip").click()
    expect(page.get_by_test_id("enterprise-gated")).to_be_visible()
    page.get_by_role("button", name="Skip").click()
    # Step 5: the full YAML, and the children from the API's dry run.
    bundle_yaml = page.get_by_label("GatewayBundle YAML", exact=True)
    expect(bundle_yaml).to_contain_text("gatewayClassName: nginx")
    expect(page.get_by_text("What the operator will create")).to_be_visible()
    expect(page.get_by_label("Gateway web YAML", exact=True)).to_contain_text("*.example.com")
    shoot(page, tmp_path, "gateway-wizard-review")
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_text(f"{namespace}/web")).to_be_visible()

    bundle = kube.get(GatewayBundle, "web", namespace=namespace)
    assert bundle.metadata is not None and bundle.metadata.labels == {"team": "web"}
    assert bundle["spec"] == {
        "gatewayClassName": "nginx",
        "listeners": [
            {"name": "http", "port": 80, "protocol": "HTTP", "hostname": "*.example.com"},
            {"name": "tcp", "port": 5432, "protocol": "TCP"},
        ],
    }


def test_inference_wizard_creates_the_stack(
    page: Page, console_url: str, kube: Client, namespace: str, tmp_path: Path
) -> None:
    page.goto(console_url + "/inference/pools/create")
    expect(page.get_by_role("heading", name="Create inference pool")).to_be_visible()
    # 1: model.
    page.get_by_label("Model name (what clients request)").fill("llama-3-8b")
    page.get_by_label("Container image").fill("nvcr.io/nvidia/tritonserver:24.08-py3")
    page.get_by_role("button", name="Next").click()
    # 2: pool.
    page.get_by_role("textbox", name="Name", exact=True).fill("llama")
    page.get_by_role("textbox", name="Namespace", exact=True).fill(namespace)
    page.get_by_label("Replicas", exact=True).fill("9")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Replicas must be between min and max")).to_be_visible()
    page.get_by_label("Replicas", exact=True).fill("2")
    page.get_by_role("button", name="Next").click()
    # 3: endpoint picker, composite with weights that must sum to 1.
    page.get_by_text("Composite", exact=True).click()
    page.get_by_label("Queue depth weight").fill("0.5")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Weights must sum to 1.0 (now 1.10)")).to_be_visible()
    page.get_by_label("Queue depth weight").fill("0.4")
    page.get_by_role("button", name="Next").click()
    # 4: autoscaling (queue depth trigger prefilled), 5: a new listener.
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Path prefix").fill("/v1/llama")
    page.get_by_role("button", name="Next").click()
    # 6: every rendered child from the dry run.
    expect(page.get_by_text("What the operator will create")).to_be_visible()
    for kind in ("InferencePool", "HTTPRoute"):
        expect(page.locator("summary", has_text=kind).first).to_be_visible()
    shoot(page, tmp_path, "inference-wizard-review")
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_text(f"{namespace}/llama")).to_be_visible()

    stack = kube.get(InferenceStack, "llama", namespace=namespace)
    spec = stack["spec"]
    assert spec["model"]["name"] == "llama-3-8b"
    assert spec["pool"]["replicas"] == 2
    assert spec["epp"]["strategy"] == "composite"
    weights = {"queueDepth": 0.4, "kvCache": 0.3, "prefixCache": 0.3}
    assert spec["epp"]["compositeWeights"] == weights
    assert spec["autoscaling"]["queueDepthThreshold"] == {"value": 5, "duration": "60s"}
    assert spec["gateway"]["route"]["pathPrefix"] == "/v1/llama"
