"""What every request can reach: the clusters, the config DB, auth and the websocket hub.

Built once by the app's lifespan and put on ``app.state.console``; routes get the parts
through the typed dependencies below, never through globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from ngf_console.api.editions import EditionCache
from ngf_console.api.settings import ApiSettings
from ngf_console.api.ws.hub import Hub
from ngf_console.kube.clusters import Cluster, ClusterRegistry, UnknownClusterError
from ngf_console.store import Store


@dataclass
class ConsoleState:
    """The long-lived parts of the API server."""

    settings: ApiSettings
    clusters: ClusterRegistry
    store: Store
    hub: Hub
    editions: EditionCache = field(default_factory=EditionCache)

    def __post_init__(self) -> None:
        # With no cluster marked default the registry takes the first; mark it so that
        # code holding only a Cluster can tell.
        self.clusters.default.default = True


def get_state(request: Request) -> ConsoleState:
    """The API server's state (set up by the lifespan)."""
    state: ConsoleState | None = getattr(request.app.state, "console", None)
    if state is None:
        raise RuntimeError("the API server's lifespan has not run")
    return state


StateDep = Annotated[ConsoleState, Depends(get_state)]


def get_cluster(request: Request, state: StateDep) -> Cluster:
    """The cluster a request is about: ``/api/v1/clusters/{cluster}/...`` or the default."""
    name = request.path_params.get("cluster")
    if name is None:
        return state.clusters.default
    try:
        return state.clusters.get(name)
    except UnknownClusterError as err:
        raise HTTPException(status_code=404, detail=str(err)) from err


def get_store(state: StateDep) -> Store:
    """The config DB."""
    return state.store


ClusterDep = Annotated[Cluster, Depends(get_cluster)]
StoreDep = Annotated[Store, Depends(get_store)]
