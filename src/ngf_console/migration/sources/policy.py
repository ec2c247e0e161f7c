"""NGINX Ingress Controller ``Policy`` (k8s.nginx.org/v1) → NGF policies and filters.

A Policy does nothing by itself: a VirtualServer (``spec.policies``, ``routes[].policies``) or an
Ingress (``nginx.org/policies``) references it. :func:`policy_effect` says what referencing
it means for the referrer: NGF policies to attach, NGF filters to reference, route filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ngf_console.migration.context import ConversionContext, SourceDoc
from ngf_console.migration.ir import Filter
from ngf_console.migration.sources.ingress_common import PolicyRequest

POLICY_TYPES = (
    "accessControl",
    "rateLimit",
    "jwt",
    "basicAuth",
    "ingressMTLS",
    "egressMTLS",
    "oidc",
    "waf",
    "apiKey",
    "cors",
    "externalAuth",
)


@dataclass
class Extension:
    """An NGF filter (SnippetsFilter, AuthenticationFilter) to create and reference."""

    kind: str
    suffix: str
    spec: dict[str, Any]
    note: str | None = None


@dataclass
class PolicyEffect:
    """What referencing a Policy adds to the referrer."""

    policies: list[PolicyRequest] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    backend_tls: list[dict[str, Any]] = field(default_factory=list)


def register_policies(ctx: ConversionContext, docs: list[SourceDoc]) -> None:
    """Index Policy documents by (namespace, name) and report their unknown types."""
    for doc in docs:
        ref = ctx.register(doc)
        ctx.policies[(doc.namespace, doc.name)] = doc
        ctx.leftovers(ref, doc.spec, set(POLICY_TYPES), "spec")
        if not any(key in doc.spec for key in POLICY_TYPES):
            ctx.unsupported(ref, "spec", "Policy without a known policy type")


def resolve(
    ctx: ConversionContext, namespace: str, reference: dict[str, Any] | str
) -> SourceDoc | None:
    """The Policy a reference (``{name, namespace}`` or ``"ns/name"``) names, if given."""
    if isinstance(reference, str):
        ns, _, name = reference.rpartition("/")
        key = (ns or namespace, name)
    else:
        key = (str(reference.get("namespace") or namespace), str(reference.get("name")))
    return ctx.policies.get(key)


def policy_effect(ctx: ConversionContext, policy: SourceDoc, user: str, path: str) -> PolicyEffect:
    """Translate one Policy as used by ``user`` at ``path``; findings go to both resources."""
    effect = PolicyEffect()
    spec, pref = policy.spec, policy.ref
    where = f"{path} → {pref}"
    if acl := spec.get("accessControl"):
        lines = [f"allow {a};" for a in acl.get("allow") or []]
        lines += [f"deny {d};" for d in acl.get("deny") or []]
        if acl.get("allow"):
            lines.append("deny all;")
        effect.extensions.append(
            Extension(
                "SnippetsFilter",
                "access",
                {"snippets": [{"context": "http.server.location", "value": "\n".join(lines)}]},
                "access control as allow/deny snippets; NGF has no access-control policy",
            )
        )
        ctx.review(user, where, "accessControl → SnippetsFilter allow/deny", "SnippetsFilter")
        ctx.review(pref, "spec.accessControl", "→ SnippetsFilter (allow/deny)", "SnippetsFilter")
    if rl := spec.get("rateLimit"):
        rule: dict[str, Any] = {
            "rate": rl.get("rate", "10r/s"),
            "key": rl.get("key", "$binary_remote_addr"),
            "zoneSize": rl.get("zoneSize", "10m"),
        }
        if "burst" in rl:
            rule["burst"] = int(rl["burst"])
        effect.policies.append(
            PolicyRequest("RateLimitPolicy", {"rateLimit": {"local": {"rules": [rule]}}})
        )
        ctx.mapped(user, where, "rateLimit → RateLimitPolicy", "RateLimitPolicy")
        ctx.mapped(pref, "spec.rateLimit", "→ RateLimitPolicy local rule", "RateLimitPolicy")
        for key in sorted(set(rl) - {"rate", "key", "zoneSize", "burst"}):
            ctx.review(
                pref, f"spec.rateLimit.{key}", "not carried over; set it on the RateLimitPolicy"
            )
    if basic := spec.get("basicAuth"):
        auth: dict[str, Any] = {"secretRef": {"name": basic.get("secret")}}
        if basic.get("realm"):
            auth["realm"] = basic["realm"]
        effect.extensions.append(
            Extension("AuthenticationFilter", "basic-auth", {"type": "Basic", "basic": auth})
        )
        ctx.mapped(user, where, "basicAuth → AuthenticationFilter", "AuthenticationFilter")
        ctx.mapped(pref, "spec.basicAuth", "→ AuthenticationFilter type Basic")
    if jwt := spec.get("jwt"):
        conf: dict[str, Any] = {"realm": jwt.get("realm") or "protected"}
        if jwt.get("secret"):
            conf |= {"source": "File", "file": {"secretRef": {"name": jwt["secret"]}}}
        else:
            conf |= {"source": "Remote", "remote": {"url": jwt.get("jwksURI", "")}}
        effect.extensions.append(
            Extension(
                "AuthenticationFilter",
                "jwt",
                {"type": "JWT", "jwt": conf},
                "JWT authentication needs NGINX Plus (NGF Enterprise)",
            )
        )
        ctx.enterprise(user, where, "jwt → AuthenticationFilter JWT (NGINX Plus)")
        ctx.enterprise(pref, "spec.jwt", "→ AuthenticationFilter type JWT (NGINX Plus)")
        for key in sorted(set(jwt) - {"realm", "secret", "jwksURI"}):
            ctx.review(pref, f"spec.jwt.{key}", "not carried over; check the AuthenticationFilter")
    if oidc := spec.get("oidc"):
        conf = {
            "issuer": oidc.get("authEndpoint", ""),
            "clientID": oidc.get("clientID", ""),
            "clientSecretRef": {"name": oidc.get("clientSecret", "")},
        }
        effect.extensions.append(
            Extension(
                "AuthenticationFilter",
                "oidc",
                {"type": "OIDC", "oidc": conf},
                "OIDC needs NGINX Plus; issuer derived from authEndpoint, check it",
            )
        )
        ctx.enterprise(user, where, "oidc → AuthenticationFilter OIDC (NGINX Plus)")
        ctx.enterprise(pref, "spec.oidc", "→ AuthenticationFilter OIDC; verify the issuer URL")
    if waf := spec.get("waf"):
        ctx.enterprise(user, where, "waf → WAFPolicy (F5 WAF for NGINX, NGF Enterprise)")
        ctx.enterprise(
            pref,
            "spec.waf",
            f"→ WAFPolicy referencing APPolicy {waf.get('apPolicy', '?')} (NGF Enterprise)",
            "WAFPolicy",
        )
        effect.policies.append(
            PolicyRequest(
                "WAFPolicy",
                {
                    "type": "PLM",
                    "policyRef": {"apPolicyRef": {"name": str(waf.get("apPolicy", ""))}},
                },
                confidence="low",
                note="F5 WAF: the APPolicy must exist under PLM; security logs not carried over",
            )
        )
    if emtls := spec.get("egressMTLS"):
        validation: dict[str, Any] = {"hostname": emtls.get("sslName") or "backend"}
        if emtls.get("trustedCertSecret"):
            validation["caCertificateRefs"] = [
                {"group": "", "kind": "ConfigMap", "name": emtls["trustedCertSecret"]}
            ]
        else:
            validation["wellKnownCACertificates"] = "System"
        effect.backend_tls.append(validation)
        ctx.review(
            pref,
            "spec.egressMTLS",
            "→ BackendTLSPolicy (server verification); the CA must be in a ConfigMap "
            "of that name; client certificate (tlsSecret) not carried over",
            "BackendTLSPolicy",
        )
        ctx.review(user, where, "egressMTLS → BackendTLSPolicy", "BackendTLSPolicy")
    if cors := spec.get("cors"):
        effect.filters.append(Filter(type="CORS", config=_cors(cors)))
        ctx.mapped(pref, "spec.cors", "→ HTTPRoute CORS filter", "CORS filter")
    for name in ("ingressMTLS", "apiKey", "externalAuth"):
        if name in spec:
            ctx.unsupported(user, where, f"{name}: no NGF equivalent; not carried over")
            ctx.unsupported(pref, f"spec.{name}", "no NGF equivalent; not carried over")
    return effect


def _cors(cors: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for src, dst in (
        ("allowOrigins", "allowOrigins"),
        ("allowMethods", "allowMethods"),
        ("allowHeaders", "allowHeaders"),
        ("exposeHeaders", "exposeHeaders"),
    ):
        if cors.get(src):
            out[dst] = list(cors[src])
    if "allowCredentials" in cors:
        out["allowCredentials"] = bool(cors["allowCredentials"])
    if "maxAge" in cors:
        out["maxAge"] = int(cors["maxAge"])
    return out
