"""kopf handlers: each says when to reconcile; the Reconciler says how.

- a parent created, changed or found at start-up -> reconcile it;
- every ``resync`` seconds -> reconcile it (the periodic drift pass);
- a managed child changed or deleted -> reconcile its parent at once;
- a parent deleted -> release what owner references cannot clean up (finalizer).
"""

from __future__ import annotations

from typing import Any

import kopf

from ngf_console.crd import GROUP, KINDS_BY_NAME, VERSION
from ngf_console.operator.reconciler import ParentUnavailableError, Reconciler
from ngf_console.operator.shared import USERS_ANNOTATION
from ngf_console.render import watched_child_kinds
from ngf_console.render.common import (
    MANAGED_BY,
    MANAGED_BY_LABEL,
    PARENT_KIND_LABEL,
    PARENT_NAME_LABEL,
)

RECONCILED_KINDS = ("InferenceStack", "GatewayBundle")


def register(registry: kopf.OperatorRegistry, reconciler: Reconciler, resync: float) -> None:
    """Register every handler of the operator in ``registry``."""
    for kind in RECONCILED_KINDS:
        _register_parent(registry, reconciler, kind, resync)
    _register_children(registry, reconciler)


def _register_parent(
    registry: kopf.OperatorRegistry, reconciler: Reconciler, kind: str, resync: float
) -> None:
    plural = KINDS_BY_NAME[kind].plural

    async def reconcile(*, name: str, namespace: str | None, **_: Any) -> None:
        try:
            await reconciler.reconcile(kind, namespace or "default", name, must_exist=True)
        except ParentUnavailableError as err:
            raise kopf.TemporaryError(str(err), delay=2) from err

    async def finalize(*, body: kopf.Body, **_: Any) -> None:
        await reconciler.finalize(kind, dict(body))

    for decorator in (kopf.on.resume, kopf.on.create, kopf.on.update):
        decorator(GROUP, VERSION, plural, registry=registry, id=f"reconcile-{plural}")(reconcile)
    # The first periodic pass waits one interval: create/resume already reconciled the parent.
    kopf.timer(
        GROUP,
        VERSION,
        plural,
        registry=registry,
        interval=resync,
        initial_delay=resync,
        id=f"resync-{plural}",
    )(reconcile)
    kopf.on.delete(GROUP, VERSION, plural, registry=registry, id=f"finalize-{plural}")(finalize)


def _register_children(registry: kopf.OperatorRegistry, reconciler: Reconciler) -> None:
    async def child_changed(*, body: kopf.Body, **_: Any) -> None:
        labels = body.metadata.labels or {}
        parents: list[tuple[str, str, str]] = []
        if labels.get(PARENT_KIND_LABEL) in RECONCILED_KINDS and labels.get(PARENT_NAME_LABEL):
            parents.append(
                (
                    labels[PARENT_KIND_LABEL],
                    body.metadata.namespace or "",
                    labels[PARENT_NAME_LABEL],
                )
            )
        # A shared child names its users: each must restore it.
        users = (body.metadata.annotations or {}).get(USERS_ANNOTATION, "")
        for user in filter(None, users.split(",")):
            kind, namespace, name = user.split("/", 2)
            parents.append((kind, namespace, name))
        for kind, namespace, name in parents:
            if kind in RECONCILED_KINDS:
                await reconciler.reconcile(kind, namespace, name)

    for group, version, plural in watched_child_kinds():
        kopf.on.event(
            group,
            version,
            plural,
            registry=registry,
            labels={MANAGED_BY_LABEL: MANAGED_BY},
            id=f"child-{plural}.{group or 'core'}",
        )(child_changed)
