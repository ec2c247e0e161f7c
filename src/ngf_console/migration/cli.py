"""``ngf-migrate``: plan a migration offline; scan a source cluster; apply a plan through a
MigrationPlan (the operator applies it in phases); validate the result.

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


_TERMINAL = frozenset({"Completed", "Applied", "Failed"})


@app.command()
def apply(
    plan_dir: Annotated[Path, typer.Option("--plan", help="Directory written by `plan`")],
    kubeconfig: Annotated[Path, typer.Option(help="Kubeconfig of the target cluster")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Server-side dry run: nothing is stored")
    ] = False,
    namespace: Annotated[
        str | None, typer.Option(help="Namespace of the plan (default: the manifests')")
    ] = None,
    name: Annotated[str | None, typer.Option(help="MigrationPlan name (default: dir name)")] = None,
    pause_between: Annotated[
        str | None, typer.Option(help='Pause between resources, e.g. "10s" (default 30s)')
    ] = None,
    wait: Annotated[bool, typer.Option(help="Follow the phased apply until it ends")] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to follow it")] = 1800.0,
) -> None:
    """Create a MigrationPlan from a plan directory; the operator applies it in phases."""
    from ngf_console.migration.plan_dir import PlanDirError, plan_from_directory

    try:
        doc = plan_from_directory(plan_dir, name=name, namespace=namespace)
    except PlanDirError as err:
        console.print(f"[red]{err}")
        raise typer.Exit(1) from err
    if pause_between is not None:
        doc["spec"]["strategy"] = {"phased": True, "pauseBetween": pause_between}
    client = _client(kubeconfig)
    if dry_run:
        raise typer.Exit(_dry_run(client, doc))
    meta = doc["metadata"]
    try:
        _send(client, "POST", _plans_path(meta["namespace"]), doc)
    except RuntimeError as err:
        console.print(f"[red]creating MigrationPlan {meta['namespace']}/{meta['name']}: {err}")
        raise typer.Exit(1) from err
    enabled = sum(1 for r in doc["spec"]["resources"] if r["enabled"])
    console.print(
        f"MigrationPlan {meta['namespace']}/{meta['name']} created: {enabled} resource(s) to "
        "apply in phases"
    )
    if not wait:
        raise typer.Exit(0)
    raise typer.Exit(_follow(client, meta["namespace"], meta["name"], enabled, timeout))


def _plans_path(namespace: str) -> str:
    return f"/apis/ngf-console.f5.com/v1alpha1/namespaces/{namespace}/migrationplans"


def _send(
    client: Any, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
) -> Any:
    """A JSON request through lightkube's HTTP client; RuntimeError with the API's message.

    A PATCH is a server-side apply (JSON is YAML).
    """
    http = client._client._client  # lightkube's HTTP client: base URL, TLS, credentials
    headers = {"Content-Type": "application/apply-patch+yaml"} if method == "PATCH" else {}
    content = None if body is None else json.dumps(body)
    if method != "PATCH" and body is not None:
        headers["Content-Type"] = "application/json"
    response = http.request(method, path, content=content, params=params or {}, headers=headers)
    if response.status_code >= 400:
        try:
            message = response.json().get("message", response.text)
        except ValueError:
            message = response.text
        raise RuntimeError(f"{response.status_code}: {message}")
    return response.json()


def _dry_run(client: Any, doc: dict[str, Any]) -> int:
    """Server-side dry run of the plan and of each enabled resource; 0 when all pass."""
    meta = doc["metadata"]
    table = Table(title=f"Dry run of MigrationPlan {meta['namespace']}/{meta['name']}")
    for column in ("resource", "source", "confidence", "result"):
        table.add_column(column)
    problems = 0
    try:
        _send(client, "POST", _plans_path(meta["namespace"]), doc, {"dryRun": "All"})
        table.add_row(f"MigrationPlan/{meta['name']}", "", "", "accepted")
    except RuntimeError as err:
        problems += 1
        table.add_row(f"MigrationPlan/{meta['name']}", "", "", f"[red]{err}")
    for resource in doc["spec"]["resources"]:
        body = yaml.safe_load(resource["generatedYAML"])
        label = f"{body['kind']}/{body['metadata']['name']}"
        if not resource["enabled"]:
            table.add_row(label, resource["sourceRef"], resource["confidence"], "skipped")
            continue
        try:
            _send(client, "PATCH", _object_path(client, body), body, _DRY_APPLY)
            result = "accepted"
        except (RuntimeError, LookupError) as err:
            problems += 1
            result = f"[red]{err}"
        table.add_row(label, resource["sourceRef"], resource["confidence"], result)
    console.print(table)
    return 0 if problems == 0 else 2


_DRY_APPLY = {"dryRun": "All", "fieldManager": "ngf-migrate", "force": "true"}


def _object_path(client: Any, body: dict[str, Any]) -> str:
    """The object's URL, its plural from the cluster's discovery (LookupError if unserved)."""
    api_version, kind = body["apiVersion"], body["kind"]
    base = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
    try:
        resources = _send(client, "GET", base).get("resources") or []
    except RuntimeError as err:
        raise LookupError(f"{kind} is not served by this cluster ({api_version})") from err
    plural = next(
        (r["name"] for r in resources if r.get("kind") == kind and "/" not in r["name"]), None
    )
    if plural is None:
        raise LookupError(f"{kind} is not served by this cluster ({api_version})")
    meta = body["metadata"]
    return f"{base}/namespaces/{meta['namespace']}/{plural}/{meta['name']}"


def _follow(client: Any, namespace: str, name: str, enabled: int, timeout: float) -> int:
    """Show per-resource progress from the plan's status until it ends; the exit code."""
    import time

    path = f"{_plans_path(namespace)}/{name}"
    deadline = time.monotonic() + timeout
    shown: set[str] = set()
    status: dict[str, Any] = {}
    with Progress(console=console) as progress:
        task = progress.add_task("waiting for the operator", total=enabled or 1)
        while time.monotonic() < deadline:
            status = _send(client, "GET", path).get("status") or {}
            entries = status.get("resourceStatuses") or []
            for entry in entries:
                key = f"{entry['kind']}/{entry['name']}"
                # An entry is shown once its step is over: accepted, refused or failed.
                if key in shown or not (entry.get("healthy") or entry.get("error")):
                    continue
                shown.add(key)
                mark = "[red]✗" if entry.get("error") else "[green]✓"
                progress.console.print(f"{mark}[/] {key}: {entry.get('error') or 'accepted'}")
            phase = status.get("phase") or "Analyzing"
            progress.update(task, completed=len(entries), description=phase)
            if phase in _TERMINAL and len(entries) >= enabled:
                break
            time.sleep(1)
        else:
            console.print(f"[yellow]still {status.get('phase')} after {timeout:g}s")
            return 2
    console.print(
        f"{status.get('phase')}: {status.get('appliedResources', 0)} applied, "
        f"{status.get('failedResources', 0)} failed"
    )
    return 0 if status.get("phase") == "Completed" else 2
