"""Route check 8 (spec §3.7.1 "Network connectivity") as a static analysis: targetPort,
ready EndpointSlice endpoints, NetworkPolicies between the data plane and the backends."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from gatewayapi_factories import backend, gateway, listener, parent, route, rule
from ngf_console.gatewayapi import RoutingTable
from ngf_console.gatewayapi.reachability import ReachabilityInputs, check_reachability
from ngf_console.gatewayapi.route_check import CheckResult, check_route
from ngf_console.readmodel.snapshot import ClusterSnapshot

Obj = dict[str, Any]
DP_LABEL = "gateway.networking.k8s.io/gateway-name"
NS_LABELS = {"infra": {"team": "platform"}, "default": {"team": "shop"}}


def pod(name: str, namespace: str, labels: dict[str, str], ports: list[Obj], ip: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"containers": [{"name": "c", "ports": ports}]},
        "status": {
            "phase": "Running",
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }


def endpoint_slice(ready: bool = True, port: int = 8080) -> Obj:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": "svc-abcde",
            "namespace": "default",
            "labels": {"kubernetes.io/service-name": "svc"},
        },
        "ports": [{"name": "", "port": port, "protocol": "TCP"}],
        "endpoints": [
            {
                "addresses": ["10.0.2.7"],
                "conditions": {"ready": ready},
                "targetRef": {"kind": "Pod", "name": "web-1", "namespace": "default"},
            }
        ],
    }


def netpol(namespace: str, spec: Obj, name: str = "np") -> Obj:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def scene() -> dict[str, Any]:
    """A Gateway in infra with its data-plane pod; a route in default to Service svc:80 ->
    targetPort 8080 on pod web-1, published in an EndpointSlice; no NetworkPolicies."""
    return {
        "gw": gateway(namespace="infra", listeners=[listener(allowed_from="All")]),
        "dp": pod("gw-nginx-0", "infra", {DP_LABEL: "gw"}, [], "10.0.1.5"),
        "route": route(
            "app",
            parents=[parent(namespace="infra")],
            rules=[rule(backends=[backend("svc")])],
        ),
        "svc": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "svc", "namespace": "default"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
        },
        "web": pod("web-1", "default", {"app": "web"}, [{"containerPort": 8080}], "10.0.2.7"),
        "slices": [endpoint_slice()],
        "policies": [],
    }


def run(s: dict[str, Any]) -> CheckResult:
    objs = [v for k, v in s.items() if k not in ("slices", "policies") and v is not None]
    table = RoutingTable(ClusterSnapshot.from_objects(objs), NS_LABELS)
    inputs = ReachabilityInputs(s["slices"], s["policies"], {"EndpointSlice": "not synced"})
    return check_reachability(table, table.attachments[("HTTPRoute", "default", "app")], inputs)


def text(r: CheckResult) -> str:
    return " ".join([r.summary, r.remediation or "", *r.evidence])


def test_reachable_backend_passes_with_its_evidence() -> None:
    result = run(scene())
    assert result.status == "pass", result
    assert result.remediation is None
    joined = text(result)
    assert "1 ready endpoint(s) on port [8080]" in joined
    assert f"label {DP_LABEL}=gw" in joined
    assert "no NetworkPolicy refuses the data plane" in joined


def test_route_check_without_inputs_skips_check_8() -> None:
    s = scene()
    objs = [v for k, v in s.items() if k not in ("slices", "policies")]
    table = RoutingTable(ClusterSnapshot.from_objects(objs), NS_LABELS)
    report = check_route(table, "HTTPRoute", "default", "app")
    assert report.checks[7].status == "skip"
    with_inputs = check_route(
        table,
        "HTTPRoute",
        "default",
        "app",
        reachability=ReachabilityInputs([endpoint_slice()], []),
    )
    assert with_inputs.checks[7].status == "pass"


def _deny_ingress(s: dict[str, Any]) -> None:
    s["policies"] = [netpol("default", {"podSelector": {"matchLabels": {"app": "web"}}})]


def _allow_gateway(s: dict[str, Any]) -> None:
    peer = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "infra"}},
        "podSelector": {"matchLabels": {DP_LABEL: "gw"}},
    }
    s["policies"] = [
        netpol("default", {"podSelector": {}}, "deny-all"),
        netpol(
            "default",
            {"podSelector": {}, "ingress": [{"from": [peer], "ports": [{"port": 8080}]}]},
            "allow-gw",
        ),
    ]


def _deny_egress(s: dict[str, Any]) -> None:
    s["policies"] = [netpol("infra", {"podSelector": {}, "policyTypes": ["Egress"]})]


def _no_data_plane(s: dict[str, Any]) -> None:
    _deny_ingress(s)
    s["dp"] = None


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda s: s.__setitem__(key, value)


def _target(value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(s: dict[str, Any]) -> None:
        s["svc"]["spec"]["ports"][0]["targetPort"] = value

    return apply


def _weight_zero_blocked(s: dict[str, Any]) -> None:
    _deny_ingress(s)
    s["route"]["spec"]["rules"][0]["backendRefs"][0]["weight"] = 0


# (case, mutation, status, words the summary/remediation/evidence must contain)
CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, list[str]]] = [
    ("endpoint-slices-not-in-cache", _set("slices", None), "warn", ["not judged", "not synced"]),
    ("policies-not-in-cache", _set("policies", None), "warn", ["NetworkPolicies not judged"]),
    ("endpoint-not-ready", _set("slices", [endpoint_slice(ready=False)]), "fail", ["none ready"]),
    ("no-slice-no-pod", lambda s: s.update(slices=[], web=None), "fail", ["no EndpointSlice"]),
    ("no-slice-yet-for-ready-pods", _set("slices", []), "warn", ["EndpointSlice controller"]),
    ("named-target-port-missing", _target("http"), "fail", ["no container port named 'http'"]),
    ("numeric-target-port-undeclared", _target(9090), "warn", ["declare ports [8080], not 9090"]),
    (
        "ingress-denied",
        _deny_ingress,
        "fail",
        [
            "refused by default/np",
            "ingress rule",
            f"{DP_LABEL}: gw",
            "kubernetes.io/metadata.name: infra",
        ],
    ),
    ("ingress-admitted-by-rule", _allow_gateway, "pass", ["ingress admitted by default/allow-gw"]),
    ("egress-denied", _deny_egress, "fail", ["egress", "refused by infra/np", "egress rule"]),
    ("assumed-data-plane", _no_data_plane, "warn", ["none running; assumed labels"]),
    ("weight-zero-backend-blocked", _weight_zero_blocked, "warn", ["refused by default/np"]),
]


@pytest.mark.parametrize(("case", "mutate", "status", "words"), CASES, ids=[c[0] for c in CASES])
def test_reachability_cases(
    case: str, mutate: Callable[[dict[str, Any]], None], status: str, words: list[str]
) -> None:
    s = copy.deepcopy(scene())
    mutate(s)
    result = run(s)
    assert result.status == status, (case, result)
    for word in words:
        assert word in text(result), (case, word, result)
    if status in ("warn", "fail"):
        assert result.remediation


def test_inference_pool_backend_and_its_endpoint_picker() -> None:
    s = scene()
    s["route"]["spec"]["rules"][0]["backendRefs"] = [
        {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "pool"}
    ]
    s["pool"] = {
        "apiVersion": "inference.networking.k8s.io/v1",
        "kind": "InferencePool",
        "metadata": {"name": "pool", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "targetPorts": [{"number": 8080}],
            "endpointPickerRef": {"name": "svc", "port": {"number": 80}},
        },
    }
    result = run(s)
    assert result.status == "pass", result
    assert "1 ready model-server pod(s) on port 8080" in text(result)
    _deny_ingress(s)
    blocked = run(s)
    assert blocked.status == "fail" and "InferencePool default/pool" in blocked.summary


def test_policies_and_pods_of_unreadable_namespaces_are_not_named() -> None:
    s = scene()
    _deny_egress(s)  # a policy in the Gateway's namespace, infra
    objs = [v for k, v in s.items() if k not in ("slices", "policies") and v is not None]
    table = RoutingTable(ClusterSnapshot.from_objects(objs), NS_LABELS)
    attachment = table.attachments[("HTTPRoute", "default", "app")]
    inputs = ReachabilityInputs(s["slices"], s["policies"])
    hidden = check_reachability(table, attachment, inputs, lambda ns: ns == "default")
    assert hidden.status == "fail"
    assert "refused by a NetworkPolicy in a namespace you cannot read" in hidden.summary
    assert "a data-plane pod of Gateway infra/gw -> default/web-1:8080" in hidden.summary
    assert "infra/np" not in text(hidden) and "gw-nginx-0" not in text(hidden)


def test_data_plane_of_ngf_1_is_the_shared_pod_with_an_nginx_container() -> None:
    s = scene()
    s["dp"] = None
    # NGF 2.x control plane: the same name label, no data plane: not a source.
    control = pod(
        "ngf-0", "nginx-gateway", {"app.kubernetes.io/name": "nginx-gateway-fabric"}, [], "10.0.9.1"
    )
    s["control"] = control
    assert "none running; assumed labels" in text(run(s))
    # NGF 1.x: controller and nginx in one pod, serving every Gateway.
    v1 = copy.deepcopy(control)
    v1["metadata"]["name"] = "ngf1-0"
    v1["spec"]["containers"].append({"name": "nginx", "ports": []})
    s["v1"] = v1
    assert "NGF 1.x pods" in text(run(s))
