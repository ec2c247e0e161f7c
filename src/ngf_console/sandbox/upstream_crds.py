"""The real upstream CRDs (Gateway API, Inference Extension, NGF, KEDA, cert-manager, KubeRay).

``hack/crds.env`` pins, per source, a Go module version and the CRD file globs inside it.
:func:`fetch` downloads the module with ``go mod download -json`` (through the Go module proxy
into the shared module cache, so a second call is instant) and :func:`upstream_crd_documents`
returns every ``apiextensions.k8s.io/v1`` CustomResourceDefinition found, validated and
deduplicated, ready for server-side apply.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ngf_console.sandbox.tools import hack_dir, read_env_file

CRD_API_VERSION = "apiextensions.k8s.io/v1"
CRD_KIND = "CustomResourceDefinition"
GO_DOWNLOAD_TIMEOUT_S = 900

# libyaml is ~10x faster on these multi-megabyte files; both loaders are safe loaders.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UpstreamCrdError(RuntimeError):
    """An upstream CRD source could not be downloaded, matched or parsed."""


@dataclass(frozen=True)
class CrdSource:
    """One line of ``hack/crds.env``: a Go module version and CRD file globs inside it."""

    name: str
    module: str
    version: str
    globs: tuple[str, ...]

    @property
    def module_version(self) -> str:
        """``MODULE@VERSION``, as ``go mod download`` takes it."""
        return f"{self.module}@{self.version}"


def default_sources_path() -> Path:
    """``hack/crds.env`` (the ``hack/`` dir honours ``NGF_HACK_DIR``)."""
    return hack_dir() / "crds.env"


def load_sources(path: Path | None = None) -> list[CrdSource]:
    """Parse ``NAME=MODULE@VERSION GLOB [GLOB ...]`` lines, in file order."""
    path = path or default_sources_path()
    sources: list[CrdSource] = []
    for name, value in read_env_file(path).items():
        fields = value.strip('"').split()
        module, at, version = fields[0].rpartition("@") if fields else ("", "", "")
        if not (name and module and at and version and len(fields) > 1):
            raise ValueError(
                f"{path}: bad entry {name}={value!r} (expected NAME=MODULE@VERSION GLOB...)"
            )
        sources.append(CrdSource(name, module, version, tuple(fields[1:])))
    return sources


def module_dir(source: CrdSource) -> Path:
    """Download ``source``'s module (or find it in the module cache) and return its root."""
    cmd = ["go", "mod", "download", "-json", source.module_version]
    # Outside any main module and workspace, so no go.mod/go.sum here is read or touched.
    env = {**os.environ, "GOWORK": "off", "GO111MODULE": "on"}
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            env=env,
            cwd=tempfile.gettempdir(),
            timeout=GO_DOWNLOAD_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UpstreamCrdError(f"{source.name}: `{' '.join(cmd)}` failed: {exc}") from exc
    output = (proc.stdout + proc.stderr).strip()
    try:
        info = json.loads(proc.stdout)
    except json.JSONDecodeError:
        info = {}
    directory = info.get("Dir") if isinstance(info, dict) else None
    if proc.returncode != 0 or not directory or info.get("Error"):
        raise UpstreamCrdError(
            f"{source.name}: cannot download Go module {source.module_version} "
            f"(`{' '.join(cmd)}` exited {proc.returncode}):\n{output}"
        )
    return Path(directory)


def fetch(source: CrdSource) -> list[Path]:
    """The CRD files of ``source``, sorted; every glob must match at least one file."""
    root = module_dir(source)
    files: set[Path] = set()
    for pattern in source.globs:
        matched = [p for p in root.glob(pattern) if p.is_file()]
        if not matched:
            raise UpstreamCrdError(
                f"{source.name}: {pattern!r} matches nothing in {source.module_version} ({root})"
            )
        files.update(matched)
    return sorted(files)


def validate_crd(doc: dict[str, Any], origin: str) -> None:
    """Raise :class:`UpstreamCrdError` unless ``doc`` is a well-formed v1 CRD."""

    def fail(why: str) -> UpstreamCrdError:
        return UpstreamCrdError(f"{origin}: not a valid {CRD_API_VERSION} {CRD_KIND}: {why}")

    if doc.get("apiVersion") != CRD_API_VERSION:
        raise fail(f"apiVersion is {doc.get('apiVersion')!r}")
    spec = doc.get("spec") or {}
    group, plural = spec.get("group"), (spec.get("names") or {}).get("plural")
    name = (doc.get("metadata") or {}).get("name")
    if not group or not plural or name != f"{plural}.{group}":
        raise fail(f"metadata.name {name!r} is not <spec.names.plural>.<spec.group>")
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        raise fail(f"{name}: bad scope {spec.get('scope')!r}")
    versions = spec.get("versions") or []
    if not versions or not any(v.get("served") for v in versions):
        raise fail(f"{name}: no served version")
    if sum(bool(v.get("storage")) for v in versions) != 1:
        raise fail(f"{name}: needs exactly one storage version")
    for v in versions:
        if not isinstance((v.get("schema") or {}).get("openAPIV3Schema"), dict):
            raise fail(f"{name}: version {v.get('name')!r} has no openAPIV3Schema")


def served_versions(crd: dict[str, Any]) -> list[str]:
    """The names of the versions ``crd`` serves, in the CRD's order."""
    return [v["name"] for v in crd["spec"]["versions"] if v.get("served")]


def crd_documents_in(path: Path) -> list[dict[str, Any]]:
    """Every validated CRD document in one YAML file; other documents are skipped."""
    text = path.read_text()
    if any(line.lstrip().startswith("{{") for line in text.splitlines()):
        raise UpstreamCrdError(f"{path}: is a Helm template; point crds.env at plain CRD files")
    crds: list[dict[str, Any]] = []
    for doc in yaml.load_all(text, Loader=_SafeLoader):
        if isinstance(doc, dict) and doc.get("kind") == CRD_KIND:
            validate_crd(doc, str(path))
            crds.append(doc)
    return crds


def upstream_crd_documents(sources: Iterable[CrdSource] | None = None) -> list[dict[str, Any]]:
    """All upstream CRDs (default: every source in ``hack/crds.env``), sorted by name.

    When several sources define the same CRD, the later source wins.
    """
    by_name: dict[str, dict[str, Any]] = {}
    for source in load_sources() if sources is None else sources:
        for path in fetch(source):
            for crd in crd_documents_in(path):
                by_name[crd["metadata"]["name"]] = crd
    return [by_name[name] for name in sorted(by_name)]
