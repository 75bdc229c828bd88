"""disclosure.site_annual_report: last year's 政府网站工作年度报表 is not published by 1月31日
(国办发〔2017〕47号: each site publishes its yearly 报表 by the end of January).

Sought as a link whose text names the 网站(工作)年度报表 and the year. Before 1月31日 the year
before last is the one due. A 报表 found with its own date after the deadline is 逾期."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.coverage import absence_unknown
from govaudit.checks.sitemodel.columns import data, site_model
from govaudit.crawler.snapshot import SiteSnapshot


def due_year(today: date) -> tuple[int, date]:
    """(the year whose 报表 must be out by `today`, its deadline)."""
    year = today.year - 1 if today > date(today.year, 1, 31) else today.year - 2
    return year, date(year + 1, 1, 31)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context)
    year, deadline = due_year(context.today)
    found = [(text, url) for text, url in model.find_links(data()["site_annual_report"]["words"])
             if str(year) in text.replace(" ", "")]
    if found:
        text, url = found[0]
        published = model.article_dates.get(url)
        if published is not None and published.source in ("meta", "label") and published.value > deadline:
            yield RULE.finding(url, {"year": year, "deadline": deadline.isoformat(), "title": text,
                                     "published": published.value.isoformat()}, variant="late")
        return
    unknown = absence_unknown(snapshot, context)
    if unknown:
        yield RULE.not_checked(unknown)
        return
    yield RULE.finding(snapshot.start_url, {"year": year, "deadline": deadline.isoformat(),
                                            "searched": f"链接文字含“网站工作年度报表”等及“{year}”"})


RULE = Rule(
    id="disclosure.site_annual_report",
    title="未按期公开网站工作年度报表",
    severity=Severity.NOTICE,
    basis="国办发〔2017〕47号《政府网站发展指引》（每年1月31日前发布上一年度政府网站工作年度报表）",
    explanation="网站上找不到上一年度的政府网站工作年度报表（链接文字含“网站工作年度报表”等及年份；1月31日前检查的是前年的），"
                "或报表页面自身标注的发布日期晚于1月31日。",
    messages={"default": "未找到 {year} 年度政府网站工作年度报表（公开期限 {deadline}）",
              "late": "{year} 年度政府网站工作年度报表于 {published} 发布，晚于公开期限 {deadline}"},
    check=check,
    advice="每年1月31日前在网站发布上一年度的政府网站工作年度报表。",
)
