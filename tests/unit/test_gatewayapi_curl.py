"""Parsing a pasted curl command into a simulated request, with clear errors."""

from __future__ import annotations

import pytest

from ngf_console.gatewayapi.request import CurlParseError, from_curl


def test_full_command() -> None:
    req = from_curl(
        "curl -X PUT -H 'X-Env: prod' -H 'Accept: a' --header 'x-env: dev' "
        "'https://app.example.com:8443/api/v1?x=1&x=2&y='"
    )
    assert (req.method, req.scheme, req.host, req.port, req.path) == (
        "PUT",
        "https",
        "app.example.com",
        8443,
        "/api/v1",
    )
    assert req.query == {"x": ["1", "2"], "y": [""]}
    assert req.header("x-env") == "prod, dev" and req.header("accept") == "a"


@pytest.mark.parametrize(
    ("command", "method"),
    [
        pytest.param("curl http://a.io/", "GET", id="default-get"),
        pytest.param("curl -d 'a=1' http://a.io/", "POST", id="data-implies-post"),
        pytest.param("curl --json '{}' http://a.io/", "POST", id="json-implies-post"),
        pytest.param("curl -I http://a.io/", "HEAD", id="head"),
        pytest.param("curl -XDELETE http://a.io/", "DELETE", id="attached-X"),
        pytest.param("curl --request=patch http://a.io/", "PATCH", id="long-option-equals"),
    ],
)
def test_method(command: str, method: str) -> None:
    assert from_curl(command).method == method


def test_get_with_data_goes_to_query() -> None:
    req = from_curl("curl -G -d q=1 --data 'r=2' http://a.io/s")
    assert req.method == "GET" and req.query == {"q": ["1"], "r": ["2"]}


def test_host_header_overrides_routing_host_and_port_defaults() -> None:
    req = from_curl("curl -sk -H 'Host: app.example.com' http://10.0.0.5/")
    assert req.host == "app.example.com" and req.effective_port == 80


def test_line_continuations_and_value_options_skipped() -> None:
    req = from_curl("curl -o /dev/null \\\n  -u user:pw \\\n  http://a.io/x")
    assert (req.host, req.path) == ("a.io", "/x")


def test_url_without_scheme_is_http_and_grpc_content_type() -> None:
    req = from_curl("curl -H 'content-type: application/grpc' a.io:50051/pkg.Svc/Get")
    assert (req.scheme, req.port, req.protocol) == ("http", 50051, "grpc")


@pytest.mark.parametrize(
    ("command", "message"),
    [
        pytest.param("wget http://a.io", "must start with curl", id="not-curl"),
        pytest.param("curl -X GET", "no URL", id="no-url"),
        pytest.param("curl 'http://a.io", "cannot split", id="unbalanced-quote"),
        pytest.param("curl -H 'broken' http://a.io", "is not 'Name: value'", id="bad-header"),
        pytest.param("curl http://a.io http://b.io", "more than one URL", id="two-urls"),
        pytest.param("curl ftp://a.io/", "scheme must be http or https", id="bad-scheme"),
        pytest.param("curl http://a.io -H", "needs a value", id="missing-value"),
    ],
)
def test_errors_say_why(command: str, message: str) -> None:
    with pytest.raises(CurlParseError, match=message):
        from_curl(command)
