"""The workbench in a real browser (Playwright driving the installed Chromium): log in, mark a
finding 误报 and another 暂缓整改, audit again and see the first stay apart, let the deferral
expire and see it come back, then mail the unit its notice and read the .docx back."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document

from govaudit.cli import main
from govaudit.config import load_config
from govaudit.nightly import run_all
from tests.support.mailbox import Inbox, mail_block, smtp_server
from tests.support.server import TestSite
from tests.support.workbench import PASSWORD, office_config, office_site, serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium 未安装（apt-get install -y chromium）")
TODAY = date.today()
_COUNTED = re.compile(r"^问题（\d+）$")   # the heading of the findings that count


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    with smtp_server() as server:
        yield server


def _audit(config_path: Path, today: date) -> dict[str, Any]:
    """A nightly run, in a thread of its own (Playwright's sync API keeps an event loop in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run_all, load_config(config_path), today=today).result().result.document


def _site_page(document: dict[str, Any]) -> str:
    return f"/runs/{document['run']['id']}/sites/门户"


def _mark(page: Any, fingerprint: str, action: str, reason: str, until: str = "") -> None:
    finding = page.locator(f"#f-{fingerprint}")
    group = page.locator("details.finding", has=finding)
    if group.count() and not group.first.evaluate("node => node.open"):
        group.first.locator("summary").first.click()
    finding.locator(f"#a-{fingerprint}").select_option(action)
    if until:
        finding.locator(f"#u-{fingerprint}").fill(until)
    reason_box = finding.get_by_label("理由（误报、暂缓、驳回必填）")
    reason_box.fill(reason)
    reason_box.press("Enter")          # the keyboard submits the form
    page.wait_for_load_state()


def test_review_in_the_browser_persists_expires_and_notices_are_mailed(site: TestSite, smtp: tuple[int, Inbox],
                                                                      tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    port, inbox = smtp
    office_site(site)
    config_path = office_config(tmp_path, site, extra=mail_block(port))
    first = _audit(config_path, TODAY)
    findings = first["sites"][0]["findings"]
    dead = next(f for f in findings if f["rule"] == "links.dead" and f["evidence"]["link"].endswith("/gone1.html"))
    icp = next(f for f in findings if f["rule"] == "identity.icp")
    tomorrow = TODAY + timedelta(days=1)
    with serving(load_config(config_path)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox"] if os.geteuid() == 0 else [])
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/login?next={_site_page(first)}")
        page.get_by_label("用户名").fill("审核员")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("门户")
        _mark(page, dead["fingerprint"], "false_positive", "专题已迁移，旧链接由模板自动生成")
        _mark(page, icp["fingerprint"], "defer", "备案变更办理中", until=tomorrow.isoformat())
        apart = page.locator("section", has=page.get_by_role("heading", name="经复核不计入的问题（2）"))
        expect(apart.locator(f"#f-{dead['fingerprint']}")).to_contain_text("误报")
        expect(apart.locator(f"#f-{icp['fingerprint']}")).to_contain_text(f"暂缓整改 至 {tomorrow.isoformat()}")

        second = _audit(config_path, TODAY)               # the next night
        page.goto(base + _site_page(second))
        apart = page.locator("section", has=page.get_by_role("heading", name="经复核不计入的问题（2）"))
        expect(apart.locator(f"#f-{dead['fingerprint']}")).to_be_visible()
        counted = page.locator("section", has=page.get_by_role("heading", name=_COUNTED))
        expect(counted.locator(f"#f-{dead['fingerprint']}")).to_have_count(0)
        page.locator(f"#f-{dead['fingerprint']}").get_by_text("复核记录（1）").click()
        expect(page.locator(f"#f-{dead['fingerprint']}")).to_contain_text("李审核：误报——专题已迁移")

        third = _audit(config_path, tomorrow + timedelta(days=1))   # the deferral has run out
        page.goto(base + _site_page(third))
        counted = page.locator("section", has=page.get_by_role("heading", name=_COUNTED))
        expect(counted.locator(f"#f-{icp['fingerprint']}")).to_contain_text("暂缓整改期限")
        expect(page.get_by_role("heading", name="经复核不计入的问题（1）")).to_be_visible()
        page.goto(f"{base}/false-positives")
        expect(page.locator("table")).to_contain_text("专题已迁移")
        browser.close()

    (entry,) = third["sites"]
    assert [f["fingerprint"] for f in entry["set_aside"]] == [dead["fingerprint"]]
    assert icp["fingerprint"] in {f["fingerprint"] for f in entry["findings"]}
    inbox.messages.clear()
    result = CliRunner().invoke(main, ["notices", third["run"]["id"], "--mail", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    (message,) = inbox.messages
    (attachment,) = [part for part in message.walk() if part.get_filename()]
    notice = tmp_path / "notice.docx"
    notice.write_bytes(attachment.get_payload(decode=True))
    text = " ".join(cell.text for table in Document(str(notice)).tables for row in table.rows for cell in row.cells)
    assert "未标注ICP备案" in text or "ICP" in text
    assert dead["evidence"]["link"] not in text and site.url("/gone2.html") in text
