"""Checks of an inline PEM certificate and private key before they become a TLS Secret.

NGINX refuses to load a certificate whose key does not match, and an unparsable Secret only
shows up as a Gateway listener with ``ResolvedRefs=False`` long after the user clicked Deploy.
:func:`check_tls_pair` finds these problems at render time and raises :class:`RenderError`
with the field path. Messages never quote key or certificate material.

The checks are pure and time-independent, so rendering stays deterministic: an expired
certificate is reported through :attr:`CertificateInfo.not_after` (and
:meth:`CertificateInfo.expired_at`), not by failing the render.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from ngf_console.render.errors import RenderError

_SupportedKey = (
    rsa.RSAPrivateKey
    | ec.EllipticCurvePrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)
_CERT_BEGIN = "-----BEGIN CERTIFICATE-----"


@dataclass(frozen=True)
class CertificateInfo:
    """What the checked certificate says, for status, previews and warnings."""

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    dns_names: tuple[str, ...]
    chain_length: int
    key_type: str
    fingerprint_sha256: str
    warnings: tuple[str, ...] = ()

    def expired_at(self, now: datetime) -> bool:
        """Whether the leaf certificate is outside its validity period at ``now`` (aware)."""
        return not (self.not_before <= now <= self.not_after)

    def covers(self, hostname: str) -> bool:
        """Whether a SAN DNS name (or, without SANs, the CN) matches ``hostname``."""
        names = self.dns_names or _cn_names(self.subject)
        return any(_dns_match(name, hostname) for name in names)


def _cn_names(subject: str) -> tuple[str, ...]:
    return tuple(part[3:] for part in subject.split(",") if part.startswith("CN="))


def _dns_match(pattern: str, hostname: str) -> bool:
    """RFC 6125 style: a ``*.`` wildcard covers one label; a wildcard hostname needs a wildcard."""
    pattern, hostname = pattern.lower().rstrip("."), hostname.lower().rstrip(".")
    if pattern == hostname:
        return True
    if pattern.startswith("*.") and not hostname.startswith("*."):
        head, _, rest = hostname.partition(".")
        return bool(head) and rest == pattern[2:]
    return False


def _key_type(key: _SupportedKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return f"RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"EC-{key.curve.name}"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "Ed25519"
    return "Ed448"


def _load_certificates(pem: str, path: str) -> list[x509.Certificate]:
    if _CERT_BEGIN not in pem:
        raise RenderError(
            "no PEM certificate found (expected a CERTIFICATE block)", field_path=path
        )
    try:
        certs = x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        raise RenderError(
            "certificate is not a valid PEM-encoded X.509 certificate", field_path=path
        ) from None
    if not certs:  # pragma: no cover - load_pem_x509_certificates raises instead
        raise RenderError("no PEM certificate found", field_path=path)
    return certs


def _load_key(pem: str, path: str) -> _SupportedKey:
    if "-----BEGIN" not in pem or "PRIVATE KEY-----" not in pem:
        raise RenderError(
            "no PEM private key found (expected a PRIVATE KEY block)", field_path=path
        )
    if "ENCRYPTED" in pem:
        raise RenderError(
            "private key is encrypted; NGINX needs an unencrypted key", field_path=path
        )
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except TypeError:
        raise RenderError(
            "private key is encrypted; NGINX needs an unencrypted key", field_path=path
        ) from None
    except (ValueError, AssertionError):
        raise RenderError(
            "private key is not a valid PEM-encoded private key", field_path=path
        ) from None
    except Exception:
        # Any other parser failure: still a user input problem, and still no key material.
        raise RenderError("private key could not be parsed", field_path=path) from None
    if not isinstance(key, _SupportedKey):
        raise RenderError(
            f"unsupported private key type {type(key).__name__}; use RSA, ECDSA or EdDSA",
            field_path=path,
        )
    return key


def _spki(public_key: object) -> bytes:
    encode = getattr(public_key, "public_bytes", None)
    if encode is None:  # pragma: no cover - every supported key type has it
        return b""
    data: bytes = encode(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return data


def _dns_names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ()
    return tuple(ext.value.get_values_for_type(x509.DNSName))


def _chain_warnings(certs: list[x509.Certificate]) -> list[str]:
    warnings: list[str] = []
    for i in range(len(certs) - 1):
        if certs[i].issuer != certs[i + 1].subject:
            warnings.append(
                f"certificate {i + 2} of the chain did not issue certificate {i + 1}; "
                "list the leaf first, then each issuer in order"
            )
    return warnings


def check_tls_pair(certificate: str, private_key: str, *, field_path: str) -> CertificateInfo:
    """Parse and cross-check a PEM certificate chain and its private key.

    ``field_path`` is the path of the inline certificate object (e.g.
    ``spec.listeners[1].tls.inlineCert``); parse errors are reported on its ``.certificate``
    or ``.privateKey`` child, a mismatch on the object itself. Raises :class:`RenderError`.
    """
    certs = _load_certificates(certificate, f"{field_path}.certificate")
    key = _load_key(private_key, f"{field_path}.privateKey")
    leaf = certs[0]
    if _spki(leaf.public_key()) != _spki(key.public_key()):
        raise RenderError("certificate and private key do not match", field_path=field_path)
    not_before, not_after = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    if not_after <= not_before:
        raise RenderError(
            "certificate validity period is empty (notAfter is not after notBefore)",
            field_path=f"{field_path}.certificate",
        )
    try:
        subject = leaf.subject.rfc4514_string()
        issuer = leaf.issuer.rfc4514_string()
        dns_names = _dns_names(leaf)
    except ValueError:
        raise RenderError(
            "certificate has malformed fields", field_path=f"{field_path}.certificate"
        ) from None
    warnings = _chain_warnings(certs)
    if not dns_names and not leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME):
        warnings.append("certificate has neither DNS subject alternative names nor a common name")
    return CertificateInfo(
        subject=subject,
        issuer=issuer,
        not_before=not_before,
        not_after=not_after,
        dns_names=dns_names,
        chain_length=len(certs),
        key_type=_key_type(key),
        fingerprint_sha256=hashlib.sha256(
            leaf.public_bytes(serialization.Encoding.DER)
        ).hexdigest(),
        warnings=tuple(warnings),
    )


def normalize_pem(pem: str) -> str:
    """The PEM text as stored in the Secret: surrounding whitespace removed, one final newline."""
    return pem.strip() + "\n"


TLS_NOT_AFTER_ANNOTATION = "ngf-console.f5.com/tls-not-after"
TLS_FINGERPRINT_ANNOTATION = "ngf-console.f5.com/tls-sha256-fingerprint"


def tls_secret(
    metadata: dict[str, Any], certificate: str, private_key: str, info: CertificateInfo
) -> dict[str, Any]:
    """A ``kubernetes.io/tls`` Secret for a checked pair (see :func:`check_tls_pair`).

    The leaf's expiry and fingerprint go into annotations, so status and UI can show them
    without reading the Secret's data.
    """
    annotations = {
        **(metadata.get("annotations") or {}),
        TLS_NOT_AFTER_ANNOTATION: info.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
        TLS_FINGERPRINT_ANNOTATION: info.fingerprint_sha256,
    }

    def b64(pem: str) -> str:
        return base64.b64encode(normalize_pem(pem).encode()).decode()

    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {**metadata, "annotations": annotations},
        "type": "kubernetes.io/tls",
        "data": {"tls.crt": b64(certificate), "tls.key": b64(private_key)},
    }
