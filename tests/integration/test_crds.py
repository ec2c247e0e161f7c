"""The generated parent CRDs, installed in a real API server, hold the same line as the models.

Every sample under deploy/samples is accepted, with the API server's defaults equal to the
models' defaults and nothing pruned; every invalid case of the unit tests is rejected with a 422
naming the same field path; status written through the status subresource validates.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.generic_resource import create_namespaced_resource
from lightkube.types import PatchType

from crd_cases import INVALID_CASES, SAMPLES, load_sample
from ngf_console.crd import GROUP, KINDS_BY_NAME, PARENT_KINDS, VERSION
from ngf_console.crd.common import ChildStatus, Condition
from ngf_console.crd.inference_stack import InferenceStackChildren, InferenceStackStatus

pytestmark = pytest.mark.integration


RESOURCES = {
    k.kind: create_namespaced_resource(GROUP, VERSION, k.kind, k.plural) for k in PARENT_KINDS
}


def _create(kube: Client, namespace: str, doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["metadata"]["namespace"] = namespace
    created = kube.create(RESOURCES[doc["kind"]](**doc), namespace=namespace)
    return _as_dict(created)


def _as_dict(resource: Any) -> dict[str, Any]:
    result: dict[str, Any] = resource.to_dict()
    return result


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_is_accepted(kube: Client, namespace: str, sample: Path) -> None:
    doc = yaml.safe_load(sample.read_text())
    created = _create(kube, namespace, doc)
    model = KINDS_BY_NAME[doc["kind"]].resource
    # The API server applied exactly the models' defaults and pruned no field.
    assert created["spec"] == model.model_validate(doc).to_json()["spec"]
    # What the API server returns (server-set metadata included) parses.
    assert model.model_validate(created).metadata.namespace == namespace


@pytest.mark.parametrize("case", INVALID_CASES, ids=lambda c: c.id)
def test_invalid_case_is_rejected_at_field_path(kube: Client, namespace: str, case: Any) -> None:
    with pytest.raises(ApiError) as info:
        _create(kube, namespace, case.document())
    status = info.value.status
    assert status.code == 422, status.message
    message = status.message or ""
    assert f"{case.path}: " in message, message
    assert case.message in message, message


def test_status_subresource_accepts_the_status_model(kube: Client, namespace: str) -> None:
    doc = load_sample("inferencestack-llama3-production")
    name = _create(kube, namespace, doc)["metadata"]["name"]
    now = datetime(2026, 2, 9, 12, 0, tzinfo=UTC)
    status = InferenceStackStatus(
        phase="Ready",
        observed_generation=1,
        current_replicas=3,
        desired_replicas=3,
        children=InferenceStackChildren(
            inference_pool=ChildStatus(name=f"{name}-pool", ready=True, last_synced_at=now),
            http_route=ChildStatus(name=f"{name}-route", ready=False, message="not accepted"),
        ),
        conditions=[
            Condition(
                type="Ready",
                status="True",
                last_transition_time=now,
                reason="ChildrenReady",
                message="all children are ready",
            ),
        ],
        observed_spec_hash="0123abcd",
        last_reconciled_at=now,
    )
    resource = RESOURCES["InferenceStack"]
    patched = kube.patch(
        resource.Status,
        name,
        {"status": status.to_json()},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    got = InferenceStackStatus.model_validate(_as_dict(patched)["status"])
    assert got == status


def test_status_subresource_rejects_an_unknown_phase(kube: Client, namespace: str) -> None:
    doc = load_sample("gatewaybundle-production-gateway")
    name = _create(kube, namespace, doc)["metadata"]["name"]
    with pytest.raises(ApiError) as info:
        kube.patch(
            RESOURCES["GatewayBundle"].Status,
            name,
            {"status": {"phase": "Sleeping", "listenerCount": 2}},
            namespace=namespace,
            patch_type=PatchType.MERGE,
        )
    assert info.value.status.code == 422
    assert "status.phase: " in (info.value.status.message or "")
