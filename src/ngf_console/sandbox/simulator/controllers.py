"""The controllers the sandbox lacks, played: NGF, the inference extension, KEDA / the HPA.

* NGF: Gateways get Accepted/Programmed (an address, listener statuses), HTTPRoutes get
  Accepted/ResolvedRefs per parent; with the inference extension on, InferencePools get
  Accepted/ResolvedRefs per Gateway whose routes use them.
* KEDA: ScaledObjects get Ready/Active.
* The autoscaler: :class:`ScaleDecider` applies the HPA algorithm to the simulated signals
  (desired = ceil(replicas x signal / target), 10 % tolerance, clamped to min/max; scale-down
  only after the cool-down) and the runner patches the Deployment and records the same Event
  the HPA controller writes (``SuccessfulRescale``, "New size: N; reason: ...").

Statuses are written only when they are missing or describe an older generation, so the
simulator does not churn resource versions.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ngf_console.sandbox.simulator.world import Autoscaling, SimPool

__all__ = [
    "CONTROLLER_NAME",
    "ScaleDecider",
    "ScaleStep",
    "gateway_status",
    "pool_status",
    "route_status",
    "scaled_object_status",
    "scaling_event",
]

CONTROLLER_NAME: Final = "gateway.nginx.org/nginx-gateway-controller"
TOLERANCE: Final = 0.1
_ROUTE_KINDS: Final = {
    "HTTP": ["HTTPRoute", "GRPCRoute"],
    "HTTPS": ["HTTPRoute", "GRPCRoute"],
    "TLS": ["TLSRoute"],
    "TCP": ["TCPRoute"],
    "UDP": ["UDPRoute"],
}


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _condition(
    kind: str, status: bool, reason: str, generation: int, message: str = ""
) -> dict[str, Any]:
    return {
        "type": kind,
        "status": "True" if status else "False",
        "reason": reason,
        "message": message or reason,
        "observedGeneration": generation,
        "lastTransitionTime": _now(),
    }


def _generation(obj: Mapping[str, Any]) -> int:
    return int((obj.get("metadata") or {}).get("generation") or 1)


def _observed(conditions: list[dict[str, Any]], kind: str) -> int | None:
    for c in conditions:
        if c.get("type") == kind and c.get("status") == "True":
            return int(c.get("observedGeneration") or 0)
    return None


def gateway_status(
    gateway: Mapping[str, Any], attached: Mapping[str, int]
) -> dict[str, Any] | None:
    """The status NGF would write, or None when the current one is up to date."""
    generation = _generation(gateway)
    status = gateway.get("status") or {}
    listeners = (gateway.get("spec") or {}).get("listeners") or []
    current_counts = {x.get("name"): x.get("attachedRoutes") for x in status.get("listeners") or []}
    wanted_counts = {x["name"]: attached.get(x["name"], 0) for x in listeners}
    if _observed(status.get("conditions") or [], "Programmed") == generation and all(
        current_counts.get(k) == v for k, v in wanted_counts.items()
    ):
        return None
    return {
        "addresses": [{"type": "IPAddress", "value": "127.0.0.1"}],
        "conditions": [
            _condition("Accepted", True, "Accepted", generation),
            _condition("Programmed", True, "Programmed", generation),
        ],
        "listeners": [
            {
                "name": listener["name"],
                "supportedKinds": [
                    {"group": "gateway.networking.k8s.io", "kind": k}
                    for k in _ROUTE_KINDS.get(listener.get("protocol", "HTTP"), ["HTTPRoute"])
                ],
                "attachedRoutes": wanted_counts[listener["name"]],
                "conditions": [
                    _condition("Accepted", True, "Accepted", generation),
                    _condition("Programmed", True, "Programmed", generation),
                    _condition("ResolvedRefs", True, "ResolvedRefs", generation),
                    _condition("Conflicted", False, "NoConflicts", generation),
                ],
            }
            for listener in listeners
        ],
    }


def _parent_ref(ref: Mapping[str, Any], namespace: str) -> dict[str, Any]:
    out = {
        "group": ref.get("group", "gateway.networking.k8s.io"),
        "kind": ref.get("kind", "Gateway"),
        "name": ref["name"],
        "namespace": ref.get("namespace") or namespace,
    }
    if ref.get("sectionName"):
        out["sectionName"] = ref["sectionName"]
    return out


def route_status(route: Mapping[str, Any]) -> dict[str, Any] | None:
    """The HTTPRoute status NGF would write (Accepted, ResolvedRefs per parent), or None."""
    generation = _generation(route)
    namespace = str((route.get("metadata") or {}).get("namespace"))
    refs = (route.get("spec") or {}).get("parentRefs") or []
    parents = (route.get("status") or {}).get("parents") or []
    ours = [p for p in parents if p.get("controllerName") == CONTROLLER_NAME]
    if len(ours) == len(refs) and all(
        _observed(p.get("conditions") or [], "Accepted") == generation for p in ours
    ):
        return None
    return {
        "parents": [
            {
                "parentRef": _parent_ref(ref, namespace),
                "controllerName": CONTROLLER_NAME,
                "conditions": [
                    _condition("Accepted", True, "Accepted", generation),
                    _condition("ResolvedRefs", True, "ResolvedRefs", generation),
                ],
            }
            for ref in refs
        ]
    }


def pool_status(pool: Mapping[str, Any], gateways: list[tuple[str, str]]) -> dict[str, Any] | None:
    """The InferencePool status the gateway writes per parent Gateway, or None."""
    generation = _generation(pool)
    parents = (pool.get("status") or {}).get("parents") or []
    have = {
        ((p.get("parentRef") or {}).get("namespace"), (p.get("parentRef") or {}).get("name"))
        for p in parents
        if _observed(p.get("conditions") or [], "Accepted") == generation
    }
    if have == set(gateways) and gateways:
        return None
    if not gateways:
        return None
    return {
        "parents": [
            {
                "parentRef": {
                    "group": "gateway.networking.k8s.io",
                    "kind": "Gateway",
                    "name": name,
                    "namespace": ns,
                },
                "controllerName": CONTROLLER_NAME,
                "conditions": [
                    _condition("Accepted", True, "Accepted", generation),
                    _condition("ResolvedRefs", True, "ResolvedRefs", generation),
                ],
            }
            for ns, name in sorted(gateways)
        ]
    }


def scaled_object_status(scaled: Mapping[str, Any], active: bool) -> dict[str, Any] | None:
    """KEDA's ScaledObject conditions (Ready, Active, Fallback), or None when unchanged."""
    generation = _generation(scaled)
    conditions = (scaled.get("status") or {}).get("conditions") or []
    is_active = any(c.get("type") == "Active" and c.get("status") == "True" for c in conditions)
    # KEDA's conditions carry no observedGeneration (its CRD prunes it): compare values.
    if _observed(conditions, "Ready") is not None and is_active == active:
        return None
    target = (scaled.get("spec") or {}).get("scaleTargetRef") or {}
    return {
        "scaleTargetKind": f"apps/v1.{target.get('kind', 'Deployment')}",
        "conditions": [
            _condition("Ready", True, "ScaledObjectReady", generation, "ScaledObject is ready"),
            _condition(
                "Active",
                active,
                "ScalerActive" if active else "ScalerNotActive",
                generation,
                "Scaling is performed because triggers are active"
                if active
                else "Scaling is not performed because triggers are not active",
            ),
            _condition("Fallback", False, "NoFallbackFound", generation),
        ],
    }


@dataclass(frozen=True)
class ScaleStep:
    """A scaling decision: the new size and the HPA-style reason."""

    deployment: str
    replicas: int
    desired: int
    reason: str


class ScaleDecider:
    """The HPA algorithm over smoothed pool signals, with a scale-down cool-down."""

    def __init__(self) -> None:
        self.smoothed: dict[tuple[str, str], dict[str, float]] = {}
        self.last_change: dict[tuple[str, str], float] = {}

    def observe(self, pool: SimPool, dt_s: float, window_s: float = 30.0) -> None:
        """Fold the pool's current signals into their moving averages."""
        pods = list(pool.pods.values())
        if not pods:
            return
        now = {
            "queue": sum(len(p.waiting) for p in pods) / len(pods),
            "kv": 100 * sum(p.kv_cache for p in pods) / len(pods),
            "gpu": sum(p.gpu_util for p in pods) / len(pods),
        }
        key = (pool.namespace, pool.name)
        previous = self.smoothed.setdefault(key, now)
        alpha = min(1.0, dt_s / window_s)
        for name, value in now.items():
            previous[name] += (value - previous[name]) * alpha

    def decide(self, pool: SimPool, replicas: int, now: float) -> ScaleStep | None:
        """The scaling step the autoscaler would take now, if any."""
        scaling: Autoscaling | None = pool.autoscaling
        key = (pool.namespace, pool.name)
        signals = self.smoothed.get(key)
        if scaling is None or signals is None or replicas <= 0:
            return None
        ratios = []
        for name, target, label in (
            ("queue", scaling.queue_depth, "queue-depth (waiting requests per pod)"),
            ("kv", scaling.kv_cache_pct, "kv-cache (% used)"),
            ("gpu", scaling.gpu_util_pct, "gpu-util (DCGM_FI_DEV_GPU_UTIL)"),
        ):
            if target:
                ratios.append((signals[name] / target, label, signals[name], target))
        if not ratios:
            return None
        ratio, label, value, target = max(ratios)
        if abs(ratio - 1.0) <= TOLERANCE:
            return None
        desired = max(scaling.min_replicas, min(scaling.max_replicas, math.ceil(replicas * ratio)))
        if desired == replicas:
            return None
        if desired < replicas and now - self.last_change.get(key, 0.0) < scaling.cooldown_s:
            return None
        self.last_change[key] = now
        direction = "above" if desired > replicas else "below"
        reason = f"{label} {value:.1f} {direction} target {target:g}"
        return ScaleStep(scaling.deployment, replicas, desired, reason)


def scaling_event(namespace: str, scaling: Autoscaling, step: ScaleStep) -> dict[str, Any]:
    """The Event the HPA controller records on a rescale (on the ScaledObject for KEDA)."""
    now = _now()
    api_version = "keda.sh/v1alpha1" if scaling.scaler_kind == "ScaledObject" else "autoscaling/v2"
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{scaling.scaler_name}.{uuid.uuid4().hex[:16]}",
            "namespace": namespace,
        },
        "involvedObject": {
            "apiVersion": api_version,
            "kind": scaling.scaler_kind,
            "name": scaling.scaler_name,
            "namespace": namespace,
        },
        "reason": "SuccessfulRescale",
        "message": f"New size: {step.desired}; reason: {step.reason}",
        "type": "Normal",
        "count": 1,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "source": {
            "component": "keda-operator"
            if scaling.scaler_kind == "ScaledObject"
            else "horizontal-pod-autoscaler"
        },
    }
