"""privacy.bank_card: a personal bank card number in full, labelled as one (银行卡、卡号、账号).

The number must pass the Luhn check and carry a card label; a unit's own account (对公、单位、
财政、收款账户) is publication, not a leak. Numbers are shown masked.
"""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.privacy.common import BASIS_LEAK, page_findings
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    yield from page_findings(snapshot, context, RULE, "bank_cards")


RULE = Rule(
    id="privacy.bank_card",
    title="公开了个人银行卡号",
    severity=Severity.NOTICE,
    basis=BASIS_LEAK,
    explanation="网页文字中标为银行卡号、卡号、账号的 16—19 位号码通过 Luhn 校验；单位的对公、财政、收款账户不算。"
                "报告中的号码均已打码。",
    messages={"default": "页面公开了 {count} 个银行卡号（如 {examples}）"},
    check=check,
    advice="删除或对卡号打码（只保留前 4 位和后 4 位）。",
)
