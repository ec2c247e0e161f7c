"""Every mutation the API makes is recorded in the config DB's audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request

from ngf_console.api.auth import Principal
from ngf_console.store import AuditEntry, Store


async def record(
    store: Store,
    request: Request,
    principal: Principal,
    *,
    action: str,
    kind: str,
    namespace: str | None,
    name: str,
    previous: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    metadata: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """One audit row: who, what, before, after (the store computes the diff)."""
    # The username is what the log shows and filters by (``user_email``): an OIDC user's
    # email by default, a Kubernetes user's name otherwise.
    user = await store.users.get_or_create(principal.username, email=principal.username)
    return await store.audit.record(
        user_id=user.id,
        action=action,
        kind=kind,
        namespace=namespace,
        name=name,
        previous=previous,
        new=new,
        request_id=getattr(request.state, "request_id", None),
        metadata={"cluster": request.path_params.get("cluster"), **(metadata or {})},
    )
