"""Alert rule conditions: operators, durations, and field-level validation errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ngf_console.alerts.rules import RuleConfig, compare, parse_duration


@pytest.mark.parametrize(
    ("value", "operator", "threshold", "holds"),
    [
        (3, "<", 7, True),
        (7, "<", 7, False),
        (7, "<=", 7, True),
        (8, "<=", 7, False),
        (8, ">", 7, True),
        (7, ">", 7, False),
        (7, ">=", 7, True),
        (6.5, ">=", 7, False),
        (0.1 + 0.2, "==", 0.3, True),
        (0.31, "==", 0.3, False),
        (float("nan"), "<", 7, False),
    ],
)
def test_operators(value: float, operator: str, threshold: float, holds: bool) -> None:
    assert compare(value, operator, threshold) is holds  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "seconds"),
    [(0, 0.0), (90, 90.0), ("120", 120.0), ("30s", 30.0), ("5m", 300.0), ("1h30m", 5400.0)],
)
def test_durations(given: object, seconds: float) -> None:
    assert parse_duration(given) == seconds


@pytest.mark.parametrize("given", ["", "5 minutes", "-1", "1d", True, None, float("inf")])
def test_bad_durations_are_refused(given: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(given)


def test_config_round_trips_through_the_stored_dict() -> None:
    config = RuleConfig.model_validate(
        {"source": "cert_expiry", "operator": "<", "threshold": 7, "for": "10m"}
    )
    assert config.for_seconds == 600
    assert config.severity == "warning"
    stored = config.stored()
    assert stored["for"] == 600 and "for_seconds" not in stored
    assert RuleConfig.model_validate(stored) == config
    assert config.holds(3) and not config.holds(30)
    assert config.describe() == "cert_expiry < 7"


def test_invalid_config_names_each_bad_field() -> None:
    with pytest.raises(ValidationError) as caught:
        RuleConfig.model_validate(
            {
                "source": "Cert Expiry",
                "operator": "!=",
                "threshold": "lots",
                "for": "soon",
                "severity": "page",
                "labels": {"bad-name": "x"},
                "thresold": 3,
            }
        )
    fields = {".".join(str(p) for p in e["loc"]) for e in caught.value.errors()}
    assert fields == {"source", "operator", "threshold", "for", "severity", "labels", "thresold"}
