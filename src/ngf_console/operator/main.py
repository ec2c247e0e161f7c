"""Run the operator: kopf with our handlers, credentials, settings, metrics and probes."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import kopf
from lightkube import AsyncClient, KubeConfig
from prometheus_client import start_http_server

from ngf_console.operator.handlers import register
from ngf_console.operator.peering import LIFETIME_SECONDS, PEERING_NAME, ensure_peering_object
from ngf_console.operator.reconciler import Reconciler
from ngf_console.render import RenderOptions

ANNOTATION_PREFIX = "ngf-console.f5.com"


@dataclass(frozen=True)
class OperatorConfig:
    """Everything ``ngf-console operator`` can be told."""

    kubeconfig: Path | None = None
    resync_seconds: float = 60.0
    metrics_port: int = 8090
    health_port: int = 8091
    bind_host: str = "127.0.0.1"
    peering: bool = False
    priority: int = 0
    workers: int = 16
    render: RenderOptions = field(default_factory=RenderOptions)


def _connection(kubeconfig: Path) -> kopf.ConnectionInfo:
    """kopf credentials from a kubeconfig file (certificates inline or on disk, or a token)."""
    single = KubeConfig.from_file(kubeconfig).get()
    if single is None:
        raise kopf.LoginError(f"{kubeconfig} has no current context")
    cluster, user = single.cluster, single.user

    def data(inline: str | None) -> bytes | None:
        return base64.b64decode(inline) if inline else None

    return kopf.ConnectionInfo(
        server=cluster.server,
        ca_data=data(cluster.certificate_auth_data),
        ca_path=cluster.certificate_auth,
        insecure=cluster.insecure,
        token=user.token if user else None,
        certificate_data=data(user.client_cert_data) if user else None,
        certificate_path=user.client_cert if user else None,
        private_key_data=data(user.client_key_data) if user else None,
        private_key_path=user.client_key if user else None,
        default_namespace=single.namespace,
    )


def _edition_reader(client: AsyncClient, ttl: float = 60.0) -> Callable[[], Awaitable[str]]:
    """The cluster's NGF edition, re-read at most every ``ttl`` seconds."""
    from ngf_console.kube.edition import read_edition

    cache: dict[str, Any] = {"at": -ttl, "value": "unknown"}

    async def edition() -> str:
        if time.monotonic() - cache["at"] >= ttl:
            cache["value"] = (await read_edition(client)).edition
            cache["at"] = time.monotonic()
        return str(cache["value"])

    return edition


def build_registry(config: OperatorConfig) -> tuple[kopf.OperatorRegistry, Reconciler]:
    """The kopf registry with every handler, and the reconciler behind them."""
    registry = kopf.OperatorRegistry()
    kube = KubeConfig.from_file(config.kubeconfig) if config.kubeconfig else KubeConfig.from_env()
    # Generous enough for a busy API server, short enough that a stuck call is retried.
    timeout = httpx2.Timeout(30.0, connect=5.0)
    client = AsyncClient(kube, field_manager="ngf-console-operator", timeout=timeout)
    reconciler = Reconciler(
        client,
        config.render,
        edition=_edition_reader(client),
        workers=config.workers,
        # An unchanged status is rewritten (lastReconciledAt) only every fifth resync: a
        # write per parent per minute is an event per parent per minute for every watcher.
        status_refresh=5 * config.resync_seconds,
    )

    @kopf.on.startup(registry=registry)
    async def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
        # Progress and diff-base in our annotations: the parents' status schema is ours
        # and has no room for kopf's own status field.
        settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(
            prefix=ANNOTATION_PREFIX
        )
        settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
            prefix=ANNOTATION_PREFIX
        )
        settings.persistence.finalizer = f"{ANNOTATION_PREFIX}/finalizer"
        settings.posting.enabled = False  # the reconciler records its own, meaningful events
        settings.peering.name = PEERING_NAME
        settings.peering.clusterwide = True
        settings.peering.lifetime = LIFETIME_SECONDS  # a dead active replica: ~15 s to failover
        settings.peering.mandatory = config.peering
        settings.peering.priority = config.priority
        settings.peering.stealth = True
        settings.watching.server_timeout = 300
        await reconciler.discover()
        reconciler.queue.start()

    @kopf.on.cleanup(registry=registry)
    async def stop_workers(**_: Any) -> None:
        await reconciler.queue.stop()

    if config.kubeconfig is not None:
        kubeconfig = config.kubeconfig

        @kopf.on.login(registry=registry)
        def login(**_: Any) -> kopf.ConnectionInfo:
            return _connection(kubeconfig)

    register(registry, reconciler, config.resync_seconds)
    return registry, reconciler


def run(config: OperatorConfig) -> None:
    """Run until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # One line per HTTP request to the API server drowns everything else.
    for noisy in ("httpx", "httpx2"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    registry, _ = build_registry(config)
    if config.peering:
        from lightkube import Client

        kube = KubeConfig.from_file(config.kubeconfig) if config.kubeconfig else None
        ensure_peering_object(Client(kube))
    start_http_server(config.metrics_port, addr=config.bind_host)
    asyncio.run(
        kopf.operator(
            registry=registry,
            clusterwide=True,
            standalone=not config.peering,
            priority=config.priority,
            peering_name=PEERING_NAME if config.peering else None,
            liveness_endpoint=f"http://{config.bind_host}:{config.health_port}/healthz",
        )
    )
