"""JSON documents as the config DB stores them: plain dicts and lists, nothing else."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any


def _encode_extra(value: object) -> str:
    # Kubernetes clients hand out datetimes; UUIDs come from our own ids.
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_document(value: Mapping[str, Any]) -> dict[str, Any]:
    """A deep, JSON-only copy of ``value`` (datetimes become ISO strings, UUIDs strings).

    What is stored is then exactly what is read back and what a diff is computed from.
    """
    copied = json.loads(json.dumps(value, default=_encode_extra))
    assert isinstance(copied, dict)
    return copied


def json_documents(values: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``json_document`` of each element of a list."""
    return [json_document(v) for v in values]
