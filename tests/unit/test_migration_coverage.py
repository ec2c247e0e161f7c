"""Every annotation ingress2gateway's ``nginx`` and ``ingress-nginx`` providers translate is
handled explicitly by ours: translated, or reported with the reason (never "unknown")."""

from __future__ import annotations

import pytest

from ngf_console.migration import plan_text

# kubernetes-sigs/ingress2gateway pkg/i2gw/providers/nginx/annotations/constants.go
I2GW_NGINX = [
    "nginx.org/rewrites",
    "nginx.org/redirect-to-https",
    "nginx.org/proxy-hide-headers",
    "nginx.org/proxy-pass-headers",
    "nginx.org/proxy-set-headers",
    "nginx.org/listen-ports",
    "nginx.org/listen-ports-ssl",
    "nginx.org/ssl-services",
    "nginx.org/grpc-services",
    "nginx.org/websocket-services",
    "nginx.org/path-regex",
    "ingress.kubernetes.io/ssl-redirect",
    "nginx.org/hsts",
    "nginx.org/hsts-include-subdomains",
    "nginx.org/hsts-max-age",
]
# kubernetes-sigs/ingress2gateway pkg/i2gw/providers/ingressnginx (README + feature files)
_C = "nginx.ingress.kubernetes.io/"
I2GW_INGRESS_NGINX = [
    _C + a
    for a in [
        "canary",
        "canary-by-header",
        "canary-by-header-value",
        "canary-by-header-pattern",
        "canary-weight",
        "canary-weight-total",
        "client-body-buffer-size",
        "proxy-body-size",
        "enable-cors",
        "cors-allow-origin",
        "cors-allow-credentials",
        "cors-allow-headers",
        "cors-expose-headers",
        "cors-allow-methods",
        "cors-max-age",
        "limit-rps",
        "limit-rpm",
        "limit-burst-multiplier",
        "proxy-send-timeout",
        "proxy-read-timeout",
        "proxy-connect-timeout",
        "auth-url",
        "auth-response-headers",
        "auth-type",
        "auth-secret",
        "auth-secret-type",
        "backend-protocol",
        "load-balance",
        "service-upstream",
        "proxy-ssl-secret",
        "proxy-ssl-verify",
        "proxy-ssl-name",
        "proxy-ssl-server-name",
        "enable-access-log",
        "affinity",
        "session-cookie-name",
        "session-cookie-path",
        "session-cookie-domain",
        "session-cookie-samesite",
        "session-cookie-expires",
        "session-cookie-max-age",
        "session-cookie-secure",
        "ssl-redirect",
        "force-ssl-redirect",
        "ssl-passthrough",
        "use-regex",
        "rewrite-target",
        "permanent-redirect",
        "temporal-redirect",
        "app-root",
        "server-alias",
        "whitelist-source-range",
        "denylist-source-range",
        "x-forwarded-prefix",
        "upstream-vhost",
        "connection-proxy-header",
        "custom-headers",
        "ssl-handshake-timeout",
        "ssl-alpn",
    ]
]
# Where NGF has no equivalent at all, ours reports it (ingress2gateway emits kgateway CRDs).
NO_NGF_EQUIVALENT = {
    _C + "auth-url",
    _C + "auth-response-headers",
    _C + "service-upstream",
    _C + "ssl-handshake-timeout",
    _C + "ssl-alpn",
}
VALUES = {
    "nginx.org/rewrites": "serviceName=web rewrite=/",
    "nginx.org/listen-ports": "8080",
    "nginx.org/listen-ports-ssl": "8443",
    "nginx.org/path-regex": "case_sensitive",
    _C + "backend-protocol": "HTTPS",
    _C + "affinity": "cookie",
    _C + "auth-type": "basic",
    _C + "limit-rps": "5",
    _C + "limit-rpm": "300",
    _C + "limit-burst-multiplier": "2",
    _C + "canary-weight": "10",
    _C + "canary-weight-total": "100",
    _C + "cors-max-age": "60",
    _C + "permanent-redirect": "https://example.com/",
    _C + "temporal-redirect": "https://example.com/",
    _C + "app-root": "/app",
    _C + "custom-headers": "shop/headers",
}


def _ingress(key: str) -> str:
    value = VALUES.get(key, "true")
    return f"""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    {key}: "{value}"
spec:
  tls: [{{hosts: [shop.example.com], secretName: tls}}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {{path: /, pathType: Prefix, backend: {{service: {{name: web, port: {{number: 80}}}}}}}}
"""


@pytest.mark.parametrize("key", I2GW_NGINX + I2GW_INGRESS_NGINX)
def test_annotation_is_handled(key: str) -> None:
    result = plan_text(_ingress(key))
    items = [
        (status, item)
        for r in result.report.resources
        for status, items in (
            ("mapped", r.direct_mappings),
            ("review", r.needs_review),
            ("unsupported", r.unsupported),
            ("enterprise", r.enterprise_only),
        )
        for item in items
        if item.path == key or item.path.startswith(key + "[")
    ]
    assert items, f"{key} is not in the report"
    assert all("unknown" not in i.message and "not translated" not in i.message for _, i in items)
    statuses = {s for s, _ in items}
    if key in NO_NGF_EQUIVALENT:
        assert statuses <= {"unsupported", "review"}
    else:
        assert statuses - {"unsupported"}, f"{key} only reported as unsupported: {items}"
