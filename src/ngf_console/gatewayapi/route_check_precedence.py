"""Route check 4 of :mod:`.route_check`: is another route taking this route's requests?

For each match of each rule (at most :data:`MAX_PROBES`) a request built to satisfy it is
routed through the :class:`~.simulate.RoutingTable`: on each HTTP/HTTPS listener the route
is attached to, with the listener's port and scheme and the first hostname the route
serves there (a wildcard gets a label in front, a catch-all :data:`PROBE_HOST`). Headers,
query parameters and the method are set to what the match wants. If another route wins
that request, the match is shadowed, and the precedence rule that decided is named
(:func:`~.precedence.deciding_rule`, or the hostname-first no-fall-through rule).
RegularExpression matches cannot be turned into a request; they are listed, not probed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ngf_console.gatewayapi.attachment import RouteAttachment
from ngf_console.gatewayapi.matching import grpc_match_specs, http_match_specs
from ngf_console.gatewayapi.request import SimulatedRequest
from ngf_console.gatewayapi.route_check import CheckResult, CheckStatus, Visible, result
from ngf_console.gatewayapi.simulate import RoutingTable
from ngf_console.readmodel.objects import Obj, as_dicts, name_of, namespace_of, spec_of

__all__ = ["MAX_PROBES", "PROBE_HOST", "check_precedence"]

MAX_PROBES: Final = 50  # matches probed for shadowing per route
PROBE_HOST: Final = "route-check.invalid"  # a host for a catch-all (no hostname) match


def _probe_requests(
    route: Obj, table: RoutingTable, attachment: RouteAttachment
) -> list[tuple[int, int, SimulatedRequest | None, str]]:
    """(rule, match, a request that satisfies the match or None, what it is) per match."""
    kind = str(route.get("kind") or "HTTPRoute")
    out: list[tuple[int, int, SimulatedRequest | None, str]] = []
    seen: set[tuple[int, int]] = set()
    for parent in attachment.parents:
        gateway = table.context.gateways.get((parent.gateway_namespace, parent.gateway_name))
        listeners = {
            str(x.get("name")): x for x in as_dicts(spec_of(gateway or {}).get("listeners"))
        }
        for verdict in parent.attached_listeners:
            listener = listeners.get(verdict.listener, {})
            scheme = {"HTTP": "http", "HTTPS": "https"}.get(str(listener.get("protocol")))
            if scheme is None:
                continue
            host = verdict.hostnames[0] if verdict.hostnames else None
            host = host or PROBE_HOST
            host = f"route-check{host[1:]}" if host.startswith("*.") else host
            base: dict[str, Any] = {
                "scheme": scheme,
                "host": host,
                "port": listener.get("port"),
                "gateway": f"{parent.gateway_namespace}/{parent.gateway_name}",
            }
            for r, rule in enumerate(as_dicts(spec_of(route).get("rules"))):
                probes = (
                    _http_probes(rule, base) if kind == "HTTPRoute" else _grpc_probes(rule, base)
                )
                for m, (request, what) in enumerate(probes):
                    if (r, m) not in seen and len(out) < MAX_PROBES:
                        seen.add((r, m))
                        out.append((r, m, request, what))
    return out


def _http_probes(
    rule: Mapping[str, Any], base: dict[str, Any]
) -> list[tuple[SimulatedRequest | None, str]]:
    out: list[tuple[SimulatedRequest | None, str]] = []
    for spec in http_match_specs(rule):
        exact = all(v.type == "Exact" for v in (*spec.headers, *spec.query))
        if spec.path_type not in ("Exact", "PathPrefix") or not exact:
            out.append((None, "a RegularExpression match (no request can be built from it)"))
            continue
        request = SimulatedRequest.model_validate(
            {
                **base,
                "method": spec.method or "GET",
                "path": spec.path_value,
                "headers": {h.name: h.value for h in spec.headers},
                "query": {q.name: [q.value] for q in spec.query},
            }
        )
        out.append((request, f"{request.method} {request.host}{request.path}"))
    return out


def _grpc_probes(
    rule: Mapping[str, Any], base: dict[str, Any]
) -> list[tuple[SimulatedRequest | None, str]]:
    out: list[tuple[SimulatedRequest | None, str]] = []
    for spec in grpc_match_specs(rule):
        if spec.method_type != "Exact" or any(h.type != "Exact" for h in spec.headers):
            out.append((None, "a RegularExpression match (no request can be built from it)"))
            continue
        path = f"/{spec.service or 'route.check.Service'}/{spec.method or 'Check'}"
        request = SimulatedRequest.model_validate(
            {
                **base,
                "method": "POST",
                "path": path,
                "protocol": "grpc",
                "headers": {h.name: h.value for h in spec.headers},
            }
        )
        out.append((request, f"gRPC {request.host}{path}"))
    return out


def check_precedence(
    table: RoutingTable, route: Obj, attachment: RouteAttachment, visible: Visible
) -> CheckResult:
    """Check 4: simulate a request per match; another route winning it shadows the match."""
    kind, ns, name = str(route.get("kind")), namespace_of(route), name_of(route)
    if kind not in ("HTTPRoute", "GRPCRoute"):
        return result(4, "skip", f"{kind} has no match precedence")
    probes = _probe_requests(route, table, attachment)
    if not probes:
        return result(4, "skip", "not attached to an HTTP or HTTPS listener (see listener-match)")
    evidence: list[str] = []
    shadowed: list[tuple[str, str, str]] = []  # (match, winner, criterion)
    self_shadowed = probed = 0
    for r, m, request, what in probes:
        where = f"rule {r} match {m}"
        if request is None:
            evidence.append(f"{where}: not probed, {what}")
            continue
        probed += 1
        sim = table.simulate(request)
        won = sim.route
        if won is not None and (won.kind, won.namespace, won.name) == (kind, ns, name):
            if (won.rule, won.match) == (r, m):
                evidence.append(f"{where}: {what} reaches this match")
            else:
                self_shadowed += 1
                evidence.append(
                    f"{where}: {what} is taken by rule {won.rule} match {won.match} of this route"
                )
            continue
        mine = next(
            (
                c
                for c in sim.candidates
                if (c.kind, c.namespace, c.name, c.rule, c.match) == (kind, ns, name, r, m)
            ),
            None,
        )
        if won is not None:
            winner = (
                f"{won.kind} {won.namespace}/{won.name} rule {won.rule}"
                if visible(won.namespace)
                else f"a {won.kind} in a namespace you cannot read"
            )
            criterion = mine.lost_by if mine and mine.lost_by else "precedence"
        else:
            winner = f"nothing ({sim.outcome}: {'; '.join(sim.notes)})"
            criterion = (
                "a more specific hostname's virtual server (no fall-through)"
                if mine and mine.shadowed
                else f"listener {sim.listener} took the request"
            )
        shadowed.append((f"{where} ({what})", winner, criterion))
        evidence.append(f"{where}: {what} goes to {winner}; decided by: {criterion}")
    if probed == 0:
        return result(4, "skip", "no match could be probed", evidence)
    if shadowed:
        match, winner, criterion = shadowed[0]
        status: CheckStatus = "fail" if len(shadowed) == probed else "warn"
        remedy = (
            f"{winner} wins {match} by '{criterion}'. Make this match more specific (a longer "
            "path, a method, header or query match), give the route a hostname of its own, or "
            "remove the overlapping rule from the other route."
        )
        if criterion.startswith("oldest route"):
            remedy += " Identical matches go to the oldest route (creationTimestamp)."
        summary = f"{len(shadowed)} of {probed} matches are taken by other routes"
        return result(4, status, summary, evidence, remedy)
    if self_shadowed:
        return result(
            4,
            "warn",
            f"{self_shadowed} match(es) are taken by earlier rules of this route",
            evidence,
            "Reorder or narrow this route's rules: an earlier, equally specific rule takes "
            "those requests.",
        )
    return result(4, "pass", f"all {probed} probed matches reach this route", evidence)
