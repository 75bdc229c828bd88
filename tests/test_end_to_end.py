"""The command line end to end: the demo finds every seeded defect and nothing else;
inspect with --resolve and with a test DNS server; a stored snapshot re-judged offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govaudit.cli import main
from govaudit.config import RenderOptions
from govaudit.crawler.render import unavailable_reason
from govaudit.demo.server import EXPECTED, RENDERED_EXPECTED
from tests.conftest import TODAY
from tests.support.dns import Zone, dns_server
from tests.support.pages import page
from tests.support.server import TestSite


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "report.html" in result.output
    return {"doc": json.loads((out / "report.json").read_text("utf-8")), "out": out, "output": result.output}


def test_demo_finds_every_seeded_defect_and_nothing_else(demo_report: dict) -> None:  # type: ignore[type-arg]
    found = [(site["name"], f["rule"], json.dumps(f, ensure_ascii=False))
             for site in demo_report["doc"]["sites"] for f in site["findings"]]
    expected = EXPECTED + (RENDERED_EXPECTED if unavailable_reason(RenderOptions()) is None else ())
    for site_name, rule, marker in expected:
        matches = [f for f in found if f[0] == site_name and f[1] == rule and marker in f[2]]
        assert len(matches) == 1, f"seeded defect not found once: {site_name} {rule} {marker}"
    assert len(found) == len(expected), "a finding the demo did not seed (a false alarm)"


def test_demo_has_no_internal_errors(demo_report: dict) -> None:  # type: ignore[type-arg]
    for site in demo_report["doc"]["sites"]:
        assert not [n for n in site["not_checked"] if "内部错误" in n["reason"]]
        assert not [n for n in site["crawl_notes"] if n["kind"] == "internal_error"]


def test_demo_tricky_valid_cases_stay_quiet(demo_report: dict) -> None:  # type: ignore[type-arg]
    portal = demo_report["doc"]["sites"][0]
    text = json.dumps(portal["findings"], ensure_ascii=False)
    for valid in ("content_1002", "content_3001", "content_3002", "content_before", "/zcwj/index.html", "shenqingbiao.doc", "/admin/", "weather",  # noqa: E501
                  "www.zhuhai-demo.gov.cn", "login.zhuhai-demo.gov.cn", "javascript:", "mailto:"):
        assert valid not in text, valid
    reasons = " ".join(n["reason"] + str(n["url"]) for n in portal["not_checked"])
    assert "login.zhuhai-demo.gov.cn" in reasons and "robots.txt" in reasons
    gbk = portal["findings"]  # the GBK article without a charset was read: its missing image was found
    assert any("photo-missing.jpg" in f["evidence"].get("link", "") for f in gbk)


def test_demo_report_html_exists(demo_report: dict) -> None:  # type: ignore[type-arg]
    html = (demo_report["out"] / "report.html").read_text("utf-8")
    assert "高新区门户网站（演示）" in html and "科技创新局网站（演示）" in html
    assert (demo_report["out"] / "govaudit.sqlite").exists()


def test_demo_groups_its_dead_links_and_ends_with_the_workbench(demo_report: dict) -> None:  # type: ignore[type-arg]
    html = (demo_report["out"] / "report.html").read_text("utf-8")
    dead = [f for s in demo_report["doc"]["sites"] for f in s["findings"] if f["rule"] == "links.dead" and f["evidence"]["status"]]
    hosts = {(f["evidence"]["link"].split("/")[2], f["evidence"]["status"]) for f in dead}
    grouped = [(host, status) for host, status in hosts
               if sum(1 for f in dead if (f["evidence"]["link"].split("/")[2], f["evidence"]["status"]) == (host, status)) > 1]
    assert grouped, "the demo seeds several dead links to one host"
    host, status = grouped[0]
    assert f"处｜{host.split(':')[0]}：HTTP {status}" in html and "逐条列出" in html
    cards = html.count("<small>links.dead</small></h4>")
    every = sum(1 for s in demo_report["doc"]["sites"] for f in s["findings"] if f["rule"] == "links.dead")
    assert 0 < cards < every        # one card per group, not one per link
    assert "<h2>要点</h2>" in html and "单项否决：" in html
    config = demo_report["out"] / "config.toml"
    assert f"govaudit serve --config {config}" in demo_report["output"]
    assert sorted(p.name for p in (demo_report["out"] / "notices").glob("*.docx"))[0].startswith("整改通知-")


def test_inspect_with_resolve_maps_a_name_to_loopback(site: TestSite, tmp_path: Path) -> None:
    site.page("/", page("首页", '<a href="/a.html">a</a>'))
    site.page("/a.html", page("a"))
    config = tmp_path / "config.toml"
    config.write_text("[network]\nresolve_only_mapped = true\n[retry]\nbackoff_s = 0.05\n"
                      "[politeness]\nmin_interval_s = 0\n", encoding="utf-8")
    url = f"http://www.gxq-test.gov.cn:{site.port}/"
    result = CliRunner().invoke(main, ["inspect", url, "--config", str(config), "--out", str(tmp_path / "out"),
                                       "--resolve", "www.gxq-test.gov.cn:127.0.0.1", "--unit", "区党政办",
                                       "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    (entry,) = document["sites"]
    assert entry["unit"] == "区党政办" and entry["stats"]["pages"] == 2 and document["run"]["today"] == "2026-11-26"
    assert not [f for f in entry["findings"] if f["rule"] == "site.domain"]
    assert ("GET", "/a.html") in site.hits


def test_inspect_unresolvable_host_says_so(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[network]\nresolve_only_mapped = true\n[retry]\nbackoff_s = 0.01\n"
                      "[politeness]\nmin_interval_s = 0\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["inspect", "http://www.no-such-site.gov.cn/", "--config", str(config),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    # resolve_only_mapped: the name was never asked, so nothing is said of the site (no veto).
    assert "无法判定" in result.output and "未解析" in result.output and "单项否决 0" in result.output


def test_nameservers_from_config_answer_the_crawl(site6: TestSite, tmp_path: Path) -> None:
    zone = Zone().add("www.dns-test.gov.cn", "AAAA", "::1")
    site6.page("/", page("首页"))
    config = tmp_path / "config.toml"
    with dns_server(zone) as port:
        config.write_text(f'[network]\nnameservers = ["127.0.0.1:{port}"]\n[retry]\nbackoff_s = 0.01\n'
                          "[politeness]\nmin_interval_s = 0\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["inspect", f"http://www.dns-test.gov.cn:{site6.port}/", "--config",
                                           str(config), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert document["sites"][0]["verdict"] != "无法判定" and document["sites"][0]["stats"]["pages"] == 1
    assert ("GET", "/") in site6.hits


def test_demo_outputs_never_hold_a_full_personal_number(demo_report: dict) -> None:  # type: ignore[type-arg]
    from govaudit.demo.server import RELIEF, RELIEF_CARD
    from tests.test_workbench import _texts

    numbers = [n for _, id_number, mobile in RELIEF for n in (id_number, mobile)] + [RELIEF_CARD]
    texts = _texts(demo_report["out"])
    assert {"report.html", "report.json", "report.xlsx", "summary.html"} <= set(texts)
    leaks = [(name, number) for name, text in texts.items() for number in numbers if number in text]
    assert leaks == []
    found = {f["rule"]: f for s in demo_report["doc"]["sites"] for f in s["findings"] if f["rule"].startswith("privacy.")}
    assert found["privacy.id_number"]["evidence"]["examples"][0] == RELIEF[0][1][:4] + "*" * 10 + RELIEF[0][1][-4:]
