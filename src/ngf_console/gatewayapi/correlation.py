"""A simulated request next to what the data plane logged for it (spec §3.7.2).

Pure: the API router looks the rows up in the analytics store (access logs, inference logs,
EPP decisions) and hands them here as dicts with the store's column names
(docs/analytics.md). This module says

- which keys identify the request: ``x-request-id`` (the ``request_id`` column) and the
  trace id of a W3C ``traceparent`` header (``trace_id``, 32 lower-case hex digits);
- what was observed (the newest access-log row): status, gateway, listener, route,
  upstream, timings;
- the timings as waterfall segments: ``latency_ms`` is NGINX's ``$request_time``,
  ``upstream_latency_ms`` its ``$upstream_response_time``; the access-log schema has no
  upstream connect or header time, and the answer says so rather than inventing them.
  Inference requests add the EPP decision, queue, prefill and decode times;
- whether the observation agrees with the simulation, aspect by aspect (gateway,
  listener, route, upstream, the gateway's own answer, and, for rows found by id, the
  request itself); each disagreement is a finding.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

from ngf_console.gatewayapi.request import SimulatedRequest
from ngf_console.gatewayapi.simulate import SimulationResult
from ngf_console.telemetry.red import upstream_name

__all__ = [
    "Correlation",
    "Finding",
    "LogKeys",
    "ObservedRequest",
    "TimingSegment",
    "correlate",
    "keys_of",
    "trace_id_of",
    "uncorrelated",
]

MatchedBy = Literal["request_id", "trace_id", "recent"]
Aspect = Literal["request", "gateway", "listener", "route", "upstream", "status"]
_TRACEPARENT: Final = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
MISSING_TIMINGS: Final = (
    "upstream connect time ($upstream_connect_time): not a column of ngf_access_logs",
    "upstream header time ($upstream_header_time): not a column of ngf_access_logs",
)
MATCH_LABELS: Final[dict[str, str]] = {
    "request_id": "access-log rows with this request id",
    "trace_id": "access-log rows with this trace id",
    "recent": "no request id or trace id given: the most recent rows with the same host, "
    "path and method in the window, which need not be this request",
}


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id of a W3C ``traceparent`` header (None if it is not a valid one).

    Trace Context §3.2: ``version-traceid-parentid-flags``; version ``ff`` and an all-zero
    trace or parent id are invalid.
    """
    m = _TRACEPARENT.match((traceparent or "").strip().lower())
    if m is None or m.group(1) == "ff" or set(m.group(2)) == {"0"} or set(m.group(3)) == {"0"}:
        return None
    return m.group(2)


class LogKeys(BaseModel):
    """What identifies the request in the logs (either may be missing)."""

    request_id: str | None = None
    trace_id: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.request_id or self.trace_id)


def keys_of(
    request: SimulatedRequest, request_id: str | None = None, trace_id: str | None = None
) -> LogKeys:
    """Explicit ids first, else the request's ``x-request-id`` and ``traceparent`` headers."""
    rid = request_id or request.header("x-request-id")
    tid = (trace_id or "").strip().lower() or trace_id_of(request.header("traceparent"))
    return LogKeys(request_id=rid or None, trace_id=tid or None)


class TimingSegment(BaseModel):
    """One bar of the waterfall, in ms from the start of the request at the gateway."""

    name: str
    start_ms: float
    duration_ms: float
    source: str = Field(description="The column(s) the duration comes from.")
    parent: str | None = None
    approximate_start: bool = Field(
        default=False, description="Logs give durations, not start times; the start is inferred."
    )


class Finding(BaseModel):
    """One aspect compared; ``agrees`` False is a disagreement worth reading."""

    aspect: Aspect
    simulated: str | None
    observed: str | None
    agrees: bool
    message: str


class ObservedRequest(BaseModel):
    """The newest matching access-log row, in the terms of the simulation."""

    timestamp: str
    request_id: str
    trace_id: str
    method: str
    host: str
    path: str
    status: int
    gateway: str
    listener: str
    route: str
    upstream: str
    upstream_addr: str
    latency_ms: float
    upstream_latency_ms: float


class Correlation(BaseModel):
    """The logs' side of a trace; ``available`` False says why there is none."""

    available: bool
    reason: str
    request_id: str | None = None
    trace_id: str | None = None
    matched_by: MatchedBy | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    observed: ObservedRequest | None = None
    agrees: bool | None = Field(
        default=None, description="Every compared aspect agrees (null: nothing observed)."
    )
    findings: list[Finding] = Field(default_factory=list)
    segments: list[TimingSegment] = Field(default_factory=list)
    missing_timings: list[str] = Field(default_factory=list)
    access_logs: list[dict[str, Any]] = Field(default_factory=list)
    inference_logs: list[dict[str, Any]] = Field(default_factory=list)
    epp_decisions: list[dict[str, Any]] = Field(default_factory=list)


def uncorrelated(reason: str, keys: LogKeys) -> Correlation:
    """No correlation (analytics off, unreadable, ...), saying why."""
    return Correlation(
        available=False, reason=reason, request_id=keys.request_id, trace_id=keys.trace_id
    )


def _f(row: Mapping[str, Any], key: str) -> float:
    value = row.get(key)
    return float(value) if isinstance(value, (int, float)) else 0.0


def _s(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value)


def observed_of(row: Mapping[str, Any]) -> ObservedRequest:
    """An access-log row as an :class:`ObservedRequest`."""
    gw_ns, gw = _s(row, "gateway_namespace"), _s(row, "gateway")
    ns, route = _s(row, "namespace"), _s(row, "route")
    return ObservedRequest(
        timestamp=_s(row, "timestamp"),
        request_id=_s(row, "request_id"),
        trace_id=_s(row, "trace_id"),
        method=_s(row, "method"),
        host=_s(row, "host"),
        path=_s(row, "path"),
        status=int(_f(row, "status")),
        gateway=f"{gw_ns}/{gw}" if gw_ns and gw else gw,
        listener=_s(row, "listener"),
        route=f"{ns}/{route}" if ns and route else route,
        upstream=_s(row, "upstream_name"),
        upstream_addr=_s(row, "upstream_addr"),
        latency_ms=_f(row, "latency_ms"),
        upstream_latency_ms=_f(row, "upstream_latency_ms"),
    )


def expected_upstreams(sim: SimulationResult) -> list[str]:
    """The NGINX upstreams (``{ns}_{name}_{port}``) the simulation may send the request to."""
    return [
        upstream_name(b.namespace, b.name, b.port)
        for b in sim.backends
        if b.resolved and b.share > 0
    ]


def _compare(aspect: Aspect, simulated: str | None, observed: str, what: str) -> Finding | None:
    if not observed:
        return None  # not logged: nothing to compare
    agrees = simulated == observed
    message = (
        f"{what}: {observed}, as simulated"
        if agrees
        else f"{what}: logged {observed}, simulated {simulated or 'none'}"
    )
    return Finding(
        aspect=aspect, simulated=simulated, observed=observed, agrees=agrees, message=message
    )


def findings_of(sim: SimulationResult, seen: ObservedRequest, by: MatchedBy) -> list[Finding]:
    """Each aspect of ``seen`` compared with ``sim`` (unlogged aspects are left out)."""
    out: list[Finding] = []
    req = sim.request
    if by != "recent":
        simulated = f"{req.method} {req.host}{req.path}"
        observed = f"{seen.method} {seen.host}{seen.path}"
        if seen.method and seen.path:
            same = (
                seen.method.upper() == req.method.upper()
                and seen.path == req.path
                and (not seen.host or seen.host.lower() == req.host.lower())
            )
            out.append(
                Finding(
                    aspect="request",
                    simulated=simulated,
                    observed=observed,
                    agrees=same,
                    message="the logged request is the simulated one"
                    if same
                    else f"the logged request was {observed}, not the simulated {simulated}: "
                    "simulate the logged request to compare like with like",
                )
            )
    route = f"{sim.route.namespace}/{sim.route.name}" if sim.route else None
    for finding in (
        _compare("gateway", sim.gateway, seen.gateway, "Gateway"),
        _compare("listener", sim.listener, seen.listener, "listener"),
        _compare("route", route, seen.route, "route"),
    ):
        if finding is not None:
            out.append(finding)
    expected = expected_upstreams(sim)
    if sim.status is not None:
        answered = not seen.upstream and seen.status == sim.status
        out.append(
            Finding(
                aspect="status",
                simulated=f"{sim.status} from the gateway",
                observed=f"{seen.status}" + (f" from {seen.upstream}" if seen.upstream else ""),
                agrees=answered,
                message=f"the gateway answered {sim.status} itself, as simulated"
                if answered
                else f"simulated: the gateway answers {sim.status} itself ({sim.outcome}); "
                f"logged: {seen.status}"
                + (f" from upstream {seen.upstream}" if seen.upstream else ""),
            )
        )
    elif not seen.upstream:
        out.append(
            Finding(
                aspect="upstream",
                simulated=", ".join(expected) or None,
                observed=None,
                agrees=False,
                message=f"simulated: forwarded to {', '.join(expected) or 'a backend'}; logged: "
                f"the gateway answered {seen.status} without an upstream",
            )
        )
    else:
        agrees = seen.upstream in expected
        out.append(
            Finding(
                aspect="upstream",
                simulated=", ".join(expected) or None,
                observed=seen.upstream,
                agrees=agrees,
                message=f"upstream {seen.upstream} ({seen.upstream_addr or 'address not logged'})"
                f" is one of the simulated backends"
                if agrees
                else f"logged upstream {seen.upstream} is none of the simulated backends "
                f"[{', '.join(expected)}]: the data plane's configuration differs from the "
                "cluster state (not yet reconciled, or another route served it)",
            )
        )
    return out


def segments_of(
    access: Mapping[str, Any],
    inference: Mapping[str, Any] | None,
    decision: Mapping[str, Any] | None,
) -> list[TimingSegment]:
    """The waterfall of one request from its access-log (and inference / EPP) rows."""
    out: list[TimingSegment] = []
    edge = _f(access, "xc_edge_latency_ms")
    start = edge
    if edge > 0:
        out.append(
            TimingSegment(name="xc-edge", start_ms=0, duration_ms=edge, source="xc_edge_latency_ms")
        )
    total, upstream = _f(access, "latency_ms"), _f(access, "upstream_latency_ms")
    out.append(
        TimingSegment(name="request", start_ms=start, duration_ms=total, source="latency_ms")
    )
    if upstream <= 0:
        return out
    own = max(total - upstream, 0.0)
    out.append(
        TimingSegment(
            name="gateway",
            start_ms=start,
            duration_ms=own,
            source="latency_ms - upstream_latency_ms",
            parent="request",
            approximate_start=True,
        )
    )
    # The gateway's own time is put first: reading the request, TLS and auth sit before the
    # upstream; the response is streamed while the upstream sends it.
    up_start = start + own
    out.append(
        TimingSegment(
            name="upstream",
            start_ms=up_start,
            duration_ms=upstream,
            source="upstream_latency_ms",
            parent="request",
            approximate_start=True,
        )
    )
    cursor = up_start
    epp_us = _f(decision, "decision_latency_us") if decision else 0.0
    if not epp_us and inference:
        epp_us = _f(inference, "epp_decision_latency_us")
    if epp_us > 0:
        source = "ngf_epp_decisions.decision_latency_us" if decision else "epp_decision_latency_us"
        out.append(
            TimingSegment(
                name="epp-decision",
                start_ms=cursor,
                duration_ms=epp_us / 1000,
                source=source,
                parent="upstream",
            )
        )
        cursor += epp_us / 1000
    if inference:
        for name, column in (
            ("queue", "queue_time_ms"),
            ("prefill", "prefill_time_ms"),
            ("decode", "decode_time_ms"),
        ):
            duration = _f(inference, column)
            if duration > 0:
                out.append(
                    TimingSegment(
                        name=name,
                        start_ms=cursor,
                        duration_ms=duration,
                        source=column,
                        parent="upstream",
                    )
                )
                cursor += duration
        ttft = _f(inference, "time_to_first_token_ms")
        if ttft > 0:
            out.append(
                TimingSegment(
                    name="time-to-first-token",
                    start_ms=up_start,
                    duration_ms=ttft,
                    source="time_to_first_token_ms",
                    parent="upstream",
                )
            )
    return out


def _by_request(rows: Sequence[Mapping[str, Any]], rid: str) -> Mapping[str, Any] | None:
    return next((r for r in rows if rid and _s(r, "request_id") == rid), rows[0] if rows else None)


def correlate(
    sim: SimulationResult,
    keys: LogKeys,
    matched_by: MatchedBy,
    access: Sequence[dict[str, Any]],
    inference: Sequence[dict[str, Any]] = (),
    decisions: Sequence[dict[str, Any]] = (),
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Correlation:
    """The correlation of ``sim`` with the rows found (newest first) by ``matched_by``."""
    base = Correlation(
        available=True,
        reason=MATCH_LABELS[matched_by],
        request_id=keys.request_id,
        trace_id=keys.trace_id,
        matched_by=matched_by,
        since=since,
        until=until,
        missing_timings=list(MISSING_TIMINGS),
        access_logs=list(access),
        inference_logs=list(inference),
        epp_decisions=list(decisions),
    )
    if not access:
        base.reason = f"no {MATCH_LABELS[matched_by]} in the window"
        return base
    seen = observed_of(access[0])
    rid = seen.request_id
    base.observed = seen
    base.findings = findings_of(sim, seen, matched_by)
    base.agrees = all(f.agrees for f in base.findings)
    base.segments = segments_of(access[0], _by_request(inference, rid), _by_request(decisions, rid))
    return base
