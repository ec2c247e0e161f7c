"""The NVIDIA DCGM exporter: one DaemonSet on the GPU nodes, shared by every stack.

Per-GPU metrics (``DCGM_FI_DEV_GPU_UTIL``, framebuffer use, temperature, power, XID errors)
come from one exporter per GPU node, not one per stack. So the DaemonSet and its Service depend
on the cluster options alone: every stack with ``spec.epp.dcgmEnabled`` renders them byte for
byte alike, and none owns them (no owner reference, no stack labels that would flip with the
last stack applied). The operator creates them while any stack wants them and deletes them
after the last one is gone.

With ``DCGM_EXPORTER_KUBERNETES`` the exporter maps each GPU to the pod using it (through the
kubelet's pod-resources socket) and labels the series with that pod's ``namespace`` and
``pod`` (the scrape must keep them: ``honor_labels``), which the GPU autoscaling signal needs.
"""

from __future__ import annotations

from typing import Any, Final

from ngf_console.render.common import MANAGED_BY, MANAGED_BY_LABEL, SHARED_LABEL, Manifest
from ngf_console.render.options import RenderOptions

__all__ = ["DCGM_EXPORTER_NAME", "DCGM_METRICS_PORT", "dcgm_exporter"]

DCGM_EXPORTER_NAME: Final = "ngf-console-dcgm-exporter"
DCGM_METRICS_PORT: Final = 9400
# Labelled by NVIDIA GPU feature discovery (GPU operator) on every node with a GPU.
GPU_PRESENT_LABEL: Final = "nvidia.com/gpu.present"
POD_RESOURCES_DIR: Final = "/var/lib/kubelet/pod-resources"


def _labels() -> dict[str, str]:
    return {
        MANAGED_BY_LABEL: MANAGED_BY,
        # Marks a child several parents share; the operator records its users (used-by).
        SHARED_LABEL: "true",
        "app.kubernetes.io/name": "dcgm-exporter",
        "app.kubernetes.io/instance": DCGM_EXPORTER_NAME,
        "app.kubernetes.io/component": "gpu-metrics",
    }


def _selector() -> dict[str, str]:
    return {"app.kubernetes.io/instance": DCGM_EXPORTER_NAME}


def _metadata(options: RenderOptions) -> dict[str, Any]:
    return {"name": DCGM_EXPORTER_NAME, "namespace": options.dcgm_namespace, "labels": _labels()}


def dcgm_exporter(options: RenderOptions) -> list[Manifest]:
    """The shared DCGM exporter DaemonSet and its metrics Service, in apply order."""
    return [_service(options), _daemon_set(options)]


def _service(options: RenderOptions) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(options)
        | {
            # The common Prometheus convention for annotation-based discovery.
            "annotations": {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": str(DCGM_METRICS_PORT),
                "prometheus.io/path": "/metrics",
            }
        },
        "spec": {
            "type": "ClusterIP",
            "selector": _selector(),
            "ports": [
                {
                    "name": "metrics",
                    "port": DCGM_METRICS_PORT,
                    "targetPort": "metrics",
                    "protocol": "TCP",
                }
            ],
        },
    }


def _daemon_set(options: RenderOptions) -> Manifest:
    container: dict[str, Any] = {
        "name": "dcgm-exporter",
        "image": options.dcgm_image,
        "env": [
            {"name": "DCGM_EXPORTER_LISTEN", "value": f":{DCGM_METRICS_PORT}"},
            {"name": "DCGM_EXPORTER_KUBERNETES", "value": "true"},
        ],
        "ports": [{"name": "metrics", "containerPort": DCGM_METRICS_PORT, "protocol": "TCP"}],
        # Profiling fields (DCGM_FI_PROF_*) need SYS_ADMIN, as in NVIDIA's own chart.
        "securityContext": {
            "runAsNonRoot": False,
            "runAsUser": 0,
            "capabilities": {"add": ["SYS_ADMIN"]},
        },
        "readinessProbe": {
            "httpGet": {"path": "/health", "port": DCGM_METRICS_PORT},
            "initialDelaySeconds": 45,
            "periodSeconds": 5,
        },
        "livenessProbe": {
            "httpGet": {"path": "/health", "port": DCGM_METRICS_PORT},
            "initialDelaySeconds": 45,
            "periodSeconds": 5,
        },
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "1Gi"}},
        "volumeMounts": [
            {"name": "pod-gpu-resources", "mountPath": POD_RESOURCES_DIR, "readOnly": True}
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": _metadata(options),
        "spec": {
            "selector": {"matchLabels": _selector()},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": _labels()},
                "spec": {
                    "nodeSelector": {GPU_PRESENT_LABEL: "true"},
                    "tolerations": [
                        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
                    ],
                    "containers": [container],
                    "volumes": [
                        {
                            "name": "pod-gpu-resources",
                            "hostPath": {"path": POD_RESOURCES_DIR, "type": "Directory"},
                        }
                    ],
                },
            },
        },
    }
