"""Route precedence, and the per-listener index that finds the winning match fast.

HTTPRoute (Gateway API v1, ``HTTPRouteRule.matches``), continuing on ties:

1. hostname: the most characters in a matching non-wildcard hostname, then in a matching
   hostname (exact before wildcard, longer wildcard first, catch-all last);
2. path: ``Exact``, then ``PathPrefix`` with the most characters (``RegularExpression`` is
   implementation-specific: ranked after both here, and flagged);
3. a method match; 4. the most header matches; 5. the most query param matches;
6. across routes, the oldest by ``creationTimestamp``; 7. ``{namespace}/{name}``
   alphabetically; 8. within a route, the first rule (and match) in list order.

GRPCRoute (``GRPCRouteRule.matches``): hostname as above, then the most characters in a
matching service, then in a matching method, then the most header matches, then the same
route tie-breakers. ``RegularExpression`` method matches rank after ``Exact`` (flagged).

Hostname selects a virtual server first, as NGINX (``server_name``) and the spec's
hostname-first ordering do: the most specific hostname that matches the request wins and
only its rules are considered; a request no rule of it matches gets 404 even if a less
specific hostname's rule would have matched (those are reported as shadowed).

The index: per listener, hostname buckets (exact names in a dict, wildcards by suffix, one
catch-all); per bucket, Exact paths in a dict, PathPrefixes in a dict by normalised prefix
(a request path is looked up once per path element, longest first) and regexes in a list;
gRPC matches by service/method. Each list is pre-sorted, so candidates come out in
precedence order and the first one that passes wins: no scan over every route.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from ngf_console.gatewayapi.hostnames import hostname_precedence, is_wildcard
from ngf_console.gatewayapi.matching import (
    GRPCMatchSpec,
    HTTPMatchSpec,
    normalize_prefix,
    split_grpc_path,
)
from ngf_console.readmodel.objects import Obj, meta, name_of, namespace_of

__all__ = [
    "GRPC_CRITERIA",
    "HTTP_CRITERIA",
    "HostBucket",
    "ListenerIndex",
    "MatchEntry",
    "deciding_rule",
    "grpc_key",
    "http_key",
]

HOSTNAME_CRITERIA: Final = (
    "hostname: most characters in a matching non-wildcard hostname",
    "hostname: most characters in a matching hostname",
)
ROUTE_CRITERIA: Final = (
    "oldest route by creationTimestamp",
    "route {namespace}/{name} alphabetically",
    "first rule in the route",
    "first match in the rule",
)
HTTP_CRITERIA: Final = (
    *HOSTNAME_CRITERIA,
    "path: Exact before PathPrefix (RegularExpression implementation-specific, last)",
    "path: most characters in the PathPrefix",
    "method match",
    "most header matches",
    "most query param matches",
    *ROUTE_CRITERIA,
)
GRPC_CRITERIA: Final = (
    *HOSTNAME_CRITERIA,
    "Exact method match before RegularExpression (implementation-specific)",
    "most characters in a matching service",
    "most characters in a matching method",
    "most header matches",
    *ROUTE_CRITERIA,
)
_PATH_RANK: Final = {"Exact": 0, "PathPrefix": 1}
_NO_TIMESTAMP: Final = "9999"  # a route without one sorts after every dated route


@dataclass(frozen=True)
class MatchEntry:
    """One match of one rule of one route, under one hostname of one listener."""

    kind: str
    route: Obj = field(compare=False, hash=False, repr=False)
    namespace: str
    name: str
    rule: int
    match: int
    hostname: str | None
    http: HTTPMatchSpec | None = None
    grpc: GRPCMatchSpec | None = None
    key: tuple[Any, ...] = ()


def _route_tiebreak(route: Obj, rule: int, match: int) -> tuple[Any, ...]:
    created = str(meta(route).get("creationTimestamp") or _NO_TIMESTAMP)
    return (created, f"{namespace_of(route)}/{name_of(route)}", rule, match)


def http_key(
    hostname: str | None, spec: HTTPMatchSpec, route: Obj, rule: int, match: int
) -> tuple[Any, ...]:
    """The HTTPRoute precedence key, one element per :data:`HTTP_CRITERIA` (lower wins)."""
    rank = _PATH_RANK.get(spec.path_type, 2)
    length = len(normalize_prefix(spec.path_value)) if spec.path_type == "PathPrefix" else 0
    return (
        *hostname_precedence(hostname),
        rank,
        -length,
        0 if spec.method else 1,
        -len(spec.headers),
        -len(spec.query),
        *_route_tiebreak(route, rule, match),
    )


def grpc_key(
    hostname: str | None, spec: GRPCMatchSpec, route: Obj, rule: int, match: int
) -> tuple[Any, ...]:
    """The GRPCRoute precedence key, one element per :data:`GRPC_CRITERIA` (lower wins)."""
    return (
        *hostname_precedence(hostname),
        0 if spec.method_type == "Exact" else 1,
        -len(spec.service or ""),
        -len(spec.method or ""),
        -len(spec.headers),
        *_route_tiebreak(route, rule, match),
    )


def deciding_rule(
    winner: tuple[Any, ...], loser: tuple[Any, ...], criteria: tuple[str, ...]
) -> str:
    """The precedence criterion that put ``winner`` ahead of ``loser``."""
    for index, (a, b) in enumerate(zip(winner, loser, strict=False)):
        if a != b:
            return criteria[index]
    return criteria[-1]


@dataclass
class HostBucket:
    """The matches served under one hostname of a listener, indexed by path."""

    exact: dict[str, list[MatchEntry]] = field(default_factory=lambda: defaultdict(list))
    prefix: dict[str, list[MatchEntry]] = field(default_factory=lambda: defaultdict(list))
    regex: list[MatchEntry] = field(default_factory=list)
    grpc_full: dict[tuple[str, str], list[MatchEntry]] = field(
        default_factory=lambda: defaultdict(list)
    )
    grpc_service: dict[str, list[MatchEntry]] = field(default_factory=lambda: defaultdict(list))
    grpc_method: dict[str, list[MatchEntry]] = field(default_factory=lambda: defaultdict(list))
    grpc_other: list[MatchEntry] = field(default_factory=list)  # match-all and regexes
    size: int = 0

    def add(self, entry: MatchEntry) -> None:
        self.size += 1
        if entry.http is not None:
            spec = entry.http
            if spec.path_type == "Exact":
                self.exact[spec.path_value].append(entry)
            elif spec.path_type == "PathPrefix":
                self.prefix[normalize_prefix(spec.path_value)].append(entry)
            else:
                self.regex.append(entry)
            return
        grpc = entry.grpc
        assert grpc is not None
        if grpc.method_type != "Exact":
            self.grpc_other.append(entry)
        elif grpc.service and grpc.method:
            self.grpc_full[(grpc.service, grpc.method)].append(entry)
        elif grpc.service:
            self.grpc_service[grpc.service].append(entry)
        elif grpc.method:
            self.grpc_method[grpc.method].append(entry)
        else:
            self.grpc_other.append(entry)

    def freeze(self) -> None:
        """Sort every list by precedence (once, after the last :meth:`add`)."""
        for table in (self.exact, self.prefix, self.grpc_full, self.grpc_service, self.grpc_method):
            for entries in table.values():
                entries.sort(key=lambda e: e.key)
        self.regex.sort(key=lambda e: e.key)
        self.grpc_other.sort(key=lambda e: e.key)

    def http_candidates(self, path: str) -> Iterator[MatchEntry]:
        """HTTP matches whose path could match ``path``, in precedence order.

        Exact entries for the path, then PathPrefix entries for each of its element
        prefixes, longest first, then every regex. Only path is pre-filtered; the caller
        evaluates each candidate fully.
        """
        yield from self.exact.get(path, ())
        if self.prefix:
            current = path.rstrip("/")
            while True:
                yield from self.prefix.get(current, ())
                if current == "":
                    break
                current = current[: current.rfind("/")] if "/" in current else ""
        yield from self.regex

    def grpc_candidates(self, path: str) -> list[MatchEntry]:
        """gRPC matches that could match ``/{service}/{method}``, in precedence order."""
        parsed = split_grpc_path(path)
        found = list(self.grpc_other)
        if parsed is not None:
            service, method = parsed
            found += self.grpc_full.get((service, method), [])
            found += self.grpc_service.get(service, [])
            found += self.grpc_method.get(method, [])
        found.sort(key=lambda e: e.key)
        return found


@dataclass
class ListenerIndex:
    """Per listener: hostname buckets (exact, wildcard by suffix, catch-all)."""

    exact: dict[str, HostBucket] = field(default_factory=dict)
    wildcard: dict[str, HostBucket] = field(default_factory=dict)  # ".example.com" -> bucket
    catch_all: HostBucket | None = None

    def bucket(self, hostname: str | None) -> HostBucket:
        if not hostname:
            if self.catch_all is None:
                self.catch_all = HostBucket()
            return self.catch_all
        if is_wildcard(hostname):
            return self.wildcard.setdefault(hostname[1:].lower(), HostBucket())
        return self.exact.setdefault(hostname.lower(), HostBucket())

    def freeze(self) -> None:
        for bucket in [*self.exact.values(), *self.wildcard.values()]:
            bucket.freeze()
        if self.catch_all is not None:
            self.catch_all.freeze()

    def buckets_for(self, host: str) -> list[tuple[str | None, HostBucket]]:
        """Every bucket whose hostname matches ``host``, most specific first.

        The first is the virtual server the request lands on; the rest are shadowed.
        """
        out: list[tuple[str | None, HostBucket]] = []
        if host in self.exact:
            out.append((host, self.exact[host]))
        if self.wildcard:
            dot = host.find(".")
            suffixes: list[str] = []
            while dot != -1:
                suffixes.append(host[dot:])
                dot = host.find(".", dot + 1)
            # A wildcard needs at least one label before it: host[0:] is never a suffix.
            out += [(f"*{s}", self.wildcard[s]) for s in suffixes if s in self.wildcard]
        if self.catch_all is not None:
            out.append((None, self.catch_all))
        return out
