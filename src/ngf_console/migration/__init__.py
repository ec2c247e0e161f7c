"""Migration from NGINX Ingress Controller / ingress-nginx to Gateway API and NGF (pure engine).

``plan(paths)`` / ``plan_text(yaml)`` → :class:`~ngf_console.migration.plan.MigrationResult`
with the generated manifests and the report; the ``ngf-migrate`` CLI wraps it.
"""

from ngf_console.migration.plan import MigrationResult, convert, plan, plan_text

__all__ = ["MigrationResult", "convert", "plan", "plan_text"]
