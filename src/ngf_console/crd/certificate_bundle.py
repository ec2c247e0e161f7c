"""CertificateBundle: a TLS certificate's lifecycle (Secret, cert-manager, expiry alerting).

Fields follow spec §2.5.3. An uploaded certificate arrives as ``source.inline``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ngf_console.crd.base import CrdModel, ListSet, cel_rule
from ngf_console.crd.common import (
    ChildStatus,
    Conditions,
    Count,
    Hostname,
    InlineCert,
    LongDuration,
    NamespaceName,
    ObjectName,
    ParentResource,
    SectionName,
    Time,
)

CertificateBundlePhase = Literal["Pending", "Active", "Expiring", "Expired", "Error"]


class CertManagerSpec(CrdModel):
    """cert-manager issuer that issues and renews the certificate."""

    issuer_ref: ObjectName = Field(description="Name of the cert-manager Issuer/ClusterIssuer.")
    issuer_kind: Literal["Issuer", "ClusterIssuer"] = Field(
        description="Issuer (in this namespace) or ClusterIssuer."
    )


class CertSource(CrdModel):
    """Where the certificate comes from: inline PEM (incl. uploads) or cert-manager."""

    inline: InlineCert | None = Field(default=None, description="Inline PEM.")
    cert_manager: CertManagerSpec | None = Field(
        default=None, description="cert-manager issuer reference."
    )

    @cel_rule(
        "has(self.inline) != has(self.certManager)",
        message="exactly one of inline or certManager must be set",
    )
    def _one_source(self) -> bool:
        return (self.inline is None) != (self.cert_manager is None)


class GatewayListenerRef(CrdModel):
    """A Gateway listener to attach the certificate to."""

    gateway_name: ObjectName = Field(description="Name of the Gateway.")
    gateway_namespace: NamespaceName | None = Field(
        default=None, description="Namespace of the Gateway; defaults to this namespace."
    )
    listener_name: SectionName = Field(description="Name of the listener.")


class CertificateBundleSpec(CrdModel):
    """Desired state of a CertificateBundle."""

    hostnames: Annotated[list[Hostname], ListSet()] = Field(
        min_length=1, max_length=100, description="Hostname(s) the certificate covers."
    )
    source: CertSource = Field(description="Source: inline (or uploaded) PEM, or cert-manager.")
    expiry_alert_threshold: LongDuration = Field(
        default="30d",
        description='Alert when the certificate expires within this duration, e.g. "30d".',
    )
    auto_renew: bool | None = Field(
        default=None, description="Auto-renewal via cert-manager (needs source.certManager)."
    )
    attach_to: list[GatewayListenerRef] | None = Field(
        default=None, description="Gateway listeners to attach this certificate to."
    )

    @cel_rule(
        "!has(self.autoRenew) || !self.autoRenew || has(self.source.certManager)",
        message="autoRenew requires source.certManager",
        field_path=".autoRenew",
    )
    def _renew_needs_cert_manager(self) -> bool:
        return not self.auto_renew or self.source.cert_manager is not None


class CertBundleChildren(CrdModel):
    """Status of each child resource of a CertificateBundle."""

    secret: ChildStatus | None = Field(default=None, description="The TLS Secret.")
    certificate: ChildStatus | None = Field(
        default=None, description="The cert-manager Certificate."
    )


class CertificateBundleStatus(CrdModel):
    """Observed state of a CertificateBundle."""

    phase: CertificateBundlePhase | None = Field(
        default=None, description="Pending, Active, Expiring, Expired or Error."
    )
    observed_generation: Count | None = Field(
        default=None, description="The .metadata.generation this status was computed for."
    )
    expires_at: Time | None = Field(default=None, description="Expiry (notAfter) of the leaf.")
    issued_at: Time | None = Field(default=None, description="Issue time (notBefore).")
    issuer: str | None = Field(default=None, description="Issuer distinguished name.")
    children: CertBundleChildren | None = Field(
        default=None, description="Child resource statuses."
    )
    conditions: Conditions | None = Field(default=None, description="Standard conditions.")


class CertificateBundle(ParentResource):
    """CertificateBundle is the parent of a TLS certificate's lifecycle.

    The operator keeps the TLS Secret (or cert-manager Certificate), attaches it to Gateway
    listeners and alerts before it expires.
    """

    kind: Literal["CertificateBundle"] = "CertificateBundle"
    spec: CertificateBundleSpec
    status: CertificateBundleStatus | None = None
