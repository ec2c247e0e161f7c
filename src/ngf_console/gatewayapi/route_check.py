""" "Why isn't my route working?" — the eight checks of spec §3.7.1, in order, over a snapshot.

Each check answers ``pass`` / ``warn`` / ``fail`` / ``skip`` with the evidence it looked at
and, unless it passed, one concrete sentence saying what to change:

1. ``route-status``: the route's own ``status.parents`` (Accepted, ResolvedRefs), as the
   controller wrote them; without any, what a controller would write (:mod:`.attachment`).
2. ``gateway-attachment``: each parentRef's Gateway exists and reports ``Programmed=True``.
3. ``listener-match``: a listener takes the route (sectionName, port, protocol/kind,
   allowedRoutes namespaces, hostname intersection, listener conflicts).
4. ``route-precedence``: for each match, a request built to satisfy it is simulated; if
   another route wins it, the match is shadowed and the deciding precedence rule is named.
5. ``backend-health``: backendRefs resolve (kind, ReferenceGrant, existence), the Service
   has the port and ready pods behind its selector, an InferencePool has ready pods and
   its endpoint picker Service.
6. ``policy-blocks``: policies and filters that can refuse requests (WAF, rate limits,
   snippets, authentication, an ExtensionRef filter that does not exist: 500).
7. ``tls``: the certificates of the HTTPS listeners the route is served on — present,
   permitted, parseable, valid now, not expiring, covering the hostnames.
8. ``network-connectivity``: a static reachability analysis (:mod:`.reachability`):
   targetPort, ready EndpointSlice endpoints, NetworkPolicies between the data-plane pods
   and the backend pods; ``skip`` (saying so) when the caller has no cache inputs for it.

Pure: the API router passes a :class:`~.simulate.RoutingTable` built from the watch cache.
Check 4 is in :mod:`.route_check_precedence`, checks 5 to 7 in :mod:`.route_check_backends`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import BaseModel, Field

from ngf_console.gatewayapi.attachment import BackendVerdict, ParentVerdict, RouteAttachment
from ngf_console.gatewayapi.simulate import RoutingTable

if TYPE_CHECKING:
    from ngf_console.gatewayapi.reachability import ReachabilityInputs
from ngf_console.readmodel.objects import (
    GATEWAY_GROUP,
    Obj,
    as_dicts,
    meta,
    name_of,
    namespace_of,
    parse_conditions,
    spec_of,
    status_of,
)

__all__ = [
    "CHECKS",
    "CheckResult",
    "CheckStatus",
    "RouteCheckReport",
    "backend_remedy",
    "check_route",
]

CheckStatus = Literal["pass", "warn", "fail", "skip"]
Visible = Callable[[str], bool]

CHECKS: Final = (
    ("route-status", "Route status: is the route accepted, are its conditions met?"),
    ("gateway-attachment", "Gateway attachment: is the route attached to a programmed Gateway?"),
    ("listener-match", "Listener match: hostname, port, protocol, allowed namespaces and kinds"),
    ("route-precedence", "Route precedence: does another route take this route's requests?"),
    ("backend-health", "Backend health: do the backends exist, with ready endpoints?"),
    ("policy-blocks", "Policy blocks: can a WAF, rate limit or other policy refuse requests?"),
    ("tls", "TLS: is the listener's certificate valid, trusted by reference and not expiring?"),
    ("network-connectivity", "Network connectivity: can the gateway pod reach the backends?"),
)
_RANK: Final[dict[CheckStatus, int]] = {"skip": 0, "pass": 1, "warn": 2, "fail": 3}


class CheckResult(BaseModel):
    """One check's verdict, what it looked at, and what to do about it."""

    id: str
    step: int
    title: str
    status: CheckStatus
    summary: str
    evidence: list[str] = Field(default_factory=list)
    remediation: str | None = None


class RouteCheckReport(BaseModel):
    """All eight checks; ``status`` is the worst, ``first_failure`` the first failing one."""

    kind: str
    namespace: str
    name: str
    status: CheckStatus
    first_failure: str | None = None
    first_warning: str | None = None
    checks: list[CheckResult]


def result(
    step: int,
    status: CheckStatus,
    summary: str,
    evidence: list[str] | None = None,
    remediation: str | None = None,
) -> CheckResult:
    """A :class:`CheckResult` for step ``step`` (1-based) of :data:`CHECKS`."""
    ident, title = CHECKS[step - 1]
    return CheckResult(
        id=ident,
        step=step,
        title=title,
        status=status,
        summary=summary,
        evidence=evidence or [],
        remediation=None if status in ("pass", "skip") else remediation,
    )


def worst(statuses: list[CheckStatus]) -> CheckStatus:
    """The worst status (``skip`` when there is none)."""
    return max(statuses, key=lambda s: _RANK[s], default="skip")


# -- remediation sentences shared by several checks --------------------------------------


def backend_remedy(route_kind: str, route_ns: str, verdict: BackendVerdict) -> str:
    """What to do about a backendRef that does not resolve."""
    if verdict.reason == "RefNotPermitted":
        group = verdict.group or '""'
        return (
            f"Create a ReferenceGrant in namespace {verdict.namespace} with from "
            f"{{group: {GATEWAY_GROUP}, kind: {route_kind}, namespace: {route_ns}}} and to "
            f"{{group: {group}, kind: {verdict.kind}, name: {verdict.name}}}, or move the "
            f"backend into namespace {route_ns}."
        )
    if verdict.reason == "BackendNotFound":
        return (
            f"Create {verdict.kind} {verdict.namespace}/{verdict.name}, or fix the name and "
            f"namespace of backendRef {verdict.index} in rule {verdict.rule}."
        )
    if verdict.reason == "InvalidKind":
        return (
            "Point the backendRef at a core Service (or, from an HTTPRoute, an InferencePool "
            "of inference.networking.k8s.io)."
        )
    return f"Fix backendRef {verdict.index} of rule {verdict.rule}: {verdict.message}"


def _listener_remedy(route: Obj, parent: ParentVerdict, gateway: Obj | None) -> str:
    """What to do about a parentRef no listener takes, from the listeners' reasons."""
    gw = f"{parent.gateway_namespace}/{parent.gateway_name}"
    listeners = as_dicts(spec_of(gateway).get("listeners")) if gateway else []
    names = ", ".join(str(x.get("name")) for x in listeners)
    reasons = {v.reason for v in parent.listeners}
    kind, route_ns = str(route.get("kind") or "HTTPRoute"), namespace_of(route)
    if not parent.gateway_found:
        return f"Create Gateway {gw}, or point the parentRef at an existing Gateway."
    if reasons <= {"SectionName", "Port"}:
        if parent.section_name and "SectionName" in reasons:
            return (
                f"parentRef sectionName {parent.section_name!r} names no listener of Gateway "
                f"{gw}; set it to one of [{names}] or remove it."
            )
        return (
            f"parentRef port {parent.port} matches no listener of Gateway {gw}; use the port "
            f"of one of [{names}] or remove it."
        )
    refused = [v for v in parent.listeners if v.reason not in ("SectionName", "Port")]
    first = refused[0] if refused else parent.listeners[0]
    if first.reason == "NotAllowedNamespace":
        return (
            f"Listener {first.listener} of {gw} does not allow routes from namespace "
            f"{route_ns} ({first.message}); set its allowedRoutes.namespaces.from to All, or to "
            f"a Selector matching namespace {route_ns}, or move the route into namespace "
            f"{parent.gateway_namespace}."
        )
    if first.reason == "NoMatchingHostname":
        wanted = spec_of(gateway).get("listeners") if gateway else None
        host = next(
            (x.get("hostname") for x in as_dicts(wanted) if x.get("name") == first.listener),
            None,
        )
        return (
            f"The route's hostnames {list(spec_of(route).get('hostnames') or [])} do not "
            f"intersect listener {first.listener}'s hostname {host}; add a hostname matching "
            f"{host} to spec.hostnames, or change the listener's hostname."
        )
    if first.reason == "NotAllowedKind":
        return (
            f"Listener {first.listener} does not serve {kind} ({first.message}); attach the "
            f"route to a listener whose protocol serves {kind}, or add {kind} to its "
            "allowedRoutes.kinds."
        )
    if first.reason == "Conflicted":
        return (
            f"Listener {first.listener} of {gw} is Conflicted ({first.message}); give the "
            "conflicting listeners distinct ports or hostnames."
        )
    return f"Fix the parentRef to Gateway {gw}: {first.message}"


# -- checks 1 to 3: status, gateway, listener -------------------------------------------


def _parent_label(ref: Mapping[str, Any], route_ns: str) -> str:
    label = f"{ref.get('namespace') or route_ns}/{ref.get('name')}"
    return f"{label} ({ref['sectionName']})" if ref.get("sectionName") else label


def check_route_status(route: Obj, attachment: RouteAttachment) -> CheckResult:
    """Check 1: the controller's Accepted / ResolvedRefs, or the predicted ones."""
    route_ns = namespace_of(route)
    observed = as_dicts(status_of(route).get("parents"))
    generation = meta(route).get("generation")
    evidence: list[str] = []
    failed: list[tuple[str, str, str]] = []  # (parent, reason, message)
    stale = False
    for entry in observed:
        raw_ref = entry.get("parentRef")
        ref: Mapping[str, Any] = raw_ref if isinstance(raw_ref, dict) else {}
        label = _parent_label(ref, route_ns)
        for cond in parse_conditions(entry.get("conditions")):
            evidence.append(
                f"{label}: {cond.type}={cond.status} ({cond.reason}) {cond.message or ''}".strip()
            )
            if cond.type in ("Accepted", "ResolvedRefs") and cond.status == "False":
                failed.append((label, str(cond.reason), cond.message or ""))
            if isinstance(generation, int) and (cond.observed_generation or 0) < generation:
                stale = True
    predicted = [
        f"predicted {p.gateway_namespace}/{p.gateway_name}: Accepted={p.accepted.status} "
        f"({p.accepted.reason}) {p.accepted.message}".strip()
        for p in attachment.parents
    ]
    resolved = attachment.resolved_refs
    predicted.append(f"predicted ResolvedRefs={resolved.status} ({resolved.reason})")
    evidence += predicted
    rejected = [p for p in attachment.parents if p.accepted.status == "False"]
    remedy = _status_remedy(route, attachment)
    if not attachment.parents:
        return result(1, "fail", "the route has no parentRefs", evidence, "Add a parentRef.")
    if failed:
        label, reason, message = failed[0]
        return result(1, "fail", f"{label}: {reason}: {message}".strip(), evidence, remedy)
    if not observed:
        if rejected or resolved.status == "False":
            why = rejected[0].accepted if rejected else resolved
            return result(
                1,
                "fail",
                f"no controller status yet; a controller would set {why.type}=False "
                f"({why.reason}): {why.message}",
                evidence,
                remedy,
            )
        return result(
            1,
            "warn",
            "no controller has written status.parents for this route",
            evidence,
            "Check that the Gateway's GatewayClass names a running controller (NGF: "
            "gateway.nginx.org/nginx-gateway-controller) and that the controller watches "
            "the route's namespace.",
        )
    if stale:
        return result(
            1,
            "warn",
            f"the status was written for an older generation than {generation}",
            evidence,
            "Wait for the controller to reconcile the latest change; if the status stays "
            "old, check the controller's logs.",
        )
    return result(1, "pass", "accepted, references resolved", evidence)


def _status_remedy(route: Obj, attachment: RouteAttachment) -> str:
    broken = next((b for b in attachment.backends if not b.resolved), None)
    rejected = next((p for p in attachment.parents if p.accepted.status == "False"), None)
    if rejected is not None:
        return _listener_remedy(route, rejected, None) + " (see the listener-match check)"
    if broken is not None:
        return backend_remedy(attachment.kind, attachment.namespace, broken)
    return "Read the condition's message and fix the field it names."


def check_gateway_attachment(table: RoutingTable, attachment: RouteAttachment) -> CheckResult:
    """Check 2: every parentRef's Gateway exists and is Programmed."""
    evidence: list[str] = []
    good = 0
    problems: list[tuple[CheckStatus, str, str]] = []
    classes = {name_of(c): c for c in table.snapshot.gatewayclasses}
    for parent in attachment.parents:
        gw = f"{parent.gateway_namespace}/{parent.gateway_name}"
        gateway = table.context.gateways.get((parent.gateway_namespace, parent.gateway_name))
        if gateway is None:
            evidence.append(f"Gateway {gw}: not found")
            problems.append(
                (
                    "fail",
                    f"Gateway {gw} does not exist",
                    f"Create Gateway {gw}, or fix the parentRef's name and namespace.",
                )
            )
            continue
        class_name = str(spec_of(gateway).get("gatewayClassName") or "")
        gwc = classes.get(class_name)
        conditions = {c.type: c for c in parse_conditions(status_of(gateway).get("conditions"))}
        programmed = conditions.get("Programmed")
        evidence.append(
            f"Gateway {gw}: class {class_name}"
            + ("" if gwc is not None else " (GatewayClass not found)")
            + "; "
            + ", ".join(f"{c.type}={c.status} ({c.reason})" for c in conditions.values())
        )
        for entry in as_dicts(status_of(gateway).get("listeners")):
            lconds = parse_conditions(entry.get("conditions"))
            bad = [c for c in lconds if c.type == "Programmed" and c.status == "False"]
            if bad and any(v.listener == entry.get("name") for v in parent.attached_listeners):
                evidence.append(f"listener {entry.get('name')}: Programmed=False ({bad[0].reason})")
        if programmed is not None and programmed.status == "True":
            good += 1
        elif programmed is not None and programmed.status == "False":
            problems.append(
                (
                    "fail",
                    f"Gateway {gw} is not programmed: {programmed.reason}: {programmed.message}",
                    f"Fix what Gateway {gw}'s Programmed condition names ({programmed.reason}); "
                    "`kubectl describe gateway` and the NGF data-plane pod's logs say more.",
                )
            )
        else:
            remedy = (
                f"GatewayClass {class_name!r} does not exist; create it or set the Gateway's "
                "gatewayClassName to an installed class."
                if gwc is None
                else f"No controller reports on Gateway {gw}: check that GatewayClass "
                f"{class_name} is Accepted and that its controller "
                f"({spec_of(gwc).get('controllerName')}) is running."
            )
            problems.append(("warn", f"Gateway {gw} has no Programmed condition yet", remedy))
    if not attachment.parents:
        return result(2, "skip", "the route names no parent")
    if not problems:
        return result(2, "pass", f"{good} programmed Gateway(s)", evidence)
    status: CheckStatus = "fail" if good == 0 and problems[0][0] == "fail" else "warn"
    summary = "; ".join(p[1] for p in problems)
    return result(2, status, summary, evidence, problems[0][2])


def check_listener_match(
    table: RoutingTable, route: Obj, attachment: RouteAttachment
) -> CheckResult:
    """Check 3: a listener of each found Gateway takes the route."""
    evidence: list[str] = []
    unattached: list[ParentVerdict] = []
    found = [p for p in attachment.parents if p.gateway_found]
    for parent in found:
        gw = f"{parent.gateway_namespace}/{parent.gateway_name}"
        for v in parent.listeners:
            hosts = ", ".join(h or "*" for h in v.hostnames)
            detail = f" hostnames [{hosts}]" if v.attached else f" {v.message}".rstrip()
            evidence.append(f"{gw} listener {v.listener}: {v.reason}{detail}")
        if not parent.attached_listeners:
            unattached.append(parent)
    if not found:
        return result(3, "skip", "no parent Gateway exists (see gateway-attachment)", evidence)
    if not unattached:
        names = sorted({v.listener for p in found for v in p.attached_listeners})
        return result(3, "pass", f"attached to listener(s) {', '.join(names)}", evidence)
    first = unattached[0]
    gateway = table.context.gateways.get((first.gateway_namespace, first.gateway_name))
    summary = (
        f"no listener of {first.gateway_namespace}/{first.gateway_name} takes the route: "
        f"{first.accepted.reason}"
    )
    status: CheckStatus = "fail" if len(unattached) == len(found) else "warn"
    return result(3, status, summary, evidence, _listener_remedy(route, first, gateway))


def check_connectivity(attachment: RouteAttachment) -> CheckResult:
    """Check 8 without cache inputs (:mod:`.reachability`): skipped, with a manual probe."""
    service = next((b for b in attachment.backends if b.kind == "Service" and b.resolved), None)
    parent = next((p for p in attachment.parents if p.gateway_found), None)
    probe = (
        f"kubectl exec -n {parent.gateway_namespace} deploy/<{parent.gateway_name} data-plane "
        f"deployment> -- curl -sv http://{service.name}.{service.namespace}:{service.port or 80}/"
        if service is not None and parent is not None
        else "an exec probe from the data-plane pod"
    )
    return result(
        8,
        "skip",
        "not checked: no EndpointSlices and NetworkPolicies were given to judge reachability "
        "from the gateway's data-plane pod",
        [f"to check by hand: {probe}"],
    )


def check_route(
    table: RoutingTable,
    kind: str,
    namespace: str,
    name: str,
    *,
    now: dt.datetime | None = None,
    visible: Visible | None = None,
    reachability: ReachabilityInputs | None = None,
) -> RouteCheckReport:
    """The eight checks for route ``kind`` ``namespace/name`` of ``table``'s snapshot.

    ``visible(namespace)`` says whether the caller may read routes and policies there;
    objects elsewhere are named only as "in a namespace you cannot read".
    ``reachability`` (EndpointSlices, NetworkPolicies) enables check 8; without it the check
    is skipped. Raises ``KeyError`` if the route is not in the snapshot.
    """
    # The checks' own modules build on this one's CheckResult and result().
    from ngf_console.gatewayapi.reachability import check_reachability
    from ngf_console.gatewayapi.route_check_backends import (
        check_backends,
        check_policies,
        check_tls,
    )
    from ngf_console.gatewayapi.route_check_precedence import check_precedence

    see = visible or (lambda _ns: True)
    key = (kind, namespace, name)
    route, attachment = table.routes[key], table.attachments[key]
    checks = [
        check_route_status(route, attachment),
        check_gateway_attachment(table, attachment),
        check_listener_match(table, route, attachment),
        check_precedence(table, route, attachment, see),
        check_backends(table, route, attachment),
        check_policies(table, route, attachment, see),
        check_tls(table, attachment, now or dt.datetime.now(dt.UTC)),
        check_connectivity(attachment)
        if reachability is None
        else check_reachability(table, attachment, reachability, see),
    ]
    return RouteCheckReport(
        kind=kind,
        namespace=namespace,
        name=name,
        status=worst([c.status for c in checks]),
        first_failure=next((c.id for c in checks if c.status == "fail"), None),
        first_warning=next((c.id for c in checks if c.status == "warn"), None),
        checks=checks,
    )
