"""Alert rules, and the redaction of the secrets their notification channels carry.

Channels are stored as given (a Slack webhook URL, a PagerDuty routing key, ...). Whatever
leaves the API should go through ``redact_channels`` (or ``AlertRule.redacted()``), and an
edit that sends redacted values back goes through ``restore_redacted`` so the stored secret
is kept rather than overwritten with the mask.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from pydantic import BaseModel, Field

from ngf_console.store.documents import json_document, json_documents
from ngf_console.store.models import AlertRuleRow
from ngf_console.store.session import Database

MASK = "***"
# Keys (compared lower-case, "-" read as "_") whose values are secrets in a channel config.
SECRET_KEYS = frozenset(
    {
        "webhook",
        "webhook_url",
        "url",
        "routing_key",
        "integration_key",
        "service_key",
        "api_key",
        "token",
        "password",
        "secret",
        "authorization",
    }
)


def _is_secret_key(key: str) -> bool:
    return key.lower().replace("-", "_") in SECRET_KEYS


def _mask(value: Any) -> Any:
    if not isinstance(value, str):
        return MASK
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname:
        # The host says where notifications go (hooks.slack.com) without the secret path.
        return f"{parts.scheme}://{parts.hostname}/{MASK}"
    return MASK


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _mask(v) if _is_secret_key(str(k)) and v not in (None, "") else _redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def redact_channels(channels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``channels`` with every secret-looking value masked (webhook URLs keep their host)."""
    return [_redact(channel) for channel in channels]


def _restore(submitted: Any, stored: Any) -> Any:
    if isinstance(submitted, Mapping) and isinstance(stored, Mapping):
        return {
            k: stored[k]
            if k in stored and _is_secret_key(str(k)) and v == _mask(stored[k])
            else _restore(v, stored.get(k))
            for k, v in submitted.items()
        }
    if isinstance(submitted, list) and isinstance(stored, list):
        return [_restore(v, stored[i]) if i < len(stored) else v for i, v in enumerate(submitted)]
    return submitted


def restore_redacted(
    submitted: list[dict[str, Any]], stored: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``submitted`` channels with masked values replaced by the stored secrets they mask.

    Channels are matched by position; a value that is not exactly the mask of the stored
    value at the same place is taken as a new value.
    """
    return [
        _restore(channel, stored[i]) if i < len(stored) else channel
        for i, channel in enumerate(submitted)
    ]


class AlertRuleInput(BaseModel):
    """What a client sends to create an alert rule, or to replace one."""

    name: str = Field(min_length=1, max_length=255)
    description: str = ""
    rule_type: str = Field(
        min_length=1, max_length=50, description="cert_expiry, error_rate, latency_threshold, ..."
    )
    config: dict[str, Any] = Field(default_factory=dict)
    notification_channels: list[dict[str, Any]] = Field(default_factory=list)
    enabled: bool = True


class AlertRulePatch(BaseModel):
    """A partial update: only the fields set are changed."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = None
    rule_type: str | None = Field(default=None, min_length=1, max_length=50)
    config: dict[str, Any] | None = None
    notification_channels: list[dict[str, Any]] | None = None
    enabled: bool | None = None


class AlertRule(AlertRuleInput):
    """A stored alert rule."""

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime

    def redacted(self) -> AlertRule:
        """This rule with its notification channels' secrets masked."""
        return self.model_copy(
            update={"notification_channels": redact_channels(self.notification_channels)}
        )


def _rule(row: AlertRuleRow) -> AlertRule:
    return AlertRule(
        id=row.id,
        name=row.name,
        description=row.description,
        rule_type=row.rule_type,
        config=row.config,
        notification_channels=row.notification_channels,
        enabled=row.enabled,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _column_values(changes: Mapping[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in changes.items() if v is not None}
    if "config" in values:
        values["config"] = json_document(values["config"])
    if "notification_channels" in values:
        values["notification_channels"] = json_documents(values["notification_channels"])
    return values


class AlertRules:
    """Creating, reading, updating and deleting alert rules."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, spec: AlertRuleInput) -> AlertRule:
        """Store a new rule and return it (channels unredacted)."""
        row = AlertRuleRow(**_column_values(spec.model_dump()))
        async with self._db.write() as session:
            session.add(row)
            await session.flush()
            return _rule(row)

    async def get(self, rule_id: uuid.UUID) -> AlertRule | None:
        """The rule with ``rule_id``, or None."""
        async with self._db.read() as session:
            row = await session.get(AlertRuleRow, rule_id)
            return _rule(row) if row else None

    async def list_rules(
        self, *, enabled: bool | None = None, rule_type: str | None = None
    ) -> list[AlertRule]:
        """Rules, optionally only enabled/disabled ones or one type, ordered by name."""
        query = sa.select(AlertRuleRow).order_by(AlertRuleRow.name, AlertRuleRow.created_at)
        if enabled is not None:
            query = query.where(AlertRuleRow.enabled == enabled)
        if rule_type is not None:
            query = query.where(AlertRuleRow.rule_type == rule_type)
        async with self._db.read() as session:
            return [_rule(row) for row in await session.scalars(query)]

    async def update(
        self, rule_id: uuid.UUID, changes: AlertRuleInput | AlertRulePatch
    ) -> AlertRule | None:
        """Replace the rule (``AlertRuleInput``) or change the fields a patch sets.

        None when there is no such rule.
        """
        if isinstance(changes, AlertRuleInput):
            values = changes.model_dump()
        else:
            values = changes.model_dump(exclude_unset=True)
        async with self._db.write() as session:
            row = await session.get(AlertRuleRow, rule_id, with_for_update=True)
            if row is None:
                return None
            for key, value in _column_values(values).items():
                setattr(row, key, value)
            await session.flush()
            return _rule(row)

    async def delete(self, rule_id: uuid.UUID) -> bool:
        """Delete the rule; False when there was none."""
        async with self._db.write() as session:
            result = await session.execute(
                sa.delete(AlertRuleRow).where(AlertRuleRow.id == rule_id)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
