"""report.json against the spec's shape; report.html escapes what it crawled."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

from govaudit.config import SiteConfig
from tests.conftest import fast_config, inspect_into
from tests.support.pages import page
from tests.support.server import Reply, TestSite

HOSTILE_TITLE = '<script>alert("x")</script>假首页'


def _schema() -> dict:  # type: ignore[type-arg]
    return json.loads(resources.files("govaudit.reports").joinpath("report.schema.json").read_text("utf-8"))


def _inspect(site: TestSite, tmp_path: Path) -> dict:  # type: ignore[type-arg]
    result = inspect_into(fast_config(), [SiteConfig(name="测试站", url=site.url("/"), unit="测试单位")],
                          tmp_path / "out", tmp_path / "store.sqlite")
    return result.document


def test_report_json_matches_the_spec_shape(site: TestSite, tmp_path: Path) -> None:
    site.page("/", page("首页", '<a href="/gone.html">旧</a>', foot="<div class='footer'>无标识</div>"))
    _inspect(site, tmp_path)
    document = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    jsonschema.validate(document, _schema())
    (entry,) = document["sites"]
    assert entry["unit"] == "测试单位" and entry["verdict"] in ("合格", "不合格")
    rules = {f["rule"] for f in entry["findings"]}
    assert {"links.dead", "identity.conac", "identity.icp"} <= rules
    dead = next(f for f in entry["findings"] if f["rule"] == "links.dead")
    assert dead["severity"] == "deduct" and dead["task"] is None and dead["basis"].startswith("国办秘函〔2019〕19号")
    assert dead["evidence"]["linked_from"] == [site.url("/")]


def test_unreachable_site_report_still_matches(tmp_path: Path) -> None:
    site = TestSite()
    with site:
        site.route("/", Reply(500))
        document = _inspect(site, tmp_path)
    jsonschema.validate(document, _schema())
    assert document["sites"][0]["verdict"] == "无法判定" and document["sites"][0]["score"] is None


def test_report_html_escapes_a_hostile_page_title(site: TestSite, tmp_path: Path) -> None:
    site.page("/", page("首页"))
    site.fallback = Reply(200, page(HOSTILE_TITLE).encode())  # soft-404 evidence shows the title
    document = _inspect(site, tmp_path)
    soft404 = next(f for f in document["sites"][0]["findings"] if f["rule"] == "site.soft404")
    assert HOSTILE_TITLE in soft404["evidence"]["title"]
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;假首页" in html
    assert "<script" not in html.lower()  # the report itself carries no script at all


def test_report_html_is_self_contained_chinese(site: TestSite, tmp_path: Path) -> None:
    site.page("/", page("首页", '<a href="/gone.html">旧</a>'))
    _inspect(site, tmp_path)
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert '<html lang="zh-CN">' in html and "政府网站检查报告" in html
    assert "链接不可用" in html and "未检查事项" in html and "依据" in html
    for outside in ('<link ', 'src="http', "@import", "url(http"):
        assert outside not in html
