"""The audit flow: crawl -> pages streamed to the store -> rules over the stored snapshot ->
verdict -> results committed (one transaction per site) -> reports. Used by `govaudit
inspect` (one site) and `govaudit run` (every site, resumable); the crawl runs here, the
storing and judging in the judge worker (govaudit.pipeline)."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from govaudit import __version__
from govaudit.checks.facts import facts_reader
from govaudit.checks.sitemodel.laws import LawLibrary
from govaudit.config import Config, SiteConfig, plan_of
from govaudit.crawler.engine import Progress, crawl_site
from govaudit.crawler.politeness import HostGate, LocalHostGate
from govaudit.crawler.snapshot import CrawlNote, SiteSnapshot, now_iso
from govaudit.database import StoreTarget, shown
from govaudit.errors import UsageError
from govaudit.laws import active_library
from govaudit.pipeline import JudgeRequest, PageWriter, commit, discard_site, judge_and_commit, judge_executor, judge_snapshot
from govaudit.reports.annotate import annotate_document
from govaudit.reports.document import RunInfo, SiteReport, build_document
from govaudit.store import Store
from govaudit.stored import StoredPages

ProgressFactory = Callable[[SiteConfig], Progress | None]
PROBE_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class InspectionResult:
    run_id: str
    sites: list[SiteReport]            # the sites audited by this call (not those resumed)
    document: dict[str, Any]           # report.json of the whole run
    store_path: StoreTarget


async def audit_site(config: Config, site: SiteConfig, today: date, progress: Progress | None = None,
                     laws: LawLibrary | None = None, probes: tuple[Any, ...] | None = None) -> SiteReport:
    """One site on its own (tests, the bench's crawl): a store in a temporary folder that
    goes when the report does."""
    folder = Path(tempfile.mkdtemp(prefix="govaudit-audit-"))
    store_path = folder / "audit.sqlite"
    run_id = new_run_id()
    with Store(store_path) as store:
        store.start_run(run_id, "audit", now_iso(), today.isoformat(), __version__)
    with judge_executor(config.run.judge) as executor:
        report = await audit_one(config, site, today, progress, laws, probes, store_path, run_id, executor)
    weakref.finalize(report.snapshot, shutil.rmtree, folder, True)   # the snapshot reads its pages from there
    return report


async def audit_one(config: Config, site: SiteConfig, today: date, progress: Progress | None,
                     laws: LawLibrary | None, probes: tuple[Any, ...] | None, store_path: StoreTarget, run_id: str,
                     executor: Executor, hosts: HostGate | None = None) -> SiteReport:
    """Crawl the site, streaming its pages to the store, then judge and commit it, both in
    the judge worker. One site's failure is its own report, never an exception. `hosts`:
    the per-host politeness shared with the other sites being audited."""
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    await loop.run_in_executor(executor, discard_site, store_path, run_id, site.name)
    writer = PageWriter(executor, store_path, run_id, site.name, today)
    stored = True
    try:
        snapshot = await crawl_site(config.crawler, site, progress=progress, sink=writer, hosts=hosts)
        snapshot.notes.extend(writer.notes())
    except Exception as exc:  # one site's failure never stops the others
        snapshot, stored = _failed_snapshot(site, exc), False
    request = JudgeRequest(config, site, today, store_path, run_id, snapshot, stored, laws, probes,
                           time.perf_counter() - started)
    report = await asyncio.wrap_future(executor.submit(judge_and_commit, request))
    report.stats["duration_s"] = round(time.perf_counter() - started, 1)
    return report


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def inspect_sites(config: Config, sites: list[SiteConfig], *, store_path: StoreTarget, today: date,
                  progress: ProgressFactory | None = None, kind: str = "inspect",
                  resume: bool = False, announce: Callable[[str], None] | None = None) -> InspectionResult:
    """Audit `sites` (several at once, up to [run] max_concurrent_sites), committing each
    site when it finishes; with `resume`, an unfinished run of the same kind is continued
    and the sites it already finished are not audited again. With [run] engine = "celery"
    the sites are audited by the workers (govaudit.distributed); `announce` hears of it."""
    laws = active_library(store_path)
    with Store(store_path) as store:
        run_id = store.unfinished_run(kind) if resume else None
        if run_id is None:
            run_id = new_run_id()
            store.start_run(run_id, kind, now_iso(), today.isoformat(), __version__)
        done = set(store.sites_done(run_id))
        todo = [s for s in sites if s.name not in done]
        reports: list[SiteReport] = []
        if config.run.engine == "celery":
            from govaudit.distributed import audit_remotely  # (Celery is loaded only when used)

            audit_remotely(config, todo, today, store_path, run_id, announce)
        else:
            with judge_executor(config.run.judge) as executor:
                reports = asyncio.run(_audit_all(config, todo, today, laws, store, run_id, progress, executor))
        document = run_document(store, config, run_id, [s.name for s in sites])
    return InspectionResult(run_id, reports, document, store_path)


def run_document(store: Store, config: Config, run_id: str, order: list[str] | None = None) -> dict[str, Any]:
    """report.json of a run as the store holds it, with the plan's tasks and the office's
    reviews applied (reports/annotate.py); sites in `order`, then as they finished."""
    info = store.run_info(run_id)
    rank = {name: i for i, name in enumerate(order or [])}
    entries = sorted(store.site_entries(run_id), key=lambda e: rank.get(e["name"], len(rank)))
    document = build_document(RunInfo(run_id, info["started_at"], info["finished_at"] or now_iso(), info["today"]), [],
                              __version__)
    document["sites"] = entries
    document = annotate_document(document, plan_of(config), store.reviews(), config.scoring)
    for entry in document["sites"]:
        entry["change"] = change_since_last(store.history_of(entry["name"]), entry, run_id,
                                            store.audited_before(entry["name"], run_id))
    return document


def change_since_last(history: list[dict[str, Any]], entry: dict[str, Any], run_id: str,
                      previous: bool) -> dict[str, Any]:
    """新发现 / 仍存在 / 已整改 counts of a site in a run, leaving out findings set apart by review
    (and counting one back from review as new);
    `previous`: whether the site had been audited before (else everything is new)."""
    counted = {f["fingerprint"]: f["severity"] for f in entry["findings"]}
    returned = {f["fingerprint"] for f in entry["findings"] if (f.get("review") or {}).get("returned")}
    seen = [row for row in history if row["fingerprint"] in counted and row["last_run"] == run_id]
    new = [row for row in seen if row["first_run"] == run_id or row["fingerprint"] in returned]   # back from review: new again
    return {"previous": previous,
            "new": len(new), "new_veto": sum(1 for row in new if counted[row["fingerprint"]] == "veto"),
            "persisting": len(seen) - len(new),
            "fixed": sum(1 for row in history if row["fixed_run"] == run_id)}


def rejudge_run(config: Config, store_path: StoreTarget, source_run: str, today: date) -> InspectionResult:
    """Every rule again over the snapshots a run stored, with no network: a new run (kind
    rejudge) whose results and report stand for the same crawl judged with today's rules,
    thresholds and `today`. Sites are matched to the config by name (else judged as the run
    described them)."""
    laws = active_library(store_path)
    with Store(store_path) as store:
        if not store.run_info(source_run):
            raise UsageError(f"数据库 {shown(store_path)} 中没有运行 {source_run}（可用 govaudit history 查看历次运行）")
        source = store.snapshot_run(source_run)
        names = store.sites_done(source_run)
        run_id = new_run_id()
        store.start_run(run_id, "rejudge", now_iso(), today.isoformat(), __version__, source_run=source)
        configured = {s.name: s for s in config.sites}
        reports = []
        for name in names:
            try:
                snapshot = store.load_snapshot(source, name, facts_reader(today))
            except KeyError:
                continue   # its snapshot was pruned (keep_runs): nothing to judge again
            site = configured.get(name) or SiteConfig(name=name, url=snapshot.start_url, unit=snapshot.unit,
                                                      kind=snapshot.kind)  # type: ignore[arg-type]
            report = judge_snapshot(config, site, snapshot, today, 0.0, laws, ())
            commit(store, run_id, report, with_snapshot=False)
            if isinstance(snapshot.pages, StoredPages):
                snapshot.pages.close()
            reports.append(report)
        document = run_document(store, config, run_id)
    return InspectionResult(run_id, reports, document, store_path)


def finish_run(store_path: StoreTarget, run_id: str, config: Config) -> None:
    with Store(store_path) as store:
        store.finish_run(run_id, now_iso())
        store.prune(config.store.keep_full_runs, config.store.keep_runs)


async def _audit_all(config: Config, sites: list[SiteConfig], today: date, laws: LawLibrary, store: Store,
                     run_id: str, progress: ProgressFactory | None, executor: Executor) -> list[SiteReport]:
    limit = asyncio.Semaphore(max(1, config.run.max_concurrent_sites))
    hosts = LocalHostGate()   # two sites on one host (集约化 platforms) are polite together

    async def one(site: SiteConfig) -> SiteReport:
        async with limit:
            return await audit_one(config, site, today, progress(site) if progress else None, laws,
                                    recent_probes(store, site), store.url, run_id, executor, hosts)

    return list(await asyncio.gather(*(one(site) for site in sites)))


def recent_probes(store: Store, site: SiteConfig) -> tuple[Any, ...]:
    """The site's homepage probes of the last week (for site.availability)."""
    since = (datetime.now().astimezone() - PROBE_WINDOW).isoformat(timespec="seconds")
    return tuple(store.probes_since(site.name, since))


def _failed_snapshot(site: SiteConfig, exc: Exception) -> SiteSnapshot:
    from govaudit.crawler.urls import Scope

    snapshot = SiteSnapshot(name=site.name, start_url=Scope(site.url).start_url, unit=site.unit, kind=site.kind,
                            scope_hosts=(), started_at=now_iso(), finished_at=now_iso())
    snapshot.notes.append(CrawlNote("internal_error", f"检查程序出错：{type(exc).__name__}: {exc}"))
    return snapshot
