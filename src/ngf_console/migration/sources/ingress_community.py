"""Ingress with community ingress-nginx ``nginx.ingress.kubernetes.io/*`` annotations.

Canary Ingresses are folded into the route of the main Ingress for the same host and path:
``canary-weight`` splits the backends, ``canary-by-header``/``-value``/``-pattern`` and
``canary-by-cookie`` add a rule in front that matches the header (or the Cookie header).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from ngf_console.migration.context import ConversionContext, SourceDoc
from ngf_console.migration.ir import Backend, Filter, Match, Rule, ValueMatch
from ngf_console.migration.sources.ingress_common import (
    IngressTranslation,
    PolicyRequest,
    nginx_duration,
    nginx_size,
    split_list,
)

PREFIX = "nginx.ingress.kubernetes.io/"
CANARY = PREFIX + "canary"
_CAPTURE = re.compile(r"\$\d")
# The documented ingress-nginx idiom: path "/x(/|$)(.*)" with target "/$2" strips "/x".
_STRIP_PREFIX = re.compile(r"^(?P<prefix>/[^()$^]*?)\(/\|\$\)\(\.\*\)$")

Handler = Callable[[IngressTranslation, str, str, str], None]


def _truthy(value: str) -> bool:
    return value.strip().lower() == "true"


def _rewrite_target(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if not _CAPTURE.search(value):
        tr.filters.append(
            Filter(
                type="URLRewrite",
                config={"path": {"type": "ReplaceFullPath", "replaceFullPath": value}},
            )
        )
        tr.ctx.mapped(ref, key, f"→ URLRewrite ReplaceFullPath {value}", "URLRewrite")
        return
    stripped = [_STRIP_PREFIX.match(p.path) for p in tr.paths]
    if stripped and all(stripped) and value in ("/$2", "/$1"):
        for item, m in zip(tr.paths, stripped, strict=True):
            assert m is not None
            item.path = m.group("prefix") or "/"
            item.path_type = "Prefix"
        tr.path_type = None
        tr.filters.append(
            Filter(
                type="URLRewrite",
                config={"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}},
            )
        )
        tr.ctx.review(
            ref,
            key,
            f"capture groups in {value!r}: the strip-prefix idiom became PathPrefix + "
            "ReplacePrefixMatch '/'; check paths that relied on the regex",
            "URLRewrite",
        )
        return
    tr.ctx.unsupported(
        ref,
        key,
        f"capture groups in {value!r} cannot be expressed by URLRewrite; not carried over",
    )


def _use_regex(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if _truthy(value):
        tr.path_type = "RegularExpression"
        tr.case_insensitive = True
        tr.ctx.review(
            ref, key, "paths → RegularExpression (ingress-nginx matches ~* case-insensitively)"
        )
    else:
        tr.ctx.mapped(ref, key, "false: plain paths")


def _ssl_redirect(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.ssl_redirect = _truthy(value) or (key.endswith("/ssl-redirect") and value.strip() == "")
    tr.ctx.mapped(
        ref, key, f"ssl redirect {'on' if tr.ssl_redirect else 'off'} (301; ingress-nginx uses 308)"
    )


def _backend_protocol(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    proto = value.strip().upper()
    services = {p.service for p in tr.paths}
    if proto in ("GRPC", "GRPCS"):
        tr.grpc_services.update(services)
        tr.ctx.mapped(ref, key, "→ GRPCRoute", "GRPCRoute")
    if proto in ("HTTPS", "GRPCS"):
        for service in sorted(services):
            tr.policies.append(
                PolicyRequest(
                    "BackendTLSPolicy",
                    {"_service": service, "validation": _tls_validation(tr, service)},
                    api_version="gateway.networking.k8s.io/v1",
                    confidence="medium",
                    note="BackendTLSPolicy always verifies the backend certificate",
                )
            )
        tr.ctx.review(
            ref,
            key,
            "→ BackendTLSPolicy (certificate verified; set CA/hostname)",
            "BackendTLSPolicy",
        )
    elif proto in ("HTTP", "AUTO_HTTP"):
        tr.ctx.mapped(ref, key, "plain HTTP to the backend (default)")
    elif proto not in ("GRPC",):
        tr.ctx.unsupported(ref, key, f"backend protocol {proto} has no NGF equivalent")


def _tls_validation(tr: IngressTranslation, service: str) -> dict[str, object]:
    ann = tr.doc.annotations
    validation: dict[str, object] = {"hostname": ann.get(PREFIX + "proxy-ssl-name", service)}
    secret = ann.get(PREFIX + "proxy-ssl-secret")
    if secret:
        validation["caCertificateRefs"] = [
            {"group": "", "kind": "ConfigMap", "name": secret.rpartition("/")[2]}
        ]
    else:
        validation["wellKnownCACertificates"] = "System"
    return validation


def _proxy_ssl(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if PREFIX + "backend-protocol" not in tr.doc.annotations:
        tr.ctx.review(ref, key, "backend TLS settings without backend-protocol HTTPS; not used")
        return
    if key.endswith("proxy-ssl-verify") and value.strip().lower() == "off":
        tr.ctx.review(ref, key, "verification cannot be turned off with BackendTLSPolicy")
    elif key.endswith("proxy-ssl-secret"):
        tr.ctx.review(
            ref,
            key,
            "CA taken from this Secret: put its ca.crt in a ConfigMap of that name",
            "BackendTLSPolicy",
        )
    else:
        tr.ctx.mapped(ref, key, "folded into the BackendTLSPolicy", "BackendTLSPolicy")


def _cors(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    ann = tr.doc.annotations
    if key != PREFIX + "enable-cors":
        tr.ctx.mapped(
            ref,
            key,
            "folded into the CORS filter"
            if _truthy(ann.get(PREFIX + "enable-cors", ""))
            else "ignored: enable-cors is not true",
        )
        return
    if not _truthy(value):
        tr.ctx.mapped(ref, key, "CORS off")
        return
    config: dict[str, object] = {
        "allowOrigins": split_list(ann.get(PREFIX + "cors-allow-origin", "*")),
        "allowMethods": split_list(
            ann.get(PREFIX + "cors-allow-methods", "GET, PUT, POST, DELETE, PATCH, OPTIONS")
        ),
        "allowHeaders": split_list(
            ann.get(
                PREFIX + "cors-allow-headers",
                "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization",
            )
        ),
        "allowCredentials": ann.get(PREFIX + "cors-allow-credentials", "true").lower() == "true",
        "maxAge": int(ann.get(PREFIX + "cors-max-age", "1728000")),
    }
    if ann.get(PREFIX + "cors-expose-headers"):
        config["exposeHeaders"] = split_list(ann[PREFIX + "cors-expose-headers"])
    tr.filters.append(Filter(type="CORS", config=config))
    tr.ctx.review(
        ref,
        key,
        "→ HTTPRoute CORS filter (Gateway API experimental; check NGF support)",
        "CORS filter",
    )


def _timeout(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.timeouts["backendRequest"] = nginx_duration(value)
    tr.ctx.review(
        ref, key, "→ rules[].timeouts.backendRequest (whole request, not per read)", "timeouts"
    )


def _body_size(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if key.endswith("client-body-buffer-size") and PREFIX + "proxy-body-size" in tr.doc.annotations:
        tr.ctx.review(ref, key, "buffer size has no NGF equivalent; proxy-body-size kept")
        return
    tr.policies.append(
        PolicyRequest(
            "ClientSettingsPolicy", {"body": {"maxSize": nginx_size(value)}}, style="targetRef"
        )
    )
    if key.endswith("client-body-buffer-size"):
        tr.ctx.review(ref, key, "→ ClientSettingsPolicy body.maxSize (as ingress2gateway does)")
    else:
        tr.ctx.mapped(ref, key, "→ ClientSettingsPolicy body.maxSize", "ClientSettingsPolicy")


def _source_range(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    ranges = split_list(value)
    deny = "denylist" in key
    lines = [f"{'deny' if deny else 'allow'} {r};" for r in ranges]
    if not deny:
        lines.append("deny all;")
    tr.extension(
        "SnippetsFilter",
        "deny-ranges" if deny else "allow-ranges",
        {"snippets": [{"context": "http.server.location", "value": "\n".join(lines)}]},
        "source ranges as allow/deny snippets",
    )
    tr.ctx.review(
        ref, key, "→ SnippetsFilter allow/deny (NGF has no IP access policy)", "SnippetsFilter"
    )


def _affinity(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    ann = tr.doc.annotations
    if key != PREFIX + "affinity":
        tr.ctx.enterprise(ref, key, "folded into sessionPersistence (NGINX Plus)")
        return
    if value.strip().lower() != "cookie":
        tr.ctx.unsupported(ref, key, f"affinity {value!r} not supported")
        return
    persistence: dict[str, object] = {
        "sessionName": ann.get(PREFIX + "session-cookie-name", "INGRESSCOOKIE"),
        "type": "Cookie",
    }
    max_age = ann.get(PREFIX + "session-cookie-max-age") or ann.get(
        PREFIX + "session-cookie-expires"
    )
    if max_age:
        persistence["absoluteTimeout"] = nginx_duration(max_age)
        persistence["cookieConfig"] = {"lifetimeType": "Permanent"}
    tr.session_persistence = persistence
    tr.ctx.enterprise(
        ref, key, "→ HTTPRoute sessionPersistence (NGINX Plus in NGF)", "sessionPersistence"
    )


def _snippet(context: str) -> Handler:
    def handle(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
        tr.extension(
            "SnippetsFilter",
            "server-snippet" if context == "http.server" else "configuration-snippet",
            {"snippets": [{"context": context, "value": value}]},
            "raw NGINX configuration: review it",
        )
        tr.ctx.review(
            ref,
            key,
            f"snippet → SnippetsFilter ({context}); review its directives",
            "SnippetsFilter",
        )

    return handle


def _limit(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    ann = tr.doc.annotations
    if key.endswith("limit-burst-multiplier"):
        tr.ctx.mapped(ref, key, "folded into the RateLimitPolicy burst")
        return
    unit = "r/s" if key.endswith("limit-rps") else "r/m"
    rate = int(value)
    burst = rate * int(ann.get(PREFIX + "limit-burst-multiplier", "5"))
    rule = {"rate": f"{rate}{unit}", "key": "$binary_remote_addr", "zoneSize": "5m", "burst": burst}
    tr.policies.append(
        PolicyRequest("RateLimitPolicy", {"rateLimit": {"local": {"rules": [rule]}}})
    )
    tr.ctx.mapped(ref, key, f"→ RateLimitPolicy {rate}{unit} burst {burst}", "RateLimitPolicy")


def _auth(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    ann = tr.doc.annotations
    if key != PREFIX + "auth-type":
        if ann.get(PREFIX + "auth-type", "").lower() == "basic":
            if key.endswith("auth-secret-type") and value.strip() == "auth-map":
                tr.ctx.review(
                    ref, key, "auth-map secrets: NGF needs an htpasswd file under key 'auth'"
                )
            else:
                tr.ctx.mapped(ref, key, "folded into the AuthenticationFilter")
        else:
            tr.ctx.review(ref, key, "ignored: auth-type is not basic")
        return
    if value.strip().lower() != "basic":
        tr.ctx.unsupported(
            ref, key, f"auth-type {value!r}: only basic maps to AuthenticationFilter"
        )
        return
    secret = ann.get(PREFIX + "auth-secret", "")
    namespace, _, name = secret.rpartition("/")
    basic: dict[str, object] = {
        "secretRef": {"name": name},
        "realm": ann.get(PREFIX + "auth-realm", "Authentication Required"),
    }
    tr.extension("AuthenticationFilter", "basic-auth", {"type": "Basic", "basic": basic}, None)
    if namespace and namespace != tr.namespace:
        tr.ctx.review(
            ref,
            PREFIX + "auth-secret",
            f"Secret in namespace {namespace}: copy it to {tr.namespace}",
        )
    tr.ctx.mapped(ref, key, "→ AuthenticationFilter type Basic", "AuthenticationFilter")


def _redirect(code_key: str, default: int) -> Handler:
    def handle(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
        url = urlsplit(value.strip())
        config: dict[str, object] = {
            "statusCode": int(tr.doc.annotations.get(code_key, str(default)))
        }
        if url.scheme:
            config["scheme"] = url.scheme
        if url.hostname:
            config["hostname"] = url.hostname
        if url.port:
            config["port"] = url.port
        if url.path:
            config["path"] = {"type": "ReplaceFullPath", "replaceFullPath": url.path}
        if config["statusCode"] not in (301, 302, 303, 307, 308):
            config["statusCode"] = default
            tr.ctx.review(ref, code_key, f"status code not allowed by Gateway API; {default} used")
        tr.redirect_only = Filter(type="RequestRedirect", config=config)
        lost = " (query string dropped)" if url.query else ""
        tr.ctx.mapped(ref, key, f"→ RequestRedirect to {value}{lost}", "RequestRedirect")

    return handle


def _app_root(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.leading_rules.append(
        Rule(
            matches=[Match(path={"type": "Exact", "value": "/"})],
            filters=[
                Filter(
                    type="RequestRedirect",
                    config={
                        "statusCode": 302,
                        "path": {"type": "ReplaceFullPath", "replaceFullPath": value},
                    },
                )
            ],
            source_path=f"metadata.annotations[{key}]",
        )
    )
    tr.ctx.mapped(ref, key, f"→ rule redirecting / to {value} (302)", "RequestRedirect")


def _server_alias(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.extra_hostnames.extend(split_list(value))
    tr.ctx.mapped(ref, key, "→ extra route hostnames", "hostnames")


def _header(name: str) -> Handler:
    def handle(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
        tr.filters.append(
            Filter(type="RequestHeaderModifier", config={"set": [{"name": name, "value": value}]})
        )
        tr.ctx.mapped(ref, key, f"→ RequestHeaderModifier set {name}", "RequestHeaderModifier")

    return handle


def _upstream_vhost(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.filters.append(Filter(type="URLRewrite", config={"hostname": value}))
    tr.ctx.mapped(ref, key, "→ URLRewrite hostname", "URLRewrite")


def _custom_headers(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    ns, _, name = value.rpartition("/")
    data = tr.ctx.config_maps.get((ns or tr.namespace, name))
    if data is None:
        tr.ctx.review(ref, key, f"ConfigMap {value} not in the input; add its headers by hand")
        return
    tr.filters.append(
        Filter(
            type="ResponseHeaderModifier",
            config={"set": [{"name": k, "value": v} for k, v in sorted(data.items())]},
        )
    )
    tr.ctx.mapped(
        ref, key, f"→ ResponseHeaderModifier from ConfigMap {value}", "ResponseHeaderModifier"
    )


def _passthrough(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if _truthy(value):
        tr.passthrough = True
        tr.ctx.mapped(ref, key, "→ TLSRoute on a TLS passthrough listener", "TLSRoute")


def _mirror(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    host = urlsplit(value).hostname or ""
    service = host.split(".")[0]
    tr.filters.append(
        Filter(
            type="RequestMirror",
            config={"backendRef": {"name": service, "port": urlsplit(value).port or 80}},
        )
    )
    tr.ctx.review(
        ref, key, f"→ RequestMirror to Service {service}; check the port", "RequestMirror"
    )


def _tracing(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if _truthy(value):
        tr.policies.append(
            PolicyRequest(
                "ObservabilityPolicy",
                {"tracing": {"strategy": "ratio"}},
                api_version="gateway.nginx.org/v1alpha2",
                confidence="medium",
                note="needs tracing enabled in NginxProxy",
            )
        )
        tr.ctx.review(
            ref,
            key,
            "→ ObservabilityPolicy (enable telemetry in NginxProxy)",
            "ObservabilityPolicy",
        )
    else:
        tr.ctx.mapped(ref, key, "tracing off")


def _buffering(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    if key.endswith("proxy-buffering"):
        spec: dict[str, object] = {"disable": value.strip().lower() == "off"}
    elif key.endswith("proxy-buffer-size"):
        spec = {"bufferSize": nginx_size(value)}
    else:
        spec = {"buffers": {"number": int(value), "size": "4k"}}
    tr.policies.append(
        PolicyRequest(
            "ProxySettingsPolicy", {"buffering": spec}, confidence="medium", note="NGF 2.4+"
        )
    )
    tr.ctx.mapped(ref, key, "→ ProxySettingsPolicy buffering", "ProxySettingsPolicy")


def _canary_part(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
    tr.ctx.mapped(ref, key, "canary: folded into the main Ingress's route")


def _msg(status: str, message: str) -> Handler:
    def handle(tr: IngressTranslation, key: str, value: str, ref: str) -> None:
        tr.ctx.note(ref, key, status, message)  # type: ignore[arg-type]

    return handle


_UNSUP = "no NGF equivalent; not carried over"
HANDLERS: dict[str, Handler] = {
    "canary": _canary_part,
    "canary-weight": _canary_part,
    "canary-weight-total": _canary_part,
    "canary-by-header": _canary_part,
    "canary-by-header-value": _canary_part,
    "canary-by-header-pattern": _canary_part,
    "canary-by-cookie": _canary_part,
    "rewrite-target": _rewrite_target,
    "use-regex": _use_regex,
    "ssl-redirect": _ssl_redirect,
    "force-ssl-redirect": _ssl_redirect,
    "backend-protocol": _backend_protocol,
    "proxy-ssl-secret": _proxy_ssl,
    "proxy-ssl-verify": _proxy_ssl,
    "proxy-ssl-name": _proxy_ssl,
    "proxy-ssl-server-name": _proxy_ssl,
    "proxy-ssl-verify-depth": _proxy_ssl,
    "proxy-ssl-protocols": _msg("unsupported", _UNSUP),
    "proxy-ssl-ciphers": _msg("unsupported", _UNSUP),
    "enable-cors": _cors,
    "cors-allow-origin": _cors,
    "cors-allow-methods": _cors,
    "cors-allow-headers": _cors,
    "cors-allow-credentials": _cors,
    "cors-expose-headers": _cors,
    "cors-max-age": _cors,
    "proxy-connect-timeout": _timeout,
    "proxy-read-timeout": _timeout,
    "proxy-send-timeout": _timeout,
    "proxy-body-size": _body_size,
    "client-body-buffer-size": _body_size,
    "whitelist-source-range": _source_range,
    "allowlist-source-range": _source_range,
    "denylist-source-range": _source_range,
    "affinity": _affinity,
    "affinity-mode": _affinity,
    "session-cookie-name": _affinity,
    "session-cookie-path": _affinity,
    "session-cookie-domain": _affinity,
    "session-cookie-samesite": _affinity,
    "session-cookie-expires": _affinity,
    "session-cookie-max-age": _affinity,
    "session-cookie-secure": _affinity,
    "configuration-snippet": _snippet("http.server.location"),
    "server-snippet": _snippet("http.server"),
    "limit-rps": _limit,
    "limit-rpm": _limit,
    "limit-burst-multiplier": _limit,
    "limit-connections": _msg("unsupported", "connection limits have no NGF equivalent"),
    "auth-type": _auth,
    "auth-secret": _auth,
    "auth-secret-type": _auth,
    "auth-realm": _auth,
    "auth-url": _msg(
        "unsupported", "external auth: NGF has no auth_request equivalent; not carried over"
    ),
    "auth-signin": _msg("unsupported", "external auth sign-in: not carried over"),
    "auth-response-headers": _msg("unsupported", "external auth headers: not carried over"),
    "auth-method": _msg("unsupported", "external auth: not carried over"),
    "auth-snippet": _msg("unsupported", "external auth snippet: not carried over"),
    "permanent-redirect": _redirect(PREFIX + "permanent-redirect-code", 301),
    "permanent-redirect-code": _msg("mapped", "folded into the RequestRedirect status code"),
    "temporal-redirect": _redirect(PREFIX + "temporal-redirect-code", 302),
    "temporal-redirect-code": _msg("mapped", "folded into the RequestRedirect status code"),
    "app-root": _app_root,
    "server-alias": _server_alias,
    "x-forwarded-prefix": _header("X-Forwarded-Prefix"),
    "connection-proxy-header": _header("Connection"),
    "upstream-vhost": _upstream_vhost,
    "custom-headers": _custom_headers,
    "ssl-passthrough": _passthrough,
    "mirror-target": _mirror,
    "mirror-request-body": _msg("review", "NGF mirrors the body with the request"),
    "enable-opentelemetry": _tracing,
    "enable-opentracing": _tracing,
    "proxy-buffering": _buffering,
    "proxy-buffer-size": _buffering,
    "proxy-buffers-number": _buffering,
    "load-balance": _msg(
        "review", "load balancing: NGF 2.2+ UpstreamSettingsPolicy loadBalancingMethod; set by hand"
    ),
    "upstream-hash-by": _msg(
        "review", "hash balancing: UpstreamSettingsPolicy loadBalancingMethod hash (NGF 2.2+)"
    ),
    "service-upstream": _msg("unsupported", "NGF always balances across endpoints"),
    "enable-access-log": _msg(
        "review", "access logs are configured for the whole NGINX (NginxProxy)"
    ),
    "ssl-handshake-timeout": _msg("unsupported", _UNSUP),
    "ssl-alpn": _msg("unsupported", _UNSUP),
    "ssl-ciphers": _msg("unsupported", "no per-listener ciphers in NGF"),
    "ssl-prefer-server-ciphers": _msg("unsupported", "no per-listener ciphers in NGF"),
    "proxy-next-upstream": _msg("unsupported", _UNSUP),
    "proxy-next-upstream-timeout": _msg("unsupported", _UNSUP),
    "proxy-next-upstream-tries": _msg("unsupported", _UNSUP),
    "proxy-request-buffering": _msg("unsupported", _UNSUP),
    "proxy-http-version": _msg("unsupported", _UNSUP),
    "proxy-redirect-from": _msg("unsupported", _UNSUP),
    "proxy-redirect-to": _msg("unsupported", _UNSUP),
    "proxy-cookie-domain": _msg("unsupported", _UNSUP),
    "proxy-cookie-path": _msg("unsupported", _UNSUP),
    "default-backend": _msg("review", "custom default backend: add a catch-all rule by hand"),
    "custom-http-errors": _msg("unsupported", "custom error pages have no Gateway API equivalent"),
    "enable-modsecurity": _msg("enterprise", "ModSecurity → F5 WAF (WAFPolicy, NGF Enterprise)"),
    "enable-owasp-core-rules": _msg("enterprise", "OWASP rules → F5 WAF (NGF Enterprise)"),
    "modsecurity-snippet": _msg("enterprise", "ModSecurity rules → F5 WAF (NGF Enterprise)"),
    "modsecurity-transaction-id": _msg("enterprise", "ModSecurity → F5 WAF (NGF Enterprise)"),
    "satisfy": _msg("unsupported", _UNSUP),
    "auth-tls-secret": _msg(
        "unsupported", "client certificate auth: Gateway frontend validation; set by hand"
    ),
    "auth-tls-verify-client": _msg("unsupported", "client certificate auth: not carried over"),
    "auth-tls-verify-depth": _msg("unsupported", "client certificate auth: not carried over"),
    "auth-tls-pass-certificate-to-upstream": _msg(
        "unsupported", "client certificate auth: not carried over"
    ),
    "preserve-trailing-slash": _msg("mapped", "Gateway API redirects keep the path as given"),
    "from-to-www-redirect": _msg("review", "add a redirect route for the www host by hand"),
    "http2-push-preload": _msg("unsupported", "HTTP/2 push is obsolete"),
    "enable-rewrite-log": _msg("unsupported", _UNSUP),
    "x-forwarded-port": _msg("unsupported", _UNSUP),
}


def _apply(tr: IngressTranslation) -> None:
    ref, ctx = tr.ref, tr.ctx
    # rewrite-target after use-regex (it may undo regex mode for the strip-prefix idiom).
    items = sorted(
        tr.doc.annotations.items(), key=lambda kv: (kv[0].endswith("rewrite-target"), kv[0])
    )
    for key, value in items:
        if not key.startswith(PREFIX):
            continue
        handler = HANDLERS.get(key.removeprefix(PREFIX))
        if handler is None:
            ctx.unsupported(ref, key, "annotation not translated; not carried over")
            continue
        try:
            handler(tr, key, value, ref)
        except (ValueError, TypeError) as exc:
            ctx.unsupported(ref, key, f"value {value!r} not understood ({exc})")


def convert(ctx: ConversionContext, docs: list[SourceDoc]) -> list[IngressTranslation]:
    """Translate community ingress-nginx Ingresses; canaries merge into their main route."""
    out: list[IngressTranslation] = []
    canaries = [d for d in docs if _truthy(d.annotations.get(CANARY, ""))]
    for doc in docs:
        if doc in canaries:
            continue
        ctx.register(doc)
        tr = IngressTranslation(doc=doc, ctx=ctx)
        tr.read_spec()
        _apply(tr)
        tr.build()
        out.append(tr)
    for doc in canaries:
        _canary(ctx, doc)
    return out


def _canary(ctx: ConversionContext, doc: SourceDoc) -> None:
    ref = ctx.register(doc)
    tr = IngressTranslation(doc=doc, ctx=ctx)
    tr.read_spec()
    ann = doc.annotations
    for key in sorted(ann):
        if key.startswith(PREFIX) and not key.removeprefix(PREFIX).startswith("canary"):
            ctx.unsupported(
                ref, key, "annotations of a canary Ingress are ignored by ingress-nginx"
            )
    total = int(ann.get(PREFIX + "canary-weight-total", "100"))
    weight = ann.get(PREFIX + "canary-weight")
    header = ann.get(PREFIX + "canary-by-header")
    cookie = ann.get(PREFIX + "canary-by-cookie")
    for item in tr.paths:
        found = ctx.ingress_paths.get((doc.namespace, item.host, item.path))
        if found is None:
            ctx.review(
                ref,
                item.source_path,
                f"no main Ingress for {item.host}{item.path}; canary not carried over",
            )
            continue
        route, index = found
        main = route.rules[index]
        canary_backend = Backend(name=item.service, port=item.port)
        if header or cookie:
            match = main.matches[0].model_copy(deep=True) if main.matches else Match()
            if header:
                value = ann.get(PREFIX + "canary-by-header-value")
                pattern = ann.get(PREFIX + "canary-by-header-pattern")
                if value:
                    match.headers.append(ValueMatch(name=header, value=value))
                elif pattern:
                    match.headers.append(
                        ValueMatch(name=header, value=pattern, type="RegularExpression")
                    )
                else:
                    match.headers.append(ValueMatch(name=header, value="always"))
                ctx.mapped(ref, PREFIX + "canary-by-header", f"→ header match rule in {route.name}")
            else:
                assert cookie is not None
                match.headers.append(
                    ValueMatch(
                        name="Cookie",
                        value=f"(^|.*;\\s*){re.escape(cookie)}=always(;.*|$)",
                        type="RegularExpression",
                    )
                )
                ctx.review(
                    ref, PREFIX + "canary-by-cookie", f"→ Cookie header regex match in {route.name}"
                )
            route.rules.insert(
                index,
                main.model_copy(
                    update={"matches": [match], "backends": [canary_backend]}, deep=True
                ),
            )
            found_key = (doc.namespace, item.host, item.path)
            ctx.ingress_paths[found_key] = (route, index + 1)
            main = route.rules[index + 1]
        if weight is not None:
            w = int(weight)
            for b in main.backends:
                b.weight = total - w
            main.backends.append(canary_backend.model_copy(update={"weight": w}))
            ctx.mapped(
                ref,
                PREFIX + "canary-weight",
                f"→ weighted backendRefs {total - w}/{w} in {route.name}",
            )
    reported = {f.path for f in ctx.ir.findings if f.source == ref}
    for key in sorted(ann):
        if key.startswith(PREFIX + "canary") and key not in reported:
            ctx.mapped(ref, key, "canary setting folded into the main Ingress's route")
    ctx.leftovers(ref, doc.obj, {"apiVersion", "kind", "metadata", "spec", "status"}, "")
