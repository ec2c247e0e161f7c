"""Routes and policies: the only Kubernetes objects the API writes directly (spec §2.5.7).

Routes: HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute. Policies, under
``/policies/{type}``: every current ``gateway.nginx.org`` policy and filter kind, and
Gateway API's BackendTLSPolicy. A kind the cluster does not serve (its CRD is not
installed, e.g. an NGF 2.4 policy on an older NGF) answers 404 saying so.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter

from ngf_console.api.routers.objects import ObjectKind, object_router
from ngf_console.kube.served_types import served_type

_GW: Final = "gateway.networking.k8s.io"
_NGF: Final = "gateway.nginx.org"

ROUTE_PLURALS: Final = ("httproutes", "grpcroutes", "tlsroutes", "tcproutes", "udproutes")

# URL type -> (group, plural) of the policy kind; versions as the cache serves them.
POLICY_TYPES: Final[dict[str, tuple[str, str]]] = {
    "backendtls": (_GW, "backendtlspolicies"),
    "clientsettings": (_NGF, "clientsettingspolicies"),
    "observability": (_NGF, "observabilitypolicies"),
    "upstreamsettings": (_NGF, "upstreamsettingspolicies"),
    "ratelimit": (_NGF, "ratelimitpolicies"),
    "proxysettings": (_NGF, "proxysettingspolicies"),
    "snippets": (_NGF, "snippetspolicies"),
    "waf": (_NGF, "wafpolicies"),
    "snippetsfilter": (_NGF, "snippetsfilters"),
    "authentication": (_NGF, "authenticationfilters"),
}


def router() -> APIRouter:
    """CRUD routes of every route kind and every policy type."""
    routes = APIRouter()
    for plural in ROUTE_PLURALS:
        t = served_type(plural, _GW)
        routes.include_router(object_router(ObjectKind(type=t, path=plural, tag="routes")))
    for slug, (group, plural) in POLICY_TYPES.items():
        t = served_type(plural, group)
        routes.include_router(
            object_router(ObjectKind(type=t, path=f"policies/{slug}", tag="policies"))
        )
    return routes
