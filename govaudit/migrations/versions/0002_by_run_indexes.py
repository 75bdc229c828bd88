"""Findings and not-checked rows looked up by (run, site): a site's commit deletes and
rewrites them, which on PostgreSQL with many runs must not scan the whole table.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("findings_by_run", "findings", ["run_id", "site"])
    op.create_index("not_checked_by_run", "not_checked", ["run_id", "site"])


def downgrade() -> None:
    op.drop_index("not_checked_by_run", "not_checked")
    op.drop_index("findings_by_run", "findings")
