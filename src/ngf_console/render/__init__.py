"""Pure desired-state renderers: parent resource in, child manifests out.

One entry point, :func:`render_parent`, shared by the operator (which applies the result),
the API's dry-run preview and ``ngf-console render``. Nothing here does I/O.
"""

from __future__ import annotations

from ngf_console.crd import GatewayBundle, InferenceStack
from ngf_console.crd.common import ParentResource
from ngf_console.render import gateway_bundle, inference_stack
from ngf_console.render.autoscaler import autoscaler_skip_reason, scaler_name
from ngf_console.render.capabilities import NgfCapabilities
from ngf_console.render.common import Manifest
from ngf_console.render.dcgm import dcgm_exporter
from ngf_console.render.errors import RenderError
from ngf_console.render.options import RenderOptions
from ngf_console.render.result import RenderResult, Withheld

__all__ = [
    "Manifest",
    "NgfCapabilities",
    "RenderError",
    "RenderOptions",
    "RenderResult",
    "Withheld",
    "prunable_kinds",
    "render_parent",
    "shared_candidates",
    "watched_child_kinds",
]

# (apiVersion, kind) of every child a parent kind can render, for pruning what it no
# longer renders. Shared children (the DCGM exporter) are released, never pruned.
_CHILD_KINDS: dict[str, tuple[tuple[str, str], ...]] = {
    "InferenceStack": (
        ("inference.networking.k8s.io/v1", "InferencePool"),
        ("gateway.networking.k8s.io/v1", "HTTPRoute"),
        ("gateway.networking.k8s.io/v1", "Gateway"),
        ("keda.sh/v1alpha1", "ScaledObject"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("apps/v1", "Deployment"),
        ("v1", "Service"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "ServiceAccount"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("ngf-console.f5.com/v1alpha1", "DistributedCloudPublish"),
    ),
    "GatewayBundle": (
        ("gateway.networking.k8s.io/v1", "Gateway"),
        ("v1", "Secret"),
        ("gateway.nginx.org/v1alpha2", "NginxProxy"),
        ("gateway.nginx.org/v1alpha1", "SnippetsFilter"),
        ("gateway.nginx.org/v1alpha1", "WAFPolicy"),
        ("appprotect.f5.com/v1", "APPolicy"),
    ),
}

_PLURALS = {
    "InferencePool": "inferencepools",
    "HTTPRoute": "httproutes",
    "Gateway": "gateways",
    "ScaledObject": "scaledobjects",
    "HorizontalPodAutoscaler": "horizontalpodautoscalers",
    "Deployment": "deployments",
    "DaemonSet": "daemonsets",
    "Service": "services",
    "ConfigMap": "configmaps",
    "Secret": "secrets",
    "ServiceAccount": "serviceaccounts",
    "Role": "roles",
    "RoleBinding": "rolebindings",
    "DistributedCloudPublish": "distributedcloudpublishes",
    "NginxProxy": "nginxproxies",
    "SnippetsFilter": "snippetsfilters",
    "WAFPolicy": "wafpolicies",
    "APPolicy": "appolicies",
}


def render_parent(parent: ParentResource, options: RenderOptions | None = None) -> RenderResult:
    """Every child of ``parent``, in apply order, plus the children withheld and why.

    Raises :class:`RenderError` (with the spec field path) when the spec cannot become valid
    children; then nothing is rendered.
    """
    options = options or RenderOptions()
    if isinstance(parent, InferenceStack):
        withheld = []
        reason = autoscaler_skip_reason(parent)
        if reason is not None:
            kind = (
                "ScaledObject"
                if parent.spec.autoscaling and parent.spec.autoscaling.backend == "keda"
                else "HorizontalPodAutoscaler"
            )
            api = "keda.sh/v1alpha1" if kind == "ScaledObject" else "autoscaling/v2"
            withheld.append(Withheld(kind, scaler_name(parent), api, reason, "NotApplicable"))
        return RenderResult(
            manifests=inference_stack.render(parent, options=options), withheld=withheld
        )
    if isinstance(parent, GatewayBundle):
        return gateway_bundle.render(parent, options=options)
    raise RenderError(f"{type(parent).__name__} has no renderer yet")


def prunable_kinds(parent_kind: str) -> tuple[tuple[str, str], ...]:
    """(apiVersion, kind) of the children ``parent_kind`` may have rendered before."""
    return _CHILD_KINDS.get(parent_kind, ())


def watched_child_kinds() -> list[tuple[str, str, str]]:
    """(group, version, plural) of every child kind, for the operator's child watches."""
    seen: set[tuple[str, str, str]] = set()
    for kinds in (*_CHILD_KINDS.values(), (("apps/v1", "DaemonSet"),)):
        for api_version, kind in kinds:
            group, _, version = api_version.rpartition("/")
            seen.add((group, version, _PLURALS[kind]))
    return sorted(seen)


def shared_candidates(options: RenderOptions) -> list[Manifest]:
    """Every shared child that may exist (what a parent's release must look for)."""
    return dcgm_exporter(options)
