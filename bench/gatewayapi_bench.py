"""simulate() against N HTTPRoutes on one Gateway: index build time and p50/p99 per request.

    uv run python bench/gatewayapi_bench.py [--routes 10000] [--requests 5000]

Routes spread over 100 hostnames (plus wildcards and a catch-all), each with an Exact and a
PathPrefix match, some with method/header/query conditions; requests hit random routes,
misses and deep sub-paths. Pure CPU: no cluster.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from typing import Any

from ngf_console.gatewayapi import RoutingTable, SimulatedRequest
from ngf_console.readmodel.snapshot import ClusterSnapshot

GW = "gateway.networking.k8s.io/v1"


def _route(i: int, rng: random.Random) -> dict[str, Any]:
    host = f"app{i % 100}.example.com" if i % 10 else f"*.zone{i % 7}.example.com"
    match: dict[str, Any] = {"path": {"type": "PathPrefix", "value": f"/svc{i}/api"}}
    if i % 3 == 0:
        match["method"] = "GET"
    if i % 5 == 0:
        match["headers"] = [{"name": "x-tenant", "value": f"t{i % 4}"}]
    if i % 11 == 0:
        match["queryParams"] = [{"name": "v", "value": "2"}]
    return {
        "apiVersion": GW,
        "kind": "HTTPRoute",
        "metadata": {
            "name": f"r{i}",
            "namespace": "default",
            "creationTimestamp": f"2026-01-{1 + i % 28:02d}T00:00:00Z",
        },
        "spec": {
            "parentRefs": [{"name": "gw"}],
            "hostnames": [] if i % 97 == 0 else [host],
            "rules": [
                {
                    "matches": [match, {"path": {"type": "Exact", "value": f"/svc{i}/health"}}],
                    "backendRefs": [
                        {"name": f"svc{i % 50}", "port": 80, "weight": 3},
                        {"name": f"svc{(i + 1) % 50}", "port": 80, "weight": 1},
                    ],
                }
            ],
        },
    }


def _snapshot(n: int, rng: random.Random) -> ClusterSnapshot:
    gateway = {
        "apiVersion": GW,
        "kind": "Gateway",
        "metadata": {"name": "gw", "namespace": "default"},
        "spec": {
            "gatewayClassName": "nginx",
            "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
        },
    }
    services = [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": f"svc{i}", "namespace": "default"},
        }
        for i in range(50)
    ]
    return ClusterSnapshot.from_objects([gateway, *services, *(_route(i, rng) for i in range(n))])


def _request(n: int, rng: random.Random) -> SimulatedRequest:
    i = rng.randrange(n)
    host = f"app{i % 100}.example.com" if i % 10 else f"x.zone{i % 7}.example.com"
    kind = rng.random()
    path = (
        f"/svc{i}/api/v1/items/{rng.randrange(1000)}"
        if kind < 0.6
        else f"/svc{i}/health"
        if kind < 0.8
        else f"/missing/{rng.randrange(1000)}"
    )
    return SimulatedRequest(
        method=rng.choice(["GET", "POST"]),
        host=host,
        path=path,
        headers={"x-tenant": f"t{i % 4}"},
        query={"v": ["2"]} if rng.random() < 0.5 else {},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--routes", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--freeze", action="store_true", help="gc.freeze() after the build (long-lived heap)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    snap = _snapshot(args.routes, rng)
    start = time.perf_counter()
    table = RoutingTable(snap)
    build = time.perf_counter() - start
    # A server builds the table once per snapshot change; collect the build's garbage
    # then, so the requests are not charged for it.
    gc.collect()
    if args.freeze:
        gc.freeze()
    requests = [_request(args.routes, rng) for _ in range(args.requests)]
    for req in requests[:200]:
        table.simulate(req)  # warm-up
    samples: list[float] = []
    outcomes: dict[str, int] = {}
    for req in requests:
        t0 = time.perf_counter()
        result = table.simulate(req)
        samples.append((time.perf_counter() - t0) * 1000)
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    samples.sort()
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
    print(f"routes={args.routes} requests={args.requests} index build={build:.2f}s")
    print(
        f"simulate ms: p50={p(0.50):.3f} p90={p(0.90):.3f} p99={p(0.99):.3f} "
        f"max={samples[-1]:.3f} mean={statistics.fmean(samples):.3f}"
    )
    print(f"outcomes: {outcomes}")


if __name__ == "__main__":
    main()
