"""Certificate inventory on the real control plane: parsed TLS Secrets, their listener and
owner attachments, expiry states and filters, CertificateBundles close to expiry, and no
key material in any response."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from lightkube import Client, codecs
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace
from test_api_resources import (
    Scene,
    build_scene,
    new_certificate,
    remove_scene,
    tls_secret,
    wait_for_scene,
)

PARENT_LABELS = {
    "app.kubernetes.io/managed-by": "ngf-console",
    "ngf-console.f5.com/parent-kind": "CertificateBundle",
    "ngf-console.f5.com/parent-name": "soon",
}


@pytest.fixture(scope="module")
def api(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("api-db") / "console.db"
    with running_api(settings_for(kubeconfig, db)) as url, httpx.Client(base_url=url) as client:
        yield client


@pytest.fixture(scope="module")
def keys() -> list[str]:
    """Every private key (PEM) the module creates."""
    return []


@pytest.fixture(scope="module")
def scene(kube: Client, api: httpx.Client, keys: list[str]) -> Iterator[Scene]:
    """The shared scene plus an expired, an expiring (bundle-owned) and a broken Secret."""
    name = f"t-api-certs-{secrets.token_hex(3)}"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"ngf-console/test": "true"})))
    made = build_scene(kube, name)
    keys.append(made.key_pem)
    old_cert, old_key = new_certificate(
        "old.example.com", ["old.example.com"], -2, issued_days_ago=400
    )
    soon_cert, soon_key = new_certificate("soon.example.com", ["soon.example.com"], 5)
    keys += [old_key.decode(), soon_key.decode()]
    kube.create(codecs.from_dict(tls_secret(name, "old-tls", old_cert, old_key)))
    soon = tls_secret(name, "soon-tls", soon_cert, soon_key)
    soon["metadata"]["labels"] = PARENT_LABELS
    kube.create(codecs.from_dict(soon))
    broken = tls_secret(name, "broken-tls", b"not a certificate", old_key)
    kube.create(codecs.from_dict(broken))
    bundle = {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "CertificateBundle",
        "metadata": {"name": "soon", "namespace": name},
        "spec": {
            "hostnames": ["soon.example.com"],
            "source": {
                "inline": {"certificate": soon_cert.decode(), "privateKey": soon_key.decode()}
            },
            "expiryAlertThreshold": "10d",
        },
    }
    created = api.post("/api/v1/certificatebundles", json=bundle)
    assert created.status_code == 201, created.text
    wait_for_scene(api, made)
    until(
        lambda: (
            api.get("/api/v1/certificates", params={"namespace": name}).json().get("total") == 4
        ),
        what="four TLS Secrets in the cache",
    )
    until(
        lambda: api.get(f"/api/v1/certificatebundles/{name}/soon").status_code == 200,
        what="the bundle in the cache",
    )
    yield made
    remove_scene(kube, made)


def test_certificate_is_parsed_and_attached(api: httpx.Client, scene: Scene) -> None:
    ns = scene.namespace
    cert = api.get(f"/api/v1/certificates/{ns}/site-tls").json()
    assert cert["common_name"] == "site.example.com"
    assert cert["dns_names"] == ["site.example.com", "www.example.com"]
    assert cert["issuer_common_name"] == "site.example.com" and cert["self_signed"] is True
    assert cert["key_type"] == "ECDSA" and cert["key_description"] == "ECDSA P-256"
    assert cert["expiry_state"] == "ok" and 88 <= cert["days_left"] <= 90
    assert cert["not_after"]
    assert cert["attached_to"] == [
        {
            "kind": "Gateway",
            "name": "gw",
            "namespace": ns,
            "listener": "https",
            "relation": "listener",
            "permitted": None,
        }
    ]
    owned = api.get(f"/api/v1/certificates/{ns}/soon-tls").json()
    assert owned["attached_to"][0]["kind"] == "CertificateBundle"
    assert owned["attached_to"][0]["relation"] == "owner"
    assert api.get(f"/api/v1/certificates/{ns}/nope").status_code == 404


def test_inventory_filters_by_expiry_state(api: httpx.Client, scene: Scene) -> None:
    ns = scene.namespace

    def names(**params: Any) -> list[str]:
        body = api.get("/api/v1/certificates", params={"namespace": ns, **params}).json()
        return [c["secret_name"] for c in body["items"]]

    assert names() == ["broken-tls", "old-tls", "site-tls", "soon-tls"]
    assert names(state="expired") == ["old-tls"]
    assert names(state="critical") == ["soon-tls"]
    assert names(state="ok") == ["site-tls"]
    assert names(state="error") == ["broken-tls"]
    assert names(name="SITE") == ["site-tls"]
    broken = api.get(f"/api/v1/certificates/{ns}/broken-tls").json()
    assert broken["error"] and broken["common_name"] is None
    assert api.get("/api/v1/certificates", params={"state": "purple"}).status_code == 422
    # paging over the parsed inventory
    first = api.get("/api/v1/certificates", params={"namespace": ns, "limit": 3}).json()
    assert len(first["items"]) == 3 and first["total"] == 4
    rest = api.get(
        "/api/v1/certificates", params={"namespace": ns, "limit": 3, "continue": first["continue"]}
    ).json()
    assert [c["secret_name"] for c in rest["items"]] == ["soon-tls"]
    assert rest["continue"] is None


def test_expiring_bundles(api: httpx.Client, scene: Scene) -> None:
    ns = scene.namespace
    # the bundle's own threshold (10d) covers a certificate with 5 days left
    (bundle,) = api.get("/api/v1/certificatebundles/expiring", params={"namespace": ns}).json()
    assert bundle["name"] == "soon" and bundle["threshold_days"] == 10
    assert 3 <= bundle["days_left"] <= 5 and bundle["expired"] is False
    assert [c["secret_name"] for c in bundle["certificates"]] == ["soon-tls"]
    narrow = api.get("/api/v1/certificatebundles/expiring", params={"namespace": ns, "days": 2})
    assert narrow.json() == []
    assert api.get("/api/v1/clusters/nope/certificates").status_code == 404


def test_no_key_material_in_any_response(api: httpx.Client, scene: Scene, keys: list[str]) -> None:
    ns = scene.namespace
    texts = [
        api.get(path, params=params).text
        for path, params in [
            ("/api/v1/certificates", {}),
            ("/api/v1/certificates", {"namespace": ns}),
            (f"/api/v1/certificates/{ns}/site-tls", {}),
            (f"/api/v1/certificates/{ns}/soon-tls", {}),
            (f"/api/v1/certificates/{ns}/broken-tls", {}),
            ("/api/v1/certificatebundles/expiring", {"namespace": ns}),
            ("/api/v1/certificatebundles/expiring", {"days": 10000}),
            (f"/api/v1/certificatebundles/{ns}/soon/children", {}),
            ("/api/v1/topology", {}),
            (f"/api/v1/topology/gateway/{ns}/gw", {}),
            (f"/api/v1/gateways/{ns}/gw", {}),
        ]
    ]
    assert all(texts), "every response has a body"
    for key in keys:
        body_lines = [line for line in key.splitlines() if line and "-----" not in line]
        needles = [base64.b64encode(key.encode()).decode(), *body_lines]
        for text in texts:
            assert "PRIVATE KEY" not in text
            for needle in needles:
                assert needle not in text
