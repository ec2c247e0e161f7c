"""Reading, applying and deleting child objects (the operator's only writes besides status).

Every write is a server-side apply with one field manager, so the operator owns exactly the
fields it renders and a later apply of the same manifest is a no-op (no new
resourceVersion) — which is how a real drift is told apart from API-server normalisation.

Objects travel as plain JSON through lightkube's HTTP client (its TLS and credentials):
converting every manifest to lightkube's typed models and back cost more CPU than the
requests themselves (bench/README.md). lightkube's resource registry still says where a
kind lives (plural, namespaced), and its ``ApiError`` carries the API server's refusals.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx2
from lightkube import AsyncClient
from lightkube.core.exceptions import ApiError
from lightkube.core.resource import NamespacedResource
from lightkube.core.resource_registry import resource_registry
from lightkube.generic_resource import async_load_in_cluster_generic_resources

from ngf_console.kube.informer import http_client
from ngf_console.kube.resource_type import ResourceType
from ngf_console.operator.child_index import ChildIndex
from ngf_console.render.common import FIELD_MANAGER

Obj = dict[str, Any]

_APPLY = {"Content-Type": "application/apply-patch+yaml"}  # JSON is YAML
_MERGE = {"Content-Type": "application/merge-patch+json"}


def resource_type(api_version: str, kind: str) -> ResourceType:
    """Where ``kind`` lives, from lightkube's registry (loaded from the cluster's CRDs)."""
    resource = resource_registry.load(api_version, kind)
    group, _, version = api_version.rpartition("/")
    namespaced = issubclass(resource, NamespacedResource)
    return ResourceType(group, version, resource._api_info.plural, kind, namespaced)


def _path(api_version: str, kind: str, name: str | None, namespace: str | None) -> str:
    t = resource_type(api_version, kind)
    return t.api_path(namespace if t.namespaced else None, name)


class ChildClient:
    """Access to arbitrary child kinds, as JSON, through one lightkube client."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    @property
    def _http(self) -> httpx2.AsyncClient:
        return http_client(self.client)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx2.Response:
        response = await self._http.request(
            method,
            path,
            params=dict(params or {}),
            content=None if body is None else json.dumps(body),
            headers=dict(headers or {}),
        )
        if response.status_code >= 400:
            raise ApiError(request=response.request, response=response)
        return response

    async def load_custom_kinds(self) -> None:
        """Register every CRD kind the cluster serves, so their paths can be found."""
        await async_load_in_cluster_generic_resources(self.client)

    async def get(self, manifest: Mapping[str, Any]) -> Obj | None:
        """The live object named by ``manifest``, or None if it does not exist."""
        meta = manifest["metadata"]
        path = _path(manifest["apiVersion"], manifest["kind"], meta["name"], meta.get("namespace"))
        try:
            response = await self._send("GET", path)
        except ApiError as err:
            if err.status.code == 404:
                return None
            raise
        result: Obj = response.json()
        return result

    async def read_through(self, index: ChildIndex, manifest: Mapping[str, Any]) -> Obj | None:
        """The object from the watch-fed ``index``; from the API server if the index has none.

        A miss is read back because it is also what the index shows before its watch has
        listed everything (just after start-up); a hit is trusted (see child_index).
        """
        live = index.get(manifest)
        if live is None:
            live = await self.get(manifest)
            if live is not None:
                index.store(live)
        return live

    async def apply(self, manifest: Mapping[str, Any]) -> Obj:
        """Server-side apply ``manifest`` (forcing ownership of its fields); return the result."""
        meta = manifest["metadata"]
        path = _path(manifest["apiVersion"], manifest["kind"], meta["name"], meta.get("namespace"))
        response = await self._send(
            "PATCH",
            path,
            body=manifest,
            params={"fieldManager": FIELD_MANAGER, "force": "true"},
            headers=_APPLY,
        )
        result: Obj = response.json()
        return result

    async def delete(self, api_version: str, kind: str, name: str, namespace: str | None) -> None:
        """Delete an object; a missing one is fine."""
        try:
            await self._send("DELETE", _path(api_version, kind, name, namespace))
        except ApiError as err:
            if err.status.code != 404:
                raise

    async def patch_status(
        self, api_version: str, kind: str, name: str, namespace: str, status: Mapping[str, Any]
    ) -> None:
        """Merge-patch the status subresource of a parent."""
        path = _path(api_version, kind, name, namespace) + "/status"
        await self._send("PATCH", path, body={"status": dict(status)}, headers=_MERGE)

    async def list_parents(self, api_version: str, kind: str) -> AsyncIterator[Obj]:
        """Every parent of ``kind`` in the cluster."""
        response = await self._send("GET", _path(api_version, kind, None, None))
        for item in response.json().get("items", []):
            yield {"apiVersion": api_version, "kind": kind, **item}

    async def get_parent(
        self, api_version: str, kind: str, name: str, namespace: str
    ) -> Obj | None:
        """The parent object, or None once it is gone."""
        return await self.get(
            {
                "apiVersion": api_version,
                "kind": kind,
                "metadata": {"name": name, "namespace": namespace},
            }
        )
