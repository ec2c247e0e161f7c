"""OTLP log requests for the analytics tests: the attributes a data plane sends, and the rows
they must become."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from ngf_console.telemetry.analytics.otlp import attribute_of

# An hour ago, to the minute: inside every table's TTL (rows past it are dropped on insert).
BASE = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(hours=1)
BASE_NS = int(BASE.timestamp()) * 1_000_000_000


def at(ms: int) -> dt.datetime:
    """The timestamp ``ms`` after BASE_NS, as ClickHouse returns it (naive UTC)."""
    return BASE.replace(tzinfo=None) + dt.timedelta(milliseconds=ms)


def access(i: int, **over: Any) -> dict[str, Any]:
    """Attributes of one NGINX access-log record."""
    attrs = {
        "http.request.method": "GET" if i % 2 else "POST",
        "url.path": f"/shop/item/{i}",
        "http.response.status_code": 200 if i % 3 else 503,
        "server.address": "shop.example.com",
        "ngf.gateway.name": "shop-gw",
        "ngf.gateway.namespace": "infra",
        "ngf.listener.name": "https",
        "ngf.route.name": f"route-{i % 2}",
        "ngf.route.namespace": "team-a",
        "ngf.latency_ms": 10.0 + i,
        "ngf.upstream.latency_ms": 8.5,
        "http.request.size": 100 + i,
        "http.response.size": 2000,
        "ngf.upstream.name": "team-a_shop_80",
        "ngf.upstream.address": "10.0.0.7:8080",
        "client.address": "203.0.113.9",
        "user_agent.original": "Mozilla/5.0 shop" if i % 2 else "curl/8.5",
        "ngf.request.id": f"req-{i}",
        "tls.protocol.version": "1.3",
        "tls.cipher": "TLS_AES_128_GCM_SHA256",
        "ngf.waf.signatures": ["200001", "200002"] if i == 1 else [],
    }
    attrs.update(over)
    return attrs


def expected_access(i: int, cluster: str = "c1") -> dict[str, Any]:
    """The row ``access(i)`` must become."""
    a = access(i)
    return {
        "timestamp": at(i),
        "cluster": cluster,
        "gateway": "shop-gw",
        "gateway_namespace": "infra",
        "listener": "https",
        "route": a["ngf.route.name"],
        "namespace": "team-a",
        "host": "shop.example.com",
        "method": a["http.request.method"],
        "path": a["url.path"],
        "status": a["http.response.status_code"],
        "latency_ms": a["ngf.latency_ms"],
        "upstream_latency_ms": 8.5,
        "request_size": 100 + i,
        "response_size": 2000,
        "upstream_name": "team-a_shop_80",
        "upstream_addr": "10.0.0.7:8080",
        "client_ip": "203.0.113.9",
        "user_agent": a["user_agent.original"],
        "request_id": f"req-{i}",
        "trace_id": "0af7651916cd43dd8448eb211c80319c" if i == 0 else "",
        "tls_version": "1.3",
        "tls_cipher": "TLS_AES_128_GCM_SHA256",
        "waf_action": "",
        "waf_violation_rating": 0.0,
        "waf_signatures": a["ngf.waf.signatures"],
        "bot_classification": "",
        "xc_edge_latency_ms": 0.0,
    }


def inference(i: int) -> dict[str, Any]:
    """Attributes of one inference-log record."""
    return {
        "event.name": "ngf.inference",
        "ngf.inference_pool.name": "llama-pool",
        "ngf.inference_pool.namespace": "team-a",
        "gen_ai.request.model": "llama-3.1-8b",
        "k8s.pod.name": f"llama-{i % 3}",
        "ngf.gpu.type": "H100",
        "ngf.request.id": f"inf-{i}",
        "ngf.inference.ttft_ms": 100.0 + i,
        "ngf.inference.duration_ms": 900.0,
        "gen_ai.usage.input_tokens": 50,
        "gen_ai.usage.output_tokens": 200,
        "ngf.inference.tokens_per_second": 250.0,
        "ngf.epp.strategy": "least_queue",
        "ngf.epp.queue_depth": i % 4,
        "ngf.epp.kv_cache_pct": 45.5,
        "ngf.epp.prefix_cache_hit": i % 2 == 0,
        "ngf.gpu.utilization_pct": 80.0,
        "ngf.gpu.memory_used_mb": 40000,
        "http.response.status_code": 200,
        "http.request.method": "POST",
        "url.path": "/v1/chat/completions",
    }


def epp_decision(i: int) -> dict[str, Any]:
    """Attributes of one EPP decision record."""
    return {
        "event.name": "ngf.epp.decision",
        "ngf.inference_pool.name": "llama-pool",
        "ngf.inference_pool.namespace": "team-a",
        "gen_ai.request.model": "llama-3.1-8b",
        "ngf.request.id": f"inf-{i}",
        "ngf.epp.selected_pod": "llama-1",
        "ngf.epp.strategy": "composite",
        "ngf.epp.reason": "llama-1: queue_depth=0 (lowest), kv_cache=20% (available)",
        "ngf.epp.decision_latency_us": 85.0,
        "ngf.epp.candidate.pods": ["llama-0", "llama-1"],
        "ngf.epp.candidate.scores": [0.4, 0.9],
        "ngf.epp.candidate.queue_depths": [3, 0],
        "ngf.epp.candidate.kv_cache_pcts": [70.0, 20.0],
        "ngf.epp.candidate.prefix_hits": [False, True],
    }


def request(records: list[dict[str, Any]], cluster: str | None = "c1") -> ExportLogsServiceRequest:
    """One resource, one scope, a record per attribute dict (record i at BASE_NS + i ms)."""
    req = ExportLogsServiceRequest()
    resource_logs = req.resource_logs.add()
    if cluster:
        resource_logs.resource.attributes.append(attribute_of("k8s.cluster.name", cluster))
    scope_logs = resource_logs.scope_logs.add()
    for i, attrs in enumerate(records):
        record = scope_logs.log_records.add()
        record.time_unix_nano = BASE_NS + i * 1_000_000
        if i == 0:
            record.trace_id = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
        for key, value in attrs.items():
            record.attributes.append(attribute_of(key, value))
    return req


def json_value(value: Any) -> dict[str, Any]:
    """An OTLP/JSON AnyValue."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}  # int64 is a string in OTLP/JSON
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [json_value(v) for v in value]}}
    return {"stringValue": value}


def json_request(records: list[dict[str, Any]], cluster: str = "c1") -> dict[str, Any]:
    """The OTLP/JSON encoding of ``request(records, cluster)`` (hex trace id)."""
    logs = []
    for i, attrs in enumerate(records):
        item: dict[str, Any] = {
            "timeUnixNano": str(BASE_NS + i * 1_000_000),
            "attributes": [{"key": k, "value": json_value(v)} for k, v in attrs.items()],
        }
        if i == 0:
            item["traceId"] = "0af7651916cd43dd8448eb211c80319c"
        logs.append(item)
    return {
        "resourceLogs": [
            {
                "resource": {
                    "attributes": [{"key": "k8s.cluster.name", "value": {"stringValue": cluster}}]
                },
                "scopeLogs": [{"logRecords": logs}],
            }
        ]
    }
