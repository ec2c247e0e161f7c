"""InferencePool v1 and legacy v1alpha2 normalised to one view (readmodel/inference_pools.py)."""

from __future__ import annotations

import pytest

from ngf_console.readmodel.inference_pools import is_inference_pool, normalize_inference_pool
from readmodel_factories import cond, inference_pool_v1, inference_pool_v1alpha2, pool_parent


def test_v1_pool_is_read_from_its_own_fields() -> None:
    obj = inference_pool_v1(
        "llama",
        "ml",
        selector={"app": "vllm", "model": "llama"},
        ports=[8000, 8001],
        picker="llama-epp",
        failure_mode="FailOpen",
        parents=[pool_parent("gw", "ml")],
    )
    obj["spec"]["appProtocol"] = "kubernetes.io/h2c"
    view = normalize_inference_pool(obj)
    assert view.api_version == "inference.networking.k8s.io/v1"
    assert view.legacy is False
    assert (view.name, view.namespace) == ("llama", "ml")
    assert view.uid == obj["metadata"]["uid"]
    assert view.selector == {"app": "vllm", "model": "llama"}
    assert view.target_ports == [8000, 8001]
    assert view.app_protocol == "kubernetes.io/h2c"
    assert view.endpoint_picker is not None
    assert view.endpoint_picker.model_dump() == {
        "group": "",
        "kind": "Service",
        "name": "llama-epp",
        "port": 9002,
        "failure_mode": "FailOpen",
    }
    assert view.accepted is True and view.resolved_refs is True
    assert view.health == "healthy"
    [parent] = view.parents
    assert parent.parent_ref.name == "gw" and parent.parent_ref.namespace == "ml"
    assert parent.controller_name == "gateway.nginx.org/nginx-gateway-controller"
    assert [c.type for c in parent.conditions] == ["Accepted", "ResolvedRefs"]


def test_legacy_v1alpha2_pool_has_the_same_shape() -> None:
    obj = inference_pool_v1alpha2(
        "llama",
        "ml",
        selector={"app": "vllm"},
        port=8000,
        extension="llama-epp",
        failure_mode="FailOpen",
        parents=[pool_parent("gw", "ml")],
    )
    view = normalize_inference_pool(obj)
    assert view.api_version == "inference.networking.x-k8s.io/v1alpha2"
    assert view.legacy is True
    assert view.selector == {"app": "vllm"}
    assert view.target_ports == [8000]
    assert view.endpoint_picker is not None
    assert (view.endpoint_picker.name, view.endpoint_picker.port) == ("llama-epp", 9002)
    assert view.endpoint_picker.failure_mode == "FailOpen"
    # status.parent (singular) in v1alpha2
    assert [p.parent_ref.name for p in view.parents] == ["gw"]
    assert view.accepted is True


def test_both_versions_normalise_to_equal_specs() -> None:
    v1 = normalize_inference_pool(
        inference_pool_v1(selector={"a": "b"}, ports=[9000], picker="e", failure_mode="FailClose")
    )
    old = normalize_inference_pool(
        inference_pool_v1alpha2(selector={"a": "b"}, port=9000, extension="e")
    )
    fields = ("selector", "target_ports", "endpoint_picker", "app_protocol", "parents")
    assert {f: getattr(v1, f) for f in fields} == {f: getattr(old, f) for f in fields}


def test_crd_defaults_apply_when_fields_are_left_out() -> None:
    view = normalize_inference_pool(inference_pool_v1(failure_mode=None))
    assert view.endpoint_picker is not None
    assert view.endpoint_picker.failure_mode == "FailClose"
    assert view.endpoint_picker.kind == "Service"
    assert view.app_protocol == "http"
    legacy = normalize_inference_pool(inference_pool_v1alpha2())
    assert legacy.endpoint_picker is not None and legacy.endpoint_picker.failure_mode == "FailClose"


def test_picker_is_optional_since_v1_6() -> None:
    view = normalize_inference_pool(inference_pool_v1(picker=None))
    assert view.endpoint_picker is None
    assert normalize_inference_pool(inference_pool_v1alpha2(extension=None)).endpoint_picker is None


def test_no_status_means_no_verdict() -> None:
    view = normalize_inference_pool(inference_pool_v1())
    assert view.parents == []
    assert view.accepted is None and view.resolved_refs is None
    assert view.health == "unknown"


@pytest.mark.parametrize(
    ("conditions", "accepted", "resolved", "health"),
    [
        ([cond("Accepted", "False", "NotSupportedByParent")], False, None, "error"),
        (
            [cond("Accepted"), cond("ResolvedRefs", "False", "InvalidExtensionRef")],
            True,
            False,
            "degraded",
        ),
        ([cond("Accepted", "Unknown", "Pending")], None, None, "unknown"),
        ([cond("Accepted"), cond("ResolvedRefs")], True, True, "healthy"),
    ],
)
def test_parent_conditions_give_flags_and_health(
    conditions: list[dict[str, object]], accepted: bool | None, resolved: bool | None, health: str
) -> None:
    view = normalize_inference_pool(inference_pool_v1(parents=[pool_parent(conditions=conditions)]))
    assert (view.accepted, view.resolved_refs, view.health) == (accepted, resolved, health)


def test_rejected_by_one_of_two_gateways_is_degraded_and_not_accepted() -> None:
    parents = [pool_parent("a"), pool_parent("b", conditions=[cond("Accepted", "False")])]
    view = normalize_inference_pool(inference_pool_v1(parents=parents))
    assert view.accepted is False
    assert view.health == "degraded"


def test_parent_ref_defaults_group_kind_and_namespace() -> None:
    obj = inference_pool_v1("p", "ml", parents=[{"parentRef": {"name": "gw"}, "conditions": []}])
    [parent] = normalize_inference_pool(obj).parents
    assert parent.parent_ref.model_dump() == {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": "gw",
        "namespace": "ml",
    }


def test_malformed_fields_are_skipped_not_raised() -> None:
    obj = inference_pool_v1()
    obj["spec"]["targetPorts"] = [{"number": "x"}, "junk", {"number": 8080}]
    obj["spec"]["selector"] = "nonsense"
    obj["status"] = {"parents": ["junk", {"conditions": [{"status": "True"}]}]}
    view = normalize_inference_pool(obj)
    assert view.target_ports == [8080]
    assert view.selector == {}
    [parent] = view.parents
    assert parent.conditions == []  # the condition without a type is dropped


def test_is_inference_pool_accepts_both_groups_only() -> None:
    assert is_inference_pool(inference_pool_v1())
    assert is_inference_pool(inference_pool_v1alpha2())
    assert not is_inference_pool({"apiVersion": "example.com/v1", "kind": "InferencePool"})
    assert not is_inference_pool({"apiVersion": "inference.networking.k8s.io/v1", "kind": "Other"})
