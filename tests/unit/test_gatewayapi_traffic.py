"""Traffic split (spec §3.3.2): observed shares per backend from access-log counts, next to
the configured weights, and drift beyond a tolerance that is also statistically real."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gatewayapi_factories import backend, gateway, route, rule
from ngf_console.gatewayapi import RoutingTable
from ngf_console.gatewayapi.traffic import bucket_for, observed_split, traffic_split
from ngf_console.readmodel.snapshot import ClusterSnapshot

T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)


def service(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"ports": [{"port": 80}]},
    }


def split_rules(*rules: dict[str, Any]) -> Any:
    objs = [gateway(), route("app", rules=list(rules)), *(service(n) for n in ("web", "canary"))]
    return traffic_split(
        RoutingTable(ClusterSnapshot.from_objects(objs)), "HTTPRoute", "default", "app"
    )


CANARY = rule(backends=[backend("web", weight=80), backend("canary", weight=20)])


def observe(rules: Any, series: list[tuple[dt.datetime, str, int]], **kw: Any) -> Any:
    return observed_split(rules, series, since=T0, until=T0 + 10 * MIN, bucket_seconds=60, **kw)


def test_observed_matches_configured_no_drift() -> None:
    split = split_rules(CANARY)
    series = [(T0, "default_web_80", 40), (T0, "default_canary_80", 10)]
    series += [(T0 + MIN, "default_web_80", 41), (T0 + MIN, "default_canary_80", 9)]
    seen = observe(split.rules, series)
    [r] = seen.rules
    assert (r.requests, r.judged) == (100, True)
    assert [(b.name, b.requests, b.observed_share, b.configured_share) for b in r.backends] == [
        ("web", 81, 0.81, 0.8),
        ("canary", 19, 0.19, 0.2),
    ]
    assert not seen.drifted and seen.findings == []
    assert [(b.start, b.counts) for b in seen.series] == [
        (T0, {"default_canary_80": 10, "default_web_80": 40}),
        (T0 + MIN, {"default_canary_80": 9, "default_web_80": 41}),
    ]
    assert seen.series[0].shares == {"default_canary_80": 0.2, "default_web_80": 0.8}


def test_drift_beyond_tolerance_is_flagged() -> None:
    split = split_rules(CANARY)
    seen = observe(split.rules, [(T0, "default_web_80", 500), (T0, "default_canary_80", 500)])
    assert seen.drifted
    web, canary = seen.rules[0].backends
    assert (web.deviation, canary.deviation) == (-0.3, 0.3)
    assert web.drifted and canary.drifted
    assert "rule 0: default/web got 50.0% of 1000 requests, configured 80.0%" in seen.findings[0]


def test_small_samples_and_noise_are_not_drift() -> None:
    split = split_rules(CANARY)
    few = observe(split.rules, [(T0, "default_web_80", 5), (T0, "default_canary_80", 5)])
    assert not few.drifted and not few.rules[0].judged
    assert "at least 50 are needed" in (few.rules[0].note or "")
    # 0.73 vs 0.8 over 60 requests: beyond 5 points, within 3 standard errors (0.155).
    noisy = observe(split.rules, [(T0, "default_web_80", 44), (T0, "default_canary_80", 16)])
    assert noisy.rules[0].judged and not noisy.drifted
    strict = observe(
        split.rules,
        [(T0, "default_web_80", 440), (T0, "default_canary_80", 160)],
        tolerance=0.05,
    )
    assert strict.drifted  # the same shares over 600 requests are real


def test_shared_upstream_between_rules_is_not_judged() -> None:
    split = split_rules(
        rule(backends=[backend("web")]),
        rule(backends=[backend("web", weight=50), backend("canary", weight=50)]),
    )
    seen = observe(split.rules, [(T0, "default_web_80", 300), (T0, "default_canary_80", 10)])
    assert [r.judged for r in seen.rules] == [False, False]
    assert "also serve another rule" in (seen.rules[1].note or "")
    assert not seen.drifted


def test_unexpected_upstreams_and_gateway_answers() -> None:
    split = split_rules(CANARY)
    seen = observe(
        split.rules,
        [(T0, "default_web_80", 80), (T0, "default_legacy_80", 7), (T0, "", 3)],
    )
    assert seen.unexpected_upstreams == {"default_legacy_80": 7}
    assert seen.answered_by_gateway == 3 and seen.total_requests == 90
    assert any("default_legacy_80, which no rule of the route names" in f for f in seen.findings)


def test_bucket_width_gives_at_most_sixty_buckets() -> None:
    assert bucket_for(T0, T0 + dt.timedelta(minutes=30)) == 60
    assert bucket_for(T0, T0 + dt.timedelta(hours=6)) == 360
    assert bucket_for(T0, T0 + dt.timedelta(days=1)) == 1440
