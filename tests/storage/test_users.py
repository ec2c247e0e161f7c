"""Users: get-or-create by subject (also under concurrency), preferences."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from ngf_console.store import Store

pytestmark = pytest.mark.anyio


async def test_get_or_create_returns_the_same_user(store: Store) -> None:
    created = await store.users.get_or_create(
        "oidc|alice", email="alice@example.com", display_name="Alice"
    )
    again = await store.users.get_or_create("oidc|alice")

    assert again == created
    assert created.preferences == {}
    assert created.created_at.utcoffset() == timedelta(0)
    assert await store.users.get(created.id) == created
    assert await store.users.get_by_subject("oidc|alice") == created
    assert await store.users.get_by_email("alice@example.com") == created
    assert await store.users.get(uuid.uuid4()) is None
    assert await store.users.get_by_email("nobody@example.com") is None


async def test_changed_profile_is_updated(store: Store) -> None:
    created = await store.users.get_or_create("oidc|alice", email="old@example.com")
    updated = await store.users.get_or_create(
        "oidc|alice", email="new@example.com", display_name="Alice"
    )
    assert updated.id == created.id
    assert (updated.email, updated.display_name) == ("new@example.com", "Alice")
    assert updated.updated_at >= created.updated_at
    assert await store.users.get(created.id) == updated


async def test_concurrent_first_sign_ins_create_one_user(store: Store) -> None:
    users = await asyncio.gather(
        *(store.users.get_or_create("oidc|bob", email="bob@example.com") for _ in range(20))
    )
    assert len({u.id for u in users}) == 1


async def test_preferences_merge_remove_and_replace(store: Store) -> None:
    user = await store.users.get_or_create("oidc|alice")
    layout = {"panels": [{"id": "ttft", "w": 6, "h": 4, "opts": {"stacked": True}}]}

    merged = await store.users.update_preferences(
        user.id, {"theme": "dark", "defaultNamespace": "prod", "layout": layout}
    )
    assert merged is not None
    assert merged.preferences == {"theme": "dark", "defaultNamespace": "prod", "layout": layout}

    merged = await store.users.update_preferences(user.id, {"theme": "light", "layout": None})
    assert merged is not None
    assert merged.preferences == {"theme": "light", "defaultNamespace": "prod"}

    replaced = await store.users.update_preferences(user.id, {"theme": "dark"}, replace=True)
    assert replaced is not None and replaced.preferences == {"theme": "dark"}
    fetched = await store.users.get(user.id)
    assert fetched is not None and fetched.preferences == {"theme": "dark"}
    assert await store.users.update_preferences(uuid.uuid4(), {"x": 1}) is None


async def test_concurrent_preference_merges_lose_nothing(store: Store) -> None:
    user = await store.users.get_or_create("oidc|alice")
    await asyncio.gather(
        *(store.users.update_preferences(user.id, {f"key{i}": i}) for i in range(20))
    )
    fetched = await store.users.get(user.id)
    assert fetched is not None
    assert fetched.preferences == {f"key{i}": i for i in range(20)}


async def test_empty_subject_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="subject"):
        await store.users.get_or_create("")
