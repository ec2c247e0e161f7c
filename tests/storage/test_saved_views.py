"""Saved views: per user, shared ones visible to all, only the owner changes one."""

from __future__ import annotations

import uuid

import pytest

from ngf_console.store import SavedViewInput, SavedViewPatch, Store, UnknownUserError

pytestmark = pytest.mark.anyio

PANELS = {"panels": [{"query": "ttft_p99", "range": "1h", "pos": [0, 0, 6, 4]}], "refresh": 30}


async def test_visibility_and_ownership(store: Store) -> None:
    alice = await store.users.get_or_create("alice")
    bob = await store.users.get_or_create("bob")
    private = await store.saved_views.create(
        alice.id, SavedViewInput(name="a-private", view_type="dashboard", config=PANELS)
    )
    shared = await store.saved_views.create(
        alice.id, SavedViewInput(name="a-shared", view_type="query", shared=True)
    )
    bobs = await store.saved_views.create(
        bob.id, SavedViewInput(name="b-private", view_type="dashboard")
    )

    assert private.user_id == alice.id and private.config == PANELS
    assert [v.id for v in await store.saved_views.list_visible(alice.id)] == [
        private.id,
        shared.id,
    ]
    assert [v.id for v in await store.saved_views.list_visible(bob.id)] == [shared.id, bobs.id]
    assert [v.id for v in await store.saved_views.list_visible(bob.id, view_type="dashboard")] == [
        bobs.id
    ]

    assert await store.saved_views.get(private.id, viewer_id=alice.id) == private
    assert await store.saved_views.get(private.id, viewer_id=bob.id) is None
    assert await store.saved_views.get(shared.id, viewer_id=bob.id) == shared

    # Bob sees Alice's shared view but may not change or delete it.
    assert (
        await store.saved_views.update(shared.id, SavedViewPatch(name="mine"), owner_id=bob.id)
        is None
    )
    assert await store.saved_views.delete(shared.id, owner_id=bob.id) is False
    assert await store.saved_views.get(shared.id, viewer_id=alice.id) == shared


async def test_owner_updates_and_deletes(store: Store) -> None:
    alice = await store.users.get_or_create("alice")
    view = await store.saved_views.create(
        alice.id, SavedViewInput(name="errors", view_type="filter", config={"status": "5xx"})
    )

    patched = await store.saved_views.update(
        view.id, SavedViewPatch(shared=True), owner_id=alice.id
    )
    assert patched is not None
    assert (patched.shared, patched.name, patched.config) == (True, "errors", {"status": "5xx"})

    replaced = await store.saved_views.update(
        view.id, SavedViewInput(name="latency", view_type="dashboard"), owner_id=alice.id
    )
    assert replaced is not None
    assert (replaced.name, replaced.view_type, replaced.config, replaced.shared) == (
        "latency",
        "dashboard",
        {},
        False,
    )

    assert await store.saved_views.delete(view.id, owner_id=alice.id) is True
    assert await store.saved_views.get(view.id, viewer_id=alice.id) is None
    assert await store.saved_views.list_visible(alice.id) == []


async def test_unknown_owner_is_refused(store: Store) -> None:
    with pytest.raises(UnknownUserError):
        await store.saved_views.create(
            uuid.uuid4(), SavedViewInput(name="v", view_type="dashboard")
        )
