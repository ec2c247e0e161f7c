"""A Kubernetes resource type by its API coordinates, and the URLs the API serves it at."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ResourceType"]


@dataclass(frozen=True)
class ResourceType:
    """One served resource: ``group`` ("" for core), ``version``, ``plural``, ``kind``.

    ``field_selector`` narrows what an informer lists and watches (for example
    ``type=kubernetes.io/tls`` for Secrets), so objects the console never shows are never
    held in memory.
    """

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    field_selector: str | None = None

    @property
    def api_version(self) -> str:
        """``group/version``, or just ``version`` for the core group (as in ``apiVersion``)."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """``plural.group`` (``pods`` for core), the name ``kubectl`` and RBAC use."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def api_path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The collection URL (all namespaces when ``namespace`` is None), or one object's.

        ``/apis/gateway.networking.k8s.io/v1/namespaces/ns/httproutes/name``
        """
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if namespace is not None and self.namespaced:
            root = f"{root}/namespaces/{namespace}"
        path = f"{root}/{self.plural}"
        return f"{path}/{name}" if name is not None else path

    def __str__(self) -> str:
        return f"{self.resource}/{self.version}"
