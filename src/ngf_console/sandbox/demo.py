"""The demo's moving parts on top of the control plane: the operator, and sample parents."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import yaml
from lightkube import Client, KubeConfig, codecs
from lightkube.core.exceptions import ApiError
from lightkube.generic_resource import load_in_cluster_generic_resources
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from ngf_console.render import RenderOptions
from ngf_console.sandbox import processes
from ngf_console.sandbox.processes import RunningProcess

DEMO_NAMESPACE = "demo"
SAMPLES = ("inferencestack-llama31-8b-vllm.yaml", "gatewaybundle-shop-gateway.yaml")
_SAMPLES_DIR = Path(__file__).resolve().parents[3] / "deploy" / "samples"


def _free_port() -> int:
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
        str(_free_port()),
        "--health-port",
        str(_free_port()),
    ]
    return processes.start("operator", argv, log, cwd=log.parent)


def seed(kubeconfig: Path) -> list[str]:
    """Apply the sample parents into the demo namespace; return what was applied."""
    client = Client(KubeConfig.from_file(kubeconfig), field_manager="ngf-console-demo")
    load_in_cluster_generic_resources(client)
    # The demo namespace, and the console's own, where an install puts the operator and the
    # shared DCGM exporter.
    for namespace in (DEMO_NAMESPACE, RenderOptions().dcgm_namespace):
        try:
            client.create(Namespace(metadata=ObjectMeta(name=namespace)))
        except ApiError as err:
            if err.status.code != 409:
                raise
    applied = []
    for name in SAMPLES:
        doc = yaml.safe_load((_SAMPLES_DIR / name).read_text())
        doc["metadata"]["namespace"] = DEMO_NAMESPACE
        client.apply(codecs.from_dict(doc))
        applied.append(f"{doc['kind']} {DEMO_NAMESPACE}/{doc['metadata']['name']}")
    return applied
