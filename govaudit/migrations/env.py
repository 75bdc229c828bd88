"""Alembic's environment: govaudit.database.migrate hands it an open connection."""

from __future__ import annotations

from alembic import context

from govaudit.dbschema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
