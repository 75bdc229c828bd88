"""Where the store lives: a database URL (SQLite by default, PostgreSQL for several workers),
one SQLAlchemy engine per URL per process, and the Alembic migrations that bring any
database to the current schema (govaudit/migrations/versions).

A store is named by a path (an SQLite file) or a URL. SQLite files written by govaudit
before Alembic (schema numbered by PRAGMA user_version, 1 to 5) are brought to version 5 by
their old scripts, then stamped as Alembic revision 0001 (the same schema) and upgraded.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from govaudit.errors import GovauditError

StoreTarget = str | Path
# The newest revision in migrations/versions (tests/test_store.py checks it is Alembic's head):
# a store already there is opened without loading Alembic (10 MB in every process).
HEAD_REVISION = "0004"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATE_LOCK = 7_260_418   # a PostgreSQL advisory lock key: one process migrates at a time
_migrated: set[str] = set()
_migrating = threading.Lock()


class StoreUnavailable(GovauditError):
    """The database cannot be reached or opened (the message names it, never its password)."""


def store_url(target: StoreTarget) -> str:
    """A store's database URL: URLs as given, paths as SQLite files (absolute)."""
    value = str(target)
    if value.startswith("postgresql://"):   # SQLAlchemy's default driver would be psycopg2
        return "postgresql+psycopg://" + value.removeprefix("postgresql://")
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def sqlite_path(target: StoreTarget) -> Path | None:
    url = make_url(store_url(target))
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def shown(target: StoreTarget) -> str:
    """The store as messages name it: its path, or its URL with the password hidden."""
    path = sqlite_path(target)
    return str(path) if path is not None else hide_password(store_url(target))


def hide_password(url: str) -> str:
    """A service URL (database, broker) as messages show it: its password as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<无效的地址>"


def engine_for(target: StoreTarget) -> Engine:
    """This process's engine for the store, its schema brought up to date on first use."""
    url = store_url(target)
    engine = _engine(url)
    file = sqlite_path(url)
    if file is not None and not file.exists():
        _migrated.discard(url)   # (deleted since: a new, empty store at the same path)
    if url not in _migrated:
        with _migrating:
            if url not in _migrated:
                migrate(engine)
                _migrated.add(url)
    return engine


@functools.cache
def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(f"数据库地址无效：{shown(url)}（应为文件路径或 postgresql://用户@主机/库名）") from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            if parsed.database:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # A connection per use, as sqlite3 itself: nothing to share across threads or forks.
            engine = create_engine(parsed, poolclass=NullPool, connect_args={"timeout": 60, "check_same_thread": False})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        if backend == "postgresql":
            if parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
            return create_engine(parsed, pool_pre_ping=True, pool_size=4, max_overflow=16,
                                 connect_args={"connect_timeout": 15, "application_name": "govaudit"})
    except NoSuchModuleError as exc:
        raise StoreUnavailable(f"不支持的数据库地址 {shown(url)}：{exc}") from None
    raise StoreUnavailable(f"不支持的数据库：{backend}（支持 SQLite 文件和 PostgreSQL）")


def _sqlite_pragmas(connection: sqlite3.Connection, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _forget_engines_after_fork() -> None:
    # A forked child (Celery's prefork pool) must not use the parent's pooled connections.
    for url in list(_migrated):
        _engine(url).dispose(close=False)


os.register_at_fork(after_in_child=_forget_engines_after_fork)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic's `upgrade head`)."""
    try:
        with engine.connect() as connection:
            if _revision(connection) == HEAD_REVISION:
                return
        _upgrade(engine)
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"无法打开数据库 {shown(engine.url.render_as_string(hide_password=True))}：{_reason(exc)}") from None


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(engine: Engine) -> None:
    """Alembic's upgrade in one transaction that holds the database's write lock: a crash
    leaves the schema as it was, and processes opening a new store at once migrate it once.
    (SQLite: the driver's implicit transactions would commit each DDL statement, so this
    connection manages its own, BEGIN IMMEDIATE.)"""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(_MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        if sqlite:
            raw.isolation_level = None  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_LOCK})
        try:
            if _revision(connection) != HEAD_REVISION:   # (another process may have done it meanwhile)
                config.attributes["connection"] = connection
                if sqlite and inspect(connection).has_table("runs") and not inspect(connection).has_table("alembic_version"):
                    _upgrade_pre_alembic_sqlite(raw)  # type: ignore[arg-type]
                    command.stamp(config, "0001")
                command.upgrade(config, "head")
            connection.commit()
        except BaseException:
            connection.rollback()
            raise


def _reason(exc: SQLAlchemyError) -> str:
    cause = getattr(exc, "orig", None) or exc
    return str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__


# The schema scripts of the SQLite store before Alembic (PRAGMA user_version 1..5).
_PRE_ALEMBIC: tuple[str, ...] = (
    "",   # version 1 is the first; a store at 0 with a runs table does not exist
    """
    CREATE TABLE law_library (
        id INTEGER PRIMARY KEY CHECK (id = 1), snapshot_date TEXT NOT NULL, source TEXT NOT NULL,
        imported_at TEXT NOT NULL, csv TEXT NOT NULL
    );
    """,
    """
    ALTER TABLE runs ADD COLUMN reports_dir TEXT;
    ALTER TABLE runs ADD COLUMN mail_status TEXT;
    ALTER TABLE runs ADD COLUMN mail_error TEXT;
    ALTER TABLE site_results ADD COLUMN data TEXT;
    ALTER TABLE site_results ADD COLUMN finished_at TEXT;
    ALTER TABLE findings ADD COLUMN fingerprint TEXT;
    ALTER TABLE findings ADD COLUMN data TEXT;
    CREATE TABLE finding_history (
        site TEXT NOT NULL, fingerprint TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
        data TEXT NOT NULL, first_run TEXT NOT NULL, first_seen TEXT NOT NULL,
        last_run TEXT NOT NULL, last_seen TEXT NOT NULL, fixed_run TEXT, fixed_at TEXT,
        PRIMARY KEY (site, fingerprint)
    );
    CREATE TABLE probes (
        site TEXT NOT NULL, at TEXT NOT NULL, ok INTEGER NOT NULL, status INTEGER, error TEXT,
        elapsed_s REAL
    );
    CREATE INDEX probes_by_site ON probes (site, at);
    """,
    "ALTER TABLE pages ADD COLUMN rendered BLOB;",
    """
    ALTER TABLE pages ADD COLUMN facts TEXT;
    CREATE INDEX pages_in_order ON pages (run_id, site, seq);
    ALTER TABLE runs ADD COLUMN source_run TEXT;
    """,
)


def _upgrade_pre_alembic_sqlite(connection: sqlite3.Connection) -> None:
    """(Inside the caller's transaction: statement by statement, as executescript would commit.)"""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    for number in range(max(version, 1), len(_PRE_ALEMBIC)):
        for statement in filter(str.strip, _PRE_ALEMBIC[number].split(";")):
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {number + 1}")
