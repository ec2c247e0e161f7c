"""Simulator overhead: CPU % of one core at a steady simulated request rate.

No cluster: a synthetic world (pools of H100 pods behind Gateways, plus web routes) runs in
real time at the simulator's tick, with everything the real run does per second: the
traffic (arrivals, EPP picks, pods working), the exporters rendered as Prometheus would
scrape them (every target every ``--scrape`` seconds), and the OTLP/HTTP JSON body built
for the log records (serialised, not sent).

    uv run python bench/simulator_bench.py [--rate 200 --seconds 30 --pools 3 --pods 3]
"""

from __future__ import annotations

import argparse
import json
import threading
import time

from ngf_console.sandbox.simulator.dynamics import GPU_PROFILES, SimPod
from ngf_console.sandbox.simulator.epp_scoring import strategy_weights
from ngf_console.sandbox.simulator.exporter import Exporter
from ngf_console.sandbox.simulator.otlp import export_request
from ngf_console.sandbox.simulator.traffic import Traffic
from ngf_console.sandbox.simulator.world import SimGateway, SimPool, SimRoute, World


class SteadyTraffic(Traffic):
    """The configured rate all the time (no diurnal curve), to measure at that rate."""

    def load(self, now: float) -> float:
        return self.rate


def world(pools: int, pods: int) -> World:
    w = World(seed=1)
    for i in range(pools):
        ns, name = "bench", f"pool-{i}"
        pool = SimPool(
            ns,
            name,
            f"model-{i}",
            strategy_weights(
                "composite", {"queueDepth": 0.4, "kvCache": 0.35, "prefixCache": 0.25}
            ),
        )
        for j in range(pods):
            pod = f"{name}-model-abc-{j}"
            pool.pods[pod] = SimPod(
                ns, pod, "kwok-gpu-h100-0", "vllm", GPU_PROFILES["H100"], pool.model
            )
        w.pools[(ns, name)] = pool
        gw = SimGateway(ns, f"gw-{i}")
        gw.routes.append(
            SimRoute(ns, f"{name}-route", [], ["/v1"], [f"{ns}_{name}_8000"], [(ns, name)])
        )
        gw.routes.append(
            SimRoute(ns, f"web-{i}", ["shop.example.com"], ["/"], [f"{ns}_web-{i}_80"], [])
        )
        w.gateways[(ns, gw.name)] = gw
    return w


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--pools", type=int, default=3)
    parser.add_argument("--pods", type=int, default=3)
    parser.add_argument("--tick", type=float, default=0.2)
    parser.add_argument("--scrape", type=float, default=5.0)
    args = parser.parse_args()

    w = world(args.pools, args.pods)
    lock = threading.Lock()
    traffic = SteadyTraffic(w, rate=args.rate)
    exporter = Exporter(w, lock)  # rendered in-process: its HTTP server is not started
    records = scraped_bytes = otlp_bytes = 0
    start_wall, start_cpu = time.monotonic(), time.process_time()
    last = next_scrape = next_flush = time.time()
    while time.monotonic() - start_wall < args.seconds:
        now = time.time()
        with lock:
            traffic.step(now, now - last)
        last = now
        if now >= next_flush:
            batch = traffic.drain()
            records += len(batch)
            otlp_bytes += len(json.dumps(export_request(batch)))
            next_flush = now + 1.0
        if now >= next_scrape:
            for target in exporter.targets():
                scraped_bytes += len(exporter.render(target["labels"]["__metrics_path__"])[1])
            next_scrape = now + args.scrape
        time.sleep(max(0.0, args.tick - (time.time() - now)))
    wall = time.monotonic() - start_wall
    cpu = time.process_time() - start_cpu
    exporter.server.server_close()
    print(
        f"rate {args.rate:.0f} req/s target, simulated {traffic.simulated / wall:.0f} req/s "
        f"({args.pools} pools x {args.pods} pods, {len(w.gateways)} gateways), "
        f"{records / wall:.0f} log records/s, OTLP {otlp_bytes / wall / 1024:.0f} KiB/s, "
        f"scrapes {scraped_bytes / wall / 1024:.1f} KiB/s"
    )
    print(f"CPU {100 * cpu / wall:.1f} % of one core over {wall:.0f} s")


if __name__ == "__main__":
    main()
