"""Test tiers and the shared real control plane.

Every test is marked by the directory it lives in, so `-m unit` etc. select them.

One real control plane per test session (started only if a test asks for it), and a fresh
namespace per test. Set ``NGF_TEST_KUBECONFIG`` to the kubeconfig of a running control plane
(for example the one `ngf-console cluster up` printed) to reuse it instead of starting one;
the parent CRDs are re-applied either way so that a changed schema is what the tests see.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from lightkube import Client, KubeConfig
from lightkube.generic_resource import load_in_cluster_generic_resources
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from ngf_console.kube.crds import install_crds
from ngf_console.sandbox.cluster_crds import all_crd_documents, parent_crd_documents
from ngf_console.sandbox.control_plane import ControlPlane


@pytest.fixture(scope="session")
def kubeconfig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Path of the kubeconfig of the session's control plane."""
    given = os.environ.get("NGF_TEST_KUBECONFIG")
    if given:
        path = Path(given)
        if os.environ.get("NGF_TEST_SKIP_PARENT_CRDS") != "1":
            install_crds(Client(KubeConfig.from_file(path)), parent_crd_documents())
        yield path
        return
    plane = ControlPlane(tmp_path_factory.mktemp("control-plane"))
    path = plane.up(crd_documents=all_crd_documents)
    try:
        yield path
    finally:
        plane.down()


@pytest.fixture(scope="session")
def kube(kubeconfig: Path) -> Client:
    """A lightkube client with cluster-admin rights, knowing every CRD kind served."""
    client = Client(KubeConfig.from_file(kubeconfig), field_manager="ngf-console-tests")
    load_in_cluster_generic_resources(client)
    return client


@pytest.fixture
def namespace(kube: Client, request: pytest.FixtureRequest) -> Iterator[str]:
    """A namespace of the test's own, deleted afterwards."""
    slug = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    name = f"t-{slug}-{secrets.token_hex(3)}"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"ngf-console/test": "true"})))
    yield name
    kube.delete(Namespace, name)


_TIERS = ("unit", "integration", "storage", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = Path(str(item.path)).parent.name
        if tier in _TIERS and not item.get_closest_marker(tier):
            item.add_marker(getattr(pytest.mark, tier))
