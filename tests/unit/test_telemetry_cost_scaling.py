"""Cost estimates and scaling events: the pure parts of the inference metrics."""

from __future__ import annotations

import pytest

from ngf_console.telemetry.cost import DEFAULT_GPU_PRICING, estimate, mean_over_time
from ngf_console.telemetry.scaling import scaling_events

HOUR = 3600.0


def test_hourly_and_daily_cost_of_the_replicas() -> None:
    cost = estimate(
        namespace="ml",
        pool="p",
        gpu_type="H100",
        gpus_per_pod=2,
        replicas=3,
        pricing=DEFAULT_GPU_PRICING,
    )
    assert cost.hourly == pytest.approx(3 * 2 * 8.10)
    assert cost.daily == pytest.approx(24 * 3 * 2 * 8.10)
    assert cost.finding is None


def test_over_provisioning_is_found_and_priced() -> None:
    # 5 replicas kept for 12 h while 2 pods were busy.
    replicas = [(0.0, 5.0), (12 * HOUR, 5.0)]
    busy = [(0.0, 2.0), (12 * HOUR, 2.0)]
    cost = estimate(
        namespace="ml",
        pool="p",
        gpu_type="A100",
        gpus_per_pod=1,
        replicas=5,
        pricing=DEFAULT_GPU_PRICING,
        replica_series=replicas,
        busy_series=busy,
        window_seconds=12 * HOUR,
    )
    assert cost.recommended_replicas == 3  # ceil(2 x 1.25)
    assert cost.savings_per_day == pytest.approx((5 - 3) * 3.67 * 24)
    assert cost.window_cost == pytest.approx(5 * 3.67 * 12)
    assert cost.finding is not None
    assert "averaged 2.0 busy pods while keeping 5.0 replicas over the last 12.0 h" in cost.finding


def test_a_busy_pool_is_not_over_provisioned() -> None:
    cost = estimate(
        namespace="ml",
        pool="p",
        gpu_type="L40S",
        gpus_per_pod=1,
        replicas=4,
        pricing=DEFAULT_GPU_PRICING,
        replica_series=[(0.0, 4.0), (HOUR, 4.0)],
        busy_series=[(0.0, 3.5), (HOUR, 3.5)],
        window_seconds=HOUR,
    )
    assert cost.finding is None


def test_unknown_gpu_type_costs_nothing_but_says_so() -> None:
    cost = estimate(
        namespace="ml", pool="p", gpu_type="B200", gpus_per_pod=1, replicas=2, pricing={}
    )
    assert cost.price_per_gpu_hour is None and cost.hourly == 0


def test_time_weighted_mean() -> None:
    # 1 for 10 s, then 3 for 30 s (the last point only ends the step).
    assert mean_over_time([(0, 1), (10, 3), (40, 3)]) == pytest.approx((10 + 90) / 40)
    assert mean_over_time([]) is None


def _event(kind: str, name: str, reason: str, message: str, ts: str) -> dict[str, object]:
    return {
        "involvedObject": {"kind": kind, "name": name, "namespace": "ml"},
        "reason": reason,
        "message": message,
        "type": "Normal",
        "lastTimestamp": ts,
    }


def test_scaling_events_of_the_pool_only_with_directions_and_triggers() -> None:
    events = [
        _event(
            "Deployment",
            "llm-model",
            "ScalingReplicaSet",
            "Scaled up replica set llm-model-5d9 from 1 to 3",
            "2026-01-01T00:00:10Z",
        ),
        _event(
            "ScaledObject",
            "llm-scaler",
            "SuccessfulRescale",
            "New size: 3; reason: queue-depth (waiting requests per pod) 9.0 above target 4",
            "2026-01-01T00:00:05Z",
        ),
        _event(
            "Deployment",
            "llm-model",
            "ScalingReplicaSet",
            "Scaled down replica set llm-model-5d9 to 1",
            "2026-01-01T00:10:00Z",
        ),
        _event(
            "Deployment",
            "other",
            "ScalingReplicaSet",
            "Scaled up replica set o to 2",
            "2026-01-01T00:00:00Z",
        ),
        _event("Deployment", "llm-model", "Created", "unrelated", "2026-01-01T00:00:00Z"),
    ]
    found = scaling_events(
        events,
        namespace="ml",
        pool="llm-pool",
        deployments=["llm-model"],
        autoscalers=["llm-scaler"],
    )
    assert [(e.kind, e.direction, e.from_replicas, e.to_replicas) for e in found] == [
        ("ScaledObject", "up", None, 3),
        ("Deployment", "up", 1, 3),
        ("Deployment", "down", None, 1),
    ]
    assert found[0].trigger == "queue-depth (waiting requests per pod) 9.0 above target 4"
    later = scaling_events(
        events,
        namespace="ml",
        pool="llm-pool",
        deployments=["llm-model"],
        autoscalers=["llm-scaler"],
        since=found[1].time + 1,
    )
    assert [e.direction for e in later] == ["down"]
