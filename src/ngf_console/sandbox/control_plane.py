"""A real Kubernetes control plane on 127.0.0.1, without containers.

etcd, kube-apiserver (client certificates, service-account bearer tokens, TokenReview and
SubjectAccessReview, RBAC), kube-controller-manager (garbage collector, namespace,
deployment, replicaset, job, service-account controllers...), kube-scheduler and kwok (fake
GPU nodes whose pods run). Everything lives in one state directory: certificates, data,
logs, the kubeconfig, and ``state.json`` naming the running processes, so that ``down`` and
``status`` work from any other process.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
import yaml
from lightkube import Client, KubeConfig
from lightkube.core.exceptions import ApiError
from lightkube.resources.core_v1 import Node

from ngf_console.kube.crds import install_crds
from ngf_console.sandbox import fake_nodes, pki, processes
from ngf_console.sandbox.processes import RunningProcess
from ngf_console.sandbox.tools import Binaries, ensure_binaries

SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
_STATE_FILE = "state.json"


# Client rate limits of kcm and the scheduler on this single-machine control plane.
_CLIENT_RATE = ("--kube-api-qps=300", "--kube-api-burst=600")


class ControlPlaneError(RuntimeError):
    """The control plane could not be started, stopped or reached."""


class AlreadyRunningError(ControlPlaneError):
    """``up`` was asked for a state directory whose control plane is still running."""


class ComponentCrashedError(ControlPlaneError):
    """A component exited while the control plane waited for it."""

    def __init__(self, process: RunningProcess) -> None:
        super().__init__(
            f"{process.name} exited (pid {process.pid}); last lines of {process.log}:\n"
            f"{process.log_tail()}"
        )
        self.process = process


@dataclass(frozen=True)
class ComponentStatus:
    """Health of one component as seen by ``status``."""

    name: str
    pid: int
    running: bool
    healthy: bool
    detail: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def default_state_dir() -> Path:
    """``$XDG_STATE_HOME/ngf-console/cluster`` (``~/.local/state/...`` by default)."""
    import os

    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "ngf-console" / "cluster"


class ControlPlane:
    """The local control plane rooted at ``state_dir``."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir.resolve()
        self.pki = pki.PkiPaths(self.state_dir / "pki")

    # -- paths and recorded state ------------------------------------------------------

    @property
    def kubeconfig_path(self) -> Path:
        return self.state_dir / "kubeconfig"

    @property
    def _state_path(self) -> Path:
        return self.state_dir / _STATE_FILE

    def _read_state(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self._state_path.read_text())
        except FileNotFoundError:
            return {"ports": {}, "components": {}}
        return data

    def _write_state(self, state: Mapping[str, Any]) -> None:
        tmp = self._state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
        tmp.replace(self._state_path)

    def processes(self) -> list[RunningProcess]:
        """The recorded components, in start order."""
        recorded = self._read_state()["components"]
        return [RunningProcess.from_json(n, recorded[n]) for n in COMPONENTS if n in recorded]

    def running(self) -> list[RunningProcess]:
        """Recorded components whose process is still alive."""
        return [p for p in self.processes() if p.alive()]

    # -- clients -----------------------------------------------------------------------

    def client(self) -> Client:
        """A lightkube client authenticated as the cluster admin."""
        return Client(KubeConfig.from_file(self.kubeconfig_path), field_manager="ngf-console")

    def _http(self) -> httpx.Client:
        context = ssl.create_default_context(cafile=self.pki.ca_cert)
        context.load_cert_chain(self.pki.admin_cert, self.pki.admin_key)
        return httpx.Client(verify=context, timeout=2.0)

    # -- up ----------------------------------------------------------------------------

    def up(
        self,
        crd_documents: Callable[[], Iterable[Mapping[str, Any]]] | None = None,
        timeout: float = 120.0,
    ) -> Path:
        """Start every component, create the fake nodes, install CRDs; return the kubeconfig.

        Refuses when this state directory's control plane is already running. On failure,
        whatever was started is stopped again and the error names the component and shows
        the tail of its log.
        """
        alive = self.running()
        if alive:
            names = ", ".join(f"{p.name} (pid {p.pid})" for p in alive)
            raise AlreadyRunningError(
                f"a control plane is already running from {self.state_dir}: {names}. "
                f"Stop it with `ngf-console cluster down --state-dir {self.state_dir}`."
            )
        binaries = ensure_binaries()
        self._reset_state_dir()
        pki.generate(self.pki.root)
        ports = {
            name: _free_port()
            for name in ("etcd", "etcd-peer", "apiserver", "kcm", "scheduler", "kwok")
        }
        state: dict[str, Any] = {"ports": ports, "components": {}}
        self._write_state(state)
        self._write_kubeconfig(ports["apiserver"])
        deadline = time.monotonic() + timeout
        try:
            for name, argv, ready in self._plan(binaries, ports):
                proc = processes.start(
                    name, argv, self.state_dir / "logs" / f"{name}.log", cwd=self.state_dir
                )
                state["components"][name] = proc.to_json()
                self._write_state(state)
                self._wait(proc, ready, deadline)
                if name == "kube-apiserver":
                    self._bootstrap(crd_documents)
            self._wait_nodes_ready(deadline)
        except BaseException:
            self.down()
            raise
        return self.kubeconfig_path

    def _reset_state_dir(self) -> None:
        for sub in ("pki", "etcd", "logs"):
            shutil.rmtree(self.state_dir / sub, ignore_errors=True)
        for f in (_STATE_FILE, "kubeconfig"):
            (self.state_dir / f).unlink(missing_ok=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)

    def _write_kubeconfig(self, apiserver_port: int) -> None:
        import base64

        def b64(p: Path) -> str:
            return base64.b64encode(p.read_bytes()).decode()

        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "ngf-console-local",
                    "cluster": {
                        "server": f"https://127.0.0.1:{apiserver_port}",
                        "certificate-authority-data": b64(self.pki.ca_cert),
                    },
                }
            ],
            "users": [
                {
                    "name": "ngf-console-admin",
                    "user": {
                        "client-certificate-data": b64(self.pki.admin_cert),
                        "client-key-data": b64(self.pki.admin_key),
                    },
                }
            ],
            "contexts": [
                {
                    "name": "ngf-console-local",
                    "context": {"cluster": "ngf-console-local", "user": "ngf-console-admin"},
                }
            ],
            "current-context": "ngf-console-local",
        }
        self.kubeconfig_path.write_text(yaml.safe_dump(config, sort_keys=False))
        self.kubeconfig_path.chmod(0o600)

    def _plan(
        self, b: Binaries, ports: Mapping[str, int]
    ) -> list[tuple[str, list[str], Callable[[], bool]]]:
        """Each component's command line and readiness check, in start order."""
        p, kubeconfig = self.pki, str(self.kubeconfig_path)
        etcd_url = f"http://127.0.0.1:{ports['etcd']}"
        peer_url = f"http://127.0.0.1:{ports['etcd-peer']}"
        serving = [f"--tls-cert-file={p.serving_cert}", f"--tls-private-key-file={p.serving_key}"]
        # Controller manager and scheduler authenticate requests to their own /healthz
        # through the API server, like in a real cluster.
        delegated = [
            f"--kubeconfig={kubeconfig}",
            f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            "--bind-address=127.0.0.1",
            "--leader-elect=false",
            *serving,
        ]
        return [
            (
                "etcd",
                [
                    str(b.etcd),
                    "--name=default",
                    f"--data-dir={self.state_dir / 'etcd'}",
                    f"--listen-client-urls={etcd_url}",
                    f"--advertise-client-urls={etcd_url}",
                    f"--listen-peer-urls={peer_url}",
                    f"--initial-advertise-peer-urls={peer_url}",
                    f"--initial-cluster=default={peer_url}",
                    # A throwaway cluster: durability costs more than it is worth here.
                    "--unsafe-no-fsync",
                    "--log-level=warn",
                ],
                lambda: self._get(f"{etcd_url}/health", plain=True),
            ),
            (
                "kube-apiserver",
                [
                    str(b.kube_apiserver),
                    f"--etcd-servers={etcd_url}",
                    "--bind-address=127.0.0.1",
                    "--advertise-address=127.0.0.1",
                    # Loopback cannot be published as the kubernetes Service's endpoint, and no
                    # pod here needs to reach the API server through that Service.
                    "--endpoint-reconciler-type=none",
                    f"--secure-port={ports['apiserver']}",
                    *serving,
                    f"--client-ca-file={p.ca_cert}",
                    "--authorization-mode=RBAC",
                    f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
                    f"--service-account-key-file={p.sa_pub}",
                    f"--service-account-signing-key-file={p.sa_key}",
                    f"--api-audiences={SERVICE_ACCOUNT_ISSUER}",
                    "--service-cluster-ip-range=10.96.0.0/16",
                    "--allow-privileged=true",
                    "--profiling=false",
                    "--v=0",
                ],
                lambda: self._get(f"https://127.0.0.1:{ports['apiserver']}/readyz"),
            ),
            (
                "kube-controller-manager",
                [
                    str(b.kube_controller_manager),
                    *delegated,
                    f"--secure-port={ports['kcm']}",
                    "--controllers=*",
                    "--use-service-account-credentials=true",
                    f"--service-account-private-key-file={p.sa_key}",
                    f"--root-ca-file={p.ca_cert}",
                    f"--cluster-signing-cert-file={p.ca_cert}",
                    f"--cluster-signing-key-file={p.ca_key}",
                    # The default client QPS (20) paces pod creation at a few pods a second:
                    # hundreds of fake model servers would wait on kcm, not on what we test.
                    *_CLIENT_RATE,
                    "--concurrent-deployment-syncs=20",
                    "--concurrent-replicaset-syncs=20",
                    "--profiling=false",
                ],
                lambda: self._get(f"https://127.0.0.1:{ports['kcm']}/healthz"),
            ),
            (
                "kube-scheduler",
                [
                    str(b.kube_scheduler),
                    *delegated,
                    f"--secure-port={ports['scheduler']}",
                    *_CLIENT_RATE,
                    "--profiling=false",
                ],
                lambda: self._get(f"https://127.0.0.1:{ports['scheduler']}/healthz"),
            ),
            (
                "kwok",
                [
                    str(b.kwok),
                    f"--kubeconfig={kubeconfig}",
                    f"--config={b.kwok_stages}",
                    "--manage-all-nodes=false",
                    f"--manage-nodes-with-annotation-selector={fake_nodes.KWOK_ANNOTATION}=fake",
                    "--cidr=10.244.0.0/16",
                    "--node-ip=10.244.0.1",
                    "--node-lease-duration-seconds=40",
                    f"--server-address=127.0.0.1:{ports['kwok']}",
                ],
                lambda: self._get(f"http://127.0.0.1:{ports['kwok']}/healthz", plain=True),
            ),
        ]

    def _get(self, url: str, plain: bool = False) -> bool:
        try:
            if plain:
                return httpx.get(url, timeout=2.0).status_code == 200
            with self._http() as http:
                return http.get(url).status_code == 200
        except httpx.HTTPError:
            return False

    def _wait(self, proc: RunningProcess, ready: Callable[[], bool], deadline: float) -> None:
        while not ready():
            if not proc.alive():
                raise ComponentCrashedError(proc)
            if time.monotonic() > deadline:
                raise ControlPlaneError(
                    f"{proc.name} did not become healthy in time; last lines of {proc.log}:\n"
                    f"{proc.log_tail()}"
                )
            time.sleep(0.2)

    def _bootstrap(self, crd_documents: Callable[[], Iterable[Mapping[str, Any]]] | None) -> None:
        """Create the fake nodes and install CRDs as soon as the API server serves."""
        client = self.client()
        for manifest in fake_nodes.node_manifests():
            try:
                client.create(cast(Node, Node.from_dict(manifest)))
            except ApiError as err:
                if err.status.code != 409:
                    raise
        if crd_documents is not None:
            install_crds(client, crd_documents())

    def _wait_nodes_ready(self, deadline: float) -> None:
        client = self.client()
        wanted = {n["metadata"]["name"] for n in fake_nodes.node_manifests()}
        while True:
            ready = {
                n.metadata.name
                for n in client.list(Node)
                if n.metadata
                and n.status
                and any(c.type == "Ready" and c.status == "True" for c in n.status.conditions or [])
            }
            if wanted <= ready:
                return
            kwok = next(p for p in self.processes() if p.name == "kwok")
            if not kwok.alive():
                raise ComponentCrashedError(kwok)
            if time.monotonic() > deadline:
                raise ControlPlaneError(f"nodes not Ready in time: {sorted(wanted - ready)}")
            time.sleep(0.2)

    # -- down and status ---------------------------------------------------------------

    def down(self) -> list[str]:
        """Stop every recorded component in reverse start order; return the names stopped."""
        stopped = []
        for proc in reversed(self.processes()):
            if proc.alive():
                processes.stop(proc)
                stopped.append(proc.name)
        self._state_path.unlink(missing_ok=True)
        return stopped

    def status(self) -> list[ComponentStatus]:
        """Health of each recorded component; a dead one carries the tail of its log."""
        ports = self._read_state()["ports"]
        checks: dict[str, Callable[[], bool]] = {
            "etcd": lambda: self._get(f"http://127.0.0.1:{ports['etcd']}/health", plain=True),
            "kube-apiserver": lambda: self._get(f"https://127.0.0.1:{ports['apiserver']}/readyz"),
            "kube-controller-manager": lambda: self._get(
                f"https://127.0.0.1:{ports['kcm']}/healthz"
            ),
            "kube-scheduler": lambda: self._get(f"https://127.0.0.1:{ports['scheduler']}/healthz"),
            "kwok": lambda: self._get(f"http://127.0.0.1:{ports['kwok']}/healthz", plain=True),
        }
        result = []
        for proc in self.processes():
            running = proc.alive()
            healthy = running and checks[proc.name]()
            if not running:
                detail = f"exited; last lines of {proc.log}:\n{proc.log_tail()}"
            else:
                detail = "healthy" if healthy else "running but not healthy"
            result.append(ComponentStatus(proc.name, proc.pid, running, healthy, detail))
        return result
