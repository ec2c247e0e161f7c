"""NetworkPolicy semantics (Kubernetes "Network Policies", networking.k8s.io/v1), one case
per rule of the documentation, each named after the sentence it checks."""

from __future__ import annotations

from typing import Any

import pytest

from ngf_console.gatewayapi.netpol import ContainerPort, PodRef, connection_verdict, pod_ref

GW = PodRef("infra", "gw-0", {"gateway.networking.k8s.io/gateway-name": "gw"}, ip="10.0.1.5")
WEB = PodRef("shop", "web-0", {"app": "web"}, ip="10.0.2.7", ports=(ContainerPort(8080, "http"),))
PORT = ContainerPort(8080, "http")
NS_LABELS = {"infra": {"team": "platform"}, "shop": {"team": "shop"}}
FROM_GW = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "infra"}},
    "podSelector": {"matchLabels": {"gateway.networking.k8s.io/gateway-name": "gw"}},
}


def policy(
    namespace: str = "shop",
    *,
    select: dict[str, Any] | None = None,
    ingress: list[dict[str, Any]] | None = None,
    egress: list[dict[str, Any]] | None = None,
    types: list[str] | None = None,
    name: str = "p",
) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": select if select is not None else {}}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    if types is not None:
        spec["policyTypes"] = types
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


# (rule of the documentation, policies, ingress allowed at WEB, egress allowed at GW)
CASES: list[tuple[str, list[dict[str, Any]], bool | None, bool | None]] = [
    ("no policy selects a pod: it is not isolated, everything is allowed", [], True, True),
    (
        "a policy in another namespace does not isolate the pod",
        [policy("other", ingress=[])],
        True,
        True,
    ),
    (
        "an empty podSelector selects every pod of the namespace; no rules deny all",
        [policy(ingress=[])],
        False,
        True,
    ),
    (
        "policyTypes absent: Ingress is implied, Egress only with an egress section",
        [policy(egress=[])],
        False,
        True,
    ),
    (
        "policyTypes [Egress] only: ingress is not isolated",
        [policy(types=["Egress"])],
        True,
        True,
    ),
    (
        "a podSelector that does not select the pod leaves it unisolated",
        [policy(select={"matchLabels": {"app": "db"}}, ingress=[])],
        True,
        True,
    ),
    ("a rule with no from admits every source", [policy(ingress=[{}])], True, True),
    (
        "namespaceSelector and podSelector in one peer: selected pods of selected namespaces",
        [policy(ingress=[{"from": [FROM_GW]}])],
        True,
        True,
    ),
    (
        "podSelector alone selects pods of the policy's own namespace only",
        [policy(ingress=[{"from": [{"podSelector": FROM_GW["podSelector"]}]}])],
        False,
        True,
    ),
    (
        "namespaceSelector by label of the source namespace",
        [
            policy(
                ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "platform"}}}]}]
            )
        ],
        True,
        True,
    ),
    (
        "matchExpressions NotIn excludes the source namespace",
        [
            policy(
                ingress=[
                    {
                        "from": [
                            {
                                "namespaceSelector": {
                                    "matchExpressions": [
                                        {"key": "team", "operator": "NotIn", "values": ["platform"]}
                                    ]
                                }
                            }
                        ]
                    }
                ]
            )
        ],
        False,
        True,
    ),
    (
        "ipBlock admits a CIDR containing the source IP",
        [policy(ingress=[{"from": [{"ipBlock": {"cidr": "10.0.1.0/24"}}]}])],
        True,
        True,
    ),
    (
        "ipBlock except carves the source IP out",
        [
            policy(
                ingress=[
                    {"from": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.1.0/24"]}}]}
                ]
            )
        ],
        False,
        True,
    ),
    (
        "ports restrict the rule: another port is not admitted",
        [policy(ingress=[{"ports": [{"port": 9090}]}])],
        False,
        True,
    ),
    (
        "a named port refers to the destination pod's container port name",
        [policy(ingress=[{"ports": [{"port": "http"}]}])],
        True,
        True,
    ),
    (
        "endPort makes a range",
        [policy(ingress=[{"ports": [{"port": 8000, "endPort": 8100}]}])],
        True,
        True,
    ),
    (
        "the protocol defaults to TCP: a UDP-only rule does not admit TCP",
        [policy(ingress=[{"ports": [{"port": 8080, "protocol": "UDP"}]}])],
        False,
        True,
    ),
    (
        "policies are additive: one admitting policy is enough",
        [policy(ingress=[], name="deny"), policy(ingress=[{"from": [FROM_GW]}], name="allow")],
        True,
        True,
    ),
    (
        "egress isolation at the source: no egress rule denies the connection",
        [policy("infra", types=["Egress"])],
        True,
        False,
    ),
    (
        "an egress rule to the backend namespace and port admits it",
        [
            policy(
                "infra",
                egress=[
                    {
                        "to": [{"namespaceSelector": {"matchLabels": {"team": "shop"}}}],
                        "ports": [{"port": 8080}],
                    }
                ],
            )
        ],
        True,
        True,
    ),
]


@pytest.mark.parametrize(
    ("rule", "policies", "ingress", "egress"), CASES, ids=[c[0] for c in CASES]
)
def test_connection_verdicts(
    rule: str, policies: list[dict[str, Any]], ingress: bool | None, egress: bool | None
) -> None:
    out, into = connection_verdict(policies, GW, WEB, PORT, NS_LABELS)
    assert (into.allowed, out.allowed) == (ingress, egress), rule
    if into.allowed is False:
        assert into.isolating and into.allowed_by is None


def test_ip_block_without_the_source_ip_is_not_judged() -> None:
    no_ip = PodRef("infra", "gw-0", GW.labels)
    policies = [policy(ingress=[{"from": [{"ipBlock": {"cidr": "10.0.1.0/24"}}]}])]
    _, into = connection_verdict(policies, no_ip, WEB, PORT, NS_LABELS)
    assert into.allowed is None
    assert "IP, which is unknown" in into.unjudged[0]


def test_namespace_selector_without_namespace_labels_uses_the_name_label_only() -> None:
    by_name = [policy(ingress=[{"from": [FROM_GW]}])]
    assert connection_verdict(by_name, GW, WEB, PORT, None)[1].allowed is True
    by_team = [
        policy(ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "platform"}}}]}])
    ]
    verdict = connection_verdict(by_team, GW, WEB, PORT, None)[1]
    assert verdict.allowed is None and "labels" in verdict.unjudged[0]


def test_pod_ref_reads_labels_ip_and_container_ports() -> None:
    pod = {
        "metadata": {"name": "web-0", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080, "name": "http"}]}]},
        "status": {"podIP": "10.0.2.7"},
    }
    ref = pod_ref(pod)
    assert (ref.label, ref.ip, ref.ports) == (
        "shop/web-0",
        "10.0.2.7",
        (ContainerPort(8080, "http"),),
    )
