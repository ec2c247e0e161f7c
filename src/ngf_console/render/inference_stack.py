"""InferenceStack -> its children: model server, InferencePool, EPP, Gateway, route, autoscaler.

:func:`render` is pure and deterministic: the same stack and options give the same manifests,
in the same order and byte for byte once serialized. The order is apply order (what a child
refers to comes before it): model server, InferencePool, endpoint picker, Gateway, HTTPRoute,
autoscaler, DCGM exporter, DistributedCloudPublish.

The children of one module each: render/providers (model server), render/epp.py,
render/autoscaler.py, render/dcgm.py; this module renders the rest and puts them together.
"""

from __future__ import annotations

import re
from typing import Any, Final

from pydantic import ValidationError

from ngf_console.crd.distributed_cloud_publish import DistributedCloudPublish
from ngf_console.crd.inference_stack import InferenceStack
from ngf_console.render.autoscaler import render_autoscaler
from ngf_console.render.common import Manifest, child_metadata, parent_name
from ngf_console.render.dcgm import dcgm_exporter
from ngf_console.render.epp import EPP_GRPC_PORT, epp_name, render_epp
from ngf_console.render.errors import RenderError
from ngf_console.render.options import RenderOptions
from ngf_console.render.providers import provider_for, server_profile

__all__ = [
    "FAILURE_MODE",
    "GATEWAY_API_GROUP",
    "INFERENCE_GROUP",
    "STREAMING_ANNOTATION",
    "gateway_name",
    "pool_name",
    "render",
    "route_name",
    "xc_publish_name",
]

INFERENCE_GROUP: Final = "inference.networking.k8s.io"
GATEWAY_API_GROUP: Final = "gateway.networking.k8s.io"
# FailOpen: when the endpoint picker does not answer, the gateway still routes the request to
# a pod of the pool, merely without the picker's choice. The picker runs as one replica that
# restarts on every config change (Recreate); FailClose would make each restart an outage of
# the whole model endpoint. It is also the upstream Helm chart's default.
FAILURE_MODE: Final = "FailOpen"
STREAMING_ANNOTATION: Final = "ngf-console.f5.com/streaming"
# Services need DNS-1035 labels; "-model" is the longest Service suffix a stack renders.
_SERVICE_NAME: Final = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LONGEST_SERVICE_SUFFIX: Final = "-model"


def pool_name(stack: InferenceStack) -> str:
    """Name of the InferencePool: ``{stack}-pool``."""
    return f"{parent_name(stack)}-pool"


def route_name(stack: InferenceStack) -> str:
    """Name of the HTTPRoute: ``{stack}-route``."""
    return f"{parent_name(stack)}-route"


def gateway_name(stack: InferenceStack) -> str:
    """Name of the Gateway rendered for ``spec.gateway.createListener``."""
    return f"{parent_name(stack)}-gateway"


def xc_publish_name(stack: InferenceStack) -> str:
    """Name of the DistributedCloudPublish child: ``{stack}-xc``."""
    return f"{parent_name(stack)}-xc"


def render(stack: InferenceStack, *, options: RenderOptions | None = None) -> list[Manifest]:
    """The desired children of ``stack``, in apply order."""
    options = options or RenderOptions()
    _check_name(stack)
    children: list[Manifest] = []
    if stack.spec.pool.selector is None:
        children += provider_for(stack).render(stack, options)
    children.append(_inference_pool(stack))
    children += render_epp(stack, pool_name=pool_name(stack), options=options)
    if stack.spec.gateway.create_listener is not None:
        children.append(_gateway(stack, options))
    children.append(_http_route(stack))
    children += render_autoscaler(stack, options=options)
    if stack.spec.epp.dcgm_enabled:
        children += dcgm_exporter(options)
    if stack.spec.distributed_cloud is not None:
        children.append(_xc_publish(stack))
    return children


def _check_name(stack: InferenceStack) -> None:
    name = parent_name(stack)
    longest = name + _LONGEST_SERVICE_SUFFIX
    if len(longest) > 63 or not _SERVICE_NAME.fullmatch(longest):
        raise RenderError(
            f"{name!r} cannot name the stack's Services ({longest!r}): a stack name must start "
            f"with a letter, hold only a-z, 0-9 and '-', and be at most "
            f"{63 - len(_LONGEST_SERVICE_SUFFIX)} characters",
            field_path="metadata.name",
        )


def _pool_selector(stack: InferenceStack) -> dict[str, str]:
    """matchLabels of the pool: the stack's selector, or the rendered model server's labels.

    InferencePool selects by labels only (its selector is kept Service-compatible). A
    matchExpressions entry ``key In [value]`` says the same as a label and is folded in; any
    other expression cannot be said, and dropping it would select more pods than asked for.
    """
    selector = stack.spec.pool.selector
    if selector is None:
        return provider_for(stack).pod_labels(stack)
    labels = dict(selector.match_labels or {})
    for index, requirement in enumerate(selector.match_expressions or []):
        path = f"spec.pool.selector.matchExpressions[{index}]"
        values = requirement.values or []
        if requirement.operator != "In" or len(values) != 1:
            raise RenderError(
                f"InferencePool selects by labels only; {requirement.key} "
                f"{requirement.operator} {values} cannot be expressed (only 'In' with one "
                "value can)",
                field_path=path,
            )
        if labels.setdefault(requirement.key, values[0]) != values[0]:
            raise RenderError(
                f"{requirement.key} cannot equal both {labels[requirement.key]!r} and "
                f"{values[0]!r}",
                field_path=path,
            )
    if not labels:
        raise RenderError("must select at least one label", field_path="spec.pool.selector")
    return dict(sorted(labels.items()))


def _inference_pool(stack: InferenceStack) -> Manifest:
    return {
        "apiVersion": f"{INFERENCE_GROUP}/v1",
        "kind": "InferencePool",
        "metadata": child_metadata(stack, pool_name(stack)),
        "spec": {
            "selector": {"matchLabels": _pool_selector(stack)},
            "targetPorts": [{"number": server_profile(stack).port}],
            "endpointPickerRef": {
                "group": "",
                "kind": "Service",
                "name": epp_name(stack),
                "port": {"number": EPP_GRPC_PORT},
                "failureMode": FAILURE_MODE,
            },
        },
    }


def _gateway(stack: InferenceStack, options: RenderOptions) -> Manifest:
    listener_spec = stack.spec.gateway.create_listener
    assert listener_spec is not None
    protocol = listener_spec.protocol or "HTTP"
    listener: dict[str, Any] = {"name": protocol.lower(), "port": listener_spec.port}
    listener["protocol"] = protocol
    if listener_spec.hostname is not None:
        listener["hostname"] = listener_spec.hostname
    if protocol == "HTTPS":
        # createListener has no certificate field: the listener serves the Secret of this
        # conventional name, which the user or a CertificateBundle provides. Until it exists
        # the Gateway reports ResolvedRefs=False (InvalidCertificateRef) for the listener.
        listener["tls"] = {
            "mode": "Terminate",
            "certificateRefs": [{"kind": "Secret", "name": f"{gateway_name(stack)}-tls"}],
        }
    listener["allowedRoutes"] = {"namespaces": {"from": "Same"}}
    return {
        "apiVersion": f"{GATEWAY_API_GROUP}/v1",
        "kind": "Gateway",
        "metadata": child_metadata(stack, gateway_name(stack)),
        "spec": {"gatewayClassName": options.default_gateway_class, "listeners": [listener]},
    }


def _parent_ref(stack: InferenceStack) -> dict[str, str]:
    attachment = stack.spec.gateway
    ref = {"group": GATEWAY_API_GROUP, "kind": "Gateway"}
    if attachment.gateway_ref is not None:
        ref["name"] = attachment.gateway_ref.name
        if attachment.gateway_ref.namespace is not None:
            ref["namespace"] = attachment.gateway_ref.namespace
        return ref
    listener = attachment.create_listener
    assert listener is not None
    return ref | {"name": gateway_name(stack), "sectionName": (listener.protocol or "HTTP").lower()}


def _http_route(stack: InferenceStack) -> Manifest:
    route = stack.spec.gateway.route
    # streamingEnabled changes nothing in the route: Gateway API has no response-buffering
    # field and NGF reads no annotation for one. Whether NGINX buffers a token stream is a
    # proxy setting (proxy_buffering; NGF's ProxySettingsPolicy since v2.4, or a
    # SnippetsFilter), attached by the Gateway's owner. The annotation records the intent for
    # the console, which shows it and can check for such a policy.
    return {
        "apiVersion": f"{GATEWAY_API_GROUP}/v1",
        "kind": "HTTPRoute",
        "metadata": child_metadata(
            stack,
            route_name(stack),
            annotations={STREAMING_ANNOTATION: str(route.streaming_enabled).lower()},
        ),
        "spec": {
            "parentRefs": [_parent_ref(stack)],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": route.path_prefix}}],
                    "backendRefs": [
                        {
                            "group": INFERENCE_GROUP,
                            "kind": "InferencePool",
                            "name": pool_name(stack),
                        }
                    ],
                    # Generations run long; one attempt may take the whole request budget.
                    "timeouts": {"request": route.timeout, "backendRequest": route.timeout},
                }
            ],
        },
    }


def _xc_publish(stack: InferenceStack) -> Manifest:
    """The flat spec.distributedCloud as a DistributedCloudPublish of the stack's pool."""
    xc = stack.spec.distributed_cloud
    assert xc is not None
    cloud: dict[str, Any] = {"tenant": xc.tenant, "namespace": xc.namespace}
    if xc.waf_policy is not None:
        cloud["wafPolicy"] = xc.waf_policy
    if xc.bot_defense is not None:
        cloud["botDefense"] = {"enabled": xc.bot_defense}
    if xc.ddos_protection is not None:
        cloud["ddosProtection"] = {"enabled": xc.ddos_protection}
    if xc.per_tenant_rate_limit is not None:
        limit = xc.per_tenant_rate_limit
        cloud["rateLimiting"] = {"perTenant": True, "defaultRate": limit.requests_per_minute}
        if limit.tokens_per_minute is not None:
            cloud["rateLimiting"]["defaultTokenBudget"] = limit.tokens_per_minute
    cloud["publicHostname"] = xc.public_hostname
    if xc.tls_mode is not None:
        cloud["tls"] = {"mode": xc.tls_mode}
        if xc.tls_mode == "bringYourOwn":
            # The flat spec has no certificate field: a Secret of this conventional name.
            cloud["tls"]["certificateRef"] = {"name": f"{xc_publish_name(stack)}-tls"}
    manifest: Manifest = {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "DistributedCloudPublish",
        "metadata": child_metadata(stack, xc_publish_name(stack)),
        "spec": {"inferencePoolRef": {"name": pool_name(stack)}, "distributedCloud": cloud},
    }
    # The child is a parent resource of the console's own: its model is the schema.
    try:
        DistributedCloudPublish.model_validate(manifest)
    except ValidationError as exc:
        raise RenderError(
            f"does not make a valid DistributedCloudPublish: {exc}",
            field_path="spec.distributedCloud",
        ) from exc
    return manifest
