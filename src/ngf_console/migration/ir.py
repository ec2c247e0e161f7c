"""The intermediate representation between migration sources and emitters.

Sources (Ingress, VirtualServer, nginx.conf, ...) translate what they read into these typed
objects; :mod:`ngf_console.migration.emit` turns them into Gateway API and NGINX Gateway
Fabric manifests. Every object names the source resource (``source``, e.g.
``"Ingress/shop/web"``) and, where it helps the reader, the path inside it (``source_path``), so
the report can say where each generated piece came from.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ListenerProtocol = Literal["HTTP", "HTTPS", "TLS", "TCP", "UDP"]
RouteKind = Literal["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]
PathType = Literal["PathPrefix", "Exact", "RegularExpression"]
ValueMatchType = Literal["Exact", "RegularExpression"]
FindingStatus = Literal["mapped", "review", "unsupported", "enterprise"]


class IrModel(BaseModel):
    """Base of every IR object: strict fields, no extras."""

    model_config = ConfigDict(extra="forbid")


class Finding(IrModel):
    """One fact about a source field: carried over, or why not."""

    source: str = Field(description='Source resource, e.g. "Ingress/shop/web".')
    path: str = Field(description="Path inside the source (annotation key, spec field, line).")
    status: FindingStatus
    message: str
    target: str | None = Field(default=None, description="What it became, if anything.")


class Listener(IrModel):
    """One Gateway listener."""

    name: str
    port: int
    protocol: ListenerProtocol
    hostname: str | None = None
    tls_secret: str | None = Field(default=None, description='"name" or "namespace/name".')
    tls_passthrough: bool = False
    source: str


class GatewayIR(IrModel):
    """A Gateway collecting the listeners the sources of one namespace need."""

    name: str
    namespace: str
    gateway_class: str = "nginx"
    listeners: list[Listener] = Field(default_factory=list)
    all_namespaces: bool = Field(
        default=False, description="Routes from other namespaces attach (VirtualServerRoute)."
    )


class Backend(IrModel):
    """A backendRef: a Service and port, optionally weighted."""

    name: str
    port: int | None = None
    namespace: str | None = None
    weight: int | None = None


class PathMatch(IrModel):
    """A path match."""

    type: PathType
    value: str


class ValueMatch(IrModel):
    """A header or query parameter match."""

    name: str
    value: str
    type: ValueMatchType = "Exact"


class Match(IrModel):
    """One rule match: path, headers, query parameters, method (all ANDed)."""

    path: PathMatch | None = None
    headers: list[ValueMatch] = Field(default_factory=list)
    query_params: list[ValueMatch] = Field(default_factory=list)
    method: str | None = None
    grpc_service: str | None = None
    grpc_method: str | None = None


class Filter(IrModel):
    """An HTTPRoute filter in the Gateway API shape (camelCase keys in ``config``)."""

    type: Literal[
        "RequestRedirect",
        "URLRewrite",
        "RequestHeaderModifier",
        "ResponseHeaderModifier",
        "CORS",
        "RequestMirror",
        "ExtensionRef",
    ]
    config: dict[str, Any]


class Rule(IrModel):
    """A route rule."""

    matches: list[Match] = Field(default_factory=list)
    filters: list[Filter] = Field(default_factory=list)
    backends: list[Backend] = Field(default_factory=list)
    timeouts: dict[str, str] | None = None
    session_persistence: dict[str, Any] | None = None
    source_path: str = ""


class RouteIR(IrModel):
    """A Gateway API route."""

    kind: RouteKind
    name: str
    namespace: str
    hostnames: list[str] = Field(default_factory=list)
    gateway: str
    gateway_namespace: str
    section_names: list[str] = Field(
        default_factory=list, description="Listeners to attach to; empty means all matching."
    )
    rules: list[Rule] = Field(default_factory=list)
    source: str


class ExtraResource(IrModel):
    """A policy, filter or grant in its final shape (spec already in API form)."""

    api_version: str
    kind: str
    name: str
    namespace: str
    spec: dict[str, Any]
    source: str
    confidence: Literal["high", "medium", "low"] = "high"
    note: str | None = None


class SourceInfo(IrModel):
    """A source resource as read: where it came from."""

    ref: str
    kind: str
    file: str | None = None
    line: int | None = None


class MigrationIR(IrModel):
    """Everything the sources produced, ready for the emitters and the report."""

    gateways: dict[str, GatewayIR] = Field(default_factory=dict)
    routes: list[RouteIR] = Field(default_factory=list)
    resources: list[ExtraResource] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    sources: dict[str, SourceInfo] = Field(default_factory=dict)
    errors: list[Finding] = Field(
        default_factory=list, description="Input that could not be read (file and line)."
    )
