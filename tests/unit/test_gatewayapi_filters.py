"""Filters and backend shares, one case per HTTPRouteFilter rule of the spec."""

from __future__ import annotations

from typing import Any

import pytest

from gatewayapi_factories import backend, gateway, listener, match, route, rule, snapshot
from ngf_console.gatewayapi.attachment import BackendVerdict
from ngf_console.gatewayapi.filters import (
    apply_filters,
    backend_shares,
    modify_headers,
    replace_path,
)
from ngf_console.gatewayapi.request import SimulatedRequest
from ngf_console.gatewayapi.simulate import simulate


def _req(**kw: Any) -> SimulatedRequest:
    return SimulatedRequest.model_validate({"host": "a.io", "path": "/foo/bar", **kw})


def _redirect(
    spec: dict[str, Any], prefix: str | None = "/foo", **req: Any
) -> tuple[int | None, str | None]:
    out = apply_filters(
        _req(**req),
        [{"type": "RequestRedirect", "requestRedirect": spec}],
        matched_prefix=prefix,
        listener_port=8080,
        route_namespace="default",
    )
    return out.redirect_status, out.redirect_location


@pytest.mark.parametrize(
    ("spec", "req", "expected"),
    [
        pytest.param(
            {},
            {"port": 8080},
            (302, "http://a.io:8080/foo/bar"),
            id="redirect-defaults-302-listener-port",
        ),
        pytest.param(
            {"scheme": "https"},
            {},
            (302, "https://a.io/foo/bar"),
            id="redirect-scheme-well-known-port-omitted",
        ),
        pytest.param(
            {"scheme": "https", "port": 8443},
            {},
            (302, "https://a.io:8443/foo/bar"),
            id="redirect-explicit-port",
        ),
        pytest.param(
            {"hostname": "b.io", "statusCode": 301},
            {},
            (301, "http://b.io:8080/foo/bar"),
            id="redirect-hostname-status",
        ),
        pytest.param(
            {"path": {"type": "ReplaceFullPath", "replaceFullPath": "/new"}},
            {},
            (302, "http://a.io:8080/new"),
            id="redirect-ReplaceFullPath",
        ),
        pytest.param(
            {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/v2"}},
            {},
            (302, "http://a.io:8080/v2/bar"),
            id="redirect-ReplacePrefixMatch",
        ),
        pytest.param(
            {"scheme": "http", "port": 80},
            {"query": {"q": ["1"]}},
            (302, "http://a.io/foo/bar?q=1"),
            id="redirect-keeps-query-port-80-omitted",
        ),
    ],
)
def test_request_redirect(
    spec: dict[str, Any], req: dict[str, Any], expected: tuple[int, str]
) -> None:
    assert _redirect(spec, **req) == expected


@pytest.mark.parametrize(
    ("path", "prefix", "replacement", "expected"),
    [
        pytest.param("/foo", "/foo", "/xyz", "/xyz", id="prefix-equal-path"),
        pytest.param("/foo/bar", "/foo", "/xyz", "/xyz/bar", id="prefix-subpath"),
        pytest.param("/foo/bar", "/foo/", "/xyz", "/xyz/bar", id="prefix-trailing-slash"),
        pytest.param("/foo/bar", "/foo", "/", "/bar", id="replace-with-root-no-double-slash"),
        pytest.param("/foo", "/foo", "/", "/", id="replace-all-with-root"),
        pytest.param("/foo/bar", "/foo", "/xyz/", "/xyz/bar", id="replacement-trailing-slash"),
    ],
)
def test_replace_prefix_match(path: str, prefix: str, replacement: str, expected: str) -> None:
    mod = {"type": "ReplacePrefixMatch", "replacePrefixMatch": replacement}
    assert replace_path(path, mod, prefix) == expected


def test_url_rewrite_hostname_and_full_path() -> None:
    spec = {
        "hostname": "internal.svc",
        "path": {"type": "ReplaceFullPath", "replaceFullPath": "/x"},
    }
    out = apply_filters(
        _req(headers={"host": "a.io"}),
        [{"type": "URLRewrite", "urlRewrite": spec}],
        matched_prefix="/foo",
        listener_port=80,
        route_namespace="default",
    )
    assert (out.upstream_host, out.upstream_path) == ("internal.svc", "/x")
    assert out.upstream_headers == {"host": "internal.svc"} and out.redirect_status is None


@pytest.mark.parametrize(
    ("headers", "modifier", "expected"),
    [
        pytest.param(
            {"My": "foo"},
            {"set": [{"name": "my", "value": "bar"}]},
            {"my": "bar"},
            id="set-overwrites-case-insensitive",
        ),
        pytest.param(
            {"My": "foo"},
            {"add": [{"name": "my", "value": "bar"}]},
            {"My": "foo,bar"},
            id="add-appends",
        ),
        pytest.param({}, {"add": [{"name": "n", "value": "v"}]}, {"n": "v"}, id="add-new"),
        pytest.param(
            {"A": "1", "B": "2"}, {"remove": ["a"]}, {"B": "2"}, id="remove-case-insensitive"
        ),
        pytest.param({}, {"remove": ["absent"]}, {}, id="remove-absent-is-no-op"),
    ],
)
def test_header_modifier(
    headers: dict[str, str], modifier: dict[str, Any], expected: dict[str, str]
) -> None:
    assert modify_headers(headers, modifier)[0] == expected


def test_response_header_modifier_and_mirror_are_reported() -> None:
    filters = [
        {
            "type": "ResponseHeaderModifier",
            "responseHeaderModifier": {"set": [{"name": "x", "value": "1"}]},
        },
        {
            "type": "RequestMirror",
            "requestMirror": {"backendRef": {"name": "shadow", "port": 80}, "percent": 10},
        },
        {
            "type": "ExtensionRef",
            "extensionRef": {"group": "gateway.nginx.org", "kind": "SnippetsFilter", "name": "s"},
        },
    ]
    out = apply_filters(
        _req(), filters, matched_prefix=None, listener_port=80, route_namespace="ns"
    )
    assert [(c.op, c.name, c.value) for c in out.response_header_changes] == [("set", "x", "1")]
    assert out.mirrors == [
        {"kind": "Service", "namespace": "ns", "name": "shadow", "port": 80, "percent": 10}
    ]
    assert [(f.type, f.simulated) for f in out.applied][-1] == ("ExtensionRef", False)


def _verdict(name: str, weight: int = 1, resolved: bool = True, **kw: Any) -> BackendVerdict:
    return BackendVerdict(
        rule=0, index=0, namespace="d", name=name, weight=weight, resolved=resolved, **kw
    )


@pytest.mark.parametrize(
    ("verdicts", "shares", "status"),
    [
        pytest.param([_verdict("a")], [1.0], None, id="single-backend-all-traffic"),
        pytest.param(
            [_verdict("a", 1), _verdict("b", 3)], [0.25, 0.75], None, id="weights-proportional"
        ),
        pytest.param(
            [_verdict("a", 0), _verdict("b", 2)], [0.0, 1.0], None, id="weight-0-gets-nothing"
        ),
        pytest.param(
            [_verdict("a", 0), _verdict("b", 0)], [0.0, 0.0], 500, id="all-weights-zero-500"
        ),
        pytest.param(
            [_verdict("a", resolved=False, reason="BackendNotFound")],
            [1.0],
            500,
            id="all-invalid-500",
        ),
        pytest.param([], [], 404, id="no-backend-refs-404"),
    ],
)
def test_backend_shares(
    verdicts: list[BackendVerdict], shares: list[float], status: int | None
) -> None:
    found, got = backend_shares(verdicts)
    assert [s.share for s in found] == shares and got == status


def test_invalid_backend_share_gets_500() -> None:
    found, status = backend_shares(
        [_verdict("a"), _verdict("b", resolved=False, reason="RefNotPermitted")]
    )
    assert status is None and [s.status_if_chosen for s in found] == [None, 500]


def test_inference_pool_backend_resolved_to_the_pool() -> None:
    pool = {
        "apiVersion": "inference.networking.k8s.io/v1",
        "kind": "InferencePool",
        "metadata": {"name": "pool", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "vllm"}},
            "targetPorts": [{"number": 8000}],
            "endpointPickerRef": {"name": "pool-epp", "port": {"number": 9002}},
        },
    }
    ref = backend("pool", group="inference.networking.k8s.io", kind="InferencePool")
    del ref["port"]
    snap = snapshot(gateway(listeners=[listener()]), route(rules=[rule(backends=[ref])]), pool)
    result = simulate(snap, _req())
    [share] = result.backends
    assert share.resolved and share.share == 1.0 and share.inference_pool is not None
    assert share.inference_pool.selector == {"app": "vllm"}
    assert share.inference_pool.target_ports == [8000]
    assert share.inference_pool.endpoint_picker is not None
    assert share.inference_pool.endpoint_picker.name == "pool-epp"


def test_redirect_rule_short_circuits_backends() -> None:
    redirect = {
        "type": "RequestRedirect",
        "requestRedirect": {"scheme": "https", "statusCode": 301},
    }
    snap = snapshot(gateway(), route(rules=[rule(match("/foo"), backends=[], filters=[redirect])]))
    result = simulate(snap, _req())
    assert (result.outcome, result.status) == ("redirected", 301)
    assert result.filters is not None and result.filters.redirect_location == "https://a.io/foo/bar"
