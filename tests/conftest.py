from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest

from govaudit.config import Config, CrawlLimits, Network, Politeness, RenderOptions, RetryPolicy, RunOptions, SiteConfig
from govaudit.inspection import InspectionResult, audit_site, finish_run, inspect_sites
from govaudit.reports.document import SiteReport
from govaudit.reports.render import write_reports
from tests.support.server import TestSite
from tests.support.services import PostgresServer, RedisServer, ServiceMissing

TODAY = date(2026, 11, 26)
S = TypeVar("S", RedisServer, PostgresServer)


def fast_config(**changes: object) -> Config:
    """Defaults with waits shortened for loopback servers; politeness logic unchanged.

    No host name resolves (resolve_only_mapped): test sites are IP literals on loopback, so a
    stray link in a fixture can never reach another machine. External links are not checked
    unless a test turns that on (the footer's conac badge links outside, as real ones do).
    """
    config = Config(
        crawl=dataclasses.replace(CrawlLimits(), max_site_seconds=30.0, check_external_links=False),
        network=Network(resolve_only_mapped=True),
        retry=dataclasses.replace(RetryPolicy(), timeout_s=3.0, backoff_s=0.05, request_deadline_s=10.0),
        politeness=dataclasses.replace(Politeness(), min_interval_s=0.0),
        render=RenderOptions(mode="never"),
        run=RunOptions(judge="thread"),
    )
    return config.replace(**changes) if changes else config


def audit(url: str, config: Config | None = None, **site: object) -> SiteReport:
    config = config or fast_config()
    site_config = SiteConfig(name=str(site.pop("name", "测试网站")), url=url, **site)  # type: ignore[arg-type]
    return asyncio.run(audit_site(config, site_config, TODAY))


def inspect_into(config: Config, sites: list[SiteConfig], out_dir: Path, store: Path) -> InspectionResult:
    """The on-demand flow as `govaudit inspect` runs it: audit, store, write the reports."""
    result = inspect_sites(config, sites, store_path=store, today=TODAY)
    write_reports(result.document, out_dir)
    finish_run(store, result.run_id, config)
    return result


def rules_found(report: SiteReport) -> list[str]:
    return sorted(f.rule for f in report.results.findings)


@pytest.fixture
def site() -> Iterator[TestSite]:
    with TestSite("127.0.0.1") as server:
        yield server


@pytest.fixture
def site6() -> Iterator[TestSite]:
    with TestSite("::1") as server:
        yield server


def _started(service: type[S]) -> Iterator[S]:
    """A real server on a free loopback port for the whole session, or the test skipped,
    naming what is not installed."""
    try:
        server = service()
    except ServiceMissing as exc:
        pytest.skip(str(exc))
    with server:
        yield server


@pytest.fixture(scope="session")
def redis_service() -> Iterator[RedisServer]:
    yield from _started(RedisServer)


@pytest.fixture(scope="session")
def postgres_service() -> Iterator[PostgresServer]:
    yield from _started(PostgresServer)


@pytest.fixture
def redis_url(redis_service: RedisServer) -> str:
    redis_service.flush()
    return redis_service.url()


@pytest.fixture
def postgres_url(postgres_service: PostgresServer) -> str:
    """A new, empty database of its own."""
    return postgres_service.new_database()
