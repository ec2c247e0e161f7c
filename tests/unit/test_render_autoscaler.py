"""The autoscaler: KEDA ScaledObject vs HPA + prometheus-adapter rules, per engine."""

from __future__ import annotations

import pytest
import yaml

from crd_cases import DELETE, DYNAMO, TRITON, VLLM
from crd_cases import make_stack as make
from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.render.autoscaler import (
    ADAPTER_RULES_LABEL,
    autoscaler_skip_reason,
    render_autoscaler,
)
from ngf_console.render.common import Manifest
from ngf_console.render.errors import RenderError
from ngf_console.render.options import RenderOptions

VLLM_PODS = 'namespace="default",pod=~"llama31-8b-model-[a-z0-9]+-[a-z0-9]+"'
TRITON_PODS = 'namespace="ml-serving",pod=~"llama3-production-model-[a-z0-9]+-[a-z0-9]+"'


def keda(stack: InferenceStack, options: RenderOptions | None = None) -> Manifest:
    [scaled_object] = render_autoscaler(stack, options=options or RenderOptions())
    assert scaled_object["kind"] == "ScaledObject"
    return scaled_object


def hpa(stack: InferenceStack) -> tuple[Manifest, Manifest]:
    rules, autoscaler = render_autoscaler(stack, options=RenderOptions())
    assert rules["kind"] == "ConfigMap"
    assert autoscaler["kind"] == "HorizontalPodAutoscaler"
    return rules, autoscaler


ALL_THRESHOLDS = {
    "spec.autoscaling": {
        "backend": "keda",
        "queueDepthThreshold": {"value": 5, "duration": "60s"},
        "kvCacheThreshold": {"value": 80, "duration": "2m"},
        "gpuUtilThreshold": {"value": 90.5, "duration": "120s"},
        "cooldownPeriod": "5m",
    }
}


# --- KEDA ------------------------------------------------------------------------------------


def test_keda_scaled_object_of_the_triton_sample() -> None:
    scaled_object = keda(make(TRITON))
    assert scaled_object["apiVersion"] == "keda.sh/v1alpha1"
    assert scaled_object["metadata"]["name"] == "llama3-production-scaler"
    spec = scaled_object["spec"]
    assert spec["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "llama3-production-model",
    }
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (2, 10)
    assert spec["cooldownPeriod"] == 300
    assert spec["pollingInterval"] == 15  # a quarter of the shortest window, 60 s
    assert spec["advanced"] == {
        "horizontalPodAutoscalerConfig": {
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}
        }
    }
    server = "http://prometheus.monitoring.svc:9090"
    assert spec["triggers"] == [
        {
            "type": "prometheus",
            "name": "queue-depth",
            "metricType": "AverageValue",
            "metadata": {
                "serverAddress": server,
                "query": "sum(avg_over_time(nv_trt_llm_request_metrics"
                f'{{request_type="waiting",{TRITON_PODS}}}[60s]))',
                "threshold": "5",
            },
        },
        {
            "type": "prometheus",
            "name": "kv-cache",
            "metricType": "Value",
            "metadata": {
                "serverAddress": server,
                "query": "100 * avg(avg_over_time(nv_trt_llm_kv_cache_block_metrics"
                f'{{kv_cache_block_type="fraction",{TRITON_PODS}}}[120s]))',
                "threshold": "80",
            },
        },
        {
            "type": "prometheus",
            "name": "gpu-util",
            "metricType": "Value",
            "metadata": {
                "serverAddress": server,
                "query": f"avg(avg_over_time(DCGM_FI_DEV_GPU_UTIL{{{TRITON_PODS}}}[120s]))",
                "threshold": "90",
            },
        },
    ]


@pytest.mark.parametrize(
    ("backend", "queue", "kv"),
    [
        ("vllm", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc"),
        ("sglang", "sglang:num_queue_reqs", "sglang:token_usage"),
        ("trtllm", "trtllm_num_requests_waiting", "trtllm_kv_cache_utilization"),
    ],
)
def test_keda_queries_use_the_engines_metric_names(backend: str, queue: str, kv: str) -> None:
    stack = make(
        VLLM, ALL_THRESHOLDS | {"spec.model.backend": backend, "spec.model.engine": DELETE}
    )
    queries = [t["metadata"]["query"] for t in keda(stack)["spec"]["triggers"]]
    assert queries == [
        f"sum(avg_over_time({queue}{{{VLLM_PODS}}}[60s]))",
        f"100 * avg(avg_over_time({kv}{{{VLLM_PODS}}}[120s]))",
        f"avg(avg_over_time(DCGM_FI_DEV_GPU_UTIL{{{VLLM_PODS}}}[120s]))",
    ]
    assert [t["metadata"]["threshold"] for t in keda(stack)["spec"]["triggers"]] == [
        "5",
        "80",
        "90.5",
    ]


def test_keda_server_address_comes_from_the_options() -> None:
    options = RenderOptions(prometheus_url="http://thanos.obs:10902")
    for trigger in keda(make(TRITON), options)["spec"]["triggers"]:
        assert trigger["metadata"]["serverAddress"] == "http://thanos.obs:10902"


def test_keda_default_backend_and_cooldown() -> None:
    stack = make(
        VLLM, {"spec.autoscaling": {"queueDepthThreshold": {"value": 2, "duration": "4m"}}}
    )
    spec = keda(stack)["spec"]
    assert spec["cooldownPeriod"] == 300
    assert spec["pollingInterval"] == 30  # capped at KEDA's default
    assert [t["name"] for t in spec["triggers"]] == ["queue-depth"]


def test_keda_polling_interval_floor() -> None:
    stack = make(
        VLLM, {"spec.autoscaling": {"queueDepthThreshold": {"value": 2, "duration": "10s"}}}
    )
    assert keda(stack)["spec"]["pollingInterval"] == 5


def test_keda_scales_to_zero_and_caps_the_hpa_window() -> None:
    stack = make(
        VLLM,
        {
            "spec.pool.minReplicas": 0,
            "spec.autoscaling": {
                "kvCacheThreshold": {"value": 70, "duration": "500ms"},
                "cooldownPeriod": "2h",
            },
        },
    )
    spec = keda(stack)["spec"]
    assert spec["minReplicaCount"] == 0
    assert spec["cooldownPeriod"] == 7200
    behavior = spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
    assert behavior == {"scaleDown": {"stabilizationWindowSeconds": 3600}}
    assert spec["triggers"][0]["metadata"]["query"].endswith("[500ms]))")


def test_pod_pattern_escapes_dots_in_the_stack_name() -> None:
    # render() rejects such a stack (Service names forbid dots); the autoscaler on its own
    # still writes the regex as a correctly escaped PromQL string.
    [trigger, *_] = keda(make(VLLM, {**ALL_THRESHOLDS, "metadata.name": "a.b"}))["spec"]["triggers"]
    assert 'pod=~"a\\\\.b-model-[a-z0-9]+-[a-z0-9]+"' in trigger["metadata"]["query"]


def test_tgi_has_no_kv_cache_signal() -> None:
    stack = make(VLLM, ALL_THRESHOLDS | {"spec.model.backend": "tgi", "spec.model.engine": "tgi"})
    with pytest.raises(RenderError, match="no KV-cache utilization metric") as err:
        render_autoscaler(stack, options=RenderOptions())
    assert err.value.field_path == "spec.autoscaling.kvCacheThreshold"


def test_tgi_queue_signal() -> None:
    stack = make(
        VLLM,
        {
            "spec.model.backend": "tgi",
            "spec.model.engine": "tgi",
            "spec.autoscaling.backend": "keda",
        },
    )
    [trigger] = keda(stack)["spec"]["triggers"]
    assert trigger["metadata"]["query"] == f"sum(avg_over_time(tgi_queue_size{{{VLLM_PODS}}}[30s]))"


@pytest.mark.parametrize("field", ["queueDepthThreshold", "kvCacheThreshold", "gpuUtilThreshold"])
@pytest.mark.parametrize("backend", ["keda", "hpa"])
def test_zero_threshold_is_rejected(field: str, backend: str) -> None:
    scaling = {"backend": backend, field: {"value": 0, "duration": "30s"}}
    with pytest.raises(RenderError, match="greater than 0") as err:
        render_autoscaler(make(VLLM, {"spec.autoscaling": scaling}), options=RenderOptions())
    assert err.value.field_path == f"spec.autoscaling.{field}.value"


def test_zero_cooldown_scales_down_at_once() -> None:
    stack = make(
        VLLM,
        {
            "spec.autoscaling": {
                "backend": "keda",
                "cooldownPeriod": "0s",
                "queueDepthThreshold": {"value": 1, "duration": "30s"},
            }
        },
    )
    spec = keda(stack)["spec"]
    assert spec["cooldownPeriod"] == 0
    assert spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"] == {
        "scaleDown": {"stabilizationWindowSeconds": 0}
    }


# --- HPA -------------------------------------------------------------------------------------


def test_hpa_of_the_vllm_sample() -> None:
    rules, autoscaler = hpa(make(VLLM))
    assert autoscaler["apiVersion"] == "autoscaling/v2"
    assert autoscaler["metadata"]["name"] == "llama31-8b-scaler"
    assert autoscaler["spec"] == {
        "scaleTargetRef": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "llama31-8b-model",
        },
        "minReplicas": 1,
        "maxReplicas": 4,
        "metrics": [
            {
                "type": "Pods",
                "pods": {
                    "metric": {"name": "vllm_num_requests_waiting_avg_30s"},
                    "target": {"type": "AverageValue", "averageValue": "8"},
                },
            }
        ],
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
    }
    assert rules["metadata"]["name"] == "llama31-8b-prometheus-adapter"
    assert rules["metadata"]["labels"][ADAPTER_RULES_LABEL] == "true"
    assert yaml.safe_load(rules["data"]["config.yaml"]) == {
        "rules": [
            {
                "seriesQuery": 'vllm:num_requests_waiting{namespace!="",pod!=""}',
                "resources": {
                    "overrides": {
                        "namespace": {"resource": "namespace"},
                        "pod": {"resource": "pod"},
                    }
                },
                "name": {
                    "matches": "^vllm:num_requests_waiting$",
                    "as": "vllm_num_requests_waiting_avg_30s",
                },
                "metricsQuery": "sum(avg_over_time(<<.Series>>{<<.LabelMatchers>>}[30s]))"
                " by (<<.GroupBy>>)",
            }
        ]
    }


def test_hpa_rules_for_every_signal_of_triton() -> None:
    stack = make(TRITON, {"spec.autoscaling.backend": "hpa"})
    rules, autoscaler = hpa(stack)
    config = yaml.safe_load(rules["data"]["config.yaml"])["rules"]
    assert [(r["seriesQuery"], r["name"]["as"], r["metricsQuery"]) for r in config] == [
        (
            'nv_trt_llm_request_metrics{request_type="waiting",namespace!="",pod!=""}',
            "nv_trt_llm_request_metrics_waiting_avg_60s",
            'sum(avg_over_time(<<.Series>>{<<.LabelMatchers>>,request_type="waiting"}[60s]))'
            " by (<<.GroupBy>>)",
        ),
        (
            'nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="fraction",namespace!="",pod!=""}',
            "nv_trt_llm_kv_cache_block_metrics_fraction_percent_avg_120s",
            "100 * avg(avg_over_time(<<.Series>>{<<.LabelMatchers>>,"
            'kv_cache_block_type="fraction"}[120s])) by (<<.GroupBy>>)',
        ),
        (
            'DCGM_FI_DEV_GPU_UTIL{namespace!="",pod!=""}',
            "dcgm_fi_dev_gpu_util_avg_120s",
            "avg(avg_over_time(<<.Series>>{<<.LabelMatchers>>}[120s])) by (<<.GroupBy>>)",
        ),
    ]
    metrics = autoscaler["spec"]["metrics"]
    assert [
        (m["pods"]["metric"]["name"], m["pods"]["target"]["averageValue"]) for m in metrics
    ] == [
        ("nv_trt_llm_request_metrics_waiting_avg_60s", "5"),
        ("nv_trt_llm_kv_cache_block_metrics_fraction_percent_avg_120s", "80"),
        ("dcgm_fi_dev_gpu_util_avg_120s", "90"),
    ]
    assert (autoscaler["spec"]["minReplicas"], autoscaler["spec"]["maxReplicas"]) == (2, 10)


def test_hpa_cannot_scale_to_zero() -> None:
    _, autoscaler = hpa(make(VLLM, {"spec.pool.minReplicas": 0}))
    assert autoscaler["spec"]["minReplicas"] == 1


def test_hpa_fractional_threshold_is_a_quantity() -> None:
    stack = make(VLLM, {"spec.autoscaling.queueDepthThreshold": {"value": 2.5, "duration": "30s"}})
    _, autoscaler = hpa(stack)
    # A Quantity, in the canonical form the API server stores.
    assert autoscaler["spec"]["metrics"][0]["pods"]["target"]["averageValue"] == "2500m"


def test_keda_fractional_threshold_stays_a_plain_decimal() -> None:
    stack = make(
        VLLM, {"spec.autoscaling": {"queueDepthThreshold": {"value": 2.5, "duration": "30s"}}}
    )
    assert keda(stack)["spec"]["triggers"][0]["metadata"]["threshold"] == "2.5"


# --- when there is none ----------------------------------------------------------------------


def test_no_autoscaling_renders_nothing() -> None:
    stack = make(VLLM, {"spec.autoscaling": DELETE})
    assert render_autoscaler(stack, options=RenderOptions()) == []
    assert autoscaler_skip_reason(stack) is None


def test_selected_workload_is_not_autoscaled_and_says_why() -> None:
    stack = make(DYNAMO)
    assert render_autoscaler(stack, options=RenderOptions()) == []
    reason = autoscaler_skip_reason(stack)
    assert reason is not None and "does not name the workload" in reason


def test_rendered_workload_has_no_skip_reason() -> None:
    assert autoscaler_skip_reason(make(TRITON)) is None


def test_owner_reference_on_the_autoscaler() -> None:
    stack = make(TRITON, {"metadata.uid": "u-1"})
    [owner] = keda(stack)["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["uid"], owner["controller"]) == ("InferenceStack", "u-1", True)
