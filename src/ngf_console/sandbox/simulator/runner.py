"""The simulator's main loop: read the cluster, play its controllers, tick the world, export.

Three cadences: the world ticks every ``tick`` seconds (arrivals, EPP picks, pods working);
every ``control_interval`` the cluster is listed, the world synced, statuses written and the
autoscaler consulted; every second the log records go out over OTLP/HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lightkube import AsyncClient, KubeConfig, codecs
from lightkube.core.exceptions import ApiError
from lightkube.core.resource import NamespacedResource
from lightkube.generic_resource import create_namespaced_resource
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import Pod
from lightkube.types import PatchType

from ngf_console.crd import GROUP, VERSION
from ngf_console.sandbox.simulator import controllers
from ngf_console.sandbox.simulator.exporter import Exporter
from ngf_console.sandbox.simulator.otlp import OtlpEmitter
from ngf_console.sandbox.simulator.traffic import Traffic
from ngf_console.sandbox.simulator.world import World

__all__ = ["Simulator", "SimulatorConfig", "run"]

log = logging.getLogger(__name__)

GATEWAY = create_namespaced_resource("gateway.networking.k8s.io", "v1", "Gateway", "gateways")
HTTPROUTE = create_namespaced_resource("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes")
POOL = create_namespaced_resource(
    "inference.networking.k8s.io", "v1", "InferencePool", "inferencepools"
)
STACK = create_namespaced_resource(GROUP, VERSION, "InferenceStack", "inferencestacks")
SCALED_OBJECT = create_namespaced_resource("keda.sh", "v1alpha1", "ScaledObject", "scaledobjects")


@dataclass(frozen=True)
class SimulatorConfig:
    """How the simulator runs."""

    kubeconfig: Path
    api_url: str | None = None
    """The console API whose OTLP receiver (``/v1/logs``) gets the logs; None: no logs."""
    port: int = 0
    rate: float = 40.0
    """Requests per second at the daily peak, over every route."""
    day_seconds: float = 1800.0
    tick: float = 0.2
    control_interval: float = 2.0
    seed: int = 7
    play_controllers: bool = True
    namespaces: tuple[str, ...] = ()
    """Only these namespaces (empty: all). A shared cluster's other tenants stay untouched."""


def _dict(obj: Any) -> dict[str, Any]:
    result: dict[str, Any] = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return result


class Simulator:
    """The simulated world with its exporter, traffic and controller loop."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.world = World(seed=config.seed)
        self.lock = threading.Lock()
        self.exporter = Exporter(self.world, self.lock, config.port)
        self.traffic = Traffic(self.world, rate=config.rate, day_seconds=config.day_seconds)
        self.decider = controllers.ScaleDecider()
        self.emitter = (
            OtlpEmitter(config.api_url.rstrip("/") + "/v1/logs") if config.api_url else None
        )
        self.kube = AsyncClient(
            KubeConfig.from_file(config.kubeconfig), field_manager="ngf-console-simulator"
        )
        self.tick_seconds = 0.0
        self.ticks = 0

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.exporter.port}"

    async def _list(self, resource: type[Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for namespace in self.config.namespaces or ("*",):
            try:
                found += [_dict(o) async for o in self.kube.list(resource, namespace=namespace)]
            except ApiError as err:
                if err.status.code != 404:
                    raise
        return found

    async def control(self) -> None:
        """One control pass: list, sync the world, write statuses, scale."""
        pools, pods, stacks, deployments, gateways, routes = await asyncio.gather(
            self._list(POOL),
            self._list(Pod),
            self._list(STACK),
            self._list(Deployment),
            self._list(GATEWAY),
            self._list(HTTPROUTE),
        )
        with self.lock:
            self.world.sync(
                pools=pools,
                pods=pods,
                stacks=stacks,
                deployments=deployments,
                gateways=gateways,
                routes=routes,
            )
        if self.config.play_controllers:
            await self._statuses(gateways, routes, pools)
            await self._scale(deployments)

    async def _patch_status(
        self, resource: type[NamespacedResource], obj: dict[str, Any], status: dict[str, Any]
    ) -> None:
        meta = obj["metadata"]
        try:
            await self.kube.patch(
                resource.Status,  # type: ignore[attr-defined]
                meta["name"],
                {"status": status},
                namespace=meta["namespace"],
                patch_type=PatchType.MERGE,
            )
        except ApiError as err:
            log.warning(
                "status of %s %s/%s: %s", obj.get("kind"), meta["namespace"], meta["name"], err
            )

    async def _statuses(
        self,
        gateways: list[dict[str, Any]],
        routes: list[dict[str, Any]],
        pools: list[dict[str, Any]],
    ) -> None:
        attached: dict[tuple[str, str], dict[str, int]] = {}
        pool_gateways: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for route in routes:
            namespace = route["metadata"]["namespace"]
            for ref in (route.get("spec") or {}).get("parentRefs") or []:
                gw = (ref.get("namespace") or namespace, ref["name"])
                counts = attached.setdefault(gw, {})
                gateway = next(
                    (
                        g
                        for g in gateways
                        if (g["metadata"]["namespace"], g["metadata"]["name"]) == gw
                    ),
                    None,
                )
                for listener in ((gateway or {}).get("spec") or {}).get("listeners") or []:
                    if ref.get("sectionName") in (None, listener["name"]):
                        counts[listener["name"]] = counts.get(listener["name"], 0) + 1
                for rule in (route.get("spec") or {}).get("rules") or []:
                    for backend in rule.get("backendRefs") or []:
                        if backend.get("kind") == "InferencePool":
                            key = (backend.get("namespace") or namespace, backend["name"])
                            pool_gateways.setdefault(key, set()).add(gw)
            if status := controllers.route_status(route):
                await self._patch_status(HTTPROUTE, route, status)
        for gateway in gateways:
            key = (gateway["metadata"]["namespace"], gateway["metadata"]["name"])
            if status := controllers.gateway_status(gateway, attached.get(key, {})):
                await self._patch_status(GATEWAY, gateway, status)
        for pool in pools:
            key = (pool["metadata"]["namespace"], pool["metadata"]["name"])
            if status := controllers.pool_status(pool, sorted(pool_gateways.get(key, set()))):
                await self._patch_status(POOL, pool, status)
        for scaled in await self._list(SCALED_OBJECT):
            key = (scaled["metadata"]["namespace"], scaled["metadata"]["name"])
            active = any(
                p.autoscaling is not None
                and p.autoscaling.scaler_name == key[1]
                and p.namespace == key[0]
                and len(p.pods) > p.autoscaling.min_replicas
                for p in self.world.pools.values()
            )
            if status := controllers.scaled_object_status(scaled, active):
                await self._patch_status(SCALED_OBJECT, scaled, status)

    async def _scale(self, deployments: list[dict[str, Any]]) -> None:
        replicas = {
            (d["metadata"]["namespace"], d["metadata"]["name"]): int(
                (d.get("spec") or {}).get("replicas", 1)
            )
            for d in deployments
        }
        now = time.time()
        for pool in list(self.world.pools.values()):
            scaling = pool.autoscaling
            if scaling is None:
                continue
            current = replicas.get((pool.namespace, scaling.deployment))
            if current is None:
                continue
            with self.lock:
                step = self.decider.decide(pool, current, now)
            if step is None:
                continue
            log.info(
                "scaling %s/%s to %d: %s",
                pool.namespace,
                step.deployment,
                step.desired,
                step.reason,
            )
            await self.kube.patch(
                Deployment,
                step.deployment,
                {"spec": {"replicas": step.desired}},
                namespace=pool.namespace,
                patch_type=PatchType.MERGE,
            )
            event = controllers.scaling_event(pool.namespace, scaling, step)
            with contextlib.suppress(ApiError):
                await self.kube.create(codecs.from_dict(event))

    def step(self, now: float, dt: float) -> None:
        """One tick of the world (under the exporter's lock)."""
        started = time.perf_counter()
        with self.lock:
            self.traffic.step(now, dt)
            for pool in self.world.pools.values():
                self.decider.observe(pool, dt)
            records = self.traffic.drain()
        if self.emitter is not None:
            self.emitter.add(records)
        self.tick_seconds += time.perf_counter() - started
        self.ticks += 1

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set."""
        self.exporter.start()
        tasks = [asyncio.create_task(self._control_loop(stop))]
        if self.emitter is not None:
            tasks.append(asyncio.create_task(self._export_loop(stop)))
        last = time.time()
        try:
            while not stop.is_set():
                now = time.time()
                self.step(now, min(now - last, 2.0))
                last = now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.config.tick)
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.emitter is not None:
                with contextlib.suppress(Exception):
                    await self.emitter.flush()
                await self.emitter.aclose()
            self.exporter.stop()
            await self.kube.close()

    async def _control_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.control()
            except Exception:  # the API server may restart; keep simulating meanwhile
                log.exception("simulator control pass")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.config.control_interval)

    async def _export_loop(self, stop: asyncio.Event) -> None:
        assert self.emitter is not None
        while not stop.is_set():
            await self.emitter.flush()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)


async def run(config: SimulatorConfig, stop: asyncio.Event, ready: Any = None) -> None:
    """Run a simulator until ``stop``; ``ready(simulator)`` is called once it serves."""
    simulator = Simulator(config)
    if ready is not None:
        ready(simulator)
    await simulator.run(stop)
