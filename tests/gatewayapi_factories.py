"""Small builders of Gateway API manifests for the gatewayapi engine tests."""

from __future__ import annotations

from typing import Any

from ngf_console.readmodel.snapshot import ClusterSnapshot

GW = "gateway.networking.k8s.io"
T0 = "2026-01-01T00:00:00Z"


def _meta(name: str, namespace: str | None, created: str = T0) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "creationTimestamp": created}
    if namespace is not None:
        out["namespace"] = namespace
    return out


def listener(
    name: str = "http",
    port: int = 80,
    protocol: str = "HTTP",
    hostname: str | None = None,
    *,
    allowed_from: str | None = None,
    selector: dict[str, Any] | None = None,
    kinds: list[str] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "port": port, "protocol": protocol}
    if hostname:
        out["hostname"] = hostname
    allowed: dict[str, Any] = {}
    if allowed_from:
        allowed["namespaces"] = {"from": allowed_from}
        if selector is not None:
            allowed["namespaces"]["selector"] = selector
    if kinds is not None:
        allowed["kinds"] = [{"kind": k} for k in kinds]
    if allowed:
        out["allowedRoutes"] = allowed
    return out


def gateway(
    name: str = "gw", namespace: str = "default", listeners: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "apiVersion": f"{GW}/v1",
        "kind": "Gateway",
        "metadata": _meta(name, namespace),
        "spec": {"gatewayClassName": "nginx", "listeners": listeners or [listener()]},
    }


def match(
    path: str | None = None,
    path_type: str = "PathPrefix",
    *,
    method: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    regex_headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if path is not None:
        out["path"] = {"type": path_type, "value": path}
    if method:
        out["method"] = method
    hdrs = [{"name": k, "value": v} for k, v in (headers or {}).items()]
    hdrs += [
        {"name": k, "value": v, "type": "RegularExpression"}
        for k, v in (regex_headers or {}).items()
    ]
    if hdrs:
        out["headers"] = hdrs
    if query:
        out["queryParams"] = [{"name": k, "value": v} for k, v in query.items()]
    return out


def backend(
    name: str = "svc", *, weight: int | None = None, namespace: str | None = None, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "port": 80, **extra}
    if weight is not None:
        out["weight"] = weight
    if namespace:
        out["namespace"] = namespace
    return out


def rule(
    *matches: dict[str, Any],
    backends: list[dict[str, Any]] | None = None,
    filters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"backendRefs": [backend()] if backends is None else backends}
    if matches:
        out["matches"] = list(matches)
    if filters:
        out["filters"] = filters
    return out


def parent(
    name: str = "gw",
    namespace: str | None = None,
    section: str | None = None,
    port: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, **extra}
    if namespace:
        out["namespace"] = namespace
    if section:
        out["sectionName"] = section
    if port is not None:
        out["port"] = port
    return out


def route(
    name: str = "r",
    namespace: str = "default",
    *,
    kind: str = "HTTPRoute",
    hostnames: list[str] | None = None,
    rules: list[dict[str, Any]] | None = None,
    parents: list[dict[str, Any]] | None = None,
    created: str = T0,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "parentRefs": parents if parents is not None else [parent()],
        "rules": rules if rules is not None else [rule()],
    }
    if hostnames:
        spec["hostnames"] = hostnames
    return {
        "apiVersion": f"{GW}/v1",
        "kind": kind,
        "metadata": _meta(name, namespace, created),
        "spec": spec,
    }


def grpc_match(
    service: str | None = None,
    method: str | None = None,
    *,
    regex: bool = False,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    m: dict[str, Any] = {}
    if service:
        m["service"] = service
    if method:
        m["method"] = method
    if regex:
        m["type"] = "RegularExpression"
    if m:
        out["method"] = m
    if headers:
        out["headers"] = [{"name": k, "value": v} for k, v in headers.items()]
    return out


def service(name: str = "svc", namespace: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name, namespace),
        "spec": {"ports": [{"port": 80}]},
    }


def reference_grant(
    namespace: str,
    from_namespace: str,
    *,
    from_kind: str = "HTTPRoute",
    to_kind: str = "Service",
    to_group: str = "",
    to_name: str | None = None,
) -> dict[str, Any]:
    to: dict[str, Any] = {"group": to_group, "kind": to_kind}
    if to_name:
        to["name"] = to_name
    return {
        "apiVersion": f"{GW}/v1beta1",
        "kind": "ReferenceGrant",
        "metadata": _meta("grant", namespace),
        "spec": {
            "from": [{"group": GW, "kind": from_kind, "namespace": from_namespace}],
            "to": [to],
        },
    }


def policy(
    kind: str,
    name: str,
    target_kind: str,
    target_name: str,
    *,
    namespace: str = "default",
    created: str = T0,
    section: str | None = None,
    group: str = "gateway.nginx.org",
    **spec: Any,
) -> dict[str, Any]:
    tgroup = "" if target_kind == "Service" else GW
    ref: dict[str, Any] = {"group": tgroup, "kind": target_kind, "name": target_name}
    if section:
        ref["sectionName"] = section
    key = "targetRef" if kind == "ClientSettingsPolicy" else "targetRefs"
    return {
        "apiVersion": f"{group}/v1alpha1",
        "kind": kind,
        "metadata": _meta(name, namespace, created),
        "spec": {key: ref if key == "targetRef" else [ref], **spec},
    }


def snapshot(*objects: dict[str, Any], services: bool = True) -> ClusterSnapshot:
    """A snapshot of ``objects``, plus Service ``svc`` in ``default`` unless told not to."""
    extra = [service()] if services else []
    return ClusterSnapshot.from_objects([*objects, *extra])
