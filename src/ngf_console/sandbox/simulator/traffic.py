"""Simulated traffic: requests arrive, the EPP picks a pod, pods work, logs are written.

Each tick draws arrivals per route from a Poisson process whose rate follows the diurnal
curve. Requests to an InferencePool are routed with :func:`epp_scoring.pick` over the pods'
current queue, KV cache and cached prefix; other requests are answered by a simulated
upstream. Every finished request becomes an access-log record (and, for inference, an
inference-log record and an EPP-decision record) for the OTLP emitter.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

from ngf_console.sandbox.simulator.dynamics import (
    BLOCK_TOKENS,
    Completed,
    InferenceRequest,
    diurnal,
)
from ngf_console.sandbox.simulator.epp_scoring import Candidate, pick
from ngf_console.sandbox.simulator.world import SimGateway, SimPool, SimRoute, World

__all__ = ["LogRecord", "Traffic"]

USER_AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
    "curl/8.11.1",
    "python-httpx/0.28.1",
    "openai-python/1.82.0",
    "k6/0.55.0 (https://k6.io/)",
)
SYSTEM_PROMPTS = 12  # distinct shared prefixes (system prompts) the clients send


@dataclass
class LogRecord:
    """One log record: kind (access, inference, epp_decision), time and attributes."""

    kind: str
    time: float
    attributes: dict[str, Any]
    body: str = ""


@dataclass
class _Pending:
    """An inference request in flight, with where it came from."""

    gateway: SimGateway
    route: SimRoute
    pool: SimPool
    pod: str
    decision_us: float
    client: str
    agent: str
    strategy: str = ""
    queue_depth: int = 0
    kv_cache_pct: float = 0.0
    candidates: int = 0


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    threshold, k, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        k += 1
        product *= rng.random()
    return k


class Traffic:
    """Arrivals and completions over the world, producing log records."""

    def __init__(
        self,
        world: World,
        *,
        rate: float,
        inference_share: float = 0.5,
        day_seconds: float = 1800.0,
        clock: Any = time.time,
    ) -> None:
        self.world = world
        self.rate = rate
        self.inference_share = inference_share
        self.day_seconds = day_seconds
        self.clock = clock
        self.pending: dict[str, _Pending] = {}
        self.records: list[LogRecord] = []
        self.simulated = 0

    def load(self, now: float) -> float:
        """Requests per second the whole world gets now."""
        return self.rate * diurnal(now, self.day_seconds)

    def step(self, now: float, dt: float) -> None:
        """Arrivals for ``dt`` seconds, then every pod works ``dt`` seconds."""
        rng = self.world.rng
        routes = [(g, r) for g in self.world.gateways.values() for r in g.routes]
        inference = [(g, r) for g, r in routes if r.pools]
        web = [(g, r) for g, r in routes if not r.pools and r.upstreams]
        total = self.load(now) * dt
        if inference:
            share = total * (self.inference_share if web else 1.0) / len(inference)
            for gateway, route in inference:
                for _ in range(_poisson(rng, share)):
                    self._inference(gateway, route, now)
        if web:
            share = total * ((1 - self.inference_share) if inference else 1.0) / len(web)
            for gateway, route in web:
                for _ in range(_poisson(rng, share)):
                    self._web(gateway, route, now)
        for pool in self.world.pools.values():
            for pod in pool.pods.values():
                for completed in pod.step(now, dt):
                    self._completed(completed)
        for gateway in self.world.gateways.values():
            in_flight = sum(1 for p in self.pending.values() if p.gateway is gateway)
            gateway.connections = in_flight + self.load(now) * 0.05 * (1 + len(gateway.routes))

    def _client(self) -> tuple[str, str]:
        rng = self.world.rng
        return f"10.{rng.randrange(1, 9)}.{rng.randrange(256)}.{rng.randrange(1, 255)}", rng.choice(
            USER_AGENTS
        )

    def _web(self, gateway: SimGateway, route: SimRoute, now: float) -> None:
        rng = self.world.rng
        # Weighted as NGINX splits a rule's backendRefs (a weight-0 backend gets nothing).
        weights = route.weights if sum(route.weights) > 0 else None
        upstream = rng.choices(route.upstreams, weights=weights)[0]
        roll = rng.random()
        status = 200 if roll > 0.04 else 404 if roll > 0.008 else 503
        if int(now) % 900 < 20 and rng.random() < 0.15:
            status = 502  # the odd upstream error burst: 20 s every 15 min
        latency_ms = rng.lognormvariate(math.log(28), 0.6)
        gateway.count(upstream, status, latency_ms)
        self.simulated += 1
        client, agent = self._client()
        path = rng.choice(route.paths).rstrip("/") + rng.choice(("", "/", "/items", "/cart", "/42"))
        self.records.append(
            LogRecord(
                "access",
                now,
                self._access(gateway, route, upstream, client, agent, "GET", path or "/", status)
                | {
                    "ngf.request.id": f"{rng.getrandbits(128):032x}",
                    "ngf.latency_ms": round(latency_ms, 2),
                    "ngf.upstream.latency_ms": round(latency_ms * 0.9, 2),
                },
            )
        )

    def _access(
        self,
        gateway: SimGateway,
        route: SimRoute,
        upstream: str,
        client: str,
        agent: str,
        method: str,
        path: str,
        status: int,
    ) -> dict[str, Any]:
        return {
            "http.request.method": method,
            "url.path": path,
            "http.response.status_code": status,
            "server.address": route.hostnames[0] if route.hostnames else gateway.name,
            "user_agent.original": agent,
            "client.address": client,
            "ngf.gateway.namespace": gateway.namespace,
            "ngf.gateway.name": gateway.name,
            "ngf.route.namespace": route.namespace,
            "ngf.route.name": route.name,
            "ngf.upstream.name": upstream,
        }

    def _inference(self, gateway: SimGateway, route: SimRoute, now: float) -> None:
        rng = self.world.rng
        pool = self.world.pools.get(route.pools[0])
        if pool is None or not pool.pods:
            client, agent = self._client()
            gateway.count(route.upstreams[0], 503, 1.0)
            self.records.append(
                LogRecord(
                    "access",
                    now,
                    self._access(
                        gateway,
                        route,
                        route.upstreams[0],
                        client,
                        agent,
                        "POST",
                        "/v1/chat/completions",
                        503,
                    ),
                )
            )
            return
        system = min(SYSTEM_PROMPTS - 1, int(rng.paretovariate(1.2)) - 1)
        input_tokens = int(rng.lognormvariate(math.log(700), 0.5)) + 64
        output_tokens = int(rng.lognormvariate(math.log(220), 0.6)) + 8
        shared = min(input_tokens // BLOCK_TOKENS, 24)
        blocks = [hash((pool.name, system, i)) for i in range(shared)]
        blocks += [rng.getrandbits(48) for _ in range(input_tokens // BLOCK_TOKENS - shared)]
        started = time.perf_counter()
        candidates = [
            Candidate(p.name, len(p.waiting), p.kv_cache, p.cached_prefix(blocks))
            for p in pool.pods.values()
        ]
        decision = pick(candidates, pool.weights, prompt_blocks=len(blocks), rng=self.world.rng)
        decision_us = (time.perf_counter() - started) * 1e6
        chosen = next(c for c in candidates if c.name == decision.pod)
        request = InferenceRequest(uuid.uuid4().hex, now, input_tokens, output_tokens, blocks)
        pool.pods[decision.pod].admit(request)
        pool.decisions += 1
        pool.prefix_hit_decisions += chosen.prefix_blocks > 0
        client, agent = self._client()
        self.pending[request.request_id] = _Pending(
            gateway,
            route,
            pool,
            decision.pod,
            decision_us,
            client,
            agent,
            strategy=decision.reason,
            queue_depth=chosen.queue,
            kv_cache_pct=round(chosen.kv_cache * 100, 2),
            candidates=len(candidates),
        )
        self.records.append(
            LogRecord(
                "epp_decision",
                now,
                {
                    "ngf.inference_pool.namespace": pool.namespace,
                    "ngf.inference_pool.name": pool.name,
                    "gen_ai.request.model": pool.model,
                    "ngf.request.id": request.request_id,
                    "ngf.epp.selected_pod": decision.pod,
                    "ngf.epp.strategy": decision.reason,
                    "ngf.epp.reason": decision.explanation,
                    "ngf.epp.decision_latency_us": round(decision_us, 1),
                    "ngf.epp.candidate.pods": [c.name for c in candidates],
                    "ngf.epp.candidate.scores": [
                        round(decision.scores[c.name], 4) for c in candidates
                    ],
                    "ngf.epp.candidate.queue_depths": [c.queue for c in candidates],
                    "ngf.epp.candidate.kv_cache_pcts": [
                        round(c.kv_cache * 100, 2) for c in candidates
                    ],
                    "ngf.epp.candidate.prefix_hits": [c.prefix_blocks > 0 for c in candidates],
                },
                body=decision.explanation,
            )
        )

    def _completed(self, done: Completed) -> None:
        pending = self.pending.pop(done.request.request_id, None)
        if pending is None:
            return
        r, pool = done.request, pending.pool
        pod = pool.pods.get(pending.pod)
        status = 500 if r.failed else 200
        total_ms = (done.finished - r.arrived) * 1000
        pool.requests += 1
        pool.errors += r.failed
        upstream = pending.route.upstreams[0]
        pending.gateway.count(upstream, status, total_ms)
        self.simulated += 1
        access = self._access(
            pending.gateway,
            pending.route,
            upstream,
            pending.client,
            pending.agent,
            "POST",
            "/v1/chat/completions",
            status,
        )
        generated = int(min(r.generated, r.output_tokens))
        decode_s = max(done.decode, 1e-3)
        self.records.append(
            LogRecord(
                "access",
                done.finished,
                access
                | {
                    "ngf.latency_ms": round(total_ms, 2),
                    "ngf.upstream.latency_ms": round(total_ms, 2),
                },
            )
        )
        self.records.append(
            LogRecord(
                "inference",
                done.finished,
                access
                | {
                    "ngf.request.id": r.request_id,
                    "ngf.inference_pool.namespace": pool.namespace,
                    "ngf.inference_pool.name": pool.name,
                    "k8s.pod.name": pending.pod,
                    "k8s.node.name": pod.node if pod else "",
                    "ngf.gpu.type": pod.profile.product if pod else "",
                    "gen_ai.request.model": pool.model,
                    "gen_ai.usage.input_tokens": r.input_tokens,
                    "gen_ai.usage.output_tokens": generated,
                    "ngf.inference.ttft_ms": round(done.ttft * 1000, 2),
                    "ngf.inference.queue_ms": round(done.queue_wait * 1000, 2),
                    "ngf.inference.prefill_ms": round(done.prefill * 1000, 2),
                    "ngf.inference.decode_ms": round(done.decode * 1000, 2),
                    "ngf.inference.duration_ms": round(total_ms, 2),
                    "ngf.inference.tokens_generated": generated,
                    "ngf.inference.tokens_per_second": round(generated / decode_s, 2),
                    "ngf.epp.decision_latency_us": round(pending.decision_us, 1),
                    "ngf.epp.strategy": pending.strategy,
                    "ngf.epp.queue_depth": pending.queue_depth,
                    "ngf.epp.kv_cache_pct": pending.kv_cache_pct,
                    "ngf.epp.candidate_count": pending.candidates,
                    "ngf.epp.prefix_cache_hit": r.cached_blocks > 0,
                    "ngf.gpu.id": 0,
                    "ngf.gpu.utilization_pct": round(pod.gpu_util, 1) if pod else 0.0,
                    "ngf.gpu.memory_used_mb": int(pod.memory_used_mib) if pod else 0,
                    "ngf.gpu.memory_total_mb": pod.profile.memory_mib if pod else 0,
                    "ngf.gpu.temperature_c": round(pod.temperature) if pod else 0,
                    "ngf.pool.replicas": len(pool.pods),
                    "ngf.pool.target_replicas": len(pool.pods),
                },
            )
        )

    def drain(self) -> list[LogRecord]:
        """The records written since the last drain."""
        records, self.records = self.records, []
        return records
