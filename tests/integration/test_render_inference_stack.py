"""Every child render(InferenceStack) makes is accepted by the real API server and CRDs.

Each case creates its InferenceStack for real (so children carry a real owner reference) and
then creates every child with a server-side dry run: built-in kinds against the API server's
own validation, the others against the installed upstream CRDs (GAIE InferencePool v1,
Gateway API, KEDA) and the console's own DistributedCloudPublish CRD. A CRD silently prunes
unknown fields instead of rejecting them, so each dry-run result must also still hold every
field that was sent.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from lightkube import Client, codecs
from lightkube.generic_resource import create_namespaced_resource, load_in_cluster_generic_resources
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from crd_cases import DELETE, load_sample
from ngf_console.crd import GROUP, PARENT_KINDS, VERSION
from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.render.inference_stack import render
from ngf_console.render.options import RenderOptions

pytestmark = pytest.mark.integration

TRITON = "inferencestack-llama3-production"
VLLM = "inferencestack-llama31-8b-vllm"
DYNAMO = "inferencestack-qwen-dynamo-disaggregated"

PARENTS = {
    k.kind: create_namespaced_resource(GROUP, VERSION, k.kind, k.plural) for k in PARENT_KINDS
}

KEDA_ALL = {
    "backend": "keda",
    "queueDepthThreshold": {"value": 4, "duration": "45s"},
    "kvCacheThreshold": {"value": 75.5, "duration": "2m"},
    "gpuUtilThreshold": {"value": 90, "duration": "500ms"},
    "cooldownPeriod": "2h",
}

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("triton-sample", TRITON, {}),
    ("vllm-sample", VLLM, {}),
    ("dynamo-sample-selects-pods", DYNAMO, {}),
    ("strategy-least-queue", TRITON, {"spec.epp.strategy": "least_queue"}),
    ("strategy-best-kv-cache", TRITON, {"spec.epp.strategy": "best_kv_cache"}),
    ("strategy-prefix-affinity", TRITON, {"spec.epp.strategy": "prefix_affinity"}),
    (
        "strategy-composite-zero-weight",
        TRITON,
        {"spec.epp.compositeWeights": {"queueDepth": 0.7, "kvCache": 0.3, "prefixCache": 0.0}},
    ),
    ("triton-hpa-all-signals", TRITON, {"spec.autoscaling.backend": "hpa"}),
    (
        "vllm-keda-all-signals-scale-to-zero",
        VLLM,
        {"spec.autoscaling": KEDA_ALL, "spec.pool.minReplicas": 0},
    ),
    (
        "vllm-hpa-fractional-threshold",
        VLLM,
        {"spec.autoscaling.queueDepthThreshold": {"value": 2.5, "duration": "1m"}},
    ),
    (
        "keda-zero-cooldown",
        VLLM,
        {
            "spec.autoscaling": {
                "cooldownPeriod": "0s",
                "queueDepthThreshold": {"value": 1, "duration": "30s"},
            }
        },
    ),
    ("hpa-min-zero-replicas", VLLM, {"spec.pool.minReplicas": 0}),
    (
        "quantities-stored-as-rendered",
        VLLM,
        {
            "spec.pool.resources": {
                "requests": {"cpu": "0.5", "memory": "1024Mi", "nvidia.com/gpu": 1},
                "limits": {"memory": "2048Mi", "ephemeral-storage": "100000Mi"},
            }
        },
    ),
    ("https-listener", VLLM, {"spec.gateway.createListener": {"port": 443, "protocol": "HTTPS"}}),
    (
        "minimal-no-autoscaler-no-dcgm",
        VLLM,
        {
            "spec.autoscaling": DELETE,
            "spec.epp.dcgmEnabled": False,
            "spec.gateway.createListener": {"port": 80},
        },
    ),
    (
        "sglang-two-gpus",
        VLLM,
        {
            "spec.model.backend": "sglang",
            "spec.model.engine": "sglang",
            "spec.model.gpusPerPod": 2,
            "spec.pool.resources": DELETE,
        },
    ),
    (
        "trtllm-serve",
        VLLM,
        {"spec.model.backend": "trtllm", "spec.model.engine": DELETE, "spec.autoscaling": KEDA_ALL},
    ),
    (
        "tgi-queue-only",
        VLLM,
        {
            "spec.model.backend": "tgi",
            "spec.model.engine": "tgi",
            "spec.epp.scrapeInterval": "250ms",
        },
    ),
    ("triton-hosting-vllm", TRITON, {"spec.model.engine": "vllm"}),
    (
        "cpu-model-server",
        VLLM,
        {
            "spec.model.gpusPerPod": 0,
            "spec.pool.resources": {"requests": {"cpu": "8"}},
            "spec.pool.nodeSelector": DELETE,
        },
    ),
    (
        "xc-bring-your-own",
        TRITON,
        {
            "spec.distributedCloud": {
                "tenant": "t",
                "namespace": "n",
                "publicHostname": "llm.example.com",
                "tlsMode": "bringYourOwn",
                "botDefense": False,
            }
        },
    ),
    (
        "selected-pods-metrics-path",
        DYNAMO,
        {"spec.epp.metricsPath": "/custom/metrics", "spec.epp.dcgmEnabled": False},
    ),
]


def _edited(sample: str, edits: dict[str, Any], namespace: str) -> dict[str, Any]:
    doc = copy.deepcopy(load_sample(sample))
    doc["metadata"]["namespace"] = namespace
    for dotted, value in edits.items():
        *parents, last = dotted.split(".")
        node = doc
        for key in parents:
            node = node.setdefault(key, {})
        if value is DELETE:
            node.pop(last, None)
        else:
            node[last] = value
    return doc


def _as_dict(resource: Any) -> dict[str, Any]:
    result: dict[str, Any] = resource.to_dict()
    return result


def _assert_kept(sent: Any, stored: Any, path: str) -> None:
    """Every field sent is stored as sent (the API server may add defaults, not drop)."""
    if isinstance(sent, dict):
        assert isinstance(stored, dict), f"{path}: stored {stored!r}"
        for key, value in sent.items():
            assert key in stored, f"{path}.{key} was pruned"
            _assert_kept(value, stored[key], f"{path}.{key}")
    elif isinstance(sent, list):
        assert isinstance(stored, list) and len(stored) == len(sent), f"{path}: {stored!r}"
        for index, (a, b) in enumerate(zip(sent, stored, strict=True)):
            _assert_kept(a, b, f"{path}[{index}]")
    else:
        assert sent == stored, f"{path}: sent {sent!r}, stored {stored!r}"


@pytest.fixture(scope="module")
def generic_kinds(kube: Client) -> None:
    """Generic resources for every installed CRD (InferencePool, HTTPRoute, ScaledObject...)."""
    load_in_cluster_generic_resources(kube)


@pytest.fixture
def gpu_namespace(kube: Client, namespace: str) -> Iterator[str]:
    """The namespace of the shared DCGM exporter, one per test."""
    name = f"{namespace}-gpu"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"ngf-console/test": "true"})))
    yield name
    kube.delete(Namespace, name)


@pytest.mark.usefixtures("generic_kinds")
@pytest.mark.parametrize(("sample", "edits"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_child_is_accepted(
    kube: Client, namespace: str, gpu_namespace: str, sample: str, edits: dict[str, Any]
) -> None:
    doc = _edited(sample, edits, namespace)
    created = _as_dict(kube.create(PARENTS["InferenceStack"](**doc), namespace=namespace))
    stack = InferenceStack.model_validate(created)
    children = render(stack, options=RenderOptions(dcgm_namespace=gpu_namespace))
    assert children

    for child in children:
        where = f"{child['kind']}/{child['metadata']['name']}"
        stored = _as_dict(kube.create(codecs.from_dict(copy.deepcopy(child)), dry_run=True))
        _assert_kept(child, stored, where)
        owners = stored["metadata"].get("ownerReferences")
        if child["metadata"]["namespace"] == namespace:
            assert owners and owners[0]["uid"] == created["metadata"]["uid"], where
        else:
            assert not owners, where
