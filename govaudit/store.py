"""The SQLite store: runs, snapshots (pages, link checks), findings.

A snapshot saved here can be loaded back and the rules run on it again without a network.
Schema changes are numbered migrations applied in order (PRAGMA user_version).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import cattrs.preconf.json

from govaudit.crawler.bodies import decompress
from govaudit.crawler.snapshot import BodyReader, FetchOutcome, NoBodies, SiteSnapshot
from govaudit.faults import pause_point
from govaudit.stored import FactsReader, StoredRow, with_stored_pages
from govaudit.stored import record_meta as _record_meta

# Snapshot dataclasses <-> JSON. Page bodies have columns of their own; parsed trees are never stored.
_converter = cattrs.preconf.json.make_converter()
# The meta of a snapshot leaves out its pages and bodies (rows and columns of their own).
_converter.register_structure_hook(BodyReader, lambda _value, _type: NoBodies())
_converter.register_unstructure_hook(BodyReader, lambda _value: None)
_converter.register_structure_hook_func(lambda type_: type_ is object, lambda value, _type: value)

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
    """
    ALTER TABLE pages ADD COLUMN rendered BLOB;
    """,
    """
    ALTER TABLE pages ADD COLUMN facts TEXT;
    CREATE INDEX pages_in_order ON pages (run_id, site, seq);
    ALTER TABLE runs ADD COLUMN source_run TEXT;
    """,
)


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60)
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

    def start_run(self, run_id: str, kind: str, started_at: str, today: str, tool_version: str,
                  source_run: str | None = None) -> None:
        """`source_run`: the run whose stored snapshots this one judges again (rejudge)."""
        with self.db:
            self.db.execute("INSERT INTO runs (id, kind, started_at, finished_at, today, tool_version, source_run) "
                            "VALUES (?, ?, ?, NULL, ?, ?, ?)",
                            (run_id, kind, started_at, today, tool_version, source_run))

    def snapshot_run(self, run_id: str) -> str:
        """The run whose snapshots `run_id` judged (itself, unless it was a rejudge)."""
        row = self.db.execute("SELECT source_run FROM runs WHERE id = ?", (run_id,)).fetchone()
        return row[0] if row is not None and row[0] else run_id

    def finish_run(self, run_id: str, finished_at: str) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (finished_at, run_id))

    # -- snapshots ------------------------------------------------------------------------

    def write_pages(self, run_id: str, site: str, pages: Iterable[StoredRow]) -> None:
        """Pages of a site in flight, as the crawl goes (one transaction per batch). They
        belong to the run once the site is committed; `discard_site` removes them when a
        crash interrupted the site."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO pages (run_id, site, url, seq, status, depth, meta, html, rendered, facts) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((run_id, site, row.record.url, row.record.seq, row.record.fetch.status, row.record.depth,
                  _dump(_record_meta(row.record)), row.html, row.rendered, row.facts) for row in pages))

    def discard_site(self, run_id: str, site: str) -> None:
        """Everything stored of a site that was not committed (before auditing it again)."""
        with self.db:
            for table in ("pages", "link_checks", "snapshots"):
                self.db.execute(f"DELETE FROM {table} WHERE run_id = ? AND site = ?", (run_id, site))

    def _write_snapshot(self, run_id: str, snapshot: SiteSnapshot) -> None:
        meta = _converter.unstructure(dataclasses.replace(snapshot, pages={}, link_checks={}))
        meta.pop("bodies", None)
        self.db.execute("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?)", (run_id, snapshot.name, _dump(meta)))
        self.db.executemany(
            "INSERT OR REPLACE INTO link_checks VALUES (?, ?, ?, ?)",
            ((run_id, snapshot.name, url, _dump(_converter.unstructure(outcome)))
             for url, outcome in snapshot.link_checks.items()))

    def load_snapshot(self, run_id: str, site: str, facts: FactsReader | None = None) -> SiteSnapshot:
        """A stored snapshot: its pages are read from the store as they are used (never all
        at once); `facts` turns each page's stored facts into what the rules read."""
        row = self.db.execute("SELECT meta FROM snapshots WHERE run_id = ? AND site = ?",
                              (run_id, site)).fetchone()
        if row is None:
            raise KeyError(f"no snapshot of {site!r} in run {run_id!r}")
        meta = json.loads(row[0])
        meta.pop("pages", None)
        snapshot = _converter.structure(meta, SiteSnapshot)
        for url, outcome in self.db.execute(
                "SELECT url, outcome FROM link_checks WHERE run_id = ? AND site = ?", (run_id, site)):
            snapshot.link_checks[url] = _converter.structure(json.loads(outcome), FetchOutcome)
        return with_stored_pages(snapshot, self.path, run_id, facts)

    def captured_document(self, run_id: str, site: str, url: str) -> tuple[str, str] | None:
        """(HTML as the crawler captured it, when) of one page of a run; None when the run
        did not fetch it as HTML or its body has been pruned."""
        row = self.db.execute("SELECT meta, html FROM pages WHERE run_id = ? AND site = ? AND url = ?",
                              (self.snapshot_run(run_id), site, url)).fetchone()
        if row is None or row[1] is None:
            return None
        fetched_at = json.loads(row[0]).get("fetch", {}).get("fetched_at", "")
        return decompress(row[1]), str(fetched_at)

    # -- the law reference library ----------------------------------------------------------

    def save_law_library(self, csv_text: str, snapshot_date: str, source: str, imported_at: str) -> None:
        """Replace the imported library in one transaction (the caller validated the file)."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO law_library VALUES (1, ?, ?, ?, ?)",
                            (snapshot_date, source, imported_at, csv_text))

    def law_library_csv(self) -> tuple[str, str, str, str] | None:
        """(csv text, snapshot date, source, imported at) of the imported library, if any."""
        row = self.db.execute("SELECT csv, snapshot_date, source, imported_at FROM law_library WHERE id = 1").fetchone()
        return tuple(row) if row else None

    # -- results ---------------------------------------------------------------------------

    def commit_site(self, run_id: str, snapshot: SiteSnapshot, entry: dict[str, Any],
                    findings: list[tuple[str, dict[str, Any]]], settled_rules: set[str], now: str,
                    *, with_snapshot: bool = True) -> None:
        """Everything about one audited site in one transaction: a crash loses the site in
        flight, never half of one. `findings` are (fingerprint, report.json finding);
        `settled_rules` are the rules that fully decided this time, whose earlier findings
        not seen again are therefore fixed (已整改)."""
        site = snapshot.name
        with self.db:
            if with_snapshot:   # (a rejudged run refers to the snapshot of the run it judged again)
                self._write_snapshot(run_id, snapshot)
            self.db.execute("INSERT OR REPLACE INTO site_results "
                            "(run_id, site, url, unit, verdict, score, stats, data, finished_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (run_id, site, entry["url"], entry["unit"], entry["verdict"], entry["score"],
                             _dump(entry["stats"]), _dump(entry), now))
            self.db.execute("DELETE FROM findings WHERE run_id = ? AND site = ?", (run_id, site))
            self.db.execute("DELETE FROM not_checked WHERE run_id = ? AND site = ?", (run_id, site))
            self.db.executemany(
                "INSERT INTO findings (run_id, site, rule, severity, url, message, evidence, fingerprint, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((run_id, site, f["rule"], f["severity"], f["url"], f["message"], _dump(f["evidence"]), fp, _dump(f))
                 for fp, f in findings))
            self.db.executemany("INSERT INTO not_checked VALUES (?, ?, ?, ?, ?)",
                                ((run_id, site, n["rule"], n["reason"], n.get("url")) for n in entry["not_checked"]))
            self._update_history(run_id, site, findings, settled_rules, now)
            pause_point("commit")  # crash-safety tests kill here, before the COMMIT

    def _update_history(self, run_id: str, site: str, findings: list[tuple[str, dict[str, Any]]],
                        settled_rules: set[str], now: str) -> None:
        current = {fp for fp, _ in findings}
        for fp, finding in findings:
            row = self.db.execute("SELECT fixed_run FROM finding_history WHERE site = ? AND fingerprint = ?",
                                  (site, fp)).fetchone()
            if row is None or row[0] is not None:  # new, or back after being fixed: a new occurrence
                self.db.execute("INSERT OR REPLACE INTO finding_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                                (site, fp, finding["rule"], finding["severity"], _dump(finding), run_id, now,
                                 run_id, now))
            else:
                self.db.execute("UPDATE finding_history SET last_run = ?, last_seen = ?, data = ? "
                                "WHERE site = ? AND fingerprint = ?", (run_id, now, _dump(finding), site, fp))
        open_rows = self.db.execute("SELECT fingerprint, rule FROM finding_history WHERE site = ? AND fixed_run IS NULL",
                                    (site,)).fetchall()
        for fp, rule in open_rows:
            if fp not in current and rule in settled_rules:
                self.db.execute("UPDATE finding_history SET fixed_run = ?, fixed_at = ? WHERE site = ? AND fingerprint = ?",
                                (run_id, now, site, fp))

    # -- reading runs back ---------------------------------------------------------------------

    def unfinished_run(self, kind: str) -> str | None:
        row = self.db.execute("SELECT id FROM runs WHERE kind = ? AND finished_at IS NULL ORDER BY started_at DESC LIMIT 1",
                              (kind,)).fetchone()
        return row[0] if row else None

    def run_info(self, run_id: str) -> dict[str, Any]:
        row = self.db.execute("SELECT id, kind, started_at, finished_at, today, tool_version, reports_dir, mail_status, "
                              "mail_error FROM runs WHERE id = ?", (run_id,)).fetchone()
        keys = ("id", "kind", "started_at", "finished_at", "today", "tool_version", "reports_dir", "mail_status", "mail_error")
        return dict(zip(keys, row)) if row else {}

    def sites_done(self, run_id: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT site FROM site_results WHERE run_id = ? ORDER BY finished_at", (run_id,))]

    def site_entries(self, run_id: str) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.db.execute(
            "SELECT data FROM site_results WHERE run_id = ? AND data IS NOT NULL ORDER BY finished_at", (run_id,))]

    def runs(self, kind: str | None = None, limit: int = 30) -> list[dict[str, Any]]:
        query = "SELECT id FROM runs" + (" WHERE kind = ?" if kind else "") + " ORDER BY started_at DESC LIMIT ?"
        ids = [r[0] for r in self.db.execute(query, (kind, limit) if kind else (limit,))]
        return [self.run_info(i) for i in ids]

    def site_series(self, site: str, limit: int = 10) -> list[dict[str, Any]]:
        """The site's last results, oldest first: run, date, verdict, score, findings by severity."""
        rows = self.db.execute(
            "SELECT r.id, r.today, s.verdict, s.score FROM site_results s JOIN runs r ON r.id = s.run_id "
            "WHERE s.site = ? AND r.finished_at IS NOT NULL ORDER BY r.started_at DESC LIMIT ?", (site, limit)).fetchall()
        series = []
        for run_id, today, verdict, score in reversed(rows):
            counts = dict(self.db.execute("SELECT severity, COUNT(*) FROM findings WHERE run_id = ? AND site = ? "
                                          "GROUP BY severity", (run_id, site)).fetchall())
            series.append({"run": run_id, "today": today, "verdict": verdict, "score": score, "counts": counts})
        return series

    def history_of(self, site: str) -> list[dict[str, Any]]:
        keys = ("fingerprint", "rule", "severity", "data", "first_run", "first_seen", "last_run", "last_seen",
                "fixed_run", "fixed_at")
        rows = self.db.execute(f"SELECT {', '.join(keys)} FROM finding_history WHERE site = ? ORDER BY first_seen",
                               (site,)).fetchall()
        return [{**dict(zip(keys, r)), "data": json.loads(r[3])} for r in rows]

    def set_mail_status(self, run_id: str, status: str, error: str | None) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET mail_status = ?, mail_error = ? WHERE id = ?", (status, error, run_id))

    def set_reports_dir(self, run_id: str, path: str) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET reports_dir = ? WHERE id = ?", (path, run_id))

    # -- availability probes -----------------------------------------------------------------

    def add_probe(self, site: str, at: str, ok: bool, status: int | None, error: str | None, elapsed_s: float) -> None:
        with self.db:
            self.db.execute("INSERT INTO probes VALUES (?, ?, ?, ?, ?, ?)", (site, at, int(ok), status, error, elapsed_s))

    def probes_since(self, site: str, since: str) -> list[tuple[str, bool, int | None, str | None]]:
        return [(at, bool(ok), status, error) for at, ok, status, error in self.db.execute(
            "SELECT at, ok, status, error FROM probes WHERE site = ? AND at >= ? ORDER BY at", (site, since))]

    # -- bounded growth --------------------------------------------------------------------------

    def prune(self, keep_full_runs: int, keep_runs: int) -> None:
        """Runs beyond the newest `keep_full_runs` keep page bodies only for evidence pages
        (those a finding names); beyond `keep_runs`, their snapshots go (results stay)."""
        ids = [r[0] for r in self.db.execute("SELECT id FROM runs WHERE finished_at IS NOT NULL ORDER BY started_at DESC")]
        with self.db:
            for run_id in ids[keep_full_runs:]:
                self.db.execute("UPDATE pages SET html = NULL, rendered = NULL WHERE run_id = ? AND html IS NOT NULL AND url NOT IN "
                                "(SELECT url FROM findings WHERE run_id = ?)", (run_id, run_id))
            for run_id in ids[keep_runs:]:
                for table in ("pages", "link_checks", "snapshots"):
                    self.db.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))

    def integrity_ok(self) -> bool:
        return bool(self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


