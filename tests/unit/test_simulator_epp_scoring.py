"""The simulator's endpoint-picker scoring: the chosen pod is the best by the weights."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ngf_console.sandbox.simulator.epp_scoring import (
    KV_CACHE_SCORER,
    PREFIX_SCORER,
    QUEUE_SCORER,
    Candidate,
    pick,
    prefix_match,
    strategy_weights,
)


def test_least_queue_picks_the_shortest_queue() -> None:
    pods = [Candidate("a", 5, 0.1), Candidate("b", 1, 0.9), Candidate("c", 3, 0.0)]
    decision = pick(pods, strategy_weights("least_queue"))
    assert decision.pod == "b"
    assert decision.reason == "least_queue"
    assert decision.scores == {"a": 0.0, "b": 1.0, "c": 0.5}
    assert "queue_depth=1 (lowest)" in decision.explanation


def test_best_kv_cache_picks_the_emptiest_cache() -> None:
    pods = [Candidate("a", 0, 0.7), Candidate("b", 9, 0.2), Candidate("c", 0, 0.5)]
    decision = pick(pods, strategy_weights("best_kv_cache"))
    assert decision.pod == "b"
    assert decision.reason == "kv_available"
    assert decision.scores["b"] == pytest.approx(0.8)


def test_prefix_affinity_picks_the_longest_cached_prefix() -> None:
    pods = [Candidate("a", 0, 0.1, 1), Candidate("b", 4, 0.6, 3), Candidate("c", 0, 0.0, 0)]
    decision = pick(pods, strategy_weights("prefix_affinity"), prompt_blocks=4)
    assert decision.pod == "b"
    assert decision.reason == "prefix_hit"
    assert decision.scores == {"a": 0.25, "b": 0.75, "c": 0.0}
    assert "prefix_hit=true" in decision.explanation


def test_composite_weighs_the_scorers() -> None:
    # a: short queue but full cache; b: longer queue, empty cache.
    pods = [Candidate("a", 0, 0.95), Candidate("b", 2, 0.05)]
    queue_heavy = pick(pods, strategy_weights("composite", {"queueDepth": 3, "kvCache": 1}))
    kv_heavy = pick(pods, strategy_weights("composite", {"queueDepth": 1, "kvCache": 3}))
    assert queue_heavy.pod == "a"
    assert kv_heavy.pod == "b"
    assert kv_heavy.reason == "kv_available"
    assert queue_heavy.scores["a"] == pytest.approx(3 * 1.0 + 1 * 0.05)


def test_zero_weights_are_dropped() -> None:
    weights = strategy_weights("composite", {"queueDepth": 1, "kvCache": 0, "prefixCache": 2})
    assert weights == {QUEUE_SCORER: 1.0, PREFIX_SCORER: 2.0}


def test_ties_go_to_the_lowest_name_whatever_the_order() -> None:
    pods = [Candidate("pod-c", 2, 0.5), Candidate("pod-a", 2, 0.5), Candidate("pod-b", 2, 0.5)]
    for order in itertools.permutations(pods):
        assert pick(list(order), strategy_weights("least_queue")).pod == "pod-a"


def test_ties_are_spread_by_a_seeded_rng_and_never_go_to_a_worse_pod() -> None:
    # No pod caches the prompt: prefix_affinity scores every pod 0, a tie among all three.
    pods = [Candidate("pod-a", 9, 0.9), Candidate("pod-b", 0, 0.1), Candidate("pod-c", 4, 0.5)]
    weights = strategy_weights("prefix_affinity")
    picks = [pick(pods, weights, prompt_blocks=4, rng=random.Random(7)).pod for _ in range(3)]
    rng = random.Random(11)
    spread = Counter(pick(pods, weights, prompt_blocks=4, rng=rng).pod for _ in range(300))
    assert set(spread) == {"pod-a", "pod-b", "pod-c"} and min(spread.values()) > 60
    assert len(set(picks)) == 1  # the same seed, the same pick: runs are reproducible
    cached = [Candidate("pod-a", 9, 0.9, prefix_blocks=4), *pods[1:]]
    assert {pick(cached, weights, prompt_blocks=4, rng=rng).pod for _ in range(50)} == {"pod-a"}


def test_prefix_match_stops_at_the_first_miss() -> None:
    assert prefix_match([1, 2, 3, 4], {1, 2, 4}) == 2
    assert prefix_match([9, 1], {1}) == 0
    assert prefix_match([], {1}) == 0


def test_no_candidates_is_an_error() -> None:
    with pytest.raises(ValueError, match="no candidate"):
        pick([], strategy_weights("least_queue"))


candidate = st.builds(
    Candidate,
    name=st.sampled_from(["p0", "p1", "p2", "p3", "p4", "p5"]),
    queue=st.integers(0, 50),
    kv_cache=st.floats(0, 1),
    prefix_blocks=st.integers(0, 8),
)
weights = st.fixed_dictionaries(
    {
        QUEUE_SCORER: st.floats(0.1, 5),
        KV_CACHE_SCORER: st.floats(0.1, 5),
        PREFIX_SCORER: st.floats(0.1, 5),
    }
)


@given(st.lists(candidate, min_size=1, max_size=6, unique_by=lambda c: c.name), weights)
def test_the_pick_has_the_best_weighted_score(pods: list[Candidate], w: dict[str, float]) -> None:
    decision = pick(pods, w, prompt_blocks=8)
    best = max(decision.scores.values())
    assert decision.scores[decision.pod] == best
    tied = sorted(name for name, score in decision.scores.items() if score == best)
    assert decision.pod == tied[0]
    # Each total is the weighted sum of the scorer scores.
    for pod in pods:
        expected = sum(w[s] * decision.scorer_scores[s][pod.name] for s in w)
        assert decision.scores[pod.name] == pytest.approx(expected)
