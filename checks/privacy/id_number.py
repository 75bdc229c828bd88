"""privacy.id_number: a page shows citizens' 居民身份证号码 in full (a 公示 list, a form).

Only numbers that pass every check of GB 11643 count (province code, a real birth date not
after the audit, the check digit); numbers labelled as something else (订单号, 统一社会信用代码,
编号...) and numbers the site already masks are never findings. The numbers are shown masked.
Downloaded attachments (PDF, DOCX, XLSX linked as 名单, 公示...) are read too.
"""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.content.common import SEVERITIES
from govaudit.checks.privacy.common import BASIS_LEAK, page_findings
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    yield from page_findings(snapshot, context, RULE, "id_numbers", SEVERITIES[context.config.content.id_number_severity])


RULE = Rule(
    id="privacy.id_number",
    title="公开了居民身份证号码",
    severity=Severity.VETO,    # ([content] id_number_severity may lower it)
    basis=BASIS_LEAK,
    explanation="网页文字中出现完整的 18 位居民身份证号码：省级行政区划代码（GB/T 2260）、出生日期、校验码（GB 11643）"
                "全部正确才算；标为订单号、统一社会信用代码、编号等的号码和网站已打码的号码不算。报告中的号码均已打码。",
    messages={"default": "页面公开了 {count} 个完整的居民身份证号码（如 {examples}）"},
    check=check,
    advice="立即删除或对号码打码（只保留前 4 位和后 4 位），并清理搜索引擎快照；公示名单不应包含身份证号码。",
)
