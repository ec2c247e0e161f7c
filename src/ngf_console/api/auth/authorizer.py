"""May this principal do this to that kind of resource in that namespace? One class per mode.

Role model (modes ``none`` and ``oidc``; bindings are additive):

* A binding grants its role in the namespaces it lists; ``"*"`` grants it in every
  namespace *and* on cluster-scoped resources (``namespace=None``, which also stands for
  "across all namespaces").
* Viewer reads. Operator reads and writes. Admin reads and writes, and is the only role
  that writes cluster-scoped resources.

In mode ``kubernetes`` the cluster decides: a SubjectAccessReview asks it whether the user
may perform the Kubernetes verb, and answers are cached for a few seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Protocol

import httpx2
from lightkube import ApiError, AsyncClient
from lightkube.models.authorization_v1 import ResourceAttributes, SubjectAccessReviewSpec
from lightkube.resources.authorization_v1 import SubjectAccessReview

from ngf_console.api.auth.cache import Clock, TtlCache
from ngf_console.api.auth.errors import AuthUnavailable, NotAuthorized
from ngf_console.api.auth.principal import Action, Principal, ResourceRef, Role
from ngf_console.api.auth.settings import ALL_NAMESPACES, RoleBinding

log = logging.getLogger(__name__)

WRITE_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})


def default_verb(action: Action, *, name: str | None = None) -> str:
    """The Kubernetes verb an action stands for when the caller names none.

    Reading one object is ``get``, reading a collection ``list``; writing a named object is
    ``update``, writing without a name ``create``. Deletes and patches must say so.
    """
    if action is Action.READ:
        return "get" if name else "list"
    return "update" if name else "create"


def describe(
    principal: Principal,
    action: Action,
    resource: ResourceRef,
    namespace: str | None,
    verb: str | None = None,
) -> str:
    """A sentence for a 403: who may not do what, where."""
    where = f"in namespace {namespace!r}" if namespace else "cluster-wide"
    return f"{principal.username!r} may not {verb or action.value} {resource} {where}"


class Authorizer(Protocol):
    """Decides whether a principal may act on a kind of resource in a namespace."""

    async def allowed(
        self,
        principal: Principal,
        action: Action,
        *,
        resource: ResourceRef,
        namespace: str | None,
        name: str | None = None,
        verb: str | None = None,
    ) -> bool:
        """Whether the request is allowed (``namespace=None``: cluster-scoped or all)."""
        ...


async def authorize(
    authorizer: Authorizer,
    principal: Principal,
    action: Action,
    *,
    resource: ResourceRef,
    namespace: str | None,
    name: str | None = None,
    verb: str | None = None,
) -> None:
    """Return if the request is allowed.

    Raises:
        NotAuthorized: it is not (403, saying who may not do what where).
    """
    permitted = await authorizer.allowed(
        principal, action, resource=resource, namespace=namespace, name=name, verb=verb
    )
    if not permitted:
        raise NotAuthorized(describe(principal, action, resource, namespace, verb))


class AllowAll:
    """Mode ``none``: the anonymous loopback caller is an admin everywhere."""

    async def allowed(
        self,
        principal: Principal,
        action: Action,
        *,
        resource: ResourceRef,
        namespace: str | None,
        name: str | None = None,
        verb: str | None = None,
    ) -> bool:
        """Always ``True``."""
        return True


class RoleBindingAuthorizer:
    """Mode ``oidc``: the principal's groups, mapped to roles per namespace by configuration."""

    def __init__(self, bindings: Iterable[RoleBinding]) -> None:
        self._bindings = tuple(bindings)

    def roles(self, groups: Iterable[str], namespace: str | None) -> set[Role]:
        """The roles ``groups`` hold in ``namespace`` (``None``: cluster-wide, ``"*"`` only)."""
        member_of = set(groups)
        return {
            binding.role
            for binding in self._bindings
            if binding.group in member_of
            and (
                ALL_NAMESPACES in binding.namespaces
                or (namespace is not None and namespace in binding.namespaces)
            )
        }

    async def allowed(
        self,
        principal: Principal,
        action: Action,
        *,
        resource: ResourceRef,
        namespace: str | None,
        name: str | None = None,
        verb: str | None = None,
    ) -> bool:
        """Any role reads; Operator and Admin write in namespaces; only Admin cluster-wide."""
        roles = self.roles(principal.groups, namespace)
        if action is Action.READ:
            return bool(roles)
        if namespace is None:
            return Role.ADMIN in roles
        return bool(roles & WRITE_ROLES)


SarKey = tuple[
    str,
    tuple[str, ...],
    str | None,
    tuple[tuple[str, tuple[str, ...]], ...],
    str,
    str,
    str,
    str,
    str,
]


class SubjectAccessReviewAuthorizer:
    """Mode ``kubernetes``: the cluster's RBAC, asked with a SubjectAccessReview.

    Used where the console answers from data it read with its own rights (its cache): that
    data must not reach users the cluster would not show it to. Writes to Kubernetes go
    through an impersonating client, so the API server authorizes them again as the user.
    ``client`` is the console's own; it needs ``create`` on
    ``subjectaccessreviews.authorization.k8s.io``. Answers, both ways, are cached for
    ``cache_seconds``.
    """

    def __init__(
        self, client: AsyncClient, *, cache_seconds: float = 10.0, clock: Clock = time.monotonic
    ) -> None:
        self._client = client
        self._cache: TtlCache[SarKey, bool] = TtlCache(cache_seconds, clock=clock)
        self.review_count = 0
        """How many SubjectAccessReviews were sent (observability and tests)."""

    async def allowed(
        self,
        principal: Principal,
        action: Action,
        *,
        resource: ResourceRef,
        namespace: str | None,
        name: str | None = None,
        verb: str | None = None,
    ) -> bool:
        """What the cluster answers for the user, verb, resource and namespace."""
        identity = principal.kubernetes
        username = identity.username if identity else principal.username
        groups = identity.groups if identity else principal.groups
        uid = identity.uid if identity else None
        extra = dict(identity.extra) if identity else {}
        kube_verb = verb or default_verb(action, name=name)
        key: SarKey = (
            username,
            groups,
            uid,
            tuple(sorted(extra.items())),
            kube_verb,
            resource.group,
            resource.plural,
            namespace or "",
            name or "",
        )
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        review = SubjectAccessReview(
            spec=SubjectAccessReviewSpec(
                user=username,
                groups=list(groups),
                uid=uid,
                extra={k: list(v) for k, v in extra.items()} or None,
                resourceAttributes=ResourceAttributes(
                    verb=kube_verb,
                    group=resource.group,
                    resource=resource.plural,
                    namespace=namespace or "",
                    name=name,
                ),
            )
        )
        try:
            self.review_count += 1
            result = await self._client.create(review)
        except ApiError as err:
            raise AuthUnavailable(
                f"SubjectAccessReview failed: {err.status.code} {err.status.reason}"
            ) from err
        except httpx2.HTTPError as err:
            raise AuthUnavailable(f"SubjectAccessReview failed: {type(err).__name__}") from err
        status = result.status
        permitted = bool(status and status.allowed and not status.denied)
        if status is not None and status.evaluationError:
            log.warning("SubjectAccessReview for %s: %s", username, status.evaluationError)
        self._cache.put(key, permitted)
        return permitted
