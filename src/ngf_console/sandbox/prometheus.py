"""A real Prometheus server (Debian's ``prometheus`` package) for the sandbox and the tests.

:func:`write_config` writes a scrape config that discovers its targets over HTTP service
discovery (the simulator's ``/targets``), so targets come and go as pods scale;
:func:`start` runs the binary on 127.0.0.1 with its data directory under a state directory,
so a second run resumes with the stored series.
"""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import httpx
import yaml

from ngf_console.sandbox import processes
from ngf_console.sandbox.processes import RunningProcess

__all__ = ["PrometheusNotFoundError", "binary", "start", "wait_ready", "write_config"]


class PrometheusNotFoundError(RuntimeError):
    """No prometheus binary: install Debian's package (hack/setup-system.sh does)."""


def binary() -> str:
    """The prometheus executable."""
    found = shutil.which("prometheus")
    if found is None:
        raise PrometheusNotFoundError(
            "prometheus is not installed: run hack/setup-system.sh (apt-get install prometheus)"
        )
    return found


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(
    path: Path,
    *,
    sd_url: str | None = None,
    static_targets: list[str] | None = None,
    scrape_interval: str = "5s",
) -> Path:
    """A prometheus.yml scraping the targets ``sd_url`` lists (and/or static targets)."""
    jobs = []
    if sd_url:
        jobs.append(
            {
                "job_name": "simulator",
                # The exporters already carry the namespace/pod/gateway labels that
                # Kubernetes discovery and relabelling add in a real cluster.
                "honor_labels": True,
                "http_sd_configs": [{"url": sd_url, "refresh_interval": "5s"}],
            }
        )
    if static_targets:
        jobs.append(
            {
                "job_name": "static",
                "honor_labels": True,
                "static_configs": [{"targets": static_targets}],
            }
        )
    config = {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval},
        "scrape_configs": jobs,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def start(
    state_dir: Path, config: Path, *, port: int | None = None, retention: str = "15d"
) -> tuple[RunningProcess, str]:
    """Run Prometheus with its TSDB in ``state_dir/data``; returns the process and its URL."""
    port = port or free_port()
    data = state_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    argv = [
        binary(),
        f"--config.file={config}",
        f"--storage.tsdb.path={data}",
        f"--storage.tsdb.retention.time={retention}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--web.enable-lifecycle",
    ]
    process = processes.start("prometheus", argv, state_dir / "prometheus.log", cwd=state_dir)
    return process, f"http://127.0.0.1:{port}"


def wait_ready(url: str, process: RunningProcess, timeout: float = 60.0) -> None:
    """Wait until ``/-/ready`` answers 200 (RuntimeError with the log tail if it dies)."""
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        # Right after the fork /proc may still show the parent's command line: only a
        # process gone for a while has exited.
        if time.monotonic() - started > 2 and not process.alive():
            raise RuntimeError(f"prometheus exited:\n{process.log_tail()}")
        try:
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"prometheus not ready after {timeout}s:\n{process.log_tail()}")
