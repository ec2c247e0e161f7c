"""Traffic split of a route (spec §3.3.2): configured weights next to the observed shares.

Configured: per rule, each backendRef's weight and share (:func:`.filters.backend_shares`).
Observed: access-log request counts per NGINX upstream (``{ns}_{service}_{port}``, the
``upstream_name`` column) per time bucket, counted by the API router and handed here.

Drift, per rule: the access log does not record the rule, so a rule is judged only when its
upstreams are its own (an upstream shared with another rule of the route cannot be split
between them). A backend drifts when its observed share of the rule's requests differs from
its configured share by more than ``tolerance`` **and** by more than three standard errors
of a binomial share (``sqrt(p(1-p)/n)``), with at least ``min_requests`` requests in the rule:
a handful of requests is not evidence.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import BaseModel, Field

from ngf_console.gatewayapi.filters import BackendShare, backend_shares
from ngf_console.gatewayapi.simulate import RoutingTable
from ngf_console.readmodel.objects import as_dicts, spec_of
from ngf_console.telemetry.red import upstream_name

__all__ = [
    "BucketCounts",
    "ObservedBackend",
    "ObservedRule",
    "ObservedSplit",
    "RuleSplit",
    "TrafficSplit",
    "observed_split",
    "traffic_split",
]

Z: Final = 3.0


class RuleSplit(BaseModel):
    rule: int
    matches: list[dict[str, Any]] = Field(default_factory=list)
    backends: list[BackendShare]
    status_without_forwarding: int | None = Field(
        default=None, description="404 (no backendRefs) or 500 (all weights 0 / invalid)."
    )
    mirrors: list[str] = Field(default_factory=list)


class BucketCounts(BaseModel):
    """Requests per upstream in one time bucket (``""``: answered by the gateway itself)."""

    start: dt.datetime
    counts: dict[str, int]
    shares: dict[str, float]


class ObservedBackend(BaseModel):
    namespace: str
    name: str
    port: int | None
    upstream: str
    requests: int
    configured_share: float
    observed_share: float | None = Field(description="Of the rule's requests; null without any.")
    deviation: float | None = None
    drifted: bool = False


class ObservedRule(BaseModel):
    rule: int
    requests: int
    judged: bool
    note: str | None = None
    backends: list[ObservedBackend]


class ObservedSplit(BaseModel):
    """What the access logs show for the route in [since, until)."""

    since: dt.datetime
    until: dt.datetime
    bucket_seconds: int
    tolerance: float
    min_requests: int
    total_requests: int
    answered_by_gateway: int = Field(description="Rows without an upstream (redirects, 404s).")
    unexpected_upstreams: dict[str, int] = Field(
        default_factory=dict, description="Upstreams logged for the route but not configured."
    )
    rules: list[ObservedRule]
    series: list[BucketCounts]
    drifted: bool
    findings: list[str] = Field(default_factory=list)


class TrafficSplit(BaseModel):
    kind: str
    namespace: str
    name: str
    rules: list[RuleSplit]
    observed: ObservedSplit | None = None
    observed_reason: str


def traffic_split(
    table: RoutingTable, kind: str, namespace: str, name: str, observed_reason: str = ""
) -> TrafficSplit:
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
    return TrafficSplit(
        kind=kind, namespace=namespace, name=name, rules=rules, observed_reason=observed_reason
    )


def _upstream(b: BackendShare) -> str:
    return upstream_name(b.namespace, b.name, b.port)


def _judge_rule(
    rule: RuleSplit, counts: Mapping[str, int], shared: set[str], tolerance: float, min_n: int
) -> ObservedRule:
    ups = [_upstream(b) for b in rule.backends]
    n = sum(counts.get(u, 0) for u in set(ups))
    clash = sorted(set(ups) & shared)
    judged = not clash and n >= min_n and bool(rule.backends)
    note = None
    if clash:
        note = f"upstream(s) {', '.join(clash)} also serve another rule: the split is not judged"
    elif n < min_n:
        note = f"{n} request(s); at least {min_n} are needed to judge drift"
    backends: list[ObservedBackend] = []
    for b, up in zip(rule.backends, ups, strict=True):
        got = counts.get(up, 0)
        share = got / n if n else None
        deviation = None if share is None else round(share - b.share, 4)
        drifted = False
        if judged and deviation is not None:
            se = math.sqrt(b.share * (1 - b.share) / n)
            drifted = abs(deviation) > tolerance and abs(deviation) > Z * se
        backends.append(
            ObservedBackend(
                namespace=b.namespace,
                name=b.name,
                port=b.port,
                upstream=up,
                requests=got,
                configured_share=b.share,
                observed_share=None if share is None else round(share, 4),
                deviation=deviation,
                drifted=drifted,
            )
        )
    return ObservedRule(rule=rule.rule, requests=n, judged=judged, note=note, backends=backends)


def observed_split(
    rules: Sequence[RuleSplit],
    series: Sequence[tuple[dt.datetime, str, int]],
    *,
    since: dt.datetime,
    until: dt.datetime,
    bucket_seconds: int,
    tolerance: float = 0.05,
    min_requests: int = 50,
) -> ObservedSplit:
    """Observed shares and drift from ``(bucket start, upstream, requests)`` rows."""
    totals: Counter[str] = Counter()
    buckets: dict[dt.datetime, Counter[str]] = {}
    for start, upstream, n in series:
        totals[upstream] += n
        buckets.setdefault(start, Counter())[upstream] += n
    owners: Counter[str] = Counter()
    for rule in rules:
        for up in {_upstream(b) for b in rule.backends}:
            owners[up] += 1
    shared = {u for u, c in owners.items() if c > 1}
    judged = [_judge_rule(r, totals, shared, tolerance, min_requests) for r in rules]
    unexpected = {u: n for u, n in sorted(totals.items()) if u and u not in owners}
    findings: list[str] = []
    for seen in judged:
        for ob in seen.backends:
            if ob.drifted and ob.observed_share is not None:
                findings.append(
                    f"rule {seen.rule}: {ob.namespace}/{ob.name} got {ob.observed_share:.1%} of "
                    f"{seen.requests} requests, configured {ob.configured_share:.1%} "
                    f"(beyond ±{tolerance:.0%})"
                )
    for up, n in unexpected.items():
        findings.append(
            f"{n} request(s) went to upstream {up}, which no rule of the route names now "
            "(an older configuration, or the data plane has not caught up)"
        )
    series_out = [
        BucketCounts(
            start=start,
            counts=dict(sorted(c.items())),
            shares={u: round(n / sum(c.values()), 4) for u, n in sorted(c.items())},
        )
        for start, c in sorted(buckets.items())
    ]
    return ObservedSplit(
        since=since,
        until=until,
        bucket_seconds=bucket_seconds,
        tolerance=tolerance,
        min_requests=min_requests,
        total_requests=sum(totals.values()),
        answered_by_gateway=totals.get("", 0),
        unexpected_upstreams=unexpected,
        rules=judged,
        series=series_out,
        drifted=any(b.drifted for r in judged for b in r.backends),
        findings=findings,
    )


def bucket_for(since: dt.datetime, until: dt.datetime, buckets: int = 60) -> int:
    """A bucket width (s) giving at most ``buckets`` buckets: whole minutes, at least one."""
    span = (until - since).total_seconds()
    return max(60, math.ceil(span / buckets / 60) * 60)
