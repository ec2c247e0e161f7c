"""Two operator replicas: exactly one reconciles; when it dies, the other takes over."""

from __future__ import annotations

import re
import time
from pathlib import Path

from lightkube import Client
from operator_harness import OperatorProcess, eventually, parent_status
from test_operator import create, stack_doc

from ngf_console.kube.crds import install_crds
from ngf_console.operator.peering import PEERING_NAME, ClusterKopfPeering, peering_crd


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


def test_one_active_replica_and_failover(
    kube: Client, kubeconfig: Path, namespace: str, tmp_path: Path
) -> None:
    install_crds(kube, [peering_crd()])
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
        standby_before = _reconciles(standby)
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
