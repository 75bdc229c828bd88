"""The schema of the SQLite store as it was before Alembic (its PRAGMA user_version 5).

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _text(name: str, *, key: bool = False, required: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text, primary_key=key, nullable=not (key or required))


def upgrade() -> None:
    op.create_table("runs", _text("id", key=True), _text("kind", required=True), _text("started_at", required=True),
                    _text("finished_at"), _text("today", required=True), _text("tool_version", required=True),
                    _text("reports_dir"), _text("mail_status"), _text("mail_error"), _text("source_run"))
    op.create_table("site_results", sa.Column("run_id", sa.Text, sa.ForeignKey("runs.id"), primary_key=True),
                    _text("site", key=True), _text("url", required=True), _text("unit"), _text("verdict", required=True),
                    sa.Column("score", sa.Float), _text("stats", required=True), _text("data"), _text("finished_at"))
    op.create_table("snapshots", _text("run_id", key=True), _text("site", key=True), _text("meta", required=True))
    op.create_table("pages", _text("run_id", key=True), _text("site", key=True), _text("url", key=True),
                    sa.Column("seq", sa.Integer, nullable=False), sa.Column("status", sa.Integer),
                    sa.Column("depth", sa.Integer, nullable=False), _text("meta", required=True),
                    sa.Column("html", sa.LargeBinary), sa.Column("rendered", sa.LargeBinary), _text("facts"))
    op.create_index("pages_in_order", "pages", ["run_id", "site", "seq"])
    op.create_table("link_checks", _text("run_id", key=True), _text("site", key=True), _text("url", key=True),
                    _text("outcome", required=True))
    op.create_table("findings", _text("run_id", required=True), _text("site", required=True), _text("rule", required=True),
                    _text("severity", required=True), _text("url", required=True), _text("message", required=True),
                    _text("evidence", required=True), _text("fingerprint"), _text("data"))
    op.create_index("findings_by_site", "findings", ["site", "rule"])
    op.create_table("not_checked", _text("run_id", required=True), _text("site", required=True),
                    _text("rule", required=True), _text("reason", required=True), _text("url"))
    op.create_table("law_library", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                    _text("snapshot_date", required=True), _text("source", required=True),
                    _text("imported_at", required=True), _text("csv", required=True), sa.CheckConstraint("id = 1"))
    op.create_table("finding_history", _text("site", key=True), _text("fingerprint", key=True),
                    _text("rule", required=True), _text("severity", required=True), _text("data", required=True),
                    _text("first_run", required=True), _text("first_seen", required=True), _text("last_run", required=True),
                    _text("last_seen", required=True), _text("fixed_run"), _text("fixed_at"))
    op.create_table("probes", _text("site", required=True), _text("at", required=True),
                    sa.Column("ok", sa.Integer, nullable=False), sa.Column("status", sa.Integer), _text("error"),
                    sa.Column("elapsed_s", sa.Float))
    op.create_index("probes_by_site", "probes", ["site", "at"])


def downgrade() -> None:
    for table in ("probes", "finding_history", "law_library", "not_checked", "findings", "link_checks", "pages",
                  "snapshots", "site_results", "runs"):
        op.drop_table(table)
