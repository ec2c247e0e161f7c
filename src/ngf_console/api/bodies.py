"""Request bodies holding a Kubernetes object, as JSON or YAML, with precise parse errors."""

from __future__ import annotations

import json
from typing import Any

import yaml
from fastapi import HTTPException, Request

YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml"})

# The OpenAPI description of such a body (FastAPI cannot infer it from a dependency).
OBJECT_BODY_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object", "additionalProperties": True}},
            "application/yaml": {"schema": {"type": "object", "additionalProperties": True}},
        },
    }
}


def _bad(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail={"message": message, "reason": "BadRequest"})


def parse_object(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """Decode one object from JSON or YAML; malformed input names its line and column."""
    media = (content_type or "application/json").split(";")[0].strip().lower()
    try:
        text = raw.decode()
    except UnicodeDecodeError as err:
        raise _bad(f"the body is not UTF-8 (byte {err.start})") from err
    if not text.strip():
        raise _bad("the body is empty; expected a Kubernetes object")
    if media in YAML_TYPES:
        try:
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            raise _bad(f"malformed YAML: {where}{err.problem or err}") from err
        except yaml.YAMLError as err:
            raise _bad(f"malformed YAML: {err}") from err
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise _bad(f"malformed JSON: line {err.lineno}, column {err.colno}: {err.msg}") from err
    if not isinstance(data, dict):
        raise _bad(f"expected a Kubernetes object, got {type(data).__name__}")
    return data


async def object_body(request: Request) -> dict[str, Any]:
    """FastAPI dependency: the request's body as one object."""
    return parse_object(await request.body(), request.headers.get("content-type"))
