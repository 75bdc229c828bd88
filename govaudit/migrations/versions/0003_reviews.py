"""The office's review of findings (govaudit/review.py): one row per mark, newest wins.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("site", sa.Text, nullable=False), sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False), sa.Column("reason", sa.Text, nullable=False),
        sa.Column("until", sa.Text), sa.Column("user", sa.Text, nullable=False), sa.Column("at", sa.Text, nullable=False),
        sa.Column("digest", sa.Text, nullable=False), sa.Column("rule", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False), sa.Column("title", sa.Text, nullable=False),
    )
    op.create_index("reviews_by_finding", "reviews", ["site", "fingerprint", "id"])


def downgrade() -> None:
    op.drop_index("reviews_by_finding", "reviews")
    op.drop_table("reviews")
