"""Every child the GatewayBundle renderer emits is accepted by the cluster's real CRD schemas.

Each child is created with server-side dry-run in a test namespace, owned by a real stored
GatewayBundle, and what the API server returns must still contain everything rendered (nothing
pruned as unknown). Children whose CRD is not installed are skipped with the missing CRD named:
the sandbox installs NGINX Gateway Fabric v1.6.2's CRDs (NginxProxy v1alpha1 only, no
WAFPolicy) and no F5 WAF PLM CRDs, so NginxProxy v1alpha2, WAFPolicy and APPolicy cannot be
checked here and are not pretended to be.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lightkube import Client, codecs
from lightkube.core.exceptions import ApiError
from lightkube.generic_resource import create_namespaced_resource, load_in_cluster_generic_resources
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition

from crd_cases import SAMPLES, load_sample
from ngf_console.crd.gateway_bundle import GatewayBundle
from ngf_console.render.gateway_bundle import NgfCapabilities, RenderResult, render
from ngf_console.render.options import RenderOptions

pytestmark = pytest.mark.integration

ENTERPRISE = RenderOptions(edition="enterprise")
BUNDLES = create_namespaced_resource(
    "ngf-console.f5.com", "v1alpha1", "GatewayBundle", "gatewaybundles"
)


def _pair() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "edge.example.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2036, 1, 1, tzinfo=dt.UTC))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("edge.example.com")]), False)
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem.decode()


CERT, KEY = _pair()


def bundle_doc(namespace: str = "default", waf: dict[str, Any] | None = None) -> dict[str, Any]:
    """A bundle using every field, so every child kind is rendered."""
    return {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "GatewayBundle",
        "metadata": {"name": "edge", "namespace": namespace},
        "spec": {
            "gatewayClassName": "nginx",
            "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP", "hostname": "edge.example.com"},
                {
                    "name": "https",
                    "port": 443,
                    "protocol": "HTTPS",
                    "hostname": "edge.example.com",
                    "tls": {
                        "mode": "Terminate",
                        "inlineCert": {"certificate": CERT, "privateKey": KEY},
                    },
                },
                {
                    "name": "shared",
                    "port": 8443,
                    "protocol": "HTTPS",
                    "tls": {"mode": "Terminate", "certificateRef": {"name": "wildcard-tls"}},
                },
                {"name": "pass", "port": 9443, "protocol": "TLS", "tls": {"mode": "Passthrough"}},
                {"name": "pg", "port": 5432, "protocol": "TCP"},
            ],
            "allowedRoutes": {
                "namespaces": "Selector",
                "selector": {
                    "matchLabels": {"gateway-access": "true"},
                    "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}],
                },
            },
            "nginxProxy": {
                "workerConnections": 4096,
                "additionalConfig": {"ipFamily": "dual", "logging": {"errorLevel": "warn"}},
            },
            "waf": waf or {"mode": "enforce", "violationRatingThreshold": 3, "botDefense": True},
            "snippets": [
                {"context": "http", "content": "client_max_body_size 20m;"},
                {"context": "server", "content": "add_header X-Edge 1;"},
                {"context": "location", "content": "proxy_buffering off;"},
            ],
            "infrastructure": {
                "replicas": 2,
                "resources": {"requests": {"cpu": "500m"}, "limits": {"memory": "1Gi"}},
            },
        },
    }


def _children(result: RenderResult) -> list[str]:
    return [f"{m['kind']}/{m['metadata']['name']}" for m in result.manifests]


# The child ids of the full render (enterprise, current NGF): the test parameters.
CHILDREN = _children(render(GatewayBundle.model_validate(bundle_doc()), options=ENTERPRISE))
CHILDREN += ["WAFPolicy/edge-waf (policyRef)"]


@pytest.fixture(scope="module")
def served(kube: Client) -> set[str]:
    """``group/version/Kind`` of every served CRD version, plus the built-in Secret."""
    load_in_cluster_generic_resources(kube)
    kinds = {"v1/Secret"}
    for crd in kube.list(CustomResourceDefinition):
        assert crd.spec is not None
        for version in crd.spec.versions:
            if version.served:
                kinds.add(f"{crd.spec.group}/{version.name}/{crd.spec.names.kind}")
    return kinds


def _stored_bundle(kube: Client, namespace: str, doc: dict[str, Any]) -> GatewayBundle:
    """Create the parent for real, so children carry a real owner reference."""
    created = kube.create(BUNDLES(**copy.deepcopy(doc)), namespace=namespace)
    return GatewayBundle.model_validate(created.to_dict())  # type: ignore[no-untyped-call]


def _contains(actual: Any, expected: Any, path: str = "") -> None:
    """``actual`` holds everything in ``expected`` (the server only added defaults)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} was pruned by the API server"
            _contains(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _contains(a, e, f"{path}[{i}]")
    else:
        assert actual == expected, path


def _dry_run(kube: Client, manifest: dict[str, Any]) -> dict[str, Any]:
    created = kube.create(codecs.from_dict(copy.deepcopy(manifest)), dry_run=True)
    result: dict[str, Any] = created.to_dict()  # type: ignore[no-untyped-call]
    return result


def _type_of(manifest: dict[str, Any]) -> str:
    return f"{manifest['apiVersion']}/{manifest['kind']}"


@pytest.mark.parametrize("child", CHILDREN)
def test_child_is_accepted(kube: Client, namespace: str, served: set[str], child: str) -> None:
    waf = {"policyRef": "shop-app-protect"} if child.endswith("(policyRef)") else None
    bundle = _stored_bundle(kube, namespace, bundle_doc(namespace, waf))
    result = render(bundle, options=ENTERPRISE)
    wanted = child.split(" ")[0]
    (manifest,) = [m for m in result.manifests if f"{m['kind']}/{m['metadata']['name']}" == wanted]
    if _type_of(manifest) not in served:
        pytest.skip(
            f"CRD for {manifest['kind']} {manifest['apiVersion']} is not installed in this "
            "cluster (the sandbox has NGINX Gateway Fabric v1.6.2 CRDs and no F5 WAF PLM); "
            "its acceptance is not checked"
        )
    created = _dry_run(kube, manifest)
    _contains(created, {k: v for k, v in manifest.items() if k != "metadata"})
    uid = (bundle.metadata.model_extra or {})["uid"]
    assert created["metadata"]["ownerReferences"][0]["uid"] == uid
    assert created["metadata"]["labels"] == manifest["metadata"]["labels"]


@pytest.mark.parametrize("edition", ["oss", "enterprise"])
def test_detected_capabilities_render_only_served_kinds(
    kube: Client, namespace: str, served: set[str], edition: str
) -> None:
    """Rendering for what the cluster serves: everything rendered is accepted, the rest withheld."""
    ngf = NgfCapabilities.from_served(served)
    bundle = _stored_bundle(kube, namespace, bundle_doc(namespace))
    result = render(bundle, options=RenderOptions(edition=edition), ngf=ngf)  # type: ignore[arg-type]
    for manifest in result.manifests:
        assert _type_of(manifest) in served
        _contains(_dry_run(kube, manifest), {k: v for k, v in manifest.items() if k != "metadata"})
    withheld = {(w.kind, w.code) for w in result.withheld}
    assert ("NginxProxy", "NotServed") in withheld
    waf_code = "NotServed" if edition == "enterprise" else "EnterpriseRequired"
    assert ("WAFPolicy", waf_code) in withheld
    assert (
        "infrastructure" not in next(m for m in result.manifests if m["kind"] == "Gateway")["spec"]
    )


@pytest.mark.parametrize("sample", [s.stem for s in SAMPLES if s.stem.startswith("gatewaybundle-")])
def test_samples_render_into_accepted_children(
    kube: Client, namespace: str, served: set[str], sample: str
) -> None:
    doc = load_sample(sample)
    doc["metadata"]["namespace"] = namespace
    bundle = _stored_bundle(kube, namespace, doc)
    result = render(bundle, options=ENTERPRISE, ngf=NgfCapabilities.from_served(served))
    assert result.manifests
    for manifest in result.manifests:
        _contains(_dry_run(kube, manifest), {k: v for k, v in manifest.items() if k != "metadata"})


def test_dry_run_really_validates(kube: Client, namespace: str, served: set[str]) -> None:
    """Control: a SnippetsFilter with a context NGF does not know is rejected."""
    bundle = _stored_bundle(kube, namespace, bundle_doc(namespace))
    result = render(bundle, options=ENTERPRISE)
    snippets = next(m for m in result.manifests if m["kind"] == "SnippetsFilter")
    broken = copy.deepcopy(snippets)
    broken["spec"]["snippets"][0]["context"] = "stream"
    with pytest.raises(ApiError) as err:
        _dry_run(kube, broken)
    assert err.value.status.code == 422
