"""The shared state sources write into while converting: IR, findings, names, listeners."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from ngf_console.migration.ir import (
    ExtraResource,
    Finding,
    FindingStatus,
    GatewayIR,
    Listener,
    MigrationIR,
    RouteIR,
    SourceInfo,
)

GATEWAY_GROUP = "gateway.networking.k8s.io"
NGF_API = "gateway.nginx.org/v1alpha1"
_DNS = re.compile(r"[^a-z0-9-]+")


def dns_name(*parts: str, limit: int = 63) -> str:
    """A DNS-1123 label from ``parts``; long names keep a hash suffix so they stay unique."""
    raw = "-".join(p for p in parts if p)
    name = _DNS.sub("-", raw.lower().replace(".", "-").replace("*", "wildcard")).strip("-")
    name = re.sub(r"-{2,}", "-", name) or "x"
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    return f"{name[: limit - 9].rstrip('-')}-{digest}"


def source_ref(obj: dict[str, Any]) -> str:
    """``Kind/namespace/name`` of a Kubernetes object."""
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind')}/{meta.get('namespace') or 'default'}/{meta.get('name') or '?'}"


@dataclass
class SourceDoc:
    """One input document and where it was read."""

    obj: dict[str, Any]
    file: str | None = None
    line: int | None = None

    @property
    def kind(self) -> str:
        """The document's kind."""
        return str(self.obj.get("kind") or "")

    @property
    def name(self) -> str:
        """metadata.name."""
        return str((self.obj.get("metadata") or {}).get("name") or "")

    @property
    def namespace(self) -> str:
        """metadata.namespace (``default`` when absent)."""
        return str((self.obj.get("metadata") or {}).get("namespace") or "default")

    @property
    def annotations(self) -> dict[str, str]:
        """metadata.annotations as strings."""
        raw = (self.obj.get("metadata") or {}).get("annotations") or {}
        return {str(k): str(v) for k, v in raw.items()}

    @property
    def spec(self) -> dict[str, Any]:
        """The spec (empty when absent)."""
        spec = self.obj.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def ref(self) -> str:
        """``Kind/namespace/name``."""
        return f"{self.kind}/{self.namespace}/{self.name}"


@dataclass
class ConversionContext:
    """What every source converter shares: the IR under construction and lookups."""

    gateway_name: str = "ngf-migrated"
    gateway_class: str = "nginx"
    ir: MigrationIR = field(default_factory=MigrationIR)
    services: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    policies: dict[tuple[str, str], SourceDoc] = field(default_factory=dict)
    global_listeners: dict[str, tuple[int, str]] = field(default_factory=dict)
    config: dict[str, str] = field(default_factory=dict)
    config_maps: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    # (namespace, host, path) -> (route, rule index) of non-canary Ingress paths, for canaries.
    route_keys: set[tuple[str, str, str]] = field(default_factory=set)
    redirects: set[tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=set)
    ingress_paths: dict[tuple[str, str, str], tuple[RouteIR, int]] = field(default_factory=dict)

    # -- sources and findings ------------------------------------------------------------
    def register(self, doc: SourceDoc) -> str:
        """Record a source resource (for the report) and return its reference."""
        ref = doc.ref
        self.ir.sources[ref] = SourceInfo(ref=ref, kind=doc.kind, file=doc.file, line=doc.line)
        return ref

    def note(
        self,
        source: str,
        path: str,
        status: FindingStatus,
        message: str,
        target: str | None = None,
    ) -> None:
        """Record one finding."""
        self.ir.findings.append(
            Finding(source=source, path=path, status=status, message=message, target=target)
        )

    def mapped(self, source: str, path: str, message: str, target: str | None = None) -> None:
        """A field carried over to ``target``."""
        self.note(source, path, "mapped", message, target)

    def review(self, source: str, path: str, message: str, target: str | None = None) -> None:
        """A field carried over approximately, or needing a human decision."""
        self.note(source, path, "review", message, target)

    def unsupported(self, source: str, path: str, message: str) -> None:
        """A field with no Gateway API / NGF equivalent: not carried over."""
        self.note(source, path, "unsupported", message)

    def enterprise(self, source: str, path: str, message: str, target: str | None = None) -> None:
        """A field carried over only with NGF Enterprise (NGINX Plus / F5 WAF)."""
        self.note(source, path, "enterprise", message, target)

    def error(self, file: str | None, line: int | None, message: str) -> None:
        """Input that could not be read."""
        where = f"{file or '<input>'}:{line}" if line is not None else file or "<input>"
        self.ir.errors.append(
            Finding(source=where, path=where, status="unsupported", message=message)
        )

    def leftovers(
        self, source: str, obj: dict[str, Any], handled: set[str], path: str, why: str = ""
    ) -> None:
        """Report every key of ``obj`` that the converter did not handle."""
        for key in obj:
            if key not in handled:
                reason = why or "no Gateway API or NGF equivalent; not carried over"
                self.unsupported(source, f"{path}.{key}" if path else key, reason)

    # -- gateways and listeners ----------------------------------------------------------
    def gateway(self, namespace: str) -> GatewayIR:
        """The Gateway of ``namespace`` (created with an HTTP listener on first use)."""
        gw = self.ir.gateways.get(namespace)
        if gw is None:
            gw = GatewayIR(
                name=self.gateway_name, namespace=namespace, gateway_class=self.gateway_class
            )
            self.ir.gateways[namespace] = gw
        return gw

    def listener(self, namespace: str, listener: Listener) -> str:
        """Add ``listener`` to the namespace's Gateway unless one of that name exists."""
        gw = self.gateway(namespace)
        for existing in gw.listeners:
            if existing.name == listener.name:
                return existing.name
        gw.listeners.append(listener)
        return listener.name

    def http_listener(self, namespace: str, source: str, port: int = 80) -> str:
        """The plain HTTP listener (no hostname) on ``port``."""
        name = "http" if port == 80 else f"http-{port}"
        return self.listener(
            namespace, Listener(name=name, port=port, protocol="HTTP", source=source)
        )

    def https_listener(
        self, namespace: str, host: str | None, secret: str | None, source: str, port: int = 443
    ) -> str:
        """An HTTPS listener for ``host`` terminating with ``secret``."""
        suffix = "" if port == 443 else f"-{port}"
        name = dns_name("https", host or "any") + suffix
        secret = secret or self.config.get("default-server-tls-secret")
        return self.listener(
            namespace,
            Listener(
                name=name[:63],
                port=port,
                protocol="HTTPS",
                hostname=host or None,
                tls_secret=secret,
                source=source,
            ),
        )

    # -- output --------------------------------------------------------------------------
    def route(self, route: RouteIR) -> RouteIR:
        """Add a route (names are made unique within the namespace and kind)."""
        base, n = route.name, 2
        while (route.kind, route.namespace, route.name) in self.route_keys:
            route.name = dns_name(base, str(n))
            n += 1
        self.route_keys.add((route.kind, route.namespace, route.name))
        self.ir.routes.append(route)
        return route

    def resource(self, resource: ExtraResource) -> ExtraResource:
        """Add a policy, filter or grant."""
        self.ir.resources.append(resource)
        return resource

    def route_target(self, kind: str, name: str) -> dict[str, str]:
        """A policy targetRef naming a route or Gateway."""
        return {"group": GATEWAY_GROUP, "kind": kind, "name": name}
