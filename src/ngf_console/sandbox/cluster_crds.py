"""Every CRD the local control plane installs: the five parents and the upstream ones."""

from __future__ import annotations

from typing import Any

import yaml

from ngf_console.operator.peering import peering_crd
from ngf_console.sandbox.upstream_crds import upstream_crd_documents


def parent_crd_documents() -> list[dict[str, Any]]:
    """The generated ngf-console.f5.com CRDs, as committed in the package."""
    from ngf_console.crd.generate import default_manifest_dir

    return [
        yaml.safe_load(path.read_text()) for path in sorted(default_manifest_dir().glob("*.yaml"))
    ]


def all_crd_documents() -> list[dict[str, Any]]:
    """Upstream CRDs (Gateway API, inference extension, NGF, KEDA, ...), our parents, and
    the peering CRD the operator's replicas coordinate through."""
    return [*upstream_crd_documents(), *parent_crd_documents(), peering_crd()]
