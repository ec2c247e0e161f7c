"""Gateway API semantics over the watch cache (spec §3.3.2, §3.3.3, §3.5.2, §3.7.1, §3.7.2).

- ``POST /routes/simulate``: route one request (fields, or a pasted curl) and explain it.
- ``GET /diagnostics/route-check``: the eight checks of "why isn't my route working?"
  (check 8 also reads the cache's EndpointSlices and NetworkPolicies).
- ``POST /diagnostics/trace``: the simulated path as a waterfall, correlated with the
  access-log rows of the request (by request id / trace id, else recent like requests).
- ``GET /policies/conflicts``, ``GET /policies/effective``: policy attachment (GEP-713).
- ``GET /traffic-split``: an HTTPRoute's configured weights and shares per rule, next to
  the observed shares from the access logs, with drift flagged.

Everything reads a :class:`~ngf_console.api.routing_tables.RoutingTables` entry (rebuilt
when the cache moves) and, for the logs' side, the analytics store
(:mod:`.diagnostics_logs`); nothing here writes to the cluster.

Authorisation: a simulation or trace can land on any route in any namespace, so it needs
read on httproutes (grpcroutes for gRPC) cluster-wide; a caller bound to some namespaces
gets 403 rather than a partial answer that could leak another team's routes. The route
check needs read on the route itself; routes and policies of namespaces the caller may not
read are not named in its evidence. Policy conflicts are filtered per namespace; the
effective policy of a target needs read on the target. Trace log rows: access logs with the
cluster-wide read the trace already needs, inference rows of namespaces where the caller
reads InferencePools; a traffic split's observed side needs read on HTTPRoutes in the
route's namespace (as ``/logs/query`` does).
"""

# No ``from __future__ import annotations``: FastAPI must see the Annotated dependencies.
import datetime as dt
from typing import Annotated, ClassVar, Final, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ngf_console.api.auth import Action, Guard, ResourceRef, cluster_scoped, get_guard, require
from ngf_console.api.routers.diagnostics_logs import analytics_of, observed, trace_logs
from ngf_console.api.routing_tables import RoutingTables
from ngf_console.api.state import ClusterDep
from ngf_console.gatewayapi import CurlParseError, SimulatedRequest, SimulationResult, from_curl
from ngf_console.gatewayapi.correlation import keys_of
from ngf_console.gatewayapi.policies import (
    CONFLICT_RULE,
    EffectivePolicies,
    PolicyConflict,
    TargetRef,
    effective_policies,
    find_conflicts,
)
from ngf_console.gatewayapi.reachability import ReachabilityInputs
from ngf_console.gatewayapi.route_check import RouteCheckReport, check_route
from ngf_console.gatewayapi.simulate import RoutingTable
from ngf_console.gatewayapi.trace import TraceResult, trace_of
from ngf_console.gatewayapi.traffic import TrafficSplit, traffic_split
from ngf_console.kube.cache import CacheNotSyncedError, UnknownResourceTypeError
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.served_types import SERVED_TYPES, served_type
from ngf_console.readmodel.objects import (
    GATEWAY_GROUP,
    Obj,
    as_dicts,
    name_of,
    namespace_of,
    spec_of,
)

__all__ = ["router"]

HTTPROUTES: Final = ResourceRef(GATEWAY_GROUP, "httproutes")
GRPCROUTES: Final = ResourceRef(GATEWAY_GROUP, "grpcroutes")
RouteKind = Literal["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]
TargetKind = Literal["Gateway", "HTTPRoute", "GRPCRoute", "Service"]
ENDPOINTSLICES: Final = served_type("endpointslices", "discovery.k8s.io")
NETWORKPOLICIES: Final = served_type("networkpolicies", "networking.k8s.io")
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
    # Fields that are not part of the request (allowed next to ``curl``).
    NOT_REQUEST: ClassVar[frozenset[str]] = frozenset({"curl", "gateway"})

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
            mixed = self.model_fields_set - self.NOT_REQUEST
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


class TraceBody(SimulateBody):
    """A request to trace, and how to find it in the access logs.

    ``request_id`` / ``trace_id`` override the request's ``x-request-id`` and
    ``traceparent`` headers; without either, the most recent rows with the request's host,
    path and method are shown (labelled as such). The window defaults to the last 24 hours
    for an id, the last 15 minutes otherwise.
    """

    NOT_REQUEST: ClassVar[frozenset[str]] = frozenset(
        {"curl", "gateway", "request_id", "trace_id", "since", "until", "limit"}
    )

    request_id: str | None = Field(default=None, min_length=1, max_length=256)
    trace_id: str | None = Field(
        default=None, pattern=r"^[0-9a-fA-F]{32}$", description="W3C trace id (32 hex digits)."
    )
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = Field(default=20, ge=1, le=200, description="Log rows per table at most.")


def _bad(message: str, reason: str = "BadRequest") -> HTTPException:
    return HTTPException(status_code=400, detail={"message": message, "reason": reason})


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


def reachability_inputs(cluster: Cluster) -> ReachabilityInputs:
    """The cache's EndpointSlices and NetworkPolicies for route check 8 (None + why when
    the cache cannot give them)."""
    found: dict[str, list[Obj] | None] = {}
    missing: dict[str, str] = {}
    for t in (ENDPOINTSLICES, NETWORKPOLICIES):
        try:
            found[t.kind] = list(cluster.cache.list(t).items)
        except (CacheNotSyncedError, UnknownResourceTypeError) as err:
            found[t.kind], missing[t.kind] = None, str(err)
    return ReachabilityInputs(
        endpointslices=found["EndpointSlice"],
        networkpolicies=found["NetworkPolicy"],
        missing=missing,
    )


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
    async def trace(
        body: TraceBody, request: Request, cluster: ClusterDep, guard: ClusterReader
    ) -> TraceResult:
        """The simulated request's path as a waterfall, with its access-log rows: observed
        status, upstream and timings, and whether they agree with the simulation."""
        sim = await simulated(cluster, guard, body)
        keys = keys_of(sim.request, body.request_id, body.trace_id)
        try:
            logs = await trace_logs(
                analytics_of(request),
                guard,
                cluster.name,
                sim,
                keys,
                since=body.since,
                until=body.until,
                limit=body.limit,
            )
        except ValueError as err:
            raise _bad(str(err)) from err
        return trace_of(sim, logs)

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
        return check_route(
            table,
            kind,
            namespace,
            name,
            visible=visible.__contains__,
            reachability=reachability_inputs(cluster),
        )

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
        request: Request,
        cluster: ClusterDep,
        guard: GuardDep,
        name: str | None = None,
        route: Annotated[str | None, Query(description="Alias of name (spec §3.3.2).")] = None,
        kind: Literal["HTTPRoute", "GRPCRoute"] = "HTTPRoute",
        observe: Annotated[
            bool, Query(description="Read the observed split from the access logs.")
        ] = True,
        since: Annotated[dt.datetime | None, Query(description="Default: an hour ago.")] = None,
        until: Annotated[dt.datetime | None, Query(description="Default: now.")] = None,
        bucket: Annotated[
            int | None, Query(ge=10, le=86400, description="Bucket width (s) of the series.")
        ] = None,
        tolerance: Annotated[
            float, Query(gt=0, lt=1, description="Drift beyond this share difference.")
        ] = 0.05,
        min_requests: Annotated[
            int, Query(ge=1, description="Requests a rule needs before drift is judged.")
        ] = 50,
    ) -> TrafficSplit:
        """A route's configured weights and shares per rule, and the observed shares per
        backend over the window (per time bucket too), with drift beyond ``tolerance``."""
        wanted = name or route
        if not wanted:
            raise _bad("name (or route) is required")
        await guard.authorize(Action.READ, ref_for(kind), namespace, name=wanted)
        table = await memo.table(cluster)
        try:
            split_ = traffic_split(table, kind, namespace, wanted)
        except KeyError:
            raise _not_found(kind, namespace, wanted) from None
        if not observe:
            split_.observed_reason = "not asked for (observe=false)"
            return split_
        try:
            split_.observed, split_.observed_reason = await observed(
                analytics_of(request),
                guard,
                cluster.name,
                namespace,
                wanted,
                split_.rules,
                since=since,
                until=until,
                bucket_seconds=bucket,
                tolerance=tolerance,
                min_requests=min_requests,
            )
        except ValueError as err:
            raise _bad(str(err)) from err
        return split_

    return api
