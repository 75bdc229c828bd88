"""regulations.no_validity: a 规章/规范性文件 of the site's library has no validity mark."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.options import Deduction
from govaudit.checks.regulations.common import BASIS_ORDINANCE, library_documents, validity_marks_in_lists
from govaudit.checks.sitemodel.columns import site_model
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context)
    documents = library_documents(model)
    if not documents:
        yield RULE.not_checked("没有识别出规章、规范性文件库栏目")
        return
    list_marks = validity_marks_in_lists(snapshot, context)
    unread = 0
    for column, url in documents:
        meta = model.documents.get(url)
        if url in list_marks or (meta is not None and meta.validity):
            continue
        if meta is None or meta.validity_blank:   # not read, or a blank field a script may fill
            unread += 1
            continue
        yield RULE.finding(url, {"title": meta.title, "doc_no": meta.doc_no, "column": column})
    if unread:
        yield RULE.not_checked(f"文件库中 {unread} 份文件的正文页未抓取或有效性栏为空（可能由脚本填写），"
                               "列表中也无有效性标注，无法确定")


RULE = Rule(
    id="regulations.no_validity",
    title="规范性文件未标注有效性",
    severity=Severity.DEDUCT,
    basis=BASIS_ORDINANCE + "第二十条第（一）项（规范性文件集中公开并动态更新调整）",
    explanation="规章、规范性文件库中的每份文件，在文件页（有效性/时效性字段）或列表中应标明有效、失效、废止或已修改。",
    messages={"default": "{doc_no}《{title}》未标注有效性"},
    check=check,
    advice="为文件库中每份文件标注有效性，并在文件被修改、废止时同步更新。",
    points=Deduction(points=0.2, cap=3.0),
    screenshot="top",
)
