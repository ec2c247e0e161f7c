"""The parent CRD models accept the samples and reject bad input at the API server's field paths.

``INVALID_CASES`` (tests/crd_cases.py) also runs against a real API server in
tests/integration/test_crds.py, so the model and the CRD are held to the same paths.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from crd_cases import GW, INVALID_CASES, IS, SAMPLES, Case, kube_path, load_sample
from ngf_console.crd import KINDS_BY_NAME, PARENT_KINDS
from ngf_console.crd.base import CrdModel
from ngf_console.crd.distributed_cloud_publish import OriginPoolSpec
from ngf_console.crd.inference_stack import InferenceStack, InferenceStackSpec, ModelSpec
from ngf_console.crd.migration_plan import MigrationPlanSpec, MigrationResource

pytestmark = pytest.mark.unit


def _errors(doc: dict[str, Any]) -> list[tuple[str, str]]:
    model = KINDS_BY_NAME[doc["kind"]].resource
    with pytest.raises(ValidationError) as info:
        model.model_validate(doc)
    return [(kube_path(e["loc"]), e["msg"]) for e in info.value.errors()]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_parses_and_round_trips(sample: Path) -> None:
    docs = [d for d in yaml.safe_load_all(sample.read_text()) if d]
    assert len(docs) == 1, "one resource per sample file"
    doc = docs[0]
    resource = KINDS_BY_NAME[doc["kind"]].resource.model_validate(doc)
    dumped = resource.to_json()
    assert type(resource).model_validate(dumped) == resource
    # Every value the sample gives survives; the model only adds defaults.
    assert _is_subset(doc["spec"], dumped["spec"])


def _is_subset(given: Any, full: Any) -> bool:
    if isinstance(given, dict):
        return isinstance(full, dict) and all(_is_subset(v, full.get(k)) for k, v in given.items())
    if isinstance(given, list):
        return isinstance(full, list) and all(map(_is_subset, given, full))
    return bool(given == full)


def test_every_kind_has_samples() -> None:
    kinds = {yaml.safe_load(p.read_text())["kind"] for p in SAMPLES}
    assert kinds == {k.kind for k in PARENT_KINDS}


@pytest.mark.parametrize("case", INVALID_CASES, ids=lambda c: c.id)
def test_invalid_case_is_rejected_at_field_path(case: Case) -> None:
    errors = _errors(case.document())
    assert case.path in [path for path, _ in errors], errors
    if case.message:
        assert any(case.message in msg for path, msg in errors if path == case.path), errors


def test_spec_example_values() -> None:
    stack = InferenceStack.model_validate(load_sample(IS))
    weights = stack.spec.epp.composite_weights
    assert weights is not None
    assert (weights.queue_depth, weights.kv_cache, weights.prefix_cache) == (0.4, 0.35, 0.25)
    assert stack.spec.pool.resources is not None
    assert stack.spec.pool.resources.requests == {"nvidia.com/gpu": "1", "memory": "80Gi"}
    assert stack.spec.model.provider == "deployment"
    assert stack.spec.model.serving_mode == "aggregated"
    assert stack.metadata.namespace == "ml-serving"


def test_defaults_match_the_spec() -> None:
    spec = InferenceStackSpec.model_validate(
        {
            "model": {"backend": "vllm", "name": "m", "modelId": "org/m", "gpuType": "T4",
                      "gpusPerPod": 1},
            "pool": {"replicas": 1, "minReplicas": 1, "maxReplicas": 1},
            "epp": {},
            "autoscaling": {"queueDepthThreshold": {"value": 5, "duration": "60s"}},
            "gateway": {"gatewayRef": {"name": "gw"}, "route": {"pathPrefix": "/"}},
        }
    )  # fmt: skip
    assert (spec.epp.scrape_interval, spec.epp.metrics_path) == ("5s", "/metrics")
    assert (spec.epp.strategy, spec.epp.dcgm_enabled) == ("least_queue", True)
    assert spec.autoscaling is not None
    assert (spec.autoscaling.backend, spec.autoscaling.cooldown_period) == ("keda", "300s")
    assert (spec.gateway.route.timeout, spec.gateway.route.streaming_enabled) == ("300s", True)
    plan = MigrationPlanSpec.model_validate({"source": {"type": "ingress"}})
    assert (plan.apply, plan.rollback, plan.strategy.phased) == (False, False, True)
    assert OriginPoolSpec().auto_detect is True


def test_types_are_strict_like_the_api_server() -> None:
    doc = load_sample(IS)
    doc["spec"]["pool"]["replicas"] = "3"
    assert ("spec.pool.replicas", "Input should be a valid integer") in _errors(doc)
    doc = load_sample(IS)
    doc["spec"]["gateway"]["route"]["streamingEnabled"] = "yes"
    assert "spec.gateway.route.streamingEnabled" in dict(_errors(doc))
    doc = load_sample(IS)
    doc["spec"]["pool"]["resources"]["requests"]["cpu"] = True
    assert "spec.pool.resources.requests.cpu" in dict(_errors(doc))


def test_unknown_fields_are_rejected_not_pruned() -> None:
    doc = load_sample(IS)
    doc["spec"]["epp"]["strategyy"] = "composite"
    assert "spec.epp.strategyy" in dict(_errors(doc))


def test_server_metadata_is_accepted() -> None:
    doc = load_sample(GW)
    doc["metadata"].update(uid="1234", resourceVersion="7", generation=2,
                           creationTimestamp="2026-02-09T12:00:00Z", managedFields=[])  # fmt: skip
    assert KINDS_BY_NAME["GatewayBundle"].resource.model_validate(doc).metadata.name


def test_snake_case_names_populate_and_camel_case_json() -> None:
    model = ModelSpec(backend="triton", name="m", image="img", gpu_type="H100", gpus_per_pod=1)
    assert model.to_json() == {
        "backend": "triton", "name": "m", "image": "img", "gpuType": "H100", "gpusPerPod": 1,
        "provider": "deployment", "servingMode": "aggregated",
    }  # fmt: skip
    resource = MigrationResource(source_ref="Ingress/a/b", generated_yaml="x", kind="HTTPRoute",
                                 confidence="high")  # fmt: skip
    assert set(resource.to_json()) >= {"sourceRef", "generatedYAML", "kind", "confidence"}


# Go json tags of the spec whose camelCase is not plain to_camel of the Python name.
IRREGULAR_ALIASES = {
    ("MigrationSource", "source_yaml"): "sourceYAML",
    ("MigrationResource", "generated_yaml"): "generatedYAML",
    ("OriginPoolSpec", "use_tls"): "useTLS",
}


def _models() -> list[type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {}

    def visit(model: type[BaseModel]) -> None:
        if model.__name__ in seen:
            return
        seen[model.__name__] = model
        for field in model.model_fields.values():
            for arg in _type_args(field.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    visit(arg)

    for kind in PARENT_KINDS:
        visit(kind.resource)
    return list(seen.values())


def _type_args(annotation: Any) -> list[Any]:
    args = [annotation]
    for arg in getattr(annotation, "__args__", ()):
        args += _type_args(arg)
    for arg in getattr(annotation, "__metadata__", ()):
        args += _type_args(arg)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None:
        args += _type_args(origin)
    return args


def test_field_names_and_aliases() -> None:
    models = _models()
    assert len(models) > 40
    for model in models:
        for name, field in model.model_fields.items():
            assert re.fullmatch(r"[a-z][a-z0-9_]*", name), (model.__name__, name)
            alias = field.alias or name
            expected = IRREGULAR_ALIASES.get((model.__name__, name))
            if expected:
                assert alias == expected
            else:
                first, *rest = name.split("_")
                assert alias == first + "".join(p.capitalize() for p in rest), (model, name)


def test_cel_rules_name_existing_fields() -> None:
    for model in _models():
        if not (isinstance(model, type) and issubclass(model, CrdModel)):
            continue
        aliases = {f.alias or n for n, f in model.model_fields.items()}
        for rule in model.cel_rules():
            assert rule.message
            if rule.field_path:
                assert rule.loc[0] in aliases, (model.__name__, rule.field_path)
