"""Which NGINX Gateway Fabric APIs the target cluster serves (from API discovery)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

NGF_GROUP: Final = "gateway.nginx.org"
WAF_POLICY_API_VERSION: Final = f"{NGF_GROUP}/v1alpha1"
AP_POLICY_API_VERSION: Final = "appprotect.f5.com/v1"

NginxProxyVersion = Literal["v1alpha2", "v1alpha1"]


@dataclass(frozen=True)
class NgfCapabilities:
    """Which NGF-related APIs the target cluster serves (defaults: current NGF 2.x with PLM).

    The operator builds this from API discovery (:meth:`from_served`); previews without a
    cluster use the defaults.
    """

    nginx_proxy_version: NginxProxyVersion | None = "v1alpha2"
    """Served NginxProxy version (``v1alpha2`` NGF 2.x, ``v1alpha1`` NGF 1.x), None if absent."""
    waf_policy: bool = True
    """``WAFPolicy`` ``gateway.nginx.org/v1alpha1`` is served (NGF >= 2.6)."""
    ap_policy: bool = True
    """``APPolicy`` ``appprotect.f5.com/v1`` is served (F5 WAF Policy Lifecycle Management)."""

    @classmethod
    def from_served(cls, served: Iterable[str]) -> NgfCapabilities:
        """From ``group/version/Kind`` strings the cluster serves, e.g. from its CRDs."""
        kinds = set(served)
        version: NginxProxyVersion | None = None
        if f"{NGF_GROUP}/v1alpha2/NginxProxy" in kinds:
            version = "v1alpha2"
        elif f"{NGF_GROUP}/v1alpha1/NginxProxy" in kinds:
            version = "v1alpha1"
        return cls(
            nginx_proxy_version=version,
            waf_policy=f"{WAF_POLICY_API_VERSION}/WAFPolicy" in kinds,
            ap_policy=f"{AP_POLICY_API_VERSION}/APPolicy" in kinds,
        )
