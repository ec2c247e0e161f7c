"""Cache subscriptions: type filtering, order, overflow marks lost, close ends iteration."""

from __future__ import annotations

import asyncio

import pytest
from lightkube import AsyncClient, KubeConfig

from ngf_console.kube.cache import CacheEvent, SubscriptionLostError, WatchCache
from ngf_console.kube.served_types import served_type

pytestmark = pytest.mark.unit

ROUTE = served_type("httproutes", "gateway.networking.k8s.io")
POD = served_type("pods")


def event(t: object, name: str) -> CacheEvent:
    return CacheEvent("ADDED", t, {"metadata": {"name": name}})  # type: ignore[arg-type]


def cache() -> WatchCache:
    # Never started: no request is sent.
    config = KubeConfig.from_dict(
        {
            "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:9"}}],
            "users": [{"name": "u", "user": {"token": "t"}}],
            "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
            "current-context": "x",
        }
    )
    return WatchCache(AsyncClient(config), [ROUTE, POD])


def test_events_of_subscribed_types_arrive_in_order_and_close_ends_iteration() -> None:
    async def body() -> list[str]:
        sub = cache().subscribe({ROUTE})
        for name in ("a", "b"):
            sub.offer(event(ROUTE, name))
        sub.offer(event(POD, "p"))
        names = [(await sub.get(timeout=1)).object["metadata"]["name"] for _ in range(2)]
        assert sub.size == 0
        sub.close()
        names += [e.object["metadata"]["name"] async for e in sub]
        return names

    assert asyncio.run(body()) == ["a", "b"]


def test_overflow_marks_the_subscriber_lost_and_wakes_a_waiting_reader() -> None:
    async def body() -> None:
        sub = cache().subscribe(maxsize=2)
        reader = asyncio.create_task(anext(aiter(sub)))
        await asyncio.sleep(0)
        for name in "abc":
            sub.offer(event(POD, name))
        # "a" and "b" filled the queue before the reader ran; "c" overflowed it.
        assert sub.lost
        with pytest.raises(SubscriptionLostError, match="re-list"):
            await reader
        with pytest.raises(SubscriptionLostError):
            await sub.get(timeout=1)
        sub.offer(event(POD, "d"))  # ignored once lost
        assert sub.size == 0

    asyncio.run(body())


def test_subscribing_to_an_unknown_type_fails() -> None:
    with pytest.raises(KeyError, match="does not hold"):
        cache().subscribe({served_type("gateways", "gateway.networking.k8s.io")})
