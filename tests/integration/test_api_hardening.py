"""The API server's edges on the real control plane: body limit, request ids, errors without
stack traces, CORS and websocket origins, probes and metrics, refusing to serve mode none
beyond loopback, concurrent writes and their audit rows, bad input, conflicts, dry runs."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from api_objects import COLLECTIONS, Cluster, object_for
from lightkube import Client
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

ROUTES = COLLECTIONS["httproutes"]
STACKS = COLLECTIONS["inferencestacks"]
MB = 1024 * 1024


@pytest.fixture(scope="module")
def api_url(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("hardening-db") / "console.db"
    with running_api(settings_for(kubeconfig, db)) as url:
        yield url


@pytest.fixture
def api(api_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_url, timeout=60) as client:
        yield client


@pytest.fixture
def cluster(kube: Client) -> Cluster:
    return Cluster(kube)


# --- body limit, request ids, errors -------------------------------------------------------


def test_bodies_over_one_megabyte_are_413_declared_or_streamed(
    api: httpx.Client, cluster: Cluster, namespace: str
) -> None:
    big = object_for("httproutes", namespace, "big")
    big["metadata"]["annotations"] = {"pad": "x" * MB}
    declared = api.post("/api/v1/httproutes", json=big)
    assert declared.status_code == 413
    assert declared.json()["detail"]["reason"] == "TooLarge"
    assert declared.headers["X-Request-ID"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        payload = httpx.Request("POST", "/", json=big).content
        for i in range(0, len(payload), 64 * 1024):
            yield payload[i : i + 64 * 1024]

    streamed = api.post(
        "/api/v1/httproutes", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413
    assert cluster.get(ROUTES, namespace, "big") is None
    # just under the limit is accepted (a dry run; the padding annotation is too big for
    # Kubernetes, which says so itself: the body got through)
    big["metadata"]["annotations"] = {"pad": "x" * (MB - 4096)}
    under = api.post("/api/v1/httproutes?dryRun=true", json=big)
    assert under.status_code != 413


def test_request_id_is_echoed_or_generated(api: httpx.Client) -> None:
    echoed = api.get("/api/v1/config", headers={"X-Request-ID": "trace-me-123"})
    assert echoed.headers["X-Request-ID"] == "trace-me-123"
    generated = {api.get(path).headers["X-Request-ID"] for path in ("/healthz", "/healthz")}
    assert len(generated) == 2 and all(len(g) == 16 for g in generated)
    for response in (
        api.get("/api/v1/no-such-route"),
        api.post("/api/v1/httproutes", content=b"{", headers={"Content-Type": "application/json"}),
        api.get("/api/v1/httproutes", params={"limit": "zero"}),
    ):
        assert response.status_code in (400, 404, 422)
        assert response.headers["X-Request-ID"]
    # an unprintable or oversized id is replaced, not echoed
    assert api.get("/healthz", headers={"X-Request-ID": "x" * 300}).headers["X-Request-ID"] != (
        "x" * 300
    )


def test_an_internal_error_shows_no_stack_trace(kubeconfig: Path, tmp_path: Path) -> None:
    """The config DB loses a table under the running server: the next write fails inside
    the server, and the answer says only that, with the request id to find the log."""
    db = tmp_path / "console.db"
    with running_api(settings_for(kubeconfig, db)) as url, httpx.Client(base_url=url) as api:
        view = {"name": "v", "view_type": "filter"}
        assert api.post("/api/v1/views", json=view).status_code == 201
        with sqlite3.connect(db) as raw:
            raw.execute("DROP TABLE saved_views")
        response = api.post("/api/v1/views", json=view, headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.json() == {
        "detail": {
            "message": "internal error; the server log has the details",
            "requestId": "boom-1",
        }
    }
    for leak in ("Traceback", 'File "', "sqlite", "saved_views", "OperationalError"):
        assert leak not in response.text


# --- CORS, websockets ---------------------------------------------------------------------


def _preflight(api: httpx.Client, origin: str) -> httpx.Response:
    return api.options(
        "/api/v1/httproutes",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_cors_is_same_origin_by_default(api: httpx.Client) -> None:
    foreign = "https://evil.example"
    simple = api.get("/api/v1/config", headers={"Origin": foreign})
    assert "access-control-allow-origin" not in simple.headers
    preflight = _preflight(api, foreign)
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-methods" not in preflight.headers


def test_cors_allows_configured_origins_only(kubeconfig: Path, tmp_path: Path) -> None:
    allowed = "https://console.example.com"
    settings = settings_for(kubeconfig, tmp_path / "c.db", allowed_origins=frozenset({allowed}))
    with running_api(settings) as url, httpx.Client(base_url=url) as api:
        simple = api.get("/api/v1/config", headers={"Origin": allowed})
        assert simple.headers["access-control-allow-origin"] == allowed
        preflight = _preflight(api, allowed)
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == allowed
        assert "POST" in preflight.headers["access-control-allow-methods"]
        other = api.get("/api/v1/config", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        assert _preflight(api, "https://evil.example").status_code == 400


def test_websocket_with_a_foreign_origin_is_refused(api_url: str) -> None:
    ws = api_url.replace("http://", "ws://") + "/api/v1/ws/topology"

    async def main() -> int:
        async with connect(ws, origin=api_url) as same:  # type: ignore[arg-type]
            assert same.response is not None and same.response.status_code == 101
        with pytest.raises(InvalidStatus) as refused:
            await connect(ws, origin="https://evil.example")  # type: ignore[arg-type]
        return refused.value.response.status_code

    assert asyncio.run(main()) == 403


# --- probes, metrics, bind check ----------------------------------------------------------


def test_probes_and_metrics(api: httpx.Client) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = until(lambda: (r := api.get("/readyz")).status_code == 200 and r, what="readyz")
    body = ready.json()
    assert body["ready"] is True and body["database"] is True
    assert body["caches"] == {"default": True}
    metrics = api.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "# TYPE ngf_console_ws_" in metrics.text
    # probes and metrics are not in the API's document
    paths = api.get("/api/openapi.json").json()["paths"]
    assert not {"/healthz", "/readyz", "/metrics"} & set(paths)


def test_cli_refuses_mode_none_beyond_loopback(kubeconfig: Path) -> None:
    cli = Path(sys.executable).parent / "ngf-console"
    result = subprocess.run(
        [str(cli), "api", "--host", "0.0.0.0", "--kubeconfig", str(kubeconfig), "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    message = " ".join((result.stdout + result.stderr).split())
    assert "only binds to a loopback address" in message
    assert "'0.0.0.0'" in message


# --- concurrent writes and the audit log ---------------------------------------------------


def test_concurrent_creates_give_exactly_one_audit_row_each(
    api_url: str, api: httpx.Client, cluster: Cluster, namespace: str
) -> None:
    n = 30

    async def create_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=api_url, timeout=60) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        "/api/v1/httproutes", json=object_for("httproutes", namespace, f"r{i}")
                    )
                    for i in range(n)
                )
            )

    responses = asyncio.run(create_all())
    assert [r.status_code for r in responses] == [201] * n
    audit_ids = {r.json()["auditId"] for r in responses}
    assert len(audit_ids) == n
    rows = api.get("/api/v1/audit", params={"namespace": namespace, "limit": 500}).json()
    assert rows["next_cursor"] is None
    entries = rows["entries"]
    assert len(entries) == n
    assert {e["id"] for e in entries} == audit_ids
    assert {(e["action"], e["resource_kind"]) for e in entries} == {("create", "HTTPRoute")}
    assert sorted(e["resource_name"] for e in entries) == sorted(f"r{i}" for i in range(n))
    assert len({e["request_id"] for e in entries}) == n
    assert all(cluster.get(ROUTES, namespace, f"r{i}") for i in range(n))


# --- bad input -----------------------------------------------------------------------------


def test_malformed_json_and_yaml_are_400_with_line_numbers(
    api: httpx.Client, cluster: Cluster, namespace: str
) -> None:
    bad_json = b'{\n  "metadata": {\n    "name": "x",\n    "namespace": \n  }\n}'
    response = api.post(
        "/api/v1/httproutes", content=bad_json, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "malformed JSON: line 5" in response.json()["detail"]["message"]
    bad_yaml = f"metadata:\n  name: x\n  namespace: {namespace}\nspec: [a\n".encode()
    response = api.post(
        "/api/v1/httproutes", content=bad_yaml, headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 400
    assert "malformed YAML: line 5" in response.json()["detail"]["message"]
    for body in (b"[1, 2]", b"", b"\xff\xfe"):
        response = api.post(
            "/api/v1/httproutes", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, body
    assert cluster.get(ROUTES, namespace, "x") is None


def test_a_valid_yaml_body_is_accepted(api: httpx.Client, cluster: Cluster, namespace: str) -> None:
    import yaml

    doc = yaml.safe_dump(object_for("httproutes", namespace, "from-yaml")).encode()
    response = api.post(
        "/api/v1/httproutes", content=doc, headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 201, response.text
    assert cluster.get(ROUTES, namespace, "from-yaml") is not None


def test_unknown_fields_are_400_with_their_path(
    api: httpx.Client, cluster: Cluster, namespace: str
) -> None:
    route = object_for("httproutes", namespace, "strict")
    route["spec"]["rules"][0]["bogus"] = True
    response = api.post("/api/v1/httproutes", json=route)
    assert response.status_code == 400, response.text
    assert 'unknown field "spec.rules[0].bogus"' in response.json()["detail"]["message"]
    assert cluster.get(ROUTES, namespace, "strict") is None


def test_invalid_specs_are_422_with_field_paths_and_nothing_written(
    api: httpx.Client, cluster: Cluster, namespace: str
) -> None:
    stack = object_for("inferencestacks", namespace, "bad")
    stack["spec"]["pool"]["replicas"] = -1
    del stack["spec"]["model"]
    response = api.post("/api/v1/inferencestacks", json=stack)
    assert response.status_code == 422
    fields = {c["field"] for c in response.json()["detail"]["causes"]}
    assert {"spec.pool.replicas", "spec.model"} <= fields, fields
    assert cluster.get(STACKS, namespace, "bad") is None
    # the API server's own (schema/CEL) verdict, passed through with its field paths
    route = object_for("httproutes", namespace, "bad-route")
    route["spec"]["rules"][0]["matches"] = [{"path": {"type": "Regex!", "value": "/"}}]
    response = api.post("/api/v1/httproutes", json=route)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["reason"] == "Invalid"
    assert "spec.rules[0].matches[0].path.type" in {c["field"] for c in detail["causes"]}
    assert cluster.get(ROUTES, namespace, "bad-route") is None
    # names that no object can have never reach the Kubernetes API's URLs
    assert api.delete(f"/api/v1/httproutes/{namespace}/x%3FdryRun=All").status_code == 404
    assert api.delete(f"/api/v1/httproutes/{namespace}/%10").status_code == 404
    odd = object_for("httproutes", f"{namespace}?dryRun=All", "odd")
    response = api.post("/api/v1/httproutes", json=odd)
    assert response.status_code == 422
    assert response.json()["detail"]["causes"][0]["field"] == "metadata.namespace"


def test_a_stale_resource_version_is_a_409(
    api: httpx.Client, cluster: Cluster, namespace: str
) -> None:
    created = api.post("/api/v1/httproutes", json=object_for("httproutes", namespace, "rv"))
    assert created.status_code == 201
    stale = created.json()["object"]["metadata"]["resourceVersion"]
    first = object_for("httproutes", namespace, "rv", edit="1")
    first["metadata"]["resourceVersion"] = stale
    assert api.put(f"/api/v1/httproutes/{namespace}/rv", json=first).status_code == 200
    second = object_for("httproutes", namespace, "rv", edit="2")
    second["metadata"]["resourceVersion"] = stale
    response = api.put(f"/api/v1/httproutes/{namespace}/rv", json=second)
    assert response.status_code == 409, response.text
    assert response.json()["detail"]["reason"] == "Conflict"
    live = cluster.get(ROUTES, namespace, "rv") or {}
    assert live["metadata"]["labels"] == {"edit": "1"}


# --- dry runs and the operator-less write path --------------------------------------------


def test_dry_runs_write_nothing_for_create_replace_and_delete(
    api: httpx.Client, cluster: Cluster, namespace: str
) -> None:
    for collection in ("httproutes", "policies/backendtls", "gatewaybundles"):
        t = COLLECTIONS[collection]
        name = f"dry-{t.plural[:20]}"
        preview = api.post(
            f"/api/v1/{collection}?dryRun=true", json=object_for(collection, namespace, name)
        )
        assert preview.status_code == 200, preview.text
        body = preview.json()
        assert body["dryRun"] is True and body["auditId"] is None
        assert body["object"]["metadata"]["name"] == name
        assert cluster.get(t, namespace, name) is None
        if collection == "gatewaybundles":
            assert {"Gateway"} <= {c["kind"] for c in body["preview"]["children"]}
        assert api.post(f"/api/v1/{collection}", json=object_for(collection, namespace, name))
        replaced = api.put(
            f"/api/v1/{collection}/{namespace}/{name}?dryRun=true",
            json=object_for(collection, namespace, name, edited="yes"),
        )
        assert replaced.status_code == 200, replaced.text
        assert replaced.json()["object"]["metadata"]["labels"] == {"edited": "yes"}
        assert not (cluster.get(t, namespace, name) or {})["metadata"].get("labels")
        deleted = api.delete(f"/api/v1/{collection}/{namespace}/{name}?dryRun=true")
        assert deleted.status_code == 204
        assert cluster.get(t, namespace, name) is not None
    audit = api.get("/api/v1/audit", params={"namespace": namespace}).json()["entries"]
    assert [e["action"] for e in audit] == ["create"] * 3  # the real creates only


@pytest.mark.parametrize("collection", ["gatewaybundles", "certificatebundles", "migrationplans"])
def test_a_parent_created_through_the_api_is_in_the_cluster_as_sent(
    api: httpx.Client, cluster: Cluster, namespace: str, collection: str
) -> None:
    doc = object_for(collection, namespace, "as-sent")
    response = api.post(f"/api/v1/{collection}", json=doc)
    assert response.status_code == 201, response.text
    live = cluster.get(COLLECTIONS[collection], namespace, "as-sent")
    assert live is not None
    assert _subset(doc["spec"], live["spec"]), (doc["spec"], live["spec"])


def _subset(sent: Any, stored: Any) -> bool:
    """Everything sent is stored as sent (the server may add defaults)."""
    if isinstance(sent, dict):
        return isinstance(stored, dict) and all(
            k in stored and _subset(v, stored[k]) for k, v in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(stored, list)
            and len(sent) == len(stored)
            and all(_subset(a, b) for a, b in zip(sent, stored, strict=True))
        )
    return bool(sent == stored)


def test_audit_entry_diff_and_revert_of_an_update(
    api: httpx.Client, cluster: Cluster, namespace: str
) -> None:
    assert api.post("/api/v1/httproutes", json=object_for("httproutes", namespace, "au"))
    updated = api.put(
        f"/api/v1/httproutes/{namespace}/au",
        json=object_for("httproutes", namespace, "au", tier="gold"),
    )
    assert updated.status_code == 200, updated.text
    entry_id = updated.json()["auditId"]
    entry = api.get(f"/api/v1/audit/{entry_id}").json()
    assert entry["action"] == "update" and entry["new_config"]["metadata"]["labels"] == {
        "tier": "gold"
    }
    diff = api.get("/api/v1/audit/diff", params={"id": entry_id}).json()["diff"]
    added = [line for line in diff.splitlines() if line.startswith("+") and "tier" in line]
    assert added and "gold" in added[0], diff
    reverted = api.post(f"/api/v1/audit/{entry_id}/revert")
    assert reverted.status_code == 200, reverted.text
    assert not (cluster.get(ROUTES, namespace, "au") or {})["metadata"].get("labels")
    actions = [
        e["action"]
        for e in api.get("/api/v1/audit", params={"namespace": namespace}).json()["entries"]
    ]
    assert actions == ["revert", "update", "create"]
    assert api.get("/api/v1/audit/999999999").status_code == 404
    assert api.get(f"/api/v1/audit/{2**70}").status_code == 422
