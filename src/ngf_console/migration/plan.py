"""``plan(inputs) -> MigrationResult``: read, convert, emit and report, end to end."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ngf_console.migration import emit as emitter
from ngf_console.migration.context import ConversionContext, SourceDoc
from ngf_console.migration.loader import LoadedInput, load_paths, load_text
from ngf_console.migration.report import MigrationReport, build_report, render_markdown
from ngf_console.migration.sources import (
    configmap,
    globalconfiguration,
    ingress_community,
    ingress_nginx_org,
    nginx_conf,
    policy,
    transportserver,
    virtualserver,
)

_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass
class MigrationResult:
    """Generated manifests and the report."""

    manifests: list[emitter.GeneratedManifest] = field(default_factory=list)
    report: MigrationReport = field(default_factory=MigrationReport)

    @property
    def exit_code(self) -> int:
        """0 converted cleanly, 2 converted with warnings or gaps, 1 nothing converted."""
        if not self.manifests and (self.report.errors or self.report.resources):
            return 1
        if not self.manifests:
            return 1
        return 0 if self.report.clean else 2

    def resources(self) -> list[dict[str, Any]]:
        """``spec.resources`` entries of a MigrationPlan (sourceRef, generatedYAML, ...)."""
        return [
            {
                "sourceRef": m.source_ref,
                "generatedYAML": yaml.safe_dump(m.body, sort_keys=False),
                "kind": m.kind,
                "confidence": m.confidence,
                **({"warnings": m.warnings} if m.warnings else {}),
                "enabled": True,
            }
            for m in self.manifests
        ]

    def report_markdown(self) -> str:
        """report.md text."""
        return render_markdown(self.report)


def _is_community(doc: SourceDoc) -> bool:
    return any(k.startswith(ingress_community.PREFIX) for k in doc.annotations)


def convert(
    loaded: LoadedInput, gateway_name: str = "ngf-migrated", gateway_class: str = "nginx"
) -> MigrationResult:
    """Convert already-loaded input."""
    ctx = ConversionContext(gateway_name=gateway_name, gateway_class=gateway_class)
    for err in loaded.errors:
        ctx.error(err.file, err.line, err.message)
    for doc in loaded.context:
        if doc.kind == "Service":
            ctx.services[(doc.namespace, doc.name)] = doc.obj
    by_kind: dict[str, list[SourceDoc]] = {}
    for doc in loaded.docs:
        by_kind.setdefault(doc.kind, []).append(doc)
    configmap.convert(ctx, by_kind.get("ConfigMap", []))
    globalconfiguration.convert(ctx, by_kind.get("GlobalConfiguration", []))
    policy.register_policies(ctx, by_kind.get("Policy", []))
    ingresses = by_kind.get("Ingress", [])
    ingress_nginx_org.convert(ctx, [d for d in ingresses if not _is_community(d)])
    ingress_community.convert(ctx, [d for d in ingresses if _is_community(d)])
    virtualserver.convert(
        ctx, by_kind.get("VirtualServer", []), by_kind.get("VirtualServerRoute", [])
    )
    transportserver.convert(ctx, by_kind.get("TransportServer", []))
    for conf in loaded.nginx_confs:
        nginx_conf.convert(ctx, conf)
    configmap.finish(ctx)
    _unused_policies(ctx)
    manifests = emitter.emit(ctx.ir)
    generated: dict[str, list[str]] = {}
    for m in manifests:
        for ref in m.source_ref.split(", "):
            generated.setdefault(ref, []).append(f"{m.kind}/{m.namespace}/{m.name}")
    report = build_report(ctx.ir, generated)
    levels = {r.source: r.confidence for r in report.resources}
    for m in manifests:
        source_levels = [levels.get(ref, "high") for ref in m.source_ref.split(", ")]
        worst = max([m.confidence, *source_levels], key=lambda c: _RANK[c])
        m.confidence = worst
    return MigrationResult(manifests=manifests, report=report)


def _unused_policies(ctx: ConversionContext) -> None:
    used = {f.path.split(" → ")[-1] for f in ctx.ir.findings if " → Policy/" in f.path}
    for (_ns, _name), doc in ctx.policies.items():
        if doc.ref not in used and not any(
            f.source == doc.ref and f.status != "unsupported" for f in ctx.ir.findings
        ):
            ctx.review(
                doc.ref,
                "metadata",
                "no VirtualServer or Ingress in the input references this Policy",
            )


def plan(inputs: Iterable[Path | str], gateway_name: str = "ngf-migrated") -> MigrationResult:
    """Read files/directories (YAML, nginx.conf) and convert them."""
    return convert(load_paths([Path(p) for p in inputs]), gateway_name=gateway_name)


def plan_text(text: str, nginx_conf_text: bool = False, name: str = "<input>") -> MigrationResult:
    """Convert inline YAML (or nginx.conf text), e.g. a MigrationPlan's ``sourceYAML``."""
    if nginx_conf_text:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "nginx.conf"
            path.write_text(text)
            loaded = LoadedInput(nginx_confs=[path])
            return convert(loaded)
    loaded = LoadedInput()
    load_text(text, name, loaded)
    return convert(loaded)
