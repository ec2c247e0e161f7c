"""The cluster registry: the clusters file, per-cluster clients, caches and health."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml

from ngf_console.kube.clusters import ClusterConfigError, ClusterRegistry, UnknownClusterError
from ngf_console.kube.served_types import served_type

ROUTE = served_type("httproutes", "gateway.networking.k8s.io")
NAMESPACE = served_type("namespaces")


def write(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def unreachable_kubeconfig(kubeconfig: Path, target: Path) -> Path:
    """The same credentials, pointed at a port nothing listens on."""
    config = yaml.safe_load(kubeconfig.read_text())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"
    return write(target, config)


def test_registry_from_file_serves_each_cluster(kubeconfig: Path, tmp_path: Path) -> None:
    down = unreachable_kubeconfig(kubeconfig, tmp_path / "down.kubeconfig")
    context = yaml.safe_load(kubeconfig.read_text())["current-context"]
    clusters_file = write(
        tmp_path / "clusters.yaml",
        {
            "clusters": [
                {"name": "local", "kubeconfig": str(kubeconfig)},
                {
                    "name": "main",
                    "kubeconfig": str(kubeconfig),
                    "context": context,
                    "default": True,
                },
                {"name": "down", "kubeconfig": down.name},  # relative to the clusters file
            ]
        },
    )

    async def body() -> None:
        registry = ClusterRegistry.from_file(clusters_file, types=(ROUTE, NAMESPACE))
        assert registry.names == ["local", "main", "down"]
        assert registry.default.name == "main"
        with pytest.raises(UnknownClusterError, match=r"no cluster named 'nope' \(known: down, "):
            registry.get("nope")
        await registry.start()
        try:
            await registry.get("main").cache.wait_synced(30)
            await registry.get("local").cache.wait_synced(30)
            health = {h.name: h for h in await registry.health()}
            assert health["main"].reachable and health["main"].cache_synced
            assert health["main"].kubernetes_version.startswith("v1.")
            assert health["main"].error is None
            assert not health["down"].reachable and not health["down"].cache_synced
            assert health["down"].error
            assert registry.get("local").cache.list(NAMESPACE).total >= 1
            assert registry.get("main").client is not registry.get("local").client
        finally:
            await registry.stop()

    asyncio.run(body())


def test_single_cluster_registry(kubeconfig: Path) -> None:
    registry = ClusterRegistry.single("only", kubeconfig)
    assert registry.default is registry.get("only")
    assert len(registry) == 1
    assert registry.default.server.startswith("https://127.0.0.1:")


@pytest.mark.parametrize(
    ("clusters", "message"),
    [
        ([], "at least 1 item"),
        ([{"name": "a"}], "exactly one of kubeconfig or inCluster"),
        ([{"name": "a", "inCluster": True, "kubeconfig": "k"}], "exactly one of"),
        ([{"name": "Bad_Name", "inCluster": True}], "must be a DNS label"),
        ([{"name": "a", "inCluster": True, "context": "x"}], "kubeconfig entries only"),
        ([{"name": "a", "inCluster": True, "extra": 1}], "Extra inputs are not permitted"),
        (
            [{"name": "a", "inCluster": True}, {"name": "a", "inCluster": True}],
            "duplicate cluster names: ['a']",
        ),
        (
            [
                {"name": "a", "inCluster": True, "default": True},
                {"name": "b", "inCluster": True, "default": True},
            ],
            "more than one default",
        ),
    ],
)
def test_invalid_clusters_files_are_rejected_clearly(
    tmp_path: Path, clusters: list[dict[str, Any]], message: str
) -> None:
    path = write(tmp_path / "clusters.yaml", {"clusters": clusters})
    with pytest.raises(ClusterConfigError, match="invalid clusters file") as info:
        ClusterRegistry.from_file(path)
    assert message in str(info.value)


def test_missing_kubeconfig_context_and_in_cluster_errors(kubeconfig: Path, tmp_path: Path) -> None:
    missing = write(
        tmp_path / "a.yaml", {"clusters": [{"name": "a", "kubeconfig": "nope.kubeconfig"}]}
    )
    with pytest.raises(ClusterConfigError, match="cluster 'a': cannot load"):
        ClusterRegistry.from_file(missing)
    bad_context = write(
        tmp_path / "b.yaml",
        {"clusters": [{"name": "b", "kubeconfig": str(kubeconfig), "context": "other"}]},
    )
    with pytest.raises(ClusterConfigError, match="context 'other' not in"):
        ClusterRegistry.from_file(bad_context)
    # No service account is mounted here.
    in_cluster = write(tmp_path / "c.yaml", {"clusters": [{"name": "c", "inCluster": True}]})
    with pytest.raises(ClusterConfigError, match="in-cluster configuration unavailable"):
        ClusterRegistry.from_file(in_cluster)
    with pytest.raises(ClusterConfigError, match="cannot read clusters file"):
        ClusterRegistry.from_file(tmp_path / "absent.yaml")
