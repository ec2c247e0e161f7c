"""What the UI needs to sign a user in, and to know what that user may do.

- ``GET /api/v1/auth`` (no authentication): the auth mode and, in OIDC mode, the issuer
  and the client id (the tokens' audience) a browser signs in with. Nothing secret.
- ``GET /api/v1/me/permissions``: for every kind the console writes, whether the caller
  may read and change it in a namespace (or cluster-wide). The UI greys what the caller
  may not do; the API enforces it on every route regardless.
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations.
import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from ngf_console.api.auth import Action, AuthMode, Guard, ResourceRef, get_guard
from ngf_console.api.routers.audit import writable_types


class OidcLogin(BaseModel):
    """Where a browser gets a token in OIDC mode."""

    issuer: str
    client_id: str = Field(description="The tokens' audience, i.e. the console's client id.")


class AuthInfo(BaseModel):
    """How to authenticate to this API."""

    mode: AuthMode
    oidc: OidcLogin | None = None


class Permission(BaseModel):
    """What the caller may do with one kind."""

    kind: str
    group: str
    plural: str
    read: bool
    write: bool


class Permissions(BaseModel):
    """The caller's rights per kind in ``namespace`` (None: cluster-wide rights)."""

    namespace: str | None
    items: list[Permission]


def public_router() -> APIRouter:
    """``/auth``: unauthenticated, under the default prefix only."""
    routes = APIRouter(tags=["console"])

    @routes.get("/auth", response_model=AuthInfo)
    async def auth_info(request: Request) -> AuthInfo:
        settings = request.app.state.auth.settings
        oidc = settings.oidc
        return AuthInfo(
            mode=settings.mode,
            oidc=(
                OidcLogin(issuer=oidc.issuer, client_id=oidc.audience)
                if settings.mode is AuthMode.OIDC and oidc is not None
                else None
            ),
        )

    return routes


def router() -> APIRouter:
    """``/me/permissions`` (cluster-relative: mounted under both prefixes)."""
    routes = APIRouter(tags=["console"])

    @routes.get("/me/permissions", response_model=Permissions)
    async def permissions(
        guard: Annotated[Guard, Depends(get_guard)],
        namespace: Annotated[
            str | None, Query(description="One namespace (default: cluster-wide rights).")
        ] = None,
    ) -> Permissions:
        types = sorted(writable_types().values(), key=lambda t: t.kind)

        async def rights(action: Action, ref: ResourceRef) -> bool:
            return await guard.allowed(action, ref, namespace)

        refs = [ResourceRef(t.group, t.plural) for t in types]
        reads = await asyncio.gather(*(rights(Action.READ, r) for r in refs))
        writes = await asyncio.gather(*(rights(Action.WRITE, r) for r in refs))
        return Permissions(
            namespace=namespace,
            items=[
                Permission(kind=t.kind, group=t.group, plural=t.plural, read=r, write=w)
                for t, r, w in zip(types, reads, writes, strict=True)
            ],
        )

    return routes
