"""KIC routes beside Gateway API routes and the readiness score (readmodel/coexistence.py)."""

from __future__ import annotations

from typing import Any

from ngf_console.readmodel.coexistence import coexistence, path_covers, readiness


def ingress(name: str, host: str, *paths: str) -> dict[str, Any]:
    return {
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {
            "ingressClassName": "nginx",
            "rules": [{"host": host, "http": {"paths": [{"path": p} for p in paths]}}],
        },
    }


def http_route(name: str, hosts: list[str], *prefixes: str, ns: str = "shop") -> dict[str, Any]:
    rules = [{"matches": [{"path": {"type": "PathPrefix", "value": p}}]} for p in prefixes]
    return {
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"hostnames": hosts, "rules": rules or [{}]},
    }


def test_path_prefixes_cover_by_segment() -> None:
    assert path_covers(("PathPrefix", "/"), "/shop")
    assert path_covers(("PathPrefix", "/shop"), "/shop/cart")
    assert not path_covers(("PathPrefix", "/shop"), "/shopping")
    assert path_covers(("Exact", "/shop"), "/shop")
    assert not path_covers(("Exact", "/shop"), "/shop/cart")


def test_equivalents_by_host_and_path() -> None:
    kic = [
        ingress("a", "a.example.com", "/shop", "/api"),
        ingress("b", "b.example.com", "/"),
        ingress("c", "c.example.com", "/"),
        {
            "kind": "VirtualServer",
            "metadata": {"name": "vs", "namespace": "shop"},
            "spec": {"host": "vs.example.com", "routes": [{"path": "/"}]},
        },
        {
            "kind": "TransportServer",
            "metadata": {"name": "ts", "namespace": "shop"},
            "spec": {"host": "tls.example.com"},
        },
    ]
    gateway = [
        http_route("a", ["a.example.com"], "/shop"),
        http_route("wild", ["*.example.com"], "/"),  # covers every example.com host
        {
            "kind": "TLSRoute",
            "metadata": {"name": "t", "namespace": "shop"},
            "spec": {"hostnames": ["tls.example.com"]},
        },
        http_route("other-ns", ["c.example.com"], "/", ns="elsewhere"),
    ]
    view = coexistence(kic, gateway)
    found = {(r.name, r.path): (eq.name if eq else None) for r, eq in view.kic}
    assert found[("a", "/shop")] == "a"
    assert found[("a", "/api")] == "wild"
    assert found[("b", "/")] == "wild"
    assert found[("vs", "/")] == "wild"
    assert found[("ts", "")] == "t"
    assert found[("c", "/")] == "wild"  # same namespace first
    assert view.with_equivalent == 6


def test_readiness_score_reasons_and_recommendations() -> None:
    kic = [ingress("a", "a.example.com", "/"), ingress("b", "b.example.com", "/", "/x")]
    gateway = [http_route("a", ["a.example.com"], "/")]
    score = readiness(
        coexistence(kic, gateway), {"Ingress/shop/a": "high", "Ingress/shop/b": "high"}
    )
    assert (score.score, score.total, score.ready, score.remaining) == (33, 3, 1, 2)
    assert score.reasons[0] == (
        "33% of your KIC routes have Gateway API equivalents ready — 2 route(s) remaining"
    )
    assert "Ingress/shop/b serves b.example.com/x with no Gateway API equivalent" in score.reasons
    assert score.recommendations == [
        "1 resource(s) use only features with a direct Gateway API mapping — they can be "
        "migrated now: Ingress/shop/b"
    ]
    empty = readiness(coexistence([], gateway), {})
    assert empty.score == 100 and empty.total == 0
