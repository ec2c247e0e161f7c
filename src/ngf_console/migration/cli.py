"""``ngf-migrate``: plan a migration offline; scan a source cluster; validate the result.

Exit codes: 0 converted cleanly; 2 converted with warnings or gaps (items to review, items
not carried over, Enterprise-only items, or input errors); 1 failure (nothing converted,
unreadable input, or cluster errors).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ngf_console.migration.loader import load_paths
from ngf_console.migration.plan import convert

app = typer.Typer(
    help="Migrate NGINX Ingress Controller / ingress-nginx to Gateway API + NGF.",
    no_args_is_help=True,
)
console = Console(stderr=True)

SCAN_KINDS = [
    ("networking.k8s.io", "v1", "Ingress", "ingresses"),
    ("k8s.nginx.org", "v1", "VirtualServer", "virtualservers"),
    ("k8s.nginx.org", "v1", "VirtualServerRoute", "virtualserverroutes"),
    ("k8s.nginx.org", "v1", "TransportServer", "transportservers"),
    ("k8s.nginx.org", "v1", "Policy", "policies"),
    ("k8s.nginx.org", "v1", "GlobalConfiguration", "globalconfigurations"),
    ("", "v1", "Service", "services"),
    ("", "v1", "ConfigMap", "configmaps"),
]


@app.command()
def plan(
    input: Annotated[
        list[Path], typer.Option("--input", "-i", help="YAML files/directories or nginx.conf")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory for manifests and reports")
    ],
    gateway_name: Annotated[
        str, typer.Option(help="Name of the generated Gateways")
    ] = "ngf-migrated",
) -> None:
    """Convert the input into Gateway API / NGF manifests (one file each) + reports."""
    for path in input:
        if not path.exists():
            console.print(f"[red]input not found: {path}")
            raise typer.Exit(1)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("reading input", total=3)
        loaded = load_paths(input)
        progress.update(task, advance=1, description="converting")
        result = convert(loaded, gateway_name=gateway_name)
        progress.update(task, advance=1, description="writing")
        output.mkdir(parents=True, exist_ok=True)
        for m in result.manifests:
            name = f"{m.namespace or 'cluster'}_{m.kind.lower()}_{m.name}.yaml"
            (output / name).write_text(yaml.safe_dump(m.body, sort_keys=False))
        (output / "report.json").write_text(json.dumps(result.report.model_dump(), indent=2) + "\n")
        (output / "report.md").write_text(result.report_markdown())
        progress.update(task, advance=1)
    table = Table(title="Migration plan")
    for column in ("source", "confidence", "generated", "review", "not carried over", "enterprise"):
        table.add_column(column)
    for r in result.report.resources:
        table.add_row(
            r.source,
            r.confidence,
            str(len(r.generated)),
            str(len(r.needs_review)),
            str(len(r.unsupported)),
            str(len(r.enterprise_only)),
        )
    console.print(table)
    for err in result.report.errors:
        console.print(f"[yellow]input error[/] {err.location}: {err.message}")
    console.print(f"{len(result.manifests)} manifests written to {output}")
    raise typer.Exit(result.exit_code)


def _client(kubeconfig: Path) -> Any:
    from lightkube import Client, KubeConfig

    return Client(KubeConfig.from_file(kubeconfig))


@app.command()
def scan(
    kubeconfig: Annotated[Path, typer.Option(help="Kubeconfig of the source cluster")],
    namespace: Annotated[str | None, typer.Option(help="Only this namespace")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="YAML bundle to write")] = Path(
        "scan-output.yaml"
    ),
) -> None:
    """Read Ingresses and NGINX custom resources from a cluster into one YAML bundle."""
    from lightkube.core.exceptions import ApiError
    from lightkube.generic_resource import create_namespaced_resource

    client = _client(kubeconfig)
    docs: list[dict[str, Any]] = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("scanning", total=len(SCAN_KINDS))
        for group, version, kind, plural in SCAN_KINDS:
            res = create_namespaced_resource(group, version, kind, plural) if group else None
            try:
                if res is None:
                    from lightkube.resources.core_v1 import ConfigMap, Service

                    items = list(
                        client.list(
                            Service if kind == "Service" else ConfigMap, namespace=namespace or "*"
                        )
                    )
                else:
                    items = list(client.list(res, namespace=namespace or "*"))
            except Exception as exc:
                # A kind whose CRD is not installed answers 404, sometimes without a Status
                # body (then lightkube raises its HTTP client's status error, not ApiError).
                if isinstance(exc, ApiError):
                    code = exc.status.code
                else:
                    code = getattr(getattr(exc, "response", None), "status_code", None)
                if code != 404:
                    console.print(f"[red]{kind}: {exc}")
                    raise typer.Exit(1) from exc
                items = []
            for item in items:
                obj = item.to_dict() if hasattr(item, "to_dict") else dict(item)
                obj.setdefault("apiVersion", f"{group}/{version}" if group else version)
                obj.setdefault("kind", kind)
                meta = obj.get("metadata") or {}
                obj["metadata"] = {
                    k: meta[k] for k in ("name", "namespace", "annotations", "labels") if k in meta
                }
                obj.pop("status", None)
                docs.append(obj)
            progress.update(task, advance=1)
    output.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    console.print(f"{len(docs)} resources written to {output}")


@app.command()
def validate(
    kubeconfig: Annotated[Path, typer.Option(help="Kubeconfig of the target cluster")],
    namespace: Annotated[str, typer.Option(help="Namespace of the migrated resources")],
) -> None:
    """Check the migrated routes are Accepted and their backend Services exist."""
    from lightkube.generic_resource import create_namespaced_resource
    from lightkube.resources.core_v1 import Service

    client = _client(kubeconfig)
    services = {s.metadata.name for s in client.list(Service, namespace=namespace) if s.metadata}
    problems = 0
    table = Table(title=f"Migrated routes in {namespace}")
    for column in ("route", "accepted", "missing backends"):
        table.add_column(column)
    for kind, plural, version in (
        ("HTTPRoute", "httproutes", "v1"),
        ("GRPCRoute", "grpcroutes", "v1"),
    ):
        res = create_namespaced_resource("gateway.networking.k8s.io", version, kind, plural)
        for route in client.list(
            res, namespace=namespace, labels={"ngf-console.f5.com/migrated": "true"}
        ):
            obj = route.to_dict() if hasattr(route, "to_dict") else dict(route)
            parents = ((obj.get("status") or {}).get("parents")) or []
            accepted = any(
                c.get("type") == "Accepted" and c.get("status") == "True"
                for p in parents
                for c in p.get("conditions") or []
            )
            missing = sorted(
                {
                    b["name"]
                    for r in obj["spec"].get("rules") or []
                    for b in r.get("backendRefs") or []
                    if not b.get("namespace") and b["name"] not in services
                }
            )
            problems += (not accepted) + len(missing)
            table.add_row(
                f"{kind}/{obj['metadata']['name']}", "yes" if accepted else "no", ", ".join(missing)
            )
    console.print(table)
    raise typer.Exit(0 if problems == 0 else 2)
