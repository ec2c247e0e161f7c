"""Inference-log records with known phases, TTFT, TPS and tokens, and the panel numbers
they must give (worked out by hand: ClickHouse's ``quantiles`` interpolates linearly
between the two nearest values, position (n - 1) x level)."""

from __future__ import annotations

from typing import Any

from otlp_fixtures import inference

# Phases (queue, prefill, decode, total) ms, TTFT ms, tokens/s, status per request.
LLAMA = [
    ((10.0, 100.0, 1000.0, 1115.0), 110.0, 100.0, 200),
    ((20.0, 200.0, 1000.0, 1225.0), 220.0, 200.0, 200),
    ((30.0, 300.0, 2000.0, 2335.0), 330.0, 300.0, 503),
    ((40.0, 400.0, 2000.0, 2445.0), 440.0, 400.0, 200),
]
MISTRAL = [
    ((1.0, 10.0, 100.0, 120.0), 50.0, 40.0, 200),
    ((3.0, 30.0, 300.0, 340.0), 70.0, 60.0, 200),
]


def _record(i: int, pool: str, namespace: str, model: str, row: Any) -> dict[str, Any]:
    (queue, prefill, decode, total), ttft, tps, status = row
    return inference(i) | {
        "ngf.inference_pool.name": pool,
        "ngf.inference_pool.namespace": namespace,
        "gen_ai.request.model": model,
        "ngf.inference.queue_ms": queue,
        "ngf.inference.prefill_ms": prefill,
        "ngf.inference.decode_ms": decode,
        "ngf.inference.duration_ms": total,
        "ngf.inference.ttft_ms": ttft,
        "ngf.inference.tokens_per_second": tps,
        "http.response.status_code": status,
        "gen_ai.usage.input_tokens": 50,
        "gen_ai.usage.output_tokens": 200,
    }


def panel_records() -> list[dict[str, Any]]:
    """Four llama requests with phases, one without any (nor TTFT, nor TPS), two mistral."""
    records = [_record(i, "llama-pool", "team-a", "llama-3.1-8b", r) for i, r in enumerate(LLAMA)]
    bare = inference(4) | {"ngf.inference.duration_ms": 900.0, "http.response.status_code": 200}
    for key in ("ngf.inference.ttft_ms", "ngf.inference.tokens_per_second"):
        del bare[key]
    records.append(bare)
    records += [
        _record(5 + i, "mistral-pool", "team-b", "mistral-7b", r) for i, r in enumerate(MISTRAL)
    ]
    return records


def _phase(name: str, p50: float, p95: float, avg: float) -> dict[str, Any]:
    return {"phase": name, "p50_ms": p50, "p95_ms": p95, "avg_ms": avg}


LLAMA_BREAKDOWN = {
    "namespace": "team-a",
    "pool": "llama-pool",
    "requests": 5,
    "requests_with_phases": 4,
    "phases": [
        _phase("queue", 25.0, 38.5, 25.0),
        _phase("prefill", 250.0, 385.0, 250.0),
        _phase("decode", 1500.0, 2000.0, 1500.0),
        _phase("response", 5.0, 5.0, 5.0),
    ],
    # Totals 900, 1115, 1225, 2335, 2445: every request counts here.
    "total_p50_ms": 1225.0,
    "total_p95_ms": 2423.0,
    "total_avg_ms": 1604.0,
}
MISTRAL_BREAKDOWN = {
    "namespace": "team-b",
    "pool": "mistral-pool",
    "requests": 2,
    "requests_with_phases": 2,
    "phases": [
        _phase("queue", 2.0, 2.9, 2.0),
        _phase("prefill", 20.0, 29.0, 20.0),
        _phase("decode", 200.0, 290.0, 200.0),
        _phase("response", 8.0, 8.9, 8.0),  # 120 - 111 = 9, 340 - 333 = 7
    ],
    "total_p50_ms": 230.0,
    "total_p95_ms": 329.0,
    "total_avg_ms": 230.0,
}

WINDOW_SECONDS = 600.0
LLAMA_COMPARISON = {
    "namespace": "team-a",
    "pool": "llama-pool",
    "model": "llama-3.1-8b",
    "requests": 5,
    "errors": 1,
    "error_rate": 0.2,
    "requests_per_second": round(5 / WINDOW_SECONDS, 6),
    "ttft_p50_ms": 275.0,  # the request without a TTFT is left out
    "ttft_p95_ms": 423.5,
    "ttft_avg_ms": 275.0,
    "tps_avg": 250.0,
    "input_tokens": 250,
    "output_tokens": 1000,
    "output_tokens_per_second": round(1000 / WINDOW_SECONDS, 6),
}
MISTRAL_COMPARISON = {
    "namespace": "team-b",
    "pool": "mistral-pool",
    "model": "mistral-7b",
    "requests": 2,
    "errors": 0,
    "error_rate": 0.0,
    "requests_per_second": round(2 / WINDOW_SECONDS, 6),
    "ttft_p50_ms": 60.0,
    "ttft_p95_ms": 69.0,
    "ttft_avg_ms": 60.0,
    "tps_avg": 50.0,
    "input_tokens": 100,
    "output_tokens": 400,
    "output_tokens_per_second": round(400 / WINDOW_SECONDS, 6),
}


def without_labels(item: dict[str, Any]) -> dict[str, Any]:
    """A breakdown item without the phases' display labels (compared separately)."""
    return {
        **item,
        "phases": [{k: v for k, v in p.items() if k != "label"} for p in item["phases"]],
    }
