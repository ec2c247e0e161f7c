"""Locate (and if needed build) the control plane binaries cached outside the repository.

``hack/build-tools.sh`` builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler
and kwok from their Go modules into ``$NGF_TOOLS_DIR`` (default
``~/.cache/ngf-console/tools``), one directory per tool and version. Versions come from
``hack/versions.env``, the one place they are pinned.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


class ToolsError(RuntimeError):
    """The control plane binaries are missing and could not be built."""


def hack_dir() -> Path:
    """The repository's ``hack/`` directory (``NGF_HACK_DIR`` overrides)."""
    override = os.environ.get("NGF_HACK_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "hack"


def tools_dir() -> Path:
    """Where built binaries are cached, keyed by tool and version."""
    override = os.environ.get("NGF_TOOLS_DIR")
    return Path(override) if override else Path.home() / ".cache" / "ngf-console" / "tools"


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a ``KEY=VALUE`` file, ignoring blank lines and ``#`` comments."""
    values: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}: malformed line {raw!r} (expected KEY=VALUE)")
        values[key.strip()] = value.strip()
    return values


def versions() -> dict[str, str]:
    """The pinned versions from ``hack/versions.env``."""
    return read_env_file(hack_dir() / "versions.env")


@dataclass(frozen=True)
class Binaries:
    """Absolute paths of every binary the local control plane runs."""

    etcd: Path
    kube_apiserver: Path
    kube_controller_manager: Path
    kube_scheduler: Path
    kwok: Path
    kwok_stages: Path

    def all(self) -> list[Path]:
        return [
            self.etcd,
            self.kube_apiserver,
            self.kube_controller_manager,
            self.kube_scheduler,
            self.kwok,
            self.kwok_stages,
        ]


def expected_binaries() -> Binaries:
    """Where the binaries of the pinned versions are (whether or not they exist yet)."""
    v = versions()
    root = tools_dir()
    k8s = root / f"kubernetes-{v['KUBERNETES_VERSION']}"
    kwok = root / f"kwok-{v['KWOK_VERSION']}"
    return Binaries(
        etcd=root / f"etcd-{v['ETCD_VERSION']}" / "etcd",
        kube_apiserver=k8s / "kube-apiserver",
        kube_controller_manager=k8s / "kube-controller-manager",
        kube_scheduler=k8s / "kube-scheduler",
        kwok=kwok / "kwok",
        kwok_stages=kwok / "stages.yaml",
    )


def ensure_binaries(build: bool = True) -> Binaries:
    """Return the binaries, building missing ones with ``hack/build-tools.sh`` if allowed."""
    binaries = expected_binaries()
    missing = [p for p in binaries.all() if not p.exists()]
    if missing and build:
        script = hack_dir() / "build-tools.sh"
        result = subprocess.run(["bash", str(script)], check=False)
        if result.returncode != 0:
            raise ToolsError(f"{script} failed with exit code {result.returncode}")
        missing = [p for p in binaries.all() if not p.exists()]
    if missing:
        names = ", ".join(str(p) for p in missing)
        raise ToolsError(f"missing control plane binaries: {names} (run hack/build-tools.sh)")
    return binaries
