"""Whether one HTTPRoute or GRPCRoute match accepts a request, condition by condition.

Implements Gateway API v1 ``HTTPRouteMatch`` and ``GRPCRouteMatch``:

- Within a match every condition is ANDed; across a rule's ``matches`` they are ORed; a
  rule without matches matches everything (HTTP: ``PathPrefix /``).
- Path ``Exact`` compares the whole path (case-sensitive). ``PathPrefix`` compares element
  by element split on ``/``, a trailing ``/`` ignored: ``/foo`` matches ``/foo``, ``/foo/``
  and ``/foo/bar`` but not ``/foobar``. ``RegularExpression`` is implementation-specific
  (evaluated here with Python's ``re.fullmatch``, flagged ``implementation_specific``).
- Header names compare case-insensitively, query parameter names case-sensitively; values
  exactly. When several entries name the same header (query parameter), only the first is
  considered (the rest MUST be ignored). A repeated query parameter is
  implementation-specific: the first value is used, as NGINX's ``$arg_`` does.
- GRPCRoute ``method``: ``Exact`` (default) compares ``service`` and ``method`` with the
  request's ``/{service}/{method}``; an empty one matches any. ``RegularExpression`` is
  implementation-specific.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from ngf_console.gatewayapi.request import SimulatedRequest
from ngf_console.readmodel.objects import as_dicts

__all__ = [
    "ConditionResult",
    "GRPCMatchSpec",
    "HTTPMatchSpec",
    "ValueMatch",
    "evaluate_grpc_match",
    "evaluate_http_match",
    "grpc_match_specs",
    "http_match_specs",
    "normalize_prefix",
    "prefix_matches",
    "split_grpc_path",
]


class ConditionResult(BaseModel):
    """One condition of a match and whether the request meets it."""

    field: str  # path, method, header:<name>, query:<name>, grpc.service, grpc.method
    match_type: str
    expected: str
    actual: str | None
    passed: bool
    implementation_specific: bool = False


@dataclass(frozen=True)
class ValueMatch:
    name: str
    type: str  # Exact | RegularExpression
    value: str


@dataclass(frozen=True)
class HTTPMatchSpec:
    """An ``HTTPRouteMatch`` with its defaults filled in."""

    path_type: str = "PathPrefix"
    path_value: str = "/"
    method: str | None = None
    headers: tuple[ValueMatch, ...] = ()
    query: tuple[ValueMatch, ...] = ()


@dataclass(frozen=True)
class GRPCMatchSpec:
    """A ``GRPCRouteMatch`` with its defaults filled in."""

    method_type: str = "Exact"
    service: str | None = None
    method: str | None = None
    headers: tuple[ValueMatch, ...] = ()


@lru_cache(maxsize=4096)
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _first_of_each(raw: Any, *, fold_case: bool) -> tuple[ValueMatch, ...]:
    """Entries of a header/query list, only the first for each (equivalent) name."""
    out: list[ValueMatch] = []
    seen: set[str] = set()
    for entry in as_dicts(raw):
        name = str(entry.get("name") or "")
        key = name.lower() if fold_case else name
        if not name or key in seen:
            continue
        seen.add(key)
        out.append(ValueMatch(name, str(entry.get("type") or "Exact"), str(entry.get("value"))))
    return tuple(out)


def http_match_specs(rule: Mapping[str, Any]) -> list[HTTPMatchSpec]:
    """The matches of an HTTPRoute rule; ``[PathPrefix /]`` when it lists none."""
    matches = as_dicts(rule.get("matches"))
    if not matches:
        return [HTTPMatchSpec()]
    out: list[HTTPMatchSpec] = []
    for match in matches:
        raw_path = match.get("path")
        path: Mapping[str, Any] = raw_path if isinstance(raw_path, dict) else {}
        method = match.get("method")
        out.append(
            HTTPMatchSpec(
                path_type=str(path.get("type") or "PathPrefix"),
                path_value=str(path.get("value") or "/"),
                method=str(method).upper() if method else None,
                headers=_first_of_each(match.get("headers"), fold_case=True),
                query=_first_of_each(match.get("queryParams"), fold_case=False),
            )
        )
    return out


def grpc_match_specs(rule: Mapping[str, Any]) -> list[GRPCMatchSpec]:
    """The matches of a GRPCRoute rule; one that matches everything when it lists none."""
    matches = as_dicts(rule.get("matches"))
    if not matches:
        return [GRPCMatchSpec()]
    out: list[GRPCMatchSpec] = []
    for match in matches:
        raw = match.get("method")
        method: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        out.append(
            GRPCMatchSpec(
                method_type=str(method.get("type") or "Exact"),
                service=str(method["service"]) if method.get("service") else None,
                method=str(method["method"]) if method.get("method") else None,
                headers=_first_of_each(match.get("headers"), fold_case=True),
            )
        )
    return out


def normalize_prefix(prefix: str) -> str:
    """A PathPrefix value without its trailing ``/`` (``/`` itself becomes ``""``)."""
    return prefix.rstrip("/")


def prefix_matches(prefix: str, path: str) -> bool:
    """PathPrefix on element boundaries: ``/foo`` matches ``/foo`` and ``/foo/bar`` only."""
    base = normalize_prefix(prefix)
    return base == "" or path == base or path.startswith(base + "/")


def _value_result(field: str, want: ValueMatch, actual: str | None) -> ConditionResult:
    if want.type == "RegularExpression":
        pattern = _regex(want.value)
        ok = actual is not None and pattern is not None and pattern.fullmatch(actual) is not None
        return ConditionResult(
            field=field,
            match_type=want.type,
            expected=want.value,
            actual=actual,
            passed=ok,
            implementation_specific=True,
        )
    return ConditionResult(
        field=field,
        match_type=want.type,
        expected=want.value,
        actual=actual,
        passed=actual == want.value,
    )


def _path_result(spec: HTTPMatchSpec, path: str) -> ConditionResult:
    if spec.path_type == "Exact":
        ok = path == spec.path_value
    elif spec.path_type == "PathPrefix":
        ok = prefix_matches(spec.path_value, path)
    else:
        pattern = _regex(spec.path_value)
        ok = pattern is not None and pattern.fullmatch(path) is not None
    return ConditionResult(
        field="path",
        match_type=spec.path_type,
        expected=spec.path_value,
        actual=path,
        passed=ok,
        implementation_specific=spec.path_type == "RegularExpression",
    )


def evaluate_http_match(spec: HTTPMatchSpec, request: SimulatedRequest) -> list[ConditionResult]:
    """Every condition of ``spec`` against ``request`` (the match holds if all pass)."""
    results = [_path_result(spec, request.path)]
    if spec.method is not None:
        results.append(
            ConditionResult(
                field="method",
                match_type="Exact",
                expected=spec.method,
                actual=request.method,
                passed=request.method.upper() == spec.method,
            )
        )
    for header in spec.headers:
        results.append(_value_result(f"header:{header.name}", header, request.header(header.name)))
    for param in spec.query:
        values = request.query.get(param.name)
        results.append(_value_result(f"query:{param.name}", param, values[0] if values else None))
    return results


def split_grpc_path(path: str) -> tuple[str, str] | None:
    """``(service, method)`` of a gRPC request path ``/{service}/{method}``."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


def evaluate_grpc_match(spec: GRPCMatchSpec, request: SimulatedRequest) -> list[ConditionResult]:
    """Every condition of a GRPCRoute match against a gRPC ``request``."""
    parsed = split_grpc_path(request.path)
    service, method = parsed if parsed is not None else (None, None)
    results: list[ConditionResult] = []
    for field, want, actual in (
        ("grpc.service", spec.service, service),
        ("grpc.method", spec.method, method),
    ):
        if want is None:
            continue
        results.append(_value_result(field, ValueMatch(field, spec.method_type, want), actual))
    for header in spec.headers:
        results.append(_value_result(f"header:{header.name}", header, request.header(header.name)))
    if parsed is None:
        results.append(
            ConditionResult(
                field="path",
                match_type="gRPC",
                expected="/{service}/{method}",
                actual=request.path,
                passed=False,
            )
        )
    return results
