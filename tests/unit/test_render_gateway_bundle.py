"""The pure GatewayBundle renderer: every spec field reaches its child; editions; errors."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ngf_console.crd.gateway_bundle import GatewayBundle
from ngf_console.render.errors import RenderError
from ngf_console.render.gateway_bundle import (
    ENTERPRISE_REASON,
    NgfCapabilities,
    RenderResult,
    render,
)
from ngf_console.render.options import RenderOptions

SAMPLES = Path(__file__).resolve().parents[2] / "deploy" / "samples"
ENTERPRISE = RenderOptions(edition="enterprise")
OSS = RenderOptions(edition="oss")
UID = "0b7c6a3e-1d2f-4e5a-9b8c-7d6e5f4a3b2c"


def make_pair(*names: str) -> tuple[str, str]:
    """A self-signed P-256 certificate for ``names`` and its key, as PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2036, 1, 1, tzinfo=dt.UTC))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode()


@pytest.fixture(scope="module")
def pair() -> tuple[str, str]:
    return make_pair("api.example.com", "*.api.example.com")


def full_doc(pair: tuple[str, str], **meta: Any) -> dict[str, Any]:
    """A GatewayBundle using every spec field."""
    cert, key = pair
    return {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "GatewayBundle",
        "metadata": {"name": "edge", "namespace": "gw", **meta},
        "spec": {
            "gatewayClassName": "nginx-plus",
            "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP", "hostname": "api.example.com"},
                {
                    "name": "https",
                    "port": 443,
                    "protocol": "HTTPS",
                    "hostname": "api.example.com",
                    "tls": {
                        "mode": "Terminate",
                        "inlineCert": {"certificate": cert, "privateKey": key},
                    },
                },
                {
                    "name": "shared",
                    "port": 8443,
                    "protocol": "HTTPS",
                    "tls": {
                        "mode": "Terminate",
                        "certificateRef": {"name": "wildcard", "namespace": "certs"},
                    },
                },
                {
                    "name": "pass",
                    "port": 9443,
                    "protocol": "TLS",
                    "hostname": "db.example.com",
                    "tls": {"mode": "Passthrough"},
                },
                {"name": "dns", "port": 53, "protocol": "UDP"},
            ],
            "allowedRoutes": {
                "namespaces": "Selector",
                "selector": {
                    "matchLabels": {"team": "edge"},
                    "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}],
                },
            },
            "nginxProxy": {
                "workerProcesses": 4,
                "workerConnections": 8192,
                "additionalConfig": {
                    "ipFamily": "ipv4",
                    "logging": {"errorLevel": "warn"},
                    "kubernetes": {"service": {"type": "NodePort"}},
                },
            },
            "waf": {"mode": "log-only", "violationRatingThreshold": 4, "botDefense": True},
            "snippets": [
                {"context": "http", "content": "client_max_body_size 20m;"},
                {"context": "location", "content": "proxy_buffering off;\n"},
                {"context": "server", "content": "add_header X-Edge 1;"},
                {"context": "location", "content": "proxy_read_timeout 300s;"},
            ],
            "infrastructure": {
                "replicas": 3,
                "resources": {"requests": {"cpu": "500m", "memory": "256Mi"}},
            },
        },
    }


def bundle_of(doc: dict[str, Any]) -> GatewayBundle:
    return GatewayBundle.model_validate(doc)


def by_kind(result: RenderResult, kind: str) -> list[dict[str, Any]]:
    return [m for m in result.manifests if m["kind"] == kind]


def one(result: RenderResult, kind: str) -> dict[str, Any]:
    found = by_kind(result, kind)
    assert len(found) == 1, [m["kind"] for m in result.manifests]
    return found[0]


def test_enterprise_renders_every_child_in_apply_order(pair: tuple[str, str]) -> None:
    result = render(bundle_of(full_doc(pair)), options=ENTERPRISE)
    kinds = [(m["kind"], m["metadata"]["name"]) for m in result.manifests]
    assert kinds == [
        ("Secret", "edge-https-tls"),
        ("NginxProxy", "edge-proxy"),
        ("Gateway", "edge"),
        ("APPolicy", "edge-waf"),
        ("WAFPolicy", "edge-waf"),
        ("SnippetsFilter", "edge-snippets-http"),
        ("SnippetsFilter", "edge-snippets-server"),
        ("SnippetsFilter", "edge-snippets-location"),
    ]
    assert result.withheld == []
    assert all(m["metadata"]["namespace"] == "gw" for m in result.manifests)


def test_gateway_fields(pair: tuple[str, str]) -> None:
    result = render(bundle_of(full_doc(pair)), options=ENTERPRISE)
    gw = one(result, "Gateway")
    assert gw["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert gw["spec"]["gatewayClassName"] == "nginx-plus"
    assert gw["spec"]["infrastructure"] == {
        "parametersRef": {"group": "gateway.nginx.org", "kind": "NginxProxy", "name": "edge-proxy"}
    }
    allowed = {
        "namespaces": {
            "from": "Selector",
            "selector": {
                "matchLabels": {"team": "edge"},
                "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}],
            },
        }
    }
    http, https, shared, passthrough, dns = gw["spec"]["listeners"]
    assert http == {
        "name": "http",
        "port": 80,
        "protocol": "HTTP",
        "hostname": "api.example.com",
        "allowedRoutes": allowed,
    }
    assert https["tls"] == {
        "mode": "Terminate",
        "certificateRefs": [{"group": "", "kind": "Secret", "name": "edge-https-tls"}],
    }
    assert shared["tls"]["certificateRefs"] == [
        {"group": "", "kind": "Secret", "name": "wildcard", "namespace": "certs"}
    ]
    assert "hostname" not in shared
    assert passthrough["tls"] == {"mode": "Passthrough"}
    assert passthrough["hostname"] == "db.example.com"
    assert dns == {"name": "dns", "port": 53, "protocol": "UDP", "allowedRoutes": allowed}
    assert all(lst["allowedRoutes"] == allowed for lst in gw["spec"]["listeners"])
    assert any("ReferenceGrant" in w and "listeners[2]" in w for w in result.warnings)


def test_tls_secret_carries_the_inline_pair(pair: tuple[str, str]) -> None:
    secret = one(render(bundle_of(full_doc(pair))), "Secret")
    assert secret["type"] == "kubernetes.io/tls"
    assert base64.b64decode(secret["data"]["tls.crt"]).decode() == pair[0]
    assert base64.b64decode(secret["data"]["tls.key"]).decode() == pair[1]
    assert secret["metadata"]["annotations"]["ngf-console.f5.com/tls-not-after"] == (
        "2036-01-01T00:00:00Z"
    )


def test_nginx_proxy_merges_typed_fields_over_additional_config(pair: tuple[str, str]) -> None:
    result = render(bundle_of(full_doc(pair)), options=ENTERPRISE)
    proxy = one(result, "NginxProxy")
    assert proxy["apiVersion"] == "gateway.nginx.org/v1alpha2"
    assert proxy["spec"] == {
        "ipFamily": "ipv4",
        "logging": {"errorLevel": "warn"},
        "kubernetes": {
            "service": {"type": "NodePort"},
            "deployment": {
                "replicas": 3,
                "container": {"resources": {"requests": {"cpu": "500m", "memory": "256Mi"}}},
            },
        },
        "workerConnections": 8192,
        "waf": {"enable": True},
    }
    assert any("workerProcesses" in w for w in result.warnings)


def test_nginx_proxy_on_oss_has_no_waf(pair: tuple[str, str]) -> None:
    proxy = one(render(bundle_of(full_doc(pair)), options=OSS), "NginxProxy")
    assert "waf" not in proxy["spec"]
    assert proxy["spec"]["workerConnections"] == 8192


def test_typed_setting_wins_over_additional_config_with_a_warning(pair: tuple[str, str]) -> None:
    doc = full_doc(pair)
    doc["spec"]["nginxProxy"]["additionalConfig"]["workerConnections"] = 1024
    doc["spec"]["nginxProxy"]["additionalConfig"]["kubernetes"]["deployment"] = {"replicas": 1}
    result = render(bundle_of(doc), options=OSS)
    spec = one(result, "NginxProxy")["spec"]
    assert spec["workerConnections"] == 8192
    assert spec["kubernetes"]["deployment"]["replicas"] == 3
    assert {w.split(" ")[0] for w in result.warnings if "overridden" in w} == {
        "spec.nginxProxy.additionalConfig.workerConnections",
        "spec.nginxProxy.additionalConfig.kubernetes.deployment.replicas",
    }


def test_additional_config_of_the_model_is_not_mutated(pair: tuple[str, str]) -> None:
    bundle = bundle_of(full_doc(pair))
    assert bundle.spec.nginx_proxy is not None
    before = copy.deepcopy(bundle.spec.nginx_proxy.additional_config)
    render(bundle, options=ENTERPRISE)
    assert bundle.spec.nginx_proxy.additional_config == before


def test_nginx_proxy_only_from_infrastructure(pair: tuple[str, str]) -> None:
    doc = full_doc(pair)
    del doc["spec"]["nginxProxy"], doc["spec"]["waf"]
    doc["spec"]["infrastructure"] = {"replicas": 2}
    proxy = one(render(bundle_of(doc)), "NginxProxy")
    assert proxy["spec"] == {"kubernetes": {"deployment": {"replicas": 2}}}


def test_no_nginx_proxy_without_settings(pair: tuple[str, str]) -> None:
    doc = full_doc(pair)
    for key in ("nginxProxy", "infrastructure", "waf"):
        del doc["spec"][key]
    result = render(bundle_of(doc), options=ENTERPRISE)
    assert by_kind(result, "NginxProxy") == []
    assert "infrastructure" not in one(result, "Gateway")["spec"]


def test_worker_connections_above_ngf_maximum(pair: tuple[str, str]) -> None:
    doc = full_doc(pair)
    doc["spec"]["nginxProxy"]["workerConnections"] = 65536
    with pytest.raises(RenderError) as err:
        render(bundle_of(doc))
    assert err.value.field_path == "spec.nginxProxy.workerConnections"


def test_snippets_by_context(pair: tuple[str, str]) -> None:
    filters = by_kind(render(bundle_of(full_doc(pair))), "SnippetsFilter")
    assert [f["apiVersion"] for f in filters] == ["gateway.nginx.org/v1alpha1"] * 3
    assert [f["spec"]["snippets"] for f in filters] == [
        [{"context": "http", "value": "client_max_body_size 20m;"}],
        [{"context": "http.server", "value": "add_header X-Edge 1;"}],
        [
            {
                "context": "http.server.location",
                "value": "proxy_buffering off;\nproxy_read_timeout 300s;",
            }
        ],
    ]


def test_blank_snippet_is_an_error(pair: tuple[str, str]) -> None:
    doc = full_doc(pair)
    doc["spec"]["snippets"][2]["content"] = "  \n"
    with pytest.raises(RenderError) as err:
        render(bundle_of(doc))
    assert err.value.field_path == "spec.snippets[2].content"


def test_inline_waf_policy(pair: tuple[str, str]) -> None:
    result = render(bundle_of(full_doc(pair)), options=ENTERPRISE)
    ap = one(result, "APPolicy")
    assert ap["apiVersion"] == "appprotect.f5.com/v1"
    assert ap["spec"]["policy"] == {
        "name": "edge-waf",
        "template": {"name": "POLICY_TEMPLATE_NGINX_BASE"},
        "applicationLanguage": "utf-8",
        "enforcementMode": "transparent",
        "bot-defense": {"settings": {"isEnabled": True}},
        "blocking-settings": {
            "violations": [
                {"name": "VIOL_RATING_NEED_EXAMINATION", "alarm": True, "block": False},
                {"name": "VIOL_RATING_THREAT", "alarm": True, "block": True},
            ]
        },
    }
    waf = one(result, "WAFPolicy")
    assert waf["apiVersion"] == "gateway.nginx.org/v1alpha1"
    assert waf["spec"] == {
        "type": "PLM",
        "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "edge"}],
        "policyRef": {"apPolicyRef": {"name": "edge-waf", "namespace": "gw"}},
    }


@pytest.mark.parametrize(
    ("threshold", "blocks_three", "warns"),
    [(1, True, True), (2, True, True), (3, True, False), (4, False, False), (5, False, True)],
)
def test_violation_rating_threshold(
    pair: tuple[str, str], threshold: int, blocks_three: bool, warns: bool
) -> None:
    doc = full_doc(pair)
    doc["spec"]["waf"] = {"mode": "enforce", "violationRatingThreshold": threshold}
    result = render(bundle_of(doc), options=ENTERPRISE)
    policy = one(result, "APPolicy")["spec"]["policy"]
    assert policy["enforcementMode"] == "blocking"
    assert "bot-defense" not in policy
    need_exam, threat = policy["blocking-settings"]["violations"]
    assert need_exam["block"] is blocks_three
    assert threat["block"] is True
    assert any("violationRatingThreshold" in w for w in result.warnings) is warns


def test_waf_policy_ref_references_existing_ap_policy(pair: tuple[str, str]) -> None:
    doc = full_doc(pair)
    doc["spec"]["waf"] = {"policyRef": "shop-app-protect", "mode": "enforce"}
    result = render(bundle_of(doc), options=ENTERPRISE)
    assert by_kind(result, "APPolicy") == []
    ref = one(result, "WAFPolicy")["spec"]["policyRef"]["apPolicyRef"]
    assert ref == {"name": "shop-app-protect", "namespace": "gw"}
    assert any(w.startswith("spec.waf: mode") for w in result.warnings)


@pytest.mark.parametrize(
    ("edition", "code"), [("oss", "EnterpriseRequired"), ("unknown", "EditionUnknown")]
)
def test_waf_withheld_without_enterprise(pair: tuple[str, str], edition: str, code: str) -> None:
    options = RenderOptions(edition=edition)  # type: ignore[arg-type]
    result = render(bundle_of(full_doc(pair)), options=options)
    assert by_kind(result, "WAFPolicy") == by_kind(result, "APPolicy") == []
    assert [(w.kind, w.name, w.api_version, w.code) for w in result.withheld] == [
        ("APPolicy", "edge-waf", "appprotect.f5.com/v1", code),
        ("WAFPolicy", "edge-waf", "gateway.nginx.org/v1alpha1", code),
    ]
    assert all(w.reason.startswith(ENTERPRISE_REASON) for w in result.withheld)
    # NginxProxy and SnippetsFilter are NGF OSS features.
    assert {m["kind"] for m in result.manifests} == {
        "Secret",
        "NginxProxy",
        "Gateway",
        "SnippetsFilter",
    }


def test_default_options_withhold_waf_as_edition_unknown(pair: tuple[str, str]) -> None:
    result = render(bundle_of(full_doc(pair)))
    assert {w.code for w in result.withheld} == {"EditionUnknown"}


def test_enterprise_without_waf_policy_crd(pair: tuple[str, str]) -> None:
    ngf = NgfCapabilities(waf_policy=False)
    result = render(bundle_of(full_doc(pair)), options=ENTERPRISE, ngf=ngf)
    assert {(w.kind, w.code) for w in result.withheld} == {
        ("APPolicy", "NotServed"),
        ("WAFPolicy", "NotServed"),
    }
    assert "waf" not in one(result, "NginxProxy")["spec"]


def test_inline_waf_without_plm(pair: tuple[str, str]) -> None:
    result = render(
        bundle_of(full_doc(pair)), options=ENTERPRISE, ngf=NgfCapabilities(ap_policy=False)
    )
    assert [w.kind for w in result.withheld] == ["APPolicy", "WAFPolicy"]
    assert "Policy Lifecycle Management" in result.withheld[0].reason


def test_ngf1_withholds_nginx_proxy(pair: tuple[str, str]) -> None:
    ngf = NgfCapabilities(nginx_proxy_version="v1alpha1", waf_policy=False, ap_policy=False)
    result = render(bundle_of(full_doc(pair)), options=OSS, ngf=ngf)
    assert by_kind(result, "NginxProxy") == []
    assert "infrastructure" not in one(result, "Gateway")["spec"]
    proxy = [w for w in result.withheld if w.kind == "NginxProxy"]
    assert len(proxy) == 1
    assert proxy[0].name == "edge-proxy"
    assert "v1alpha1" in proxy[0].reason


def test_nginx_proxy_not_served_at_all(pair: tuple[str, str]) -> None:
    result = render(bundle_of(full_doc(pair)), ngf=NgfCapabilities(nginx_proxy_version=None))
    assert [w.reason for w in result.withheld if w.kind == "NginxProxy"] == [
        "the installed NGINX Gateway Fabric does not serve NginxProxy"
    ]


def test_waf_rendered_but_nginx_proxy_withheld_warns(pair: tuple[str, str]) -> None:
    ngf = NgfCapabilities(nginx_proxy_version="v1alpha1")
    result = render(bundle_of(full_doc(pair)), options=ENTERPRISE, ngf=ngf)
    assert one(result, "WAFPolicy")
    assert any("GatewayClass's NginxProxy" in w for w in result.warnings)


def test_capabilities_from_served() -> None:
    served = [
        "gateway.nginx.org/v1alpha1/NginxProxy",
        "gateway.nginx.org/v1alpha1/SnippetsFilter",
        "gateway.networking.k8s.io/v1/Gateway",
    ]
    assert NgfCapabilities.from_served(served) == NgfCapabilities("v1alpha1", False, False)
    current = [
        "gateway.nginx.org/v1alpha1/NginxProxy",
        "gateway.nginx.org/v1alpha2/NginxProxy",
        "gateway.nginx.org/v1alpha1/WAFPolicy",
        "appprotect.f5.com/v1/APPolicy",
    ]
    assert NgfCapabilities.from_served(current) == NgfCapabilities()
    assert NgfCapabilities.from_served([]).nginx_proxy_version is None


def test_tls_mismatch_renders_nothing(pair: tuple[str, str]) -> None:
    doc = full_doc(pair)
    doc["spec"]["listeners"][1]["tls"]["inlineCert"]["privateKey"] = make_pair("x.example")[1]
    with pytest.raises(RenderError) as err:
        render(bundle_of(doc), options=ENTERPRISE)
    assert err.value.field_path == "spec.listeners[1].tls.inlineCert"
    assert err.value.message == "certificate and private key do not match"
    assert "PRIVATE KEY" not in str(err.value)


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        (
            "certificate",
            "-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----",
            "certificate",
        ),
        ("certificate", "garbage", "certificate"),
        (
            "privateKey",
            "-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----",
            "privateKey",
        ),
    ],
)
def test_garbage_pem_renders_nothing(
    pair: tuple[str, str], field: str, value: str, path: str
) -> None:
    doc = full_doc(pair)
    doc["spec"]["listeners"][1]["tls"]["inlineCert"][field] = value
    with pytest.raises(RenderError) as err:
        render(bundle_of(doc))
    assert err.value.field_path == f"spec.listeners[1].tls.inlineCert.{path}"


def test_hostname_not_covered_by_certificate_warns() -> None:
    doc = full_doc(make_pair("other.example.org"))
    result = render(bundle_of(doc))
    assert any(
        w.startswith("spec.listeners[1].tls.inlineCert: certificate (other.example.org)")
        for w in result.warnings
    )


def test_deterministic(pair: tuple[str, str]) -> None:
    bundle = bundle_of(full_doc(pair, uid=UID))
    first = render(bundle, options=ENTERPRISE)
    first.manifests[1]["spec"]["logging"]["errorLevel"] = "debug"  # callers may mutate output
    second = render(bundle, options=ENTERPRISE)
    third = render(bundle_of(full_doc(pair, uid=UID)), options=ENTERPRISE)
    assert json.dumps(second.manifests) == json.dumps(third.manifests)
    assert second.manifests[1]["spec"]["logging"]["errorLevel"] == "warn"
    assert second.warnings == third.warnings
    assert second.withheld == third.withheld


def test_owner_references_when_uid_is_set(pair: tuple[str, str]) -> None:
    result = render(bundle_of(full_doc(pair, uid=UID)), options=ENTERPRISE)
    owner = {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "GatewayBundle",
        "name": "edge",
        "uid": UID,
        "controller": True,
        "blockOwnerDeletion": True,
    }
    assert len(result.manifests) == 8
    for manifest in result.manifests:
        assert manifest["metadata"]["ownerReferences"] == [owner]
        assert manifest["metadata"]["labels"]["ngf-console.f5.com/gateway-bundle"] == "edge"


def test_no_owner_references_without_uid(pair: tuple[str, str]) -> None:
    result = render(bundle_of(full_doc(pair)), options=ENTERPRISE)
    assert all("ownerReferences" not in m["metadata"] for m in result.manifests)


def test_minimal_bundle_in_default_namespace() -> None:
    doc = {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "GatewayBundle",
        "metadata": {"name": "tiny"},
        "spec": {
            "gatewayClassName": "nginx",
            "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
        },
    }
    result = render(bundle_of(doc), options=ENTERPRISE)
    assert result.withheld == []
    assert result.warnings == []
    (gateway,) = result.manifests
    assert gateway["metadata"]["namespace"] == "default"
    assert gateway["spec"] == {
        "gatewayClassName": "nginx",
        "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
    }


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("gatewaybundle-*.yaml")), ids=str)
@pytest.mark.parametrize("edition", ["oss", "enterprise", "unknown"])
def test_samples_render(sample: Path, edition: str) -> None:
    bundle = bundle_of(yaml.safe_load(sample.read_text()))
    result = render(bundle, options=RenderOptions(edition=edition))  # type: ignore[arg-type]
    kinds = {m["kind"] for m in result.manifests}
    assert "Gateway" in kinds
    assert ("WAFPolicy" in kinds) is (edition == "enterprise")
    assert bool(result.withheld) is (edition != "enterprise")
