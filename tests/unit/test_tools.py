"""Pinned versions are consistent between hack/versions.env and the Go wrapper modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ngf_console.sandbox import tools


def test_read_env_file_parses_and_rejects(tmp_path: Path) -> None:
    good = tmp_path / "good.env"
    good.write_text("# comment\n\nA=1\n B = two \n")
    assert tools.read_env_file(good) == {"A": "1", "B": "two"}
    bad = tmp_path / "bad.env"
    bad.write_text("A=1\nnot a pair\n")
    with pytest.raises(ValueError, match="malformed line 'not a pair'"):
        tools.read_env_file(bad)


@pytest.mark.parametrize(
    ("module_dir", "key", "module"),
    [
        ("k8s", "KUBERNETES_VERSION", "k8s.io/kubernetes"),
        ("etcd", "ETCD_VERSION", "go.etcd.io/etcd/server/v3"),
        ("kwok", "KWOK_VERSION", "sigs.k8s.io/kwok"),
    ],
)
def test_wrapper_modules_pin_the_versions_of_versions_env(
    module_dir: str, key: str, module: str
) -> None:
    go_mod = (tools.hack_dir() / module_dir / "go.mod").read_text()
    pinned = re.search(rf"^\s*{re.escape(module)} (v\S+)", go_mod, re.MULTILINE)
    assert pinned, f"{module} missing from hack/{module_dir}/go.mod"
    assert pinned.group(1) == tools.versions()[key]


def test_kubernetes_staging_modules_follow_the_release() -> None:
    version = tools.versions()["KUBERNETES_VERSION"]
    staging = "v0." + version.removeprefix("v1.")
    go_mod = (tools.hack_dir() / "k8s" / "go.mod").read_text()
    replaces = re.findall(r"^\s*(k8s\.io/\S+) => (k8s\.io/\S+) (v\S+)$", go_mod, re.MULTILINE)
    assert len(replaces) > 20
    for old, new, pinned in replaces:
        assert old == new
        assert pinned == staging, f"{old} pinned to {pinned}, expected {staging}"


def test_binaries_are_keyed_by_version(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NGF_TOOLS_DIR", str(tmp_path))
    b = tools.expected_binaries()
    v = tools.versions()
    assert b.kube_apiserver == tmp_path / f"kubernetes-{v['KUBERNETES_VERSION']}" / "kube-apiserver"
    assert b.etcd.parent.name == f"etcd-{v['ETCD_VERSION']}"
    with pytest.raises(tools.ToolsError, match="missing control plane binaries"):
        tools.ensure_binaries(build=False)
