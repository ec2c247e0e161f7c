"""The config DB's tables as SQLAlchemy 2 declarative models (spec §4.1).

Types are portable between SQLite and PostgreSQL (spec §4.2): JSON is JSONB on PostgreSQL and
JSON text on SQLite, UUIDs are native on PostgreSQL and 32-character text on SQLite, and
timestamps are always timezone-aware UTC on the Python side (``UTCDateTime``). These classes
stay inside the package: repositories return pydantic models.

The migration scripts create the same schema explicitly; a storage test checks that the
migrated database and these models agree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# None means SQL NULL, not the JSON text 'null', so "absent" stays queryable with IS NULL.
JSONDocument = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

# BIGSERIAL on PostgreSQL; SQLite only autoincrements a column declared exactly INTEGER.
BigIdentity = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """TIMESTAMPTZ on PostgreSQL; on SQLite, UTC text with the zone put back when read.

    SQLite has no time zone type, so naive values would otherwise come back; naive values
    going in are refused rather than guessed at.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the config DB stores aware times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the config DB; ``Base.metadata`` is what migrations target."""

    # Deterministic constraint names, the same on both backends and in the migrations.
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        }
    )

    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        uuid.UUID: sa.Uuid(),
        dict[str, Any]: JSONDocument,
        list[dict[str, Any]]: JSONDocument,
    }


class Timestamps:
    """``created_at`` and ``updated_at``, set by the application and by the server default."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=sa.func.now()
    )


class UserRow(Timestamps, Base):
    """A console user, identified by the identity provider's subject."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    subject: Mapped[str] = mapped_column(sa.String(255), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(255))
    preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditRow(Base):
    """One configuration change: full objects before and after, and their unified diff."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("idx_audit_resource", "resource_kind", "resource_namespace", "resource_name"),
        # The spec's "created_at DESC": a B-tree is scanned backwards just as fast.
        sa.Index("idx_audit_time", "created_at"),
        sa.Index("idx_audit_user", "user_id"),
        # AUTOINCREMENT: ids are never reused, so an id cursor stays a stable position.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigIdentity, sa.Identity(), primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(50))
    resource_kind: Mapped[str] = mapped_column(sa.String(100))
    resource_namespace: Mapped[str | None] = mapped_column(sa.String(255))
    resource_name: Mapped[str] = mapped_column(sa.String(255))
    previous_config: Mapped[dict[str, Any] | None] = mapped_column()
    new_config: Mapped[dict[str, Any] | None] = mapped_column()
    diff: Mapped[str] = mapped_column(sa.Text)
    # "metadata" is reserved on declarative classes; the column keeps the spec's name.
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDocument, default=dict)
    request_id: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=sa.func.now())


class AlertRuleRow(Timestamps, Base):
    """An alert rule with its notification channels (stored as given, redacted on the way out)."""

    __tablename__ = "alert_rules"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    rule_type: Mapped[str] = mapped_column(sa.String(50))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notification_channels: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())


class SavedViewRow(Timestamps, Base):
    """A user's saved dashboard, query or filter; ``shared`` makes it visible to everyone."""

    __tablename__ = "saved_views"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(255))
    view_type: Mapped[str] = mapped_column(sa.String(50))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    shared: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class MigrationProjectRow(Timestamps, Base):
    """An NGINX Ingress Controller migration in progress."""

    __tablename__ = "migration_projects"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(255))
    source_type: Mapped[str] = mapped_column(sa.String(50))
    source_config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    analysis_result: Mapped[dict[str, Any] | None] = mapped_column()
    generated_resources: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(sa.String(50))


class XcPublishStateRow(Timestamps, Base):
    """Where an HTTPRoute is published in F5 Distributed Cloud, and how the last sync went."""

    __tablename__ = "xc_publish_state"
    __table_args__ = (
        sa.UniqueConstraint(
            "httproute_namespace",
            "httproute_name",
            "xc_tenant",
            "xc_namespace",
            name="uq_xc_publish_route_target",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    httproute_namespace: Mapped[str] = mapped_column(sa.String(255))
    httproute_name: Mapped[str] = mapped_column(sa.String(255))
    xc_tenant: Mapped[str] = mapped_column(sa.String(255))
    xc_namespace: Mapped[str] = mapped_column(sa.String(255))
    xc_http_lb_name: Mapped[str | None] = mapped_column(sa.String(255))
    xc_origin_pool_name: Mapped[str | None] = mapped_column(sa.String(255))
    public_endpoint: Mapped[str | None] = mapped_column(sa.String(255))
    last_sync_status: Mapped[str | None] = mapped_column(sa.String(50))
    last_sync_time: Mapped[datetime | None] = mapped_column()
    config_hash: Mapped[str | None] = mapped_column(sa.String(64))


class CanaryRolloutRow(Timestamps, Base):
    """A canary rollout: the weights of one route rule shifted step by step on a schedule."""

    __tablename__ = "canary_rollouts"
    __table_args__ = (sa.Index("idx_canary_due", "state", "next_step_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    cluster: Mapped[str] = mapped_column(sa.String(63))
    route_kind: Mapped[str] = mapped_column(sa.String(50))
    route_namespace: Mapped[str] = mapped_column(sa.String(255))
    route_name: Mapped[str] = mapped_column(sa.String(255))
    rule_index: Mapped[int] = mapped_column(sa.Integer)
    stable_backend: Mapped[dict[str, Any]] = mapped_column()
    canary_backend: Mapped[dict[str, Any]] = mapped_column()
    steps: Mapped[list[int]] = mapped_column(JSONDocument)
    interval_seconds: Mapped[int] = mapped_column(sa.Integer)
    current_step: Mapped[int] = mapped_column(sa.Integer, default=0)
    state: Mapped[str] = mapped_column(sa.String(20))
    started_by: Mapped[str] = mapped_column(sa.String(255))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_step_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    original_backend_refs: Mapped[list[dict[str, Any]]] = mapped_column()
    history: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    # "cluster/kind/namespace/name" while the rollout is active, NULL once it is finished:
    # the unique key allows one active rollout per route on both backends (NULLs differ).
    active_key: Mapped[str | None] = mapped_column(sa.String(700), unique=True)
