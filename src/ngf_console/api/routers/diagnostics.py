"""Gateway API semantics over the watch cache (spec §3.3.2, §3.3.3, §3.5.2, §3.7.1, §3.7.2).

- ``POST /routes/simulate``: route one request (fields, or a pasted curl) and explain it.
- ``GET /diagnostics/route-check``: the eight checks of "why isn't my route working?".
- ``POST /diagnostics/trace``: the simulated path as a waterfall; access-log correlation
  needs the analytics store, which does not exist yet, and the answer says so.
- ``GET /policies/conflicts``, ``GET /policies/effective``: policy attachment (GEP-713).
- ``GET /traffic-split``: an HTTPRoute's configured weights and shares per rule.

Everything reads a :class:`~ngf_console.api.routing_tables.RoutingTables` entry (rebuilt
when the cache moves); nothing here writes to the cluster.

Authorisation: a simulation or trace can land on any route in any namespace, so it needs
read on httproutes (grpcroutes for gRPC) cluster-wide; a caller bound to some namespaces
gets 403 rather than a partial answer that could leak another team's routes. The route
check needs read on the route itself; routes and policies of namespaces the caller may not
read are not named in its evidence. Policy conflicts are filtered per namespace; the
effective policy of a target needs read on the target.
"""

# No ``from __future__ import annotations``: FastAPI must see the Annotated dependencies.
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from ngf_console.api.auth import Action, Guard, ResourceRef, cluster_scoped, get_guard, require
from ngf_console.api.routing_tables import RoutingTables
from ngf_console.api.state import ClusterDep
from ngf_console.gatewayapi import CurlParseError, SimulatedRequest, SimulationResult, from_curl
from ngf_console.gatewayapi.filters import BackendShare, backend_shares
from ngf_console.gatewayapi.policies import (
    CONFLICT_RULE,
    EffectivePolicies,
    PolicyConflict,
    TargetRef,
    effective_policies,
    find_conflicts,
)
from ngf_console.gatewayapi.route_check import RouteCheckReport, check_route
from ngf_console.gatewayapi.simulate import RoutingTable
from ngf_console.kube.served_types import SERVED_TYPES
from ngf_console.readmodel.objects import GATEWAY_GROUP, as_dicts, name_of, namespace_of, spec_of

__all__ = ["router"]

HTTPROUTES: Final = ResourceRef(GATEWAY_GROUP, "httproutes")
GRPCROUTES: Final = ResourceRef(GATEWAY_GROUP, "grpcroutes")
RouteKind = Literal["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]
TargetKind = Literal["Gateway", "HTTPRoute", "GRPCRoute", "Service"]
LOGS_MISSING: Final = (
    "access-log correlation (by request_id or trace_id) needs the analytics store of the "
    "telemetry issue, which is not built; no log rows exist to match"
)
OBSERVED_MISSING: Final = (
    "the observed distribution needs access logs in the analytics store (telemetry issue), "
    "which is not built; only the configured weights are known"
)
GuardDep = Annotated[Guard, Depends(get_guard)]
# Read on httproutes in every namespace (see the module docstring).
ClusterReader = Annotated[
    Guard, Depends(require(Action.READ, HTTPROUTES, namespace=cluster_scoped))
]
_REF_BY_KIND: Final[dict[str, ResourceRef]] = {}
for _t in SERVED_TYPES:
    _REF_BY_KIND.setdefault(_t.kind, ResourceRef(_t.group, _t.plural))


def ref_for(kind: str) -> ResourceRef:
    """The RBAC resource objects of ``kind`` are read as."""
    return _REF_BY_KIND.get(kind) or ResourceRef("", kind.lower() + "s")


class SimulateBody(BaseModel):
    """A request to route: its fields, or ``curl`` (a pasted curl command) instead."""

    model_config = ConfigDict(extra="forbid")

    curl: str | None = Field(default=None, max_length=16384)
    method: str = "GET"
    scheme: Literal["http", "https"] = "http"
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    path: str = Field(default="/", pattern=r"^/")
    headers: dict[str, str] = Field(default_factory=dict)
    query: dict[str, str | list[str]] = Field(default_factory=dict)
    protocol: Literal["http", "grpc"] = "http"
    gateway: str | None = Field(
        default=None, pattern=r"^[^/]+/[^/]+$", description="namespace/name of one Gateway"
    )

    def request(self) -> SimulatedRequest:
        """The request to simulate (400 for a bad curl or a missing host)."""
        if self.curl is not None:
            mixed = self.model_fields_set - {"curl", "gateway"}
            if mixed:
                raise _bad(f"give either curl or the request fields, not both ({sorted(mixed)})")
            try:
                request = from_curl(self.curl)
            except (CurlParseError, ValueError) as err:
                # urlsplit's own ValueError (bad port, bad IPv6 literal) is a bad curl too.
                raise _bad(f"cannot parse the curl command: {err}", "BadCurl") from err
            request.gateway = self.gateway
            return request
        if not self.host:
            raise _bad("host is required (or give a curl command)")
        query = {k: [v] if isinstance(v, str) else v for k, v in self.query.items()}
        return SimulatedRequest(
            method=self.method.upper(),
            scheme=self.scheme,
            host=self.host,
            port=self.port,
            path=self.path,
            headers=self.headers,
            query=query,
            protocol=self.protocol,
            gateway=self.gateway,
        )


def _bad(message: str, reason: str = "BadRequest") -> HTTPException:
    return HTTPException(status_code=400, detail={"message": message, "reason": reason})


class TraceStep(BaseModel):
    """One stage of the waterfall."""

    stage: Literal["gateway", "listener", "route", "filters", "policies", "upstream", "response"]
    status: Literal["ok", "miss", "error", "skipped"]
    summary: str
    detail: dict[str, Any] = Field(default_factory=dict)
    duration_ms: float | None = Field(
        default=None, description="Needs access logs; null until the analytics store exists."
    )


class LogCorrelation(BaseModel):
    available: bool
    reason: str
    request_id: str | None = None


class TraceResult(BaseModel):
    outcome: str
    status: int | None
    steps: list[TraceStep]
    logs: LogCorrelation
    simulation: SimulationResult


class PolicyConflicts(BaseModel):
    rule: str = CONFLICT_RULE
    conflicts: list[PolicyConflict]


class EffectiveScope(BaseModel):
    """The policies in effect for traffic through one Gateway (and listener)."""

    gateway: str | None = None
    listener: str | None = None
    effective: EffectivePolicies


class EffectivePolicyView(BaseModel):
    target: TargetRef
    scopes: list[EffectiveScope]


class RuleSplit(BaseModel):
    rule: int
    matches: list[dict[str, Any]] = Field(default_factory=list)
    backends: list[BackendShare]
    status_without_forwarding: int | None = Field(
        default=None, description="404 (no backendRefs) or 500 (all weights 0 / invalid)."
    )
    mirrors: list[str] = Field(default_factory=list)


class TrafficSplit(BaseModel):
    kind: str
    namespace: str
    name: str
    rules: list[RuleSplit]
    observed: None = None
    observed_reason: str = OBSERVED_MISSING


def trace_of(sim: SimulationResult) -> TraceResult:
    """The waterfall of a simulation: gateway, listener, route, filters, policies, upstream."""
    steps: list[TraceStep] = []
    losing = [c.model_dump() for c in sim.listeners if not c.chosen]
    if sim.gateway is None:
        steps.append(
            TraceStep(
                stage="gateway",
                status="miss",
                summary="no Gateway listens on the request's port, scheme and host",
                detail={"listeners": losing},
            )
        )
    else:
        steps.append(TraceStep(stage="gateway", status="ok", summary=f"Gateway {sim.gateway}"))
        chosen = next((c for c in sim.listeners if c.chosen), None)
        steps.append(
            TraceStep(
                stage="listener",
                status="ok",
                summary=f"listener {sim.listener}: {chosen.reason if chosen else ''}".strip(),
                detail={"chosen": chosen.model_dump() if chosen else None, "others": losing},
            )
        )
        route = sim.route
        steps.append(
            TraceStep(
                stage="route",
                status="ok" if route is not None else "miss",
                summary=(
                    f"{route.kind} {route.namespace}/{route.name} rule {route.rule} "
                    f"match {route.match} (virtual server {sim.hostname or '*'})"
                    if route is not None
                    else f"no rule matches under virtual server {sim.hostname or '*'}: 404"
                ),
                detail={
                    "match": route.model_dump() if route else None,
                    "precedence": sim.precedence,
                    "candidates": [c.model_dump() for c in sim.candidates],
                },
            )
        )
    if sim.filters is not None:
        steps.append(
            TraceStep(
                stage="filters",
                status="ok",
                summary=", ".join(f.type for f in sim.filters.applied) or "no filters",
                detail=sim.filters.model_dump(),
            )
        )
    if sim.policies is not None:
        active = [p for p in sim.policies.policies if p.status == "active"]
        steps.append(
            TraceStep(
                stage="policies",
                status="ok",
                summary=", ".join(f"{p.policy.kind} {p.policy.name}" for p in active)
                or "no policies in effect",
                detail=sim.policies.model_dump(),
            )
        )
    if sim.route is not None:
        shares = ", ".join(f"{b.name} {b.share:.0%}" for b in sim.backends)
        steps.append(
            TraceStep(
                stage="upstream",
                status="ok" if sim.outcome == "forwarded" else "skipped",
                summary=f"backends: {shares}" if shares else "no backends",
                detail={"backends": [b.model_dump() for b in sim.backends]},
            )
        )
    steps.append(
        TraceStep(
            stage="response",
            status="error" if (sim.status or 0) >= 400 else "ok",
            summary=(
                f"the gateway answers {sim.status} itself ({sim.outcome})"
                if sim.status is not None
                else "forwarded; the backend's response is only known from access logs"
            ),
        )
    )
    request_id = sim.request.header("x-request-id") or sim.request.header("traceparent")
    return TraceResult(
        outcome=sim.outcome,
        status=sim.status,
        steps=steps,
        logs=LogCorrelation(available=False, reason=LOGS_MISSING, request_id=request_id),
        simulation=sim,
    )


def traffic_split(table: RoutingTable, kind: str, namespace: str, name: str) -> TrafficSplit:
    """Configured weights and shares per rule of one route (KeyError if it is unknown)."""
    key = (kind, namespace, name)
    route, attachment = table.routes[key], table.attachments[key]
    rules: list[RuleSplit] = []
    for r, rule in enumerate(as_dicts(spec_of(route).get("rules"))):
        verdicts = [b for b in attachment.backends if b.rule == r]
        shares, status = backend_shares(verdicts, table.snapshot.inferencepools)
        redirect = any(f.get("type") == "RequestRedirect" for f in as_dicts(rule.get("filters")))
        rules.append(
            RuleSplit(
                rule=r,
                matches=[dict(m) for m in as_dicts(rule.get("matches"))],
                backends=shares,
                status_without_forwarding=None if redirect else status,
                mirrors=[f"{b.namespace}/{b.name}" for b in verdicts if b.mirror],
            )
        )
    return TrafficSplit(kind=kind, namespace=namespace, name=name, rules=rules)


def _effective_view(
    table: RoutingTable, kind: str, namespace: str, name: str, listener: str | None
) -> EffectivePolicyView:
    snap = table.snapshot
    group = "" if kind == "Service" else GATEWAY_GROUP
    target = TargetRef(
        group=group, kind=kind, namespace=namespace, name=name, section_name=listener
    )
    scopes: list[EffectiveScope] = []
    if kind == "Gateway":
        gateway = table.context.gateways.get((namespace, name))
        if gateway is None:
            raise KeyError(name)
        names = [str(x.get("name")) for x in as_dicts(spec_of(gateway).get("listeners"))]
        for section in [None, *names] if listener is None else [listener]:
            scopes.append(
                EffectiveScope(
                    gateway=f"{namespace}/{name}",
                    listener=section,
                    effective=effective_policies(snap, gateway=(namespace, name), listener=section),
                )
            )
    elif kind == "Service":
        if not any((namespace_of(s), name_of(s)) == (namespace, name) for s in snap.services):
            raise KeyError(name)
        # No Gateway key matches ("", ""): only the Service's own (Direct) policies count.
        effective = effective_policies(snap, gateway=("", ""), services=[(namespace, name)])
        scopes.append(EffectiveScope(effective=effective))
    else:
        attachment = table.attachments[(kind, namespace, name)]
        services = [
            (b.namespace, b.name) for b in attachment.backends if b.kind == "Service" and b.resolved
        ]
        for parent in attachment.parents:
            for verdict in parent.attached_listeners:
                gw = (parent.gateway_namespace, parent.gateway_name)
                scopes.append(
                    EffectiveScope(
                        gateway="/".join(gw),
                        listener=verdict.listener,
                        effective=effective_policies(
                            snap,
                            gateway=gw,
                            listener=verdict.listener,
                            route=(kind, namespace, name),
                            services=services,
                        ),
                    )
                )
    return EffectivePolicyView(target=target, scopes=scopes)


def _not_found(kind: str, namespace: str, name: str) -> HTTPException:
    return HTTPException(
        status_code=404, detail={"message": f"{kind} {namespace}/{name} not found"}
    )


def router(tables: RoutingTables | None = None) -> APIRouter:
    """The diagnostics routes, with routing tables remembered in ``tables``."""
    api = APIRouter(tags=["diagnostics"])
    memo = tables or RoutingTables()

    async def simulated(cluster: ClusterDep, guard: Guard, body: SimulateBody) -> SimulationResult:
        request = body.request()
        if request.protocol == "grpc":
            await guard.authorize(Action.READ, GRPCROUTES, None)
        table = await memo.table(cluster)
        return table.simulate(request)

    @api.post("/routes/simulate", response_model=SimulationResult)
    async def simulate(
        body: SimulateBody, cluster: ClusterDep, guard: ClusterReader
    ) -> SimulationResult:
        """Route one request through the cluster's Gateways and explain every decision."""
        return await simulated(cluster, guard, body)

    @api.post("/diagnostics/trace", response_model=TraceResult)
    async def trace(body: SimulateBody, cluster: ClusterDep, guard: ClusterReader) -> TraceResult:
        """The simulated request's path as a waterfall (no access logs yet: says so)."""
        return trace_of(await simulated(cluster, guard, body))

    @api.get("/diagnostics/route-check", response_model=RouteCheckReport)
    async def route_check(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        guard: GuardDep,
        kind: RouteKind = "HTTPRoute",
    ) -> RouteCheckReport:
        """The eight checks of spec §3.7.1 for one route, in order."""
        await guard.authorize(Action.READ, ref_for(kind), namespace, name=name)
        table = await memo.table(cluster)
        if (kind, namespace, name) not in table.routes:
            raise _not_found(kind, namespace, name)
        namespaces = {k[1] for k in table.routes} | {
            namespace_of(p) for p in table.snapshot.policies
        }
        if await guard.allowed(Action.READ, HTTPROUTES, None):
            visible = namespaces
        else:
            visible = {ns for ns in namespaces if await guard.allowed(Action.READ, HTTPROUTES, ns)}
        return check_route(table, kind, namespace, name, visible=visible.__contains__)

    @api.get("/policies/conflicts", response_model=PolicyConflicts)
    async def policy_conflicts(
        cluster: ClusterDep,
        guard: GuardDep,
        namespace: Annotated[str | None, Query(description="One namespace (default: all).")] = None,
    ) -> PolicyConflicts:
        """Policies of one kind on one target that clash, the winner and the rule applied."""
        table = await memo.table(cluster)
        conflicts, _ = find_conflicts(table.snapshot.policies)
        allowed: dict[tuple[str, str], bool] = {}
        kept: list[PolicyConflict] = []
        for conflict in conflicts:
            ns = conflict.target.namespace
            if namespace is not None and ns != namespace:
                continue
            key = (conflict.kind, ns)
            if key not in allowed:
                allowed[key] = await guard.allowed(Action.READ, ref_for(conflict.kind), ns)
            if allowed[key]:
                kept.append(conflict)
        return PolicyConflicts(conflicts=kept)

    @api.get("/policies/effective", response_model=EffectivePolicyView)
    async def policy_effective(
        kind: TargetKind,
        namespace: str,
        name: str,
        cluster: ClusterDep,
        guard: GuardDep,
        listener: Annotated[
            str | None, Query(description="A Gateway listener (sectionName).")
        ] = None,
    ) -> EffectivePolicyView:
        """The policies in effect on a target: per setting the winner and the overridden."""
        await guard.authorize(Action.READ, ref_for(kind), namespace, name=name)
        table = await memo.table(cluster)
        try:
            return _effective_view(table, kind, namespace, name, listener)
        except KeyError:
            raise _not_found(kind, namespace, name) from None

    @api.get("/traffic-split", response_model=TrafficSplit)
    async def split(
        namespace: str,
        cluster: ClusterDep,
        guard: GuardDep,
        name: str | None = None,
        route: Annotated[str | None, Query(description="Alias of name (spec §3.3.2).")] = None,
        kind: Literal["HTTPRoute", "GRPCRoute"] = "HTTPRoute",
    ) -> TrafficSplit:
        """An HTTPRoute's configured weights and shares per rule (observed: needs logs)."""
        wanted = name or route
        if not wanted:
            raise _bad("name (or route) is required")
        await guard.authorize(Action.READ, ref_for(kind), namespace, name=wanted)
        table = await memo.table(cluster)
        try:
            return traffic_split(table, kind, namespace, wanted)
        except KeyError:
            raise _not_found(kind, namespace, wanted) from None

    return api
