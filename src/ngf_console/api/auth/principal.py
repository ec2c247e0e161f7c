"""Who is calling, what they may be, and what they want to do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class AuthMode(StrEnum):
    """How the API server establishes who a caller is."""

    NONE = "none"
    """No authentication: an anonymous admin, allowed only on a loopback address."""
    KUBERNETES = "kubernetes"
    """Bearer tokens checked with a TokenReview; Kubernetes calls made as the user."""
    OIDC = "oidc"
    """Bearer JWTs verified against the issuer's JWKS; roles from a groups claim."""


class Role(StrEnum):
    """The console's role model (spec §5.2), granted per namespace by role bindings."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"


class Action(StrEnum):
    """What a request does to a resource: look at it or change it."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class ResourceRef:
    """A kind of resource, named the way Kubernetes RBAC names it.

    ``group`` is the API group (``""`` for the core group), ``plural`` the resource
    (``"gateways"``, ``"configmaps"``). Resources that only the console knows (audit log,
    alert rules) get a name in the console's group, so that kubernetes mode can grant them
    with ordinary RBAC rules too.
    """

    group: str
    plural: str

    def __str__(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural


@dataclass(frozen=True)
class KubernetesIdentity:
    """The user as the API server's TokenReview reported it: what impersonation replays."""

    username: str
    groups: tuple[str, ...] = ()
    uid: str | None = None
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    ``kubernetes`` is set in kubernetes mode only: it is the identity impersonated on every
    Kubernetes call made for this caller, so that the cluster's own RBAC decides.
    """

    username: str
    groups: tuple[str, ...]
    mode: AuthMode
    kubernetes: KubernetesIdentity | None = None
