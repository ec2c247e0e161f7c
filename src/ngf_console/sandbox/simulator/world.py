"""What the simulator simulates: pools of pods, Gateways and their routes, from the cluster.

:meth:`World.sync` takes the cluster's objects (lists of dicts, as the API returns them) and
adds or drops simulated pods, pools and Gateways so they match; state of what stays is kept.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ngf_console.render.common import KIND_LABELS
from ngf_console.render.providers.engines import ENGINE_TYPE_LABEL
from ngf_console.sandbox.simulator.dynamics import GPU_PROFILES, SimPod
from ngf_console.sandbox.simulator.epp_scoring import strategy_weights
from ngf_console.telemetry.pools import GPU_PRODUCT_LABEL, pool_selector
from ngf_console.telemetry.red import upstream_name

__all__ = ["Autoscaling", "SimGateway", "SimPool", "SimRoute", "World"]

Obj = Mapping[str, Any]
STACK_LABEL = KIND_LABELS["InferenceStack"]


def _meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _key(obj: Obj) -> tuple[str, str]:
    return str(_meta(obj).get("namespace") or ""), str(_meta(obj).get("name"))


@dataclass
class Autoscaling:
    """A stack's scale thresholds (per pod queue depth, mean KV %, mean GPU %)."""

    deployment: str
    scaler_kind: str
    scaler_name: str
    min_replicas: int
    max_replicas: int
    cooldown_s: float
    queue_depth: float | None
    kv_cache_pct: float | None
    gpu_util_pct: float | None


@dataclass
class SimPool:
    """An InferencePool, its pods and the EPP settings of its stack."""

    namespace: str
    name: str
    model: str
    weights: dict[str, float]
    pods: dict[str, SimPod] = field(default_factory=dict)
    autoscaling: Autoscaling | None = None
    requests: int = 0
    errors: int = 0
    decisions: int = 0
    prefix_hit_decisions: int = 0


@dataclass
class SimRoute:
    """An HTTPRoute attached to a Gateway: its upstreams and whether it goes to a pool."""

    namespace: str
    name: str
    hostnames: list[str]
    paths: list[str]
    upstreams: list[str]
    pools: list[tuple[str, str]]
    weights: list[int] = field(default_factory=list)
    """Each upstream's backendRef weight (default 1), as NGINX splits the traffic."""


@dataclass
class SimGateway:
    """A Gateway's (simulated) NGINX: counters by status class and per upstream."""

    namespace: str
    name: str
    routes: list[SimRoute] = field(default_factory=list)
    requests: int = 0
    responses: dict[str, int] = field(default_factory=dict)
    upstream_responses: dict[tuple[str, str], int] = field(default_factory=dict)
    upstream_time_ms: dict[str, float] = field(default_factory=dict)
    connections: float = 0.0

    @property
    def pod(self) -> str:
        return f"{self.name}-nginx-0"

    def count(self, upstream: str, status: int, time_ms: float) -> None:
        klass = f"{status // 100}xx"
        self.requests += 1
        self.responses[klass] = self.responses.get(klass, 0) + 1
        key = (upstream, klass)
        self.upstream_responses[key] = self.upstream_responses.get(key, 0) + 1
        previous = self.upstream_time_ms.get(upstream, time_ms)
        self.upstream_time_ms[upstream] = previous + (time_ms - previous) * 0.05


def _duration_s(raw: Any, default: float) -> float:
    if not isinstance(raw, str) or not raw:
        return default
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    for unit in ("ms", "s", "m", "h"):
        if raw.endswith(unit) and raw[: -len(unit)].replace(".", "").isdigit():
            return float(raw[: -len(unit)]) * units[unit]
    return default


def _threshold(spec: Mapping[str, Any], key: str) -> float | None:
    value = (spec.get(key) or {}).get("value")
    return float(value) if value is not None else None


def _autoscaling(stack: Obj, deployment: str | None) -> Autoscaling | None:
    spec = stack.get("spec") or {}
    scaling = spec.get("autoscaling")
    if not scaling or deployment is None:
        return None
    pool = spec.get("pool") or {}
    name = str(_meta(stack).get("name"))
    backend = scaling.get("backend", "keda")
    return Autoscaling(
        deployment=deployment,
        scaler_kind="ScaledObject" if backend == "keda" else "HorizontalPodAutoscaler",
        scaler_name=f"{name}-scaler",
        min_replicas=int(pool.get("minReplicas", 1)),
        max_replicas=int(pool.get("maxReplicas", max(1, int(pool.get("replicas", 1))))),
        cooldown_s=_duration_s(scaling.get("cooldownPeriod"), 300.0),
        queue_depth=_threshold(scaling, "queueDepthThreshold"),
        kv_cache_pct=_threshold(scaling, "kvCacheThreshold"),
        gpu_util_pct=_threshold(scaling, "gpuUtilThreshold"),
    )


def _route(route: Obj) -> SimRoute:
    namespace, name = _key(route)
    spec = route.get("spec") or {}
    upstreams, pools, paths, weights = [], [], [], []
    for rule in spec.get("rules") or []:
        for match in rule.get("matches") or [{}]:
            paths.append(str(((match.get("path") or {}).get("value")) or "/"))
        for ref in rule.get("backendRefs") or []:
            ns = ref.get("namespace") or namespace
            upstreams.append(upstream_name(ns, ref["name"], ref.get("port")))
            weights.append(int(ref.get("weight", 1)))
            if ref.get("kind") == "InferencePool":
                pools.append((ns, str(ref["name"])))
    return SimRoute(
        namespace,
        name,
        list(spec.get("hostnames") or []),
        paths or ["/"],
        upstreams,
        pools,
        weights,
    )


class World:
    """Everything simulated, kept in step with the cluster by :meth:`sync`."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.pools: dict[tuple[str, str], SimPool] = {}
        self.gateways: dict[tuple[str, str], SimGateway] = {}

    def sync(
        self,
        *,
        pools: Iterable[Obj],
        pods: Iterable[Obj],
        stacks: Iterable[Obj],
        deployments: Iterable[Obj],
        gateways: Iterable[Obj],
        routes: Iterable[Obj],
    ) -> None:
        """Match the simulated objects to the cluster's."""
        stacks_by_key = {_key(s): s for s in stacks}
        pod_list = [p for p in pods if (p.get("status") or {}).get("phase") == "Running"]
        deployment_list = list(deployments)
        seen: set[tuple[str, str]] = set()
        for pool in pools:
            key = _key(pool)
            seen.add(key)
            stack = stacks_by_key.get((key[0], str(_meta(pool).get("labels", {}).get(STACK_LABEL))))
            self._sync_pool(key, pool, stack or {}, pod_list, deployment_list)
        for key in set(self.pools) - seen:
            del self.pools[key]
        by_gateway: dict[tuple[str, str], list[SimRoute]] = {}
        for route in routes:
            sim_route = _route(route)
            for parent in (route.get("spec") or {}).get("parentRefs") or []:
                if parent.get("kind", "Gateway") != "Gateway":
                    continue
                gw = (str(parent.get("namespace") or sim_route.namespace), str(parent["name"]))
                by_gateway.setdefault(gw, []).append(sim_route)
        current = {_key(g) for g in gateways}
        for key in current:
            gateway = self.gateways.setdefault(key, SimGateway(*key))
            gateway.routes = by_gateway.get(key, [])
        for key in set(self.gateways) - current:
            del self.gateways[key]

    def _sync_pool(
        self,
        key: tuple[str, str],
        pool: Obj,
        stack: Obj,
        pods: list[Obj],
        deployments: list[Obj],
    ) -> None:
        namespace, name = key
        spec = stack.get("spec") or {}
        model_spec = spec.get("model") or {}
        epp = spec.get("epp") or {}
        sim = self.pools.get(key)
        if sim is None:
            sim = self.pools[key] = SimPool(namespace, name, "", {})
        sim.model = str(model_spec.get("name") or name)
        sim.weights = strategy_weights(
            str(epp.get("strategy") or "composite"), epp.get("compositeWeights")
        )
        wanted = pool_selector(pool)
        members = {}
        for pod in pods:
            labels = _meta(pod).get("labels") or {}
            if _meta(pod).get("namespace") != namespace or not wanted:
                continue
            if any(labels.get(k) != v for k, v in wanted.items()):
                continue
            pod_name = str(_meta(pod).get("name"))
            existing = sim.pods.get(pod_name)
            if existing is None:
                node = str((pod.get("spec") or {}).get("nodeName") or "")
                selector = (pod.get("spec") or {}).get("nodeSelector") or {}
                product = str(model_spec.get("gpuType") or selector.get(GPU_PRODUCT_LABEL) or "")
                existing = SimPod(
                    namespace=namespace,
                    name=pod_name,
                    node=node,
                    engine=str(labels.get(ENGINE_TYPE_LABEL) or "vllm"),
                    profile=GPU_PROFILES.get(product, GPU_PROFILES["A100"]),
                    model=sim.model,
                    rng=random.Random(f"{namespace}/{pod_name}"),
                )
            members[pod_name] = existing
        sim.pods = members
        deployment = next(
            (
                str(_meta(d).get("name"))
                for d in deployments
                if _meta(d).get("namespace") == namespace
                and wanted
                and all(
                    (((d.get("spec") or {}).get("template") or {}).get("metadata") or {})
                    .get("labels", {})
                    .get(k)
                    == v
                    for k, v in wanted.items()
                )
            ),
            None,
        )
        sim.autoscaling = _autoscaling(stack, deployment) if stack else None
