"""A small but real OpenID Connect issuer for tests: discovery, a JWKS, tokens it signs.

Its ASGI app serves ``/.well-known/openid-configuration`` and ``/jwks``; tests mount it on
an ``httpx.ASGITransport`` (unit tier) or run it with uvicorn on 127.0.0.1 (integration).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse

AUDIENCE = "ngf-console"

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass
class IssuerKey:
    kid: str
    algorithm: str
    private: SigningKey

    def public_jwk(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.algorithm)
        jwk: dict[str, Any] = json.loads(algorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}


def new_key(algorithm: str = "RS256") -> IssuerKey:
    """A freshly generated signing key (RSA 2048 or EC P-256) with a random key id."""
    private: SigningKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if algorithm == "RS256"
        else ec.generate_private_key(ec.SECP256R1())
    )
    return IssuerKey(kid=uuid.uuid4().hex[:12], algorithm=algorithm, private=private)


@dataclass
class Issuer:
    """The issuer at ``url``; ``keys`` are published, the first one signs by default."""

    url: str
    keys: list[IssuerKey] = field(default_factory=lambda: [new_key()])
    jwks_requests: int = 0
    login: dict[str, Any] = field(default_factory=dict)
    """Claims of whoever "logs in" at /authorize (the test's user; no login form)."""
    _codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rotate(self, algorithm: str = "RS256") -> IssuerKey:
        """Replace every published key by a new one, as an issuer's key rotation does."""
        self.keys = [new_key(algorithm)]
        return self.keys[0]

    def claims(self, **overrides: Any) -> dict[str, Any]:
        """Valid claims for the console's audience, then ``overrides`` (None removes)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "user-123",
            "email": "ada@example.com",
            "groups": [],
            "iat": now,
            "nbf": now,
            "exp": now + 300,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, key: IssuerKey | None = None, *, kid: str | None = None, **claims: Any) -> str:
        """A token signed with ``key`` (default: the first published one)."""
        key = key or self.keys[0]
        return jwt.encode(
            self.claims(**claims),
            key.private,
            algorithm=key.algorithm,
            headers={"kid": kid or key.kid},
        )

    def app(self) -> FastAPI:
        """The issuer's HTTP endpoints: discovery, JWKS, and the authorization code flow
        with PKCE (S256) for a public client, logging in :attr:`login` without a form."""
        app = FastAPI()
        # A browser app reads discovery, keys and the token endpoint across origins.
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"])

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": self.url,
                "jwks_uri": f"{self.url}/jwks",
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            }

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            self.jwks_requests += 1
            return {"keys": [key.public_jwk() for key in self.keys]}

        @app.get("/authorize")
        async def authorize(request: Request) -> Response:
            q = request.query_params
            if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
                return JSONResponse({"error": "unsupported_response_type"}, status_code=400)
            code = secrets.token_urlsafe(16)
            self._codes[code] = {
                "client_id": q.get("client_id"),
                "redirect_uri": q.get("redirect_uri"),
                "challenge": q.get("code_challenge"),
                "nonce": q.get("nonce"),
            }
            query = urlencode({"code": code, "state": q.get("state", "")})
            return RedirectResponse(f"{q.get('redirect_uri')}?{query}", status_code=302)

        @app.post("/token")
        async def token(request: Request) -> Response:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            grant = self._codes.pop(form.get("code", ""), None)  # a code is redeemed once
            if (
                grant is None
                or form.get("grant_type") != "authorization_code"
                or form.get("client_id") != grant["client_id"]
                or form.get("redirect_uri") != grant["redirect_uri"]
                or _s256(form.get("code_verifier", "")) != grant["challenge"]
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            claims = {**self.login, "aud": grant["client_id"]}
            if grant["nonce"]:
                claims["nonce"] = grant["nonce"]
            id_token = self.token(**claims)
            return JSONResponse(
                {
                    "access_token": id_token,
                    "id_token": id_token,
                    "token_type": "Bearer",
                    "expires_in": 300,
                }
            )

        return app


@contextmanager
def served_issuer() -> Iterator[Issuer]:
    """A local OIDC issuer (discovery + real JWKS) served by uvicorn on 127.0.0.1."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    issuer = Issuer(f"http://127.0.0.1:{sock.getsockname()[1]}")
    server = uvicorn.Server(uvicorn.Config(issuer.app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the issuer did not start")
        time.sleep(0.02)
    try:
        yield issuer
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _s256(verifier: str) -> str:
    """The PKCE S256 challenge of ``verifier`` (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
