"""Route checks 5 to 7 of :mod:`.route_check`: what sits behind and in front of a route.

- backend health: each backendRef's verdict (kind, ReferenceGrant, existence); a Service
  must have the referenced port and ready pods behind its selector (pods are in the
  snapshot; EndpointSlices are not, so a selector-less Service is a warning here and its
  slices are judged by check 8, :mod:`.reachability`);
  an InferencePool must have ready pods and its endpoint picker Service.
- policy blocks: NGF policies that can refuse requests (WAFPolicy, RateLimitPolicy,
  SnippetsPolicy) in effect on the route's Gateway, listener or the route; policies
  rejected as conflicted; ExtensionRef filters (SnippetsFilter, AuthenticationFilter) —
  one that does not exist makes every matching request a 500 (Gateway API
  ``HTTPRouteFilter``: an unresolvable filter MUST NOT be skipped).
- TLS: the ``certificateRefs`` of the HTTPS (and terminating TLS) listeners the route is
  attached to, read with :func:`ngf_console.readmodel.certificates.inventory`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from ngf_console.gatewayapi.attachment import BackendVerdict, RouteAttachment
from ngf_console.gatewayapi.policies import PolicyAttachment, effective_policies
from ngf_console.gatewayapi.route_check import (
    CheckResult,
    CheckStatus,
    Visible,
    backend_remedy,
    result,
    worst,
)
from ngf_console.gatewayapi.simulate import RoutingTable
from ngf_console.readmodel.certificates import CertificateView, inventory
from ngf_console.readmodel.health import pod_ready, policy_health
from ngf_console.readmodel.inference_pools import normalize_inference_pool
from ngf_console.readmodel.objects import (
    NGF_GROUP,
    Obj,
    api_group,
    as_dicts,
    labels_of,
    match_labels,
    name_of,
    namespace_of,
    spec_of,
)

__all__ = ["check_backends", "check_policies", "check_tls", "tls_name_covers"]

BLOCKING_KINDS: Final = {
    "WAFPolicy": "requests the WAF judges malicious are rejected",
    "RateLimitPolicy": "requests above the rate get 429/503",
    "SnippetsPolicy": "custom NGINX configuration can deny or return early",
}
FILTER_EFFECTS: Final = {
    "AuthenticationFilter": "requests without valid credentials get 401",
    "SnippetsFilter": "custom NGINX configuration can deny or return early",
}


# -- check 5: backends --------------------------------------------------------------------


def _ready_pods(
    snapshot_pods: list[Obj], namespace: str, selector: Mapping[str, str]
) -> tuple[int, int]:
    selected = [
        p
        for p in snapshot_pods
        if namespace_of(p) == namespace and match_labels(selector, labels_of(p))
    ]
    return len(selected), sum(1 for p in selected if pod_ready(p))


def _service_problem(
    table: RoutingTable, verdict: BackendVerdict
) -> tuple[CheckStatus, str, str] | None:
    svc = next(
        (
            s
            for s in table.snapshot.services
            if (namespace_of(s), name_of(s)) == (verdict.namespace, verdict.name)
        ),
        None,
    )
    where = f"Service {verdict.namespace}/{verdict.name}"
    if svc is None:  # resolved by the table, gone since: treat as missing
        return "fail", f"{where} not found", f"Create {where}."
    spec = spec_of(svc)
    ports = [p.get("port") for p in as_dicts(spec.get("ports"))]
    if verdict.port is not None and verdict.port not in ports:
        return (
            "fail",
            f"{where} has no port {verdict.port} (ports: {ports})",
            f"Set the backendRef's port to one of {ports}, or add port {verdict.port} to {where}.",
        )
    if spec.get("type") == "ExternalName":
        return (
            "warn",
            f"{where} is ExternalName ({spec.get('externalName')}): NGF does not proxy to it",
            "Use a Service with a selector (or manually managed endpoints) instead.",
        )
    selector = spec.get("selector")
    if not isinstance(selector, dict) or not selector:
        return (
            "warn",
            f"{where} has no selector: its endpoints are managed by hand (the "
            "network-connectivity check reads its EndpointSlices)",
            f"Check the EndpointSlices of {where} (`kubectl get endpointslices -l "
            f"kubernetes.io/service-name={verdict.name} -n {verdict.namespace}`).",
        )
    selected, ready = _ready_pods(table.snapshot.pods, verdict.namespace, selector)
    labels = ",".join(f"{k}={v}" for k, v in selector.items())
    if selected == 0:
        return (
            "fail",
            f"{where} selects no pods ({labels})",
            f"Deploy pods labelled {labels} in namespace {verdict.namespace}, or fix the "
            "Service's selector.",
        )
    if ready == 0:
        return (
            "fail",
            f"{where}: none of {selected} pods ({labels}) is ready",
            f"Find out why the pods labelled {labels} are not ready (`kubectl describe pod`, "
            "readiness probe, crash loops).",
        )
    return None


def _pool_problem(
    table: RoutingTable, verdict: BackendVerdict
) -> tuple[CheckStatus, str, str] | None:
    obj = next(
        (
            p
            for p in table.snapshot.inferencepools
            if (namespace_of(p), name_of(p)) == (verdict.namespace, verdict.name)
        ),
        None,
    )
    where = f"InferencePool {verdict.namespace}/{verdict.name}"
    if obj is None:
        return "fail", f"{where} not found", f"Create {where}."
    pool = normalize_inference_pool(obj)
    selected, ready = _ready_pods(table.snapshot.pods, verdict.namespace, pool.selector)
    labels = ",".join(f"{k}={v}" for k, v in pool.selector.items())
    if selected == 0 or ready == 0:
        return (
            "fail",
            f"{where}: {ready} of {selected} model-server pods ({labels}) ready",
            f"Make the model-server pods labelled {labels} ready (image pull, GPU scheduling, "
            "readiness probe).",
        )
    picker = pool.endpoint_picker
    services = {(namespace_of(s), name_of(s)) for s in table.snapshot.services}
    if picker is not None and (verdict.namespace, picker.name) not in services:
        return (
            "fail",
            f"{where}: endpoint picker Service {picker.name} not found",
            f"Deploy the endpoint picker (EPP) Service {verdict.namespace}/{picker.name}, or fix "
            "the pool's endpointPickerRef.",
        )
    return None


def check_backends(table: RoutingTable, route: Obj, attachment: RouteAttachment) -> CheckResult:
    """Check 5: references resolve; Services and pools have ready endpoints."""
    evidence: list[str] = []
    problems: list[tuple[CheckStatus, str, str]] = []
    for r, rule in enumerate(as_dicts(spec_of(route).get("rules"))):
        redirect = any(f.get("type") == "RequestRedirect" for f in as_dicts(rule.get("filters")))
        if (
            not as_dicts(rule.get("backendRefs"))
            and not redirect
            and attachment.kind
            in (
                "HTTPRoute",
                "GRPCRoute",
            )
        ):
            problems.append(
                (
                    "warn",
                    f"rule {r} has no backendRefs: matching requests get 404",
                    f"Add a backendRef to rule {r}, or a RequestRedirect filter.",
                )
            )
    for verdict in attachment.backends:
        label = (
            f"rule {verdict.rule} {'mirror' if verdict.mirror else f'backendRef {verdict.index}'}"
            f": {verdict.kind} {verdict.namespace}/{verdict.name}"
            + (f":{verdict.port}" if verdict.port is not None else "")
            + ("" if verdict.mirror else f" weight {verdict.weight}")
        )
        # A backend that gets no traffic (weight 0, a mirror) cannot break the route.
        severity: CheckStatus = "warn" if verdict.mirror or verdict.weight == 0 else "fail"
        if not verdict.resolved:
            evidence.append(f"{label}: {verdict.reason}: {verdict.message}")
            problems.append(
                (
                    severity,
                    f"{label}: {verdict.reason}",
                    backend_remedy(attachment.kind, attachment.namespace, verdict),
                )
            )
            continue
        problem = (
            _service_problem(table, verdict)
            if verdict.kind == "Service"
            else _pool_problem(table, verdict)
        )
        if problem is None:
            evidence.append(f"{label}: resolved, ready endpoints")
            continue
        evidence.append(f"{label}: {problem[1]}")
        status: CheckStatus = problem[0] if severity == "fail" else "warn"
        problems.append((status, problem[1], problem[2]))
    if not attachment.backends and not problems:
        return result(5, "skip", "the route has no backendRefs", evidence)
    if not problems:
        return result(5, "pass", f"{len(attachment.backends)} backend(s) with endpoints", evidence)
    status = worst([p[0] for p in problems])
    first = next(p for p in problems if p[0] == status)
    return result(5, status, first[1], evidence, first[2])


# -- check 6: policies and filters ------------------------------------------------------


def _attachments(
    table: RoutingTable, attachment: RouteAttachment
) -> dict[tuple[str, str, str, str], PolicyAttachment]:
    route_key = (attachment.kind, attachment.namespace, attachment.name)
    services = [
        (b.namespace, b.name) for b in attachment.backends if b.kind == "Service" and b.resolved
    ]
    found: dict[tuple[str, str, str, str], PolicyAttachment] = {}
    for parent in attachment.parents:
        for verdict in parent.attached_listeners:
            effective = effective_policies(
                table.snapshot,
                gateway=(parent.gateway_namespace, parent.gateway_name),
                listener=verdict.listener,
                route=route_key,
                services=services,
            )
            for pa in effective.policies:
                key = (pa.policy.kind, pa.policy.namespace, pa.policy.name, pa.status)
                found.setdefault(key, pa)
    return found


def check_policies(
    table: RoutingTable, route: Obj, attachment: RouteAttachment, visible: Visible
) -> CheckResult:
    """Check 6: policies and filters that can refuse requests."""
    evidence: list[str] = []
    problems: list[tuple[CheckStatus, str, str]] = []
    by_key = {
        (str(p.get("kind")), namespace_of(p), name_of(p)): p
        for p in table.snapshot.policies
        if api_group(str(p.get("apiVersion"))) == NGF_GROUP
    }

    def named(kind: str, ns: str, name: str) -> str:
        return f"{kind} {ns}/{name}" if visible(ns) else f"a {kind} in a namespace you cannot read"

    for pa in _attachments(table, attachment).values():
        ref = pa.policy
        label = named(ref.kind, ref.namespace, ref.name)
        target = f"{pa.target.kind} {pa.target.name}" + (
            f" ({pa.target.section_name})" if pa.target.section_name else ""
        )
        evidence.append(f"{label} on {target}: {pa.status} ({pa.attachment})")
        obj = by_key.get((ref.kind, ref.namespace, ref.name))
        if pa.status == "conflicted":
            problems.append(
                (
                    "warn",
                    f"{label} is rejected as Conflicted ({pa.reason})",
                    f"Merge {label} into the older policy of the same kind on {target}, or "
                    "remove it: only the oldest applies.",
                )
            )
        elif pa.status == "active" and ref.kind in BLOCKING_KINDS:
            problems.append(
                (
                    "warn",
                    f"{label} is in effect: {BLOCKING_KINDS[ref.kind]}",
                    f"If requests are refused, check {label}'s settings and NGINX's error log "
                    "for its rejections; detach it to confirm.",
                )
            )
        elif obj is not None and policy_health(obj) == "error":
            problems.append(
                (
                    "warn",
                    f"NGF reports {label} as not accepted",
                    f"Read {label}'s status.ancestors conditions and fix the field they name.",
                )
            )
    for r, rule in enumerate(as_dicts(spec_of(route).get("rules"))):
        for flt in as_dicts(rule.get("filters")):
            ext = flt.get("extensionRef")
            if flt.get("type") != "ExtensionRef" or not isinstance(ext, dict):
                continue
            kind, fname = str(ext.get("kind")), str(ext.get("name"))
            where = f"rule {r} filter {kind} {attachment.namespace}/{fname}"
            if (kind, attachment.namespace, fname) not in by_key:
                evidence.append(f"{where}: not found")
                problems.append(
                    (
                        "fail",
                        f"{where} does not exist: matching requests get 500",
                        f"Create {kind} {fname} in namespace {attachment.namespace}, or remove "
                        f"the ExtensionRef filter from rule {r}.",
                    )
                )
            else:
                effect = FILTER_EFFECTS.get(kind, "a custom filter applies")
                evidence.append(f"{where}: {effect}")
                problems.append(
                    (
                        "warn",
                        f"{where}: {effect}",
                        f"If requests are refused, check {kind} {fname}; remove the filter to "
                        "confirm.",
                    )
                )
    if not problems:
        return result(6, "pass", "no policy or filter that can refuse requests applies", evidence)
    status = worst([p[0] for p in problems])
    first = next(p for p in problems if p[0] == status)
    return result(6, status, first[1], evidence, first[2])


# -- check 7: TLS -------------------------------------------------------------------------


def tls_name_covers(san: str, hostname: str) -> bool:
    """Whether a certificate name covers ``hostname`` (RFC 6125: ``*`` is one label)."""
    san, hostname = san.lower().rstrip("."), hostname.lower().rstrip(".")
    if san == hostname:
        return True
    if san.startswith("*.") and not hostname.startswith("*."):
        head, _, rest = hostname.partition(".")
        return bool(head) and rest == san[2:]
    return False


def _cert_problems(
    view: CertificateView, hosts: list[str], secret: str, now: dt.datetime
) -> list[tuple[CheckStatus, str, str]]:
    renew = (
        f"Renew the certificate in Secret {secret} (with cert-manager, check its Certificate's "
        "status; by hand, `kubectl create secret tls ... --dry-run=client -o yaml | kubectl "
        "apply -f -`)."
    )
    if view.error:
        return [("fail", f"Secret {secret}: {view.error}", f"Put a PEM certificate in {secret}.")]
    out: list[tuple[CheckStatus, str, str]] = []
    if view.not_before is not None and view.not_before > now:
        out.append(("fail", f"{secret}: not valid before {view.not_before:%Y-%m-%d}", renew))
    if view.expiry_state == "expired" and view.not_after is not None:
        out.append(("fail", f"{secret}: expired on {view.not_after:%Y-%m-%d %H:%M} UTC", renew))
    elif view.expiry_state in ("critical", "warning"):
        out.append(("warn", f"{secret}: expires in {view.days_left} days", renew))
    names = view.dns_names or ([view.common_name] if view.common_name else [])
    uncovered = [h for h in hosts if not any(tls_name_covers(n, h) for n in names)]
    if uncovered:
        out.append(
            (
                "warn",
                f"{secret}: certificate names {names} do not cover {uncovered}",
                f"Issue the certificate in {secret} for {uncovered}, or narrow the hostnames.",
            )
        )
    return out


def check_tls(table: RoutingTable, attachment: RouteAttachment, now: dt.datetime) -> CheckResult:
    """Check 7: the certificates of the HTTPS listeners the route is served on."""
    snap = table.snapshot
    views: dict[tuple[str, str], CertificateView] | None = None
    evidence: list[str] = []
    problems: list[tuple[CheckStatus, str, str]] = []
    listeners_seen = 0
    for parent in attachment.parents:
        gateway = table.context.gateways.get((parent.gateway_namespace, parent.gateway_name))
        specs = {str(x.get("name")): x for x in as_dicts(spec_of(gateway or {}).get("listeners"))}
        for verdict in parent.attached_listeners:
            listener: Mapping[str, Any] = specs.get(verdict.listener, {})
            tls = listener.get("tls") if isinstance(listener.get("tls"), dict) else {}
            assert isinstance(tls, dict)
            protocol, mode = listener.get("protocol"), tls.get("mode") or "Terminate"
            if protocol not in ("HTTPS", "TLS") or mode != "Terminate":
                continue
            listeners_seen += 1
            if views is None:
                views = {
                    (v.namespace, v.secret_name): v
                    for v in inventory(
                        snap.secrets,
                        snap.gateways,
                        snap.parents,
                        referencegrants=snap.referencegrants,
                        now=now,
                    )
                }
            hosts = [h for h in verdict.hostnames if h] or (
                [str(listener["hostname"])] if listener.get("hostname") else []
            )
            for ref in as_dicts(tls.get("certificateRefs")):
                ns = str(ref.get("namespace") or parent.gateway_namespace)
                secret = f"{ns}/{ref.get('name')}"
                view = views.get((ns, str(ref.get("name"))))
                where = f"listener {verdict.listener}: Secret {secret}"
                if view is None:
                    evidence.append(f"{where}: not found")
                    problems.append(
                        (
                            "fail",
                            f"{where} not found (only kubernetes.io/tls Secrets count)",
                            f"Create the kubernetes.io/tls Secret {secret}, or fix the "
                            "listener's certificateRefs.",
                        )
                    )
                    continue
                permitted = next(
                    (
                        a.permitted
                        for a in view.attached_to
                        if a.kind == "Gateway"
                        and a.listener == verdict.listener
                        and (a.namespace, a.name) == (parent.gateway_namespace, parent.gateway_name)
                    ),
                    None,
                )
                evidence.append(
                    f"{where}: {view.subject}, valid until {view.not_after}, "
                    f"{view.expiry_state}, names {view.dns_names}"
                )
                if permitted is False:
                    problems.append(
                        (
                            "fail",
                            f"{where}: no ReferenceGrant lets the Gateway use it",
                            f"Create a ReferenceGrant in namespace {ns} from Gateway in "
                            f"namespace {parent.gateway_namespace} to Secret {ref.get('name')}.",
                        )
                    )
                problems += [
                    (s, f"listener {verdict.listener}: {m}", fix)
                    for s, m, fix in _cert_problems(view, hosts, secret, now)
                ]
    if listeners_seen == 0:
        return result(7, "skip", "not served on an HTTPS listener that terminates TLS")
    evidence.append(
        "TLS versions and ciphers are NGINX's defaults unless an NginxProxy or snippet sets "
        "them; a client/server version mismatch is not visible in cluster state"
    )
    if not problems:
        return result(7, "pass", "certificates present, valid and covering the hostnames", evidence)
    status = worst([p[0] for p in problems])
    first = next(p for p in problems if p[0] == status)
    return result(7, status, first[1], evidence, first[2])
