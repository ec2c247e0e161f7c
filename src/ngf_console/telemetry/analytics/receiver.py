"""The OTLP/HTTP logs receiver: ``POST /v1/logs`` (protobuf or JSON, optionally gzipped).

Answers (OTLP/HTTP): 200 with an ExportLogsServiceResponse in the request's encoding
(``partialSuccess`` counts records of events this store does not keep); 400 with the
reason for a malformed request, nothing inserted; 413 for a request larger than the whole
queue; 429 with ``Retry-After`` while the ingest queue is full; 503 with ``Retry-After``
while the store cannot be opened. 429 and 503 are the codes OTLP exporters retry.

``otlp_router`` mounts it on an app (the API server adds its auth dependency);
``standalone_app`` serves it alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import zlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.params import Depends
from google.protobuf import json_format  # type: ignore[import-untyped]
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse

from ngf_console.telemetry.analytics.backends import AnalyticsUnavailableError
from ngf_console.telemetry.analytics.ingest import BatchTooLargeError, QueueFullError
from ngf_console.telemetry.analytics.otlp import MalformedLogsError, decode, map_request
from ngf_console.telemetry.analytics.service import AnalyticsService

OTLP_LOGS_PATH = "/v1/logs"
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
PROTOBUF = "application/x-protobuf"


def _error(status: int, message: str, reason: str, retry_after: int | None = None) -> None:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    raise HTTPException(
        status_code=status, detail={"message": message, "reason": reason}, headers=headers
    )


def _decompressed(body: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding != "gzip":
        _error(415, f"unsupported Content-Encoding {encoding!r} (use gzip)", "BadEncoding")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, MAX_DECOMPRESSED_BYTES)
    except (zlib.error, gzip.BadGzipFile) as err:
        _error(400, f"body is not valid gzip: {err}", "Malformed")
    if inflater.unconsumed_tail:
        _error(413, f"decompressed body exceeds {MAX_DECOMPRESSED_BYTES} bytes", "TooLarge")
    return out


def _response(skipped: int, events: set[str], protobuf: bool) -> Response:
    answer = ExportLogsServiceResponse()
    if skipped:
        answer.partial_success.rejected_log_records = skipped
        answer.partial_success.error_message = (
            "records of events this store does not keep: " + ", ".join(sorted(events))
        )
    if protobuf:
        return Response(answer.SerializeToString(), media_type=PROTOBUF)
    return Response(json_format.MessageToJson(answer, indent=None), media_type="application/json")


def otlp_router(
    service_of: Callable[[Request], AnalyticsService],
    dependencies: Sequence[Depends] = (),
) -> APIRouter:
    """The receiver's route; ``service_of`` finds the analytics service of a request."""
    router = APIRouter(tags=["telemetry ingest"])

    @router.post(
        OTLP_LOGS_PATH,
        dependencies=list(dependencies),
        summary="OTLP/HTTP logs: access logs, inference logs, EPP decisions, pod samples",
        responses={
            400: {"description": "Malformed; nothing stored"},
            429: {"description": "Ingest queue full; retry after Retry-After seconds"},
            503: {"description": "Analytics store unavailable"},
        },
    )
    async def export_logs(request: Request) -> Response:
        service = service_of(request)
        body = _decompressed(await request.body(), request.headers.get("content-encoding", ""))
        content_type = request.headers.get("content-type", "")
        try:
            queue = await service.ingest()
        except AnalyticsUnavailableError as err:
            _error(503, str(err), "AnalyticsUnavailable", retry_after=10)
        try:
            mapped = await asyncio.to_thread(_decode_and_map, body, content_type, service)
        except MalformedLogsError as err:
            _error(400, str(err), "Malformed")
        try:
            queue.offer(mapped)
        except QueueFullError as err:
            _error(429, str(err), "QueueFull", retry_after=err.retry_after)
        except BatchTooLargeError as err:
            _error(413, str(err), "TooLarge")
        service.accepted(mapped)
        protobuf = content_type.split(";", 1)[0].strip().lower() == PROTOBUF
        return _response(mapped.skipped, mapped.skipped_events, protobuf)

    return router


def _decode_and_map(body: bytes, content_type: str, service: AnalyticsService) -> Any:
    return map_request(decode(body, content_type), service.default_cluster)


def standalone_app(service: AnalyticsService) -> FastAPI:
    """A FastAPI app serving only the receiver (no auth: bind it to a trusted interface)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await service.close()

    app = FastAPI(title="NGF Console OTLP logs receiver", lifespan=lifespan)
    app.include_router(otlp_router(lambda _request: service))
    return app
