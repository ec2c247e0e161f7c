"""The endpoint picker's scoring, as the simulator routes each request (pure).

The scorers and picker follow the Gateway API Inference Extension's plugins:

* ``queue-scorer``: ``(max_queue - queue) / (max_queue - min_queue)`` over the candidates
  (1 for every pod when all queues are equal);
* ``kv-cache-utilization-scorer``: ``1 - kv_cache_utilization`` (a fraction);
* ``prefix-cache-scorer``: the share of the request's prefix blocks the pod already caches
  (leading blocks only: a prefix match stops at the first miss);
* ``max-score-picker``: the highest weighted sum wins; ties are broken at random, as upstream
  does, by the caller's seeded ``rng`` (so a run is reproducible), or without one by the
  lowest pod name. Random matters: with ``prefix_affinity`` every request without a cached
  prefix ties at 0, and a fixed tie-break would send them all to one pod.

A stack's ``spec.epp.strategy`` maps onto scorer weights (render/epp.py): ``least_queue``,
``best_kv_cache``, ``prefix_affinity`` use their one scorer, ``composite`` all three with the
stack's composite weights.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "KV_CACHE_SCORER",
    "PREFIX_SCORER",
    "QUEUE_SCORER",
    "Candidate",
    "Decision",
    "pick",
    "prefix_match",
    "strategy_weights",
]

QUEUE_SCORER: Final = "queue-scorer"
KV_CACHE_SCORER: Final = "kv-cache-utilization-scorer"
PREFIX_SCORER: Final = "prefix-cache-scorer"

_REASONS: Final = {
    QUEUE_SCORER: "least_queue",
    KV_CACHE_SCORER: "kv_available",
    PREFIX_SCORER: "prefix_hit",
}


@dataclass(frozen=True)
class Candidate:
    """A pod as the picker sees it: its metrics at decision time."""

    name: str
    queue: int
    kv_cache: float
    """KV-cache utilisation, 0..1."""
    prefix_blocks: int = 0
    """How many leading blocks of this request's prompt the pod caches."""


@dataclass(frozen=True)
class Decision:
    """The pick, every candidate's weighted score, and why."""

    pod: str
    scores: dict[str, float]
    scorer_scores: dict[str, dict[str, float]] = field(default_factory=dict)
    reason: str = "composite"
    explanation: str = ""


def strategy_weights(
    strategy: str, composite: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Scorer weights of an EPP strategy (``composite`` takes queueDepth/kvCache/prefixCache)."""
    if strategy == "least_queue":
        return {QUEUE_SCORER: 1.0}
    if strategy == "best_kv_cache":
        return {KV_CACHE_SCORER: 1.0}
    if strategy == "prefix_affinity":
        return {PREFIX_SCORER: 1.0}
    given = composite or {}
    weights = {
        QUEUE_SCORER: float(given.get("queueDepth", 1.0)),
        KV_CACHE_SCORER: float(given.get("kvCache", 1.0)),
        PREFIX_SCORER: float(given.get("prefixCache", 1.0)),
    }
    return {k: v for k, v in weights.items() if v}


def prefix_match(prompt_blocks: Sequence[int], cached: Mapping[int, object] | set[int]) -> int:
    """How many leading blocks of the prompt are in ``cached``."""
    matched = 0
    for block in prompt_blocks:
        if block not in cached:
            break
        matched += 1
    return matched


def _queue_scores(candidates: Sequence[Candidate]) -> dict[str, float]:
    low = min(c.queue for c in candidates)
    high = max(c.queue for c in candidates)
    if high == low:
        return {c.name: 1.0 for c in candidates}
    return {c.name: (high - c.queue) / (high - low) for c in candidates}


def _scorer_scores(
    scorer: str, candidates: Sequence[Candidate], prompt_blocks: int
) -> dict[str, float]:
    if scorer == QUEUE_SCORER:
        return _queue_scores(candidates)
    if scorer == KV_CACHE_SCORER:
        return {c.name: 1.0 - min(1.0, max(0.0, c.kv_cache)) for c in candidates}
    if scorer == PREFIX_SCORER:
        total = max(prompt_blocks, 1)
        return {c.name: min(c.prefix_blocks, total) / total for c in candidates}
    raise ValueError(f"unknown scorer {scorer!r}")


def pick(
    candidates: Sequence[Candidate],
    weights: Mapping[str, float],
    *,
    prompt_blocks: int = 0,
    rng: random.Random | None = None,
) -> Decision:
    """The candidate with the highest weighted score (ties: ``rng``'s pick, else the lowest
    name)."""
    if not candidates:
        raise ValueError("no candidate pods")
    per_scorer = {s: _scorer_scores(s, candidates, prompt_blocks) for s in weights}
    totals = {
        c.name: sum(w * per_scorer[s][c.name] for s, w in weights.items()) for c in candidates
    }
    top_score = max(totals.values())
    tied = sorted(
        (c for c in candidates if top_score - totals[c.name] <= 1e-9), key=lambda c: c.name
    )
    best = rng.choice(tied) if rng is not None else tied[0]
    reason = "composite" if len(weights) > 1 else _REASONS[next(iter(weights))]
    if len(weights) > 1:
        # The scorer that contributed most to the winner's score names the decision.
        top = max(weights, key=lambda s: (weights[s] * per_scorer[s][best.name], s))
        reason = _REASONS[top] if weights[top] * per_scorer[top][best.name] > 0 else "composite"
    queue_low = best.queue == min(c.queue for c in candidates)
    explanation = (
        f"Selected {best.name}: queue_depth={best.queue}"
        f"{' (lowest)' if queue_low else ''}, kv_cache={best.kv_cache * 100:.0f}%"
        f"{' (available)' if best.kv_cache < 0.8 else ' (saturated)'}, "
        f"prefix_hit={'true' if best.prefix_blocks > 0 else 'false'}"
    )
    return Decision(
        pod=best.name,
        scores=totals,
        scorer_scores=per_scorer,
        reason=reason,
        explanation=explanation,
    )
