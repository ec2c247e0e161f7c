"""A Viewer on the gateway and route detail pages of an authenticating console: Edit, Scale
and Delete are greyed with the reason (the API would refuse them anyway)."""

from __future__ import annotations

from lightkube import Client
from lightkube.models.meta_v1 import ObjectMeta
from playwright.sync_api import Page, expect
from test_auth import SecuredConsole, sign_in
from test_auth import secured as secured  # the module-scoped OIDC console fixture
from test_gateway_edit import bundle_with_gateway
from ui_helpers import HTTPRoute, serious_violations


def test_a_viewer_cannot_edit_scale_or_delete(
    page: Page, secured: SecuredConsole, kube: Client
) -> None:
    ns = secured.namespace
    bundle_with_gateway(kube, ns)
    kube.create(
        HTTPRoute(
            metadata=ObjectMeta(name="shop", namespace=ns),
            spec={
                "parentRefs": [{"name": "web"}],
                "rules": [{"backendRefs": [{"name": "s", "port": 80}]}],
            },
        )
    )
    sign_in(page, secured, secured.token("viewer"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.goto(f"{secured.url}/gateways/{ns}/web")
    reason = f"Your role cannot change GatewayBundle objects in namespace {ns}."
    # The Gateway's owner shows once the cache has both (the page polls).
    edit = page.get_by_role("link", name=f"Edit — {reason}")
    expect(edit).to_have_attribute("aria-disabled", "true", timeout=25_000)
    expect(page.get_by_role("button", name="Scale…")).to_be_disabled()
    expect(page.get_by_label("Replicas", exact=True)).to_be_disabled()
    expect(page.get_by_role("button", name="Delete GatewayBundle web")).to_be_disabled()
    assert serious_violations(page) == []

    page.goto(f"{secured.url}/routes/httproute/{ns}/shop")
    expect(page.get_by_role("heading", level=1, name="HTTPRoute shop")).to_be_visible()
    expect(page.get_by_role("button", name="Delete…")).to_be_disabled()
    expect(
        page.get_by_text(f"Your role cannot change HTTPRoute objects in namespace {ns}.")
    ).to_be_visible()
