"""The fake nodes look like GPU-feature-discovery-labelled GPU nodes."""

from __future__ import annotations

from ngf_console.sandbox.fake_nodes import GPU_TAINT, KWOK_ANNOTATION, node_manifests


def test_three_gpu_nodes_and_a_cpu_node() -> None:
    nodes = node_manifests()
    gpu = [n for n in nodes if "nvidia.com/gpu" in n["status"]["capacity"]]
    assert {n["metadata"]["labels"]["nvidia.com/gpu.product"] for n in gpu} == {
        "H100",
        "A100",
        "L40S",
    }
    for node in gpu:
        assert node["status"]["capacity"]["nvidia.com/gpu"] == "8"
        assert node["status"]["allocatable"]["nvidia.com/gpu"] == "8"
        assert int(node["metadata"]["labels"]["nvidia.com/gpu.memory"]) > 40000
        assert node["spec"]["taints"] == [GPU_TAINT]
    cpu = [n for n in nodes if n not in gpu]
    assert len(cpu) == 1
    assert "taints" not in cpu[0]["spec"]
    assert all(n["metadata"]["annotations"][KWOK_ANNOTATION] == "fake" for n in nodes)
    assert len({n["metadata"]["name"] for n in nodes}) == len(nodes)
