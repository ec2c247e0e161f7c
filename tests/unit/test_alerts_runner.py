"""The runner over a real SQLite config DB: rules read each pass, notifications sent once,
deleted rules resolved, firing state kept across a restart without a second notification."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
from pydantic import BaseModel

from alert_receiver import Receiver
from ngf_console.alerts.channels import Notifier
from ngf_console.alerts.rules import RuleConfig
from ngf_console.alerts.runner import AlertRunner, RunnerSettings, UserPreferencesStateStore
from ngf_console.alerts.sources import Sample, SourceError
from ngf_console.store import AlertRuleInput, open_store, sqlite_url

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


class FakeSource:
    """Samples set by the test; ``broken`` makes it fail like an unreachable backend."""

    name = "fake"
    params_model = BaseModel

    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        self.broken = False

    async def samples(self, config: RuleConfig, *, now: dt.datetime) -> list[Sample]:
        if self.broken:
            raise SourceError("backend unreachable")
        return [Sample({"secret": k}, v) for k, v in self.values.items()]


def _rule() -> AlertRuleInput:
    return AlertRuleInput(
        name="days left",
        rule_type="fake",
        config={"source": "fake", "operator": "<", "threshold": 7},
        notification_channels=[{"type": "webhook", "url": "http://receiver/hook"}],
    )


def test_runner_notifies_once_resolves_deleted_rules_and_survives_a_restart(
    tmp_path: Path,
) -> None:
    receiver = Receiver()
    source = FakeSource()

    async def scenario() -> None:
        store = await open_store(sqlite_url(tmp_path / "console.db"))
        transport = httpx.ASGITransport(app=receiver.app())
        async with store, httpx.AsyncClient(transport=transport) as client:

            def runner() -> AlertRunner:
                return AlertRunner(
                    store,
                    [source],
                    settings=RunnerSettings(enabled=False),
                    notifier=Notifier(client),
                    state_store=UserPreferencesStateStore(store),
                    clock=lambda: NOW,
                )

            first = runner()
            await first.start()
            rule = await store.alert_rules.create(_rule())
            source.values = {"a": 3, "b": 30}
            for _ in range(3):
                await first.run_once()
            await first.idle()
            assert [b["event"] for b in receiver.bodies("/hook")] == ["firing"]
            assert [a.labels for a in first.active()] == [{"secret": "a"}]

            # A source that cannot be read keeps the state: no resolve, an error shown.
            source.broken = True
            assert await first.run_once() == []
            assert first.errors[rule.id] == "backend unreachable"
            source.broken = False
            await first.stop()

            # Restart: the saved firing alert is adopted, not notified again.
            second = runner()
            await second.start()
            await second.run_once()
            await second.idle()
            assert [b["event"] for b in receiver.bodies("/hook")] == ["firing"]
            assert rule.id not in second.errors
            # The rule is deleted: its firing alert resolves, once.
            await store.alert_rules.delete(rule.id)
            await second.run_once()
            await second.run_once()
            await second.idle()
            assert [b["event"] for b in receiver.bodies("/hook")] == ["firing", "resolved"]
            assert second.active() == []
            await second.stop()

    asyncio.run(scenario())
