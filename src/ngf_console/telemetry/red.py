"""RED metrics (rate, errors, duration) of the data plane: everything, a Gateway, a route.

Gateway-wide numbers come from the NGINX server-zone series of the Gateway's NGINX pods
(``namespace`` + ``gateway`` labels); a route's come from the per-upstream series of its
backends (NGF names an upstream ``{namespace}_{service}_{port}``), since NGINX counts per
upstream, not per route. NGINX exposes no latency histogram: duration is the upstream
response time NGINX Plus reports (a mean per peer); percentiles come from the access logs.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from ngf_console.telemetry.metric_names import NGINX, NamePair
from ngf_console.telemetry.prometheus import PrometheusClient, TimeRange
from ngf_console.telemetry.series import (
    Generation,
    Point,
    first_instant,
    first_range,
    rate_window,
    sum_points,
)

__all__ = ["RedView", "Scope", "red", "selector", "upstream_name"]


def selector(metric: str, *matchers: str) -> str:
    """``metric`` (which may already hold matchers) with ``matchers`` added."""
    extra = [m for m in matchers if m]
    if not extra:
        return metric
    if metric.endswith("}"):
        inner = metric[metric.index("{") + 1 : -1]
        return f"{metric[: metric.index('{')]}{{{','.join([inner, *extra] if inner else extra)}}}"
    return f"{metric}{{{','.join(extra)}}}"


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def upstream_name(namespace: str, service: str, port: int | None) -> str:
    """The NGINX upstream NGF renders for a backend (``{ns}_{svc}_{port}``)."""
    return f"{namespace}_{service}_{port if port is not None else 80}"


@dataclass(frozen=True)
class Scope:
    """What a RED view covers: all data planes, a namespace's or one Gateway, or a route's
    upstreams."""

    gateway: tuple[str, str] | None = None
    upstreams: tuple[str, ...] | None = None
    namespace: str | None = None
    """Every Gateway of this namespace (when ``gateway`` is not set)."""

    def gateway_matchers(self) -> list[str]:
        if self.gateway is None:
            return [f'namespace="{_quote(self.namespace)}"'] if self.namespace else []
        namespace, name = self.gateway
        return [f'namespace="{_quote(namespace)}"', f'gateway="{_quote(name)}"']

    def upstream_matcher(self, label: str) -> str:
        assert self.upstreams is not None
        alternatives = "|".join(_quote(u) for u in self.upstreams) or "^$"
        return f'{label}=~"{alternatives}"'


class RedNow(BaseModel):
    """The current values (rates over the last rate window)."""

    requests_per_second: float
    errors_per_second: float
    error_rate: float = Field(description="Share of responses that were 4xx or 5xx (0..1).")
    errors_by_status: dict[str, float] = Field(description="Responses per second by class.")
    avg_latency_ms: float | None
    active_connections: float | None


class RedView(BaseModel):
    """RED numbers and series of one scope over a time range."""

    start: float
    end: float
    step: float
    now: RedNow
    requests: list[Point]
    errors_4xx: list[Point]
    errors_5xx: list[Point]
    latency_ms: list[Point]
    connections: list[Point]
    metric_generation: Generation = Field(
        description="Which names answered: current (NGINX Agent v3), older (NGF 1.x), none."
    )
    queries: dict[str, str] = Field(
        default_factory=dict,
        description="Per series, the PromQL that answered (to open it in Grafana or Prometheus).",
    )


def _status_pair(pair: NamePair, scope: Scope, classes: str) -> tuple[str, str]:
    """Selectors of responses in the status ``classes`` regex, current and older."""
    if scope.upstreams is not None:
        current = selector(
            pair.current,
            scope.upstream_matcher(pair.upstream_label),
            f'{pair.status_label}=~"{classes}"',
        )
        older = selector(
            pair.older,
            scope.upstream_matcher(pair.older_upstream_label),
            f'{pair.older_status_label}=~"{classes}"',
        )
        return current, older
    matchers = scope.gateway_matchers()
    return (
        selector(pair.current, *matchers, f'{pair.status_label}=~"{classes}"'),
        selector(pair.older, *matchers, f'{pair.older_status_label}=~"{classes}"'),
    )


def _queries(scope: Scope, rate: str) -> dict[str, tuple[str, str]]:
    """Per signal: (current PromQL, older PromQL)."""

    def rate_sum(pair: tuple[str, str]) -> tuple[str, str]:
        return f"sum(rate({pair[0]}[{rate}]))", f"sum(rate({pair[1]}[{rate}]))"

    matchers = scope.gateway_matchers()
    if scope.upstreams is not None:
        pair = NGINX.upstream_responses
        requests = rate_sum(_status_pair(pair, scope, ".+"))
        responses = NGINX.upstream_responses
        connections: tuple[str, str] | None = None
    else:
        requests = rate_sum(
            (selector(NGINX.requests.current, *matchers), selector(NGINX.requests.older, *matchers))
        )
        responses = NGINX.responses
        connections = (
            f"sum({selector(NGINX.active_connections.current, *matchers)})",
            f"sum({selector(NGINX.active_connections.older, *matchers)})",
        )
    latency_pair = NGINX.upstream_response_time_ms
    if scope.upstreams is not None:
        current_m = scope.upstream_matcher(latency_pair.upstream_label)
        older_m = scope.upstream_matcher(latency_pair.older_upstream_label)
        latency = (
            f"avg({selector(latency_pair.current, current_m)})",
            f"avg({selector(latency_pair.older, older_m)})",
        )
    else:
        latency = (
            f"avg({selector(latency_pair.current, *matchers)})",
            f"avg({selector(latency_pair.older, *matchers)})",
        )
    queries = {
        "requests": requests,
        "errors_4xx": rate_sum(_status_pair(responses, scope, "4.*")),
        "errors_5xx": rate_sum(_status_pair(responses, scope, "5.*")),
        "latency_ms": latency,
    }
    if connections is not None:
        queries["connections"] = connections
    return queries


def _last(points: Sequence[Point]) -> float | None:
    for _, value in reversed(points):
        if math.isfinite(value):
            return value
    return None


async def red(client: PrometheusClient, scope: Scope, window: TimeRange) -> RedView:
    """The RED view of ``scope`` over ``window`` (current names first, older as fallback)."""
    queries = _queries(scope, rate_window(window))
    names = list(queries)
    ranges = await asyncio.gather(
        *(first_range(client, cur, old, window) for cur, old in queries.values())
    )
    nows = await asyncio.gather(*(first_instant(client, cur, old) for cur, old in queries.values()))
    series = {name: sum_points(result) for name, (_, result) in zip(names, ranges, strict=True)}
    current = {
        name: (sum(s.value for s in samples if math.isfinite(s.value)) if samples else None)
        for name, (_, samples) in zip(names, nows, strict=True)
    }
    generations = [g for g, _ in ranges if g != "none"]
    requests = current.get("requests") or 0.0
    errors = {"4xx": current.get("errors_4xx") or 0.0, "5xx": current.get("errors_5xx") or 0.0}
    error_total = errors["4xx"] + errors["5xx"]
    return RedView(
        start=window.start,
        end=window.end,
        step=window.step,
        now=RedNow(
            requests_per_second=requests,
            errors_per_second=error_total,
            error_rate=error_total / requests if requests > 0 else 0.0,
            errors_by_status=errors,
            avg_latency_ms=current.get("latency_ms"),
            active_connections=current.get("connections"),
        ),
        requests=series["requests"],
        errors_4xx=series["errors_4xx"],
        errors_5xx=series["errors_5xx"],
        latency_ms=series["latency_ms"],
        connections=series.get("connections", []),
        metric_generation=generations[0] if generations else "none",
        queries={
            name: older if generation == "older" else current_query
            for name, (current_query, older), (generation, _) in zip(
                names, queries.values(), ranges, strict=True
            )
        },
    )
