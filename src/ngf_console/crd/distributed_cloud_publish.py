"""DistributedCloudPublish: an HTTPRoute or InferencePool published through F5 Distributed Cloud.

Fields are the union of spec §3.8.1 (routes) and §3.10.6 (inference pools). The XC API token is
read from a Secret (spec §3.8.1); ``credentialsSecretRef`` names it, else the operator's
configured default Secret is used.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ngf_console.crd.base import CrdModel, ListSet, cel_rule
from ngf_console.crd.common import (
    Conditions,
    Count,
    Hostname,
    ObjectName,
    ObjectReference,
    ParentResource,
    PortNumber,
    SecretReference,
    Time,
    XCName,
    XCTlsMode,
)

XCProtectionProfile = Literal["standard", "advanced"]
DistributedCloudPublishState = Literal["Pending", "Published", "Error", "Degraded"]
RegionName = Annotated[
    str, StringConstraints(min_length=1, max_length=63, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
]


class XCCredentialsSecretRef(CrdModel):
    """A key of a Secret in this namespace that holds the XC API token."""

    name: ObjectName = Field(description="Name of the Secret, in this resource's namespace.")
    key: Annotated[str, StringConstraints(min_length=1, max_length=253)] = Field(
        default="token", description="Key of the API token in the Secret."
    )


class ProtectionSpec(CrdModel):
    """An XC protection feature and its profile."""

    enabled: bool = Field(description="Enable the protection.")
    profile: XCProtectionProfile | None = Field(
        default=None, description="Profile: standard or advanced."
    )


class RateLimitingSpec(CrdModel):
    """Rate limiting at the XC edge (critical for multi-tenant LLM platforms)."""

    per_tenant: bool | None = Field(default=None, description="Rate limit per API key.")
    default_rate: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Requests per minute."
    )
    default_token_budget: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Tokens per minute."
    )


class XCTLSSpec(CrdModel):
    """TLS at the XC edge."""

    mode: XCTlsMode = Field(
        default="managed",
        description="managed (XC issues the certificate, Let's Encrypt) or bringYourOwn.",
    )
    certificate_ref: SecretReference | None = Field(
        default=None, description="TLS Secret to upload to XC; only used when mode is bringYourOwn."
    )

    @cel_rule(
        "self.mode != 'bringYourOwn' || has(self.certificateRef)",
        message="certificateRef is required when mode is bringYourOwn",
        field_path=".certificateRef",
        reason="FieldValueRequired",
    )
    def _byo_needs_certificate(self) -> bool:
        return self.mode != "bringYourOwn" or self.certificate_ref is not None


class OriginTLSConfig(CrdModel):
    """TLS from XC to the origin."""

    sni: Hostname | None = Field(default=None, description="SNI sent to the origin.")
    skip_verify: bool | None = Field(
        default=None, description="Skip verification of the origin's certificate."
    )


class OriginPoolSpec(CrdModel):
    """The XC origin pool that points at the NGF gateway."""

    auto_detect: bool = Field(
        default=True, description="Auto-detect the NGF gateway's external IP/LB address."
    )
    override_address: Annotated[str, StringConstraints(max_length=253)] | None = Field(
        default=None, description="Manual origin address (IP or DNS name) instead of autoDetect."
    )
    port: PortNumber | None = Field(default=None, description="Origin port.")
    use_tls: bool | None = Field(
        default=None, alias="useTLS", description="Use TLS from XC to the origin."
    )
    tls_config: OriginTLSConfig | None = Field(
        default=None, description="Origin TLS settings, when useTLS is true."
    )

    @cel_rule(
        "self.autoDetect || (has(self.overrideAddress) && size(self.overrideAddress) > 0)",
        message="overrideAddress is required when autoDetect is false",
        field_path=".overrideAddress",
        reason="FieldValueRequired",
    )
    def _has_address(self) -> bool:
        return self.auto_detect or bool(self.override_address)


class MultiRegionSpec(CrdModel):
    """Global inference routing across regions."""

    enabled: bool = Field(description="Enable multi-region routing and failover.")
    preferred_regions: Annotated[list[RegionName], ListSet()] | None = Field(
        default=None, description='Preferred regions in order, e.g. ["us-west-2", "eu-west-1"].'
    )
    failover_policy: RegionName | None = Field(
        default=None, description='Failover policy, e.g. "nearest-available".'
    )


class DistributedCloudSpec(CrdModel):
    """F5 Distributed Cloud settings of the publication."""

    tenant: XCName = Field(description="F5 Distributed Cloud tenant.")
    namespace: XCName = Field(description="F5 Distributed Cloud namespace.")
    credentials_secret_ref: XCCredentialsSecretRef | None = Field(
        default=None,
        description=(
            "Secret with the XC API token; unset uses the operator's configured default "
            "(Helm value xc.apiTokenSecretRef)."
        ),
    )
    waf_policy: XCName | None = Field(default=None, description="XC App Firewall name.")
    bot_defense: ProtectionSpec | None = Field(default=None, description="Bot defense.")
    ddos_protection: ProtectionSpec | None = Field(default=None, description="DDoS protection.")
    rate_limiting: RateLimitingSpec | None = Field(
        default=None, description="Rate limiting at the edge."
    )
    public_hostname: Hostname = Field(description="Public hostname served by XC.")
    tls: XCTLSSpec | None = Field(default=None, description="TLS at the XC edge.")
    origin_pool: OriginPoolSpec | None = Field(default=None, description="XC origin pool.")
    multi_region: MultiRegionSpec | None = Field(
        default=None, description="Multi-region routing and failover."
    )


class DistributedCloudPublishSpec(CrdModel):
    """Desired state of a DistributedCloudPublish."""

    http_route_ref: ObjectReference | None = Field(
        default=None, description="The HTTPRoute to publish."
    )
    inference_pool_ref: ObjectReference | None = Field(
        default=None, description="The InferencePool to publish."
    )
    distributed_cloud: DistributedCloudSpec = Field(description="F5 Distributed Cloud settings.")

    @cel_rule(
        "has(self.httpRouteRef) != has(self.inferencePoolRef)",
        message="exactly one of httpRouteRef or inferencePoolRef must be set",
    )
    def _one_target(self) -> bool:
        return (self.http_route_ref is None) != (self.inference_pool_ref is None)


class DistributedCloudPublishStatus(CrdModel):
    """Observed state of a DistributedCloudPublish."""

    state: DistributedCloudPublishState | None = Field(
        default=None, description="Pending, Published, Error or Degraded."
    )
    observed_generation: Count | None = Field(
        default=None, description="The .metadata.generation this status was computed for."
    )
    xc_http_load_balancer_name: str | None = Field(
        default=None, description="Name of the XC HTTP load balancer."
    )
    xc_origin_pool_name: str | None = Field(default=None, description="Name of the XC origin pool.")
    public_endpoint: str | None = Field(default=None, description="Public URL.")
    last_sync_time: Time | None = Field(default=None, description="Last successful sync.")
    conditions: Conditions | None = Field(default=None, description="Standard conditions.")


class DistributedCloudPublish(ParentResource):
    """DistributedCloudPublish publishes an HTTPRoute or InferencePool through F5 XC.

    The operator creates and keeps the XC origin pool and HTTP load balancer (with WAF, bot
    defense, DDoS protection and rate limiting) and reports their state here.
    """

    kind: Literal["DistributedCloudPublish"] = "DistributedCloudPublish"
    spec: DistributedCloudPublishSpec
    status: DistributedCloudPublishStatus | None = None
