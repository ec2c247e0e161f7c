"""TLS certificate inventory (readmodel/certificates.py), with real generated certificates."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from ngf_console.readmodel.certificates import expiry_state, inventory
from readmodel_factories import (
    certificate,
    ec_key,
    ed25519_key,
    gateway,
    listener,
    owned_by,
    parent,
    pem,
    reference_grant,
    rsa_key,
    tls_secret,
)

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
KEY_MARKER = b"PRIVATE-KEY-MATERIAL-MUST-NOT-LEAK"


def leaf(key: object = None, *, days: float = 90, **kwargs: object) -> bytes:
    return pem(
        certificate(
            key or ec_key(), not_before=NOW - 10 * DAY, not_after=NOW + days * DAY, **kwargs
        )
    )  # type: ignore[arg-type]


def test_rsa_certificate_is_parsed() -> None:
    crt = leaf(
        rsa_key(2048),
        cn="shop.example.com",
        dns=["shop.example.com", "*.shop.example.com"],
        ips=["10.1.2.3", "2001:db8::1"],
        serial=0xBEEF,
    )
    [view] = inventory([tls_secret("shop-tls", "web", crt=crt)], [], [], now=NOW)
    assert (view.secret_name, view.namespace) == ("shop-tls", "web")
    assert view.error is None
    assert view.common_name == "shop.example.com"
    assert view.subject == "CN=shop.example.com"
    assert view.dns_names == ["shop.example.com", "*.shop.example.com"]
    assert view.ip_addresses == ["10.1.2.3", "2001:db8::1"]
    assert (view.key_type, view.key_size, view.curve, view.key_description) == (
        "RSA",
        2048,
        None,
        "RSA 2048",
    )
    assert view.serial == "beef"
    assert view.self_signed is True
    assert view.issuer_common_name == "shop.example.com"
    assert view.chain_length == 1
    assert view.not_after == NOW + 90 * DAY and view.not_before == NOW - 10 * DAY
    assert view.days_left == 90 and view.expiry_state == "ok"
    assert view.fingerprint_sha256 is not None and len(view.fingerprint_sha256) == 64


@pytest.mark.parametrize(
    ("curve", "size", "name"),
    [(ec.SECP256R1(), 256, "P-256"), (ec.SECP384R1(), 384, "P-384")],
)
def test_ecdsa_curves(curve: ec.EllipticCurve, size: int, name: str) -> None:
    [view] = inventory([tls_secret("t", crt=leaf(ec_key(curve)))], [], [], now=NOW)
    assert (view.key_type, view.key_size, view.curve) == ("ECDSA", size, name)
    assert view.key_description == f"ECDSA {name}"


def test_ed25519() -> None:
    [view] = inventory([tls_secret("t", crt=leaf(ed25519_key()))], [], [], now=NOW)
    assert (view.key_type, view.key_description, view.self_signed) == ("Ed25519", "Ed25519", True)


def test_chain_leaf_first_issued_by_a_ca() -> None:
    ca_key = rsa_key()
    ca = certificate(
        ca_key,
        cn="Example Root CA",
        not_before=NOW - 100 * DAY,
        not_after=NOW + 3650 * DAY,
        ca=True,
    )
    leaf_key = ec_key()
    leaf_cert = certificate(
        leaf_key,
        cn="api.example.com",
        dns=["api.example.com"],
        issuer_cert=ca,
        issuer_key=ca_key,
        not_before=NOW - DAY,
        not_after=NOW + 20 * DAY,
    )
    [view] = inventory([tls_secret("api", crt=pem(leaf_cert, ca))], [], [], now=NOW)
    assert view.chain_length == 2
    assert view.common_name == "api.example.com"  # the leaf, not the CA
    assert view.issuer == "CN=Example Root CA" and view.issuer_common_name == "Example Root CA"
    assert view.self_signed is False
    assert view.key_type == "ECDSA"
    assert view.expiry_state == "warning" and view.days_left == 20


def test_same_subject_and_issuer_but_signed_by_another_key_is_not_self_signed() -> None:
    imposter = certificate(
        ec_key(), cn="x", issuer_key=ec_key(), not_before=NOW - DAY, not_after=NOW + DAY
    )
    [view] = inventory([tls_secret("t", crt=pem(imposter))], [], [], now=NOW)
    assert view.self_signed is False


@pytest.mark.parametrize(
    ("left", "state"),
    [
        (365 * DAY, "ok"),
        (30 * DAY + dt.timedelta(seconds=1), "ok"),
        (30 * DAY, "warning"),
        (7 * DAY, "warning"),
        (7 * DAY - dt.timedelta(seconds=1), "critical"),
        (dt.timedelta(minutes=5), "critical"),
        (dt.timedelta(0), "expired"),
        (-3 * DAY, "expired"),
    ],
)
def test_expiry_state_thresholds(left: dt.timedelta, state: str) -> None:
    assert expiry_state(NOW + left, NOW) == state


def test_expired_certificate_has_negative_days_left() -> None:
    crt = pem(
        certificate(
            rsa_key(), not_before=NOW - 100 * DAY, not_after=NOW - 2 * DAY - dt.timedelta(hours=1)
        )
    )
    [view] = inventory([tls_secret("old", crt=crt)], [], [], now=NOW)
    assert view.expiry_state == "expired" and view.days_left == -3


def test_certificate_without_cn_or_sans() -> None:
    [view] = inventory([tls_secret("t", crt=leaf(cn=None))], [], [], now=NOW)
    assert view.common_name is None and view.dns_names == [] and view.ip_addresses == []
    assert view.subject == "O=No CN Inc"


@pytest.mark.parametrize(
    ("secret_data", "message"),
    [
        ({"tls.crt": "%%%not-base64%%%"}, "base64"),
        ({"tls.crt": "bm90IGEgY2VydA=="}, ""),  # "not a cert"
        ({}, "no tls.crt"),
    ],
)
def test_unparseable_certificate_gives_an_error_entry(
    secret_data: dict[str, str], message: str
) -> None:
    secret = tls_secret("broken", crt=None)
    secret["data"] = {**secret_data, "tls.key": "c2VjcmV0"}
    good = tls_secret("good", crt=leaf())
    views = inventory([secret, good], [], [], now=NOW)
    assert [v.secret_name for v in views] == ["broken", "good"]
    assert views[0].error and message in views[0].error
    assert views[0].common_name is None and views[0].expiry_state is None
    assert views[1].error is None


def test_only_tls_secrets_are_listed() -> None:
    opaque = tls_secret("opaque", crt=leaf(), secret_type="Opaque")
    assert inventory([opaque], [], [], now=NOW) == []


def test_private_key_never_appears_in_the_view() -> None:
    secret = tls_secret("t", crt=leaf(), key_data=KEY_MARKER)
    views = inventory([secret], [], [], now=NOW)
    dumped = json.dumps([v.model_dump(mode="json") for v in views])
    assert KEY_MARKER.decode() not in dumped
    assert secret["data"]["tls.key"] not in dumped
    assert "tls.key" not in dumped


def test_attached_to_gateway_listeners_same_and_cross_namespace() -> None:
    secret = tls_secret("wild-tls", "certs", crt=leaf())
    same_ns = gateway(
        "local", "certs", listeners=[listener("https", 443, "HTTPS", cert="wild-tls")]
    )
    granted = gateway(
        "edge",
        "infra",
        listeners=[
            listener("https", 443, "HTTPS", cert="wild-tls", cert_namespace="certs"),
            listener("http", 80, "HTTP"),
        ],
    )
    ungranted = gateway(
        "rogue",
        "other",
        listeners=[
            listener("tls", 8443, "HTTPS", cert="wild-tls", cert_namespace="certs"),
        ],
    )
    elsewhere = gateway("x", "infra", listeners=[listener("https", 443, "HTTPS", cert="wild-tls")])
    grant = reference_grant("certs", from_kind="Gateway", from_namespace="infra", to_kind="Secret")
    [view] = inventory(
        [secret], [same_ns, granted, ungranted, elsewhere], [], referencegrants=[grant], now=NOW
    )
    assert [
        (a.kind, a.namespace, a.name, a.listener, a.relation, a.permitted) for a in view.attached_to
    ] == [
        ("Gateway", "certs", "local", "https", "listener", None),
        ("Gateway", "infra", "edge", "https", "listener", True),
        ("Gateway", "other", "rogue", "tls", "listener", False),
    ]


def test_reference_grant_limited_to_another_secret_name_does_not_permit() -> None:
    secret = tls_secret("a-tls", "certs", crt=leaf())
    gw = gateway(
        "edge",
        "infra",
        listeners=[listener("https", 443, "HTTPS", cert="a-tls", cert_namespace="certs")],
    )
    grant = reference_grant(
        "certs", from_kind="Gateway", from_namespace="infra", to_kind="Secret", to_name="b-tls"
    )
    [view] = inventory([secret], [gw], [], referencegrants=[grant], now=NOW)
    assert view.attached_to[0].permitted is False


def test_attached_to_owning_parents_by_owner_ref_or_labels() -> None:
    cert_bundle = parent("CertificateBundle", "shop", "web")
    gw_bundle = parent("GatewayBundle", "edge", "web")
    by_owner = tls_secret("shop-tls", "web", crt=leaf(), owner=cert_bundle)
    by_labels = tls_secret("edge-https-tls", "web", crt=leaf(), owner=gw_bundle)
    del by_labels["metadata"]["ownerReferences"]
    views = inventory([by_owner, by_labels], [], [cert_bundle, gw_bundle], now=NOW)
    assert [[(a.kind, a.name, a.relation) for a in v.attached_to] for v in views] == [
        [("GatewayBundle", "edge", "owner")],
        [("CertificateBundle", "shop", "owner")],
    ]


def test_labels_naming_a_parent_in_another_namespace_match_only_if_unique() -> None:
    bundle_a = parent("CertificateBundle", "shop", "a")
    bundle_b = parent("CertificateBundle", "shop", "b")
    secret = tls_secret("shop-tls", "elsewhere", crt=leaf())
    secret["metadata"]["labels"] = owned_by(bundle_a)["labels"]
    [unique] = inventory([secret], [], [bundle_a], now=NOW)
    assert [a.namespace for a in unique.attached_to] == ["a"]
    [ambiguous] = inventory([secret], [], [bundle_a, bundle_b], now=NOW)
    assert ambiguous.attached_to == []


def test_inventory_is_sorted_and_uses_the_given_clock() -> None:
    secrets = [
        tls_secret("b", "ns2", crt=leaf(days=3)),
        tls_secret("a", "ns2", crt=leaf()),
        tls_secret("z", "ns1", crt=leaf()),
    ]
    views = inventory(secrets, [], [], now=NOW)
    assert [(v.namespace, v.secret_name) for v in views] == [
        ("ns1", "z"),
        ("ns2", "a"),
        ("ns2", "b"),
    ]
    assert views[2].expiry_state == "critical"
    later = inventory(secrets[:1], [], [], now=NOW + 4 * DAY)
    assert later[0].expiry_state == "expired"
