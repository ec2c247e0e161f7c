"""slot_for: every rendered child reports under a status.children slot the CRD schema has."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from crd_cases import load_sample
from ngf_console.crd import KINDS_BY_NAME
from ngf_console.crd.gateway_bundle import GatewayBundleChildren
from ngf_console.crd.inference_stack import InferenceStackChildren
from ngf_console.operator.slots import LIST_SLOTS, slot_for
from ngf_console.render import RenderOptions, RenderResult, render_parent
from ngf_console.render.dcgm import DCGM_EXPORTER_NAME

pytestmark = pytest.mark.unit

CHILDREN_MODELS: dict[str, type[BaseModel]] = {
    "InferenceStack": InferenceStackChildren,
    "GatewayBundle": GatewayBundleChildren,
}
SAMPLES: dict[str, list[str]] = {
    "InferenceStack": [
        "inferencestack-llama3-production",
        "inferencestack-llama31-8b-vllm",
        "inferencestack-qwen-dynamo-disaggregated",
    ],
    "GatewayBundle": ["gatewaybundle-production-gateway", "gatewaybundle-shop-gateway"],
}
EDITIONS = ("enterprise", "oss", "unknown")

# Children that deliberately have no slot of their own (reported only through the phase and
# conditions): (parent kind, child kind). Nothing else may map to None.
NO_SLOT: frozenset[tuple[str, str]] = frozenset(
    {
        # The App Protect policy the bundle's WAFPolicy refers to; the WAFPolicy has the slot.
        ("GatewayBundle", "APPolicy"),
    }
)


# --- helpers ----------------------------------------------------------------------------------


def slot_fields(parent_kind: str) -> dict[str, bool]:
    """status.children slots of ``parent_kind`` by JSON name -> whether the slot is a list."""
    out: dict[str, bool] = {}
    for name, field in CHILDREN_MODELS[parent_kind].model_fields.items():
        annotation = field.annotation
        members = (
            typing.get_args(annotation)
            if isinstance(annotation, types.UnionType)
            else (annotation,)
        )
        is_list = any(typing.get_origin(m) is list for m in members)
        out[field.alias or name] = is_list
    return out


def render(parent_kind: str, sample: str, edition: str) -> tuple[str, RenderResult]:
    doc = load_sample(sample)
    parent = KINDS_BY_NAME[parent_kind].resource.model_validate(doc)
    result = render_parent(parent, RenderOptions(edition=edition))  # type: ignore[arg-type]
    return doc["metadata"]["name"], result


def children_of(parent_kind: str, sample: str, edition: str) -> list[tuple[str, str, str]]:
    """(kind, name, apiVersion) of every rendered and every withheld child."""
    _, result = render(parent_kind, sample, edition)
    rendered = [(m["kind"], m["metadata"]["name"], m["apiVersion"]) for m in result.manifests]
    withheld = [(w.kind, w.name, w.api_version) for w in result.withheld]
    return rendered + withheld


def manifest(kind: str, name: str, api_version: str = "v1") -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}


CASES = [
    (parent_kind, sample, edition)
    for parent_kind, samples in SAMPLES.items()
    for sample in samples
    for edition in EDITIONS
]


# --- the slot tables agree with the CRD models ------------------------------------------------


def test_children_models_have_the_expected_slots() -> None:
    assert slot_fields("InferenceStack") == {
        "inferencePool": False,
        "epp": False,
        "httpRoute": False,
        "autoscaler": False,
        "dcgmExporter": False,
        "modelServer": False,
        "gateway": False,
        "distributedCloud": False,
    }
    assert slot_fields("GatewayBundle") == {
        "gateway": False,
        "nginxProxy": False,
        "wafPolicy": False,
        "snippets": True,
        "tlsSecrets": True,
    }


@pytest.mark.parametrize("parent_kind", sorted(CHILDREN_MODELS))
def test_list_slots_are_exactly_the_list_fields_of_the_model(parent_kind: str) -> None:
    fields = slot_fields(parent_kind)
    assert LIST_SLOTS[parent_kind] == {slot for slot, is_list in fields.items() if is_list}


def test_list_slots_cover_exactly_the_parents_with_children_models() -> None:
    assert set(LIST_SLOTS) == set(CHILDREN_MODELS)


# --- every rendered child of every sample has a slot ------------------------------------------


@pytest.mark.parametrize(("parent_kind", "sample", "edition"), CASES)
def test_every_rendered_child_maps_to_a_slot_of_the_model(
    parent_kind: str, sample: str, edition: str
) -> None:
    name, result = render(parent_kind, sample, edition)
    fields = slot_fields(parent_kind)
    assert result.manifests
    for child in result.manifests:
        slot = slot_for(parent_kind, name, child)
        label = f"{child['kind']} {child['metadata']['name']}"
        if slot is None:
            assert (parent_kind, child["kind"]) in NO_SLOT, f"{label} has no slot"
        else:
            assert slot in fields, f"{label} -> {slot!r}, not a field of the children model"


@pytest.mark.parametrize(("parent_kind", "sample", "edition"), CASES)
def test_every_withheld_child_maps_to_a_slot_of_the_model(
    parent_kind: str, sample: str, edition: str
) -> None:
    # The reconciler asks slot_for with a stub manifest built from the Withheld entry.
    name, result = render(parent_kind, sample, edition)
    fields = slot_fields(parent_kind)
    for w in result.withheld:
        slot = slot_for(parent_kind, name, manifest(w.kind, w.name, w.api_version))
        if slot is None:
            assert (parent_kind, w.kind) in NO_SLOT, f"withheld {w.kind} {w.name} has no slot"
        else:
            assert slot in fields


def test_the_children_without_a_slot_are_exactly_these() -> None:
    slotless = {
        (sample, edition, kind, name)
        for parent_kind, sample, edition in CASES
        for kind, name, api_version in children_of(parent_kind, sample, edition)
        if slot_for(
            parent_kind, load_sample(sample)["metadata"]["name"], manifest(kind, name, api_version)
        )
        is None
    }
    assert slotless == {
        # Rendered on Enterprise; withheld (with the WAFPolicy) on OSS or an unknown edition.
        ("gatewaybundle-production-gateway", edition, "APPolicy", "production-gateway-waf")
        for edition in EDITIONS
    }


@pytest.mark.parametrize("parent_kind", sorted(SAMPLES))
def test_the_samples_reach_every_slot(parent_kind: str) -> None:
    reached = {
        slot_for(parent_kind, load_sample(sample)["metadata"]["name"], manifest(k, n, a))
        for sample in SAMPLES[parent_kind]
        for edition in EDITIONS
        for k, n, a in children_of(parent_kind, sample, edition)
    }
    assert reached - {None} == set(slot_fields(parent_kind))


def test_llama31_children_slots() -> None:
    name, result = render("InferenceStack", "inferencestack-llama31-8b-vllm", "enterprise")
    assert [
        (m["kind"], m["metadata"]["name"], slot_for("InferenceStack", name, m))
        for m in result.manifests
    ] == [
        ("Service", "llama31-8b-model", "modelServer"),
        ("Deployment", "llama31-8b-model", "modelServer"),
        ("InferencePool", "llama31-8b-pool", "inferencePool"),
        ("ServiceAccount", "llama31-8b-epp", "epp"),
        ("Role", "llama31-8b-epp", "epp"),
        ("RoleBinding", "llama31-8b-epp", "epp"),
        ("ConfigMap", "llama31-8b-epp-config", "epp"),
        ("Service", "llama31-8b-epp", "epp"),
        ("Deployment", "llama31-8b-epp", "epp"),
        ("Gateway", "llama31-8b-gateway", "gateway"),
        ("HTTPRoute", "llama31-8b-route", "httpRoute"),
        ("ConfigMap", "llama31-8b-prometheus-adapter", "autoscaler"),
        ("HorizontalPodAutoscaler", "llama31-8b-scaler", "autoscaler"),
        ("Service", DCGM_EXPORTER_NAME, "dcgmExporter"),
        ("DaemonSet", DCGM_EXPORTER_NAME, "dcgmExporter"),
    ]


def test_llama3_production_children_slots() -> None:
    name, result = render("InferenceStack", "inferencestack-llama3-production", "oss")
    slots = {(m["kind"], slot_for("InferenceStack", name, m)) for m in result.manifests}
    assert ("ScaledObject", "autoscaler") in slots
    assert ("DistributedCloudPublish", "distributedCloud") in slots


def test_qwen_withheld_scaler_reports_under_autoscaler() -> None:
    name, result = render("InferenceStack", "inferencestack-qwen-dynamo-disaggregated", "oss")
    assert [
        (w.kind, slot_for("InferenceStack", name, manifest(w.kind, w.name, w.api_version)))
        for w in result.withheld
    ] == [("ScaledObject", "autoscaler")]


def test_shop_gateway_children_slots_on_enterprise() -> None:
    name, result = render("GatewayBundle", "gatewaybundle-shop-gateway", "enterprise")
    assert [
        (m["kind"], m["metadata"]["name"], slot_for("GatewayBundle", name, m))
        for m in result.manifests
    ] == [
        ("Secret", "shop-gateway-https-tls", "tlsSecrets"),
        ("NginxProxy", "shop-gateway-proxy", "nginxProxy"),
        ("Gateway", "shop-gateway", "gateway"),
        ("WAFPolicy", "shop-gateway-waf", "wafPolicy"),
        ("SnippetsFilter", "shop-gateway-snippets-http", "snippets"),
        ("SnippetsFilter", "shop-gateway-snippets-location", "snippets"),
    ]


@pytest.mark.parametrize("edition", ["oss", "unknown"])
def test_shop_gateway_withheld_waf_keeps_its_slot(edition: str) -> None:
    name, result = render("GatewayBundle", "gatewaybundle-shop-gateway", edition)
    assert [
        (w.kind, slot_for("GatewayBundle", name, manifest(w.kind, w.name, w.api_version)))
        for w in result.withheld
    ] == [("WAFPolicy", "wafPolicy")]


# --- slot_for rules, one by one ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "api_version", "slot"),
    [
        ("InferencePool", "inference.networking.k8s.io/v1", "inferencePool"),
        ("HTTPRoute", "gateway.networking.k8s.io/v1", "httpRoute"),
        ("ScaledObject", "keda.sh/v1alpha1", "autoscaler"),
        ("HorizontalPodAutoscaler", "autoscaling/v2", "autoscaler"),
        ("Gateway", "gateway.networking.k8s.io/v1", "gateway"),
        ("DistributedCloudPublish", "ngf-console.f5.com/v1alpha1", "distributedCloud"),
        ("DaemonSet", "apps/v1", "dcgmExporter"),
    ],
)
def test_inference_stack_slot_by_kind(kind: str, api_version: str, slot: str) -> None:
    assert slot_for("InferenceStack", "llama", manifest(kind, "anything", api_version)) == slot


@pytest.mark.parametrize(
    ("kind", "name", "slot"),
    [
        ("Deployment", "llama-epp", "epp"),
        ("Service", "llama-epp", "epp"),
        ("ServiceAccount", "llama-epp", "epp"),
        ("Role", "llama-epp", "epp"),
        ("RoleBinding", "llama-epp", "epp"),
        ("ConfigMap", "llama-epp-config", "epp"),
        ("Deployment", "llama-model", "modelServer"),
        ("Service", "llama-model", "modelServer"),
        ("ConfigMap", "llama-prometheus-adapter", "autoscaler"),
        ("Service", DCGM_EXPORTER_NAME, "dcgmExporter"),
        ("DaemonSet", DCGM_EXPORTER_NAME, "dcgmExporter"),
    ],
)
def test_inference_stack_slot_by_name(kind: str, name: str, slot: str) -> None:
    assert slot_for("InferenceStack", "llama", manifest(kind, name)) == slot


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("ConfigMap", "unrelated"),
        ("Secret", "llama-hf-token"),
        ("Deployment", "other-epp"),  # another parent's EPP
        ("Service", "other-model"),
    ],
)
def test_inference_stack_unknown_children_have_no_slot(kind: str, name: str) -> None:
    assert slot_for("InferenceStack", "llama", manifest(kind, name)) is None


def test_inference_stack_kind_wins_over_name_prefix() -> None:
    # A parent named "x-epp" renders "x-epp-pool": an InferencePool, not part of the EPP.
    pool = manifest("InferencePool", "x-epp-pool", "inference.networking.k8s.io/v1")
    assert slot_for("InferenceStack", "x-epp", pool) == "inferencePool"


def test_inference_stack_epp_checked_before_model_server() -> None:
    # A parent named "x-model" has an EPP called "x-model-epp".
    assert slot_for("InferenceStack", "x-model", manifest("Deployment", "x-model-epp")) == "epp"
    assert slot_for("InferenceStack", "x-model", manifest("Deployment", "x-model-model")) == (
        "modelServer"
    )


def test_parent_name_containing_dcgm_exporter_does_not_capture_every_child() -> None:
    parent = "demo-dcgm-exporter-test"
    assert (
        slot_for(
            "InferenceStack",
            parent,
            manifest("InferencePool", f"{parent}-pool", "inference.networking.k8s.io/v1"),
        )
        == "inferencePool"
    )
    assert slot_for("InferenceStack", parent, manifest("Deployment", f"{parent}-epp")) == "epp"
    assert slot_for("InferenceStack", parent, manifest("Deployment", f"{parent}-model")) == (
        "modelServer"
    )


@pytest.mark.parametrize(
    ("kind", "api_version", "slot"),
    [
        ("Gateway", "gateway.networking.k8s.io/v1", "gateway"),
        ("NginxProxy", "gateway.nginx.org/v1alpha2", "nginxProxy"),
        ("SnippetsFilter", "gateway.nginx.org/v1alpha1", "snippets"),
        ("Secret", "v1", "tlsSecrets"),
        ("WAFPolicy", "gateway.nginx.org/v1alpha1", "wafPolicy"),
        # Any other gateway.nginx.org child of a bundle is its WAF policy.
        ("SomeFuturePolicy", "gateway.nginx.org/v1", "wafPolicy"),
        ("APPolicy", "appprotect.f5.com/v1", None),
        ("ConfigMap", "v1", None),
    ],
)
def test_gateway_bundle_slots(kind: str, api_version: str, slot: str | None) -> None:
    assert slot_for("GatewayBundle", "edge", manifest(kind, "edge-x", api_version)) == slot


@pytest.mark.parametrize("parent_kind", ["CertificateBundle", "MigrationPlan", "Unknown"])
def test_parents_without_slots_map_nothing(parent_kind: str) -> None:
    assert (
        slot_for(parent_kind, "x", manifest("Gateway", "x", "gateway.networking.k8s.io/v1")) is None
    )
    assert LIST_SLOTS.get(parent_kind, frozenset()) == frozenset()
