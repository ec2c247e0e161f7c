"""Which pods serve an InferencePool, with what engine and GPU, from the watch cache."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ngf_console.render.common import KIND_LABELS
from ngf_console.render.providers.engines import ENGINE_TYPE_LABEL

__all__ = ["PodInfo", "PoolPods", "pool_pods", "pool_selector"]

GPU_PRODUCT_LABEL = "nvidia.com/gpu.product"
STACK_LABEL = KIND_LABELS["InferenceStack"]


@dataclass(frozen=True)
class PodInfo:
    """One model-server pod of a pool."""

    name: str
    engine: str
    node: str
    gpu_type: str
    gpus: int
    ready: bool


@dataclass(frozen=True)
class PoolPods:
    """An InferencePool and its pods."""

    namespace: str
    pool: str
    pods: tuple[PodInfo, ...]
    stack: str | None = None
    deployments: tuple[str, ...] = ()
    """Deployments whose pod template the pool selects (the model servers to scale)."""
    replicas: int | None = None
    """The Deployments' desired replicas, summed (None when no Deployment is known)."""

    def history_pattern(self) -> str:
        """A pod-name regex covering past pods too (scaled-down pods keep their history)."""
        if self.deployments:
            return "(" + "|".join(self.deployments) + ")-.+"
        return "|".join(self.pod_names()) or "^$"

    def pod_names(self) -> list[str]:
        return [p.name for p in self.pods]

    def engines(self) -> dict[str, list[PodInfo]]:
        """The pods grouped by their engine-type label."""
        groups: dict[str, list[PodInfo]] = {}
        for pod in self.pods:
            groups.setdefault(pod.engine, []).append(pod)
        return groups


def pool_selector(pool: Mapping[str, Any]) -> dict[str, str]:
    """matchLabels of an InferencePool (v1 ``selector.matchLabels``, or legacy flat map)."""
    selector = (pool.get("spec") or {}).get("selector") or {}
    if isinstance(selector.get("matchLabels"), Mapping):
        return {str(k): str(v) for k, v in selector["matchLabels"].items()}
    return {str(k): str(v) for k, v in selector.items() if isinstance(v, str)}


def _gpus(pod: Mapping[str, Any]) -> int:
    total = 0
    for container in (pod.get("spec") or {}).get("containers") or []:
        limits = (container.get("resources") or {}).get("limits") or {}
        requests = (container.get("resources") or {}).get("requests") or {}
        raw = limits.get("nvidia.com/gpu", requests.get("nvidia.com/gpu", 0))
        try:
            total += int(raw)
        except (TypeError, ValueError):
            continue
    return total


def _ready(pod: Mapping[str, Any]) -> bool:
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return False
    conditions = status.get("conditions") or []
    ready = [c for c in conditions if c.get("type") == "Ready"]
    return not ready or ready[0].get("status") == "True"


def _selects(wanted: Mapping[str, str], labels: Mapping[str, Any]) -> bool:
    return bool(wanted) and all(labels.get(k) == v for k, v in wanted.items())


def pool_pods(
    pool: Mapping[str, Any],
    pods: Iterable[Mapping[str, Any]],
    nodes_gpu: Mapping[str, str],
    deployments: Iterable[Mapping[str, Any]] = (),
) -> PoolPods:
    """The pods of ``pool`` among ``pods``; ``nodes_gpu`` maps node name to GPU product."""
    meta = pool.get("metadata") or {}
    namespace = str(meta.get("namespace") or "")
    wanted = pool_selector(pool)
    servers = [
        d
        for d in deployments
        if (d.get("metadata") or {}).get("namespace") == namespace
        and _selects(
            wanted,
            ((((d.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels"))
            or {},
        )
    ]
    replicas = (
        sum(int((d.get("spec") or {}).get("replicas", 1) or 0) for d in servers)
        if servers
        else None
    )
    members = []
    for pod in pods:
        pod_meta = pod.get("metadata") or {}
        labels = pod_meta.get("labels") or {}
        if pod_meta.get("namespace") != namespace or not _selects(wanted, labels):
            continue
        if pod_meta.get("deletionTimestamp"):
            continue
        node = str((pod.get("spec") or {}).get("nodeName") or "")
        selector = (pod.get("spec") or {}).get("nodeSelector") or {}
        gpu_type = nodes_gpu.get(node) or str(selector.get(GPU_PRODUCT_LABEL) or "")
        members.append(
            PodInfo(
                name=str(pod_meta.get("name")),
                engine=str(labels.get(ENGINE_TYPE_LABEL) or "vllm"),
                node=node,
                gpu_type=gpu_type,
                gpus=_gpus(pod),
                ready=_ready(pod),
            )
        )
    members.sort(key=lambda p: p.name)
    stack = (meta.get("labels") or {}).get(STACK_LABEL)
    names = tuple(sorted(str((d.get("metadata") or {}).get("name")) for d in servers))
    return PoolPods(namespace, str(meta.get("name")), tuple(members), stack, names, replicas)
