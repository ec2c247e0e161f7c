"""The UI shell, as a person sees it in a browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ngf_console import __version__


def test_dashboard_shows_the_servers_version(page: Page, console_url: str) -> None:
    page.goto(console_url + "/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Connected")).to_be_visible()
    expect(page.get_by_text(__version__, exact=True)).to_be_visible()
    expect(page.get_by_text("API unreachable")).to_have_count(0)


def test_sidebar_navigation_and_deep_links(page: Page, console_url: str) -> None:
    page.goto(console_url + "/")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Inference", exact=True
    ).click()
    expect(page).to_have_url(console_url + "/inference")
    expect(page.get_by_role("heading", name="Inference", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="InferenceStacks")).to_be_visible()
    # A reload on a client-side route is served the shell by the API (SPA fallback).
    page.goto(console_url + "/gateways")
    expect(page.get_by_role("heading", name="Gateways", exact=True)).to_be_visible()
