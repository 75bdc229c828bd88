"""The store on both databases it supports: every test here runs on SQLite and on a real
PostgreSQL server (started by the tests; skipped, naming why, where it is not installed)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

import govaudit.database
from govaudit.crawler.bodies import compress
from govaudit.crawler.snapshot import Attempt, FetchOutcome, Link, PageRecord, SiteSnapshot
from govaudit.database import HEAD_REVISION, StoreUnavailable
from govaudit.store import Store
from govaudit.stored import StoredPages, StoredRow

NOW = "2026-11-26T08:00:00+08:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    return str(request.getfixturevalue("postgres_url"))


def _outcome(url: str, status: int | None = 200) -> FetchOutcome:
    return FetchOutcome(url=url, final_url=url, status=status, error=None if status else "refused",
                        attempts=(Attempt(method="GET", status=status, error=None, elapsed_s=0.01),), fetched_at=NOW)


def _record(url: str, seq: int, links: tuple[str, ...] = ()) -> PageRecord:
    return PageRecord(fetch=_outcome(url), depth=min(seq, 1), found_on=None if seq == 0 else "http://a.gov.cn/",
                      found_via=None if seq == 0 else "a", title=f"页面{seq}", is_html=True, seq=seq,
                      links=tuple(Link(link, "a", "链接") for link in links))


def _snapshot(name: str = "门户") -> SiteSnapshot:
    snapshot = SiteSnapshot(name=name, start_url="http://a.gov.cn/", unit="办公室", kind="portal",
                            scope_hosts=("a.gov.cn",), started_at=NOW, finished_at=NOW, homepage=_outcome("http://a.gov.cn/"))
    snapshot.link_checks["http://a.gov.cn/gone.html"] = _outcome("http://a.gov.cn/gone.html", 404)
    return snapshot


def _finding(rule: str, url: str, message: str = "问题") -> dict[str, Any]:
    return {"rule": rule, "severity": "deduct", "url": url, "message": message, "evidence": {"seen": message}}


def _entry(name: str, found: list[dict[str, Any]], not_checked: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"name": name, "url": "http://a.gov.cn/", "unit": "办公室", "verdict": "合格", "score": 95.0,
            "stats": {"pages": 3}, "findings": found, "not_checked": not_checked or []}


def _write_site(store: Store, run_id: str, name: str = "门户") -> None:
    rows = [StoredRow(_record(f"http://a.gov.cn/{n}.html" if n else "http://a.gov.cn/", n, ("http://a.gov.cn/gone.html",)),
                      compress(f"<html><body>第{n}页 \u0000</body></html>"), None, None) for n in range(3)]
    store.write_pages(run_id, name, rows[:2])
    store.write_pages(run_id, name, rows[2:])


def test_a_snapshot_streams_back_in_crawl_order_with_its_bodies(target: str) -> None:
    with Store(target) as store:
        store.start_run("r1", "nightly", NOW, "2026-11-26", "0.1")
        _write_site(store, "r1")
        store.commit_site("r1", _snapshot(), _entry("门户", []), [], set(), NOW)
        snapshot = store.load_snapshot("r1", "门户")
    pages = snapshot.pages
    assert isinstance(pages, StoredPages)
    assert list(pages) == ["http://a.gov.cn/", "http://a.gov.cn/1.html", "http://a.gov.cn/2.html"]
    assert len(pages) == 3 and "http://a.gov.cn/1.html" in pages and "http://a.gov.cn/9.html" not in pages
    assert pages["http://a.gov.cn/2.html"].title == "页面2"
    assert [p.links[0].url for p in pages.values()] == ["http://a.gov.cn/gone.html"] * 3
    assert snapshot.bodies.html("http://a.gov.cn/1.html") == "<html><body>第1页 \u0000</body></html>"
    assert snapshot.link_checks["http://a.gov.cn/gone.html"].status == 404
    assert snapshot.homepage is not None and snapshot.homepage.status == 200
    pages.close()


def test_committing_a_site_twice_stores_it_once(target: str) -> None:
    with Store(target) as store:
        store.start_run("r1", "nightly", NOW, "2026-11-26", "0.1")
        found = [("fp1", _finding("links.dead", "http://a.gov.cn/")), ("fp2", _finding("identity.icp", "http://a.gov.cn/"))]
        for _ in range(2):
            store.commit_site("r1", _snapshot(), _entry("门户", [f for _, f in found],
                                                        [{"rule": "site.https", "reason": "无法判断", "url": None}]),
                              found, {"links.dead", "identity.icp"}, NOW)
        assert store.sites_done("r1") == ["门户"]
        assert store.query("SELECT COUNT(*) FROM findings") == [(2,)]
        assert store.query("SELECT COUNT(*) FROM not_checked") == [(1,)]
        assert store.query("SELECT COUNT(*) FROM finding_history") == [(2,)]
        assert [e["name"] for e in store.site_entries("r1")] == ["门户"]


def test_concurrent_commits_of_one_site_leave_one_result(target: str) -> None:
    """Two workers finishing the same site at once (a task delivered twice)."""
    with Store(target) as store:
        store.start_run("r1", "nightly", NOW, "2026-11-26", "0.1")
    found = [(f"fp{n}", _finding("links.dead", f"http://a.gov.cn/{n}.html")) for n in range(20)]
    errors: list[BaseException] = []

    def commit() -> None:
        try:
            with Store(target) as store:
                store.commit_site("r1", _snapshot(), _entry("门户", [f for _, f in found]), found, {"links.dead"}, NOW)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=commit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with Store(target) as store:
        assert store.query("SELECT COUNT(*) FROM site_results") == [(1,)]
        assert store.query("SELECT COUNT(*) FROM findings") == [(20,)]
        assert store.query("SELECT COUNT(*) FROM finding_history") == [(20,)]


def test_history_new_persisting_fixed_and_back(target: str) -> None:
    dead, icp = _finding("links.dead", "http://a.gov.cn/"), _finding("identity.icp", "http://a.gov.cn/")
    plan = [("r1", [("d", dead), ("i", icp)]), ("r2", [("d", dead)]), ("r3", [("d", dead), ("i", icp)])]
    with Store(target) as store:
        for number, (run_id, found) in enumerate(plan):
            store.start_run(run_id, "nightly", f"2026-11-2{number}T00:00:00", f"2026-11-2{number}", "0.1")
            store.commit_site(run_id, _snapshot(), _entry("门户", [f for _, f in found]), found,
                              {"links.dead", "identity.icp"}, f"2026-11-2{number}T01:00:00")
            store.finish_run(run_id, f"2026-11-2{number}T02:00:00")
            if run_id == "r2":
                fixed = {row["fingerprint"]: row for row in store.history_of("门户")}
                assert fixed["i"]["fixed_run"] == "r2" and fixed["d"]["fixed_run"] is None
        rows = {row["fingerprint"]: row for row in store.history_of("门户")}
        assert rows["d"]["first_run"] == "r1" and rows["d"]["last_run"] == "r3"
        assert rows["i"]["first_run"] == "r3" and rows["i"]["fixed_run"] is None   # back: a new occurrence
        series = store.site_series("门户")
        assert [p["run"] for p in series] == ["r1", "r2", "r3"]
        assert [p["counts"].get("deduct") for p in series] == [2, 1, 2]


def test_runs_resume_rejudge_probes_library_and_mail(target: str) -> None:
    with Store(target) as store:
        store.start_run("r1", "nightly", "2026-11-26T01:00:00", "2026-11-26", "0.1")
        assert store.unfinished_run("nightly") == "r1" and store.unfinished_run("inspect") is None
        store.start_run("r2", "rejudge", "2026-11-26T02:00:00", "2026-11-26", "0.1", source_run="r1")
        assert store.snapshot_run("r2") == "r1" and store.snapshot_run("r1") == "r1"
        store.set_reports_dir("r1", "/reports/r1")
        store.set_mail_status("r1", "failed", "连接超时")
        store.finish_run("r1", "2026-11-26T03:00:00")
        info = store.run_info("r1")
        assert (info["reports_dir"], info["mail_status"], info["mail_error"]) == ("/reports/r1", "failed", "连接超时")
        assert store.unfinished_run("nightly") is None
        assert [r["id"] for r in store.runs()] == ["r2", "r1"] and [r["id"] for r in store.runs("rejudge")] == ["r2"]
        store.add_probe("门户", "2026-11-25T00:00:00", True, 200, None, 0.2)
        store.add_probe("门户", "2026-11-26T00:00:00", False, None, "超时\u0000", 15.0)
        assert store.probes_since("门户", "2026-11-25T12:00:00") == [("2026-11-26T00:00:00", False, None, "超时\ufffd")]
        assert store.law_library_csv() is None
        store.save_law_library("a,b\n", "2026-01-01", "用户导入", NOW)
        store.save_law_library("c,d\n", "2026-02-01", "用户导入", NOW)
        assert store.law_library_csv() == ("c,d\n", "2026-02-01", "用户导入", NOW)
        assert store.integrity_ok()


def test_discard_and_prune_keep_what_they_must(target: str) -> None:
    with Store(target) as store:
        for number in range(3):
            run_id = f"r{number}"
            store.start_run(run_id, "nightly", f"2026-11-2{number}T00:00:00", "2026-11-26", "0.1")
            _write_site(store, run_id)
            found = [("d", _finding("links.dead", "http://a.gov.cn/1.html"))]
            store.commit_site(run_id, _snapshot(), _entry("门户", [f for _, f in found]), found, {"links.dead"}, NOW)
            store.finish_run(run_id, f"2026-11-2{number}T01:00:00")
        _write_site(store, "r2", "乙")
        store.discard_site("r2", "乙")
        assert store.query("SELECT COUNT(*) FROM pages WHERE site = '乙'") == [(0,)]
        store.prune(keep_full_runs=1, keep_runs=2)
        kept = store.query("SELECT run_id, url FROM pages WHERE html IS NOT NULL ORDER BY run_id, url")
        assert kept == [("r1", "http://a.gov.cn/1.html"), ("r2", "http://a.gov.cn/"), ("r2", "http://a.gov.cn/1.html"),
                        ("r2", "http://a.gov.cn/2.html")]   # r1 keeps its evidence page only; r0's snapshot is gone
        assert store.query("SELECT COUNT(*) FROM snapshots WHERE run_id = 'r0'") == [(0,)]
        assert sorted(store.sites_done("r0")) == ["门户"]   # results stay
        assert store.captured_document("r1", "门户", "http://a.gov.cn/1.html") is not None
        assert store.captured_document("r1", "门户", "http://a.gov.cn/2.html") is None


def test_the_schema_is_alembics_newest_on_both(target: str) -> None:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(govaudit.database.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    with Store(target) as store:
        assert store.query("SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
        tables = {"runs", "site_results", "snapshots", "pages", "link_checks", "findings", "not_checked",
                  "law_library", "finding_history", "probes"}
        from sqlalchemy import inspect

        assert tables <= set(inspect(store.engine).get_table_names())


# The first schema of the SQLite store (before Alembic), as govaudit 0.1 created it.
_SCHEMA_1 = """
CREATE TABLE runs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
                   today TEXT NOT NULL, tool_version TEXT NOT NULL);
CREATE TABLE site_results (run_id TEXT NOT NULL REFERENCES runs(id), site TEXT NOT NULL, url TEXT NOT NULL,
                           unit TEXT, verdict TEXT NOT NULL, score REAL, stats TEXT NOT NULL, PRIMARY KEY (run_id, site));
CREATE TABLE snapshots (run_id TEXT NOT NULL, site TEXT NOT NULL, meta TEXT NOT NULL, PRIMARY KEY (run_id, site));
CREATE TABLE pages (run_id TEXT NOT NULL, site TEXT NOT NULL, url TEXT NOT NULL, seq INTEGER NOT NULL, status INTEGER,
                    depth INTEGER NOT NULL, meta TEXT NOT NULL, html BLOB, PRIMARY KEY (run_id, site, url));
CREATE TABLE link_checks (run_id TEXT NOT NULL, site TEXT NOT NULL, url TEXT NOT NULL, outcome TEXT NOT NULL,
                          PRIMARY KEY (run_id, site, url));
CREATE TABLE findings (run_id TEXT NOT NULL, site TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
                       url TEXT NOT NULL, message TEXT NOT NULL, evidence TEXT NOT NULL);
CREATE TABLE not_checked (run_id TEXT NOT NULL, site TEXT NOT NULL, rule TEXT NOT NULL, reason TEXT NOT NULL, url TEXT);
CREATE INDEX findings_by_site ON findings (site, rule);
"""


def test_a_store_from_before_alembic_is_upgraded_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(_SCHEMA_1)
        db.execute("INSERT INTO runs VALUES ('old', 'nightly', '2025-01-01T00:00:00', '2025-01-01T01:00:00', "
                   "'2025-01-01', '0.0.9')")
        db.execute("INSERT INTO findings VALUES ('old', '门户', 'links.dead', 'deduct', 'http://a.gov.cn/', '旧问题', '{}')")
        db.execute("PRAGMA user_version = 1")
    db.close()
    with Store(path) as store:
        assert store.run_info("old")["tool_version"] == "0.0.9"
        assert store.query("SELECT message, fingerprint FROM findings") == [("旧问题", None)]
        assert store.query("SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
        assert store.law_library_csv() is None   # a table of a later schema exists now
        store.start_run("new", "nightly", NOW, "2026-11-26", "0.1", source_run="old")


def test_a_database_that_cannot_be_reached_is_named_without_its_password() -> None:
    with pytest.raises(StoreUnavailable) as raised:
        Store("postgresql://govaudit:secret@127.0.0.1:9/nothing")
    assert "127.0.0.1:9" in str(raised.value) and "secret" not in str(raised.value)


def test_a_migration_that_fails_midway_leaves_the_store_as_it_was(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """(A crash during the first migration of a new SQLite store must not leave half a schema.)"""
    from alembic import command

    real_upgrade = command.upgrade

    def upgrade_then_crash(*args: Any, **kwargs: Any) -> None:
        real_upgrade(*args, **kwargs)
        raise RuntimeError("crash after the tables were created, before the commit")

    monkeypatch.setattr(command, "upgrade", upgrade_then_crash)
    path = tmp_path / "new.sqlite"
    with pytest.raises(RuntimeError):
        Store(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == []
    db.close()
    monkeypatch.setattr(command, "upgrade", real_upgrade)
    govaudit.database._migrated.discard(govaudit.database.store_url(path))
    with Store(path) as store:
        assert store.query("SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]


def test_processes_opening_a_new_store_at_once_migrate_it_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "shared.sqlite"
    code = f"from govaudit.store import Store; Store({str(path)!r}).start_run(__import__('os').urandom(4).hex(), " \
           "'nightly', 'now', '2026-11-26', '0.1')"
    children = [subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(4)]
    errors = [child.communicate(timeout=60)[1].decode() for child in children]
    assert [child.returncode for child in children] == [0, 0, 0, 0], errors
    with Store(path) as store:
        assert len(store.runs()) == 4


def test_a_store_file_deleted_while_the_process_runs_is_made_again(tmp_path: Path) -> None:
    """(The scheduler is one long process; an office may remove the database between nights.)"""
    path = tmp_path / "g.sqlite"
    with Store(path) as store:
        store.start_run("r1", "nightly", NOW, "2026-11-26", "0.1")
    for leftover in tmp_path.glob("g.sqlite*"):
        leftover.unlink()
    with Store(path) as store:
        assert store.runs() == []
        store.start_run("r2", "nightly", NOW, "2026-11-26", "0.1")
