"""The pure parts of the query alert sources: which ClickHouse types count as a numeric
``value``, and label sets that would make two samples one alert."""

from __future__ import annotations

import pytest

from ngf_console.alerts.query_sources import numeric_type
from ngf_console.alerts.sources import Sample, SourceError, label_sets_unique


@pytest.mark.parametrize(
    ("type_", "numeric"),
    [
        ("UInt64", True),
        ("Int8", True),
        ("Float32", True),
        ("Decimal(18, 4)", True),
        ("Decimal64(4)", True),
        ("Nullable(Float64)", True),
        ("LowCardinality(Nullable(UInt8))", True),
        ("String", False),
        ("Nullable(String)", False),
        ("Bool", False),
        ("DateTime64(3, 'UTC')", False),
        ("Array(Float64)", False),
    ],
)
def test_numeric_types(type_: str, numeric: bool) -> None:
    assert numeric_type(type_) is numeric


def test_repeated_label_sets_are_an_error_naming_them() -> None:
    distinct = [Sample({"pool": "a"}, 1.0), Sample({"pool": "b"}, 2.0), Sample({}, 3.0)]
    assert label_sets_unique(distinct, "hint") == distinct
    with pytest.raises(SourceError, match=r"same labels \(pool=a, zone=x\); group them"):
        label_sets_unique(
            [Sample({"zone": "x", "pool": "a"}, 1.0), Sample({"pool": "a", "zone": "x"}, 2.0)],
            "group them",
        )
