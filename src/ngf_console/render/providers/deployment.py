"""The ``deployment`` provider: the model server as a plain Deployment and Service.

Pod shape follows the Gateway API Inference Extension's own model server manifests
(config/manifests/vllm/gpu-deployment.yaml in GAIE v1.5.0): an explicit launch command, the
engine-type label the endpoint picker reads, a preStop sleep so the gateway drops a pod before
it stops serving, and a startup probe long enough to download and load a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.crd.model_spec import RuntimeProvider
from ngf_console.render.common import Manifest, child_labels, child_metadata
from ngf_console.render.errors import RenderError
from ngf_console.render.options import RenderOptions, canonical_quantity
from ngf_console.render.providers.base import (
    COMPONENT_LABEL,
    MODEL_SERVER_COMPONENT,
    ScaleTarget,
    model_server_name,
    model_server_selector,
)
from ngf_console.render.providers.engines import (
    ENGINE_TYPE_LABEL,
    ServerProfile,
    metric_dialect,
    server_profile,
)

__all__ = ["GPU_PRODUCT_LABEL", "GPU_RESOURCE", "DeploymentProvider"]

GPU_RESOURCE: Final = "nvidia.com/gpu"
GPU_PRODUCT_LABEL: Final = "nvidia.com/gpu.product"
MODEL_CACHE_DIR: Final = "/model-cache"
# Seconds the pod keeps serving after it is marked for deletion, so that the gateway and the
# endpoint picker take it out of rotation first (upstream's recommended value).
PRE_STOP_SLEEP_S: Final = 30
# preStop sleep plus time for in-flight generations to finish.
TERMINATION_GRACE_S: Final = 130
# Downloading and loading a large model can take a long time: allow 30 minutes.
STARTUP_PERIOD_S: Final = 10
STARTUP_FAILURES: Final = 180
_LABEL_VALUE: Final = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


@dataclass(frozen=True)
class DeploymentProvider:
    """Renders ``{stack}-model``: a Deployment of the model server and a Service in front."""

    @property
    def name(self) -> RuntimeProvider:
        """The provider's name in ``spec.model.provider``."""
        return "deployment"

    def render(self, stack: InferenceStack, options: RenderOptions) -> list[Manifest]:
        """The Service and the Deployment, in apply order."""
        if stack.spec.model.serving_mode != "aggregated":
            # One Deployment of identical pods cannot split prefill from decode workers.
            raise RenderError(
                "provider 'deployment' runs aggregated pods (prefill and decode together); "
                "disaggregated serving needs a provider that splits them, such as dynamo",
                field_path="spec.model.servingMode",
            )
        return [self._service(stack), self._deployment(stack)]

    def pod_labels(self, stack: InferenceStack) -> dict[str, str]:
        """The model server pods' selector labels."""
        return model_server_selector(stack)

    def scale_target(self, stack: InferenceStack) -> ScaleTarget:
        """The Deployment; its pods are named ``{deployment}-{template hash}-{suffix}``."""
        name = model_server_name(stack)
        # Object names are [a-z0-9.-]; only the dot is special in a regex.
        pattern = name.replace(".", r"\.") + "-[a-z0-9]+-[a-z0-9]+"
        return ScaleTarget("apps/v1", "Deployment", name, pattern)

    def _service(self, stack: InferenceStack) -> Manifest:
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": child_metadata(
                stack, model_server_name(stack), labels={COMPONENT_LABEL: MODEL_SERVER_COMPONENT}
            ),
            "spec": {
                "type": "ClusterIP",
                "selector": model_server_selector(stack),
                "ports": [
                    {
                        "name": port["name"],
                        "port": port["containerPort"],
                        "targetPort": port["name"],
                        "protocol": "TCP",
                    }
                    for port in _ports(server_profile(stack))
                ],
            },
        }

    def _deployment(self, stack: InferenceStack) -> Manifest:
        spec: dict[str, Any] = {}
        # With an autoscaler, replicas belong to it: applying spec.pool.replicas on every
        # reconcile would undo each scale event. The autoscaler's minimum takes over at once.
        if stack.spec.autoscaling is None:
            spec["replicas"] = stack.spec.pool.replicas
        spec |= {
            "selector": {"matchLabels": model_server_selector(stack)},
            # A GPU node rarely has a spare GPU for a surge pod: replace pods one at a time.
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
            },
            "template": {
                "metadata": {"labels": _pod_labels(stack)},
                "spec": _pod_spec(stack),
            },
        }
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": child_metadata(
                stack, model_server_name(stack), labels={COMPONENT_LABEL: MODEL_SERVER_COMPONENT}
            ),
            "spec": spec,
        }


def _pod_labels(stack: InferenceStack) -> dict[str, str]:
    extra = {COMPONENT_LABEL: MODEL_SERVER_COMPONENT, ENGINE_TYPE_LABEL: metric_dialect(stack).name}
    return child_labels(stack, extra)


def _ports(profile: ServerProfile) -> list[dict[str, Any]]:
    ports: list[dict[str, Any]] = [{"name": "http", "containerPort": profile.port}]
    if profile.metrics_port != profile.port:
        ports.append({"name": "metrics", "containerPort": profile.metrics_port})
    return [p | {"protocol": "TCP"} for p in ports]


def _pod_spec(stack: InferenceStack) -> dict[str, Any]:
    pool = stack.spec.pool
    gpus = stack.spec.model.gpus_per_pod
    spec: dict[str, Any] = {
        "terminationGracePeriodSeconds": TERMINATION_GRACE_S,
        "containers": [_container(stack)],
        "volumes": _volumes(stack),
    }
    node_selector = pool.node_selector
    if node_selector is None and gpus > 0:
        gpu_type = stack.spec.model.gpu_type
        if not _LABEL_VALUE.fullmatch(gpu_type):
            raise RenderError(
                f"{gpu_type!r} is not a valid label value for the default node selector "
                f"{GPU_PRODUCT_LABEL}; set spec.pool.nodeSelector",
                field_path="spec.model.gpuType",
            )
        node_selector = {GPU_PRODUCT_LABEL: gpu_type}
    if node_selector:
        spec["nodeSelector"] = dict(sorted(node_selector.items()))
    if pool.tolerations is not None:
        spec["tolerations"] = [t.to_json() for t in pool.tolerations]
    elif gpus > 0:
        # GPU nodes are commonly tainted nvidia.com/gpu:NoSchedule (GPU operator, cloud pools).
        spec["tolerations"] = [{"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}]
    return spec


def _container(stack: InferenceStack) -> dict[str, Any]:
    profile = server_profile(stack)
    command, args = _launch(stack, profile)

    def probe(**timing: int) -> dict[str, Any]:
        # A fresh dict per probe: callers may mutate one child without touching another.
        return {"httpGet": {"path": profile.health_path, "port": "http", "scheme": "HTTP"}} | timing

    container: dict[str, Any] = {
        "name": "model-server",
        "image": stack.spec.model.image or profile.image,
        "command": command,
        "args": args,
    }
    if stack.spec.model.model_id is not None:
        container["env"] = [
            {"name": "HF_HOME", "value": MODEL_CACHE_DIR},
            # Gated models (Llama) need a Hugging Face token; upstream's manifests read it
            # from the Secret hf-token, optional so that open models need none.
            {
                "name": "HF_TOKEN",
                "valueFrom": {
                    "secretKeyRef": {"name": "hf-token", "key": "token", "optional": True}
                },
            },
        ]
    container |= {
        "ports": _ports(profile),
        "startupProbe": probe(periodSeconds=STARTUP_PERIOD_S, failureThreshold=STARTUP_FAILURES),
        "readinessProbe": probe(periodSeconds=5, timeoutSeconds=2, failureThreshold=2),
        "livenessProbe": probe(periodSeconds=10, timeoutSeconds=5, failureThreshold=5),
        "lifecycle": {"preStop": {"sleep": {"seconds": PRE_STOP_SLEEP_S}}},
        "resources": _resources(stack),
        "volumeMounts": [{"name": "shm", "mountPath": "/dev/shm"}]
        + (
            [{"name": "model-cache", "mountPath": MODEL_CACHE_DIR}]
            if stack.spec.model.model_id is not None
            else []
        ),
    }
    return container


def _volumes(stack: InferenceStack) -> list[dict[str, Any]]:
    # Tensor parallelism (NCCL) needs a /dev/shm larger than the container runtime's 64 MiB.
    volumes: list[dict[str, Any]] = [{"name": "shm", "emptyDir": {"medium": "Memory"}}]
    if stack.spec.model.model_id is not None:
        volumes.append({"name": "model-cache", "emptyDir": {}})
    return volumes


def _launch(stack: InferenceStack, profile: ServerProfile) -> tuple[list[str], list[str]]:
    """Command and arguments that serve the model on ``profile.port``."""
    model = stack.spec.model
    source = model.model_id or model.name
    port = str(profile.port)
    tp = str(model.gpus_per_pod)
    multi_gpu = model.gpus_per_pod > 1
    match model.backend:
        case "vllm":
            args = ["--model", source, "--served-model-name", model.name, "--port", port]
            return ["python3", "-m", "vllm.entrypoints.openai.api_server"], args + (
                ["--tensor-parallel-size", tp] if multi_gpu else []
            )
        case "sglang":
            args = ["--model-path", source, "--served-model-name", model.name]
            args += ["--host", "0.0.0.0", "--port", port, "--enable-metrics"]
            return ["python3", "-m", "sglang.launch_server"], args + (
                ["--tp", tp] if multi_gpu else []
            )
        case "trtllm":
            args = [source, "--host", "0.0.0.0", "--port", port]
            return ["trtllm-serve"], args + (["--tp_size", tp] if multi_gpu else [])
        case "tgi":
            args = ["--model-id", source, "--hostname", "0.0.0.0", "--port", port]
            return ["text-generation-launcher"], args + (["--num-shard", tp] if multi_gpu else [])
        case "triton":
            # Triton serves a model repository, not a Hugging Face id: the image carries it.
            if model.image is None:
                raise RenderError(
                    "backend triton serves a model repository and cannot download "
                    f"{model.model_id!r} itself: set spec.model.image to an image whose "
                    "/models holds the repository",
                    field_path="spec.model.image",
                )
            return ["tritonserver"], [
                "--model-repository=/models",
                f"--http-port={port}",
                "--grpc-port=8001",
                f"--metrics-port={profile.metrics_port}",
            ]


def _resources(stack: InferenceStack) -> dict[str, Any]:
    """spec.pool.resources with ``nvidia.com/gpu: gpusPerPod`` in requests and limits."""
    given = stack.spec.pool.resources
    gpus = canonical_quantity(stack.spec.model.gpus_per_pod)
    resources: dict[str, Any] = {}
    for section in ("requests", "limits"):
        values = getattr(given, section, None) or {}
        # In the API server's canonical form ("0.5" is stored as "500m"), so that the
        # Deployment read back equals the one rendered.
        quantities = {key: canonical_quantity(values[key]) for key in sorted(values)}
        stated = quantities.get(GPU_RESOURCE)
        if stated is not None and stated != gpus:
            raise RenderError(
                f"{GPU_RESOURCE} is {stated} but spec.model.gpusPerPod is {gpus}",
                field_path=f"spec.pool.resources.{section}",
            )
        # Extended resources must be requested and limited alike; gpusPerPod says how many.
        if stack.spec.model.gpus_per_pod > 0:
            quantities[GPU_RESOURCE] = gpus
        if quantities:
            resources[section] = dict(sorted(quantities.items()))
    if given is not None and given.claims:
        resources["claims"] = [claim.to_json() for claim in given.claims]
    return resources
