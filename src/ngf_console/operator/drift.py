"""Has a child drifted from what its parent renders? Pure comparison of desired and live.

The desired manifest must be contained in the live object: every field the operator sets
must still hold its value, while fields added by the API server (defaults, status, managed
fields) or by other controllers are none of our business. Lists are compared item by item,
so an added or removed route rule or container is drift.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

_COMPARED_METADATA = ("labels", "annotations")
_SKIPPED_TOP_LEVEL = frozenset({"apiVersion", "kind", "metadata", "status", "stringData"})


def _paths(desired: Any, live: Any, path: str, out: list[str]) -> None:
    if isinstance(desired, Mapping):
        if not isinstance(live, Mapping):
            out.append(path or ".")
            return
        for key, value in desired.items():
            child = f"{path}.{key}" if path else str(key)
            if key not in live:
                if value not in (None, {}, []):
                    out.append(child)
                continue
            _paths(value, live[key], child, out)
    elif isinstance(desired, list):
        if not isinstance(live, list) or len(live) != len(desired):
            out.append(path)
            return
        for index, (want, have) in enumerate(zip(desired, live, strict=True)):
            _paths(want, have, f"{path}[{index}]", out)
    elif not _same_scalar(desired, live):
        out.append(path)


def _same_scalar(a: Any, b: Any) -> bool:
    # A bool is not a number here (True == 1 in Python, not in Kubernetes); JSON round trips
    # may turn 1.0 into 1, which is the same number.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def drifted_fields(desired: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    """Paths of fields in ``desired`` whose value ``live`` no longer has (empty: no drift)."""
    out: list[str] = []
    meta_desired = desired.get("metadata") or {}
    meta_live = live.get("metadata") or {}
    for key in _COMPARED_METADATA:
        if meta_desired.get(key):
            _paths(meta_desired[key], meta_live.get(key) or {}, f"metadata.{key}", out)
    for key, value in desired.items():
        if key in _SKIPPED_TOP_LEVEL:
            continue
        _paths(value, live.get(key), key, out)
    # Secrets: stringData is write-only; the API server stores it base64-encoded in data.
    for key, value in (desired.get("stringData") or {}).items():
        encoded = base64.b64encode(str(value).encode()).decode()
        if (live.get("data") or {}).get(key) != encoded:
            out.append(f"stringData.{key}")
    return out


def describe(fields: list[str], limit: int = 3) -> str:
    """A short human description of drifted fields for events and status."""
    shown = ", ".join(fields[:limit])
    more = len(fields) - limit
    return f"{shown} (+{more} more)" if more > 0 else shown
