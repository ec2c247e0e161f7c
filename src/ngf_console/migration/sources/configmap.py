"""The controller's ConfigMap (global settings of NGINX Ingress Controller or ingress-nginx).

Settings with an NGF equivalent become Gateway-wide policies (ClientSettingsPolicy targeting
each generated Gateway); the rest are reported: most are data-plane tuning NGF manages itself
or sets in NginxProxy.
"""

from __future__ import annotations

from ngf_console.migration.context import NGF_API, ConversionContext, SourceDoc, dns_name
from ngf_console.migration.ir import ExtraResource
from ngf_console.migration.sources.ingress_common import nginx_duration, nginx_size

CONTROLLER_NAMES = {
    "nginx-config",
    "nginx-configuration",
    "ingress-nginx-controller",
    "nginx-ingress",
}
CLIENT_KEYS = {
    "client-max-body-size": ("body", "maxSize"),
    "proxy-body-size": ("body", "maxSize"),
    "client-body-timeout": ("body", "timeout"),
    "keepalive-timeout": ("keepAlive", "timeout"),
    "keepalive-requests": ("keepAlive", "requests"),
}
REVIEW = {
    "proxy-connect-timeout": "set HTTPRoute rules[].timeouts per route",
    "proxy-read-timeout": "set HTTPRoute rules[].timeouts per route",
    "proxy-send-timeout": "set HTTPRoute rules[].timeouts per route",
    "server-snippets": "a SnippetsFilter per route, or an NGF SnippetsPolicy (2.4+) on the Gateway",
    "http-snippets": "an NGF SnippetsPolicy (2.4+) on the Gateway",
    "location-snippets": "a SnippetsFilter per route",
    "main-snippets": "an NGF SnippetsPolicy (2.4+)",
    "stream-snippets": "no stream snippets in NGF",
    "log-format": "NginxProxy logging / access log format",
    "access-log-off": "NginxProxy logging",
    "error-log-level": "NginxProxy logging.errorLevel",
    "hsts": "add Strict-Transport-Security with a ResponseHeaderModifier per route",
    "ssl-redirect": "generated routes redirect HTTP to HTTPS where TLS is set",
    "redirect-to-https": "generated routes redirect HTTP to HTTPS where TLS is set",
    "lb-method": "UpstreamSettingsPolicy loadBalancingMethod (NGF 2.2+)",
    "keepalive": "UpstreamSettingsPolicy keepAlive per Service",
    "proxy-buffering": "ProxySettingsPolicy on the Gateway (NGF 2.4+)",
    "proxy-buffers": "ProxySettingsPolicy on the Gateway (NGF 2.4+)",
    "proxy-buffer-size": "ProxySettingsPolicy on the Gateway (NGF 2.4+)",
    "set-real-ip-from": "NginxProxy rewriteClientIP.trustedAddresses",
    "real-ip-header": "NginxProxy rewriteClientIP.mode",
    "real-ip-recursive": "NginxProxy rewriteClientIP.setIPRecursively",
    "use-forwarded-headers": "NginxProxy rewriteClientIP",
    "otel-exporter-endpoint": "NginxProxy telemetry.exporter.endpoint",
    "otel-service-name": "NginxProxy telemetry.serviceName",
    "otel-trace-in-http": "ObservabilityPolicy tracing",
    "enable-opentelemetry": "ObservabilityPolicy tracing + NginxProxy telemetry",
    "http2": "NGF serves HTTP/2 on HTTPS listeners",
    "use-http2": "NGF serves HTTP/2 on HTTPS listeners",
    "disable-ipv6": "NginxProxy ipFamily",
}


def is_controller_config(doc: SourceDoc) -> bool:
    """Whether a ConfigMap is a controller ConfigMap (by its well-known names)."""
    return doc.name in CONTROLLER_NAMES


def convert(ctx: ConversionContext, docs: list[SourceDoc]) -> None:
    """Read controller ConfigMaps; other ConfigMaps are kept for lookups (custom-headers)."""
    for doc in docs:
        data = {str(k): str(v) for k, v in (doc.obj.get("data") or {}).items()}
        if not is_controller_config(doc):
            ctx.config_maps[(doc.namespace, doc.name)] = data
            continue
        ref = ctx.register(doc)
        ctx.config["_source"] = ref
        for key, value in sorted(data.items()):
            path = f"data.{key}"
            if key in CLIENT_KEYS:
                ctx.config[key] = value
                ctx.mapped(
                    ref,
                    path,
                    "→ ClientSettingsPolicy on every generated Gateway",
                    "ClientSettingsPolicy",
                )
            elif key == "default-server-tls-secret" or key == "default-ssl-certificate":
                ctx.config["default-server-tls-secret"] = value
                ctx.review(ref, path, "default certificate for HTTPS listeners without a secret")
            elif key in REVIEW:
                ctx.review(ref, path, f"global setting: {REVIEW[key]}")
            else:
                ctx.unsupported(
                    ref,
                    path,
                    "controller setting with no NGF equivalent (NGF manages NGINX itself)",
                )


def finish(ctx: ConversionContext) -> None:
    """Attach the Gateway-wide client settings to every generated Gateway."""
    spec: dict[str, dict[str, object]] = {}
    for key, (group, field) in CLIENT_KEYS.items():
        if key not in ctx.config:
            continue
        value = ctx.config[key]
        if field == "maxSize":
            converted: object = nginx_size(value)
        elif field == "requests":
            converted = int(value)
        elif field == "timeout" and group == "keepAlive":
            converted = {"server": nginx_duration(value)}
        else:
            converted = nginx_duration(value)
        spec.setdefault(group, {})[field] = converted
    if not spec:
        return
    for ns, gw in sorted(ctx.ir.gateways.items()):
        ctx.resource(
            ExtraResource(
                api_version=NGF_API,
                kind="ClientSettingsPolicy",
                name=dns_name(gw.name, "client-settings"),
                namespace=ns,
                spec={"targetRef": ctx.route_target("Gateway", gw.name), **spec},
                source=ctx.config.get("_source", "ConfigMap"),
            )
        )
