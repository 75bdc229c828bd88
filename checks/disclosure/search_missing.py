"""disclosure.search_missing: the site offers no search (条例 第二十四条: the disclosure
platform provides search, viewing and download).

Search is found on the homepage or the 政府信息公开 column's page: a form with a text box, a
box whose placeholder or label asks for 关键词 / 搜索, or a link such as 站内搜索, 全文检索.
Nothing is said when neither page could be read, or when the homepage was not rendered and
carries scripts (a search box drawn by script is not in the HTML)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.disclosure.common import model_and_column
from govaudit.checks.pageread import read_page
from govaudit.checks.service.common import homepage_hides_script_content
from govaudit.checks.sitemodel.columns import data, matches
from govaudit.crawler.snapshot import SiteSnapshot

_BOXES = "//input[not(@type) or @type='text' or @type='search']"


def offers_search(tree: Any) -> bool:
    words = data()["site_search"]["inputs"]
    for box in tree.xpath(_BOXES):
        hints = " ".join(filter(None, (box.get("placeholder"), box.get("value"), box.get("title"), box.get("name"),
                                       box.get("id"), box.get("aria-label"))))
        if box.xpath("ancestor::form") or matches(hints, words) or any(k in hints.lower() for k in ("search", "keyword", "query")):
            return True
    texts = [" ".join(a.itertext()) for a in tree.iter("a", "button")]
    return any(matches(text, data()["site_search"]["links"]) for text in texts)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    _, column = model_and_column(snapshot, context)
    pages = [snapshot.start_url] + ([column.where] if column.found and column.where else [])
    read = []
    for url in pages:
        page = read_page(snapshot, snapshot.homepage.final_url if url == snapshot.start_url and snapshot.homepage else url)
        if page is None or page.tree is None:
            continue
        if offers_search(page.tree):
            return
        read.append(page)
    if not read:
        yield RULE.not_checked("首页和政府信息公开专栏页面都未能读取，无法判断有无搜索")
        return
    if homepage_hides_script_content(snapshot):
        yield RULE.not_checked("首页含脚本且未经浏览器渲染，搜索框可能由脚本生成，无法判断")
        return
    yield RULE.finding(read[0].url, {"pages_checked": [p.url for p in read],
                                  "searched": "文本输入框、搜索/检索链接或按钮"})


RULE = Rule(
    id="disclosure.search_missing",
    title="未提供站内搜索",
    severity=Severity.NOTICE,
    basis="《中华人民共和国政府信息公开条例》（国务院令第711号）第二十四条；国办发〔2017〕47号《政府网站发展指引》（搜索服务）",
    explanation="首页和政府信息公开专栏页面上都没有搜索：没有文本输入框（表单中的，或提示“搜索”“关键词”的），"
                "也没有“站内搜索”“全文检索”等链接或按钮。页面含脚本且未渲染时不判断。",
    messages={"default": "首页和政府信息公开专栏页面上未见站内搜索"},
    check=check,
    advice="在首页和政府信息公开专栏提供站内搜索，支持按标题、全文检索政府信息。",
)
