"""Which parent CRD (InferenceStack, GatewayBundle, ...) owns a child object.

The operator marks its children two ways (render/common.py): a controller owner reference
(children in the parent's namespace) and the labels ``app.kubernetes.io/managed-by:
ngf-console`` plus ``ngf-console.f5.com/parent-kind`` and ``.../parent-name`` (every child,
also those in another namespace that cannot carry an owner reference). The owner reference is
exact (uid); the labels name no namespace, so a label match prefers the child's namespace and
otherwise accepts only a parent whose kind and name are unique in the cluster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from ngf_console.readmodel.objects import Obj, as_dicts, labels_of, meta, name_of, namespace_of
from ngf_console.render.common import (
    MANAGED_BY,
    MANAGED_BY_LABEL,
    PARENT_KIND_LABEL,
    PARENT_NAME_LABEL,
)

__all__ = ["ParentIndex"]


class ParentIndex:
    """The parent CRDs of a snapshot, indexed for owner lookups."""

    def __init__(self, parents: Iterable[Obj]) -> None:
        self.parents: list[Obj] = [p for p in parents if p.get("kind")]
        self._by_uid: dict[str, Obj] = {}
        self._by_key: dict[tuple[str, str, str], Obj] = {}
        self._by_kind_name: dict[tuple[str, str], list[Obj]] = defaultdict(list)
        for parent in self.parents:
            uid = meta(parent).get("uid")
            if uid:
                self._by_uid[str(uid)] = parent
            kind, name = str(parent["kind"]), name_of(parent)
            self._by_key[(kind, namespace_of(parent), name)] = parent
            self._by_kind_name[(kind, name)].append(parent)

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        """The parent of this kind, namespace and name, if present."""
        return self._by_key.get((kind, namespace, name))

    def owners_of(self, obj: Mapping[str, Any]) -> list[Obj]:
        """The parents that own ``obj``: by owner reference uid, else by the parent labels."""
        owners: list[Obj] = []
        for ref in as_dicts(meta(obj).get("ownerReferences")):
            parent = self._by_uid.get(str(ref.get("uid") or ""))
            if parent is not None and parent not in owners:
                owners.append(parent)
        if owners:
            return owners
        labels = labels_of(obj)
        if labels.get(MANAGED_BY_LABEL) != MANAGED_BY:
            return []
        kind, name = labels.get(PARENT_KIND_LABEL), labels.get(PARENT_NAME_LABEL)
        if not kind or not name:
            return []
        same_namespace = self._by_key.get((kind, namespace_of(obj), name))
        if same_namespace is not None:
            return [same_namespace]
        candidates = self._by_kind_name.get((kind, name), [])
        return list(candidates) if len(candidates) == 1 else []

    def owns(self, parent: Mapping[str, Any], obj: Mapping[str, Any]) -> bool:
        """Whether ``parent`` is one of the owners of ``obj``."""
        key = _key(parent)
        return any(_key(p) == key for p in self.owners_of(obj))


def _key(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(obj.get("kind") or ""), namespace_of(obj), name_of(obj))
