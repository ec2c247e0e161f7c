"""Runtime providers of model server pods, and what the console knows about model servers.

``provider_for(stack)`` picks the provider named by ``spec.model.provider``. Only
``deployment`` renders today; ``dynamo``, ``kuberay`` and ``kaito`` are registered so that a
stack naming them fails with :class:`UnsupportedProviderError` rather than a KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.crd.model_spec import RuntimeProvider
from ngf_console.render.providers.base import (
    COMPONENT_LABEL,
    MODEL_SERVER_COMPONENT,
    ModelServerProvider,
    ScaleTarget,
    UnsupportedProvider,
    UnsupportedProviderError,
    model_server_name,
    model_server_selector,
)
from ngf_console.render.providers.deployment import DeploymentProvider
from ngf_console.render.providers.engines import (
    ENGINE_TYPE_LABEL,
    METRIC_DIALECTS,
    SERVERS,
    MetricDialect,
    MetricSpec,
    ServerProfile,
    metric_dialect,
    metrics_path,
    server_profile,
)

__all__ = [
    "COMPONENT_LABEL",
    "ENGINE_TYPE_LABEL",
    "METRIC_DIALECTS",
    "MODEL_SERVER_COMPONENT",
    "PROVIDERS",
    "SERVERS",
    "DeploymentProvider",
    "MetricDialect",
    "MetricSpec",
    "ModelServerProvider",
    "ScaleTarget",
    "ServerProfile",
    "UnsupportedProvider",
    "UnsupportedProviderError",
    "metric_dialect",
    "metrics_path",
    "model_server_name",
    "model_server_selector",
    "provider_for",
    "server_profile",
]

PROVIDERS: Final[Mapping[RuntimeProvider, ModelServerProvider]] = {
    "deployment": DeploymentProvider(),
    "dynamo": UnsupportedProvider("dynamo"),
    "kuberay": UnsupportedProvider("kuberay"),
    "kaito": UnsupportedProvider("kaito"),
}


def provider_for(stack: InferenceStack) -> ModelServerProvider:
    """The provider named by ``spec.model.provider``."""
    return PROVIDERS[stack.spec.model.provider]
