"""What every rendered child shares: labels, names, metadata and the owner reference.

Renderers are pure: a parent model in, plain manifest dicts out. The owner reference needs
the parent's uid, which exists only once the parent is stored; a parent without one (the
API's dry-run preview of a resource not yet created) renders children without it.
"""

from __future__ import annotations

from typing import Any

from ngf_console.crd.common import ParentResource

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "ngf-console"
PARENT_KIND_LABEL = "ngf-console.f5.com/parent-kind"
PARENT_NAME_LABEL = "ngf-console.f5.com/parent-name"
# Kind-specific label keys, so that `kubectl get all -l ngf-console.f5.com/stack=x` works.
KIND_LABELS = {
    "InferenceStack": "ngf-console.f5.com/stack",
    "GatewayBundle": "ngf-console.f5.com/gateway-bundle",
    "CertificateBundle": "ngf-console.f5.com/certificate-bundle",
    "MigrationPlan": "ngf-console.f5.com/migration-plan",
    "DistributedCloudPublish": "ngf-console.f5.com/distributed-cloud-publish",
}
# Children shared by several parents (the DCGM exporter) carry this label instead of one
# parent's labels; the operator tracks their users (operator/shared.py).
SHARED_LABEL = "ngf-console.f5.com/shared"
FIELD_MANAGER = "ngf-console-operator"

Manifest = dict[str, Any]


def parent_kind(parent: ParentResource) -> str:
    """The parent's kind (``InferenceStack``, ...), from its model class."""
    kind = getattr(parent, "kind", None)
    if not isinstance(kind, str):
        raise TypeError(f"{type(parent).__name__} has no kind")
    return kind


def parent_name(parent: ParentResource) -> str:
    name = parent.metadata.name
    if not name:
        raise ValueError("a parent resource needs metadata.name to render its children")
    return name


def parent_namespace(parent: ParentResource) -> str:
    """The parent's namespace (``default`` when the manifest names none)."""
    return parent.metadata.namespace or "default"


def child_labels(parent: ParentResource, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Labels that mark a child as managed by the console and name its parent."""
    kind, name = parent_kind(parent), parent_name(parent)
    labels = {
        MANAGED_BY_LABEL: MANAGED_BY,
        PARENT_KIND_LABEL: kind,
        PARENT_NAME_LABEL: name,
        KIND_LABELS[kind]: name,
    }
    return labels | (extra or {})


def owner_reference(parent: ParentResource) -> dict[str, Any] | None:
    """The controller owner reference to ``parent``, or None if it has no uid yet."""
    uid = (parent.metadata.model_extra or {}).get("uid")
    if not uid:
        return None
    return {
        "apiVersion": parent.api_version,
        "kind": parent_kind(parent),
        "name": parent_name(parent),
        "uid": uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def child_metadata(
    parent: ParentResource,
    name: str,
    *,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    namespace: str | None = None,
    owned: bool = True,
) -> dict[str, Any]:
    """``metadata`` of a child: name, namespace (the parent's by default), labels, owner.

    ``owned=False`` is for children that cannot carry an owner reference (another namespace,
    or shared between parents); the operator cleans those up with a finalizer.
    """
    meta: dict[str, Any] = {
        "name": name,
        "namespace": namespace or parent_namespace(parent),
        "labels": child_labels(parent, labels),
    }
    if annotations:
        meta["annotations"] = annotations
    owner = owner_reference(parent) if owned else None
    if owner is not None and meta["namespace"] == parent_namespace(parent):
        meta["ownerReferences"] = [owner]
    return meta
