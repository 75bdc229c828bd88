"""Where crawled pages go and where sites are judged: off the crawl's event loop.

The crawl hands each page to a PageWriter (the crawler's PageSink). Batches of pages go to
the judge worker (a process by default, `[run] judge = "thread"` for small audits) that
analyses each page (checks.facts), compresses its bodies and writes them to the store.
When a site's crawl ends, the same worker judges the site from the store (rules, verdict,
views) and commits its results in one transaction. The worker is the store's one writer and
takes tasks first in, first out: a site is judged after its last page is written, and one
site's judging never holds up another site's requests.
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import signal
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from govaudit.checks.annual_report.view import annual_view
from govaudit.checks.base import RuleContext
from govaudit.checks.facts import analyse_page, dump_facts, facts_reader
from govaudit.checks.newmedia.listing import newmedia_view
from govaudit.checks.registry import all_rules
from govaudit.checks.runner import run_rules
from govaudit.checks.sitemodel.kind import kind_view
from govaudit.checks.sitemodel.laws import LawLibrary
from govaudit.checks.sitemodel.views import disclosure_view, regulations_view
from govaudit.checks.verdict import judge_site
from govaudit.config import Config, SiteConfig
from govaudit.crawler.bodies import compress
from govaudit.crawler.snapshot import BodyReader, CapturedPage, CrawlNote, SiteSnapshot, now_iso
from govaudit.database import StoreTarget, store_url
from govaudit.history import fingerprint
from govaudit.reports.document import SiteReport, site_json, site_stats
from govaudit.store import Store
from govaudit.stored import StoredPages, StoredRow, with_stored_pages

_BATCH_PAGES = 16
_BATCHES_IN_FLIGHT = 3   # the crawl waits when the worker falls this far behind (bounds the bodies in flight)


@contextmanager
def judge_executor(mode: str) -> Iterator[Executor]:
    """The one judge worker of an audit: a process (the crawl keeps its core) or a thread."""
    executor: Executor
    if mode == "thread":
        executor = ThreadPoolExecutor(1, thread_name_prefix="govaudit-judge")
    else:
        executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_started)
    try:
        yield executor
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _worker_started() -> None:
    """In the worker process: die with the audit (even when it is killed with SIGKILL),
    leave Ctrl-C to it, and load every rule before the first page arrives."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    all_rules()


class PageWriter:
    """A PageSink that streams pages to the judge worker, in batches."""

    def __init__(self, executor: Executor, store_path: StoreTarget, run_id: str, site: str, today: date) -> None:
        self.executor, self.store_path, self.run_id, self.site, self.today = executor, store_path, run_id, site, today
        self._batch: list[CapturedPage] = []
        self._in_flight: deque[asyncio.Future[list[tuple[str, str]]]] = deque()
        self.analysis_errors: list[tuple[str, str]] = []
        self._pages = StoredPages(store_url(store_path), run_id, site)

    async def put(self, page: CapturedPage) -> None:
        self._batch.append(page)
        if len(self._batch) >= _BATCH_PAGES:
            await self._send()

    async def flush(self) -> None:
        if self._batch:
            await self._send()
        while self._in_flight:
            await self._collect()

    @property
    def pages(self) -> StoredPages:
        return self._pages

    @property
    def bodies(self) -> BodyReader:
        return self._pages.bodies

    def notes(self) -> list[CrawlNote]:
        if not self.analysis_errors:
            return []
        first = self.analysis_errors[0][1]
        return [CrawlNote("internal_error", f"{len(self.analysis_errors)} 个页面分析出错（如 {first}），"
                          "依赖这些页面的项目列入未检查", tuple(url for url, _ in self.analysis_errors[:50]))]

    async def _send(self) -> None:
        batch, self._batch = self._batch, []
        future = self.executor.submit(write_pages, self.store_path, self.run_id, self.site, self.today, batch)
        self._in_flight.append(asyncio.wrap_future(future))
        while len(self._in_flight) > _BATCHES_IN_FLIGHT or (self._in_flight and self._in_flight[0].done()):
            await self._collect()

    async def _collect(self) -> None:
        self.analysis_errors += await self._in_flight.popleft()


def write_pages(store_path: StoreTarget, run_id: str, site: str, today: date,
                batch: list[CapturedPage]) -> list[tuple[str, str]]:
    """(In the worker) analyse and store a batch of pages -> (URL, error) of pages whose
    analysis failed (stored without facts)."""
    rows, errors = [], []
    for page in batch:
        facts = None
        if page.record.is_html and page.record.fetch.ok:
            try:
                facts = dump_facts(analyse_page(page.record, page.document, today))
            except Exception as exc:  # noqa: BLE001 - one page's bug must not lose the others
                errors.append((page.record.url, f"{type(exc).__name__}: {exc}"))
        rows.append(StoredRow(page.record, _compressed(page.html), _compressed(page.rendered_html), facts))
    with Store(store_path) as store:
        store.write_pages(run_id, site, rows)
    return errors


def discard_site(store_path: StoreTarget, run_id: str, site: str) -> None:
    """(In the worker) what an interrupted earlier attempt left of the site."""
    with Store(store_path) as store:
        store.discard_site(run_id, site)


@dataclass(frozen=True)
class JudgeRequest:
    config: Config
    site: SiteConfig
    today: date
    store_path: StoreTarget
    run_id: str
    snapshot: SiteSnapshot         # the crawl's snapshot; its pages are in the store when pages_stored
    pages_stored: bool
    laws: LawLibrary | None
    probes: tuple[Any, ...] | None
    crawl_s: float


def judge_and_commit(request: JudgeRequest) -> SiteReport:
    """(In the worker) the site's rules over its stored snapshot, committed in one transaction."""
    snapshot = request.snapshot
    if request.pages_stored:
        snapshot = with_stored_pages(snapshot, store_url(request.store_path), request.run_id, facts_reader(request.today))
    report = judge_snapshot(request.config, request.site, snapshot, request.today, request.crawl_s,
                            request.laws, request.probes)
    report.stats["crawl_s"] = round(request.crawl_s, 2)
    with Store(request.store_path) as store:
        if not request.pages_stored:
            store.discard_site(request.run_id, snapshot.name)
        commit(store, request.run_id, report)
    if isinstance(snapshot.pages, StoredPages):
        snapshot.pages.close()   # opened again if the report's reader looks at the pages
    return report


def judge_snapshot(config: Config, site: SiteConfig, snapshot: SiteSnapshot, today: date,
                   duration_s: float, laws: LawLibrary | None = None,
                   probes: tuple[Any, ...] | None = None) -> SiteReport:
    """The pure half: rules and verdict over a snapshot (fresh or loaded from the store)."""
    started = time.perf_counter()
    stats = site_stats(snapshot, duration_s)   # first: its pass's sets are gone before the site model is built
    context = RuleContext(today=today, config=config.rules, site=site, laws=laws, probes=probes)
    results = run_rules(snapshot, context)
    homepage_loaded = snapshot.homepage is not None and snapshot.homepage.ok
    verdict = judge_site(results.findings, homepage_loaded=homepage_loaded, scoring=config.scoring,
                         rules=all_rules(), not_checked=results.not_checked)
    views = {"disclosure": disclosure_view(snapshot, context), "regulations": regulations_view(snapshot, context),
             "annual_report": annual_view(snapshot, context), "newmedia": newmedia_view(snapshot, context),
             **kind_view(snapshot, context)}
    report = SiteReport(snapshot, results, verdict, stats, views)
    report.stats["rules_s"] = round(time.perf_counter() - started, 2)
    return report


def settled_rules(report: SiteReport) -> set[str]:
    """Rules that decided fully this time: earlier findings of theirs not seen now are fixed."""
    if report.snapshot.homepage is None or not report.snapshot.homepage.ok:
        return set()
    undecided = {n.rule for n in report.results.not_checked if n.url is None}
    return {rule.id for rule in all_rules()} - undecided


def commit(store: Store, run_id: str, report: SiteReport, *, with_snapshot: bool = True) -> None:
    entry = site_json(report)
    findings = [(fingerprint(f), f) for f in entry["findings"]]
    store.commit_site(run_id, report.snapshot, entry, findings, settled_rules(report), now_iso(),
                      with_snapshot=with_snapshot)


def _compressed(text: str | None) -> bytes | None:
    return compress(text) if text is not None else None

