"""identity.site_code_mismatch: the 网站标识码 in the SiteIDCode meta tag differs from the one
the page shows. Either may be the wrong one; the office checks it against the registration
(a notice, not a deduction: the mark itself is present)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.identity.marks import MarkResult, PageText, Status, footer_findings, register_judge
from govaudit.checks.identity.site_code import VALID_CODE, shown_codes
from govaudit.checks.pageread import PageRead
from govaudit.crawler.snapshot import SiteSnapshot


def judge(page: PageRead, text: PageText) -> MarkResult:
    meta = text.meta_site_code.lower()
    shown = shown_codes(text)
    if VALID_CODE.match(meta) and shown and meta not in shown:
        return MarkResult(Status.MALFORMED, f"SiteIDCode 元数据 {text.meta_site_code}，页面显示 {'、'.join(sorted(shown))}")
    return MarkResult(Status.PRESENT)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return footer_findings(RULE, snapshot, context)


RULE = Rule(
    id="identity.site_code_mismatch",
    title="网站标识码与页面元数据不一致",
    severity=Severity.NOTICE,
    basis="国办发〔2017〕47号《政府网站发展指引》（页面底部功能区列明网站标识码；页面元数据 SiteIDCode）",
    explanation="页面头部 <meta name=\"SiteIDCode\"> 中的网站标识码与页面底部显示的标识码不同，其中之一有误，需对照网站备案信息核实。",
    messages={"malformed": "{pages_affected}/{pages_checked} 个页面的网站标识码前后不一致：{seen}"},
    check=check,
    advice="核对网站标识码，统一页面底部和 SiteIDCode 元数据中的标识码。",
    screenshot="bottom",
)
register_judge(RULE, judge)
