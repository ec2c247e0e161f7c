"""Every manifest the migration engine emits for the golden fixture set is accepted by the real
API server with the upstream CRDs (server-side dry-run), and nothing is pruned as unknown.

Kinds whose CRD the local control plane does not serve (it installs NGINX Gateway Fabric
v1.6.2's CRDs: no RateLimitPolicy, AuthenticationFilter, ProxySettingsPolicy or WAFPolicy)
are skipped with the missing CRD named rather than pretended to be checked.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lightkube import Client, codecs
from lightkube.generic_resource import load_in_cluster_generic_resources
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.resources.core_v1 import Namespace

from ngf_console.migration import plan

pytestmark = pytest.mark.integration

GOLDEN = Path(__file__).parent.parent / "unit" / "migration_golden"


def _manifests() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for case in sorted(p for p in GOLDEN.iterdir() if p.is_dir()):
        inputs = sorted(p for p in case.iterdir() if p.name == "input.yaml" or p.suffix == ".conf")
        for m in plan(inputs).manifests:
            out.append((f"{case.name}:{m.kind}/{m.namespace}/{m.name}", m.body))
    return out


MANIFESTS = _manifests()


@pytest.fixture(scope="module")
def served(kube: Client) -> set[str]:
    """``group/version/Kind`` of every served CRD version."""
    load_in_cluster_generic_resources(kube)
    kinds: set[str] = set()
    for crd in kube.list(CustomResourceDefinition):
        assert crd.spec is not None
        for version in crd.spec.versions:
            if version.served:
                kinds.add(f"{crd.spec.group}/{version.name}/{crd.spec.names.kind}")
    return kinds


@pytest.fixture(scope="module")
def dry_namespace(kube: Client) -> Iterator[str]:
    """One namespace for all dry-runs (nothing is stored in it)."""
    name = f"t-migration-dryrun-{secrets.token_hex(3)}"
    kube.create(Namespace(metadata=ObjectMeta(name=name)))
    try:
        yield name
    finally:
        kube.delete(Namespace, name)


def _contains(actual: Any, expected: Any, path: str = "") -> None:
    """``actual`` holds everything in ``expected`` (the server only added defaults)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} was pruned by the API server"
            _contains(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _contains(a, e, f"{path}[{i}]")
    else:
        assert actual == expected, path


def test_fixture_set_is_broad() -> None:
    kinds = {body["kind"] for _, body in MANIFESTS}
    assert {
        "Gateway",
        "HTTPRoute",
        "GRPCRoute",
        "TLSRoute",
        "TCPRoute",
        "UDPRoute",
        "BackendTLSPolicy",
        "ClientSettingsPolicy",
        "UpstreamSettingsPolicy",
        "SnippetsFilter",
        "RateLimitPolicy",
        "AuthenticationFilter",
        "ObservabilityPolicy",
        "ProxySettingsPolicy",
        "WAFPolicy",
    } <= kinds


@pytest.mark.parametrize(("ident", "manifest"), MANIFESTS, ids=[i for i, _ in MANIFESTS])
def test_manifest_is_accepted(
    kube: Client, served: set[str], dry_namespace: str, ident: str, manifest: dict[str, Any]
) -> None:
    api = f"{manifest['apiVersion']}/{manifest['kind']}"
    if api not in served:
        pytest.skip(
            f"CRD for {manifest['kind']} {manifest['apiVersion']} is not installed "
            "(local NGF CRDs are v1.6.2)"
        )
    body = copy.deepcopy(manifest)
    body["metadata"]["namespace"] = dry_namespace
    created = kube.create(codecs.from_dict(body), dry_run=True).to_dict()  # type: ignore[no-untyped-call]
    _contains(created, {k: v for k, v in manifest.items() if k != "metadata"})
