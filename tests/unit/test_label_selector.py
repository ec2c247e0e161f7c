"""Label selectors: the Kubernetes string syntax, its semantics, and errors with positions."""

from __future__ import annotations

import pytest

from ngf_console.kube.label_selector import (
    LabelSelectorError,
    Requirement,
    parse_label_selector,
)

pytestmark = pytest.mark.unit

LABELS = {"app": "web", "tier": "frontend", "example.com/team": "a", "replicas": "3"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("", True),
        ("app=web", True),
        ("app==web", True),
        ("app=api", False),
        ("app!=api", True),
        ("app!=web", False),
        ("missing!=x", True),
        ("app in (web, api)", True),
        ("app in (api)", False),
        ("app notin (api,db)", True),
        ("app notin (web)", False),
        ("missing notin (x)", True),
        ("missing in (x)", False),
        ("tier", True),
        ("missing", False),
        ("!missing", True),
        ("!tier", False),
        ("example.com/team=a", True),
        ("app=web,tier=frontend", True),
        ("app=web, tier=backend", False),
        ("  app = web  ,  !missing ", True),
        ("replicas>2", True),
        ("replicas<3", False),
        ("app>1", False),
        ("empty=", False),
    ],
)
def test_selector_matches_like_kubernetes(selector: str, expected: bool) -> None:
    assert parse_label_selector(selector).matches(LABELS) is expected


def test_empty_value_matches_empty_label() -> None:
    assert parse_label_selector("flag=").matches({"flag": ""})
    assert parse_label_selector("flag in (,x)").matches({"flag": ""})
    assert not parse_label_selector("flag=").matches({})


def test_parse_structure_and_round_trip() -> None:
    selector = parse_label_selector("a=1,b!=2,c in (y,x),!d,e,f notin (z)")
    assert selector.requirements == (
        Requirement("a", "=", ("1",)),
        Requirement("b", "!=", ("2",)),
        Requirement("c", "in", ("x", "y")),
        Requirement("d", "!"),
        Requirement("e", "exists"),
        Requirement("f", "notin", ("z",)),
    )
    assert parse_label_selector(str(selector)) == selector


def test_none_and_objects_without_labels() -> None:
    assert parse_label_selector(None).empty
    assert parse_label_selector("!app").matches(None)
    assert not parse_label_selector("app").matches(None)


@pytest.mark.parametrize(
    ("selector", "position", "fragment"),
    [
        ("app=web,", 8, "expected a label key"),
        ("=web", 0, "expected a label key"),
        ("app web", 4, "expected an operator"),
        ("app in web", 7, "expected '('"),
        ("app in (a b)", 10, "expected ',' or ')'"),
        ("app in (a", 9, "expected ',' or ')'"),
        ("app=web tier=x", 8, "expected ',' between requirements"),
        ("-app=web", 0, "key name"),
        ("Bad_Prefix/app=x", 0, "key prefix"),
        ("app=web!", 7, "expected ',' between requirements"),
        ("app=" + "v" * 64, 4, "at most 63"),
        ("replicas>x", 9, "needs an integer"),
        ("!", 1, "expected a label key, found end of input"),
    ],
)
def test_malformed_selectors_name_the_position(selector: str, position: int, fragment: str) -> None:
    with pytest.raises(LabelSelectorError) as info:
        parse_label_selector(selector)
    assert info.value.position == position
    assert fragment in str(info.value)
    assert f"at position {position}" in str(info.value)
    assert isinstance(info.value, ValueError)
