"""OIDC token verification: every check that must turn a token away does, and says why."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from auth_oidc_issuer import AUDIENCE, Issuer, new_key
from ngf_console.api.auth import AuthMode, AuthUnavailable, NotAuthenticated, Principal
from ngf_console.api.auth.authenticators import OidcAuthenticator
from ngf_console.api.auth.settings import OidcSettings

ISSUER_URL = "http://issuer.test"
T = TypeVar("T")


def _run(
    issuer: Issuer,
    scenario: Callable[[OidcAuthenticator], Awaitable[T]],
    clock: Callable[[], float] | None = None,
    **settings: Any,
) -> T:
    async def main() -> T:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=issuer.app()))
        oidc = OidcSettings(issuer=ISSUER_URL, audience=AUDIENCE, **settings)
        kwargs = {"clock": clock} if clock else {}
        authenticator = OidcAuthenticator(oidc, http=http, **kwargs)
        try:
            return await scenario(authenticator)
        finally:
            await http.aclose()

    return asyncio.run(main())


def _authenticate(issuer: Issuer, token: str, **settings: Any) -> Principal:
    async def scenario(authenticator: OidcAuthenticator) -> Principal:
        return await authenticator.authenticate(f"Bearer {token}")

    return _run(issuer, scenario, **settings)


def _rejection(issuer: Issuer, token: str, **settings: Any) -> NotAuthenticated:
    with pytest.raises(NotAuthenticated) as caught:
        _authenticate(issuer, token, **settings)
    error = caught.value
    assert error.status_code == 401
    assert error.headers is not None
    assert error.headers["WWW-Authenticate"].startswith('Bearer realm="ngf-console"')
    assert token not in str(error.detail) and token not in error.headers["WWW-Authenticate"]
    return error


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_valid_token_names_user_and_groups() -> None:
    issuer = Issuer(ISSUER_URL)
    principal = _authenticate(issuer, issuer.token(groups=["team-a-ops", "all-viewers"]))
    assert principal == Principal(
        username="ada@example.com", groups=("team-a-ops", "all-viewers"), mode=AuthMode.OIDC
    )


def test_es256_tokens_are_accepted() -> None:
    issuer = Issuer(ISSUER_URL, keys=[new_key("ES256")])
    assert _authenticate(issuer, issuer.token()).username == "ada@example.com"


def test_username_falls_back_to_sub_or_uses_the_configured_claim() -> None:
    issuer = Issuer(ISSUER_URL)
    assert _authenticate(issuer, issuer.token(email=None)).username == "user-123"
    configured = issuer.token(preferred_username="ada")
    assert _authenticate(issuer, configured, username_claim="preferred_username").username == "ada"
    error = _rejection(issuer, issuer.token(email=None, sub=None))
    assert "'email' or 'sub'" in error.reason


def test_groups_from_a_nested_claim_or_a_single_string() -> None:
    issuer = Issuer(ISSUER_URL)
    nested = issuer.token(realm_access={"roles": ["ops"]})
    assert _authenticate(issuer, nested, groups_claim="realm_access.roles").groups == ("ops",)
    assert _authenticate(issuer, issuer.token(groups="ops")).groups == ("ops",)
    assert _authenticate(issuer, issuer.token(groups=None)).groups == ()
    _rejection(issuer, issuer.token(groups=[1, 2]))


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": 1_000_000}, "token expired"),
        ({"aud": "someone-else"}, "audience"),
        ({"iss": "http://evil.test"}, "another issuer"),
        ({"nbf": 4_000_000_000}, "not valid yet"),
        ({"exp": None}, "lacks the 'exp' claim"),
        ({"aud": None}, "lacks the 'aud' claim"),
    ],
)
def test_claims_that_turn_a_token_away(claims: dict[str, Any], reason: str) -> None:
    issuer = Issuer(ISSUER_URL)
    assert reason in _rejection(issuer, issuer.token(**claims)).reason


def test_expiry_allows_the_configured_clock_skew() -> None:
    issuer = Issuer(ISSUER_URL)
    token = issuer.token(exp=int(issuer.claims()["iat"]) - 10)
    assert _authenticate(issuer, token, leeway_seconds=60).username == "ada@example.com"
    _rejection(issuer, token, leeway_seconds=0)


def test_unsigned_token_alg_none_is_refused() -> None:
    issuer = Issuer(ISSUER_URL)
    token = jwt.encode(issuer.claims(), key="", algorithm="none")
    assert "'none' is not accepted" in _rejection(issuer, token).reason


def test_hs256_signed_with_the_public_key_is_refused() -> None:
    # The classic algorithm confusion: HMAC keyed with the issuer's *public* key, which anyone
    # can fetch. Built by hand, since PyJWT rightly refuses to sign like this.
    issuer = Issuer(ISSUER_URL)
    public_pem = (
        issuer.keys[0]
        .private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": issuer.keys[0].kid}
    signing_input = (
        f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(issuer.claims()).encode())}"
    )
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{_b64(signature)}"
    assert "'HS256' is not accepted" in _rejection(issuer, token).reason


def test_token_signed_by_another_key_under_a_published_kid_is_refused() -> None:
    issuer = Issuer(ISSUER_URL)
    impostor = new_key()
    token = issuer.token(impostor, kid=issuer.keys[0].kid)
    assert _rejection(issuer, token).reason == "token signature does not verify"


def test_algorithm_must_match_the_keys_type() -> None:
    issuer = Issuer(ISSUER_URL, keys=[new_key("ES256")])
    rsa_token = issuer.token(new_key("RS256"), kid=issuer.keys[0].kid)
    assert "is for ES256" in _rejection(issuer, rsa_token).reason


def test_garbage_and_missing_tokens() -> None:
    issuer = Issuer(ISSUER_URL)
    assert "well-formed" in _rejection(issuer, "not-a-jwt").reason

    async def missing(authenticator: OidcAuthenticator) -> NotAuthenticated:
        with pytest.raises(NotAuthenticated) as caught:
            await authenticator.authenticate(None)
        return caught.value

    error = _run(issuer, missing)
    assert error.headers == {"WWW-Authenticate": 'Bearer realm="ngf-console"'}


def test_rotated_keys_are_fetched_once_for_an_unknown_kid() -> None:
    issuer = Issuer(ISSUER_URL)
    now = [0.0]

    async def scenario(authenticator: OidcAuthenticator) -> list[int]:
        fetches = []
        await authenticator.authenticate(f"Bearer {issuer.token()}")
        fetches.append(issuer.jwks_requests)
        new = issuer.rotate()
        now[0] = 20.0
        await authenticator.authenticate(f"Bearer {issuer.token(new)}")  # refetches
        fetches.append(issuer.jwks_requests)
        await authenticator.authenticate(f"Bearer {issuer.token(new)}")  # cached
        fetches.append(issuer.jwks_requests)
        for made_up in ("kid-1", "kid-2", "kid-3"):  # within min_refetch: no request each
            with pytest.raises(NotAuthenticated, match="unknown to the issuer"):
                await authenticator.authenticate(f"Bearer {issuer.token(kid=made_up)}")
        fetches.append(issuer.jwks_requests)
        now[0] = 40.0
        with pytest.raises(NotAuthenticated, match="unknown to the issuer"):
            await authenticator.authenticate(f"Bearer {issuer.token(kid='kid-4')}")
        fetches.append(issuer.jwks_requests)
        return fetches

    assert _run(issuer, scenario, clock=lambda: now[0]) == [1, 2, 2, 2, 3]


def test_discovery_naming_another_issuer_is_unavailable_not_trusted() -> None:
    issuer = Issuer("http://impostor.test")

    async def scenario(authenticator: OidcAuthenticator) -> AuthUnavailable:
        with pytest.raises(AuthUnavailable) as caught:
            await authenticator.authenticate(f"Bearer {issuer.token(iss=ISSUER_URL)}")
        return caught.value

    error = _run(issuer, scenario)
    assert error.status_code == 503
    assert "names issuer 'http://impostor.test'" in error.reason


def test_configured_jwks_url_skips_discovery() -> None:
    # This issuer's discovery document would be refused (it names another issuer).
    issuer = Issuer("http://impostor.test")
    token = issuer.token(iss=ISSUER_URL)
    assert _authenticate(issuer, token, jwks_url=f"{ISSUER_URL}/jwks").username == "ada@example.com"
