"""Secrets in API responses and the audit log: replaced by a placeholder, restored on PUT."""

from __future__ import annotations

from typing import Any

import pytest

from ngf_console.api.redaction import PLACEHOLDER, PlaceholderError, redact, restore

KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEA\n-----END PRIVATE KEY-----\n"


def _bundle(key: str = KEY) -> dict[str, Any]:
    return {
        "kind": "GatewayBundle",
        "metadata": {
            "name": "edge",
            "annotations": {
                "ngf-console.f5.com/last-handled-configuration": f'{{"privateKey": "{key}"}}',
                "team": "web",
            },
        },
        "spec": {
            "listeners": [
                {"name": "http", "port": 80},
                {
                    "name": "https",
                    "tls": {"inlineCert": {"certificate": "CERT", "privateKey": key}},
                },
            ]
        },
    }


def test_private_keys_and_spec_copies_are_replaced_and_the_input_is_untouched() -> None:
    original = _bundle()
    shown = redact(original)
    assert "PRIVATE KEY" not in repr(shown)
    assert shown["spec"]["listeners"][1]["tls"]["inlineCert"] == {
        "certificate": "CERT",
        "privateKey": PLACEHOLDER,
    }
    annotations = shown["metadata"]["annotations"]
    assert annotations["ngf-console.f5.com/last-handled-configuration"] == PLACEHOLDER
    assert annotations["team"] == "web"
    assert original["spec"]["listeners"][1]["tls"]["inlineCert"]["privateKey"] == KEY


def test_secret_data_is_shown_by_key_only() -> None:
    secret = {
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"tls.crt": "Q0VSVA==", "tls.key": "S0VZ"},
    }
    assert redact(secret)["data"] == {"tls.crt": PLACEHOLDER, "tls.key": PLACEHOLDER}


def test_placeholders_sent_back_keep_the_current_values() -> None:
    edited = redact(_bundle())
    edited["spec"]["listeners"][0]["port"] = 8080
    restored = restore(edited, _bundle())
    assert restored["spec"]["listeners"][1]["tls"]["inlineCert"]["privateKey"] == KEY
    assert restored["spec"]["listeners"][0]["port"] == 8080
    assert restored["metadata"]["annotations"]["ngf-console.f5.com/last-handled-configuration"]


def test_a_new_key_replaces_the_old_one() -> None:
    edited = redact(_bundle())
    edited["spec"]["listeners"][1]["tls"]["inlineCert"]["privateKey"] = "NEW"
    assert (
        restore(edited, _bundle())["spec"]["listeners"][1]["tls"]["inlineCert"]["privateKey"]
        == "NEW"
    )


@pytest.mark.parametrize("current", [None, {"spec": {"listeners": [{"name": "http"}]}}])
def test_a_placeholder_without_a_current_value_names_its_path(current: Any) -> None:
    with pytest.raises(PlaceholderError) as err:
        restore(redact(_bundle()), current)
    assert err.value.path in (
        "metadata.annotations.ngf-console.f5.com/last-handled-configuration",
        "spec.listeners[1].tls.inlineCert.privateKey",
    )
