"""Golden cases: one input → expected manifests (+ report assertions) per migration feature.

Each directory under ``migration_golden/`` holds ``input.yaml`` and/or ``*.conf``, the
``expected.yaml`` manifests, and ``assertions.yaml`` naming report findings (source, path,
status) or input errors that must be present. Regenerate ``expected.yaml`` after a deliberate
change with ``NGF_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from ngf_console.migration import plan

ROOT = Path(__file__).parent / "migration_golden"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())


def _inputs(case: Path) -> list[Path]:
    return sorted(p for p in case.iterdir() if p.name == "input.yaml" or p.suffix == ".conf")


@pytest.mark.parametrize("name", CASES)
def test_golden_manifests(name: str) -> None:
    case = ROOT / name
    result = plan(_inputs(case))
    produced = [m.body for m in result.manifests]
    expected_file = case / "expected.yaml"
    if os.environ.get("NGF_UPDATE_GOLDEN") == "1":
        expected_file.write_text(yaml.safe_dump_all(produced, sort_keys=False))
    expected = [d for d in yaml.safe_load_all(expected_file.read_text()) if d is not None]
    assert produced == expected


@pytest.mark.parametrize("name", CASES)
def test_golden_report(name: str) -> None:
    case = ROOT / name
    result = plan(_inputs(case))
    spec = yaml.safe_load((case / "assertions.yaml").read_text())
    found = {
        (r.source, item.path, status)
        for r in result.report.resources
        for status, items in (
            ("mapped", r.direct_mappings),
            ("review", r.needs_review),
            ("unsupported", r.unsupported),
            ("enterprise", r.enterprise_only),
        )
        for item in items
    }
    for want in spec.get("findings") or []:
        assert (want["source"], want["path"], want["status"]) in found, want
    locations = [e.location for e in result.report.errors]
    for want in spec.get("errors") or []:
        assert any(want in loc for loc in locations), (want, locations)


def _annotated(case: Path) -> list[dict[str, Any]]:
    docs = []
    for path in _inputs(case):
        if path.suffix == ".yaml":
            try:
                docs += [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]
            except yaml.YAMLError:
                continue
    return docs


@pytest.mark.parametrize("name", CASES)
def test_every_annotation_and_field_is_reported(name: str) -> None:
    """Nothing is silently dropped: every nginx annotation of every Ingress is in the report."""
    case = ROOT / name
    result = plan(_inputs(case))
    paths = {
        (r.source, i.path)
        for r in result.report.resources
        for i in [*r.direct_mappings, *r.needs_review, *r.unsupported, *r.enterprise_only]
    }
    for doc in _annotated(case):
        if doc.get("kind") != "Ingress":
            continue
        meta = doc["metadata"]
        ref = f"Ingress/{meta.get('namespace', 'default')}/{meta['name']}"
        for key in meta.get("annotations") or {}:
            if key.startswith(
                ("nginx.org/", "nginx.ingress.kubernetes.io/", "ingress.kubernetes.io/")
            ):
                assert any(
                    p == ref and (path == key or path.startswith(key + "[")) for p, path in paths
                ), (ref, key)
