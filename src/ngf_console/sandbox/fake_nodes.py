"""Fake nodes managed by kwok: three GPU nodes and one CPU node.

kwok manages nodes annotated ``kwok.x-k8s.io/node: fake``: it marks them Ready, renews
their leases, and moves pods scheduled onto them to Running. The GPU nodes carry the
labels NVIDIA's GPU feature discovery would set and the ``nvidia.com/gpu`` extended
resource, and the taint GPU pools usually have, so workloads must tolerate it the way they
would in production. The CPU node takes everything else (endpoint pickers, exporters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GPUS_PER_NODE = 8
KWOK_ANNOTATION = "kwok.x-k8s.io/node"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}


@dataclass(frozen=True)
class GpuModel:
    """One GPU product: the name GPU feature discovery reports and its memory in MiB."""

    product: str
    memory_mib: int
    node_name: str


GPU_MODELS = (
    GpuModel("H100", 81559, "kwok-gpu-h100-0"),
    GpuModel("A100", 81920, "kwok-gpu-a100-0"),
    GpuModel("L40S", 46068, "kwok-gpu-l40s-0"),
)
CPU_NODE_NAME = "kwok-cpu-0"


def _node(
    name: str, labels: dict[str, str], capacity: dict[str, str], taints: list[dict[str, str]]
) -> dict[str, Any]:
    base_labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "kwok",
        "type": "kwok",
    }
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {KWOK_ANNOTATION: "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": base_labels | labels,
        },
        "spec": {"taints": taints} if taints else {},
        "status": {
            "capacity": capacity,
            "allocatable": capacity,
        },
    }


def node_manifests() -> list[dict[str, Any]]:
    """The Node objects to create: one per GPU model, plus one CPU node."""
    nodes = [
        _node(
            gpu.node_name,
            {
                "nvidia.com/gpu.present": "true",
                "nvidia.com/gpu.product": gpu.product,
                "nvidia.com/gpu.memory": str(gpu.memory_mib),
                "nvidia.com/gpu.count": str(GPUS_PER_NODE),
            },
            {
                "cpu": "96",
                "memory": "1Ti",
                "pods": "110",
                "nvidia.com/gpu": str(GPUS_PER_NODE),
            },
            [GPU_TAINT],
        )
        for gpu in GPU_MODELS
    ]
    nodes.append(_node(CPU_NODE_NAME, {}, {"cpu": "32", "memory": "128Gi", "pods": "110"}, []))
    return nodes
