"""Nightly audits: runs resumed after a kill, history across runs, the ledger, the mail,
the scheduler, the availability probes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from govaudit.cli import main
from govaudit.config import load_config
from govaudit.nightly import probe_homepages, run_all
from govaudit.store import Store
from tests.conftest import TODAY
from tests.support.mailbox import Inbox, mail_block, smtp_server
from tests.support.pages import page
from tests.support.server import Reply, TestSite

ROOT = Path(__file__).resolve().parents[1]


def write_config(tmp_path: Path, sites: list[tuple[str, str]], extra: str = "") -> Path:
    blocks = "".join(f'[[sites]]\nname = "{name}"\nurl = "{url}"\nunit = "{name}单位"\n\n' for name, url in sites)
    path = tmp_path / "config.toml"
    path.write_text("[network]\nresolve_only_mapped = true\n[retry]\nbackoff_s = 0.05\ntimeout_s = 5\n[render]\nmode = \"never\"\n"
                    "[politeness]\nmin_interval_s = 0\n[crawl]\ncheck_external_links = false\n"
                    f"{extra}\n{blocks}", encoding="utf-8")
    return path


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    with smtp_server() as server:
        yield server


def test_run_mails_the_summary_with_both_reports(site: TestSite, smtp: tuple[int, Inbox], tmp_path: Path) -> None:
    port, inbox = smtp
    site.page("/", page("首页", '<a href="/gone.html">旧专题</a>'))
    config = load_config(write_config(tmp_path, [("门户", site.url("/"))], mail_block(port)))
    outcome = run_all(config, today=TODAY)
    assert outcome.mail_error is None
    (message,) = inbox.messages
    assert "政府网站检查报告" in str(message["Subject"]) and "1 个网站" in str(message["Subject"])
    parts = {part.get_filename(): part for part in message.walk() if part.get_filename()}
    assert set(parts) == {"report.html", "report.xlsx"}
    assert "政府网站检查汇总" in message.get_body(preferencelist=("html",)).get_content()  # type: ignore[attr-defined]
    assert b"PK" == parts["report.xlsx"].get_payload(decode=True)[:2]
    with Store(tmp_path / "govaudit.sqlite") as store:
        assert store.run_info(outcome.result.run_id)["mail_status"] == "sent"


def test_mail_failure_is_recorded_and_reports_stay(site: TestSite, tmp_path: Path) -> None:
    site.page("/", page("首页"))
    config = load_config(write_config(tmp_path, [("门户", site.url("/"))], mail_block(9)))
    outcome = run_all(config, today=TODAY)
    assert outcome.mail_error and "邮件发送失败" in outcome.mail_error
    assert outcome.paths["html"].exists() and outcome.paths["xlsx"].exists()
    with Store(tmp_path / "govaudit.sqlite") as store:
        info = store.run_info(outcome.result.run_id)
    assert info["mail_status"] == "failed" and info["finished_at"]


def test_mail_test_command_and_credentials_from_environment(smtp: tuple[int, Inbox], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    port, inbox = smtp
    config = write_config(tmp_path, [], mail_block(port, username_env="GOVAUDIT_TEST_SMTP_USER"))
    missing = CliRunner().invoke(main, ["mail", "--test", "--config", str(config)])
    assert missing.exit_code == 2 and "GOVAUDIT_TEST_SMTP_USER" in missing.output and "mail.username_env" in missing.output
    config.write_text(config.read_text("utf-8").replace('username_env = "GOVAUDIT_TEST_SMTP_USER"\n', ""), encoding="utf-8")
    sent = CliRunner().invoke(main, ["mail", "--test", "--config", str(config)])
    assert sent.exit_code == 0, sent.output
    (message,) = inbox.messages
    assert "测试邮件" in message.get_body(preferencelist=("html",)).get_content()  # type: ignore[attr-defined]


def test_history_across_three_runs_and_the_ledger(site: TestSite, tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, [("门户", site.url("/"))]))
    site.page("/", page("首页", '<a href="/a.html">甲</a><a href="/b.html">乙</a>'))
    first = run_all(config, today=TODAY)
    site.page("/a.html", page("甲"))                                       # 甲 fixed
    site.page("/", page("首页", '<a href="/a.html">甲</a><a href="/b.html">乙</a><a href="/c.html">=HYPERLINK("x")</a>'))
    second = run_all(config, today=TODAY)
    with Store(tmp_path / "govaudit.sqlite") as store:
        rows = {r["data"]["evidence"].get("link", r["rule"]): r for r in store.history_of("门户") if r["rule"] == "links.dead"}
    assert rows[site.url("/a.html")]["fixed_run"] == second.result.run_id
    assert rows[site.url("/b.html")]["first_run"] == first.result.run_id and rows[site.url("/b.html")]["fixed_run"] is None
    assert rows[site.url("/c.html")]["first_run"] == second.result.run_id
    book = openpyxl.load_workbook(second.paths["xlsx"])
    ledger = list(book["整改台账"].iter_rows(values_only=True))
    assert ledger[0][:5] == ("序号", "责任单位", "网站", "问题类型", "问题描述")
    states = {row[4]: row[7] for row in ledger[1:] if row[3] == "链接不可用"}
    assert any("/b.html" in text and state == "仍存在" for text, state in states.items())
    assert any("/c.html" in text and state == "新发现" for text, state in states.items())
    fixed = list(book["已整改"].iter_rows(values_only=True))
    assert any("/a.html" in str(row[3]) for row in fixed[1:])
    site.page("/b.html", page("乙"))
    site.page("/c.html", page("丙"))
    third = run_all(config, today=TODAY)
    result = CliRunner().invoke(main, ["history", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 0 and result.output.count("[已整改]") >= 3
    summary = third.paths["summary"].read_text("utf-8")
    assert "已整改 2" in summary and "<svg" in summary


def test_ledger_cells_never_become_formulas(site: TestSite, tmp_path: Path) -> None:
    site.page("/", page("首页", '<a href="/x.html">x</a>'))
    site.fallback = Reply(404, page('=HYPERLINK("http://127.0.0.2/","点击")').encode())
    config = load_config(write_config(tmp_path, [("=cmd|' /C calc'!A0", site.url("/"))]))
    outcome = run_all(config, today=TODAY)
    book = openpyxl.load_workbook(outcome.paths["xlsx"])
    cells = [c for row in book["整改台账"].iter_rows() for c in row]
    assert any(str(c.value).startswith("=cmd") for c in cells)
    assert all(c.data_type != "f" for c in cells)


def test_availability_from_probe_history(site: TestSite, tmp_path: Path) -> None:
    site.page("/", page("首页"))
    config = load_config(write_config(tmp_path, [("门户", site.url("/"))]))
    probe_homepages(config)
    with Store(tmp_path / "govaudit.sqlite") as store:
        (at, ok, status, _), = store.probes_since("门户", "2000-01-01")
        assert ok and status == 200
        start = datetime.now().astimezone() - timedelta(days=6)
        for n in range(150):
            store.add_probe("门户", (start + timedelta(hours=n)).isoformat(timespec="seconds"), n % 15 != 0, 200, None, 0.1)
    outcome = run_all(config, today=TODAY)
    entry = outcome.result.document["sites"][0]  # type: ignore[index]
    (finding,) = [f for f in entry["findings"] if f["rule"] == "site.availability"]
    assert finding["evidence"]["probes"] == 151 and finding["evidence"]["failed"] == 10 and entry["verdict"] == "不合格"


def test_too_few_probes_is_not_checked(site: TestSite, tmp_path: Path) -> None:
    site.page("/", page("首页"))
    config = load_config(write_config(tmp_path, [("门户", site.url("/"))]))
    outcome = run_all(config, today=TODAY)
    reasons = [n["reason"] for n in outcome.result.document["sites"][0]["not_checked"] if n["rule"] == "site.availability"]  # type: ignore[index]
    assert reasons and "0 次" in reasons[0]


def test_run_killed_midway_resumes_without_losing_or_repeating_sites(tmp_path: Path) -> None:
    with TestSite() as fast, TestSite() as slow:
        fast.page("/", page("首页"))
        slow.page("/", page("首页", "".join(f'<a href="/p{i}.html">{i}</a>' for i in range(30))))
        for i in range(30):
            slow.route(f"/p{i}.html", Reply(200, page(str(i)).encode(), delay_s=0.2))
        config = write_config(tmp_path, [("快站", fast.url("/")), ("慢站", slow.url("/"))],
                              "[run]\nmax_concurrent_sites = 2\n")
        database = tmp_path / "govaudit.sqlite"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen([sys.executable, "-m", "govaudit", "run", "--config", str(config),
                                  "--today", TODAY.isoformat()], cwd=tmp_path, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if database.exists() and _count(database, "SELECT COUNT(*) FROM site_results") >= 1:
                    break
                time.sleep(0.05)
            assert _count(database, "SELECT COUNT(*) FROM site_results") == 1, "the fast site was not committed in time"
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(timeout=10)
        fast_requests = len(fast.hits)
        result = CliRunner().invoke(main, ["run", "--config", str(config), "--today", TODAY.isoformat()])
        assert result.exit_code == 0, result.output
        assert len(fast.hits) == fast_requests  # the finished site was not audited again
    with Store(database) as store:
        assert store.integrity_ok()
        (run,) = store.runs()
        assert run["finished_at"] and sorted(store.sites_done(run["id"])) == ["快站", "慢站"]
    assert _count(database, "SELECT COUNT(*) FROM site_results") == 2


def _count(database: Path, query: str) -> int:
    with sqlite3.connect(database) as db:
        try:
            return int(db.execute(query).fetchone()[0])
        except sqlite3.OperationalError:
            return 0


# -- the scheduler ---------------------------------------------------------------------------

CALLS: list[str] = []


def record(label: str) -> None:
    CALLS.append(label)


def test_scheduler_persists_jobs_fires_once_and_coalesces_misfires(tmp_path: Path) -> None:
    from apscheduler.triggers.date import DateTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from govaudit.schedules.scheduler import AUDIT_JOB, PROBE_JOB, build_scheduler

    config_path = write_config(tmp_path, [("门户", "http://127.0.0.1:9/")], "[schedule]\naudit_cron = \"30 2 * * *\"\n")
    config = load_config(config_path)
    CALLS.clear()
    scheduler = build_scheduler(config, str(config_path))
    soon = datetime.now().astimezone() + timedelta(seconds=1)
    scheduler.add_job("tests.test_nightly:record", DateTrigger(soon), args=["soon"], id="soon")
    missed = datetime.now().astimezone() - timedelta(minutes=5)
    scheduler.add_job("tests.test_nightly:record", IntervalTrigger(minutes=1, start_date=missed - timedelta(minutes=1)),
                      args=["missed"], id="missed", next_run_time=missed)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "soon" not in CALLS:
            time.sleep(0.05)
        time.sleep(0.3)
        audit = scheduler.get_job(AUDIT_JOB)
        assert audit is not None and (audit.next_run_time.hour, audit.next_run_time.minute) == (2, 30)
        assert str(audit.next_run_time.tzinfo) == "Asia/Shanghai"
        assert scheduler.get_job(PROBE_JOB) is not None
    finally:
        scheduler.shutdown(wait=True)
    assert CALLS.count("soon") == 1
    assert CALLS.count("missed") == 1  # five missed runs, run once
    with sqlite3.connect(tmp_path / "govaudit.sqlite") as db:
        ids = {row[0] for row in db.execute("SELECT id FROM apscheduler_jobs")}
    assert {AUDIT_JOB, PROBE_JOB} <= ids


def test_schedule_command_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    config = write_config(tmp_path, [("门户", "http://127.0.0.1:9/")])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "govaudit", "schedule", "--config", str(config)], cwd=tmp_path,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(child.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any("已排定" in line for line in lines):
        time.sleep(0.05)
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=20) == 0
    reader.join(timeout=5)
    assert child.stdout is not None
    child.stdout.close()
    assert any("已排定" in line for line in lines) and any("已停止" in line for line in lines)
