"""The websocket hub: fan-out, bounded queues dropping slow consumers, filters, metrics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from starlette.datastructures import QueryParams

from ngf_console.api.ws import hub as hub_module
from ngf_console.api.ws.endpoint import origin_allowed
from ngf_console.api.ws.hub import (
    HUB_CLOSED,
    SLOW_CONSUMER,
    Hub,
    Subscription,
    SubscriptionEndedError,
)
from ngf_console.api.ws.topics import crd_status, event_filter, field_filter, new_hub


def run(test: Callable[[Hub], Awaitable[None]]) -> None:
    """Run an async test body with a hub on its own registry."""

    async def main() -> None:
        await test(new_hub(CollectorRegistry()))

    asyncio.run(main())


def data(frame: str) -> Any:
    envelope = json.loads(frame)
    assert envelope["type"] == "message"
    return envelope["data"]


async def drain(subscription: Subscription) -> list[Any]:
    """Everything queued right now (without waiting for more)."""
    frames = []
    while subscription.pending:
        frames.append(data(await subscription.get()))
    return frames


def test_fan_out_to_every_subscriber_of_the_topic_only() -> None:
    async def body(hub: Hub) -> None:
        first = hub.subscribe("topology")
        second = hub.subscribe("topology")
        other = hub.subscribe("events")
        assert hub.publish("topology", {"n": 1}) == 2
        assert hub.publish("nobody-listens", {"n": 2}) == 0
        assert await drain(first) == [{"n": 1}]
        assert await drain(second) == [{"n": 1}]
        assert await drain(other) == []
        envelope = json.loads(hub_module.encode_frame("topology", 7, {"n": 1}))
        assert envelope == {"type": "message", "topic": "topology", "seq": 7, "data": {"n": 1}}

    run(body)


def test_sequence_numbers_count_per_topic() -> None:
    async def body(hub: Hub) -> None:
        sub = hub.subscribe("a")
        hub.publish("a", {})
        hub.publish("b", {})
        hub.publish("a", {})
        seqs = [json.loads(await sub.get())["seq"] for _ in range(2)]
        assert seqs == [1, 2]

    run(body)


def test_slow_consumer_is_dropped_while_a_reader_gets_every_message_in_order() -> None:
    async def body(hub: Hub) -> None:
        slow = hub.subscribe("events", maxsize=8)
        fast = hub.subscribe("events", maxsize=8)
        received: list[int] = []

        async def read() -> None:
            async for frame in fast:
                received.append(data(frame)["i"])

        reader = asyncio.create_task(read())
        queued_counts = []
        for i in range(100):
            queued_counts.append(hub.publish("events", {"i": i}))
            await asyncio.sleep(0)  # the reader gets a turn; the slow one never reads
        fast.close()
        await reader

        assert received == list(range(100))
        # Both took the first 8; the 9th found the slow queue full and dropped it.
        assert queued_counts[:8] == [2] * 8
        assert queued_counts[8:] == [1] * 92
        assert slow.closed and slow.dropped and slow.end_reason == SLOW_CONSUMER
        assert not fast.dropped and fast.end_reason is None
        with pytest.raises(SubscriptionEndedError):
            await slow.get()
        assert hub.subscriber_count("events") == 0
        stats = hub.stats()["events"]
        assert (stats.published, stats.delivered, stats.dropped) == (100, 8 + 100, 1)

    run(body)


def test_publisher_never_waits_for_a_full_queue() -> None:
    async def body(hub: Hub) -> None:
        stalled = [hub.subscribe("metrics", maxsize=1) for _ in range(50)]
        hub.publish("metrics", {"i": 0})
        # Synchronous, returns at once although every queue is now full.
        assert hub.publish("metrics", {"i": 1}) == 0
        assert all(sub.dropped for sub in stalled)
        assert hub.topics() == {}

    run(body)


def test_dropped_consumer_waiting_in_get_is_woken() -> None:
    async def body(hub: Hub) -> None:
        sub = hub.subscribe("t", maxsize=1)
        ended = asyncio.create_task(sub.wait_ended())
        hub.publish("t", {"i": 0})
        hub.publish("t", {"i": 1})
        assert await asyncio.wait_for(ended, 1) == SLOW_CONSUMER
        # The queued frame is discarded with the subscription: iteration just stops.
        assert [frame async for frame in sub] == []

    run(body)


def test_close_unsubscribes_and_ends_iteration() -> None:
    async def body(hub: Hub) -> None:
        sub = hub.subscribe("topology")
        frames: list[str] = []

        async def read() -> None:
            async for frame in sub:
                frames.append(frame)

        reader = asyncio.create_task(read())
        hub.publish("topology", {"i": 1})
        await asyncio.sleep(0.01)
        sub.close()
        sub.close()  # idempotent
        await asyncio.wait_for(reader, 1)
        assert [data(f) for f in frames] == [{"i": 1}]
        assert sub.closed and not sub.dropped and sub.end_reason is None
        assert hub.subscriber_count("topology") == 0
        assert hub.publish("topology", {"i": 2}) == 0

    run(body)


def test_predicate_filters_per_subscriber() -> None:
    async def body(hub: Hub) -> None:
        warnings = hub.subscribe("events", predicate=lambda m: m.get("type") == "Warning")
        everything = hub.subscribe("events")
        assert hub.publish("events", {"type": "Normal"}) == 1
        assert hub.publish("events", {"type": "Warning"}) == 2
        assert await drain(warnings) == [{"type": "Warning"}]
        assert len(await drain(everything)) == 2

    run(body)


def test_filtered_out_messages_do_not_fill_the_queue() -> None:
    async def body(hub: Hub) -> None:
        sub = hub.subscribe("events", maxsize=2, predicate=lambda m: m["keep"])
        for _ in range(10):
            hub.publish("events", {"keep": False})
        assert not sub.closed and sub.pending == 0

    run(body)


def test_message_is_encoded_once_however_many_subscribers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = hub_module.encode_frame

    def counting(topic: str, seq: int, message: Mapping[str, Any]) -> str:
        calls.append(topic)
        return real(topic, seq, message)

    monkeypatch.setattr(hub_module, "encode_frame", counting)

    async def body(hub: Hub) -> None:
        subs = [hub.subscribe("topology") for _ in range(100)]
        assert hub.publish("topology", {"x": 1}) == 100
        assert calls == ["topology"]
        # The very same string object sits in every queue.
        frames = [await sub.get() for sub in subs]
        assert all(frame is frames[0] for frame in frames)
        # No subscriber, or none wanting it: not encoded at all.
        hub.subscribe("events", predicate=lambda m: False)
        hub.publish("events", {"x": 2})
        hub.publish("empty", {"x": 3})
        assert calls == ["topology"]

    run(body)


def test_hub_close_ends_everything_and_later_subscriptions() -> None:
    async def body(hub: Hub) -> None:
        sub = hub.subscribe("a")
        hub.close()
        assert sub.closed and sub.end_reason == HUB_CLOSED
        late = hub.subscribe("a")
        assert late.closed and late.end_reason == HUB_CLOSED
        assert hub.publish("a", {}) == 0

    run(body)


def test_metrics_exposed_with_prefix_and_per_object_topics_collapsed() -> None:
    async def body(hub: Hub) -> None:
        hub.subscribe(crd_status("ns1", "a"))
        hub.subscribe(crd_status("ns2", "b"), maxsize=1)
        hub.publish(crd_status("ns2", "b"), {"phase": "Ready"})
        hub.publish(crd_status("ns2", "b"), {"phase": "Degraded"})  # drops the subscriber
        hub.record_refusal("origin")
        text = generate_latest(hub._registry).decode()
        assert 'ngf_console_ws_subscribers{topic="crd-status"} 1.0' in text
        assert 'ngf_console_ws_messages_published_total{topic="crd-status"} 2.0' in text
        assert 'ngf_console_ws_messages_queued_total{topic="crd-status"} 1.0' in text
        assert 'ngf_console_ws_subscribers_dropped_total{topic="crd-status"} 1.0' in text
        assert 'ngf_console_ws_connections_refused_total{reason="origin"} 1.0' in text
        assert "ns1" not in text

    run(body)


def test_two_hubs_cannot_share_a_registry() -> None:
    registry = CollectorRegistry()
    Hub(registry=registry)
    with pytest.raises(ValueError, match="Duplicated"):
        Hub(registry=registry)


def test_event_filter_from_query_parameters() -> None:
    warning: dict[str, Any] = {
        "type": "Warning",
        "reason": "BackOff",
        "message": "Back-off restarting failed container",
        "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "api-1"},
        "metadata": {"namespace": "shop"},
    }
    normal: dict[str, Any] = {  # events.k8s.io/v1 shape
        "type": "Normal",
        "reason": "Accepted",
        "note": "Gateway accepted",
        "regarding": {"kind": "Gateway", "namespace": "edge", "name": "gw"},
    }
    assert event_filter(QueryParams("")) is None

    def matches(query: str) -> list[str]:
        predicate = event_filter(QueryParams(query))
        assert predicate is not None
        return [e["reason"] for e in (warning, normal) if predicate(e)]

    assert matches("namespace=shop") == ["BackOff"]
    assert matches("namespace=shop,edge") == ["BackOff", "Accepted"]
    assert matches("kind=Gateway&kind=HTTPRoute") == ["Accepted"]
    assert matches("type=Warning") == ["BackOff"]
    assert matches("reason=Accepted&namespace=shop") == []
    assert matches("name=gw") == ["Accepted"]
    assert matches("q=BACK-OFF") == ["BackOff"]
    assert matches("q=accepted") == ["Accepted"]


def test_field_filter_for_inference_topics() -> None:
    predicate = field_filter(QueryParams("pool=llama&namespace=ai"), {"pool": "pool"})
    assert predicate is not None
    assert predicate({"pool": "llama", "namespace": "other"})
    assert not predicate({"pool": "mistral"})
    assert field_filter(QueryParams("unrelated=1"), {"pool": "pool"}) is None


@pytest.mark.parametrize(
    ("origin", "host", "allowed", "ok"),
    [
        (None, "console:8080", set(), True),
        ("http://console:8080", "console:8080", set(), True),
        ("https://Console.Example.com", "console.example.com", set(), True),
        ("https://console.example.com:443", "console.example.com", set(), True),
        ("http://console:8081", "console:8080", set(), False),
        ("http://evil.example", "console:8080", set(), False),
        ("http://evil.example", "console:8080", {"http://evil.example:80"}, True),
        ("http://evil.example", "console:8080", {"*"}, True),
        ("null", "console:8080", set(), False),
        ("null", "console:8080", {"null"}, True),
        ("http://console:8080", None, set(), False),
        ("http://[::1]:8080", "[::1]:8080", set(), True),
    ],
)
def test_origin_check(origin: str | None, host: str | None, allowed: set[str], ok: bool) -> None:
    assert origin_allowed(origin, host, allowed) is ok
