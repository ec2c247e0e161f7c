"""A small but real OpenID Connect issuer for tests: discovery, a JWKS, tokens it signs.

Its ASGI app serves ``/.well-known/openid-configuration`` and ``/jwks``; tests mount it on
an ``httpx.ASGITransport`` (unit tier) or run it with uvicorn on 127.0.0.1 (integration).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI

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
        """The issuer's HTTP endpoints."""
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": self.url,
                "jwks_uri": f"{self.url}/jwks",
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            }

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            self.jwks_requests += 1
            return {"keys": [key.public_jwk() for key in self.keys]}

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
