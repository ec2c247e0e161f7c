"""Run the real operator as a process against the test control plane, and play the other
controllers (NGF, KEDA) by writing child statuses the way they would."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.core.resource_registry import resource_registry
from lightkube.generic_resource import create_namespaced_resource
from lightkube.types import PatchType

from ngf_console.crd import GROUP, PARENT_KINDS, VERSION

T = TypeVar("T")

PARENTS = {
    k.kind: create_namespaced_resource(GROUP, VERSION, k.kind, k.plural) for k in PARENT_KINDS
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(check: Callable[[], T | None], timeout: float = 30.0, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = check()
        except ApiError as err:
            last = err
        if last and not isinstance(last, ApiError):
            return last
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(0.1)


class OperatorProcess:
    """``ngf-console operator`` in a subprocess, with its log kept for failures."""

    def __init__(
        self, kubeconfig: Path, log: Path, *, resync: float = 5.0, extra: tuple[str, ...] = ()
    ) -> None:
        self.metrics_port, self.health_port = free_port(), free_port()
        self.log = log
        self._out = log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ngf_console.cli",
                "operator",
                "--kubeconfig",
                str(kubeconfig),
                "--resync",
                str(resync),
                "--metrics-port",
                str(self.metrics_port),
                "--health-port",
                str(self.health_port),
                *extra,
            ],
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 60.0) -> None:
        def healthy() -> bool:
            if self.proc.poll() is not None:
                pytest.fail(f"operator exited:\n{self.log.read_text()[-4000:]}")
            try:
                return (
                    httpx.get(f"http://127.0.0.1:{self.health_port}/healthz", timeout=1).status_code
                    == 200
                )
            except httpx.HTTPError:
                return False

        eventually(healthy, timeout, "operator health")

    def metrics(self) -> str:
        return httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text

    def stop(self, kill: bool = False) -> None:
        if self.proc.poll() is None:
            (self.proc.kill if kill else self.proc.terminate)()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


def ensure_namespace(kube: Client, name: str) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import Namespace

    try:
        kube.create(Namespace(metadata=ObjectMeta(name=name)))
    except ApiError as err:
        if err.status.code != 409:
            raise


def get(kube: Client, api_version: str, kind: str, name: str, namespace: str) -> dict[str, Any]:
    obj = kube.get(resource_registry.load(api_version, kind), name, namespace=namespace)
    result: dict[str, Any] = obj.to_dict()
    return result


def exists(kube: Client, api_version: str, kind: str, name: str, namespace: str) -> bool:
    try:
        get(kube, api_version, kind, name, namespace)
    except ApiError as err:
        if err.status.code == 404:
            return False
        raise
    return True


def patch_status(
    kube: Client, api_version: str, kind: str, name: str, namespace: str, status: dict[str, Any]
) -> None:
    kube.patch(
        resource_registry.load(api_version, kind).Status,
        name,
        {"status": status},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )


def parent_status(kube: Client, kind: str, name: str, namespace: str) -> dict[str, Any]:
    obj = kube.get(PARENTS[kind], name, namespace=namespace)
    status: dict[str, Any] = obj.to_dict().get("status") or {}
    return status


def condition(status: dict[str, Any], ctype: str) -> dict[str, Any]:
    return next((c for c in status.get("conditions") or [] if c["type"] == ctype), {})


_NOW = "2026-11-23T00:00:00Z"


def accepted(
    ctype: str = "Accepted", status: str = "True", reason: str = "Accepted"
) -> dict[str, Any]:
    return {
        "type": ctype,
        "status": status,
        "reason": reason,
        "message": "",
        "lastTransitionTime": _NOW,
        "observedGeneration": 1,
    }


def accept_route_like(
    kube: Client, api_version: str, kind: str, name: str, namespace: str, gateway: str
) -> None:
    """Play NGF: the gateway accepted the HTTPRoute / InferencePool and resolved its refs."""
    parent_ref = {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": gateway,
        "namespace": namespace,
    }
    patch_status(
        kube,
        api_version,
        kind,
        name,
        namespace,
        {
            "parents": [
                {
                    "parentRef": parent_ref,
                    "controllerName": "gateway.nginx.org/nginx-gateway-controller",
                    "conditions": [accepted(), accepted("ResolvedRefs", reason="ResolvedRefs")],
                }
            ]
        },
    )


def ready_condition(
    kube: Client, api_version: str, kind: str, name: str, namespace: str, ctype: str
) -> None:
    """Play KEDA / NGF: set a single True condition on the object."""
    patch_status(
        kube, api_version, kind, name, namespace, {"conditions": [accepted(ctype, reason=ctype)]}
    )
