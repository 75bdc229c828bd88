"""regulations.repealed_shown: a repealed law, or a document a later one on the site repealed,
is shown as in force."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.options import Deduction
from govaudit.checks.regulations.common import BASIS_25, law_texts, validity_marks_in_lists
from govaudit.checks.sitemodel.columns import site_model
from govaudit.checks.sitemodel.documents import doc_number_key
from govaudit.crawler.snapshot import SiteSnapshot

_NOT_IN_FORCE = ("废止", "失效")


def _marked_gone(validity: str | None) -> bool:
    return validity is not None and any(word in validity for word in _NOT_IN_FORCE)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context)
    library = context.law_library
    for text in law_texts(model, library):
        page = snapshot.pages.get(text.meta.url)
        shown = text.meta.validity
        if text.law is not None and text.law.repealed and not _marked_gone(shown) and \
                not (page is not None and _marked_gone(page.title)):
            yield RULE.finding(text.meta.url, {
                "title": text.law.title, "status": text.law.status, "validity_shown": shown,
                "library_snapshot": library.snapshot_date.isoformat()}, variant="law")
    list_marks = validity_marks_in_lists(snapshot, context)
    repealers: dict[str, str] = {}
    for url, numbers in model.repealing.items():
        own = doc_number_key(model.documents[url].doc_no)
        for number in numbers:
            if number != own:
                repealers.setdefault(number, url)
    for url, meta in model.documents.items():
        key = doc_number_key(meta.doc_no)
        if key is None or key not in repealers:
            continue
        shown = meta.validity or list_marks.get(url)
        if shown is not None and "有效" in shown and not _marked_gone(shown):
            yield RULE.finding(url, {"title": meta.title, "doc_no": meta.doc_no, "validity_shown": shown,
                                     "repealed_by": repealers[key]}, variant="document")


RULE = Rule(
    id="regulations.repealed_shown",
    title="已废止的法规文件仍显示为有效",
    severity=Severity.DEDUCT,
    basis=BASIS_25 + "；规范性文件应动态更新调整",
    explanation="参考库标为已废止的法律、行政法规，页面上没有“废止/失效”标注的；以及网站上另一份文件已声明废止"
                "（“……（××〔年〕号）同时废止”），而本文件仍标为“有效”的。",
    messages={"law": "《{title}》已于参考库中标为{status}，网站仍未标注失效（参考库快照 {library_snapshot}）",
              "document": "{doc_no}《{title}》已被本站另一文件废止，仍标为“{validity_shown}”"},
    check=check,
    advice="在文件页面和文件库列表中将其标注为“已废止/失效”，或移出现行有效文件库。",
    points=Deduction(points=1.0, cap=3.0),
    screenshot="top",
)
