"""The websocket hub: per-topic fan-out to bounded per-subscriber queues.

A producer calls :meth:`Hub.publish` from the event loop; the hub serialises the message
once and offers the resulting text frame to every subscriber of the topic without ever
awaiting one of them. A subscriber whose queue is full is a slow consumer: it is dropped
(its subscription ends with reason ``"slow consumer"``) so it can never hold up the
publisher or the other subscribers.

Everything here runs on one event loop and is not thread-safe: a producer on another thread
hands messages over with ``loop.call_soon_threadsafe(hub.publish, topic, message)``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

SLOW_CONSUMER: Final = "slow consumer"
"""Drop reason of a subscription whose queue was full when a message arrived."""
HUB_CLOSED: Final = "hub closed"
"""End reason of every subscription when the hub shuts down."""

DEFAULT_QUEUE_SIZE: Final = 256

Predicate = Callable[[Mapping[str, Any]], bool]
"""Decides, per message, whether a subscriber wants it (sees the message before encoding)."""


class SubscriptionEndedError(Exception):
    """Raised by :meth:`Subscription.get` once the subscription has ended."""


class _End:
    """Queue sentinel: wakes a consumer waiting in ``get`` when the subscription ends."""


_END: Final = _End()


def encode_frame(topic: str, seq: int, message: Mapping[str, Any]) -> str:
    """The wire frame of one published message (compact JSON, one line)."""
    envelope = {"type": "message", "topic": topic, "seq": seq, "data": message}
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False, default=str)


def keepalive_frame(topic: str) -> str:
    """The frame an idle connection sends so proxies and clients see it is alive."""
    return json.dumps({"type": "keepalive", "topic": topic}, separators=(",", ":"))


class Subscription:
    """One subscriber's bounded queue of encoded frames on one topic.

    Iterate it (``async for frame in subscription``) or call :meth:`get`; iteration stops
    once the subscription ends, whether by :meth:`close`, by the hub dropping a slow
    consumer (``drop_reason == "slow consumer"``) or by the hub closing.
    """

    __slots__ = ("_ended", "_hub", "_queue", "end_reason", "offered", "predicate", "topic")

    def __init__(self, hub: Hub, topic: str, maxsize: int, predicate: Predicate | None) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize}")
        self._hub = hub
        self.topic = topic
        self.predicate = predicate
        self._queue: asyncio.Queue[str | _End] = asyncio.Queue(maxsize)
        self._ended = asyncio.Event()
        self.end_reason: str | None = None
        """Why the subscription ended: None while open or after :meth:`close`."""
        self.offered = 0
        """Frames offered so far (a keepalive compares it between ticks to see idleness)."""

    @property
    def closed(self) -> bool:
        """Whether the subscription has ended (closed, dropped or hub closed)."""
        return self._ended.is_set()

    @property
    def dropped(self) -> bool:
        """Whether the hub dropped this subscriber for not keeping up."""
        return self.end_reason == SLOW_CONSUMER

    @property
    def pending(self) -> int:
        """Frames queued and not yet taken."""
        return self._queue.qsize() if not self.closed else 0

    async def get(self) -> str:
        """The next frame; raises :class:`SubscriptionEndedError` once the subscription ended."""
        if self.closed:
            raise SubscriptionEndedError(self.end_reason or "closed")
        item = await self._queue.get()
        if isinstance(item, _End):
            raise SubscriptionEndedError(self.end_reason or "closed")
        return item

    async def wait_ended(self) -> str | None:
        """Wait until the subscription ends; returns :attr:`end_reason`."""
        await self._ended.wait()
        return self.end_reason

    def close(self) -> None:
        """Unsubscribe. Idempotent; pending frames are discarded."""
        self._hub._remove(self)
        self._end(None)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> str:
        try:
            return await self.get()
        except SubscriptionEndedError:
            raise StopAsyncIteration from None

    def offer(self, frame: str) -> bool:
        """Queue ``frame`` unless the queue is full; False when it is (a slow consumer)."""
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            return False
        self.offered += 1
        return True

    def _end(self, reason: str | None) -> None:
        if self.closed:
            return
        self.end_reason = reason
        self._ended.set()
        # Free the frames and leave room for the sentinel that wakes a waiting consumer.
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_END)


@dataclass
class _Totals:
    """Counters of one metric label (a topic, or a family of topics)."""

    published: int = 0
    delivered: int = 0
    dropped: int = 0


@dataclass(frozen=True)
class TopicStats:
    """A snapshot of one topic (or topic family) for ``/metrics`` and diagnostics."""

    subscribers: int
    published: int
    delivered: int
    dropped: int


class Hub:
    """Topic-based publish/subscribe with bounded queues and slow-consumer drop.

    ``metric_label`` maps a topic to the label its counters are kept under; pass
    :func:`ngf_console.api.ws.topics.topic_family` so per-object topics
    (``crd-status/{ns}/{name}``) share one label instead of growing the metrics without
    bound. Metrics are registered on ``registry`` (the default registry if None) under the
    ``ngf_console_ws_`` prefix; two hubs cannot share one registry, so tests give each hub a
    fresh ``CollectorRegistry``.
    """

    def __init__(
        self,
        *,
        registry: CollectorRegistry | None = None,
        metric_label: Callable[[str], str] | None = None,
    ) -> None:
        self._topics: dict[str, set[Subscription]] = {}
        self._seq: dict[str, int] = {}
        self._label = metric_label or (lambda topic: topic)
        self._totals: dict[str, _Totals] = {}
        self._refused: dict[str, int] = {}
        self._closed = False
        self._registry = REGISTRY if registry is None else registry
        self._collector = _HubCollector(self)
        self._registry.register(self._collector)

    def subscribe(
        self,
        topic: str,
        *,
        maxsize: int = DEFAULT_QUEUE_SIZE,
        predicate: Predicate | None = None,
    ) -> Subscription:
        """Subscribe to ``topic`` with a queue of ``maxsize`` frames.

        ``predicate`` filters messages for this subscriber only; messages it rejects never
        occupy the queue. On a closed hub the subscription is returned already ended.
        """
        subscription = Subscription(self, topic, maxsize, predicate)
        if self._closed:
            subscription._end(HUB_CLOSED)
            return subscription
        self._topics.setdefault(topic, set()).add(subscription)
        return subscription

    def publish(self, topic: str, message: Mapping[str, Any]) -> int:
        """Queue ``message`` for every subscriber of ``topic``; returns how many took it.

        Never awaits a subscriber: a subscriber whose queue is full is dropped with reason
        ``"slow consumer"``. The message is encoded at most once, and not at all when no
        subscriber wants it.
        """
        totals = self._totals_of(topic)
        totals.published += 1
        seq = self._seq.get(topic, 0) + 1
        self._seq[topic] = seq
        subscribers = self._topics.get(topic)
        if not subscribers:
            return 0
        frame: str | None = None
        queued = 0
        slow: list[Subscription] = []
        for subscription in subscribers:
            predicate = subscription.predicate
            if predicate is not None and not predicate(message):
                continue
            if frame is None:
                frame = encode_frame(topic, seq, message)
            if subscription.offer(frame):
                queued += 1
            else:
                slow.append(subscription)
        for subscription in slow:
            subscribers.discard(subscription)
            subscription._end(SLOW_CONSUMER)
        if not subscribers:
            del self._topics[topic]
        totals.delivered += queued
        totals.dropped += len(slow)
        return queued

    def subscriber_count(self, topic: str) -> int:
        """Live subscribers of exactly ``topic``."""
        return len(self._topics.get(topic, ()))

    def topics(self) -> dict[str, int]:
        """Every topic with live subscribers, and how many."""
        return {topic: len(subs) for topic, subs in self._topics.items()}

    def stats(self) -> dict[str, TopicStats]:
        """Counters per metric label, with the live subscribers of the topics under it."""
        live: dict[str, int] = {}
        for topic, subs in self._topics.items():
            label = self._label(topic)
            live[label] = live.get(label, 0) + len(subs)
        labels = set(self._totals) | set(live)
        return {
            label: TopicStats(
                subscribers=live.get(label, 0),
                published=self._totals.get(label, _Totals()).published,
                delivered=self._totals.get(label, _Totals()).delivered,
                dropped=self._totals.get(label, _Totals()).dropped,
            )
            for label in sorted(labels)
        }

    def record_refusal(self, reason: str) -> None:
        """Count a connection refused before it subscribed (``origin``, ``auth``)."""
        self._refused[reason] = self._refused.get(reason, 0) + 1

    def refusals(self) -> dict[str, int]:
        """Refused connections by reason."""
        return dict(self._refused)

    def close(self) -> None:
        """End every subscription (reason ``"hub closed"``); later subscribes end at once."""
        self._closed = True
        topics, self._topics = self._topics, {}
        for subscribers in topics.values():
            for subscription in subscribers:
                subscription._end(HUB_CLOSED)

    def unregister_metrics(self) -> None:
        """Remove the hub's collector from its registry (tests, app reloads)."""
        self._registry.unregister(self._collector)

    def _remove(self, subscription: Subscription) -> None:
        subscribers = self._topics.get(subscription.topic)
        if subscribers is None:
            return
        subscribers.discard(subscription)
        if not subscribers:
            del self._topics[subscription.topic]

    def _totals_of(self, topic: str) -> _Totals:
        label = self._label(topic)
        totals = self._totals.get(label)
        if totals is None:
            totals = self._totals[label] = _Totals()
        return totals


class _HubCollector(Collector):
    """Reads the hub's counters at scrape time (no per-message metric calls)."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def collect(self) -> Iterator[Metric]:
        stats = self._hub.stats()
        subscribers = GaugeMetricFamily(
            "ngf_console_ws_subscribers",
            "Live websocket hub subscriptions, by topic.",
            labels=["topic"],
        )
        published = CounterMetricFamily(
            "ngf_console_ws_messages_published",
            "Messages published to the hub, by topic.",
            labels=["topic"],
        )
        delivered = CounterMetricFamily(
            "ngf_console_ws_messages_queued",
            "Messages queued for a subscriber (one per subscriber per message), by topic.",
            labels=["topic"],
        )
        dropped = CounterMetricFamily(
            "ngf_console_ws_subscribers_dropped",
            "Subscribers dropped because their queue was full (slow consumers), by topic.",
            labels=["topic"],
        )
        refused = CounterMetricFamily(
            "ngf_console_ws_connections_refused",
            "Websocket connections refused before subscribing, by reason (origin, auth).",
            labels=["reason"],
        )
        for reason, count in self._hub.refusals().items():
            refused.add_metric([reason], count)
        for label, topic in stats.items():
            subscribers.add_metric([label], topic.subscribers)
            published.add_metric([label], topic.published)
            delivered.add_metric([label], topic.delivered)
            dropped.add_metric([label], topic.dropped)
        yield subscribers
        yield published
        yield delivered
        yield dropped
        yield refused

    def describe(self) -> Iterator[Metric]:
        # Declaring the names lets the registry refuse a second hub on the same registry.
        yield GaugeMetricFamily("ngf_console_ws_subscribers", "", labels=["topic"])
        yield CounterMetricFamily("ngf_console_ws_messages_published", "", labels=["topic"])
        yield CounterMetricFamily("ngf_console_ws_messages_queued", "", labels=["topic"])
        yield CounterMetricFamily("ngf_console_ws_subscribers_dropped", "", labels=["topic"])
        yield CounterMetricFamily("ngf_console_ws_connections_refused", "", labels=["reason"])
