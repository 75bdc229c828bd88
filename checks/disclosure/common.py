"""Shared by the disclosure.* rules: the model, and the not-checked reasons they share."""

from __future__ import annotations

from checks.base import RuleContext
from checks.sitemodel.columns import SiteModel, site_model
from checks.sitemodel.disclosure import Found, disclosure_column
from crawler.snapshot import SiteSnapshot

BASIS_ORDINANCE = "《中华人民共和国政府信息公开条例》（国务院令第711号）"


def model_and_column(snapshot: SiteSnapshot, context: RuleContext) -> tuple[SiteModel, Found]:
    model = site_model(snapshot, context.today)
    return model, disclosure_column(model, snapshot)


def homepage_has_links(snapshot: SiteSnapshot) -> bool:
    home = snapshot.homepage_page
    return home is not None and any(link.tag in ("a", "area") for link in home.links)


COLUMN_MISSING_REASON = "未找到政府信息公开专栏（见 disclosure.column_missing），不再逐项检查"
