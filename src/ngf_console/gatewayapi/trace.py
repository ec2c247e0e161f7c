"""The request trace of spec §3.7.2: a simulation as a waterfall, with the logs' side.

gateway → listener → route → filters → policies → upstream → response, each step from the
:class:`~.simulate.SimulationResult`; when access logs were correlated
(:mod:`.correlation`), the upstream and response steps carry the observed durations and
status, and the correlation's segments are the timeline.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ngf_console.gatewayapi.correlation import Correlation
from ngf_console.gatewayapi.simulate import SimulationResult

__all__ = ["TraceResult", "TraceStep", "trace_of"]


class TraceStep(BaseModel):
    """One stage of the waterfall."""

    stage: Literal["gateway", "listener", "route", "filters", "policies", "upstream", "response"]
    status: Literal["ok", "miss", "error", "skipped"]
    summary: str
    detail: dict[str, Any] = Field(default_factory=dict)
    duration_ms: float | None = Field(
        default=None, description="Observed in the correlated access log; null without one."
    )


class TraceResult(BaseModel):
    outcome: str
    status: int | None
    steps: list[TraceStep]
    logs: Correlation
    simulation: SimulationResult


def _steps(sim: SimulationResult) -> list[TraceStep]:
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
    return steps


def trace_of(sim: SimulationResult, logs: Correlation) -> TraceResult:
    """The waterfall of a simulation, with what ``logs`` observed of the request."""
    steps = _steps(sim)
    seen = logs.observed
    upstream = next((s for s in steps if s.stage == "upstream"), None)
    if seen is not None and upstream is not None and seen.upstream:
        upstream.duration_ms = seen.upstream_latency_ms
        upstream.detail["observed"] = {"upstream": seen.upstream, "address": seen.upstream_addr}
    if seen is not None:
        label = "this request" if logs.matched_by != "recent" else "a recent like request"
        by = f" from {seen.upstream}" if seen.upstream else " from the gateway itself"
        steps.append(
            TraceStep(
                stage="response",
                status="error" if seen.status >= 400 else "ok",
                summary=f"logged for {label}: {seen.status}{by} in {seen.latency_ms:g} ms",
                duration_ms=seen.latency_ms,
                detail={"agrees": logs.agrees},
            )
        )
    else:
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
    return TraceResult(
        outcome=sim.outcome, status=sim.status, steps=steps, logs=logs, simulation=sim
    )
