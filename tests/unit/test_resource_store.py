"""The cache's store: ordered pages, filters, continue tokens and relist differences."""

from __future__ import annotations

from typing import Any

import pytest

from ngf_console.kube.label_selector import parse_label_selector
from ngf_console.kube.resource_store import (
    ContinueToken,
    ResourceStore,
    decode_continue,
    diff_objects,
    encode_continue,
    object_key,
    query_fingerprint,
)

pytestmark = pytest.mark.unit


def obj(ns: str, name: str, rv: str = "1", **labels: str) -> dict[str, Any]:
    return {"metadata": {"namespace": ns, "name": name, "resourceVersion": rv, "labels": labels}}


def store_of(*objects: dict[str, Any]) -> ResourceStore:
    store = ResourceStore()
    for o in objects:
        store.put(o)
    return store


def names(items: list[dict[str, Any]]) -> list[str]:
    return [f"{i['metadata']['namespace']}/{i['metadata']['name']}" for i in items]


def walk(store: ResourceStore, limit: int, **filters: Any) -> list[list[str]]:
    """Every page of a query, following the resume keys."""
    selector = parse_label_selector(filters.pop("selector", None))
    pages, after = [], None
    while True:
        items, after, _ = store.select(
            selector=selector, after=after, limit=limit, **{"namespace": None, **filters}
        )
        pages.append(names(items))
        if after is None:
            return pages


def test_pages_walk_every_item_once_in_namespace_name_order() -> None:
    store = store_of(*(obj(f"ns{i % 3}", f"r{i:02d}") for i in range(10)))
    pages = walk(store, 4, name_contains=None)
    flat = [n for page in pages for n in page]
    assert flat == sorted(flat)
    assert len(flat) == len(set(flat)) == 10
    assert [len(p) for p in pages] == [4, 4, 2]


def test_an_exact_multiple_of_the_limit_ends_without_an_empty_page() -> None:
    store = store_of(*(obj("a", f"r{i}") for i in range(4)))
    assert walk(store, 2, name_contains=None) == [["a/r0", "a/r1"], ["a/r2", "a/r3"]]


def test_namespace_range_does_not_leak_into_prefixed_namespaces() -> None:
    store = store_of(obj("a", "x"), obj("ab", "y"), obj("a-b", "z"), obj("", "cluster"))
    items, _, total = store.select(
        namespace="a", selector=parse_label_selector(""), name_contains=None, after=None, limit=None
    )
    assert names(items) == ["a/x"]
    assert total == 1


def test_filters_count_total_across_pages() -> None:
    store = store_of(
        obj("a", "web-1", app="web"),
        obj("a", "api-1", app="api"),
        obj("b", "web-2", app="web"),
        obj("b", "web-3", app="web"),
        obj("b", "WEB-admin", app="admin"),
    )
    items, after, total = store.select(
        namespace=None,
        selector=parse_label_selector("app=web"),
        name_contains=None,
        after=None,
        limit=2,
    )
    assert (names(items), total) == (["a/web-1", "b/web-2"], 3)
    assert after == ("b", "web-2")
    assert walk(store, 2, name_contains="web") == [
        ["a/web-1", "b/WEB-admin"],
        ["b/web-2", "b/web-3"],
    ]
    assert walk(store, 10, name_contains="web", selector="app!=web") == [["b/WEB-admin"]]


def test_updates_and_removals_keep_order_and_return_previous() -> None:
    store = store_of(obj("a", "b"), obj("a", "a"))
    assert store.put(obj("a", "a", rv="2"))["metadata"]["resourceVersion"] == "1"
    assert store.remove(("a", "b")) is not None
    assert store.remove(("a", "b")) is None
    items, _, total = store.select(
        namespace=None,
        selector=parse_label_selector(""),
        name_contains=None,
        after=None,
        limit=None,
    )
    assert names(items) == ["a/a"] and total == 1
    assert items[0]["metadata"]["resourceVersion"] == "2"


def test_continue_token_round_trip_and_is_opaque() -> None:
    token = ContinueToken(("ns", "name"), "1234", "abcd")
    text = encode_continue(token)
    assert "ns" not in text and "=" not in text
    assert decode_continue(text) == token


@pytest.mark.parametrize(
    "bad",
    ["", "not base64!", "e30", encode_continue(ContinueToken(("a", "b"), "1", "q"))[:-3] + "xyz"],
)
def test_invalid_continue_tokens_raise_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid continue token"):
        decode_continue(bad)


def test_fingerprint_depends_on_every_filter() -> None:
    base = ("httproutes.gateway.networking.k8s.io", "ns", parse_label_selector("a=1"), "x")
    prints = {
        query_fingerprint(*base),
        query_fingerprint("pods", *base[1:]),
        query_fingerprint(base[0], None, *base[2:]),
        query_fingerprint(base[0], base[1], parse_label_selector("a=2"), base[3]),
        query_fingerprint(*base[:3], "y"),
    }
    assert len(prints) == 5
    assert query_fingerprint(*base) == query_fingerprint(*base)


def test_diff_objects_emits_the_differences_in_key_order() -> None:
    old = {object_key(o): o for o in (obj("a", "kept"), obj("a", "gone"), obj("b", "changed"))}
    new = {
        object_key(o): o
        for o in (obj("a", "kept"), obj("b", "changed", rv="9"), obj("a", "new", rv="5"))
    }
    assert [(t, o["metadata"]["name"]) for t, o in diff_objects(old, new)] == [
        ("DELETED", "gone"),
        ("ADDED", "new"),
        ("MODIFIED", "changed"),
    ]
    assert diff_objects(new, new) == []
