"""The caller's own console data: saved views (``/views``) and user preferences (``/me``).

Any authenticated caller may use these; what they see is theirs plus views others shared.
The console user is the config DB's user whose subject is the caller's username, created
on first use.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field

from ngf_console.api.auth import Guard, get_guard
from ngf_console.api.state import StoreDep
from ngf_console.store import SavedView, SavedViewInput, Store, User

CallerDep = Annotated[Guard, Depends(get_guard)]


class Me(User):
    """The calling user, with what the identity provider says about them."""

    username: str
    groups: list[str]
    auth_mode: str


class MeUpdate(BaseModel):
    """New preferences (they replace the old ones as a whole)."""

    model_config = ConfigDict(extra="forbid")

    preferences: dict[str, Any] = Field(description="The UI's preferences, as it keeps them.")


async def _user(store: Store, guard: Guard) -> User:
    return await store.users.get_or_create(guard.principal.username)


def _me(user: User, guard: Guard) -> Me:
    principal = guard.principal
    return Me(
        **user.model_dump(),
        username=principal.username,
        groups=list(principal.groups),
        auth_mode=str(principal.mode),
    )


async def _owned(store: Store, view_id: uuid.UUID, user: User) -> SavedView:
    """The view if ``user`` owns it; 403 if they only see it (shared), 404 otherwise."""
    view = await store.saved_views.get(view_id, viewer_id=user.id)
    if view is None:
        raise HTTPException(status_code=404, detail={"message": f"no saved view {view_id}"})
    if view.user_id != user.id:
        raise HTTPException(
            status_code=403, detail={"message": "only its owner may change a shared view"}
        )
    return view


def router() -> APIRouter:
    """``/views`` and ``/me`` routes."""
    routes = APIRouter(tags=["views"])

    @routes.get("/views", response_model=list[SavedView])
    async def list_views(
        store: StoreDep, guard: CallerDep, view_type: str | None = None
    ) -> list[SavedView]:
        user = await _user(store, guard)
        return await store.saved_views.list_visible(user.id, view_type=view_type)

    @routes.post("/views", response_model=SavedView, status_code=201)
    async def create_view(body: SavedViewInput, store: StoreDep, guard: CallerDep) -> SavedView:
        user = await _user(store, guard)
        return await store.saved_views.create(user.id, body)

    @routes.get("/views/{view_id}", response_model=SavedView)
    async def get_view(view_id: uuid.UUID, store: StoreDep, guard: CallerDep) -> SavedView:
        user = await _user(store, guard)
        view = await store.saved_views.get(view_id, viewer_id=user.id)
        if view is None:
            raise HTTPException(status_code=404, detail={"message": f"no saved view {view_id}"})
        return view

    @routes.put("/views/{view_id}", response_model=SavedView)
    async def replace_view(
        view_id: uuid.UUID, body: SavedViewInput, store: StoreDep, guard: CallerDep
    ) -> SavedView:
        user = await _user(store, guard)
        await _owned(store, view_id, user)
        updated = await store.saved_views.update(view_id, body, owner_id=user.id)
        if updated is None:  # deleted meanwhile
            raise HTTPException(status_code=404, detail={"message": f"no saved view {view_id}"})
        return updated

    @routes.delete("/views/{view_id}", status_code=204)
    async def delete_view(view_id: uuid.UUID, store: StoreDep, guard: CallerDep) -> Response:
        user = await _user(store, guard)
        await _owned(store, view_id, user)
        await store.saved_views.delete(view_id, owner_id=user.id)
        return Response(status_code=204)

    @routes.get("/me", response_model=Me)
    async def get_me(store: StoreDep, guard: CallerDep) -> Me:
        return _me(await _user(store, guard), guard)

    @routes.put("/me", response_model=Me)
    async def put_me(body: MeUpdate, store: StoreDep, guard: CallerDep) -> Me:
        user = await _user(store, guard)
        updated = await store.users.update_preferences(user.id, body.preferences, replace=True)
        if updated is None:
            raise HTTPException(status_code=404, detail={"message": "the user is gone"})
        return _me(updated, guard)

    return routes
