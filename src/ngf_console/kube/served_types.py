"""The Kubernetes resource types the console's API server reads, one informer each.

Versions are the ones the local control plane serves (Gateway API v1.6, inference
extension v1.5, NGINX Gateway Fabric v1.6 CRDs, see ``hack/crds.env``), chosen so that
older installations serve them too where a choice exists: TLS/TCP/UDP routes stay on
``v1alpha2`` and ReferenceGrant on ``v1beta1``, both still served next to ``v1``. A type whose
CRD a cluster lacks is reported "not served" by the cache, not an error.
"""

from __future__ import annotations

from typing import Final

from ngf_console.crd.common import GROUP as PARENT_GROUP
from ngf_console.crd.common import VERSION as PARENT_VERSION
from ngf_console.crd.kinds import PARENT_KINDS
from ngf_console.kube.resource_type import ResourceType

__all__ = [
    "CORE_TYPES",
    "GATEWAY_API_TYPES",
    "INFERENCE_TYPES",
    "NGF_TYPES",
    "PARENT_TYPES",
    "SERVED_TYPES",
    "served_type",
]

_GW: Final = "gateway.networking.k8s.io"
_INF: Final = "inference.networking.k8s.io"
_INF_X: Final = "inference.networking.x-k8s.io"
_NGF: Final = "gateway.nginx.org"

GATEWAY_API_TYPES: Final[tuple[ResourceType, ...]] = (
    ResourceType(_GW, "v1", "gatewayclasses", "GatewayClass", namespaced=False),
    ResourceType(_GW, "v1", "gateways", "Gateway", namespaced=True),
    ResourceType(_GW, "v1", "httproutes", "HTTPRoute", namespaced=True),
    ResourceType(_GW, "v1", "grpcroutes", "GRPCRoute", namespaced=True),
    ResourceType(_GW, "v1alpha2", "tlsroutes", "TLSRoute", namespaced=True),
    ResourceType(_GW, "v1alpha2", "tcproutes", "TCPRoute", namespaced=True),
    ResourceType(_GW, "v1alpha2", "udproutes", "UDPRoute", namespaced=True),
    ResourceType(_GW, "v1beta1", "referencegrants", "ReferenceGrant", namespaced=True),
    ResourceType(_GW, "v1", "backendtlspolicies", "BackendTLSPolicy", namespaced=True),
)

INFERENCE_TYPES: Final[tuple[ResourceType, ...]] = (
    ResourceType(_INF, "v1", "inferencepools", "InferencePool", namespaced=True),
    # Legacy pools (GAIE before v1.0); removed upstream, still in older clusters.
    ResourceType(_INF_X, "v1alpha2", "inferencepools", "InferencePool", namespaced=True),
    ResourceType(_INF_X, "v1alpha2", "inferenceobjectives", "InferenceObjective", namespaced=True),
)

NGF_TYPES: Final[tuple[ResourceType, ...]] = (
    ResourceType(_NGF, "v1alpha1", "nginxgateways", "NginxGateway", namespaced=True),
    # NGF 1.x: cluster-scoped v1alpha1; NGF 2.x serves a namespaced v1alpha2.
    ResourceType(_NGF, "v1alpha1", "nginxproxies", "NginxProxy", namespaced=False),
    ResourceType(
        _NGF, "v1alpha1", "clientsettingspolicies", "ClientSettingsPolicy", namespaced=True
    ),
    ResourceType(_NGF, "v1alpha2", "observabilitypolicies", "ObservabilityPolicy", namespaced=True),
    ResourceType(_NGF, "v1alpha1", "snippetsfilters", "SnippetsFilter", namespaced=True),
    ResourceType(
        _NGF, "v1alpha1", "upstreamsettingspolicies", "UpstreamSettingsPolicy", namespaced=True
    ),
    # NGF 2.4+ (2.6+ for WAFPolicy): "not served" on older installs.
    ResourceType(_NGF, "v1alpha1", "ratelimitpolicies", "RateLimitPolicy", namespaced=True),
    ResourceType(_NGF, "v1alpha1", "proxysettingspolicies", "ProxySettingsPolicy", namespaced=True),
    ResourceType(_NGF, "v1alpha1", "snippetspolicies", "SnippetsPolicy", namespaced=True),
    ResourceType(
        _NGF, "v1alpha1", "authenticationfilters", "AuthenticationFilter", namespaced=True
    ),
    ResourceType(_NGF, "v1alpha1", "wafpolicies", "WAFPolicy", namespaced=True),
)

PARENT_TYPES: Final[tuple[ResourceType, ...]] = tuple(
    ResourceType(PARENT_GROUP, PARENT_VERSION, k.plural, k.kind, namespaced=True)
    for k in PARENT_KINDS
)

CORE_TYPES: Final[tuple[ResourceType, ...]] = (
    ResourceType("", "v1", "namespaces", "Namespace", namespaced=False),
    ResourceType("", "v1", "services", "Service", namespaced=True),
    ResourceType("", "v1", "pods", "Pod", namespaced=True),
    ResourceType("", "v1", "events", "Event", namespaced=True),
    # Only TLS secrets: the console shows certificates, and other secrets stay out of memory.
    ResourceType(
        "", "v1", "secrets", "Secret", namespaced=True, field_selector="type=kubernetes.io/tls"
    ),
    ResourceType("apps", "v1", "deployments", "Deployment", namespaced=True),
    # Read by route check 8 (static reachability: ready endpoints, NetworkPolicies).
    ResourceType("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", namespaced=True),
    ResourceType("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", namespaced=True),
)

SERVED_TYPES: Final[tuple[ResourceType, ...]] = (
    *GATEWAY_API_TYPES,
    *INFERENCE_TYPES,
    *NGF_TYPES,
    *PARENT_TYPES,
    *CORE_TYPES,
)


def served_type(plural: str, group: str = "") -> ResourceType:
    """The served type with this plural and group (``KeyError`` if there is none).

    When a group serves one plural in several versions (legacy InferencePool), the
    current one comes first in :data:`SERVED_TYPES` and is returned.
    """
    for t in SERVED_TYPES:
        if t.plural == plural and t.group == group:
            return t
    raise KeyError(f"no served resource type {plural}.{group}" if group else plural)
