"""The objects of one resource type, kept in namespace/name order, and pages over them.

A :class:`ResourceStore` holds plain JSON dicts keyed by ``(namespace, name)`` ("" as the
namespace of cluster-scoped objects) and a sorted key list, so that a namespace is a
contiguous range and a page resumes by binary search after the last key it returned.
Stored dicts are replaced on update, never mutated, so a page handed out stays a
consistent view of the objects it contains; callers must treat them as read-only.

Continue tokens are opaque to clients: url-safe base64 of JSON naming the last key, the
resource version of the first page and a fingerprint of the query (resource type and
filters), so a token cannot be replayed against a different query.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from ngf_console.kube.label_selector import LabelSelector

__all__ = [
    "ContinueToken",
    "EventType",
    "Key",
    "Page",
    "ResourceStore",
    "decode_continue",
    "diff_objects",
    "encode_continue",
    "object_key",
    "query_fingerprint",
]

Key = tuple[str, str]
EventType = Literal["ADDED", "MODIFIED", "DELETED"]
_TOKEN_VERSION: Final = 1


def object_key(obj: Mapping[str, Any]) -> Key:
    """``(namespace, name)`` of an object ("" namespace for cluster-scoped ones)."""
    meta = obj.get("metadata") or {}
    return (meta.get("namespace") or "", meta.get("name") or "")


def _resource_version(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


@dataclass(frozen=True)
class Page:
    """One page of a list: the items, the token for the next page (None on the last page),
    the cache's resource version when the page was cut, and how many objects match the
    query in all (``total``, across every page)."""

    items: list[dict[str, Any]]
    continue_token: str | None
    resource_version: str
    total: int


@dataclass(frozen=True)
class ContinueToken:
    """What a continue token carries: where to resume and which query it belongs to."""

    last_key: Key
    resource_version: str
    fingerprint: str


def query_fingerprint(
    resource: str, namespace: str | None, selector: LabelSelector, name_contains: str | None
) -> str:
    """A short hash of the query a continue token is valid for."""
    raw = json.dumps([resource, namespace, str(selector), name_contains or ""])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def encode_continue(token: ContinueToken) -> str:
    """Opaque, url-safe string form of ``token``."""
    payload = {
        "v": _TOKEN_VERSION,
        "k": list(token.last_key),
        "rv": token.resource_version,
        "q": token.fingerprint,
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(text: str) -> ContinueToken:
    """Parse a token made by :func:`encode_continue`; anything else raises ``ValueError``."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw)
        key = payload["k"]
        if (
            payload["v"] != _TOKEN_VERSION
            or not (isinstance(key, list) and len(key) == 2)
            or not all(isinstance(k, str) for k in key)
            or not isinstance(payload["rv"], str)
            or not isinstance(payload["q"], str)
        ):
            raise ValueError("unexpected fields")
        return ContinueToken((key[0], key[1]), payload["rv"], payload["q"])
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise ValueError(f"invalid continue token: {e}") from None
    except ValueError as e:
        raise ValueError(f"invalid continue token: {e}") from None


def diff_objects(
    old: Mapping[Key, dict[str, Any]], new: Mapping[Key, dict[str, Any]]
) -> list[tuple[EventType, dict[str, Any]]]:
    """The events that turn ``old`` into ``new``: DELETED for keys gone (with the last known
    object), ADDED for new keys, MODIFIED where the resourceVersion changed. In key order."""
    events: list[tuple[EventType, dict[str, Any]]] = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if after is None:
            assert before is not None
            events.append(("DELETED", before))
        elif before is None:
            events.append(("ADDED", after))
        elif _resource_version(before) != _resource_version(after):
            events.append(("MODIFIED", after))
    return events


class ResourceStore:
    """Objects of one type by key, with the keys kept sorted."""

    def __init__(self) -> None:
        self._objects: dict[Key, dict[str, Any]] = {}
        self._keys: list[Key] = []

    def __len__(self) -> int:
        return len(self._objects)

    def get(self, key: Key) -> dict[str, Any] | None:
        """The object stored under ``key``, if any."""
        return self._objects.get(key)

    def snapshot(self) -> dict[Key, dict[str, Any]]:
        """A shallow copy of the key -> object map."""
        return dict(self._objects)

    def put(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        """Store ``obj`` under its key; return the object it replaced, if any."""
        key = object_key(obj)
        old = self._objects.get(key)
        if old is None:
            bisect.insort(self._keys, key)
        self._objects[key] = obj
        return old

    def remove(self, key: Key) -> dict[str, Any] | None:
        """Drop the object under ``key``; return it (None when it was not there)."""
        old = self._objects.pop(key, None)
        if old is not None:
            index = bisect.bisect_left(self._keys, key)
            del self._keys[index]
        return old

    def replace(self, objects: Iterable[dict[str, Any]]) -> None:
        """Make the store hold exactly ``objects`` (after a full list)."""
        self._objects = {object_key(o): o for o in objects}
        self._keys = sorted(self._objects)

    def select(
        self,
        *,
        namespace: str | None,
        selector: LabelSelector,
        name_contains: str | None,
        after: Key | None,
        limit: int | None,
    ) -> tuple[list[dict[str, Any]], Key | None, int]:
        """Matching objects after key ``after``, at most ``limit`` of them.

        Returns the items, the key to resume after (None when nothing matches beyond this
        page) and the number of objects matching in all.
        """
        keys = self._keys
        lo, hi = 0, len(keys)
        if namespace is not None:
            # Keys sort by namespace first, so one namespace is a contiguous range.
            lo = bisect.bisect_left(keys, (namespace, ""))
            hi = bisect.bisect_left(keys, (namespace + "\x00", ""))
        start = max(lo, bisect.bisect_right(keys, after)) if after is not None else lo
        objects = self._objects
        if selector.empty and not name_contains:
            end = hi if limit is None else min(hi, start + limit)
            items = [objects[k] for k in keys[start:end]]
            resume = keys[end - 1] if end < hi and end > start else None
            return items, resume, hi - lo
        needle = name_contains.lower() if name_contains else None
        items = []
        total = 0
        more = False
        for index in range(lo, hi):
            key = keys[index]
            if needle is not None and needle not in key[1].lower():
                continue
            obj = objects[key]
            if not selector.empty and not selector.matches(obj["metadata"].get("labels")):
                continue
            total += 1
            if index < start:
                continue
            if limit is None or len(items) < limit:
                items.append(obj)
            else:
                more = True
        resume = object_key(items[-1]) if more and items else None
        return items, resume, total
