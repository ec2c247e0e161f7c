"""Hostname and request matching, each case named after the Gateway API rule it checks."""

from __future__ import annotations

import pytest

from gatewayapi_factories import grpc_match, match
from ngf_console.gatewayapi.hostnames import (
    hostname_matches,
    hostname_precedence,
    intersect_hostnames,
    normalize_host,
)
from ngf_console.gatewayapi.matching import (
    evaluate_grpc_match,
    evaluate_http_match,
    grpc_match_specs,
    http_match_specs,
    prefix_matches,
)
from ngf_console.gatewayapi.request import SimulatedRequest


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        pytest.param("foo.example.com", "foo.example.com", True, id="exact-equal"),
        pytest.param("foo.example.com", "bar.example.com", False, id="exact-differs"),
        pytest.param("*.example.com", "foo.example.com", True, id="wildcard-one-label"),
        pytest.param("*.example.com", "a.b.example.com", True, id="wildcard-is-suffix-match"),
        pytest.param("*.example.com", "example.com", False, id="wildcard-not-bare-domain"),
        pytest.param("*.example.com", "fooexample.com", False, id="wildcard-label-boundary"),
        pytest.param(None, "anything.io", True, id="no-hostname-matches-all"),
        pytest.param("Foo.Example.com", "foo.example.com", True, id="case-insensitive"),
    ],
)
def test_hostname_matching(pattern: str | None, host: str, expected: bool) -> None:
    assert hostname_matches(pattern, host) is expected


@pytest.mark.parametrize(
    ("listener", "route", "expected"),
    [
        pytest.param("test.example.com", "test.example.com", "test.example.com", id="exact-exact"),
        pytest.param("test.example.com", "*.example.com", "test.example.com", id="exact-wild"),
        pytest.param("*.example.com", "test.example.com", "test.example.com", id="wild-exact"),
        pytest.param("*.example.com", "*.foo.example.com", "*.foo.example.com", id="wild-wild"),
        pytest.param("*.foo.example.com", "*.example.com", "*.foo.example.com", id="wild-wild-2"),
        pytest.param("*.example.com", "example.com", False, id="wildcard-excludes-bare"),
        pytest.param("*.example.com", "test.example.net", False, id="different-domain"),
        pytest.param(None, "a.io", "a.io", id="listener-any"),
        pytest.param("a.io", None, "a.io", id="route-inherits-listener"),
        pytest.param(None, None, None, id="both-any"),
    ],
)
def test_listener_route_hostname_intersection(
    listener: str | None, route: str | None, expected: str | bool | None
) -> None:
    assert intersect_hostnames(listener, route) == expected


def test_hostname_precedence_exact_then_longer_wildcard_then_catch_all() -> None:
    ordered = sorted(
        [None, "*.example.com", "*.a.example.com", "b.example.com"], key=hostname_precedence
    )
    assert ordered == ["b.example.com", "*.a.example.com", "*.example.com", None]


@pytest.mark.parametrize(
    ("raw", "host"),
    [("Foo.Example.com:8080", "foo.example.com"), ("[::1]:80", "::1"), ("a.io.", "a.io")],
)
def test_host_header_port_and_case_ignored(raw: str, host: str) -> None:
    assert normalize_host(raw) == host


@pytest.mark.parametrize(
    ("prefix", "path", "expected"),
    [
        pytest.param("/foo", "/foo", True, id="prefix-equal"),
        pytest.param("/foo", "/foo/bar", True, id="prefix-subpath"),
        pytest.param("/foo", "/foobar", False, id="prefix-segment-boundary"),
        pytest.param("/foo/", "/foo", True, id="prefix-trailing-slash-ignored"),
        pytest.param("/foo/", "/foo/bar", True, id="prefix-trailing-slash-subpath"),
        pytest.param("/", "/anything", True, id="prefix-root-matches-all"),
        pytest.param("/Foo", "/foo", False, id="prefix-case-sensitive"),
    ],
)
def test_path_prefix_is_element_wise(prefix: str, path: str, expected: bool) -> None:
    assert prefix_matches(prefix, path) is expected


def _req(**kw: object) -> SimulatedRequest:
    return SimulatedRequest.model_validate({"host": "a.io", **kw})


def _passes(m: dict[str, object], **kw: object) -> bool:
    [spec] = http_match_specs({"matches": [m]})
    return all(c.passed for c in evaluate_http_match(spec, _req(**kw)))


@pytest.mark.parametrize(
    ("m", "request_fields", "expected"),
    [
        pytest.param(match("/a", "Exact"), {"path": "/a"}, True, id="exact-path"),
        pytest.param(match("/a", "Exact"), {"path": "/a/"}, False, id="exact-no-trailing"),
        pytest.param(match(method="POST"), {"method": "POST"}, True, id="method-match"),
        pytest.param(match(method="POST"), {"method": "GET"}, False, id="method-mismatch"),
        pytest.param(
            match(headers={"X-Env": "prod"}),
            {"headers": {"x-env": "prod"}},
            True,
            id="header-name-case-insensitive",
        ),
        pytest.param(
            match(headers={"x-env": "prod"}),
            {"headers": {"x-env": "Prod"}},
            False,
            id="header-value-exact-case-sensitive",
        ),
        pytest.param(
            match(query={"v": "1"}), {"query": {"v": ["1"]}}, True, id="query-param-exact"
        ),
        pytest.param(
            match(query={"V": "1"}), {"query": {"v": ["1"]}}, False, id="query-name-case-sensitive"
        ),
        pytest.param(
            match(query={"v": "1"}),
            {"query": {"v": ["2", "1"]}},
            False,
            id="query-repeated-first-value-implementation-specific",
        ),
        pytest.param(
            match("/a", method="GET", headers={"x": "1"}),
            {"path": "/a", "method": "GET", "headers": {}},
            False,
            id="conditions-within-match-anded",
        ),
        pytest.param(
            match(regex_headers={"x": "v[0-9]+"}),
            {"headers": {"x": "v12"}},
            True,
            id="header-regex",
        ),
        pytest.param(match("/v[0-9]+/.*", "RegularExpression"), {"path": "/v2/x"}, True, id="re"),
    ],
)
def test_http_match_conditions(
    m: dict[str, object], request_fields: dict[str, object], expected: bool
) -> None:
    assert _passes(m, **request_fields) is expected


def test_only_first_entry_of_a_repeated_header_name_is_considered() -> None:
    raw = {"headers": [{"name": "X", "value": "1"}, {"name": "x", "value": "2"}]}
    [spec] = http_match_specs({"matches": [raw]})
    assert [h.value for h in spec.headers] == ["1"]


def test_rule_without_matches_is_path_prefix_root() -> None:
    [spec] = http_match_specs({})
    assert (spec.path_type, spec.path_value) == ("PathPrefix", "/")


def test_regex_conditions_are_flagged_implementation_specific() -> None:
    [spec] = http_match_specs({"matches": [match("/v.*", "RegularExpression")]})
    [path] = evaluate_http_match(spec, _req(path="/v1"))
    assert path.implementation_specific and path.passed


@pytest.mark.parametrize(
    ("m", "path", "expected"),
    [
        pytest.param(grpc_match("pkg.Svc", "Get"), "/pkg.Svc/Get", True, id="grpc-exact-both"),
        pytest.param(
            grpc_match("pkg.Svc", "Get"), "/pkg.Svc/List", False, id="grpc-method-differs"
        ),
        pytest.param(grpc_match("pkg.Svc"), "/pkg.Svc/Any", True, id="grpc-empty-method-any"),
        pytest.param(grpc_match(None, "Get"), "/other.Svc/Get", True, id="grpc-empty-service-any"),
        pytest.param(grpc_match("pkg\\..*", regex=True), "/pkg.A/B", True, id="grpc-regex"),
        pytest.param(grpc_match(), "not-grpc", False, id="grpc-path-must-be-service-method"),
    ],
)
def test_grpc_method_match(m: dict[str, object], path: str, expected: bool) -> None:
    [spec] = grpc_match_specs({"matches": [m]})
    results = evaluate_grpc_match(spec, _req(path=path, protocol="grpc"))
    assert all(c.passed for c in results) is expected
