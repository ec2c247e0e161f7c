"""The topology graph (readmodel/topology.py) and the snapshot it is built from."""

from __future__ import annotations

from typing import Any

from ngf_console.readmodel.snapshot import ClusterSnapshot
from ngf_console.readmodel.topology import (
    TopologyGraph,
    build_topology,
    gateway_subgraph,
    listener_id,
    node_id,
)
from readmodel_factories import (
    backend,
    cond,
    gateway,
    gateway_class,
    inference_pool_v1,
    inference_pool_v1alpha2,
    listener,
    owned_by,
    parent,
    parent_ref,
    pod,
    policy,
    pool_parent,
    reference_grant,
    route,
    service,
)

GW = "gateway.networking.k8s.io"
INF = "inference.networking.k8s.io"


def edges(graph: TopologyGraph, kind: str | None = None) -> set[tuple[str, str, str]]:
    return {(e.kind, e.source, e.target) for e in graph.edges if kind is None or e.kind == kind}


def nodes(graph: TopologyGraph) -> dict[str, Any]:
    return {n.id: n for n in graph.nodes}


def stack_world() -> ClusterSnapshot:
    """An InferenceStack on a GatewayBundle's Gateway, plus an unrelated Gateway."""
    bundle = parent("GatewayBundle", "edge", "infra")
    stack = parent(
        "InferenceStack",
        "llama",
        "ml",
        spec={"gateway": {"gatewayRef": {"name": "edge", "namespace": "infra"}}},
    )
    edge = gateway(
        "edge",
        "infra",
        owner=bundle,
        listeners=[
            listener("http", 80, allowed_from="All"),
            listener("https", 443, "HTTPS", cert="edge-tls", allowed_from="All"),
        ],
        conditions=[cond("Accepted"), cond("Programmed")],
        listener_status={"http": {"conditions": [cond("Accepted"), cond("Programmed")]}},
    )
    edge["spec"]["infrastructure"] = {
        "parametersRef": {"group": "gateway.nginx.org", "kind": "NginxProxy", "name": "edge-proxy"}
    }
    other = gateway("other", "infra", class_name="nginx")
    stack_route = route(
        "llama-route",
        "ml",
        owner=stack,
        parents=[parent_ref("edge", "infra", section="http")],
        backends=[backend("llama-pool", group=INF, kind="InferencePool", port=None)],
        status_parents=[parent_ref("edge", "infra", section="http")],
    )
    pool = inference_pool_v1(
        "llama-pool",
        "ml",
        selector={"app": "llama"},
        picker="llama-epp",
        parents=[pool_parent("edge", "infra")],
        owner=stack,
    )
    epp = service("llama-epp", "ml", selector={"app": "llama-epp"}, owner=stack)
    pods = [
        pod(f"llama-{i}", "ml", labels={"app": "llama", "pod-template-hash": "x"}) for i in range(3)
    ]
    pods.append(pod("llama-epp-0", "ml", labels={"app": "llama-epp"}))
    pods[0]["metadata"]["labels"] |= owned_by(stack)["labels"]  # pod templates carry them too
    web = route("web", "infra", parents=[parent_ref("other")], backends=[backend("web")])
    return ClusterSnapshot(
        gatewayclasses=[gateway_class("nginx")],
        gateways=[edge, other],
        httproutes=[stack_route, web],
        services=[epp, service("web", "infra", selector={"app": "web"})],
        pods=[*pods, pod("web-0", "infra", labels={"app": "web"}, ready=False)],
        inferencepools=[pool],
        policies=[
            policy(
                "ClientSettingsPolicy",
                "edge-csp",
                "infra",
                target={"group": GW, "kind": "Gateway", "name": "edge"},
            ),
            policy("NginxProxy", "edge-proxy", "infra", api_version="gateway.nginx.org/v1alpha2"),
        ],
        parents=[bundle, stack],
    )


def test_full_graph_chain_from_class_to_pods() -> None:
    graph = build_topology(stack_world())
    by_id = nodes(graph)
    gw, pool = node_id("Gateway", "infra", "edge"), node_id("InferencePool", "ml", "llama-pool")
    http = listener_id("infra", "edge", "http")
    rid = node_id("HTTPRoute", "ml", "llama-route")
    epp = node_id("Service", "ml", "llama-epp")
    assert {
        ("implements", "GatewayClass//nginx", gw),
        ("has-listener", gw, http),
        ("has-listener", gw, listener_id("infra", "edge", "https")),
        ("attaches", http, rid),
        ("routes-to", rid, pool),
        ("selects", pool, "Pod/ml/llama-0"),
        ("selects", pool, "Pod/ml/llama-2"),
        ("endpoint-picker", pool, epp),
        ("selects", epp, "Pod/ml/llama-epp-0"),
        ("parameters", gw, "NginxProxy/infra/edge-proxy"),
        ("targets", "ClientSettingsPolicy/infra/edge-csp", gw),
        ("owns", "GatewayBundle/infra/edge", gw),
        ("owns", "InferenceStack/ml/llama", rid),
        ("owns", "InferenceStack/ml/llama", pool),
        ("owns", "InferenceStack/ml/llama", epp),
    } <= edges(graph)
    # The route attached to http only (sectionName), not https.
    assert ("attaches", listener_id("infra", "edge", "https"), rid) not in edges(graph)
    # Pods are linked by selection, never by the parent labels their template carries.
    assert not any(e.kind == "owns" and e.target.startswith("Pod/") for e in graph.edges)
    assert by_id[http].kind == "Listener" and by_id[http].label == "http HTTP:80"
    assert by_id[pool].data["ready_pods"] == 3 and by_id[pool].status == "healthy"
    assert by_id[gw].status == "healthy"
    assert by_id["InferenceStack/ml/llama"].status == "healthy"
    assert not any(n.data.get("missing") for n in graph.nodes)


def test_ids_are_unique_and_deterministic() -> None:
    first, second = build_topology(stack_world()), build_topology(stack_world())
    ids = [n.id for n in first.nodes]
    assert len(ids) == len(set(ids))
    assert len({e.id for e in first.edges}) == len(first.edges)
    assert ids == [n.id for n in second.nodes]
    assert [e.id for e in first.edges] == [e.id for e in second.edges]
    assert all(e.source in set(ids) and e.target in set(ids) for e in first.edges)


def test_per_gateway_graph_is_what_the_gateway_reaches() -> None:
    graph = build_topology(stack_world(), gateway=("infra", "edge"))
    ids = set(nodes(graph))
    assert graph.root == "Gateway/infra/edge"
    assert {
        "GatewayClass//nginx",
        "Gateway/infra/edge",
        "GatewayBundle/infra/edge",
        "HTTPRoute/ml/llama-route",
        "InferencePool/ml/llama-pool",
        "Pod/ml/llama-1",
        "Service/ml/llama-epp",
        "Pod/ml/llama-epp-0",
        "ClientSettingsPolicy/infra/edge-csp",
        "InferenceStack/ml/llama",
        "NginxProxy/infra/edge-proxy",
    } <= ids
    assert not ids & {
        "Gateway/infra/other",
        "HTTPRoute/infra/web",
        "Service/infra/web",
        "Pod/infra/web-0",
    }
    assert all(e.source in ids and e.target in ids for e in graph.edges)
    other = build_topology(stack_world(), gateway=("infra", "other"))
    assert {
        "Gateway/infra/other",
        "HTTPRoute/infra/web",
        "Pod/infra/web-0",
        "GatewayClass//nginx",
    } <= set(nodes(other))
    assert "Gateway/infra/edge" not in nodes(other)


def test_unknown_gateway_gives_an_empty_graph() -> None:
    graph = build_topology(stack_world(), gateway=("infra", "nope"))
    assert graph.nodes == [] and graph.edges == []


def test_missing_backends_and_parents_are_error_nodes() -> None:
    r = route(
        "r",
        parents=[parent_ref("ghost-gw")],
        backends=[backend("ghost-svc"), backend("ghost-pool", group=INF, kind="InferencePool")],
    )
    graph = build_topology(ClusterSnapshot(httproutes=[r]))
    by_id = nodes(graph)
    for nid in (
        "Service/default/ghost-svc",
        "InferencePool/default/ghost-pool",
        "Gateway/default/ghost-gw",
    ):
        assert by_id[nid].status == "error" and by_id[nid].data["missing"] is True
    assert ("attaches", "Gateway/default/ghost-gw", "HTTPRoute/default/r") in edges(graph)


def test_legacy_and_v1_pools_of_the_same_name_are_distinct_nodes() -> None:
    r = route(
        backends=[
            backend("p", group=INF, kind="InferencePool", port=None),
            backend("p", group="inference.networking.x-k8s.io", kind="InferencePool", port=None),
        ]
    )
    snapshot = ClusterSnapshot(
        gateways=[gateway()],
        httproutes=[r],
        inferencepools=[
            inference_pool_v1("p", selector={"v": "1"}),
            inference_pool_v1alpha2("p", selector={"v": "2"}),
        ],
        pods=[pod("one", labels={"v": "1"}), pod("two", labels={"v": "2"})],
    )
    graph = build_topology(snapshot)
    legacy = "InferencePool.inference.networking.x-k8s.io/default/p"
    assert {
        ("routes-to", "HTTPRoute/default/route", "InferencePool/default/p"),
        ("routes-to", "HTTPRoute/default/route", legacy),
        ("selects", "InferencePool/default/p", "Pod/default/one"),
        ("selects", legacy, "Pod/default/two"),
    } <= edges(graph)
    assert nodes(graph)[legacy].data["legacy"] is True and not nodes(graph)[legacy].data.get(
        "missing"
    )


def test_backend_defaults_are_core_service_in_the_routes_namespace() -> None:
    graph = build_topology(
        ClusterSnapshot(
            httproutes=[route("r", "apps", backends=[backend("svc", port=8080, weight=3)])],
            services=[service("svc", "apps")],
        )
    )
    [edge] = [e for e in graph.edges if e.kind == "routes-to"]
    assert edge.target == "Service/apps/svc" and edge.label == "port 8080, weight 3"
    assert "ref_not_permitted" not in edge.data


def test_cross_namespace_backend_needs_a_reference_grant() -> None:
    r = route("r", "apps", backends=[backend("db", namespace="data")])
    plain = build_topology(ClusterSnapshot(httproutes=[r], services=[service("db", "data")]))
    assert [e.data for e in plain.edges if e.kind == "routes-to"] == [{"ref_not_permitted": True}]
    grant = reference_grant("data", from_kind="HTTPRoute", from_namespace="apps", to_kind="Service")
    granted = build_topology(
        ClusterSnapshot(httproutes=[r], services=[service("db", "data")], referencegrants=[grant])
    )
    assert [e.data for e in granted.edges if e.kind == "routes-to"] == [{}]


def test_route_without_section_attaches_to_each_compatible_listener() -> None:
    gw = gateway(
        listeners=[listener("http", 80), listener("alt", 8080), listener("udp", 53, "UDP")]
    )
    graph = build_topology(
        ClusterSnapshot(
            gateways=[gw],
            httproutes=[route()],
            udproutes=[route("dns", kind="UDPRoute", backends=[])],
        )
    )
    attaches = edges(graph, "attaches")
    assert ("attaches", listener_id("default", "gw", "http"), "HTTPRoute/default/route") in attaches
    assert ("attaches", listener_id("default", "gw", "alt"), "HTTPRoute/default/route") in attaches
    assert ("attaches", listener_id("default", "gw", "udp"), "UDPRoute/default/dns") in attaches
    assert (
        "attaches",
        listener_id("default", "gw", "udp"),
        "HTTPRoute/default/route",
    ) not in attaches


def test_route_no_listener_admits_attaches_to_the_gateway_itself() -> None:
    gw = gateway(listeners=[listener("tcp", 5432, "TCP")])
    graph = build_topology(ClusterSnapshot(gateways=[gw], httproutes=[route()]))
    [edge] = [e for e in graph.edges if e.kind == "attaches"]
    assert (edge.source, edge.label) == ("Gateway/default/gw", "no matching listener")


def test_route_kinds_from_list_responses_without_kind() -> None:
    snapshot = ClusterSnapshot(
        gateways=[gateway(listeners=[listener("tls", 443, "TLS")])],
        tlsroutes=[route("t", kind="TLSRoute", with_kind=False)],
    )
    assert ("attaches", listener_id("default", "gw", "tls"), "TLSRoute/default/t") in edges(
        build_topology(snapshot)
    )


def test_policy_target_refs_sections_and_missing_targets() -> None:
    snapshot = ClusterSnapshot(
        gateways=[gateway(listeners=[listener("http", 80)])],
        httproutes=[route()],
        services=[service()],
        policies=[
            policy(
                "ObservabilityPolicy",
                "obs",
                targets=[
                    {"group": GW, "kind": "HTTPRoute", "name": "route"},
                    {"group": GW, "kind": "HTTPRoute", "name": "gone"},
                ],
                api_version="gateway.nginx.org/v1alpha2",
                ancestors=[{"ancestorRef": {"name": "gw"}, "conditions": [cond("Accepted")]}],
            ),
            policy(
                "ClientSettingsPolicy",
                "csp",
                target={"group": GW, "kind": "Gateway", "name": "gw", "sectionName": "http"},
            ),
            policy(
                "BackendTLSPolicy",
                "btls",
                targets=[{"group": "", "kind": "Service", "name": "svc"}],
                api_version=f"{GW}/v1",
                ancestors=[
                    {
                        "ancestorRef": {"name": "gw"},
                        "conditions": [cond("Accepted", "False", "Invalid")],
                    }
                ],
            ),
        ],
    )
    graph = build_topology(snapshot)
    assert {
        ("targets", "ObservabilityPolicy/default/obs", "HTTPRoute/default/route"),
        ("targets", "ObservabilityPolicy/default/obs", "HTTPRoute/default/gone"),
        ("targets", "ClientSettingsPolicy/default/csp", listener_id("default", "gw", "http")),
        ("targets", "BackendTLSPolicy/default/btls", "Service/default/svc"),
    } <= edges(graph)
    by_id = nodes(graph)
    assert by_id["HTTPRoute/default/gone"].data["missing"] is True
    assert by_id["ObservabilityPolicy/default/obs"].status == "healthy"
    assert by_id["BackendTLSPolicy/default/btls"].status == "error"
    assert by_id["ClientSettingsPolicy/default/csp"].status == "unknown"


def test_extension_ref_filters_link_to_their_objects() -> None:
    flt = {
        "type": "ExtensionRef",
        "extensionRef": {"group": "gateway.nginx.org", "kind": "SnippetsFilter", "name": "sf"},
    }
    snapshot = ClusterSnapshot(
        httproutes=[route(filters=[flt])], policies=[policy("SnippetsFilter", "sf")]
    )
    graph = build_topology(snapshot)
    assert ("uses-filter", "HTTPRoute/default/route", "SnippetsFilter/default/sf") in edges(graph)
    assert not nodes(graph)["SnippetsFilter/default/sf"].data.get("missing")


def test_pod_selection_respects_namespace_and_every_label() -> None:
    snapshot = ClusterSnapshot(
        services=[
            service("svc", "a", selector={"app": "x", "tier": "web"}),
            service("headless", "a"),
        ],
        pods=[
            pod("match", "a", labels={"app": "x", "tier": "web", "extra": "1"}),
            pod("partial", "a", labels={"app": "x"}),
            pod("other-ns", "b", labels={"app": "x", "tier": "web"}),
        ],
    )
    graph = build_topology(snapshot)
    assert edges(graph, "selects") == {("selects", "Service/a/svc", "Pod/a/match")}
    assert nodes(graph)["Service/a/headless"].status == "unknown"  # no selector


def test_statuses_of_pods_and_services() -> None:
    snapshot = ClusterSnapshot(
        services=[
            service("up", selector={"app": "up"}),
            service("down", selector={"app": "down"}),
            service("empty", selector={"app": "none"}),
        ],
        pods=[
            pod("ok", labels={"app": "up"}),
            pod("unready", labels={"app": "down"}, ready=False),
            pod("pending", phase="Pending", ready=False),
            pod("failed", phase="Failed", ready=False),
            pod("crash", ready=False, waiting="CrashLoopBackOff"),
            pod("done", phase="Succeeded", ready=False),
        ],
    )
    status = {n.id: n.status for n in build_topology(snapshot).nodes}
    assert status["Pod/default/ok"] == "healthy"
    assert status["Pod/default/unready"] == "degraded"
    assert status["Pod/default/pending"] == "degraded"
    assert status["Pod/default/failed"] == "error"
    assert status["Pod/default/crash"] == "error"
    assert status["Pod/default/done"] == "unknown"
    assert (
        status["Service/default/up"],
        status["Service/default/down"],
        status["Service/default/empty"],
    ) == (
        "healthy",
        "degraded",
        "degraded",
    )


def test_statuses_from_gateway_api_conditions() -> None:
    snapshot = ClusterSnapshot(
        gatewayclasses=[gateway_class("bad", accepted="False")],
        gateways=[gateway("g", class_name="bad", conditions=[cond("Accepted", "False")])],
        httproutes=[
            route("ok", status_parents=[parent_ref("g")]),
            route(
                "unresolved",
                status_parents=[
                    {
                        **parent_ref("g"),
                        "conditions": [cond("Accepted"), cond("ResolvedRefs", "False")],
                    }
                ],
            ),
            route(
                "half",
                parents=[parent_ref("g"), parent_ref("h")],
                status_parents=[
                    parent_ref("g"),
                    {**parent_ref("h"), "conditions": [cond("Accepted", "False")]},
                ],
            ),
            route("new"),
        ],
    )
    status = {n.id: n.status for n in build_topology(snapshot).nodes}
    assert status["GatewayClass//bad"] == "error"
    assert status["Gateway/default/g"] == "error"
    assert status["HTTPRoute/default/ok"] == "healthy"
    assert status["HTTPRoute/default/unresolved"] == "degraded"
    assert status["HTTPRoute/default/half"] == "degraded"
    assert status["HTTPRoute/default/new"] == "unknown"


def test_pool_status_combines_gateway_verdict_and_pods() -> None:
    rejected = inference_pool_v1(
        "rejected",
        selector={"app": "a"},
        parents=[pool_parent(conditions=[cond("Accepted", "False")])],
    )
    no_pods = inference_pool_v1("empty", selector={"app": "none"}, parents=[pool_parent()])
    unjudged = inference_pool_v1("new", selector={"app": "a"})
    snapshot = ClusterSnapshot(
        inferencepools=[rejected, no_pods, unjudged], pods=[pod("p", labels={"app": "a"})]
    )
    status = {n.id: n.status for n in build_topology(snapshot).nodes}
    assert status["InferencePool/default/rejected"] == "error"
    assert status["InferencePool/default/empty"] == "degraded"
    assert status["InferencePool/default/new"] == "healthy"


def test_parent_phases_map_to_statuses() -> None:
    parents = [
        parent("InferenceStack", "a", phase="Ready"),
        parent("InferenceStack", "b", phase="Degraded"),
        parent("GatewayBundle", "c", phase="Error"),
        parent("GatewayBundle", "d", phase="Provisioning"),
        parent("CertificateBundle", "e", phase="Expiring"),
        parent("DistributedCloudPublish", "f", phase="Published"),
        parent("MigrationPlan", "g", phase=None),
    ]
    status = {n.name: n.status for n in build_topology(ClusterSnapshot(parents=parents)).nodes}
    assert status == {
        "a": "healthy",
        "b": "degraded",
        "c": "error",
        "d": "unknown",
        "e": "degraded",
        "f": "healthy",
        "g": "unknown",
    }


def test_parent_owning_another_parent() -> None:
    stack = parent("InferenceStack", "llama")
    publish = parent("DistributedCloudPublish", "llama-xc")
    publish["metadata"] |= owned_by(stack)
    graph = build_topology(ClusterSnapshot(parents=[stack, publish]))
    assert edges(graph, "owns") == {
        ("owns", "InferenceStack/default/llama", "DistributedCloudPublish/default/llama-xc")
    }


def test_snapshot_from_objects_sorts_by_kind() -> None:
    objs = [
        gateway_class(),
        gateway(),
        route(),
        route("g", kind="GRPCRoute"),
        service(),
        pod("p"),
        inference_pool_v1(),
        inference_pool_v1alpha2(),
        policy("RateLimitPolicy", "r"),
        policy("BackendTLSPolicy", "b", api_version=f"{GW}/v1"),
        reference_grant("x", from_kind="HTTPRoute", from_namespace="y", to_kind="Service"),
        parent("InferenceStack", "s"),
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}},
    ]
    snap = ClusterSnapshot.from_objects(objs)
    counts = {k: len(v) for k, v in vars(snap).items()}
    assert counts == {
        "gatewayclasses": 1,
        "gateways": 1,
        "httproutes": 1,
        "grpcroutes": 1,
        "tlsroutes": 0,
        "tcproutes": 0,
        "udproutes": 0,
        "services": 1,
        "pods": 1,
        "inferencepools": 2,
        "policies": 2,
        "referencegrants": 1,
        "parents": 1,
        "secrets": 1,
    }


def test_snapshot_routes_sets_kind_without_changing_inputs() -> None:
    bare = route("t", kind="TCPRoute", with_kind=False)
    snap = ClusterSnapshot(tcproutes=[bare], httproutes=[route("h")])
    assert [(r["kind"], r["metadata"]["name"]) for r in snap.routes()] == [
        ("HTTPRoute", "h"),
        ("TCPRoute", "t"),
    ]
    assert "kind" not in bare


def test_gateway_subgraph_of_the_full_graph_equals_the_direct_build() -> None:
    world = stack_world()
    full = build_topology(world)
    for ns, name in (("infra", "edge"), ("infra", "other"), ("infra", "nope")):
        cut = gateway_subgraph(full, ns, name)
        direct = build_topology(world, gateway=(ns, name))
        assert cut.root == direct.root
        assert [n.id for n in cut.nodes] == [n.id for n in direct.nodes]
        assert [e.id for e in cut.edges] == [e.id for e in direct.edges]
