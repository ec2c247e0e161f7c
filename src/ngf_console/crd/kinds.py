"""Registry of the parent kinds: names, printer columns and models of each CRD."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

from ngf_console.crd.base import CrdModel
from ngf_console.crd.certificate_bundle import (
    CertificateBundle,
    CertificateBundleSpec,
    CertificateBundleStatus,
)
from ngf_console.crd.common import GROUP, ParentResource
from ngf_console.crd.distributed_cloud_publish import (
    DistributedCloudPublish,
    DistributedCloudPublishSpec,
    DistributedCloudPublishStatus,
)
from ngf_console.crd.gateway_bundle import GatewayBundle, GatewayBundleSpec, GatewayBundleStatus
from ngf_console.crd.inference_stack import (
    InferenceStack,
    InferenceStackSpec,
    InferenceStackStatus,
)
from ngf_console.crd.migration_plan import MigrationPlan, MigrationPlanSpec, MigrationPlanStatus

__all__ = ["KINDS_BY_NAME", "PARENT_KINDS", "ParentKind", "PrinterColumn", "parent_kind"]


@dataclass(frozen=True)
class PrinterColumn:
    """A column of ``kubectl get`` (``additionalPrinterColumns``)."""

    name: str
    type: Literal["string", "integer", "number", "boolean", "date"]
    json_path: str
    description: str | None = None
    priority: int = 0

    def to_manifest(self) -> dict[str, Any]:
        """The column as it appears in the CRD."""
        column: dict[str, Any] = {"name": self.name, "type": self.type, "jsonPath": self.json_path}
        if self.description:
            column["description"] = self.description
        if self.priority:
            column["priority"] = self.priority
        return column


@dataclass(frozen=True)
class ParentKind:
    """One parent CRD: its names, columns and pydantic models."""

    kind: str
    plural: str
    singular: str
    short_names: tuple[str, ...]
    resource: type[ParentResource]
    spec: type[CrdModel]
    status: type[CrdModel]
    printer_columns: tuple[PrinterColumn, ...]
    categories: tuple[str, ...] = ("ngf-console",)

    @property
    def crd_name(self) -> str:
        """Name of the CustomResourceDefinition, ``<plural>.<group>``."""
        return f"{self.plural}.{GROUP}"


_STATUS = PrinterColumn("Status", "string", ".status.phase")
_AGE = PrinterColumn("Age", "date", ".metadata.creationTimestamp")

PARENT_KINDS: Final[tuple[ParentKind, ...]] = (
    ParentKind(
        kind="InferenceStack",
        plural="inferencestacks",
        singular="inferencestack",
        short_names=("istack",),
        resource=InferenceStack,
        spec=InferenceStackSpec,
        status=InferenceStackStatus,
        printer_columns=(
            PrinterColumn("Model", "string", ".spec.model.name"),
            PrinterColumn("Backend", "string", ".spec.model.backend"),
            PrinterColumn("Replicas", "string", ".status.currentReplicas"),
            _STATUS,
            _AGE,
        ),
    ),
    ParentKind(
        kind="GatewayBundle",
        plural="gatewaybundles",
        singular="gatewaybundle",
        short_names=("gwb",),
        resource=GatewayBundle,
        spec=GatewayBundleSpec,
        status=GatewayBundleStatus,
        printer_columns=(
            PrinterColumn("Class", "string", ".spec.gatewayClassName"),
            PrinterColumn("Listeners", "integer", ".status.listenerCount"),
            _STATUS,
            _AGE,
        ),
    ),
    ParentKind(
        kind="CertificateBundle",
        plural="certificatebundles",
        singular="certificatebundle",
        short_names=("certb",),
        resource=CertificateBundle,
        spec=CertificateBundleSpec,
        status=CertificateBundleStatus,
        printer_columns=(
            # The spec's column reads .spec.hostname, but the field is a list: show the first.
            PrinterColumn("Hostname", "string", ".spec.hostnames[0]"),
            PrinterColumn("Expires", "date", ".status.expiresAt"),
            _STATUS,
            _AGE,
        ),
    ),
    ParentKind(
        kind="MigrationPlan",
        plural="migrationplans",
        singular="migrationplan",
        short_names=("migplan",),
        resource=MigrationPlan,
        spec=MigrationPlanSpec,
        status=MigrationPlanStatus,
        printer_columns=(
            PrinterColumn("Phase", "string", ".status.phase"),
            PrinterColumn("Resources", "integer", ".status.totalResources"),
            PrinterColumn("Applied", "integer", ".status.appliedResources"),
            _AGE,
        ),
    ),
    ParentKind(
        kind="DistributedCloudPublish",
        plural="distributedcloudpublishes",
        singular="distributedcloudpublish",
        short_names=("dcpub",),
        resource=DistributedCloudPublish,
        spec=DistributedCloudPublishSpec,
        status=DistributedCloudPublishStatus,
        printer_columns=(
            PrinterColumn("Hostname", "string", ".spec.distributedCloud.publicHostname"),
            PrinterColumn("Tenant", "string", ".spec.distributedCloud.tenant"),
            PrinterColumn("State", "string", ".status.state"),
            PrinterColumn("Endpoint", "string", ".status.publicEndpoint", priority=1),
            _AGE,
        ),
    ),
)

KINDS_BY_NAME: Final[Mapping[str, ParentKind]] = MappingProxyType({k.kind: k for k in PARENT_KINDS})


def parent_kind(kind: str) -> ParentKind:
    """The registry entry of ``kind`` (e.g. ``"InferenceStack"``); KeyError if unknown."""
    return KINDS_BY_NAME[kind]
