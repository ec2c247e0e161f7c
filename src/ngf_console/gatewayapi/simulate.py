"""Route one request through a snapshot: gateway, listener, route, rule, filters, backends.

``simulate(snapshot, request)`` answers what a Gateway API implementation would do with
the request, and why: the listener chosen (and why the others were not), every candidate
match in precedence order with each condition's pass/fail, the precedence rule that made
each loser lose (:mod:`.precedence`), the filters applied (:mod:`.filters`), the backend
shares and the policies in effect (:mod:`.policies`).

Listener choice (Gateway API ``Listener``): the request's port and scheme select listeners
(``http`` -> HTTP, ``https`` -> HTTPS); of those, the one whose hostname matches the
request most specifically (exact, then longest wildcard, then none) receives it. Only
routes a controller would accept (:mod:`.attachment`) take part.

Build a :class:`RoutingTable` once per snapshot and call :meth:`RoutingTable.simulate`
for many requests; ``simulate()`` builds one per call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal
from urllib.parse import parse_qsl

from pydantic import BaseModel, Field

from ngf_console.gatewayapi.attachment import (
    AttachmentContext,
    ConditionVerdict,
    RouteAttachment,
    attach_route,
)
from ngf_console.gatewayapi.filters import (
    BackendShare,
    FilterOutcome,
    apply_filters,
    backend_shares,
)
from ngf_console.gatewayapi.hostnames import hostname_matches, hostname_precedence, normalize_host
from ngf_console.gatewayapi.matching import (
    ConditionResult,
    evaluate_grpc_match,
    evaluate_http_match,
    grpc_match_specs,
    http_match_specs,
)
from ngf_console.gatewayapi.policies import EffectivePolicies, effective_policies
from ngf_console.gatewayapi.precedence import (
    GRPC_CRITERIA,
    HTTP_CRITERIA,
    ListenerIndex,
    MatchEntry,
    deciding_rule,
    grpc_key,
    http_key,
)
from ngf_console.gatewayapi.request import SimulatedRequest
from ngf_console.readmodel.objects import as_dicts, name_of, namespace_of, spec_of
from ngf_console.readmodel.snapshot import ClusterSnapshot

__all__ = [
    "ListenerCandidate",
    "MatchCandidate",
    "RoutingTable",
    "SimulationResult",
    "simulate",
]

_SCHEME_PROTOCOL: Final = {"http": "HTTP", "https": "HTTPS"}
MAX_CANDIDATES: Final = 50  # losers reported per simulation

Outcome = Literal["forwarded", "redirected", "no-listener", "no-route", "error"]


class ListenerCandidate(BaseModel):
    gateway: str
    listener: str
    port: int | None
    protocol: str
    hostname: str | None
    chosen: bool
    reason: str


class MatchCandidate(BaseModel):
    """A route match the request was compared with."""

    kind: str
    namespace: str
    name: str
    rule: int
    match: int
    hostname: str | None
    matched: bool
    conditions: list[ConditionResult] = Field(default_factory=list)
    lost_by: str | None = None  # the precedence criterion, for a match that passed but lost
    shadowed: bool = False  # in a less specific hostname's virtual server


class SimulationResult(BaseModel):
    request: SimulatedRequest
    outcome: Outcome
    status: int | None = None  # the response the gateway itself gives (redirect, 404, 500)
    gateway: str | None = None
    listener: str | None = None
    listeners: list[ListenerCandidate] = Field(default_factory=list)
    hostname: str | None = None  # the virtual server (matched hostname) chosen
    route: MatchCandidate | None = None
    precedence: list[str] = Field(default_factory=list)
    candidates: list[MatchCandidate] = Field(default_factory=list)
    filters: FilterOutcome | None = None
    backends: list[BackendShare] = Field(default_factory=list)
    backend_filters: dict[str, FilterOutcome] = Field(default_factory=dict)
    policies: EffectivePolicies | None = None
    route_conditions: list[ConditionVerdict] = Field(default_factory=list)
    implementation_specific: bool = False
    notes: list[str] = Field(default_factory=list)


class RoutingTable:
    """Attachments and per-listener indexes of one snapshot, built once."""

    def __init__(
        self,
        snapshot: ClusterSnapshot,
        namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.context = AttachmentContext.from_snapshot(snapshot, namespace_labels)
        self.attachments: dict[tuple[str, str, str], RouteAttachment] = {}
        self.routes: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.indexes: dict[tuple[str, str, str], ListenerIndex] = {}
        for route in snapshot.routes():
            kind = str(route["kind"])
            key = (kind, namespace_of(route), name_of(route))
            attachment = attach_route(route, self.context)
            self.attachments[key], self.routes[key] = attachment, route
            if kind not in ("HTTPRoute", "GRPCRoute"):
                continue
            for parent in attachment.parents:
                for verdict in parent.attached_listeners:
                    index = self.indexes.setdefault(
                        (parent.gateway_namespace, parent.gateway_name, verdict.listener),
                        ListenerIndex(),
                    )
                    for hostname in verdict.hostnames:
                        _add_route(index, route, kind, hostname)
        for index in self.indexes.values():
            index.freeze()

    def simulate(self, request: SimulatedRequest) -> SimulationResult:
        """Route ``request``; see the module docstring."""
        return _simulate(self, request)


def _add_route(index: ListenerIndex, route: dict[str, Any], kind: str, host: str | None) -> None:
    bucket = index.bucket(host)
    ns, name = namespace_of(route), name_of(route)
    for r, rule in enumerate(as_dicts(spec_of(route).get("rules"))):
        if kind == "HTTPRoute":
            for m, spec in enumerate(http_match_specs(rule)):
                bucket.add(
                    MatchEntry(
                        kind,
                        route,
                        ns,
                        name,
                        r,
                        m,
                        host,
                        http=spec,
                        key=http_key(host, spec, route, r, m),
                    )
                )
        else:
            for m, gspec in enumerate(grpc_match_specs(rule)):
                bucket.add(
                    MatchEntry(
                        kind,
                        route,
                        ns,
                        name,
                        r,
                        m,
                        host,
                        grpc=gspec,
                        key=grpc_key(host, gspec, route, r, m),
                    )
                )


def _choose_listener(
    table: RoutingTable, request: SimulatedRequest, host: str
) -> tuple[list[ListenerCandidate], tuple[str, str, str] | None]:
    protocol = _SCHEME_PROTOCOL[request.scheme]
    port = request.effective_port
    out: list[ListenerCandidate] = []
    eligible: list[tuple[tuple[int, int], str, ListenerCandidate, tuple[str, str, str]]] = []
    for (ns, name), gateway in sorted(table.context.gateways.items()):
        gw = f"{ns}/{name}"
        conflicts = table.context.conflicts.get((ns, name), {})
        for listener in as_dicts(spec_of(gateway).get("listeners")):
            lname, lport = str(listener.get("name") or ""), listener.get("port")
            lproto, lhost = str(listener.get("protocol") or ""), listener.get("hostname") or None
            cand = ListenerCandidate(
                gateway=gw,
                listener=lname,
                port=lport if isinstance(lport, int) else None,
                protocol=lproto,
                hostname=lhost,
                chosen=False,
                reason="",
            )
            out.append(cand)
            if request.gateway and request.gateway != gw:
                cand.reason = f"request is for Gateway {request.gateway}"
            elif lport != port:
                cand.reason = f"port {lport}, request port {port}"
            elif lproto != protocol:
                cand.reason = f"protocol {lproto}, request scheme {request.scheme}"
            elif lname in conflicts:
                cand.reason = f"listener is Conflicted ({conflicts[lname].reason})"
            elif not hostname_matches(lhost, host):
                cand.reason = f"listener hostname {lhost} does not match {host}"
            else:
                eligible.append((hostname_precedence(lhost), gw, cand, (ns, name, lname)))
    if not eligible:
        return out, None
    eligible.sort(key=lambda e: (e[1], e[0]))
    first_gateway = eligible[0][1]
    same_gateway = [e for e in eligible if e[1] == first_gateway]
    chosen = same_gateway[0]
    chosen[2].chosen = True
    chosen[2].reason = "most specific listener hostname matching the request"
    for _, gw, cand, _ in eligible[1:]:
        cand.reason = (
            "a listener with a more specific hostname takes the request"
            if gw == first_gateway
            else f"another Gateway ({first_gateway}) also listens here; set request.gateway"
        )
    return out, chosen[3]


def _candidate(
    entry: MatchEntry, conditions: list[ConditionResult], **extra: Any
) -> MatchCandidate:
    return MatchCandidate(
        kind=entry.kind,
        namespace=entry.namespace,
        name=entry.name,
        rule=entry.rule,
        match=entry.match,
        hostname=entry.hostname,
        conditions=conditions,
        matched=all(c.passed for c in conditions),
        **extra,
    )


def _evaluate(entry: MatchEntry, request: SimulatedRequest) -> list[ConditionResult]:
    if entry.http is not None:
        return evaluate_http_match(entry.http, request)
    assert entry.grpc is not None
    return evaluate_grpc_match(entry.grpc, request)


def _simulate(table: RoutingTable, request: SimulatedRequest) -> SimulationResult:
    path, _, raw_query = request.path.partition("?")
    if raw_query:
        query = {k: list(v) for k, v in request.query.items()}
        for k, v in parse_qsl(raw_query, keep_blank_values=True):
            query.setdefault(k, []).append(v)
        request = request.model_copy(update={"path": path or "/", "query": query})
    host = normalize_host(request.host)
    result = SimulationResult(request=request, outcome="no-listener")
    result.listeners, chosen = _choose_listener(table, request, host)
    if chosen is None:
        result.notes.append("no listener accepts the request's port, scheme and host")
        return result
    gw_ns, gw_name, lname = chosen
    result.gateway, result.listener = f"{gw_ns}/{gw_name}", lname
    grpc = request.protocol == "grpc"
    criteria = GRPC_CRITERIA if grpc else HTTP_CRITERIA
    result.precedence = list(criteria)
    index = table.indexes.get(chosen)
    buckets = index.buckets_for(host) if index is not None else []
    kind = "GRPCRoute" if grpc else "HTTPRoute"
    winner: MatchEntry | None = None
    winner_conditions: list[ConditionResult] = []
    for position, (hostname, bucket) in enumerate(buckets):
        entries = (
            bucket.grpc_candidates(request.path) if grpc else bucket.http_candidates(request.path)
        )
        for entry in entries:
            if entry.kind != kind:
                continue
            conditions = _evaluate(entry, request)
            passed = all(c.passed for c in conditions)
            if position == 0 and winner is None and passed:
                winner, winner_conditions = entry, conditions
                result.hostname = hostname
                continue
            if len(result.candidates) >= MAX_CANDIDATES:
                continue
            lost_by = None
            if passed and winner is not None:
                lost_by = deciding_rule(winner.key, entry.key, criteria)
            result.candidates.append(
                _candidate(entry, conditions, lost_by=lost_by, shadowed=position > 0)
            )
        if position == 0 and winner is None:
            result.hostname = hostname
    if buckets and result.hostname is None:
        result.hostname = buckets[0][0]
    if winner is None:
        result.outcome, result.status = "no-route", 404
        if any(c.shadowed and c.matched for c in result.candidates):
            result.notes.append(
                "a rule under a less specific hostname matches, but the request's virtual "
                f"server is {result.hostname or 'the catch-all'} (no fall-through)"
            )
        return result
    return _finish(table, request, result, winner, winner_conditions, chosen)


def _finish(
    table: RoutingTable,
    request: SimulatedRequest,
    result: SimulationResult,
    winner: MatchEntry,
    conditions: list[ConditionResult],
    chosen: tuple[str, str, str],
) -> SimulationResult:
    gw_ns, gw_name, lname = chosen
    result.route = _candidate(winner, conditions)
    route_key = (winner.kind, winner.namespace, winner.name)
    attachment = table.attachments[route_key]
    here = [p for p in attachment.parents if (p.gateway_namespace, p.gateway_name) == chosen[:2]]
    result.route_conditions = [*(p.accepted for p in here), attachment.resolved_refs]
    result.implementation_specific = any(c.implementation_specific for c in conditions)
    if result.implementation_specific:
        result.notes.append("RegularExpression matching is implementation-specific")
    rule = as_dicts(spec_of(winner.route).get("rules"))[winner.rule]
    prefix = (
        winner.http.path_value
        if winner.http is not None and winner.http.path_type == "PathPrefix"
        else None
    )
    gateway = table.context.gateways[(gw_ns, gw_name)]
    listeners = as_dicts(spec_of(gateway).get("listeners"))
    lport = next((x.get("port") for x in listeners if x.get("name") == lname), None)
    result.filters = apply_filters(
        request,
        as_dicts(rule.get("filters")),
        matched_prefix=prefix,
        listener_port=int(lport or request.effective_port),
        route_namespace=winner.namespace,
    )
    verdicts = [b for b in attachment.backends if b.rule == winner.rule]
    result.backends, status = backend_shares(verdicts, table.snapshot.inferencepools)
    for b, ref in zip(
        [v for v in verdicts if not v.mirror], as_dicts(rule.get("backendRefs")), strict=False
    ):
        if as_dicts(ref.get("filters")):
            result.backend_filters[f"{b.namespace}/{b.name}"] = apply_filters(
                request,
                as_dicts(ref.get("filters")),
                matched_prefix=prefix,
                listener_port=int(lport or request.effective_port),
                route_namespace=winner.namespace,
            )
    services = [(b.namespace, b.name) for b in result.backends if b.kind == "Service"]
    result.policies = effective_policies(
        table.snapshot,
        gateway=(gw_ns, gw_name),
        listener=lname,
        route=route_key,
        services=services,
    )
    if result.filters.redirect_status is not None:
        result.outcome, result.status = "redirected", result.filters.redirect_status
    elif status is not None:
        result.outcome, result.status = "error" if status == 500 else "no-route", status
        result.notes.append(
            "no backendRefs: the rule performs no forwarding (404)"
            if status == 404
            else "every backend has weight 0 or is invalid: 500"
        )
    else:
        result.outcome = "forwarded"
    return result


def simulate(
    snapshot: ClusterSnapshot,
    request: SimulatedRequest,
    *,
    namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> SimulationResult:
    """Route ``request`` through ``snapshot`` (builds a :class:`RoutingTable` each call)."""
    return RoutingTable(snapshot, namespace_labels).simulate(request)
