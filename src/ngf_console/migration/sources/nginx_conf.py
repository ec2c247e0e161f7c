"""Exported ``nginx.conf`` files, parsed with crossplane, → Gateway listeners and HTTPRoutes.

Handled: ``server`` (``listen`` ports and ``ssl``, ``server_name``, ``ssl_certificate`` →
an HTTPS listener whose Secret must be created from the files), ``location`` (prefix, ``=``,
``~``/``~*``) with ``proxy_pass`` (to an ``upstream`` or a Service DNS name), ``return`` (3xx →
RequestRedirect, others → a SnippetsFilter), ``rewrite`` (``^/a/(.*)$ /b/$1`` → URLRewrite),
``proxy_set_header`` / ``add_header``, ``client_max_body_size``, ``proxy_*_timeout`` and
``limit_req`` with its ``limit_req_zone``. Every other directive is reported with file:line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import crossplane  # type: ignore[import-untyped]

from ngf_console.migration.context import NGF_API, ConversionContext, SourceDoc, dns_name
from ngf_console.migration.ir import (
    Backend,
    ExtraResource,
    Filter,
    Match,
    PathMatch,
    RouteIR,
    Rule,
)
from ngf_console.migration.sources.ingress_common import nginx_duration, nginx_size

Directive = dict[str, Any]
_SVC = re.compile(r"^(?P<svc>[a-z0-9-]+)(\.(?P<ns>[a-z0-9-]+))?(\.svc(\.cluster\.local)?)?$")
_STRIP = re.compile(r"^\^?(?P<prefix>/[^()\\^$]*?)/?\(\.\*\)\$?$")
# Directives that only tune NGINX itself: NGF generates them; reported as not carried over.
_IGNORED_CONTEXT = {
    "events",
    "worker_processes",
    "error_log",
    "pid",
    "user",
    "include",
    "types",
    "default_type",
    "sendfile",
    "keepalive_timeout",
    "access_log",
    "log_format",
}


@dataclass
class _Conf:
    ctx: ConversionContext
    file: str
    namespace: str
    ref: str
    upstreams: dict[str, list[str]] = field(default_factory=dict)
    zones: dict[str, dict[str, str]] = field(default_factory=dict)

    def where(self, d: Directive) -> str:
        return f"{Path(d.get('file') or self.file).name}:{d.get('line')} {d['directive']}"

    def gap(self, d: Directive, why: str = "directive not carried over") -> None:
        self.ctx.unsupported(self.ref, self.where(d), why)


def parse_file(path: Path) -> dict[str, Any]:
    """crossplane's payload for ``path`` (includes followed, errors caught)."""
    return dict(crossplane.parse(str(path), catch_errors=True, comments=False))


def convert(ctx: ConversionContext, path: Path, namespace: str = "default") -> None:
    """Translate one nginx.conf (and its includes) into listeners, routes and policies."""
    payload = parse_file(path)
    for err in payload.get("errors") or []:
        ctx.error(err.get("file"), err.get("line"), f"nginx.conf: {err.get('error')}")
    ref = f"NginxConf/{namespace}/{dns_name(path.stem)}"
    doc = SourceDoc(
        obj={
            "kind": "NginxConf",
            "metadata": {"name": dns_name(path.stem), "namespace": namespace},
        },
        file=str(path),
        line=1,
    )
    ctx.register(doc)
    conf = _Conf(ctx, str(path), namespace, ref)
    top: list[Directive] = []
    for cfg in payload.get("config") or []:
        for d in cfg.get("parsed") or []:
            d.setdefault("file", cfg.get("file"))
            top.append(d)
    _walk(conf, top, top_level=True)


def _stamp(block: list[Directive], file: str | None) -> list[Directive]:
    for d in block:
        d.setdefault("file", file)
    return block


def _walk(conf: _Conf, block: list[Directive], top_level: bool = False) -> None:
    https = [d for d in block if d["directive"] == "http"]
    for d in block:
        name = d["directive"]
        if name == "http":
            continue
        if name == "stream":
            conf.gap(d, "stream {} blocks: convert to TransportServer-style TCPRoute by hand")
        elif name in _IGNORED_CONTEXT or name.startswith("worker_"):
            conf.gap(d, "global NGINX setting: NGF manages it")
        elif name in ("server", "upstream", "limit_req_zone"):
            _http_block(conf, [d])
        else:
            conf.gap(d)
    for h in https:
        _http_block(conf, _stamp(h.get("block") or [], h.get("file")))


def _http_block(conf: _Conf, block: list[Directive]) -> None:
    servers = []
    for d in block:
        name = d["directive"]
        if name == "upstream":
            conf.upstreams[d["args"][0]] = [
                s["args"][0] for s in d.get("block") or [] if s["directive"] == "server"
            ]
            for s in d.get("block") or []:
                if s["directive"] != "server":
                    s.setdefault("file", d.get("file"))
                    conf.gap(
                        s, "upstream tuning: UpstreamSettingsPolicy covers keepalive/zone only"
                    )
            conf.ctx.mapped(conf.ref, conf.where(d), "upstream → backendRef (first server)")
        elif name == "limit_req_zone":
            args = d["args"]
            zone = next((a for a in args if a.startswith("zone=")), "zone=z:10m")[5:]
            zname, _, size = zone.partition(":")
            rate = next((a for a in args if a.startswith("rate=")), "rate=10r/s")[5:]
            conf.zones[zname] = {"key": args[0], "zoneSize": size or "10m", "rate": rate}
            conf.ctx.mapped(
                conf.ref, conf.where(d), "→ RateLimitPolicy rule (where limit_req uses it)"
            )
        elif name == "server":
            servers.append(d)
        elif name in (
            "include",
            "sendfile",
            "keepalive_timeout",
            "default_type",
            "types",
            "log_format",
            "access_log",
            "error_log",
            "server_tokens",
            "gzip",
        ):
            conf.gap(d, "http-level NGINX setting: NGF manages it (or NginxProxy)")
        elif name == "client_max_body_size":
            conf.ctx.config["client-max-body-size"] = d["args"][0]
            conf.ctx.mapped(conf.ref, conf.where(d), "→ Gateway ClientSettingsPolicy")
        else:
            conf.gap(d)
    for n, server in enumerate(servers):
        _server(conf, server, n)


def _server(conf: _Conf, server: Directive, index: int) -> None:
    ctx, ns = conf.ctx, conf.namespace
    body = _stamp(server.get("block") or [], server.get("file"))
    names: list[str] = []
    ports: list[tuple[int, bool]] = []
    cert: str | None = None
    locations: list[Directive] = []
    server_filters: list[Filter] = []
    body_size: str | None = None
    for d in body:
        name, args = d["directive"], d["args"]
        if name == "listen":
            addr = args[0].rsplit(":", 1)[-1]
            port = int(addr) if addr.isdigit() else 80
            ports.append((port, "ssl" in args))
            ctx.mapped(conf.ref, conf.where(d), f"→ Gateway listener port {port}")
        elif name == "server_name":
            names += [a for a in args if a not in ("_", "")]
            ctx.mapped(conf.ref, conf.where(d), "→ listener/route hostnames")
        elif name == "ssl_certificate":
            cert = dns_name(Path(args[0]).stem)
            ctx.review(
                conf.ref,
                conf.where(d),
                f"create TLS Secret {cert} from this certificate and its key",
                "Gateway listener",
            )
        elif name == "ssl_certificate_key":
            ctx.mapped(conf.ref, conf.where(d), "goes into the TLS Secret with the certificate")
        elif name == "location":
            locations.append(d)
        elif name == "client_max_body_size":
            body_size = nginx_size(args[0])
            ctx.mapped(conf.ref, conf.where(d), "→ ClientSettingsPolicy body.maxSize")
        elif name == "add_header":
            server_filters.append(
                Filter(
                    type="ResponseHeaderModifier",
                    config={"add": [{"name": args[0], "value": args[1] if len(args) > 1 else ""}]},
                )
            )
            ctx.mapped(conf.ref, conf.where(d), "→ ResponseHeaderModifier add")
        elif name in ("return", "rewrite"):
            locations.append(
                {
                    "directive": "location",
                    "args": ["/"],
                    "block": [d],
                    "line": d.get("line"),
                    "file": d.get("file"),
                }
            )
        elif name.startswith("ssl_"):
            conf.gap(d, "TLS tuning: NGF sets protocols and ciphers itself")
        else:
            conf.gap(d)
    ports = ports or [(80, False)]
    host = names[0] if names else None
    gw = ctx.gateway(ns)
    sections: list[str] = []
    for port, ssl in ports:
        if ssl or port == 443:
            sections.append(ctx.https_listener(ns, host, cert, conf.ref, port))
        else:
            sections.append(ctx.http_listener(ns, conf.ref, port))
    rules: list[Rule] = []
    policies: list[dict[str, Any]] = []
    for loc in locations:
        rule = _location(conf, loc, server_filters, policies)
        if rule is not None:
            rules.append(rule)
    if not rules:
        return
    route = ctx.route(
        RouteIR(
            kind="HTTPRoute",
            name=dns_name(Path(conf.file).stem, host or f"server-{index}"),
            namespace=ns,
            hostnames=names,
            gateway=gw.name,
            gateway_namespace=ns,
            section_names=sections,
            rules=rules,
            source=conf.ref,
        )
    )
    target = ctx.route_target("HTTPRoute", route.name)
    if body_size:
        ctx.resource(
            ExtraResource(
                api_version=NGF_API,
                kind="ClientSettingsPolicy",
                name=dns_name(route.name, "client"),
                namespace=ns,
                spec={"targetRef": target, "body": {"maxSize": body_size}},
                source=conf.ref,
            )
        )
    if policies:
        ctx.resource(
            ExtraResource(
                api_version=NGF_API,
                kind="RateLimitPolicy",
                name=dns_name(route.name, "ratelimit"),
                namespace=ns,
                spec={"targetRefs": [target], "rateLimit": {"local": {"rules": policies}}},
                source=conf.ref,
                confidence="medium",
                note="limit_req per location applies to the whole route",
            )
        )


def _path(args: list[str]) -> PathMatch:
    if args[0] == "=":
        return PathMatch(type="Exact", value=args[1])
    if args[0] in ("~", "~*"):
        prefix = "(?i)" if args[0] == "~*" else ""
        return PathMatch(type="RegularExpression", value=prefix + args[1])
    if args[0] == "^~":
        return PathMatch(type="PathPrefix", value=args[1])
    return PathMatch(type="PathPrefix", value=args[0])


def _backend(conf: _Conf, url: str, d: Directive) -> Backend | None:
    target = re.sub(r"^https?://", "", url).split("/", 1)[0]
    host, _, port = target.partition(":")
    if host in conf.upstreams:
        servers = conf.upstreams[host]
        if len(servers) > 1:
            conf.ctx.review(
                conf.ref,
                conf.where(d),
                f"upstream {host} has {len(servers)} servers: first one used as the Service",
            )
        if not servers:
            return None
        host, _, port = servers[0].partition(":")
    m = _SVC.match(host)
    if m is None:
        conf.ctx.review(
            conf.ref,
            conf.where(d),
            f"{host} is not a Service name: create a Service (or ExternalName) for it",
        )
        return Backend(name=dns_name(host), port=int(port) if port.isdigit() else 80)
    if m.group("ns") and m.group("ns") != conf.namespace:
        conf.ctx.review(
            conf.ref,
            conf.where(d),
            f"Service in namespace {m.group('ns')}: needs a ReferenceGrant",
            "ReferenceGrant",
        )
        return Backend(
            name=m.group("svc"), namespace=m.group("ns"), port=int(port) if port.isdigit() else 80
        )
    return Backend(name=m.group("svc"), port=int(port) if port.isdigit() else 80)


def _location(
    conf: _Conf, loc: Directive, server_filters: list[Filter], policies: list[dict[str, Any]]
) -> Rule | None:
    ctx = conf.ctx
    path = _path(loc["args"])
    filters = list(server_filters)
    backends: list[Backend] = []
    timeouts: dict[str, str] = {}
    for d in _stamp(loc.get("block") or [], loc.get("file")):
        name, args = d["directive"], d["args"]
        if name == "proxy_pass":
            b = _backend(conf, args[0], d)
            if b is not None:
                backends.append(b)
                ctx.mapped(conf.ref, conf.where(d), f"→ backendRef {b.name}", "backendRef")
            if args[0].startswith("https://"):
                ctx.review(
                    conf.ref,
                    conf.where(d),
                    "HTTPS upstream: add a BackendTLSPolicy",
                    "BackendTLSPolicy",
                )
            if "/" in re.sub(r"^https?://", "", args[0]) and path.type == "PathPrefix":
                uri = "/" + re.sub(r"^https?://", "", args[0]).split("/", 1)[1]
                filters.append(
                    Filter(
                        type="URLRewrite",
                        config={"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": uri}},
                    )
                )
                ctx.mapped(conf.ref, conf.where(d), f"URI part {uri} → URLRewrite prefix")
        elif name == "return":
            code = int(args[0]) if args[0].isdigit() else 302
            if (
                300 <= code < 400
                and len(args) > 1
                and "$" not in args[1].split("?")[0].split("://")[-1].split("/")[0]
            ):
                url = re.match(r"^(?P<scheme>https?)://(?P<host>[^/$]+)(?P<path>/[^$?]*)?", args[1])
                config: dict[str, Any] = {
                    "statusCode": code if code in (301, 302, 303, 307, 308) else 302
                }
                if url:
                    config["scheme"], config["hostname"] = url.group("scheme"), url.group("host")
                    if url.group("path") and "$" not in args[1]:
                        config["path"] = {
                            "type": "ReplaceFullPath",
                            "replaceFullPath": url.group("path"),
                        }
                filters.append(Filter(type="RequestRedirect", config=config))
                ctx.mapped(conf.ref, conf.where(d), "→ RequestRedirect", "RequestRedirect")
                if "$" in args[1]:
                    ctx.review(
                        conf.ref,
                        conf.where(d),
                        "variables in the redirect target: the request's own values are kept",
                    )
            else:
                value = " ".join(f'"{a}"' if " " in a else a for a in args)
                name_ = dns_name(Path(conf.file).stem, "return", path.value)
                ctx.resource(
                    ExtraResource(
                        api_version=NGF_API,
                        kind="SnippetsFilter",
                        name=name_,
                        namespace=conf.namespace,
                        spec={
                            "snippets": [
                                {"context": "http.server.location", "value": f"return {value};"}
                            ]
                        },
                        source=conf.ref,
                        confidence="medium",
                        note="direct response",
                    )
                )
                filters.append(
                    Filter(
                        type="ExtensionRef",
                        config={
                            "group": "gateway.nginx.org",
                            "kind": "SnippetsFilter",
                            "name": name_,
                        },
                    )
                )
                ctx.review(
                    conf.ref,
                    conf.where(d),
                    "direct response → SnippetsFilter return",
                    "SnippetsFilter",
                )
        elif name == "rewrite":
            m = _STRIP.match(args[0])
            if m and re.fullmatch(r"/[^$]*\$1", args[1]) and path.type == "PathPrefix":
                filters.append(
                    Filter(
                        type="URLRewrite",
                        config={
                            "path": {
                                "type": "ReplacePrefixMatch",
                                "replacePrefixMatch": args[1][:-2] or "/",
                            }
                        },
                    )
                )
                ctx.review(
                    conf.ref,
                    conf.where(d),
                    f"prefix rewrite {m.group('prefix')} → {args[1][:-2] or '/'}: "
                    "the location path is the matched prefix",
                    "URLRewrite",
                )
            elif "$" not in args[1] and not any(c in args[0] for c in "()"):
                filters.append(
                    Filter(
                        type="URLRewrite",
                        config={"path": {"type": "ReplaceFullPath", "replaceFullPath": args[1]}},
                    )
                )
                ctx.mapped(conf.ref, conf.where(d), "→ URLRewrite ReplaceFullPath", "URLRewrite")
            else:
                ctx.unsupported(
                    conf.ref,
                    conf.where(d),
                    "regex rewrite with capture groups has no URLRewrite equivalent",
                )
        elif name == "proxy_set_header":
            if args[0].lower() == "host":
                if args[1] != "$host":
                    filters.append(Filter(type="URLRewrite", config={"hostname": args[1]}))
                ctx.mapped(conf.ref, conf.where(d), "Host header → URLRewrite hostname (or kept)")
            elif "$" in args[1]:
                ctx.review(
                    conf.ref,
                    conf.where(d),
                    "header value with NGINX variables: NGF sets X-Forwarded-* itself; "
                    "not carried over",
                )
            else:
                filters.append(
                    Filter(
                        type="RequestHeaderModifier",
                        config={"set": [{"name": args[0], "value": args[1]}]},
                    )
                )
                ctx.mapped(conf.ref, conf.where(d), "→ RequestHeaderModifier set")
        elif name == "add_header":
            filters.append(
                Filter(
                    type="ResponseHeaderModifier",
                    config={"add": [{"name": args[0], "value": args[1] if len(args) > 1 else ""}]},
                )
            )
            ctx.mapped(conf.ref, conf.where(d), "→ ResponseHeaderModifier add")
        elif name in ("proxy_read_timeout", "proxy_send_timeout", "proxy_connect_timeout"):
            timeouts["backendRequest"] = nginx_duration(args[0])
            ctx.review(conf.ref, conf.where(d), "→ rules[].timeouts.backendRequest (whole request)")
        elif name == "limit_req":
            zone = next((a[5:] for a in args if a.startswith("zone=")), "")
            rule = dict(conf.zones.get(zone) or {})
            if not rule:
                ctx.review(conf.ref, conf.where(d), f"limit_req_zone {zone} not found")
                continue
            burst = next((a[6:] for a in args if a.startswith("burst=")), None)
            if burst:
                rule["burst"] = int(burst)  # type: ignore[assignment]
            policies.append(rule)
            ctx.mapped(conf.ref, conf.where(d), "→ RateLimitPolicy", "RateLimitPolicy")
        elif name in ("proxy_http_version", "proxy_redirect", "proxy_buffering"):
            ctx.review(conf.ref, conf.where(d), "NGF sets this itself; check the default fits")
        else:
            conf.gap(d)
    if not backends and not any(f.type in ("RequestRedirect", "ExtensionRef") for f in filters):
        ctx.review(
            conf.ref,
            f"{Path(loc.get('file') or conf.file).name}:{loc.get('line')} location",
            "location without proxy_pass or return: no rule generated",
        )
        return None
    redirect = any(f.type == "RequestRedirect" for f in filters)
    return Rule(
        matches=[Match(path=path)],
        filters=[f for f in filters if not (redirect and f.type == "URLRewrite")],
        backends=[] if redirect else backends,
        timeouts=timeouts or None,
        source_path=f"line {loc.get('line')}",
    )
