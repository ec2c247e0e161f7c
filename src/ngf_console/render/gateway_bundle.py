"""GatewayBundle -> Gateway, NginxProxy, WAF policy, SnippetsFilters and TLS Secrets.

Pure and deterministic: the same bundle, options and capabilities always give the same
manifests in the same order. Apply order is the list order:

1. ``Secret`` ``{bundle}-{listener}-tls`` (type ``kubernetes.io/tls``) per listener with an
   inline certificate, checked first (:mod:`ngf_console.render.tls`): a bad pair raises
   :class:`RenderError` and nothing is rendered.
2. ``NginxProxy`` ``{bundle}-proxy`` (``gateway.nginx.org/v1alpha2``, NGF 2.x) when the bundle
   sets ``nginxProxy`` or ``infrastructure`` (or WAF is rendered). It comes before the Gateway
   so NGF provisions the data plane with it instead of re-rolling it. NGF 2.x keeps data plane
   replicas and resources in ``spec.kubernetes.deployment``.
3. ``Gateway`` ``{bundle}`` (``gateway.networking.k8s.io/v1``); its
   ``spec.infrastructure.parametersRef`` names the NginxProxy when one is rendered.
4. WAF (Enterprise only): ``WAFPolicy`` ``{bundle}-waf`` (``gateway.nginx.org/v1alpha1``,
   NGF >= 2.6, ``type: PLM``) attached to the Gateway, referencing the APPolicy named by
   ``waf.policyRef``, or, for an inline policy, an ``APPolicy`` ``{bundle}-waf``
   (``appprotect.f5.com/v1``, F5 WAF Policy Lifecycle Management) built from ``mode``,
   ``violationRatingThreshold`` and ``botDefense``.
5. ``SnippetsFilter`` ``{bundle}-snippets-{http|server|location}`` (``gateway.nginx.org/
   v1alpha1``), one per context, entries of the same context joined in order (NGF allows one
   snippet per context and filter). Routes use them through an ``ExtensionRef`` filter.

Edition: F5 WAF for NGINX needs NGINX Plus, so the WAF children are rendered only when
``options.edition == "enterprise"``; otherwise they are listed in :attr:`RenderResult.withheld`
with the reason. NginxProxy and SnippetsFilter are part of NGF OSS and are always rendered
(spec §3.1 greys their builders out on OSS; NGF itself serves them in both editions).

NGF 1.x (NginxProxy ``v1alpha1``, as installed by the local sandbox) has a cluster-scoped
NginxProxy that only a GatewayClass can reference, and no WAFPolicy; with
``NgfCapabilities(nginx_proxy_version="v1alpha1")`` those children are withheld, not rendered.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from ngf_console.crd.gateway_bundle import (
    BundleListenerSpec,
    GatewayBundle,
    GatewayBundleSpec,
    WAFPolicySpec,
)
from ngf_console.render.capabilities import (
    AP_POLICY_API_VERSION,
    NGF_GROUP,
    WAF_POLICY_API_VERSION,
    NgfCapabilities,
)
from ngf_console.render.common import Manifest, child_metadata, parent_name, parent_namespace
from ngf_console.render.errors import RenderError
from ngf_console.render.options import RenderOptions
from ngf_console.render.result import RenderResult, Withheld
from ngf_console.render.tls import check_tls_pair, tls_secret

__all__ = [
    "ENTERPRISE_REASON",
    "NgfCapabilities",
    "RenderResult",
    "Withheld",
    "render",
]

GATEWAY_API_VERSION: Final = "gateway.networking.k8s.io/v1"
SNIPPETS_FILTER_API_VERSION: Final = f"{NGF_GROUP}/v1alpha1"
ENTERPRISE_REASON: Final = "requires NGINX Gateway Fabric Enterprise"
# SnippetSpec.context -> NGF SnippetsFilter context.
SNIPPET_CONTEXTS: Final = {
    "http": "http",
    "server": "http.server",
    "location": "http.server.location",
}
MAX_WORKER_CONNECTIONS: Final = 65535  # NginxProxy v1alpha2 spec.workerConnections maximum
MAX_NAME: Final = 253


def _child(bundle: GatewayBundle, api_version: str, kind: str, name: str, spec: Any) -> Manifest:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": child_metadata(bundle, name),
        "spec": spec,
    }


def _check_name(name: str, path: str) -> str:
    if len(name) > MAX_NAME:
        raise RenderError(f"child name {name[:40]}... is longer than {MAX_NAME}", field_path=path)
    return name


def _secret_name(bundle: GatewayBundle, listener: BundleListenerSpec) -> str:
    return f"{parent_name(bundle)}-{listener.name}-tls"


def _tls_secrets(bundle: GatewayBundle, warnings: list[str]) -> list[Manifest]:
    """Checked kubernetes.io/tls Secrets for the listeners with inline certificates."""
    secrets: list[Manifest] = []
    for i, listener in enumerate(bundle.spec.listeners):
        inline = listener.tls.inline_cert if listener.tls else None
        if inline is None:
            continue
        path = f"spec.listeners[{i}].tls.inlineCert"
        info = check_tls_pair(inline.certificate, inline.private_key, field_path=path)
        warnings.extend(f"{path}: {w}" for w in info.warnings)
        if listener.hostname and not info.covers(listener.hostname):
            names = ", ".join(info.dns_names) or info.subject
            warnings.append(f"{path}: certificate ({names}) does not cover {listener.hostname}")
        name = _check_name(_secret_name(bundle, listener), f"spec.listeners[{i}].name")
        meta = child_metadata(bundle, name)
        secrets.append(tls_secret(meta, inline.certificate, inline.private_key, info))
    return secrets


def _listener(bundle: GatewayBundle, index: int, warnings: list[str]) -> dict[str, Any]:
    spec = bundle.spec
    lst = spec.listeners[index]
    out: dict[str, Any] = {"name": lst.name, "port": lst.port, "protocol": lst.protocol}
    if lst.hostname:
        out["hostname"] = lst.hostname
    if lst.tls is not None:
        tls: dict[str, Any] = {"mode": lst.tls.mode}
        refs: list[dict[str, str]] = []
        if lst.tls.inline_cert is not None:
            refs.append({"group": "", "kind": "Secret", "name": _secret_name(bundle, lst)})
        elif lst.tls.certificate_ref is not None:
            ref = lst.tls.certificate_ref
            entry = {"group": "", "kind": "Secret", "name": ref.name}
            if ref.namespace:
                entry["namespace"] = ref.namespace
                if ref.namespace != parent_namespace(bundle):
                    warnings.append(
                        f"spec.listeners[{index}].tls.certificateRef: a Secret in namespace "
                        f"{ref.namespace} needs a ReferenceGrant there allowing Gateways from "
                        f"{parent_namespace(bundle)}"
                    )
            refs.append(entry)
        if refs:
            tls["certificateRefs"] = refs
        out["tls"] = tls
    if spec.allowed_routes is not None:
        namespaces: dict[str, Any] = {"from": spec.allowed_routes.namespaces}
        if spec.allowed_routes.selector is not None:
            namespaces["selector"] = spec.allowed_routes.selector.model_dump(
                mode="json", by_alias=True, exclude_none=True
            )
        out["allowedRoutes"] = {"namespaces": namespaces}
    return out


def _gateway(bundle: GatewayBundle, proxy: str | None, warnings: list[str]) -> Manifest:
    spec: dict[str, Any] = {
        "gatewayClassName": bundle.spec.gateway_class_name,
        "listeners": [_listener(bundle, i, warnings) for i in range(len(bundle.spec.listeners))],
    }
    if proxy is not None:
        spec["infrastructure"] = {
            "parametersRef": {"group": NGF_GROUP, "kind": "NginxProxy", "name": proxy}
        }
    return _child(bundle, GATEWAY_API_VERSION, "Gateway", parent_name(bundle), spec)


def _merge(base: dict[str, Any], typed: dict[str, Any], path: str, warnings: list[str]) -> None:
    """Deep-merge the typed settings over ``additionalConfig``; typed fields win, with a note."""
    for key, value in typed.items():
        here = f"{path}.{key}"
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, here, warnings)
            continue
        if key in base and base[key] != value:
            warnings.append(f"{here} is overridden by the bundle's own setting")
        base[key] = value


def _nginx_proxy_spec(spec: GatewayBundleSpec, waf: bool, warnings: list[str]) -> dict[str, Any]:
    """NginxProxy v1alpha2 spec: additionalConfig, then the typed fields over it."""
    typed: dict[str, Any] = {}
    proxy, infra = spec.nginx_proxy, spec.infrastructure
    if proxy is not None and proxy.worker_connections is not None:
        if proxy.worker_connections > MAX_WORKER_CONNECTIONS:
            raise RenderError(
                f"NGINX Gateway Fabric allows at most {MAX_WORKER_CONNECTIONS} worker connections",
                field_path="spec.nginxProxy.workerConnections",
            )
        typed["workerConnections"] = proxy.worker_connections
    if proxy is not None and proxy.worker_processes is not None:
        warnings.append(
            "spec.nginxProxy.workerProcesses: ignored; NGINX Gateway Fabric's NginxProxy has no "
            "worker processes setting (NGF runs worker_processes auto, one per CPU of the pod)"
        )
    deployment: dict[str, Any] = {}
    if infra is not None and infra.replicas is not None:
        deployment["replicas"] = infra.replicas
    if infra is not None and infra.resources is not None:
        resources = infra.resources.model_dump(mode="json", by_alias=True, exclude_none=True)
        if resources:
            deployment["container"] = {"resources": resources}
    if deployment:
        typed["kubernetes"] = {"deployment": deployment}
    if waf:
        typed["waf"] = {"enable": True}
    merged = copy.deepcopy(proxy.additional_config or {}) if proxy is not None else {}
    _merge(merged, typed, "spec.nginxProxy.additionalConfig", warnings)
    return merged


def _snippets_filters(bundle: GatewayBundle) -> list[Manifest]:
    grouped: dict[str, list[str]] = {}
    for i, snippet in enumerate(bundle.spec.snippets or []):
        content = snippet.content.strip()
        if not content:
            raise RenderError("snippet is blank", field_path=f"spec.snippets[{i}].content")
        grouped.setdefault(snippet.context, []).append(content)
    filters: list[Manifest] = []
    for context, ngf_context in SNIPPET_CONTEXTS.items():
        if context not in grouped:
            continue
        name = _check_name(f"{parent_name(bundle)}-snippets-{context}", "metadata.name")
        value = "\n".join(grouped[context])
        spec = {"snippets": [{"context": ngf_context, "value": value}]}
        filters.append(_child(bundle, SNIPPETS_FILTER_API_VERSION, "SnippetsFilter", name, spec))
    return filters


def _ap_policy(
    bundle: GatewayBundle, waf: WAFPolicySpec, name: str, warnings: list[str]
) -> Manifest:
    """An inline F5 WAF policy as a PLM APPolicy, from the NGINX base template."""
    policy: dict[str, Any] = {
        "name": name,
        "template": {"name": "POLICY_TEMPLATE_NGINX_BASE"},
        "applicationLanguage": "utf-8",
    }
    if waf.mode is not None:
        policy["enforcementMode"] = "blocking" if waf.mode == "enforce" else "transparent"
    if waf.bot_defense is not None:
        policy["bot-defense"] = {"settings": {"isEnabled": waf.bot_defense}}
    threshold = waf.violation_rating_threshold
    if threshold is not None:
        # F5 WAF rates requests 1-5 and raises VIOL_RATING_NEED_EXAMINATION for 3 and
        # VIOL_RATING_THREAT for 4-5; those are the two blocking knobs a policy has.
        if threshold in (1, 2, 5):
            warnings.append(
                f"spec.waf.violationRatingThreshold: F5 WAF can block from rating 3 or from "
                f"rating 4; {threshold} is applied as {3 if threshold < 3 else 4}"
            )
        policy["blocking-settings"] = {
            "violations": [
                {"name": "VIOL_RATING_NEED_EXAMINATION", "alarm": True, "block": threshold <= 3},
                {"name": "VIOL_RATING_THREAT", "alarm": True, "block": True},
            ]
        }
    return _child(bundle, AP_POLICY_API_VERSION, "APPolicy", name, {"policy": policy})


def _waf(
    bundle: GatewayBundle, options: RenderOptions, ngf: NgfCapabilities, result: RenderResult
) -> list[Manifest]:
    """WAF children for an Enterprise cluster; otherwise record them as withheld."""
    waf = bundle.spec.waf
    if waf is None:
        return []
    name = _check_name(f"{parent_name(bundle)}-waf", "metadata.name")
    wanted = [("WAFPolicy", WAF_POLICY_API_VERSION)]
    if waf.policy_ref is None:
        wanted.insert(0, ("APPolicy", AP_POLICY_API_VERSION))
    withheld: tuple[str, str] | None = None
    if options.edition == "oss":
        withheld = (ENTERPRISE_REASON, "EnterpriseRequired")
    elif options.edition != "enterprise":
        withheld = (f"{ENTERPRISE_REASON}; the edition is not detected yet", "EditionUnknown")
    elif not ngf.waf_policy:
        withheld = (
            f"the installed NGINX Gateway Fabric does not serve WAFPolicy "
            f"{WAF_POLICY_API_VERSION} (NGF 2.6 or later)",
            "NotServed",
        )
    elif waf.policy_ref is None and not ngf.ap_policy:
        withheld = (
            f"an inline WAF policy needs APPolicy {AP_POLICY_API_VERSION} "
            "(F5 WAF Policy Lifecycle Management), which is not installed",
            "NotServed",
        )
    if withheld is not None:
        result.withheld.extend(Withheld(k, name, v, *withheld) for k, v in wanted)
        return []
    children: list[Manifest] = []
    if waf.policy_ref is None:
        children.append(_ap_policy(bundle, waf, name, result.warnings))
    else:
        settings = {
            "mode": waf.mode,
            "violationRatingThreshold": waf.violation_rating_threshold,
            "botDefense": waf.bot_defense,
        }
        if ignored := [key for key, value in settings.items() if value is not None]:
            result.warnings.append(
                f"spec.waf: {', '.join(ignored)} not applied; the APPolicy {waf.policy_ref} "
                "named by policyRef decides them"
            )
    target = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": parent_name(bundle)}
    ap_ref = {"name": waf.policy_ref or name, "namespace": parent_namespace(bundle)}
    spec = {"type": "PLM", "targetRefs": [target], "policyRef": {"apPolicyRef": ap_ref}}
    children.append(_child(bundle, WAF_POLICY_API_VERSION, "WAFPolicy", name, spec))
    return children


def _nginx_proxy(
    bundle: GatewayBundle, ngf: NgfCapabilities, waf: bool, result: RenderResult
) -> Manifest | None:
    """The bundle's NginxProxy v1alpha2, or None (not asked for, or withheld)."""
    spec = bundle.spec
    if spec.nginx_proxy is None and spec.infrastructure is None and not waf:
        return None
    name = _check_name(f"{parent_name(bundle)}-proxy", "metadata.name")
    if ngf.nginx_proxy_version == "v1alpha2":
        proxy_spec = _nginx_proxy_spec(spec, waf, result.warnings)
        return _child(bundle, f"{NGF_GROUP}/v1alpha2", "NginxProxy", name, proxy_spec)
    reason = (
        "the installed NGINX Gateway Fabric serves only NginxProxy gateway.nginx.org/v1alpha1 "
        "(NGF 1.x): cluster-scoped and read only through the GatewayClass, so per-Gateway "
        "settings need NGF 2.x"
        if ngf.nginx_proxy_version == "v1alpha1"
        else "the installed NGINX Gateway Fabric does not serve NginxProxy"
    )
    result.withheld.append(
        Withheld("NginxProxy", name, f"{NGF_GROUP}/v1alpha2", reason, "NotServed")
    )
    if waf:
        result.warnings.append(
            "spec.waf: the NginxProxy that enables WAF sidecars for this Gateway is withheld; "
            "enable WAF on the GatewayClass's NginxProxy instead"
        )
    return None


def render(
    bundle: GatewayBundle,
    *,
    options: RenderOptions | None = None,
    ngf: NgfCapabilities | None = None,
) -> RenderResult:
    """Render a GatewayBundle's children (see the module docstring for names and order).

    ``options.edition`` gates the Enterprise-only WAF children; ``ngf`` says which NGF APIs
    the cluster serves (default: current NGF 2.x). Raises :class:`RenderError` for a spec that
    cannot become valid children (bad TLS pair, out-of-range value); then nothing is rendered.
    """
    options = options or RenderOptions()
    ngf = ngf or options.ngf
    result = RenderResult()
    secrets = _tls_secrets(bundle, result.warnings)
    waf = _waf(bundle, options, ngf, result)
    proxy = _nginx_proxy(bundle, ngf, any(c["kind"] == "WAFPolicy" for c in waf), result)
    proxy_name = proxy["metadata"]["name"] if proxy is not None else None
    gateway = _gateway(bundle, proxy_name, result.warnings)
    snippets = _snippets_filters(bundle)
    result.manifests.extend([*secrets, *([proxy] if proxy else []), gateway, *waf, *snippets])
    return result
