"""``ngf-console``: the one command-line entry point (cluster, api, demo, operator, render)."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from ngf_console import __version__
from ngf_console.sandbox.control_plane import ControlPlane, ControlPlaneError, default_state_dir

app = typer.Typer(
    help="NGF Console: declarative control plane and web console for NGINX Gateway Fabric.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
cluster_app = typer.Typer(
    help="The local real control plane (etcd, kube-apiserver, kwok...).", no_args_is_help=True
)
crd_app = typer.Typer(help="The parent CustomResourceDefinitions.", no_args_is_help=True)
app.add_typer(cluster_app, name="cluster")
app.add_typer(crd_app, name="crd")

# soft_wrap: paths and commands in messages must stay copy-pasteable, never folded.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

StateDir = Annotated[
    Path | None,
    typer.Option(
        "--state-dir",
        help="Where the control plane keeps its state "
        "(default: $XDG_STATE_HOME/ngf-console/cluster).",
    ),
]


# permessage-deflate costs ~33 KB and CPU per websocket connection for small JSON frames
# (bench/ws_bench.py: p99 lag 1.35 s with it, 0.98 s without, at 1,000 clients).
SERVER_OPTIONS: dict[str, Any] = {"ws_per_message_deflate": False}


def _fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _control_plane(state_dir: Path | None) -> ControlPlane:
    return ControlPlane(state_dir or default_state_dir())


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


@cluster_app.command("up")
def cluster_up(state_dir: StateDir = None) -> None:
    """Start the control plane, create fake GPU nodes, install CRDs; print the kubeconfig path."""
    from ngf_console.sandbox.cluster_crds import all_crd_documents
    from ngf_console.sandbox.tools import ToolsError

    plane = _control_plane(state_dir)
    try:
        with err_console.status("starting etcd, kube-apiserver, controllers, kwok..."):
            kubeconfig = plane.up(crd_documents=all_crd_documents)
    except (ControlPlaneError, ToolsError) as err:
        _fail(str(err))
    console.print(str(kubeconfig), highlight=False)


@cluster_app.command("down")
def cluster_down(state_dir: StateDir = None) -> None:
    """Stop the control plane's processes."""
    plane = _control_plane(state_dir)
    stopped = plane.down()
    if stopped:
        err_console.print(f"stopped: {', '.join(stopped)}")
    else:
        err_console.print(f"nothing running from {plane.state_dir}")


@cluster_app.command("status")
def cluster_status(state_dir: StateDir = None) -> None:
    """Report each component's health; exit 1 unless all are healthy."""
    plane = _control_plane(state_dir)
    statuses = plane.status()
    if not statuses:
        _fail(f"no control plane recorded in {plane.state_dir}")
    for s in statuses:
        mark = "[green]healthy[/green]" if s.healthy else "[red]unhealthy[/red]"
        console.print(f"{s.name:<24} pid {s.pid:<8} {mark}", highlight=False)
        if not s.healthy:
            console.print(s.detail, highlight=False)
    if not all(s.healthy for s in statuses):
        raise typer.Exit(1)
    console.print(f"kubeconfig: {plane.kubeconfig_path}", highlight=False)


@crd_app.command("generate")
def crd_generate(
    out: Annotated[Path | None, typer.Option(help="Directory (default: the packaged one).")] = None,
) -> None:
    """Regenerate the parent CRD manifests from the pydantic models."""
    from ngf_console.crd.generate import default_manifest_dir, write_manifests

    for path in write_manifests(out or default_manifest_dir()):
        console.print(str(path), highlight=False)


@app.command()
def api(
    kubeconfig: Annotated[Path | None, typer.Option(help="The default cluster.")] = None,
    clusters_file: Annotated[
        Path | None, typer.Option(help="YAML list of clusters (instead of --kubeconfig).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8080,
    database_url: Annotated[
        str | None, typer.Option(envvar="NGF_DATABASE_URL", help="Config DB URL.")
    ] = None,
    auth_config: Annotated[
        Path | None, typer.Option(help="Auth settings YAML (default: mode none).")
    ] = None,
    allowed_origin: Annotated[
        list[str] | None, typer.Option(help="Extra origin for CORS and websockets.")
    ] = None,
    prometheus_url: Annotated[
        str | None,
        typer.Option(envvar="NGF_PROMETHEUS_URL", help="Prometheus for the metrics routes."),
    ] = None,
    prometheus_scrape_interval: Annotated[
        float, typer.Option(help="Prometheus's scrape interval in seconds.")
    ] = 15.0,
    clickhouse_url: Annotated[
        str | None,
        typer.Option(
            envvar="NGF_CLICKHOUSE_URL",
            help="ClickHouse server for logs analytics (default: embedded chDB).",
        ),
    ] = None,
    analytics_dir: Annotated[
        Path | None, typer.Option(help="chDB data directory (default: beside a SQLite DB).")
    ] = None,
    grafana_url: Annotated[
        str | None,
        typer.Option(envvar="NGF_GRAFANA_URL", help="Grafana for 'Open in Grafana' links."),
    ] = None,
) -> None:
    """Run the API server, which also serves the built UI at /."""
    import uvicorn

    from ngf_console.api.app import create_app
    from ngf_console.api.auth import AuthSettings, check_bind
    from ngf_console.api.settings import ApiSettings
    from ngf_console.store import DEFAULT_DATABASE_URL
    from ngf_console.telemetry.analytics.config import AnalyticsSettings

    auth = AuthSettings.from_file(auth_config) if auth_config else AuthSettings()
    try:
        check_bind(auth, host)
    except ValueError as err:
        _fail(str(err))
    settings = ApiSettings(
        kubeconfig=kubeconfig,
        clusters_file=clusters_file,
        database_url=database_url or DEFAULT_DATABASE_URL,
        auth=auth,
        allowed_origins=frozenset(allowed_origin or ()),
        prometheus_url=prometheus_url,
        prometheus_scrape_interval=prometheus_scrape_interval,
        analytics=AnalyticsSettings(
            backend="clickhouse" if clickhouse_url else "chdb",
            url=clickhouse_url,
            dir=analytics_dir,
        ),
        grafana_url=grafana_url,
        settle_heap=True,
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", **SERVER_OPTIONS)


@app.command()
def demo(
    state_dir: StateDir = None,
    port: Annotated[int, typer.Option(help="Port of the console.")] = 8080,
) -> None:
    """Local control plane, operator, simulator, Prometheus, samples, and the console."""
    import uvicorn

    from ngf_console.api.app import create_app
    from ngf_console.api.settings import ApiSettings
    from ngf_console.sandbox import demo as demo_parts
    from ngf_console.sandbox import processes
    from ngf_console.sandbox.cluster_crds import all_crd_documents
    from ngf_console.store import sqlite_url

    plane = _control_plane(state_dir)
    if plane.running():
        err_console.print(f"reusing the control plane running from {plane.state_dir}")
        kubeconfig = plane.kubeconfig_path
    else:
        try:
            with err_console.status("starting the local control plane..."):
                kubeconfig = plane.up(crd_documents=all_crd_documents)
        except ControlPlaneError as err:
            _fail(str(err))
    console.print(f"kubeconfig: {kubeconfig}", highlight=False)
    operator_proc = demo_parts.start_operator(kubeconfig, plane.state_dir / "logs" / "operator.log")
    console.print(f"operator: pid {operator_proc.pid}, log {operator_proc.log}", highlight=False)
    started = [operator_proc]
    try:
        for applied in demo_parts.seed(kubeconfig):
            console.print(f"applied {applied}", highlight=False)
        simulator_port = demo_parts.free_port()
        simulator_proc = demo_parts.start_simulator(
            kubeconfig,
            plane.state_dir / "logs" / "simulator.log",
            port=simulator_port,
            api_url=f"http://127.0.0.1:{port}",
        )
        started.append(simulator_proc)
        console.print(
            f"simulator: pid {simulator_proc.pid}, log {simulator_proc.log}", highlight=False
        )
        with err_console.status("starting Prometheus..."):
            prometheus_proc, prometheus_url = demo_parts.start_prometheus(
                plane.state_dir / "prometheus", simulator_port
            )
        started.append(prometheus_proc)
        console.print(f"prometheus: {prometheus_url}, log {prometheus_proc.log}", highlight=False)
        console.print(
            f"[bold]NGF Console:[/bold] http://127.0.0.1:{port}/  (Ctrl-C stops everything)"
        )
        # uvicorn handles SIGINT/SIGTERM itself and returns; the rest goes down after it.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        settings = ApiSettings(
            kubeconfig=kubeconfig,
            database_url=sqlite_url(plane.state_dir / "console.db"),
            prometheus_url=prometheus_url,
            prometheus_scrape_interval=5.0,
            settle_heap=True,
        )
        uvicorn.run(
            create_app(settings), host="127.0.0.1", port=port, log_level="info", **SERVER_OPTIONS
        )
    finally:
        # A second Ctrl-C (or `uv run` forwarding the first) must not cut the clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        err_console.print(
            "stopping the simulator, Prometheus, the operator and the control plane..."
        )
        for proc in reversed(started):
            processes.stop(proc)
        plane.down()


@app.command()
def simulate(
    kubeconfig: Annotated[Path, typer.Option(help="The cluster whose objects are simulated.")],
    api: Annotated[
        str | None, typer.Option(help="Console API URL; logs go to its OTLP receiver /v1/logs.")
    ] = None,
    port: Annotated[int, typer.Option(help="Port of the exporters and /targets.")] = 9464,
    rate: Annotated[float, typer.Option(help="Requests per second at the daily peak.")] = 40.0,
    day: Annotated[float, typer.Option(help="Seconds in a simulated day (diurnal load).")] = 1800.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    namespace: Annotated[
        list[str] | None, typer.Option(help="Only this namespace (repeatable; default: all).")
    ] = None,
) -> None:
    """Simulate the data plane and the controllers the sandbox lacks (NGF, EPP, KEDA)."""
    import asyncio
    import logging

    from ngf_console.sandbox.simulator.runner import SimulatorConfig, run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("httpx", "httpx2"):  # one line per Kubernetes request otherwise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    config = SimulatorConfig(
        kubeconfig=kubeconfig,
        api_url=api,
        port=port,
        rate=rate,
        day_seconds=day,
        seed=seed,
        namespaces=tuple(namespace or ()),
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(
            config,
            stop,
            ready=lambda sim: console.print(
                f"simulator: exporters and {sim.metrics_url}/targets", highlight=False
            ),
        )

    asyncio.run(main())


@app.command()
def operator(
    kubeconfig: Annotated[Path | None, typer.Option(help="Cluster (default: in-cluster).")] = None,
    resync: Annotated[float, typer.Option(help="Seconds between drift passes.")] = 60.0,
    metrics_port: Annotated[int, typer.Option(help="Port of /metrics.")] = 8090,
    health_port: Annotated[int, typer.Option(help="Port of /healthz.")] = 8091,
    peering: Annotated[bool, typer.Option(help="Run as one of several replicas.")] = False,
    priority: Annotated[
        int | None, typer.Option(help="Peering priority, highest is active (default: random).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Reconcile passes run at once.")] = 16,
) -> None:
    """Run the operator: reconcile InferenceStacks and GatewayBundles into their children."""
    import secrets

    from ngf_console.operator.main import OperatorConfig, run

    # Equal priorities pause each other: every replica needs its own.
    priority = priority if priority is not None else secrets.randbelow(1_000_000) + 1
    run(
        OperatorConfig(
            kubeconfig=kubeconfig,
            resync_seconds=resync,
            metrics_port=metrics_port,
            health_port=health_port,
            peering=peering,
            priority=priority,
            workers=workers,
        )
    )


@app.command()
def render(
    file: Annotated[Path, typer.Option("-f", "--file", help="Parent resource YAML ('-': stdin).")],
    edition: Annotated[str, typer.Option(help="NGF edition: oss, enterprise, unknown.")] = "oss",
) -> None:
    """Print every child a parent resource renders to, as YAML (offline, no cluster)."""
    import sys

    import yaml
    from pydantic import ValidationError

    from ngf_console.crd import KINDS_BY_NAME
    from ngf_console.render import RenderError, RenderOptions, render_parent

    text = sys.stdin.read() if str(file) == "-" else file.read_text()
    try:
        docs = [d for d in yaml.safe_load_all(text) if d]
    except yaml.YAMLError as err:
        _fail(f"{file}: {err}")
    if edition not in ("oss", "enterprise", "unknown"):
        _fail(f"--edition must be oss, enterprise or unknown, not {edition!r}")
    options = RenderOptions(edition=edition)  # type: ignore[arg-type]
    out: list[str] = []
    for doc in docs:
        kind = KINDS_BY_NAME.get(str(doc.get("kind")))
        if kind is None:
            _fail(
                f"{file}: {doc.get('kind')!r} is not a parent kind "
                f"({', '.join(sorted(KINDS_BY_NAME))})"
            )
        try:
            result = render_parent(kind.resource.model_validate(doc), options)
        except ValidationError as err:
            _fail(f"{file}: invalid {kind.kind}:\n{err}")
        except RenderError as err:
            _fail(f"{file}: {err}")
        out.extend(yaml.safe_dump(m, sort_keys=False) for m in result.manifests)
        for item in result.withheld:
            err_console.print(f"withheld {item.kind} {item.name}: {item.reason}", highlight=False)
    sys.stdout.write("---\n".join(out))


if __name__ == "__main__":
    app()
