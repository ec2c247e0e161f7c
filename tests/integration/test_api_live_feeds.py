"""The websocket topics the watch cache feeds, through the real API server: a parent's
status changes reach its crd-status topic, Kubernetes Events reach the events topic
(filtered), and changes of drawn objects reach the topology topic."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from api_harness import running_api, settings_for
from lightkube import Client
from lightkube.models.core_v1 import EventSource, ObjectReference
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Event
from lightkube.types import PatchType
from operator_harness import PARENTS

from crd_cases import load_sample


@pytest.fixture(scope="module")
def api_url(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("live-db") / "console.db"
    with running_api(settings_for(kubeconfig, db)) as url:
        yield url.replace("http://", "ws://")


async def _first(url: str, predicate: Any, action: Any, within: float = 20.0) -> dict[str, Any]:
    """Connect, run ``action`` (in a thread), return the first data frame ``predicate`` likes."""
    async with websockets.connect(url) as ws:
        await asyncio.sleep(0.3)  # subscribed before the change happens
        await asyncio.to_thread(action)
        async with asyncio.timeout(within):
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("type") == "message" and predicate(frame["data"]):
                    return dict(frame["data"])


def test_parent_status_changes_reach_its_crd_status_topic(
    api_url: str, kube: Client, namespace: str
) -> None:
    doc = load_sample("inferencestack-llama31-8b-vllm")
    doc["metadata"] = {"name": "live", "namespace": namespace}
    kube.create(PARENTS["InferenceStack"](**doc), namespace=namespace)

    def set_status() -> None:
        kube.patch(
            PARENTS["InferenceStack"].Status,
            "live",
            {"status": {"phase": "Provisioning", "observedGeneration": 1}},
            namespace=namespace,
            patch_type=PatchType.MERGE,
        )

    data = asyncio.run(
        _first(
            f"{api_url}/api/v1/ws/crd-status/{namespace}/live",
            lambda d: d.get("status", {}).get("phase") == "Provisioning",
            set_status,
        )
    )
    assert data["kind"] == "InferenceStack"
    assert (data["namespace"], data["name"]) == (namespace, "live")


def test_events_reach_the_events_topic_filtered_by_namespace(
    api_url: str, kube: Client, namespace: str
) -> None:
    def emit() -> None:
        kube.create(
            Event(
                metadata=ObjectMeta(name="live-event", namespace=namespace),
                involvedObject=ObjectReference(kind="Pod", name="p", namespace=namespace),
                reason="Testing",
                message="hello from the test",
                type="Warning",
                source=EventSource(component="test"),
            )
        )

    data = asyncio.run(
        _first(
            f"{api_url}/api/v1/ws/events?namespace={namespace}",
            lambda d: d.get("reason") == "Testing",
            emit,
        )
    )
    assert data["message"] == "hello from the test"
    assert data["metadata"]["namespace"] == namespace


def test_topology_topic_announces_changes_of_drawn_objects(
    api_url: str, kube: Client, namespace: str
) -> None:
    from lightkube.resources.core_v1 import Service

    def create_service() -> None:
        kube.create(
            Service(
                metadata=ObjectMeta(name="svc-live", namespace=namespace),
                spec={"ports": [{"port": 80}], "selector": {"app": "x"}},
            )
        )

    data = asyncio.run(
        _first(
            f"{api_url}/api/v1/ws/topology",
            lambda d: d.get("name") == "svc-live" and d.get("namespace") == namespace,
            create_service,
        )
    )
    assert (data["kind"], data["type"]) == ("Service", "ADDED")
