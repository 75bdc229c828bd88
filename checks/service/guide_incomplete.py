"""service.guide_incomplete: a 办事指南 page lacks elements the indicators name (事项名称, 设定
依据, 申请条件, 申请材料, 办理地点, 办理时间, 联系电话, 办理流程), each matched with its synonyms.

A page counts as a guide when its title or the link to it says 办事指南 (服务指南...), it does
not list items (an index of guides) and its text carries at least three of the elements; a
guide shown as an attachment is not judged. The whole text counts, template included: guides
of one site share their labels, which would otherwise be taken for the template."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.options import Deduction
from govaudit.checks.service.common import BASIS_SERVICE, page_text
from govaudit.checks.sitemodel.columns import SiteModel, data, matches, site_model
from govaudit.checks.sitemodel.pagefacts import page_facts
from govaudit.crawler.snapshot import SiteSnapshot

MIN_ELEMENTS = 3          # fewer: not a guide's body (an index, a notice about guides)
MAX_GUIDES = 200          # guide pages read per site


def guide_pages(model: SiteModel, snapshot: SiteSnapshot) -> list[str]:
    words, excluded = data()["service"]["guide"], data()["service"]["guide_not"]
    found = {url for text, url in model.find_links(words) if not matches(text, excluded)}
    found |= {url for url, page in snapshot.pages.items() if matches(page.title, words) and not matches(page.title, excluded)}
    return sorted(url for url in found if url in snapshot.pages)[:MAX_GUIDES]


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context)
    elements: dict[str, list[str]] = data()["service"]["elements"]
    for url in guide_pages(model, snapshot):
        listing = page_facts(snapshot.pages[url], context.today).listing
        if listing is not None and len(listing.items) >= MIN_ELEMENTS:
            continue   # an index of guides
        text = page_text(snapshot, url)
        if text is None:
            continue
        present = [name for name, words in elements.items() if matches(text, words)]
        if MIN_ELEMENTS <= len(present) < len(elements):
            missing = [name for name in elements if name not in present]
            yield RULE.finding(url, {"title": snapshot.pages[url].title, "missing": missing, "present": present})


RULE = Rule(
    id="service.guide_incomplete",
    title="办事指南要素不全",
    severity=Severity.DEDUCT,
    basis=BASIS_SERVICE + "（办事指南要素）",
    explanation="网站上的办事指南页面（标题或链接文字含“办事指南”“服务指南”，正文至少具备 3 项要素）缺少事项名称、设定依据、"
                "申请条件、申请材料、办理地点、办理时间、联系电话、办理流程中的某项（各要素按同义词匹配）。",
    messages={"default": "办事指南“{title}”缺少：{missing}"},
    check=check,
    advice="按要素补全办事指南，或链接到政务服务网上的完整指南。",
    points=Deduction(points=0.5, cap=5.0),   # [U]
    screenshot="full",
)
