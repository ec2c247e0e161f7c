"""Test tiers: every test is marked by the directory it lives in, so `-m unit` etc. select them."""

from __future__ import annotations

from pathlib import Path

import pytest

_TIERS = ("unit", "integration", "storage", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = Path(str(item.path)).parent.name
        if tier in _TIERS and not item.get_closest_marker(tier):
            item.add_marker(getattr(pytest.mark, tier))
