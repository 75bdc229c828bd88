"""privacy.mobile: a list of people with their mobile numbers (a 公示 table).

A mobile number counts only beside a personal name (two to four Han characters starting with
a common surname, or a 姓名 label), and only when a page lists at least three such pairs: a
contact line (联系人、联系电话、咨询电话) and a list made to publish officials' phones (河长,
网格员, 值班表, 负责人) are publication, not a leak. Numbers are shown masked.
"""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.privacy.common import BASIS_LEAK, page_findings
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    yield from page_findings(snapshot, context, RULE, "mobiles")


RULE = Rule(
    id="privacy.mobile",
    title="名单中公开了个人手机号码",
    severity=Severity.NOTICE,
    basis=BASIS_LEAK,
    explanation="同一页面上至少 3 个手机号码紧挨着人名（常见姓氏开头的 2—4 个汉字，或“姓名”标注），"
                "即公示名单列出了个人手机号码；“联系人”“联系电话”“咨询电话”等工作联系方式，以及河长、网格员、值班表、负责人等"
                "按规定公开的联系名单不算。报告中的号码均已打码。",
    messages={"default": "页面的人员名单中公开了 {count} 个手机号码（如 {examples}）"},
    check=check,
    advice="公示名单中的手机号码应删除或打码（如 138****5678）。",
)
