"""Alert rules: CRUD, and masking the secrets of notification channels."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from ngf_console.store import (
    AlertRuleInput,
    AlertRulePatch,
    Store,
    redact_channels,
    restore_redacted,
)

pytestmark = pytest.mark.anyio

CHANNELS = [
    {"type": "slack", "webhook": "https://hooks.slack.com/services/T000/B000/XXXXSECRET"},
    {"type": "pagerduty", "routing_key": "R0UT1NGKEY0123456789", "severity": "critical"},
    {"type": "email", "to": ["ops@example.com"]},
    {
        "type": "webhook",
        "url": "https://alerts.example.com/hook?token=abc",
        "headers": {"Authorization": "Bearer s3cret"},
    },
]


def _rule(**overrides: object) -> AlertRuleInput:
    values: dict[str, object] = {
        "name": "cert expiry",
        "description": "certificates expiring within 14 days",
        "rule_type": "cert_expiry",
        "config": {"days": 14, "selector": {"namespaces": ["prod", "edge"]}},
        "notification_channels": CHANNELS,
    }
    values.update(overrides)
    return AlertRuleInput.model_validate(values)


async def test_create_get_list_delete(store: Store) -> None:
    created = await store.alert_rules.create(_rule())
    assert created.enabled is True
    assert created.notification_channels == CHANNELS, "stored as given"
    assert created.config == {"days": 14, "selector": {"namespaces": ["prod", "edge"]}}
    assert created.created_at.utcoffset() == timedelta(0)
    assert await store.alert_rules.get(created.id) == created

    other = await store.alert_rules.create(
        _rule(name="5xx", rule_type="error_rate", enabled=False, notification_channels=[])
    )
    assert [r.id for r in await store.alert_rules.list_rules()] == [other.id, created.id]
    assert [r.id for r in await store.alert_rules.list_rules(enabled=True)] == [created.id]
    assert [r.id for r in await store.alert_rules.list_rules(rule_type="error_rate")] == [other.id]

    assert await store.alert_rules.delete(created.id) is True
    assert await store.alert_rules.delete(created.id) is False
    assert await store.alert_rules.get(created.id) is None


async def test_patch_changes_only_what_it_sets(store: Store) -> None:
    created = await store.alert_rules.create(_rule())
    patched = await store.alert_rules.update(
        created.id, AlertRulePatch(enabled=False, config={"days": 7})
    )
    assert patched is not None
    assert (patched.enabled, patched.config) == (False, {"days": 7})
    assert patched.name == created.name and patched.notification_channels == CHANNELS
    assert patched.updated_at > created.updated_at
    assert patched.created_at == created.created_at
    assert await store.alert_rules.get(created.id) == patched


async def test_replace_resets_omitted_fields(store: Store) -> None:
    created = await store.alert_rules.create(_rule(enabled=False))
    replaced = await store.alert_rules.update(
        created.id, AlertRuleInput(name="latency", rule_type="latency_threshold")
    )
    assert replaced is not None
    assert (replaced.name, replaced.rule_type, replaced.enabled) == (
        "latency",
        "latency_threshold",
        True,
    )
    assert replaced.config == {} and replaced.notification_channels == []
    assert replaced.description == ""


async def test_update_of_a_missing_rule(store: Store) -> None:
    assert await store.alert_rules.update(uuid.uuid4(), AlertRulePatch(enabled=False)) is None


async def test_redacted_rule_masks_secrets_only(store: Store) -> None:
    created = await store.alert_rules.create(_rule())
    shown = created.redacted()
    assert shown.notification_channels == [
        {"type": "slack", "webhook": "https://hooks.slack.com/***"},
        {"type": "pagerduty", "routing_key": "***", "severity": "critical"},
        {"type": "email", "to": ["ops@example.com"]},
        {
            "type": "webhook",
            "url": "https://alerts.example.com/***",
            "headers": {"Authorization": "***"},
        },
    ]
    assert created.notification_channels == CHANNELS, "the stored rule is not changed"
    assert "SECRET" not in shown.model_dump_json()


def test_restore_redacted_keeps_stored_secrets_and_takes_new_ones() -> None:
    submitted = redact_channels(CHANNELS)
    submitted[1]["routing_key"] = "NEWKEY"
    submitted[2]["to"] = ["sre@example.com"]
    submitted.append({"type": "slack", "webhook": "https://hooks.slack.com/services/NEW"})

    restored = restore_redacted(submitted, CHANNELS)

    assert restored[0] == CHANNELS[0]
    assert restored[1]["routing_key"] == "NEWKEY"
    assert restored[2]["to"] == ["sre@example.com"]
    assert restored[3] == CHANNELS[3]
    assert restored[4] == {"type": "slack", "webhook": "https://hooks.slack.com/services/NEW"}


def test_empty_secrets_stay_empty() -> None:
    assert redact_channels([{"type": "slack", "webhook": ""}]) == [{"type": "slack", "webhook": ""}]
