"""The API server's garbage-collector settings.

CPython's full collections walk every tracked object. After start-up the API holds a few
hundred thousand long-lived ones (modules, FastAPI and pydantic models, the watch caches'
objects), so a full collection that lands in a websocket fan-out stalls every connection
for ~200 ms (bench/ws_bench.py: p99 delivery lag 262 ms, one publish() of 216 ms). Freezing
what exists when start-up is done moves it out of the collector's walks, and a higher
young-generation threshold makes collections rarer (same bench: p99 61 ms, publish() at
most 5 ms). Cycles created later are still collected.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000
"""Allocations between young collections (CPython's default is 700)."""


def settle_heap() -> None:
    """Call once, when start-up is done: collect, freeze the survivors, collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 50, 100)
