"""PEM certificate/key checks for inline TLS (render/tls.py). Keys are generated per test."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import pickle

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from ngf_console.render.errors import RenderError
from ngf_console.render.tls import (
    TLS_FINGERPRINT_ANNOTATION,
    TLS_NOT_AFTER_ANNOTATION,
    check_tls_pair,
    normalize_pem,
    tls_secret,
)

PATH = "spec.listeners[1].tls.inlineCert"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2036, 1, 1, tzinfo=dt.UTC)


def key_pem(key: object) -> str:
    """PKCS#8 PEM of a private key, unencrypted."""
    return key.private_bytes(  # type: ignore[attr-defined,no-any-return]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def make_cert(
    key: object,
    *,
    cn: str | None = "shop.example.com",
    sans: tuple[str, ...] = ("shop.example.com", "*.shop.example.com"),
    issuer_key: object | None = None,
    issuer_cn: str | None = None,
    not_after: dt.datetime = END,
) -> x509.Certificate:
    """A certificate for ``key``, self-signed unless ``issuer_key`` is given."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)] if cn else [])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn or cn or "ca")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer if issuer_key is not None else subject)
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(START)
        .not_valid_after(not_after)
    )
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False
        )
    signer = issuer_key or key
    algorithm = None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(signer, algorithm)  # type: ignore[arg-type]


def cert_pem(*certs: x509.Certificate) -> str:
    """PEM of one certificate or a chain."""
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def make_pair(**kw: object) -> tuple[str, str]:
    """A matching (certificate PEM, key PEM) pair on P-256."""
    key = ec.generate_private_key(ec.SECP256R1())
    return cert_pem(make_cert(key, **kw)), key_pem(key)  # type: ignore[arg-type]


def test_valid_ec_pair() -> None:
    cert, key = make_pair()
    info = check_tls_pair(cert, key, field_path=PATH)
    assert info.key_type == "EC-secp256r1"
    assert info.dns_names == ("shop.example.com", "*.shop.example.com")
    assert info.subject == "CN=shop.example.com"
    assert info.chain_length == 1
    assert (info.not_before, info.not_after) == (START, END)
    assert len(info.fingerprint_sha256) == 64
    assert info.warnings == ()


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RSA-2048"),
        (ed25519.Ed25519PrivateKey.generate(), "Ed25519"),
        (ec.generate_private_key(ec.SECP384R1()), "EC-secp384r1"),
    ],
)
def test_supported_key_types(key: object, expected: str) -> None:
    info = check_tls_pair(cert_pem(make_cert(key)), key_pem(key), field_path=PATH)
    assert info.key_type == expected


def test_traditional_openssl_key_format() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    assert "BEGIN RSA PRIVATE KEY" in pem
    assert check_tls_pair(cert_pem(make_cert(key)), pem, field_path=PATH).key_type == "RSA-2048"


def test_mismatch_reports_the_inline_cert_path_and_no_key_material() -> None:
    cert, _ = make_pair()
    _, other_key = make_pair()
    with pytest.raises(RenderError) as err:
        check_tls_pair(cert, other_key, field_path=PATH)
    assert err.value.field_path == PATH
    assert err.value.message == "certificate and private key do not match"
    assert str(err.value) == f"{PATH}: certificate and private key do not match"
    body = other_key.splitlines()[1]
    assert body not in str(err.value)
    assert err.value.__cause__ is None and err.value.__context__ is None


@pytest.mark.parametrize(
    "certificate",
    [
        "",
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n",
        "-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZQ==\n-----END PRIVATE KEY-----\n",
    ],
)
def test_garbage_certificate(certificate: str) -> None:
    _, key = make_pair()
    with pytest.raises(RenderError) as err:
        check_tls_pair(certificate, key, field_path=PATH)
    assert err.value.field_path == f"{PATH}.certificate"


@pytest.mark.parametrize(
    ("private_key", "message"),
    [
        ("", "no PEM private key found"),
        ("just text", "no PEM private key found"),
        (
            "-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZSBrZXkgbWF0ZXJpYWw=\n"
            "-----END PRIVATE KEY-----\n",
            "private key is not a valid PEM-encoded private key",
        ),
    ],
)
def test_garbage_private_key(private_key: str, message: str) -> None:
    cert, _ = make_pair()
    with pytest.raises(RenderError) as err:
        check_tls_pair(cert, private_key, field_path=PATH)
    assert err.value.field_path == f"{PATH}.privateKey"
    assert err.value.message.startswith(message)
    assert "Z2FyYmFnZSBrZXkgbWF0ZXJpYWw" not in str(err.value)
    # The parser's own exception is not chained, so tracebacks cannot carry key bytes.
    assert err.value.__cause__ is None


def test_encrypted_private_key_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    ).decode()
    with pytest.raises(RenderError, match="encrypted") as err:
        check_tls_pair(cert_pem(make_cert(key)), pem, field_path=PATH)
    assert err.value.field_path == f"{PATH}.privateKey"


def test_unsupported_key_type() -> None:
    key = dsa.generate_private_key(key_size=2048)
    cert = cert_pem(make_cert(key))
    with pytest.raises(RenderError, match="unsupported private key type") as err:
        check_tls_pair(cert, key_pem(key), field_path=PATH)
    assert err.value.field_path == f"{PATH}.privateKey"


def test_empty_validity_period() -> None:
    cert, key = make_pair(not_after=START)
    with pytest.raises(RenderError, match="validity period is empty") as err:
        check_tls_pair(cert, key, field_path=PATH)
    assert err.value.field_path == f"{PATH}.certificate"


def test_chain_in_order() -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = make_cert(ca_key, cn="Shop CA", sans=())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = make_cert(leaf_key, issuer_key=ca_key, issuer_cn="Shop CA")
    info = check_tls_pair(cert_pem(leaf, ca), key_pem(leaf_key), field_path=PATH)
    assert info.chain_length == 2
    assert info.issuer == "CN=Shop CA"
    assert info.warnings == ()


def test_chain_with_unrelated_certificate_warns() -> None:
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = make_cert(leaf_key, issuer_key=ec.generate_private_key(ec.SECP256R1()), issuer_cn="A")
    stranger = make_cert(ec.generate_private_key(ec.SECP256R1()), cn="B", sans=())
    info = check_tls_pair(cert_pem(leaf, stranger), key_pem(leaf_key), field_path=PATH)
    assert len(info.warnings) == 1
    assert "did not issue" in info.warnings[0]


def test_chain_with_leaf_last_is_a_mismatch() -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = make_cert(ca_key, cn="Shop CA", sans=())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = make_cert(leaf_key, issuer_key=ca_key, issuer_cn="Shop CA")
    with pytest.raises(RenderError, match="do not match"):
        check_tls_pair(cert_pem(ca, leaf), key_pem(leaf_key), field_path=PATH)


def test_no_names_warns() -> None:
    cert, key = make_pair(cn=None, sans=())
    info = check_tls_pair(cert, key, field_path=PATH)
    assert info.warnings == (
        "certificate has neither DNS subject alternative names nor a common name",
    )


@pytest.mark.parametrize(
    ("hostname", "covered"),
    [
        ("shop.example.com", True),
        ("SHOP.example.com.", True),
        ("www.shop.example.com", True),
        ("*.shop.example.com", True),
        ("a.b.shop.example.com", False),
        ("example.com", False),
        ("*.example.com", False),
    ],
)
def test_covers(hostname: str, covered: bool) -> None:
    cert, key = make_pair()
    assert check_tls_pair(cert, key, field_path=PATH).covers(hostname) is covered


def test_covers_falls_back_to_common_name_without_sans() -> None:
    cert, key = make_pair(sans=())
    info = check_tls_pair(cert, key, field_path=PATH)
    assert info.covers("shop.example.com")
    assert not info.covers("www.shop.example.com")


def test_expired_at() -> None:
    cert, key = make_pair()
    info = check_tls_pair(cert, key, field_path=PATH)
    assert not info.expired_at(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert info.expired_at(dt.datetime(2037, 1, 1, tzinfo=dt.UTC))
    assert info.expired_at(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))


def test_normalize_pem() -> None:
    assert normalize_pem("\n  -----BEGIN X-----\nabc\n-----END X-----  \n\n") == (
        "-----BEGIN X-----\nabc\n-----END X-----\n"
    )


def test_tls_secret() -> None:
    cert, key = make_pair()
    info = check_tls_pair(cert, key, field_path=PATH)
    meta = {"name": "s", "namespace": "ns", "annotations": {"a": "b"}}
    secret = tls_secret(meta, "\n" + cert, key + "\n\n", info)
    assert secret["type"] == "kubernetes.io/tls"
    assert base64.b64decode(secret["data"]["tls.crt"]).decode() == cert
    assert base64.b64decode(secret["data"]["tls.key"]).decode() == key
    assert secret["metadata"]["annotations"] == {
        "a": "b",
        TLS_NOT_AFTER_ANNOTATION: "2036-01-01T00:00:00Z",
        TLS_FINGERPRINT_ANNOTATION: info.fingerprint_sha256,
    }
    assert meta["annotations"] == {"a": "b"}


def test_render_error_shapes() -> None:
    plain = RenderError("no field to blame")
    assert (str(plain), plain.field_path) == ("no field to blame", "")
    assert isinstance(plain, ValueError)
    err = RenderError("bad", field_path="spec.x")
    for clone in (pickle.loads(pickle.dumps(err)), copy.copy(err)):
        assert (clone.message, clone.field_path, str(clone)) == ("bad", "spec.x", "spec.x: bad")
