"""Writes to Kubernetes on a caller's behalf, and the API server's errors passed through.

The API writes parents, routes and policies only (spec §2.5.7). Writes go straight to the
API server (never through the read cache) and the response is what the server stored.
Every write asks for strict field validation, so an unknown or duplicated field is refused
with its path instead of being dropped silently; errors keep the server's own words and
field paths, so a CRD schema or CEL violation reads the same here as in ``kubectl``.

The requests go through lightkube's HTTP client (its TLS, credentials and, in kubernetes
auth mode, impersonation headers) as plain JSON: the console handles arbitrary kinds as
dicts and needs query parameters lightkube does not expose (``fieldValidation``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import httpx2
from fastapi import HTTPException
from lightkube import AsyncClient

from ngf_console.kube.informer import http_client
from ngf_console.kube.resource_type import ResourceType

Obj = dict[str, Any]
TIMEOUT = 30.0
# A Kubernetes object or namespace name (RFC 1123 subdomain). Names go into the request's
# URL, so anything else ("?", "..", control characters) must never get that far.
_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def _checked(field: str, value: object) -> str:
    if not isinstance(value, str) or len(value) > 253 or not _NAME.fullmatch(value):
        raise HTTPException(
            status_code=422,
            detail={
                "message": f"{field} {value!r} is not a valid Kubernetes name",
                "reason": "Invalid",
                "causes": [
                    {
                        "field": field,
                        "message": "must be lowercase letters, digits, '-' and '.'",
                        "reason": "FieldValueInvalid",
                    }
                ],
            },
        )
    return value


def _clean(obj: Obj) -> Obj:
    obj.get("metadata", {}).pop("managedFields", None)
    return obj


def _error(response: httpx2.Response) -> HTTPException:
    """The API server's refusal as an HTTP error with its reason and field paths."""
    try:
        status = response.json()
    except ValueError:
        status = {"message": response.text[:500]}
    if not isinstance(status, dict):
        status = {}
    details = status.get("details") or {}
    causes = [
        {"field": c.get("field"), "message": c.get("message"), "reason": c.get("reason")}
        for c in details.get("causes") or []
    ]
    detail: dict[str, Any] = {
        "message": status.get("message") or "the Kubernetes API refused the request",
        "reason": status.get("reason"),
    }
    if causes:
        detail["causes"] = causes
    code = response.status_code
    # A 5xx from the API server is a failed dependency, not an error of ours.
    return HTTPException(status_code=502 if code >= 500 else code, detail=detail)


async def _send(
    client: AsyncClient,
    method: str,
    path: str,
    *,
    body: Mapping[str, Any] | None = None,
    params: Mapping[str, str] | None = None,
) -> httpx2.Response:
    http = http_client(client)
    try:
        return await http.request(
            method,
            path,
            params=dict(params or {}),
            content=None if body is None else json.dumps(body),
            headers={"Content-Type": "application/json"} if body is not None else None,
            timeout=TIMEOUT,
        )
    except httpx2.HTTPError as err:
        raise HTTPException(
            status_code=502, detail={"message": f"the Kubernetes API is unreachable: {err}"}
        ) from err


def _write_params(dry_run: bool) -> dict[str, str]:
    params = {"fieldValidation": "Strict", "fieldManager": "ngf-console"}
    if dry_run:
        params["dryRun"] = "All"
    return params


def _namespace(t: ResourceType, body: Mapping[str, Any]) -> str | None:
    if not t.namespaced:
        return None
    return _checked("metadata.namespace", body.get("metadata", {}).get("namespace"))


async def create(
    client: AsyncClient, t: ResourceType, body: Mapping[str, Any], *, dry_run: bool
) -> Obj:
    """Create ``body``; the stored (or, dry run, the would-be stored) object."""
    response = await _send(
        client, "POST", t.api_path(_namespace(t, body)), body=body, params=_write_params(dry_run)
    )
    if response.status_code >= 400:
        raise _error(response)
    return _clean(response.json())


async def replace(
    client: AsyncClient, t: ResourceType, body: Mapping[str, Any], *, dry_run: bool
) -> Obj:
    """Replace the object with ``body`` (a stale resourceVersion answers 409)."""
    path = t.api_path(_namespace(t, body), _checked("metadata.name", body["metadata"]["name"]))
    response = await _send(client, "PUT", path, body=body, params=_write_params(dry_run))
    if response.status_code >= 400:
        raise _error(response)
    return _clean(response.json())


async def read(
    client: AsyncClient, t: ResourceType, namespace: str | None, name: str
) -> Obj | None:
    """The object as the API server has it now, or None (also for a name none can have)."""
    if not _NAME.fullmatch(name) or (namespace is not None and not _NAME.fullmatch(namespace)):
        return None
    response = await _send(client, "GET", t.api_path(namespace if t.namespaced else None, name))
    if response.status_code == 404:
        return None
    if response.status_code >= 400:
        raise _error(response)
    return _clean(response.json())


async def delete(
    client: AsyncClient, t: ResourceType, namespace: str | None, name: str, *, dry_run: bool
) -> None:
    """Delete the object (owner references garbage-collect its children)."""
    params = {"dryRun": "All"} if dry_run else {}
    if t.namespaced:
        namespace = _checked("namespace", namespace)
    path = t.api_path(namespace if t.namespaced else None, _checked("name", name))
    response = await _send(client, "DELETE", path, params=params)
    if response.status_code >= 400:
        raise _error(response)
