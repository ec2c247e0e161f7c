"""Topology graph build time over a synthetic cluster (readmodel/topology.py).

Pure CPU, no control plane: builds a ClusterSnapshot of plain dicts and times
build_topology() for the full graph and for one gateway's graph.

    uv run python bench/topology_bench.py [--gateways 50 --routes 1000 --services 500
                                           --pods 2000 --policies 100 --pools 20 --runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from ngf_console.readmodel.snapshot import ClusterSnapshot
from ngf_console.readmodel.topology import build_topology

GW = "gateway.networking.k8s.io"
NAMESPACES = 10
OK = [{"type": "Accepted", "status": "True"}, {"type": "Programmed", "status": "True"}]


def _meta(name: str, ns: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"name": name, "namespace": ns, "uid": f"{ns}-{name}", "labels": labels or {}}


def synthetic(args: argparse.Namespace) -> ClusterSnapshot:
    """Gateways (2 listeners) spread over namespaces; routes to services and pools."""
    ns = [f"ns-{i}" for i in range(NAMESPACES)]
    gateways = [
        {
            "apiVersion": f"{GW}/v1",
            "kind": "Gateway",
            "metadata": _meta(f"gw-{i}", ns[i % NAMESPACES]),
            "spec": {
                "gatewayClassName": "nginx",
                "listeners": [
                    {"name": "http", "port": 80, "protocol": "HTTP"},
                    {
                        "name": "https",
                        "port": 443,
                        "protocol": "HTTPS",
                        "tls": {"certificateRefs": [{"name": f"gw-{i}-tls"}]},
                    },
                ],
            },
            "status": {"conditions": OK},
        }
        for i in range(args.gateways)
    ]
    services = [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(f"svc-{i}", ns[i % NAMESPACES]),
            "spec": {"selector": {"app": f"app-{i}"}, "ports": [{"port": 80}]},
        }
        for i in range(args.services)
    ]
    pods = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": _meta(
                f"pod-{i}",
                ns[(i % args.services) % NAMESPACES],
                {"app": f"app-{i % args.services}", "pod-template-hash": "abc", "tier": "web"},
            ),
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
        }
        for i in range(args.pods)
    ]
    pools = [
        {
            "apiVersion": "inference.networking.k8s.io/v1",
            "kind": "InferencePool",
            "metadata": _meta(f"pool-{i}", ns[i % NAMESPACES]),
            "spec": {
                "selector": {"matchLabels": {"app": f"app-{i}"}},
                "targetPorts": [{"number": 8000}],
                "endpointPickerRef": {"name": f"svc-{i}", "port": {"number": 9002}},
            },
        }
        for i in range(args.pools)
    ]
    routes = []
    for i in range(args.routes):
        gw = i % args.gateways
        route_ns = ns[gw % NAMESPACES]
        backend: dict[str, Any] = {"name": f"svc-{i % args.services}", "port": 80}
        if args.pools and i % 10 == 0:
            backend = {
                "group": "inference.networking.k8s.io",
                "kind": "InferencePool",
                "name": f"pool-{i % args.pools}",
            }
        routes.append(
            {
                "apiVersion": f"{GW}/v1",
                "kind": "HTTPRoute",
                "metadata": _meta(f"route-{i}", route_ns),
                "spec": {
                    "parentRefs": [
                        {"name": f"gw-{gw}", "sectionName": "http" if i % 2 else "https"}
                    ],
                    "rules": [{"backendRefs": [backend]}],
                },
                "status": {"parents": [{"parentRef": {"name": f"gw-{gw}"}, "conditions": OK}]},
            }
        )
    policies = [
        {
            "apiVersion": "gateway.nginx.org/v1alpha1",
            "kind": "ClientSettingsPolicy",
            "metadata": _meta(f"pol-{i}", ns[i % NAMESPACES]),
            "spec": {"targetRef": {"group": GW, "kind": "HTTPRoute", "name": f"route-{i * 10}"}},
        }
        for i in range(args.policies)
    ]
    return ClusterSnapshot(
        gatewayclasses=[
            {
                "apiVersion": f"{GW}/v1",
                "kind": "GatewayClass",
                "metadata": {"name": "nginx"},
                "status": {"conditions": OK},
            }
        ],
        gateways=gateways,
        httproutes=routes,
        services=services,
        pods=pods,
        inferencepools=pools,
        policies=policies,
    )


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def timed(runs: int, fn: Any) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per run (CPU time is what a loaded machine cannot inflate)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default in (
        ("gateways", 50),
        ("routes", 1000),
        ("services", 500),
        ("pods", 2000),
        ("policies", 100),
        ("pools", 20),
        ("runs", 30),
    ):
        parser.add_argument(f"--{flag}", type=int, default=default)
    args = parser.parse_args()
    snapshot = synthetic(args)
    graph = build_topology(snapshot)
    print(f"full graph: {len(graph.nodes)} nodes, {len(graph.edges)} edges")
    one = build_topology(snapshot, gateway=("ns-0", "gw-0"))
    print(f"gateway ns-0/gw-0: {len(one.nodes)} nodes, {len(one.edges)} edges")
    for label, fn in (
        ("full build", lambda: build_topology(snapshot)),
        ("per-gateway build", lambda: build_topology(snapshot, gateway=("ns-0", "gw-0"))),
        ("full build + JSON", lambda: build_topology(snapshot).model_dump_json()),
    ):
        wall, cpu = timed(args.runs, fn)
        print(
            f"{label:>20}: wall p50 {statistics.median(wall):6.1f} ms p99 "
            f"{percentile(wall, 99):6.1f} ms | cpu p50 {statistics.median(cpu):6.1f} ms p99 "
            f"{percentile(cpu, 99):6.1f} ms ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
