"""Reading, applying and deleting child objects (the operator's only writes besides status).

Every write is a server-side apply with one field manager, so the operator owns exactly the
fields it renders and a later apply of the same manifest is a no-op (no new
resourceVersion) — which is how a real drift is told apart from API-server normalisation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from lightkube import AsyncClient, codecs
from lightkube.core.exceptions import ApiError
from lightkube.core.resource_registry import resource_registry
from lightkube.generic_resource import async_load_in_cluster_generic_resources
from lightkube.types import PatchType

from ngf_console.operator.child_index import ChildIndex
from ngf_console.render.common import FIELD_MANAGER

Obj = dict[str, Any]


def _resource(api_version: str, kind: str) -> Any:
    return resource_registry.load(api_version, kind)


def _to_dict(obj: Any) -> Obj:
    result: Obj = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return result


class ChildClient:
    """Typed-enough access to arbitrary child kinds through one lightkube client."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def load_custom_kinds(self) -> None:
        """Register every CRD kind the cluster serves, so manifests of them can be decoded."""
        await async_load_in_cluster_generic_resources(self.client)

    async def get(self, manifest: Mapping[str, Any]) -> Obj | None:
        """The live object named by ``manifest``, or None if it does not exist."""
        meta = manifest["metadata"]
        resource = _resource(manifest["apiVersion"], manifest["kind"])
        try:
            obj = await self.client.get(resource, meta["name"], namespace=meta.get("namespace"))
        except ApiError as err:
            if err.status.code == 404:
                return None
            raise
        return _to_dict(obj)

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
        obj = codecs.from_dict(dict(manifest))
        applied = await self.client.apply(obj, field_manager=FIELD_MANAGER, force=True)
        return _to_dict(applied)

    async def delete(self, api_version: str, kind: str, name: str, namespace: str | None) -> None:
        """Delete an object; a missing one is fine."""
        try:
            await self.client.delete(_resource(api_version, kind), name, namespace=namespace)
        except ApiError as err:
            if err.status.code != 404:
                raise

    async def patch_status(
        self, api_version: str, kind: str, name: str, namespace: str, status: Mapping[str, Any]
    ) -> None:
        """Merge-patch the status subresource of a parent."""
        await self.client.patch(
            _resource(api_version, kind).Status,
            name,
            {"status": dict(status)},
            namespace=namespace,
            patch_type=PatchType.MERGE,
        )

    async def list_parents(self, api_version: str, kind: str) -> AsyncIterator[Obj]:
        """Every parent of ``kind`` in the cluster."""
        async for obj in self.client.list(_resource(api_version, kind), namespace="*"):
            yield _to_dict(obj)

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
