"""The OIDC issuer's signing keys: discovered, fetched, cached, refetched when they rotate."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
import jwt

from ngf_console.api.auth.cache import Clock
from ngf_console.api.auth.errors import AuthUnavailable, NotAuthenticated

log = logging.getLogger(__name__)

DISCOVERY_PATH = "/.well-known/openid-configuration"


class JwksError(Exception):
    """The issuer's discovery document or key set could not be fetched or understood."""


class JwksCache:
    """Public keys of one issuer by key id.

    Keys are fetched on first use and again after ``max_age`` seconds. A token signed with
    a key id not in the set triggers a refetch (the issuer may have rotated its keys), but
    at most once per ``min_refetch`` seconds, so made-up key ids cannot flood the issuer.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        issuer: str,
        jwks_url: str | None = None,
        min_refetch: float = 10.0,
        max_age: float = 3600.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._http = http
        self._issuer = issuer
        self._jwks_url = jwks_url
        self._min_refetch = min_refetch
        self._max_age = max_age
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetch_count = 0
        """How many times the key set was fetched (observability and tests)."""

    async def key_for(self, kid: str | None) -> jwt.PyJWK:
        """The key that signed a token whose header names ``kid``.

        Raises:
            NotAuthenticated: no such key, even after refetching.
            AuthUnavailable: the keys were never fetched and the issuer cannot be reached.
        """
        await self._refresh(older_than=self._max_age, reason="first use or max age")
        key = self._lookup(kid)
        if key is None:
            await self._refresh(older_than=self._min_refetch, reason="unknown key id")
            key = self._lookup(kid)
        if key is None:
            if kid is None:
                raise NotAuthenticated("token names no key id ('kid') and the issuer has several")
            raise NotAuthenticated(f"token signed with key id {kid!r}, unknown to the issuer")
        return key

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _fresh(self, older_than: float) -> bool:
        return self._fetched_at is not None and self._clock() - self._fetched_at < older_than

    async def _refresh(self, *, older_than: float, reason: str) -> None:
        """Fetch the keys unless they were fetched less than ``older_than`` seconds ago."""
        if self._fresh(older_than):
            return
        async with self._lock:
            # Another request may have refreshed while this one waited for the lock.
            if self._fresh(older_than):
                return
            started = self._clock()
            try:
                keys = await self._fetch()
            except JwksError as err:
                if not self._keys:
                    raise AuthUnavailable(f"cannot fetch the issuer's signing keys: {err}") from err
                # Keep serving with the keys we have; the issuer may be briefly down.
                log.warning(
                    "JWKS refresh (%s) failed, keeping %d keys: %s", reason, len(self._keys), err
                )
                self._fetched_at = started
                return
            self._keys = keys
            self._fetched_at = started
            self.fetch_count += 1
            log.info("fetched %d signing keys of %s (%s)", len(keys), self._issuer, reason)

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        url = self._jwks_url or await self._discover_jwks_url()
        document = await self._get_json(url)
        raw_keys = document.get("keys")
        if not isinstance(raw_keys, list):
            raise JwksError(f"{url} has no 'keys' list")
        keys: dict[str, jwt.PyJWK] = {}
        for raw in raw_keys:
            key = _signing_key(raw)
            if key is not None:
                keys[key.key_id or ""] = key
        if not keys:
            raise JwksError(f"{url} holds no usable RSA or EC signing key")
        return keys

    async def _discover_jwks_url(self) -> str:
        url = self._issuer.rstrip("/") + DISCOVERY_PATH
        document = await self._get_json(url)
        # OpenID Connect Discovery §4.3: the document must name the very issuer asked for.
        if document.get("issuer") != self._issuer:
            raise JwksError(f"{url} names issuer {document.get('issuer')!r}, not {self._issuer!r}")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise JwksError(f"{url} has no 'jwks_uri'")
        self._jwks_url = jwks_uri
        return jwks_uri

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as err:
            raise JwksError(f"GET {url}: {err}") from err
        if not isinstance(document, dict):
            raise JwksError(f"{url} is not a JSON object")
        return document


def _signing_key(raw: object) -> jwt.PyJWK | None:
    """A JWK usable to verify signatures, or ``None`` for keys that are not (or are broken)."""
    if not isinstance(raw, dict) or raw.get("use", "sig") != "sig":
        return None
    # Symmetric keys in a public key set would be a misconfiguration; never verify with one.
    if raw.get("kty") not in ("RSA", "EC"):
        return None
    try:
        return jwt.PyJWK(raw)
    except jwt.PyJWTError as err:
        log.warning("ignoring unusable JWK %r: %s", raw.get("kid"), err)
        return None
