"""What the operator's child watches have seen: the live children, without a GET per pass.

kopf already watches every child kind (to heal drift); this index keeps the last body of
each managed child from those events, so a reconcile pass compares desired with live from
memory and only talks to the API server to change something. Bodies are kept as compact
JSON (without ``managedFields``): a dict of a Deployment costs ten times its JSON size in
Python objects, and a pass reads each child once.

The index can lag the API server by one event. That is safe by construction: a stale body
that differs from the desired state only causes a server-side apply that changes nothing;
a stale body that hides a change is followed by the event of that change, which triggers
another pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ngf_console.render.common import PARENT_KIND_LABEL, PARENT_NAME_LABEL

Obj = dict[str, Any]
# (API group, kind, namespace, name); the group, not the version: one object, many versions.
ChildKey = tuple[str, str, str, str]
ParentRef = tuple[str, str, str]  # (kind, namespace, name)

# Metadata that changes on every write and says nothing about the object's meaning.
_VOLATILE_METADATA = ("managedFields", "resourceVersion")


def child_key(obj: Mapping[str, Any]) -> ChildKey:
    """The index key of an object (a manifest or a live body)."""
    meta = obj["metadata"]
    group = obj["apiVersion"].rpartition("/")[0]
    return (group, obj["kind"], meta.get("namespace") or "", meta["name"])


def _parent_of(obj: Mapping[str, Any]) -> ParentRef | None:
    meta = obj["metadata"]
    labels = meta.get("labels") or {}
    kind, name = labels.get(PARENT_KIND_LABEL), labels.get(PARENT_NAME_LABEL)
    if not kind or not name:
        return None
    return (kind, meta.get("namespace") or "", name)


def _essence(obj: Mapping[str, Any]) -> Obj:
    body = dict(obj)
    meta = dict(body.get("metadata") or {})
    for field in _VOLATILE_METADATA:
        meta.pop(field, None)
    body["metadata"] = meta
    return body


class ChildIndex:
    """Last seen body of every managed child, by key and by owning parent."""

    def __init__(self) -> None:
        self._bodies: dict[ChildKey, str] = {}
        self._by_parent: dict[ParentRef, set[ChildKey]] = {}

    def __len__(self) -> int:
        return len(self._bodies)

    def observe(self, event_type: str | None, body: Mapping[str, Any]) -> bool:
        """Record a watch event; return whether the object's meaning changed.

        "Meaning" is everything but ``resourceVersion`` and ``managedFields``: an apply
        that changes nothing else (or an event replayed after a watch restart) is no news.
        """
        key = child_key(body)
        parent = _parent_of(body)
        if event_type == "DELETED":
            existed = self._bodies.pop(key, None) is not None
            if parent is not None:
                self._unlink(parent, key)
            return existed
        return self.store(body, parent=parent)

    def store(self, body: Mapping[str, Any], *, parent: ParentRef | None = None) -> bool:
        """Record a body the operator read or applied itself; return whether it is news."""
        key = child_key(body)
        if parent is None:
            parent = _parent_of(body)
        previous = self._bodies.get(key)
        essence = _essence(body)
        meta = dict(essence["metadata"])
        meta["resourceVersion"] = body["metadata"].get("resourceVersion")
        encoded = json.dumps({**essence, "metadata": meta}, separators=(",", ":"))
        self._bodies[key] = encoded
        if parent is not None:
            self._by_parent.setdefault(parent, set()).add(key)
        if previous is None:
            return True
        before = json.loads(previous)
        before["metadata"].pop("resourceVersion", None)
        return bool(before != essence)

    def forget(self, obj: Mapping[str, Any]) -> None:
        """Drop an object the operator deleted itself."""
        key = child_key(obj)
        self._bodies.pop(key, None)
        parent = _parent_of(obj)
        if parent is not None:
            self._unlink(parent, key)

    def get(self, obj: Mapping[str, Any]) -> Obj | None:
        """The last seen body of the object ``obj`` names, or None if none was seen."""
        encoded = self._bodies.get(child_key(obj))
        return None if encoded is None else _decode(encoded)

    def owned(self, parent: ParentRef, kind: str) -> Iterator[Obj]:
        """Children of ``kind`` labelled as belonging to ``parent``."""
        for key in sorted(self._by_parent.get(parent, ())):
            if key[1] == kind and key in self._bodies:
                yield _decode(self._bodies[key])

    def _unlink(self, parent: ParentRef, key: ChildKey) -> None:
        keys = self._by_parent.get(parent)
        if keys is None:
            return
        keys.discard(key)
        if not keys:
            del self._by_parent[parent]


def _decode(encoded: str) -> Obj:
    obj: Obj = json.loads(encoded)
    return obj
