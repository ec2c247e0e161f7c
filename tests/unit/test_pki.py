"""The local control plane's certificates chain to its CA and say who they are for."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ngf_console.sandbox import pki


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_certificates_chain_to_the_ca(tmp_path: Path) -> None:
    paths = pki.generate(tmp_path)
    ca = _load(paths.ca_cert)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for leaf in (_load(paths.serving_cert), _load(paths.admin_cert)):
        leaf.verify_directly_issued_by(ca)
        assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_serving_certificate_covers_loopback_and_service_names(tmp_path: Path) -> None:
    serving = _load(pki.generate(tmp_path).serving_cert)
    sans = serving.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in sans.get_values_for_type(x509.IPAddress)
    assert "kubernetes.default.svc" in sans.get_values_for_type(x509.DNSName)
    usage = serving.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]


def test_admin_is_in_system_masters_and_keys_are_private(tmp_path: Path) -> None:
    paths = pki.generate(tmp_path)
    admin = _load(paths.admin_cert)
    orgs = admin.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    assert [o.value for o in orgs] == ["system:masters"]
    for key in (paths.ca_key, paths.serving_key, paths.admin_key, paths.sa_key):
        assert key.stat().st_mode & 0o077 == 0, f"{key} is readable by others"
    assert isinstance(
        x509.load_pem_x509_certificate(paths.ca_cert.read_bytes()).public_key(),
        ec.EllipticCurvePublicKey,
    )
