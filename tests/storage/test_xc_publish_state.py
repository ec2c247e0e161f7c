"""XC publish state: one row per route and XC target, sync results, aware timestamps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from ngf_console.store import (
    ConflictError,
    Store,
    XcPublishStateInput,
    XcPublishStatePatch,
)

pytestmark = pytest.mark.anyio


def _state(**overrides: str) -> XcPublishStateInput:
    values = {
        "httproute_namespace": "prod",
        "httproute_name": "shop",
        "xc_tenant": "acme",
        "xc_namespace": "shop-prod",
    }
    values.update(overrides)
    return XcPublishStateInput.model_validate(values)


async def test_lifecycle(store: Store) -> None:
    created = await store.xc_publish_state.create(
        _state().model_copy(update={"xc_http_lb_name": "shop-lb"})
    )
    assert created.last_sync_time is None and created.xc_http_lb_name == "shop-lb"

    # Given in UTC+2; stored and returned as the same instant in UTC.
    synced_at = datetime(2026, 2, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    synced = await store.xc_publish_state.update(
        created.id,
        XcPublishStatePatch(
            last_sync_status="synced",
            last_sync_time=synced_at,
            config_hash="a" * 64,
            public_endpoint="shop.acme.example",
        ),
    )
    assert synced is not None
    assert synced.last_sync_time == synced_at
    fetched = await store.xc_publish_state.get(created.id)
    assert fetched == synced
    assert fetched.last_sync_time == datetime(2026, 2, 1, 10, 30, tzinfo=UTC)
    assert fetched.last_sync_time.utcoffset() == timedelta(0)

    cleared = await store.xc_publish_state.update(
        created.id, XcPublishStatePatch(public_endpoint=None)
    )
    assert cleared is not None and cleared.public_endpoint is None
    assert cleared.config_hash == "a" * 64

    assert await store.xc_publish_state.delete(created.id) is True
    assert await store.xc_publish_state.get(created.id) is None
    assert await store.xc_publish_state.delete(created.id) is False
    assert await store.xc_publish_state.update(uuid.uuid4(), XcPublishStatePatch()) is None


async def test_one_row_per_route_and_target(store: Store) -> None:
    first = await store.xc_publish_state.create(_state())
    with pytest.raises(ConflictError):
        await store.xc_publish_state.create(_state())
    other_tenant = await store.xc_publish_state.create(_state(xc_tenant="globex"))
    other_route = await store.xc_publish_state.create(_state(httproute_name="cart"))
    elsewhere = await store.xc_publish_state.create(_state(httproute_namespace="dev"))

    assert [s.id for s in await store.xc_publish_state.list_states()] == [
        elsewhere.id,
        other_route.id,
        first.id,
        other_tenant.id,
    ]
    assert [
        s.id
        for s in await store.xc_publish_state.list_states(
            httproute_namespace="prod", httproute_name="shop"
        )
    ] == [first.id, other_tenant.id]


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        XcPublishStatePatch(last_sync_time=datetime(2026, 2, 1, 12, 0))
