"""Migration projects: CRUD with nested analysis results and generated manifests."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from ngf_console.store import MigrationProjectInput, MigrationProjectPatch, Store

pytestmark = pytest.mark.anyio

ANALYSIS = {
    "resources": {"Ingress": 3, "VirtualServer": 1},
    "findings": [{"severity": "warning", "annotation": "nginx.org/rewrites", "count": 2}],
}
GENERATED = [
    {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "shop", "namespace": "prod"},
        "spec": {"rules": [{"filters": [{"type": "URLRewrite"}]}]},
    },
]


async def test_lifecycle(store: Store) -> None:
    project = await store.migration_projects.create(
        MigrationProjectInput(
            name="prod ingresses", source_type="cluster", source_config={"namespaces": ["prod"]}
        )
    )
    assert project.status == "importing"
    assert project.analysis_result is None and project.generated_resources == []
    assert project.created_at.utcoffset() == timedelta(0)

    analyzed = await store.migration_projects.update(
        project.id,
        MigrationProjectPatch(
            status="analyzed", analysis_result=ANALYSIS, generated_resources=GENERATED
        ),
    )
    assert analyzed is not None
    assert (analyzed.status, analyzed.analysis_result, analyzed.generated_resources) == (
        "analyzed",
        ANALYSIS,
        GENERATED,
    )
    assert analyzed.source_config == {"namespaces": ["prod"]}
    assert await store.migration_projects.get(project.id) == analyzed

    cleared = await store.migration_projects.update(
        project.id, MigrationProjectPatch(analysis_result=None)
    )
    assert cleared is not None and cleared.analysis_result is None
    assert cleared.status == "analyzed"

    assert await store.migration_projects.delete(project.id) is True
    assert await store.migration_projects.get(project.id) is None
    assert await store.migration_projects.delete(project.id) is False
    assert (
        await store.migration_projects.update(project.id, MigrationProjectPatch(status="x")) is None
    )


async def test_list_newest_first_and_by_status(store: Store) -> None:
    first = await store.migration_projects.create(
        MigrationProjectInput(name="a", source_type="file")
    )
    second = await store.migration_projects.create(
        MigrationProjectInput(name="b", source_type="git", status="analyzed")
    )
    assert [p.id for p in await store.migration_projects.list_projects()] == [
        second.id,
        first.id,
    ]
    assert [p.id for p in await store.migration_projects.list_projects(status="analyzed")] == [
        second.id
    ]
    assert await store.migration_projects.get(uuid.uuid4()) is None
