"""The audit log: full objects stored, bookkeeping-free diffs, filters, paging, concurrency."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from ngf_console.store import AuditAction, Store, UnknownUserError, restorable

pytestmark = pytest.mark.anyio


def _route(hostname: str, *, resource_version: str = "1") -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {
            "name": "shop",
            "namespace": "prod",
            "uid": "4a1c-uid",
            "resourceVersion": resource_version,
            "generation": int(resource_version),
            "creationTimestamp": "2026-02-01T10:00:00Z",
            "managedFields": [{"manager": "ngf-console", "operation": "Apply"}],
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": f'{{"host":"{hostname}"}}',
                "team": "shop",
            },
        },
        "spec": {"hostnames": [hostname], "rules": [{"backendRefs": [{"name": "web"}]}]},
        "status": {"parents": []},
    }


async def _record(store: Store, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "user_id": None,
        "action": AuditAction.UPDATE,
        "kind": "HTTPRoute",
        "namespace": "prod",
        "name": "shop",
        "previous": None,
        "new": {"spec": {"n": 1}},
    }
    values.update(overrides)
    return (await store.audit.record(**values)).id


async def test_update_stores_full_objects_and_diffs_only_what_changed(store: Store) -> None:
    user = await store.users.get_or_create("alice", email="alice@example.com")
    before, after = _route("shop.example.com"), _route("www.example.com", resource_version="2")

    entry = await store.audit.record(
        user_id=user.id,
        action=AuditAction.UPDATE,
        kind="HTTPRoute",
        namespace="prod",
        name="shop",
        previous=before,
        new=after,
        request_id="req-1",
        metadata={"dryRun": False, "source": "route-editor"},
    )

    assert entry.previous_config == before and entry.new_config == after
    assert entry.diff == (
        "--- a/HTTPRoute/prod/shop\n"
        "+++ b/HTTPRoute/prod/shop\n"
        "@@ -7,7 +7,7 @@\n"
        "   namespace: prod\n"
        " spec:\n"
        "   hostnames:\n"
        "-  - shop.example.com\n"
        "+  - www.example.com\n"
        "   rules:\n"
        "   - backendRefs:\n"
        "     - name: web\n"
    )
    stored = await store.audit.get(entry.id)
    assert stored == entry
    assert stored.user_email == "alice@example.com"
    assert stored.metadata == {"dryRun": False, "source": "route-editor"}
    assert stored.request_id == "req-1"
    assert stored.action == "update"
    assert await store.audit.diff(entry.id) == entry.diff


async def test_create_and_delete_diff_against_nothing(store: Store) -> None:
    obj = {"kind": "Gateway", "metadata": {"name": "gw", "uid": "u"}, "spec": {"x": 1}}
    created = await store.audit.record(
        user_id=None,
        action="create",
        kind="Gateway",
        namespace="prod",
        name="gw",
        previous=None,
        new=obj,
    )
    deleted = await store.audit.record(
        user_id=None,
        action="delete",
        kind="Gateway",
        namespace="prod",
        name="gw",
        previous=obj,
        new=None,
    )
    assert created.diff.splitlines()[:3] == [
        "--- /dev/null",
        "+++ b/Gateway/prod/gw",
        "@@ -0,0 +1,5 @@",
    ]
    assert "+  name: gw" in created.diff and "uid" not in created.diff
    assert deleted.diff.splitlines()[:2] == ["--- a/Gateway/prod/gw", "+++ /dev/null"]
    assert deleted.previous_config == obj and deleted.new_config is None
    assert created.user_id is None and created.user_email is None


async def test_cluster_scoped_resources_have_no_namespace(store: Store) -> None:
    entry = await store.audit.record(
        user_id=None,
        action="create",
        kind="GatewayClass",
        namespace=None,
        name="nginx",
        previous=None,
        new={"spec": {}},
    )
    assert entry.resource_namespace is None
    assert "+++ b/GatewayClass/nginx" in entry.diff


async def test_diff_between_two_entries(store: Store) -> None:
    first = await _record(store, new=_route("a.example.com"))
    await _record(store, new=_route("b.example.com", resource_version="2"))
    third = await _record(store, new=_route("c.example.com", resource_version="3"))

    diff = await store.audit.diff_between(first, third)

    assert diff is not None
    assert f"--- a/HTTPRoute/prod/shop@{first}" in diff
    assert "-  - a.example.com\n+  - c.example.com\n" in diff
    assert "resourceVersion" not in diff
    assert await store.audit.diff_between(first, 10_000) is None
    assert await store.audit.diff(10_000) is None
    assert await store.audit.get(10_000) is None


async def test_unknown_user_is_refused_and_nothing_is_recorded(store: Store) -> None:
    with pytest.raises(UnknownUserError):
        await _record(store, user_id=uuid.uuid4())
    assert (await store.audit.list_entries()).entries == []


async def test_filters(store: Store) -> None:
    alice = await store.users.get_or_create("alice", email="alice@example.com")
    bob = await store.users.get_or_create("bob", email="bob@example.com")
    a = await _record(store, user_id=alice.id, action="create", kind="Gateway", name="gw")
    b = await _record(store, user_id=bob.id, action="update", kind="HTTPRoute", name="shop")
    c = await _record(
        store, user_id=alice.id, action="update", kind="HTTPRoute", namespace="dev", name="shop"
    )
    d = await _record(store, user_id=None, action="delete", kind="HTTPRoute", name="cart")

    async def ids(**filters: Any) -> list[int]:
        return [e.id for e in (await store.audit.list_entries(**filters)).entries]

    assert await ids() == [d, c, b, a]
    assert await ids(kind="HTTPRoute") == [d, c, b]
    assert await ids(kind="HTTPRoute", namespace="prod") == [d, b]
    assert await ids(kind="HTTPRoute", namespace="prod", name="shop") == [b]
    assert await ids(user_id=alice.id) == [c, a]
    assert await ids(user_email="bob@example.com") == [b]
    assert await ids(action="update") == [c, b]
    assert await ids(action="update", user_id=alice.id) == [c]
    assert await ids(kind="Nothing") == []


async def test_time_window(store: Store) -> None:
    before = datetime.now(UTC)
    first = await _record(store)
    middle = datetime.now(UTC)
    second = await _record(store)

    async def ids(**filters: Any) -> list[int]:
        return [e.id for e in (await store.audit.list_entries(**filters)).entries]

    assert await ids(since=before) == [second, first]
    assert await ids(since=middle) == [second]
    assert await ids(until=middle) == [first]
    assert await ids(until=before) == []
    # The same instant in another zone selects the same entries.
    assert await ids(since=middle.astimezone(timezone(timedelta(hours=5)))) == [second]
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.audit.list_entries(since=middle.replace(tzinfo=None))


async def test_paging_newest_first_with_a_cursor(store: Store) -> None:
    recorded = [await _record(store, name=f"r{i}") for i in range(7)]

    pages: list[list[int]] = []
    cursor: int | None = None
    while True:
        page = await store.audit.list_entries(limit=3, cursor=cursor)
        pages.append([e.id for e in page.entries])
        cursor = page.next_cursor
        if cursor is None:
            break

    newest_first = list(reversed(recorded))
    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:7]]
    exact = await store.audit.list_entries(limit=7)
    assert len(exact.entries) == 7 and exact.next_cursor is None
    with pytest.raises(ValueError, match="limit"):
        await store.audit.list_entries(limit=0)


async def test_list_leaves_out_objects_and_diff(store: Store) -> None:
    await _record(store, new=_route("a.example.com"))
    (summary,) = (await store.audit.list_entries()).entries
    assert "diff" not in summary.model_dump() and "new_config" not in summary.model_dump()


async def test_concurrent_records_give_exactly_one_row_each(store: Store) -> None:
    user = await store.users.get_or_create("alice", email="alice@example.com")

    entries = await asyncio.gather(
        *(
            store.audit.record(
                user_id=user.id,
                action="update",
                kind="HTTPRoute",
                namespace="prod",
                name=f"route-{i}",
                previous={"spec": {"n": i}},
                new={"spec": {"n": i + 1}},
                request_id=f"req-{i}",
            )
            for i in range(50)
        )
    )

    assert len({e.id for e in entries}) == 50
    listed = (await store.audit.list_entries(limit=500)).entries
    assert len(listed) == 50
    assert {e.id for e in listed} == {e.id for e in entries}
    assert {e.request_id for e in listed} == {f"req-{i}" for i in range(50)}


async def test_timestamps_are_timezone_aware_utc(store: Store) -> None:
    entry_id = await _record(store)
    entry = await store.audit.get(entry_id)
    assert entry is not None
    assert entry.created_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - entry.created_at) < timedelta(minutes=1)


async def test_nested_objects_round_trip_exactly(store: Store) -> None:
    nested = {
        "spec": {
            "rules": [{"matches": [{"headers": [{"name": "x", "value": "ü ✓"}]}], "weight": 0}],
            "empty": {},
            "none": None,
            "flags": [True, False],
            "ratio": 0.25,
            "big": 2**53,
        }
    }
    entry_id = await _record(store, previous=nested, new=nested)
    entry = await store.audit.get(entry_id)
    assert entry is not None
    assert entry.previous_config == nested and entry.new_config == nested
    assert entry.diff == ""


async def test_datetimes_in_objects_are_stored_as_iso_strings(store: Store) -> None:
    stamp = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    entry_id = await _record(store, new={"metadata": {"deletionTimestamp": stamp}})
    entry = await store.audit.get(entry_id)
    assert entry is not None
    assert entry.new_config == {"metadata": {"deletionTimestamp": "2026-02-01T10:00:00+00:00"}}


def test_restorable_drops_server_fields_and_status() -> None:
    obj = _route("shop.example.com")
    restored = restorable(obj)
    assert restored["metadata"] == {
        "name": "shop",
        "namespace": "prod",
        "annotations": {"team": "shop"},
    }
    assert "status" not in restored and restored["spec"] == obj["spec"]
    assert "managedFields" in obj["metadata"], "the input is left alone"
