"""A real Prometheus (Debian's package) for tests, scraping whatever the test serves."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ngf_console.sandbox import processes
from ngf_console.sandbox import prometheus as prom


def require_prometheus() -> None:
    if shutil.which("prometheus") is None:
        pytest.skip("prometheus is not installed (hack/setup-system.sh)")


@contextmanager
def running_prometheus(
    state_dir: Path, *, sd_url: str | None = None, static_targets: list[str] | None = None
) -> Iterator[str]:
    """Prometheus scraping every second; yields its URL and stops it afterwards."""
    require_prometheus()
    config = prom.write_config(
        state_dir / "prometheus.yml",
        sd_url=sd_url,
        static_targets=static_targets,
        scrape_interval="1s",
    )
    process, url = prom.start(state_dir, config)
    try:
        prom.wait_ready(url, process)
        yield url
    finally:
        processes.stop(process)
