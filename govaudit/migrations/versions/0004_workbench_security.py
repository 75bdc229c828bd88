"""The workbench made safe to expose: server-side sessions (ended by logout, a password
change, a removed or disabled user, idle time), failed-login counters for lockout, and the
second reviewer's approval of a set-aside 单项否决 (four eyes) on review marks.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Text, primary_key=True),            # SHA-256 of the cookie's token, never the token
        sa.Column("user", sa.Text, nullable=False), sa.Column("stamp", sa.Text, nullable=False),
        sa.Column("csrf", sa.Text, nullable=False), sa.Column("client", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False), sa.Column("last_seen", sa.Float, nullable=False),
    )
    op.create_index("web_sessions_by_user", "web_sessions", ["user"])
    op.create_table(
        "login_failures",
        sa.Column("key", sa.Text, primary_key=True),            # "client:<address or /64>" or "user:<name>"
        sa.Column("failures", sa.Integer, nullable=False), sa.Column("first_at", sa.Float, nullable=False),
        sa.Column("locked_until", sa.Float, nullable=False), sa.Column("lockouts", sa.Integer, nullable=False),
    )
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("account", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("approval", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("approver", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("approver")
        batch.drop_column("approval")
        batch.drop_column("account")
    op.drop_table("login_failures")
    op.drop_index("web_sessions_by_user", "web_sessions")
    op.drop_table("web_sessions")
