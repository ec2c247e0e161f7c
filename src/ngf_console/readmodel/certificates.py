"""TLS certificate inventory: every ``kubernetes.io/tls`` Secret, parsed, and where it is used.

Only ``data["tls.crt"]`` is ever read: the private key (``tls.key``) is neither decoded nor
copied into any view. A Secret whose certificate cannot be parsed gives an entry with
``error`` set instead of raising, so one broken Secret never hides the others.

Expiry states (spec §3.6): ``ok`` more than 30 days left, ``warning`` 7 to 30 days,
``critical`` less than 7 days, ``expired`` past ``notAfter``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtensionOID, NameOID
from pydantic import BaseModel

from ngf_console.readmodel.grants import ReferenceGrants
from ngf_console.readmodel.objects import (
    GATEWAY_GROUP,
    Obj,
    as_dicts,
    name_of,
    namespace_of,
    spec_of,
    uid_of,
)
from ngf_console.readmodel.ownership import ParentIndex

__all__ = [
    "TLS_SECRET_TYPE",
    "CertificateAttachment",
    "CertificateView",
    "ExpiryState",
    "expiry_state",
    "inventory",
    "parse_certificate",
]

TLS_SECRET_TYPE: Final = "kubernetes.io/tls"
WARNING_DAYS: Final = 30
CRITICAL_DAYS: Final = 7
ExpiryState = Literal["ok", "warning", "critical", "expired"]
KeyType = Literal["RSA", "ECDSA", "Ed25519", "Ed448", "DSA", "unknown"]
# Curve names as people say them.
_CURVES: Final = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


class CertificateAttachment(BaseModel):
    """Where a certificate is used: a Gateway listener, or the parent CRD that owns it."""

    kind: str  # "Gateway", "CertificateBundle", "GatewayBundle", ...
    name: str
    namespace: str
    listener: str | None = None  # the listener, for kind Gateway
    relation: Literal["listener", "owner"]
    # A listener's Secret in another namespace needs a ReferenceGrant there; None when the
    # Secret is in the Gateway's own namespace (no grant needed).
    permitted: bool | None = None


class CertificateView(BaseModel):
    """One TLS Secret's leaf certificate, parsed. Never holds key material."""

    secret_name: str
    namespace: str
    uid: str | None = None
    subject: str | None = None
    common_name: str | None = None
    dns_names: list[str] = []
    ip_addresses: list[str] = []
    issuer: str | None = None
    issuer_common_name: str | None = None
    serial: str | None = None  # hex
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    days_left: int | None = None
    expiry_state: ExpiryState | None = None
    key_type: KeyType | None = None
    key_size: int | None = None
    curve: str | None = None
    key_description: str | None = None  # "RSA 2048", "ECDSA P-256", "Ed25519"
    self_signed: bool | None = None
    chain_length: int = 0
    fingerprint_sha256: str | None = None
    attached_to: list[CertificateAttachment] = []
    error: str | None = None


def expiry_state(not_after: dt.datetime, now: dt.datetime) -> ExpiryState:
    """The expiry state of a certificate valid until ``not_after`` (both aware)."""
    left = not_after - now
    if left <= dt.timedelta(0):
        return "expired"
    if left < dt.timedelta(days=CRITICAL_DAYS):
        return "critical"
    if left <= dt.timedelta(days=WARNING_DAYS):
        return "warning"
    return "ok"


def _common_name(name: x509.Name) -> str | None:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not values:
        return None
    value = values[0].value
    return value.decode() if isinstance(value, bytes) else value


def _key_facts(cert: x509.Certificate) -> tuple[KeyType, int | None, str | None, str]:
    try:
        key = cert.public_key()
    except (ValueError, TypeError):  # an algorithm the backend does not support
        return "unknown", None, None, "unknown"
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None, f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        curve = _CURVES.get(key.curve.name, key.curve.name)
        return "ECDSA", key.curve.key_size, curve, f"ECDSA {curve}"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None, "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None, "Ed448"
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None, f"DSA {key.key_size}"
    return "unknown", None, None, "unknown"


def _sans(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    try:
        ext = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    except x509.ExtensionNotFound:
        return [], []
    san = ext.value
    assert isinstance(san, x509.SubjectAlternativeName)
    dns = list(san.get_values_for_type(x509.DNSName))
    ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    return dns, ips


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, ValueError, TypeError):  # unsupported algorithm, bad signature
        return False
    return True


def parse_certificate(pem: bytes, *, now: dt.datetime) -> CertificateView:
    """The view of a PEM chain (leaf first); ``secret_name``/``namespace`` left empty.

    Raises ValueError if ``pem`` holds no parsable certificate.
    """
    chain = x509.load_pem_x509_certificates(pem)
    leaf = chain[0]
    not_before, not_after = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    dns, ips = _sans(leaf)
    key_type, key_size, curve, description = _key_facts(leaf)
    return CertificateView(
        secret_name="",
        namespace="",
        subject=leaf.subject.rfc4514_string(),
        common_name=_common_name(leaf.subject),
        dns_names=dns,
        ip_addresses=ips,
        issuer=leaf.issuer.rfc4514_string(),
        issuer_common_name=_common_name(leaf.issuer),
        serial=format(leaf.serial_number, "x"),
        not_before=not_before,
        not_after=not_after,
        # Whole days left, rounded down; negative once expired.
        days_left=(not_after - now) // dt.timedelta(days=1),
        expiry_state=expiry_state(not_after, now),
        key_type=key_type,
        key_size=key_size,
        curve=curve,
        key_description=description,
        self_signed=_self_signed(leaf),
        chain_length=len(chain),
        fingerprint_sha256=hashlib.sha256(
            leaf.public_bytes(serialization.Encoding.DER)
        ).hexdigest(),
    )


def _certificate_pem(secret: Mapping[str, Any]) -> bytes:
    """The decoded ``tls.crt`` (``data`` is base64; ``stringData`` as a last resort)."""
    data = secret.get("data")
    if isinstance(data, dict) and data.get("tls.crt"):
        try:
            return base64.b64decode(str(data["tls.crt"]), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("tls.crt is not valid base64") from exc
    string_data = secret.get("stringData")
    if isinstance(string_data, dict) and string_data.get("tls.crt"):
        return str(string_data["tls.crt"]).encode()
    raise ValueError("the Secret has no tls.crt")


def _listener_uses(
    gateways: Iterable[Obj], grants: ReferenceGrants
) -> dict[tuple[str, str], list[CertificateAttachment]]:
    """(namespace, secret name) -> the Gateway listeners whose certificateRefs name it."""
    uses: dict[tuple[str, str], list[CertificateAttachment]] = defaultdict(list)
    for gateway in gateways:
        gw_ns = namespace_of(gateway)
        for listener in as_dicts(spec_of(gateway).get("listeners")):
            tls = listener.get("tls")
            refs = as_dicts(tls.get("certificateRefs")) if isinstance(tls, dict) else []
            for ref in refs:
                if (ref.get("group") or "") != "" or (ref.get("kind") or "Secret") != "Secret":
                    continue
                ns, secret = str(ref.get("namespace") or gw_ns), str(ref.get("name") or "")
                uses[(ns, secret)].append(
                    CertificateAttachment(
                        kind="Gateway",
                        name=name_of(gateway),
                        namespace=gw_ns,
                        listener=str(listener.get("name") or "") or None,
                        relation="listener",
                        permitted=None
                        if ns == gw_ns
                        else grants.permits(
                            from_group=GATEWAY_GROUP,
                            from_kind="Gateway",
                            from_namespace=gw_ns,
                            to_group="",
                            to_kind="Secret",
                            to_namespace=ns,
                            to_name=secret,
                        ),
                    )
                )
    return uses


def inventory(
    secrets: Iterable[Obj],
    gateways: Iterable[Obj],
    parents: Iterable[Obj],
    *,
    referencegrants: Iterable[Obj] = (),
    now: dt.datetime | None = None,
) -> list[CertificateView]:
    """Every ``kubernetes.io/tls`` Secret, parsed, sorted by namespace and name.

    ``attached_to`` lists the Gateway listeners whose certificateRefs name the Secret (also
    from another namespace, with ``permitted`` from ``referencegrants``) and the parent CRDs
    that own it (owner reference or the console's parent labels). ``now`` (aware) fixes the
    clock for ``days_left`` and ``expiry_state``.
    """
    now = now or dt.datetime.now(dt.UTC)
    uses = _listener_uses(gateways, ReferenceGrants(referencegrants))
    index = ParentIndex(parents)
    out: list[CertificateView] = []
    for secret in secrets:
        if secret.get("type") != TLS_SECRET_TYPE:
            continue
        name, namespace = name_of(secret), namespace_of(secret)
        try:
            view = parse_certificate(_certificate_pem(secret), now=now)
        except ValueError as exc:
            view = CertificateView(secret_name=name, namespace=namespace, error=str(exc))
        view.secret_name, view.namespace, view.uid = name, namespace, uid_of(secret)
        view.attached_to = [
            *uses.get((namespace, name), []),
            *(
                CertificateAttachment(
                    kind=str(p.get("kind")),
                    name=name_of(p),
                    namespace=namespace_of(p),
                    relation="owner",
                )
                for p in index.owners_of(secret)
            ),
        ]
        out.append(view)
    out.sort(key=lambda v: (v.namespace, v.secret_name))
    return out
