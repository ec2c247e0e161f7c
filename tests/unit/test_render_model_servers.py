"""Runtime providers: the ``deployment`` provider per backend, and the unsupported ones."""

from __future__ import annotations

from typing import Any

import pytest

from crd_cases import DELETE, TRITON, VLLM
from crd_cases import make_stack as make
from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.render.common import Manifest
from ngf_console.render.errors import RenderError
from ngf_console.render.options import RenderOptions
from ngf_console.render.providers import (
    PROVIDERS,
    SERVERS,
    DeploymentProvider,
    ScaleTarget,
    UnsupportedProviderError,
    metric_dialect,
    provider_for,
)


def rendered(stack: InferenceStack) -> tuple[Manifest, Manifest]:
    service, deployment = DeploymentProvider().render(stack, RenderOptions())
    assert (service["kind"], deployment["kind"]) == ("Service", "Deployment")
    return service, deployment


def container(stack: InferenceStack) -> dict[str, Any]:
    [result] = rendered(stack)[1]["spec"]["template"]["spec"]["containers"]
    return dict(result)


def pod(stack: InferenceStack) -> dict[str, Any]:
    result: dict[str, Any] = rendered(stack)[1]["spec"]["template"]["spec"]
    return result


def backend(name: str, **more: Any) -> InferenceStack:
    return make(VLLM, {"spec.model.backend": name, "spec.model.engine": DELETE, **more})


# --- registry --------------------------------------------------------------------------------


def test_registry_knows_every_provider() -> None:
    assert set(PROVIDERS) == {"deployment", "dynamo", "kuberay", "kaito"}
    assert {name: p.name for name, p in PROVIDERS.items()} == {n: n for n in PROVIDERS}
    assert isinstance(provider_for(make(VLLM)), DeploymentProvider)


@pytest.mark.parametrize("name", ["dynamo", "kuberay", "kaito"])
def test_unsupported_providers_refuse_every_call(name: str) -> None:
    stack = make(VLLM, {"spec.model.provider": name})
    provider = provider_for(stack)
    message = f"runtime provider '{name}' is not supported yet"
    with pytest.raises(UnsupportedProviderError, match=message) as err:
        provider.render(stack, RenderOptions())
    assert err.value.field_path == "spec.model.provider"
    with pytest.raises(UnsupportedProviderError, match=message):
        provider.pod_labels(stack)
    with pytest.raises(UnsupportedProviderError, match=message):
        provider.scale_target(stack)


def test_deployment_provider_cannot_disaggregate() -> None:
    stack = make(VLLM, {"spec.model.servingMode": "disaggregated"})
    with pytest.raises(RenderError, match="aggregated pods") as err:
        rendered(stack)
    assert err.value.field_path == "spec.model.servingMode"


# --- per backend -----------------------------------------------------------------------------


def test_vllm_serves_the_model_id_under_the_model_name() -> None:
    c = container(make(VLLM))
    assert c["image"] == "vllm/vllm-openai:v0.18.1"
    assert c["command"] == ["python3", "-m", "vllm.entrypoints.openai.api_server"]
    assert c["args"] == [
        "--model",
        "meta-llama/Llama-3.1-8B-Instruct",
        "--served-model-name",
        "llama-3.1-8b-instruct",
        "--port",
        "8000",
    ]
    assert c["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert c["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http", "scheme": "HTTP"}


def test_vllm_tensor_parallel_across_the_pods_gpus() -> None:
    c = container(make(VLLM, {"spec.model.gpusPerPod": 4, "spec.pool.resources": DELETE}))
    assert c["args"][-2:] == ["--tensor-parallel-size", "4"]
    assert c["resources"] == {
        "requests": {"nvidia.com/gpu": "4"},
        "limits": {"nvidia.com/gpu": "4"},
    }


def test_model_name_is_served_when_there_is_no_model_id() -> None:
    stack = make(VLLM, {"spec.model.modelId": DELETE, "spec.model.image": "registry.local/llama:1"})
    c = container(stack)
    assert c["image"] == "registry.local/llama:1"
    assert c["args"][:2] == ["--model", "llama-3.1-8b-instruct"]
    # Nothing to download: no cache, no token.
    assert "env" not in c
    assert c["volumeMounts"] == [{"name": "shm", "mountPath": "/dev/shm"}]
    assert pod(stack)["volumes"] == [{"name": "shm", "emptyDir": {"medium": "Memory"}}]


def test_downloads_go_to_a_cache_volume_with_the_optional_token() -> None:
    c = container(make(VLLM))
    assert c["env"] == [
        {"name": "HF_HOME", "value": "/model-cache"},
        {
            "name": "HF_TOKEN",
            "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "token", "optional": True}},
        },
    ]
    assert {"name": "model-cache", "mountPath": "/model-cache"} in c["volumeMounts"]
    assert {"name": "model-cache", "emptyDir": {}} in pod(make(VLLM))["volumes"]


def test_sglang_launch() -> None:
    c = container(backend("sglang", **{"spec.model.gpusPerPod": 2, "spec.pool.resources": DELETE}))
    assert c["image"] == "lmsysorg/sglang:latest"
    assert c["command"] == ["python3", "-m", "sglang.launch_server"]
    assert c["args"] == [
        "--model-path",
        "meta-llama/Llama-3.1-8B-Instruct",
        "--served-model-name",
        "llama-3.1-8b-instruct",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
        "--enable-metrics",
        "--tp",
        "2",
    ]


def test_trtllm_serve_launch() -> None:
    c = container(backend("trtllm"))
    assert c["image"] == "nvcr.io/nvidia/tensorrt-llm/release:1.0.0"
    assert c["command"] == ["trtllm-serve"]
    assert c["args"] == ["meta-llama/Llama-3.1-8B-Instruct", "--host", "0.0.0.0", "--port", "8000"]


def test_tgi_launch() -> None:
    c = container(backend("tgi", **{"spec.model.gpusPerPod": 2, "spec.pool.resources": DELETE}))
    assert c["image"] == "ghcr.io/huggingface/text-generation-inference:3.3.4"
    assert c["command"] == ["text-generation-launcher"]
    assert c["args"] == [
        "--model-id",
        "meta-llama/Llama-3.1-8B-Instruct",
        "--hostname",
        "0.0.0.0",
        "--port",
        "8000",
        "--num-shard",
        "2",
    ]


def test_triton_serves_the_repository_in_its_image_with_metrics_on_8002() -> None:
    stack = make(TRITON)
    service, deployment = rendered(stack)
    [c] = deployment["spec"]["template"]["spec"]["containers"]
    assert c["image"] == "nvcr.io/nvidia/tritonserver:24.01-trtllm-python-py3"
    assert c["command"] == ["tritonserver"]
    assert c["args"] == [
        "--model-repository=/models",
        "--http-port=8000",
        "--grpc-port=8001",
        "--metrics-port=8002",
    ]
    assert c["ports"] == [
        {"name": "http", "containerPort": 8000, "protocol": "TCP"},
        {"name": "metrics", "containerPort": 8002, "protocol": "TCP"},
    ]
    assert c["readinessProbe"]["httpGet"]["path"] == "/v2/health/ready"
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"},
        {"name": "metrics", "port": 8002, "targetPort": "metrics", "protocol": "TCP"},
    ]


def test_triton_cannot_download_a_model_id() -> None:
    stack = make(VLLM, {"spec.model.backend": "triton", "spec.model.engine": DELETE})
    with pytest.raises(RenderError, match="model repository") as err:
        rendered(stack)
    assert err.value.field_path == "spec.model.image"


@pytest.mark.parametrize(
    ("backend_name", "engine", "dialect"),
    [
        ("vllm", None, "vllm"),
        ("sglang", "sglang", "sglang"),
        ("trtllm", None, "trtllm-serve"),
        ("tgi", None, "tgi"),
        ("triton", None, "triton-tensorrt-llm"),
        ("triton", "trtllm", "triton-tensorrt-llm"),
        ("triton", "vllm", "vllm"),
    ],
)
def test_engine_type_label_names_the_metric_dialect(
    backend_name: str, engine: str | None, dialect: str
) -> None:
    stack = make(
        TRITON,
        {"spec.model.backend": backend_name, "spec.model.engine": engine or DELETE},
    )
    assert metric_dialect(stack).name == dialect
    labels = rendered(stack)[1]["spec"]["template"]["metadata"]["labels"]
    assert labels["inference.networking.k8s.io/engine-type"] == dialect


def test_every_backend_has_a_profile() -> None:
    assert set(SERVERS) == {"vllm", "sglang", "trtllm", "triton", "tgi"}
    assert {s.port for s in SERVERS.values()} == {8000}


# --- pod placement and resources -------------------------------------------------------------


def test_resources_merge_gpus_with_the_pool_resources() -> None:
    assert container(make(VLLM))["resources"] == {
        "requests": {"cpu": "4", "memory": "32Gi", "nvidia.com/gpu": "1"},
        "limits": {"memory": "32Gi", "nvidia.com/gpu": "1"},
    }


def test_gpus_are_added_where_the_pool_says_nothing_of_them() -> None:
    stack = make(VLLM, {"spec.pool.resources": {"requests": {"memory": "8Gi"}}})
    assert container(stack)["resources"] == {
        "requests": {"memory": "8Gi", "nvidia.com/gpu": "1"},
        "limits": {"nvidia.com/gpu": "1"},
    }


def test_quantities_are_rendered_canonically() -> None:
    # As the API server stores them: the Deployment read back equals the one rendered.
    resources = {"requests": {"cpu": "0.5", "memory": "1024Mi", "nvidia.com/gpu": "1"}}
    stack = make(VLLM, {"spec.pool.resources": resources})
    assert container(stack)["resources"]["requests"] == {
        "cpu": "500m",
        "memory": "1Gi",
        "nvidia.com/gpu": "1",
    }


def test_resource_claims_pass_through() -> None:
    stack = make(VLLM, {"spec.pool.resources": {"claims": [{"name": "gpu", "request": "a"}]}})
    assert container(stack)["resources"]["claims"] == [{"name": "gpu", "request": "a"}]


@pytest.mark.parametrize("section", ["requests", "limits"])
def test_contradicting_gpu_counts_are_rejected(section: str) -> None:
    stack = make(VLLM, {"spec.pool.resources": {section: {"nvidia.com/gpu": 2}}})
    with pytest.raises(RenderError, match="gpusPerPod is 1") as err:
        rendered(stack)
    assert err.value.field_path == f"spec.pool.resources.{section}"


def test_cpu_model_server_has_no_gpu_resources_selector_or_toleration() -> None:
    stack = make(
        VLLM,
        {
            "spec.model.gpusPerPod": 0,
            "spec.pool.resources": {"requests": {"cpu": "8"}},
            "spec.pool.nodeSelector": DELETE,
        },
    )
    spec = pod(stack)
    assert spec["containers"][0]["resources"] == {"requests": {"cpu": "8"}}
    assert "nodeSelector" not in spec
    assert "tolerations" not in spec


def test_default_node_selector_and_toleration_for_gpus() -> None:
    spec = pod(make(VLLM, {"spec.pool.nodeSelector": DELETE}))
    assert spec["nodeSelector"] == {"nvidia.com/gpu.product": "L40S"}
    assert spec["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]


def test_pool_node_selector_and_tolerations_win() -> None:
    stack = make(
        VLLM,
        {
            "spec.pool.nodeSelector": {"pool": "gpu-a", "cloud.google.com/gke-accelerator": "l4"},
            "spec.pool.tolerations": [{"key": "dedicated", "operator": "Equal", "value": "ml"}],
        },
    )
    spec = pod(stack)
    assert spec["nodeSelector"] == {"cloud.google.com/gke-accelerator": "l4", "pool": "gpu-a"}
    assert spec["tolerations"] == [{"key": "dedicated", "operator": "Equal", "value": "ml"}]


def test_gpu_type_that_is_no_label_value_needs_a_node_selector() -> None:
    stack = make(VLLM, {"spec.pool.nodeSelector": DELETE, "spec.model.gpuType": "H100 SXM"})
    with pytest.raises(RenderError, match="not a valid label value") as err:
        rendered(stack)
    assert err.value.field_path == "spec.model.gpuType"


def test_pod_lifecycle() -> None:
    spec = pod(make(VLLM))
    assert spec["terminationGracePeriodSeconds"] == 130
    c = spec["containers"][0]
    assert c["lifecycle"] == {"preStop": {"sleep": {"seconds": 30}}}
    assert c["startupProbe"]["periodSeconds"] * c["startupProbe"]["failureThreshold"] == 1800
    assert c["readinessProbe"]["periodSeconds"] == 5
    assert c["livenessProbe"]["failureThreshold"] == 5


# --- the Deployment --------------------------------------------------------------------------


def test_replicas_without_an_autoscaler() -> None:
    _, deployment = rendered(make(VLLM, {"spec.autoscaling": DELETE}))
    assert deployment["spec"]["replicas"] == 1
    _, deployment = rendered(make(TRITON, {"spec.autoscaling": DELETE}))
    assert deployment["spec"]["replicas"] == 3


def test_replicas_are_left_to_the_autoscaler() -> None:
    _, deployment = rendered(make(TRITON))
    assert "replicas" not in deployment["spec"]


def test_rolling_update_never_surges_past_the_gpus() -> None:
    _, deployment = rendered(make(VLLM))
    assert deployment["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
    }


def test_pod_labels_select_the_pods() -> None:
    stack = make(TRITON)
    service, deployment = rendered(stack)
    labels = DeploymentProvider().pod_labels(stack)
    assert labels == {
        "ngf-console.f5.com/stack": "llama3-production",
        "app.kubernetes.io/component": "model-server",
    }
    assert deployment["spec"]["selector"]["matchLabels"] == labels
    assert service["spec"]["selector"] == labels
    assert labels.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert (
        service["metadata"]["name"] == deployment["metadata"]["name"] == "llama3-production-model"
    )


def test_scale_target() -> None:
    assert DeploymentProvider().scale_target(make(TRITON)) == ScaleTarget(
        "apps/v1",
        "Deployment",
        "llama3-production-model",
        "llama3-production-model-[a-z0-9]+-[a-z0-9]+",
    )


def test_owner_references_on_the_model_server() -> None:
    stack = make(TRITON, {"metadata.uid": "u-9"})
    for child in rendered(stack):
        [owner] = child["metadata"]["ownerReferences"]
        assert owner["uid"] == "u-9"
