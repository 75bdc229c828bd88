"""The SQLite store: runs, snapshots (pages, link checks), findings.

A snapshot saved here can be loaded back and the rules run on it again without a network.
Schema changes are numbered migrations applied in order (PRAGMA user_version).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import zlib
from collections.abc import Iterable

import cattrs.preconf.json
from pathlib import Path
from typing import Any

from checks.base import Finding, NotChecked
from crawler.snapshot import FetchOutcome, Page, SiteSnapshot

# Snapshot dataclasses <-> JSON. Page.tree is a cached property, not a field: never stored.
_converter = cattrs.preconf.json.make_converter()

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
        today TEXT NOT NULL, tool_version TEXT NOT NULL
    );
    CREATE TABLE site_results (
        run_id TEXT NOT NULL REFERENCES runs(id), site TEXT NOT NULL, url TEXT NOT NULL,
        unit TEXT, verdict TEXT NOT NULL, score REAL, stats TEXT NOT NULL,
        PRIMARY KEY (run_id, site)
    );
    CREATE TABLE snapshots (
        run_id TEXT NOT NULL, site TEXT NOT NULL, meta TEXT NOT NULL,
        PRIMARY KEY (run_id, site)
    );
    CREATE TABLE pages (
        run_id TEXT NOT NULL, site TEXT NOT NULL, url TEXT NOT NULL, seq INTEGER NOT NULL,
        status INTEGER, depth INTEGER NOT NULL, meta TEXT NOT NULL, html BLOB,
        PRIMARY KEY (run_id, site, url)
    );
    CREATE TABLE link_checks (
        run_id TEXT NOT NULL, site TEXT NOT NULL, url TEXT NOT NULL, outcome TEXT NOT NULL,
        PRIMARY KEY (run_id, site, url)
    );
    CREATE TABLE findings (
        run_id TEXT NOT NULL, site TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
        url TEXT NOT NULL, message TEXT NOT NULL, evidence TEXT NOT NULL
    );
    CREATE TABLE not_checked (
        run_id TEXT NOT NULL, site TEXT NOT NULL, rule TEXT NOT NULL, reason TEXT NOT NULL, url TEXT
    );
    CREATE INDEX findings_by_site ON findings (site, rule);
    """,
    """
    CREATE TABLE law_library (
        id INTEGER PRIMARY KEY CHECK (id = 1), snapshot_date TEXT NOT NULL, source TEXT NOT NULL,
        imported_at TEXT NOT NULL, csv TEXT NOT NULL
    );
    """,
)


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            with self.db:
                self.db.executescript(script)
                self.db.execute(f"PRAGMA user_version = {number}")

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, run_id: str, kind: str, started_at: str, today: str, tool_version: str) -> None:
        with self.db:
            self.db.execute("INSERT INTO runs VALUES (?, ?, ?, NULL, ?, ?)",
                            (run_id, kind, started_at, today, tool_version))

    def finish_run(self, run_id: str, finished_at: str) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (finished_at, run_id))

    # -- snapshots -------------------------------------------------------------------------

    def save_snapshot(self, run_id: str, snapshot: SiteSnapshot) -> None:
        meta = _converter.unstructure(dataclasses.replace(snapshot, pages={}, link_checks={}))
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?)",
                            (run_id, snapshot.name, _dump(meta)))
            self.db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                ((run_id, snapshot.name, page.url, seq, page.fetch.status, page.depth,
                  _dump(_converter.unstructure(dataclasses.replace(page, html=None))),
                  zlib.compress(page.html.encode("utf-8")) if page.html is not None else None)
                 for seq, page in enumerate(snapshot.pages.values())))
            self.db.executemany(
                "INSERT OR REPLACE INTO link_checks VALUES (?, ?, ?, ?)",
                ((run_id, snapshot.name, url, _dump(_converter.unstructure(outcome)))
                 for url, outcome in snapshot.link_checks.items()))

    def load_snapshot(self, run_id: str, site: str) -> SiteSnapshot:
        row = self.db.execute("SELECT meta FROM snapshots WHERE run_id = ? AND site = ?",
                              (run_id, site)).fetchone()
        if row is None:
            raise KeyError(f"no snapshot of {site!r} in run {run_id!r}")
        snapshot = _converter.structure(json.loads(row[0]), SiteSnapshot)
        for url, page_meta, html in self.db.execute(
                "SELECT url, meta, html FROM pages WHERE run_id = ? AND site = ? ORDER BY seq", (run_id, site)):
            page = _converter.structure(json.loads(page_meta), Page)
            page.html = zlib.decompress(html).decode("utf-8") if html is not None else None
            snapshot.pages[url] = page
        for url, outcome in self.db.execute(
                "SELECT url, outcome FROM link_checks WHERE run_id = ? AND site = ?", (run_id, site)):
            snapshot.link_checks[url] = _converter.structure(json.loads(outcome), FetchOutcome)
        return snapshot

    # -- the law reference library ----------------------------------------------------------

    def save_law_library(self, csv_text: str, snapshot_date: str, source: str, imported_at: str) -> None:
        """Replace the imported library in one transaction (the caller validated the file)."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO law_library VALUES (1, ?, ?, ?, ?)",
                            (snapshot_date, source, imported_at, csv_text))

    def law_library_csv(self) -> tuple[str, str, str, str] | None:
        """(csv text, snapshot date, source, imported at) of the imported library, if any."""
        row = self.db.execute("SELECT csv, snapshot_date, source, imported_at FROM law_library WHERE id = 1").fetchone()
        return tuple(row) if row else None  # type: ignore[return-value]

    # -- results ---------------------------------------------------------------------------

    def save_results(self, run_id: str, site: str, url: str, unit: str, verdict: str,
                     score: float | None, stats: dict[str, Any], findings: Iterable[Finding],
                     not_checked: Iterable[NotChecked]) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO site_results VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (run_id, site, url, unit, verdict, score, _dump(stats)))
            self.db.execute("DELETE FROM findings WHERE run_id = ? AND site = ?", (run_id, site))
            self.db.execute("DELETE FROM not_checked WHERE run_id = ? AND site = ?", (run_id, site))
            self.db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)",
                                ((run_id, site, f.rule, f.severity.value, f.url, f.message,
                                  _dump(dict(f.evidence))) for f in findings))
            self.db.executemany("INSERT INTO not_checked VALUES (?, ?, ?, ?, ?)",
                                ((run_id, site, n.rule, n.reason, n.url) for n in not_checked))

    def findings_of(self, run_id: str, site: str) -> list[tuple[str, str, str]]:
        return self.db.execute("SELECT rule, url, message FROM findings WHERE run_id = ? AND site = ?",
                               (run_id, site)).fetchall()


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


