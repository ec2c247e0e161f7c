"""The endpoint picker: EndpointPickerConfig per strategy and engine, Deployment, RBAC."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from crd_cases import DELETE, DYNAMO, TRITON, VLLM
from crd_cases import make_stack as make
from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.render.common import Manifest
from ngf_console.render.epp import (
    CONFIG_FILE,
    CONFIG_HASH_ANNOTATION,
    endpoint_picker_config,
    render_epp,
)
from ngf_console.render.errors import RenderError
from ngf_console.render.options import RenderOptions


def epp(stack: InferenceStack, options: RenderOptions | None = None) -> dict[str, Manifest]:
    children = render_epp(stack, pool_name="the-pool", options=options or RenderOptions())
    return {child["kind"]: child for child in children}


def plugin(config: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [p for p in config["plugins"] if p["name"] == name]
    assert len(found) == 1
    return found[0]


def profile(config: dict[str, Any]) -> list[dict[str, Any]]:
    [default] = config["schedulingProfiles"]
    assert default["name"] == "default"
    plugins: list[dict[str, Any]] = default["plugins"]
    return plugins


# --- EndpointPickerConfig --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "scorer"),
    [
        ("least_queue", "queue-scorer"),
        ("best_kv_cache", "kv-cache-utilization-scorer"),
        ("prefix_affinity", "prefix-cache-scorer"),
    ],
)
def test_single_strategies_pick_their_scorer(strategy: str, scorer: str) -> None:
    config = endpoint_picker_config(make(VLLM, {"spec.epp.strategy": strategy}))
    assert profile(config) == [
        {"pluginRef": scorer, "weight": 1.0},
        {"pluginRef": "max-score-picker"},
    ]
    scorers = {p["type"] for p in config["plugins"] if p["type"].endswith("-scorer")}
    assert scorers == {scorer}


def test_default_strategy_is_least_queue() -> None:
    config = endpoint_picker_config(make(VLLM, {"spec.epp.strategy": DELETE}))
    assert profile(config)[0] == {"pluginRef": "queue-scorer", "weight": 1.0}


def test_composite_weights_all_three_scorers() -> None:
    config = endpoint_picker_config(make(TRITON))
    assert profile(config) == [
        {"pluginRef": "queue-scorer", "weight": 0.4},
        {"pluginRef": "kv-cache-utilization-scorer", "weight": 0.35},
        {"pluginRef": "prefix-cache-scorer", "weight": 0.25},
        {"pluginRef": "max-score-picker"},
    ]


def test_composite_drops_zero_weight_scorers() -> None:
    weights = {"queueDepth": 0.5, "kvCache": 0.5, "prefixCache": 0.0}
    config = endpoint_picker_config(make(TRITON, {"spec.epp.compositeWeights": weights}))
    assert [p["pluginRef"] for p in profile(config)] == [
        "queue-scorer",
        "kv-cache-utilization-scorer",
        "max-score-picker",
    ]
    assert "prefix-cache-scorer" not in {p["type"] for p in config["plugins"]}


def test_config_document_shape() -> None:
    config = endpoint_picker_config(make(VLLM))
    assert config["apiVersion"] == "inference.networking.x-k8s.io/v1alpha1"
    assert config["kind"] == "EndpointPickerConfig"
    assert config["saturationDetector"] == {"pluginRef": "utilization-detector"}
    assert config["dataLayer"] == {
        "sources": [
            {
                "pluginRef": "metrics-data-source",
                "extractors": [{"pluginRef": "core-metrics-extractor"}],
            }
        ]
    }
    assert [p["type"] for p in config["plugins"]] == [
        "prefix-cache-scorer",
        "max-score-picker",
        "single-profile-handler",
        "utilization-detector",
        "metrics-data-source",
        "core-metrics-extractor",
    ]
    # Every plugin is named (the profile refers to names) and every name is unique.
    names = [p["name"] for p in config["plugins"]]
    assert len(set(names)) == len(names)
    refs = {p["pluginRef"] for p in profile(config)}
    assert refs <= set(names)


def test_staleness_threshold_is_twice_the_scrape_interval() -> None:
    detector = plugin(endpoint_picker_config(make(VLLM)), "utilization-detector")
    assert detector["parameters"] == {
        "queueDepthThreshold": 5,
        "kvCacheUtilThreshold": 0.8,
        "metricsStalenessThreshold": "10s",
    }
    fast = make(VLLM, {"spec.epp.scrapeInterval": "250ms"})
    staleness = plugin(endpoint_picker_config(fast), "utilization-detector")["parameters"]
    assert staleness["metricsStalenessThreshold"] == "500ms"


def test_metrics_path_default_is_the_servers_own() -> None:
    source = plugin(endpoint_picker_config(make(VLLM)), "metrics-data-source")
    assert source["parameters"] == {"scheme": "http", "path": "/metrics"}
    trtllm = make(VLLM, {"spec.model.backend": "trtllm", "spec.model.engine": "trtllm"})
    source = plugin(endpoint_picker_config(trtllm), "metrics-data-source")
    assert source["parameters"]["path"] == "/prometheus/metrics"


def test_explicit_metrics_path_wins() -> None:
    stack = make(VLLM, {"spec.epp.metricsPath": "/custom/metrics"})
    source = plugin(endpoint_picker_config(stack), "metrics-data-source")
    assert source["parameters"]["path"] == "/custom/metrics"


def test_vllm_engine_config() -> None:
    extractor = plugin(endpoint_picker_config(make(VLLM)), "core-metrics-extractor")
    assert extractor["parameters"] == {
        "engineLabelKey": "inference.networking.k8s.io/engine-type",
        "defaultEngine": "vllm",
        "engineConfigs": [
            {
                "name": "vllm",
                "queuedRequestsSpec": "vllm:num_requests_waiting",
                "runningRequestsSpec": "vllm:num_requests_running",
                "kvUsageSpec": "vllm:kv_cache_usage_perc",
                "loraSpec": "vllm:lora_requests_info",
                "cacheInfoSpec": "vllm:cache_config_info",
            }
        ],
    }


def test_sglang_engine_config() -> None:
    extractor = plugin(endpoint_picker_config(make(DYNAMO)), "core-metrics-extractor")
    assert extractor["parameters"]["defaultEngine"] == "sglang"
    assert extractor["parameters"]["engineConfigs"] == [
        {
            "name": "sglang",
            "queuedRequestsSpec": "sglang:num_queue_reqs",
            "runningRequestsSpec": "sglang:num_running_reqs",
            "kvUsageSpec": "sglang:token_usage",
            "loraSpec": "",
            "cacheInfoSpec": "sglang:cache_config_info",
            "cacheBlockSizeLabelName": "page_size",
            "cacheNumBlocksLabelName": "num_pages",
        }
    ]


def test_triton_engine_config() -> None:
    extractor = plugin(endpoint_picker_config(make(TRITON)), "core-metrics-extractor")
    blocks = "nv_trt_llm_kv_cache_block_metrics"
    assert extractor["parameters"]["defaultEngine"] == "triton-tensorrt-llm"
    assert extractor["parameters"]["engineConfigs"] == [
        {
            "name": "triton-tensorrt-llm",
            "queuedRequestsSpec": 'nv_trt_llm_request_metrics{request_type="waiting"}',
            "runningRequestsSpec": 'nv_trt_llm_request_metrics{request_type="scheduled"}',
            "kvUsageSpec": 'nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="fraction"}',
            "loraSpec": "",
            "cacheInfoSpec": "",
            "cacheBlockSizeSpec": f'{blocks}{{kv_cache_block_type="tokens_per"}}',
            "cacheNumBlocksSpec": f'{blocks}{{kv_cache_block_type="max"}}',
        }
    ]


def test_trtllm_serve_engine_config() -> None:
    stack = make(VLLM, {"spec.model.backend": "trtllm", "spec.model.engine": DELETE})
    extractor = plugin(endpoint_picker_config(stack), "core-metrics-extractor")
    [engine] = extractor["parameters"]["engineConfigs"]
    assert engine["name"] == "trtllm-serve"
    assert engine["queuedRequestsSpec"] == "trtllm_num_requests_waiting"
    assert engine["kvUsageSpec"] == "trtllm_kv_cache_utilization"
    assert engine["cacheBlockSizeSpec"] == "trtllm_kv_cache_tokens_per_block"


def test_tgi_engine_config_disables_kv_cache() -> None:
    stack = make(VLLM, {"spec.model.backend": "tgi", "spec.model.engine": "tgi"})
    [engine] = plugin(endpoint_picker_config(stack), "core-metrics-extractor")["parameters"][
        "engineConfigs"
    ]
    assert engine == {
        "name": "tgi",
        "queuedRequestsSpec": "tgi_queue_size",
        "runningRequestsSpec": "tgi_batch_current_size",
        "kvUsageSpec": "",
        "loraSpec": "",
        "cacheInfoSpec": "",
    }


def test_triton_hosting_vllm_reads_vllm_metrics() -> None:
    stack = make(TRITON, {"spec.model.engine": "vllm"})
    extractor = plugin(endpoint_picker_config(stack), "core-metrics-extractor")
    assert extractor["parameters"]["defaultEngine"] == "vllm"


@pytest.mark.parametrize(
    ("backend", "engine"), [("vllm", "sglang"), ("triton", "sglang"), ("tgi", "vllm")]
)
def test_engine_that_cannot_run_in_the_backend_is_rejected(backend: str, engine: str) -> None:
    stack = make(VLLM, {"spec.model.backend": backend, "spec.model.engine": engine})
    with pytest.raises(RenderError, match="cannot run in backend") as err:
        endpoint_picker_config(stack)
    assert err.value.field_path == "spec.model.engine"


# --- Kubernetes objects ----------------------------------------------------------------------


def test_configmap_holds_the_config_as_yaml() -> None:
    stack = make(TRITON)
    configmap = epp(stack)["ConfigMap"]
    assert configmap["metadata"]["name"] == "llama3-production-epp-config"
    assert yaml.safe_load(configmap["data"][CONFIG_FILE]) == endpoint_picker_config(stack)


def test_children_in_apply_order() -> None:
    children = render_epp(make(VLLM), pool_name="p", options=RenderOptions())
    assert [(c["kind"], c["metadata"]["name"]) for c in children] == [
        ("ServiceAccount", "llama31-8b-epp"),
        ("Role", "llama31-8b-epp"),
        ("RoleBinding", "llama31-8b-epp"),
        ("ConfigMap", "llama31-8b-epp-config"),
        ("Service", "llama31-8b-epp"),
        ("Deployment", "llama31-8b-epp"),
    ]


def test_role_reads_pods_pools_and_objectives() -> None:
    children = epp(make(TRITON))
    assert children["Role"]["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
        {
            "apiGroups": ["inference.networking.k8s.io"],
            "resources": ["inferencepools"],
            "verbs": ["get", "list", "watch"],
        },
        {
            "apiGroups": ["inference.networking.x-k8s.io"],
            "resources": ["inferenceobjectives", "inferencemodelrewrites"],
            "verbs": ["get", "list", "watch"],
        },
    ]
    binding = children["RoleBinding"]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "llama3-production-epp",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "llama3-production-epp", "namespace": "ml-serving"}
    ]


def test_service_exposes_ext_proc_health_and_metrics() -> None:
    service = epp(make(VLLM))["Service"]
    assert service["spec"]["selector"] == {
        "ngf-console.f5.com/stack": "llama31-8b",
        "app.kubernetes.io/component": "endpoint-picker",
    }
    assert [(p["name"], p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [
        ("grpc-ext-proc", 9002, 9002),
        ("grpc-health", 9003, 9003),
        ("http-metrics", 9090, 9090),
    ]


def test_deployment_runs_the_picker_for_the_pool() -> None:
    deployment = epp(make(TRITON))["Deployment"]
    spec = deployment["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "Recreate"}
    pod = spec["template"]["spec"]
    assert pod["serviceAccountName"] == "llama3-production-epp"
    assert pod["volumes"] == [
        {"name": "config", "configMap": {"name": "llama3-production-epp-config"}}
    ]
    [container] = pod["containers"]
    assert container["image"] == "registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0"
    assert container["args"] == [
        "--pool-name=the-pool",
        "--pool-namespace=ml-serving",
        "--pool-group=inference.networking.k8s.io",
        "--config-file=/config/endpoint-picker-config.yaml",
        "--refresh-metrics-interval=5s",
        "--grpc-port=9002",
        "--grpc-health-port=9003",
        "--metrics-port=9090",
        "--metrics-endpoint-auth=false",
        "--tracing=false",
        # Triton: metrics on 8002, not the serving port.
        "--model-server-metrics-port=8002",
    ]
    assert [(p["name"], p["containerPort"]) for p in container["ports"]] == [
        ("grpc", 9002),
        ("grpc-health", 9003),
        ("metrics", 9090),
    ]
    health = {"port": 9003, "service": "inference-extension"}
    assert container["readinessProbe"] == {"grpc": health, "periodSeconds": 2}
    assert container["livenessProbe"] == {
        "grpc": health,
        "initialDelaySeconds": 5,
        "periodSeconds": 10,
    }
    assert container["volumeMounts"] == [
        {"name": "config", "mountPath": "/config", "readOnly": True}
    ]


def test_scrape_interval_is_the_refresh_flag() -> None:
    container = epp(make(DYNAMO))["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert "--refresh-metrics-interval=2s" in container["args"]
    assert not any(a.startswith("--model-server-metrics-port") for a in container["args"])


def test_image_comes_from_the_options() -> None:
    deployment = epp(make(VLLM), RenderOptions(epp_image="mirror.local/epp:v1.5.0"))["Deployment"]
    assert (
        deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        == "mirror.local/epp:v1.5.0"
    )


def test_pod_template_rolls_when_the_config_changes() -> None:
    def digest(stack: InferenceStack) -> str:
        template = epp(stack)["Deployment"]["spec"]["template"]
        value: str = template["metadata"]["annotations"][CONFIG_HASH_ANNOTATION]
        return value

    base = digest(make(VLLM))
    assert base == digest(make(VLLM))
    assert base != digest(make(VLLM, {"spec.epp.strategy": "best_kv_cache"}))


def test_selector_is_a_subset_of_the_pod_labels() -> None:
    deployment = epp(make(VLLM))["Deployment"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
