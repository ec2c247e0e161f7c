"""The index of live children the child watches fill, and when a status is worth writing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ngf_console.operator.child_index import ChildIndex, child_key
from ngf_console.operator.status import needs_write
from ngf_console.render.common import PARENT_KIND_LABEL, PARENT_NAME_LABEL


def _route(name: str = "chat-route", rv: str = "1", path: str = "/v1", parent: str = "chat") -> Any:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {
            "name": name,
            "namespace": "ml",
            "resourceVersion": rv,
            "labels": {PARENT_KIND_LABEL: "InferenceStack", PARENT_NAME_LABEL: parent},
            "managedFields": [{"manager": "ngf-console-operator", "fieldsV1": {"f:spec": {}}}],
        },
        "spec": {"rules": [{"matches": [{"path": {"type": "PathPrefix", "value": path}}]}]},
    }


def test_first_sighting_is_news_and_the_body_is_kept_without_managed_fields() -> None:
    index = ChildIndex()
    assert index.observe(None, _route())
    live = index.get(_route())
    assert live is not None
    assert "managedFields" not in live["metadata"]
    assert live["metadata"]["resourceVersion"] == "1"
    assert live["spec"]["rules"][0]["matches"][0]["path"]["value"] == "/v1"


def test_a_new_resource_version_alone_is_not_news_but_is_recorded() -> None:
    index = ChildIndex()
    index.observe(None, _route(rv="1"))
    assert not index.observe("MODIFIED", _route(rv="2"))
    assert index.get(_route())["metadata"]["resourceVersion"] == "2"  # type: ignore[index]


def test_a_spec_edit_is_news() -> None:
    index = ChildIndex()
    index.observe(None, _route())
    assert index.observe("MODIFIED", _route(rv="2", path="/hacked"))


def test_deleted_is_news_once_and_forgets_the_object() -> None:
    index = ChildIndex()
    index.observe(None, _route())
    assert index.observe("DELETED", _route())
    assert index.get(_route()) is None
    assert not index.observe("DELETED", _route())
    assert list(index.owned(("InferenceStack", "ml", "chat"), "HTTPRoute")) == []


def test_owned_lists_a_parents_children_of_one_kind() -> None:
    index = ChildIndex()
    index.observe(None, _route("a-route", parent="a"))
    index.observe(None, _route("a-extra", parent="a"))
    index.observe(None, _route("b-route", parent="b"))
    names = [o["metadata"]["name"] for o in index.owned(("InferenceStack", "ml", "a"), "HTTPRoute")]
    assert names == ["a-extra", "a-route"]
    assert list(index.owned(("InferenceStack", "ml", "a"), "Service")) == []
    index.forget(_route("a-extra", parent="a"))
    names = [o["metadata"]["name"] for o in index.owned(("InferenceStack", "ml", "a"), "HTTPRoute")]
    assert names == ["a-route"]


def test_the_key_ignores_the_version_but_not_the_group() -> None:
    v1 = {"apiVersion": "inference.networking.k8s.io/v1", "kind": "InferencePool"}
    v1["metadata"] = {"name": "p", "namespace": "ml"}
    legacy = {**v1, "apiVersion": "inference.networking.x-k8s.io/v1alpha2"}
    other_version = {**v1, "apiVersion": "inference.networking.k8s.io/v1beta1"}
    assert child_key(v1) == child_key(other_version)
    assert child_key(v1) != child_key(legacy)
    core = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "ml"}}
    assert child_key(core) == ("", "Service", "ml", "s")


NOW = dt.datetime(2026, 11, 23, 12, 0, 0, tzinfo=dt.UTC)


def _status(reconciled: str, synced: str, ready: bool = True) -> dict[str, Any]:
    return {
        "phase": "Ready" if ready else "Provisioning",
        "lastReconciledAt": reconciled,
        "children": {
            "route": {"kind": "HTTPRoute", "name": "r", "ready": ready, "lastSyncedAt": synced},
            "servers": [{"kind": "Deployment", "name": "d", "ready": True, "lastSyncedAt": synced}],
        },
    }


def test_a_status_differing_only_in_pass_timestamps_is_not_rewritten() -> None:
    previous = _status("2026-11-23T11:59:30Z", "2026-11-23T11:59:30Z")
    current = _status("2026-11-23T12:00:00Z", "2026-11-23T12:00:00Z")
    assert not needs_write(previous, current, now=NOW, refresh=60)


def test_a_status_is_rewritten_when_anything_else_changes() -> None:
    previous = _status("2026-11-23T11:59:30Z", "2026-11-23T11:59:30Z", ready=False)
    current = _status("2026-11-23T12:00:00Z", "2026-11-23T12:00:00Z", ready=True)
    assert needs_write(previous, current, now=NOW, refresh=60)


def test_a_removed_slot_is_a_change() -> None:
    previous = _status("2026-11-23T11:59:30Z", "2026-11-23T11:59:30Z")
    current = _status("2026-11-23T12:00:00Z", "2026-11-23T12:00:00Z")
    current["children"]["route"] = None  # merge patch removal
    assert needs_write(previous, current, now=NOW, refresh=60)


def test_an_unchanged_status_is_refreshed_once_the_refresh_interval_passed() -> None:
    previous = _status("2026-11-23T11:58:00Z", "2026-11-23T11:58:00Z")
    current = _status("2026-11-23T12:00:00Z", "2026-11-23T12:00:00Z")
    assert needs_write(previous, current, now=NOW, refresh=60)
    assert needs_write({}, current, now=NOW, refresh=60)
