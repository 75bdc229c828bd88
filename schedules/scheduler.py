"""The foreground scheduler of `govaudit schedule`.

Jobs persist in the SQLite store (SQLAlchemy job store), run one instance at a time, and
runs missed while the scheduler was down are coalesced into one when within the grace
time. SIGTERM and SIGINT shut it down cleanly, letting a running job finish.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from govaudit.config import Config, store_target
from govaudit.database import store_url

AUDIT_JOB = "nightly-audit"
PROBE_JOB = "homepage-probes"


def build_scheduler(config: Config, config_path: str, *, jobstore_url: str | None = None) -> BackgroundScheduler:
    options = config.schedule
    url = jobstore_url or store_url(store_target(config))
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=url)},
        executors={"default": ThreadPoolExecutor(2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": options.misfire_grace_s},
        timezone=ZoneInfo(options.timezone))
    scheduler.add_job("govaudit.schedules.jobs:nightly_audit", CronTrigger.from_crontab(options.audit_cron, timezone=options.timezone),
                      args=[config_path], id=AUDIT_JOB, name="每晚检查全部网站并发送报告", replace_existing=True)
    scheduler.add_job("govaudit.schedules.jobs:homepage_probes", IntervalTrigger(minutes=options.probe_minutes),
                      args=[config_path], id=PROBE_JOB, name="首页可用性监测", replace_existing=True)
    return scheduler


def run_forever(scheduler: BackgroundScheduler, announce: Callable[[str], None]) -> None:
    """Start, then wait for SIGTERM/SIGINT and shut down cleanly."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler.start()
    for job in scheduler.get_jobs():
        announce(f"已排定：{job.name}，下次运行 {job.next_run_time:%Y-%m-%d %H:%M:%S %Z}")
    stop.wait()
    announce("收到停止信号，等待正在运行的任务结束后退出……")
    scheduler.shutdown(wait=True)
    announce("已停止。")
