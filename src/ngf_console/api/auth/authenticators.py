"""Turn a request's ``Authorization`` header into a :class:`Principal`, one class per mode."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol

import httpx
import httpx2
import jwt
from lightkube import ApiError, AsyncClient
from lightkube.models.authentication_v1 import TokenReviewSpec
from lightkube.resources.authentication_v1 import TokenReview

from ngf_console.api.auth.cache import Clock, TtlCache
from ngf_console.api.auth.errors import AuthUnavailable, NotAuthenticated
from ngf_console.api.auth.jwks import JwksCache
from ngf_console.api.auth.principal import AuthMode, KubernetesIdentity, Principal
from ngf_console.api.auth.settings import OidcSettings

log = logging.getLogger(__name__)


class Authenticator(Protocol):
    """Establishes who sent a request."""

    async def authenticate(self, authorization: str | None) -> Principal:
        """The caller behind an ``Authorization`` header value (``None``: header absent).

        Raises:
            NotAuthenticated: no token, or a token that proves nothing (401).
            AuthUnavailable: whatever checks tokens cannot be reached (503).
        """
        ...

    async def aclose(self) -> None:
        """Release connections the authenticator holds."""
        ...


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value.

    Raises:
        NotAuthenticated: the header is absent, of another scheme, or empty.
    """
    if not authorization:
        raise NotAuthenticated("no bearer token in the Authorization header", token_given=False)
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer":
        raise NotAuthenticated("the Authorization header must use the Bearer scheme")
    if not token or any(c.isspace() for c in token):
        raise NotAuthenticated("the Authorization header holds no single bearer token")
    return token


def token_fingerprint(token: str) -> str:
    """A stable, non-reversible name for a token: what caches key on and logs may show."""
    return hashlib.sha256(token.encode()).hexdigest()


ANONYMOUS = Principal(username="anonymous", groups=(), mode=AuthMode.NONE)


class NoAuth:
    """Mode ``none``: every caller is the anonymous admin (allowed only on loopback)."""

    async def authenticate(self, authorization: str | None) -> Principal:
        """Always the anonymous principal; the header is ignored."""
        return ANONYMOUS

    async def aclose(self) -> None:
        """Nothing to release."""


class KubernetesTokenAuthenticator:
    """Mode ``kubernetes``: the cluster's API server says whose token it is (TokenReview).

    ``client`` is the API server's own lightkube client; it needs ``create`` on
    ``tokenreviews.authentication.k8s.io``. Positive reviews are cached for
    ``cache_seconds`` under the token's SHA-256, so a busy UI does not review on every
    request; the token itself is neither kept nor logged.
    """

    def __init__(
        self,
        client: AsyncClient,
        *,
        audiences: list[str] | None = None,
        cache_seconds: float = 10.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._client = client
        self._audiences = audiences
        self._cache: TtlCache[str, Principal] = TtlCache(cache_seconds, clock=clock)
        self.review_count = 0
        """How many TokenReviews were sent (observability and tests)."""

    async def authenticate(self, authorization: str | None) -> Principal:
        """The user the API server knows the bearer token as."""
        token = bearer_token(authorization)
        fingerprint = token_fingerprint(token)
        cached = self._cache.get(fingerprint)
        if cached is not None:
            return cached
        review = TokenReview(spec=TokenReviewSpec(token=token, audiences=self._audiences))
        try:
            self.review_count += 1
            result = await self._client.create(review)
        except ApiError as err:
            raise AuthUnavailable(
                f"TokenReview failed: {err.status.code} {err.status.reason}"
            ) from err
        except httpx2.HTTPError as err:
            raise AuthUnavailable(f"TokenReview failed: {type(err).__name__}") from err
        status = result.status
        user = status.user if status is not None else None
        if status is None or not status.authenticated or user is None or not user.username:
            log.info(
                "token %s… rejected by TokenReview: %s",
                fingerprint[:12],
                status.error if status is not None else "no status",
            )
            raise NotAuthenticated("the Kubernetes API server does not accept this token")
        identity = KubernetesIdentity(
            username=user.username,
            groups=tuple(user.groups or ()),
            uid=user.uid or None,
            extra={key: tuple(values) for key, values in (user.extra or {}).items()},
        )
        principal = Principal(
            username=identity.username,
            groups=identity.groups,
            mode=AuthMode.KUBERNETES,
            kubernetes=identity,
        )
        self._cache.put(fingerprint, principal)
        return principal

    async def aclose(self) -> None:
        """The lightkube client belongs to the caller; nothing to release here."""


_CLAIM_ERRORS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.ImmatureSignatureError, "token not valid yet (nbf/iat in the future)"),
    (jwt.InvalidAudienceError, "token audience does not include this console"),
    (jwt.InvalidIssuerError, "token issued by another issuer"),
    (jwt.InvalidSignatureError, "token signature does not verify"),
    (jwt.DecodeError, "token is not a well-formed signed JWT"),
)


class OidcAuthenticator:
    """Mode ``oidc``: a JWT signed by the configured issuer (RS256 or ES256 only).

    Checks signature (key from the issuer's JWKS by ``kid``), ``iss``, ``aud``, ``exp``
    and ``nbf``. The username is ``username_claim`` (default: ``email``, else ``sub``), the
    groups are ``groups_claim`` (a list or a single string; a dotted path such as
    ``realm_access.roles`` reaches into nested objects).
    """

    def __init__(
        self,
        settings: OidcSettings,
        *,
        http: httpx.AsyncClient | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self._settings = settings
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=5.0)
        self.jwks = JwksCache(
            self._http,
            issuer=settings.issuer,
            jwks_url=settings.jwks_url,
            min_refetch=settings.jwks_min_refetch_seconds,
            max_age=settings.jwks_max_age_seconds,
            clock=clock,
        )

    async def authenticate(self, authorization: str | None) -> Principal:
        """The user named by a verified token's claims."""
        claims = await self.verify(bearer_token(authorization))
        return Principal(
            username=self._username(claims),
            groups=self._groups(claims),
            mode=AuthMode.OIDC,
        )

    async def verify(self, token: str) -> dict[str, Any]:
        """The claims of ``token`` once every check passed.

        Raises:
            NotAuthenticated: with the first check that failed as the reason.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as err:
            raise NotAuthenticated("token is not a well-formed signed JWT") from err
        algorithm = header.get("alg")
        allowed = self._settings.algorithms
        if algorithm not in allowed:
            raise NotAuthenticated(
                f"token signing algorithm {algorithm!r} is not accepted (only {', '.join(allowed)})"
            )
        kid = header.get("kid")
        key = await self.jwks.key_for(kid if isinstance(kid, str) else None)
        if key.algorithm_name != algorithm:
            raise NotAuthenticated(
                f"token says {algorithm} but its key {key.key_id!r} is for {key.algorithm_name}"
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[algorithm],
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.MissingRequiredClaimError as err:
            raise NotAuthenticated(f"token lacks the {err.claim!r} claim") from err
        except jwt.PyJWTError as err:
            raise NotAuthenticated(_claim_error_reason(err)) from err
        return claims

    def _username(self, claims: Mapping[str, Any]) -> str:
        names = (
            [self._settings.username_claim] if self._settings.username_claim else ["email", "sub"]
        )
        for name in names:
            value = claims.get(name)
            if isinstance(value, str) and value:
                return value
        raise NotAuthenticated(f"token has no {' or '.join(repr(n) for n in names)} claim")

    def _groups(self, claims: Mapping[str, Any]) -> tuple[str, ...]:
        value = claim_value(claims, self._settings.groups_claim)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(g, str) for g in value):
            return tuple(value)
        raise NotAuthenticated(
            f"token claim {self._settings.groups_claim!r} is neither a string nor a list of them"
        )

    async def aclose(self) -> None:
        """Close the HTTP client used for discovery and JWKS, if this authenticator made it."""
        if self._owns_http:
            await self._http.aclose()


def claim_value(claims: Mapping[str, Any], name: str) -> object:
    """``claims[name]``, or for a dotted ``name`` not present as such, the nested value."""
    if name in claims:
        return claims[name]
    value: object = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _claim_error_reason(err: jwt.PyJWTError) -> str:
    for kind, reason in _CLAIM_ERRORS:
        if isinstance(err, kind):
            return reason
    return f"token rejected: {err}"
