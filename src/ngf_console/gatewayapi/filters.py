"""Filters applied to a matched request, and how its traffic splits over the backends.

Implements Gateway API v1 ``HTTPRouteFilter`` (GRPCRoute shares the header and mirror ones):

- ``RequestRedirect``: ``scheme``, ``hostname``, ``port``, ``path`` and ``statusCode``
  (default 302). Without ``port``: the well-known port of a set ``scheme`` (http 80,
  https 443), else the listener's port; the port is left out of ``Location`` when it is
  the scheme's default. Path ``ReplaceFullPath`` replaces the whole path,
  ``ReplacePrefixMatch`` only the matched PathPrefix (element-wise, no doubled ``/``).
  The query string is kept.
- ``URLRewrite``: ``hostname`` (the ``Host`` sent upstream) and ``path`` as above.
- ``RequestHeaderModifier`` / ``ResponseHeaderModifier``: ``set`` overwrites, ``add``
  appends to an existing value (``foo,bar``), ``remove`` drops; names case-insensitive.
  Applied in the order set, add, remove (the spec does not order them).
- ``RequestMirror``: the request is also sent to ``backendRef`` (``percent`` /
  ``fraction`` of requests, default all); the mirror's response is ignored.
- ``ExtensionRef`` (SnippetsFilter, AuthenticationFilter) is listed, not simulated.
- backendRefs: ``weight`` defaults to 1; a backend's share is its weight over the sum;
  weight 0 gets no traffic. When every weight is 0, or every backend is invalid, matching
  requests get 500; the share of an invalid backend gets 500. A rule with no backendRefs
  and no redirect returns 404 ("performs no forwarding"). An InferencePool backend is
  resolved to the pool (selector, target ports, endpoint picker).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field

from ngf_console.gatewayapi.attachment import BackendVerdict
from ngf_console.gatewayapi.request import SimulatedRequest
from ngf_console.readmodel.inference_pools import EndpointPickerView, normalize_inference_pool
from ngf_console.readmodel.objects import Obj, as_dicts, name_of, namespace_of

__all__ = [
    "AppliedFilter",
    "BackendShare",
    "FilterOutcome",
    "HeaderChange",
    "InferencePoolTarget",
    "apply_filters",
    "backend_shares",
    "modify_headers",
    "replace_path",
]

_WELL_KNOWN = {"http": 80, "https": 443}


class HeaderChange(BaseModel):
    """One header operation of a modifier filter."""

    op: Literal["set", "add", "remove"]
    name: str
    value: str | None = None


class AppliedFilter(BaseModel):
    type: str
    simulated: bool = True
    detail: str = ""


class FilterOutcome(BaseModel):
    """The request after the rule's filters; ``redirect_*`` set when it is redirected."""

    applied: list[AppliedFilter] = Field(default_factory=list)
    redirect_status: int | None = None
    redirect_location: str | None = None
    upstream_host: str | None = None
    upstream_path: str | None = None
    upstream_headers: dict[str, str] = Field(default_factory=dict)
    response_header_changes: list[HeaderChange] = Field(default_factory=list)
    mirrors: list[dict[str, Any]] = Field(default_factory=list)


class InferencePoolTarget(BaseModel):
    """An InferencePool backend, resolved to what the pool routes to."""

    name: str
    namespace: str
    api_version: str
    selector: dict[str, str] = Field(default_factory=dict)
    target_ports: list[int] = Field(default_factory=list)
    endpoint_picker: EndpointPickerView | None = None


class BackendShare(BaseModel):
    """One backendRef and the share of the rule's requests it receives."""

    group: str = ""
    kind: str = "Service"
    namespace: str
    name: str
    port: int | None = None
    weight: int
    share: float
    resolved: bool
    status_if_chosen: int | None = None  # 500 for an invalid backend
    reason: str | None = None
    inference_pool: InferencePoolTarget | None = None


def replace_path(path: str, modifier: Mapping[str, Any], matched_prefix: str | None) -> str:
    """A path after ``ReplaceFullPath`` or ``ReplacePrefixMatch``.

    ``ReplacePrefixMatch`` needs the PathPrefix the request matched; the prefix's trailing
    ``/`` is ignored, as in matching: prefix ``/foo`` with ``/xyz`` gives ``/foo/bar`` ->
    ``/xyz/bar``; with ``/`` it gives ``/bar``.
    """
    kind = modifier.get("type")
    if kind == "ReplaceFullPath":
        return str(modifier.get("replaceFullPath") or "/")
    if kind == "ReplacePrefixMatch" and matched_prefix is not None:
        base = matched_prefix.rstrip("/")
        rest = path[len(base) :]
        replacement = str(modifier.get("replacePrefixMatch") or "/")
        if replacement.endswith("/") and (rest.startswith("/") or rest == ""):
            replacement = replacement[:-1]
        return (replacement + rest) or "/"
    return path


def modify_headers(
    headers: Mapping[str, str], modifier: Mapping[str, Any]
) -> tuple[dict[str, str], list[HeaderChange]]:
    """Headers after a Request/ResponseHeaderModifier (set, then add, then remove)."""
    out = dict(headers)
    changes: list[HeaderChange] = []

    def find(name: str) -> str | None:
        return next((k for k in out if k.lower() == name.lower()), None)

    for entry in as_dicts(modifier.get("set")):
        name, value = str(entry.get("name")), str(entry.get("value") or "")
        existing = find(name)
        if existing is not None:
            del out[existing]
        out[name] = value
        changes.append(HeaderChange(op="set", name=name, value=value))
    for entry in as_dicts(modifier.get("add")):
        name, value = str(entry.get("name")), str(entry.get("value") or "")
        existing = find(name)
        if existing is not None:
            out[existing] = f"{out[existing]},{value}"
        else:
            out[name] = value
        changes.append(HeaderChange(op="add", name=name, value=value))
    for raw in modifier.get("remove") or []:
        existing = find(str(raw))
        if existing is not None:
            del out[existing]
        changes.append(HeaderChange(op="remove", name=str(raw)))
    return out, changes


def _redirect(
    request: SimulatedRequest, spec: Mapping[str, Any], prefix: str | None, listener_port: int
) -> tuple[int, str]:
    scheme = str(spec.get("scheme") or request.scheme)
    host = str(spec.get("hostname") or request.host)
    port = spec.get("port")
    if not isinstance(port, int):
        port = _WELL_KNOWN.get(scheme, listener_port) if spec.get("scheme") else listener_port
    path = request.path
    modifier = spec.get("path")
    if isinstance(modifier, dict):
        path = replace_path(path, modifier, prefix)
    authority = host if _WELL_KNOWN.get(scheme) == port else f"{host}:{port}"
    query = "&".join(f"{k}={v}" for k, values in request.query.items() for v in values)
    status = spec.get("statusCode")
    location = f"{scheme}://{authority}{path}" + (f"?{query}" if query else "")
    return (status if isinstance(status, int) else 302), location


def apply_filters(
    request: SimulatedRequest,
    filters: list[Mapping[str, Any]],
    *,
    matched_prefix: str | None,
    listener_port: int,
    route_namespace: str,
) -> FilterOutcome:
    """Apply a rule's (or a backendRef's) filters to ``request``, in list order."""
    out = FilterOutcome(
        upstream_host=request.host,
        upstream_path=request.path,
        upstream_headers=dict(request.headers),
    )
    for flt in filters:
        kind = str(flt.get("type") or "")
        if kind == "RequestRedirect" and isinstance(flt.get("requestRedirect"), dict):
            status, location = _redirect(
                request, flt["requestRedirect"], matched_prefix, listener_port
            )
            out.redirect_status, out.redirect_location = status, location
            out.applied.append(AppliedFilter(type=kind, detail=f"{status} {location}"))
        elif kind == "URLRewrite" and isinstance(flt.get("urlRewrite"), dict):
            spec = flt["urlRewrite"]
            if spec.get("hostname"):
                out.upstream_host = str(spec["hostname"])
                host_key = next((k for k in out.upstream_headers if k.lower() == "host"), "Host")
                out.upstream_headers[host_key] = out.upstream_host
            if isinstance(spec.get("path"), dict):
                out.upstream_path = replace_path(
                    out.upstream_path or "/", spec["path"], matched_prefix
                )
            out.applied.append(
                AppliedFilter(type=kind, detail=f"{out.upstream_host}{out.upstream_path}")
            )
        elif kind == "RequestHeaderModifier" and isinstance(flt.get("requestHeaderModifier"), dict):
            out.upstream_headers, changes = modify_headers(
                out.upstream_headers, flt["requestHeaderModifier"]
            )
            out.applied.append(
                AppliedFilter(type=kind, detail=", ".join(f"{c.op} {c.name}" for c in changes))
            )
        elif kind == "ResponseHeaderModifier" and isinstance(
            flt.get("responseHeaderModifier"), dict
        ):
            _, changes = modify_headers({}, flt["responseHeaderModifier"])
            out.response_header_changes += changes
            out.applied.append(
                AppliedFilter(type=kind, detail=", ".join(f"{c.op} {c.name}" for c in changes))
            )
        elif kind == "RequestMirror" and isinstance(flt.get("requestMirror"), dict):
            spec = flt["requestMirror"]
            ref = spec.get("backendRef") if isinstance(spec.get("backendRef"), dict) else {}
            percent = spec.get("percent")
            fraction = spec.get("fraction")
            if isinstance(fraction, dict) and isinstance(fraction.get("numerator"), int):
                percent = 100 * fraction["numerator"] / (fraction.get("denominator") or 100)
            mirror = {
                "kind": ref.get("kind") or "Service",
                "namespace": ref.get("namespace") or route_namespace,
                "name": ref.get("name"),
                "port": ref.get("port"),
                "percent": percent if percent is not None else 100,
            }
            out.mirrors.append(mirror)
            out.applied.append(
                AppliedFilter(type=kind, detail=f"{mirror['name']} ({mirror['percent']}%)")
            )
        else:
            ext = flt.get("extensionRef") if isinstance(flt.get("extensionRef"), dict) else {}
            detail = f"{ext.get('kind')}/{ext.get('name')}" if ext else "not simulated"
            out.applied.append(AppliedFilter(type=kind, simulated=False, detail=detail))
    return out


def _pool_target(pools: list[Obj], namespace: str, name: str) -> InferencePoolTarget | None:
    for obj in pools:
        if namespace_of(obj) == namespace and name_of(obj) == name:
            pool = normalize_inference_pool(obj)
            return InferencePoolTarget(
                name=name,
                namespace=namespace,
                api_version=pool.api_version,
                selector=dict(pool.selector),
                target_ports=list(pool.target_ports),
                endpoint_picker=pool.endpoint_picker,
            )
    return None


def backend_shares(
    verdicts: list[BackendVerdict], pools: list[Obj] | None = None
) -> tuple[list[BackendShare], int | None]:
    """Each backendRef's share of a rule's traffic, and the status when nothing forwards.

    Returns ``(shares, status)``: ``status`` is 500 when every weight is 0 or every backend
    is invalid, 404 when the rule has no backendRefs, else None.
    """
    refs = [v for v in verdicts if not v.mirror]
    if not refs:
        return [], 404
    total = sum(max(v.weight, 0) for v in refs)
    shares: list[BackendShare] = []
    for v in refs:
        share = (max(v.weight, 0) / total) if total else 0.0
        pool = (
            _pool_target(pools or [], v.namespace, v.name)
            if v.kind == "InferencePool" and v.resolved
            else None
        )
        shares.append(
            BackendShare(
                group=v.group,
                kind=v.kind,
                namespace=v.namespace,
                name=v.name,
                port=v.port,
                weight=v.weight,
                share=round(share, 6),
                resolved=v.resolved,
                status_if_chosen=None if v.resolved else 500,
                reason=None if v.resolved else v.reason,
                inference_pool=pool,
            )
        )
    if total == 0 or not any(s.resolved and s.share > 0 for s in shares):
        return shares, 500
    return shares, None
