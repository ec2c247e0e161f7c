"""Signing in to a console that authenticates (OIDC mode, a local issuer with real JWKS):
the token is asked for and checked, a Viewer sees what it may not do, live updates carry
the token."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from console_server import serving
from lightkube import Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace
from playwright.sync_api import Page, expect

from auth_oidc_issuer import AUDIENCE, Issuer, served_issuer
from ngf_console.api.auth import AuthSettings
from ngf_console.api.settings import ApiSettings
from ngf_console.store import sqlite_url
from ngf_console.telemetry.analytics.config import AnalyticsSettings

VIEWERS, OPERATORS = "console-viewers", "console-operators"


@dataclass(frozen=True)
class SecuredConsole:
    url: str
    issuer: Issuer
    namespace: str  # where the roles are bound

    def token(self, role: str) -> str:
        group = VIEWERS if role == "viewer" else OPERATORS
        return self.issuer.token(email=f"{role}@example.com", groups=[group])


@pytest.fixture(scope="module")
def secured(
    kube: Client,
    kubeconfig: Path,
    tmp_path_factory: pytest.TempPathFactory,
    analytics_dir: Path,
) -> Iterator[SecuredConsole]:
    namespace = f"t-auth-{secrets.token_hex(3)}"
    kube.create(Namespace(metadata=ObjectMeta(name=namespace, labels={"ngf-console/test": "true"})))
    try:
        with served_issuer() as issuer:
            auth = AuthSettings.model_validate(
                {
                    "mode": "oidc",
                    "oidc": {
                        "issuer": issuer.url,
                        "audience": AUDIENCE,
                        "role_bindings": [
                            {"group": VIEWERS, "role": "viewer", "namespaces": [namespace]},
                            {"group": OPERATORS, "role": "operator", "namespaces": [namespace]},
                        ],
                    },
                }
            )
            settings = ApiSettings(
                kubeconfig=kubeconfig,
                database_url=sqlite_url(tmp_path_factory.mktemp("auth-db") / "console.db"),
                analytics=AnalyticsSettings(dir=analytics_dir),
                auth=auth,
            )
            with serving(settings) as url:
                yield SecuredConsole(url=url, issuer=issuer, namespace=namespace)
    finally:
        kube.delete(Namespace, namespace)


def sign_in(page: Page, console: SecuredConsole, token: str) -> None:
    page.goto(console.url + "/")
    expect(page.get_by_role("heading", name="Sign in to NGF Console")).to_be_visible()
    page.get_by_label("Bearer token").fill(token)
    page.get_by_role("button", name="Sign in with token").click()


def test_a_token_is_asked_for_and_checked(page: Page, secured: SecuredConsole) -> None:
    sign_in(page, secured, "not-a-jwt")
    expect(page.get_by_role("alert")).to_contain_text("did not accept this token")
    page.get_by_label("Bearer token").fill(secured.token("viewer"))
    page.get_by_role("button", name="Sign in with token").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("viewer@example.com")).to_be_visible()
    expect(page.get_by_text("Connected")).to_be_visible()  # /config answered with the token
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to NGF Console")).to_be_visible()


def test_a_viewer_is_shown_what_it_may_not_do(page: Page, secured: SecuredConsole) -> None:
    sign_in(page, secured, secured.token("viewer"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_label("Namespace").select_option(secured.namespace)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gateways").click()
    create = page.get_by_text("Create gateway")
    expect(create).to_have_attribute("aria-disabled", "true")
    expect(create).to_contain_text(
        f"cannot change GatewayBundle objects in namespace {secured.namespace}"
    )
    # Live updates carry the token too (the websocket's bearer subprotocol).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Topology").click()
    expect(page.get_by_text("Live updates: connected")).to_be_visible()


def test_an_operator_may_create_in_its_namespace(page: Page, secured: SecuredConsole) -> None:
    sign_in(page, secured, secured.token("operator"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_label("Namespace").select_option(secured.namespace)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gateways").click()
    expect(page.get_by_role("link", name="Create gateway")).to_be_visible()


def test_oidc_login_in_the_browser_with_pkce(page: Page, secured: SecuredConsole) -> None:
    secured.issuer.login = {"email": "operator@example.com", "groups": [OPERATORS]}
    page.goto(secured.url + "/gateways")
    host = secured.issuer.url.removeprefix("http://")
    page.get_by_role("button", name=f"Sign in with {host}").click()
    # Issuer -> /auth/callback (code for tokens, verifier checked) -> where the user was.
    expect(page.get_by_role("heading", name="Gateways", exact=True)).to_be_visible()
    expect(page).to_have_url(secured.url + "/gateways")
    expect(page.get_by_text("operator@example.com")).to_be_visible()
