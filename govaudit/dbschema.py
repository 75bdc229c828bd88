"""The store's tables (SQLAlchemy Core), as the newest migration leaves them.

Queries are written against these; the schema itself changes only by a new migration in
govaudit/migrations/versions (Alembic), never by editing a table here alone.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, Table, Text

metadata = MetaData()


def _key(name: str) -> Column[str]:
    return Column(name, Text, primary_key=True)


runs = Table(
    "runs", metadata,
    _key("id"), Column("kind", Text, nullable=False), Column("started_at", Text, nullable=False),
    Column("finished_at", Text), Column("today", Text, nullable=False), Column("tool_version", Text, nullable=False),
    Column("reports_dir", Text), Column("mail_status", Text), Column("mail_error", Text), Column("source_run", Text),
)
site_results = Table(
    "site_results", metadata,
    Column("run_id", Text, ForeignKey("runs.id"), primary_key=True), _key("site"), Column("url", Text, nullable=False),
    Column("unit", Text), Column("verdict", Text, nullable=False), Column("score", Float), Column("stats", Text, nullable=False),
    Column("data", Text), Column("finished_at", Text),
)
snapshots = Table("snapshots", metadata, _key("run_id"), _key("site"), Column("meta", Text, nullable=False))
pages = Table(
    "pages", metadata,
    _key("run_id"), _key("site"), _key("url"), Column("seq", Integer, nullable=False), Column("status", Integer),
    Column("depth", Integer, nullable=False), Column("meta", Text, nullable=False), Column("html", LargeBinary),
    Column("rendered", LargeBinary), Column("facts", Text),
    Index("pages_in_order", "run_id", "site", "seq"),
)
link_checks = Table("link_checks", metadata, _key("run_id"), _key("site"), _key("url"),
                    Column("outcome", Text, nullable=False))
findings = Table(
    "findings", metadata,
    Column("run_id", Text, nullable=False), Column("site", Text, nullable=False), Column("rule", Text, nullable=False),
    Column("severity", Text, nullable=False), Column("url", Text, nullable=False), Column("message", Text, nullable=False),
    Column("evidence", Text, nullable=False), Column("fingerprint", Text), Column("data", Text),
    Index("findings_by_site", "site", "rule"), Index("findings_by_run", "run_id", "site"),
)
not_checked = Table(
    "not_checked", metadata,
    Column("run_id", Text, nullable=False), Column("site", Text, nullable=False), Column("rule", Text, nullable=False),
    Column("reason", Text, nullable=False), Column("url", Text),
    Index("not_checked_by_run", "run_id", "site"),
)
law_library = Table(
    "law_library", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False), Column("snapshot_date", Text, nullable=False),
    Column("source", Text, nullable=False), Column("imported_at", Text, nullable=False), Column("csv", Text, nullable=False),
    CheckConstraint("id = 1"),
)
finding_history = Table(
    "finding_history", metadata,
    _key("site"), _key("fingerprint"), Column("rule", Text, nullable=False), Column("severity", Text, nullable=False),
    Column("data", Text, nullable=False), Column("first_run", Text, nullable=False), Column("first_seen", Text, nullable=False),
    Column("last_run", Text, nullable=False), Column("last_seen", Text, nullable=False), Column("fixed_run", Text),
    Column("fixed_at", Text),
)
probes = Table(
    "probes", metadata,
    Column("site", Text, nullable=False), Column("at", Text, nullable=False), Column("ok", Integer, nullable=False),
    Column("status", Integer), Column("error", Text), Column("elapsed_s", Float),
    Index("probes_by_site", "site", "at"),
)
reviews = Table(
    "reviews", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site", Text, nullable=False), Column("fingerprint", Text, nullable=False), Column("state", Text, nullable=False),
    Column("reason", Text, nullable=False), Column("until", Text), Column("user", Text, nullable=False),
    Column("at", Text, nullable=False), Column("digest", Text, nullable=False), Column("rule", Text, nullable=False),
    Column("url", Text, nullable=False), Column("title", Text, nullable=False),
    # The login name of who marked it (user is the name shown); approval: "" (none needed),
    # "pending" or "approved" (a set-aside 单项否决 holds only once a second reviewer approved).
    Column("account", Text, nullable=False, server_default=""), Column("approval", Text, nullable=False, server_default=""),
    Column("approver", Text, nullable=False, server_default=""),
    Index("reviews_by_finding", "site", "fingerprint", "id"),
)
web_sessions = Table(
    "web_sessions", metadata,
    _key("id"), Column("user", Text, nullable=False), Column("stamp", Text, nullable=False),
    Column("csrf", Text, nullable=False), Column("client", Text, nullable=False),
    Column("created_at", Float, nullable=False), Column("last_seen", Float, nullable=False),
    Index("web_sessions_by_user", "user"),
)
login_failures = Table(
    "login_failures", metadata,
    _key("key"), Column("failures", Integer, nullable=False), Column("first_at", Float, nullable=False),
    Column("locked_until", Float, nullable=False), Column("lockouts", Integer, nullable=False),
)
