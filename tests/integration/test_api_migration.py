"""Migration projects and the coexistence views through the API on the real control plane."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from api_harness import running_api, settings_for, until
from lightkube import Client, codecs
from lightkube.core.exceptions import ApiError
from lightkube.core.resource_registry import resource_registry
from operator_harness import PARENTS, accept_route_like


@pytest.fixture(scope="module")
def api(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("api-db") / "console.db"
    with (
        running_api(settings_for(kubeconfig, db)) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        yield client


def ingress(namespace: str, name: str, host: str, path: str = "/") -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {"nginx.org/proxy-read-timeout": "30s"},
        },
        "spec": {
            "ingressClassName": "nginx",
            "rules": [
                {
                    "host": host,
                    "http": {
                        "paths": [
                            {
                                "path": path,
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "web", "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ],
        },
    }


NGINX_CONF = """
http {
  upstream web { server web.shop.svc.cluster.local:80; }
  server {
    listen 80;
    server_name conf.example.com;
    location / { proxy_pass http://web; }
  }
}
"""


def _import(api: httpx.Client, namespace: str, **body: Any) -> httpx.Response:
    return api.post("/api/v1/migration/import", json={"namespace": namespace, **body})


def test_import_analysis_generate(api: httpx.Client, namespace: str) -> None:
    content = yaml.safe_dump(ingress(namespace, "web", "shop.example.com"))
    created = _import(api, namespace, name="shop", content=content)
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["namespace"] == namespace and project["status"] == "analyzed"
    assert project["summary"]["totalSourceResources"] == 1
    assert project["resources"] == 2 and project["audit_id"] > 0

    analysis = api.get(f"/api/v1/migration/{project['id']}/analysis")
    assert analysis.status_code == 200, analysis.text
    report = analysis.json()["report"]
    (source,) = report["resources"]
    assert source["source"] == f"Ingress/{namespace}/web"
    assert source["confidence"] == "medium"
    assert any(i["path"].endswith("proxy-read-timeout") for i in source["needs_review"])

    generated = api.post(
        f"/api/v1/migration/{project['id']}/generate", json={"gateway_name": "edge"}
    )
    assert generated.status_code == 200, generated.text
    body = generated.json()
    assert body["project"]["status"] == "reviewed"
    gateway = next(r for r in body["resources"] if r["kind"] == "Gateway")
    assert yaml.safe_load(gateway["generatedYAML"])["metadata"]["name"] == "edge"

    conf = _import(api, namespace, name="conf", format="nginx-conf", content=NGINX_CONF)
    assert conf.status_code == 201, conf.text
    assert conf.json()["resources"] >= 1

    assert api.get(f"/api/v1/migration/{'0' * 32}/analysis").status_code == 404
    assert api.get("/api/v1/migration/not-a-uuid/analysis").status_code == 404
    bad = _import(api, namespace, name="x", content="a: [")
    assert bad.status_code == 201  # unreadable YAML is a report error, not a failure
    assert bad.json()["summary"]["inputErrors"] == 1
    assert _import(api, "Bad_NS", name="x", content="a: 1").status_code == 422


def test_apply_creates_a_migration_plan_and_validate_reads_the_cluster(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    content = yaml.safe_dump(ingress(namespace, "web", "shop.example.com"))
    project = _import(api, namespace, name="shop", content=content).json()
    url = f"/api/v1/migration/{project['id']}"

    dry = api.post(f"{url}/apply", json={"name": "shop", "dry_run": True})
    assert dry.status_code == 201, dry.text
    assert dry.json()["dryRun"] is True
    with pytest.raises(ApiError):
        kube.get(PARENTS["MigrationPlan"], "shop", namespace=namespace)

    applied = api.post(f"{url}/apply", json={"name": "shop", "pause_between": "5s"})
    assert applied.status_code == 201, applied.text
    assert applied.json()["auditId"] > 0
    plan = kube.get(PARENTS["MigrationPlan"], "shop", namespace=namespace).to_dict()
    assert plan["spec"]["apply"] is True
    assert plan["spec"]["source"]["type"] == "ingress"
    assert plan["spec"]["strategy"]["pauseBetween"] == "5s"
    assert [r["kind"] for r in plan["spec"]["resources"]] == ["Gateway", "HTTPRoute"]
    assert plan["metadata"]["labels"]["ngf-console.f5.com/migration-project"] == project["id"]
    assert api.post(f"{url}/apply", json={"name": "shop"}).status_code == 409

    check = api.get(f"{url}/validate").json()
    assert check["valid"] is False
    assert [(r["kind"], r["exists"]) for r in check["resources"]] == [
        ("Gateway", False),
        ("HTTPRoute", False),
    ]
    # What the operator would apply, accepted by a gateway controller.
    for resource in plan["spec"]["resources"]:
        kube.apply(codecs.from_dict(yaml.safe_load(resource["generatedYAML"])), field_manager="t")
    route = next(r for r in plan["spec"]["resources"] if r["kind"] == "HTTPRoute")
    name = yaml.safe_load(route["generatedYAML"])["metadata"]["name"]
    accept_route_like(
        kube, "gateway.networking.k8s.io/v1", "HTTPRoute", name, namespace, "ngf-migrated"
    )

    def checked() -> dict[str, Any] | None:
        body: dict[str, Any] = api.get(f"{url}/validate").json()
        routes = [r for r in body["resources"] if r["kind"] == "HTTPRoute"]
        return body if routes and routes[0]["accepted"] else None

    body = until(checked, what="the route accepted in the cache")
    route_check = next(r for r in body["resources"] if r["kind"] == "HTTPRoute")
    assert route_check["missing_backends"] == ["web"]  # no Service web in the namespace
    assert body["valid"] is False
    assert api.get(f"/api/v1/migration/{project['id']}/analysis").json()["project"]["plan"] == {
        "namespace": namespace,
        "name": "shop",
    }


def test_coexistence_overview_and_readiness(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    for doc in (
        ingress(namespace, "a", "a.example.com", "/shop"),
        ingress(namespace, "b", "b.example.com"),
    ):
        kube.create(codecs.from_dict(doc))
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "a", "namespace": namespace},
        "spec": {
            "parentRefs": [{"name": "gw"}],
            "hostnames": ["a.example.com"],
            "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}],
        },
    }
    kube.create(resource_registry.load("gateway.networking.k8s.io/v1", "HTTPRoute")(**route))

    def overview() -> dict[str, Any] | None:
        response = api.get("/api/v1/coexistence/overview", params={"namespace": namespace})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body if len(body["kic"]) == 2 and body["gateway_api"] else None

    body = until(overview, timeout=40, what="both Ingresses and the route")
    by_name = {r["name"]: r for r in body["kic"]}
    assert by_name["a"]["equivalent"] == f"HTTPRoute/{namespace}/a"
    assert by_name["b"]["equivalent"] is None
    assert by_name["a"]["ingress_class"] == "nginx"
    assert by_name["b"]["confidence"] == "medium"
    assert body["summary"]["withEquivalent"] == 1 and body["summary"]["remaining"] == 1

    score = api.get("/api/v1/coexistence/migration-readiness", params={"namespace": namespace})
    assert score.status_code == 200, score.text
    readiness = score.json()
    assert (readiness["score"], readiness["total"], readiness["remaining"]) == (50, 2, 1)
    assert readiness["reasons"][0].startswith("50% of your KIC routes")
    assert any(f"Ingress/{namespace}/b" in r for r in readiness["reasons"])
    assert any(
        "review" in r and f"Ingress/{namespace}/b" in r for r in readiness["recommendations"]
    )
