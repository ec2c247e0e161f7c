"""End to end on the shared control plane: operator + simulator + real Prometheus + API.

An InferenceStack is reconciled by the real operator; the simulator plays NGF, the EPP,
KEDA and the pods; Prometheus scrapes the simulator; every inference and observability
route must then answer non-empty data that changes over time, and the statuses the other
controllers own must be set.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from lightkube import Client, codecs
from operator_harness import OperatorProcess, eventually, free_port, get
from prometheus_harness import running_prometheus

STACK = "chat"
POOL = f"{STACK}-pool"
GATEWAY = f"{STACK}-gateway"
ROUTE = f"{STACK}-route"


def _stack(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "InferenceStack",
        "metadata": {"name": STACK, "namespace": namespace},
        "spec": {
            "model": {
                "backend": "vllm",
                "name": "qwen-chat",
                "modelId": "Qwen/Qwen2.5-7B-Instruct",
                "gpuType": "L40S",
                "gpusPerPod": 1,
            },
            "pool": {
                "replicas": 2,
                "minReplicas": 1,
                "maxReplicas": 4,
                "nodeSelector": {"nvidia.com/gpu.product": "L40S"},
                "tolerations": [
                    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
                ],
                "resources": {
                    "requests": {"nvidia.com/gpu": 1},
                    "limits": {"nvidia.com/gpu": 1},
                },
            },
            "epp": {
                "strategy": "composite",
                "compositeWeights": {"queueDepth": 0.5, "kvCache": 0.3, "prefixCache": 0.2},
            },
            "autoscaling": {
                "backend": "keda",
                "queueDepthThreshold": {"value": 2, "duration": "30s"},
                "cooldownPeriod": "60s",
            },
            "gateway": {
                "createListener": {"port": 8080, "protocol": "HTTP"},
                "route": {"pathPrefix": "/v1"},
            },
        },
    }


@pytest.fixture
def stack(kube: Client, kubeconfig: Path, namespace: str, tmp_path: Path) -> Iterator[str]:
    operator = OperatorProcess(kubeconfig, tmp_path / "operator.log", resync=5)
    try:
        operator.wait_healthy()
        kube.apply(codecs.from_dict(_stack(namespace)))
        yield namespace
    finally:
        operator.stop()


@pytest.fixture
def api_port() -> int:
    """The API's port, chosen before the simulator starts so that it can send its logs there
    (it keeps them while the API is not up yet)."""
    return free_port()


@pytest.fixture
def simulator(kubeconfig: Path, stack: str, api_port: int, tmp_path: Path) -> Iterator[int]:
    port = free_port()
    log = (tmp_path / "simulator.log").open("ab")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ngf_console.cli",
            "simulate",
            "--kubeconfig",
            str(kubeconfig),
            "--port",
            str(port),
            "--api",
            f"http://127.0.0.1:{api_port}",
            "--rate",
            "10",
            "--day",
            "120",
            # The control plane is shared: play the controllers of this test's namespace only.
            "--namespace",
            stack,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield port
    finally:
        proc.terminate()
        try:
            # -15: stopped before its signal handlers were installed (still start-up).
            code = proc.wait(timeout=20)
            assert code in (0, -15), (tmp_path / "simulator.log").read_text()[-3000:]
        finally:
            log.close()


def _get(client: httpx.Client, path: str, **params: Any) -> Any:
    response = client.get(path, params={"range": "2m", "step": "2s", **params})
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    return response.json()


def _condition(obj: dict[str, Any], kind: str) -> bool:
    return any(c["type"] == kind and c["status"] == "True" for c in obj["status"]["conditions"])


@pytest.mark.timeout(240)
def test_routes_return_live_data(
    kube: Client,
    kubeconfig: Path,
    stack: str,
    simulator: int,
    api_port: int,
    tmp_path: Path,
) -> None:
    ns = stack
    # The other controllers' statuses, played by the simulator.
    eventually(
        lambda: _condition(
            get(kube, "gateway.networking.k8s.io/v1", "Gateway", GATEWAY, ns), "Programmed"
        ),
        60,
        "Gateway Programmed",
    )
    route = eventually(
        lambda: (
            get(kube, "gateway.networking.k8s.io/v1", "HTTPRoute", ROUTE, ns).get("status") or {}
        ).get("parents"),
        30,
        "HTTPRoute status",
    )
    assert {c["type"] for c in route[0]["conditions"]} == {"Accepted", "ResolvedRefs"}
    pool_parents = eventually(
        lambda: (
            get(kube, "inference.networking.k8s.io/v1", "InferencePool", POOL, ns).get("status")
            or {}
        ).get("parents"),
        30,
        "InferencePool status",
    )
    assert pool_parents[0]["parentRef"]["name"] == GATEWAY
    scaled = eventually(
        lambda: (
            get(kube, "keda.sh/v1alpha1", "ScaledObject", f"{STACK}-scaler", ns).get("status") or {}
        ).get("conditions"),
        30,
        "ScaledObject status",
    )
    assert any(c["type"] == "Ready" and c["status"] == "True" for c in scaled)

    sd_url = f"http://127.0.0.1:{simulator}/targets"
    with running_prometheus(tmp_path / "prometheus", sd_url=sd_url) as prometheus_url:
        settings = settings_for(
            kubeconfig,
            tmp_path / "console.db",
            prometheus_url=prometheus_url,
            prometheus_scrape_interval=1.0,
        )
        with (
            running_api(settings, port=api_port) as base,
            httpx.Client(base_url=base + "/api/v1", timeout=30) as api,
        ):

            def pool_has_data() -> Any:
                data = _get(api, f"/inference/metrics/pool/{ns}/{POOL}")
                return (
                    data
                    if data["series"]["queue_depth"] and data["series"]["gpu_util_pct"]
                    else None
                )

            first = until(pool_has_data, 90, "pool metrics")
            assert first["pods"] >= 1
            # Every pod reports once scraped (one the autoscaler just added may not be yet).
            pods = until(
                lambda: (
                    (ps := _get(api, f"/inference/metrics/pool/{ns}/{POOL}/pods"))
                    and all(p["values"]["gpu_util_pct"] is not None for p in ps)
                    and ps
                ),
                30,
                "every pod's GPU state",
            )
            assert all(p["values"]["gpu_temp_c"] >= 30 for p in pods)

            summary = until(
                lambda: (
                    (s := _get(api, "/inference/metrics/summary", namespace=ns))["series"][
                        "requests_per_second"
                    ]
                    and s
                ),
                60,
                "inference summary",
            )
            assert summary["pools"] == 1
            ttft = until(
                lambda: (
                    (t := _get(api, f"/inference/metrics/pool/{ns}/{POOL}/ttft"))["count"] > 0 and t
                ),
                60,
                "TTFT histogram",
            )
            assert ttft["p50"] is not None and ttft["buckets"]
            for panel in ("tps", "queue-depth", "kv-cache", "prefix-cache", "gpu-utilization"):
                # A rate needs two scrapes of its counter: wait per panel, not once for all.
                until(
                    lambda p=panel: (
                        (v := _get(api, f"/inference/metrics/pool/{ns}/{POOL}/{p}"))["pool_series"]
                        and v["per_pod"]
                    ),
                    30,
                    panel,
                )
            heatmap = _get(api, "/inference/metrics/gpu", namespace=ns)
            # A pod the autoscaler just added may not be scraped yet.
            assert heatmap["gpus"] and any(cell["points"] for cell in heatmap["gpus"])
            cost = _get(api, "/inference/metrics/cost", namespace=ns)
            assert cost["pools"][0]["gpu_type"] == "L40S"
            assert cost["hourly"] == pytest.approx(1.84 * cost["pools"][0]["replicas"])
            gateway = until(
                lambda: (g := _get(api, f"/metrics/gateway/{ns}/{GATEWAY}"))["requests"] and g,
                60,
                "gateway RED",
            )
            assert gateway["metric_generation"] == "current"
            assert gateway["now"]["requests_per_second"] > 0
            route_view = _get(api, f"/metrics/route/{ns}/{ROUTE}")
            assert route_view["requests"]
            assert _get(api, "/metrics/summary")["requests"]
            events = until(
                lambda: _get(
                    api, f"/inference/metrics/pool/{ns}/{POOL}/scaling-events", range="10m"
                ),
                90,
                "a scaling event",
            )
            assert events[0]["reason"] in ("SuccessfulRescale", "ScalingReplicaSet")

            # The panels over the inference logs the simulator sends to the OTLP receiver.
            pool_scope = {"namespace": ns, "pool": POOL}
            breakdown = until(
                lambda: (
                    (b := _get(api, "/inference/metrics/latency-breakdown", **pool_scope))["items"]
                    and b
                ),
                60,
                "a latency breakdown",
            )
            (latency,) = breakdown["items"]
            assert (latency["namespace"], latency["pool"]) == (ns, POOL)
            assert latency["requests"] > 0 and latency["phases"]
            assert latency["total_p50_ms"] is not None and latency["total_p50_ms"] > 0
            models = _get(api, "/inference/metrics/model-comparison", **pool_scope)["items"]
            assert models and all(m["pool"] == POOL and m["requests"] > 0 for m in models)

            # Live: the numbers move.
            time.sleep(4)
            later = _get(api, f"/inference/metrics/pool/{ns}/{POOL}")
            assert later["series"]["gpu_util_pct"][-1][0] > first["series"]["gpu_util_pct"][-1][0]
            assert later["series"] != first["series"]
