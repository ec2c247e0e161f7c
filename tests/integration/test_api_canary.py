"""Canary rollouts on the real control plane: the runner moves a real HTTPRoute's weights
step by step (one audit row per step), abort rolls back, pause/resume/promote, a restarted
API server resumes without repeating a step, and a conflicting edit of the route is retried
(and kept)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from lightkube import AsyncClient, Client, KubeConfig, codecs
from lightkube.generic_resource import create_namespaced_resource

from ngf_console.api.canary_runner import step_target, write_rule_refs
from ngf_console.store import CanaryRollout, RolloutState

HTTPRoute = create_namespaced_resource("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes")
STABLE = {"name": "web-v1", "port": 80}
CANARY = {"name": "web-v2", "port": 80}
Obj = dict[str, Any]


def _service(namespace: str, name: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": {"app": name}, "ports": [{"port": 80}]},
    }


def _route(namespace: str, name: str = "shop") -> Obj:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "parentRefs": [{"name": "no-gateway"}],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [dict(STABLE)],
                }
            ],
        },
    }


@pytest.fixture
def shop(kube: Client, namespace: str) -> str:
    """The namespace with Services web-v1 and web-v2 and HTTPRoute shop (all to web-v1)."""
    for doc in (_service(namespace, "web-v1"), _service(namespace, "web-v2"), _route(namespace)):
        kube.create(codecs.from_dict(doc))
    return namespace


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "console.db"


@pytest.fixture
def api(kubeconfig: Path, db: Path) -> Iterator[httpx.Client]:
    with (
        running_api(settings_for(kubeconfig, db)) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client


def _plain(ref: Obj) -> Obj:
    """A backendRef without the defaults the API server fills in (core group, Service)."""
    defaults = {"group": "", "kind": "Service"}
    return {k: v for k, v in ref.items() if defaults.get(k, object()) != v}


def _refs(kube: Client, namespace: str, name: str = "shop") -> list[Obj]:
    route = kube.get(HTTPRoute, name, namespace=namespace)
    return [_plain(r) for r in route["spec"]["rules"][0]["backendRefs"]]


def _canary_weight(kube: Client, namespace: str) -> int:
    for ref in _refs(kube, namespace):
        if ref["name"] == CANARY["name"]:
            return int(ref.get("weight", 1))
    return 0


def _start(api: httpx.Client, namespace: str, steps: list[int], interval: int) -> Obj:
    body = {
        "namespace": namespace,
        "name": "shop",
        "canary": CANARY,
        "steps": steps,
        "interval_seconds": interval,
    }
    # The cache must have seen the route and the Services first.

    def started() -> httpx.Response | None:
        response = api.post("/api/v1/canary", json=body)
        return None if response.status_code == 404 else response

    response = until(started, what="the cache to see the route")
    assert response.status_code == 201, response.text
    return dict(response.json())


def _rollout(api: httpx.Client, rollout_id: str) -> Obj:
    response = api.get(f"/api/v1/canary/{rollout_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _step_audits(api: httpx.Client, namespace: str) -> list[Obj]:
    response = api.get(
        "/api/v1/audit", params={"namespace": namespace, "action": "canary-step", "limit": 100}
    )
    assert response.status_code == 200, response.text
    return sorted(response.json()["entries"], key=lambda e: e["id"])


def test_rollout_moves_the_route_step_by_step(api: httpx.Client, kube: Client, shop: str) -> None:
    rollout = _start(api, shop, [20, 50, 100], 1)
    assert rollout["state"] == "pending" and rollout["canary_weight"] == 0
    assert _plain(rollout["stable_backend"]) == STABLE
    assert [_plain(r) for r in rollout["original_backend_refs"]] == [{**STABLE, "weight": 1}]

    seen: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        weight = _canary_weight(kube, shop)
        if not seen or seen[-1] != weight:
            seen.append(weight)
        if weight == 100:
            break
        time.sleep(0.05)
    assert seen == [0, 20, 50, 100]
    assert _refs(kube, shop) == [{**STABLE, "weight": 0}, {**CANARY, "weight": 100}]

    done = until(
        lambda: (r := _rollout(api, rollout["id"]))["state"] == "completed" and r,
        what="the rollout to complete",
    )
    assert done["current_step"] == 3 and done["canary_weight"] == 100
    assert done["next_step_at"] is None and done["finished_at"] is not None
    steps = [e for e in done["history"] if e["event"] == "step"]
    assert [(e["step"], e["weight"], e["wrote"]) for e in steps] == [
        (1, 20, True),
        (2, 50, True),
        (3, 100, True),
    ]
    # About one interval between steps.
    times = [datetime.fromisoformat(e["at"]) for e in steps]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert all(0.9 <= g <= 3.5 for g in gaps), gaps

    audits = _step_audits(api, shop)
    assert [(e["metadata"]["step"], e["metadata"]["weight"]) for e in audits] == [
        (1, 20),
        (2, 50),
        (3, 100),
    ]
    assert {e["resource_kind"] for e in audits} == {"HTTPRoute"}
    assert all(e["metadata"]["canary"] == rollout["id"] for e in audits)
    entry = api.get(f"/api/v1/audit/{audits[1]['id']}").json()
    changed = [line.split() for line in entry["diff"].splitlines() if line[:1] in "+-"]
    assert ["-", "weight:", "20"] in changed and ["+", "weight:", "50"] in changed
    # A finished rollout frees the route; the listing shows it.
    listed = api.get("/api/v1/canary", params={"namespace": shop}).json()
    assert [r["id"] for r in listed["items"]] == [rollout["id"]]
    started = api.get("/api/v1/audit", params={"namespace": shop, "action": "canary-start"}).json()[
        "entries"
    ]
    assert [e["resource_name"] for e in started] == [rollout["id"]]


def test_abort_rolls_back_to_the_original_weights(
    api: httpx.Client, kube: Client, shop: str
) -> None:
    rollout = _start(api, shop, [10, 50], 60)
    until(lambda: _canary_weight(kube, shop) == 10, what="the first step")
    assert _refs(kube, shop) == [{**STABLE, "weight": 90}, {**CANARY, "weight": 10}]

    again = api.post(
        "/api/v1/canary",
        json={"namespace": shop, "name": "shop", "canary": CANARY, "interval_seconds": 5},
    )
    assert again.status_code == 409, again.text

    aborted = api.post(f"/api/v1/canary/{rollout['id']}/abort")
    assert aborted.status_code == 200, aborted.text
    assert aborted.json()["state"] == "rolled_back" and aborted.json()["canary_weight"] == 0
    # Exactly as before (the server's default weight 1 included): the canary ref is gone.
    assert _refs(kube, shop) == [{**STABLE, "weight": 1}]
    events = [e["event"] for e in aborted.json()["history"]]
    assert events == ["step", "abort", "rolled-back"]
    rollback = api.get(
        "/api/v1/audit", params={"namespace": shop, "action": "canary-abort"}
    ).json()["entries"]
    assert [(e["resource_kind"], e["resource_name"]) for e in rollback] == [("HTTPRoute", "shop")]
    # Finished: nothing more to abort, and the route is free for a new rollout.
    assert api.post(f"/api/v1/canary/{rollout['id']}/abort").status_code == 409
    time.sleep(1.5)
    assert _refs(kube, shop) == [{**STABLE, "weight": 1}]
    assert _start(api, shop, [50], 60)["state"] == "pending"


def test_pause_resume_promote(api: httpx.Client, kube: Client, shop: str) -> None:
    rollout = _start(api, shop, [10, 30, 60], 1)
    until(lambda: _canary_weight(kube, shop) >= 10, what="the first step")
    paused = api.post(f"/api/v1/canary/{rollout['id']}/pause")
    assert paused.status_code == 200, paused.text
    step = paused.json()["current_step"]
    weight = _canary_weight(kube, shop)
    time.sleep(2.5)
    assert _canary_weight(kube, shop) == weight
    assert _rollout(api, rollout["id"])["current_step"] == step
    assert api.post(f"/api/v1/canary/{rollout['id']}/pause").status_code == 409

    resumed = api.post(f"/api/v1/canary/{rollout['id']}/resume")
    assert resumed.status_code == 200 and resumed.json()["state"] == "running"
    until(lambda: _canary_weight(kube, shop) > weight, what="the next step after resume")

    promoted = api.post(f"/api/v1/canary/{rollout['id']}/promote")
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["state"] == "completed" and promoted.json()["canary_weight"] == 60
    assert _refs(kube, shop) == [{**STABLE, "weight": 0}, {**CANARY, "weight": 100}]
    kinds = api.get("/api/v1/audit", params={"namespace": shop, "action": "canary-pause"}).json()[
        "entries"
    ]
    assert [e["resource_kind"] for e in kinds] == ["CanaryRollout"]


def test_start_is_validated_against_the_cache(api: httpx.Client, shop: str) -> None:
    base = {"namespace": shop, "name": "shop", "canary": CANARY, "interval_seconds": 5}
    until(
        lambda: (
            api.post("/api/v1/canary", json={**base, "canary": {"name": "nope"}}).status_code == 422
        ),
        what="the cache to see the route",
    )
    missing = api.post("/api/v1/canary", json={**base, "name": "no-such-route"})
    assert missing.status_code == 404
    no_rule = api.post("/api/v1/canary", json={**base, "rule": 3})
    assert no_rule.status_code == 422 and "no rule 3" in no_rule.text
    bad_steps = api.post("/api/v1/canary", json={**base, "steps": [50, 20]})
    assert bad_steps.status_code == 422
    unknown = api.get("/api/v1/canary/00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404
    assert api.post("/api/v1/canary/not-a-uuid/pause").status_code == 404


def test_a_restarted_api_resumes_without_repeating_a_step(
    kubeconfig: Path, kube: Client, shop: str, db: Path
) -> None:
    settings = settings_for(kubeconfig, db)
    with running_api(settings) as url, httpx.Client(base_url=url, timeout=30) as api:
        rollout = _start(api, shop, [20, 50, 80], 3)
        until(lambda: _canary_weight(kube, shop) == 20, what="the first step")
        until(lambda: _rollout(api, rollout["id"])["current_step"] == 1, what="step 1 recorded")
    # The server is gone. Play a runner that wrote step 2 and died before recording it.
    route = kube.get(HTTPRoute, "shop", namespace=shop)
    route["spec"]["rules"][0]["backendRefs"] = [
        {**STABLE, "weight": 50},
        {**CANARY, "weight": 50},
    ]
    kube.replace(route)
    time.sleep(3.2)  # step 2 is overdue when the next server starts

    with running_api(settings) as url, httpx.Client(base_url=url, timeout=30) as api:
        done = until(
            lambda: (r := _rollout(api, rollout["id"]))["state"] == "completed" and r,
            what="the rollout to complete after the restart",
        )
        audits = _step_audits(api, shop)
    steps = [(e["step"], e["wrote"]) for e in done["history"] if e["event"] == "step"]
    assert steps == [(1, True), (2, False), (3, True)]
    # One audit row per step; step 2's says the route already had its weights.
    assert [(e["metadata"]["step"], e["metadata"]["wrote"]) for e in audits] == [
        (1, True),
        (2, False),
        (3, True),
    ]
    assert _refs(kube, shop) == [{**STABLE, "weight": 20}, {**CANARY, "weight": 80}]


def test_a_conflicting_edit_is_retried_and_kept(kubeconfig: Path, kube: Client, shop: str) -> None:
    stale = dict(kube.get(HTTPRoute, "shop", namespace=shop))
    # Someone edits the route after the runner read it.
    edited = kube.get(HTTPRoute, "shop", namespace=shop)
    edited["metadata"]["labels"] = {"edited": "by-hand"}
    kube.replace(edited)
    now = datetime.now(UTC)
    rollout = CanaryRollout(
        id="00000000-0000-0000-0000-000000000001",
        cluster="default",
        route_namespace=shop,
        route_name="shop",
        rule_index=0,
        stable_backend=STABLE,
        canary_backend=CANARY,
        steps=[30],
        interval_seconds=1,
        started_by="test",
        original_backend_refs=[STABLE],
        next_step_at=now,
        state=RolloutState.RUNNING,
        current_step=0,
        last_error=None,
        finished_at=None,
        history=[],
        created_at=now,
        updated_at=now,
    )

    async def write() -> Any:
        client = AsyncClient(KubeConfig.from_file(kubeconfig))
        try:
            return await write_rule_refs(client, rollout, step_target(rollout, 30), seen=stale)
        finally:
            await client.close()

    outcome = asyncio.run(write())
    assert outcome.wrote and outcome.conflicts == 1
    live = kube.get(HTTPRoute, "shop", namespace=shop)
    assert live["metadata"]["labels"] == {"edited": "by-hand"}
    assert _refs(kube, shop) == [{**STABLE, "weight": 70}, {**CANARY, "weight": 30}]
