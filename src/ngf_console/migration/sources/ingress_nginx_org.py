"""Ingress with NGINX Ingress Controller ``nginx.org/*`` annotations.

Covers mergeable Ingresses (a master carrying host, TLS and server-level annotations; minions
carrying paths and location-level annotations, inheriting the master's location-level ones
unless they set their own) and every annotation of NGINX Ingress Controller's annotation
reference: translated, approximated (review), Enterprise-only, or reported unsupported.
"""

from __future__ import annotations

from collections.abc import Callable

from ngf_console.migration.context import ConversionContext, SourceDoc
from ngf_console.migration.ir import Filter
from ngf_console.migration.sources import policy as nic_policy
from ngf_console.migration.sources.ingress_common import (
    IngressTranslation,
    PolicyRequest,
    nginx_duration,
    nginx_size,
    split_list,
)

PREFIX = "nginx.org/"
LEGACY_SSL_REDIRECT = "ingress.kubernetes.io/ssl-redirect"
MERGEABLE = PREFIX + "mergeable-ingress-type"
# Server-level annotations: only the master's count for a mergeable group.
SERVER_LEVEL = {
    "server-snippets",
    "hsts",
    "hsts-max-age",
    "hsts-include-subdomains",
    "hsts-behind-proxy",
    "redirect-to-https",
    "ssl-redirect",
    "listen-ports",
    "listen-ports-ssl",
    "server-tokens",
    "http2",
}

Handler = Callable[[IngressTranslation, str, str, str], None]


def _size_policy(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    spec = {"body": {"maxSize": nginx_size(value)}}
    tr.policies.append(PolicyRequest("ClientSettingsPolicy", spec, style="targetRef"))
    tr.ctx.mapped(ref, key, "→ ClientSettingsPolicy body.maxSize", "ClientSettingsPolicy")


def _timeout(field: str) -> Handler:
    def handle(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
        tr.timeouts[field] = nginx_duration(value)
        tr.ctx.review(
            ref,
            key,
            f"→ HTTPRoute rules[].timeouts.{field}: a whole-request bound, not NGINX's "
            "per-read/connect timeout",
            f"timeouts.{field}",
        )

    return handle


def _proxy_buffering(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    buffering: dict[str, object] = {}
    name = key.removeprefix(PREFIX)
    if name == "proxy-buffering":
        buffering["disable"] = value.strip().lower() in ("false", "off")
    elif name == "proxy-buffer-size":
        buffering["bufferSize"] = nginx_size(value)
    elif name == "proxy-buffers":
        number, _, size = value.partition(" ")
        buffering["buffers"] = {"number": int(number), "size": nginx_size(size or "4k")}
    tr.policies.append(
        PolicyRequest(
            "ProxySettingsPolicy",
            {"buffering": buffering},
            confidence="medium",
            note="ProxySettingsPolicy needs NGF 2.4 or later",
        )
    )
    tr.ctx.mapped(ref, key, "→ ProxySettingsPolicy buffering", "ProxySettingsPolicy")


def _hide_headers(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.filters.append(Filter(type="ResponseHeaderModifier", config={"remove": split_list(value)}))
    tr.ctx.mapped(ref, key, "→ ResponseHeaderModifier remove", "ResponseHeaderModifier")


def _pass_headers(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.ctx.mapped(ref, key, f"NGF passes {value} to the client already (nothing hidden by default)")


def _set_headers(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    headers = []
    for item in split_list(value):
        name, _, val = item.partition(":")
        headers.append({"name": name.strip(), "value": val.strip() or "$http_" + name.strip()})
    tr.filters.append(Filter(type="RequestHeaderModifier", config={"set": headers}))
    dynamic = [h["name"] for h in headers if "$" in h["value"]]
    if dynamic:
        tr.ctx.review(
            ref,
            key,
            f"→ RequestHeaderModifier set; NGINX variables in {', '.join(dynamic)} are sent "
            "literally by Gateway API",
            "RequestHeaderModifier",
        )
    else:
        tr.ctx.mapped(ref, key, "→ RequestHeaderModifier set", "RequestHeaderModifier")


def _rewrites(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    for item in value.split(";"):
        parts = dict(p.split("=", 1) for p in item.split() if "=" in p)
        service, path = parts.get("serviceName"), parts.get("rewrite")
        if not service or path is None:
            continue
        tr.service_filters.setdefault(service, []).append(
            Filter(
                type="URLRewrite",
                config={"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": path}},
            )
        )
        tr.ctx.mapped(ref, f"{key}[{service}]", f"→ URLRewrite prefix {path}", "URLRewrite")


def _redirect_to_https(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if value.strip().lower() == "true":
        tr.ssl_redirect = True
        tr.ctx.mapped(ref, key, "→ RequestRedirect scheme https on the HTTP listener")
    else:
        tr.ctx.mapped(ref, key, "false: no redirect")


def _ssl_redirect(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.ssl_redirect = value.strip().lower() != "false"
    tr.ctx.mapped(ref, key, f"ssl redirect {'on' if tr.ssl_redirect else 'off'}")


def _hsts(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    ann = tr.doc.annotations
    if value.strip().lower() != "true":
        tr.ctx.mapped(ref, key, "HSTS off")
        return
    header = f"max-age={ann.get(PREFIX + 'hsts-max-age', '2592000')}"
    if ann.get(PREFIX + "hsts-include-subdomains", "false").lower() == "true":
        header += "; includeSubDomains"
    tr.https_filters.append(
        Filter(
            type="ResponseHeaderModifier",
            config={"set": [{"name": "Strict-Transport-Security", "value": header}]},
        )
    )
    tr.ctx.mapped(ref, key, f"→ Strict-Transport-Security: {header}", "ResponseHeaderModifier")


def _hsts_part(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if key == PREFIX + "hsts-behind-proxy":
        tr.ctx.review(ref, key, "HSTS is added on HTTPS listeners only; behind-proxy not needed")
    else:
        tr.ctx.mapped(ref, key, "folded into the Strict-Transport-Security header")


def _listen_ports(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    ports = [int(p) for p in split_list(value)]
    if key.endswith("-ssl"):
        tr.https_ports = ports
    else:
        tr.http_ports = ports
    tr.ctx.mapped(ref, key, f"→ Gateway listeners on ports {ports}", "Gateway listener")


def _ssl_services(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    for service in split_list(value):
        tr.policies.append(
            PolicyRequest(
                "BackendTLSPolicy",
                {
                    "_service": service,
                    "validation": {"hostname": service, "wellKnownCACertificates": "System"},
                },
                api_version="gateway.networking.k8s.io/v1",
                confidence="medium",
                note="BackendTLSPolicy verifies the backend certificate; NIC did not",
            )
        )
    tr.ctx.review(
        ref,
        key,
        "→ BackendTLSPolicy per Service; it verifies the certificate (NIC did not): set the "
        "CA and hostname",
        "BackendTLSPolicy",
    )


def _grpc_services(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.grpc_services.update(split_list(value))
    tr.ctx.mapped(ref, key, "paths to these Services → GRPCRoute", "GRPCRoute")


def _websocket(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.ctx.mapped(ref, key, "NGF proxies WebSocket upgrades without configuration")


def _path_regex(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    mode = value.strip().lower()
    if mode == "exact":
        tr.path_type = "Exact"
    else:
        tr.path_type = "RegularExpression"
        tr.case_insensitive = mode == "case_insensitive"
    tr.ctx.mapped(ref, key, f"paths → {tr.path_type} matches", tr.path_type)


def _snippets(context: str) -> Handler:
    def handle(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
        tr.extension(
            "SnippetsFilter",
            "server-snippets" if context == "http.server" else "location-snippets",
            {"snippets": [{"context": context, "value": value}]},
            "raw NGINX configuration: review it",
        )
        tr.ctx.review(
            ref, key, f"→ SnippetsFilter ({context}); review the snippet", "SnippetsFilter"
        )

    return handle


def _limit_req(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if key != PREFIX + "limit-req-rate":
        if key in (
            PREFIX + "limit-req-key",
            PREFIX + "limit-req-zone-size",
            PREFIX + "limit-req-burst",
        ):
            tr.ctx.mapped(ref, key, "folded into the RateLimitPolicy rule", "RateLimitPolicy")
        else:
            tr.ctx.review(ref, key, "not carried over; set it on the RateLimitPolicy by hand")
        return
    ann = tr.doc.annotations
    rule: dict[str, object] = {
        "rate": value,
        "key": ann.get(PREFIX + "limit-req-key", "$binary_remote_addr"),
        "zoneSize": ann.get(PREFIX + "limit-req-zone-size", "10m"),
    }
    if PREFIX + "limit-req-burst" in ann:
        rule["burst"] = int(ann[PREFIX + "limit-req-burst"])
    tr.policies.append(
        PolicyRequest("RateLimitPolicy", {"rateLimit": {"local": {"rules": [rule]}}})
    )
    tr.ctx.mapped(ref, key, "→ RateLimitPolicy", "RateLimitPolicy")


def _basic_auth(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if key.endswith("realm"):
        tr.ctx.mapped(ref, key, "folded into the AuthenticationFilter realm")
        return
    basic: dict[str, object] = {"secretRef": {"name": value}}
    if realm := tr.doc.annotations.get(PREFIX + "basic-auth-realm"):
        basic["realm"] = realm
    tr.extension("AuthenticationFilter", "basic-auth", {"type": "Basic", "basic": basic}, None)
    tr.ctx.mapped(ref, key, "→ AuthenticationFilter type Basic", "AuthenticationFilter")


def _jwt(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if key != PREFIX + "jwt-key":
        tr.ctx.enterprise(ref, key, "JWT (NGINX Plus): folded into the AuthenticationFilter")
        return
    jwt = {
        "realm": tr.doc.annotations.get(PREFIX + "jwt-realm", "protected"),
        "source": "File",
        "file": {"secretRef": {"name": value}},
    }
    tr.extension("AuthenticationFilter", "jwt", {"type": "JWT", "jwt": jwt}, "JWT needs NGINX Plus")
    tr.ctx.enterprise(ref, key, "→ AuthenticationFilter type JWT (NGINX Plus)")


def _keepalive(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.policies.append(
        PolicyRequest(
            "UpstreamSettingsPolicy", {"keepAlive": {"connections": int(value)}}, style="services"
        )
    )
    tr.ctx.mapped(ref, key, "→ UpstreamSettingsPolicy keepAlive.connections")


def _zone_size(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.policies.append(
        PolicyRequest("UpstreamSettingsPolicy", {"zoneSize": nginx_size(value)}, style="services")
    )
    tr.ctx.mapped(ref, key, "→ UpstreamSettingsPolicy zoneSize")


def _policies(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    for name in split_list(value):
        policy = nic_policy.resolve(tr.ctx, tr.namespace, name)
        if policy is None:
            tr.ctx.review(ref, f"{key}[{name}]", "Policy not in the input; not carried over")
            continue
        effect = nic_policy.policy_effect(tr.ctx, policy, ref, f"{key}[{name}]")
        tr.policies.extend(effect.policies)
        tr.filters.extend(effect.filters)
        for ext in effect.extensions:
            tr.extension(ext.kind, ext.suffix, ext.spec, ext.note)


def _review(message: str) -> Handler:
    def handle(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
        tr.ctx.review(ref, key, message)

    return handle


def _unsupported(message: str) -> Handler:
    def handle(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
        tr.ctx.unsupported(ref, key, message)

    return handle


def _enterprise(message: str) -> Handler:
    def handle(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
        tr.ctx.enterprise(ref, key, message)

    return handle


def _noop(message: str) -> Handler:
    def handle(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
        tr.ctx.mapped(ref, key, message)

    return handle


HANDLERS: dict[str, Handler] = {
    "mergeable-ingress-type": _noop("mergeable group resolved (master host/TLS, minion paths)"),
    "proxy-connect-timeout": _timeout("backendRequest"),
    "proxy-read-timeout": _timeout("backendRequest"),
    "proxy-send-timeout": _timeout("backendRequest"),
    "client-max-body-size": _size_policy,
    "client-body-buffer-size": _review("no NGF equivalent for the buffer size; body limit kept"),
    "proxy-buffering": _proxy_buffering,
    "proxy-buffers": _proxy_buffering,
    "proxy-buffer-size": _proxy_buffering,
    "proxy-max-temp-file-size": _unsupported("no NGF equivalent; not carried over"),
    "proxy-hide-headers": _hide_headers,
    "proxy-pass-headers": _pass_headers,
    "proxy-set-headers": _set_headers,
    "rewrites": _rewrites,
    "rewrite-target": _unsupported("not an NGINX Ingress Controller annotation; ignored"),
    "redirect-to-https": _redirect_to_https,
    "ssl-redirect": _ssl_redirect,
    "hsts": _hsts,
    "hsts-max-age": _hsts_part,
    "hsts-include-subdomains": _hsts_part,
    "hsts-behind-proxy": _hsts_part,
    "listen-ports": _listen_ports,
    "listen-ports-ssl": _listen_ports,
    "ssl-services": _ssl_services,
    "grpc-services": _grpc_services,
    "websocket-services": _websocket,
    "path-regex": _path_regex,
    "server-snippets": _snippets("http.server"),
    "location-snippets": _snippets("http.server.location"),
    "limit-req-rate": _limit_req,
    "limit-req-key": _limit_req,
    "limit-req-zone-size": _limit_req,
    "limit-req-burst": _limit_req,
    "limit-req-delay": _limit_req,
    "limit-req-no-delay": _limit_req,
    "limit-req-dry-run": _limit_req,
    "limit-req-log-level": _limit_req,
    "limit-req-reject-code": _limit_req,
    "limit-req-scale": _limit_req,
    "basic-auth-secret": _basic_auth,
    "basic-auth-realm": _basic_auth,
    "jwt-key": _jwt,
    "jwt-realm": _jwt,
    "jwt-token": _jwt,
    "jwt-login-url": _jwt,
    "keepalive": _keepalive,
    "upstream-zone-size": _zone_size,
    "policies": _policies,
    "lb-method": _review(
        "load-balancing method: NGF 2.2+ UpstreamSettingsPolicy loadBalancingMethod; set by hand"
    ),
    "max-fails": _unsupported("passive health checks (max_fails) have no NGF equivalent"),
    "max-conns": _unsupported("max_conns has no NGF equivalent"),
    "fail-timeout": _unsupported("fail_timeout has no NGF equivalent"),
    "proxy-next-upstream": _unsupported("no NGF equivalent"),
    "proxy-next-upstream-timeout": _unsupported("no NGF equivalent"),
    "proxy-next-upstream-tries": _unsupported("no NGF equivalent"),
    "use-cluster-ip": _unsupported("NGF always balances across endpoints"),
    "server-tokens": _review("set server_tokens with a SnippetsFilter or NginxProxy if needed"),
    "health-checks": _enterprise("active health checks need NGINX Plus; not carried over"),
    "health-checks-mandatory": _enterprise("NGINX Plus health checks; not carried over"),
    "health-checks-mandatory-queue": _enterprise("NGINX Plus health checks; not carried over"),
    "slow-start": _enterprise("NGINX Plus slow start; not carried over"),
    "sticky-cookie-services": _enterprise(
        "sticky cookies need NGINX Plus: HTTPRoute sessionPersistence (set by hand)"
    ),
    "app-protect-enable": _enterprise("F5 WAF → WAFPolicy (NGF Enterprise); create it by hand"),
    "app-protect-policy": _enterprise("F5 WAF policy → APPolicy + WAFPolicy (NGF Enterprise)"),
    "app-protect-security-log-enable": _enterprise("F5 WAF security logging (NGF Enterprise)"),
    "app-protect-security-log": _enterprise("F5 WAF security logging (NGF Enterprise)"),
    "app-protect-security-log-destination": _enterprise("F5 WAF logging (NGF Enterprise)"),
    "app-protect-dos-resource": _enterprise("F5 DoS protection has no NGF equivalent"),
    "http2": _noop("NGF serves HTTP/2 on HTTPS listeners by default"),
    "ssl-ciphers": _unsupported("no per-listener cipher setting in NGF"),
    "ssl-prefer-server-ciphers": _unsupported("no per-listener cipher setting in NGF"),
}


def _apply_annotations(tr: IngressTranslation, annotations: dict[str, str], skip: set[str]) -> None:
    ref, ctx = tr.ref, tr.ctx
    for key, value in sorted(annotations.items()):
        if key == LEGACY_SSL_REDIRECT:
            _ssl_redirect(tr, key, value, ref)
            continue
        if not key.startswith(PREFIX):
            continue
        short = key.removeprefix(PREFIX)
        if short in skip:
            ctx.unsupported(ref, key, "server-level annotation on a minion: NIC ignores it")
            continue
        handler = HANDLERS.get(short)
        if handler is None:
            ctx.unsupported(ref, key, "unknown nginx.org annotation; not carried over")
            continue
        try:
            handler(tr, key, value, ref)
        except (ValueError, TypeError) as exc:
            ctx.unsupported(ref, key, f"value {value!r} not understood ({exc}); not carried over")


def convert(ctx: ConversionContext, docs: list[SourceDoc]) -> list[IngressTranslation]:
    """Translate ``nginx.org`` Ingresses (mergeable groups resolved); returns translations."""
    masters: dict[tuple[str, str], SourceDoc] = {}
    for doc in docs:
        if doc.annotations.get(MERGEABLE) == "master":
            for rule in doc.spec.get("rules") or []:
                masters[(doc.namespace, str(rule.get("host") or ""))] = doc
    out: list[IngressTranslation] = []
    for doc in docs:
        ctx.register(doc)
        kind = doc.annotations.get(MERGEABLE)
        tr = IngressTranslation(doc=doc, ctx=ctx)
        if kind == "master":
            tr.read_spec()
            if tr.paths:
                ctx.unsupported(doc.ref, "spec.rules", "a master Ingress must not have paths")
                tr.paths.clear()
            _apply_annotations(tr, doc.annotations, set())
            for host in {str(r.get("host") or "") for r in doc.spec.get("rules") or []}:
                tr._listeners(host)
            ctx.mapped(doc.ref, "metadata", "master: host and TLS → Gateway listeners")
        elif kind == "minion":
            hosts = {str(r.get("host") or "") for r in doc.spec.get("rules") or []}
            master = next(
                (masters[(doc.namespace, h)] for h in hosts if (doc.namespace, h) in masters), None
            )
            if master is None:
                ctx.review(doc.ref, "metadata.annotations", "minion without a master in the input")
                tr.read_spec()
                _apply_annotations(tr, doc.annotations, set())
            else:
                tr.read_spec()
                mtr = IngressTranslation(doc=master, ctx=ctx)
                mtr.read_spec()
                tr.tls = {h: s for h, s in mtr.tls.items()}
                inherited = {
                    k: v
                    for k, v in master.annotations.items()
                    if k.startswith(PREFIX)
                    and k.removeprefix(PREFIX) not in {"mergeable-ingress-type"}
                }
                # Server-level annotations come from the master; location-level ones are
                # inherited unless the minion sets its own.
                merged = {
                    **inherited,
                    **{
                        k: v
                        for k, v in doc.annotations.items()
                        if k.removeprefix(PREFIX) not in SERVER_LEVEL
                    },
                }
                _apply_annotations(
                    tr,
                    {
                        k: v
                        for k, v in doc.annotations.items()
                        if k.removeprefix(PREFIX) in SERVER_LEVEL
                    },
                    SERVER_LEVEL,
                )
                _apply_inherited(tr, merged, master.ref)
            tr.build()
        else:
            tr.read_spec()
            _apply_annotations(tr, doc.annotations, set())
            tr.build()
        out.append(tr)
    return out


def _apply_inherited(tr: IngressTranslation, merged: dict[str, str], master_ref: str) -> None:
    """Apply the merged annotation set; inherited ones are reported on the minion too."""
    own = tr.doc.annotations
    for key in sorted(merged):
        if key not in own and key.startswith(PREFIX):
            tr.ctx.mapped(tr.ref, key, f"inherited from master {master_ref}")
    saved = tr.doc
    tr.doc = SourceDoc(
        obj={**saved.obj, "metadata": {**(saved.obj.get("metadata") or {}), "annotations": merged}},
        file=saved.file,
        line=saved.line,
    )
    try:
        _apply_annotations(tr, merged, set())
    finally:
        tr.doc = saved
