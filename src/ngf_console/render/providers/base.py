"""The runtime-provider interface: who runs the model server pods of a stack.

A provider renders the workload that runs the pods (a Deployment, a DynamoGraphDeployment, a
RayService, a KAITO Workspace), names the labels its pods carry (the InferencePool selects on
them) and says what an autoscaler scales. Providers the console cannot render yet are
registered as :class:`UnsupportedProvider`, so a stack that asks for one fails with a clear
message instead of getting a half-made workload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, NoReturn, Protocol

from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.crd.model_spec import RuntimeProvider
from ngf_console.render.common import KIND_LABELS, Manifest, parent_name
from ngf_console.render.errors import RenderError
from ngf_console.render.options import RenderOptions

__all__ = [
    "COMPONENT_LABEL",
    "MODEL_SERVER_COMPONENT",
    "ModelServerProvider",
    "ScaleTarget",
    "UnsupportedProvider",
    "UnsupportedProviderError",
    "model_server_name",
    "model_server_selector",
]

COMPONENT_LABEL: Final = "app.kubernetes.io/component"
MODEL_SERVER_COMPONENT: Final = "model-server"


class UnsupportedProviderError(RenderError):
    """The stack asks for a runtime provider the console cannot render yet."""


@dataclass(frozen=True)
class ScaleTarget:
    """The workload an autoscaler scales, and how Prometheus names its pods."""

    api_version: str
    kind: str
    name: str
    pod_name_pattern: str
    """RE2 regex matching the ``pod`` label of the workload's pods in Prometheus."""


class ModelServerProvider(Protocol):
    """Renders the workload that runs a stack's model server pods."""

    @property
    def name(self) -> RuntimeProvider:
        """The provider's name in ``spec.model.provider``."""
        ...

    def render(self, stack: InferenceStack, options: RenderOptions) -> list[Manifest]:
        """The workload and its Service, in apply order."""
        ...

    def pod_labels(self, stack: InferenceStack) -> dict[str, str]:
        """Labels every model server pod carries and no other pod does: the pool's selector."""
        ...

    def scale_target(self, stack: InferenceStack) -> ScaleTarget:
        """What a KEDA ScaledObject or HPA scales."""
        ...


def model_server_name(stack: InferenceStack) -> str:
    """Name of the rendered model server workload and its Service: ``{stack}-model``."""
    return f"{parent_name(stack)}-model"


def model_server_selector(stack: InferenceStack) -> dict[str, str]:
    """Selector labels of a stack's rendered model server pods.

    The stack label alone would also select the stack's endpoint picker pods, hence the
    component label; both are immutable for the life of the stack, as a selector must be.
    """
    return {
        KIND_LABELS["InferenceStack"]: parent_name(stack),
        COMPONENT_LABEL: MODEL_SERVER_COMPONENT,
    }


@dataclass(frozen=True)
class UnsupportedProvider:
    """A provider the console knows by name but cannot render yet."""

    provider: RuntimeProvider

    @property
    def name(self) -> RuntimeProvider:
        """The provider's name in ``spec.model.provider``."""
        return self.provider

    def _refuse(self) -> NoReturn:
        raise UnsupportedProviderError(
            f"runtime provider {self.provider!r} is not supported yet; use provider "
            "'deployment', or run the workload yourself and select its pods with "
            "spec.pool.selector",
            field_path="spec.model.provider",
        )

    def render(self, stack: InferenceStack, options: RenderOptions) -> list[Manifest]:
        """Refuse: see :class:`UnsupportedProviderError`."""
        self._refuse()

    def pod_labels(self, stack: InferenceStack) -> dict[str, str]:
        """Refuse: see :class:`UnsupportedProviderError`."""
        self._refuse()

    def scale_target(self, stack: InferenceStack) -> ScaleTarget:
        """Refuse: see :class:`UnsupportedProviderError`."""
        self._refuse()
