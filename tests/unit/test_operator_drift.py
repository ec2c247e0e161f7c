"""drifted_fields / describe: what of a rendered child no longer holds in the live object."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from ngf_console.operator.drift import describe, drifted_fields

pytestmark = pytest.mark.unit


# --- builders ---------------------------------------------------------------------------------


def route(*paths: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """An HTTPRoute as the operator renders it: one rule per path prefix."""
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {
            "name": "llama-route",
            "namespace": "ml",
            "labels": labels if labels is not None else {"app.kubernetes.io/part-of": "llama"},
            "annotations": {"ngf-console.f5.com/spec-hash": "abc"},
        },
        "spec": {
            "parentRefs": [{"name": "gw", "namespace": "gateway-system"}],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": p}}],
                    "backendRefs": [
                        {
                            "group": "inference.networking.k8s.io",
                            "kind": "InferencePool",
                            "name": "llama-pool",
                        }
                    ],
                    "timeouts": {"request": "300s"},
                }
                for p in paths
            ],
        },
    }


def as_served(desired: dict[str, Any]) -> dict[str, Any]:
    """``desired`` as the API server returns it: defaults, metadata and status added."""
    live = copy.deepcopy(desired)
    live["metadata"].update(
        uid="0b7c6a3e-1d2f-4e5a-9b8c-7d6e5f4a3b2c",
        resourceVersion="4711",
        generation=3,
        creationTimestamp="2026-01-01T00:00:00Z",
        managedFields=[{"manager": "ngf-console", "operation": "Apply"}],
    )
    for rule in live.get("spec", {}).get("rules", []):
        for ref in rule.get("backendRefs", []):
            ref.setdefault("weight", 1)
        for match in rule.get("matches", []):
            match.setdefault("headers", [])
    live["status"] = {"parents": [{"parentRef": {"name": "gw"}, "conditions": []}]}
    return live


def secret(string_data: dict[str, str], data: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "tls", "namespace": "gw"},
        "type": "kubernetes.io/tls",
        "stringData": string_data,
    }
    if data is not None:
        out["data"] = data
    return out


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# --- no drift ---------------------------------------------------------------------------------


def test_identical_objects_have_no_drift() -> None:
    desired = route("/v1")
    assert drifted_fields(desired, copy.deepcopy(desired)) == []


def test_server_added_fields_are_not_drift() -> None:
    desired = route("/v1", "/v2")
    assert drifted_fields(desired, as_served(desired)) == []


def test_fields_added_by_other_controllers_are_not_drift() -> None:
    desired = route("/v1")
    live = as_served(desired)
    live["spec"]["hostnames"] = ["api.example.com"]
    live["spec"]["parentRefs"][0]["sectionName"] = "http"
    live["metadata"]["labels"]["added-by"] = "someone-else"
    live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied"] = "{}"
    assert drifted_fields(desired, live) == []


def test_status_of_live_object_is_ignored() -> None:
    desired = {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 2}}
    live = copy.deepcopy(desired) | {"status": {"replicas": 0}}
    assert drifted_fields(desired, live) == []


def test_desired_status_is_never_compared() -> None:
    desired = {"kind": "X", "metadata": {"name": "x"}, "status": {"phase": "Ready"}}
    assert drifted_fields(desired, {"kind": "X", "metadata": {"name": "x"}}) == []


@pytest.mark.parametrize("key", ["apiVersion", "kind"])
def test_type_meta_is_not_compared(key: str) -> None:
    desired = route("/v1")
    live = as_served(desired)
    live[key] = "something/else"
    assert drifted_fields(desired, live) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("name", "other"),
        ("namespace", "other"),
        ("ownerReferences", [{"kind": "InferenceStack", "name": "x"}]),
        ("finalizers", ["x"]),
        ("generateName", "x-"),
    ],
)
def test_metadata_other_than_labels_and_annotations_is_ignored(key: str, value: Any) -> None:
    desired = route("/v1")
    desired["metadata"][key] = value
    live = as_served(route("/v1"))
    live["metadata"].pop(key, None)
    assert drifted_fields(desired, live) == []


@pytest.mark.parametrize("empty", [None, {}, []], ids=["none", "empty-map", "empty-list"])
def test_empty_desired_value_missing_from_live_is_not_drift(empty: Any) -> None:
    # The API server omits empty fields (omitempty), so "unset" and "empty" are the same.
    desired = {"kind": "Deployment", "spec": {"template": {"volumes": empty}}}
    assert drifted_fields(desired, {"kind": "Deployment", "spec": {"template": {}}}) == []


def test_empty_map_present_in_live_is_not_drift() -> None:
    desired = {"kind": "Deployment", "spec": {"volumes": [{"name": "cache", "emptyDir": {}}]}}
    live = {"kind": "Deployment", "spec": {"volumes": [{"name": "cache", "emptyDir": {}}]}}
    assert drifted_fields(desired, live) == []


def test_extra_keys_in_live_map_item_are_not_drift() -> None:
    desired = {"kind": "X", "spec": {"containers": [{"name": "c", "image": "i"}]}}
    live = {
        "kind": "X",
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "image": "i",
                    "imagePullPolicy": "IfNotPresent",
                    "terminationMessagePath": "/dev/termination-log",
                }
            ]
        },
    }
    assert drifted_fields(desired, live) == []


# --- scalars ----------------------------------------------------------------------------------


def test_changed_scalar_deep_in_a_list_gives_indexed_path() -> None:
    desired = route("/v1")
    live = as_served(desired)
    live["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/hijacked"
    assert drifted_fields(desired, live) == ["spec.rules[0].matches[0].path.value"]


def test_changed_scalar_in_second_list_item() -> None:
    desired = route("/v1", "/v2", "/v3")
    live = as_served(desired)
    live["spec"]["rules"][2]["backendRefs"][0]["name"] = "other-pool"
    assert drifted_fields(desired, live) == ["spec.rules[2].backendRefs[0].name"]


def test_changed_top_level_scalar() -> None:
    desired = secret({}, data={"tls.crt": "QQ=="})
    live = copy.deepcopy(desired)
    live["type"] = "Opaque"
    assert drifted_fields(desired, live) == ["type"]


def test_every_changed_field_is_reported_in_document_order() -> None:
    desired = route("/v1", "/v2")
    live = as_served(desired)
    live["spec"]["parentRefs"][0]["namespace"] = "elsewhere"
    live["spec"]["rules"][0]["timeouts"]["request"] = "5s"
    live["spec"]["rules"][1]["matches"][0]["path"]["type"] = "Exact"
    assert drifted_fields(desired, live) == [
        "spec.parentRefs[0].namespace",
        "spec.rules[0].timeouts.request",
        "spec.rules[1].matches[0].path.type",
    ]


@pytest.mark.parametrize(
    ("want", "have"),
    [(1, 1.0), (1.0, 1), (0, 0.0), (2.5, 2.5), (-3, -3.0)],
)
def test_json_round_trip_numbers_are_equal(want: Any, have: Any) -> None:
    assert drifted_fields({"spec": {"weight": want}}, {"spec": {"weight": have}}) == []


@pytest.mark.parametrize(("want", "have"), [(1, 2), (1.5, 1), ("1", 1), (1, "1"), ("a", "b")])
def test_different_scalars_are_drift(want: Any, have: Any) -> None:
    assert drifted_fields({"spec": {"x": want}}, {"spec": {"x": have}}) == ["spec.x"]


@pytest.mark.parametrize(("want", "have"), [(True, False), (False, True)])
def test_flipped_bool_is_drift(want: bool, have: bool) -> None:
    assert drifted_fields({"spec": {"x": want}}, {"spec": {"x": have}}) == ["spec.x"]


@pytest.mark.parametrize(
    ("want", "have"), [(True, 1), (1, True), (False, 0), (0, False), (True, 1.0)]
)
def test_bool_and_number_are_not_equal(want: Any, have: Any) -> None:
    assert drifted_fields({"spec": {"x": want}}, {"spec": {"x": have}}) == ["spec.x"]


def test_desired_null_against_a_live_value_is_drift() -> None:
    assert drifted_fields({"spec": {"x": None}}, {"spec": {"x": 3}}) == ["spec.x"]


# --- removed keys, type changes ---------------------------------------------------------------


def test_removed_key_is_drift() -> None:
    desired = route("/v1")
    live = as_served(desired)
    del live["spec"]["rules"][0]["timeouts"]
    assert drifted_fields(desired, live) == ["spec.rules[0].timeouts"]


def test_removed_nested_key_names_only_the_missing_key() -> None:
    desired = route("/v1")
    live = as_served(desired)
    del live["spec"]["rules"][0]["timeouts"]["request"]
    assert drifted_fields(desired, live) == ["spec.rules[0].timeouts.request"]


def test_removed_top_level_section_is_drift() -> None:
    desired = route("/v1")
    live = as_served(desired)
    del live["spec"]
    assert drifted_fields(desired, live) == ["spec"]


def test_map_replaced_by_scalar_is_drift() -> None:
    desired = {"spec": {"selector": {"app": "x"}}}
    assert drifted_fields(desired, {"spec": {"selector": "app=x"}}) == ["spec.selector"]


def test_list_replaced_by_map_is_drift() -> None:
    desired = {"spec": {"ports": [{"port": 80}]}}
    assert drifted_fields(desired, {"spec": {"ports": {"port": 80}}}) == ["spec.ports"]


def test_scalar_replaced_by_map_is_drift() -> None:
    assert drifted_fields({"spec": {"x": 1}}, {"spec": {"x": {"y": 1}}}) == ["spec.x"]


# --- lists ------------------------------------------------------------------------------------


def test_added_list_item_is_drift_of_the_whole_list() -> None:
    desired = route("/v1")
    live = as_served(route("/v1", "/injected"))
    assert drifted_fields(desired, live) == ["spec.rules"]


def test_removed_list_item_is_drift_of_the_whole_list() -> None:
    desired = route("/v1", "/v2")
    live = as_served(route("/v1"))
    assert drifted_fields(desired, live) == ["spec.rules"]


def test_nested_list_length_change_names_the_nested_list() -> None:
    desired = route("/v1")
    live = as_served(desired)
    live["spec"]["rules"][0]["matches"].append({"path": {"type": "Exact", "value": "/x"}})
    assert drifted_fields(desired, live) == ["spec.rules[0].matches"]


def test_reordered_list_items_are_drift() -> None:
    desired = route("/v1", "/v2")
    live = as_served(route("/v2", "/v1"))
    assert drifted_fields(desired, live) == [
        "spec.rules[0].matches[0].path.value",
        "spec.rules[1].matches[0].path.value",
    ]


def test_scalar_list_item_change_is_indexed() -> None:
    desired = {"spec": {"args": ["--port=9002", "--v=2"]}}
    live = {"spec": {"args": ["--port=9002", "--v=5"]}}
    assert drifted_fields(desired, live) == ["spec.args[1]"]


def test_desired_empty_list_against_live_items_is_drift() -> None:
    assert drifted_fields({"spec": {"tolerations": []}}, {"spec": {"tolerations": [{}]}}) == [
        "spec.tolerations"
    ]


def test_top_level_list_field_compared_item_by_item() -> None:
    # Role.rules and RoleBinding.subjects are top-level lists.
    desired: dict[str, Any] = {
        "kind": "Role",
        "metadata": {"name": "r"},
        "rules": [{"verbs": ["get", "list"]}],
    }
    live = copy.deepcopy(desired)
    live["rules"][0]["verbs"][1] = "watch"
    assert drifted_fields(desired, live) == ["rules[0].verbs[1]"]


# --- labels and annotations -------------------------------------------------------------------


def test_changed_label_is_drift() -> None:
    desired = route("/v1")
    live = as_served(desired)
    live["metadata"]["labels"]["app.kubernetes.io/part-of"] = "other"
    assert drifted_fields(desired, live) == ["metadata.labels.app.kubernetes.io/part-of"]


def test_removed_label_is_drift() -> None:
    desired = route("/v1")
    live = as_served(desired)
    del live["metadata"]["labels"]["app.kubernetes.io/part-of"]
    assert drifted_fields(desired, live) == ["metadata.labels.app.kubernetes.io/part-of"]


def test_all_labels_removed_is_drift_of_each_label() -> None:
    desired = route("/v1", labels={"a": "1", "b": "2"})
    live = as_served(desired)
    del live["metadata"]["labels"]
    assert drifted_fields(desired, live) == ["metadata.labels.a", "metadata.labels.b"]


def test_changed_annotation_is_drift() -> None:
    desired = route("/v1")
    live = as_served(desired)
    live["metadata"]["annotations"]["ngf-console.f5.com/spec-hash"] = "zzz"
    assert drifted_fields(desired, live) == ["metadata.annotations.ngf-console.f5.com/spec-hash"]


def test_metadata_drift_listed_before_spec_drift() -> None:
    desired = route("/v1")
    live = as_served(desired)
    live["spec"]["rules"][0]["timeouts"]["request"] = "1s"
    del live["metadata"]["annotations"]
    assert drifted_fields(desired, live) == [
        "metadata.annotations.ngf-console.f5.com/spec-hash",
        "spec.rules[0].timeouts.request",
    ]


def test_no_desired_labels_means_labels_are_not_compared() -> None:
    desired = route("/v1", labels={})
    live = as_served(route("/v1", labels={"x": "y"}))
    assert drifted_fields(desired, live) == []


def test_live_without_metadata_reports_desired_labels() -> None:
    desired = {"kind": "X", "metadata": {"name": "x", "labels": {"a": "1"}}}
    assert drifted_fields(desired, {"kind": "X"}) == ["metadata.labels.a"]


# --- Secret stringData ------------------------------------------------------------------------


def test_string_data_matching_base64_data_is_not_drift() -> None:
    desired = secret({"tls.crt": "CERT", "tls.key": "KEY"})
    live = secret({}, data={"tls.crt": b64("CERT"), "tls.key": b64("KEY")})
    del live["stringData"]  # write-only: the API server never returns it
    assert drifted_fields(desired, live) == []


def test_string_data_changed_in_data_is_drift() -> None:
    desired = secret({"tls.crt": "CERT", "tls.key": "KEY"})
    live = secret({}, data={"tls.crt": b64("CERT"), "tls.key": b64("OTHER")})
    del live["stringData"]
    assert drifted_fields(desired, live) == ["stringData.tls.key"]


def test_string_data_key_missing_from_data_is_drift() -> None:
    desired = secret({"tls.crt": "CERT", "tls.key": "KEY"})
    live = secret({}, data={"tls.crt": b64("CERT")})
    del live["stringData"]
    assert drifted_fields(desired, live) == ["stringData.tls.key"]


def test_string_data_with_no_live_data_reports_every_key() -> None:
    desired = secret({"a": "1", "b": "2"})
    live = secret({})
    del live["stringData"]
    assert drifted_fields(desired, live) == ["stringData.a", "stringData.b"]


def test_string_data_is_not_compared_as_a_plain_field() -> None:
    # The live stringData (if some client echoed it) does not matter, only data does.
    desired = secret({"a": "1"})
    live = secret({"a": "changed"}, data={"a": b64("1")})
    assert drifted_fields(desired, live) == []


def test_string_data_unicode_is_utf8_encoded() -> None:
    desired = secret({"note": "grüße"})
    live = secret({}, data={"note": base64.b64encode("grüße".encode()).decode()})
    assert drifted_fields(desired, live) == []


def test_extra_live_data_keys_are_not_drift() -> None:
    desired = secret({"a": "1"})
    live = secret({}, data={"a": b64("1"), "ca.crt": b64("CA")})
    assert drifted_fields(desired, live) == []


def test_desired_data_compared_as_is() -> None:
    desired = secret({}, data={"tls.crt": b64("CERT")})
    live = secret({}, data={"tls.crt": b64("OTHER")})
    assert drifted_fields(desired, live) == ["data.tls.crt"]


# --- inputs are not modified ------------------------------------------------------------------


def test_inputs_are_not_modified() -> None:
    desired = route("/v1")
    live = as_served(route("/v2"))
    desired_copy, live_copy = copy.deepcopy(desired), copy.deepcopy(live)
    drifted_fields(desired, live)
    assert desired == desired_copy
    assert live == live_copy


# --- describe ---------------------------------------------------------------------------------


def test_describe_empty() -> None:
    assert describe([]) == ""


def test_describe_up_to_the_limit_lists_all() -> None:
    assert describe(["a"]) == "a"
    assert describe(["a", "b", "c"]) == "a, b, c"


def test_describe_over_the_limit_counts_the_rest() -> None:
    assert describe(["a", "b", "c", "d"]) == "a, b, c (+1 more)"
    assert describe([f"f{i}" for i in range(10)]) == "f0, f1, f2 (+7 more)"


def test_describe_custom_limit() -> None:
    assert describe(["a", "b", "c"], limit=1) == "a (+2 more)"
    assert describe(["a", "b"], limit=5) == "a, b"


def test_describe_of_real_drift() -> None:
    desired = route("/v1")
    live = as_served(desired)
    live["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/x"
    assert describe(drifted_fields(desired, live)) == "spec.rules[0].matches[0].path.value"
