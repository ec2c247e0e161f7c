"""Secrets never leave the API: private keys inside parents, Secret data in previews, and
annotations that copy a whole spec are replaced by a placeholder in every response and in
the audit log. A client may send the placeholder back unchanged (an edit of other fields):
it is restored from the object as it is now.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = "<redacted>"
# Fields that hold key material wherever they appear (InlineCertificate.privateKey).
SENSITIVE_FIELDS = frozenset({"privateKey"})
# Annotations that hold a copy of a spec, secrets included (kubectl's, kopf's diff base).
SENSITIVE_ANNOTATIONS = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        "ngf-console.f5.com/last-handled-configuration",
    }
)

Obj = dict[str, Any]


class PlaceholderError(ValueError):
    """The placeholder was sent for a value the object does not have (nothing to keep)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: {PLACEHOLDER!r} keeps the current value, and there is none")
        self.path = path


def redact(obj: Mapping[str, Any]) -> Obj:
    """A copy of ``obj`` with every secret replaced by :data:`PLACEHOLDER`."""
    out: Obj = _redact_fields(copy.deepcopy(dict(obj)))
    annotations = (out.get("metadata") or {}).get("annotations") or {}
    for key in SENSITIVE_ANNOTATIONS & annotations.keys():
        annotations[key] = PLACEHOLDER
    if out.get("kind") == "Secret":
        for field in ("data", "stringData"):
            if isinstance(out.get(field), dict):
                out[field] = {k: PLACEHOLDER for k in out[field]}
    return out


def _redact_fields(value: Any) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SENSITIVE_FIELDS and isinstance(item, str):
                value[key] = PLACEHOLDER
            else:
                _redact_fields(item)
    elif isinstance(value, list):
        for item in value:
            _redact_fields(item)
    return value


def restore(submitted: Obj, current: Mapping[str, Any] | None) -> Obj:
    """``submitted`` with each placeholder replaced by ``current``'s value at that path.

    Raises:
        PlaceholderError: a placeholder where ``current`` has no value.
    """
    return _restore(submitted, current, "")  # type: ignore[no-any-return]


def _restore(value: Any, current: Any, path: str) -> Any:
    if value == PLACEHOLDER:
        if not isinstance(current, str):
            raise PlaceholderError(path.lstrip("."))
        return current
    if isinstance(value, dict):
        here = current if isinstance(current, Mapping) else {}
        return {k: _restore(v, here.get(k), f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        here_list = current if isinstance(current, list) else []
        return [
            _restore(v, here_list[i] if i < len(here_list) else None, f"{path}[{i}]")
            for i, v in enumerate(value)
        ]
    return value
