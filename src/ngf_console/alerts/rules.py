"""What an alert rule says: which metric, compared how with what, for how long, how bad.

The store keeps a rule's condition as a plain dict (``AlertRule.config``); this module is
its schema. ``RuleConfig.model_validate(rule.config)`` gives field-level errors
(``threshold``, ``for``, ``labels.<key>``) that the API reports as such.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Operator = Literal[">", "<", ">=", "<=", "=="]
Severity = Literal["info", "warning", "critical"]

OPERATORS: Final[tuple[Operator, ...]] = (">", "<", ">=", "<=", "==")
SEVERITIES: Final[tuple[Severity, ...]] = ("info", "warning", "critical")

_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$")
_LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Two floats closer than this are "==": metric values are computed, not typed in.
_EQUAL_TOLERANCE: Final = 1e-9


def parse_duration(value: Any) -> float:
    """Seconds from a number or a string like ``"90s"``, ``"5m"``, ``"1h30m"``, ``"120"``.

    Raises ValueError for anything else, or a negative or non-finite number.
    """
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '5m'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            match = _DURATION.match(text)
            if not text or match is None:
                raise ValueError(
                    f"{value!r} is not a duration (seconds, or like '30s', '5m', '1h30m')"
                ) from None
            hours, minutes, secs = (float(g) if g else 0.0 for g in match.groups())
            seconds = hours * 3600 + minutes * 60 + secs
    else:
        raise ValueError("a duration is a number of seconds or a string like '5m'")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError("a duration must be a finite number of seconds, zero or more")
    return seconds


def compare(value: float, operator: Operator, threshold: float) -> bool:
    """Whether ``value <operator> threshold`` holds (``==`` with a tiny float tolerance)."""
    if math.isnan(value):
        return False
    if operator == ">":
        return value > threshold
    if operator == "<":
        return value < threshold
    if operator == ">=":
        return value >= threshold
    if operator == "<=":
        return value <= threshold
    return math.isclose(value, threshold, rel_tol=0.0, abs_tol=_EQUAL_TOLERANCE)


class RuleConfig(BaseModel):
    """A rule's condition: ``<source sample> <operator> <threshold>`` held for ``for``.

    ``source`` names a metric source (``cert_expiry``, ``prometheus_query``,
    ``clickhouse_query``) that ``query`` and ``params`` are given to. Every sample the
    source returns is its own alert, identified by its labels. ``labels`` are added to
    every notification.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: str = Field(
        min_length=1, max_length=50, description="The metric source, e.g. cert_expiry."
    )
    query: str | None = Field(
        default=None, max_length=10_000, description="A source-specific query (PromQL, SQL)."
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Source-specific parameters (e.g. namespace)."
    )
    operator: Operator
    threshold: float
    for_seconds: float = Field(
        default=0.0,
        alias="for",
        description="How long the condition must hold before the alert fires (seconds or "
        "'5m'); 0 fires at the first evaluation that sees it.",
    )
    severity: Severity = "warning"
    labels: dict[str, str] = Field(default_factory=dict)

    @field_validator("source")
    @classmethod
    def _source_name(cls, value: str) -> str:
        if not _SOURCE_NAME.match(value):
            raise ValueError("a source name is lower-case letters, digits and '_'")
        return value

    @field_validator("threshold")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("the threshold must be a finite number")
        return value

    @field_validator("for_seconds", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_duration(value)

    @field_validator("labels")
    @classmethod
    def _label_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _LABEL_NAME.match(name):
                raise ValueError(f"label name {name!r} must match [A-Za-z_][A-Za-z0-9_]*")
        return value

    def holds(self, value: float) -> bool:
        """Whether a sample's value meets the condition."""
        return compare(value, self.operator, self.threshold)

    def describe(self) -> str:
        """The condition as people write it: ``cert_expiry < 7``."""
        return f"{self.source} {self.operator} {self.threshold:g}"

    def stored(self) -> dict[str, Any]:
        """The dict kept in ``AlertRule.config`` (``for`` under its own name)."""
        return self.model_dump(mode="json", by_alias=True)
