"""TLS certificate inventory (spec §3.6) and the CertificateBundles close to expiry.

Certificates are the ``kubernetes.io/tls`` Secrets of the watch cache, parsed by
:func:`ngf_console.readmodel.certificates.inventory`: subject, SANs, issuer, validity, key
type and size, and where each is attached (Gateway listeners, owning parent CRDs). Only
``tls.crt`` is ever read; no response carries key material.
"""

# No ``from __future__ import annotations``: FastAPI must see the Annotated dependencies.
import datetime as dt
import re
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from ngf_console.api.auth import Action, Guard, require
from ngf_console.api.cluster_reads import all_cached, cached_object, cached_page
from ngf_console.api.routers.listing import (
    ContinueQ,
    GuardDep,
    LimitQ,
    NameQ,
    NamespaceQ,
    SelectorQ,
    ViewPage,
    authorize_list,
    page_sorted,
    readable,
    ref_of,
)
from ngf_console.api.routers.resources import GATEWAYS
from ngf_console.api.state import ClusterDep
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.served_types import PARENT_TYPES, served_type
from ngf_console.readmodel.certificates import CertificateView, inventory
from ngf_console.readmodel.objects import (
    GATEWAY_GROUP,
    Obj,
    name_of,
    namespace_of,
    spec_of,
    status_of,
)
from ngf_console.readmodel.ownership import ParentIndex

SECRETS = served_type("secrets")
REFERENCEGRANTS = served_type("referencegrants", GATEWAY_GROUP)
CERTIFICATE_BUNDLES = next(t for t in PARENT_TYPES if t.kind == "CertificateBundle")
_DURATION_PART: Final = re.compile(r"([0-9]+)(d|h|ms|m|s)")
_UNIT: Final = {
    "d": dt.timedelta(days=1),
    "h": dt.timedelta(hours=1),
    "m": dt.timedelta(minutes=1),
    "s": dt.timedelta(seconds=1),
    "ms": dt.timedelta(milliseconds=1),
}
DEFAULT_THRESHOLD: Final = dt.timedelta(days=30)


class ExpiringBundle(BaseModel):
    """A CertificateBundle whose certificate expires within the threshold (or has)."""

    name: str
    namespace: str
    phase: str | None = None
    hostnames: list[str] = []
    not_after: dt.datetime
    days_left: int
    threshold_days: float
    expired: bool
    certificates: list[CertificateView] = []


def long_duration(value: str) -> dt.timedelta:
    """A CRD ``LongDuration`` such as ``"30d"`` or ``"1d12h"`` (ValueError otherwise)."""
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise ValueError(f"invalid duration {value!r}")
    return sum((int(n) * _UNIT[u] for n, u in parts), dt.timedelta())


def certificate_inventory(cluster: Cluster, secrets: list[Obj]) -> list[CertificateView]:
    """``secrets`` parsed, with attachments from the cached Gateways, grants and parents."""
    return inventory(
        secrets,
        all_cached(cluster, GATEWAYS),
        [p for t in PARENT_TYPES for p in all_cached(cluster, t)],
        referencegrants=all_cached(cluster, REFERENCEGRANTS),
    )


def _parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def router() -> APIRouter:
    """``/certificates`` and ``/certificatebundles/expiring``."""
    api = APIRouter(tags=["certificates"])
    secrets_ref = ref_of(SECRETS)

    @api.get("/certificates", response_model=ViewPage[CertificateView])
    async def list_certificates(
        cluster: ClusterDep,
        guard: GuardDep,
        namespace: NamespaceQ = None,
        label_selector: SelectorQ = None,
        name: NameQ = None,
        state: Annotated[
            Literal["ok", "warning", "critical", "expired", "error"] | None,
            Query(description="Expiry state; error: the Secret holds no parsable certificate."),
        ] = None,
        limit: LimitQ = None,
        continue_token: ContinueQ = None,
    ) -> ViewPage[CertificateView]:
        await authorize_list(guard, [secrets_ref], namespace)
        page = cached_page(
            cluster, SECRETS, namespace=namespace, label_selector=label_selector, name_contains=name
        )
        secrets = await readable(guard, secrets_ref, page.items, lambda o: namespace_of(o))
        views = [
            v
            for v in certificate_inventory(cluster, secrets)
            if state is None
            or (v.error is not None if state == "error" else v.expiry_state == state)
        ]
        items, token = page_sorted(
            views,
            lambda v: (v.namespace, v.secret_name),
            query={"ns": namespace, "sel": label_selector, "name": name, "state": state},
            limit=limit,
            continue_token=continue_token,
        )
        return ViewPage[CertificateView](
            items=items,
            continue_token=token,
            resource_version=page.resource_version,
            total=len(views),
        )

    @api.get("/certificates/{namespace}/{name}", response_model=CertificateView)
    async def get_certificate(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        _: Annotated[Guard, Depends(require(Action.READ, secrets_ref, name_param="name"))],
    ) -> CertificateView:
        secret = cached_object(cluster, SECRETS, namespace, name)
        return certificate_inventory(cluster, [secret])[0]

    @api.get("/certificatebundles/expiring", response_model=list[ExpiringBundle])
    async def expiring_bundles(
        cluster: ClusterDep,
        guard: GuardDep,
        namespace: NamespaceQ = None,
        days: Annotated[
            float | None,
            Query(
                ge=0,
                le=36500,
                description="Window in days (default: each bundle's expiryAlertThreshold).",
            ),
        ] = None,
    ) -> list[ExpiringBundle]:
        bundles_ref = ref_of(CERTIFICATE_BUNDLES)
        await authorize_list(guard, [bundles_ref], namespace)
        bundles = cached_page(cluster, CERTIFICATE_BUNDLES, namespace=namespace).items
        bundles = await readable(guard, bundles_ref, bundles, lambda o: namespace_of(o))
        secrets = all_cached(cluster, SECRETS)
        index = ParentIndex(bundles)
        now = dt.datetime.now(dt.UTC)
        out: list[ExpiringBundle] = []
        for bundle in bundles:
            owned = [s for s in secrets if index.owns(bundle, s)]
            owned = await readable(guard, secrets_ref, owned, lambda o: namespace_of(o))
            certs = certificate_inventory(cluster, owned) if owned else []
            # The operator's status first; the Secret itself when no status was written yet.
            not_after = _parse_time(status_of(bundle).get("expiresAt")) or min(
                (c.not_after for c in certs if c.not_after is not None), default=None
            )
            if not_after is None:
                continue
            window = _threshold(bundle, days)
            if not_after - now > window:
                continue
            out.append(
                ExpiringBundle(
                    name=name_of(bundle),
                    namespace=namespace_of(bundle),
                    phase=status_of(bundle).get("phase"),
                    hostnames=[str(h) for h in spec_of(bundle).get("hostnames") or []],
                    not_after=not_after,
                    days_left=(not_after - now) // dt.timedelta(days=1),
                    threshold_days=window / dt.timedelta(days=1),
                    expired=not_after <= now,
                    certificates=certs,
                )
            )
        out.sort(key=lambda b: (b.not_after, b.namespace, b.name))
        return out

    return api


def _threshold(bundle: Obj, days: float | None) -> dt.timedelta:
    if days is not None:
        return dt.timedelta(days=days)
    value = spec_of(bundle).get("expiryAlertThreshold")
    try:
        return long_duration(value) if isinstance(value, str) else DEFAULT_THRESHOLD
    except ValueError:
        return DEFAULT_THRESHOLD


__all__ = ["ExpiringBundle", "certificate_inventory", "long_duration", "router"]
