"""The generated CRD manifests are current, structural, and say what the spec says."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ngf_console.crd import PARENT_KINDS
from ngf_console.crd.generate import (
    MANIFEST_DIR,
    main,
    manifest_filename,
    render_manifests,
    write_manifests,
)
from ngf_console.crd.kinds import ParentKind
from ngf_console.crd.schema import SchemaConversionError, crd_manifest, structural_schema

pytestmark = pytest.mark.unit

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "deploy" / "samples").glob("*.yaml"))


def _schema(kind: str) -> dict[str, Any]:
    text = MANIFEST_DIR / f"{next(k for k in PARENT_KINDS if k.kind == kind).crd_name}.yaml"
    crd = yaml.safe_load(text.read_text())
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def _at(schema: dict[str, Any], path: str) -> dict[str, Any]:
    """The schema node of ``spec.listeners[].tls`` style paths."""
    node = schema
    for part in path.split("."):
        name, items = part.removesuffix("[]"), part.endswith("[]")
        node = node["properties"][name]
        if items:
            node = node["items"]
    return node


def _nodes(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    yield path, schema
    for name, sub in schema.get("properties", {}).items():
        yield from _nodes(sub, f"{path}.{name}")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _nodes(schema["additionalProperties"], f"{path}.*")
    if "items" in schema:
        yield from _nodes(schema["items"], f"{path}[]")


ALL_SCHEMAS = [(k.kind, _schema(k.kind)) for k in PARENT_KINDS]


def test_committed_manifests_are_current(tmp_path: Path) -> None:
    written = write_manifests(tmp_path)
    assert [p.name for p in written] == sorted(p.name for p in written)
    committed = sorted(p.name for p in MANIFEST_DIR.glob("*"))
    assert committed == [p.name for p in written], "regenerate: python -m ngf_console.crd.generate"
    for path in written:
        assert (MANIFEST_DIR / path.name).read_bytes() == path.read_bytes(), (
            f"{path.name} is stale; regenerate: python -m ngf_console.crd.generate"
        )
    assert main(["--check", str(MANIFEST_DIR)]) == 0


def test_generation_is_deterministic_and_check_detects_staleness(tmp_path: Path) -> None:
    assert render_manifests() == render_manifests()
    write_manifests(tmp_path)
    assert main(["--check", str(tmp_path)]) == 0
    first = next(tmp_path.glob("*.yaml"))
    first.write_text(first.read_text() + "# edited\n")
    assert main(["--check", str(tmp_path)]) == 1


@pytest.mark.parametrize("kind", PARENT_KINDS, ids=lambda k: k.kind)
def test_manifest_file_is_the_crd(kind: ParentKind) -> None:
    assert manifest_filename(kind) == f"{kind.plural}.ngf-console.f5.com.yaml"
    assert yaml.safe_load((MANIFEST_DIR / manifest_filename(kind)).read_text()) == crd_manifest(
        kind
    )


@pytest.mark.parametrize(("kind", "schema"), ALL_SCHEMAS, ids=[k for k, _ in ALL_SCHEMAS])
def test_schema_is_structural(kind: str, schema: dict[str, Any]) -> None:
    for path, node in _nodes(schema):
        for banned in ("$ref", "$defs", "allOf", "oneOf", "not", "const", "title"):
            assert banned not in node, f"{kind}{path}: {banned}"
        assert node.get("additionalProperties") is not False, f"{kind}{path}"
        assert not ("properties" in node and "additionalProperties" in node), f"{kind}{path}"
        if "anyOf" in node:
            assert node.get("x-kubernetes-int-or-string") is True, f"{kind}{path}"
            assert sorted(b["type"] for b in node["anyOf"]) == ["integer", "string"]
            continue
        assert "type" in node, f"{kind}{path} has no type"
        assert node["type"] != "null", f"{kind}{path}"
        if node["type"] == "object" and path != ".metadata":
            # A free-form map says so; anything else lists its properties.
            assert (
                "properties" in node
                or "additionalProperties" in node
                or node.get("x-kubernetes-preserve-unknown-fields") is True
            ), f"{kind}{path}"
        if isinstance(node.get("exclusiveMinimum"), int | float) and not isinstance(
            node.get("exclusiveMinimum"), bool
        ):
            pytest.fail(f"{kind}{path}: JSON-Schema-2020 exclusiveMinimum")


@pytest.mark.parametrize(("kind", "schema"), ALL_SCHEMAS, ids=[k for k, _ in ALL_SCHEMAS])
def test_every_field_is_described(kind: str, schema: dict[str, Any]) -> None:
    for path, node in _nodes(schema):
        for name, sub in node.get("properties", {}).items():
            if f"{path}.{name}" != ".metadata":
                assert sub.get("description"), f"{kind}{path}.{name} has no description"


def test_quantities_are_int_or_string() -> None:
    for kind, path in [
        ("InferenceStack", "spec.pool.resources.requests"),
        ("InferenceStack", "spec.pool.resources.limits"),
        ("GatewayBundle", "spec.infrastructure.resources.limits"),
    ]:
        values = _at(_schema(kind), path)["additionalProperties"]
        assert values["x-kubernetes-int-or-string"] is True
        assert "type" not in values


def test_free_form_maps() -> None:
    stack, bundle = _schema("InferenceStack"), _schema("GatewayBundle")
    assert _at(stack, "spec.pool.nodeSelector")["additionalProperties"] == {"type": "string"}
    assert _at(stack, "spec.pool.selector.matchLabels")["additionalProperties"] == {
        "type": "string"
    }
    extra = _at(bundle, "spec.nginxProxy.additionalConfig")
    assert extra["type"] == "object"
    assert extra["x-kubernetes-preserve-unknown-fields"] is True


DEFAULTS = [
    ("InferenceStack", "spec.epp.scrapeInterval", "5s"),
    ("InferenceStack", "spec.epp.metricsPath", "/metrics"),
    ("InferenceStack", "spec.epp.strategy", "least_queue"),
    ("InferenceStack", "spec.epp.dcgmEnabled", True),
    ("InferenceStack", "spec.autoscaling.backend", "keda"),
    ("InferenceStack", "spec.autoscaling.cooldownPeriod", "300s"),
    ("InferenceStack", "spec.gateway.route.timeout", "300s"),
    ("InferenceStack", "spec.gateway.route.streamingEnabled", True),
    ("InferenceStack", "spec.model.provider", "deployment"),
    ("InferenceStack", "spec.model.servingMode", "aggregated"),
    ("CertificateBundle", "spec.expiryAlertThreshold", "30d"),
    ("MigrationPlan", "spec.apply", False),
    ("MigrationPlan", "spec.rollback", False),
    ("MigrationPlan", "spec.strategy", {}),
    ("MigrationPlan", "spec.strategy.phased", True),
    ("MigrationPlan", "spec.resources[].enabled", True),
    ("DistributedCloudPublish", "spec.distributedCloud.tls.mode", "managed"),
    ("DistributedCloudPublish", "spec.distributedCloud.originPool.autoDetect", True),
    ("DistributedCloudPublish", "spec.distributedCloud.credentialsSecretRef.key", "token"),
]


@pytest.mark.parametrize(("kind", "path", "default"), DEFAULTS)
def test_defaults(kind: str, path: str, default: object) -> None:
    assert _at(_schema(kind), path)["default"] == default


def test_only_declared_defaults() -> None:
    declared = {(k, p) for k, p, _ in DEFAULTS}
    for kind, schema in ALL_SCHEMAS:
        for path, node in _nodes(schema):
            if "default" in node:
                assert (kind, path.lstrip(".")) in declared, f"{kind}{path}"


ENUMS = [
    ("InferenceStack", "spec.epp.strategy",
     ["least_queue", "best_kv_cache", "prefix_affinity", "composite"]),
    ("InferenceStack", "spec.autoscaling.backend", ["keda", "hpa"]),
    ("InferenceStack", "spec.model.engine", ["vllm", "sglang", "trtllm", "triton", "tgi"]),
    ("InferenceStack", "spec.model.provider", ["deployment", "dynamo", "kuberay", "kaito"]),
    ("InferenceStack", "spec.model.servingMode", ["aggregated", "disaggregated"]),
    ("InferenceStack", "spec.distributedCloud.tlsMode", ["managed", "bringYourOwn"]),
    ("InferenceStack", "spec.gateway.createListener.protocol", ["HTTP", "HTTPS"]),
    ("InferenceStack", "status.phase", ["Pending", "Provisioning", "Ready", "Degraded", "Error"]),
    ("GatewayBundle", "spec.listeners[].protocol", ["HTTP", "HTTPS", "TLS", "TCP", "UDP"]),
    ("GatewayBundle", "spec.listeners[].tls.mode", ["Terminate", "Passthrough"]),
    ("GatewayBundle", "spec.waf.mode", ["enforce", "log-only"]),
    ("GatewayBundle", "spec.snippets[].context", ["http", "server", "location"]),
    ("GatewayBundle", "spec.allowedRoutes.namespaces", ["Same", "All", "Selector"]),
    ("GatewayBundle", "status.phase", ["Pending", "Provisioning", "Ready", "Degraded", "Error"]),
    ("CertificateBundle", "spec.source.certManager.issuerKind", ["Issuer", "ClusterIssuer"]),
    ("CertificateBundle", "status.phase", ["Pending", "Active", "Expiring", "Expired", "Error"]),
    ("MigrationPlan", "spec.source.type",
     ["ingress", "virtualserver", "transportserver", "nginx-conf"]),
    ("MigrationPlan", "spec.resources[].confidence", ["high", "medium", "low"]),
    ("MigrationPlan", "status.analysis.overallConfidence", ["high", "medium", "low"]),
    ("MigrationPlan", "status.phase", ["Analyzing", "Reviewed", "Applying", "Applied",
                                       "RollingBack", "Completed", "Failed"]),
    ("DistributedCloudPublish", "spec.distributedCloud.tls.mode", ["managed", "bringYourOwn"]),
    ("DistributedCloudPublish", "status.state", ["Pending", "Published", "Error", "Degraded"]),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "path", "values"), ENUMS)
def test_enums(kind: str, path: str, values: list[str]) -> None:
    node = _at(_schema(kind), path)
    assert (node["type"], node["enum"]) == ("string", values)


BOUNDS = [
    ("InferenceStack", "spec.pool.replicas", "minimum", 0),
    ("InferenceStack", "spec.pool.minReplicas", "minimum", 0),
    ("InferenceStack", "spec.epp.compositeWeights.kvCache", "maximum", 1),
    ("InferenceStack", "spec.epp.compositeWeights.kvCache", "minimum", 0),
    ("InferenceStack", "spec.gateway.createListener.port", "maximum", 65535),
    ("GatewayBundle", "spec.listeners[].port", "minimum", 1),
    ("GatewayBundle", "spec.listeners", "maxItems", 64),
    ("GatewayBundle", "spec.waf.violationRatingThreshold", "minimum", 1),
    ("GatewayBundle", "spec.waf.violationRatingThreshold", "maximum", 5),
    ("DistributedCloudPublish", "spec.distributedCloud.originPool.port", "maximum", 65535),
]


@pytest.mark.parametrize(("kind", "path", "keyword", "value"), BOUNDS)
def test_bounds(kind: str, path: str, keyword: str, value: int) -> None:
    assert _at(_schema(kind), path)[keyword] == value


def test_required_fields() -> None:
    stack = _schema("InferenceStack")
    assert stack["required"] == ["spec"]
    assert _at(stack, "spec")["required"] == ["epp", "gateway", "model", "pool"]
    assert _at(stack, "spec.model")["required"] == ["backend", "gpuType", "gpusPerPod", "name"]
    assert _at(_schema("GatewayBundle"), "spec.listeners[].tls.inlineCert")["required"] == [
        "certificate",
        "privateKey",
    ]
    assert _at(_schema("DistributedCloudPublish"), "spec.distributedCloud")["required"] == [
        "namespace",
        "publicHostname",
        "tenant",
    ]


def test_durations_have_a_pattern() -> None:
    pattern = _at(_schema("InferenceStack"), "spec.autoscaling.cooldownPeriod")["pattern"]
    assert all(re.fullmatch(pattern, d) for d in ("60s", "5m", "1h30m", "250ms"))
    assert not any(re.fullmatch(pattern, d) for d in ("60", "5 m", "30d", "-1s"))
    long = _at(_schema("CertificateBundle"), "spec.expiryAlertThreshold")["pattern"]
    assert re.fullmatch(long, "30d") and not re.fullmatch(long, "30 days")


def _rules(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, str]]]:
    for path, node in _nodes(schema):
        for rule in node.get("x-kubernetes-validations", []):
            yield path, node, rule


def test_cel_rules_have_messages_and_valid_field_paths() -> None:
    count = 0
    for kind, schema in ALL_SCHEMAS:
        for path, node, rule in _rules(schema):
            count += 1
            assert set(rule) <= {"rule", "message", "fieldPath", "reason"}, (kind, path)
            assert rule["message"] and rule["rule"], (kind, path)
            if "fieldPath" in rule:
                target = node
                for name in rule["fieldPath"].lstrip(".").split("."):
                    target = target["properties"][name]
    assert count >= 20


CEL_PLACEMENT = [
    ("InferenceStack", "spec.epp", "compositeWeights is required when strategy is composite"),
    ("InferenceStack", "spec.epp.compositeWeights", "must sum to 1.0"),
    ("InferenceStack", "spec.pool", "replicas must be between minReplicas and maxReplicas"),
    ("InferenceStack", "spec.gateway", "exactly one of gatewayRef or createListener"),
    ("GatewayBundle", "spec.listeners[].tls", "exactly one of certificateRef or inlineCert"),
    ("GatewayBundle", "spec.listeners[].tls.inlineCert", "privateKey must not be empty"),
    ("CertificateBundle", "spec.source", "exactly one of inline or certManager"),
    ("CertificateBundle", "spec.source.inline", "certificate must not be empty"),
    ("DistributedCloudPublish", "spec", "exactly one of httpRouteRef or inferencePoolRef"),
]


@pytest.mark.parametrize(("kind", "path", "message"), CEL_PLACEMENT)
def test_cel_rule_placement(kind: str, path: str, message: str) -> None:
    rules = _at(_schema(kind), path).get("x-kubernetes-validations", [])
    assert any(message in r["message"] for r in rules), rules


@pytest.mark.parametrize("kind", PARENT_KINDS, ids=lambda k: k.kind)
def test_crd_metadata(kind: ParentKind) -> None:
    crd = crd_manifest(kind)
    spec = crd["spec"]
    assert crd["metadata"]["name"] == f"{kind.plural}.ngf-console.f5.com"
    assert (spec["group"], spec["scope"]) == ("ngf-console.f5.com", "Namespaced")
    assert spec["names"]["kind"] == kind.kind
    assert spec["names"]["categories"] == ["ngf-console"]
    assert spec["names"]["shortNames"]
    (version,) = spec["versions"]
    assert (version["name"], version["served"], version["storage"]) == ("v1alpha1", True, True)
    assert version["subresources"] == {"status": {}}
    assert version["additionalPrinterColumns"][-1] == {
        "name": "Age",
        "type": "date",
        "jsonPath": ".metadata.creationTimestamp",
    }
    conditions = _at(version["schema"]["openAPIV3Schema"], "status.conditions")
    assert conditions["x-kubernetes-list-type"] == "map"
    assert conditions["x-kubernetes-list-map-keys"] == ["type"]
    assert conditions["items"]["required"] == [
        "lastTransitionTime", "message", "reason", "status", "type",
    ]  # fmt: skip


def test_printer_columns_follow_the_spec() -> None:
    columns = {
        k.kind: [(c["name"], c["type"], c["jsonPath"]) for c in
                 crd_manifest(k)["spec"]["versions"][0]["additionalPrinterColumns"]]
        for k in PARENT_KINDS
    }  # fmt: skip
    assert columns["InferenceStack"][:4] == [
        ("Model", "string", ".spec.model.name"),
        ("Backend", "string", ".spec.model.backend"),
        ("Replicas", "string", ".status.currentReplicas"),
        ("Status", "string", ".status.phase"),
    ]
    assert columns["GatewayBundle"][:3] == [
        ("Class", "string", ".spec.gatewayClassName"),
        ("Listeners", "integer", ".status.listenerCount"),
        ("Status", "string", ".status.phase"),
    ]
    assert columns["MigrationPlan"][:3] == [
        ("Phase", "string", ".status.phase"),
        ("Resources", "integer", ".status.totalResources"),
        ("Applied", "integer", ".status.appliedResources"),
    ]
    assert columns["CertificateBundle"][1:3] == [
        ("Expires", "date", ".status.expiresAt"),
        ("Status", "string", ".status.phase"),
    ]


def test_converter_refuses_what_it_cannot_express() -> None:
    from pydantic import BaseModel

    class Recursive(BaseModel):
        children: list[Recursive] | None = None

    class Union(BaseModel):
        value: int | bool

    for model in (Recursive, Union):
        with pytest.raises(SchemaConversionError):
            structural_schema(model)


# A small validator for the structural-schema keywords the CRDs use, so that a sample that
# the API server would reject (or silently prune) fails here too, without a cluster. CEL rules
# are checked by the models' twins and, for real, by tests/integration/test_crds.py.
_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
}


def _violations(schema: dict[str, Any], value: Any, path: str) -> list[str]:
    if schema.get("x-kubernetes-int-or-string"):
        if isinstance(value, bool) or not isinstance(value, int | str):
            return [f"{path}: not int-or-string"]
        if isinstance(value, str) and not re.search(schema["pattern"], value):
            return [f"{path}: pattern"]
        return []
    expected = _TYPES[schema["type"]]
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        return [f"{path}: not {schema['type']}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: not in enum")
    if "pattern" in schema and not re.search(schema["pattern"], str(value)):
        errors.append(f"{path}: pattern")
    checks: dict[str, Callable[[Any, Any], bool]] = {
        "minimum": lambda v, b: v >= b,
        "maximum": lambda v, b: v <= b,
        "minLength": lambda v, b: len(v) >= b,
        "maxLength": lambda v, b: len(v) <= b,
        "minItems": lambda v, b: len(v) >= b,
        "maxItems": lambda v, b: len(v) <= b,
    }
    errors += [
        f"{path}: {k}" for k, ok in checks.items() if k in schema and not ok(value, schema[k])
    ]
    if isinstance(value, list):
        for i, item in enumerate(value):
            errors += _violations(schema["items"], item, f"{path}[{i}]")
    if isinstance(value, dict) and path != ".metadata":
        errors += [f"{path}.{r}: required" for r in schema.get("required", []) if r not in value]
        for key, item in value.items():
            if key in schema.get("properties", {}):
                errors += _violations(schema["properties"][key], item, f"{path}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += _violations(schema["additionalProperties"], item, f"{path}.{key}")
            elif not schema.get("x-kubernetes-preserve-unknown-fields"):
                errors.append(f"{path}.{key}: unknown field (would be pruned)")
    return errors


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_validates_against_crd_schema(sample: Path) -> None:
    doc = yaml.safe_load(sample.read_text())
    assert _violations(_schema(doc["kind"]), doc, "") == []


def test_schema_validator_catches_mistakes() -> None:
    doc = yaml.safe_load(next(p for p in SAMPLES if "llama3" in p.name).read_text())
    doc["spec"]["pool"]["replicas"] = "3"
    doc["spec"]["epp"]["unknown"] = 1
    doc["spec"]["pool"]["resources"]["requests"]["memory"] = "lots"
    assert _violations(_schema("InferenceStack"), doc, "") == [
        ".spec.pool.replicas: not integer",
        ".spec.pool.resources.requests.memory: pattern",
        ".spec.epp.unknown: unknown field (would be pruned)",
    ]
