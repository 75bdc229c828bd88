"""The store: runs, snapshots (pages, link checks), findings, history, probes, the law library.

One SQLAlchemy Core layer over SQLite (the default, one machine) and PostgreSQL (workers on
several machines write their sites' results directly). The schema is govaudit/dbschema.py,
brought up to date by Alembic migrations when a store is opened (govaudit/database.py).
A snapshot saved here can be loaded back and the rules run on it again without a network.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import cattrs.preconf.json
from sqlalchemy import Connection, Table, and_, delete, func, insert, select, text, update
from sqlalchemy.exc import OperationalError

from govaudit.crawler.bodies import decompress
from govaudit.crawler.snapshot import BodyReader, FetchOutcome, NoBodies, SiteSnapshot
from govaudit.database import StoreTarget, StoreUnavailable, engine_for, shown, store_url
from govaudit.dbschema import (
    finding_history,
    findings,
    law_library,
    link_checks,
    not_checked,
    pages,
    probes,
    reviews,
    runs,
    site_results,
    snapshots,
)
from govaudit.faults import pause_point
from govaudit.review import Review, ReviewState
from govaudit.stored import FactsReader, StoredRow, with_stored_pages
from govaudit.stored import record_meta as _record_meta

# Snapshot dataclasses <-> JSON. Page bodies have columns of their own; parsed trees are never stored.
_converter = cattrs.preconf.json.make_converter()
# The meta of a snapshot leaves out its pages and bodies (rows and columns of their own).
_converter.register_structure_hook(BodyReader, lambda _value, _type: NoBodies())
_converter.register_unstructure_hook(BodyReader, lambda _value: None)
_converter.register_structure_hook_func(lambda type_: type_ is object, lambda value, _type: value)

_RUN_KEYS = ("id", "kind", "started_at", "finished_at", "today", "tool_version", "reports_dir", "mail_status", "mail_error")
_HISTORY_KEYS = ("fingerprint", "rule", "severity", "data", "first_run", "first_seen", "last_run", "last_seen",
                 "fixed_run", "fixed_at")


class Store:
    def __init__(self, target: StoreTarget) -> None:
        self.target = target
        self.url = store_url(target)
        self.engine = engine_for(target)

    def close(self) -> None:
        """(Connections are per use; the engine stays for the process.)"""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self) -> AbstractContextManager[Connection]:
        """One transaction: everything in it is stored, or nothing."""
        return self._connection(write=True)

    def _read(self) -> AbstractContextManager[Connection]:
        return self._connection(write=False)

    def transaction(self) -> AbstractContextManager[Connection]:
        """One write transaction, for the workbench's own tables (govaudit/web)."""
        return self._write()

    def reading(self) -> AbstractContextManager[Connection]:
        return self._read()

    @contextmanager
    def _connection(self, *, write: bool) -> Iterator[Connection]:
        try:
            with (self.engine.begin() if write else self.engine.connect()) as connection:
                yield connection
        except OperationalError as exc:
            failed = "写入失败" if write else "读取失败"
            raise StoreUnavailable(f"数据库 {shown(self.target)} {failed}：{str(exc.orig).strip().splitlines()[0]}") from exc

    def query(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """Rows of a read-only SQL query (tests, diagnostics)."""
        with self._read() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, run_id: str, kind: str, started_at: str, today: str, tool_version: str,
                  source_run: str | None = None) -> None:
        """`source_run`: the run whose stored snapshots this one judges again (rejudge)."""
        with self._write() as connection:
            connection.execute(insert(runs).values(id=run_id, kind=kind, started_at=started_at, today=today,
                                                   tool_version=tool_version, source_run=source_run))

    def snapshot_run(self, run_id: str) -> str:
        """The run whose snapshots `run_id` judged (itself, unless it was a rejudge)."""
        with self._read() as connection:
            source = connection.execute(select(runs.c.source_run).where(runs.c.id == run_id)).scalar()
        return source or run_id

    def finish_run(self, run_id: str, finished_at: str) -> None:
        self._set_run(run_id, finished_at=finished_at)

    def _set_run(self, run_id: str, **values: Any) -> None:
        with self._write() as connection:
            connection.execute(update(runs).where(runs.c.id == run_id).values(**values))

    # -- snapshots ------------------------------------------------------------------------

    def write_pages(self, run_id: str, site: str, rows: Iterable[StoredRow]) -> None:
        """Pages of a site in flight, as the crawl goes (one transaction per batch). They
        belong to the run once the site is committed; `discard_site` removes them when a
        crash interrupted the site."""
        values = [{"run_id": run_id, "site": site, "url": row.record.url, "seq": row.record.seq,
                   "status": row.record.fetch.status, "depth": row.record.depth,
                   "meta": _dump(_record_meta(row.record)), "html": row.html, "rendered": row.rendered,
                   "facts": row.facts} for row in rows]
        if values:
            with self._write() as connection:
                upsert(connection, pages, values)

    def discard_site(self, run_id: str, site: str) -> None:
        """Everything stored of a site that was not committed (before auditing it again)."""
        with self._write() as connection:
            for table in (pages, link_checks, snapshots):
                connection.execute(delete(table).where(_of_site(table, run_id, site)))

    def _write_snapshot(self, connection: Connection, run_id: str, snapshot: SiteSnapshot) -> None:
        meta = _converter.unstructure(dataclasses.replace(snapshot, pages={}, link_checks={}))
        meta.pop("bodies", None)
        upsert(connection, snapshots, [{"run_id": run_id, "site": snapshot.name, "meta": _dump(meta)}])
        checks = [{"run_id": run_id, "site": snapshot.name, "url": url, "outcome": _dump(_converter.unstructure(outcome))}
                  for url, outcome in snapshot.link_checks.items()]
        if checks:
            upsert(connection, link_checks, checks)

    def load_snapshot(self, run_id: str, site: str, facts: FactsReader | None = None) -> SiteSnapshot:
        """A stored snapshot: its pages are read from the store as they are used (never all
        at once); `facts` turns each page's stored facts into what the rules read."""
        with self._read() as connection:
            row = connection.execute(select(snapshots.c.meta).where(_of_site(snapshots, run_id, site))).scalar()
            if row is None:
                raise KeyError(f"no snapshot of {site!r} in run {run_id!r}")
            meta = json.loads(row)
            meta.pop("pages", None)
            snapshot = _converter.structure(meta, SiteSnapshot)
            checks = connection.execute(select(link_checks.c.url, link_checks.c.outcome)
                                        .where(_of_site(link_checks, run_id, site)))
            for url, outcome in checks:
                snapshot.link_checks[url] = _converter.structure(json.loads(outcome), FetchOutcome)
        return with_stored_pages(snapshot, self.url, run_id, facts)

    def captured_document(self, run_id: str, site: str, url: str) -> tuple[str, str] | None:
        """(HTML as the crawler captured it, when) of one page of a run; None when the run
        did not fetch it as HTML or its body has been pruned."""
        source = self.snapshot_run(run_id)
        with self._read() as connection:
            row = connection.execute(select(pages.c.meta, pages.c.html).where(
                _of_site(pages, source, site), pages.c.url == url)).first()
        if row is None or row[1] is None:
            return None
        fetched_at = json.loads(row[0]).get("fetch", {}).get("fetched_at", "")
        return decompress(row[1]), str(fetched_at)

    # -- the law reference library ----------------------------------------------------------

    def save_law_library(self, csv_text: str, snapshot_date: str, source: str, imported_at: str) -> None:
        """Replace the imported library in one transaction (the caller validated the file)."""
        with self._write() as connection:
            upsert(connection, law_library, [{"id": 1, "snapshot_date": snapshot_date, "source": source,
                                               "imported_at": imported_at, "csv": csv_text}])

    def law_library_csv(self) -> tuple[str, str, str, str] | None:
        """(csv text, snapshot date, source, imported at) of the imported library, if any."""
        with self._read() as connection:
            row = connection.execute(select(law_library.c.csv, law_library.c.snapshot_date, law_library.c.source,
                                            law_library.c.imported_at).where(law_library.c.id == 1)).first()
        return (row[0], row[1], row[2], row[3]) if row else None

    # -- results ---------------------------------------------------------------------------

    def commit_site(self, run_id: str, snapshot: SiteSnapshot, entry: dict[str, Any],
                    found: list[tuple[str, dict[str, Any]]], settled_rules: set[str], now: str,
                    *, with_snapshot: bool = True) -> None:
        """Everything about one audited site in one transaction: a crash loses the site in
        flight, never half of one. `found` are (fingerprint, report.json finding);
        `settled_rules` are the rules that fully decided this time, whose earlier findings
        not seen again are therefore fixed (已整改). Committing a site twice (a task run
        again by another worker) leaves it stored once: the result row is written first, so
        a second commit of the same site waits for the first and then replaces it whole."""
        site = snapshot.name
        with self._write() as connection:
            upsert(connection, site_results, [{
                "run_id": run_id, "site": site, "url": entry["url"], "unit": entry["unit"], "verdict": entry["verdict"],
                "score": entry["score"], "stats": _dump(entry["stats"]), "data": _dump(entry), "finished_at": now}])
            if with_snapshot:   # (a rejudged run refers to the snapshot of the run it judged again)
                self._write_snapshot(connection, run_id, snapshot)
            connection.execute(delete(findings).where(_of_site(findings, run_id, site)))
            connection.execute(delete(not_checked).where(_of_site(not_checked, run_id, site)))
            if found:
                connection.execute(insert(findings), [
                    {"run_id": run_id, "site": site, "rule": f["rule"], "severity": f["severity"], "url": _clean(f["url"]),
                     "message": _clean(f["message"]), "evidence": _dump(f["evidence"]), "fingerprint": fp, "data": _dump(f)}
                    for fp, f in found])
            if entry["not_checked"]:
                connection.execute(insert(not_checked), [
                    {"run_id": run_id, "site": site, "rule": n["rule"], "reason": _clean(n["reason"]),
                     "url": _clean(n.get("url"))} for n in entry["not_checked"]])
            _update_history(connection, run_id, site, found, settled_rules, now)
            pause_point("commit")  # crash-safety tests kill here, before the COMMIT

    # -- reading runs back ---------------------------------------------------------------------

    def unfinished_run(self, kind: str) -> str | None:
        with self._read() as connection:
            return connection.execute(select(runs.c.id).where(runs.c.kind == kind, runs.c.finished_at.is_(None))
                                      .order_by(runs.c.started_at.desc()).limit(1)).scalar()

    def run_info(self, run_id: str) -> dict[str, Any]:
        with self._read() as connection:
            row = connection.execute(select(*(runs.c[key] for key in _RUN_KEYS)).where(runs.c.id == run_id)).first()
        return dict(zip(_RUN_KEYS, row)) if row else {}

    def sites_done(self, run_id: str) -> list[str]:
        with self._read() as connection:
            return list(connection.execute(select(site_results.c.site).where(site_results.c.run_id == run_id)
                                           .order_by(site_results.c.finished_at)).scalars())

    def site_entries(self, run_id: str) -> list[dict[str, Any]]:
        with self._read() as connection:
            rows = connection.execute(select(site_results.c.data).where(
                site_results.c.run_id == run_id, site_results.c.data.is_not(None)).order_by(site_results.c.finished_at))
            return [json.loads(data) for data in rows.scalars()]

    def runs(self, kind: str | None = None, limit: int = 30) -> list[dict[str, Any]]:
        query = select(runs.c.id).order_by(runs.c.started_at.desc()).limit(limit)
        if kind:
            query = query.where(runs.c.kind == kind)
        with self._read() as connection:
            ids = list(connection.execute(query).scalars())
        return [self.run_info(i) for i in ids]

    def site_series(self, site: str, limit: int = 10) -> list[dict[str, Any]]:
        """The site's last results, oldest first: run, date, verdict, score, findings by severity."""
        with self._read() as connection:
            rows = connection.execute(
                select(runs.c.id, runs.c.today, site_results.c.verdict, site_results.c.score)
                .join(runs, runs.c.id == site_results.c.run_id)
                .where(site_results.c.site == site, runs.c.finished_at.is_not(None))
                .order_by(runs.c.started_at.desc()).limit(limit)).all()
            series = []
            for run_id, today, verdict, score in reversed(rows):
                counts: dict[str, int] = dict(connection.execute(
                    select(findings.c.severity, func.count()).where(_of_site(findings, run_id, site))
                    .group_by(findings.c.severity)).all())
                series.append({"run": run_id, "today": today, "verdict": verdict, "score": score, "counts": counts})
        return series

    def audited_before(self, site: str, run_id: str) -> bool:
        """Whether the site has a result in a run started before `run_id`."""
        started = select(runs.c.started_at).where(runs.c.id == run_id).scalar_subquery()
        with self._read() as connection:
            return connection.execute(select(site_results.c.run_id).join(runs, runs.c.id == site_results.c.run_id)
                                      .where(site_results.c.site == site, runs.c.started_at < started).limit(1)).first() is not None

    def history_of(self, site: str) -> list[dict[str, Any]]:
        with self._read() as connection:
            rows = connection.execute(select(*(finding_history.c[key] for key in _HISTORY_KEYS))
                                      .where(finding_history.c.site == site).order_by(finding_history.c.first_seen)).all()
        return [{**dict(zip(_HISTORY_KEYS, row)), "data": json.loads(row[3])} for row in rows]

    def set_mail_status(self, run_id: str, status: str, error: str | None) -> None:
        self._set_run(run_id, mail_status=status, mail_error=error)

    def set_reports_dir(self, run_id: str, path: str) -> None:
        self._set_run(run_id, reports_dir=path)

    # -- the office's review of findings (govaudit/review.py) ------------------------------------

    def add_review(self, review: Review) -> None:
        with self._write() as connection:
            connection.execute(insert(reviews).values(
                site=review.site, fingerprint=review.fingerprint, state=review.state.value, reason=_clean(review.reason),
                until=review.until, user=review.user, at=review.at, digest=review.digest, rule=review.rule,
                url=_clean(review.url), title=_clean(review.title), account=review.account, approval=review.approval,
                approver=review.approver))

    def reviews(self, site: str | None = None) -> dict[tuple[str, str], Review]:
        """The current review of each (site, fingerprint): its newest mark."""
        newest = select(func.max(reviews.c.id)).group_by(reviews.c.site, reviews.c.fingerprint)
        query = select(reviews).where(reviews.c.id.in_(newest))
        if site is not None:
            query = query.where(reviews.c.site == site)
        with self._read() as connection:
            found = [_review(row._mapping) for row in connection.execute(query)]
        return {(r.site, r.fingerprint): r for r in found}

    def review_events(self, site: str, fingerprint: str | None = None) -> list[Review]:
        """Every mark of a site's findings (or of one), oldest first."""
        query = select(reviews).where(reviews.c.site == site).order_by(reviews.c.id)
        if fingerprint is not None:
            query = query.where(reviews.c.fingerprint == fingerprint)
        with self._read() as connection:
            return [_review(row._mapping) for row in connection.execute(query)]

    def finding_sites(self, fingerprint: str) -> list[tuple[str, dict[str, Any]]]:
        """(site, latest report.json finding) of every site whose history has this fingerprint."""
        with self._read() as connection:
            rows = connection.execute(select(finding_history.c.site, finding_history.c.data)
                                      .where(finding_history.c.fingerprint == fingerprint)).all()
        return [(site, json.loads(data)) for site, data in rows]

    # -- availability probes -----------------------------------------------------------------

    def add_probe(self, site: str, at: str, ok: bool, status: int | None, error: str | None, elapsed_s: float) -> None:
        with self._write() as connection:
            connection.execute(insert(probes).values(site=site, at=at, ok=int(ok), status=status, error=_clean(error),
                                                     elapsed_s=elapsed_s))

    def probes_since(self, site: str, since: str) -> list[tuple[str, bool, int | None, str | None]]:
        with self._read() as connection:
            rows = connection.execute(select(probes.c.at, probes.c.ok, probes.c.status, probes.c.error)
                                      .where(probes.c.site == site, probes.c.at >= since).order_by(probes.c.at))
            return [(at, bool(ok), status, error) for at, ok, status, error in rows]

    # -- bounded growth --------------------------------------------------------------------------

    def prune(self, keep_full_runs: int, keep_runs: int) -> None:
        """Runs beyond the newest `keep_full_runs` keep page bodies only for evidence pages
        (those a finding names); beyond `keep_runs`, their snapshots go (results stay)."""
        with self._write() as connection:
            ids = list(connection.execute(select(runs.c.id).where(runs.c.finished_at.is_not(None))
                                          .order_by(runs.c.started_at.desc())).scalars())
            for run_id in ids[keep_full_runs:]:
                evidence = select(findings.c.url).where(findings.c.run_id == run_id)
                connection.execute(update(pages).where(pages.c.run_id == run_id, pages.c.html.is_not(None),
                                                       pages.c.url.not_in(evidence)).values(html=None, rendered=None))
            for run_id in ids[keep_runs:]:
                for table in (pages, link_checks, snapshots):
                    connection.execute(delete(table).where(table.c.run_id == run_id))

    def integrity_ok(self) -> bool:
        if self.engine.dialect.name != "sqlite":
            return True   # (PostgreSQL checks its own pages; a reachable server is a consistent one)
        with self._read() as connection:
            return bool(connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok")


def _update_history(connection: Connection, run_id: str, site: str, found: list[tuple[str, dict[str, Any]]],
                    settled_rules: set[str], now: str) -> None:
    current = {fp for fp, _ in found}
    known = dict(connection.execute(select(finding_history.c.fingerprint, finding_history.c.fixed_run)
                                    .where(finding_history.c.site == site)).all())
    fresh = []
    for fp, finding in found:
        if fp not in known or known[fp] is not None:  # new, or back after being fixed: a new occurrence
            fresh.append({"site": site, "fingerprint": fp, "rule": finding["rule"], "severity": finding["severity"],
                          "data": _dump(finding), "first_run": run_id, "first_seen": now, "last_run": run_id,
                          "last_seen": now, "fixed_run": None, "fixed_at": None})
        else:
            connection.execute(update(finding_history).where(finding_history.c.site == site,
                                                             finding_history.c.fingerprint == fp)
                               .values(last_run=run_id, last_seen=now, data=_dump(finding)))
    if fresh:
        upsert(connection, finding_history, fresh)
    open_rows = connection.execute(select(finding_history.c.fingerprint, finding_history.c.rule).where(
        finding_history.c.site == site, finding_history.c.fixed_run.is_(None))).all()
    for fp, rule in open_rows:
        if fp not in current and rule in settled_rules:
            connection.execute(update(finding_history).where(finding_history.c.site == site,
                                                             finding_history.c.fingerprint == fp)
                               .values(fixed_run=run_id, fixed_at=now))


def _review(row: Any) -> Review:
    return Review(site=row["site"], fingerprint=row["fingerprint"], state=ReviewState(row["state"]), reason=row["reason"],
                  user=row["user"], at=row["at"], until=row["until"], digest=row["digest"], rule=row["rule"],
                  url=row["url"], title=row["title"], account=row["account"], approval=row["approval"],
                  approver=row["approver"])


def upsert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT, or replace the row with the same primary key (SQLite and PostgreSQL)."""
    statement: Any   # (the two dialects' Insert types share this interface, not a base class)
    if connection.dialect.name == "postgresql":   # (imported here: the SQLite store never loads the other)
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert
        statement = postgresql_insert(table)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        statement = sqlite_insert(table)
    keys = [column.name for column in table.primary_key.columns]
    changes = {column.name: statement.excluded[column.name] for column in table.columns if column.name not in keys}
    connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes), rows)


def _of_site(table: Table, run_id: str, site: str) -> Any:
    return and_(table.c.run_id == run_id, table.c.site == site)


def _clean(value: str | None) -> str | None:
    """Crawled text as a text column takes it (PostgreSQL refuses NUL characters)."""
    return value.replace("\x00", "\ufffd") if value else value


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
