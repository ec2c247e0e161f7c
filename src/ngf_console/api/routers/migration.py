"""Migration projects (spec §3.9.3): import → analysis → generate → apply → validate.

A project lives in the config DB (``migration_projects``): the imported source (a YAML
bundle or an nginx.conf), the engine's report and the generated resources. It belongs to a
namespace — the one its MigrationPlan will be created in — and the caller needs the rights
on ``migrationplans`` there: write to import, generate and apply, read to see the analysis
and the validation. Applying creates a MigrationPlan parent; the operator applies its
resources in phases (the API never creates them itself). Every write is audited.
"""

# No ``from __future__ import annotations``: FastAPI reads the Annotated dependencies.
import asyncio
import uuid
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ngf_console.api import audit_trail, kube_io
from ngf_console.api.auth import Action, Guard, ResourceRef, from_body, get_guard, require
from ngf_console.api.cluster_reads import all_cached
from ngf_console.api.routers.objects import write_client
from ngf_console.api.state import ClusterDep, StoreDep
from ngf_console.crd import GROUP
from ngf_console.kube.served_types import PARENT_TYPES, SERVED_TYPES
from ngf_console.migration.plan import MigrationResult, plan_text
from ngf_console.operator.migration_source import confined
from ngf_console.operator.migration_steps import acceptance
from ngf_console.store import MigrationProject, MigrationProjectInput, MigrationProjectPatch

Obj = dict[str, Any]
MIGRATION_PLANS = ResourceRef(GROUP, "migrationplans")
_PLAN_TYPE = next(t for t in PARENT_TYPES if t.kind == "MigrationPlan")
_SOURCE_TYPES = {
    "Ingress": "ingress",
    "VirtualServer": "virtualserver",
    "VirtualServerRoute": "virtualserver",
    "TransportServer": "transportserver",
}


class ImportRequest(BaseModel):
    """A source to migrate: a YAML bundle (e.g. ``ngf-migrate scan`` output) or nginx.conf."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    namespace: str = Field(
        min_length=1,
        max_length=63,
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        description="Where the project's MigrationPlan will be created.",
    )
    format: Literal["yaml", "nginx-conf"] = "yaml"
    content: str = Field(min_length=1, description="The YAML bundle or the nginx.conf text.")


class ProjectView(BaseModel):
    """A project as the API shows it (the source text left out)."""

    id: uuid.UUID
    name: str
    namespace: str
    format: str
    status: str
    summary: Obj = Field(default_factory=dict, description="The engine's report summary.")
    resources: int = Field(description="Generated resources.")
    plan: Obj | None = Field(default=None, description="The MigrationPlan it was applied as.")
    audit_id: int | None = None


class GenerateRequest(BaseModel):
    """Options of a (re)generation."""

    model_config = ConfigDict(extra="forbid")

    gateway_name: str = Field(
        default="ngf-migrated", pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63
    )


class ApplyRequest(BaseModel):
    """How to create the project's MigrationPlan."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        default=None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63
    )
    apply: bool = Field(default=True, description="Set spec.apply (else: created for review).")
    pause_between: str | None = Field(default=None, pattern=r"^([0-9]{1,5}(h|m|s|ms)){1,4}$")
    dry_run: bool = False


class ResourceCheck(BaseModel):
    """One generated resource in the cluster (from the watch cache)."""

    kind: str
    name: str
    exists: bool
    accepted: bool | None = None
    message: str = ""
    missing_backends: list[str] = Field(default_factory=list)


class ValidationView(BaseModel):
    """The project's resources as the cluster shows them, and the plan's progress."""

    plan_phase: str | None
    valid: bool
    resources: list[ResourceCheck]


def _view(project: MigrationProject, audit_id: int | None = None) -> ProjectView:
    cfg = project.source_config
    return ProjectView(
        id=project.id,
        name=project.name,
        namespace=cfg.get("namespace", ""),
        format=cfg.get("format", "yaml"),
        status=project.status,
        summary=(project.analysis_result or {}).get("summary", {}),
        resources=len(project.generated_resources),
        plan=cfg.get("plan"),
        audit_id=audit_id,
    )


async def _convert(fmt: str, content: str, gateway_name: str = "ngf-migrated") -> MigrationResult:
    def run() -> MigrationResult:
        if fmt == "nginx-conf":
            return plan_text(content, nginx_conf_text=True, name="nginx.conf")
        from ngf_console.migration.loader import LoadedInput, load_text
        from ngf_console.migration.plan import convert

        loaded = LoadedInput()
        load_text(content, "import.yaml", loaded)
        return convert(loaded, gateway_name=gateway_name)

    try:
        return await asyncio.to_thread(run)
    except Exception as err:  # the engine reports bad input; anything else is still the input's
        raise HTTPException(
            status_code=422, detail={"message": f"the source could not be converted: {err}"}
        ) from err


def _project_guard(action: Action, verb: str) -> Any:
    """Authorise against the project's namespace (a missing project: the one asked for, so
    that a 404 tells nothing to those who may not act there)."""

    async def dependency(
        project: str,
        request: Request,
        store: StoreDep,
        guard: Annotated[Guard, Depends(get_guard)],
    ) -> tuple[Guard, MigrationProject]:
        try:
            found = await store.migration_projects.get(uuid.UUID(project))
        except ValueError:
            found = None
        namespace = (
            found.source_config.get("namespace")
            if found is not None
            else request.query_params.get("namespace")
        )
        await guard.authorize(action, MIGRATION_PLANS, namespace or None, verb=verb)
        if found is None:
            raise HTTPException(
                status_code=404, detail={"message": f"no migration project {project}"}
            )
        return guard, found

    return dependency


ProjectWrite = Annotated[
    tuple[Guard, MigrationProject], Depends(_project_guard(Action.WRITE, "update"))
]
ProjectRead = Annotated[tuple[Guard, MigrationProject], Depends(_project_guard(Action.READ, "get"))]


def _source_type(project: MigrationProject) -> str:
    if project.source_config.get("format") == "nginx-conf":
        return "nginx-conf"
    kinds = [r.get("kind", "") for r in (project.analysis_result or {}).get("resources") or []]
    return next((_SOURCE_TYPES[k] for k in kinds if k in _SOURCE_TYPES), "ingress")


def router() -> APIRouter:
    """``/migration`` routes."""
    routes = APIRouter(tags=["migration"])

    @routes.post("/migration/import", response_model=ProjectView, status_code=201)
    async def import_source(
        body: ImportRequest,
        request: Request,
        store: StoreDep,
        guard: Annotated[
            Guard,
            Depends(require(Action.WRITE, MIGRATION_PLANS, namespace=from_body("namespace"))),
        ],
    ) -> ProjectView:
        result = await _convert(body.format, body.content)
        project = await store.migration_projects.create(
            MigrationProjectInput(
                name=body.name,
                source_type="file",
                source_config={
                    "namespace": body.namespace,
                    "format": body.format,
                    "content": body.content,
                },
                analysis_result=result.report.model_dump(mode="json"),
                generated_resources=confined(result.resources(), body.namespace),
                status="analyzed",
            )
        )
        entry = await audit_trail.record(
            store,
            request,
            guard.principal,
            action="create",
            kind="MigrationProject",
            namespace=body.namespace,
            name=body.name,
            previous=None,
            new=_view(project).model_dump(mode="json"),
            metadata={"project": str(project.id)},
        )
        return _view(project, entry.id)

    @routes.get("/migration/{project}/analysis")
    async def analysis(found: ProjectRead) -> Obj:
        _, project = found
        return {
            "project": _view(project).model_dump(mode="json"),
            "report": project.analysis_result or {},
        }

    @routes.post("/migration/{project}/generate")
    async def generate(
        found: ProjectWrite,
        request: Request,
        store: StoreDep,
        body: GenerateRequest | None = None,
    ) -> Obj:
        guard, project = found
        options = body or GenerateRequest()
        cfg = project.source_config
        result = await _convert(
            cfg.get("format", "yaml"), cfg.get("content", ""), options.gateway_name
        )
        resources = confined(result.resources(), cfg.get("namespace", ""))
        updated = await store.migration_projects.update(
            project.id,
            MigrationProjectPatch(
                analysis_result=result.report.model_dump(mode="json"),
                generated_resources=resources,
                status="reviewed",
            ),
        )
        if updated is None:
            raise HTTPException(status_code=404, detail={"message": "the project was deleted"})
        entry = await audit_trail.record(
            store,
            request,
            guard.principal,
            action="update",
            kind="MigrationProject",
            namespace=cfg.get("namespace"),
            name=project.name,
            previous=_view(project).model_dump(mode="json"),
            new=_view(updated).model_dump(mode="json"),
            metadata={"project": str(project.id), "generate": options.model_dump()},
        )
        return {"project": _view(updated, entry.id).model_dump(mode="json"), "resources": resources}

    @routes.post("/migration/{project}/apply", status_code=201)
    async def apply(
        found: ProjectWrite,
        request: Request,
        cluster: ClusterDep,
        store: StoreDep,
        body: ApplyRequest | None = None,
        dry_run: Annotated[bool, Query(alias="dryRun")] = False,
    ) -> Obj:
        guard, project = found
        options = body or ApplyRequest()
        dry_run = dry_run or options.dry_run
        cfg = project.source_config
        namespace = cfg["namespace"]
        name = options.name or f"migration-{str(project.id)[:8]}"
        spec: Obj = {
            "source": {"type": _source_type(project), "sourceYAML": cfg.get("content", "")},
            "resources": project.generated_resources,
            "apply": options.apply,
        }
        if options.pause_between is not None:
            spec["strategy"] = {"phased": True, "pauseBetween": options.pause_between}
        plan = {
            "apiVersion": _PLAN_TYPE.api_version,
            "kind": "MigrationPlan",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": {"ngf-console.f5.com/migration-project": str(project.id)},
            },
            "spec": spec,
        }
        # The MigrationPlan's own write right, checked like any create (kubernetes mode).
        await guard.authorize(Action.WRITE, MIGRATION_PLANS, namespace, verb="create")
        async with write_client(guard, cluster) as client:
            created = await kube_io.create(client, _PLAN_TYPE, plan, dry_run=dry_run)
        if dry_run:
            return {"object": created, "dryRun": True, "auditId": None}
        entry = await audit_trail.record(
            store,
            request,
            guard.principal,
            action="create",
            kind="MigrationPlan",
            namespace=namespace,
            name=name,
            previous=None,
            new=created,
            metadata={"project": str(project.id)},
        )
        await store.migration_projects.update(
            project.id,
            MigrationProjectPatch(
                status="applied",
                source_config={**cfg, "plan": {"namespace": namespace, "name": name}},
            ),
        )
        return {"object": created, "dryRun": False, "auditId": entry.id}

    @routes.get("/migration/{project}/validate", response_model=ValidationView)
    async def validate(found: ProjectRead, cluster: ClusterDep) -> ValidationView:
        _, project = found
        namespace = project.source_config.get("namespace", "")
        plan_ref = project.source_config.get("plan") or {}
        phase = None
        if plan_ref:
            plan = next(
                (
                    p
                    for p in all_cached(cluster, _PLAN_TYPE)
                    if p["metadata"].get("namespace") == plan_ref.get("namespace")
                    and p["metadata"]["name"] == plan_ref.get("name")
                ),
                None,
            )
            phase = ((plan or {}).get("status") or {}).get("phase")
        services = {
            s["metadata"]["name"]
            for t in SERVED_TYPES
            if t.kind == "Service"
            for s in all_cached(cluster, t)
            if s["metadata"].get("namespace") == namespace
        }
        checks = []
        for resource in project.generated_resources:
            if not resource.get("enabled", True):
                continue
            body = yaml.safe_load(resource.get("generatedYAML") or "") or {}
            checks.append(_check(cluster, body, namespace, services))
        valid = all(c.exists and c.accepted is not False and not c.missing_backends for c in checks)
        return ValidationView(plan_phase=phase, valid=valid and bool(checks), resources=checks)

    return routes


def _check(cluster: Any, body: Obj, namespace: str, services: set[str]) -> ResourceCheck:
    kind = str(body.get("kind", ""))
    name = str((body.get("metadata") or {}).get("name", ""))
    types = [t for t in SERVED_TYPES if t.kind == kind and t.api_version == body.get("apiVersion")]
    live = next(
        (
            o
            for t in types
            for o in all_cached(cluster, t)
            if o["metadata"].get("namespace") == namespace and o["metadata"]["name"] == name
        ),
        None,
    )
    if live is None:
        message = "not in the cluster" if types else "kind not watched by the console"
        return ResourceCheck(kind=kind, name=name, exists=False, message=message)
    verdict, message = acceptance(kind, live)
    missing = sorted(
        {
            b["name"]
            for r in (body.get("spec") or {}).get("rules") or []
            for b in r.get("backendRefs") or []
            if b.get("kind", "Service") == "Service"
            and not b.get("namespace")
            and b.get("name") not in services
        }
    )
    return ResourceCheck(
        kind=kind,
        name=name,
        exists=True,
        accepted=verdict,
        message=message,
        missing_backends=missing,
    )
