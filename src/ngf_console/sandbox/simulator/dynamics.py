"""The simulated model-server pods: batches, queues, KV cache, GPU heat, and the load on them.

One :class:`SimPod` is a model server on one GPU. Requests queue when its batch is full;
each running request first prefills its prompt (faster when its prefix is cached), then
decodes its output tokens; TTFT is queue wait + prefill. KV-cache use is the tokens held by
running requests over the pod's KV capacity, so it grows as answers lengthen. GPU
utilisation follows the batch occupancy, temperature follows utilisation with a lag of about
a minute, power follows utilisation. Load is diurnal (a compressed day by default) with
noise; now and then a pod has a short error burst.
"""

from __future__ import annotations

import math
import random
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Final

__all__ = ["GPU_PROFILES", "GpuProfile", "Histogram", "InferenceRequest", "SimPod", "diurnal"]

TTFT_BUCKETS: Final = (0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
LATENCY_BUCKETS: Final = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0)
BLOCK_TOKENS: Final = 16


@dataclass(frozen=True)
class GpuProfile:
    """How fast one GPU of a type serves an 8B model, and its memory."""

    product: str
    batch: int
    decode_tokens_per_s: float
    """Per running request."""
    prefill_tokens_per_s: float
    memory_mib: int
    kv_capacity_tokens: int
    idle_w: float
    max_w: float


GPU_PROFILES: Final[dict[str, GpuProfile]] = {
    "H100": GpuProfile("H100", 48, 95.0, 22000.0, 81559, 420_000, 70.0, 700.0),
    "A100": GpuProfile("A100", 32, 60.0, 12000.0, 81920, 300_000, 55.0, 400.0),
    "L40S": GpuProfile("L40S", 16, 40.0, 7000.0, 46068, 120_000, 40.0, 350.0),
    "T4": GpuProfile("T4", 6, 18.0, 2000.0, 15360, 30_000, 20.0, 70.0),
}


def diurnal(t: float, day_seconds: float, phase: float = 0.0) -> float:
    """Load multiplier in [0.3, 1.0]: a trough at "night", a peak mid-"day"."""
    x = 2 * math.pi * ((t / day_seconds) + phase)
    return 0.3 + 0.7 * (0.5 - 0.5 * math.cos(x))


class Histogram:
    """Cumulative Prometheus-style histogram counts."""

    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.sum += value
        self.count += 1
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1
                return
        self.counts[-1] += 1

    def cumulative(self) -> list[tuple[str, float]]:
        """``(le, cumulative count)`` pairs, ending with ``+Inf``."""
        out, running = [], 0
        for bound, n in zip(self.buckets, self.counts, strict=False):
            running += n
            out.append((repr(bound), float(running)))
        out.append(("+Inf", float(self.count)))
        return out


@dataclass
class InferenceRequest:
    """One request on its way through a pod."""

    request_id: str
    arrived: float
    input_tokens: int
    output_tokens: int
    prompt_blocks: list[int]
    cached_blocks: int = 0
    started: float = 0.0
    first_token: float = 0.0
    generated: float = 0.0
    failed: bool = False

    @property
    def tokens_held(self) -> float:
        return self.input_tokens + self.generated


@dataclass
class Completed:
    """A finished request, with its timings (seconds) for the logs."""

    request: InferenceRequest
    finished: float
    ttft: float
    queue_wait: float
    prefill: float
    decode: float


@dataclass
class SimPod:
    """One model-server pod and its GPU."""

    namespace: str
    name: str
    node: str
    engine: str
    profile: GpuProfile
    model: str
    rng: random.Random = field(default_factory=random.Random)
    waiting: deque[InferenceRequest] = field(default_factory=deque)
    running: list[InferenceRequest] = field(default_factory=list)
    prefix_cache: OrderedDict[int, None] = field(default_factory=OrderedDict)
    gpu_util: float = 0.0
    temperature: float = 34.0
    error_burst_until: float = 0.0
    # Counters and histograms the exporters read.
    requests_ok: int = 0
    requests_failed: int = 0
    prompt_tokens: int = 0
    generation_tokens: int = 0
    prefix_queries: int = 0
    prefix_hits: int = 0
    ttft: Histogram = field(default_factory=lambda: Histogram(TTFT_BUCKETS))
    e2e: Histogram = field(default_factory=lambda: Histogram(LATENCY_BUCKETS))
    lru_blocks: int = 4096

    @property
    def kv_cache(self) -> float:
        """KV-cache utilisation, 0..1."""
        held = sum(r.tokens_held for r in self.running)
        return min(1.0, held / self.profile.kv_capacity_tokens)

    def cached_prefix(self, blocks: list[int]) -> int:
        """How many leading blocks of a prompt this pod's prefix cache holds."""
        matched = 0
        for block in blocks:
            if block not in self.prefix_cache:
                break
            matched += 1
        return matched

    def admit(self, request: InferenceRequest) -> None:
        """Queue a request (the EPP picked this pod)."""
        self.waiting.append(request)

    def _start(self, request: InferenceRequest, now: float) -> None:
        request.started = now
        request.cached_blocks = self.cached_prefix(request.prompt_blocks)
        self.prefix_queries += request.input_tokens
        self.prefix_hits += min(request.input_tokens, request.cached_blocks * BLOCK_TOKENS)
        uncached = request.input_tokens - request.cached_blocks * BLOCK_TOKENS
        prefill = max(0.005, uncached / self.profile.prefill_tokens_per_s)
        # Prefill shares the GPU with the batch: slower when the batch is full.
        prefill *= 1 + len(self.running) / self.profile.batch
        request.first_token = now + prefill
        for block in request.prompt_blocks:
            self.prefix_cache[block] = None
            self.prefix_cache.move_to_end(block)
        while len(self.prefix_cache) > self.lru_blocks:
            self.prefix_cache.popitem(last=False)
        self.running.append(request)

    def step(self, now: float, dt: float) -> list[Completed]:
        """Advance ``dt`` seconds: start queued requests, decode, finish, heat up."""
        while self.waiting and len(self.running) < self.profile.batch:
            self._start(self.waiting.popleft(), now)
        done: list[Completed] = []
        # Decode slows as the batch fills (memory bandwidth is shared).
        occupancy = len(self.running) / self.profile.batch
        rate = self.profile.decode_tokens_per_s * (1.15 - 0.3 * occupancy)
        failing = now < self.error_burst_until
        still = []
        for r in self.running:
            if now >= r.first_token:
                r.generated += rate * dt
            if r.generated >= r.output_tokens or (failing and self.rng.random() < 0.05):
                r.failed = r.generated < r.output_tokens
                self._finish(r, now, done)
            else:
                still.append(r)
        self.running = still
        self._heat(dt, occupancy)
        if not failing and self.rng.random() < dt / 900:  # about one burst per 15 min
            self.error_burst_until = now + self.rng.uniform(10, 30)
        return done

    def _finish(self, r: InferenceRequest, now: float, done: list[Completed]) -> None:
        ttft = max(0.0, r.first_token - r.arrived)
        generated = int(min(r.generated, r.output_tokens))
        self.prompt_tokens += r.input_tokens
        self.generation_tokens += generated
        if r.failed:
            self.requests_failed += 1
        else:
            self.requests_ok += 1
            self.ttft.observe(ttft)
            self.e2e.observe(now - r.arrived)
        done.append(
            Completed(
                request=r,
                finished=now,
                ttft=ttft,
                queue_wait=r.started - r.arrived,
                prefill=r.first_token - r.started,
                decode=max(0.0, now - r.first_token),
            )
        )

    def _heat(self, dt: float, occupancy: float) -> None:
        target = min(100.0, 100 * occupancy * 1.05 + (3 if self.running else 0))
        self.gpu_util += (target - self.gpu_util) * min(1.0, dt / 5)
        self.gpu_util = max(0.0, min(100.0, self.gpu_util + self.rng.gauss(0, 0.8)))
        ambient = 32.0 + 0.5 * self.gpu_util
        self.temperature += (ambient - self.temperature) * min(1.0, dt / 60)

    @property
    def power_w(self) -> float:
        return (
            self.profile.idle_w + (self.profile.max_w - self.profile.idle_w) * self.gpu_util / 100
        )

    @property
    def memory_used_mib(self) -> float:
        weights = 17_000.0  # an 8B model in bf16 plus runtime
        kv_budget = self.profile.memory_mib * 0.9 - weights
        return weights + kv_budget * max(0.05, self.kv_cache)
