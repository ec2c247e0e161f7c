"""The demo's moving parts on top of the control plane: the operator, Prometheus, the
simulator, and sample parents and routes."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import yaml
from lightkube import Client, KubeConfig, codecs
from lightkube.core.exceptions import ApiError
from lightkube.generic_resource import load_in_cluster_generic_resources
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from ngf_console.render import RenderOptions
from ngf_console.sandbox import processes
from ngf_console.sandbox import prometheus as prom
from ngf_console.sandbox.processes import RunningProcess

DEMO_NAMESPACE = "demo"
SAMPLES = ("inferencestack-llama31-8b-vllm.yaml", "gatewaybundle-shop-gateway.yaml")
_SAMPLES_DIR = Path(__file__).resolve().parents[3] / "deploy" / "samples"
# Beyond the samples: a KEDA-scaled stack with the composite picker, and routes on the shop
# Gateway, so every panel (gateway, route, pool, cost, scaling) has something to show.
EXTRA_OBJECTS: tuple[dict[str, Any], ...] = (
    {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "InferenceStack",
        "metadata": {"name": "qwen-chat"},
        "spec": {
            "model": {
                "backend": "vllm",
                "name": "qwen2.5-7b-instruct",
                "modelId": "Qwen/Qwen2.5-7B-Instruct",
                "gpuType": "H100",
                "gpusPerPod": 1,
            },
            "pool": {
                "replicas": 2,
                "minReplicas": 1,
                "maxReplicas": 6,
                "nodeSelector": {"nvidia.com/gpu.product": "H100"},
                "resources": {
                    "requests": {"nvidia.com/gpu": 1},
                    "limits": {"nvidia.com/gpu": 1},
                },
            },
            "epp": {
                "strategy": "composite",
                "compositeWeights": {"queueDepth": 0.4, "kvCache": 0.35, "prefixCache": 0.25},
            },
            "autoscaling": {
                "backend": "keda",
                "queueDepthThreshold": {"value": 4, "duration": "30s"},
                "kvCacheThreshold": {"value": 80, "duration": "60s"},
                "cooldownPeriod": "120s",
            },
            "gateway": {
                "createListener": {"port": 8081, "protocol": "HTTP"},
                "route": {"pathPrefix": "/v1"},
            },
        },
    },
    {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "shop-storefront"},
        "spec": {
            "parentRefs": [{"name": "shop-gateway", "sectionName": "https"}],
            "hostnames": ["shop.example.com"],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [{"name": "storefront", "port": 80}],
                }
            ],
        },
    },
    {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "shop-api"},
        "spec": {
            "parentRefs": [{"name": "shop-gateway", "sectionName": "https"}],
            "hostnames": ["shop.example.com"],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
                    "backendRefs": [
                        {"name": "api", "port": 8080, "weight": 90},
                        {"name": "api-canary", "port": 8080, "weight": 10},
                    ],
                }
            ],
        },
    },
)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_operator(kubeconfig: Path, log: Path) -> RunningProcess:
    """The operator as its own process, as in production, logging to ``log``."""
    argv = [
        sys.executable,
        "-m",
        "ngf_console.cli",
        "operator",
        "--kubeconfig",
        str(kubeconfig),
        "--metrics-port",
        str(free_port()),
        "--health-port",
        str(free_port()),
    ]
    return processes.start("operator", argv, log, cwd=log.parent)


def seed(kubeconfig: Path, namespace: str = DEMO_NAMESPACE) -> list[str]:
    """Apply the sample parents and routes into ``namespace``; return what was applied."""
    client = Client(KubeConfig.from_file(kubeconfig), field_manager="ngf-console-demo")
    load_in_cluster_generic_resources(client)
    # The demo namespace, and the console's own, where an install puts the operator and the
    # shared DCGM exporter.
    for name in (namespace, RenderOptions().dcgm_namespace):
        try:
            client.create(Namespace(metadata=ObjectMeta(name=name)))
        except ApiError as err:
            if err.status.code != 409:
                raise
    applied = []
    docs = [yaml.safe_load((_SAMPLES_DIR / name).read_text()) for name in SAMPLES]
    for doc in [*docs, *(dict(o) for o in EXTRA_OBJECTS)]:
        doc["metadata"] = {**doc["metadata"], "namespace": namespace}
        client.apply(codecs.from_dict(doc))
        applied.append(f"{doc['kind']} {namespace}/{doc['metadata']['name']}")
    return applied


def start_simulator(
    kubeconfig: Path,
    log: Path,
    *,
    port: int,
    api_url: str,
    rate: float = 24.0,
    namespaces: tuple[str, ...] = (),
) -> RunningProcess:
    """The simulator (``ngf-console simulate``) as its own process, sending logs to the API.

    ``namespaces``: play the controllers of these only (all when empty).
    """
    argv = [
        sys.executable,
        "-m",
        "ngf_console.cli",
        "simulate",
        "--kubeconfig",
        str(kubeconfig),
        "--port",
        str(port),
        "--api",
        api_url,
        "--rate",
        str(rate),
        *(arg for ns in namespaces for arg in ("--namespace", ns)),
    ]
    return processes.start("simulator", argv, log, cwd=log.parent)


def start_prometheus(state_dir: Path, simulator_port: int) -> tuple[RunningProcess, str]:
    """Prometheus scraping the simulator every 5 s; its TSDB persists in ``state_dir``."""
    config = prom.write_config(
        state_dir / "prometheus.yml",
        sd_url=f"http://127.0.0.1:{simulator_port}/targets",
        scrape_interval="5s",
    )
    process, url = prom.start(state_dir, config)
    prom.wait_ready(url, process)
    return process, url
