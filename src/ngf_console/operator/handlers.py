"""kopf handlers: each says when to reconcile; the Reconciler says how.

- a parent created, changed or found at start-up -> enqueue it;
- every ``resync`` seconds -> enqueue it (the periodic drift pass);
- a managed child changed or deleted -> record it; enqueue its parent (or heal it, shared);
- a parent deleted -> release what owner references cannot clean up (finalizer);
- a MigrationPlan created, changed, found at start-up or due a resync -> enqueue it under
  its own key (operator/migration_plan.py); it needs no finalizer (what it applied outlives
  it) and has no children to watch (its passes poll what they wait for).

Handlers return at once: the reconciler's work queue runs the passes.
"""

from __future__ import annotations

from typing import Any

import kopf

from ngf_console.crd import GROUP, KINDS_BY_NAME, VERSION
from ngf_console.operator.migration_plan import MigrationWork
from ngf_console.operator.reconciler import RECONCILED_KINDS, Reconciler
from ngf_console.render import watched_child_kinds
from ngf_console.render.common import MANAGED_BY, MANAGED_BY_LABEL


def register(registry: kopf.OperatorRegistry, reconciler: Reconciler, resync: float) -> None:
    """Register every handler of the operator in ``registry``."""
    for kind in RECONCILED_KINDS:
        _register_parent(registry, reconciler, kind, resync)
    _register_migration_plans(registry, reconciler, resync)
    _register_children(registry, reconciler)


def _register_parent(
    registry: kopf.OperatorRegistry, reconciler: Reconciler, kind: str, resync: float
) -> None:
    plural = KINDS_BY_NAME[kind].plural

    async def reconcile(*, name: str, namespace: str | None, **_: Any) -> None:
        reconciler.enqueue(kind, namespace or "default", name, must_exist=True)

    async def periodic(*, name: str, namespace: str | None, **_: Any) -> None:
        reconciler.enqueue(kind, namespace or "default", name, must_exist=True, urgent=False)

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
    )(periodic)
    kopf.on.delete(GROUP, VERSION, plural, registry=registry, id=f"finalize-{plural}")(finalize)


def _register_migration_plans(
    registry: kopf.OperatorRegistry, reconciler: Reconciler, resync: float
) -> None:
    plural = KINDS_BY_NAME["MigrationPlan"].plural

    async def reconcile(*, name: str, namespace: str | None, **_: Any) -> None:
        reconciler.queue.add(MigrationWork(namespace or "default", name))

    async def periodic(*, name: str, namespace: str | None, **_: Any) -> None:
        reconciler.queue.add(MigrationWork(namespace or "default", name), urgent=False)

    for decorator in (kopf.on.resume, kopf.on.create, kopf.on.update):
        decorator(GROUP, VERSION, plural, registry=registry, id=f"reconcile-{plural}")(reconcile)
    kopf.timer(
        GROUP,
        VERSION,
        plural,
        registry=registry,
        interval=resync,
        initial_delay=resync,
        id=f"resync-{plural}",
    )(periodic)


def _register_children(registry: kopf.OperatorRegistry, reconciler: Reconciler) -> None:
    async def child_changed(*, event: kopf.RawEvent, **_: Any) -> None:
        # async: kopf runs sync handlers in threads, and the queue belongs to the loop.
        # The raw event is plain JSON, which the index keeps (kopf's Body is a view).
        reconciler.child_event(event.get("type"), event["object"])

    for group, version, plural in watched_child_kinds():
        kopf.on.event(
            group,
            version,
            plural,
            registry=registry,
            labels={MANAGED_BY_LABEL: MANAGED_BY},
            id=f"child-{plural}.{group or 'core'}",
        )(child_changed)
