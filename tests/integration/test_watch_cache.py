"""The watch-fed read cache against the real control plane.

Each test runs its own event loop (``asyncio.run``) with its own cache; writes go through
the session's sync client in a worker thread so the cache's loop keeps reading its watches.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
from lightkube import AsyncClient, Client, KubeConfig, codecs
from lightkube.core.resource_registry import resource_registry
from lightkube.types import PatchType

from ngf_console.kube.cache import (
    ResourceNotServedError,
    ResourceType,
    Subscription,
    SubscriptionLostError,
    UnknownResourceTypeError,
    WatchCache,
)
from ngf_console.kube.crds import install_crds
from ngf_console.kube.informer import http_client
from ngf_console.kube.label_selector import LabelSelectorError
from ngf_console.kube.served_types import SERVED_TYPES, served_type

T = TypeVar("T")
ROUTE = served_type("httproutes", "gateway.networking.k8s.io")
SERVICE = served_type("services")
NAMESPACE = served_type("namespaces")
TYPES = (ROUTE, SERVICE, NAMESPACE)


def run(coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(timeout):
            return await coro

    return asyncio.run(bounded())


@contextlib.asynccontextmanager
async def running_cache(
    kubeconfig: Path, types: Sequence[ResourceType] = TYPES, **options: Any
) -> AsyncIterator[WatchCache]:
    client = AsyncClient(KubeConfig.from_file(kubeconfig))
    cache = WatchCache(client, types, **options)
    await cache.start()
    try:
        await cache.wait_synced(30)
        yield cache
    finally:
        await cache.stop()
        await client.close()


def route_doc(namespace: str, name: str, **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": ROUTE.api_version,
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "parentRefs": [{"name": "gw"}],
            "rules": [{"backendRefs": [{"name": "svc", "port": 80}]}],
        },
    }


def route_class() -> Any:
    return resource_registry.load(ROUTE.api_version, "HTTPRoute")


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.to_thread(fn, *args, **kwargs)


async def create_routes(kube: Client, namespace: str, names: Sequence[str], **labels: str) -> None:
    for name in names:
        await in_thread(kube.create, codecs.from_dict(route_doc(namespace, name, **labels)))


async def eventually(check: Callable[[], bool], limit: float = 15, what: str = "") -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {limit}s: {what}")
        await asyncio.sleep(0.05)


async def events_in(sub: Subscription, namespace: str, count: int) -> list[tuple[str, str]]:
    """The next ``count`` events about objects in ``namespace``, as (type, name)."""
    found: list[tuple[str, str]] = []
    while len(found) < count:
        event = await sub.get(timeout=15)
        meta = event.object["metadata"]
        if meta.get("namespace") == namespace:
            found.append((event.type, meta["name"]))
    return found


async def apiserver_items(client: AsyncClient, t: ResourceType, namespace: str) -> list[Any]:
    """A direct LIST, stripped of managedFields like the cache stores objects."""
    response = await http_client(client).get(t.api_path(namespace))
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    for item in items:
        item["metadata"].pop("managedFields", None)
    return sorted(items, key=lambda o: o["metadata"]["name"])


def cache_names(cache: WatchCache, namespace: str, **filters: Any) -> list[str]:
    page = cache.list(ROUTE, namespace=namespace, **filters)
    return [o["metadata"]["name"] for o in page.items]


def test_synced_cache_matches_the_apiserver(kubeconfig: Path, kube: Client, namespace: str) -> None:
    async def body() -> None:
        await create_routes(kube, namespace, ["b", "a", "c"], app="web")
        async with running_cache(kubeconfig) as cache:
            assert all(cache.synced(t) for t in TYPES)
            expected = await apiserver_items(cache.client, ROUTE, namespace)
            page = cache.list(ROUTE, namespace=namespace)
            assert page.items == expected
            assert [o["metadata"]["name"] for o in page.items] == ["a", "b", "c"]
            assert page.total == 3 and page.continue_token is None
            assert int(page.resource_version) > 0
            assert cache.get(ROUTE, namespace, "b") == expected[1]
            assert "managedFields" not in cache.get(ROUTE, namespace, "b")["metadata"]
            assert cache.get(ROUTE, namespace, "missing") is None
            assert cache.get(NAMESPACE, None, namespace)["metadata"]["name"] == namespace
            # Cluster-scoped lists ignore the namespace argument.
            assert cache.list(NAMESPACE, namespace="whatever").total >= 1
            with pytest.raises(UnknownResourceTypeError, match="does not hold"):
                cache.list(served_type("pods"))

    run(body())


def test_changes_reach_the_cache_and_subscribers(
    kubeconfig: Path, kube: Client, namespace: str
) -> None:
    async def body() -> None:
        async with running_cache(kubeconfig) as cache:
            sub = cache.subscribe({ROUTE})
            others = cache.subscribe({SERVICE})
            await create_routes(kube, namespace, ["r1"])
            assert await events_in(sub, namespace, 1) == [("ADDED", "r1")]
            assert cache.get(ROUTE, namespace, "r1") is not None

            patch = {"metadata": {"labels": {"tier": "edge"}}}
            await in_thread(
                kube.patch, route_class(), "r1", patch, namespace=namespace,
                patch_type=PatchType.MERGE,
            )  # fmt: skip
            assert await events_in(sub, namespace, 1) == [("MODIFIED", "r1")]
            assert cache.get(ROUTE, namespace, "r1")["metadata"]["labels"] == {"tier": "edge"}

            await in_thread(kube.delete, route_class(), "r1", namespace=namespace)
            assert await events_in(sub, namespace, 1) == [("DELETED", "r1")]
            assert cache.get(ROUTE, namespace, "r1") is None
            # A subscriber of another type saw none of it.
            assert others.size == 0
            sub.close()

    run(body())


def test_label_selector_and_name_filters(kubeconfig: Path, kube: Client, namespace: str) -> None:
    async def body() -> None:
        await create_routes(kube, namespace, ["web-1", "web-2"], app="web", tier="front")
        await create_routes(kube, namespace, ["api-1"], app="api")
        await create_routes(kube, namespace, ["plain-web"])
        async with running_cache(kubeconfig) as cache:
            assert cache_names(cache, namespace, label_selector="app=web") == ["web-1", "web-2"]
            assert cache_names(cache, namespace, label_selector="app in (api, web),!tier") == [
                "api-1"
            ]
            assert cache_names(cache, namespace, label_selector="app") == [
                "api-1",
                "web-1",
                "web-2",
            ]
            assert cache_names(cache, namespace, label_selector="app!=web") == [
                "api-1",
                "plain-web",
            ]
            assert cache_names(cache, namespace, name_contains="WEB") == [
                "plain-web",
                "web-1",
                "web-2",
            ]
            assert cache_names(cache, namespace, name_contains="web", label_selector="app") == [
                "web-1",
                "web-2",
            ]
            page = cache.list(ROUTE, namespace=namespace, label_selector="app=web", limit=1)
            assert page.total == 2 and len(page.items) == 1
            assert cache.list(ROUTE, label_selector="app=web", name_contains=namespace).total == 0
            with pytest.raises(LabelSelectorError, match="position 7"):
                cache.list(ROUTE, label_selector="app in web")

    run(body())


def test_paging_walks_every_item_exactly_once(
    kubeconfig: Path, kube: Client, namespace: str
) -> None:
    names = [f"route-{i:02d}" for i in range(23)]

    async def body() -> None:
        await create_routes(kube, namespace, names)
        async with running_cache(kubeconfig) as cache:
            seen: list[str] = []
            token: str | None = None
            pages, total = 0, 23
            while True:
                page = cache.list(ROUTE, namespace=namespace, limit=5, continue_token=token)
                assert page.total == total
                seen += [o["metadata"]["name"] for o in page.items]
                pages += 1
                token = page.continue_token
                if token is None:
                    break
                if pages == 2:
                    # A change between pages neither repeats nor skips the others.
                    await in_thread(kube.delete, route_class(), "route-02", namespace=namespace)
                    await eventually(lambda: cache.get(ROUTE, namespace, "route-02") is None)
                    total = 22
            assert seen == names and pages == 5
            first = cache.list(ROUTE, namespace=namespace, limit=5)
            assert first.continue_token is not None
            with pytest.raises(ValueError, match="different query"):
                cache.list(ROUTE, namespace="other", limit=5, continue_token=first.continue_token)
            with pytest.raises(ValueError, match="invalid continue token"):
                cache.list(ROUTE, namespace=namespace, continue_token="garbage")

    run(body())


def test_watch_resumes_after_the_connection_drops_without_missing_events(
    kubeconfig: Path, kube: Client, namespace: str
) -> None:
    async def body() -> None:
        await create_routes(kube, namespace, ["keep", "change", "remove"])
        async with running_cache(kubeconfig) as cache:
            informer = cache.informer(ROUTE)
            before = informer.status()
            sub = cache.subscribe({ROUTE})
            # Drop the watch and stay disconnected while the changes happen.
            informer.reconnect(hold=1.5)
            await create_routes(kube, namespace, ["new"])
            await in_thread(
                kube.patch, route_class(), "change", {"metadata": {"labels": {"v": "2"}}},
                namespace=namespace, patch_type=PatchType.MERGE,
            )  # fmt: skip
            await in_thread(kube.delete, route_class(), "remove", namespace=namespace)
            assert informer.status().watches == before.watches  # still disconnected

            events = await events_in(sub, namespace, 3)
            assert sorted(events) == [
                ("ADDED", "new"),
                ("DELETED", "remove"),
                ("MODIFIED", "change"),
            ]
            after = informer.status()
            assert after.lists == before.lists, "resumed from the resourceVersion, no relist"
            assert after.watches == before.watches + 1
            assert after.relists_after_gone == 0
            assert cache.list(ROUTE, namespace=namespace).items == await apiserver_items(
                cache.client, ROUTE, namespace
            )

    run(body())


def test_gone_resource_version_relists_and_emits_the_differences(
    kubeconfig: Path, kube: Client, namespace: str
) -> None:
    async def body() -> None:
        await create_routes(kube, namespace, ["keep", "change", "remove"])
        async with running_cache(kubeconfig) as cache:
            informer = cache.informer(ROUTE)
            before = informer.status()
            sub = cache.subscribe({ROUTE})
            # Resume from a version the API server no longer has: it answers 410 Gone.
            informer.reconnect(hold=1.5, from_resource_version="1")
            await create_routes(kube, namespace, ["new"])
            await in_thread(
                kube.patch, route_class(), "change", {"metadata": {"labels": {"v": "2"}}},
                namespace=namespace, patch_type=PatchType.MERGE,
            )  # fmt: skip
            await in_thread(kube.delete, route_class(), "remove", namespace=namespace)

            events = await events_in(sub, namespace, 3)
            # Synthetic events from the relist's diff arrive in key order.
            assert events == [("MODIFIED", "change"), ("ADDED", "new"), ("DELETED", "remove")]
            after = informer.status()
            assert after.relists_after_gone == 1
            assert after.lists == before.lists + 1
            assert after.state == "synced"
            assert cache.list(ROUTE, namespace=namespace).items == await apiserver_items(
                cache.client, ROUTE, namespace
            )

    run(body())


def test_missing_crd_is_reported_not_served_until_installed(kubeconfig: Path, kube: Client) -> None:
    group = f"t{secrets.token_hex(3)}.example.com"
    widget = ResourceType(group, "v1", "widgets", "Widget", namespaced=True)
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }

    async def body() -> None:
        async with running_cache(kubeconfig, (widget, SERVICE), not_served_retry=0.5) as cache:
            assert cache.synced(SERVICE)
            assert not cache.synced(widget) and not cache.served(widget)
            assert cache.informer(widget).status().state == "not_served"
            with pytest.raises(ResourceNotServedError, match="not served"):
                cache.list(widget)
            with pytest.raises(ResourceNotServedError):
                cache.get(widget, "default", "w")
            await in_thread(install_crds, kube, [crd])
            try:
                await eventually(lambda: cache.synced(widget), what="widgets synced")
                assert cache.list(widget).total == 0
            finally:
                await in_thread(kube.delete, codecs.from_dict(crd).__class__, f"widgets.{group}")

    run(body())


def test_a_slow_subscriber_is_marked_lost_without_blocking_others(
    kubeconfig: Path, kube: Client, namespace: str
) -> None:
    async def body() -> None:
        async with running_cache(kubeconfig) as cache:
            slow = cache.subscribe({ROUTE}, maxsize=2)
            fast = cache.subscribe({ROUTE})
            await create_routes(kube, namespace, ["a", "b", "c", "d"])
            assert [n for _, n in await events_in(fast, namespace, 4)] == ["a", "b", "c", "d"]
            assert slow.lost
            with pytest.raises(SubscriptionLostError):
                await slow.get(timeout=1)
            assert cache.list(ROUTE, namespace=namespace).total == 4

    run(body())


def test_every_served_type_settles(kubeconfig: Path) -> None:
    async def body() -> None:
        async with running_cache(kubeconfig, SERVED_TYPES) as cache:
            states = {str(s.resource_type): s.state for s in cache.status()}
            assert set(states.values()) <= {"synced", "not_served"}
            # The local control plane installs every kind but the legacy InferencePool and
            # the NGF 2.4+ kinds (its NGF CRDs are v1.6.2).
            not_served = sorted(t for t, s in states.items() if s == "not_served")
            assert not_served == [
                "authenticationfilters.gateway.nginx.org/v1alpha1",
                "inferencepools.inference.networking.x-k8s.io/v1alpha2",
                "proxysettingspolicies.gateway.nginx.org/v1alpha1",
                "ratelimitpolicies.gateway.nginx.org/v1alpha1",
                "snippetspolicies.gateway.nginx.org/v1alpha1",
                "wafpolicies.gateway.nginx.org/v1alpha1",
            ]
            assert cache.all_synced()

    run(body())
