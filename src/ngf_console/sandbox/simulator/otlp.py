"""Log records out through the standard OTLP/HTTP JSON protocol (``POST {api}/v1/logs``).

One request per flush holds three resources, one per record kind, each named the way the
real emitter would be (``service.name`` nginx / inference-gateway / endpoint-picker) and
tagged ``ngf.log.type`` (access, inference, epp_decision). Attribute values follow the
protobuf JSON mapping (int64 as a string, nested maps as ``kvlistValue``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from ngf_console.sandbox.simulator.traffic import LogRecord

__all__ = ["OtlpEmitter", "any_value", "export_request"]

log = logging.getLogger(__name__)

SERVICES = {"access": "nginx", "inference": "inference-gateway", "epp_decision": "endpoint-picker"}
EVENT_NAMES = {
    "access": "ngf.access",
    "inference": "ngf.inference",
    "epp_decision": "ngf.epp.decision",
}
MAX_BUFFER = 50_000
# Below the console's default 1 MB request body limit: a batch is split to fit.
MAX_BODY_BYTES = 900_000


def any_value(value: Any) -> dict[str, Any]:
    """An OTLP ``AnyValue`` in JSON."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, Mapping):
        return {"kvlistValue": {"values": _attributes(value)}}
    if isinstance(value, list | tuple):
        return {"arrayValue": {"values": [any_value(v) for v in value]}}
    return {"stringValue": str(value)}


def _attributes(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": any_value(v)} for k, v in values.items()]


def export_request(records: Sequence[LogRecord]) -> dict[str, Any]:
    """An ``ExportLogsServiceRequest`` (JSON) holding ``records``."""
    by_kind: dict[str, list[LogRecord]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    resource_logs = []
    for kind, group in sorted(by_kind.items()):
        resource_logs.append(
            {
                "resource": {
                    "attributes": _attributes(
                        {"service.name": SERVICES.get(kind, kind), "ngf.log.type": kind}
                    )
                },
                "scopeLogs": [
                    {
                        "scope": {"name": "ngf-console-simulator"},
                        "logRecords": [
                            {
                                "timeUnixNano": str(int(r.time * 1e9)),
                                "observedTimeUnixNano": str(int(r.time * 1e9)),
                                "severityNumber": 17
                                if int(r.attributes.get("http.response.status_code", 200)) >= 500
                                else 9,
                                "severityText": "ERROR"
                                if int(r.attributes.get("http.response.status_code", 200)) >= 500
                                else "INFO",
                                "eventName": EVENT_NAMES.get(kind, kind),
                                "body": {"stringValue": r.body or kind},
                                "attributes": _attributes(r.attributes),
                            }
                            for r in group
                        ],
                    }
                ],
            }
        )
    return {"resourceLogs": resource_logs}


class OtlpEmitter:
    """Posts buffered records to the receiver; keeps them (bounded) while it refuses."""

    def __init__(self, endpoint: str, *, timeout: float = 5.0) -> None:
        self.endpoint = endpoint
        self._http = httpx.AsyncClient(timeout=timeout)
        self.buffer: list[LogRecord] = []
        self.sent = 0
        self.dropped = 0
        self.last_error: str | None = None
        self.retry_at = 0.0
        self.max_body_bytes = MAX_BODY_BYTES

    async def aclose(self) -> None:
        await self._http.aclose()

    def add(self, records: Sequence[LogRecord]) -> None:
        self.buffer.extend(records)
        overflow = len(self.buffer) - MAX_BUFFER
        if overflow > 0:
            del self.buffer[:overflow]
            self.dropped += overflow

    async def flush(self, max_records: int = 5000) -> None:
        """Send up to ``max_records``; on 429/5xx/unreachable keep them for the next flush."""
        if not self.buffer or time.monotonic() < self.retry_at:
            return
        batch, body = self._fitting(self.buffer[:max_records])
        try:
            response = await self._http.post(
                self.endpoint, content=body, headers={"Content-Type": "application/json"}
            )
        except httpx.HTTPError as err:
            self._failed(f"unreachable: {err!r}")
            return
        if response.status_code == 413 and len(batch) > 1:
            # The receiver takes less than we thought: smaller batches, nothing dropped.
            self.max_body_bytes = max(1024, len(body) // 2)
            self._failed(f"413: batches now up to {self.max_body_bytes} bytes")
            return
        if response.status_code == 429 or response.status_code >= 500:
            self._failed(f"{response.status_code}: {response.text[:200]}")
            return
        del self.buffer[: len(batch)]
        if response.status_code >= 400:
            # A 4xx other than 429 will not succeed on retry (no receiver, bad batch): drop
            # the batch, and ask again only in a while (the receiver may be deployed later).
            self.dropped += len(batch)
            self.retry_at = time.monotonic() + 30
            self._failed(f"{response.status_code}: {response.text[:200]}")
            return
        self.sent += len(batch)
        self.last_error = None

    def _fitting(self, batch: list[LogRecord]) -> tuple[list[LogRecord], bytes]:
        """The longest head of ``batch`` whose request body fits, and that body."""
        while True:
            body = json.dumps(export_request(batch), separators=(",", ":")).encode()
            if len(body) <= self.max_body_bytes or len(batch) == 1:
                return batch, body
            batch = batch[: len(batch) // 2]

    def _failed(self, error: str) -> None:
        if error != self.last_error:
            log.warning("OTLP export to %s failed: %s", self.endpoint, error)
        self.last_error = error
