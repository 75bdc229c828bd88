"""The office's workbench without a browser: the plan as data in every output, reviews that
persist (and their limits), the command-line review, login, CSRF, escaping, notices mailed.
The browser flow is tests/test_workbench_browser.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from govaudit.checks.options import Scoring
from govaudit.cli import main
from govaudit.config import load_config
from govaudit.nightly import run_all
from govaudit.notices import write_notices
from govaudit.plan import NO_PLAN, example_plan, parse_plan
from govaudit.reports.annotate import annotate_site
from govaudit.review import ReviewState, approval_of, new_review
from govaudit.store import Store
from tests.support.mailbox import Inbox, mail_block, smtp_server
from tests.support.pages import footer, page
from tests.support.server import TestSite
from tests.support.workbench import PASSWORD, UNIT, form_token, login, office_config, office_site, serving

TODAY = date.today()   # reviews are validated against the real date (a 暂缓 cannot end in the past)
REGION = re.compile("珠海|高新区|珠高办|党政办")


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    with smtp_server() as server:
        yield server


def _texts(folder: Path) -> dict[str, str]:
    """Every output file of a run as text (the xlsx and docx by their cells and paragraphs)."""
    texts = {}
    for path in folder.rglob("*"):
        if path.suffix in (".html", ".json"):
            texts[path.name] = path.read_text("utf-8")
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            texts[path.name] = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value)
        elif path.suffix == ".docx":
            document = Document(str(path))
            cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
            texts[path.name] = " ".join([p.text for p in document.paragraphs] + cells)
    return texts


def _run_with_notices(config_path: Path, today: date = TODAY) -> tuple[Any, Path]:
    config = load_config(config_path)
    outcome = run_all(config, today=today)
    out = outcome.paths["html"].parent
    with Store(config_path.parent / "govaudit.sqlite") as store:
        write_notices(config, store, outcome.result.document, out / "notices")
    return outcome, out


def test_a_run_without_a_plan_names_no_region_and_no_local_task(site: TestSite, tmp_path: Path) -> None:
    office_site(site)
    outcome, out = _run_with_notices(office_config(tmp_path, site, plan=""))
    texts = _texts(out)
    assert {"report.html", "report.json", "summary.html", "report.xlsx"} <= set(texts)
    assert any(name.startswith("整改通知") for name in texts) and any(name.startswith("检查情况通报") for name in texts)
    for name, text in texts.items():
        assert not REGION.search(text.replace(UNIT, "")), f"{name} names a region: {REGION.search(text)}"
    findings = [f for s in outcome.result.document["sites"] for f in s["findings"]]
    assert findings and all(f["task"] is None and f["task_lead"] is None for f in findings)
    assert "任务落实情况" not in texts["summary.html"] and "工作要点任务" not in texts["report.html"]


def test_the_plan_file_sets_tasks_and_leads_in_every_output(site: TestSite, tmp_path: Path) -> None:
    office_site(site)
    seed_dir, other_dir = tmp_path / "seed", tmp_path / "other"
    seed_dir.mkdir()
    other_dir.mkdir()
    seed, seed_out = _run_with_notices(office_config(seed_dir, site))
    other, other_out = _run_with_notices(office_config(other_dir, site, plan='example = "example-city-2024"'))
    dead_seed = next(f for f in seed.result.document["sites"][0]["findings"] if f["rule"] == "links.dead")
    dead_other = next(f for f in other.result.document["sites"][0]["findings"] if f["rule"] == "links.dead")
    assert (dead_seed["task"], dead_seed["task_lead"]) == ("30", "区党政办（文秘科、宣传科）")
    assert dead_seed["task_basis"] == "珠高办〔2021〕50号 工作要点第30项"
    assert (dead_other["task"], dead_other["task_lead"]) == ("5", "市政府办公室牵头，各网站主办单位落实")
    seed_texts, other_texts = _texts(seed_out), _texts(other_out)
    assert "珠高办〔2021〕50号" in seed_texts["summary.html"] and "珠高办〔2021〕50号" in seed_texts["report.html"]
    assert "珠高办" not in "".join(other_texts.values())
    assert "示例市政务公开办〔2024〕1号（示例）" in other_texts["summary.html"]
    assert "市政府办公室牵头" in other_texts["report.html"]
    assert "示例市政务公开办〔2024〕1号（示例） 工作要点第5项" in other_texts["report.xlsx"]
    assert "珠高办〔2021〕50号 工作要点第30项" in seed_texts["report.xlsx"]
    assert json.loads(other_texts["report.json"])["plan"]["title"] == "示例市2024年政务公开工作要点任务分工"


def test_a_plan_file_with_an_unknown_rule_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('[plan]\ntitle = "某区方案"\n\n[[tasks]]\nnumber = "1"\nsummary = "s"\nlead = "l"\nrules = ["links.nope"]\n',
                    encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[plan]\nfile = "plan.toml"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["history", "--config", str(config)])
    assert result.exit_code == 2
    assert "plan.toml" in result.output and "第 8 行" in result.output and "links.nope" in result.output
    with pytest.raises(Exception, match="没有名为"):
        example_plan("nowhere")


def test_the_seed_plan_matches_exact_rules_before_areas() -> None:
    plan = example_plan("zhuhai-gaoxin-2021")
    assert plan.task_for("annual_report.work_points").number == "50"    # type: ignore[union-attr]
    assert plan.task_for("annual_report.tables").number == "39"         # type: ignore[union-attr]
    assert plan.task_for("disclosure.domain_catalog_missing").number == "32"   # type: ignore[union-attr]
    assert plan.task_for("ipv6.no_aaaa").number == "31"                 # type: ignore[union-attr]
    assert NO_PLAN.task_for("ipv6.no_aaaa") is None
    assert parse_plan('[plan]\ntitle = "t"\n[[tasks]]\nnumber = "1"\nsummary = "s"\nlead = "l"\n', "x").task_for("links.dead") is None


# -- review semantics (pure) ------------------------------------------------------------------

def _finding(rule: str, severity: str, url: str, **evidence: Any) -> dict[str, Any]:
    return {"rule": rule, "severity": severity, "basis": "b", "title": rule, "url": url, "message": "m",
            "evidence": {"checked_at": "2026-11-30T01:00:00+08:00", **evidence}, "task": None}


def _entry(*findings: dict[str, Any]) -> dict[str, Any]:
    return {"name": "门户", "url": "http://a/", "unit": UNIT, "verdict": "不合格", "score": 90.0, "findings": list(findings),
            "not_checked": [], "vetoed_by": ["interaction.unanswered"]}


def test_a_false_positive_leaves_the_verdict_and_returns_when_its_evidence_changes() -> None:
    veto = _finding("interaction.unanswered", "veto", "http://a/hd", message_url="http://a/hd/1", title="咨询", days=40)
    entry = _entry(veto)
    first = annotate_site(entry, NO_PLAN, {}, Scoring(), TODAY)
    fingerprint = first["findings"][0]["fingerprint"]
    proposed = new_review("门户", fingerprint, first["findings"][0], ReviewState.FALSE_POSITIVE, reason="已答复，在另一栏目",
                          user="李审核", account="li", at="2026-11-30T09:00:00+08:00")
    # one reviewer alone cannot lift a veto: pending, the verdict stands, and they cannot approve it
    pending = annotate_site(entry, NO_PLAN, {("门户", fingerprint): proposed}, Scoring(), TODAY)
    assert pending["verdict"] == "不合格" and pending["set_aside"] == []
    assert pending["findings"][0]["review"]["label"] == "误报（待批准）" and "returned" not in pending["findings"][0]["review"]
    with pytest.raises(ValueError, match="不能批准自己"):
        approval_of(proposed, approve=True, user="李审核", account="li", at="t2")
    mark = approval_of(proposed, approve=True, user="王批准", account="wang", at="2026-11-30T10:00:00+08:00")
    assert mark.approver == "王批准" and mark.user == "李审核" and not mark.pending
    rejected = approval_of(proposed, approve=False, user="王批准", account="wang", at="t3", reason="该栏目无答复")
    assert rejected.state is ReviewState.OPEN and "该栏目无答复" in rejected.reason
    reviewed = annotate_site(entry, NO_PLAN, {("门户", fingerprint): mark}, Scoring(), TODAY)
    assert reviewed["findings"] == [] and reviewed["set_aside"][0]["review"]["label"] == "误报"
    assert reviewed["verdict"] == "合格" and reviewed["vetoed_by"] == []
    assert reviewed["before_review"] == {"verdict": "不合格", "score": 90.0}
    # the next run sees the same problem at another time: still set apart
    later = _finding("interaction.unanswered", "veto", "http://a/hd", message_url="http://a/hd/1", title="咨询", days=40)
    later["evidence"]["checked_at"] = "2026-12-07T01:00:00+08:00"
    assert annotate_site(_entry(later), NO_PLAN, {("门户", fingerprint): mark}, Scoring(), TODAY)["set_aside"]
    # what was judged changed (now 47 days unanswered): back, and said why
    changed = _finding("interaction.unanswered", "veto", "http://a/hd", message_url="http://a/hd/1", title="咨询", days=47)
    back = annotate_site(_entry(changed), NO_PLAN, {("门户", fingerprint): mark}, Scoring(), TODAY)
    assert back["set_aside"] == [] and back["verdict"] == "不合格"
    assert "已变化" in back["findings"][0]["review"]["returned"]


def test_a_deferral_holds_until_its_date_and_confirmed_findings_still_count() -> None:
    dead = _finding("links.dead", "deduct", "http://a/", link="http://a/x", status=404)
    icp = _finding("identity.icp", "deduct", "http://a/", seen="无")
    first = annotate_site(_entry(dead, icp), NO_PLAN, {}, Scoring(), TODAY)
    dead_fp, icp_fp = (f["fingerprint"] for f in first["findings"])
    until = TODAY + timedelta(days=3)
    reviews = {("门户", dead_fp): new_review("门户", dead_fp, first["findings"][0], ReviewState.DEFERRED, reason="改版中",
                                           user="李审核", at="t", until=until, today=TODAY),
               ("门户", icp_fp): new_review("门户", icp_fp, first["findings"][1], ReviewState.CONFIRMED, reason="",
                                          user="李审核", at="t")}
    during = annotate_site(_entry(dead, icp), NO_PLAN, reviews, Scoring(), until)
    assert [f["rule"] for f in during["findings"]] == ["identity.icp"] and during["findings"][0]["review"]["label"] == "已确认"
    after = annotate_site(_entry(dead, icp), NO_PLAN, reviews, Scoring(), until + timedelta(days=1))
    assert {f["rule"] for f in after["findings"]} == {"links.dead", "identity.icp"}
    assert "期限" in next(f for f in after["findings"] if f["rule"] == "links.dead")["review"]["returned"]


@pytest.mark.parametrize(("state", "reason", "until", "message"), [
    (ReviewState.FALSE_POSITIVE, " ", None, "须填写理由"),
    (ReviewState.DEFERRED, "改版", None, "截止日期"),
    (ReviewState.DEFERRED, "改版", TODAY - timedelta(days=1), "早于今天"),
    (ReviewState.DEFERRED, "改版", TODAY + timedelta(days=181), "最长 180 天"),
    (ReviewState.DEFERRED, "改版", date(9999, 12, 31), "最长 180 天"),
])
def test_reviews_that_cannot_be_recorded(state: ReviewState, reason: str, until: date | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        new_review("门户", "f", {"rule": "links.dead"}, state, reason=reason, user="u", at="t", until=until, today=TODAY,
                   max_defer_days=180)


# -- the command line -------------------------------------------------------------------------

def test_review_from_the_command_line_reaches_report_json_and_the_ledger(site: TestSite, tmp_path: Path) -> None:
    office_site(site)
    config_path = office_config(tmp_path, site)
    outcome, _ = _run_with_notices(config_path)
    dead = next(f for f in outcome.result.document["sites"][0]["findings"] if f["rule"] == "links.dead")
    runner = CliRunner()
    refused = runner.invoke(main, ["review", dead["fingerprint"], "--false-positive", "--config", str(config_path)])
    assert refused.exit_code == 2 and "须填写理由" in refused.output
    done = runner.invoke(main, ["review", dead["fingerprint"], "--false-positive", "--reason", "专题已迁移，链接由CMS自动生成",
                                "--user", "王五", "--config", str(config_path)])
    assert done.exit_code == 0, done.output
    again, out = _run_with_notices(config_path)
    document = json.loads((out / "report.json").read_text("utf-8"))
    (entry,) = document["sites"]
    apart = {f["fingerprint"]: f for f in entry["set_aside"]}
    assert apart[dead["fingerprint"]]["review"] == {**apart[dead["fingerprint"]]["review"], "state": "false_positive",
                                                    "label": "误报", "reason": "专题已迁移，链接由CMS自动生成", "user": "王五"}
    assert dead["fingerprint"] not in {f["fingerprint"] for f in entry["findings"]}
    book = openpyxl.load_workbook(out / "report.xlsx")
    assert dead["fingerprint"] not in {row[11] for row in book["整改台账"].iter_rows(min_row=2, values_only=True)}
    apart_rows = list(book["误报与暂缓整改"].iter_rows(min_row=2, values_only=True))
    assert [(r[4], r[6], r[7], r[10]) for r in apart_rows] == [("误报", "专题已迁移，链接由CMS自动生成", "王五", dead["fingerprint"])]
    notice = next(text for name, text in _texts(out / "notices").items() if name.startswith("整改通知"))
    other = next(f for f in entry["findings"] if f["rule"] == "links.dead")
    assert dead["evidence"]["link"] not in notice and other["evidence"]["link"] in notice
    assert "已复核、不计入本次结果的问题" in (out / "report.html").read_text("utf-8")


def test_a_veto_set_aside_from_the_command_line_needs_a_second_reviewer(site: TestSite, tmp_path: Path) -> None:
    foot = footer(replace={"identity.sponsor": "主办：测试区人民政府办公室"})
    site.page("/", page("测试区人民政府", "<p>2026年11月20日 通知</p>", foot=foot))   # a portal with no channel: a veto
    config_path = office_config(tmp_path, site)
    outcome, _ = _run_with_notices(config_path)
    veto = next(f for f in outcome.result.document["sites"][0]["findings"] if f["severity"] == "veto")
    runner = CliRunner()
    config = ["--config", str(config_path)]
    marked = runner.invoke(main, ["review", veto["fingerprint"], "--false-positive", "--reason", "渠道在区门户", "--user", "甲", *config])
    assert marked.exit_code == 0 and "须另一位复核人批准" in marked.output
    assert _run_with_notices(config_path)[0].result.document["sites"][0]["verdict"] == "不合格"
    own = runner.invoke(main, ["review", veto["fingerprint"], "--approve", "--user", "甲", *config])
    assert own.exit_code == 2 and "不能批准自己" in own.output
    approved = runner.invoke(main, ["review", veto["fingerprint"], "--approve", "--user", "乙", *config])
    assert approved.exit_code == 0 and "已批准" in approved.output
    (entry,) = _run_with_notices(config_path)[0].result.document["sites"]
    assert veto["fingerprint"] in {f["fingerprint"] for f in entry["set_aside"]}
    assert entry["set_aside"][0]["review"]["approver"] == "乙"


# -- the web application: login, CSRF, escaping, access --------------------------------------

def _login(client: httpx.Client, base: str, password: str = PASSWORD) -> httpx.Response:
    return login(client, base, password=password)


def test_login_csrf_and_escaping_in_the_workbench(site: TestSite, tmp_path: Path) -> None:
    office_site(site)
    config_path = office_config(tmp_path, site)
    outcome, _ = _run_with_notices(config_path)
    run_id = outcome.result.run_id
    dead = next(f for f in outcome.result.document["sites"][0]["findings"] if f["rule"] == "links.dead")
    config = load_config(config_path)
    with serving(config) as base, httpx.Client(follow_redirects=False) as client:
        assert client.get(f"{base}/runs/{run_id}").status_code == 200          # anonymous reading on loopback
        assert _login(client, base, "wrong-password").status_code == 401
        form = {"site": "门户", "fingerprint": dead["fingerprint"], "action": "false_positive", "back": "/",
                "reason": '=HYPERLINK("http://evil")<script>alert("x")</script>'}
        anonymous = client.post(f"{base}/review", data={**form, "csrftoken": form_token(client.get(f"{base}/login").text)})
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
        assert _login(client, base).status_code == 303
        forged = client.post(f"{base}/review", data=form)                      # no token: refused
        assert forged.status_code == 403 and "CSRF" in forged.text
        wrong = client.post(f"{base}/review", data={**form, "csrftoken": "forged"})
        assert wrong.status_code == 403
        with Store(tmp_path / "govaudit.sqlite") as store:
            assert store.reviews() == {}
        token = form_token(client.get(f"{base}/runs/{run_id}/sites/门户").text)
        accepted = client.post(f"{base}/review", data={**form, "csrftoken": token})
        assert accepted.status_code == 303
        page = client.get(f"{base}/runs/{run_id}/sites/门户").text
        assert '<script>alert("x")</script>' not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
        assert "<script>alert(1)</script>" not in page
        assert "default-src 'none'" in client.get(f"{base}/").headers["content-security-policy"]
        assert client.get(f"{base}/nope").status_code == 404 and "没有这个页面" in client.get(f"{base}/nope").text
        csv_text = client.get(f"{base}/false-positives.csv").text
        assert "'=HYPERLINK" in csv_text   # a spreadsheet shows it as text, never runs it
        assert dead["fingerprint"] in csv_text and "links.dead" in csv_text
        log = client.get(f"{base}/false-positives").text
        assert "&lt;script&gt;" in log and "李审核" in log
        assert client.get(f"{base}/login?next=//evil.example/").status_code == 200
        redirect = client.post(f"{base}/login", data={"username": "审核员", "password": PASSWORD, "next": "//evil.example/",
                                                      "csrftoken": token})
        assert redirect.headers["location"] == "/"


def test_reading_needs_a_login_when_anonymous_reading_is_off(site: TestSite, tmp_path: Path) -> None:
    office_site(site)
    config_path = office_config(tmp_path, site, extra='[serve]\nanonymous_read = "no"')
    _run_with_notices(config_path)
    with serving(load_config(config_path)) as base, httpx.Client(follow_redirects=False) as client:
        assert client.get(f"{base}/").status_code == 303
        assert client.get(f"{base}/false-positives.csv").status_code == 303
        assert _login(client, base).status_code == 303
        assert client.get(f"{base}/").status_code == 200


def test_user_add_writes_only_a_hash_and_keeps_the_config_comments(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("# 本区配置\n[store]\npath = \"x.sqlite\"  # 数据库\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["user", "add", "张三", "--config", str(config), "--password-stdin"],
                                input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    text = config.read_text("utf-8")
    assert "# 本区配置" in text and "# 数据库" in text and "s3cret-pass" not in text and "$argon2id$" in text
    assert load_config(config).users[0].name == "张三"
    short = CliRunner().invoke(main, ["user", "add", "李四", "--config", str(config), "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "至少" in short.output


def test_notices_are_mailed_to_each_unit_with_the_office_copied(site: TestSite, smtp: tuple[int, Inbox],
                                                                tmp_path: Path) -> None:
    port, inbox = smtp
    office_site(site)
    config_path = office_config(tmp_path, site, extra=mail_block(port))
    outcome, _ = _run_with_notices(config_path)
    inbox.messages.clear()   # (the run mailed its summary to the office)
    result = CliRunner().invoke(main, ["notices", outcome.result.run_id, "--mail", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    (message,) = inbox.messages
    assert message["To"] == "unit@gxq.gov.cn" and message["Cc"] == "zwgk@gxq.gov.cn"
    (attachment,) = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename().endswith(".docx")
    path = tmp_path / "notice.docx"
    path.write_bytes(attachment.get_payload(decode=True))
    document = Document(str(path))
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    dead = [r for r in rows[1:] if r[2] == "链接不可用"]
    assert len(dead) == 2 and all(site.url("/gone") in r[4] and r[5] == site.url("/") and r[7] for r in dead)
    assert any(UNIT in p.text for p in document.paragraphs)
