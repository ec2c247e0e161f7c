"""The autoscaler of a stack's model server: a KEDA ScaledObject, or an HPA and adapter rules.

Each threshold of ``spec.autoscaling`` becomes one Prometheus signal over the model server's
pods, with the engine's real metric names (render/providers/engines.py):

* queue depth: waiting requests summed over the pods, against ``value`` *per pod*
  (KEDA ``AverageValue``, HPA ``Pods`` metric): replicas = ceil(total waiting / value);
* KV cache: the pods' mean KV-cache use in percent (the engines report a fraction);
* GPU: the pods' mean ``DCGM_FI_DEV_GPU_UTIL`` (DCGM exporter, pod-attributed).

A threshold's ``duration`` is the range window of its query (``avg_over_time(...[60s])``):
the signal is the mean over that window, so a spike shorter than the window does not scale
the pool but a load held for it does, and each threshold keeps its own duration. The
cool-down is both KEDA's ``cooldownPeriod`` (which only governs the last replica, down to zero)
and the HPA's scale-down stabilization window (which governs every scale-down in between).

A stack that selects the pods of an existing workload (``spec.pool.selector``) gets no
autoscaler: a label selector does not name the workload to scale, and guessing it could scale
the wrong one. :func:`autoscaler_skip_reason` says so for the stack's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

import yaml

from ngf_console.crd.inference_stack import InferenceStack, ThresholdSpec
from ngf_console.render.common import Manifest, child_metadata, parent_name, parent_namespace
from ngf_console.render.errors import RenderError
from ngf_console.render.options import (
    RenderOptions,
    canonical_quantity,
    duration_ms,
    format_duration,
)
from ngf_console.render.providers import MetricSpec, ScaleTarget, metric_dialect, provider_for

__all__ = [
    "ADAPTER_RULES_LABEL",
    "DCGM_GPU_UTIL",
    "adapter_config_name",
    "autoscaler_skip_reason",
    "render_autoscaler",
    "scaler_name",
]

DCGM_GPU_UTIL: Final = MetricSpec("DCGM_FI_DEV_GPU_UTIL")
ADAPTER_RULES_LABEL: Final = "ngf-console.f5.com/prometheus-adapter-rules"
ADAPTER_CONFIG_KEY: Final = "config.yaml"
# The HPA API rejects stabilization windows over an hour.
MAX_STABILIZATION_S: Final = 3600
# KEDA polls at least four times per shortest threshold window, within [5 s, KEDA's 30 s].
MIN_POLLING_S: Final = 5
MAX_POLLING_S: Final = 30

Signal = Literal["queue-depth", "kv-cache", "gpu-util"]


def scaler_name(stack: InferenceStack) -> str:
    """Name of the ScaledObject or HorizontalPodAutoscaler."""
    return f"{parent_name(stack)}-scaler"


def adapter_config_name(stack: InferenceStack) -> str:
    """Name of the Prometheus adapter rules ConfigMap (HPA backend only)."""
    return f"{parent_name(stack)}-prometheus-adapter"


def autoscaler_skip_reason(stack: InferenceStack) -> str | None:
    """Why the stack's autoscaling is not rendered, or None when it is (or is not asked for)."""
    if stack.spec.autoscaling is None or stack.spec.pool.selector is None:
        return None
    return (
        "spec.pool.selector selects pods of a workload this stack does not render, and a "
        "label selector does not name the workload to scale; autoscaling is left to that "
        "workload's owner"
    )


@dataclass(frozen=True)
class _Trigger:
    """One threshold as a Prometheus signal."""

    signal: Signal
    metric: MetricSpec
    threshold: ThresholdSpec
    per_pod_sum: bool
    """True: the value is per pod (sum over pods); False: the value is a mean over pods."""
    percent_of_fraction: bool = False

    @property
    def window(self) -> str:
        return format_duration(duration_ms(self.threshold.duration))

    def expression(self, series: str) -> str:
        """The pod aggregate of the windowed series, as PromQL (``by`` left to the caller)."""
        windowed = f"avg_over_time({series}[{self.window}])"
        aggregate = f"sum({windowed})" if self.per_pod_sum else f"avg({windowed})"
        return f"100 * {aggregate}" if self.percent_of_fraction else aggregate

    @property
    def adapter_metric(self) -> str:
        """The adapter's name for the per-pod series; equal rules of two stacks share it."""
        fixed = "".join(f"_{value}" for _, value in self.metric.labels)
        unit = "_percent" if self.percent_of_fraction else ""
        raw = f"{self.metric.name}{fixed}{unit}_avg_{self.window}"
        return "".join(c if c.isalnum() else "_" for c in raw.lower())


def _triggers(stack: InferenceStack) -> list[_Trigger]:
    scaling = stack.spec.autoscaling
    if scaling is None:
        return []
    for field, threshold in (
        ("queueDepthThreshold", scaling.queue_depth_threshold),
        ("kvCacheThreshold", scaling.kv_cache_threshold),
        ("gpuUtilThreshold", scaling.gpu_util_threshold),
    ):
        # The HPA rejects a zero target, and a zero threshold would hold the pool at its max.
        if threshold is not None and threshold.value <= 0:
            raise RenderError(
                "a scale-up threshold must be greater than 0",
                field_path=f"spec.autoscaling.{field}.value",
            )
    dialect = metric_dialect(stack)
    triggers: list[_Trigger] = []
    if scaling.queue_depth_threshold is not None:
        triggers.append(
            _Trigger("queue-depth", dialect.queued, scaling.queue_depth_threshold, True)
        )
    if scaling.kv_cache_threshold is not None:
        if dialect.kv_usage is None:
            raise RenderError(
                f"engine {dialect.name!r} exposes no KV-cache utilization metric",
                field_path="spec.autoscaling.kvCacheThreshold",
            )
        triggers.append(
            _Trigger("kv-cache", dialect.kv_usage, scaling.kv_cache_threshold, False, True)
        )
    if scaling.gpu_util_threshold is not None:
        triggers.append(_Trigger("gpu-util", DCGM_GPU_UTIL, scaling.gpu_util_threshold, False))
    return triggers


def _number(value: float) -> str:
    """A KEDA threshold: a plain decimal (KEDA parses it as a float), ``5`` not ``5.0``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _promql_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _cooldown_s(stack: InferenceStack) -> int:
    scaling = stack.spec.autoscaling
    assert scaling is not None
    return duration_ms(scaling.cooldown_period) // 1000


def _scale_down_behavior(stack: InferenceStack) -> dict[str, Any]:
    window = min(_cooldown_s(stack), MAX_STABILIZATION_S)
    return {"scaleDown": {"stabilizationWindowSeconds": window}}


def _target_ref(target: ScaleTarget) -> dict[str, str]:
    return {"apiVersion": target.api_version, "kind": target.kind, "name": target.name}


def render_autoscaler(stack: InferenceStack, *, options: RenderOptions) -> list[Manifest]:
    """The ScaledObject, or the adapter rules ConfigMap and the HPA; [] when not rendered."""
    scaling = stack.spec.autoscaling
    if scaling is None or autoscaler_skip_reason(stack) is not None:
        return []
    target = provider_for(stack).scale_target(stack)
    triggers = _triggers(stack)
    if scaling.backend == "keda":
        return [_scaled_object(stack, target, triggers, options)]
    return [_adapter_rules(stack, triggers), _hpa(stack, target, triggers)]


def _scaled_object(
    stack: InferenceStack, target: ScaleTarget, triggers: list[_Trigger], options: RenderOptions
) -> Manifest:
    pool = stack.spec.pool
    pods = (
        f'namespace="{_promql_string(parent_namespace(stack))}"',
        f'pod=~"{_promql_string(target.pod_name_pattern)}"',
    )
    shortest_s = min(duration_ms(t.threshold.duration) for t in triggers) // 1000
    polling = min(MAX_POLLING_S, max(MIN_POLLING_S, shortest_s // 4))
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": child_metadata(stack, scaler_name(stack)),
        "spec": {
            "scaleTargetRef": _target_ref(target),
            "pollingInterval": polling,
            "cooldownPeriod": _cooldown_s(stack),
            "minReplicaCount": pool.min_replicas,
            "maxReplicaCount": pool.max_replicas,
            "advanced": {
                "horizontalPodAutoscalerConfig": {"behavior": _scale_down_behavior(stack)}
            },
            "triggers": [
                {
                    "type": "prometheus",
                    "name": t.signal,
                    # AverageValue divides by the replica count: a per-pod threshold on a sum.
                    "metricType": "AverageValue" if t.per_pod_sum else "Value",
                    "metadata": {
                        "serverAddress": options.prometheus_url,
                        "query": t.expression(t.metric.selector(*pods)),
                        "threshold": _number(t.threshold.value),
                    },
                }
                for t in triggers
            ],
        },
    }


def _adapter_rule(trigger: _Trigger) -> dict[str, Any]:
    fixed = "".join(f',{key}="{value}"' for key, value in trigger.metric.labels)
    series = f"<<.Series>>{{<<.LabelMatchers>>{fixed}}}"
    return {
        "seriesQuery": trigger.metric.selector('namespace!=""', 'pod!=""'),
        "resources": {
            "overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}
        },
        "name": {"matches": f"^{trigger.metric.name}$", "as": trigger.adapter_metric},
        "metricsQuery": f"{trigger.expression(series)} by (<<.GroupBy>>)",
    }


def _adapter_rules(stack: InferenceStack, triggers: list[_Trigger]) -> Manifest:
    """prometheus-adapter rules exposing each signal as a per-pod custom metric.

    The adapter deployment reads every ConfigMap labelled ``ADAPTER_RULES_LABEL``; a rule's
    metric name encodes its series and window, so equal rules of two stacks coincide.
    """
    rules = {"rules": [_adapter_rule(t) for t in triggers]}
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": child_metadata(
            stack, adapter_config_name(stack), labels={ADAPTER_RULES_LABEL: "true"}
        ),
        "data": {ADAPTER_CONFIG_KEY: yaml.safe_dump(rules, sort_keys=False, width=100)},
    }


def _hpa(stack: InferenceStack, target: ScaleTarget, triggers: list[_Trigger]) -> Manifest:
    pool = stack.spec.pool
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": child_metadata(stack, scaler_name(stack)),
        "spec": {
            "scaleTargetRef": _target_ref(target),
            # An HPA cannot scale to zero (alpha feature gate HPAScaleToZero); KEDA can.
            "minReplicas": max(1, pool.min_replicas),
            "maxReplicas": pool.max_replicas,
            # Per-pod metrics: the HPA averages them over the target's pods, so a mean
            # signal (KV cache, GPU) and a per-pod queue threshold both read as AverageValue.
            "metrics": [
                {
                    "type": "Pods",
                    "pods": {
                        "metric": {"name": t.adapter_metric},
                        "target": {
                            "type": "AverageValue",
                            # A Quantity, stored canonically: 2.5 reads back as "2500m".
                            "averageValue": canonical_quantity(t.threshold.value),
                        },
                    },
                }
                for t in triggers
            ],
            "behavior": _scale_down_behavior(stack),
        },
    }
