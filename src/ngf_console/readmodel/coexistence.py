"""NGINX Ingress Controller beside Gateway API (spec §3.10.7), pure.

A *KIC route* is one host + path an NGINX Ingress Controller resource serves (an Ingress
rule path, a VirtualServer route, a TransportServer). It has a Gateway API *equivalent*
when a route attached through Gateway API serves the same host (exactly, by wildcard, or
for every host) with a path match that covers the path: the same value, or a PathPrefix
that is a segment prefix of it. A TransportServer is matched by a TLSRoute/TCPRoute/
UDPRoute of the same host (TLS passthrough) or name.

The readiness score is the share of KIC routes with an equivalent; the reasons list what
remains, and the recommendations say which remaining resources the migration engine
converts with high confidence ("can be migrated now") and which need review.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Obj = Mapping[str, Any]

KIC_KINDS = ("Ingress", "VirtualServer", "VirtualServerRoute", "TransportServer")
GATEWAY_ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")


@dataclass(frozen=True)
class KicRoute:
    """One host + path an NGINX Ingress Controller resource serves."""

    kind: str
    namespace: str
    name: str
    host: str  # "" = any host
    path: str
    ingress_class: str | None = None

    @property
    def source(self) -> str:
        """``Kind/namespace/name`` as the migration report names it."""
        return f"{self.kind}/{self.namespace}/{self.name}"


@dataclass(frozen=True)
class GatewayRoute:
    """A Gateway API route: what it serves."""

    kind: str
    namespace: str
    name: str
    hostnames: tuple[str, ...]
    paths: tuple[tuple[str, str], ...]  # (match type, value); () = every path
    migrated: bool = False


@dataclass
class Coexistence:
    """Every KIC route, and the Gateway API route serving the same traffic (if any)."""

    kic: list[tuple[KicRoute, GatewayRoute | None]] = field(default_factory=list)
    gateway: list[GatewayRoute] = field(default_factory=list)

    @property
    def with_equivalent(self) -> int:
        """KIC routes that already have a Gateway API equivalent."""
        return sum(1 for _, eq in self.kic if eq is not None)


def _meta(obj: Obj) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or "default"), str(meta.get("name") or "")


def kic_routes(objects: Iterable[Obj]) -> list[KicRoute]:
    """The host/paths of NGINX Ingress Controller resources."""
    routes = []
    for obj in objects:
        kind, spec = obj.get("kind"), obj.get("spec") or {}
        ns, name = _meta(obj)
        if kind == "Ingress":
            annotations = (obj.get("metadata") or {}).get("annotations") or {}
            klass = spec.get("ingressClassName") or annotations.get("kubernetes.io/ingress.class")
            for rule in spec.get("rules") or []:
                for p in ((rule.get("http") or {}).get("paths")) or [{"path": "/"}]:
                    routes.append(
                        KicRoute(
                            kind, ns, name, rule.get("host") or "", p.get("path") or "/", klass
                        )
                    )
        elif kind in ("VirtualServer", "VirtualServerRoute"):
            for r in spec.get("routes") or [{"path": "/"}]:
                routes.append(
                    KicRoute(kind, ns, name, spec.get("host") or "", r.get("path") or "/")
                )
        elif kind == "TransportServer":
            routes.append(KicRoute(kind, ns, name, spec.get("host") or "", ""))
    return routes


def gateway_routes(objects: Iterable[Obj]) -> list[GatewayRoute]:
    """The hostnames and path matches of Gateway API routes."""
    routes = []
    for obj in objects:
        kind = str(obj.get("kind"))
        if kind not in GATEWAY_ROUTE_KINDS:
            continue
        spec = obj.get("spec") or {}
        ns, name = _meta(obj)
        paths: list[tuple[str, str]] = []
        for rule in spec.get("rules") or []:
            matches = rule.get("matches") or []
            if kind != "HTTPRoute" or not matches:
                paths = []
                break  # a rule without matches serves every path
            for m in matches:
                path = m.get("path") or {"type": "PathPrefix", "value": "/"}
                paths.append((path.get("type", "PathPrefix"), path.get("value", "/")))
        labels = (obj.get("metadata") or {}).get("labels") or {}
        routes.append(
            GatewayRoute(
                kind,
                ns,
                name,
                tuple(spec.get("hostnames") or ()),
                tuple(paths),
                labels.get("ngf-console.f5.com/migrated") == "true",
            )
        )
    return routes


def host_matches(pattern: str, host: str) -> bool:
    """Gateway API hostname matching (``*.example.com`` covers one or more labels)."""
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and host != pattern[2:]
    return pattern == host


def path_covers(match: tuple[str, str], path: str) -> bool:
    """Does a route path match serve ``path`` (as a KIC prefix path)?"""
    kind, value = match
    if value == path:
        return True
    if kind != "PathPrefix":
        return False
    prefix = value.rstrip("/")
    return prefix == "" or path == prefix or path.startswith(prefix + "/")


def equivalent(route: KicRoute, candidates: Sequence[GatewayRoute]) -> GatewayRoute | None:
    """The Gateway API route serving the same host and path, if any (same namespace first)."""
    ordered = sorted(candidates, key=lambda c: c.namespace != route.namespace)
    for c in ordered:
        if route.kind == "TransportServer":
            if c.kind in ("TLSRoute", "TCPRoute", "UDPRoute") and (
                (route.host and route.host in c.hostnames) or c.name == route.name
            ):
                return c
            continue
        if c.kind not in ("HTTPRoute", "GRPCRoute"):
            continue
        hosts_ok = not c.hostnames or any(
            host_matches(h, route.host) for h in c.hostnames if route.host
        )
        if not hosts_ok:
            continue
        if not c.paths or any(path_covers(m, route.path) for m in c.paths):
            return c
    return None


def coexistence(kic_objects: Iterable[Obj], gateway_objects: Iterable[Obj]) -> Coexistence:
    """Pair every KIC route with its Gateway API equivalent."""
    gw = gateway_routes(gateway_objects)
    return Coexistence([(r, equivalent(r, gw)) for r in kic_routes(kic_objects)], gw)


@dataclass(frozen=True)
class Readiness:
    """The migration readiness score and why."""

    score: int  # percent of KIC routes with a Gateway API equivalent
    total: int
    ready: int
    remaining: int
    reasons: list[str]
    recommendations: list[str]


def readiness(view: Coexistence, confidence: Mapping[str, str]) -> Readiness:
    """The score of ``view``; ``confidence`` maps ``Kind/ns/name`` to the engine's verdict."""
    total, ready = len(view.kic), view.with_equivalent
    score = 100 if total == 0 else round(100 * ready / total)
    remaining = [r for r, eq in view.kic if eq is None]
    reasons = [
        f"{score}% of your KIC routes have Gateway API equivalents ready — "
        f"{len(remaining)} route(s) remaining"
    ]
    if total == 0:
        reasons = ["no NGINX Ingress Controller routes found: nothing to migrate"]
    for r in remaining[:20]:
        where = f"{r.host or '*'}{r.path}"
        reasons.append(f"{r.source} serves {where} with no Gateway API equivalent")
    sources = sorted({r.source for r in remaining})
    by_level: dict[str, list[str]] = {"high": [], "medium": [], "low": []}
    for s in sources:
        by_level.get(confidence.get(s, "medium"), by_level["medium"]).append(s)
    recommendations = []
    if by_level["high"]:
        recommendations.append(
            f"{len(by_level['high'])} resource(s) use only features with a direct Gateway API "
            f"mapping — they can be migrated now: {', '.join(by_level['high'][:10])}"
        )
    if by_level["medium"]:
        recommendations.append(
            f"{len(by_level['medium'])} resource(s) need a review of some settings (or NGF "
            f"Enterprise): {', '.join(by_level['medium'][:10])}"
        )
    if by_level["low"]:
        recommendations.append(
            f"{len(by_level['low'])} resource(s) use features NGF cannot carry over: "
            f"{', '.join(by_level['low'][:10])}"
        )
    return Readiness(score, total, ready, len(remaining), reasons, recommendations)
