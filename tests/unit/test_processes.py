"""Detached processes are found again, stopped, and report their logs."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ngf_console.sandbox import processes
from ngf_console.sandbox.processes import RunningProcess

_SCRIPT = [
    sys.executable,
    "-c",
    "import time; print('first'); print('second', flush=True); time.sleep(60)",
]


def _wait_for_output(proc: RunningProcess) -> None:
    # Generous: a loaded 2-core machine can take seconds to start an interpreter.
    deadline = time.monotonic() + 60
    while "second" not in proc.log_tail() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_start_alive_stop_and_log_tail(tmp_path: Path) -> None:
    proc = processes.start("demo", _SCRIPT, tmp_path / "demo.log", cwd=tmp_path)
    _wait_for_output(proc)
    assert proc.alive()
    assert proc.log_tail(1) == "second"
    again = RunningProcess.from_json("demo", proc.to_json())
    assert again == proc
    assert processes.stop(again) is False  # SIGTERM was enough
    assert not proc.alive()


def test_a_reused_pid_is_not_mistaken_for_the_component(tmp_path: Path) -> None:
    proc = processes.start("x", _SCRIPT, tmp_path / "x.log", cwd=tmp_path)
    _wait_for_output(proc)
    impostor = RunningProcess("x", proc.pid, ["/usr/bin/some-other-binary"], proc.log)
    assert proc.alive()
    assert not impostor.alive()
    processes.stop(proc)
