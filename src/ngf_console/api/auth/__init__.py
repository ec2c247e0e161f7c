"""Authentication and authorization of the API server (modes none, kubernetes, oidc).

The app factory builds an :class:`AuthContext` and sets ``app.state.auth``; routers
declare ``Depends(require(Action.READ, ResourceRef(group, plural)))`` (see
:mod:`ngf_console.api.auth.dependencies`). ``docs/auth.md`` describes the model.
"""

from ngf_console.api.auth.context import AuthContext
from ngf_console.api.auth.dependencies import (
    Guard,
    cluster_scoped,
    from_body,
    from_path,
    from_query,
    get_guard,
    get_principal,
    require,
)
from ngf_console.api.auth.errors import AuthUnavailable, NotAuthenticated, NotAuthorized
from ngf_console.api.auth.principal import Action, AuthMode, Principal, ResourceRef, Role
from ngf_console.api.auth.settings import AuthSettings, InsecureBindError, check_bind

__all__ = [
    "Action",
    "AuthContext",
    "AuthMode",
    "AuthSettings",
    "AuthUnavailable",
    "Guard",
    "InsecureBindError",
    "NotAuthenticated",
    "NotAuthorized",
    "Principal",
    "ResourceRef",
    "Role",
    "check_bind",
    "cluster_scoped",
    "from_body",
    "from_path",
    "from_query",
    "get_guard",
    "get_principal",
    "require",
]
