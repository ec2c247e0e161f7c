"""The migration report: per source resource, what was carried over and what was not.

Confidence per resource: ``high`` when everything was mapped directly; ``medium`` when some
items need review or NGF Enterprise; ``low`` when something was not carried over at all. The
reason names the first item that lowered it. Input errors (bad YAML, unknown kinds, broken
nginx.conf) are listed with file and line.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ngf_console.migration.ir import Finding, MigrationIR

Confidence = Literal["high", "medium", "low"]
_RANK = {"high": 0, "medium": 1, "low": 2}


class ReportItem(BaseModel):
    """One field or annotation and what happened to it."""

    path: str
    message: str
    target: str | None = None


class ResourceReport(BaseModel):
    """The report for one source resource."""

    source: str
    kind: str
    file: str | None = None
    line: int | None = None
    confidence: Confidence
    reason: str
    generated: list[str] = Field(default_factory=list)
    direct_mappings: list[ReportItem] = Field(default_factory=list)
    needs_review: list[ReportItem] = Field(default_factory=list)
    unsupported: list[ReportItem] = Field(default_factory=list)
    enterprise_only: list[ReportItem] = Field(default_factory=list)


class InputError(BaseModel):
    """Input that could not be read."""

    location: str
    message: str


class MigrationReport(BaseModel):
    """The whole report."""

    resources: list[ResourceReport] = Field(default_factory=list)
    errors: list[InputError] = Field(default_factory=list)
    summary: dict[str, Any] = Field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """Converted with nothing to review, nothing lost and no input errors."""
        return not self.errors and all(r.confidence == "high" for r in self.resources)


def _item(f: Finding) -> ReportItem:
    return ReportItem(path=f.path, message=f.message, target=f.target)


def confidence_of(findings: list[Finding]) -> tuple[Confidence, str]:
    """The confidence and its reason for one resource's findings."""
    for status, level in (("unsupported", "low"), ("review", "medium"), ("enterprise", "medium")):
        hit = next((f for f in findings if f.status == status), None)
        if hit is not None:
            count = sum(1 for f in findings if f.status == status)
            label = {
                "unsupported": "not carried over",
                "review": "needs review",
                "enterprise": "needs NGF Enterprise",
            }[status]
            return level, f"{count} item(s) {label}, e.g. {hit.path}: {hit.message}"  # type: ignore[return-value]
    return "high", "every field mapped directly"


def build_report(ir: MigrationIR, generated: dict[str, list[str]]) -> MigrationReport:
    """The report for an IR; ``generated`` maps source refs to ``Kind/ns/name`` outputs."""
    by_source: dict[str, list[Finding]] = {}
    for f in ir.findings:
        by_source.setdefault(f.source, []).append(f)
    resources = []
    for ref, info in ir.sources.items():
        findings = by_source.get(ref, [])
        level, reason = confidence_of(findings)
        resources.append(
            ResourceReport(
                source=ref,
                kind=info.kind,
                file=info.file,
                line=info.line,
                confidence=level,
                reason=reason,
                generated=generated.get(ref, []),
                direct_mappings=[_item(f) for f in findings if f.status == "mapped"],
                needs_review=[_item(f) for f in findings if f.status == "review"],
                unsupported=[_item(f) for f in findings if f.status == "unsupported"],
                enterprise_only=[_item(f) for f in findings if f.status == "enterprise"],
            )
        )
    errors = [InputError(location=e.path, message=e.message) for e in ir.errors]
    report = MigrationReport(resources=resources, errors=errors)
    counts = {level: sum(1 for r in resources if r.confidence == level) for level in _RANK}
    overall: Confidence = "high"
    if counts["low"] or errors:
        overall = "low"
    elif counts["medium"]:
        overall = "medium"
    report.summary = {
        "totalSourceResources": len(resources),
        "directMappings": sum(1 for r in resources if r.confidence == "high"),
        "requiresReview": sum(1 for r in resources if r.needs_review),
        "unsupported": sum(1 for r in resources if r.unsupported),
        "requiresEnterprise": sum(1 for r in resources if r.enterprise_only),
        "inputErrors": len(errors),
        "overallConfidence": overall,
        "generatedResources": sum(len(v) for v in generated.values()),
    }
    return report


def render_markdown(report: MigrationReport) -> str:
    """A readable report.md."""
    s = report.summary
    lines = [
        "# Migration report",
        "",
        f"- Source resources: {s.get('totalSourceResources', 0)}; "
        f"generated resources: {s.get('generatedResources', 0)}",
        f"- Direct (high confidence): {s.get('directMappings', 0)}; "
        f"need review: {s.get('requiresReview', 0)}; "
        f"with unsupported items: {s.get('unsupported', 0)}; "
        f"need Enterprise: {s.get('requiresEnterprise', 0)}",
        f"- Overall confidence: **{s.get('overallConfidence', 'high')}**",
        "",
    ]
    if report.errors:
        lines += ["## Input errors", ""]
        lines += [f"- `{e.location}`: {e.message}" for e in report.errors]
        lines.append("")
    for r in sorted(report.resources, key=lambda r: (-_RANK[r.confidence], r.source)):
        where = f" ({r.file}:{r.line})" if r.file else ""
        lines += [f"## {r.source}{where}", "", f"Confidence: **{r.confidence}** — {r.reason}", ""]
        if r.generated:
            lines += ["Generated: " + ", ".join(f"`{g}`" for g in r.generated), ""]
        for title, items in (
            ("Not carried over", r.unsupported),
            ("Needs review", r.needs_review),
            ("Needs NGF Enterprise", r.enterprise_only),
            ("Mapped directly", r.direct_mappings),
        ):
            if items:
                lines += [f"### {title}", ""]
                lines += [
                    f"- `{i.path}`: {i.message}" + (f" → {i.target}" if i.target else "")
                    for i in items
                ]
                lines.append("")
    return "\n".join(lines)
