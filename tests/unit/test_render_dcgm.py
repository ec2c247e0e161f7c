"""The shared DCGM exporter: one DaemonSet and Service that no single stack owns."""

from __future__ import annotations

import json

from ngf_console.render.common import MANAGED_BY_LABEL, SHARED_LABEL
from ngf_console.render.dcgm import DCGM_EXPORTER_NAME, dcgm_exporter
from ngf_console.render.options import RenderOptions


def test_service_then_daemon_set_in_the_options_namespace() -> None:
    service, daemon_set = dcgm_exporter(RenderOptions())
    assert [(m["apiVersion"], m["kind"]) for m in (service, daemon_set)] == [
        ("v1", "Service"),
        ("apps/v1", "DaemonSet"),
    ]
    for manifest in (service, daemon_set):
        meta = manifest["metadata"]
        assert meta["name"] == DCGM_EXPORTER_NAME == "ngf-console-dcgm-exporter"
        assert meta["namespace"] == "ngf-console-system"
        assert "ownerReferences" not in meta
        assert meta["labels"][MANAGED_BY_LABEL] == "ngf-console"
        assert meta["labels"][SHARED_LABEL] == "true"
        # No parent's labels: every stack renders the same bytes.
        assert not [k for k in meta["labels"] if k.startswith("ngf-console.f5.com/parent")]


def test_daemon_set_runs_on_gpu_nodes_and_exposes_9400() -> None:
    _, daemon_set = dcgm_exporter(RenderOptions())
    spec = daemon_set["spec"]
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
    pod = spec["template"]["spec"]
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]
    [container] = pod["containers"]
    assert container["image"] == "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04"
    assert container["ports"] == [{"name": "metrics", "containerPort": 9400, "protocol": "TCP"}]
    assert {"name": "DCGM_EXPORTER_KUBERNETES", "value": "true"} in container["env"]
    assert container["volumeMounts"] == [
        {
            "name": "pod-gpu-resources",
            "mountPath": "/var/lib/kubelet/pod-resources",
            "readOnly": True,
        }
    ]


def test_service_selects_the_exporter_pods() -> None:
    service, daemon_set = dcgm_exporter(RenderOptions())
    assert service["spec"]["selector"] == daemon_set["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"] == [
        {"name": "metrics", "port": 9400, "targetPort": "metrics", "protocol": "TCP"}
    ]
    assert service["metadata"]["annotations"]["prometheus.io/port"] == "9400"


def test_image_and_namespace_come_from_the_options() -> None:
    options = RenderOptions(dcgm_image="mirror.local/dcgm:1", dcgm_namespace="gpu-monitoring")
    service, daemon_set = dcgm_exporter(options)
    assert (
        service["metadata"]["namespace"] == daemon_set["metadata"]["namespace"] == "gpu-monitoring"
    )
    assert daemon_set["spec"]["template"]["spec"]["containers"][0]["image"] == "mirror.local/dcgm:1"


def test_deterministic() -> None:
    assert json.dumps(dcgm_exporter(RenderOptions())) == json.dumps(dcgm_exporter(RenderOptions()))
