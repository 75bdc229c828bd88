"""`govaudit run` and the scheduler's jobs: every configured site once (resuming an
unfinished run), the reports, the mail; and the homepage availability probes."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from govaudit.config import Config, SiteConfig, config_dir, store_target
from govaudit.crawler.fetch import Fetcher
from govaudit.crawler.politeness import HostLimiter
from govaudit.crawler.snapshot import now_iso
from govaudit.errors import UsageError
from govaudit.inspection import InspectionResult, ProgressFactory, finish_run, inspect_sites
from govaudit.mail import build_message, send
from govaudit.notices import mail_notices, write_notices
from govaudit.reports.extras import write_run_extras
from govaudit.reports.render import write_reports
from govaudit.screenshots import capture as capture_screenshots
from govaudit.store import Store


@dataclass(frozen=True)
class RunOutcome:
    result: InspectionResult
    paths: dict[str, Path]
    mail_error: str | None


def pick_sites(config: Config, names: tuple[str, ...]) -> list[SiteConfig]:
    if not config.sites:
        raise UsageError("配置文件中没有 [[sites]]：没有要检查的网站")
    if not names:
        return list(config.sites)
    known = {s.name: s for s in config.sites}
    missing = [n for n in names if n not in known]
    if missing:
        raise UsageError(f"配置中没有这些网站：{'、'.join(missing)}；已配置：{'、'.join(known)}")
    return [known[n] for n in names]


def run_all(config: Config, *, names: tuple[str, ...] = (), out: Path | None = None, today: date | None = None,
            progress: ProgressFactory | None = None, announce: Callable[[str], None] | None = None) -> RunOutcome:
    """Audit the sites (resuming an unfinished run), write every report, mail the office."""
    sites = pick_sites(config, names)
    database = store_target(config)
    result = inspect_sites(config, sites, store_path=database, today=today or date.today(), progress=progress,
                           kind="nightly", resume=True, announce=announce)
    out_dir = out or config_dir(config) / config.store.reports_dir / result.run_id
    capture_screenshots(config, result.document, out_dir, database, result.run_id)
    paths = write_reports(result.document, out_dir)
    paths.update(write_run_extras(result, config, out_dir))
    with Store(database) as store:
        store.set_reports_dir(result.run_id, str(out_dir))
        notices, paths["bulletin"] = write_notices(config, store, result.document, out_dir / "notices")
    mail_error = mail_reports(config, result, paths) if config.mail.enabled else None
    if config.mail.enabled and config.notices.mail_after_run:
        failed = {unit: error for unit, error in mail_notices(config, result.document, notices).items() if error}
        if failed:
            mail_error = "；".join([*([mail_error] if mail_error else []),
                                   *(f"{unit} 的整改通知未能发出：{error}" for unit, error in failed.items())])
    finish_run(database, result.run_id, config)
    return RunOutcome(result, paths, mail_error)


def mail_reports(config: Config, result: InspectionResult, paths: dict[str, Path]) -> str | None:
    sites = result.document["sites"]
    failed = sum(1 for s in sites if s["verdict"] == "不合格")
    subject = f"政府网站检查报告 {result.document['run']['today']}：{len(sites)} 个网站，{failed} 个不合格"
    message = build_message(config.mail, subject, paths["summary"].read_text("utf-8"),
                            [paths["html"], paths["xlsx"]])
    error = send(config.mail, message)
    with Store(store_target(config)) as store:
        store.set_mail_status(result.run_id, "sent" if error is None else "failed", error)
    return error


def mail_test(config: Config) -> str | None:
    message = build_message(config.mail, "govaudit 测试邮件",
                            "<p>这是 govaudit 的测试邮件：邮件设置可以正常使用。</p>", [])
    return send(config.mail, message, backoff_s=0.5)


def probe_homepages(config: Config) -> list[tuple[str, bool]]:
    """One request to each homepage (19号: a probe fails if the site is not open in 15 s)."""
    return asyncio.run(_probe_all(config))


async def _probe_all(config: Config) -> list[tuple[str, bool]]:
    timeout = config.schedule.probe_timeout_s
    probing = config.replace(retry=dataclasses.replace(config.retry, retries=0, timeout_s=timeout,
                                                       request_deadline_s=timeout))
    limiter = HostLimiter(config.politeness.per_host_concurrency, config.politeness.min_interval_s,
                          config.politeness.global_concurrency)
    results = []
    async with Fetcher(probing.crawler, limiter) as fetcher:
        outcomes = await asyncio.gather(*(fetcher.fetch(site.url) for site in config.sites))
    with Store(store_target(config)) as store:
        for site, fetched in zip(config.sites, outcomes):
            outcome = fetched.outcome
            ok = outcome.ok
            store.add_probe(site.name, now_iso(), ok, outcome.status, outcome.error, outcome.elapsed_s)
            results.append((site.name, ok))
    return results
