"""Canary rollouts: the weights of one route rule shifted step by step on a schedule.

Revision ID: 0002
Revises: 0001
Create Date: 2026-02-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the JSON type of this revision (models.py may move on; this may not).
_JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "canary_rollouts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("cluster", sa.String(63), nullable=False),
        sa.Column("route_kind", sa.String(50), nullable=False),
        sa.Column("route_namespace", sa.String(255), nullable=False),
        sa.Column("route_name", sa.String(255), nullable=False),
        sa.Column("rule_index", sa.Integer(), nullable=False),
        sa.Column("stable_backend", _JSON, nullable=False),
        sa.Column("canary_backend", _JSON, nullable=False),
        sa.Column("steps", _JSON, nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("started_by", sa.String(255), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_step_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("original_backend_refs", _JSON, nullable=False),
        sa.Column("history", _JSON, nullable=False),
        sa.Column("active_key", sa.String(700), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.UniqueConstraint("active_key", name=op.f("uq_canary_rollouts_active_key")),
    )
    op.create_index("idx_canary_due", "canary_rollouts", ["state", "next_step_at"])


def downgrade() -> None:
    op.drop_index("idx_canary_due", table_name="canary_rollouts")
    op.drop_table("canary_rollouts")
