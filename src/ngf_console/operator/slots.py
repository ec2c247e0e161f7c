"""Which ``status.children`` slot a rendered child reports under. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ngf_console.operator.health import Health
from ngf_console.operator.status import ChildReport, Withheld
from ngf_console.render.dcgm import DCGM_EXPORTER_NAME
from ngf_console.render.result import Withheld as RenderWithheld

# Slots that hold a list of children rather than one.
LIST_SLOTS: dict[str, frozenset[str]] = {
    "InferenceStack": frozenset(),
    "GatewayBundle": frozenset({"snippets", "tlsSecrets"}),
}

_BY_KIND: dict[str, dict[str, str]] = {
    "InferenceStack": {
        "InferencePool": "inferencePool",
        "HTTPRoute": "httpRoute",
        "ScaledObject": "autoscaler",
        "HorizontalPodAutoscaler": "autoscaler",
        "Gateway": "gateway",
        "DistributedCloudPublish": "distributedCloud",
        "DaemonSet": "dcgmExporter",
    },
    "GatewayBundle": {
        "Gateway": "gateway",
        "NginxProxy": "nginxProxy",
        "SnippetsFilter": "snippets",
        "Secret": "tlsSecrets",
    },
}


def slot_for(parent_kind: str, parent_name: str, manifest: Mapping[str, Any]) -> str | None:
    """The slot of ``manifest`` among ``parent_kind``'s children (None: reported only in
    the phase and conditions, not under its own slot)."""
    kind = manifest["kind"]
    name: str = manifest["metadata"]["name"]
    by_kind = _BY_KIND.get(parent_kind, {})
    if parent_kind == "InferenceStack":
        if name.endswith("-prometheus-adapter"):
            return "autoscaler"
        if name == DCGM_EXPORTER_NAME:
            return "dcgmExporter"
        if kind in by_kind:
            return by_kind[kind]
        if name.startswith(f"{parent_name}-epp"):
            return "epp"
        if name.startswith(f"{parent_name}-model"):
            return "modelServer"
        return None
    if parent_kind == "GatewayBundle":
        if kind in by_kind:
            return by_kind[kind]
        # Whatever else a bundle renders in gateway.nginx.org is its WAF policy.
        return "wafPolicy" if manifest["apiVersion"].startswith("gateway.nginx.org/") else None
    return None


def child_report(
    parent_kind: str,
    parent_name: str,
    namespace: str,
    manifest: Mapping[str, Any],
    health: Health,
) -> ChildReport:
    """A rendered child's report for the parent's status (default namespace: the parent's)."""
    meta = manifest["metadata"]
    return ChildReport(
        manifest["kind"],
        meta["name"],
        meta.get("namespace", namespace),
        slot_for(parent_kind, parent_name, manifest) or "",
        health,
    )


def withheld_child(parent_kind: str, parent_name: str, item: RenderWithheld) -> Withheld:
    """A child the renderer withheld, placed in the status slot it would have had."""
    manifest = {"kind": item.kind, "apiVersion": item.api_version, "metadata": {"name": item.name}}
    return Withheld(
        item.kind, item.name, slot_for(parent_kind, parent_name, manifest) or "", item.reason
    )
