"""Cross-cutting request handling: request ids, body limit, errors without stack traces."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"


class RequestContextMiddleware:
    """Gives every request an id (the caller's, if sane) echoed in the response, and
    refuses bodies above ``max_body_bytes`` with 413 — declared or streamed.

    Pure ASGI (not BaseHTTPMiddleware) so websockets and streaming pass untouched.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        given = headers.get(REQUEST_ID_HEADER.lower(), "")
        request_id = given if 0 < len(given) <= 128 and given.isprintable() else None
        request_id = request_id or secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _too_large(self.max_body_bytes, request_id, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLargeError
            return message

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                    (b"x-content-type-options", b"nosniff"),
                ]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLargeError:
            await _too_large(self.max_body_bytes, request_id, send)


class _BodyTooLargeError(Exception):
    pass


async def _too_large(limit: int, request_id: str, send: Send) -> None:
    response = JSONResponse(
        {"detail": {"message": f"request body larger than {limit} bytes", "reason": "TooLarge"}},
        status_code=413,
        headers={REQUEST_ID_HEADER: request_id},
    )
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


class ErrorCause(BaseModel):
    """One reason a request was refused, at a field path when it has one."""

    model_config = ConfigDict(extra="allow")

    field: str | None = None
    message: str | None = None
    reason: str | None = None


class ErrorDetail(BaseModel):
    """What went wrong (some errors add fields, e.g. a 409's dependants)."""

    model_config = ConfigDict(extra="allow")

    message: str
    reason: str | None = None
    causes: list[ErrorCause] | None = None


class ErrorBody(BaseModel):
    """The body of every error answer."""

    detail: ErrorDetail


def _document_errors(app: FastAPI) -> None:
    """Make the OpenAPI document's 422 (FastAPI's ``HTTPValidationError``) the body the
    handlers below really send."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(body.pop("$defs", {}))
        schemas["HTTPValidationError"] = body
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """Errors as JSON ``{"detail": ...}``; an unexpected one is logged, never shown."""
    _document_errors(app)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, err: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", "")
        log.exception(
            "unhandled error in %s %s (request %s)", request.method, request.url.path, request_id
        )
        return JSONResponse(
            {
                "detail": {
                    "message": "internal error; the server log has the details",
                    "requestId": request_id,
                }
            },
            status_code=500,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        causes = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ())),
                "message": e.get("msg", ""),
                "reason": e.get("type", ""),
            }
            for e in err.errors()
        ]
        return JSONResponse(
            {"detail": {"message": "invalid request", "causes": causes}}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        detail = err.detail if isinstance(err.detail, dict) else {"message": str(err.detail)}
        return JSONResponse({"detail": detail}, status_code=err.status_code, headers=err.headers)
