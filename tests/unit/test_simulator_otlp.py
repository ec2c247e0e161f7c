"""The simulator's log records go through the analytics OTLP mapping whole: every record
lands in its table (none skipped), with the columns the dashboards read filled in."""

from __future__ import annotations

import json

from ngf_console.sandbox.simulator.dynamics import GPU_PROFILES, SimPod
from ngf_console.sandbox.simulator.epp_scoring import strategy_weights
from ngf_console.sandbox.simulator.otlp import export_request
from ngf_console.sandbox.simulator.traffic import Traffic
from ngf_console.sandbox.simulator.world import SimGateway, SimPool, SimRoute, World
from ngf_console.telemetry.analytics import otlp as analytics


def _world() -> World:
    world = World(seed=3)
    pool = SimPool("ml", "chat-pool", "qwen", strategy_weights("composite"))
    for i in range(3):
        name = f"chat-model-abc-{i}"
        pool.pods[name] = SimPod("ml", name, "gpu-0", "vllm", GPU_PROFILES["H100"], "qwen")
    world.pools[("ml", "chat-pool")] = pool
    gateway = SimGateway("ml", "gw")
    gateway.routes = [
        SimRoute("ml", "chat", [], ["/v1"], ["ml_chat-pool_8000"], [("ml", "chat-pool")]),
        SimRoute("ml", "web", ["shop.example.com"], ["/"], ["ml_web_80"], []),
    ]
    world.gateways[("ml", "gw")] = gateway
    return world


def test_every_simulated_record_maps_onto_its_table() -> None:
    traffic = Traffic(_world(), rate=50, day_seconds=1e9)
    now = 1_000_000.0
    for step in range(200):  # 40 simulated seconds
        traffic.step(now + step * 0.2, 0.2)
    records = traffic.drain()
    kinds = {r.kind for r in records}
    assert kinds == {"access", "inference", "epp_decision"}
    body = json.dumps(export_request(records)).encode()
    mapped = analytics.map_request(analytics.decode(body, "application/json"), "default")
    assert mapped.skipped == 0
    counts = {table: len(rows) for table, rows in mapped.rows.items()}
    assert counts == {
        "ngf_access_logs": sum(r.kind == "access" for r in records),
        "ngf_inference_logs": sum(r.kind == "inference" for r in records),
        "ngf_epp_decisions": sum(r.kind == "epp_decision" for r in records),
    }
    from ngf_console.telemetry.analytics.tables import EPP_DECISIONS, INFERENCE_LOGS

    def column(table: object, name: str) -> int:
        return [c.name for c in table.columns].index(name)  # type: ignore[attr-defined]

    inference = mapped.rows["ngf_inference_logs"]
    for name in ("inference_pool", "pod_name", "model_name", "gpu_type"):
        assert all(row[column(INFERENCE_LOGS, name)] for row in inference), name
    assert all(row[column(INFERENCE_LOGS, "time_to_first_token_ms")] > 0 for row in inference)
    decisions = mapped.rows["ngf_epp_decisions"]
    for row in decisions:
        pods = row[column(EPP_DECISIONS, "candidate_pods")]
        assert len(pods) == 3 and row[column(EPP_DECISIONS, "selected_pod")] in pods
        assert row[column(EPP_DECISIONS, "reason")].startswith("Selected ")


def test_web_traffic_follows_the_backend_weights_and_carries_request_ids() -> None:
    world = World(seed=5)
    gateway = SimGateway("shop", "gw")
    gateway.routes = [
        SimRoute("shop", "api", [], ["/api"], ["shop_api_80", "shop_canary_80"], [], [90, 10])
    ]
    world.gateways[("shop", "gw")] = gateway
    traffic = Traffic(world, rate=100, day_seconds=1e9)
    for step in range(300):
        traffic.step(1_000_000.0 + step * 0.2, 0.2)
    access = [r.attributes for r in traffic.drain() if r.kind == "access"]
    canary = sum(a["ngf.upstream.name"] == "shop_canary_80" for a in access) / len(access)
    assert len(access) > 1000
    assert 0.07 < canary < 0.13  # 10 % of the weight, within sampling noise
    ids = [a["ngf.request.id"] for a in access]
    assert len(set(ids)) == len(ids)
