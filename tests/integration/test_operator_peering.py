"""Two operator replicas: exactly one reconciles; when it dies, the other takes over."""

from __future__ import annotations

import re
import time
from pathlib import Path

from lightkube import Client
from operator_harness import OperatorProcess, ensure_namespace, eventually, parent_status
from test_operator import create, stack_doc

from ngf_console.kube.crds import install_crds
from ngf_console.operator.peering import PEERING_NAME, ClusterKopfPeering, peering_crd
from ngf_console.render import RenderOptions


def _reconciles(proc: OperatorProcess) -> float:
    total = 0.0
    for line in proc.metrics().splitlines():
        match = re.match(r"ngf_console_operator_reconciles_total\{.*\} (\S+)", line)
        if match:
            total += float(match.group(1))
    return total


def _peers(kube: Client) -> dict[str, object]:
    obj = kube.get(ClusterKopfPeering, PEERING_NAME).to_dict()
    return dict(obj.get("status") or {})


def _paused(proc: OperatorProcess) -> bool:
    """kopf may start a replica working until it sees its peers; paused means the last
    peering transition in its log (if any) was a pause."""
    log = proc.log.read_text()
    return log.rfind("Pausing operations") >= log.rfind("Resuming operations")


def _settled_reconciles(proc: OperatorProcess) -> float:
    """The reconcile count once passes started before the pause have finished."""

    def stable() -> float | None:
        first = _reconciles(proc)
        time.sleep(0.5)
        return first if _reconciles(proc) == first else None

    return eventually(lambda: (v := stable()) is not None and (v,), what="a settled count")[0]


def test_one_active_replica_and_failover(
    kube: Client, kubeconfig: Path, namespace: str, tmp_path: Path
) -> None:
    install_crds(kube, [peering_crd()])
    ensure_namespace(kube, RenderOptions().dcgm_namespace)  # where the shared exporter goes
    active = OperatorProcess(
        kubeconfig, tmp_path / "active.log", extra=("--peering", "--priority", "200")
    )
    standby = OperatorProcess(
        kubeconfig, tmp_path / "standby.log", extra=("--peering", "--priority", "100")
    )
    try:
        active.wait_healthy()
        standby.wait_healthy()
        # Replicas starting together may both work for a moment until they see each other:
        # wait until both are registered in the peering object.
        eventually(lambda: len(_peers(kube)) >= 2, what="both replicas in the peering object")
        eventually(lambda: _paused(standby), what="the standby to pause")
        standby_before = _settled_reconciles(standby)
        create(kube, stack_doc("first", namespace))
        eventually(
            lambda: parent_status(kube, "InferenceStack", "first", namespace).get(
                "observedSpecHash"
            ),
            what="the first stack reconciled",
        )
        assert _reconciles(active) > 0
        assert _reconciles(standby) == standby_before

        active.stop(kill=True)
        died = time.monotonic()
        create(kube, stack_doc("second", namespace))
        eventually(
            lambda: parent_status(kube, "InferenceStack", "second", namespace).get(
                "observedSpecHash"
            ),
            timeout=30,
            what="the standby to take over",
        )
        print(f"failover: {time.monotonic() - died:.1f}s")
        assert _reconciles(standby) > standby_before
    finally:
        active.stop(kill=True)
        standby.stop()
