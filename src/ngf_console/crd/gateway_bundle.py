"""GatewayBundle: a Gateway with its NginxProxy, WAF policy, snippets and TLS Secrets.

Fields follow spec §2.5.3. Listener rules follow Gateway API's own Gateway validation (listener
names unique, port/protocol/hostname unique, TLS only where the protocol takes it), so a bundle
that would render an invalid Gateway is rejected when it is written, not at reconcile time.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from ngf_console.crd.base import CrdModel, ListMap, cel_rule
from ngf_console.crd.common import (
    ChildStatus,
    Conditions,
    Count,
    DriftHistory,
    Hostname,
    InlineCert,
    LabelSelector,
    ObjectName,
    ParentResource,
    PortNumber,
    ReplicaCount,
    ResourceRequirements,
    SecretReference,
    SectionName,
    Time,
)

ListenerProtocol = Literal["HTTP", "HTTPS", "TLS", "TCP", "UDP"]
GatewayBundlePhase = Literal["Pending", "Provisioning", "Ready", "Degraded", "Error"]


class TLSSpec(CrdModel):
    """TLS configuration of a listener."""

    mode: Literal["Terminate", "Passthrough"] = Field(
        description="Terminate (TLS ends at the gateway) or Passthrough (to the backend)."
    )
    certificate_ref: SecretReference | None = Field(
        default=None, description="Reference to an existing kubernetes.io/tls Secret."
    )
    inline_cert: InlineCert | None = Field(
        default=None, description="Inline certificate (the operator creates the Secret)."
    )

    @cel_rule(
        "self.mode != 'Terminate' || has(self.certificateRef) != has(self.inlineCert)",
        message="exactly one of certificateRef or inlineCert must be set when mode is Terminate",
    )
    def _one_certificate(self) -> bool:
        return self.mode != "Terminate" or (self.certificate_ref is None) != (
            self.inline_cert is None
        )

    @cel_rule(
        "self.mode != 'Passthrough' || (!has(self.certificateRef) && !has(self.inlineCert))",
        message="certificateRef and inlineCert must not be set when mode is Passthrough",
    )
    def _no_certificate_for_passthrough(self) -> bool:
        return self.mode != "Passthrough" or (
            self.certificate_ref is None and self.inline_cert is None
        )


class BundleListenerSpec(CrdModel):
    """A listener of the bundle's Gateway."""

    name: SectionName = Field(description="Listener name, unique within the bundle.")
    port: PortNumber = Field(description="Network port.")
    protocol: ListenerProtocol = Field(description="Protocol: HTTP, HTTPS, TLS, TCP or UDP.")
    hostname: Hostname | None = Field(
        default=None, description='Hostname to match, e.g. "*.example.com".'
    )
    tls: TLSSpec | None = Field(default=None, description="Inline TLS configuration.")

    @cel_rule(
        "!(self.protocol in ['HTTPS', 'TLS']) || has(self.tls)",
        message="tls is required for protocols HTTPS and TLS",
        field_path=".tls",
        reason="FieldValueRequired",
    )
    def _tls_required(self) -> bool:
        return self.protocol not in ("HTTPS", "TLS") or self.tls is not None

    @cel_rule(
        "!(self.protocol in ['HTTP', 'TCP', 'UDP']) || !has(self.tls)",
        message="tls must not be set for protocols HTTP, TCP and UDP",
        field_path=".tls",
        reason="FieldValueForbidden",
    )
    def _tls_forbidden(self) -> bool:
        return self.protocol not in ("HTTP", "TCP", "UDP") or self.tls is None

    @cel_rule(
        "self.protocol != 'HTTPS' || !has(self.tls) || self.tls.mode == 'Terminate'",
        message="tls mode must be Terminate for protocol HTTPS",
        field_path=".tls.mode",
    )
    def _https_terminates(self) -> bool:
        return self.protocol != "HTTPS" or self.tls is None or self.tls.mode == "Terminate"

    @cel_rule(
        "!(self.protocol in ['TCP', 'UDP']) || !has(self.hostname)",
        message="hostname must not be set for protocols TCP and UDP",
        field_path=".hostname",
        reason="FieldValueForbidden",
    )
    def _no_hostname_for_l4(self) -> bool:
        return self.protocol not in ("TCP", "UDP") or self.hostname is None


class AllowedRoutesSpec(CrdModel):
    """Namespaces from which routes may attach to the Gateway."""

    namespaces: Literal["Same", "All", "Selector"] = Field(
        description="Same, All, or Selector (namespaces matching selector)."
    )
    selector: LabelSelector | None = Field(
        default=None, description="Namespace label selector, used when namespaces is Selector."
    )

    @cel_rule(
        "self.namespaces != 'Selector' || has(self.selector)",
        message="selector is required when namespaces is Selector",
        field_path=".selector",
        reason="FieldValueRequired",
    )
    def _selector_for_selector(self) -> bool:
        return self.namespaces != "Selector" or self.selector is not None


class NginxProxySpec(CrdModel):
    """NginxProxy configuration (Enterprise)."""

    worker_processes: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Worker processes."
    )
    worker_connections: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Worker connections."
    )
    additional_config: dict[str, Any] | None = Field(
        default=None,
        description=(
            "Additional NginxProxy spec fields, passed through as is so that new NGF "
            "NginxProxy fields need no change here."
        ),
    )


class WAFPolicySpec(CrdModel):
    """WAF policy (Enterprise)."""

    policy_ref: ObjectName | None = Field(
        default=None, description="Name of an existing APPolicy; unset means an inline policy."
    )
    violation_rating_threshold: Annotated[int, Field(ge=1, le=5)] | None = Field(
        default=None, description="Violation rating threshold (1-5)."
    )
    mode: Literal["enforce", "log-only"] | None = Field(
        default=None, description="Enforcement mode: enforce or log-only."
    )
    bot_defense: bool | None = Field(default=None, description="Enable bot defense.")


class SnippetSpec(CrdModel):
    """An NGINX configuration snippet (SnippetsFilter, Enterprise)."""

    context: Literal["http", "server", "location"] = Field(
        description="Context: http, server or location."
    )
    content: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="The NGINX config snippet."
    )


class InfrastructureSpec(CrdModel):
    """Infrastructure settings of the NGINX data plane."""

    replicas: ReplicaCount | None = Field(default=None, description="Data plane replicas.")
    resources: ResourceRequirements | None = Field(
        default=None, description="Data plane container resources."
    )


class GatewayBundleSpec(CrdModel):
    """Desired state of a GatewayBundle."""

    gateway_class_name: ObjectName = Field(description="GatewayClass to use.")
    listeners: Annotated[list[BundleListenerSpec], ListMap(("name",))] = Field(
        min_length=1, max_length=64, description="Gateway listeners."
    )
    allowed_routes: AllowedRoutesSpec | None = Field(
        default=None, description="Allowed route namespaces."
    )
    nginx_proxy: NginxProxySpec | None = Field(
        default=None, description="NginxProxy configuration (Enterprise)."
    )
    waf: WAFPolicySpec | None = Field(default=None, description="WAF policy (Enterprise).")
    snippets: list[SnippetSpec] | None = Field(
        default=None, max_length=64, description="SnippetsFilters (Enterprise)."
    )
    infrastructure: InfrastructureSpec | None = Field(
        default=None, description="Infrastructure settings."
    )

    # Gateway API's own rule: two listeners may not serve the same port, protocol and hostname.
    @cel_rule(
        "self.listeners.all(l1, self.listeners.exists_one(l2, l1.port == l2.port"
        " && l1.protocol == l2.protocol && (has(l1.hostname) && has(l2.hostname)"
        " ? l1.hostname == l2.hostname : !has(l1.hostname) && !has(l2.hostname))))",
        message="combination of port, protocol and hostname must be unique for each listener",
        field_path=".listeners",
    )
    def _unique_listener_endpoints(self) -> bool:
        keys = [(lst.port, lst.protocol, lst.hostname) for lst in self.listeners]
        return len(keys) == len(set(keys))


class GatewayBundleChildren(CrdModel):
    """Status of each child resource of a GatewayBundle."""

    gateway: ChildStatus | None = Field(default=None, description="The Gateway.")
    nginx_proxy: ChildStatus | None = Field(default=None, description="The NginxProxy.")
    waf_policy: ChildStatus | None = Field(default=None, description="The WAF policy.")
    snippets: list[ChildStatus] | None = Field(default=None, description="The SnippetsFilters.")
    tls_secrets: list[ChildStatus] | None = Field(
        default=None, description="The TLS Secrets created from inline certificates."
    )


class GatewayBundleStatus(CrdModel):
    """Observed state of a GatewayBundle, aggregated by the operator."""

    phase: GatewayBundlePhase | None = Field(
        default=None, description="Pending, Provisioning, Ready, Degraded or Error."
    )
    observed_generation: Count | None = Field(
        default=None, description="The .metadata.generation this status was computed for."
    )
    listener_count: Count | None = Field(default=None, description="Number of listeners.")
    children: GatewayBundleChildren | None = Field(
        default=None, description="Child resource statuses."
    )
    conditions: Conditions | None = Field(default=None, description="Standard conditions.")
    observed_spec_hash: str | None = Field(
        default=None, description="Hash of the spec used to generate current children."
    )
    last_reconciled_at: Time | None = Field(
        default=None, description="Last time the operator successfully reconciled all children."
    )
    drift_history: DriftHistory | None = Field(
        default=None, description="Recent corrections of children changed outside the operator."
    )


class GatewayBundle(ParentResource):
    """GatewayBundle is the parent of a Gateway and its policies.

    The operator renders the Gateway, NginxProxy, WAF policy, SnippetsFilters and TLS Secrets,
    keeps them as declared and reports their state here.
    """

    kind: Literal["GatewayBundle"] = "GatewayBundle"
    spec: GatewayBundleSpec
    status: GatewayBundleStatus | None = None
