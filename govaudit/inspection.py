"""The on-demand flow: crawl -> snapshot (stored) -> rules -> verdict -> reports."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from checks.base import RuleContext
from checks.runner import run_rules
from checks.sitemodel.laws import LawLibrary
from checks.sitemodel.views import disclosure_view, regulations_view
from checks.verdict import judge_site
from crawler.engine import Progress, crawl_site
from crawler.snapshot import SiteSnapshot, now_iso
from govaudit import __version__
from govaudit.config import Config, SiteConfig
from govaudit.laws import active_library
from govaudit.store import Store
from reports.document import RunInfo, SiteReport, build_document, site_stats
from reports.render import write_reports

ProgressFactory = Callable[[SiteConfig], Progress | None]


@dataclass(frozen=True)
class InspectionResult:
    run_id: str
    sites: list[SiteReport]
    reports: dict[str, Path]
    document: dict[str, object]


async def audit_site(config: Config, site: SiteConfig, today: date,
                     progress: Progress | None = None, laws: LawLibrary | None = None) -> SiteReport:
    started = time.perf_counter()
    snapshot = await crawl_site(config, site, progress=progress)
    return judge_snapshot(config, site, snapshot, today, time.perf_counter() - started, laws)


def judge_snapshot(config: Config, site: SiteConfig, snapshot: SiteSnapshot, today: date,
                   duration_s: float, laws: LawLibrary | None = None) -> SiteReport:
    """The pure half: rules and verdict over a snapshot (fresh or loaded from the store)."""
    context = RuleContext(today=today, config=config, site=site, laws=laws)
    results = run_rules(snapshot, context)
    homepage_loaded = snapshot.homepage is not None and snapshot.homepage.ok
    verdict = judge_site(results.findings, homepage_loaded=homepage_loaded, scoring=config.scoring)
    views = {"disclosure": disclosure_view(snapshot, context), "regulations": regulations_view(snapshot, context)}
    return SiteReport(snapshot, results, verdict, site_stats(snapshot, duration_s), views)


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def inspect_sites(config: Config, sites: list[SiteConfig], *, out_dir: Path, store_path: Path,
                  today: date, progress: ProgressFactory | None = None) -> InspectionResult:
    """Audit the sites one after another, storing each as it finishes, then write the reports."""
    run_id = new_run_id()
    started_at = now_iso()
    reports: list[SiteReport] = []
    laws = active_library(store_path)
    with Store(store_path) as store:
        store.start_run(run_id, "inspect", started_at, today.isoformat(), __version__)
        for site in sites:
            report = asyncio.run(audit_site(config, site, today, progress(site) if progress else None, laws))
            store.save_snapshot(run_id, report.snapshot)
            store.save_results(run_id, site.name, report.snapshot.start_url, site.unit,
                               report.verdict.verdict, report.verdict.score, report.stats,
                               report.results.findings, report.results.not_checked)
            reports.append(report)
        finished_at = now_iso()
        document = build_document(RunInfo(run_id, started_at, finished_at, today.isoformat()),
                                  reports, __version__)
        paths = write_reports(document, out_dir)
        store.finish_run(run_id, finished_at)
    return InspectionResult(run_id, reports, paths, document)
