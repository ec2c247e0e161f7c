"""Latency histograms in the rollups: fixed log-spaced buckets, quantiles by interpolation.

A rollup row keeps, per latency measure, how many requests fell in each bucket (a sparse
``sumMap`` of bucket index -> count, so a read sums arrays instead of merging t-digests —
the way Prometheus and HDR histograms work). The buckets are the same everywhere:

* bucket 0: [0, 0.1 ms) — also NaN and negative values;
* bucket i (1 <= i <= 101): [0.1 * 2^((i-1)/5), 0.1 * 2^(i/5)) ms — five buckets per
  doubling, each 2^(1/5) - 1 = 14.87 % wider than its lower bound, up to 0.1 * 2^(101/5)
  = 120.5 s;
* bucket 102: [120.5 s, +inf).

A quantile at level q reads the bucket holding the request of rank min(floor(q * n) + 1,
n) — the one ClickHouse's ``quantileExact`` returns — and interpolates linearly inside it.
So the answer lies in the same bucket as the exact quantile: off by at most the bucket's
width, i.e. < 14.87 % of the exact value (< 0.1 ms below 0.1 ms). When the rollup keeps
the maximum too, it caps the top bucket (which makes the overflow bucket bounded).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

LOWEST_MS = 0.1
PER_DOUBLING = 5
BUCKETS = 103
LAST = BUCKETS - 1
RELATIVE_ERROR = 2 ** (1 / PER_DOUBLING) - 1
TYPE = "SimpleAggregateFunction(sumMap, Tuple(Array(UInt8), Array(UInt64)))"
# Levels sampled from a t-digest when a row written before the histograms is converted.
TDIGEST_POINTS = 128


def lower_bound(index: int) -> float:
    """The lower bound (ms) of bucket ``index``."""
    return 0.0 if index <= 0 else LOWEST_MS * 2 ** ((index - 1) / PER_DOUBLING)


def upper_bound(index: int) -> float:
    """The upper bound (ms) of bucket ``index`` (inf for the overflow bucket)."""
    return math.inf if index >= LAST else LOWEST_MS * 2 ** (index / PER_DOUBLING)


def bucket_of(value: float) -> int:
    """The bucket of ``value`` (ms), as the SQL of ``bucket_sql`` computes it."""
    if not value >= LOWEST_MS:
        return 0
    return min(LAST, 1 + math.floor(PER_DOUBLING * math.log2(value / LOWEST_MS)))


def bucket_sql(value: str) -> str:
    """SQL: the bucket index (UInt8) of the Float64 expression ``value``."""
    return (
        f"if(NOT ({value} >= {LOWEST_MS}), toUInt8(0), toUInt8(least({LAST}, "
        f"1 + floor({PER_DOUBLING} * log2({value} / {LOWEST_MS})))))"
    )


def state_sql(value: str) -> str:
    """SQL (aggregate): the histogram of ``value`` over a group, for a materialized view."""
    return f"sumMap([{bucket_sql(value)}], [toUInt64(1)])"


def quantiles_sql(column: str, levels: Sequence[float], max_expr: str | None = None) -> str:
    """SQL (aggregate): Array(Float64) of the quantiles at ``levels`` of the histograms in
    ``column`` summed over the group; nan for a group with no requests.

    ``max_expr`` (an aggregate, e.g. ``max(latency_max)``) caps the top bucket's upper
    bound; without it the overflow bucket answers its lower bound.
    """
    h = f"sumMap({column})"
    keys, counts = f"({h}).1", f"({h}).2"
    cum = f"arrayCumSum({counts})"
    n = f"arraySum({counts})"
    rank = f"least(toUInt64(floor(q * {n})) + 1, {n})"
    i = f"arrayFirstIndex(c -> c >= {rank}, {cum})"
    b, count = f"{keys}[{i}]", f"{counts}[{i}]"
    before = f"({cum}[{i}] - {count})"
    lo = f"if({b} = 0, 0., {LOWEST_MS} * exp2(({b} - 1) / {PER_DOUBLING}))"
    top = f"{LOWEST_MS} * exp2({b} / {PER_DOUBLING})"
    if max_expr is None:
        hi = f"if({b} >= {LAST}, {lo}, {top})"
    else:
        hi = f"if({b} >= {LAST}, greatest({lo}, {max_expr}), least({top}, {max_expr}))"
    # The rank-th request sits at the middle of its slot among the bucket's `count` requests.
    estimate = f"{lo} + ({hi} - {lo}) * ({rank} - {before} - 0.5) / {count}"
    listed = ", ".join(str(q) for q in levels)
    return f"arrayMap(q -> if({n} = 0, nan, {estimate}), [{listed}])"


def from_tdigest_sql(state: str, count: str) -> str:
    """SQL (aggregate): a histogram approximating the merged t-digest ``state`` of ``count``
    values — for rollup rows written before the histograms existed. The digest is read at
    TDIGEST_POINTS evenly spaced levels, each standing for its share of the count."""
    k = TDIGEST_POINTS
    levels = ", ".join(str((j + 0.5) / k) for j in range(k))
    points = f"quantilesTDigestMerge({levels})({state})"
    n = f"toUInt64({count})"
    weights = f"arrayMap(j -> intDiv({n} * (j + 1), {k}) - intDiv({n} * j, {k}), range({k}))"
    buckets = f"arrayMap(p -> {bucket_sql('p')}, {points})"
    return f"arrayReduce('sumMap', [{buckets}], [{weights}])"
