"""The five parent kinds (spec §5.1): the UI's and GitOps' write path.

A parent is validated by the same pydantic models the CRDs are generated from (field paths
in the 422), then by the API server (schema and CEL rules). A dry run also returns the
children the operator would render for it — the operator's renderers, not a copy.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import ValidationError

from ngf_console.api.cluster_reads import snapshot
from ngf_console.api.redaction import redact
from ngf_console.api.routers.objects import Dependant, ObjectKind, object_router
from ngf_console.crd import PARENT_KINDS, ParentKind
from ngf_console.kube.clusters import Cluster
from ngf_console.kube.served_types import PARENT_TYPES
from ngf_console.readmodel.gateways import dependants_of_gateway_bundle
from ngf_console.render import RenderError, RenderOptions, render_parent

Obj = dict[str, Any]


def _validator(parent: ParentKind) -> Any:
    def validate(body: Obj) -> Obj:
        try:
            parent.resource.model_validate(body)
        except ValidationError as err:
            raise HTTPException(
                status_code=422,
                detail={
                    "message": f"invalid {parent.kind}",
                    "causes": [
                        {
                            "field": ".".join(str(p) for p in e["loc"]),
                            "message": e["msg"],
                            "reason": e["type"],
                        }
                        for e in err.errors()
                    ],
                },
            ) from err
        return body

    return validate


def _previewer(parent: ParentKind) -> Any:
    def preview(body: Obj, edition: str) -> Obj:
        model = parent.resource.model_validate(body)
        try:
            result = render_parent(model, RenderOptions(edition=edition))  # type: ignore[arg-type]
        except RenderError as err:
            return {"edition": edition, "error": str(err), "field": err.field_path, "children": []}
        return {
            "edition": edition,
            # The rendered TLS Secrets hold the key: shown by shape, never by value.
            "children": [redact(m) for m in result.manifests],
            "withheld": [
                {"kind": w.kind, "name": w.name, "reason": w.reason, "code": w.code}
                for w in result.withheld
            ],
            "warnings": list(result.warnings),
        }

    return preview


def _bundle_dependants(bundle: Obj, cluster: Cluster) -> list[Dependant]:
    found = dependants_of_gateway_bundle(bundle, snapshot(cluster))
    return [Dependant(kind=r.kind, namespace=r.namespace, name=r.name) for r in found.routes] + [
        Dependant(kind=s.kind, namespace=s.namespace, name=s.name) for s in found.inference_stacks
    ]


def router() -> APIRouter:
    """CRUD routes of every parent kind."""
    routes = APIRouter()
    types = {t.kind: t for t in PARENT_TYPES}
    for parent in PARENT_KINDS:
        kind = ObjectKind(
            type=types[parent.kind],
            path=parent.plural,
            tag="parents",
            validate=_validator(parent),
            preview=_previewer(parent),
            dependants=_bundle_dependants if parent.kind == "GatewayBundle" else None,
            sensitive=True,
        )
        routes.include_router(object_router(kind))
    return routes
