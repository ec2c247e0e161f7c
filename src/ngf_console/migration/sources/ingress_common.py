"""Ingress → HTTPRoute core shared by the ``nginx.org`` and ``nginx.ingress.kubernetes.io`` sources.

Each Ingress becomes one route per host (named ``<ingress>-<host>``), so annotations of one
Ingress never leak into the routes of another Ingress sharing the host. Annotation handlers
fill an :class:`IngressTranslation`; :meth:`IngressTranslation.build` then emits routes,
listeners and the policies/filters the handlers asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ngf_console.migration.context import NGF_API, ConversionContext, SourceDoc, dns_name
from ngf_console.migration.ir import (
    Backend,
    ExtraResource,
    Filter,
    Match,
    PathMatch,
    PathType,
    RouteIR,
    Rule,
)

TargetStyle = Literal["targetRefs", "targetRef", "services"]


@dataclass
class PolicyRequest:
    """A policy a handler wants attached to this Ingress's routes (or its Services)."""

    kind: str
    spec: dict[str, Any]
    style: TargetStyle = "targetRefs"
    api_version: str = NGF_API
    confidence: Literal["high", "medium", "low"] = "high"
    note: str | None = None


@dataclass
class IngressPath:
    """One Ingress path after reading the spec."""

    host: str
    path: str
    path_type: str
    service: str
    port: int | None
    source_path: str


@dataclass
class IngressTranslation:
    """What the annotations of one Ingress ask for; :meth:`build` turns it into IR."""

    doc: SourceDoc
    ctx: ConversionContext
    paths: list[IngressPath] = field(default_factory=list)
    tls: dict[str, str | None] = field(default_factory=dict)
    ssl_redirect: bool = True
    http_ports: list[int] = field(default_factory=lambda: [80])
    https_ports: list[int] = field(default_factory=lambda: [443])
    path_type: PathType | None = None
    case_insensitive: bool = False
    filters: list[Filter] = field(default_factory=list)
    https_filters: list[Filter] = field(default_factory=list)
    service_filters: dict[str, list[Filter]] = field(default_factory=dict)
    grpc_services: set[str] = field(default_factory=set)
    policies: list[PolicyRequest] = field(default_factory=list)
    extension_filters: list[ExtraResource] = field(default_factory=list)
    extra_hostnames: list[str] = field(default_factory=list)
    leading_rules: list[Rule] = field(default_factory=list)
    redirect_only: Filter | None = None
    timeouts: dict[str, str] = field(default_factory=dict)
    session_persistence: dict[str, Any] | None = None
    passthrough: bool = False
    hostname_override: str | None = None
    routes: list[RouteIR] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """The Ingress reference."""
        return self.doc.ref

    @property
    def namespace(self) -> str:
        """The Ingress namespace."""
        return self.doc.namespace

    def route_names(self, kind: str = "HTTPRoute") -> list[str]:
        """Names of the routes built so far of ``kind``."""
        return [r.name for r in self.routes if r.kind == kind]

    def extension(self, kind: str, suffix: str, spec: dict[str, Any], note: str | None) -> None:
        """Create an NGF filter (SnippetsFilter, AuthenticationFilter) used by every rule."""
        name = dns_name(self.doc.name, suffix)
        self.extension_filters.append(
            ExtraResource(
                api_version=NGF_API,
                kind=kind,
                name=name,
                namespace=self.namespace,
                spec=spec,
                source=self.ref,
                confidence="medium" if note else "high",
                note=note,
            )
        )
        self.filters.append(
            Filter(
                type="ExtensionRef",
                config={"group": "gateway.nginx.org", "kind": kind, "name": name},
            )
        )

    # -- reading -------------------------------------------------------------------------
    def read_spec(self, host_override: str | None = None) -> None:
        """Read rules, TLS and the default backend; report fields not carried over."""
        spec, ref, ctx = self.doc.spec, self.ref, self.ctx
        for i, tls in enumerate(spec.get("tls") or []):
            secret = tls.get("secretName")
            for host in tls.get("hosts") or [""]:
                self.tls[host] = secret
            ctx.mapped(ref, f"spec.tls[{i}]", "TLS hosts → HTTPS listener", "Gateway listener")
        for r, rule in enumerate(spec.get("rules") or []):
            host = host_override if host_override is not None else str(rule.get("host") or "")
            http = rule.get("http") or {}
            for p, item in enumerate(http.get("paths") or []):
                where = f"spec.rules[{r}].http.paths[{p}]"
                service, port = self._backend(item.get("backend") or {}, where)
                if service is None:
                    continue
                self.paths.append(
                    IngressPath(
                        host=host,
                        path=str(item.get("path") or "/"),
                        path_type=str(item.get("pathType") or "ImplementationSpecific"),
                        service=service,
                        port=port,
                        source_path=where,
                    )
                )
        default = spec.get("defaultBackend")
        if default:
            service, port = self._backend(default, "spec.defaultBackend")
            if service is not None:
                self.paths.append(
                    IngressPath("", "/", "Prefix", service, port, "spec.defaultBackend")
                )
        if spec.get("ingressClassName"):
            ctx.mapped(ref, "spec.ingressClassName", "replaced by the Gateway's class")
        ctx.leftovers(ref, spec, {"tls", "rules", "defaultBackend", "ingressClassName"}, "spec")

    def _backend(self, backend: dict[str, Any], where: str) -> tuple[str | None, int | None]:
        service = backend.get("service") or {}
        name = service.get("name") or backend.get("serviceName")
        if not name:
            if backend.get("resource"):
                self.ctx.unsupported(
                    self.ref, f"{where}.backend.resource", "resource backends have no equivalent"
                )
            return None, None
        port_spec = service.get("port") or {}
        port = port_spec.get("number") or backend.get("servicePort")
        if isinstance(port, int):
            return str(name), port
        port_name = port_spec.get("name") or port
        svc = self.ctx.services.get((self.namespace, str(name)))
        for sp in ((svc or {}).get("spec") or {}).get("ports") or []:
            if sp.get("name") == port_name:
                self.ctx.mapped(self.ref, f"{where}.backend", f"port {port_name!r} resolved")
                return str(name), int(sp["port"])
        self.ctx.review(
            self.ref,
            f"{where}.backend.service.port.name",
            f"named port {port_name!r}: the Service was not in the input; set the port number",
        )
        return str(name), None

    # -- building ------------------------------------------------------------------------
    def path_match(self, item: IngressPath) -> PathMatch:
        """The Gateway API path match for an Ingress path."""
        if self.path_type == "RegularExpression":
            value = f"(?i){item.path}" if self.case_insensitive else item.path
            return PathMatch(type="RegularExpression", value=value)
        if self.path_type == "Exact" or item.path_type == "Exact":
            return PathMatch(type="Exact", value=item.path)
        if item.path_type == "ImplementationSpecific":
            self.ctx.review(
                self.ref,
                f"{item.source_path}.pathType",
                "ImplementationSpecific treated as PathPrefix",
                "PathPrefix",
            )
        return PathMatch(type="PathPrefix", value=item.path)

    def build(self) -> None:
        """Emit the routes, listeners, policies and filters for this Ingress."""
        ctx = self.ctx
        hosts: dict[str, list[IngressPath]] = {}
        for item in self.paths:
            hosts.setdefault(item.host, []).append(item)
        for host, items in hosts.items():
            self._host_routes(host, items)
        for res in self.extension_filters:
            ctx.resource(res)
        self._policies()
        ctx.leftovers(
            self.ref,
            self.doc.obj,
            {"apiVersion", "kind", "metadata", "spec", "status"},
            "",
        )

    def _listeners(self, host: str) -> tuple[list[str], list[str]]:
        """(HTTPS section names, HTTP section names) for ``host``."""
        ns, ctx, ref = self.namespace, self.ctx, self.ref
        http = [ctx.http_listener(ns, ref, port) for port in self.http_ports]
        tls_host = host if host in self.tls else ("" if "" in self.tls else None)
        if tls_host is None:
            return [], http
        secret = self.tls[tls_host]
        https = [
            ctx.https_listener(ns, host or None, secret, ref, port) for port in self.https_ports
        ]
        return https, http

    def _host_routes(self, host: str, items: list[IngressPath]) -> None:
        ctx, ns = self.ctx, self.namespace
        gw = ctx.gateway(ns)
        hostnames = [h for h in [host, *self.extra_hostnames] if h]
        base = dns_name(self.doc.name, host) if host else dns_name(self.doc.name)
        if self.passthrough:
            self._passthrough_route(host, items, base, hostnames)
            return
        https, http = self._listeners(host)
        sections = [*https, *http] if not https or not self.ssl_redirect else https
        http_rules: list[Rule] = list(self.leading_rules)
        grpc_rules: list[Rule] = []
        for item in items:
            rule = self._rule(item)
            if item.service in self.grpc_services:
                grpc_rules.append(rule)
            else:
                http_rules.append(rule)
        if http_rules:
            route = ctx.route(
                RouteIR(
                    kind="HTTPRoute",
                    name=base,
                    namespace=ns,
                    hostnames=hostnames,
                    gateway=gw.name,
                    gateway_namespace=ns,
                    section_names=sections,
                    rules=http_rules,
                    source=self.ref,
                )
            )
            self.routes.append(route)
            for index, item in enumerate(items):
                if item.service not in self.grpc_services:
                    offset = len(self.leading_rules) + index
                    key = (ns, host, item.path)
                    ctx.ingress_paths.setdefault(key, (route, offset))
        if grpc_rules:
            self.routes.append(
                ctx.route(
                    RouteIR(
                        kind="GRPCRoute",
                        name=base,
                        namespace=ns,
                        hostnames=hostnames,
                        gateway=gw.name,
                        gateway_namespace=ns,
                        section_names=sections,
                        rules=[self._grpc_rule(r) for r in grpc_rules],
                        source=self.ref,
                    )
                )
            )
        redirect_key = (ns, tuple(hostnames), tuple(http))
        if https and self.ssl_redirect and redirect_key not in ctx.redirects:
            # One redirect route per host: minions of a mergeable group share it.
            ctx.redirects.add(redirect_key)
            redirect = Filter(type="RequestRedirect", config={"scheme": "https", "statusCode": 301})
            self.routes.append(
                ctx.route(
                    RouteIR(
                        kind="HTTPRoute",
                        name=dns_name(base, "redirect"),
                        namespace=ns,
                        hostnames=hostnames,
                        gateway=gw.name,
                        gateway_namespace=ns,
                        section_names=http,
                        rules=[Rule(filters=[redirect], source_path="spec.tls")],
                        source=self.ref,
                    )
                )
            )

    def _rule(self, item: IngressPath) -> Rule:
        backend = Backend(name=item.service, port=item.port)
        filters = [*self.filters, *self.service_filters.get(item.service, [])]
        if item.host in self.tls or "" in self.tls:
            filters += self.https_filters
        if self.redirect_only is not None:
            return Rule(
                matches=[Match(path=self.path_match(item))],
                filters=[*filters, self.redirect_only],
                source_path=item.source_path,
            )
        return Rule(
            matches=[Match(path=self.path_match(item))],
            filters=filters,
            backends=[backend],
            timeouts=dict(self.timeouts) or None,
            session_persistence=self.session_persistence,
            source_path=item.source_path,
        )

    def _grpc_rule(self, rule: Rule) -> Rule:
        """GRPCRoute rules match services, not paths: ``/pkg.Service`` becomes a method match."""
        path = rule.matches[0].path.value if rule.matches and rule.matches[0].path else "/"
        service = path.strip("/").split("/")[0]
        matches: list[Match] = []
        if service:
            matches = [Match(grpc_service=service)]
            self.ctx.mapped(self.ref, rule.source_path, f"path {path} → gRPC service {service}")
        return Rule(
            matches=matches,
            filters=[
                f for f in rule.filters if f.type in ("RequestHeaderModifier", "ExtensionRef")
            ],
            backends=rule.backends,
            source_path=rule.source_path,
        )

    def _passthrough_route(
        self, host: str, items: list[IngressPath], base: str, hostnames: list[str]
    ) -> None:
        from ngf_console.migration.ir import Listener

        ns, ctx = self.namespace, self.ctx
        name = dns_name("tls-passthrough", host or "any")
        ctx.listener(
            ns,
            Listener(
                name=name,
                port=443,
                protocol="TLS",
                hostname=host or None,
                tls_passthrough=True,
                source=self.ref,
            ),
        )
        backends = [Backend(name=i.service, port=i.port or 443) for i in items[:1]]
        if len(items) > 1:
            ctx.review(
                self.ref, "spec.rules", "TLS passthrough routes by SNI only: first path kept"
            )
        self.routes.append(
            ctx.route(
                RouteIR(
                    kind="TLSRoute",
                    name=base,
                    namespace=ns,
                    hostnames=hostnames,
                    gateway=ctx.gateway(ns).name,
                    gateway_namespace=ns,
                    section_names=[name],
                    rules=[Rule(backends=backends, source_path="spec.rules")],
                    source=self.ref,
                )
            )
        )

    def _policies(self) -> None:
        ctx = self.ctx
        services = sorted({p.service for p in self.paths})
        for i, req in enumerate(self.policies):
            suffix = dns_name(req.kind.replace("Policy", "").lower(), str(i) if i else "")
            targets: list[dict[str, str]]
            if req.style == "services":
                targets = [{"group": "", "kind": "Service", "name": s} for s in services]
            else:
                route_kinds = ["HTTPRoute", "GRPCRoute"]
                targets = [
                    ctx.route_target(r.kind, r.name)
                    for r in self.routes
                    if r.kind in route_kinds and not r.name.endswith("-redirect")
                ]
            if not targets:
                continue
            if req.style == "targetRef":
                # ClientSettingsPolicy has a single targetRef: one policy per route.
                for target in targets:
                    self._policy(req, dns_name(target["name"], suffix), {"targetRef": target})
            else:
                self._policy(req, dns_name(self.doc.name, suffix), {"targetRefs": targets})

    def _policy(self, req: PolicyRequest, name: str, target: dict[str, Any]) -> None:
        self.ctx.resource(
            ExtraResource(
                api_version=req.api_version,
                kind=req.kind,
                name=name,
                namespace=self.namespace,
                spec={**target, **req.spec},
                source=self.ref,
                confidence=req.confidence,
                note=req.note,
            )
        )


def split_list(value: str) -> list[str]:
    """A comma-separated annotation value as a list (blanks dropped)."""
    return [v.strip() for v in value.split(",") if v.strip()]


def nginx_size(value: str) -> str:
    """An NGINX size (``1m``, ``512k``, ``100``) in the NGF Size form (number + k/m/g)."""
    v = value.strip().lower()
    if v and v[-1] in "kmg" and v[:-1].isdigit():
        return v
    if v.isdigit():
        return f"{max(1, int(v) // 1024)}k" if int(v) >= 1024 else f"{v}"
    return v


def nginx_duration(value: str) -> str:
    """An NGINX time (``60``, ``60s``, ``1m``, ``500ms``) as a Gateway API Duration."""
    v = value.strip().lower()
    if v.isdigit():
        return f"{v}s"
    return v
