"""Everything the API server needs to authenticate and authorize, built once per app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from lightkube import AsyncClient, KubeConfig
from lightkube.config.kubeconfig import SingleConfig

from ngf_console.api.auth.authenticators import (
    Authenticator,
    KubernetesTokenAuthenticator,
    NoAuth,
    OidcAuthenticator,
)
from ngf_console.api.auth.authorizer import (
    AllowAll,
    Authorizer,
    RoleBindingAuthorizer,
    SubjectAccessReviewAuthorizer,
)
from ngf_console.api.auth.impersonation import client_for_identity
from ngf_console.api.auth.principal import AuthMode, Principal
from ngf_console.api.auth.settings import AuthSettings

FIELD_MANAGER = "ngf-console"


@dataclass
class AuthContext:
    """Settings, authenticator and authorizer of one app; lives on ``app.state.auth``.

    ``kube_config`` is the console's own cluster configuration and ``server_client`` a
    client made from it; in kubernetes mode they send TokenReviews and
    SubjectAccessReviews, and ``kube_config`` is the base of the impersonating clients.
    """

    settings: AuthSettings
    authenticator: Authenticator
    authorizer: Authorizer
    kube_config: KubeConfig | SingleConfig | None = None
    server_client: AsyncClient | None = None
    _owned_client: AsyncClient | None = field(default=None, repr=False)

    @classmethod
    def from_settings(
        cls,
        settings: AuthSettings,
        *,
        kube_config: KubeConfig | SingleConfig | None = None,
        server_client: AsyncClient | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> AuthContext:
        """Build the context for ``settings.mode``.

        ``server_client`` defaults to a new client from ``kube_config`` (closed by
        :meth:`aclose`); kubernetes mode needs one or the other. ``http`` is the client
        OIDC mode fetches discovery and keys with (default: its own).

        Raises:
            ValueError: kubernetes mode without a cluster configuration.
        """
        owned: AsyncClient | None = None
        if server_client is None and kube_config is not None:
            server_client = owned = AsyncClient(kube_config, field_manager=FIELD_MANAGER)
        authenticator: Authenticator
        authorizer: Authorizer
        if settings.mode is AuthMode.NONE:
            authenticator, authorizer = NoAuth(), AllowAll()
        elif settings.mode is AuthMode.OIDC:
            assert settings.oidc is not None  # the settings validator guarantees it
            authenticator = OidcAuthenticator(settings.oidc, http=http)
            authorizer = RoleBindingAuthorizer(settings.oidc.role_bindings)
        else:
            if server_client is None or kube_config is None:
                raise ValueError("auth mode 'kubernetes' needs the console's kubeconfig")
            kube = settings.kubernetes
            authenticator = KubernetesTokenAuthenticator(
                server_client, audiences=kube.audiences, cache_seconds=kube.token_cache_seconds
            )
            authorizer = SubjectAccessReviewAuthorizer(
                server_client, cache_seconds=kube.access_review_cache_seconds
            )
        return cls(
            settings=settings,
            authenticator=authenticator,
            authorizer=authorizer,
            kube_config=kube_config,
            server_client=server_client,
            _owned_client=owned,
        )

    @asynccontextmanager
    async def kube_client(self, principal: Principal) -> AsyncIterator[AsyncClient]:
        """The client to change Kubernetes objects with on ``principal``'s behalf.

        Kubernetes mode: a new client impersonating the principal (closed on exit), so the
        cluster's RBAC decides and a 403 comes back from the API server. Other modes: the
        console's own client, the authorizer having decided already.

        Raises:
            RuntimeError: no cluster configuration was given.
        """
        if self.settings.mode is AuthMode.KUBERNETES:
            if self.kube_config is None or principal.kubernetes is None:
                raise RuntimeError("kubernetes mode needs a kubeconfig and a Kubernetes identity")
            async with client_for_identity(
                self.kube_config, principal.kubernetes, field_manager=FIELD_MANAGER
            ) as client:
                yield client
            return
        if self.server_client is None:
            raise RuntimeError("the auth context was built without a kubeconfig")
        yield self.server_client

    async def aclose(self) -> None:
        """Release the authenticator's connections and the client this context made."""
        await self.authenticator.aclose()
        if self._owned_client is not None:
            await self._owned_client.close()
