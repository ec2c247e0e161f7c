"""The firing state of every alert, and the notifications its changes call for.

One alert per (rule, sample labels). Each evaluation moves it along

    inactive --condition true--> pending --held for `for`--> firing (notify "firing")
    pending  --condition false--> inactive (nothing was sent, nothing to take back)
    firing   --condition false, sample gone, rule disabled or deleted--> resolved (notify)

so each firing and each resolve is notified exactly once; a firing alert whose value
changes is not notified again. The evaluator is pure (time is passed in) and keeps its
state in memory; :meth:`Evaluator.restore` adopts firing alerts saved before a restart so
that they are neither notified again nor forgotten (see docs/alerts.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ngf_console.alerts.rules import RuleConfig, Severity
from ngf_console.alerts.sources import Sample

AlertState = Literal["pending", "firing"]
NotificationEvent = Literal["firing", "resolved", "test"]


def fingerprint(labels: Mapping[str, str]) -> str:
    """A stable short hash of a label set (order does not matter)."""
    text = json.dumps(sorted(labels.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class EvaluatedRule:
    """What the evaluator needs of a stored rule."""

    id: uuid.UUID
    name: str
    config: RuleConfig
    description: str = ""
    enabled: bool = True


@dataclass(frozen=True)
class Notification:
    """One thing to tell the rule's channels: an alert fired, resolved, or a test."""

    event: NotificationEvent
    rule_id: uuid.UUID
    rule_name: str
    severity: Severity
    condition: str
    labels: dict[str, str]  # the sample's labels, then the rule's own labels
    fingerprint: str  # of the sample's labels only: what identifies the alert
    value: float | None
    since: dt.datetime  # when the alert started firing (or the test was made)
    at: dt.datetime
    description: str = ""
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def dedup_key(self) -> str:
        """Stable per rule and labels: PagerDuty's key to match a resolve to its trigger."""
        return f"ngf-console/{self.rule_id}/{self.fingerprint}"

    @property
    def summary(self) -> str:
        """One line for people: what fired, where, with which value."""
        where = ", ".join(f"{k}={v}" for k, v in sorted(self.labels.items()))
        value = "" if self.value is None else f" (value {self.value:g})"
        prefix = {"firing": "FIRING", "resolved": "RESOLVED", "test": "TEST"}[self.event]
        return f"[{prefix}] {self.rule_name}: {self.condition}{value}" + (
            f" {{{where}}}" if where else ""
        )


@dataclass(frozen=True)
class ActiveAlert:
    """An alert that is pending or firing."""

    rule_id: uuid.UUID
    rule_name: str
    labels: dict[str, str]
    state: AlertState
    value: float
    severity: Severity
    pending_since: dt.datetime
    firing_since: dt.datetime | None = None
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.labels)

    def to_document(self) -> dict[str, Any]:
        """A JSON-able dict, for saving firing state across restarts."""
        return {
            "rule_id": str(self.rule_id),
            "rule_name": self.rule_name,
            "labels": dict(self.labels),
            "state": self.state,
            "value": self.value,
            "severity": self.severity,
            "pending_since": self.pending_since.isoformat(),
            "firing_since": self.firing_since.isoformat() if self.firing_since else None,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ActiveAlert:
        """The inverse of :meth:`to_document` (``ValueError``/``KeyError`` when malformed)."""
        firing_since = doc.get("firing_since")
        return cls(
            rule_id=uuid.UUID(str(doc["rule_id"])),
            rule_name=str(doc["rule_name"]),
            labels={str(k): str(v) for k, v in dict(doc["labels"]).items()},
            state="firing" if doc["state"] == "firing" else "pending",
            value=float(doc["value"]),
            severity=doc["severity"] if doc["severity"] in ("info", "critical") else "warning",
            pending_since=dt.datetime.fromisoformat(str(doc["pending_since"])),
            firing_since=dt.datetime.fromisoformat(str(firing_since)) if firing_since else None,
        )


def _notification(
    event: NotificationEvent,
    rule: EvaluatedRule,
    alert: ActiveAlert,
    *,
    value: float | None,
    now: dt.datetime,
) -> Notification:
    return Notification(
        event=event,
        rule_id=rule.id,
        rule_name=rule.name,
        severity=rule.config.severity,
        condition=rule.config.describe(),
        labels={**alert.labels, **rule.config.labels},
        fingerprint=alert.fingerprint,
        value=value,
        since=alert.firing_since or alert.pending_since,
        at=now,
        description=rule.description,
        annotations=dict(alert.annotations),
    )


class Evaluator:
    """Alerts by (rule id, label fingerprint), and the state machine that moves them."""

    def __init__(self) -> None:
        self._alerts: dict[tuple[uuid.UUID, str], ActiveAlert] = {}

    def evaluate(
        self, rule: EvaluatedRule, samples: Sequence[Sample], now: dt.datetime
    ) -> list[Notification]:
        """Apply one evaluation of ``rule`` over ``samples``; the notifications it calls for.

        A disabled rule resolves its firing alerts and drops its pending ones.
        """
        if not rule.enabled:
            return self.retire(rule, now)
        seen: dict[str, Sample] = {fingerprint(s.labels): s for s in samples}
        out: list[Notification] = []
        for key, sample in seen.items():
            current = self._alerts.get((rule.id, key))
            if not rule.config.holds(sample.value):
                if current is not None:
                    out += self._end(rule, current, value=sample.value, now=now)
                continue
            if current is None:
                current = ActiveAlert(
                    rule_id=rule.id,
                    rule_name=rule.name,
                    labels=dict(sample.labels),
                    state="pending",
                    value=sample.value,
                    severity=rule.config.severity,
                    pending_since=now,
                )
            current = replace(
                current,
                rule_name=rule.name,
                value=sample.value,
                severity=rule.config.severity,
                annotations=dict(sample.annotations),
            )
            held = (now - current.pending_since).total_seconds()
            if current.state == "pending" and held >= rule.config.for_seconds:
                current = replace(current, state="firing", firing_since=now)
                out.append(_notification("firing", rule, current, value=sample.value, now=now))
            self._alerts[(rule.id, key)] = current
        # Alerts whose sample is gone: the certificate was deleted, the series ended.
        for (rule_id, key), alert in list(self._alerts.items()):
            if rule_id == rule.id and key not in seen:
                out += self._end(rule, alert, value=alert.value, now=now)
        return out

    def retire(self, rule: EvaluatedRule, now: dt.datetime) -> list[Notification]:
        """End every alert of ``rule`` (disabled or deleted): resolve the firing ones."""
        out: list[Notification] = []
        for (rule_id, _), alert in list(self._alerts.items()):
            if rule_id == rule.id:
                out += self._end(rule, alert, value=alert.value, now=now)
        return out

    def forget(self, rule_ids: Iterable[uuid.UUID]) -> None:
        """Drop the alerts of rules without notifying (nothing is known to tell)."""
        gone = set(rule_ids)
        for key in [k for k in self._alerts if k[0] in gone]:
            del self._alerts[key]

    def _end(
        self, rule: EvaluatedRule, alert: ActiveAlert, *, value: float, now: dt.datetime
    ) -> list[Notification]:
        del self._alerts[(alert.rule_id, alert.fingerprint)]
        if alert.state != "firing":
            return []  # pending: nothing was sent, so nothing to resolve
        return [_notification("resolved", rule, alert, value=value, now=now)]

    def restore(self, alerts: Iterable[ActiveAlert]) -> None:
        """Adopt firing alerts saved before a restart, as already notified.

        Alerts already known are kept as they are; pending ones are not restored (their
        ``for`` starts again, which can only delay a first notification, not repeat one).
        """
        for alert in alerts:
            if alert.state == "firing":
                self._alerts.setdefault((alert.rule_id, alert.fingerprint), alert)

    def rule_ids(self) -> set[uuid.UUID]:
        """The rules that have pending or firing alerts."""
        return {rule_id for rule_id, _ in self._alerts}

    def active(self) -> list[ActiveAlert]:
        """Pending and firing alerts, firing first, then by rule name and labels."""
        return sorted(
            self._alerts.values(),
            key=lambda a: (a.state != "firing", a.rule_name, sorted(a.labels.items())),
        )

    def firing(self) -> list[ActiveAlert]:
        """The firing alerts (what is saved across restarts)."""
        return [a for a in self.active() if a.state == "firing"]
