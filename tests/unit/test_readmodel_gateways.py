"""Gateway views, attached routes per listener and delete dependants (readmodel/gateways.py)."""

from __future__ import annotations

from ngf_console.readmodel.gateways import (
    attached_routes,
    bundle_gateways,
    dependants_of_gateway,
    dependants_of_gateway_bundle,
    gateway_view,
)
from ngf_console.readmodel.ownership import ParentIndex
from ngf_console.readmodel.snapshot import ClusterSnapshot
from readmodel_factories import (
    cond,
    gateway,
    listener,
    parent,
    parent_ref,
    route,
)

HTTP_HTTPS = [
    listener("http", 80, "HTTP"),
    listener("https", 443, "HTTPS", hostname="app.example.com", cert="app-tls"),
]


def test_route_without_section_attaches_to_every_compatible_listener() -> None:
    gw = gateway(listeners=[*HTTP_HTTPS, listener("tcp", 5432, "TCP")])
    [ref] = attached_routes(gw, [route("r")])
    assert (ref.kind, ref.name, ref.namespace) == ("HTTPRoute", "r", "default")
    assert ref.listeners == ["http", "https"]  # not the TCP listener
    assert ref.via == "spec" and ref.accepted is None


def test_section_name_and_port_narrow_the_attachment() -> None:
    gw = gateway(listeners=HTTP_HTTPS)
    by_section = route("a", parents=[parent_ref(section="https")])
    by_port = route("b", parents=[parent_ref(port=80)])
    refs = {r.name: r for r in attached_routes(gw, [by_section, by_port])}
    assert refs["a"].listeners == ["https"] and refs["a"].section_name == "https"
    assert refs["b"].listeners == ["http"] and refs["b"].port == 80


def test_parent_ref_namespace_defaults_to_the_routes() -> None:
    gw = gateway(namespace="infra", listeners=[listener(allowed_from="All")])
    same_ns_default = route("local", "apps")  # names gw in "apps": not this one
    explicit = route("remote", "apps", parents=[parent_ref(namespace="infra")])
    assert [r.name for r in attached_routes(gw, [same_ns_default, explicit])] == ["remote"]


def test_allowed_routes_same_namespace_is_the_default() -> None:
    gw = gateway(namespace="infra")
    ref = route("remote", "apps", parents=[parent_ref(namespace="infra")])
    [found] = attached_routes(gw, [ref])
    assert found.listeners == []  # names the Gateway, but no listener admits it
    gw_all = gateway(namespace="infra", listeners=[listener(allowed_from="All")])
    assert attached_routes(gw_all, [ref])[0].listeners == ["http"]


def test_allowed_route_kinds_override_the_protocol() -> None:
    gw = gateway(listeners=[listener("grpc-only", kinds=["GRPCRoute"])])
    http = route("h")
    grpc = route("g", kind="GRPCRoute")
    refs = {r.name: r.listeners for r in attached_routes(gw, [http, grpc])}
    assert refs == {"g": ["grpc-only"], "h": []}


def test_other_groups_kinds_and_gateways_do_not_count() -> None:
    gw = gateway()
    others = [
        route("other-gw", parents=[parent_ref("gw2")]),
        route("svc-parent", parents=[{"group": "", "kind": "Service", "name": "gw"}]),
        route("other-group", parents=[{"group": "example.com", "kind": "Gateway", "name": "gw"}]),
    ]
    assert attached_routes(gw, others) == []


def test_status_parents_count_whatever_the_controller() -> None:
    gw = gateway(listeners=HTTP_HTTPS)
    stale = route("stale", parents=[], status_parents=[parent_ref(section="http")])
    stale["status"]["parents"][0]["controllerName"] = "example.com/other-controller"
    both = route("both", status_parents=[parent_ref()])
    rejected = route(
        "rejected",
        status_parents=[
            {**parent_ref(), "conditions": [cond("Accepted", "False", "NotAllowedByListeners")]}
        ],
    )
    refs = {r.name: r for r in attached_routes(gw, [stale, both, rejected])}
    assert refs["stale"].via == "status" and refs["stale"].listeners == ["http"]
    assert refs["both"].via == "both" and refs["both"].accepted is True
    assert refs["rejected"].accepted is False


def test_route_listed_once_even_with_several_parent_refs_to_the_gateway() -> None:
    gw = gateway(listeners=HTTP_HTTPS)
    r = route(parents=[parent_ref(section="http"), parent_ref(section="https")])
    [ref] = attached_routes(gw, [r])
    assert ref.listeners == ["http", "https"]


def test_gateway_view_has_listeners_status_and_counts() -> None:
    gw = gateway(
        "edge",
        "infra",
        listeners=[*HTTP_HTTPS],
        conditions=[cond("Accepted"), cond("Programmed")],
        listener_status={
            "http": {"attachedRoutes": 2, "conditions": [cond("Accepted"), cond("Programmed")]},
            "https": {"attachedRoutes": 1, "conditions": [cond("Accepted"), cond("Programmed")]},
        },
        addresses=["10.0.0.5"],
    )
    routes = [
        route("a", "infra", parents=[parent_ref("edge")]),
        route("b", "infra", parents=[parent_ref("edge", section="http")]),
    ]
    view = gateway_view(gw, routes)
    assert view.gateway_class_name == "nginx"
    assert view.accepted is True and view.programmed is True and view.health == "healthy"
    assert [a.value for a in view.addresses] == ["10.0.0.5"]
    assert view.route_count == 2
    http, https = view.listeners
    assert (http.name, http.port, http.protocol, http.attached_routes, http.computed_routes) == (
        "http",
        80,
        "HTTP",
        2,
        2,
    )
    assert http.tls_mode is None and http.route_kinds == ["HTTPRoute", "GRPCRoute"]
    assert https.hostname == "app.example.com" and https.tls_mode == "Terminate"
    assert [(r.kind, r.name, r.namespace) for r in https.certificate_refs] == [
        ("Secret", "app-tls", "infra")
    ]
    assert (https.attached_routes, https.computed_routes) == (1, 1)


def test_gateway_health_follows_conditions() -> None:
    assert gateway_view(gateway()).health == "unknown"
    bad = gateway(conditions=[cond("Accepted", "False", "InvalidParameters")])
    assert gateway_view(bad).health == "error" and gateway_view(bad).accepted is False
    not_programmed = gateway(conditions=[cond("Accepted"), cond("Programmed", "False")])
    assert gateway_view(not_programmed).health == "error"
    one_listener_broken = gateway(
        listeners=HTTP_HTTPS,
        conditions=[cond("Accepted"), cond("Programmed")],
        listener_status={
            "https": {"conditions": [cond("ResolvedRefs", "False", "InvalidCertificateRef")]}
        },
    )
    view = gateway_view(one_listener_broken)
    assert view.health == "degraded"
    assert view.listeners[1].health == "degraded"


def test_gateway_view_names_its_owner() -> None:
    bundle = parent("GatewayBundle", "edge")
    gw = gateway("edge", owner=bundle)
    view = gateway_view(gw, parents=ParentIndex([bundle]))
    assert [(o.kind, o.name, o.group) for o in view.owners] == [
        ("GatewayBundle", "edge", "ngf-console.f5.com")
    ]


def test_dependants_of_gateway_are_routes_and_stacks() -> None:
    gw = gateway("shared", "infra", listeners=[listener(allowed_from="All")])
    stack_by_ref = parent(
        "InferenceStack",
        "llama",
        "ml",
        spec={"gateway": {"gatewayRef": {"name": "shared", "namespace": "infra"}, "route": {}}},
    )
    stack_same_ns = parent(
        "InferenceStack", "mistral", "infra", spec={"gateway": {"gatewayRef": {"name": "shared"}}}
    )
    unrelated = parent(
        "InferenceStack", "x", "ml", spec={"gateway": {"gatewayRef": {"name": "shared"}}}
    )
    snapshot = ClusterSnapshot(
        gateways=[gw],
        httproutes=[route("a", "ml", parents=[parent_ref("shared", "infra")]), route("b", "ml")],
        grpcroutes=[
            route("g", "infra", kind="GRPCRoute", parents=[parent_ref("shared")], with_kind=False)
        ],
        parents=[stack_by_ref, stack_same_ns, unrelated],
    )
    found = dependants_of_gateway(gw, snapshot)
    assert found.blocking
    assert [(r.kind, r.namespace, r.name) for r in found.routes] == [
        ("GRPCRoute", "infra", "g"),
        ("HTTPRoute", "ml", "a"),
    ]
    assert [(s.namespace, s.name) for s in found.inference_stacks] == [
        ("infra", "mistral"),
        ("ml", "llama"),
    ]
    assert [g.name for g in found.gateways] == ["shared"]


def test_gateway_nobody_uses_is_not_blocking() -> None:
    gw = gateway()
    found = dependants_of_gateway(
        gw, ClusterSnapshot(gateways=[gw], httproutes=[route(parents=[parent_ref("x")])])
    )
    assert not found.blocking and found.routes == [] and found.inference_stacks == []


def test_bundle_gateway_found_by_owner_reference_or_labels() -> None:
    bundle = parent("GatewayBundle", "edge")
    by_owner = gateway("edge", owner=bundle)
    by_labels = gateway("edge-2", owner=bundle)
    del by_labels["metadata"]["ownerReferences"]
    stranger = gateway("edge-3")
    snapshot = ClusterSnapshot(gateways=[by_owner, by_labels, stranger])
    assert [
        name for name in (g["metadata"]["name"] for g in bundle_gateways(bundle, snapshot))
    ] == [
        "edge",
        "edge-2",
    ]


def test_bundle_dependants_leave_out_its_own_children() -> None:
    bundle = parent("GatewayBundle", "edge")
    gw = gateway("edge", owner=bundle)
    own_route = route("own", parents=[parent_ref("edge")], owner=bundle)
    user_route = route("user", parents=[parent_ref("edge")])
    snapshot = ClusterSnapshot(gateways=[gw], httproutes=[own_route, user_route], parents=[bundle])
    found = dependants_of_gateway_bundle(bundle, snapshot)
    assert [r.name for r in found.routes] == ["user"]
    assert [g.name for g in found.gateways] == ["edge"]
    assert found.blocking


def test_bundle_without_a_gateway_has_no_dependants() -> None:
    bundle = parent("GatewayBundle", "edge")
    snapshot = ClusterSnapshot(
        gateways=[gateway("edge")], httproutes=[route(parents=[parent_ref("edge")])]
    )
    found = dependants_of_gateway_bundle(bundle, snapshot)
    assert not found.blocking and found.gateways == []
