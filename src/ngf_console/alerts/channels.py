"""Notification channels: Slack incoming webhooks, PagerDuty Events API v2, generic JSON
webhooks, delivered over httpx with retries, and a log of recent deliveries.

A delivery is retried with exponential backoff on a 5xx, a 429 or a connection error
(honouring ``Retry-After``), and given up at once on any other 4xx. Channel secrets
(webhook URLs, routing keys, header values) never reach a log line or a delivery record:
both name the channel by its redacted target (scheme and host only).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import itertools
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

import httpx
from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, TypeAdapter

from ngf_console.alerts.evaluator import Notification
from ngf_console.store import redact_channels

log = logging.getLogger(__name__)

PAGERDUTY_EVENTS_URL: Final = "https://events.pagerduty.com/v2/enqueue"
_SLACK_COLORS: Final = {"critical": "#d32f2f", "warning": "#f9a825", "info": "#1976d2"}
_RESOLVED_COLOR: Final = "#2e7d32"


def _http_url(value: str) -> str:
    try:
        parsed = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise ValueError(f"not a URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError("must be an http(s) URL with a host")
    return value  # kept as given, so that its redacted mask matches on the way back


HttpUrlText = Annotated[str, AfterValidator(_http_url)]


class SlackChannel(BaseModel):
    """A Slack incoming webhook."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["slack"]
    webhook_url: HttpUrlText = Field(validation_alias=AliasChoices("webhook_url", "webhook"))
    channel: str | None = Field(default=None, description="Override the webhook's channel.")
    username: str | None = None


class PagerDutyChannel(BaseModel):
    """A PagerDuty service's Events API v2 integration."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["pagerduty"]
    routing_key: str = Field(
        min_length=1, validation_alias=AliasChoices("routing_key", "integration_key")
    )
    url: HttpUrlText = Field(default=PAGERDUTY_EVENTS_URL, description="The Events API endpoint.")
    source: str = Field(default="ngf-console", description="payload.source of triggers.")


class WebhookChannel(BaseModel):
    """Any endpoint taking the console's JSON notification by POST."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["webhook"]
    url: HttpUrlText
    headers: dict[str, str] = Field(default_factory=dict, description="E.g. Authorization.")


ChannelConfig = Annotated[
    SlackChannel | PagerDutyChannel | WebhookChannel, Field(discriminator="type")
]
CHANNEL_CONFIG: Final[TypeAdapter[ChannelConfig]] = TypeAdapter(ChannelConfig)


def slack_payload(n: Notification, channel: SlackChannel) -> dict[str, Any]:
    """An incoming-webhook message: the summary, and an attachment coloured by severity."""
    color = _RESOLVED_COLOR if n.event == "resolved" else _SLACK_COLORS[n.severity]
    fields = [{"title": k, "value": v, "short": True} for k, v in sorted(n.labels.items())]
    if n.value is not None:
        fields.append({"title": "value", "value": f"{n.value:g}", "short": True})
    fields += [{"title": k, "value": v, "short": False} for k, v in sorted(n.annotations.items())]
    payload: dict[str, Any] = {
        "text": n.summary,
        "attachments": [
            {
                "color": color,
                "title": f"{n.rule_name} ({n.severity})",
                "text": n.description or n.condition,
                "fields": fields,
                "footer": "NGF Console",
                "ts": int(n.at.timestamp()),
            }
        ],
    }
    if channel.channel:
        payload["channel"] = channel.channel
    if channel.username:
        payload["username"] = channel.username
    return payload


def pagerduty_payload(n: Notification, channel: PagerDutyChannel) -> dict[str, Any]:
    """An Events API v2 event: ``trigger`` (also for a test) or ``resolve``, same dedup_key.

    A test's dedup key is the rule's own test key, so it never touches a real incident.
    """
    if n.event == "resolved":
        return {
            "routing_key": channel.routing_key,
            "event_action": "resolve",
            "dedup_key": n.dedup_key,
        }
    details: dict[str, Any] = {**n.labels, **n.annotations, "condition": n.condition}
    if n.value is not None:
        details["value"] = n.value
    if n.description:
        details["description"] = n.description
    return {
        "routing_key": channel.routing_key,
        "event_action": "trigger",
        "dedup_key": n.dedup_key,
        "client": "NGF Console",
        "payload": {
            "summary": n.summary[:1024],  # the API's limit
            "severity": n.severity,  # info/warning/critical are PagerDuty severities too
            "source": channel.source,
            "timestamp": n.at.isoformat(),
            "component": n.labels.get("secret") or n.labels.get("namespace"),
            "group": n.labels.get("namespace"),
            "class": n.condition.split(" ", 1)[0],
            "custom_details": details,
        },
    }


def webhook_payload(n: Notification) -> dict[str, Any]:
    """The console's own JSON notification (version 1)."""
    return {
        "version": "1",
        "source": "ngf-console",
        "event": n.event,
        "summary": n.summary,
        "dedup_key": n.dedup_key,
        "rule": {
            "id": str(n.rule_id),
            "name": n.rule_name,
            "description": n.description,
            "severity": n.severity,
            "condition": n.condition,
        },
        "labels": n.labels,
        "annotations": n.annotations,
        "value": n.value,
        "since": n.since.isoformat(),
        "at": n.at.isoformat(),
    }


def request_for(
    n: Notification, channel: ChannelConfig
) -> tuple[str, dict[str, Any], dict[str, str]]:
    """URL, JSON body and extra headers of the POST that notifies ``channel``."""
    if isinstance(channel, SlackChannel):
        return channel.webhook_url, slack_payload(n, channel), {}
    if isinstance(channel, PagerDutyChannel):
        return channel.url, pagerduty_payload(n, channel), {}
    return channel.url, webhook_payload(n), dict(channel.headers)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a notification is retried."""

    max_attempts: int = 5
    base_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 60.0
    max_retry_after: float = 300.0  # a longer Retry-After is cut to this

    @staticmethod
    def retryable(status_code: int) -> bool:
        """5xx and 429 are worth another try; any other 4xx will not get better."""
        return status_code == 429 or status_code >= 500

    def delay(self, failed_attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after ``failed_attempts`` (1, 2, ...) failures.

        The server's ``Retry-After`` wins when given; otherwise base * factor^(n-1), capped.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return min(self.base_delay * self.factor ** (failed_attempts - 1), self.max_delay)


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds from a ``Retry-After`` header (delay-seconds or an HTTP date), else None."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - now).total_seconds(), 0.0)


class DeliveryRecord(BaseModel):
    """How one notification to one channel went."""

    id: int
    at: dt.datetime
    rule_id: uuid.UUID
    rule_name: str
    event: Literal["firing", "resolved", "test"]
    dedup_key: str
    labels: dict[str, str]
    annotations: dict[str, str] = Field(
        default_factory=dict,
        description="What the notification said besides its labels (a test: samples, "
        "meeting_condition).",
    )
    channel_index: int
    channel_type: str
    target: str = Field(description="The channel's URL, redacted to scheme and host.")
    outcome: Literal["delivered", "failed"]
    attempts: int
    status_code: int | None = None
    error: str | None = None


class DeliveryLog:
    """The last ``size`` delivery records, in memory."""

    def __init__(self, size: int = 500) -> None:
        self._records: deque[DeliveryRecord] = deque(maxlen=size)
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        """A new record id (increasing)."""
        return next(self._ids)

    def add(self, record: DeliveryRecord) -> None:
        """Keep ``record`` (the oldest one goes when the log is full)."""
        self._records.append(record)

    def recent(self, limit: int = 100, *, rule_id: uuid.UUID | None = None) -> list[DeliveryRecord]:
        """Newest first, optionally only one rule's."""
        out: list[DeliveryRecord] = []
        for record in reversed(self._records):
            if rule_id is None or record.rule_id == rule_id:
                out.append(record)
                if len(out) >= limit:
                    break
        return out


def redacted_target(channel: Mapping[str, Any]) -> str:
    """Where a channel's notifications go, without its secret: ``https://host/***``."""
    masked = redact_channels([dict(channel)])[0]
    for key in ("webhook_url", "webhook", "url"):
        if isinstance(masked.get(key), str):
            return str(masked[key])
    if masked.get("type") == "pagerduty":
        return str(redact_channels([{"url": PAGERDUTY_EVENTS_URL}])[0]["url"])
    return "***"


Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], dt.datetime]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Notifier:
    """Sends notifications to channels with retries, and records each outcome."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        policy: RetryPolicy | None = None,
        deliveries: DeliveryLog | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = _utcnow,
    ) -> None:
        self._client = client
        self.policy = policy or RetryPolicy()
        self.deliveries = deliveries or DeliveryLog()
        self._sleep = sleep
        self._clock = clock

    async def notify(
        self,
        n: Notification,
        channels: Sequence[Mapping[str, Any]],
        *,
        policy: RetryPolicy | None = None,
    ) -> list[DeliveryRecord]:
        """Deliver ``n`` to every channel at once; one record per channel, in order."""
        return list(
            await asyncio.gather(
                *(self.deliver(n, c, index=i, policy=policy) for i, c in enumerate(channels))
            )
        )

    async def deliver(
        self,
        n: Notification,
        channel: Mapping[str, Any],
        *,
        index: int = 0,
        policy: RetryPolicy | None = None,
    ) -> DeliveryRecord:
        """Deliver ``n`` to one channel, retrying as ``policy`` (default: the notifier's)
        says; the record is also kept in the delivery log."""
        target = redacted_target(channel)
        channel_type = str(channel.get("type", "unknown"))
        attempts, status_code, error = 0, None, None
        try:
            config = CHANNEL_CONFIG.validate_python(dict(channel))
        except ValueError as exc:
            error = f"invalid channel config: {_first_error(exc)}"
        else:
            attempts, status_code, error = await self._post_with_retries(
                n, config, target, policy or self.policy
            )
        record = DeliveryRecord(
            id=self.deliveries.next_id(),
            at=self._clock(),
            rule_id=n.rule_id,
            rule_name=n.rule_name,
            event=n.event,
            dedup_key=n.dedup_key,
            labels=n.labels,
            annotations=n.annotations,
            channel_index=index,
            channel_type=channel_type,
            target=target,
            outcome="delivered" if error is None else "failed",
            attempts=attempts,
            status_code=status_code,
            error=error,
        )
        self.deliveries.add(record)
        if error is None:
            log.info("alert %s %s delivered to %s %s", n.event, n.dedup_key, channel_type, target)
        else:
            log.warning(
                "alert %s %s not delivered to %s %s after %d attempt(s): %s",
                n.event,
                n.dedup_key,
                channel_type,
                target,
                attempts,
                error,
            )
        return record

    async def _post_with_retries(
        self, n: Notification, channel: ChannelConfig, target: str, policy: RetryPolicy
    ) -> tuple[int, int | None, str | None]:
        """(attempts, last status code, error or None)."""
        url, body, headers = request_for(n, channel)
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                response = await self._client.post(url, json=body, headers=headers)
            except httpx.TransportError as exc:  # connect, read, timeouts
                status_code: int | None = None
                # httpx messages can quote the URL, which holds the secret.
                error = f"{type(exc).__name__}: {str(exc).replace(url, target)}"
                retry = True
            else:
                status_code = response.status_code
                if response.is_success:
                    return attempt, status_code, None
                error = f"HTTP {status_code}"
                retry = policy.retryable(status_code)
                retry_after = parse_retry_after(response.headers.get("retry-after"), self._clock())
            if not retry or attempt >= policy.max_attempts:
                return attempt, status_code, error
            await self._sleep(policy.delay(attempt, retry_after))


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))
    return str(exc)
