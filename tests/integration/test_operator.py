"""The operator against the real control plane: spec §2.5.10's scenarios for both kinds.

The operator runs as a process (``ngf-console operator``); the tests play NGF and KEDA by
writing the statuses those controllers would write, while kube-controller-manager, the
scheduler and kwok really run the Deployments and DaemonSets.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lightkube import Client
from lightkube.resources.core_v1 import Event
from lightkube.types import PatchType
from operator_harness import (
    PARENTS,
    OperatorProcess,
    accept_route_like,
    condition,
    ensure_namespace,
    eventually,
    exists,
    get,
    parent_status,
    ready_condition,
)

from ngf_console.crd import GROUP, VERSION, GatewayBundle, InferenceStack
from ngf_console.render import RenderOptions, render_parent

GATEWAY = "inference-gateway"


@pytest.fixture(scope="module")
def operator(
    kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory, kube: Client
) -> Iterator[OperatorProcess]:
    ensure_namespace(kube, RenderOptions().dcgm_namespace)
    install_oss_ngf(kube)
    log = tmp_path_factory.mktemp("operator") / "operator.log"
    proc = OperatorProcess(kubeconfig, log, resync=5.0)
    proc.wait_healthy()
    yield proc
    proc.stop()


def install_oss_ngf(kube: Client) -> None:
    """An NGINX Gateway Fabric OSS control plane as its Helm chart deploys it (kwok runs the
    pod), so that the operator's edition detection finds OSS for real."""
    from lightkube import codecs

    namespace = "nginx-gateway"
    labels = {
        "app.kubernetes.io/name": "nginx-gateway-fabric",
        "app.kubernetes.io/instance": "ngf",
        "app.kubernetes.io/version": "2.2.0",
    }
    docs = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "ngf-nginx-gateway-fabric",
                "namespace": namespace,
                "labels": labels,
            },
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "containers": [
                            {
                                "name": "nginx-gateway",
                                "image": "ghcr.io/nginx/nginx-gateway-fabric:2.2.0",
                                "args": [
                                    "controller",
                                    "--gateway-ctlr-name=gateway.nginx.org/nginx-gateway-controller",
                                    "--gatewayclass=nginx",
                                ],
                            }
                        ]
                    },
                },
            },
        },
    ]
    for doc in docs:
        kube.apply(codecs.from_dict(doc), field_manager="ngf-console-tests")


def stack_doc(name: str, namespace: str, **spec_changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "InferenceStack",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "model": {
                "backend": "vllm",
                "engine": "vllm",
                "name": "llama-3-8b",
                "modelId": "meta-llama/Llama-3.1-8B-Instruct",
                "gpuType": "H100",
                "gpusPerPod": 1,
            },
            "pool": {"replicas": 2, "minReplicas": 1, "maxReplicas": 4},
            "epp": {"strategy": "least_queue", "dcgmEnabled": True},
            "autoscaling": {
                "backend": "keda",
                "queueDepthThreshold": {"value": 5, "duration": "60s"},
            },
            "gateway": {
                "gatewayRef": {"name": GATEWAY, "namespace": namespace},
                "route": {"pathPrefix": "/v1/llama"},
            },
        },
    }
    doc["spec"].update(spec_changes)
    return doc


def create(kube: Client, doc: dict[str, Any]) -> None:
    kube.create(PARENTS[doc["kind"]](**copy.deepcopy(doc)), namespace=doc["metadata"]["namespace"])


def expected_children(doc: dict[str, Any], **options: Any) -> list[dict[str, Any]]:
    model = InferenceStack if doc["kind"] == "InferenceStack" else GatewayBundle
    return render_parent(model.model_validate(doc), RenderOptions(**options)).manifests


def play_controllers(kube: Client, doc: dict[str, Any], namespace: str) -> None:
    """What NGF and KEDA would report once they act on the children."""
    for child in expected_children(doc):
        meta = child["metadata"]
        if meta.get("namespace", namespace) != namespace:
            continue
        if child["kind"] in ("HTTPRoute", "InferencePool"):
            accept_route_like(
                kube, child["apiVersion"], child["kind"], meta["name"], namespace, GATEWAY
            )
        elif child["kind"] == "ScaledObject":
            ready_condition(
                kube, child["apiVersion"], "ScaledObject", meta["name"], namespace, "Ready"
            )
        elif child["kind"] == "Gateway":
            ready_condition(
                kube, child["apiVersion"], "Gateway", meta["name"], namespace, "Programmed"
            )


def _owned_by(obj: dict[str, Any], uid: str) -> bool:
    return any(
        o["uid"] == uid and o.get("controller")
        for o in obj["metadata"].get("ownerReferences") or []
    )


@pytest.mark.usefixtures("operator")
def test_inference_stack_lifecycle(kube: Client, namespace: str) -> None:
    doc = stack_doc("llama", namespace)
    create(kube, doc)
    uid = kube.get(PARENTS["InferenceStack"], "llama", namespace=namespace).metadata.uid
    children = expected_children(doc)
    kinds = {c["kind"] for c in children}
    assert {
        "InferencePool",
        "HTTPRoute",
        "ScaledObject",
        "Deployment",
        "ConfigMap",
        "DaemonSet",
    } <= kinds

    # create -> every child exists; same-namespace ones are owned by the stack
    for child in children:
        meta = child["metadata"]
        ns = meta.get("namespace", namespace)
        live = eventually(
            lambda c=child, n=ns: (
                exists(kube, c["apiVersion"], c["kind"], c["metadata"]["name"], n)
                and get(kube, c["apiVersion"], c["kind"], c["metadata"]["name"], n)
            ),
            what=f"{child['kind']} {meta['name']}",
        )
        if ns == namespace:
            assert _owned_by(live, uid), f"{child['kind']} {meta['name']} not owned"

    # before NGF and KEDA report, the stack says what it waits for
    status = eventually(
        lambda: (s := parent_status(kube, "InferenceStack", "llama", namespace)).get("phase") and s,
        what="a phase",
    )
    assert status["phase"] in ("Pending", "Provisioning")
    assert condition(status, "Ready")["status"] == "False"

    play_controllers(kube, doc, namespace)
    status = eventually(
        lambda: (
            (s := parent_status(kube, "InferenceStack", "llama", namespace)).get("phase") == "Ready"
            and s
        ),
        timeout=60,
        what="phase Ready",
    )
    assert condition(status, "Ready")["status"] == "True"
    assert status["observedGeneration"] == 1
    assert status["children"]["httpRoute"]["ready"] is True
    # the model server really runs (scheduler + kwok), and the stack counts its replicas
    assert status["currentReplicas"] == status["desiredReplicas"] >= 1


def test_inference_stack_heals_deleted_and_edited_children(
    kube: Client, namespace: str, operator: OperatorProcess
) -> None:
    doc = stack_doc("heal", namespace)
    create(kube, doc)
    route = next(c for c in expected_children(doc) if c["kind"] == "HTTPRoute")
    api, name = route["apiVersion"], route["metadata"]["name"]
    eventually(lambda: exists(kube, api, "HTTPRoute", name, namespace), what="the route")
    eventually(
        lambda: parent_status(kube, "InferenceStack", "heal", namespace).get("observedSpecHash"),
        what="first reconcile",
    )

    # deleted -> recreated
    before = get(kube, api, "HTTPRoute", name, namespace)["metadata"]["uid"]
    from lightkube.core.resource_registry import resource_registry

    kube.delete(resource_registry.load(api, "HTTPRoute"), name, namespace=namespace)
    eventually(
        lambda: (
            exists(kube, api, "HTTPRoute", name, namespace)
            and get(kube, api, "HTTPRoute", name, namespace)["metadata"]["uid"] != before
        ),
        what="the route recreated",
    )

    # edited path -> restored
    live = get(kube, api, "HTTPRoute", name, namespace)
    rules = copy.deepcopy(live["spec"]["rules"])
    rules[0]["matches"][0]["path"]["value"] = "/hijacked"
    kube.patch(
        resource_registry.load(api, "HTTPRoute"),
        name,
        {"spec": {"rules": rules}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
        field_manager="someone-else",
    )
    eventually(
        lambda: (
            get(kube, api, "HTTPRoute", name, namespace)["spec"]["rules"][0]["matches"][0]["path"][
                "value"
            ]
            == "/v1/llama"
        ),
        what="the path restored",
    )

    status = eventually(
        lambda: (
            (s := parent_status(kube, "InferenceStack", "heal", namespace)).get("driftHistory")
            and len(s["driftHistory"]) >= 2
            and s
        ),
        what="drift history",
    )
    changes = [h["change"] for h in status["driftHistory"]]
    assert "deleted" in changes
    assert any("path" in c for c in changes)
    assert condition(status, "DriftDetected")["status"] == "True"
    events = [
        e
        for e in kube.list(Event, namespace=namespace)
        if e.involvedObject.name == "heal" and e.reason == "DriftCorrected"
    ]
    assert events
    # the corrections are counted on the operator's /metrics
    corrected = [
        float(line.rsplit(" ", 1)[1])
        for line in operator.metrics().splitlines()
        if line.startswith("ngf_console_operator_drift_corrections_total{")
        and 'child_kind="HTTPRoute"' in line
    ]
    assert sum(corrected) >= 2


@pytest.mark.usefixtures("operator")
def test_inference_stack_spec_update_updates_children_in_place(
    kube: Client, namespace: str
) -> None:
    doc = stack_doc("update", namespace)
    create(kube, doc)
    route = next(c for c in expected_children(doc) if c["kind"] == "HTTPRoute")
    api, name = route["apiVersion"], route["metadata"]["name"]
    eventually(lambda: exists(kube, api, "HTTPRoute", name, namespace), what="the route")
    uid = get(kube, api, "HTTPRoute", name, namespace)["metadata"]["uid"]

    kube.patch(
        PARENTS["InferenceStack"],
        "update",
        {"spec": {"gateway": {"route": {"pathPrefix": "/v2/llama"}}}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    live = eventually(
        lambda: (
            (r := get(kube, api, "HTTPRoute", name, namespace))["spec"]["rules"][0]["matches"][0][
                "path"
            ]["value"]
            == "/v2/llama"
            and r
        ),
        what="the route updated",
    )
    assert live["metadata"]["uid"] == uid
    status = eventually(
        lambda: (
            (s := parent_status(kube, "InferenceStack", "update", namespace)).get(
                "observedGeneration"
            )
            == 2
            and s
        ),
        what="generation 2 observed",
    )
    # an update is not drift
    assert not [h for h in status.get("driftHistory") or [] if h["name"] == name]


@pytest.mark.usefixtures("operator")
def test_parent_deleted_children_collected_and_shared_exporter_kept_until_the_last(
    kube: Client, namespace: str
) -> None:
    gone, stays = stack_doc("gone", namespace), stack_doc("stays", namespace)
    create(kube, gone)
    create(kube, stays)
    children = expected_children(gone)
    dcgm = [c for c in children if c["metadata"].get("namespace", namespace) != namespace]
    assert {c["kind"] for c in dcgm} == {"DaemonSet", "Service"}  # the shared exporter
    owned = [c for c in children if c["metadata"].get("namespace", namespace) == namespace]
    for child in owned + dcgm:
        eventually(
            lambda c=child: exists(
                kube,
                c["apiVersion"],
                c["kind"],
                c["metadata"]["name"],
                c["metadata"].get("namespace", namespace),
            ),
            what=child["metadata"]["name"],
        )

    def exporter_exists() -> bool:
        return all(
            exists(
                kube, c["apiVersion"], c["kind"], c["metadata"]["name"], c["metadata"]["namespace"]
            )
            for c in dcgm
        )

    kube.delete(PARENTS["InferenceStack"], "gone", namespace=namespace)
    for child in owned:
        eventually(
            lambda c=child: (
                not exists(kube, c["apiVersion"], c["kind"], c["metadata"]["name"], namespace)
            ),
            timeout=60,
            what=f"{child['kind']} {child['metadata']['name']} collected",
        )
    eventually(
        lambda: not exists(kube, f"{GROUP}/{VERSION}", "InferenceStack", "gone", namespace),
        what="the finalizer done",
    )
    assert exporter_exists(), "the exporter went while another stack still uses it"

    # Stacks of earlier tests go with their namespaces; then "stays" is the last user.
    eventually(
        lambda: (
            not [
                s
                for s in kube.list(PARENTS["InferenceStack"], namespace="*")
                if s.metadata.namespace != namespace
            ]
        ),
        timeout=90,
        what="no InferenceStack left outside this test's namespace",
    )
    kube.delete(PARENTS["InferenceStack"], "stays", namespace=namespace)
    for child in dcgm:
        eventually(
            lambda c=child: (
                not exists(
                    kube,
                    c["apiVersion"],
                    c["kind"],
                    c["metadata"]["name"],
                    c["metadata"]["namespace"],
                )
            ),
            timeout=60,
            what=f"the shared {child['kind']} deleted after its last user",
        )


@pytest.mark.usefixtures("operator")
def test_unsupported_provider_is_an_error_and_others_keep_reconciling(
    kube: Client, namespace: str
) -> None:
    bad = stack_doc("bad", namespace)
    bad["spec"]["model"]["provider"] = "kaito"
    create(kube, bad)
    status = eventually(
        lambda: (
            (s := parent_status(kube, "InferenceStack", "bad", namespace)).get("phase") == "Error"
            and s
        ),
        what="phase Error",
    )
    assert "kaito" in condition(status, "Ready")["message"]
    good = stack_doc("good", namespace)
    create(kube, good)
    eventually(
        lambda: (
            parent_status(kube, "InferenceStack", "good", namespace).get("phase")
            in ("Provisioning", "Ready")
        ),
        what="the good stack reconciled",
    )


def _pem_pair(common_name: str) -> tuple[str, str]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    )


def bundle_doc(
    name: str, namespace: str, listeners: list[dict[str, Any]], **spec: Any
) -> dict[str, Any]:
    return {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "GatewayBundle",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"gatewayClassName": "nginx", "listeners": listeners, **spec},
    }


@pytest.mark.usefixtures("operator")
def test_gateway_bundle_lifecycle_with_inline_tls(kube: Client, namespace: str) -> None:
    cert, key = _pem_pair("shop.example.com")
    doc = bundle_doc(
        "shop",
        namespace,
        [
            {"name": "http", "port": 80, "protocol": "HTTP"},
            {
                "name": "https",
                "port": 443,
                "protocol": "HTTPS",
                "hostname": "shop.example.com",
                "tls": {
                    "mode": "Terminate",
                    "inlineCert": {"certificate": cert, "privateKey": key},
                },
            },
        ],
    )
    create(kube, doc)
    uid = kube.get(PARENTS["GatewayBundle"], "shop", namespace=namespace).metadata.uid
    gateway = eventually(
        lambda: (
            exists(kube, "gateway.networking.k8s.io/v1", "Gateway", "shop", namespace)
            and get(kube, "gateway.networking.k8s.io/v1", "Gateway", "shop", namespace)
        ),
        what="the Gateway",
    )
    assert _owned_by(gateway, uid)
    secrets = [c for c in expected_children(doc) if c["kind"] == "Secret"]
    assert len(secrets) == 1
    secret = get(kube, "v1", "Secret", secrets[0]["metadata"]["name"], namespace)
    assert _owned_by(secret, uid)
    listener = next(x for x in gateway["spec"]["listeners"] if x["name"] == "https")
    assert listener["tls"]["certificateRefs"][0]["name"] == secrets[0]["metadata"]["name"]

    status = eventually(
        lambda: (s := parent_status(kube, "GatewayBundle", "shop", namespace)).get("phase") and s,
        what="a phase",
    )
    assert status["phase"] == "Provisioning"
    assert "Programmed" in condition(status, "Ready")["message"]
    ready_condition(
        kube, "gateway.networking.k8s.io/v1", "Gateway", "shop", namespace, "Programmed"
    )
    status = eventually(
        lambda: (
            (s := parent_status(kube, "GatewayBundle", "shop", namespace)).get("phase") == "Ready"
            and s
        ),
        what="phase Ready",
    )
    assert status["children"]["gateway"]["ready"] is True
    assert status["children"]["tlsSecrets"][0]["ready"] is True
    # the key never reaches the status
    assert "PRIVATE KEY" not in str(status)


@pytest.mark.usefixtures("operator")
def test_gateway_bundle_mismatched_tls_is_an_error_with_no_children(
    kube: Client, namespace: str
) -> None:
    cert, _ = _pem_pair("a.example.com")
    _, other_key = _pem_pair("b.example.com")
    doc = bundle_doc(
        "broken",
        namespace,
        [
            {
                "name": "https",
                "port": 443,
                "protocol": "HTTPS",
                "hostname": "a.example.com",
                "tls": {
                    "mode": "Terminate",
                    "inlineCert": {"certificate": cert, "privateKey": other_key},
                },
            },
        ],
    )
    create(kube, doc)
    status = eventually(
        lambda: (
            (s := parent_status(kube, "GatewayBundle", "broken", namespace)).get("phase") == "Error"
            and s
        ),
        what="phase Error",
    )
    message = condition(status, "Ready")["message"]
    assert "do not match" in message
    assert "spec.listeners[0].tls.inlineCert" in message
    assert "PRIVATE KEY" not in message
    assert not exists(kube, "gateway.networking.k8s.io/v1", "Gateway", "broken", namespace)
    assert not [
        s
        for s in kube.list(resource_for("v1", "Secret"), namespace=namespace)
        if (s.metadata.labels or {}).get("ngf-console.f5.com/parent-name") == "broken"
    ]


@pytest.mark.usefixtures("operator")
def test_gateway_bundle_waf_on_oss_is_degraded_not_fake_ready(kube: Client, namespace: str) -> None:
    doc = bundle_doc(
        "guarded",
        namespace,
        [{"name": "http", "port": 80, "protocol": "HTTP"}],
        waf={"mode": "enforce", "violationRatingThreshold": 3},
    )
    create(kube, doc)
    eventually(
        lambda: exists(kube, "gateway.networking.k8s.io/v1", "Gateway", "guarded", namespace),
        what="the Gateway",
    )
    ready_condition(
        kube, "gateway.networking.k8s.io/v1", "Gateway", "guarded", namespace, "Programmed"
    )
    status = eventually(
        lambda: (
            (s := parent_status(kube, "GatewayBundle", "guarded", namespace)).get("phase")
            == "Degraded"
            and s
        ),
        what="phase Degraded",
    )
    waf = status["children"]["wafPolicy"]
    assert waf["ready"] is False
    # detected OSS (not merely "unknown"): the plain enterprise message
    assert waf["message"] == "requires NGINX Gateway Fabric Enterprise"
    assert condition(status, "Degraded")["status"] == "True"
    assert condition(status, "Ready")["status"] == "False"


def resource_for(api_version: str, kind: str) -> Any:
    from lightkube.core.resource_registry import resource_registry

    return resource_registry.load(api_version, kind)


@pytest.mark.usefixtures("operator")
def test_gateway_bundle_heals_updates_in_place_and_is_collected(
    kube: Client, namespace: str
) -> None:
    api = "gateway.networking.k8s.io/v1"
    doc = bundle_doc("edge", namespace, [{"name": "http", "port": 80, "protocol": "HTTP"}])
    create(kube, doc)
    eventually(lambda: exists(kube, api, "Gateway", "edge", namespace), what="the Gateway")
    eventually(
        lambda: parent_status(kube, "GatewayBundle", "edge", namespace).get("observedSpecHash"),
        what="first reconcile",
    )
    gateway = resource_for(api, "Gateway")

    # deleted -> recreated
    uid = get(kube, api, "Gateway", "edge", namespace)["metadata"]["uid"]
    kube.delete(gateway, "edge", namespace=namespace)
    eventually(
        lambda: (
            exists(kube, api, "Gateway", "edge", namespace)
            and get(kube, api, "Gateway", "edge", namespace)["metadata"]["uid"] != uid
        ),
        what="the Gateway recreated",
    )
    # listener port edited -> restored
    live = get(kube, api, "Gateway", "edge", namespace)
    listeners = copy.deepcopy(live["spec"]["listeners"])
    listeners[0]["port"] = 8081
    kube.patch(
        gateway,
        "edge",
        {"spec": {"listeners": listeners}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
        field_manager="someone-else",
    )
    eventually(
        lambda: get(kube, api, "Gateway", "edge", namespace)["spec"]["listeners"][0]["port"] == 80,
        what="the listener port restored",
    )
    # spec update -> updated in place
    uid = get(kube, api, "Gateway", "edge", namespace)["metadata"]["uid"]
    kube.patch(
        PARENTS["GatewayBundle"],
        "edge",
        {"spec": {"listeners": [{"name": "http", "port": 8080, "protocol": "HTTP"}]}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    updated = eventually(
        lambda: (
            (g := get(kube, api, "Gateway", "edge", namespace))["spec"]["listeners"][0]["port"]
            == 8080
            and g
        ),
        what="the Gateway updated",
    )
    assert updated["metadata"]["uid"] == uid
    # parent deleted -> collected
    kube.delete(PARENTS["GatewayBundle"], "edge", namespace=namespace)
    eventually(
        lambda: not exists(kube, api, "Gateway", "edge", namespace),
        timeout=60,
        what="the Gateway collected",
    )
