"""Diagnostics on the real control plane: deliberately broken setups, each diagnosed by the
right route check with its remediation; simulate (JSON and curl), trace, policy conflicts and
effective policy, traffic-split weights. The test plays the gateway controller where a
check reads status (Gateway ``Programmed``, route ``Accepted``), as NGF would write them."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import running_api, settings_for, until
from lightkube import Client, codecs
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace
from operator_harness import accepted, patch_status
from test_api_resources import new_certificate, tls_secret
from test_api_topology import issuer  # noqa: F401  (the OIDC issuer fixture)

from auth_oidc_issuer import AUDIENCE, Issuer
from ngf_console.api.auth import AuthSettings

GW = "gateway.networking.k8s.io"
CONTROLLER = "gateway.nginx.org/nginx-gateway-controller"
Report = dict[str, Any]


@pytest.fixture(scope="module")
def api(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("api-db") / "console.db"
    # The trace and the traffic split open the analytics store (chDB) on first use: slow.
    with (
        running_api(settings_for(kubeconfig, db)) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        yield client


@pytest.fixture
def other_namespace(kube: Client) -> Iterator[str]:
    """A second namespace for cross-namespace setups."""
    name = f"t-diag-other-{secrets.token_hex(3)}"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"ngf-console/test": "true"})))
    yield name
    kube.delete(Namespace, name)


def _create(kube: Client, *docs: dict[str, Any]) -> None:
    for doc in docs:
        kube.create(codecs.from_dict(doc))


def gateway_doc(namespace: str, allowed_from: str = "Same") -> dict[str, Any]:
    allowed = {"namespaces": {"from": allowed_from}}
    return {
        "apiVersion": f"{GW}/v1",
        "kind": "Gateway",
        "metadata": {"name": "gw", "namespace": namespace},
        "spec": {
            "gatewayClassName": "nginx",
            "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP", "allowedRoutes": allowed},
                {
                    "name": "https",
                    "allowedRoutes": allowed,
                    "port": 443,
                    "protocol": "HTTPS",
                    "hostname": "app.example.com",
                    "tls": {"mode": "Terminate", "certificateRefs": [{"name": "site-tls"}]},
                },
            ],
        },
    }


def service_doc(namespace: str, name: str = "web", app: str = "web") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": {"app": app}, "ports": [{"port": 80}]},
    }


def pod_doc(namespace: str, name: str = "web-0", app: str = "web") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": app}},
        "spec": {"containers": [{"name": "web", "image": "registry.invalid/web:1"}]},
    }


def route_doc(
    namespace: str,
    name: str = "app",
    *,
    parent: dict[str, Any] | None = None,
    hostnames: list[str] | None = None,
    backends: list[dict[str, Any]] | None = None,
    path: str = "/api",
) -> dict[str, Any]:
    return {
        "apiVersion": f"{GW}/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "parentRefs": [parent or {"name": "gw"}],
            "hostnames": hostnames if hostnames is not None else ["app.example.com"],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": path}}],
                    "backendRefs": backends or [{"name": "web", "port": 80}],
                }
            ],
        },
    }


def build_base(
    kube: Client, namespace: str, *, cert_days: int = 90, allowed_from: str = "Same"
) -> None:
    """A programmed Gateway (HTTP + HTTPS), Service web with a pod, the listener's cert."""
    cert, key = new_certificate(
        "app.example.com", ["app.example.com"], cert_days, issued_days_ago=30
    )
    _create(
        kube,
        gateway_doc(namespace, allowed_from),
        service_doc(namespace),
        pod_doc(namespace),
        tls_secret(namespace, "site-tls", cert, key),
    )
    patch_status(
        kube,
        f"{GW}/v1",
        "Gateway",
        "gw",
        namespace,
        {"conditions": [accepted(), accepted("Programmed", reason="Programmed")]},
    )


def play_route_status(
    kube: Client,
    namespace: str,
    name: str,
    *,
    gateway_namespace: str | None = None,
    reason: str = "Accepted",
    section: str | None = None,
) -> None:
    """Write what NGF would: Accepted (True, or False with ``reason``) and ResolvedRefs."""
    ok = reason == "Accepted"
    ref: dict[str, Any] = {
        "group": GW,
        "kind": "Gateway",
        "name": "gw",
        "namespace": gateway_namespace or namespace,
    }
    if section:
        ref["sectionName"] = section
    conditions = [
        accepted("Accepted", "True" if ok else "False", reason),
        accepted("ResolvedRefs", reason="ResolvedRefs"),
    ]
    status = {
        "parents": [{"parentRef": ref, "controllerName": CONTROLLER, "conditions": conditions}]
    }
    patch_status(kube, f"{GW}/v1", "HTTPRoute", name, namespace, status)


def diagnose(
    api: httpx.Client,
    namespace: str,
    name: str,
    ready: Callable[[Report], bool],
    what: str,
) -> Report:
    """The route check, polled until ``ready`` holds (the cache catches up)."""
    last: dict[str, Any] = {}

    def attempt() -> Report | None:
        response = api.get(
            "/api/v1/diagnostics/route-check", params={"namespace": namespace, "name": name}
        )
        last["body"] = response.text
        if response.status_code != 200:
            return None
        body: Report = response.json()
        return body if ready(body) else None

    try:
        return until(attempt, timeout=30, what=what)
    except AssertionError as err:
        raise AssertionError(f"{err}; last answer: {last.get('body')}") from None


def check(report: Report, ident: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == ident)


def is_(ident: str, status: str) -> Callable[[Report], bool]:
    return lambda r: check(r, ident)["status"] == status


def test_healthy_route_passes_and_simulates_as_json_curl_and_trace(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    build_base(kube, namespace)
    _create(kube, route_doc(namespace))
    play_route_status(kube, namespace, "app")
    report = diagnose(api, namespace, "app", lambda r: r["status"] == "pass", "every check to pass")
    assert [(c["id"], c["status"]) for c in report["checks"]] == [
        ("route-status", "pass"),
        ("gateway-attachment", "pass"),
        ("listener-match", "pass"),
        ("route-precedence", "pass"),
        ("backend-health", "pass"),
        ("policy-blocks", "pass"),
        ("tls", "pass"),
        ("network-connectivity", "pass"),
    ]
    reach = " ".join(check(report, "network-connectivity")["evidence"])
    assert "1 ready endpoint(s) on port [80]" in reach, reach

    gateway = f"{namespace}/gw"
    body = {"host": "app.example.com", "path": "/api/users", "gateway": gateway}
    sim = api.post("/api/v1/routes/simulate", json=body)
    assert sim.status_code == 200, sim.text
    result = sim.json()
    assert result["outcome"] == "forwarded"
    assert (result["listener"], result["route"]["name"]) == ("http", "app")
    assert [(b["name"], b["share"]) for b in result["backends"]] == [("web", 1.0)]
    assert [c["passed"] for c in result["route"]["conditions"]] == [True]

    curl = "curl -sk -H 'X-Request-ID: abc123' https://app.example.com/api/orders"
    by_curl = api.post("/api/v1/routes/simulate", json={"curl": curl, "gateway": gateway}).json()
    assert (by_curl["listener"], by_curl["route"]["name"]) == ("https", "app")
    missed = api.post(
        "/api/v1/routes/simulate",
        json={"curl": "curl http://app.example.com/web", "gateway": gateway},
    ).json()
    assert (missed["outcome"], missed["status"]) == ("no-route", 404)

    bad = api.post("/api/v1/routes/simulate", json={"curl": "wget http://x/"})
    assert bad.status_code == 400
    assert bad.json()["detail"]["reason"] == "BadCurl"
    assert "must start with curl" in bad.json()["detail"]["message"]
    bad_port = api.post("/api/v1/routes/simulate", json={"curl": "curl http://x:99999/"})
    assert bad_port.status_code == 400 and "Port out of range" in bad_port.text
    mixed = api.post("/api/v1/routes/simulate", json={"curl": curl, "host": "x"})
    assert mixed.status_code == 400

    trace = api.post("/api/v1/diagnostics/trace", json={"curl": curl, "gateway": gateway}).json()
    assert [s["stage"] for s in trace["steps"]] == [
        "gateway",
        "listener",
        "route",
        "filters",
        "policies",
        "upstream",
        "response",
    ]
    assert trace["steps"][2]["summary"].startswith(f"HTTPRoute {namespace}/app rule 0")
    # The store is there and empty: looked up by the request's x-request-id, nothing found.
    assert trace["logs"]["matched_by"] == "request_id" and trace["logs"]["observed"] is None
    assert trace["logs"]["reason"] == "no access-log rows with this request id in the window"
    assert trace["logs"]["request_id"] == "abc123"


def test_wrong_section_name(api: httpx.Client, kube: Client, namespace: str) -> None:
    build_base(kube, namespace)
    _create(kube, route_doc(namespace, parent={"name": "gw", "sectionName": "htps"}))
    play_route_status(kube, namespace, "app", reason="NoMatchingParent", section="htps")
    report = diagnose(
        api, namespace, "app", is_("route-status", "fail"), "the controller's rejection"
    )
    assert "NoMatchingParent" in check(report, "route-status")["summary"]
    listener = check(report, "listener-match")
    assert listener["status"] == "fail"
    assert "sectionName 'htps' names no listener" in listener["remediation"]
    assert "[http, https]" in listener["remediation"]
    assert report["first_failure"] == "route-status"


def test_hostname_mismatch(api: httpx.Client, kube: Client, namespace: str) -> None:
    build_base(kube, namespace)
    doc = route_doc(
        namespace, parent={"name": "gw", "sectionName": "https"}, hostnames=["shop.example.org"]
    )
    _create(kube, doc)
    report = diagnose(api, namespace, "app", is_("listener-match", "fail"), "hostname mismatch")
    listener = check(report, "listener-match")
    assert "NoMatchingListenerHostname" in listener["summary"]
    assert "add a hostname matching app.example.com to spec.hostnames" in listener["remediation"]
    # no controller status: the predicted rejection is what check 1 reports
    assert "NoMatchingListenerHostname" in check(report, "route-status")["summary"]


def test_namespace_not_allowed(
    api: httpx.Client, kube: Client, namespace: str, other_namespace: str
) -> None:
    build_base(kube, namespace)
    _create(kube, route_doc(other_namespace, parent={"name": "gw", "namespace": namespace}))
    play_route_status(
        kube, other_namespace, "app", gateway_namespace=namespace, reason="NotAllowedByListeners"
    )
    report = diagnose(
        api, other_namespace, "app", is_("listener-match", "fail"), "namespace refused"
    )
    listener = check(report, "listener-match")
    assert "NotAllowedByListeners" in listener["summary"]
    assert f"does not allow routes from namespace {other_namespace}" in listener["remediation"]
    assert "allowedRoutes.namespaces.from to All" in listener["remediation"]
    assert "NotAllowedByListeners" in check(report, "route-status")["summary"]


def test_missing_service(api: httpx.Client, kube: Client, namespace: str) -> None:
    build_base(kube, namespace)
    _create(kube, route_doc(namespace, backends=[{"name": "nope", "port": 80}]))
    report = diagnose(api, namespace, "app", is_("backend-health", "fail"), "missing Service")
    backends = check(report, "backend-health")
    assert "BackendNotFound" in backends["summary"]
    assert f"Create Service {namespace}/nope" in backends["remediation"]


def test_missing_reference_grant_then_granted(
    api: httpx.Client, kube: Client, namespace: str, other_namespace: str
) -> None:
    build_base(kube, namespace)
    _create(
        kube,
        service_doc(other_namespace, "db", app="db"),
        route_doc(namespace, backends=[{"name": "db", "namespace": other_namespace, "port": 80}]),
    )
    report = diagnose(api, namespace, "app", is_("backend-health", "fail"), "RefNotPermitted")
    backends = check(report, "backend-health")
    assert "RefNotPermitted" in backends["summary"]
    assert f"Create a ReferenceGrant in namespace {other_namespace}" in backends["remediation"]
    assert f"kind: HTTPRoute, namespace: {namespace}" in backends["remediation"]

    grant = {
        "apiVersion": f"{GW}/v1beta1",
        "kind": "ReferenceGrant",
        "metadata": {"name": "routes-to-db", "namespace": other_namespace},
        "spec": {
            "from": [{"group": GW, "kind": "HTTPRoute", "namespace": namespace}],
            "to": [{"group": "", "kind": "Service"}],
        },
    }
    _create(kube, grant)
    # The table is rebuilt when the cache moves: the grant resolves the reference, and the
    # next problem (no pods behind db) is what the check names now.
    after = diagnose(
        api,
        namespace,
        "app",
        lambda r: "RefNotPermitted" not in check(r, "backend-health")["summary"],
        "the grant to be seen",
    )
    assert "selects no pods" in check(after, "backend-health")["summary"]


def test_expired_certificate_on_the_listener(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    build_base(kube, namespace, cert_days=-2)
    _create(kube, route_doc(namespace))
    report = diagnose(api, namespace, "app", is_("tls", "fail"), "expired certificate")
    tls = check(report, "tls")
    assert "listener https" in tls["summary"] and "expired on" in tls["summary"]
    assert f"Renew the certificate in Secret {namespace}/site-tls" in tls["remediation"]


def test_shadowed_route(api: httpx.Client, kube: Client, namespace: str) -> None:
    build_base(kube, namespace)
    _create(kube, route_doc(namespace, "first"))
    time.sleep(1.1)  # creationTimestamp has one-second resolution
    _create(kube, route_doc(namespace, "second"))
    report = diagnose(api, namespace, "second", is_("route-precedence", "fail"), "shadowing")
    precedence = check(report, "route-precedence")
    assert f"HTTPRoute {namespace}/first rule 0 wins" in precedence["remediation"]
    assert "oldest route by creationTimestamp" in precedence["remediation"]
    first = diagnose(api, namespace, "first", lambda r: True, "the older route")
    assert check(first, "route-precedence")["status"] == "pass"


def test_policy_conflicts_and_effective_policy(
    api: httpx.Client, kube: Client, namespace: str
) -> None:
    build_base(kube, namespace)
    _create(kube, route_doc(namespace))

    def csp(name: str, size: str) -> dict[str, Any]:
        return {
            "apiVersion": "gateway.nginx.org/v1alpha1",
            "kind": "ClientSettingsPolicy",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "targetRef": {"group": GW, "kind": "Gateway", "name": "gw"},
                "body": {"maxSize": size},
            },
        }

    _create(kube, csp("older", "10m"))
    time.sleep(1.1)
    _create(kube, csp("newer", "1m"))

    def conflicts() -> list[dict[str, Any]] | None:
        response = api.get("/api/v1/policies/conflicts", params={"namespace": namespace})
        assert response.status_code == 200, response.text
        return response.json()["conflicts"] or None

    [conflict] = until(conflicts, what="the conflict")
    assert conflict["kind"] == "ClientSettingsPolicy"
    assert conflict["winner"]["name"] == "older"
    assert [p["name"] for p in conflict["losers"]] == ["newer"]
    assert conflict["fields"] == ["body"]
    assert "oldest creationTimestamp wins" in conflict["rule"]

    effective = api.get(
        "/api/v1/policies/effective",
        params={"kind": "HTTPRoute", "namespace": namespace, "name": "app"},
    )
    assert effective.status_code == 200, effective.text
    scopes = effective.json()["scopes"]
    assert {(s["gateway"], s["listener"]) for s in scopes} == {
        (f"{namespace}/gw", "http"),
        (f"{namespace}/gw", "https"),
    }
    settings = {s["setting"]: s for s in scopes[0]["effective"]["settings"]}
    assert settings["body.maxSize"]["value"] == "10m"
    assert settings["body.maxSize"]["winner"]["name"] == "older"
    statuses = {p["policy"]["name"]: p["status"] for p in scopes[0]["effective"]["policies"]}
    assert statuses == {"older": "active", "newer": "conflicted"}
    gateway_view = api.get(
        "/api/v1/policies/effective",
        params={"kind": "Gateway", "namespace": namespace, "name": "gw"},
    ).json()
    assert [s["listener"] for s in gateway_view["scopes"]] == [None, "http", "https"]
    missing = api.get(
        "/api/v1/policies/effective",
        params={"kind": "Gateway", "namespace": namespace, "name": "x"},
    )
    assert missing.status_code == 404

    report = diagnose(api, namespace, "app", is_("policy-blocks", "warn"), "the conflict")
    assert "ClientSettingsPolicy" in check(report, "policy-blocks")["summary"]
    assert "Conflicted" in check(report, "policy-blocks")["summary"]


def test_traffic_split_weights(api: httpx.Client, kube: Client, namespace: str) -> None:
    build_base(kube, namespace)
    backends = [
        {"name": "web", "port": 80, "weight": 80},
        {"name": "canary", "port": 80, "weight": 20},
    ]
    _create(
        kube,
        service_doc(namespace, "canary", app="canary"),
        route_doc(namespace, backends=backends),
    )

    def split() -> dict[str, Any] | None:
        response = api.get("/api/v1/traffic-split", params={"namespace": namespace, "name": "app"})
        return response.json() if response.status_code == 200 else None

    body = until(split, what="the route in the cache")
    [rule] = body["rules"]
    assert [(b["name"], b["weight"], b["share"]) for b in rule["backends"]] == [
        ("web", 80, 0.8),
        ("canary", 20, 0.2),
    ]
    assert rule["status_without_forwarding"] is None
    assert body["observed"]["total_requests"] == 0
    assert body["observed_reason"] == "no access-log rows for the route in the window"
    by_alias = api.get("/api/v1/traffic-split", params={"namespace": namespace, "route": "app"})
    assert by_alias.json()["rules"] == body["rules"]
    unknown = api.get("/api/v1/traffic-split", params={"namespace": namespace, "name": "nope"})
    assert unknown.status_code == 404
    route_check = api.get(
        "/api/v1/diagnostics/route-check", params={"namespace": namespace, "name": "nope"}
    )
    assert route_check.status_code == 404


def test_namespace_bound_caller_learns_nothing_of_other_namespaces(
    kubeconfig: Path,
    tmp_path: Path,
    issuer: Issuer,  # noqa: F811
    kube: Client,
    namespace: str,
    other_namespace: str,
) -> None:
    build_base(kube, namespace, allowed_from="All")
    theirs = route_doc(other_namespace, "theirs", parent={"name": "gw", "namespace": namespace})
    _create(kube, theirs)
    time.sleep(1.1)
    _create(kube, route_doc(namespace, "mine"))
    auth = AuthSettings.from_yaml(
        f"""
auth:
  mode: oidc
  oidc:
    issuer: {issuer.url}
    audience: {AUDIENCE}
    role_bindings:
      - {{group: team, role: viewer, namespaces: [{namespace}]}}
      - {{group: admins, role: admin, namespaces: ["*"]}}
"""
    )
    team = {"Authorization": f"Bearer {issuer.token(groups=['team'])}"}
    admin = {"Authorization": f"Bearer {issuer.token(groups=['admins'])}"}
    body = {"host": "app.example.com", "path": "/api", "gateway": f"{namespace}/gw"}
    settings = settings_for(kubeconfig, tmp_path / "console.db", auth=auth)
    with running_api(settings) as url, httpx.Client(base_url=url) as client:

        def shadowed(headers: dict[str, str]) -> Report | None:
            response = client.get(
                "/api/v1/diagnostics/route-check",
                params={"namespace": namespace, "name": "mine"},
                headers=headers,
            )
            assert response.status_code == 200, response.text
            report: Report = response.json()
            return report if check(report, "route-precedence")["status"] == "fail" else None

        seen_by_admin = until(lambda: shadowed(admin), what="the shadowing route")
        assert (
            f"{other_namespace}/theirs" in check(seen_by_admin, "route-precedence")["remediation"]
        )
        seen_by_team = shadowed(team)
        assert seen_by_team is not None
        text = str(seen_by_team)
        assert other_namespace not in text
        assert "namespace you cannot read" in check(seen_by_team, "route-precedence")["remediation"]

        assert client.post("/api/v1/routes/simulate", json=body, headers=team).status_code == 403
        assert client.post("/api/v1/diagnostics/trace", json=body, headers=team).status_code == 403
        as_admin = client.post("/api/v1/routes/simulate", json=body, headers=admin).json()
        assert (as_admin["route"]["namespace"], as_admin["route"]["name"]) == (
            other_namespace,
            "theirs",
        )
        other = {"namespace": other_namespace, "name": "theirs"}
        refused = client.get("/api/v1/diagnostics/route-check", params=other, headers=team)
        assert refused.status_code == 403
        split = client.get("/api/v1/traffic-split", params=other, headers=team)
        assert split.status_code == 403
