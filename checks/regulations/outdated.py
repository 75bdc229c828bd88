"""regulations.outdated: a 法律/行政法规 text on the site is older than the current official
version in the reference library (plan task 25). A title the library does not know, or a
page whose version cannot be read, is said in not_checked, never judged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.options import Deduction
from govaudit.checks.regulations.common import BASIS_25, law_texts
from govaudit.checks.sitemodel.columns import site_model
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    library = context.law_library
    tolerance = timedelta(days=context.config.regulations.version_tolerance_days)
    for text in law_texts(site_model(snapshot, context), library):
        meta, law = text.meta, text.law
        if law is None:
            yield RULE.not_checked(f"“{meta.title}”不在法规参考库（{library.snapshot_date} 快照）中，未核对版本", meta.url)
            continue
        if law.latest_version is None:
            yield RULE.not_checked(f"参考库没有“{law.title}”的版本日期，未核对版本", meta.url)
            continue
        if meta.version_date is None:
            yield RULE.not_checked(f"未能从页面识别“{law.title}”的版本（无成文日期或修订说明）", meta.url)
            continue
        if meta.version_date < law.latest_version - tolerance:
            yield RULE.finding(meta.url, {
                "title": law.title, "level": law.level, "page_title": meta.title,
                "version_shown": meta.version_date.isoformat(), "version_evidence": meta.version_evidence,
                "current_version": law.latest_version.isoformat(),
                "known_versions": [v.isoformat() for v in law.versions],
                "library_snapshot": library.snapshot_date.isoformat(), "library_source": library.source})


RULE = Rule(
    id="regulations.outdated",
    title="法规文本不是现行版本",
    severity=Severity.DEDUCT,
    basis=BASIS_25,
    explanation="识别网站上的法律、行政法规全文页面（标题与参考库一致），从成文日期、题注中的公布/修订/修正日期、"
                "标题括号中的年份读出页面所示版本，早于参考库中的最新版本即为未更新（相差 120 天内视为同一版本，可配置）。"
                "报告注明所依据参考库的快照日期。",
    messages={"default": "《{title}》页面显示的是 {version_shown} 的版本，现行版本为 {current_version}"
                         "（参考库快照 {library_snapshot}）"},
    check=check,
    advice="从中国政府法制信息网行政法规库（国家法律法规数据库）下载现行正式文本替换，并注明修订情况。",
    points=Deduction(points=0.5, cap=3.0),
    screenshot="top",
)
