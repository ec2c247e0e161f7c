"""Topology routes on the real control plane: the full graph (class -> gateway -> listeners ->
routes -> backends -> pods, the policy edge), the per-gateway graph, rebuilds on cache
changes only, and the graph cut to what an OIDC caller may read."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from api_harness import running_api, settings_for, until
from lightkube import Client, codecs
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace
from test_api_resources import GW, Scene, build_scene, remove_scene, wait_for_scene

from auth_oidc_issuer import AUDIENCE, Issuer
from ngf_console.api.auth import AuthSettings
from ngf_console.api.routers.topology import TopologyMemo
from ngf_console.kube.clusters import ClusterRegistry


@pytest.fixture(scope="module")
def api(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("api-db") / "console.db"
    with running_api(settings_for(kubeconfig, db)) as url, httpx.Client(base_url=url) as client:
        yield client


@pytest.fixture(scope="module")
def scene(kube: Client, api: httpx.Client) -> Iterator[Scene]:
    name = f"t-api-topo-{secrets.token_hex(3)}"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"ngf-console/test": "true"})))
    made = build_scene(kube, name)
    wait_for_scene(api, made)
    yield made
    remove_scene(kube, made)


def _graph(
    api: httpx.Client, path: str = "/api/v1/topology"
) -> tuple[dict[str, Any], set[tuple[str, str, str]]]:
    response = api.get(path)
    assert response.status_code == 200, response.text
    body = response.json()
    nodes = {n["id"]: n for n in body["nodes"]}
    edges = {(e["kind"], e["source"], e["target"]) for e in body["edges"]}
    return {"nodes": nodes, "root": body["root"]}, edges


def _pod_ids(nodes: dict[str, Any], namespace: str, prefix: str) -> set[str]:
    return {
        nid
        for nid, n in nodes.items()
        if n["kind"] == "Pod" and n["namespace"] == namespace and n["name"].startswith(prefix)
    }


def test_full_graph_from_class_to_pods_with_the_policy(api: httpx.Client, scene: Scene) -> None:
    ns = scene.namespace
    graph, edges = _graph(api)
    nodes = graph["nodes"]
    gw, cls = f"Gateway/{ns}/gw", f"GatewayClass//{scene.gateway_class}"
    http, https = f"{gw}#http", f"{gw}#https"
    web, pool = f"Service/{ns}/web", f"InferencePool/{ns}/pool"
    assert nodes[cls]["namespace"] is None
    assert nodes[http]["kind"] == "Listener" and nodes[https]["data"]["port"] == 443
    expected = {
        ("implements", cls, gw),
        ("has-listener", gw, http),
        ("has-listener", gw, https),
        ("attaches", http, f"HTTPRoute/{ns}/r-http"),
        ("attaches", https, f"HTTPRoute/{ns}/r-https"),
        ("attaches", http, f"HTTPRoute/{ns}/r-both"),
        ("attaches", https, f"HTTPRoute/{ns}/r-both"),
        ("routes-to", f"HTTPRoute/{ns}/r-http", web),
        ("routes-to", f"HTTPRoute/{ns}/r-https", pool),
        ("targets", f"ClientSettingsPolicy/{ns}/csp", gw),
        ("endpoint-picker", pool, f"Service/{ns}/pool-epp"),
    }
    assert expected <= edges, expected - edges
    # the pods behind the Service (Deployment's, made Running by kwok) and behind the pool
    web_pods = _pod_ids(nodes, ns, "web-")
    assert len(web_pods) == 2
    assert {("selects", web, p) for p in web_pods} <= edges
    assert ("selects", pool, f"Pod/{ns}/model-0") in edges
    assert nodes[web]["data"]["pods"] == 2
    assert nodes[f"Service/{ns}/pool-epp"]["data"]["missing"] is True
    assert nodes[f"Service/{ns}/pool-epp"]["status"] == "error"
    assert {nodes[p]["data"]["phase"] for p in web_pods} == {"Running"}


def test_per_gateway_graph(api: httpx.Client, kube: Client, scene: Scene) -> None:
    ns = scene.namespace
    kube.create(
        codecs.from_dict(
            {
                "apiVersion": f"{GW}/v1",
                "kind": "Gateway",
                "metadata": {"name": "lonely", "namespace": ns},
                "spec": {
                    "gatewayClassName": scene.gateway_class,
                    "listeners": [{"name": "tcp", "port": 9000, "protocol": "TCP"}],
                },
            }
        )
    )
    lonely = f"Gateway/{ns}/lonely"
    until(lambda: lonely in _graph(api)[0]["nodes"], what="the new Gateway in the full graph")
    graph, edges = _graph(api, f"/api/v1/topology/gateway/{ns}/gw")
    nodes = graph["nodes"]
    assert graph["root"] == f"Gateway/{ns}/gw"
    assert lonely not in nodes
    assert f"ClientSettingsPolicy/{ns}/csp" in nodes
    assert f"GatewayClass//{scene.gateway_class}" in nodes
    assert len(_pod_ids(nodes, ns, "web-")) == 2 and f"Pod/{ns}/model-0" in nodes
    assert all(n["namespace"] in (ns, None) for n in nodes.values())
    assert all(e[1] in nodes and e[2] in nodes for e in edges)

    small, small_edges = _graph(api, f"/api/v1/topology/gateway/{ns}/lonely")
    assert set(small["nodes"]) == {
        lonely,
        f"{lonely}#tcp",
        f"GatewayClass//{scene.gateway_class}",
    }
    assert ("implements", f"GatewayClass//{scene.gateway_class}", lonely) in small_edges
    assert api.get(f"/api/v1/topology/gateway/{ns}/nope").status_code == 404
    assert api.get("/api/v1/clusters/nope/topology").status_code == 404


def test_graph_is_rebuilt_on_cache_changes_only(
    kubeconfig: Path, kube: Client, scene: Scene
) -> None:
    ns = scene.namespace

    async def run() -> None:
        clusters = ClusterRegistry.single("default", kubeconfig)
        await clusters.start()
        try:
            cluster = clusters.default
            await cluster.cache.wait_synced(30)
            memo = TopologyMemo()
            # The shared cluster moves; whenever nothing the graph is drawn from changed
            # between two reads, the second one is the same graph, not a rebuild.
            for _ in range(50):
                key = memo.key(cluster)
                first = await memo.graph(cluster)
                again = await memo.graph(cluster)
                if memo.key(cluster) == key:
                    assert again is first
                    break
            else:
                pytest.fail("the cluster never held still for two reads")
            builds = memo.builds
            kube.create(
                codecs.from_dict(
                    {
                        "apiVersion": "v1",
                        "kind": "Service",
                        "metadata": {"name": "late", "namespace": ns},
                        "spec": {"ports": [{"port": 81}]},
                    }
                )
            )
            deadline = time.monotonic() + 20
            late = f"Service/{ns}/late"
            while late not in {n.id for n in (await memo.graph(cluster)).nodes}:
                assert time.monotonic() < deadline, "the graph never showed the new Service"
                await asyncio.sleep(0.1)
            assert memo.builds > builds
        finally:
            await clusters.stop()

    asyncio.run(run())


# -- what an OIDC caller sees ---------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    issuer = Issuer(f"http://127.0.0.1:{sock.getsockname()[1]}")
    server = uvicorn.Server(uvicorn.Config(issuer.app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "issuer did not start"
        time.sleep(0.02)
    yield issuer
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_oidc_caller_sees_only_their_namespaces(
    kubeconfig: Path, tmp_path: Path, issuer: Issuer, scene: Scene
) -> None:
    ns = scene.namespace
    auth = AuthSettings.from_yaml(
        f"""
auth:
  mode: oidc
  oidc:
    issuer: {issuer.url}
    audience: {AUDIENCE}
    role_bindings:
      - {{group: team, role: viewer, namespaces: [{ns}]}}
      - {{group: admins, role: admin, namespaces: ["*"]}}
"""
    )
    settings = settings_for(kubeconfig, tmp_path / "console.db", auth=auth)
    team = {"Authorization": f"Bearer {issuer.token(groups=['team'])}"}
    admin = {"Authorization": f"Bearer {issuer.token(groups=['admins'])}"}
    with running_api(settings) as url, httpx.Client(base_url=url) as client:
        full = client.get("/api/v1/topology", headers=admin).json()
        mine = client.get("/api/v1/topology", headers=team).json()
        assert {n["namespace"] for n in full["nodes"]} - {ns, None}, "other namespaces exist"
        assert {n["namespace"] for n in mine["nodes"]} <= {ns, None}
        ids = {n["id"] for n in mine["nodes"]}
        assert f"GatewayClass//{scene.gateway_class}" in ids
        assert f"Gateway/{ns}/gw" in ids and f"Pod/{ns}/model-0" in ids
        assert all(e["source"] in ids and e["target"] in ids for e in mine["edges"])
        sub = client.get(f"/api/v1/topology/gateway/{ns}/gw", headers=team)
        assert sub.status_code == 200 and sub.json()["root"] == f"Gateway/{ns}/gw"
        assert client.get("/api/v1/topology/gateway/default/x", headers=team).status_code == 403
        # lists across namespaces keep the caller's namespaces; one they lack is a 403
        gateways = client.get("/api/v1/gateways", headers=team).json()["items"]
        assert {g["namespace"] for g in gateways} == {ns}
        assert client.get("/api/v1/gateways?namespace=default", headers=team).status_code == 403
        assert client.get("/api/v1/topology").status_code == 401
