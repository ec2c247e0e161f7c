"""hack/crds.env parsing, CRD validation, and the real upstream CRDs it pins.

The tests at the bottom download the pinned Go modules (Go module proxy, then the module cache),
which is how the product itself gets them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ngf_console.sandbox import upstream_crds
from ngf_console.sandbox.upstream_crds import (
    CrdSource,
    UpstreamCrdError,
    crd_documents_in,
    default_sources_path,
    load_sources,
    served_versions,
    upstream_crd_documents,
    validate_crd,
)

pytestmark = pytest.mark.unit

CRD_YAML = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  annotations: {{source: {source}}}
spec:
  group: example.com
  names: {{kind: Widget, plural: widgets}}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {{openAPIV3Schema: {{type: object}}}}
"""


def crd(source: str = "a") -> dict[str, Any]:
    """A minimal valid CRD document."""
    doc: dict[str, Any] = yaml.safe_load(CRD_YAML.format(source=source))
    return doc


def test_load_sources_parses_format(tmp_path: Path) -> None:
    env = tmp_path / "crds.env"
    env.write_text(
        "# comment\n\n"
        "ONE=example.com/a@v1.2.3 config/crd/*.yaml\n"
        'TWO="example.com/b/v2@v2.0.0-20250101000000-abcdef123456 x/a.yaml y/*.yml"\n'
    )
    assert load_sources(env) == [
        CrdSource("ONE", "example.com/a", "v1.2.3", ("config/crd/*.yaml",)),
        CrdSource(
            "TWO", "example.com/b/v2", "v2.0.0-20250101000000-abcdef123456", ("x/a.yaml", "y/*.yml")
        ),
    ]
    assert load_sources(env)[0].module_version == "example.com/a@v1.2.3"


@pytest.mark.parametrize(
    "line", ["X=example.com/a config/*.yaml", "X=example.com/a@v1", "X=@v1 a.yaml", "X="]
)
def test_load_sources_rejects_malformed_lines(tmp_path: Path, line: str) -> None:
    env = tmp_path / "crds.env"
    env.write_text(line + "\n")
    with pytest.raises(ValueError, match="MODULE@VERSION"):
        load_sources(env)


def test_sources_path_honours_ngf_hack_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NGF_HACK_DIR", str(tmp_path))
    assert default_sources_path() == tmp_path / "crds.env"


def test_repo_crds_env_pins_every_source() -> None:
    sources = {s.name: s for s in load_sources()}
    assert {
        "GATEWAY_API_STANDARD",
        "GATEWAY_API_EXPERIMENTAL",
        "INFERENCE_EXTENSION",
        "NGINX_GATEWAY_FABRIC",
        "KEDA",
        "CERT_MANAGER",
        "KUBERAY",
    } <= set(sources)
    for source in sources.values():
        assert source.version.startswith("v"), source
        assert source.globs, source


def test_validate_crd_rejects_broken_documents() -> None:
    validate_crd(crd(), "ok")
    bad_name = crd()
    bad_name["metadata"]["name"] = "widgets"
    beta = {**crd(), "apiVersion": "apiextensions.k8s.io/v1beta1"}
    two_storage = crd()
    two_storage["spec"]["versions"].append({**two_storage["spec"]["versions"][0], "name": "v2"})
    no_schema = crd()
    del no_schema["spec"]["versions"][0]["schema"]
    for doc in (bad_name, beta, two_storage, no_schema):
        with pytest.raises(UpstreamCrdError, match="not a valid"):
            validate_crd(doc, "test")


def test_crd_documents_in_skips_other_kinds_and_rejects_templates(tmp_path: Path) -> None:
    multi = tmp_path / "multi.yaml"
    policy = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n"
    multi.write_text("---\n" + policy + "---\n" + CRD_YAML.format(source="a") + "---\n")
    assert [d["metadata"]["name"] for d in crd_documents_in(multi)] == ["widgets.example.com"]
    helm = tmp_path / "helm.yaml"
    helm.write_text("{{- if .Values.crds.enabled }}\n" + CRD_YAML.format(source="a"))
    with pytest.raises(UpstreamCrdError, match="Helm template"):
        crd_documents_in(helm)


def test_later_source_wins_and_order_is_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, Path] = {}
    for name in ("first", "second"):
        files[name] = tmp_path / f"{name}.yaml"
        other = CRD_YAML.format(source=name).replace("widgets", "gadgets")
        files[name].write_text(CRD_YAML.format(source=name) + "---\n" + other)
    monkeypatch.setattr(upstream_crds, "fetch", lambda s: [files[s.name]])
    docs = upstream_crd_documents([CrdSource(n, "m", "v1", ("*",)) for n in ("first", "second")])
    assert [d["metadata"]["name"] for d in docs] == ["gadgets.example.com", "widgets.example.com"]
    assert {d["metadata"]["annotations"]["source"] for d in docs} == {"second"}


def test_fetch_failure_names_module_and_go_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOPROXY", "off")  # fail fast, without asking the proxy
    source = CrdSource("NOPE", "example.com/ngf-console/not-a-module", "v0.0.1", ("*.yaml",))
    with pytest.raises(UpstreamCrdError, match=r"example.com/ngf-console/not-a-module@v0\.0\.1"):
        upstream_crds.fetch(source)


# --- the real upstream CRDs (Go module proxy / module cache) ---

# CRD name -> versions it must serve.
EXPECTED = {
    "gatewayclasses.gateway.networking.k8s.io": {"v1"},
    "gateways.gateway.networking.k8s.io": {"v1"},
    "httproutes.gateway.networking.k8s.io": {"v1"},
    "grpcroutes.gateway.networking.k8s.io": {"v1"},
    "tlsroutes.gateway.networking.k8s.io": {"v1alpha2"},
    "tcproutes.gateway.networking.k8s.io": {"v1alpha2"},
    "udproutes.gateway.networking.k8s.io": {"v1alpha2"},
    "referencegrants.gateway.networking.k8s.io": {"v1beta1"},
    "backendtlspolicies.gateway.networking.k8s.io": {"v1"},
    "inferencepools.inference.networking.k8s.io": {"v1"},
    "inferenceobjectives.inference.networking.x-k8s.io": {"v1alpha2"},
    "nginxproxies.gateway.nginx.org": {"v1alpha1"},
    "nginxgateways.gateway.nginx.org": {"v1alpha1"},
    "clientsettingspolicies.gateway.nginx.org": {"v1alpha1"},
    "observabilitypolicies.gateway.nginx.org": {"v1alpha2"},
    "snippetsfilters.gateway.nginx.org": {"v1alpha1"},
    "upstreamsettingspolicies.gateway.nginx.org": {"v1alpha1"},
    "scaledobjects.keda.sh": {"v1alpha1"},
    "scaledjobs.keda.sh": {"v1alpha1"},
    "triggerauthentications.keda.sh": {"v1alpha1"},
    "certificates.cert-manager.io": {"v1"},
    "certificaterequests.cert-manager.io": {"v1"},
    "issuers.cert-manager.io": {"v1"},
    "clusterissuers.cert-manager.io": {"v1"},
    "rayservices.ray.io": {"v1"},
}


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    return upstream_crd_documents()


def test_upstream_key_crds_are_present(documents: list[dict[str, Any]]) -> None:
    served = {d["metadata"]["name"]: set(served_versions(d)) for d in documents}
    missing = {name: want for name, want in EXPECTED.items() if not want <= served.get(name, set())}
    assert not missing, f"missing CRDs or versions: {missing}"


def test_upstream_crds_are_valid_unique_and_sorted(documents: list[dict[str, Any]]) -> None:
    names = [d["metadata"]["name"] for d in documents]
    assert names == sorted(set(names))
    for doc in documents:
        validate_crd(doc, doc["metadata"]["name"])


def test_gateway_api_experimental_channel_wins(documents: list[dict[str, Any]]) -> None:
    gateways = next(d for d in documents if d["metadata"]["name"].startswith("gateways."))
    annotations = gateways["metadata"]["annotations"]
    assert annotations["gateway.networking.k8s.io/channel"] == "experimental"
