"""Authentication settings (mode, OIDC issuer, role bindings), loadable from YAML."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ngf_console.api.auth.principal import AuthMode, Role

ALL_NAMESPACES = "*"
"""In a role binding's namespaces: every namespace and the cluster-scoped resources."""

SigningAlgorithm = Literal["RS256", "ES256"]
"""The only JWT algorithms accepted: asymmetric, so the console never holds a signing secret."""


class RoleBinding(BaseModel):
    """Members of ``group`` have ``role`` in ``namespaces`` (``"*"``: everywhere)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str = Field(min_length=1)
    role: Role
    namespaces: list[str] = Field(min_length=1)


class OidcSettings(BaseModel):
    """How to verify tokens from an OpenID Connect issuer and map their groups to roles."""

    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(min_length=1, description="Must equal the tokens' `iss` claim.")
    audience: str = Field(min_length=1, description="Must be among the tokens' `aud` claim.")
    jwks_url: str | None = Field(
        default=None,
        description="Where the signing keys are; else `jwks_uri` of the issuer's discovery.",
    )
    groups_claim: str = "groups"
    username_claim: str | None = Field(
        default=None, description="Claim naming the user; unset: `email`, falling back to `sub`."
    )
    algorithms: list[SigningAlgorithm] = Field(default=["RS256", "ES256"], min_length=1)
    leeway_seconds: float = Field(default=30.0, ge=0, description="Clock skew allowed.")
    jwks_min_refetch_seconds: float = Field(
        default=10.0,
        ge=0,
        description="An unknown `kid` refetches the JWKS at most this often (a flood of"
        " made-up key ids must not become a flood of requests to the issuer).",
    )
    jwks_max_age_seconds: float = Field(
        default=3600.0, gt=0, description="Keys are refetched after this long regardless."
    )
    role_bindings: list[RoleBinding] = Field(default_factory=list)


class KubernetesAuthSettings(BaseModel):
    """Tuning of kubernetes mode; the cluster's RBAC holds the actual rules."""

    model_config = ConfigDict(extra="forbid")

    audiences: list[str] | None = Field(
        default=None,
        description="Audiences the TokenReview must find in the token; unset: the API"
        " server's own.",
    )
    token_cache_seconds: float = Field(default=10.0, ge=0)
    access_review_cache_seconds: float = Field(default=10.0, ge=0)


class AuthSettings(BaseModel):
    """The ``auth`` section of the API server's configuration."""

    model_config = ConfigDict(extra="forbid")

    mode: AuthMode = AuthMode.NONE
    oidc: OidcSettings | None = None
    kubernetes: KubernetesAuthSettings = Field(default_factory=KubernetesAuthSettings)

    @model_validator(mode="after")
    def _oidc_mode_needs_issuer(self) -> Self:
        if self.mode is AuthMode.OIDC and self.oidc is None:
            raise ValueError("mode 'oidc' needs an 'oidc' section (issuer, audience, ...)")
        return self

    @classmethod
    def from_yaml(cls, text: str) -> AuthSettings:
        """Parse settings from YAML text: either the section itself or a document with ``auth:``."""
        data: Any = yaml.safe_load(text) or {}
        if not isinstance(data, dict):
            raise ValueError("auth settings must be a YAML mapping")
        if "auth" in data and "mode" not in data:
            data = data["auth"] or {}
        return cls.model_validate(data)

    @classmethod
    def from_file(cls, path: Path) -> AuthSettings:
        """Read settings from a YAML file (see :meth:`from_yaml`)."""
        return cls.from_yaml(path.read_text())


class InsecureBindError(ValueError):
    """The server would accept unauthenticated requests from beyond this machine."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is ``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: AuthSettings, host: str) -> None:
    """Refuse to serve without authentication on anything but a loopback address.

    Raises:
        InsecureBindError: ``settings.mode`` is ``none`` and ``host`` is not loopback.
    """
    if settings.mode is AuthMode.NONE and not is_loopback(host):
        raise InsecureBindError(
            f"auth mode 'none' serves every caller as an admin, so it only binds to a loopback"
            f" address (127.0.0.1, ::1, localhost), not {host!r}; configure auth mode"
            f" 'kubernetes' or 'oidc' to listen on {host!r}"
        )
