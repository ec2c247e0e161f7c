"""MigrationPlan: NGINX Ingress Controller resources -> Gateway API, applied in phases.

Fields follow spec §2.5.3 and §3.9. The operator fills ``spec.resources`` and
``status.analysis`` from the source; the user reviews them and sets ``spec.apply``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ngf_console.crd.base import CrdModel, ListSet, cel_rule
from ngf_console.crd.common import (
    Conditions,
    Count,
    Duration,
    NamespaceName,
    ObjectName,
    ParentResource,
)

MigrationSourceType = Literal["ingress", "virtualserver", "transportserver", "nginx-conf"]
Confidence = Literal["high", "medium", "low"]
MigrationPhase = Literal[
    "Analyzing", "Reviewed", "Applying", "Applied", "RollingBack", "Completed", "Failed"
]
Kind = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=63, pattern=r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$"
    ),
]


class ClusterReference(CrdModel):
    """The cluster to read source resources from."""

    kubeconfig_secret_ref: ObjectName = Field(
        description="Name of a Secret in this namespace holding the source cluster's kubeconfig."
    )


class MigrationSource(CrdModel):
    """What to migrate."""

    type: MigrationSourceType = Field(
        description=(
            "Source type: ingress (Ingress with nginx.org/* or nginx.ingress.kubernetes.io/* "
            "annotations), virtualserver (VirtualServer, VirtualServerRoute, Policy), "
            "transportserver, or nginx-conf (an exported nginx.conf)."
        )
    )
    source_yaml: str | None = Field(
        default=None,
        alias="sourceYAML",
        description="Source resources as YAML (embedded); for nginx-conf, the nginx.conf text.",
    )
    source_cluster: ClusterReference | None = Field(
        default=None,
        description="Or reference to a source cluster; with neither, this cluster is scanned.",
    )
    namespaces: Annotated[list[NamespaceName], ListSet()] | None = Field(
        default=None, description="Namespace filter."
    )

    @cel_rule(
        "!has(self.sourceYAML) || !has(self.sourceCluster)",
        message="sourceYAML and sourceCluster are mutually exclusive",
        field_path=".sourceCluster",
        reason="FieldValueForbidden",
    )
    def _one_origin(self) -> bool:
        return self.source_yaml is None or self.source_cluster is None

    @cel_rule(
        "self.type != 'nginx-conf' || has(self.sourceYAML)",
        message="sourceYAML (the nginx.conf text) is required when type is nginx-conf",
        field_path=".sourceYAML",
        reason="FieldValueRequired",
    )
    def _nginx_conf_inline(self) -> bool:
        return self.type != "nginx-conf" or self.source_yaml is not None


class MigrationResource(CrdModel):
    """One generated Gateway API resource."""

    source_ref: Annotated[str, StringConstraints(min_length=1)] = Field(
        description='Original source resource identifier, e.g. "Ingress/shop/web".'
    )
    generated_yaml: str = Field(
        alias="generatedYAML", description="Generated Gateway API resource (as YAML string)."
    )
    kind: Kind = Field(description="Kind: Gateway, HTTPRoute, RateLimitPolicy, etc.")
    confidence: Confidence = Field(description="Confidence: high, medium or low.")
    warnings: list[str] | None = Field(default=None, description="Warnings.")
    enabled: bool = Field(
        default=True, description="Whether this resource is enabled for migration."
    )


class MigrationStrategy(CrdModel):
    """How to apply the generated resources."""

    phased: bool = Field(
        default=True, description="Phased: apply one resource at a time with validation."
    )
    pause_between: Duration | None = Field(
        default=None, description='Pause between resources (for phased), e.g. "30s".'
    )
    validate_after_apply: bool | None = Field(
        default=None, description="Validate each resource after apply."
    )


class MigrationPlanSpec(CrdModel):
    """Desired state of a MigrationPlan."""

    source: MigrationSource = Field(description="What to migrate.")
    resources: list[MigrationResource] | None = Field(
        default=None,
        description="Generated Gateway API resources (populated by analysis, editable by user).",
    )
    # An object default, so that strategy.phased defaults to true when strategy is omitted.
    strategy: MigrationStrategy = Field(
        default_factory=MigrationStrategy,
        description="Migration strategy.",
        json_schema_extra={"default": {}},
    )
    apply: bool = Field(
        default=False, description="Whether to actually apply (set to true when user confirms)."
    )
    rollback: bool = Field(default=False, description="Set to true to undo the migration.")


class MigrationAnalysis(CrdModel):
    """Analysis report of the source."""

    total_source_resources: Count = Field(description="Source resources found.")
    direct_mappings: Count = Field(description="Resources with a direct Gateway API mapping.")
    requires_review: Count = Field(description="Resources that need a manual review.")
    unsupported: Count = Field(description="Resources with no Gateway API equivalent.")
    requires_enterprise: Count = Field(description="Resources that need NGF Enterprise.")
    overall_confidence: Confidence = Field(description="Overall confidence: high, medium, low.")


class MigrationResourceStatus(CrdModel):
    """Apply status of one generated resource."""

    source_ref: str = Field(description="Original source resource identifier.")
    kind: str = Field(description="Kind of the generated resource.")
    name: str = Field(description="Name of the generated resource.")
    applied: bool = Field(description="Whether the resource was applied.")
    healthy: bool = Field(description="Whether the resource was healthy after apply.")
    error: str | None = Field(default=None, description="Error, if the apply failed.")


class MigrationPlanStatus(CrdModel):
    """Observed state of a MigrationPlan."""

    phase: MigrationPhase | None = Field(
        default=None,
        description="Analyzing, Reviewed, Applying, Applied, RollingBack, Completed or Failed.",
    )
    observed_generation: Count | None = Field(
        default=None, description="The .metadata.generation this status was computed for."
    )
    total_resources: Count | None = Field(default=None, description="Resources in the plan.")
    applied_resources: Count | None = Field(default=None, description="Resources applied.")
    failed_resources: Count | None = Field(default=None, description="Resources that failed.")
    analysis: MigrationAnalysis | None = Field(
        default=None, description="Analysis report (populated when source is processed)."
    )
    resource_statuses: list[MigrationResourceStatus] | None = Field(
        default=None, description="Per-resource status."
    )
    conditions: Conditions | None = Field(default=None, description="Standard conditions.")


class MigrationPlan(ParentResource):
    """MigrationPlan is the parent of a migration from NGINX Ingress Controller to NGF.

    The operator analyzes the source, proposes Gateway API resources in spec.resources, applies
    them one at a time once spec.apply is true, and removes them again on spec.rollback.
    """

    kind: Literal["MigrationPlan"] = "MigrationPlan"
    spec: MigrationPlanSpec
    status: MigrationPlanStatus | None = None
