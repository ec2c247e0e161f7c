"""IR → manifests: Gateway, routes, policies, filters and the ReferenceGrants they need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ngf_console.migration.context import GATEWAY_GROUP
from ngf_console.migration.ir import (
    Backend,
    ExtraResource,
    GatewayIR,
    Match,
    MigrationIR,
    RouteIR,
    Rule,
)

Confidence = Literal["high", "medium", "low"]
GW_V1 = f"{GATEWAY_GROUP}/v1"
ROUTE_API = {
    "HTTPRoute": GW_V1,
    "GRPCRoute": GW_V1,
    # NGF serves the L4/TLS routes at v1alpha2 (experimental channel).
    "TLSRoute": f"{GATEWAY_GROUP}/v1alpha2",
    "TCPRoute": f"{GATEWAY_GROUP}/v1alpha2",
    "UDPRoute": f"{GATEWAY_GROUP}/v1alpha2",
}


@dataclass
class GeneratedManifest:
    """One generated resource and where it came from."""

    source_ref: str
    body: dict[str, Any]
    confidence: Confidence = "high"
    warnings: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The resource kind."""
        return str(self.body["kind"])

    @property
    def name(self) -> str:
        """metadata.name."""
        return str(self.body["metadata"]["name"])

    @property
    def namespace(self) -> str:
        """metadata.namespace."""
        return str(self.body["metadata"].get("namespace", ""))


def _meta(name: str, namespace: str) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "labels": {"ngf-console.f5.com/migrated": "true"}}


def gateway(gw: GatewayIR) -> dict[str, Any]:
    """The Gateway manifest."""
    listeners = []
    for lst in gw.listeners:
        item: dict[str, Any] = {"name": lst.name, "port": lst.port, "protocol": lst.protocol}
        if lst.hostname:
            item["hostname"] = lst.hostname
        if lst.protocol == "HTTPS" or (lst.protocol == "TLS" and not lst.tls_passthrough):
            ns, _, name = (lst.tls_secret or "missing-certificate").rpartition("/")
            ref: dict[str, Any] = {"kind": "Secret", "name": name}
            if ns and ns != gw.namespace:
                ref["namespace"] = ns
            item["tls"] = {"mode": "Terminate", "certificateRefs": [ref]}
        elif lst.tls_passthrough:
            item["tls"] = {"mode": "Passthrough"}
        if gw.all_namespaces:
            item["allowedRoutes"] = {"namespaces": {"from": "All"}}
        listeners.append(item)
    return {
        "apiVersion": GW_V1,
        "kind": "Gateway",
        "metadata": _meta(gw.name, gw.namespace),
        "spec": {"gatewayClassName": gw.gateway_class, "listeners": listeners},
    }


def _backend(b: Backend) -> dict[str, Any]:
    out: dict[str, Any] = {"name": b.name}
    if b.namespace:
        out["namespace"] = b.namespace
    if b.port is not None:
        out["port"] = b.port
    if b.weight is not None:
        out["weight"] = b.weight
    return out


def _http_match(m: Match) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if m.path is not None:
        out["path"] = {"type": m.path.type, "value": m.path.value}
    if m.headers:
        out["headers"] = [{"type": h.type, "name": h.name, "value": h.value} for h in m.headers]
    if m.query_params:
        out["queryParams"] = [
            {"type": q.type, "name": q.name, "value": q.value} for q in m.query_params
        ]
    if m.method:
        out["method"] = m.method
    return out


def _grpc_match(m: Match) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if m.grpc_service or m.grpc_method:
        method: dict[str, Any] = {"type": "Exact"}
        if m.grpc_service:
            method["service"] = m.grpc_service
        if m.grpc_method:
            method["method"] = m.grpc_method
        out["method"] = method
    if m.headers:
        out["headers"] = [{"type": h.type, "name": h.name, "value": h.value} for h in m.headers]
    return out


_FILTER_KEYS = {
    "RequestRedirect": "requestRedirect",
    "URLRewrite": "urlRewrite",
    "RequestHeaderModifier": "requestHeaderModifier",
    "ResponseHeaderModifier": "responseHeaderModifier",
    "CORS": "cors",
    "RequestMirror": "requestMirror",
    "ExtensionRef": "extensionRef",
}


def _filters(rule: Rule) -> list[dict[str, Any]]:
    # Header modifiers of one type merge into one filter: the API allows each type once.
    out: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    for f in rule.filters:
        key = _FILTER_KEYS[f.type]
        if (
            f.type
            in (
                "RequestHeaderModifier",
                "ResponseHeaderModifier",
                "URLRewrite",
                "CORS",
                "RequestRedirect",
            )
            and f.type in seen
        ):
            target = seen[f.type][key]
            for k, v in f.config.items():
                if isinstance(v, list) and isinstance(target.get(k), list):
                    names = {
                        str(x.get("name", x)).lower() if isinstance(x, dict) else str(x).lower()
                        for x in target[k]
                    }
                    target[k] += [
                        x
                        for x in v
                        if (
                            str(x.get("name", x)).lower() if isinstance(x, dict) else str(x).lower()
                        )
                        not in names
                    ]
                else:
                    target.setdefault(k, v)
            continue
        item = {"type": f.type, key: dict(f.config)}
        if f.type == "ExtensionRef" and any(o.get("extensionRef") == f.config for o in out):
            continue
        seen.setdefault(f.type, item)
        out.append(item)
    # Gateway API: a redirect cannot be combined with a URLRewrite or backends.
    if "RequestRedirect" in seen:
        out = [o for o in out if o["type"] != "URLRewrite"]
    return out


def route(r: RouteIR) -> dict[str, Any]:
    """A route manifest."""
    parent: dict[str, Any] = {"name": r.gateway}
    if r.gateway_namespace != r.namespace:
        parent["namespace"] = r.gateway_namespace
    parents = [dict(parent, sectionName=s) for s in r.section_names] or [parent]
    rules = []
    for rule in r.rules:
        item: dict[str, Any] = {}
        if r.kind in ("HTTPRoute", "GRPCRoute"):
            conv = _http_match if r.kind == "HTTPRoute" else _grpc_match
            matches = [conv(m) for m in rule.matches]
            if any(matches):
                item["matches"] = matches
            filters = _filters(rule)
            if r.kind == "GRPCRoute":
                filters = [
                    f
                    for f in filters
                    if f["type"]
                    in ("RequestHeaderModifier", "ResponseHeaderModifier", "ExtensionRef")
                ]
            if filters:
                item["filters"] = filters
            redirect = any(f["type"] == "RequestRedirect" for f in filters)
            if rule.backends and not redirect:
                item["backendRefs"] = [_backend(b) for b in rule.backends]
            if r.kind == "HTTPRoute" and rule.timeouts and not redirect:
                item["timeouts"] = dict(rule.timeouts)
            if r.kind == "HTTPRoute" and rule.session_persistence and not redirect:
                item["sessionPersistence"] = dict(rule.session_persistence)
        else:
            item["backendRefs"] = [_backend(b) for b in rule.backends]
        rules.append(item)
    spec: dict[str, Any] = {"parentRefs": parents, "rules": rules}
    if r.hostnames and r.kind in ("HTTPRoute", "GRPCRoute", "TLSRoute"):
        spec["hostnames"] = list(dict.fromkeys(r.hostnames))
    return {
        "apiVersion": ROUTE_API[r.kind],
        "kind": r.kind,
        "metadata": _meta(r.name, r.namespace),
        "spec": spec,
    }


def extra(res: ExtraResource) -> dict[str, Any]:
    """A policy, filter or grant manifest."""
    spec = {k: v for k, v in res.spec.items() if not k.startswith("_")}
    if res.kind == "BackendTLSPolicy" and "_service" in res.spec:
        spec = {
            "targetRefs": [{"group": "", "kind": "Service", "name": res.spec["_service"]}],
            **{k: v for k, v in spec.items() if k != "targetRefs"},
        }
    return {
        "apiVersion": res.api_version,
        "kind": res.kind,
        "metadata": _meta(res.name, res.namespace),
        "spec": spec,
    }


def reference_grants(ir: MigrationIR) -> list[GeneratedManifest]:
    """ReferenceGrants for cross-namespace certificateRefs and backendRefs."""
    wanted: dict[tuple[str, str, str], set[str]] = {}
    for gw in ir.gateways.values():
        for lst in gw.listeners:
            ns, _, _name = (lst.tls_secret or "").rpartition("/")
            if ns and ns != gw.namespace:
                wanted.setdefault((ns, "Gateway", "Secret"), set()).add(gw.namespace)
    for r in ir.routes:
        for rule in r.rules:
            for b in rule.backends:
                if b.namespace and b.namespace != r.namespace:
                    wanted.setdefault((b.namespace, r.kind, "Service"), set()).add(r.namespace)
    out = []
    for (ns, from_kind, to_kind), from_nss in sorted(wanted.items()):
        name = f"ngf-migrated-{from_kind.lower()}-{to_kind.lower()}"
        body = {
            "apiVersion": f"{GATEWAY_GROUP}/v1beta1",
            "kind": "ReferenceGrant",
            "metadata": _meta(name, ns),
            "spec": {
                "from": [
                    {"group": GATEWAY_GROUP, "kind": from_kind, "namespace": n}
                    for n in sorted(from_nss)
                ],
                "to": [{"group": "", "kind": to_kind}],
            },
        }
        out.append(GeneratedManifest(source_ref=f"ReferenceGrant/{ns}", body=body))
    return out


def emit(ir: MigrationIR) -> list[GeneratedManifest]:
    """Every manifest, Gateways first, then routes, then policies/filters, then grants."""
    out: list[GeneratedManifest] = []
    for _ns, gw in sorted(ir.gateways.items()):
        sources = sorted({lst.source for lst in gw.listeners})
        warnings = [
            f"listener {lst.name}: TLS Secret not known, set certificateRefs"
            for lst in gw.listeners
            if lst.protocol == "HTTPS" and not lst.tls_secret
        ]
        out.append(
            GeneratedManifest(
                source_ref=", ".join(sources) or "migration",
                body=gateway(gw),
                confidence="medium" if warnings else "high",
                warnings=warnings,
            )
        )
    for r in ir.routes:
        out.append(GeneratedManifest(source_ref=r.source, body=route(r)))
    seen: set[tuple[str, str, str]] = set()
    for res in ir.resources:
        key = (res.kind, res.namespace, res.name)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            GeneratedManifest(
                source_ref=res.source,
                body=extra(res),
                confidence=res.confidence,
                warnings=[res.note] if res.note else [],
            )
        )
    out += reference_grants(ir)
    return out
