"""Read-only resource routes on the real control plane: GatewayClasses, Gateways with route
counts, InferencePools, Services, Pods, Events, Namespaces, a parent's children; paging,
filters and their errors.

The scene (:func:`build_scene`) is shared with the topology and certificate tests.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lightkube import Client, codecs
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

GW = "gateway.networking.k8s.io"
# The scene's own events (the cluster adds its own: Scheduled, ScalingReplicaSet, ...).
MINE = {"made-by": "test-api-resources"}
MINE_SELECTOR = "made-by=test-api-resources"


@dataclass
class Scene:
    """What :func:`build_scene` made, and the secrets a response must never contain."""

    namespace: str
    gateway_class: str
    key_pem: str
    key_b64: str


def new_certificate(
    common_name: str, sans: list[str], days: int, *, issued_days_ago: int = 0
) -> tuple[bytes, bytes]:
    """A self-signed ECDSA P-256 certificate valid for ``days`` more days, and its key (PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=issued_days_ago, hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def tls_secret(namespace: str, name: str, cert: bytes, key: bytes) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/tls",
        "metadata": {"name": name, "namespace": namespace},
        "data": {
            "tls.crt": base64.b64encode(cert).decode(),
            "tls.key": base64.b64encode(key).decode(),
        },
    }


def _route(namespace: str, name: str, section: str | None, backend: dict[str, Any]) -> Any:
    parent: dict[str, Any] = {"name": "gw"}
    if section:
        parent["sectionName"] = section
    return {
        "apiVersion": f"{GW}/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"parentRefs": [parent], "rules": [{"backendRefs": [backend]}]},
    }


def scene_objects(namespace: str, gateway_class: str, cert: bytes, key: bytes) -> list[Any]:
    """GatewayClass, Gateway (http + https listener), three HTTPRoutes, Service + Deployment,
    a model pod and a v1 InferencePool, a TLS Secret, a ClientSettingsPolicy, two Events."""
    web_labels = {"app": "web"}
    return [
        {
            "apiVersion": f"{GW}/v1",
            "kind": "GatewayClass",
            "metadata": {"name": gateway_class},
            "spec": {"controllerName": "gateway.nginx.org/nginx-gateway-controller"},
        },
        {
            "apiVersion": f"{GW}/v1",
            "kind": "Gateway",
            "metadata": {"name": "gw", "namespace": namespace, "labels": {"tier": "edge"}},
            "spec": {
                "gatewayClassName": gateway_class,
                "listeners": [
                    {"name": "http", "port": 80, "protocol": "HTTP"},
                    {
                        "name": "https",
                        "port": 443,
                        "protocol": "HTTPS",
                        "hostname": "site.example.com",
                        "tls": {"certificateRefs": [{"name": "site-tls"}]},
                    },
                ],
            },
        },
        _route(namespace, "r-http", "http", {"name": "web", "port": 80}),
        _route(
            namespace,
            "r-https",
            "https",
            {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "pool"},
        ),
        _route(namespace, "r-both", None, {"name": "web", "port": 80}),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": namespace},
            "spec": {"selector": web_labels, "ports": [{"port": 80}]},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": namespace},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": web_labels},
                "template": {
                    "metadata": {"labels": web_labels},
                    "spec": {"containers": [{"name": "web", "image": "registry.invalid/web:1"}]},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "model-0", "namespace": namespace, "labels": {"app": "model"}},
            "spec": {"containers": [{"name": "vllm", "image": "registry.invalid/vllm:1"}]},
        },
        {
            "apiVersion": "inference.networking.k8s.io/v1",
            "kind": "InferencePool",
            "metadata": {"name": "pool", "namespace": namespace},
            "spec": {
                "selector": {"matchLabels": {"app": "model"}},
                "targetPorts": [{"number": 8000}],
                "endpointPickerRef": {"name": "pool-epp", "port": {"number": 9002}},
            },
        },
        tls_secret(namespace, "site-tls", cert, key),
        {
            "apiVersion": "gateway.nginx.org/v1alpha1",
            "kind": "ClientSettingsPolicy",
            "metadata": {"name": "csp", "namespace": namespace},
            "spec": {
                "targetRef": {"group": GW, "kind": "Gateway", "name": "gw"},
                "body": {"maxSize": "10m"},
            },
        },
        _event(namespace, "gw.warn", "Warning", "ListenerBroken", "Gateway", "gw", minutes_ago=1),
        _event(namespace, "gw.ok", "Normal", "Synced", "Gateway", "gw", minutes_ago=5),
        _event(namespace, "web.ok", "Normal", "Synced", "Service", "web", minutes_ago=3),
    ]


def _event(
    namespace: str, name: str, kind_type: str, reason: str, kind: str, obj: str, minutes_ago: int
) -> dict[str, Any]:
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": namespace, "labels": MINE},
        "involvedObject": {"kind": kind, "name": obj, "namespace": namespace},
        "type": kind_type,
        "reason": reason,
        "message": f"{reason} on {obj}",
        "firstTimestamp": when,
        "lastTimestamp": when,
        "count": 1,
        "source": {"component": "ngf-console-tests"},
    }


def build_scene(kube: Client, namespace: str) -> Scene:
    """Create the scene's objects in ``namespace`` (and one GatewayClass)."""
    gateway_class = f"gc-{namespace}"
    cert, key = new_certificate("site.example.com", ["site.example.com", "www.example.com"], 90)
    for doc in scene_objects(namespace, gateway_class, cert, key):
        kube.create(codecs.from_dict(doc))
    return Scene(namespace, gateway_class, key.decode(), base64.b64encode(key).decode())


def remove_scene(kube: Client, scene: Scene) -> None:
    """Delete the namespace and the cluster-scoped GatewayClass."""
    from lightkube.generic_resource import get_generic_resource

    kube.delete(Namespace, scene.namespace)
    gwc = get_generic_resource(f"{GW}/v1", "GatewayClass")
    assert gwc is not None
    kube.delete(gwc, scene.gateway_class)


@pytest.fixture(scope="module")
def scene_namespace(kube: Client) -> str:
    """The scene's namespace (deleted by :func:`remove_scene`)."""
    name = f"t-api-read-{secrets.token_hex(3)}"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"ngf-console/test": "true"})))
    return name


@pytest.fixture(scope="module")
def scene(kube: Client, scene_namespace: str) -> Iterator[Scene]:
    made = build_scene(kube, scene_namespace)
    yield made
    remove_scene(kube, made)


@pytest.fixture(scope="module")
def api(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("api-db") / "console.db"
    with running_api(settings_for(kubeconfig, db)) as url, httpx.Client(base_url=url) as client:
        yield client


def wait_for_scene(api: httpx.Client, scene: Scene) -> None:
    """Until the cache holds the scene: routes counted, pods Running, events in."""

    def ready() -> bool:
        gws = api.get("/api/v1/gateways", params={"namespace": scene.namespace}).json()
        pods = api.get("/api/v1/pods", params={"namespace": scene.namespace}).json()["items"]
        running = [p for p in pods if (p.get("status") or {}).get("phase") == "Running"]
        events = api.get(
            "/api/v1/events",
            params={"namespace": scene.namespace, "labelSelector": MINE_SELECTOR},
        ).json()
        pools = api.get("/api/v1/inferencepools", params={"namespace": scene.namespace}).json()
        csp = api.get(f"/api/v1/policies/clientsettings/{scene.namespace}/csp")
        secret = api.get(f"/api/v1/certificates/{scene.namespace}/site-tls")
        seen.update(
            gateways=[g["route_count"] for g in gws.get("items", [])],
            running=len(running),
            events=events.get("total"),
            pools=len(pools.get("items", [])),
            policy=csp.status_code,
            certificate=secret.status_code,
        )
        return seen == {
            "gateways": [3],
            "running": 3,
            "events": 3,
            "pools": 1,
            "policy": 200,
            "certificate": 200,
        }

    seen: dict[str, Any] = {}
    try:
        until(ready, timeout=60, what="the scene in the API's cache")
    except AssertionError as err:
        raise AssertionError(f"{err}; last seen: {seen}") from None


@pytest.fixture(scope="module")
def ready_scene(api: httpx.Client, scene: Scene) -> Scene:
    wait_for_scene(api, scene)
    return scene


def test_gateways_list_with_route_counts_per_listener(
    api: httpx.Client, ready_scene: Scene
) -> None:
    body = api.get("/api/v1/gateways", params={"namespace": ready_scene.namespace}).json()
    (gw,) = body["items"]
    assert gw["name"] == "gw" and gw["gateway_class_name"] == ready_scene.gateway_class
    assert gw["route_count"] == 3
    listeners = {x["name"]: x for x in gw["listeners"]}
    # r-http on http, r-https on https, r-both (no sectionName) on both.
    assert listeners["http"]["computed_routes"] == 2
    assert listeners["https"]["computed_routes"] == 2
    assert listeners["https"]["certificate_refs"][0]["name"] == "site-tls"
    assert listeners["https"]["tls_mode"] == "Terminate"
    # labelSelector and name filters reach the cache
    by_label = api.get("/api/v1/gateways", params={"labelSelector": "tier=edge", "name": "g"})
    assert ready_scene.namespace in {g["namespace"] for g in by_label.json()["items"]}
    none = api.get(
        "/api/v1/gateways", params={"namespace": ready_scene.namespace, "labelSelector": "tier=x"}
    )
    assert none.json()["items"] == []


def test_gateway_detail_names_its_attached_routes(api: httpx.Client, ready_scene: Scene) -> None:
    body = api.get(f"/api/v1/gateways/{ready_scene.namespace}/gw").json()
    assert body["gateway"]["route_count"] == 3
    routes = {r["name"]: r for r in body["routes"]}
    assert set(routes) == {"r-http", "r-https", "r-both"}
    assert routes["r-http"]["listeners"] == ["http"]
    assert routes["r-http"]["section_name"] == "http"
    assert sorted(routes["r-both"]["listeners"]) == ["http", "https"]
    assert body["object"]["spec"]["gatewayClassName"] == ready_scene.gateway_class
    missing = api.get(f"/api/v1/gateways/{ready_scene.namespace}/nope")
    assert missing.status_code == 404


def test_gateway_classes_count_their_gateways(api: httpx.Client, ready_scene: Scene) -> None:
    listed = api.get("/api/v1/gatewayclasses", params={"name": ready_scene.gateway_class}).json()
    (gwc,) = listed["items"]
    assert gwc["controller_name"] == "gateway.nginx.org/nginx-gateway-controller"
    assert gwc["gateway_count"] == 1
    detail = api.get(f"/api/v1/gatewayclasses/{ready_scene.gateway_class}").json()
    assert detail["gateways"] == [
        {"group": GW, "kind": "Gateway", "name": "gw", "namespace": ready_scene.namespace}
    ]


def test_inference_pools_are_normalised(api: httpx.Client, ready_scene: Scene) -> None:
    ns = ready_scene.namespace
    for base in ("/api/v1/inferencepools", "/api/v1/inference/pools"):
        (pool,) = api.get(base, params={"namespace": ns}).json()["items"]
        assert pool["api_version"] == "inference.networking.k8s.io/v1"
        assert pool["legacy"] is False
        assert pool["selector"] == {"app": "model"}
        assert pool["target_ports"] == [8000]
        assert pool["endpoint_picker"] == {
            "group": "",
            "kind": "Service",
            "name": "pool-epp",
            "port": 9002,
            "failure_mode": "FailClose",
        }
    detail = api.get(f"/api/v1/inferencepools/{ns}/pool").json()
    assert detail["pool"]["name"] == "pool"
    assert [p["name"] for p in detail["pods"]] == ["model-0"]
    assert detail["pods"][0]["phase"] == "Running"
    legacy_only = api.get(
        f"/api/v1/inferencepools/{ns}/pool",
        params={"apiVersion": "inference.networking.x-k8s.io/v1alpha2"},
    )
    assert legacy_only.status_code == 404


def test_services_pods_and_namespaces(api: httpx.Client, ready_scene: Scene) -> None:
    ns = ready_scene.namespace
    services = api.get("/api/v1/services", params={"namespace": ns}).json()
    assert [s["metadata"]["name"] for s in services["items"]] == ["web"]
    assert services["items"][0]["kind"] == "Service"
    web_pods = api.get("/api/v1/pods", params={"namespace": ns, "labelSelector": "app=web"})
    assert len(web_pods.json()["items"]) == 2
    assert api.get(f"/api/v1/services/{ns}/web").json()["spec"]["ports"][0]["port"] == 80
    names = {n["metadata"]["name"] for n in api.get("/api/v1/namespaces").json()["items"]}
    assert ns in names and "default" in names


def test_events_filtered_newest_first(api: httpx.Client, ready_scene: Scene) -> None:
    ns = ready_scene.namespace
    every = api.get(
        "/api/v1/events", params={"labelSelector": MINE_SELECTOR, "namespace": ns}
    ).json()["items"]
    assert [e["name"] for e in every] == ["gw.warn", "web.ok", "gw.ok"]
    warnings = api.get(
        "/api/v1/events",
        params={"labelSelector": MINE_SELECTOR, "namespace": ns, "type": "Warning"},
    ).json()
    assert [e["reason"] for e in warnings["items"]] == ["ListenerBroken"]
    on_gateway = api.get(
        "/api/v1/events",
        params={
            "labelSelector": MINE_SELECTOR,
            "namespace": ns,
            "involvedKind": "Gateway",
            "involvedName": "gw",
        },
    ).json()
    assert [e["name"] for e in on_gateway["items"]] == ["gw.warn", "gw.ok"]
    assert on_gateway["items"][0]["involved_object"]["kind"] == "Gateway"
    by_reason = api.get(
        "/api/v1/events",
        params={"labelSelector": MINE_SELECTOR, "namespace": ns, "reason": "Synced"},
    ).json()
    assert {e["name"] for e in by_reason["items"]} == {"gw.ok", "web.ok"}
    bad_type = api.get("/api/v1/events", params={"type": "Fatal"})
    assert bad_type.status_code == 422
    # the events' own paging walks newest first
    first = api.get(
        "/api/v1/events", params={"labelSelector": MINE_SELECTOR, "namespace": ns, "limit": 2}
    ).json()
    assert [e["name"] for e in first["items"]] == ["gw.warn", "web.ok"]
    rest = api.get(
        "/api/v1/events",
        params={
            "labelSelector": MINE_SELECTOR,
            "namespace": ns,
            "limit": 2,
            "continue": first["continue"],
        },
    ).json()
    assert [e["name"] for e in rest["items"]] == ["gw.ok"] and rest["continue"] is None


def test_paging_walks_every_item_once(api: httpx.Client, ready_scene: Scene) -> None:
    ns = ready_scene.namespace
    seen: list[str] = []
    params: dict[str, Any] = {"namespace": ns, "limit": 1}
    for _ in range(10):
        page = api.get("/api/v1/pods", params=params).json()
        seen += [p["metadata"]["name"] for p in page["items"]]
        assert page["total"] == 3
        if not page.get("continue"):
            break
        params["continue"] = page["continue"]
    assert len(seen) == 3 and len(set(seen)) == 3 and seen == sorted(seen)
    # a token replayed with another query is refused
    first = api.get("/api/v1/pods", params={"namespace": ns, "limit": 1}).json()
    replay = api.get(
        "/api/v1/pods",
        params={
            "namespace": ns,
            "limit": 1,
            "labelSelector": "app=web",
            "continue": first["continue"],
        },
    )
    assert replay.status_code == 400
    garbled = api.get("/api/v1/events", params={"continue": "not-a-token"})
    assert garbled.status_code == 400


def test_bad_label_selector_names_the_position(api: httpx.Client, ready_scene: Scene) -> None:
    for path in ("/api/v1/gateways", "/api/v1/pods", "/api/v1/events", "/api/v1/inferencepools"):
        response = api.get(path, params={"labelSelector": "app in web"})
        assert response.status_code == 400, (path, response.text)
        assert "position 7" in response.json()["detail"]["message"], response.text


def test_unknown_cluster_is_404(api: httpx.Client, ready_scene: Scene) -> None:
    for path in ("gateways", "gatewayclasses", "events", "inferencepools", "namespaces"):
        assert api.get(f"/api/v1/clusters/nope/{path}").status_code == 404
    named = api.get(
        "/api/v1/clusters/default/gateways", params={"namespace": ready_scene.namespace}
    )
    assert named.status_code == 200 and len(named.json()["items"]) == 1


def test_children_of_a_parent_with_readiness(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    from crd_cases import load_sample

    stack = load_sample("inferencestack-llama31-8b-vllm")
    stack["metadata"] = {"name": "chat", "namespace": namespace}
    created = api.post("/api/v1/inferencestacks", json=stack)
    assert created.status_code == 201, created.text
    uid = created.json()["object"]["metadata"]["uid"]
    # A child the operator would render: owner reference to the stack, and one by labels.
    kube.create(
        codecs.from_dict(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": "chat-extra-svc",
                    "namespace": namespace,
                    "ownerReferences": [
                        {
                            "apiVersion": "ngf-console.f5.com/v1alpha1",
                            "kind": "InferenceStack",
                            "name": "chat",
                            "uid": uid,
                            "controller": True,
                        }
                    ],
                },
                "spec": {"ports": [{"port": 9002}]},
            }
        )
    )
    kube.create(
        codecs.from_dict(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": "chat-extra-deploy",
                    "namespace": namespace,
                    "labels": {
                        "app.kubernetes.io/managed-by": "ngf-console",
                        "ngf-console.f5.com/parent-kind": "InferenceStack",
                        "ngf-console.f5.com/parent-name": "chat",
                    },
                },
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app": "chat-extra-deploy"}},
                    "template": {
                        "metadata": {"labels": {"app": "chat-extra-deploy"}},
                        "spec": {"containers": [{"name": "m", "image": "registry.invalid/m:1"}]},
                    },
                },
            }
        )
    )

    def children() -> dict[str, Any] | None:
        response = api.get(f"/api/v1/inferencestacks/{namespace}/chat/children")
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        kids = {c["name"]: c for c in body["children"]}
        # the operator may render more; ours must be there, the Deployment ready
        if "chat-extra-svc" in kids and (kids.get("chat-extra-deploy") or {}).get("ready"):
            return body
        return None

    body = until(children, timeout=60, what="the stack's children, deployment ready")
    kids = {c["name"]: c for c in body["children"]}
    assert kids["chat-extra-svc"]["owned_by"] == "ownerReference"
    assert kids["chat-extra-deploy"]["owned_by"] == "labels"
    assert kids["chat-extra-deploy"]["detail"] == "1/1 replicas ready"
    assert body["total"] == len(body["children"]) and body["ready"] >= 2
    assert api.get(f"/api/v1/inferencestacks/{namespace}/none/children").status_code == 404
