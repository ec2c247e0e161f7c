"""The API server's own version endpoint, which lightkube has no typed call for."""

from __future__ import annotations

from typing import Any

from lightkube import KubeConfig
from lightkube.config import client_adapter


async def server_version(config: KubeConfig) -> dict[str, Any]:
    """``GET /version`` with the connection and credentials of ``config``."""
    single = config.get()
    if single is None:
        raise ValueError("kubeconfig has no current context")
    params = client_adapter.ConnectionParams()
    async with client_adapter.AsyncClient(single, params) as http:
        response = await http.get("/version")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data
