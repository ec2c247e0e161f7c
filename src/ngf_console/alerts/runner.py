"""The background task that evaluates every rule each ``interval`` and sends what changed.

Started and stopped by the API server's lifespan. Each pass reads the rules from the config
DB, asks each rule's metric source for samples, moves the evaluator's state and hands the
notifications to the notifier in the background (a slow or failing channel never delays
the next pass; notifications of one alert go out in order). Firing alerts are saved in
the config DB whenever the set changes, so a restart neither repeats nor forgets them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

import httpx
from pydantic import ValidationError

from ngf_console.alerts.channels import DeliveryRecord, Notifier, RetryPolicy
from ngf_console.alerts.evaluator import (
    ActiveAlert,
    EvaluatedRule,
    Evaluator,
    Notification,
)
from ngf_console.alerts.query_sources import ClickHouseQuerySource, PrometheusQuerySource
from ngf_console.alerts.rules import RuleConfig
from ngf_console.alerts.sources import CertificateExpirySource, MetricSource, Sample, SourceError
from ngf_console.kube.clusters import Cluster
from ngf_console.store import AlertRule, Store
from ngf_console.telemetry.analytics.service import AnalyticsService
from ngf_console.telemetry.prometheus import PrometheusClient

log = logging.getLogger(__name__)

STATE_SUBJECT: Final = "system:ngf-console:alerting"
_STATE_KEY: Final = "firing_alerts"
# A test notification answers an HTTP request: two tries, not a minute of backoff.
TEST_POLICY: Final = RetryPolicy(max_attempts=2, base_delay=0.5)

Channels = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class RunnerSettings:
    """How the runner runs; ``from_env`` reads ``NGF_ALERTS_ENABLED`` and
    ``NGF_ALERTS_INTERVAL_SECONDS``."""

    enabled: bool = True
    interval: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RunnerSettings:
        """Settings from the environment (defaults for what is not set)."""
        env = os.environ if env is None else env
        enabled = env.get("NGF_ALERTS_ENABLED", "true").strip().lower() not in ("0", "false", "no")
        interval = float(env.get("NGF_ALERTS_INTERVAL_SECONDS", "30"))
        if interval <= 0:
            raise ValueError("NGF_ALERTS_INTERVAL_SECONDS must be positive")
        return cls(enabled=enabled, interval=interval)


class FiringStateStore(Protocol):
    """Where firing alerts are kept across restarts."""

    async def load(self) -> list[ActiveAlert]:
        """The firing alerts saved last."""
        ...

    async def save(self, alerts: list[ActiveAlert]) -> None:
        """Replace the saved firing alerts."""
        ...


class UserPreferencesStateStore:
    """Firing alerts in the preferences of a system user of the config DB.

    The config DB has no table for alert state; the ``users`` row with subject
    ``system:ngf-console:alerting`` (a name no identity provider hands out) holds it.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._user_id: uuid.UUID | None = None

    async def load(self) -> list[ActiveAlert]:
        user = await self._store.users.get_by_subject(STATE_SUBJECT)
        docs = user.preferences.get(_STATE_KEY, []) if user else []
        alerts: list[ActiveAlert] = []
        for doc in docs if isinstance(docs, list) else []:
            try:
                alerts.append(ActiveAlert.from_document(doc))
            except (KeyError, TypeError, ValueError):
                log.warning("ignoring a malformed saved alert state entry")
        return alerts

    async def save(self, alerts: list[ActiveAlert]) -> None:
        if self._user_id is None:
            user = await self._store.users.get_or_create(
                STATE_SUBJECT, display_name="NGF Console alerting"
            )
            self._user_id = user.id
        docs = [a.to_document() for a in alerts]
        await self._store.users.update_preferences(self._user_id, {_STATE_KEY: docs})


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AlertRunner:
    """Evaluates the config DB's rules periodically; the API reads its state."""

    def __init__(
        self,
        store: Store,
        sources: Iterable[MetricSource],
        *,
        settings: RunnerSettings | None = None,
        notifier: Notifier | None = None,
        state_store: FiringStateStore | None = None,
        clock: Any = _utcnow,
    ) -> None:
        self._store = store
        self.sources: dict[str, MetricSource] = {s.name: s for s in sources}
        self.settings = settings or RunnerSettings()
        self._own_client: httpx.AsyncClient | None = None
        if notifier is None:
            self._own_client = httpx.AsyncClient(timeout=10.0, follow_redirects=False)
            notifier = Notifier(self._own_client)
        self.notifier = notifier
        self._state_store = state_store
        self._clock = clock
        self.evaluator = Evaluator()
        self.errors: dict[uuid.UUID, str] = {}  # the last evaluation problem of each rule
        self.last_run: dt.datetime | None = None
        self._last_rules: dict[uuid.UUID, tuple[EvaluatedRule, Channels]] = {}
        self._saved: frozenset[tuple[uuid.UUID, str, str]] | None = None
        self._chains: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Restore saved firing alerts and start the periodic loop (if enabled)."""
        if self._state_store is not None:
            try:
                restored = await self._state_store.load()
            except Exception:
                log.exception("could not load the saved alert state; starting empty")
                restored = []
            self.evaluator.restore(restored)
            self._saved = self._fingerprint(restored)
        if self.settings.enabled:
            self._loop = asyncio.create_task(self._run(), name="alert-runner")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop the loop; give deliveries under way ``grace`` seconds, then cancel them."""
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None
        pending = [t for t in self._chains.values() if not t.done()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._own_client is not None:
            await self._own_client.aclose()

    def wake(self) -> None:
        """Evaluate now rather than at the next tick (after a rule changed)."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("alert evaluation failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.interval)
            self._wake.clear()

    async def run_once(self) -> list[Notification]:
        """One pass over every rule; the notifications it sent off (in the background)."""
        now = self._clock()
        rules = await self._store.alert_rules.list_rules()
        out: list[tuple[Notification, Channels]] = []
        current: dict[uuid.UUID, tuple[EvaluatedRule, Channels]] = {}
        for rule in rules:
            try:
                config = RuleConfig.model_validate(rule.config)
            except ValidationError as exc:
                self.errors[rule.id] = f"invalid config: {exc.errors()[0]['msg']}"
                if rule.id in self._last_rules:  # keep its alerts as they were
                    current[rule.id] = self._last_rules[rule.id]
                continue
            evaluated = EvaluatedRule(
                id=rule.id,
                name=rule.name,
                config=config,
                description=rule.description,
                enabled=rule.enabled,
            )
            rule_channels: Channels = list(rule.notification_channels)
            current[rule.id] = (evaluated, rule_channels)
            if not rule.enabled:
                self.errors.pop(rule.id, None)
                out += [(n, rule_channels) for n in self.evaluator.retire(evaluated, now)]
                continue
            samples = await self._samples(rule.id, config, now)
            if samples is not None:
                out += [
                    (n, rule_channels) for n in self.evaluator.evaluate(evaluated, samples, now)
                ]
        for rule_id in self.evaluator.rule_ids() - current.keys():  # deleted rules
            last = self._last_rules.get(rule_id)
            if last is None:
                self.evaluator.forget([rule_id])
            else:
                out += [(n, last[1]) for n in self.evaluator.retire(last[0], now)]
        self._last_rules = current
        for rule_id in list(self.errors):
            if rule_id not in current:
                del self.errors[rule_id]
        for notification, channels in out:
            self._dispatch(notification, channels)
        await self._save_state()
        self.last_run = now
        return [n for n, _ in out]

    async def _samples(
        self, rule_id: uuid.UUID, config: RuleConfig, now: dt.datetime
    ) -> list[Any] | None:
        source = self.sources.get(config.source)
        if source is None:
            self.errors[rule_id] = f"no metric source {config.source!r} on this server"
            return None
        try:
            samples = await source.samples(config, now=now)
        except (SourceError, ValidationError) as exc:
            self.errors[rule_id] = str(exc)
            return None
        except Exception as exc:
            log.exception("metric source %s failed", config.source)
            self.errors[rule_id] = f"{type(exc).__name__} in source {config.source}"
            return None
        self.errors.pop(rule_id, None)
        return list(samples)

    def _dispatch(self, notification: Notification, channels: Channels) -> None:
        """Send in the background, after any earlier notification of the same alert."""
        if not channels:
            return
        previous = self._chains.get(notification.dedup_key)

        async def send() -> None:
            if previous is not None:
                # wait (not await): cancelling this send must not cancel the earlier one
                await asyncio.wait([previous])
            await self.notifier.notify(notification, channels)

        task = asyncio.create_task(send(), name=f"alert-notify-{notification.dedup_key}")
        self._chains[notification.dedup_key] = task

        def done(t: asyncio.Task[None]) -> None:
            if self._chains.get(notification.dedup_key) is t:
                del self._chains[notification.dedup_key]
            if not t.cancelled() and t.exception() is not None:
                log.error("alert notification failed: %s", t.exception())

        task.add_done_callback(done)

    async def idle(self) -> None:
        """Wait until every notification sent off so far is delivered or given up."""
        while self._chains:
            await asyncio.wait(list(self._chains.values()))

    @staticmethod
    def _fingerprint(alerts: Iterable[ActiveAlert]) -> frozenset[tuple[uuid.UUID, str, str]]:
        return frozenset(
            (a.rule_id, a.fingerprint, a.firing_since.isoformat() if a.firing_since else "")
            for a in alerts
            if a.state == "firing"
        )

    async def _save_state(self) -> None:
        if self._state_store is None:
            return
        firing = self.evaluator.firing()
        fingerprint = self._fingerprint(firing)
        if fingerprint == self._saved:
            return  # values change every pass; the set of firing alerts rarely does
        try:
            await self._state_store.save(firing)
        except Exception:
            log.exception("could not save the alert state")
            return
        self._saved = fingerprint

    def active(self) -> list[ActiveAlert]:
        """Pending and firing alerts."""
        return self.evaluator.active()

    def deliveries(
        self, limit: int = 100, *, rule_id: uuid.UUID | None = None
    ) -> list[DeliveryRecord]:
        """Recent deliveries, newest first."""
        return self.notifier.deliveries.recent(limit, rule_id=rule_id)

    async def read_source(self, config: RuleConfig, now: dt.datetime) -> list[Sample]:
        """The rule's samples now; ``SourceError`` when its source is missing or fails."""
        source = self.sources.get(config.source)
        if source is None:
            raise SourceError(f"no metric source {config.source!r} on this server")
        try:
            return list(await source.samples(config, now=now))
        except ValidationError as exc:
            raise SourceError(str(exc)) from exc

    async def send_test(self, rule: AlertRule) -> list[DeliveryRecord]:
        """Read the rule's source once (``SourceError`` if it fails: nothing is sent), then
        send a test notification to each of the rule's channels (two tries each) saying how
        many samples the source gives now and how many meet the condition."""
        now = self._clock()
        annotations: dict[str, str] = {}
        try:
            config = RuleConfig.model_validate(rule.config)
            severity, condition, labels = config.severity, config.describe(), config.labels
        except ValidationError:
            severity, condition, labels = "info", rule.rule_type, {}
        else:
            samples = await self.read_source(config, now)
            annotations = {
                "samples": str(len(samples)),
                "meeting_condition": str(sum(1 for s in samples if config.holds(s.value))),
            }
        notification = Notification(
            event="test",
            rule_id=rule.id,
            rule_name=rule.name,
            severity=severity,
            condition=condition,
            labels=dict(labels),
            fingerprint="test",
            value=None,
            since=now,
            at=now,
            description=rule.description or "A test notification from NGF Console.",
            annotations=annotations,
        )
        return await self.notifier.notify(
            notification, rule.notification_channels, policy=TEST_POLICY
        )


def console_runner(
    store: Store,
    clusters: Iterable[Cluster],
    *,
    prometheus: PrometheusClient | None = None,
    analytics: AnalyticsService | None = None,
) -> AlertRunner:
    """The API server's runner: certificate expiry over ``clusters``' caches, PromQL rules
    when Prometheus is configured, SQL rules over the analytics store; settings from the
    environment, firing state saved in the config DB."""
    sources: list[MetricSource] = [CertificateExpirySource(lambda: clusters)]
    if prometheus is not None:
        sources.append(PrometheusQuerySource(prometheus))
    if analytics is not None and analytics.settings.enabled:
        sources.append(ClickHouseQuerySource(analytics))
    return AlertRunner(
        store,
        sources,
        settings=RunnerSettings.from_env(),
        state_store=UserPreferencesStateStore(store),
    )
