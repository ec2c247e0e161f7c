"""A lightkube client that acts as another user (Kubernetes user impersonation).

The API server's own credentials authenticate the connection; ``Impersonate-*`` headers
name the user on whose behalf each request is made, and the cluster's RBAC authorizes
the request as that user. The server's identity needs the ``impersonate`` verb on
``users``, ``groups`` (and ``userextras/*``, ``uids`` when those are passed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote

import httpx2
from lightkube import AsyncClient, KubeConfig
from lightkube.config.kubeconfig import SingleConfig

from ngf_console.api.auth.principal import KubernetesIdentity


def impersonation_headers(
    username: str,
    groups: Sequence[str] = (),
    *,
    uid: str | None = None,
    extra: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[str, str]]:
    """The ``Impersonate-*`` headers for a user; one ``Impersonate-Group`` per group.

    Raises:
        ValueError: a value would not survive as a header (empty username, line breaks).
    """
    if not username:
        raise ValueError("cannot impersonate an empty username")
    headers = [("Impersonate-User", username)]
    headers += [("Impersonate-Group", group) for group in groups]
    if uid:
        headers.append(("Impersonate-Uid", uid))
    for key, values in (extra or {}).items():
        # Header names are case-insensitive and restricted; the API server percent-decodes.
        name = "Impersonate-Extra-" + quote(key, safe="")
        headers += [(name, value) for value in values]
    for name, value in headers:
        if any(c in value for c in "\r\n\0"):
            raise ValueError(f"{name} value contains a line break or NUL")
    return headers


def impersonating_client(
    config: KubeConfig | SingleConfig,
    username: str,
    groups: Sequence[str] = (),
    *,
    uid: str | None = None,
    extra: Mapping[str, Sequence[str]] | None = None,
    field_manager: str | None = "ngf-console",
) -> AsyncClient:
    """An AsyncClient authenticated as ``config``'s user, acting as ``username``/``groups``.

    Close it (``await client.close()`` or ``async with``) when done.
    """
    headers = impersonation_headers(username, groups, uid=uid, extra=extra)
    client = AsyncClient(config, field_manager=field_manager)
    _add_default_headers(client, headers)
    return client


def client_for_identity(
    config: KubeConfig | SingleConfig,
    identity: KubernetesIdentity,
    *,
    field_manager: str | None = "ngf-console",
) -> AsyncClient:
    """:func:`impersonating_client` for a user as a TokenReview reported it."""
    return impersonating_client(
        config,
        identity.username,
        identity.groups,
        uid=identity.uid,
        extra=identity.extra,
        field_manager=field_manager,
    )


def _add_default_headers(client: AsyncClient, headers: list[tuple[str, str]]) -> None:
    # lightkube 1.0 has no option for default headers, so they go on the httpx2 client it
    # wraps. Default headers of an httpx2 client reach every request it builds (get, list,
    # watch, create, ...), whatever transport or proxy the request then takes; lightkube's
    # per-request headers (Content-Type) are merged over them and never drop ours.
    http = getattr(getattr(client, "_client", None), "_client", None)
    if not isinstance(http, httpx2.AsyncClient):
        raise TypeError(
            "lightkube.AsyncClient no longer wraps an httpx2.AsyncClient at ._client._client;"
            " impersonation needs another way to add headers"
        )
    merged = httpx2.Headers(http.headers)
    for name in {name for name, _ in headers}:
        merged.pop(name, None)
    http.headers = httpx2.Headers([*merged.multi_items(), *headers])
