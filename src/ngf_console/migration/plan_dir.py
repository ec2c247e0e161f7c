"""A plan directory (what ``ngf-migrate plan`` writes) as a MigrationPlan custom resource.

The directory holds one YAML file per generated resource and ``report.json``; the report
says which source resource each manifest came from and with what confidence. The
MigrationPlan carries the manifests as ``spec.resources`` in the order a phased apply
should take them (Gateways first, then what routes refer to, then routes), so that a route
is never applied before the Gateway it attaches to.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]

REPORT_FILES = frozenset({"report.json", "report.md"})
# Apply order: listeners first, then grants/policies/filters, then routes.
_ORDER = {"Gateway": 0, "ReferenceGrant": 1, "HTTPRoute": 3, "GRPCRoute": 3, "TLSRoute": 3,
          "TCPRoute": 3, "UDPRoute": 3}  # fmt: skip
_SOURCE_TYPES = {
    "Ingress": "ingress",
    "VirtualServer": "virtualserver",
    "VirtualServerRoute": "virtualserver",
    "Policy": "virtualserver",
    "TransportServer": "transportserver",
}


class PlanDirError(ValueError):
    """The directory is not a plan directory."""


def read_manifests(directory: Path) -> list[Obj]:
    """Every generated manifest in ``directory`` (sorted by file name)."""
    if not directory.is_dir():
        raise PlanDirError(f"{directory} is not a directory")
    manifests = []
    for path in sorted(directory.glob("*.y*ml")):
        if path.name in REPORT_FILES:
            continue
        try:
            body = yaml.safe_load(path.read_text())
        except yaml.YAMLError as err:
            raise PlanDirError(f"{path}: {err}") from err
        if not isinstance(body, dict) or not body.get("kind"):
            raise PlanDirError(f"{path}: not a Kubernetes object")
        manifests.append(body)
    if not manifests:
        raise PlanDirError(f"{directory} holds no generated manifests (run ngf-migrate plan)")
    return manifests


def _report(directory: Path) -> Obj:
    path = directory / "report.json"
    if not path.exists():
        return {}
    data: Obj = json.loads(path.read_text())
    return data


def plan_name(directory: Path) -> str:
    """A MigrationPlan name from the directory's name (a DNS label)."""
    name = re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-")
    return (name or "migration")[:63].rstrip("-") or "migration"


def plan_namespace(manifests: list[Obj]) -> str:
    """The namespace most manifests are in (a plan applies in its own namespace only)."""
    counts = Counter((m.get("metadata") or {}).get("namespace") or "default" for m in manifests)
    return counts.most_common(1)[0][0]


def plan_from_directory(
    directory: Path, *, name: str | None = None, namespace: str | None = None, apply: bool = True
) -> Obj:
    """The MigrationPlan for ``directory``: its manifests as spec.resources.

    Resources in another namespace than the plan's are included disabled, with a warning.
    """
    manifests = read_manifests(directory)
    report = _report(directory)
    namespace = namespace or plan_namespace(manifests)
    origin: dict[str, list[Obj]] = {}
    for entry in report.get("resources") or []:
        for generated in entry.get("generated") or []:
            origin.setdefault(generated, []).append(entry)
    resources = []
    kinds: Counter[str] = Counter()
    ordered = sorted(manifests, key=lambda m: _ORDER.get(m["kind"], 2))
    for body in ordered:
        meta = body.get("metadata") or {}
        ns = meta.get("namespace") or namespace
        sources = origin.get(f"{body['kind']}/{ns}/{meta.get('name')}", [])
        kinds.update(s.get("kind", "") for s in sources)
        levels = [s.get("confidence", "high") for s in sources]
        confidence = next((c for c in ("low", "medium") if c in levels), "high")
        warnings = [s["reason"] for s in sources if s.get("confidence") != "high"]
        enabled = ns == namespace
        if not enabled:
            warnings.append(
                f"in namespace {ns}, not the plan's ({namespace}): a plan applies resources "
                "in its own namespace only; create a plan there"
            )
        resources.append(
            {
                "sourceRef": ", ".join(s["source"] for s in sources) or "migration",
                "generatedYAML": yaml.safe_dump(body, sort_keys=False),
                "kind": body["kind"],
                "confidence": confidence,
                **({"warnings": warnings} if warnings else {}),
                "enabled": enabled,
            }
        )
    source_type = next(
        (_SOURCE_TYPES[k] for k, _ in kinds.most_common() if k in _SOURCE_TYPES), "ingress"
    )
    return {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "MigrationPlan",
        "metadata": {"name": name or plan_name(directory), "namespace": namespace},
        "spec": {
            "source": {"type": source_type, "namespaces": [namespace]},
            "resources": resources,
            "apply": apply,
        },
    }
