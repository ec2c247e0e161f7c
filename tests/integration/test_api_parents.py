"""Parents through the API on the real control plane: create, read, update, delete, dry run,
validation errors with field paths, audit rows, the 409 dependency check."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from lightkube import Client

from crd_cases import load_sample


@pytest.fixture(scope="module")
def api(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("api-db") / "console.db"
    with running_api(settings_for(kubeconfig, db)) as url, httpx.Client(base_url=url) as client:
        yield client


def _stack(namespace: str, name: str = "chat") -> dict[str, Any]:
    doc = copy.deepcopy(load_sample("inferencestack-llama31-8b-vllm"))
    doc["metadata"] = {"name": name, "namespace": namespace}
    return doc


def test_config_reports_the_cluster_and_its_integrations(api: httpx.Client) -> None:
    body = api.get("/api/v1/config").json()
    assert body["cluster"] == "default"
    assert body["integrations"]["gatewayApi"] is True
    assert body["integrations"]["inferenceExtension"] is True
    assert body["auth_mode"] == "none"
    assert body["grafana_url"] is None  # no "Open in Grafana" links unless configured
    clusters = api.get("/api/v1/clusters").json()
    assert clusters[0]["name"] == "default"
    assert clusters[0]["reachable"] is True


def test_create_read_update_delete_an_inference_stack(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    created = api.post("/api/v1/inferencestacks", json=_stack(namespace))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["object"]["metadata"]["uid"]
    assert body["auditId"] > 0
    # the cluster has it, with the spec as sent
    from operator_harness import PARENTS

    live = kube.get(PARENTS["InferenceStack"], "chat", namespace=namespace)
    assert live["spec"]["model"]["modelId"] == "meta-llama/Llama-3.1-8B-Instruct"

    got = until(
        lambda: (
            (r := api.get(f"/api/v1/inferencestacks/{namespace}/chat")).status_code == 200 and r
        ),
        what="the cache to see the stack",
    )
    assert got.json()["metadata"]["name"] == "chat"
    listed = api.get("/api/v1/inferencestacks", params={"namespace": namespace}).json()
    assert [o["metadata"]["name"] for o in listed["items"]] == ["chat"]

    doc = _stack(namespace)
    doc["spec"]["model"]["modelId"] = "meta-llama/Llama-3.1-70B-Instruct"
    updated = api.put(f"/api/v1/inferencestacks/{namespace}/chat", json=doc)
    assert updated.status_code == 200, updated.text
    assert updated.json()["object"]["metadata"]["generation"] == 2

    audit = api.get("/api/v1/audit", params={"namespace": namespace}).json()
    assert [e["action"] for e in audit["entries"]][:2] == ["update", "create"]

    deleted = api.delete(f"/api/v1/inferencestacks/{namespace}/chat")
    assert deleted.status_code == 204
    until(
        lambda: api.get(f"/api/v1/inferencestacks/{namespace}/chat").status_code == 404,
        what="the stack gone from the cache",
    )


def test_dry_run_returns_the_rendered_children_and_writes_nothing(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    response = api.post("/api/v1/inferencestacks?dryRun=true", json=_stack(namespace, "preview"))
    assert response.status_code == 200, response.text
    body = response.json()
    kinds = {c["kind"] for c in body["preview"]["children"]}
    assert {"InferencePool", "HTTPRoute", "Deployment", "Service"} <= kinds
    assert body["auditId"] is None
    from lightkube.core.exceptions import ApiError
    from operator_harness import PARENTS

    with pytest.raises(ApiError):
        kube.get(PARENTS["InferenceStack"], "preview", namespace=namespace)


def test_invalid_spec_is_refused_with_field_paths_and_nothing_written(
    api: httpx.Client, namespace: str
) -> None:
    doc = _stack(namespace, "bad")
    doc["spec"]["pool"]["replicas"] = -3
    response = api.post("/api/v1/inferencestacks", json=doc)
    assert response.status_code == 422
    fields = [c["field"] for c in response.json()["detail"]["causes"]]
    assert any("replicas" in f for f in fields), fields
    unknown = _stack(namespace, "bad2")
    unknown["spec"]["notAField"] = 1
    response = api.post("/api/v1/inferencestacks", json=unknown)
    assert response.status_code == 422
    assert any("notAField" in c["field"] for c in response.json()["detail"]["causes"])
    listed = api.get("/api/v1/inferencestacks", params={"namespace": namespace}).json()
    assert listed["items"] == []


def test_malformed_bodies_name_the_line(api: httpx.Client, namespace: str) -> None:
    response = api.post(
        "/api/v1/httproutes",
        content=b'{"metadata": {"name": "x",\n "namespace": }',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "line 2" in response.json()["detail"]["message"]
    response = api.post(
        "/api/v1/httproutes",
        content=b"metadata:\n  name: x\n   namespace: y\n",
        headers={"Content-Type": "application/yaml"},
    )
    assert response.status_code == 400
    assert "line 3" in response.json()["detail"]["message"]


def test_api_server_validation_passes_through_with_field_paths(
    api: httpx.Client, namespace: str
) -> None:
    route = {
        "metadata": {"name": "r", "namespace": namespace},
        "spec": {
            "parentRefs": [{"name": "gw"}],
            "rules": [{"matches": [{"path": {"type": "Nope"}}]}],
        },
    }
    response = api.post("/api/v1/httproutes", json=route)
    assert response.status_code == 422, response.text
    causes = response.json()["detail"]["causes"]
    assert any("spec.rules[0].matches[0].path.type" in (c["field"] or "") for c in causes), causes
    route["spec"]["rules"][0]["matches"][0]["path"] = {"type": "PathPrefix", "value": "/"}
    route["spec"]["bogus"] = True
    response = api.post("/api/v1/httproutes", json=route)
    assert response.status_code == 400, response.text  # strict decoding refuses the object
    assert 'unknown field \\"spec.bogus\\"' in response.text


def _bundle(namespace: str, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "ngf-console.f5.com/v1alpha1",
        "kind": "GatewayBundle",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "gatewayClassName": "nginx",
            "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
        },
    }


def test_deleting_a_gateway_bundle_that_routes_attach_to_needs_force(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    from lightkube import codecs
    from lightkube.generic_resource import load_in_cluster_generic_resources

    from ngf_console.crd import GatewayBundle
    from ngf_console.render import RenderOptions, render_parent

    created = api.post("/api/v1/gatewaybundles", json=_bundle(namespace, "edge"))
    assert created.status_code == 201, created.text
    # Play the operator: the bundle's Gateway, owned by it (as the renderer makes it).
    rendered = render_parent(
        GatewayBundle.model_validate(created.json()["object"]), RenderOptions()
    )
    gateway = next(m for m in rendered.manifests if m["kind"] == "Gateway")
    load_in_cluster_generic_resources(kube)
    kube.create(codecs.from_dict(gateway))
    route = {
        "metadata": {"name": "shop", "namespace": namespace},
        "spec": {
            "parentRefs": [{"name": gateway["metadata"]["name"]}],
            "rules": [{"backendRefs": [{"name": "shop", "port": 80}]}],
        },
    }
    assert api.post("/api/v1/httproutes", json=route).status_code == 201
    until(
        lambda: (
            api.get(f"/api/v1/httproutes/{namespace}/shop").status_code == 200
            and api.get(
                "/api/v1/gatewaybundles", params={"namespace": namespace, "name": "edge"}
            ).json()["total"]
            == 1
        ),
        what="the cache to hold the route and the bundle",
    )

    refused = until(
        lambda: (
            (r := api.delete(f"/api/v1/gatewaybundles/{namespace}/edge")).status_code == 409 and r
        ),
        what="the dependency check to see the Gateway",
    )
    dependants = refused.json()["detail"]["dependants"]
    assert {"kind": "HTTPRoute", "namespace": namespace, "name": "shop"} in dependants
    assert api.get(f"/api/v1/gatewaybundles/{namespace}/edge").status_code == 200

    forced = api.delete(f"/api/v1/gatewaybundles/{namespace}/edge", params={"force": "true"})
    assert forced.status_code == 204
    audit = api.get("/api/v1/audit", params={"namespace": namespace, "kind": "GatewayBundle"})
    assert audit.json()["entries"][0]["action"] == "delete"


def test_clusters_from_a_file_each_served_under_its_prefix(
    kubeconfig: Path, tmp_path: Path, namespace: str
) -> None:
    clusters = tmp_path / "clusters.yaml"
    clusters.write_text(
        f"clusters:\n  - name: one\n    kubeconfig: {kubeconfig}\n"
        f"  - name: two\n    kubeconfig: {kubeconfig}\n    default: true\n"
    )
    settings = settings_for(kubeconfig, tmp_path / "db.sqlite").model_copy(
        update={"clusters_file": clusters, "kubeconfig": None}
    )
    with running_api(settings) as url, httpx.Client(base_url=url) as client:
        listed = client.get("/api/v1/clusters").json()
        assert [(c["name"], c["default"], c["reachable"]) for c in listed] == [
            ("one", False, True),
            ("two", True, True),
        ]
        assert client.get("/api/v1/config").json()["cluster"] == "two"
        assert client.get("/api/v1/clusters/one/config").json()["cluster"] == "one"
        page = client.get("/api/v1/clusters/one/httproutes", params={"namespace": namespace})
        assert page.status_code == 200 and page.json()["items"] == []
        unknown = client.get("/api/v1/clusters/nope/httproutes")
        assert unknown.status_code == 404
        assert "one, two" in unknown.json()["detail"]["message"]


def test_inline_private_keys_never_leave_the_api_and_survive_edits(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    from operator_harness import PARENTS

    doc = load_sample("gatewaybundle-shop-gateway")
    doc["metadata"] = {"name": "shop", "namespace": namespace}
    key = doc["spec"]["listeners"][0]["tls"]["inlineCert"]["privateKey"]
    created = api.post("/api/v1/gatewaybundles", json=doc)
    assert created.status_code == 201, created.text
    preview = api.post(
        "/api/v1/gatewaybundles?dryRun=true",
        json={**doc, "metadata": {"name": "shop-preview", "namespace": namespace}},
    )
    assert preview.status_code == 200
    got = until(
        lambda: (r := api.get(f"/api/v1/gatewaybundles/{namespace}/shop")).status_code == 200 and r,
        what="the bundle in the cache",
    )
    listed = api.get("/api/v1/gatewaybundles", params={"namespace": namespace})
    audit = api.get("/api/v1/audit", params={"namespace": namespace, "kind": "GatewayBundle"})
    entry = api.get(f"/api/v1/audit/{audit.json()['entries'][0]['id']}")
    for response in (created, preview, got, listed, audit, entry):
        assert "PRIVATE KEY" not in response.text, response.request.url
    assert "<redacted>" in got.text

    # An edit that sends the placeholder back keeps the key.
    edited = got.json()
    edited["spec"]["listeners"][0]["hostname"] = "www.shop.example.com"
    updated = api.put(f"/api/v1/gatewaybundles/{namespace}/shop", json=edited)
    assert updated.status_code == 200, updated.text
    live = kube.get(PARENTS["GatewayBundle"], "shop", namespace=namespace)
    assert live["spec"]["listeners"][0]["tls"]["inlineCert"]["privateKey"] == key
    assert live["spec"]["listeners"][0]["hostname"] == "www.shop.example.com"
    # A placeholder with nothing behind it is refused, naming the field.
    fresh = {**edited, "metadata": {"name": "shop-2", "namespace": namespace}}
    refused = api.post("/api/v1/gatewaybundles", json=fresh)
    assert refused.status_code == 422
    assert "privateKey" in refused.json()["detail"]["causes"][0]["field"]

    # Revert the edit: the earlier hostname comes back, the key stays.
    update_entry = api.get(
        "/api/v1/audit",
        params={"namespace": namespace, "kind": "GatewayBundle", "action": "update"},
    ).json()["entries"][0]
    reverted = api.post(f"/api/v1/audit/{update_entry['id']}/revert")
    assert reverted.status_code == 200, reverted.text
    live = kube.get(PARENTS["GatewayBundle"], "shop", namespace=namespace)
    assert live["spec"]["listeners"][0]["hostname"] == "shop.example.com"
    assert live["spec"]["listeners"][0]["tls"]["inlineCert"]["privateKey"] == key
    diff = api.get("/api/v1/audit/diff", params={"id": update_entry["id"]}).json()["diff"]
    assert "www.shop.example.com" in diff and "PRIVATE KEY" not in diff


def test_revert_of_a_create_deletes_and_of_a_delete_recreates(
    api: httpx.Client, namespace: str
) -> None:
    route = {
        "metadata": {"name": "r1", "namespace": namespace},
        "spec": {
            "parentRefs": [{"name": "gw"}],
            "rules": [{"backendRefs": [{"name": "s", "port": 80}]}],
        },
    }
    created = api.post("/api/v1/httproutes", json=route).json()
    assert api.delete(f"/api/v1/httproutes/{namespace}/r1").status_code == 204
    deletion = api.get(
        "/api/v1/audit", params={"namespace": namespace, "name": "r1", "action": "delete"}
    ).json()["entries"][0]
    recreated = api.post(f"/api/v1/audit/{deletion['id']}/revert")
    assert recreated.status_code == 200, recreated.text
    assert recreated.json()["object"]["spec"]["rules"] == created["object"]["spec"]["rules"]
    undone = api.post(f"/api/v1/audit/{created['auditId']}/revert")
    assert undone.status_code == 200
    until(
        lambda: api.get(f"/api/v1/httproutes/{namespace}/r1").status_code == 404,
        what="the route deleted by the revert",
    )
    actions = [
        e["action"]
        for e in api.get("/api/v1/audit", params={"namespace": namespace, "name": "r1"}).json()[
            "entries"
        ]
    ]
    assert actions == ["revert", "revert", "delete", "create"]
