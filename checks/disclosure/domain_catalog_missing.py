"""disclosure.domain_catalog_missing: a basic-level unit lacks a domain's 标准目录 and no
未涉及领域 statement covers it (plan tasks 32-33)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.coverage import absence_unknown
from govaudit.checks.disclosure.common import model_and_column
from govaudit.checks.options import Deduction
from govaudit.checks.sitemodel.disclosure import domain_catalogues
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    if context.site is None or not context.site.basic_level:
        yield RULE.not_checked("该单位未配置为基层单位（[[sites]] basic_level = true），不检查 26 个领域标准目录")
        return
    unknown = absence_unknown(snapshot, context)
    if unknown:
        yield RULE.not_checked(unknown)
        return
    model, _ = model_and_column(snapshot, context)
    statement, domains = domain_catalogues(model, snapshot)
    if statement.found and statement.where not in snapshot.pages:
        yield RULE.not_checked(f"找到未涉及领域说明 {statement.where} 但未能读取，无法核对缺少的领域")
        return
    for domain in domains:
        if not domain.found:
            yield RULE.finding(snapshot.start_url, {"domain": domain.label, "statement": statement.where})


RULE = Rule(
    id="disclosure.domain_catalog_missing",
    title="基层政务公开标准目录缺少领域",
    severity=Severity.DEDUCT,
    basis="国办发〔2019〕54号《关于全面推进基层政务公开标准化规范化工作的指导意见》",
    explanation="对配置为基层单位的网站，逐一查找 26 个领域的标准目录栏目；没有栏目且未涉及领域说明中也未列出的，即为缺少。"
                "后五个领域名称未经核实，见 checks/data/disclosure.toml。",
    messages={"default": "未见“{domain}”领域的基层政务公开标准目录，也没有未涉及该领域的说明"},
    check=check,
    advice="按本领域国务院部门制定的标准指引编制并公开标准目录；不涉及的领域在“未涉及领域事项说明”中列明。",
    points=Deduction(points=0.5, cap=5.0),
)
