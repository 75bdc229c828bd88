"""Job functions the scheduler runs by reference (they persist in the job store as
"govaudit.schedules.jobs:NAME" with the config path as their only argument). A job never raises:
a failure is logged and the scheduler goes on."""

from __future__ import annotations

import logging

from govaudit.config import load_config

log = logging.getLogger("govaudit.schedule")


def nightly_audit(config_path: str) -> None:
    from govaudit.nightly import run_all

    try:
        outcome = run_all(load_config(config_path))
    except Exception:
        log.exception("每晚检查失败（已完成的网站结果保存在数据库中，下次运行时继续）")
        return
    log.info("每晚检查完成：运行 %s，%d 个网站，报告 %s", outcome.result.run_id,
             len(outcome.result.document["sites"]), outcome.paths["html"])
    if outcome.mail_error:
        log.error("报告邮件未能发出：%s；报告保存在 %s", outcome.mail_error, outcome.paths["html"])


def homepage_probes(config_path: str) -> None:
    from govaudit.nightly import probe_homepages

    try:
        results = probe_homepages(load_config(config_path))
    except Exception:
        log.exception("首页监测失败")
        return
    failed = [name for name, ok in results if not ok]
    log.info("首页监测：%d 个网站，%d 个打不开%s", len(results), len(failed), f"（{'、'.join(failed)}）" if failed else "")
