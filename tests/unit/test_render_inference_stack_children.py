"""render(InferenceStack): children, names, labels, owners, pool, gateway, route, XC."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crd_cases import DELETE, DYNAMO, TRITON, VLLM, make_stack
from ngf_console.crd.distributed_cloud_publish import DistributedCloudPublish
from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.render.common import KIND_LABELS, MANAGED_BY_LABEL, PARENT_NAME_LABEL, Manifest
from ngf_console.render.errors import RenderError
from ngf_console.render.inference_stack import (
    FAILURE_MODE,
    STREAMING_ANNOTATION,
    render,
)
from ngf_console.render.options import RenderOptions
from ngf_console.render.providers import UnsupportedProviderError

SAMPLES = (TRITON, VLLM, DYNAMO)
UID = "0f0e0d0c-0b0a-4908-8706-050403020100"


def make(sample: str = TRITON, edits: dict[str, Any] | None = None) -> InferenceStack:
    """A sample InferenceStack (the Triton one by default) with dotted-path edits."""
    return make_stack(sample, edits)


def one(children: list[Manifest], kind: str, name: str | None = None) -> Manifest:
    found = [c for c in children if c["kind"] == kind and name in (None, c["metadata"]["name"])]
    assert len(found) == 1, [(c["kind"], c["metadata"]["name"]) for c in children]
    return found[0]


def kinds(children: list[Manifest]) -> list[tuple[str, str]]:
    return [(c["kind"], c["metadata"]["name"]) for c in children]


# --- the whole stack -------------------------------------------------------------------------


def test_triton_sample_children_in_apply_order() -> None:
    assert kinds(render(make(TRITON))) == [
        ("Service", "llama3-production-model"),
        ("Deployment", "llama3-production-model"),
        ("InferencePool", "llama3-production-pool"),
        ("ServiceAccount", "llama3-production-epp"),
        ("Role", "llama3-production-epp"),
        ("RoleBinding", "llama3-production-epp"),
        ("ConfigMap", "llama3-production-epp-config"),
        ("Service", "llama3-production-epp"),
        ("Deployment", "llama3-production-epp"),
        ("HTTPRoute", "llama3-production-route"),
        ("ScaledObject", "llama3-production-scaler"),
        ("Service", "ngf-console-dcgm-exporter"),
        ("DaemonSet", "ngf-console-dcgm-exporter"),
        ("DistributedCloudPublish", "llama3-production-xc"),
    ]


def test_vllm_sample_renders_gateway_hpa_and_adapter_rules() -> None:
    assert kinds(render(make(VLLM))) == [
        ("Service", "llama31-8b-model"),
        ("Deployment", "llama31-8b-model"),
        ("InferencePool", "llama31-8b-pool"),
        ("ServiceAccount", "llama31-8b-epp"),
        ("Role", "llama31-8b-epp"),
        ("RoleBinding", "llama31-8b-epp"),
        ("ConfigMap", "llama31-8b-epp-config"),
        ("Service", "llama31-8b-epp"),
        ("Deployment", "llama31-8b-epp"),
        ("Gateway", "llama31-8b-gateway"),
        ("HTTPRoute", "llama31-8b-route"),
        ("ConfigMap", "llama31-8b-prometheus-adapter"),
        ("HorizontalPodAutoscaler", "llama31-8b-scaler"),
        ("Service", "ngf-console-dcgm-exporter"),
        ("DaemonSet", "ngf-console-dcgm-exporter"),
    ]


def test_selected_workload_gets_no_model_server_and_no_autoscaler() -> None:
    # The dynamo sample selects Dynamo's pods: provider dynamo is never asked to render.
    assert kinds(render(make(DYNAMO))) == [
        ("InferencePool", "qwen3-32b-pool"),
        ("ServiceAccount", "qwen3-32b-epp"),
        ("Role", "qwen3-32b-epp"),
        ("RoleBinding", "qwen3-32b-epp"),
        ("ConfigMap", "qwen3-32b-epp-config"),
        ("Service", "qwen3-32b-epp"),
        ("Deployment", "qwen3-32b-epp"),
        ("HTTPRoute", "qwen3-32b-route"),
        ("Service", "ngf-console-dcgm-exporter"),
        ("DaemonSet", "ngf-console-dcgm-exporter"),
    ]


def test_minimal_stack_without_optional_children() -> None:
    stack = make(
        TRITON,
        {
            "spec.autoscaling": DELETE,
            "spec.distributedCloud": DELETE,
            "spec.epp.dcgmEnabled": False,
        },
    )
    assert [k for k, _ in kinds(render(stack))] == [
        "Service",
        "Deployment",
        "InferencePool",
        "ServiceAccount",
        "Role",
        "RoleBinding",
        "ConfigMap",
        "Service",
        "Deployment",
        "HTTPRoute",
    ]


@pytest.mark.parametrize("sample", SAMPLES)
def test_render_is_deterministic(sample: str) -> None:
    first = json.dumps(render(make(sample)), sort_keys=False)
    second = json.dumps(render(make(sample)), sort_keys=False)
    assert first == second


@pytest.mark.parametrize("sample", SAMPLES)
def test_render_shares_no_objects_between_children(sample: str) -> None:
    # A consumer may mutate one child (add an annotation) without touching another.
    children = render(make(sample))
    seen: dict[int, str] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict | list):
            assert id(node) not in seen, f"{where} aliases {seen.get(id(node))}"
            seen[id(node)] = where
            for key, child in node.items() if isinstance(node, dict) else enumerate(node):
                walk(child, f"{where}.{key}")

    for child in children:
        walk(child, f"{child['kind']}/{child['metadata']['name']}")


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_child_is_labelled_and_in_the_parent_namespace(sample: str) -> None:
    stack = make(sample)
    namespace = stack.metadata.namespace or "default"
    for child in render(stack):
        labels = child["metadata"]["labels"]
        assert labels[MANAGED_BY_LABEL] == "ngf-console"
        if child["metadata"]["name"] == "ngf-console-dcgm-exporter":
            assert child["metadata"]["namespace"] == "ngf-console-system"
            assert PARENT_NAME_LABEL not in labels
            continue
        assert child["metadata"]["namespace"] == namespace
        assert labels[KIND_LABELS["InferenceStack"]] == stack.metadata.name
        assert labels[PARENT_NAME_LABEL] == stack.metadata.name


def test_children_of_a_stored_parent_have_controller_owner_references() -> None:
    stack = make(TRITON, {"metadata.uid": UID})
    for child in render(stack):
        owners = child["metadata"].get("ownerReferences")
        if child["metadata"]["name"] == "ngf-console-dcgm-exporter":
            assert owners is None
            continue
        assert owners == [
            {
                "apiVersion": "ngf-console.f5.com/v1alpha1",
                "kind": "InferenceStack",
                "name": "llama3-production",
                "uid": UID,
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]


def test_children_of_an_unstored_parent_have_no_owner_references() -> None:
    assert all("ownerReferences" not in c["metadata"] for c in render(make(TRITON)))


def test_default_options_equal_explicit_defaults() -> None:
    assert render(make(VLLM)) == render(make(VLLM), options=RenderOptions())


def test_parent_without_namespace_renders_into_default() -> None:
    assert {
        c["metadata"]["namespace"] for c in render(make(VLLM, {"spec.epp.dcgmEnabled": False}))
    } == {"default"}


@pytest.mark.parametrize(
    "name",
    ["a" * 58, "9lives", "llama.3"],
)
def test_stack_names_that_cannot_name_services_are_rejected(name: str) -> None:
    with pytest.raises(RenderError, match="cannot name the stack's Services") as err:
        render(make(VLLM, {"metadata.name": name}))
    assert err.value.field_path == "metadata.name"


def test_longest_stack_name_that_fits() -> None:
    children = render(make(VLLM, {"metadata.name": "a" * 57}))
    assert one(children, "Service", "a" * 57 + "-model")


@pytest.mark.parametrize("provider", ["dynamo", "kuberay", "kaito"])
def test_unsupported_providers_raise(provider: str) -> None:
    stack = make(VLLM, {"spec.model.provider": provider})
    with pytest.raises(UnsupportedProviderError, match=f"runtime provider '{provider}' is not"):
        render(stack)


def test_unsupported_provider_is_fine_when_the_pods_are_selected() -> None:
    stack = make(
        VLLM, {"spec.model.provider": "kaito", "spec.pool.selector": {"matchLabels": {"a": "b"}}}
    )
    assert one(render(stack), "InferencePool")


# --- InferencePool ---------------------------------------------------------------------------


def test_pool_selects_the_rendered_model_server_pods() -> None:
    children = render(make(TRITON))
    pool = one(children, "InferencePool")
    deployment = one(children, "Deployment", "llama3-production-model")
    selector = pool["spec"]["selector"]["matchLabels"]
    assert selector == {
        "ngf-console.f5.com/stack": "llama3-production",
        "app.kubernetes.io/component": "model-server",
    }
    assert deployment["spec"]["selector"]["matchLabels"] == selector
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    # ...and not the endpoint picker's pods.
    epp = one(children, "Deployment", "llama3-production-epp")
    assert not selector.items() <= epp["spec"]["template"]["metadata"]["labels"].items()


def test_pool_spec_shape() -> None:
    pool = one(render(make(TRITON)), "InferencePool")
    assert pool["apiVersion"] == "inference.networking.k8s.io/v1"
    assert pool["spec"]["targetPorts"] == [{"number": 8000}]
    assert pool["spec"]["endpointPickerRef"] == {
        "group": "",
        "kind": "Service",
        "name": "llama3-production-epp",
        "port": {"number": 9002},
        "failureMode": "FailOpen",
    }
    assert FAILURE_MODE == "FailOpen"


def test_pool_folds_single_value_in_expressions_into_labels() -> None:
    pool = one(render(make(DYNAMO)), "InferencePool")
    assert pool["spec"]["selector"] == {
        "matchLabels": {
            "app.kubernetes.io/name": "qwen3-32b",
            "nvidia.com/dynamo-component-type": "worker",
        }
    }


@pytest.mark.parametrize(
    "expression",
    [
        {"key": "tier", "operator": "In", "values": ["a", "b"]},
        {"key": "tier", "operator": "NotIn", "values": ["a"]},
        {"key": "tier", "operator": "Exists"},
        {"key": "tier", "operator": "DoesNotExist"},
    ],
)
def test_pool_rejects_expressions_labels_cannot_say(expression: dict[str, Any]) -> None:
    stack = make(
        DYNAMO,
        {"spec.pool.selector": {"matchLabels": {"a": "b"}, "matchExpressions": [expression]}},
    )
    with pytest.raises(RenderError, match="selects by labels only") as err:
        render(stack)
    assert err.value.field_path == "spec.pool.selector.matchExpressions[0]"


def test_pool_rejects_contradicting_selector() -> None:
    selector = {
        "matchLabels": {"tier": "a"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b"]}],
    }
    with pytest.raises(RenderError, match="cannot equal both"):
        render(make(DYNAMO, {"spec.pool.selector": selector}))


def test_pool_rejects_empty_selector() -> None:
    with pytest.raises(RenderError, match="at least one label"):
        render(make(DYNAMO, {"spec.pool.selector": {}}))


def test_pool_of_selected_pods_targets_the_backend_port() -> None:
    pool = one(render(make(DYNAMO)), "InferencePool")
    assert pool["spec"]["targetPorts"] == [{"number": 8000}]


# --- Gateway and HTTPRoute -------------------------------------------------------------------


def test_route_attaches_to_the_referenced_gateway() -> None:
    children = render(make(TRITON))
    route = one(children, "HTTPRoute")
    assert not [c for c in children if c["kind"] == "Gateway"]
    assert route["spec"]["parentRefs"] == [
        {
            "group": "gateway.networking.k8s.io",
            "kind": "Gateway",
            "name": "inference-gateway",
            "namespace": "ml-serving",
        }
    ]


def test_route_to_a_gateway_ref_without_namespace_names_none() -> None:
    route = one(render(make(DYNAMO)), "HTTPRoute")
    assert route["spec"]["parentRefs"] == [
        {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "inference-gateway"}
    ]


def test_route_rule() -> None:
    route = one(render(make(TRITON)), "HTTPRoute")
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"]["rules"] == [
        {
            "matches": [{"path": {"type": "PathPrefix", "value": "/v1/models/llama3"}}],
            "backendRefs": [
                {
                    "group": "inference.networking.k8s.io",
                    "kind": "InferencePool",
                    "name": "llama3-production-pool",
                }
            ],
            "timeouts": {"request": "300s", "backendRequest": "300s"},
        }
    ]


def test_route_defaults_timeout_and_streaming() -> None:
    route = one(render(make(VLLM)), "HTTPRoute")
    assert route["spec"]["rules"][0]["timeouts"] == {"request": "300s", "backendRequest": "300s"}
    assert route["metadata"]["annotations"] == {STREAMING_ANNOTATION: "true"}


def test_route_records_streaming_disabled() -> None:
    stack = make(
        TRITON, {"spec.gateway.route.streamingEnabled": False, "spec.gateway.route.timeout": "90s"}
    )
    route = one(render(stack), "HTTPRoute")
    assert route["metadata"]["annotations"] == {STREAMING_ANNOTATION: "false"}
    assert route["spec"]["rules"][0]["timeouts"] == {"request": "90s", "backendRequest": "90s"}


def test_create_listener_renders_a_gateway_and_attaches_to_its_listener() -> None:
    children = render(make(VLLM))
    gateway = one(children, "Gateway")
    assert gateway["metadata"]["name"] == "llama31-8b-gateway"
    assert gateway["spec"] == {
        "gatewayClassName": "nginx",
        "listeners": [
            {
                "name": "http",
                "port": 8080,
                "protocol": "HTTP",
                "hostname": "llm.internal.example.com",
                "allowedRoutes": {"namespaces": {"from": "Same"}},
            }
        ],
    }
    assert one(children, "HTTPRoute")["spec"]["parentRefs"] == [
        {
            "group": "gateway.networking.k8s.io",
            "kind": "Gateway",
            "name": "llama31-8b-gateway",
            "sectionName": "http",
        }
    ]


def test_gateway_class_comes_from_the_options() -> None:
    gateway = one(
        render(make(VLLM), options=RenderOptions(default_gateway_class="ngf-plus")), "Gateway"
    )
    assert gateway["spec"]["gatewayClassName"] == "ngf-plus"


def test_create_listener_defaults_to_http_without_hostname() -> None:
    stack = make(VLLM, {"spec.gateway.createListener": {"port": 80}})
    listener = one(render(stack), "Gateway")["spec"]["listeners"][0]
    assert listener == {
        "name": "http",
        "port": 80,
        "protocol": "HTTP",
        "allowedRoutes": {"namespaces": {"from": "Same"}},
    }


def test_https_listener_terminates_with_the_conventional_secret() -> None:
    stack = make(VLLM, {"spec.gateway.createListener": {"port": 443, "protocol": "HTTPS"}})
    children = render(stack)
    listener = one(children, "Gateway")["spec"]["listeners"][0]
    assert listener["name"] == "https"
    assert listener["tls"] == {
        "mode": "Terminate",
        "certificateRefs": [{"kind": "Secret", "name": "llama31-8b-gateway-tls"}],
    }
    assert one(children, "HTTPRoute")["spec"]["parentRefs"][0]["sectionName"] == "https"


# --- DistributedCloudPublish -----------------------------------------------------------------


def test_distributed_cloud_maps_onto_a_publication_of_the_pool() -> None:
    xc = one(render(make(TRITON, {"metadata.uid": UID})), "DistributedCloudPublish")
    assert xc["apiVersion"] == "ngf-console.f5.com/v1alpha1"
    assert xc["metadata"]["ownerReferences"][0]["uid"] == UID
    assert xc["spec"] == {
        "inferencePoolRef": {"name": "llama3-production-pool"},
        "distributedCloud": {
            "tenant": "mycompany",
            "namespace": "production",
            "wafPolicy": "llm-waf-policy",
            "botDefense": {"enabled": True},
            "ddosProtection": {"enabled": True},
            "rateLimiting": {"perTenant": True, "defaultRate": 100, "defaultTokenBudget": 50000},
            "publicHostname": "llm.example.com",
            "tls": {"mode": "managed"},
        },
    }
    DistributedCloudPublish.model_validate(xc)


def test_distributed_cloud_minimal() -> None:
    cloud = {"tenant": "t", "namespace": "n", "publicHostname": "llm.example.com"}
    xc = one(render(make(TRITON, {"spec.distributedCloud": cloud})), "DistributedCloudPublish")
    assert xc["spec"]["distributedCloud"] == cloud


def test_distributed_cloud_explicit_false_and_requests_only() -> None:
    cloud = {
        "tenant": "t",
        "namespace": "n",
        "publicHostname": "llm.example.com",
        "botDefense": False,
        "ddosProtection": False,
        "perTenantRateLimit": {"requestsPerMinute": 60},
    }
    spec = one(render(make(TRITON, {"spec.distributedCloud": cloud})), "DistributedCloudPublish")[
        "spec"
    ]["distributedCloud"]
    assert spec["botDefense"] == {"enabled": False}
    assert spec["ddosProtection"] == {"enabled": False}
    assert spec["rateLimiting"] == {"perTenant": True, "defaultRate": 60}


def test_distributed_cloud_bring_your_own_names_the_conventional_secret() -> None:
    cloud = {
        "tenant": "t",
        "namespace": "n",
        "publicHostname": "h.example.com",
        "tlsMode": "bringYourOwn",
    }
    xc = one(render(make(TRITON, {"spec.distributedCloud": cloud})), "DistributedCloudPublish")
    assert xc["spec"]["distributedCloud"]["tls"] == {
        "mode": "bringYourOwn",
        "certificateRef": {"name": "llama3-production-xc-tls"},
    }
