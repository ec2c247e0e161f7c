"""Notification channels: payload shapes, the retry/backoff policy (on a fake clock), the
delivery log, and that secrets stay out of logs and records."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import uuid
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from alert_receiver import Receiver
from ngf_console.alerts.channels import (
    CHANNEL_CONFIG,
    DeliveryLog,
    DeliveryRecord,
    Notifier,
    PagerDutyChannel,
    RetryPolicy,
    SlackChannel,
    pagerduty_payload,
    parse_retry_after,
    slack_payload,
    webhook_payload,
)
from ngf_console.alerts.evaluator import Notification

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
RULE_ID = uuid.UUID("00000000-0000-0000-0000-0000000000aa")
SLACK_URL = "http://receiver/slack/T000/B000/s3cr3t-path"
ROUTING_KEY = "R0UT1NGKEY-very-secret"


def _notification(event: str = "firing", **overrides: Any) -> Notification:
    values: dict[str, Any] = {
        "event": event,
        "rule_id": RULE_ID,
        "rule_name": "certs expiring",
        "severity": "critical",
        "condition": "cert_expiry < 7",
        "labels": {"cluster": "default", "namespace": "shop", "secret": "shop-tls"},
        "fingerprint": "0123456789abcdef",
        "value": 3.0,
        "since": NOW,
        "at": NOW + dt.timedelta(minutes=1),
        "annotations": {"common_name": "shop.example.com"},
    }
    values.update(overrides)
    return Notification(**values)


def test_slack_payload() -> None:
    channel = SlackChannel.model_validate(
        {"type": "slack", "webhook": SLACK_URL, "channel": "#alerts"}
    )
    body = slack_payload(_notification(), channel)
    assert body["text"].startswith("[FIRING] certs expiring: cert_expiry < 7 (value 3)")
    assert body["channel"] == "#alerts"
    (attachment,) = body["attachments"]
    assert attachment["color"] == "#d32f2f"
    assert {"title": "secret", "value": "shop-tls", "short": True} in attachment["fields"]
    resolved = slack_payload(_notification("resolved"), channel)
    assert resolved["text"].startswith("[RESOLVED]")
    assert resolved["attachments"][0]["color"] == "#2e7d32"


def test_pagerduty_trigger_and_resolve_share_the_dedup_key() -> None:
    channel = PagerDutyChannel.model_validate({"type": "pagerduty", "routing_key": ROUTING_KEY})
    assert channel.url == "https://events.pagerduty.com/v2/enqueue"
    trigger = pagerduty_payload(_notification(), channel)
    assert trigger["routing_key"] == ROUTING_KEY
    assert trigger["event_action"] == "trigger"
    assert trigger["dedup_key"] == f"ngf-console/{RULE_ID}/0123456789abcdef"
    payload = trigger["payload"]
    assert payload["severity"] == "critical"
    assert payload["source"] == "ngf-console"
    assert payload["summary"].startswith("[FIRING] certs expiring")
    assert payload["custom_details"]["secret"] == "shop-tls"
    assert payload["custom_details"]["value"] == 3.0
    resolve = pagerduty_payload(_notification("resolved"), channel)
    assert resolve == {
        "routing_key": ROUTING_KEY,
        "event_action": "resolve",
        "dedup_key": trigger["dedup_key"],
    }
    info = pagerduty_payload(_notification(severity="info"), channel)
    assert info["payload"]["severity"] == "info"


def test_pagerduty_summary_is_cut_to_the_api_limit() -> None:
    channel = PagerDutyChannel.model_validate({"type": "pagerduty", "routing_key": "k"})
    long = _notification(labels={"secret": "x" * 2000})
    assert len(pagerduty_payload(long, channel)["payload"]["summary"]) == 1024


def test_generic_webhook_payload() -> None:
    body = webhook_payload(_notification("resolved"))
    assert body["version"] == "1"
    assert body["event"] == "resolved"
    assert body["rule"] == {
        "id": str(RULE_ID),
        "name": "certs expiring",
        "description": "",
        "severity": "critical",
        "condition": "cert_expiry < 7",
    }
    assert body["labels"]["secret"] == "shop-tls"
    assert body["value"] == 3.0
    assert body["since"] == NOW.isoformat()
    assert body["dedup_key"] == f"ngf-console/{RULE_ID}/0123456789abcdef"


@pytest.mark.parametrize(
    ("channel", "field"),
    [
        ({"type": "slack", "webhook_url": "ftp://hooks.slack.com/x"}, "slack.webhook_url"),
        ({"type": "pagerduty", "routing_key": ""}, "pagerduty.routing_key"),
        ({"type": "webhook", "url": "not a url"}, "webhook.url"),
        ({"type": "email", "to": "a@b"}, ""),
    ],
)
def test_channel_configs_are_validated(channel: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CHANNEL_CONFIG.validate_python(channel)
    if field:
        assert field in str(caught.value)


def test_retry_policy_backs_off_exponentially_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_delay=1, factor=2, max_delay=10, max_retry_after=120)
    assert [policy.delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]
    assert policy.delay(1, retry_after=30) == 30
    assert policy.delay(1, retry_after=3600) == 120
    assert [policy.retryable(s) for s in (500, 502, 503, 429, 400, 401, 404, 410)] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert parse_retry_after("7", NOW) == 7
    assert parse_retry_after("Sun, 01 Mar 2026 12:00:30 GMT", NOW) == 30
    assert parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", NOW) == 0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


class FakeClock:
    """asyncio.sleep stand-in: records the waits, advances time, never blocks."""

    def __init__(self) -> None:
        self.now = NOW
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += dt.timedelta(seconds=seconds)

    def __call__(self) -> dt.datetime:
        return self.now


def _deliver(
    receiver: Receiver, channel: dict[str, Any], notification: Notification | None = None
) -> tuple[DeliveryRecord, FakeClock]:
    clock = FakeClock()

    async def run() -> DeliveryRecord:
        transport = httpx.ASGITransport(app=receiver.app())
        async with httpx.AsyncClient(transport=transport) as client:
            notifier = Notifier(client, sleep=clock.sleep, clock=clock)
            return await notifier.deliver(notification or _notification(), channel)

    return asyncio.run(run()), clock


def test_retries_5xx_and_429_with_backoff_and_retry_after_then_succeeds() -> None:
    receiver = Receiver()
    receiver.script("/hook", (503, {"Retry-After": "7"}), 429, 500)
    record, clock = _deliver(receiver, {"type": "webhook", "url": "http://receiver/hook"})
    assert clock.sleeps == [7, 2, 4]
    assert (record.outcome, record.attempts, record.status_code) == ("delivered", 4, 200)
    assert len(receiver.bodies("/hook")) == 4
    assert receiver.bodies("/hook")[0] == receiver.bodies("/hook")[3]


def test_gives_up_after_max_attempts() -> None:
    receiver = Receiver()
    receiver.script("/hook", *[500] * 10)
    record, clock = _deliver(receiver, {"type": "webhook", "url": "http://receiver/hook"})
    assert clock.sleeps == [1, 2, 4, 8]
    assert (record.outcome, record.attempts, record.error) == ("failed", 5, "HTTP 500")


def test_other_4xx_is_not_retried() -> None:
    receiver = Receiver()
    receiver.script("/pagerduty", 400)
    record, clock = _deliver(
        receiver,
        {"type": "pagerduty", "routing_key": ROUTING_KEY, "url": "http://receiver/pagerduty"},
    )
    assert clock.sleeps == []
    assert (record.outcome, record.attempts, record.status_code) == ("failed", 1, 400)


def test_connection_errors_are_retried_and_secrets_stay_out_of_logs_and_records(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    secret_url = f"http://127.0.0.1:{port}/services/T000/B000/{ROUTING_KEY}"
    clock = FakeClock()

    async def run() -> DeliveryRecord:
        async with httpx.AsyncClient() as client:
            notifier = Notifier(client, sleep=clock.sleep, clock=clock)
            return await notifier.deliver(
                _notification(), {"type": "slack", "webhook_url": secret_url}
            )

    with caplog.at_level(logging.DEBUG, logger="ngf_console.alerts"):
        record = asyncio.run(run())
    assert clock.sleeps == [1, 2, 4, 8]
    assert record.outcome == "failed" and record.status_code is None
    assert record.error is not None and record.error.startswith("ConnectError")
    assert record.target == "http://127.0.0.1/***"
    assert ROUTING_KEY not in record.model_dump_json()
    assert caplog.records and all(ROUTING_KEY not in r.getMessage() for r in caplog.records)


def test_headers_of_a_generic_webhook_are_sent_but_not_recorded() -> None:
    receiver = Receiver()
    channel = {
        "type": "webhook",
        "url": "http://receiver/hook",
        "headers": {"Authorization": "Bearer t0ken"},
    }
    record, _ = _deliver(receiver, channel)
    assert receiver.requests[0].headers["authorization"] == "Bearer t0ken"
    assert "t0ken" not in record.model_dump_json()


def test_an_invalid_channel_is_recorded_as_failed_without_a_request() -> None:
    receiver = Receiver()
    record, _ = _deliver(receiver, {"type": "pagerduty"})
    assert record.outcome == "failed" and record.attempts == 0
    assert record.error is not None and "routing_key" in record.error
    assert receiver.requests == []


def test_delivery_log_keeps_the_newest_records() -> None:
    log = DeliveryLog(size=3)
    other = uuid.uuid4()
    for i in range(5):
        log.add(
            DeliveryRecord(
                id=log.next_id(),
                at=NOW,
                rule_id=RULE_ID if i % 2 == 0 else other,
                rule_name="r",
                event="firing",
                dedup_key="k",
                labels={},
                channel_index=0,
                channel_type="webhook",
                target="http://x/***",
                outcome="delivered",
                attempts=1,
            )
        )
    assert [r.id for r in log.recent()] == [5, 4, 3]
    assert [r.id for r in log.recent(rule_id=RULE_ID)] == [5, 3]
    assert [r.id for r in log.recent(1)] == [5]
