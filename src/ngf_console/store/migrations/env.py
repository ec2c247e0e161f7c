"""Alembic environment: migrates the connection the caller hands over in ``config.attributes``.

There is no offline (SQL script) mode and no URL in any ini file; ``upgrade()`` in this
package opens the connection and the transaction.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ngf_console.store.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through ngf_console.store.migrations.upgrade()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
