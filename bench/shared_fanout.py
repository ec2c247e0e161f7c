"""How many reconcile passes does one new DCGM-using stack cost? Prints figures only.

    uv run python bench/shared_fanout.py [--existing K] [--quiet S] [--kubeconfig K]

Creates K InferenceStacks that use the shared DCGM exporter, waits until the operator runs no
pass for a few seconds (resync is set to 10 minutes so timers stay out of the count), then
creates one more and counts, until it is quiet again, the writes to the shared Service and
DaemonSet and the reconcile passes the operator runs. Today every claim rewrites the
exporter's used-by annotation, and every write to a shared child reconciles all of its
users: about 2*K passes for one new stack.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import operator_bench as b  # bench/ is sys.path[0] when run as bench/shared_fanout.py
from lightkube import Client, KubeConfig
from lightkube.generic_resource import load_in_cluster_generic_resources

from ngf_console.render import RenderOptions

NS = "bench-fanout"


def passes(op: b.OperatorProcess) -> float:
    return sum(v for k, v in op.metrics().items() if "reconciles_total{" in k)


def quiesce(op: b.OperatorProcess, quiet: float, limit: float = 180.0) -> float:
    """Wait until no reconcile pass ran for ``quiet`` seconds; return the seconds waited."""
    started = last_change = time.perf_counter()
    count = passes(op)
    while time.perf_counter() - last_change < quiet:
        if time.perf_counter() - started > limit:
            break
        time.sleep(0.5)
        now = passes(op)
        if now != count:
            count, last_change = now, time.perf_counter()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--existing", type=int, default=10)
    parser.add_argument("--quiet", type=float, default=5.0, help="seconds without a pass")
    parser.add_argument("--kubeconfig")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ngf-fanout-") as tmp, contextlib.ExitStack() as st:
        kubeconfig, _plane = st.enter_context(b.control_plane(args.kubeconfig, Path(tmp)))
        kube = Client(KubeConfig.from_file(kubeconfig), field_manager="ngf-console-bench")
        load_in_cluster_generic_resources(kube)
        dcgm_ns = RenderOptions().dcgm_namespace
        for ns in (dcgm_ns, NS):
            b.ensure_namespace(kube, ns)
        op = b.OperatorProcess(kubeconfig, Path(tmp) / "operator.log", resync=600.0)
        st.callback(op.stop)
        op.wait_healthy()

        writes: list[tuple[float, str, str]] = []
        lock = threading.Lock()

        def on_shared(kind: str) -> Any:
            def handle(t: float, etype: str, obj: dict[str, Any]) -> None:
                if obj["metadata"]["name"] == "ngf-console-dcgm-exporter" and etype != "ADDED":
                    with lock:
                        writes.append((t, kind, etype))

            return handle

        for api, kind in (("v1", "Service"), ("apps/v1", "DaemonSet")):
            w = b.Watch(kubeconfig, b.res(api, kind), on_shared(kind), namespace=dcgm_ns)
            st.callback(w.stop)
            w.start()
        stack_res = b.res(b.STACK_API, "InferenceStack")

        def create(name: str) -> None:
            kube.create(stack_res(**b.stack_doc(name, NS, path=f"/{name}")), namespace=NS)

        def reconciled(name: str) -> bool:
            status = kube.get(stack_res, name, namespace=NS).to_dict().get("status") or {}
            return bool(status.get("observedSpecHash"))

        for i in range(args.existing):
            create(f"f-{i:03d}")
        for i in range(args.existing):
            name = f"f-{i:03d}"
            b.wait_for(functools.partial(reconciled, name), 300, f"{name} reconciled")
        settled = quiesce(op, args.quiet)
        with lock:
            writes.clear()
        before = passes(op)
        t0 = time.perf_counter()
        create("f-new")
        b.wait_for(lambda: reconciled("f-new"), 300, "the new stack reconciled")
        quiesce(op, args.quiet)
        after = passes(op)
        with lock:
            shared = list(writes)
        print(f"existing DCGM-using stacks: {args.existing}")
        print(f"settled (no pass for {args.quiet:.0f} s, timers off) after {settled:.0f} s")
        print(
            f"one more stack: {len(shared)} writes to the shared Service/DaemonSet, "
            f"{after - before:.0f} reconcile passes until quiet again "
            f"({time.perf_counter() - t0 - args.quiet:.0f} s) "
            f"(its own: 1-2; the rest re-reconcile the {args.existing} existing users)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
