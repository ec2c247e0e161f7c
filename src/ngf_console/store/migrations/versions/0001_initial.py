"""The initial schema: users, audit_log, alert_rules, saved_views, migration_projects,
xc_publish_state (spec §4.1, portable to SQLite per §4.2).

Revision ID: 0001
Revises:
Create Date: 2026-02-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types of this revision (models.py may move on; this may not).
_JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
_BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("email", sa.String(255), nullable=True),
        sa.Column("display_name", sa.String(255), nullable=True),
        sa.Column("preferences", _JSON, nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("subject", name=op.f("uq_users_subject")),
    )
    op.create_index("ix_users_email", "users", ["email"])

    op.create_table(
        "audit_log",
        sa.Column("id", _BIGINT_ID, sa.Identity(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", name="fk_audit_log_user_id_users", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("resource_kind", sa.String(100), nullable=False),
        sa.Column("resource_namespace", sa.String(255), nullable=True),
        sa.Column("resource_name", sa.String(255), nullable=False),
        sa.Column("previous_config", _JSON, nullable=True),
        sa.Column("new_config", _JSON, nullable=True),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("metadata", _JSON, nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "idx_audit_resource",
        "audit_log",
        ["resource_kind", "resource_namespace", "resource_name"],
    )
    op.create_index("idx_audit_time", "audit_log", ["created_at"])
    op.create_index("idx_audit_user", "audit_log", ["user_id"])

    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rule_type", sa.String(50), nullable=False),
        sa.Column("config", _JSON, nullable=False),
        sa.Column("notification_channels", _JSON, nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_timestamps(),
    )

    op.create_table(
        "saved_views",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", name="fk_saved_views_user_id_users", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("view_type", sa.String(50), nullable=False),
        sa.Column("config", _JSON, nullable=False),
        sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False),
        *_timestamps(),
    )
    op.create_index("ix_saved_views_user_id", "saved_views", ["user_id"])

    op.create_table(
        "migration_projects",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("source_type", sa.String(50), nullable=False),
        sa.Column("source_config", _JSON, nullable=False),
        sa.Column("analysis_result", _JSON, nullable=True),
        sa.Column("generated_resources", _JSON, nullable=False),
        sa.Column("status", sa.String(50), nullable=False),
        *_timestamps(),
    )

    op.create_table(
        "xc_publish_state",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("httproute_namespace", sa.String(255), nullable=False),
        sa.Column("httproute_name", sa.String(255), nullable=False),
        sa.Column("xc_tenant", sa.String(255), nullable=False),
        sa.Column("xc_namespace", sa.String(255), nullable=False),
        sa.Column("xc_http_lb_name", sa.String(255), nullable=True),
        sa.Column("xc_origin_pool_name", sa.String(255), nullable=True),
        sa.Column("public_endpoint", sa.String(255), nullable=True),
        sa.Column("last_sync_status", sa.String(50), nullable=True),
        sa.Column("last_sync_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("config_hash", sa.String(64), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint(
            "httproute_namespace",
            "httproute_name",
            "xc_tenant",
            "xc_namespace",
            name="uq_xc_publish_route_target",
        ),
    )


def downgrade() -> None:
    op.drop_table("xc_publish_state")
    op.drop_table("migration_projects")
    op.drop_index("ix_saved_views_user_id", table_name="saved_views")
    op.drop_table("saved_views")
    op.drop_table("alert_rules")
    op.drop_index("idx_audit_user", table_name="audit_log")
    op.drop_index("idx_audit_time", table_name="audit_log")
    op.drop_index("idx_audit_resource", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_users_email", table_name="users")
    op.drop_table("users")
