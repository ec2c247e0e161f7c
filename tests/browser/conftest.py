"""The built UI served by the real API server, driven by Debian's chromium via Playwright."""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_server import LiveConsole, serving
from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.generic_resource import create_namespaced_resource
from lightkube.resources.core_v1 import Namespace
from playwright.sync_api import Browser, Page, sync_playwright

from ngf_console.api.settings import ApiSettings
from ngf_console.crd import GROUP, VERSION
from ngf_console.sandbox import demo, processes
from ngf_console.store import sqlite_url
from ngf_console.telemetry.analytics.config import AnalyticsSettings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def analytics_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chDB directory of every API server in this process (chDB opens one per process)."""
    return tmp_path_factory.mktemp("analytics")


# Module scope, like the live console: a server still running after the browser tier would
# keep chDB open at its directory, and chDB opens one directory per process (the analytics
# tests that follow open their own).
@pytest.fixture(scope="module")
def console_url(
    kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory, analytics_dir: Path
) -> Iterator[str]:
    """Base URL of the real API server, on the session's control plane, serving the UI."""
    settings = ApiSettings(
        kubeconfig=kubeconfig,
        database_url=sqlite_url(tmp_path_factory.mktemp("db") / "console.db"),
        analytics=AnalyticsSettings(dir=analytics_dir),
    )
    with serving(settings) as url:
        yield url


@pytest.fixture(scope="module")
def live_console(
    kube: Client,
    kubeconfig: Path,
    tmp_path_factory: pytest.TempPathFactory,
    analytics_dir: Path,
) -> Iterator[LiveConsole]:
    """``make demo`` in miniature: operator, the demo's parents and routes in a namespace of
    their own, the simulator playing NGF/EPP/KEDA and sending logs through the API's OTLP
    receiver, a real Prometheus scraping it, and the API serving the UI.

    Module scope (a start costs ~20 s); torn down in an order that leaves nothing behind for
    later tests: the operator finalizes the parents before it stops.
    """
    state = tmp_path_factory.mktemp("live")
    namespace = f"live-{secrets.token_hex(3)}"
    operator = demo.start_operator(kubeconfig, state / "operator.log")
    started = [operator]
    try:
        demo.seed(kubeconfig, namespace)
        simulator_port = demo.free_port()
        prometheus, prometheus_url = demo.start_prometheus(state / "prometheus", simulator_port)
        started.append(prometheus)
        settings = ApiSettings(
            kubeconfig=kubeconfig,
            database_url=sqlite_url(state / "console.db"),
            analytics=AnalyticsSettings(dir=analytics_dir),
            prometheus_url=prometheus_url,
        )
        with serving(settings) as url:
            simulator = demo.start_simulator(
                kubeconfig,
                state / "simulator.log",
                port=simulator_port,
                api_url=url,
                namespaces=(namespace,),
            )
            started.append(simulator)
            try:
                yield LiveConsole(url=url, namespace=namespace, prometheus_url=prometheus_url)
            finally:
                processes.stop(simulator)
    finally:
        _delete_namespace_finalized(kube, namespace)
        for proc in reversed(started):
            processes.stop(proc)


_INFERENCE_STACK = create_namespaced_resource(GROUP, VERSION, "InferenceStack", "inferencestacks")


def _delete_namespace_finalized(kube: Client, namespace: str) -> None:
    """Delete ``namespace`` and wait for its parents' finalizers (the operator still runs)."""
    try:
        kube.delete(Namespace, namespace)
    except ApiError as err:
        if err.status.code != 404:
            raise
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if not list(kube.list(_INFERENCE_STACK, namespace=namespace)):
            return
        time.sleep(0.5)
    pytest.fail(f"InferenceStacks in {namespace} were not finalized within 90 s")


# Module scope: the sync Playwright API keeps an asyncio loop running in this thread while
# it is open, which would break later tests that call asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is missing: `make setup` installs it")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()
