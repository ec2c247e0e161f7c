"""`ngf-console cluster up | status | down` from a shell, on a control plane of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lightkube import Client, KubeConfig
from lightkube.resources.core_v1 import Node

from ngf_console.sandbox.control_plane import ControlPlane


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ngf_console.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "cluster"
    ControlPlane(tmp_path / "cluster").down()  # whatever the test left running


def test_up_status_refuse_twice_crash_report_down(state_dir: Path) -> None:
    up = cli("cluster", "up", "--state-dir", str(state_dir))
    assert up.returncode == 0, up.stderr
    kubeconfig = Path(up.stdout.strip().splitlines()[-1])
    assert kubeconfig == state_dir / "kubeconfig"

    nodes = Client(KubeConfig.from_file(kubeconfig)).list(Node)
    assert len(list(nodes)) == 4

    again = cli("cluster", "up", "--state-dir", str(state_dir))
    assert again.returncode == 1
    assert "already running" in again.stderr
    assert "cluster down" in again.stderr

    status = cli("cluster", "status", "--state-dir", str(state_dir))
    assert status.returncode == 0, status.stdout
    for component in (
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "kwok",
    ):
        assert component in status.stdout
    assert "unhealthy" not in status.stdout

    kwok = next(p for p in ControlPlane(state_dir).processes() if p.name == "kwok")
    os.kill(kwok.pid, signal.SIGKILL)
    crashed = cli("cluster", "status", "--state-dir", str(state_dir))
    assert crashed.returncode == 1
    assert "kwok" in crashed.stdout
    assert f"exited; last lines of {kwok.log}" in crashed.stdout

    down = cli("cluster", "down", "--state-dir", str(state_dir))
    assert down.returncode == 0
    assert "kube-apiserver" in down.stderr
    assert ControlPlane(state_dir).running() == []
    gone = cli("cluster", "status", "--state-dir", str(state_dir))
    assert gone.returncode == 1
    assert "no control plane recorded" in gone.stderr
