"""OTLP logs → rows of the analytics tables (pure functions, no I/O).

A request is decoded whole (protobuf or OTLP/JSON) and every record mapped before anything
is inserted: a malformed record fails the request with its location, so a batch is never
stored in part. Records of events this store does not keep are skipped and counted (the
OTLP partial-success answer reports them); they are not errors.

The event of a record is ``LogRecord.event_name``, else its ``event.name`` attribute, else
``ngf.access`` for a record with ``http.request.method`` (NGINX access logs carry no event
name). Columns read their attributes as tables.py lists them: on the record first, then on
its resource.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]
from google.protobuf.message import DecodeError  # type: ignore[import-untyped]
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from ngf_console.telemetry.analytics.tables import (
    CANDIDATE_ARRAYS,
    CLUSTER_ATTR,
    EPP_DECISIONS,
    TABLES_BY_EVENT,
    Column,
    Table,
)

ACCESS_EVENT = "ngf.access"
_INT_RANGES = {
    "UInt8": (0, 2**8 - 1),
    "UInt16": (0, 2**16 - 1),
    "UInt32": (0, 2**32 - 1),
    "UInt64": (0, 2**64 - 1),
}
_HEX_ID = re.compile(r"^[0-9a-fA-F]*$")


class MalformedLogsError(ValueError):
    """The request cannot be stored as a whole; the message says where and why."""


@dataclass
class MappedLogs:
    """Rows per table (each row in the table's column order) and the records skipped."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    skipped: int = 0
    skipped_events: set[str] = field(default_factory=set)

    @property
    def row_count(self) -> int:
        return sum(len(r) for r in self.rows.values())


# -- decoding -----------------------------------------------------------------------------


def decode(body: bytes, content_type: str) -> ExportLogsServiceRequest:
    """Parse an ExportLogsServiceRequest in protobuf or OTLP/JSON encoding."""
    request = ExportLogsServiceRequest()
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-protobuf":
        try:
            request.ParseFromString(body)
        except DecodeError as err:
            raise MalformedLogsError(f"not a protobuf ExportLogsServiceRequest: {err}") from err
        return request
    if kind == "application/json":
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as err:
            raise MalformedLogsError(f"not JSON: {err}") from err
        if not isinstance(document, dict):
            raise MalformedLogsError("an OTLP/JSON request is a JSON object")
        try:
            json_format.ParseDict(_ids_to_base64(document), request, ignore_unknown_fields=True)
        except (json_format.ParseError, ValueError, TypeError) as err:
            raise MalformedLogsError(f"not an OTLP/JSON ExportLogsServiceRequest: {err}") from err
        return request
    raise MalformedLogsError(
        f"unsupported Content-Type {kind!r}: use application/x-protobuf or application/json"
    )


def _ids_to_base64(node: Any) -> Any:
    """OTLP/JSON writes traceId/spanId as hex; protobuf's JSON mapping expects base64."""
    if isinstance(node, list):
        return [_ids_to_base64(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("traceId", "spanId", "trace_id", "span_id") and isinstance(value, str):
            if not _HEX_ID.match(value) or len(value) % 2:
                raise MalformedLogsError(f"{key} {value!r} is not hex")
            value = base64.b64encode(bytes.fromhex(value)).decode()
        out[key] = _ids_to_base64(value)
    return out


# -- values -------------------------------------------------------------------------------


def _scalar(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [_scalar(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _scalar(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind)


def _to_int(raw: Any, type_: str) -> int:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError
        raw = int(raw)
    elif isinstance(raw, (str, bytes)):
        raw = int(raw)
    if not isinstance(raw, int):
        raise ValueError
    low, high = _INT_RANGES[type_]
    if not low <= raw <= high:
        raise ValueError
    return raw


def _to_float(raw: Any, type_: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError
    number = float(raw)
    if math.isnan(number) or math.isinf(number):
        raise ValueError
    return number


def _to_bool(raw: Any, type_: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) and raw.lower() in ("true", "false", "0", "1"):
        return raw.lower() in ("true", "1")
    raise ValueError


def _to_str(raw: Any, type_: str) -> str:
    if isinstance(raw, (dict, list)):
        raise ValueError
    if isinstance(raw, bytes):
        return raw.hex()
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


_CONVERTERS: dict[str, Callable[[Any, str], Any]] = {
    **dict.fromkeys(_INT_RANGES, _to_int),
    "Float32": _to_float,
    "Float64": _to_float,
    "Bool": _to_bool,
    "String": _to_str,
}
_DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(_INT_RANGES, 0),
    "Float32": 0.0,
    "Float64": 0.0,
    "Bool": False,
    "String": "",
}


def convert(raw: Any, type_: str) -> Any:
    """An attribute value as the Python value of ClickHouse type ``type_`` (ValueError if
    it is not one)."""
    if type_.startswith("Array("):
        inner = type_[len("Array(") : -1]
        if not isinstance(raw, list):
            raise ValueError
        return [convert(x, inner) for x in raw]
    return _CONVERTERS[type_](raw, type_)


def default(type_: str) -> Any:
    """The value of a column whose attribute is absent."""
    return [] if type_.startswith("Array(") else _DEFAULTS[type_]


# -- mapping ------------------------------------------------------------------------------


def _timestamp(nanos: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(nanos / 1e9, tz=dt.UTC)


def _attrs(kvs: Any) -> dict[str, AnyValue]:
    return {kv.key: kv.value for kv in kvs}


def _event_of(record: Any, attrs: Mapping[str, AnyValue]) -> str:
    if record.event_name:
        return str(record.event_name)
    named = attrs.get("event.name")
    if named is not None and named.WhichOneof("value") == "string_value":
        return str(named.string_value)
    return ACCESS_EVENT if "http.request.method" in attrs else ""


def _row(
    table: Table,
    record: Any,
    attrs: Mapping[str, AnyValue],
    resource: Mapping[str, AnyValue],
    default_cluster: str,
    where: str,
) -> tuple[Any, ...]:
    values: list[Any] = []
    for column in table.columns:
        values.append(_value(column, record, attrs, resource, default_cluster, where))
    row = tuple(values)
    if table is EPP_DECISIONS:
        lengths = {name: len(row[table.column_names.index(name)]) for name in CANDIDATE_ARRAYS}
        given = {n: k for n, k in lengths.items() if k}
        if len(set(given.values())) > 1:
            raise MalformedLogsError(f"{where}: candidate arrays differ in length: {given}")
    return row


def _value(
    column: Column,
    record: Any,
    attrs: Mapping[str, AnyValue],
    resource: Mapping[str, AnyValue],
    default_cluster: str,
    where: str,
) -> Any:
    if column.name == "timestamp":
        nanos = record.time_unix_nano or record.observed_time_unix_nano
        if not nanos:
            raise MalformedLogsError(f"{where}: neither timeUnixNano nor observedTimeUnixNano")
        return _timestamp(nanos)
    if column.name == "trace_id" and record.trace_id:
        return bytes(record.trace_id).hex()
    for source in (attrs, resource):
        for key in column.attributes:
            value = source.get(key)
            if value is None or value.WhichOneof("value") is None:
                continue
            raw = _scalar(value)
            try:
                return convert(raw, column.base_type)
            except (ValueError, TypeError, OverflowError):
                raise MalformedLogsError(
                    f"{where}: attribute {key}={raw!r} is not a {column.base_type} "
                    f"(column {column.name})"
                ) from None
    if column.required:
        names = " or ".join(column.attributes)
        raise MalformedLogsError(f"{where}: missing attribute {names} (column {column.name})")
    if column.name == "cluster":
        return default_cluster
    return default(column.base_type)


def map_request(request: ExportLogsServiceRequest, default_cluster: str) -> MappedLogs:
    """Every record of ``request`` as a row of its table; MalformedLogsError on the first
    record that cannot be stored (nothing is returned then)."""
    mapped = MappedLogs()
    for ri, resource_logs in enumerate(request.resource_logs):
        resource = _attrs(resource_logs.resource.attributes)
        for si, scope_logs in enumerate(resource_logs.scope_logs):
            for li, record in enumerate(scope_logs.log_records):
                attrs = _attrs(record.attributes)
                event = _event_of(record, attrs)
                table = TABLES_BY_EVENT.get(event)
                if table is None:
                    mapped.skipped += 1
                    mapped.skipped_events.add(event or "(none)")
                    continue
                where = f"resourceLogs[{ri}].scopeLogs[{si}].logRecords[{li}] ({event})"
                row = _row(table, record, attrs, resource, default_cluster, where)
                mapped.rows.setdefault(table.name, []).append(row)
    return mapped


def attribute_of(key: str, value: Any) -> KeyValue:
    """A KeyValue for ``value`` (str, bool, int, float or a list of them): for emitters
    and tests building records."""
    return KeyValue(key=key, value=any_value(value))


def any_value(value: Any) -> AnyValue:
    """``value`` as an OTLP AnyValue."""
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, (list, tuple)):
        out = AnyValue()
        out.array_value.values.extend(any_value(v) for v in value)
        return out
    return AnyValue(string_value=str(value))


__all__ = [
    "CLUSTER_ATTR",
    "MalformedLogsError",
    "MappedLogs",
    "any_value",
    "attribute_of",
    "decode",
    "map_request",
]
