"""VirtualServer and VirtualServerRoute (k8s.nginx.org/v1) → HTTPRoute / GRPCRoute and policies.

Routes become rules: ``path`` (prefix, ``=exact``, ``~regex``, ``~*regex``) → path match,
``matches[].conditions`` header/argument → header/query matches (cookie → a Cookie-header
regex, variable → a reported gap), ``splits`` → weighted backendRefs, actions pass/proxy →
backendRefs (+ URLRewrite, header modifiers), redirect → RequestRedirect, return → a
SnippetsFilter. A ``route`` naming a VirtualServerRoute brings in its subroutes as an HTTPRoute
in the VSR's namespace attached to the VirtualServer's Gateway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ngf_console.migration.context import NGF_API, ConversionContext, SourceDoc, dns_name
from ngf_console.migration.ir import (
    Backend,
    ExtraResource,
    Filter,
    Match,
    PathMatch,
    RouteIR,
    Rule,
    ValueMatch,
)
from ngf_console.migration.sources import policy as nic_policy
from ngf_console.migration.sources.ingress_common import nginx_duration, nginx_size

VS_FIELDS = {
    "host",
    "listener",
    "tls",
    "policies",
    "upstreams",
    "routes",
    "http-snippets",
    "server-snippets",
    "ingressClassName",
    "gunzip",
    "externalDNS",
    "dos",
    "internalRoute",
}
UPSTREAM_HANDLED = {
    "name",
    "service",
    "port",
    "type",
    "tls",
    "keepalive",
    "client-max-body-size",
    "connect-timeout",
    "read-timeout",
    "send-timeout",
    "lb-method",
    "buffering",
    "buffer-size",
    "buffers",
}
UPSTREAM_ENTERPRISE = {
    "healthCheck",
    "slow-start",
    "queue",
    "sessionCookie",
    "ntlm",
    "backup",
    "backupPort",
}


@dataclass
class _Upstream:
    service: str
    port: int | None
    grpc: bool
    timeout: str | None


@dataclass
class _Builder:
    """State of one VirtualServer or VirtualServerRoute translation."""

    ctx: ConversionContext
    doc: SourceDoc
    gateway_ns: str
    upstreams: dict[str, _Upstream] = field(default_factory=dict)
    http_rules: list[Rule] = field(default_factory=list)
    grpc_rules: list[Rule] = field(default_factory=list)
    policies: list[ExtraResource] = field(default_factory=list)
    vs_filters: list[Filter] = field(default_factory=list)
    rule_policies: list[nic_policy.PolicyEffect] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return self.doc.ref

    def extension(self, kind: str, suffix: str, spec: dict[str, Any], note: str | None) -> Filter:
        name = dns_name(self.doc.name, suffix)
        if not any(p.name == name and p.kind == kind for p in self.policies):
            self.policies.append(
                ExtraResource(
                    api_version=NGF_API,
                    kind=kind,
                    name=name,
                    namespace=self.doc.namespace,
                    spec=spec,
                    source=self.ref,
                    confidence="medium" if note else "high",
                    note=note,
                )
            )
        return Filter(
            type="ExtensionRef", config={"group": "gateway.nginx.org", "kind": kind, "name": name}
        )

    # -- upstreams -----------------------------------------------------------------------
    def read_upstreams(self) -> None:
        ctx, ref = self.ctx, self.ref
        for i, up in enumerate(self.doc.spec.get("upstreams") or []):
            where = f"spec.upstreams[{i}]"
            name, service = str(up.get("name")), str(up.get("service"))
            grpc = up.get("type") == "grpc"
            timeout = up.get("read-timeout") or up.get("send-timeout") or up.get("connect-timeout")
            self.upstreams[name] = _Upstream(
                service, up.get("port"), grpc, timeout and nginx_duration(str(timeout))
            )
            ctx.mapped(ref, f"{where}", f"upstream {name} → backendRef {service}", "backendRef")
            if grpc:
                ctx.mapped(ref, f"{where}.type", "grpc → GRPCRoute", "GRPCRoute")
            for key in ("connect-timeout", "read-timeout", "send-timeout"):
                if key in up:
                    ctx.review(
                        ref, f"{where}.{key}", "→ rules[].timeouts.backendRequest (whole request)"
                    )
            if (up.get("tls") or {}).get("enable"):
                self._policy(
                    "BackendTLSPolicy",
                    f"{service}-tls",
                    {
                        "targetRefs": [{"group": "", "kind": "Service", "name": service}],
                        "validation": {"hostname": service, "wellKnownCACertificates": "System"},
                    },
                    "gateway.networking.k8s.io/v1",
                    "BackendTLSPolicy verifies the certificate",
                )
                ctx.review(ref, f"{where}.tls", "→ BackendTLSPolicy (verifies; set CA/hostname)")
            if "keepalive" in up:
                self._policy(
                    "UpstreamSettingsPolicy",
                    f"{service}-upstream",
                    {
                        "targetRefs": [{"group": "", "kind": "Service", "name": service}],
                        "keepAlive": {"connections": int(up["keepalive"])},
                    },
                )
                ctx.mapped(ref, f"{where}.keepalive", "→ UpstreamSettingsPolicy keepAlive")
            if "client-max-body-size" in up:
                self.vs_body_size = nginx_size(str(up["client-max-body-size"]))
                ctx.mapped(
                    ref,
                    f"{where}.client-max-body-size",
                    "→ ClientSettingsPolicy body.maxSize (route-wide)",
                )
            buffering: dict[str, Any] = {}
            if "buffering" in up:
                buffering["disable"] = not bool(up["buffering"])
            if "buffer-size" in up:
                buffering["bufferSize"] = nginx_size(str(up["buffer-size"]))
            if isinstance(up.get("buffers"), dict):
                buffering["buffers"] = {
                    "number": int(up["buffers"].get("number", 8)),
                    "size": nginx_size(str(up["buffers"].get("size", "4k"))),
                }
            if buffering:
                self._policy(
                    "ProxySettingsPolicy",
                    f"{self.doc.name}-{name}-proxy",
                    {"_route": True, "buffering": buffering},
                    note="NGF 2.4+",
                )
                ctx.mapped(ref, f"{where}.buffering", "→ ProxySettingsPolicy buffering")
            if "lb-method" in up:
                ctx.review(
                    ref,
                    f"{where}.lb-method",
                    "set UpstreamSettingsPolicy loadBalancingMethod (NGF 2.2+) by hand",
                )
            for key in sorted(set(up) & UPSTREAM_ENTERPRISE):
                ctx.enterprise(ref, f"{where}.{key}", "NGINX Plus feature; not carried over")
            ctx.leftovers(ref, up, UPSTREAM_HANDLED | UPSTREAM_ENTERPRISE, where)

    vs_body_size: str | None = None

    def _policy(
        self,
        kind: str,
        name: str,
        spec: dict[str, Any],
        api: str = NGF_API,
        note: str | None = None,
    ) -> None:
        self.policies.append(
            ExtraResource(
                api_version=api,
                kind=kind,
                name=dns_name(name),
                namespace=self.doc.namespace,
                spec=spec,
                source=self.ref,
                confidence="medium" if note else "high",
                note=note,
            )
        )

    def backend(
        self, upstream: str, where: str, weight: int | None = None
    ) -> tuple[Backend, _Upstream | None]:
        up = self.upstreams.get(upstream)
        if up is None:
            self.ctx.review(self.ref, where, f"upstream {upstream!r} not defined")
            return Backend(name=upstream, weight=weight), None
        return Backend(name=up.service, port=up.port, weight=weight), up

    # -- routes --------------------------------------------------------------------------
    def path_match(self, path: str, where: str) -> PathMatch:
        if path.startswith("="):
            return PathMatch(type="Exact", value=path[1:].strip())
        if path.startswith("~*"):
            return PathMatch(type="RegularExpression", value="(?i)" + path[2:].strip())
        if path.startswith("~"):
            return PathMatch(type="RegularExpression", value=path[1:].strip())
        return PathMatch(type="PathPrefix", value=path)

    def action(
        self, action: dict[str, Any], where: str, path: PathMatch
    ) -> tuple[list[Backend], list[Filter], bool, str | None]:
        """(backends, filters, grpc, timeout) for an action."""
        ctx, ref = self.ctx, self.ref
        if "pass" in action:
            backend, up = self.backend(str(action["pass"]), f"{where}.pass")
            ctx.mapped(ref, f"{where}.pass", "→ backendRef", "backendRef")
            return [backend], [], bool(up and up.grpc), up.timeout if up else None
        if "redirect" in action:
            red = action["redirect"]
            url = urlsplit(str(red.get("url", "")))
            config: dict[str, Any] = {"statusCode": int(red.get("code", 301))}
            if url.scheme and "$" not in url.scheme:
                config["scheme"] = url.scheme
            if url.hostname and "$" not in url.hostname:
                config["hostname"] = url.hostname
            if url.path and "$" not in url.path:
                config["path"] = {"type": "ReplaceFullPath", "replaceFullPath": url.path}
            if "$" in str(red.get("url", "")):
                ctx.review(
                    ref,
                    f"{where}.redirect.url",
                    "NGINX variables in the URL are dropped; "
                    "the matching parts keep the request's values",
                )
            else:
                ctx.mapped(ref, f"{where}.redirect", "→ RequestRedirect", "RequestRedirect")
            return [], [Filter(type="RequestRedirect", config=config)], False, None
        if "return" in action:
            ret = action["return"]
            body = str(ret.get("body", "")).replace('"', '\\"')
            lines = []
            if ret.get("type"):
                lines.append(f"default_type {ret['type']};")
            for h in ret.get("headers") or []:
                lines.append(f'add_header {h.get("name")} "{h.get("value")}" always;')
            lines.append(f'return {int(ret.get("code", 200))} "{body}";')
            flt = self.extension(
                "SnippetsFilter",
                dns_name("return", path.value),
                {"snippets": [{"context": "http.server.location", "value": "\n".join(lines)}]},
                "direct response as a return snippet",
            )
            ctx.review(
                ref,
                f"{where}.return",
                "no Gateway API direct response: → SnippetsFilter return",
                "SnippetsFilter",
            )
            return [], [flt], False, None
        if "proxy" in action:
            proxy = action["proxy"]
            backend, up = self.backend(str(proxy.get("upstream")), f"{where}.proxy.upstream")
            filters: list[Filter] = []
            if "rewritePath" in proxy:
                if path.type == "PathPrefix":
                    filters.append(
                        Filter(
                            type="URLRewrite",
                            config={
                                "path": {
                                    "type": "ReplacePrefixMatch",
                                    "replacePrefixMatch": str(proxy["rewritePath"]),
                                }
                            },
                        )
                    )
                    ctx.mapped(
                        ref,
                        f"{where}.proxy.rewritePath",
                        "→ URLRewrite ReplacePrefixMatch",
                        "URLRewrite",
                    )
                elif path.type == "Exact":
                    filters.append(
                        Filter(
                            type="URLRewrite",
                            config={
                                "path": {
                                    "type": "ReplaceFullPath",
                                    "replaceFullPath": str(proxy["rewritePath"]),
                                }
                            },
                        )
                    )
                    ctx.mapped(
                        ref,
                        f"{where}.proxy.rewritePath",
                        "→ URLRewrite ReplaceFullPath",
                        "URLRewrite",
                    )
                else:
                    ctx.unsupported(
                        ref,
                        f"{where}.proxy.rewritePath",
                        "rewrite with a regex path (capture groups) has no URLRewrite equivalent",
                    )
            req = proxy.get("requestHeaders") or {}
            if req.get("set"):
                filters.append(
                    Filter(
                        type="RequestHeaderModifier",
                        config={
                            "set": [
                                {"name": h["name"], "value": str(h.get("value", ""))}
                                for h in req["set"]
                            ]
                        },
                    )
                )
                ctx.mapped(
                    ref,
                    f"{where}.proxy.requestHeaders.set",
                    "→ RequestHeaderModifier",
                    "RequestHeaderModifier",
                )
            if req.get("pass") is False:
                ctx.unsupported(
                    ref,
                    f"{where}.proxy.requestHeaders.pass",
                    "not passing client headers has no equivalent",
                )
            resp = proxy.get("responseHeaders") or {}
            modifier: dict[str, Any] = {}
            if resp.get("add"):
                modifier["add"] = [
                    {"name": h["name"], "value": str(h.get("value", ""))} for h in resp["add"]
                ]
                ctx.mapped(
                    ref, f"{where}.proxy.responseHeaders.add", "→ ResponseHeaderModifier add"
                )
            if resp.get("hide"):
                modifier["remove"] = list(resp["hide"])
                ctx.mapped(
                    ref, f"{where}.proxy.responseHeaders.hide", "→ ResponseHeaderModifier remove"
                )
            if modifier:
                filters.append(Filter(type="ResponseHeaderModifier", config=modifier))
            for key in ("pass", "ignore"):
                if resp.get(key):
                    ctx.unsupported(
                        ref, f"{where}.proxy.responseHeaders.{key}", "no Gateway API equivalent"
                    )
            ctx.leftovers(
                ref,
                proxy,
                {"upstream", "rewritePath", "requestHeaders", "responseHeaders"},
                f"{where}.proxy",
            )
            return [backend], filters, bool(up and up.grpc), up.timeout if up else None
        ctx.unsupported(ref, where, "action without pass/proxy/redirect/return")
        return [], [], False, None

    def conditions(
        self, conditions: list[dict[str, Any]], where: str
    ) -> tuple[list[ValueMatch], list[ValueMatch]] | None:
        headers: list[ValueMatch] = []
        query: list[ValueMatch] = []
        for c, cond in enumerate(conditions):
            value, cw = str(cond.get("value", "")), f"{where}.conditions[{c}]"
            negated = value.startswith("!")
            if negated:
                self.ctx.unsupported(
                    self.ref,
                    cw,
                    "negated conditions have no Gateway API equivalent; match not carried over",
                )
                return None
            if "header" in cond:
                headers.append(ValueMatch(name=str(cond["header"]), value=value))
                self.ctx.mapped(self.ref, cw, "→ header match")
            elif "argument" in cond:
                query.append(ValueMatch(name=str(cond["argument"]), value=value))
                self.ctx.mapped(self.ref, cw, "→ queryParams match")
            elif "cookie" in cond:
                regex = f"(^|.*;\\s*){cond['cookie']}={value}(;.*|$)"
                headers.append(ValueMatch(name="Cookie", value=regex, type="RegularExpression"))
                self.ctx.review(self.ref, cw, "cookie → Cookie header regex match", "header match")
            else:
                self.ctx.unsupported(
                    self.ref,
                    cw,
                    f"variable condition {cond.get('variable')!r}: no Gateway API "
                    "equivalent; match not carried over",
                )
                return None
        return headers, query

    def add_rule(self, rule: Rule, grpc: bool) -> None:
        (self.grpc_rules if grpc else self.http_rules).append(rule)

    def route(self, route: dict[str, Any], where: str, vs_policy_filters: list[Filter]) -> None:
        ctx, ref = self.ctx, self.ref
        path = self.path_match(str(route.get("path", "/")), f"{where}.path")
        rule_filters = list(vs_policy_filters)
        for p, pref in enumerate(route.get("policies") or []):
            pol = nic_policy.resolve(ctx, self.doc.namespace, pref)
            if pol is None:
                ctx.review(
                    ref, f"{where}.policies[{p}]", "Policy not in the input; not carried over"
                )
                continue
            effect = nic_policy.policy_effect(ctx, pol, ref, f"{where}.policies[{p}]")
            rule_filters += effect.filters
            rule_filters += [
                self.extension(e.kind, e.suffix, e.spec, e.note) for e in effect.extensions
            ]
            if effect.policies:
                ctx.review(
                    ref, f"{where}.policies[{p}]", "route policy attached to the whole HTTPRoute"
                )
                self.rule_policies.append(effect)
        if route.get("location-snippets"):
            rule_filters.append(
                self.extension(
                    "SnippetsFilter",
                    dns_name("loc", path.value),
                    {
                        "snippets": [
                            {
                                "context": "http.server.location",
                                "value": str(route["location-snippets"]),
                            }
                        ]
                    },
                    "raw NGINX configuration",
                )
            )
            ctx.review(
                ref, f"{where}.location-snippets", "→ SnippetsFilter; review it", "SnippetsFilter"
            )
        if route.get("errorPages"):
            ctx.unsupported(
                ref,
                f"{where}.errorPages",
                "error pages have no Gateway API equivalent "
                "(a SnippetsFilter with error_page may do)",
            )
        for m, match in enumerate(route.get("matches") or []):
            mw = f"{where}.matches[{m}]"
            cond = self.conditions(match.get("conditions") or [], mw)
            if cond is None:
                continue
            backends, filters, grpc, timeout = self._target(match, mw, path)
            self.add_rule(
                Rule(
                    matches=[Match(path=path, headers=cond[0], query_params=cond[1])],
                    filters=rule_filters + filters,
                    backends=backends,
                    timeouts={"backendRequest": timeout} if timeout else None,
                    source_path=mw,
                ),
                grpc,
            )
        backends, filters, grpc, timeout = self._target(route, where, path)
        self.add_rule(
            Rule(
                matches=[Match(path=path)],
                filters=rule_filters + filters,
                backends=backends,
                timeouts={"backendRequest": timeout} if timeout else None,
                source_path=where,
            ),
            grpc,
        )
        ctx.leftovers(
            ref,
            route,
            {
                "path",
                "policies",
                "route",
                "action",
                "splits",
                "matches",
                "errorPages",
                "location-snippets",
            },
            where,
        )

    def _target(
        self, holder: dict[str, Any], where: str, path: PathMatch
    ) -> tuple[list[Backend], list[Filter], bool, str | None]:
        if "splits" in holder:
            backends: list[Backend] = []
            grpc, timeout = False, None
            for s, split in enumerate(holder["splits"] or []):
                sw = f"{where}.splits[{s}]"
                act = split.get("action") or {}
                b, f, g, t = self.action(act, f"{sw}.action", path)
                if f or not b:
                    self.ctx.unsupported(
                        self.ref,
                        sw,
                        "splits with redirect/return/filters cannot be weighted; split dropped",
                    )
                    continue
                b[0].weight = int(split.get("weight", 0))
                backends += b
                grpc, timeout = grpc or g, timeout or t
            self.ctx.mapped(self.ref, f"{where}.splits", "→ weighted backendRefs", "backendRefs")
            return backends, [], grpc, timeout
        if "action" in holder:
            return self.action(holder["action"], f"{where}.action", path)
        return [], [], False, None


def _grpc(rule: Rule) -> Rule:
    path = rule.matches[0].path.value if rule.matches and rule.matches[0].path else "/"
    service = path.strip("/").split("/")[0]
    headers = rule.matches[0].headers if rule.matches else []
    return Rule(
        matches=[Match(grpc_service=service or None, headers=headers)],
        filters=[
            f
            for f in rule.filters
            if f.type in ("RequestHeaderModifier", "ResponseHeaderModifier", "ExtensionRef")
        ],
        backends=rule.backends,
        source_path=rule.source_path,
    )


def _emit(
    b: _Builder, name: str, hostnames: list[str], sections: list[str], gw_name: str
) -> list[RouteIR]:
    ctx, out = b.ctx, []
    for kind, rules in (
        ("HTTPRoute", b.http_rules),
        ("GRPCRoute", [_grpc(r) for r in b.grpc_rules]),
    ):
        if rules:
            out.append(
                ctx.route(
                    RouteIR(
                        kind=kind,
                        name=name,
                        namespace=b.doc.namespace,
                        hostnames=hostnames,
                        gateway=gw_name,
                        gateway_namespace=b.gateway_ns,
                        section_names=sections,
                        rules=rules,
                        source=b.ref,
                    )
                )
            )
    targets = [ctx.route_target(r.kind, r.name) for r in out]
    for res in b.policies:
        if res.spec.pop("_route", False):
            res.spec = {"targetRefs": targets, **res.spec}
        ctx.resource(res)
    effects = list(b.rule_policies)
    for effect in effects:
        for i, req in enumerate(effect.policies):
            ctx.resource(
                ExtraResource(
                    api_version=req.api_version,
                    kind=req.kind,
                    name=dns_name(name, req.kind.lower(), str(i)),
                    namespace=b.doc.namespace,
                    spec={"targetRefs": targets, **req.spec},
                    source=b.ref,
                    confidence=req.confidence,
                    note=req.note,
                )
            )
        for v, validation in enumerate(effect.backend_tls):
            services = sorted({be.name for r in b.http_rules + b.grpc_rules for be in r.backends})
            ctx.resource(
                ExtraResource(
                    api_version="gateway.networking.k8s.io/v1",
                    kind="BackendTLSPolicy",
                    name=dns_name(name, "egress-mtls", str(v)),
                    namespace=b.doc.namespace,
                    spec={
                        "targetRefs": [
                            {"group": "", "kind": "Service", "name": s} for s in services
                        ],
                        "validation": validation,
                    },
                    source=b.ref,
                    confidence="medium",
                )
            )
    if b.vs_body_size and targets:
        for t in targets:
            ctx.resource(
                ExtraResource(
                    api_version=NGF_API,
                    kind="ClientSettingsPolicy",
                    name=dns_name(t["name"], "client"),
                    namespace=b.doc.namespace,
                    spec={"targetRef": t, "body": {"maxSize": b.vs_body_size}},
                    source=b.ref,
                )
            )
    return out


def convert(ctx: ConversionContext, vss: list[SourceDoc], vsrs: list[SourceDoc]) -> None:
    """Translate VirtualServers and the VirtualServerRoutes they reference."""
    by_name = {(d.namespace, d.name): d for d in vsrs}
    used: set[tuple[str, str]] = set()
    for doc in vss:
        ref = ctx.register(doc)
        spec, ns = doc.spec, doc.namespace
        host = str(spec.get("host") or "")
        gw = ctx.gateway(ns)
        listener = spec.get("listener") or {}
        http_port, https_port = 80, 443
        for key in ("http", "https"):
            if key in listener:
                port, _ = ctx.global_listeners.get(str(listener[key]), (0, ""))
                if port:
                    http_port, https_port = (
                        (port, https_port) if key == "http" else (http_port, port)
                    )
                    ctx.mapped(
                        ref,
                        f"spec.listener.{key}",
                        f"GlobalConfiguration listener → port {port}",
                        "Gateway listener",
                    )
                else:
                    ctx.review(
                        ref,
                        f"spec.listener.{key}",
                        f"listener {listener[key]!r} not in a GlobalConfiguration "
                        "of the input; default port used",
                    )
        tls = spec.get("tls") or {}
        http = ctx.http_listener(ns, ref, http_port)
        sections = [http]
        redirect = None
        if tls.get("secret"):
            https = ctx.https_listener(ns, host or None, str(tls["secret"]), ref, https_port)
            ctx.mapped(
                ref, "spec.tls.secret", "→ HTTPS listener certificateRef", "Gateway listener"
            )
            sections = [https, http]
            red = tls.get("redirect") or {}
            if red.get("enable"):
                sections = [https]
                redirect = int(red.get("code", 301))
                ctx.mapped(ref, "spec.tls.redirect", "→ redirect route on the HTTP listener")
                if red.get("basedOn") == "x-forwarded-proto":
                    ctx.review(
                        ref,
                        "spec.tls.redirect.basedOn",
                        "redirect is based on the listener, not X-Forwarded-Proto",
                    )
            if tls.get("cert-manager"):
                ctx.review(
                    ref, "spec.tls.cert-manager", "annotate the Gateway for cert-manager by hand"
                )
            ctx.leftovers(ref, tls, {"secret", "redirect", "cert-manager"}, "spec.tls")
        b = _Builder(ctx=ctx, doc=doc, gateway_ns=ns)
        b.read_upstreams()
        vs_filters: list[Filter] = []
        for p, pref in enumerate(spec.get("policies") or []):
            pol = nic_policy.resolve(ctx, ns, pref)
            if pol is None:
                ctx.review(ref, f"spec.policies[{p}]", "Policy not in the input; not carried over")
                continue
            effect = nic_policy.policy_effect(ctx, pol, ref, f"spec.policies[{p}]")
            vs_filters += effect.filters + [
                b.extension(e.kind, e.suffix, e.spec, e.note) for e in effect.extensions
            ]
            b.rule_policies.append(effect)
        for key, context in (("server-snippets", "http.server"), ("http-snippets", "http")):
            if spec.get(key):
                vs_filters.append(
                    b.extension(
                        "SnippetsFilter",
                        key,
                        {"snippets": [{"context": context, "value": str(spec[key])}]},
                        "raw NGINX configuration",
                    )
                )
                ctx.review(
                    ref, f"spec.{key}", f"→ SnippetsFilter ({context}); review it", "SnippetsFilter"
                )
        for r, route in enumerate(spec.get("routes") or []):
            where = f"spec.routes[{r}]"
            if "route" in route:
                vsr_ns, _, vsr_name = str(route["route"]).rpartition("/")
                vsr_key = (vsr_ns or ns, vsr_name)
                vsr = by_name.get(vsr_key)
                if vsr is None:
                    ctx.review(
                        ref,
                        f"{where}.route",
                        f"VirtualServerRoute {route['route']} not in the input",
                    )
                    continue
                used.add(vsr_key)
                ctx.mapped(
                    ref, f"{where}.route", f"→ HTTPRoute of VirtualServerRoute {route['route']}"
                )
                _vsr(ctx, vsr, host, sections, gw.name, ns, vs_filters, str(route.get("path", "/")))
                if vsr.namespace != ns:
                    gw.all_namespaces = True
                continue
            b.route(route, where, vs_filters)
        _emit(b, dns_name(doc.name), [host] if host else [], sections, gw.name)
        if redirect is not None:
            ctx.route(
                RouteIR(
                    kind="HTTPRoute",
                    name=dns_name(doc.name, "redirect"),
                    namespace=ns,
                    hostnames=[host] if host else [],
                    gateway=gw.name,
                    gateway_namespace=ns,
                    section_names=[http],
                    rules=[
                        Rule(
                            filters=[
                                Filter(
                                    type="RequestRedirect",
                                    config={"scheme": "https", "statusCode": redirect},
                                )
                            ],
                            source_path="spec.tls.redirect",
                        )
                    ],
                    source=ref,
                )
            )
        for key, why in (
            ("gunzip", "no NGF equivalent"),
            ("externalDNS", "use ExternalDNS's Gateway source instead"),
            ("dos", "F5 DoS has no NGF equivalent"),
            ("internalRoute", "NGINX Service Mesh only"),
        ):
            if key in spec:
                ctx.unsupported(ref, f"spec.{key}", why)
        if spec.get("ingressClassName"):
            ctx.mapped(ref, "spec.ingressClassName", "replaced by the Gateway's class")
        ctx.leftovers(ref, spec, VS_FIELDS, "spec")
    for doc in vsrs:
        if (doc.namespace, doc.name) not in used:
            ctx.register(doc)
            ctx.review(
                doc.ref,
                "metadata",
                "no VirtualServer in the input references this VirtualServerRoute; not converted",
            )


def _vsr(
    ctx: ConversionContext,
    doc: SourceDoc,
    host: str,
    sections: list[str],
    gw_name: str,
    gw_ns: str,
    vs_filters: list[Filter],
    prefix: str,
) -> None:
    ref = ctx.register(doc)
    spec = doc.spec
    if spec.get("host") and spec.get("host") != host:
        ctx.review(ref, "spec.host", f"host differs from the VirtualServer's ({host})")
    b = _Builder(ctx=ctx, doc=doc, gateway_ns=gw_ns)
    b.read_upstreams()
    for s, sub in enumerate(spec.get("subroutes") or []):
        where = f"spec.subroutes[{s}]"
        if not str(sub.get("path", "")).lstrip("=~* ").startswith(prefix.lstrip("=~* ")):
            ctx.review(ref, f"{where}.path", f"subroute path outside the VirtualServer's {prefix}")
        b.route(sub, where, vs_filters)
    _emit(b, dns_name(doc.name), [host] if host else [], sections, gw_name)
    ctx.leftovers(ref, spec, {"host", "upstreams", "subroutes", "ingressClassName"}, "spec")
