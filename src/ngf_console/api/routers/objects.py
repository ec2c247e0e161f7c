"""CRUD of one kind of Kubernetes object the API writes directly: list, get, create,
replace, delete — reads from the watch cache, writes to the API server, every write
authorised, audited, and available as a dry run.

One factory serves parents, routes and policies; what differs per kind (validation before
the write, a preview of a dry run, objects that a delete would break) plugs in.
"""

# No ``from __future__ import annotations``: the routes' Annotated dependencies close over
# the factory's locals, which FastAPI can only see in evaluated annotations.
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import pydantic_core
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from lightkube import AsyncClient
from pydantic import BaseModel, ConfigDict, Field

from ngf_console.api import audit_trail, kube_io, redaction
from ngf_console.api.auth import Action, Guard, ResourceRef, from_body, get_guard, require
from ngf_console.api.bodies import OBJECT_BODY_OPENAPI, object_body
from ngf_console.api.cluster_reads import cached_object
from ngf_console.api.routers.listing import visible_page
from ngf_console.api.state import ClusterDep, ConsoleState, StateDep, StoreDep
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.resource_type import ResourceType

Obj = dict[str, Any]
# Server-set metadata a client may send back from a GET but must not set on create.
_SERVER_METADATA = ("uid", "creationTimestamp", "generation", "managedFields", "selfLink")


class ObjectList(BaseModel):
    """A page of objects."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    items: list[Obj]
    continue_token: str | None = Field(default=None, alias="continue")
    resource_version: str = Field(alias="resourceVersion")
    total: int = Field(description="Objects matching the query across all pages.")


class WriteResult(BaseModel):
    """What a create or replace stored (or, dry run, would store)."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    object: Obj
    dry_run: bool = Field(alias="dryRun")
    preview: Obj | None = Field(
        default=None, description="Kind-specific preview, e.g. a parent's rendered children."
    )
    audit_id: int | None = Field(default=None, alias="auditId")


class Dependant(BaseModel):
    """An object that would break if the one being deleted went away."""

    kind: str
    namespace: str | None
    name: str


class DependantsConflict(BaseModel):
    """The body of a 409 answered to a delete that would break other objects."""

    message: str
    dependants: list[Dependant]


def list_response(
    items: list[Obj], continue_token: str | None, resource_version: str, total: int
) -> Response:
    """An :class:`ObjectList` serialised directly: lists of thousands of objects are the
    hot path of the UI, and validating them into a model first costs more than the read."""
    body = {
        "items": items,
        "continue": continue_token,
        "resourceVersion": resource_version,
        "total": total,
    }
    return Response(pydantic_core.to_json(body), media_type="application/json")


Validate = Callable[[Obj], Obj]
# A dry run's extra answer, from the object and the cluster's NGF edition (pure).
Preview = Callable[[Obj, str], Obj]
Dependants = Callable[[Obj, Cluster], list[Dependant]]


@dataclass(frozen=True)
class ObjectKind:
    """One kind the API writes, and how it differs from the others."""

    type: ResourceType
    path: str  # the collection's URL segment(s), e.g. "httproutes" or "policies/ratelimit"
    tag: str
    validate: Validate | None = None
    preview: Preview | None = None
    dependants: Dependants | None = None
    sensitive: bool = False  # may hold key material (see api/redaction.py)

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.type.group, self.type.plural)


def _prepare(kind: ObjectKind, body: Obj, *, namespace: str | None, name: str | None) -> Obj:
    """Check identity fields and fill defaults, before any validation of the spec."""
    t = kind.type
    api_version, object_kind = (
        body.setdefault("apiVersion", t.api_version),
        body.setdefault("kind", t.kind),
    )
    if api_version != t.api_version or object_kind != t.kind:
        raise HTTPException(
            status_code=400,
            detail={
                "message": f"this route takes {t.api_version} {t.kind}, "
                f"not {api_version} {object_kind}",
                "causes": [{"field": "kind", "message": "wrong kind for this route"}],
            },
        )
    meta = body.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise HTTPException(status_code=400, detail={"message": "metadata must be an object"})
    for field in _SERVER_METADATA:
        meta.pop(field, None)
    body.pop("status", None)  # status belongs to the controllers
    if name is not None:
        if meta.setdefault("name", name) != name:
            raise _mismatch("metadata.name", meta["name"], name)
        if meta.setdefault("namespace", namespace) != namespace:
            raise _mismatch("metadata.namespace", meta["namespace"], namespace)
    if not meta.get("name"):
        raise HTTPException(
            status_code=422,
            detail={
                "message": "metadata.name is required",
                "causes": [{"field": "metadata.name", "message": "Required value"}],
            },
        )
    if t.namespaced and not meta.get("namespace"):
        raise HTTPException(
            status_code=422,
            detail={
                "message": "metadata.namespace is required",
                "causes": [{"field": "metadata.namespace", "message": "Required value"}],
            },
        )
    return kind.validate(body) if kind.validate else body


def _shown(kind: ObjectKind, obj: Obj) -> Obj:
    """The object as responses and the audit log may show it."""
    return redaction.redact(obj) if kind.sensitive else obj


def _restored(kind: ObjectKind, body: Obj, current: Obj | None) -> Obj:
    """Placeholders sent back by the client replaced by the current values (or a 422)."""
    if not kind.sensitive:
        return body
    try:
        return redaction.restore(body, current)
    except redaction.PlaceholderError as err:
        raise HTTPException(
            status_code=422,
            detail={
                "message": str(err),
                "causes": [{"field": err.path, "message": str(err), "reason": "FieldValueInvalid"}],
            },
        ) from err


def _mismatch(field: str, given: object, path: object) -> HTTPException:
    return HTTPException(
        status_code=400,
        detail={
            "message": f"{field} {given!r} does not match the URL's {path!r}",
            "causes": [{"field": field, "message": "does not match the URL"}],
        },
    )


@asynccontextmanager
async def write_client(guard: Guard, cluster: Cluster) -> AsyncIterator[AsyncClient]:
    """The client to write to ``cluster`` for the caller.

    Kubernetes auth mode impersonates the caller with the default cluster's credentials
    (its TokenReview identity means nothing to another cluster); the other modes have
    authorised the caller already and write with the console's own client.
    """
    if guard.principal.kubernetes is None:
        yield cluster.client
        return
    if not cluster.default:
        raise HTTPException(
            status_code=501,
            detail={"message": "kubernetes auth mode writes to the default cluster only"},
        )
    async with guard.kube_client() as client:
        yield client


async def _preview(
    kind: ObjectKind, body: Obj, cluster: Cluster, state: ConsoleState
) -> Obj | None:
    if kind.preview is None:
        return None
    edition = await state.editions.get(cluster)
    return kind.preview(body, edition.edition)


def object_router(kind: ObjectKind) -> APIRouter:
    """The five routes of one kind, under ``/{kind.path}``."""
    router = APIRouter(tags=[kind.tag])
    t, ref, base = kind.type, kind.ref, f"/{kind.path}"
    label = t.kind

    @router.get(base, response_model=ObjectList, name=f"list {label}")
    async def list_objects(
        cluster: ClusterDep,
        # Not require(...): a list across namespaces is filtered below, not refused.
        guard: Annotated[Guard, Depends(get_guard)],
        namespace: Annotated[str | None, Query(description="One namespace (default: all).")] = None,
        label_selector: Annotated[
            str | None, Query(alias="labelSelector", description="Kubernetes label selector.")
        ] = None,
        name: Annotated[str | None, Query(description="Substring of the name.")] = None,
        limit: Annotated[int | None, Query(ge=1, le=5000)] = None,
        continue_token: Annotated[str | None, Query(alias="continue")] = None,
    ) -> Response:
        page = await visible_page(
            cluster,
            t,
            guard,
            namespace=namespace,
            label_selector=label_selector,
            name_contains=name,
            limit=limit,
            continue_token=continue_token,
        )
        items = page.items
        if kind.sensitive:
            items = [redaction.redact(o) for o in items]
        return list_response(items, page.continue_token, page.resource_version, page.total)

    @router.get(f"{base}/{{namespace}}/{{name}}", name=f"get {label}")
    async def get_object(
        namespace: str,
        name: str,
        cluster: ClusterDep,
        _: Annotated[Guard, Depends(require(Action.READ, ref, name_param="name"))],
    ) -> Obj:
        return _shown(kind, cached_object(cluster, t, namespace, name))

    @router.post(
        base,
        response_model=WriteResult,
        status_code=201,
        name=f"create {label}",
        openapi_extra=OBJECT_BODY_OPENAPI,
    )
    async def create_object(
        request: Request,
        response: Response,
        cluster: ClusterDep,
        store: StoreDep,
        state: StateDep,
        body: Annotated[Obj, Depends(object_body)],
        guard: Annotated[Guard, Depends(require(Action.WRITE, ref, namespace=from_body()))],
        dry_run: Annotated[bool, Query(alias="dryRun")] = False,
    ) -> WriteResult:
        body = _restored(kind, _prepare(kind, body, namespace=None, name=None), None)
        async with write_client(guard, cluster) as client:
            created = await kube_io.create(client, t, body, dry_run=dry_run)
        preview = await _preview(kind, body, cluster, state) if dry_run else None
        audit_id = None
        if dry_run:
            response.status_code = 200
        else:
            entry = await audit_trail.record(
                store,
                request,
                guard.principal,
                action="create",
                kind=t.kind,
                namespace=created["metadata"].get("namespace"),
                name=created["metadata"]["name"],
                previous=None,
                new=_shown(kind, created),
            )
            audit_id = entry.id
        return WriteResult(
            object=_shown(kind, created), dry_run=dry_run, preview=preview, audit_id=audit_id
        )

    @router.put(
        f"{base}/{{namespace}}/{{name}}",
        response_model=WriteResult,
        name=f"replace {label}",
        openapi_extra=OBJECT_BODY_OPENAPI,
    )
    async def replace_object(
        namespace: str,
        name: str,
        request: Request,
        cluster: ClusterDep,
        store: StoreDep,
        state: StateDep,
        body: Annotated[Obj, Depends(object_body)],
        guard: Annotated[Guard, Depends(require(Action.WRITE, ref, name_param="name"))],
        dry_run: Annotated[bool, Query(alias="dryRun")] = False,
    ) -> WriteResult:
        resource_version = (body.get("metadata") or {}).get("resourceVersion")
        body = _prepare(kind, body, namespace=namespace, name=name)
        async with write_client(guard, cluster) as client:
            previous = await kube_io.read(client, t, namespace, name)
            if previous is None:
                raise HTTPException(
                    status_code=404, detail={"message": f"{t.kind} {namespace}/{name} not found"}
                )
            body = _restored(kind, body, previous)
            # Without a resourceVersion the caller means "whatever is there now".
            body["metadata"]["resourceVersion"] = (
                resource_version or previous["metadata"]["resourceVersion"]
            )
            replaced = await kube_io.replace(client, t, body, dry_run=dry_run)
        preview = await _preview(kind, body, cluster, state) if dry_run else None
        audit_id = None
        if not dry_run:
            entry = await audit_trail.record(
                store,
                request,
                guard.principal,
                action="update",
                kind=t.kind,
                namespace=namespace,
                name=name,
                previous=_shown(kind, previous),
                new=_shown(kind, replaced),
            )
            audit_id = entry.id
        return WriteResult(
            object=_shown(kind, replaced), dry_run=dry_run, preview=preview, audit_id=audit_id
        )

    @router.delete(
        f"{base}/{{namespace}}/{{name}}",
        status_code=204,
        name=f"delete {label}",
        responses={409: {"model": DependantsConflict}},
    )
    async def delete_object(
        namespace: str,
        name: str,
        request: Request,
        cluster: ClusterDep,
        store: StoreDep,
        guard: Annotated[Guard, Depends(require(Action.WRITE, ref, name_param="name"))],
        dry_run: Annotated[bool, Query(alias="dryRun")] = False,
        force: Annotated[
            bool, Query(description="Delete even if other objects depend on it.")
        ] = False,
    ) -> Response:
        async with write_client(guard, cluster) as client:
            previous = await kube_io.read(client, t, namespace, name)
            if previous is None:
                raise HTTPException(
                    status_code=404, detail={"message": f"{t.kind} {namespace}/{name} not found"}
                )
            if kind.dependants and not force:
                dependants = kind.dependants(previous, cluster)
                if dependants:
                    conflict = DependantsConflict(
                        message=f"{len(dependants)} object(s) depend on {t.kind} "
                        f"{namespace}/{name}; pass force=true to delete anyway",
                        dependants=dependants,
                    )
                    raise HTTPException(status_code=409, detail=conflict.model_dump())
            await kube_io.delete(client, t, namespace, name, dry_run=dry_run)
        if not dry_run:
            await audit_trail.record(
                store,
                request,
                guard.principal,
                action="delete",
                kind=t.kind,
                namespace=namespace,
                name=name,
                previous=_shown(kind, previous),
                new=None,
                metadata={"force": force} if force else None,
            )
        return Response(status_code=204)

    return router
