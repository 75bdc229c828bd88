"""Tables for the report's "政府信息公开专栏检查" section: the checklist (required item, found?,
where) and the column freshness table. Pure, like the rules, and built from the same model."""

from __future__ import annotations

from typing import Any

from govaudit.checks.base import RuleContext
from govaudit.checks.columns.common import CLASS_LABELS, freshness
from govaudit.checks.sitemodel.columns import site_model
from govaudit.checks.sitemodel.disclosure import (
    Found,
    disclosure_column,
    domain_catalogues,
    guide_elements,
    newmedia_list,
    statutory_categories,
    subcolumns,
)
from govaudit.checks.sitemodel.kind import site_kind
from govaudit.crawler.snapshot import SiteSnapshot

_STATUS_LABELS = {"fresh": "正常", "stale": "未及时更新", "undated": "未注明日期", "unknown": "日期无法确定，未检查", "blank": "空白栏目",
                  "script": "脚本加载，未检查", "no_list": "无列表，未检查", "not_judged": "不作要求"}


def _row(group: str, found: Found) -> dict[str, Any]:
    return {"group": group, **found.as_dict()}


def disclosure_view(snapshot: SiteSnapshot, context: RuleContext) -> dict[str, Any]:
    home = snapshot.homepage_page
    if home is None or not (home.is_html and home.fetch.ok):
        return {"checklist": [], "freshness": []}
    model = site_model(snapshot, context)
    column = disclosure_column(model, snapshot)
    rows = [_row("专栏", column)]
    subs = subcolumns(model)
    rows += [_row("子栏目", s) for s in subs]
    guide = next(s for s in subs if s.key == "guide")
    _, elements = guide_elements(model, snapshot, guide)
    rows += [_row("指南要素（第十二条）", e) for e in elements]
    if site_kind(snapshot, context).holds(context.config.disclosure.statutory_site_kinds):
        article_21 = context.site is not None and context.site.admin_level in ("city", "county")
        rows += [_row("法定主动公开内容", c) for c in statutory_categories(model, article_21)]
    rows.append(_row("政务新媒体", newmedia_list(model)))
    if context.site is not None and context.site.basic_level:
        _, domains = domain_catalogues(model, snapshot)
        rows += [_row("基层政务公开标准目录", d) for d in domains]
    table = []
    for entry in freshness(model, context.config.freshness, context.today):
        table.append({
            "column": entry.column.name, "url": entry.column.url, "class": CLASS_LABELS[entry.column.klass],
            "items": len(entry.column.items), "pages": len(entry.column.pages),
            "newest_date": entry.newest_date.value.isoformat() if entry.newest_date else None,
            "newest_title": entry.newest.title if entry.newest else None,
            "age_days": entry.age_days, "limit_days": entry.limit_days,
            "status": entry.status, "status_label": _STATUS_LABELS[entry.status]})
    return {"checklist": rows, "freshness": table}


# The report lists at most this many documents of a site (the rest are counted).
MAX_DOCUMENTS_LISTED = 300


def regulations_view(snapshot: SiteSnapshot, context: RuleContext) -> dict[str, Any]:
    """The documents found on the site, with what each rule made of them."""
    from govaudit.checks.regulations.common import law_texts, library_documents, validity_marks_in_lists

    if snapshot.homepage_page is None:
        return {"documents": [], "library": None}
    model = site_model(snapshot, context)
    library = context.law_library
    laws = {t.meta.url: t.law for t in law_texts(model, library)}
    in_library = {url for _, url in library_documents(model)}
    marks = validity_marks_in_lists(snapshot, context)
    by_kind: dict[str, list[dict[str, Any]]] = {"法律法规": [], "规章/规范性文件": [], "文件": []}
    listed = dict.fromkeys(by_kind, 0)
    for url, meta in model.documents.items():
        if url not in laws and url not in in_library and not meta.doc_no:
            continue
        kind = "法律法规" if url in laws else "规章/规范性文件" if url in in_library else "文件"
        listed[kind] += 1
        if len(by_kind[kind]) >= MAX_DOCUMENTS_LISTED:   # counted on; the table stays readable
            continue
        law = laws.get(url)
        by_kind[kind].append({
            "url": url, "title": meta.title, "doc_no": meta.doc_no,
            "written": meta.written.isoformat() if meta.written else None,
            "published": meta.published.isoformat() if meta.published else None,
            "validity": meta.validity or marks.get(url),
            "kind": kind,
            "version_shown": meta.version_date.isoformat() if url in laws and meta.version_date else None,
            "current_version": law.latest_version.isoformat() if law and law.latest_version else None,
            "library_status": law.status if law else ("参考库无此名称" if url in laws else None)})
    rows = [row for kind in by_kind.values() for row in kind][:MAX_DOCUMENTS_LISTED]   # laws first
    return {"documents": rows, "counts": listed, "not_listed": sum(listed.values()) - len(rows),
            "library": {"snapshot_date": library.snapshot_date.isoformat(), "source": library.source,
                        "laws": len(library)}}
