"""The audit flow: crawl -> snapshot -> rules -> verdict -> store (one transaction per site)
-> reports. Used by `govaudit inspect` (one site) and `govaudit run` (every site, resumable)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from checks.analysis import page_analyser
from checks.annual_report.view import annual_view
from checks.base import RuleContext, Severity
from checks.registry import all_rules
from checks.runner import run_rules
from checks.sitemodel.laws import LawLibrary
from checks.sitemodel.views import disclosure_view, regulations_view
from checks.verdict import judge_site
from crawler.engine import Progress, crawl_site
from crawler.snapshot import CrawlNote, SiteSnapshot, now_iso
from govaudit import __version__
from govaudit.config import Config, SiteConfig
from govaudit.history import fingerprint
from govaudit.laws import active_library
from govaudit.store import Store
from reports.document import RunInfo, SiteReport, build_document, site_json, site_stats

ProgressFactory = Callable[[SiteConfig], Progress | None]
PROBE_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class InspectionResult:
    run_id: str
    sites: list[SiteReport]            # the sites audited by this call (not those resumed)
    document: dict[str, Any]           # report.json of the whole run
    store_path: Path


async def audit_site(config: Config, site: SiteConfig, today: date, progress: Progress | None = None,
                     laws: LawLibrary | None = None, probes: tuple[Any, ...] | None = None) -> SiteReport:
    started = time.perf_counter()
    snapshot = await crawl_site(config, site, progress=progress, analyse=page_analyser(today))
    crawled = time.perf_counter()
    report = judge_snapshot(config, site, snapshot, today, crawled - started, laws, probes)
    report.stats["crawl_s"] = round(crawled - started, 2)
    report.stats["rules_s"] = round(time.perf_counter() - crawled, 2)
    report.stats["duration_s"] = round(time.perf_counter() - started, 1)
    return report


def judge_snapshot(config: Config, site: SiteConfig, snapshot: SiteSnapshot, today: date,
                   duration_s: float, laws: LawLibrary | None = None,
                   probes: tuple[Any, ...] | None = None) -> SiteReport:
    """The pure half: rules and verdict over a snapshot (fresh or loaded from the store)."""
    context = RuleContext(today=today, config=config, site=site, laws=laws, probes=probes)
    results = run_rules(snapshot, context)
    homepage_loaded = snapshot.homepage is not None and snapshot.homepage.ok
    verdict = judge_site(results.findings, homepage_loaded=homepage_loaded, scoring=config.scoring,
                         not_checked=results.not_checked,
                         veto_rules=[r.id for r in all_rules() if r.severity is Severity.VETO])
    views = {"disclosure": disclosure_view(snapshot, context), "regulations": regulations_view(snapshot, context),
             "annual_report": annual_view(snapshot, context)}
    return SiteReport(snapshot, results, verdict, site_stats(snapshot, duration_s), views)


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def settled_rules(report: SiteReport) -> set[str]:
    """Rules that decided fully this time: earlier findings of theirs not seen now are fixed."""
    if report.snapshot.homepage is None or not report.snapshot.homepage.ok:
        return set()
    undecided = {n.rule for n in report.results.not_checked if n.url is None}
    return {rule.id for rule in all_rules()} - undecided


def inspect_sites(config: Config, sites: list[SiteConfig], *, store_path: Path, today: date,
                  progress: ProgressFactory | None = None, kind: str = "inspect",
                  resume: bool = False) -> InspectionResult:
    """Audit `sites` (several at once, up to [run] max_concurrent_sites), committing each
    site when it finishes; with `resume`, an unfinished run of the same kind is continued
    and the sites it already finished are not audited again."""
    laws = active_library(store_path)
    with Store(store_path) as store:
        run_id = store.unfinished_run(kind) if resume else None
        if run_id is None:
            run_id = new_run_id()
            store.start_run(run_id, kind, now_iso(), today.isoformat(), __version__)
        done = set(store.sites_done(run_id))
        todo = [s for s in sites if s.name not in done]
        reports = asyncio.run(_audit_all(config, todo, today, laws, store, run_id, progress))
        info = store.run_info(run_id)
        order = {s.name: i for i, s in enumerate(sites)}
        entries = sorted(store.site_entries(run_id), key=lambda e: order.get(e["name"], len(order)))
        document = build_document(RunInfo(run_id, info["started_at"], now_iso(), info["today"]), [], __version__)
        document["sites"] = entries
    return InspectionResult(run_id, reports, document, store_path)


def finish_run(store_path: Path, run_id: str, config: Config) -> None:
    with Store(store_path) as store:
        store.finish_run(run_id, now_iso())
        store.prune(config.store.keep_full_runs, config.store.keep_runs)


async def _audit_all(config: Config, sites: list[SiteConfig], today: date, laws: LawLibrary, store: Store,
                     run_id: str, progress: ProgressFactory | None) -> list[SiteReport]:
    limit = asyncio.Semaphore(max(1, config.run.max_concurrent_sites))
    since = (datetime.now().astimezone() - PROBE_WINDOW).isoformat(timespec="seconds")

    async def one(site: SiteConfig) -> SiteReport:
        async with limit:
            probes = tuple(store.probes_since(site.name, since))
            try:
                report = await audit_site(config, site, today, progress(site) if progress else None, laws, probes)
            except Exception as exc:  # one site's failure never stops the others
                report = _failed_site(config, site, today, exc)
            try:
                _commit(store, run_id, report)
            finally:
                report.snapshot.close()   # the page bodies are in the store now
            return report

    return list(await asyncio.gather(*(one(site) for site in sites)))


def _commit(store: Store, run_id: str, report: SiteReport) -> None:
    entry = site_json(report)
    findings = [(fingerprint(f), f) for f in entry["findings"]]
    store.commit_site(run_id, report.snapshot, entry, findings, settled_rules(report), now_iso())


def _failed_site(config: Config, site: SiteConfig, today: date, exc: Exception) -> SiteReport:
    from crawler.urls import Scope

    snapshot = SiteSnapshot(name=site.name, start_url=Scope(site.url).start_url, unit=site.unit, kind=site.kind,
                            scope_hosts=(), started_at=now_iso(), finished_at=now_iso())
    snapshot.notes.append(CrawlNote("internal_error", f"检查程序出错：{type(exc).__name__}: {exc}"))
    return judge_snapshot(config, site, snapshot, today, 0.0)
