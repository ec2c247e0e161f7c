"""The model half of an InferenceStack: what runs, with which engine, on which runtime.

The spec's ModelSpec (backend, name, image, gpuType, gpusPerPod) plus KubeFoundry's deployment
fields: the inference engine, the runtime provider that runs the pods (a plain Deployment,
NVIDIA Dynamo, KubeRay or KAITO), the Hugging Face model id, and the serving mode.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ngf_console.crd.base import CrdModel, cel_rule

ModelServer = Literal["vllm", "sglang", "trtllm", "triton", "tgi"]
"""Model servers and inference engines the console knows the metrics of."""

RuntimeProvider = Literal["deployment", "dynamo", "kuberay", "kaito"]
"""Runtime providers that can run the model server pods."""

ServingMode = Literal["aggregated", "disaggregated"]
"""Whether prefill and decode run in the same pods or in separate workers."""

HuggingFaceModelId = Annotated[
    str,
    StringConstraints(
        max_length=256, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$"
    ),
]


class ModelSpec(CrdModel):
    """Model serving configuration."""

    backend: ModelServer = Field(
        description=(
            "Serving backend: the model server the pods run, whose /metrics the endpoint "
            "picker scrapes: triton, vllm, tgi, sglang or trtllm (trtllm-serve)."
        )
    )
    name: Annotated[str, StringConstraints(min_length=1, max_length=253)] = Field(
        description='Model identifier (e.g., "llama-3-70b"), the name clients request.'
    )
    image: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = Field(
        default=None,
        description=(
            "Container image for the model server. Optional when modelId is set: the "
            "provider then uses its default image for the engine (kaito builds one from a "
            "GGUF model)."
        ),
    )
    gpu_type: Annotated[str, StringConstraints(min_length=1, max_length=63)] = Field(
        description="GPU type (A100, H100, L40S, T4)."
    )
    gpus_per_pod: Annotated[int, Field(ge=0)] = Field(
        description="GPUs per pod; 0 runs on CPU (kaito's GGUF models)."
    )
    engine: ModelServer | None = Field(
        default=None,
        description=(
            "Inference engine that executes the model: vllm, sglang, trtllm, triton or tgi. "
            "Differs from backend when one server hosts another engine (backend triton, "
            "engine trtllm). Unset means the backend's own engine."
        ),
    )
    provider: RuntimeProvider = Field(
        default="deployment",
        description=(
            "Runtime provider that runs the model server pods: deployment (a Deployment the "
            "operator renders), dynamo (NVIDIA Dynamo DynamoGraphDeployment), kuberay "
            "(KubeRay RayService) or kaito (KAITO, CPU-capable GGUF models)."
        ),
    )
    model_id: HuggingFaceModelId | None = Field(
        default=None,
        description=(
            'Hugging Face model id to serve, e.g. "meta-llama/Llama-3.1-8B-Instruct"; the '
            "provider downloads it at start-up. Unset when the image already holds the model."
        ),
    )
    serving_mode: ServingMode = Field(
        default="aggregated",
        description=(
            "aggregated runs prefill and decode in the same pods; disaggregated splits them "
            "into prefill and decode workers (providers that support it, such as dynamo)."
        ),
    )

    @cel_rule(
        "has(self.image) || has(self.modelId)",
        message="image is required when modelId is not set",
        field_path=".image",
        reason="FieldValueRequired",
    )
    def _image_or_model_id(self) -> bool:
        return self.image is not None or self.model_id is not None
