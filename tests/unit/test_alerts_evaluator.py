"""The alert state machine: pending for `for`, firing once, resolving once, restarts."""

from __future__ import annotations

import datetime as dt
import uuid

from ngf_console.alerts.evaluator import EvaluatedRule, Evaluator, Notification
from ngf_console.alerts.rules import RuleConfig
from ngf_console.alerts.sources import Sample

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
CERT = {"cluster": "default", "namespace": "shop", "secret": "shop-tls"}


def _rule(for_seconds: float = 0, *, enabled: bool = True, **config: object) -> EvaluatedRule:
    return EvaluatedRule(
        id=uuid.UUID("00000000-0000-0000-0000-000000000001"),
        name="certs expiring",
        config=RuleConfig.model_validate(
            {
                "source": "cert_expiry",
                "operator": "<",
                "threshold": 7,
                "for": for_seconds,
                "severity": "critical",
                **config,
            }
        ),
        enabled=enabled,
    )


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def _events(notifications: list[Notification]) -> list[tuple[str, str]]:
    return [(n.event, n.labels.get("secret", "")) for n in notifications]


def test_for_duration_keeps_the_alert_pending_then_fires_once() -> None:
    evaluator, rule = Evaluator(), _rule(for_seconds=60)
    assert evaluator.evaluate(rule, [Sample(CERT, 3)], _at(0)) == []
    (pending,) = evaluator.active()
    assert (pending.state, pending.pending_since, pending.value) == ("pending", _at(0), 3)
    assert evaluator.evaluate(rule, [Sample(CERT, 3)], _at(59)) == []
    fired = evaluator.evaluate(rule, [Sample(CERT, 2)], _at(60))
    assert _events(fired) == [("firing", "shop-tls")]
    assert fired[0].value == 2 and fired[0].since == _at(60) and fired[0].severity == "critical"
    # Still true: no second notification, however often it is evaluated.
    for t in range(61, 200, 10):
        assert evaluator.evaluate(rule, [Sample(CERT, 2)], _at(t)) == []
    (firing,) = evaluator.active()
    assert (firing.state, firing.firing_since, firing.pending_since) == ("firing", _at(60), _at(0))


def test_resolves_once_when_the_condition_stops_holding() -> None:
    evaluator, rule = Evaluator(), _rule()
    assert _events(evaluator.evaluate(rule, [Sample(CERT, 3)], _at(0))) == [("firing", "shop-tls")]
    resolved = evaluator.evaluate(rule, [Sample(CERT, 89)], _at(30))
    assert _events(resolved) == [("resolved", "shop-tls")]
    assert resolved[0].value == 89 and resolved[0].since == _at(0)
    assert evaluator.evaluate(rule, [Sample(CERT, 89)], _at(60)) == []
    assert evaluator.active() == []
    # A new breach is a new alert, notified again.
    assert _events(evaluator.evaluate(rule, [Sample(CERT, 1)], _at(90))) == [("firing", "shop-tls")]


def test_a_pending_alert_that_recovers_is_never_notified() -> None:
    evaluator, rule = Evaluator(), _rule(for_seconds=300)
    evaluator.evaluate(rule, [Sample(CERT, 3)], _at(0))
    assert evaluator.evaluate(rule, [Sample(CERT, 30)], _at(120)) == []
    assert evaluator.active() == []
    # and its `for` starts again from the next breach
    evaluator.evaluate(rule, [Sample(CERT, 3)], _at(200))
    assert evaluator.evaluate(rule, [Sample(CERT, 3)], _at(450)) == []
    assert _events(evaluator.evaluate(rule, [Sample(CERT, 3)], _at(500))) == [
        ("firing", "shop-tls")
    ]


def test_each_label_set_is_its_own_alert_and_a_vanished_one_resolves() -> None:
    evaluator, rule = Evaluator(), _rule()
    other = {**CERT, "secret": "api-tls"}
    fired = evaluator.evaluate(rule, [Sample(CERT, 3), Sample(other, 5)], _at(0))
    assert sorted(_events(fired)) == [("firing", "api-tls"), ("firing", "shop-tls")]
    assert fired[0].dedup_key != fired[1].dedup_key
    # the api-tls Secret is deleted: its alert resolves; shop-tls stays firing, unnotified
    assert _events(evaluator.evaluate(rule, [Sample(CERT, 3)], _at(30))) == [
        ("resolved", "api-tls")
    ]
    assert [a.labels["secret"] for a in evaluator.active()] == ["shop-tls"]


def test_dedup_key_is_stable_per_rule_and_labels_and_rule_labels_are_added() -> None:
    evaluator, rule = Evaluator(), _rule(labels={"team": "web"})
    fired = evaluator.evaluate(rule, [Sample(dict(reversed(CERT.items())), 3)], _at(0))
    resolved = evaluator.evaluate(rule, [], _at(30))
    assert fired[0].dedup_key == resolved[0].dedup_key
    assert fired[0].dedup_key.startswith(f"ngf-console/{rule.id}/")
    assert fired[0].labels == {**CERT, "team": "web"}


def test_disabling_a_rule_resolves_its_firing_alerts_and_drops_pending_ones() -> None:
    evaluator = Evaluator()
    slow, fast = _rule(for_seconds=600), _rule()
    fast = EvaluatedRule(id=uuid.uuid4(), name="fast", config=fast.config)
    evaluator.evaluate(slow, [Sample(CERT, 3)], _at(0))
    evaluator.evaluate(fast, [Sample(CERT, 3)], _at(0))
    assert evaluator.evaluate(_rule(for_seconds=600, enabled=False), [], _at(10)) == []
    off = EvaluatedRule(id=fast.id, name="fast", config=fast.config, enabled=False)
    assert _events(evaluator.evaluate(off, [Sample(CERT, 3)], _at(10))) == [
        ("resolved", "shop-tls")
    ]
    assert evaluator.active() == []


def test_restored_firing_alerts_are_not_notified_again() -> None:
    before, rule = Evaluator(), _rule()
    before.evaluate(rule, [Sample(CERT, 3)], _at(0))
    saved = [a.to_document() for a in before.firing()]

    from ngf_console.alerts.evaluator import ActiveAlert

    after = Evaluator()
    after.restore(ActiveAlert.from_document(doc) for doc in saved)
    assert after.evaluate(rule, [Sample(CERT, 2)], _at(60)) == []
    (alert,) = after.active()
    assert alert.firing_since == _at(0) and alert.value == 2
    # and it still resolves (once) after the restart
    assert _events(after.evaluate(rule, [Sample(CERT, 60)], _at(90))) == [("resolved", "shop-tls")]
