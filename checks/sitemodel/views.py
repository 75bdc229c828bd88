"""Tables for the report's "政府信息公开专栏检查" section: the checklist (required item, found?,
where) and the column freshness table. Pure, like the rules, and built from the same model."""

from __future__ import annotations

from typing import Any

from checks.base import RuleContext
from checks.columns.common import CLASS_LABELS, freshness
from checks.sitemodel.columns import site_model
from checks.sitemodel.disclosure import (Found, disclosure_column, domain_catalogues, guide_elements,
                                         newmedia_list, statutory_categories, subcolumns)
from crawler.snapshot import SiteSnapshot

_STATUS_LABELS = {"fresh": "正常", "stale": "未及时更新", "undated": "未注明日期", "blank": "空白栏目",
                  "script": "脚本加载，未检查", "no_list": "无列表，未检查", "not_judged": "不作要求"}


def _row(group: str, found: Found) -> dict[str, Any]:
    return {"group": group, **found.as_dict()}


def disclosure_view(snapshot: SiteSnapshot, context: RuleContext) -> dict[str, Any]:
    if snapshot.homepage_page is None or snapshot.homepage_page.tree is None:
        return {"checklist": [], "freshness": []}
    model = site_model(snapshot, context.today)
    column = disclosure_column(model, snapshot)
    rows = [_row("专栏", column)]
    subs = subcolumns(model)
    rows += [_row("子栏目", s) for s in subs]
    guide = next(s for s in subs if s.key == "guide")
    _, elements = guide_elements(model, snapshot, guide)
    rows += [_row("指南要素（第十二条）", e) for e in elements]
    if snapshot.kind in context.config.disclosure.statutory_site_kinds:
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
