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

Reading: ``counts_sql`` sums the buckets of a group in SQL (ARRAY JOIN, then a plain
GROUP BY on (hash of the group, bucket) — several times faster than merging ``sumMap``
states row by row) into a dense array, and ``quantiles`` interpolates in Python. ``quantiles_with``
does the interpolation in SQL too, for hand-written queries; the analyzer's planning of
that expression costs more than the read, so the console's own queries do not use it.
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


def quantiles(
    counts: Sequence[int], levels: Sequence[float], maximum: float | None = None
) -> list[float]:
    """The quantiles at ``levels`` of a dense histogram (``counts[i]`` requests in bucket
    i); nan for an empty one. ``maximum`` caps the top bucket (see the module's bound)."""
    n = sum(counts)
    if n == 0:
        return [math.nan for _ in levels]
    cumulative = []
    running = 0
    for count in counts:
        running += count
        cumulative.append(running)
    out = []
    for q in levels:
        rank = min(math.floor(q * n) + 1, n)
        b = next(i for i, c in enumerate(cumulative) if c >= rank)
        lo = lower_bound(b)
        hi = upper_bound(b)
        if maximum is not None:
            # Never below the bucket's floor (a digest-derived count may sit above the max).
            hi = max(lo, min(hi, maximum))
        elif b >= LAST:
            hi = lo
        before = cumulative[b] - counts[b]
        # The rank-th request sits at the middle of its slot among the bucket's requests.
        out.append(lo + (hi - lo) * (rank - before - 0.5) / counts[b])
    return out


def group_key_sql(keys: Sequence[str]) -> str:
    """SQL: the 64-bit key ``counts_sql`` groups by, for joining its rows to the same
    group's other measures (grouping by one hash is ~3x faster than by the strings)."""
    return f"cityHash64({', '.join(keys)})"


def counts_sql(column: str, table: str, keys: Sequence[str], where_sql: str) -> str:
    """SQL: per group of ``keys``, ``hist_key`` (``group_key_sql(keys)``) and ``counts``,
    the dense Array(UInt64) of the histograms in ``column`` summed over the rows of
    ``table`` matching ``where_sql``. A group whose rows have no histogram has no row here
    (join it LEFT, ``USING (hist_key)``)."""
    return (
        f"SELECT hist_key, groupArrayInsertAt(0, {BUCKETS})(n, b) AS counts FROM ("
        f"SELECT {group_key_sql(keys)} AS hist_key, b, sum(c) AS n FROM {table} "
        f"ARRAY JOIN ({column}).1 AS b, ({column}).2 AS c "
        f"WHERE {where_sql} GROUP BY hist_key, b) GROUP BY hist_key"
    )


def _bounds_literal() -> str:
    """Every bucket's lower bound and, last, inf: bucket b spans [L[b + 1], L[b + 2])."""
    bounds = [lower_bound(i) for i in range(BUCKETS)]
    return "[" + ", ".join(repr(b) for b in bounds) + ", inf]"


def quantiles_with(
    column: str, levels: Sequence[float], name: str, max_expr: str | None = None
) -> str:
    """A WITH-clause fragment defining ``name``: Array(Float64), the quantiles at ``levels``
    of the histograms in ``column`` summed over the group (an aggregate; nan for a group
    without requests). Use it as ``WITH <fragment> SELECT ..., name[2] AS p95 ...``.

    ``max_expr`` (an aggregate, e.g. ``max(latency_max)``) caps the top bucket's upper
    bound; without it the overflow bucket answers its lower bound. The steps are named
    (``name_*``) because the analyzer's cost grows with the size of the expression tree:
    spelled out as one expression, planning alone took longer than the read.
    """
    h, k, c, cum, n, r, i = (f"{name}_{part}" for part in ("h", "k", "c", "cum", "n", "r", "i"))
    listed = ", ".join(str(q) for q in levels)
    bounds = f"{name}_bounds"
    lo = f"{bounds}[b + 1]"
    if max_expr is None:
        hi = f"if(b >= {LAST}, {lo}, {bounds}[b + 2])"
    else:
        hi = f"greatest({lo}, least({bounds}[b + 2], {name}_max))"
    # The rank-th request sits at the middle of its slot among the bucket's requests.
    estimate = f"{lo} + ({hi} - {lo}) * (rank - ({cum}[j] - {c}[j]) - 0.5) / {c}[j]"
    parts = [
        f"{_bounds_literal()} AS {bounds}",
        f"sumMap({column}) AS {h}",
        f"{h}.1 AS {k}",
        f"{h}.2 AS {c}",
        f"arrayCumSum({c}) AS {cum}",
        f"arraySum({c}) AS {n}",
        *([f"{max_expr} AS {name}_max"] if max_expr is not None else []),
        f"arrayMap(q -> least(toUInt64(floor(q * {n})) + 1, {n}), [{listed}]) AS {r}",
        f"arrayMap(rank -> arrayFirstIndex(x -> x >= rank, {cum}), {r}) AS {i}",
        f"arrayMap((rank, j, b) -> if({n} = 0, nan, {estimate}), {r}, {i}, "
        f"arrayMap(j -> {k}[j], {i})) AS {name}",
    ]
    return ", ".join(parts)


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
