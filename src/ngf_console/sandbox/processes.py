"""Background processes that outlive the command that started them.

Each component runs in its own session (so ``cluster up`` can return while it keeps
running), logs to a file, and is recorded with its pid and argv so that ``down`` and
``status`` in another process can find it again without mistaking a reused pid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunningProcess:
    """A started component: its name, pid, command line and log file."""

    name: str
    pid: int
    argv: list[str]
    log: Path

    def alive(self) -> bool:
        """True while the recorded pid still runs the recorded binary."""
        for attempt in range(3):
            try:
                cmdline = Path(f"/proc/{self.pid}/cmdline").read_bytes()
            except OSError:
                return False
            if cmdline.startswith(self.argv[0].encode()):
                break
            # Just after the start the pid can still show the forking parent's (or an
            # empty) command line; a pid reused by another program shows it for good.
            if attempt == 2:
                return False
            time.sleep(0.05)
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return False
        # A zombie has exited; only its parent has not reaped it yet.
        return stat.rsplit(")", 1)[-1].split()[0] != "Z"

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of the component's log."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def to_json(self) -> dict[str, object]:
        return {"pid": self.pid, "argv": self.argv, "log": str(self.log)}

    @classmethod
    def from_json(cls, name: str, data: dict[str, object]) -> RunningProcess:
        argv = data["argv"]
        assert isinstance(argv, list)
        return cls(
            name=name,
            pid=int(str(data["pid"])),
            argv=[str(a) for a in argv],
            log=Path(str(data["log"])),
        )


def start(name: str, argv: Sequence[str], log: Path, cwd: Path) -> RunningProcess:
    """Start ``argv`` detached from this process, appending its output to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
        )
    return RunningProcess(name=name, pid=proc.pid, argv=list(argv), log=log)


def stop(process: RunningProcess, timeout: float = 15.0) -> bool:
    """SIGTERM, then SIGKILL after ``timeout`` seconds. True if it had to be killed."""
    if not process.alive():
        _reap(process.pid)
        return False
    os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(process.pid)
        if not process.alive():
            return False
        time.sleep(0.1)
    os.kill(process.pid, signal.SIGKILL)
    for _ in range(50):
        _reap(process.pid)
        if not process.alive():
            break
        time.sleep(0.1)
    return True


def _reap(pid: int) -> None:
    """Collect an exited child of this process so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
