"""Operator benchmarks against a real local control plane. Prints figures; asserts nothing.

    uv run python bench/operator_bench.py [--only heal|scale|rss] [--stacks N] [--trials N]

Phases (all by default, in this order; each prints its figures beside the issue's target):

heal   one InferenceStack; N trials of (a) delete its HTTPRoute -> a new one (new uid) exists,
       (b) merge-patch the route's path to "/hijacked" -> the spec's path is back. Observed
       through a watch; latency from just before the write to the watch event.
scale  N InferenceStacks (keda autoscaling, DCGM on: the realistic stack) across a few
       namespaces; NGF and KEDA are played (route/pool accepted, ScaledObject Ready) as soon
       as each child appears, kube-controller-manager + scheduler + kwok run the pods.
       Time from the first create until every stack reports status.phase == Ready.
rss    M stacks existing and reconciled (the scale phase's stacks are kept and topped up);
       then one full resync period is watched: the operator's VmRSS / VmHWM from
       /proc/<pid>/status, its CPU use, and its /metrics reconcile and drift counters. Heal
       latency is measured again with the M stacks present ("heal under load").

The control plane is started in a temp dir (and always stopped), unless --kubeconfig names
a running one. The operator runs as ``python -m ngf_console.cli operator`` in a subprocess.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import json
import math
import os
import platform
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
from lightkube import Client, KubeConfig
from lightkube.core.exceptions import ApiError
from lightkube.core.resource_registry import resource_registry
from lightkube.generic_resource import load_in_cluster_generic_resources
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace, Node
from lightkube.types import OnErrorAction, OnErrorResult, PatchType
from prometheus_client.parser import text_string_to_metric_families

from ngf_console.crd import InferenceStack
from ngf_console.render import RenderOptions, render_parent

TARGETS = {
    "heal_p99_ms": 1000.0,
    "scale_stacks": 200,
    "scale_ready_s": 60.0,
    "rss_stacks": 500,
    "rss_mb": 200.0,
}
GATEWAY = "inference-gateway"
HEAL_NS = "bench-heal"
SCALE_NS_PREFIX = "bench-s-"
STACK_API = "ngf-console.f5.com/v1alpha1"
ROUTE_API = "gateway.networking.k8s.io/v1"
MANAGED = {"app.kubernetes.io/managed-by": "ngf-console"}
PARENT_NAME_LABEL = "ngf-console.f5.com/parent-name"
# Fake nodes with room for every pod of the benchmark (the sandbox's own four nodes hold
# 8 H100 GPUs and 32 CPUs: 8 stacks' worth). kwok runs their pods like the sandbox's.
BENCH_NODES = ("kwok-bench-cpu-0", "kwok-bench-gpu-h100-0")
_NOW = "2026-11-23T00:00:00Z"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def res(api_version: str, kind: str) -> Any:
    return resource_registry.load(api_version, kind)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (with 50 samples p99 is the maximum)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def dist(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "max": max(values),
        "mean": sum(values) / len(values),
    }


def fmt_dist(d: dict[str, float], unit: str = "ms") -> str:
    if not d:
        return "no samples"
    return (
        f"p50 {d['p50']:.0f} {unit}  p90 {d['p90']:.0f} {unit}  p99 {d['p99']:.0f} {unit}  "
        f"max {d['max']:.0f} {unit}  (n={d['n']:.0f})"
    )


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


# -- the stack and the controllers the bench plays -------------------------------------------


def stack_doc(
    name: str, namespace: str, *, lean: bool = False, path: str = "/v1/llama"
) -> dict[str, Any]:
    """An InferenceStack like tests/integration/test_operator.py's stack_doc."""
    spec: dict[str, Any] = {
        "model": {
            "backend": "vllm",
            "engine": "vllm",
            "name": "llama-3-8b",
            "modelId": "meta-llama/Llama-3.1-8B-Instruct",
            "gpuType": "H100",
            "gpusPerPod": 1,
        },
        "pool": {"replicas": 2, "minReplicas": 1, "maxReplicas": 4},
        "epp": {"strategy": "least_queue", "dcgmEnabled": not lean},
        "autoscaling": {"backend": "keda", "queueDepthThreshold": {"value": 5, "duration": "60s"}},
        "gateway": {
            "gatewayRef": {"name": GATEWAY, "namespace": namespace},
            "route": {"pathPrefix": path},
        },
    }
    if lean:
        del spec["autoscaling"]
    return {
        "apiVersion": STACK_API,
        "kind": "InferenceStack",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def expected_children(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return render_parent(InferenceStack.model_validate(doc), RenderOptions()).manifests


def played_kinds(doc: dict[str, Any]) -> set[str]:
    """Kinds of the stack's children whose status the bench writes (NGF's and KEDA's part)."""
    return {c["kind"] for c in expected_children(doc) if c["kind"] in PLAYED}


def _accepted(ctype: str = "Accepted", reason: str = "Accepted") -> dict[str, Any]:
    return {
        "type": ctype,
        "status": "True",
        "reason": reason,
        "message": "",
        "lastTransitionTime": _NOW,
        "observedGeneration": 1,
    }


def _route_like_status(namespace: str) -> dict[str, Any]:
    """NGF: the gateway accepted the HTTPRoute / InferencePool and resolved its refs."""
    return {
        "parents": [
            {
                "parentRef": {
                    "group": "gateway.networking.k8s.io",
                    "kind": "Gateway",
                    "name": GATEWAY,
                    "namespace": namespace,
                },
                "controllerName": "gateway.nginx.org/nginx-gateway-controller",
                "conditions": [_accepted(), _accepted("ResolvedRefs", "ResolvedRefs")],
            }
        ]
    }


PLAYED: dict[str, tuple[str, Callable[[str], dict[str, Any]]]] = {
    "HTTPRoute": (ROUTE_API, _route_like_status),
    "InferencePool": ("inference.networking.k8s.io/v1", _route_like_status),
    "ScaledObject": ("keda.sh/v1alpha1", lambda _ns: {"conditions": [_accepted("Ready", "Ready")]}),
}


# -- control plane, nodes, operator ----------------------------------------------------------


@contextlib.contextmanager
def control_plane(kubeconfig: str | None, workdir: Path) -> Iterator[tuple[Path, Any]]:
    """(kubeconfig, plane): the given cluster (plane None), or one started here, always stopped."""
    if kubeconfig:
        yield Path(kubeconfig), None
        return
    from ngf_console.sandbox.cluster_crds import all_crd_documents
    from ngf_console.sandbox.control_plane import ControlPlane

    plane = ControlPlane(workdir / "control-plane")
    started = time.perf_counter()
    log("starting the control plane (etcd, kube-apiserver, kcm, scheduler, kwok)")
    try:
        path = plane.up(crd_documents=all_crd_documents)
        log(f"control plane up in {time.perf_counter() - started:.1f}s")
        yield path, plane
    finally:
        log("stopping the control plane")
        plane.down()


def bench_node(name: str) -> Node:
    gpu = "gpu" in name
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "type": "kwok",
    }
    capacity = {"cpu": "4k", "memory": "64Ti", "pods": "3000"}
    taints: list[dict[str, str]] = []
    if gpu:
        labels |= {
            "nvidia.com/gpu.present": "true",
            "nvidia.com/gpu.product": "H100",
            "nvidia.com/gpu.memory": "81559",
            "nvidia.com/gpu.count": "2000",
        }
        capacity["nvidia.com/gpu"] = "2000"
        taints = [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    manifest = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": labels,
        },
        "spec": {"taints": taints} if taints else {},
        "status": {"capacity": capacity, "allocatable": capacity},
    }
    return cast(Node, Node.from_dict(manifest))


def ensure_namespace(kube: Client, name: str) -> None:
    try:
        kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"ngf-console/bench": "true"})))
    except ApiError as err:
        if err.status.code != 409:
            raise


class OperatorProcess:
    """``ngf-console operator`` in a subprocess of its own session, logging to a file."""

    def __init__(
        self,
        kubeconfig: Path,
        log_path: Path,
        resync: float,
        tracemalloc_frames: int = 0,
        workers: int | None = None,
    ) -> None:
        self.metrics_port, self.health_port = free_port(), free_port()
        self.log_path = log_path
        self.memdump = log_path.with_name("memdump.json")
        self._out = log_path.open("ab")
        env = dict(os.environ)
        if tracemalloc_frames:
            # The same CLI, wrapped to dump memory attribution on SIGUSR1 (bench/README.md).
            entry = [str(Path(__file__).with_name("traced_operator.py"))]
            env |= {
                "NGF_BENCH_TRACEMALLOC": str(tracemalloc_frames),
                "NGF_BENCH_MEMDUMP": str(self.memdump),
            }
        else:
            entry = ["-m", "ngf_console.cli"]
        self.proc = subprocess.Popen(
            [
                sys.executable,
                *entry,
                "operator",
                "--kubeconfig",
                str(kubeconfig),
                "--resync",
                str(resync),
                "--metrics-port",
                str(self.metrics_port),
                "--health-port",
                str(self.health_port),
                *(["--workers", str(workers)] if workers else []),
            ],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # Ctrl-C reaches the bench, which stops it in order
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_healthy(self, timeout: float = 60.0) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-4000:]
                raise RuntimeError(f"operator exited ({self.proc.returncode}):\n{tail}")
            with contextlib.suppress(httpx.HTTPError):
                url = f"http://127.0.0.1:{self.health_port}/healthz"
                if httpx.get(url, timeout=1).status_code == 200:
                    return time.perf_counter() - started
            time.sleep(0.05)
        raise RuntimeError(f"operator not healthy after {timeout}s; log: {self.log_path}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def memory(self) -> dict[str, float]:
        """VmRSS and VmHWM (peak RSS) in MB from /proc/<pid>/status."""
        out = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024  # kB -> MiB
        return out

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def metrics(self) -> dict[str, float]:
        """Samples of the operator's own series, keyed like ``name{label="v",...}``."""
        text = httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10).text
        samples: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            if not family.name.startswith("ngf_console_operator"):
                continue
            for s in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                samples[f"{s.name}{{{labels}}}"] = s.value
        return samples

    def memory_dump(self, timeout: float = 120.0) -> dict[str, Any] | None:
        """Ask a traced operator (bench/traced_operator.py) for its memory attribution."""
        self.memdump.unlink(missing_ok=True)
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
                data: dict[str, Any] = json.loads(self.memdump.read_text())
                return data
            time.sleep(0.5)
        return None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used per process (operator, control plane components, the bench itself)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self._start: tuple[float, dict[str, float]] | None = None

    def start(self) -> None:
        self._start = (time.perf_counter(), self._read())

    def _read(self) -> dict[str, float]:
        out = {}
        for name, pid in self.pids.items():
            value = _cpu_seconds(pid)
            if value is not None:
                out[name] = value
        return out

    def stop(self) -> dict[str, float]:
        """Core-seconds used since start(), plus "wall" seconds."""
        if self._start is None:
            return {}
        t0, before = self._start
        now = self._read()
        out = {k: now[k] - before.get(k, 0.0) for k in now}
        out["wall"] = time.perf_counter() - t0
        self._start = None
        return out


def format_cpu(cpu: dict[str, float]) -> str:
    wall = cpu.get("wall", 0.0)
    if not wall:
        return ""
    parts = [
        f"{name} {value:.0f}"
        for name, value in sorted(cpu.items(), key=lambda kv: -kv[1])
        if name != "wall"
    ]
    busy = sum(v for k, v in cpu.items() if k != "wall")
    cores = os.cpu_count() or 1
    return (
        f"CPU core-seconds over {wall:.0f} s wall ({cores} cores = {cores * wall:.0f}; "
        f"these used {busy:.0f}): " + ", ".join(parts)
    )


class ApiServerMeter:
    """apiserver_request_total from the API server's /metrics, as deltas per phase.

    GET, LIST and APPLY of the operator's child kinds come almost only from the operator
    (kube-controller-manager, the scheduler and kwok read through watches; the bench plays
    NGF/KEDA with status PATCHes), so they give the operator's API requests per pass.
    """

    def __init__(self, kubeconfig: Path, workdir: Path) -> None:
        import base64

        single = KubeConfig.from_file(kubeconfig).get()
        if single is None:
            raise RuntimeError(f"{kubeconfig} has no current context")
        cluster, user = single.cluster, single.user
        files: dict[str, str | None] = {}
        for key, inline, path in (
            ("ca", cluster.certificate_auth_data, cluster.certificate_auth),
            ("cert", user.client_cert_data if user else None, user.client_cert if user else None),
            ("key", user.client_key_data if user else None, user.client_key if user else None),
        ):
            if inline:
                target = workdir / f"apiserver-{key}.pem"
                target.write_bytes(base64.b64decode(inline))
                target.chmod(0o600)
                files[key] = str(target)
            else:
                files[key] = str(path) if path else None
        import ssl

        context = ssl.create_default_context(cafile=files["ca"])
        if files["cert"] and files["key"]:
            context.load_cert_chain(files["cert"], files["key"])
        headers = {"Authorization": f"Bearer {user.token}"} if user and user.token else {}
        self.http = httpx.Client(verify=context, headers=headers, timeout=20)
        self.url = f"{cluster.server.rstrip('/')}/metrics"
        self._before: dict[tuple[str, str], float] | None = None

    def read(self) -> dict[tuple[str, str], float]:
        out: dict[tuple[str, str], float] = {}
        try:
            text = self.http.get(self.url).text
        except httpx.HTTPError:
            return out
        for family in text_string_to_metric_families(text):
            if family.name != "apiserver_request":
                continue
            for sample in family.samples:
                if sample.name != "apiserver_request_total":
                    continue
                labels = sample.labels
                resource = labels.get("resource", "")
                if labels.get("subresource"):
                    resource += "/" + labels["subresource"]
                key = (labels.get("verb", ""), resource)
                out[key] = out.get(key, 0.0) + sample.value
        return out

    def start(self) -> None:
        self._before = self.read()

    def stop(self) -> dict[str, float]:
        if self._before is None:
            return {}
        after = self.read()
        delta = {
            f"{verb} {resource}": value - self._before.get((verb, resource), 0.0)
            for (verb, resource), value in after.items()
        }
        self._before = None
        return {k: v for k, v in delta.items() if v > 0}


OPERATOR_VERBS = ("GET", "LIST", "APPLY")


def format_requests(delta: dict[str, float], passes: float) -> list[str]:
    if not delta:
        return []
    by_verb: Counter[str] = Counter()
    for key, n in delta.items():
        by_verb[key.split(" ", 1)[0]] += int(n)
    total = sum(by_verb.values())
    lines = [
        f"API server requests: {total} ({', '.join(f'{v} {n}' for v, n in by_verb.most_common())})"
    ]
    operator = sum(n for k, n in delta.items() if k.split(" ", 1)[0] in OPERATOR_VERBS)
    if passes:
        lines.append(
            f"  GET+LIST+APPLY (the operator's reads and applies): {operator:.0f} = "
            f"{operator / passes:.1f} per reconcile pass ({passes:.0f} passes)"
        )
    top = sorted(delta.items(), key=lambda kv: -kv[1])[:10]
    lines.append("  top: " + ", ".join(f"{k} {v:.0f}" for k, v in top))
    return lines


class Profiler:
    """Optional py-spy sampling of the operator (``--profile``), one raw file per phase."""

    def __init__(self, pid: int, out_dir: Path, enabled: bool) -> None:
        self.pid, self.out_dir = pid, out_dir
        self.exe = shutil.which("py-spy") or shutil.which(
            "py-spy", path=str(Path.home() / ".local" / "bin")
        )
        self.enabled = enabled and self.exe is not None
        if enabled and self.exe is None:
            log("--profile: py-spy not found (uv tool install py-spy); profiling off")
        self._proc: subprocess.Popen[bytes] | None = None
        self._out: Path | None = None

    def start(self, phase: str) -> None:
        if not self.enabled:
            return
        assert self.exe is not None
        self._out = self.out_dir / f"profile-{phase}.txt"
        self._proc = subprocess.Popen(
            [
                self.exe,
                "record",
                "--pid",
                str(self.pid),
                "--rate",
                "50",
                "--format",
                "raw",
                "--output",
                str(self._out),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self) -> list[str]:
        """Stop sampling; the summary lines (hottest frames of the operator's own code)."""
        if self._proc is None or self._out is None:
            return []
        self._proc.send_signal(signal.SIGINT)
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None
        return summarize_profile(self._out)


PROFILE_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("HTTP client + TLS (httpx2/httpx, h11, anyio, ssl)", ("httpx", "h11/", "anyio/", "ssl.py")),
    ("JSON encode/decode", ("json/",)),
    ("lightkube (request building, decode, to_dict)", ("lightkube/",)),
    ("copy.deepcopy", ("copy.py",)),
    ("pydantic", ("pydantic",)),
    ("ngf_console/render (desired state)", ("ngf_console/render/",)),
    ("ngf_console/operator/drift.py", ("ngf_console/operator/drift.py",)),
    ("ngf_console/operator/status.py + health.py", ("operator/status.py", "operator/health.py")),
    ("logging", ("logging/",)),
)


def summarize_profile(path: Path, top: int = 10) -> list[str]:
    """Where the operator's CPU went, from a py-spy raw (collapsed stacks) file."""
    if not path.exists():
        return [f"(no profile written at {path})"]
    own: Counter[str] = Counter()
    category: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = in_reconcile = kopf_only = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [f.strip() for f in stack.split(";") if f.strip()]
        names = [re.sub(r" \(.*?:\d+\)$", "", f) + _where(f) for f in frames]
        for name in set(names):
            if "ngf_console/" in name and not any(
                k in name for k in ("ngf_console/cli.py", "operator/main.py")
            ):
                own[name] += n
        for label, markers in PROFILE_CATEGORIES:
            if any(m in f for f in frames for m in markers):
                category[label] += n
        if any("operator/reconciler.py" in f for f in frames):
            in_reconcile += n
        elif any("kopf/" in f for f in frames):
            kopf_only += n
        if names:
            leaf[names[-1]] += n
    if not total:
        return ["(no samples)"]

    def pct(n: int) -> str:
        return f"{100 * n / total:5.1f}%"

    lines = [f"profile {path.name}: {total} samples of the operator on CPU (50 Hz)"]
    lines.append(f"  {pct(in_reconcile)}  inside Reconciler passes")
    lines.append(f"  {pct(kopf_only)}  kopf machinery outside handlers (watch streams, queues)")
    lines.append("  by category (a sample counts once per category it touches):")
    for label, n in category.most_common():
        lines.append(f"    {pct(n)}  {label}")
    lines.append("  operator functions (inclusive):")
    for name, n in own.most_common(top):
        lines.append(f"    {pct(n)}  {name}")
    lines.append("  self (leaf) time:")
    for name, n in leaf.most_common(6):
        lines.append(f"    {pct(n)}  {name}")
    return lines


def _where(frame: str) -> str:
    m = re.search(r"\((.*?):\d+\)$", frame)
    if not m:
        return ""
    file = m.group(1)
    for marker in ("site-packages/", "src/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f" [{file}]"


def log_summary(path: Path, since: int) -> tuple[int, list[str]]:
    """Lines in the operator log after byte ``since``: counts by level, top warnings."""
    with path.open("rb") as f:
        f.seek(since)
        text = f.read().decode(errors="replace")
    levels: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    for line in text.splitlines():
        m = re.match(r"\S+ \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+) (.*)", line)
        if not m:
            continue
        levels[m.group(1)] += 1
        if m.group(1) in ("WARNING", "ERROR", "CRITICAL"):
            msg = re.sub(r"[0-9a-f]{8,}|\d+", "#", m.group(3))
            msg = re.sub(r"'[^']*'|\"[^\"]*\"|\[[^\]]*\]", "…", msg)
            problems[f"{m.group(1)} {m.group(2)}: {msg[:150]}"] += 1
    out = [f"log: {sum(levels.values())} lines ({dict(levels)})"]
    out += [f"  {n:5d}x {msg}" for msg, n in problems.most_common(5)]
    return path.stat().st_size, out


# -- watches --------------------------------------------------------------------------------


class Watch(threading.Thread):
    """A lightkube watch in a thread; ``handle(t, type, obj_dict)`` for every event."""

    def __init__(
        self,
        kubeconfig: Path,
        resource: Any,
        handle: Callable[[float, str, dict[str, Any]], None],
        *,
        namespace: str = "*",
        labels: dict[str, Any] | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(daemon=True)
        self.client = Client(KubeConfig.from_file(kubeconfig))
        self.resource, self.handle = resource, handle
        self.namespace, self.labels, self.fields = namespace, labels, fields
        self.stopped = threading.Event()

    def _on_error(self, _err: Exception, count: int) -> OnErrorResult:
        if self.stopped.is_set():
            return OnErrorResult(OnErrorAction.STOP)
        return OnErrorResult(OnErrorAction.RETRY, sleep=min(0.05 * count, 1.0))

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                for etype, obj in self.client.watch(
                    self.resource,
                    namespace=self.namespace,
                    labels=self.labels,
                    fields=self.fields,
                    on_error=self._on_error,
                ):
                    t = time.perf_counter()
                    if self.stopped.is_set():
                        return
                    self.handle(t, etype, obj.to_dict())
            except Exception:  # connection refused while tearing down, etc.
                if self.stopped.is_set():
                    return
                time.sleep(0.2)

    def stop(self) -> None:
        self.stopped.set()


# -- heal ----------------------------------------------------------------------------------


def _route_path(route: dict[str, Any]) -> str | None:
    try:
        return str(route["spec"]["rules"][0]["matches"][0]["path"]["value"])
    except (KeyError, IndexError, TypeError):
        return None


def _rv(obj: dict[str, Any]) -> int:
    return int(obj["metadata"].get("resourceVersion") or 0)


def _recreated(old_uid: str | None, etype: str, obj: dict[str, Any]) -> bool:
    return etype != "DELETED" and obj["metadata"]["uid"] != old_uid


def _restored(after_rv: int, path: str | None, _etype: str, obj: dict[str, Any]) -> bool:
    return _rv(obj) > after_rv and _route_path(obj) == path


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(ApiError):
            got = check()
            if got:
                return got
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def heal(
    kube: Client, kubeconfig: Path, trials: int, seed: int, label: str, timeout: float = 30.0
) -> dict[str, Any]:
    """Delete / edit the heal stack's HTTPRoute ``trials`` times each; latencies in ms."""
    ensure_namespace(kube, HEAL_NS)
    doc = stack_doc("heal", HEAL_NS)
    stack_res = res(STACK_API, "InferenceStack")
    with contextlib.suppress(ApiError):
        kube.create(stack_res(**copy.deepcopy(doc)), namespace=HEAL_NS)
    route = next(c for c in expected_children(doc) if c["kind"] == "HTTPRoute")
    name, want_path = route["metadata"]["name"], _route_path(route)
    route_res = res(ROUTE_API, "HTTPRoute")
    wait_for(lambda: kube.get(route_res, name, namespace=HEAL_NS), 60, "the heal route")
    wait_for(
        lambda: (kube.get(stack_res, "heal", namespace=HEAL_NS).to_dict().get("status") or {}).get(
            "observedSpecHash"
        ),
        60,
        "the heal stack's first reconcile",
    )

    events: queue.Queue[tuple[float, str, dict[str, Any]]] = queue.Queue()
    watch = Watch(
        kubeconfig,
        route_res,
        lambda t, e, o: events.put((t, e, o)),
        namespace=HEAL_NS,
        fields={"metadata.name": name},
    )
    watch.start()
    events.get(timeout=30)  # the synthetic ADDED: the watch is established

    def drain() -> None:
        with contextlib.suppress(queue.Empty):
            while True:
                events.get_nowait()

    def until(match: Callable[[str, dict[str, Any]], bool]) -> float:
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError
            t, etype, obj = events.get(timeout=left)
            if match(etype, obj):
                return t

    rng = random.Random(seed)
    deleted: list[float] = []
    edited: list[float] = []
    failures = Counter[str]()
    try:
        for i in range(trials):
            # (a) deleted -> recreated (a new uid)
            old_uid = kube.get(route_res, name, namespace=HEAL_NS).metadata.uid
            drain()
            t0 = time.perf_counter()
            kube.delete(route_res, name, namespace=HEAL_NS)
            try:
                t1 = until(functools.partial(_recreated, old_uid))
                deleted.append((t1 - t0) * 1000)
            except (TimeoutError, queue.Empty):
                failures[f"delete: not recreated within {timeout:.0f}s"] += 1
                wait_for(lambda: kube.get(route_res, name, namespace=HEAL_NS), 60, "the route")
            time.sleep(0.3 + rng.random() * 0.3)

            # (b) path edited -> restored
            live = kube.get(route_res, name, namespace=HEAL_NS).to_dict()
            rules = copy.deepcopy(live["spec"]["rules"])
            rules[0]["matches"][0]["path"]["value"] = "/hijacked"
            drain()
            t0 = time.perf_counter()
            patched = kube.patch(
                route_res,
                name,
                {"spec": {"rules": rules}},
                namespace=HEAL_NS,
                patch_type=PatchType.MERGE,
                field_manager="someone-else",
            ).to_dict()
            rv0 = _rv(patched)
            try:
                t1 = until(functools.partial(_restored, rv0, want_path))
                edited.append((t1 - t0) * 1000)
            except (TimeoutError, queue.Empty):
                failures[f"edit: not restored within {timeout:.0f}s"] += 1
            time.sleep(0.3 + rng.random() * 0.3)
            if (i + 1) % 10 == 0:
                log(f"heal{label}: {i + 1}/{trials} trials")
    finally:
        watch.stop()
    return {
        "deleted_ms": dist(deleted),
        "edited_ms": dist(edited),
        "failures": dict(failures),
        "raw_deleted_ms": [round(x, 1) for x in deleted],
        "raw_edited_ms": [round(x, 1) for x in edited],
    }


def print_heal(result: dict[str, Any], label: str) -> None:
    target = TARGETS["heal_p99_ms"]
    print(f"\n== heal latency{label} ==")
    for key, what in (
        ("deleted_ms", "HTTPRoute deleted -> recreated"),
        ("edited_ms", "path edited -> restored  "),
    ):
        d = result[key]
        ok = bool(d) and d["p99"] < target
        print(f"  {what}: {fmt_dist(d)}   target p99 < {target:.0f} ms: {verdict(ok)}")
    if result["failures"]:
        print(f"  failures: {result['failures']}")


# -- scale ---------------------------------------------------------------------------------


@dataclass
class StackTimes:
    created: float | None = None
    first_status: float | None = None
    children: float | None = None
    ready: float | None = None
    phase: str = ""
    message: str = ""
    kinds_seen: set[str] = field(default_factory=set)


class Fleet:
    """Many stacks: creates them, plays NGF and KEDA for their children, records times."""

    def __init__(self, kube: Client, kubeconfig: Path, namespaces: int, lean: bool) -> None:
        self.kube, self.kubeconfig = kube, kubeconfig
        self.namespaces = [f"{SCALE_NS_PREFIX}{i}" for i in range(namespaces)]
        self.lean = lean
        self.stacks: dict[tuple[str, str], StackTimes] = {}
        self.want_kinds = played_kinds(stack_doc("x", "y", lean=lean))
        self.lock = threading.Lock()
        self._played: set[tuple[str, str, str, str]] = set()
        self._local = threading.local()
        self.patcher = ThreadPoolExecutor(4, thread_name_prefix="play")
        self.patch_errors: Counter[str] = Counter()
        self.watches: list[Watch] = []

    def _client(self) -> Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = Client(
                KubeConfig.from_file(self.kubeconfig), field_manager="bench-controllers"
            )
        return client

    def start(self) -> None:
        for ns in self.namespaces:
            ensure_namespace(self.kube, ns)
        self.watches.append(
            Watch(self.kubeconfig, res(STACK_API, "InferenceStack"), self._on_stack)
        )
        for kind in sorted(self.want_kinds):
            api, _ = PLAYED[kind]
            self.watches.append(
                Watch(self.kubeconfig, res(api, kind), self._on_child, labels=MANAGED)
            )
        for w in self.watches:
            w.start()
        time.sleep(1.0)  # the watches are established

    def stop(self) -> None:
        for w in self.watches:
            w.stop()
        self.patcher.shutdown(wait=False, cancel_futures=True)

    def _on_stack(self, t: float, etype: str, obj: dict[str, Any]) -> None:
        meta = obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        if etype == "DELETED" or not key[0].startswith(SCALE_NS_PREFIX):
            return
        status = obj.get("status") or {}
        with self.lock:
            rec = self.stacks.setdefault(key, StackTimes())
            if rec.first_status is None and status.get("observedSpecHash"):
                rec.first_status = t
            rec.phase = status.get("phase", "")
            ready: dict[str, Any] = next(
                (c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {}
            )
            rec.message = str(ready.get("message", ""))[:200]
            if rec.ready is None and rec.phase == "Ready":
                rec.ready = t

    def _on_child(self, t: float, etype: str, obj: dict[str, Any]) -> None:
        meta = obj["metadata"]
        ns, kind = meta.get("namespace", ""), obj["kind"]
        if etype == "DELETED" or not ns.startswith(SCALE_NS_PREFIX):
            return
        parent = (meta.get("labels") or {}).get(PARENT_NAME_LABEL)
        if parent is None:
            return
        with self.lock:
            rec = self.stacks.setdefault((ns, parent), StackTimes())
            rec.kinds_seen.add(kind)
            if rec.children is None and rec.kinds_seen >= self.want_kinds:
                rec.children = t
            ident = (kind, ns, meta["name"], meta["uid"])
            if ident in self._played:
                return
            self._played.add(ident)
        self.patcher.submit(self._play, kind, ns, meta["name"])

    def _play(self, kind: str, ns: str, name: str) -> None:
        api, status = PLAYED[kind]
        try:
            self._client().patch(
                res(api, kind).Status,
                name,
                {"status": status(ns)},
                namespace=ns,
                patch_type=PatchType.MERGE,
            )
        except ApiError as err:
            self.patch_errors[f"{kind}: {err.status.code}"] += 1
        except Exception as err:
            self.patch_errors[f"{kind}: {type(err).__name__}"] += 1

    def create(self, first: int, count: int) -> float:
        """Create stacks ``first .. first+count-1``; return the time of the first create."""
        stack_res = res(STACK_API, "InferenceStack")
        docs = []
        for i in range(first, first + count):
            ns = self.namespaces[i % len(self.namespaces)]
            docs.append(stack_doc(f"s-{i:04d}", ns, lean=self.lean, path=f"/v1/s-{i:04d}"))

        def one(doc: dict[str, Any]) -> None:
            key = (doc["metadata"]["namespace"], doc["metadata"]["name"])
            with self.lock:
                self.stacks.setdefault(key, StackTimes()).created = time.perf_counter()
            self._client().create(stack_res(**doc), namespace=key[0])

        t0 = time.perf_counter()
        with ThreadPoolExecutor(4, thread_name_prefix="create") as pool:
            list(pool.map(one, docs))
        return t0

    def progress(self) -> dict[str, int]:
        with self.lock:
            recs = list(self.stacks.values())
        return {
            "created": sum(r.created is not None for r in recs),
            "status": sum(r.first_status is not None for r in recs),
            "children": sum(r.children is not None for r in recs),
            "ready": sum(r.ready is not None for r in recs),
        }

    def wait(self, total: int, what: str, timeout: float, operator: OperatorProcess) -> bool:
        """Until ``total`` stacks have ``what`` (a progress key); progress every 10 s."""
        started = last = time.perf_counter()
        while True:
            p = self.progress()
            if p[what] >= total:
                return True
            now = time.perf_counter()
            if not operator.alive():
                raise RuntimeError(f"the operator exited; see {operator.log_path}")
            if now - started > timeout:
                return False
            if now - last >= 10:
                last = now
                log(f"  +{now - started:4.0f}s {p}")
            time.sleep(0.2)

    def not_ready(self, limit: int = 5) -> list[str]:
        with self.lock:
            items = [(k, r) for k, r in self.stacks.items() if r.ready is None]
        phases = Counter(r.phase or "(none)" for _, r in items)
        out = [f"{len(items)} not Ready; phases: {dict(phases)}"]
        for (ns, name), r in items[:limit]:
            out.append(f"  {ns}/{name}: {r.phase or '(no status)'}: {r.message}")
        return out

    def stats(self, keys: list[tuple[str, str]], t0: float) -> dict[str, Any]:
        with self.lock:
            recs = [self.stacks[k] for k in keys if k in self.stacks]

        def since_create(attr: str) -> list[float]:
            return [
                getattr(r, attr) - r.created
                for r in recs
                if getattr(r, attr) is not None and r.created is not None
            ]

        def last(attr: str) -> float | None:
            values = [getattr(r, attr) for r in recs]
            return None if None in values or not values else max(values) - t0

        return {
            "stacks": len(keys),
            "all_first_status_s": last("first_status"),
            "all_children_s": last("children"),
            "all_ready_s": last("ready"),
            "per_stack_first_status_s": dist(since_create("first_status")),
            "per_stack_ready_s": dist(since_create("ready")),
        }


def stack_keys(fleet: Fleet, first: int, count: int) -> list[tuple[str, str]]:
    return [
        (fleet.namespaces[i % len(fleet.namespaces)], f"s-{i:04d}")
        for i in range(first, first + count)
    ]


def scale(fleet: Fleet, operator: OperatorProcess, n: int, timeout: float) -> dict[str, Any]:
    before = operator.metrics()
    cpu0 = operator.cpu_seconds()
    log(f"scale: creating {n} stacks in {len(fleet.namespaces)} namespaces")
    t0 = fleet.create(0, n)
    created_s = time.perf_counter() - t0
    log(f"scale: {n} creates returned in {created_s:.1f}s; waiting for Ready")
    complete = fleet.wait(n, "ready", timeout, operator)
    result = fleet.stats(stack_keys(fleet, 0, n), t0)
    result |= {
        "create_calls_s": created_s,
        "complete": complete,
        "operator_cpu_s": operator.cpu_seconds() - cpu0,
        "rss_mb_after": operator.memory()["VmRSS"],
        "metrics_delta": metrics_delta(before, operator.metrics()),
        "play_errors": dict(fleet.patch_errors),
    }
    if not complete:
        result["not_ready"] = fleet.not_ready()
    return result


def print_scale(r: dict[str, Any], lean: bool) -> None:
    n = r["stacks"]
    print(f"\n== scale: {n} InferenceStacks to Ready ({'lean' if lean else 'keda + DCGM'}) ==")
    print(f"  create calls: {r['create_calls_s']:.1f} s")

    def show(label: str, value: float | None) -> None:
        if value is None:
            print(f"  {label}: not reached")
        else:
            print(f"  {label}: {value:.1f} s  ({n / value:.1f} stacks/s)")

    show("all stacks reconciled once (status written)", r["all_first_status_s"])
    show("all played children exist            ", r["all_children_s"])
    show("all stacks status.phase == Ready      ", r["all_ready_s"])
    d = r["per_stack_ready_s"]
    if d:
        print(
            "  per stack, create -> Ready: "
            f"p50 {d['p50']:.1f} s  p90 {d['p90']:.1f} s  max {d['max']:.1f} s"
        )
    target = TARGETS["scale_ready_s"]
    if n == TARGETS["scale_stacks"]:
        ok = r["all_ready_s"] is not None and r["all_ready_s"] < target
        print(f"  target: {n} stacks Ready < {target:.0f} s: {verdict(ok)}")
    else:
        print(f"  target: {TARGETS['scale_stacks']} stacks Ready < {target:.0f} s (ran {n})")
    print(f"  operator CPU: {r['operator_cpu_s']:.1f} s; VmRSS after: {r['rss_mb_after']:.1f} MB")
    print_metrics_delta(r["metrics_delta"])
    if r["play_errors"]:
        print(f"  errors playing NGF/KEDA: {r['play_errors']}")
    for line in r.get("not_ready", []):
        print(f"  {line}")


# -- metrics -------------------------------------------------------------------------------


def metrics_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    out = {}
    for key, value in after.items():
        if "_bucket" in key or key.endswith("_created{}") or "_created{" in key:
            continue
        delta = value - before.get(key, 0.0)
        if delta:
            out[key] = delta
    return out


def print_metrics_delta(delta: dict[str, float], indent: str = "  ") -> None:
    reconciles = {k: v for k, v in delta.items() if "reconciles_total" in k}
    drift = {k: v for k, v in delta.items() if "drift_corrections_total" in k}
    print(f"{indent}ngf_console_operator_reconciles_total (delta):")
    for k, v in sorted(reconciles.items()):
        print(f"{indent}  {k.split('{', 1)[1].rstrip('}')}: {v:.0f}")
    for kind in ("InferenceStack", "GatewayBundle"):
        total = delta.get(f'ngf_console_operator_reconcile_duration_seconds_sum{{kind="{kind}"}}')
        count = delta.get(f'ngf_console_operator_reconcile_duration_seconds_count{{kind="{kind}"}}')
        if count:
            print(
                f"{indent}  {kind} reconcile duration: mean {1000 * (total or 0) / count:.0f} ms"
                f" over {count:.0f} passes"
            )
    print(f"{indent}ngf_console_operator_drift_corrections_total (delta):")
    if not drift:
        print(f"{indent}  (none)")
    for k, v in sorted(drift.items()):
        print(f"{indent}  {k.split('{', 1)[1].rstrip('}')}: {v:.0f}")


# -- rss -----------------------------------------------------------------------------------


def rss(
    fleet: Fleet,
    operator: OperatorProcess,
    m: int,
    existing: int,
    resync: float,
    timeout: float,
) -> dict[str, Any]:
    add = max(0, m - existing)
    t0 = time.perf_counter()
    if add:
        log(f"rss: creating {add} more stacks (to {m})")
        t0 = fleet.create(existing, add)
    ok = fleet.wait(m, "status", timeout, operator)
    if not ok:
        log("rss: not every stack is reconciled; measuring anyway")
    reached = time.perf_counter() - t0
    ready_at_start = fleet.progress()["ready"]
    # One full resync period (every stack's timer fires once) plus slack, sampled each second;
    # extended by up to one more period while stacks are still becoming Ready.
    window, longest = resync + 10, 2 * resync + 10
    log(f"rss: {m} stacks reconciled in {reached:.0f}s; sampling for {window:.0f}s or more")
    before, cpu0, w0 = operator.metrics(), operator.cpu_seconds(), time.perf_counter()
    samples = []
    while True:
        elapsed = time.perf_counter() - w0
        if elapsed >= longest or (elapsed >= window and fleet.progress()["ready"] >= m):
            break
        samples.append(operator.memory()["VmRSS"])
        time.sleep(1.0)
    elapsed = time.perf_counter() - w0
    mem = operator.memory()
    after = operator.metrics()
    return {
        "stacks": m,
        "all_reconciled": ok,
        "time_to_reconciled_s": reached,
        "ready_at_window_start": ready_at_start,
        "ready_at_window_end": fleet.progress()["ready"],
        "rss_mb": mem["VmRSS"],
        "rss_window_max_mb": max(samples),
        "rss_window_min_mb": min(samples),
        "hwm_mb": mem["VmHWM"],
        "window_s": elapsed,
        "operator_cpu_pct": 100 * (operator.cpu_seconds() - cpu0) / elapsed,
        "metrics_delta": metrics_delta(before, after),
        "metrics_total": {
            k: v
            for k, v in after.items()
            if "reconciles_total{" in k or "drift_corrections_total{" in k
        },
    }


def print_rss(r: dict[str, Any], resync: float) -> None:
    m = r["stacks"]
    print(f"\n== rss: operator memory with {m} InferenceStacks ==")
    print(
        f"  all {m} reconciled (status written) {r['time_to_reconciled_s']:.0f} s after the "
        f"first create (complete: {r['all_reconciled']}); Ready: "
        f"{r['ready_at_window_start']} at the window's start, {r['ready_at_window_end']} at its end"
    )
    print(
        f"  VmRSS at the end of the window ({r['window_s']:.0f} s, resync {resync:.0f} s): "
        f"{r['rss_mb']:.1f} MB  (window min {r['rss_window_min_mb']:.1f}, "
        f"max {r['rss_window_max_mb']:.1f}; VmHWM peak {r['hwm_mb']:.1f} MB)"
    )
    target = TARGETS["rss_mb"]
    if m == TARGETS["rss_stacks"]:
        print(f"  target: RSS with {m} stacks < {target:.0f} MB: {verdict(r['rss_mb'] < target)}")
    else:
        print(f"  target: RSS with {TARGETS['rss_stacks']} stacks < {target:.0f} MB (ran {m})")
    print(f"  operator CPU during the resync window: {r['operator_cpu_pct']:.0f}% of one core")
    print("  during the window:")
    print_metrics_delta(r["metrics_delta"], indent="    ")
    print("  /metrics totals since the operator started:")
    for k, v in sorted(r["metrics_total"].items()):
        print(f"    {k}: {v:.0f}")


# -- main ----------------------------------------------------------------------------------


def _on_term(_sig: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("heal", "scale", "rss"))
    parser.add_argument("--stacks", type=int, default=200, help="stacks in the scale phase")
    parser.add_argument("--rss-stacks", type=int, default=500, help="stacks in the rss phase")
    parser.add_argument("--trials", type=int, default=50, help="heal trials of each kind")
    parser.add_argument(
        "--load-trials", type=int, default=20, help="heal trials with the rss stacks (0: skip)"
    )
    parser.add_argument("--namespaces", type=int, default=4)
    parser.add_argument("--lean", action="store_true", help="stacks without DCGM/autoscaling")
    parser.add_argument("--resync", type=float, default=60.0, help="operator --resync")
    parser.add_argument("--workers", type=int, help="operator --workers (default: its own)")
    parser.add_argument("--timeout", type=float, default=300.0, help="per wait for Ready")
    parser.add_argument("--kubeconfig", help="use this running control plane")
    parser.add_argument("--workdir", help="keep logs (and profiles) here instead of a temp dir")
    parser.add_argument("--profile", action="store_true", help="py-spy the operator per phase")
    parser.add_argument(
        "--tracemalloc",
        type=int,
        default=0,
        metavar="FRAMES",
        help="run the operator under tracemalloc and print memory attribution after rss "
        "(inflates RSS: for attribution only)",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    phases = [args.only] if args.only else ["heal", "scale", "rss"]

    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGHUP, _on_term)
    tmp = None
    if args.workdir:
        workdir = Path(args.workdir).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="ngf-bench-")
        workdir = Path(tmp)
    results: dict[str, Any] = {"args": vars(args), "env": environment()}
    print(f"operator_bench: {' '.join(sys.argv)}")
    for k, v in results["env"].items():
        print(f"  {k}: {v}")
    started = time.perf_counter()
    try:
        with contextlib.ExitStack() as stack:
            run(args, phases, workdir, results, stack)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        results["total_s"] = time.perf_counter() - started
        log(f"total {results['total_s']:.0f}s")
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2, default=str))
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"logs kept in {workdir}")
    return 0


def run(
    args: argparse.Namespace,
    phases: list[str],
    workdir: Path,
    results: dict[str, Any],
    stack: contextlib.ExitStack,
) -> None:
    """Every phase; ``stack`` unwinds in reverse: fleet, operator, (cleanup), control plane."""
    kubeconfig, plane = stack.enter_context(control_plane(args.kubeconfig, workdir))
    owned = plane is not None
    kube = Client(KubeConfig.from_file(kubeconfig), field_manager="ngf-console-bench")
    load_in_cluster_generic_resources(kube)
    fleet: Fleet | None = None
    owned_nodes: list[str] = []
    if not owned:
        stack.callback(lambda: cleanup(kube, fleet, owned_nodes))
    ensure_namespace(kube, RenderOptions().dcgm_namespace)
    for name in BENCH_NODES:
        try:
            kube.create(bench_node(name))
            owned_nodes.append(name)
        except ApiError as err:
            if err.status.code != 409:
                raise
    operator = OperatorProcess(
        kubeconfig,
        workdir / "operator.log",
        args.resync,
        tracemalloc_frames=args.tracemalloc,
        workers=args.workers,
    )
    stack.callback(operator.stop)
    took = operator.wait_healthy(timeout=180.0 if args.tracemalloc else 60.0)
    log(f"operator pid {operator.pid} healthy in {took:.1f}s; log {operator.log_path}")
    profiler = Profiler(operator.pid, workdir, args.profile)
    stack.callback(profiler.stop)
    pids = {"operator": operator.pid, "bench": os.getpid()}
    if plane is not None:
        pids |= {p.name: p.pid for p in plane.processes()}
    cpu = CpuMeter(pids)
    api = ApiServerMeter(kubeconfig, workdir)
    passes_before: dict[str, float] = {}

    def passes() -> float:
        return sum(v for k, v in operator.metrics().items() if "reconciles_total{" in k)

    log_pos = 0
    results["rss_idle_mb"] = operator.memory()["VmRSS"]

    def before_phase(phase: str) -> None:
        passes_before[phase] = passes()
        api.start()
        profiler.start(phase)
        cpu.start()

    def after_phase(phase: str) -> None:
        nonlocal log_pos
        used = cpu.stop()
        requests = api.stop()
        results.setdefault("cpu", {})[phase] = used
        results.setdefault("api_requests", {})[phase] = requests
        lines = profiler.stop()
        log_pos, summary = log_summary(operator.log_path, log_pos)
        results.setdefault("logs", {})[phase] = summary
        n = passes() - passes_before.get(phase, 0.0)
        for line in [format_cpu(used), *format_requests(requests, n), *summary, *lines]:
            print(f"  {line}")
        sys.stdout.flush()

    if "heal" in phases:
        before_phase("heal")
        results["heal"] = heal(kube, kubeconfig, args.trials, args.seed, "")
        print_heal(results["heal"], " (1 stack, idle operator)")
        after_phase("heal")
    existing = 0
    if "scale" in phases or "rss" in phases:
        fleet = Fleet(kube, kubeconfig, args.namespaces, args.lean)
        stack.callback(fleet.stop)
        fleet.start()
    if "scale" in phases:
        assert fleet is not None
        before_phase("scale")
        results["scale"] = scale(fleet, operator, args.stacks, args.timeout)
        existing = args.stacks
        print_scale(results["scale"], args.lean)
        after_phase("scale")
    if "rss" in phases:
        assert fleet is not None
        before_phase("rss")
        results["rss"] = rss(fleet, operator, args.rss_stacks, existing, args.resync, args.timeout)
        print_rss(results["rss"], args.resync)
        after_phase("rss")
        if args.tracemalloc:
            log("rss: asking the traced operator for its memory attribution")
            dump = operator.memory_dump()
            results["memdump"] = dump
            print_memdump(dump)
        if args.load_trials:
            before_phase("heal-under-load")
            label = f" with {args.rss_stacks} stacks"
            results["heal_under_load"] = heal(
                kube, kubeconfig, args.load_trials, args.seed + 1, label, timeout=20.0
            )
            print_heal(results["heal_under_load"], label)
            after_phase("heal-under-load")
    print(f"\noperator RSS when idle at start: {results['rss_idle_mb']:.1f} MB")
    sys.stdout.flush()


def print_memdump(dump: dict[str, Any] | None) -> None:
    print("\n== memory attribution (tracemalloc; the process is inflated by tracing) ==")
    if not dump:
        print("  no dump written")
        return
    if "traced_mb" in dump:
        print(f"  traced live Python allocations: {dump['traced_mb']:.1f} MB")
        print("  by file (first non-stdlib frame):")
        for row in dump["top_files"][:12]:
            print(f"    {row['mb']:7.1f} MB  {row['where']}")
        print("  by line:")
        for row in dump["top_lines"][:15]:
            print(f"    {row['mb']:7.1f} MB  {row['blocks']:8d} blocks  {row['where']}")
    print(f"  gc-tracked objects: {dump['gc_objects']}; asyncio tasks: {dump['asyncio_tasks']}")
    print("  top types: " + ", ".join(f"{t} {n}" for t, n in dump["top_types"][:12]))


def cleanup(kube: Client, fleet: Fleet | None, nodes: list[str]) -> None:
    """On a cluster we did not start: remove what the bench created."""
    namespaces = [HEAL_NS, *(fleet.namespaces if fleet else [])]
    for ns in namespaces:
        with contextlib.suppress(ApiError):
            kube.delete(Namespace, ns)
    for name in nodes:
        with contextlib.suppress(ApiError):
            kube.delete(Node, name)


def environment() -> dict[str, str]:
    def git(*a: str) -> str:
        try:
            return subprocess.run(
                ["git", *a],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parent,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    from importlib.metadata import version

    dirty = "+dirty" if git("status", "--porcelain", "--", "src") else ""
    return {
        "commit": git("rev-parse", "--short", "HEAD") + dirty,
        "machine": f"{os.cpu_count()} cpus, {platform.machine()}, "
        f"Python {platform.python_version()}",
        "kopf": version("kopf"),
        "lightkube": version("lightkube"),
    }


if __name__ == "__main__":
    sys.exit(main())
