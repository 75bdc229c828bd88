"""identity.conac: the 党政机关网站标识 (red badge) at the bottom of every page."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.identity.marks import MarkResult, PageText, Status, attributes_text, data, footer_findings, register_judge
from govaudit.checks.options import Deduction
from govaudit.checks.pageread import PageRead
from govaudit.crawler.snapshot import SiteSnapshot


def judge(page: PageRead, text: PageText) -> MarkResult:
    attributes = attributes_text(page)
    lowered = attributes.lower()
    if any(m.lower() in lowered for m in data()["conac_markers"]):
        return MarkResult(Status.PRESENT)
    if any(word in attributes for word in data()["conac_alt_words"]):
        return MarkResult(Status.PRESENT)
    if not page.rendered and _drawn_by_script(page):
        return MarkResult(Status.UNSURE, "标识由脚本生成")
    return MarkResult(Status.MISSING)


def _drawn_by_script(page: PageRead) -> bool:
    """A script that draws the badge (dcs.conac.cn), or an empty placeholder it fills."""
    tree = page.tree
    if tree is None:
        return False
    scripts = " ".join((s.text or "") + " " + (s.get("src") or "") for s in tree.iter("script"))
    if any(marker in scripts for marker in data()["conac_scripts"]):
        return True
    placeholders = data()["conac_placeholders"]
    return any(any(p in f"{el.get('id', '')} {el.get('class', '')}" for p in placeholders) and not el.text_content().strip()
               for el in tree.iter("div", "span"))


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return footer_findings(RULE, snapshot, context)


RULE = Rule(
    id="identity.conac",
    title="缺少党政机关网站标识",
    severity=Severity.DEDUCT,
    basis="国办发〔2017〕47号《政府网站发展指引》（党政机关网站标识应放置在每个页面底部中间位置）",
    explanation="每个页面应有党政机关网站标识（链接到 conac.cn 的红色标识图片或其加载脚本）。",
    messages={"missing": "{pages_affected}/{pages_checked} 个页面未见党政机关网站标识"},
    check=check,
    points=Deduction(points=2.0, cap=2.0),
    screenshot="bottom",
)
register_judge(RULE, judge)
