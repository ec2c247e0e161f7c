"""The config DB (spec §4): users, audit log, alert rules, saved views, migration projects
and XC publish state, on SQLite by default or PostgreSQL by URL.

``store = await open_store(url)`` migrates the database and returns a ``Store`` whose
repositories (``store.audit``, ``store.users``, ...) take and return pydantic models.
"""

from ngf_console.store.alert_rules import (
    AlertRule,
    AlertRuleInput,
    AlertRulePatch,
    redact_channels,
    restore_redacted,
)
from ngf_console.store.audit import (
    AuditAction,
    AuditEntry,
    AuditEntrySummary,
    AuditPage,
    diff_view,
    restorable,
    unified_diff,
)
from ngf_console.store.canary import (
    ACTIVE_STATES,
    CanaryRollout,
    CanaryRolloutInput,
    CanaryRolloutPatch,
    RolloutState,
)
from ngf_console.store.db import (
    DEFAULT_DATABASE_URL,
    Store,
    normalize_url,
    open_store,
    sqlite_url,
)
from ngf_console.store.errors import ConflictError, StoreError, UnknownUserError
from ngf_console.store.migration_projects import (
    MigrationProject,
    MigrationProjectInput,
    MigrationProjectPatch,
)
from ngf_console.store.saved_views import SavedView, SavedViewInput, SavedViewPatch
from ngf_console.store.users import User
from ngf_console.store.xc_publish_state import (
    XcPublishState,
    XcPublishStateInput,
    XcPublishStatePatch,
)

__all__ = [
    "ACTIVE_STATES",
    "DEFAULT_DATABASE_URL",
    "AlertRule",
    "AlertRuleInput",
    "AlertRulePatch",
    "AuditAction",
    "AuditEntry",
    "AuditEntrySummary",
    "AuditPage",
    "CanaryRollout",
    "CanaryRolloutInput",
    "CanaryRolloutPatch",
    "ConflictError",
    "MigrationProject",
    "MigrationProjectInput",
    "MigrationProjectPatch",
    "RolloutState",
    "SavedView",
    "SavedViewInput",
    "SavedViewPatch",
    "Store",
    "StoreError",
    "UnknownUserError",
    "User",
    "XcPublishState",
    "XcPublishStateInput",
    "XcPublishStatePatch",
    "diff_view",
    "normalize_url",
    "open_store",
    "redact_channels",
    "restorable",
    "restore_redacted",
    "sqlite_url",
    "unified_diff",
]
