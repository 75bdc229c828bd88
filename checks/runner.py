"""Runs every rule over a snapshot; a rule that fails is reported, never fatal."""

from __future__ import annotations

from dataclasses import dataclass, field

from govaudit.checks.base import Finding, NotChecked, Rule, RuleContext
from govaudit.checks.registry import all_rules
from govaudit.crawler.snapshot import SiteSnapshot


@dataclass
class RuleResults:
    findings: list[Finding] = field(default_factory=list)
    not_checked: list[NotChecked] = field(default_factory=list)


def run_rules(snapshot: SiteSnapshot, context: RuleContext,
              rules: tuple[Rule, ...] | None = None) -> RuleResults:
    results = RuleResults()
    homepage_ok = snapshot.homepage is not None and snapshot.homepage.ok
    for rule in rules if rules is not None else all_rules():
        if rule.needs_homepage and not homepage_ok:
            results.not_checked.append(rule.not_checked("首页无法访问，无法检查此项"))
            continue
        try:
            for outcome in rule.check(snapshot, context):
                if isinstance(outcome, Finding):
                    results.findings.append(outcome)
                else:
                    results.not_checked.append(outcome)
        except Exception as exc:  # one broken rule must not lose the others' results
            results.not_checked.append(rule.not_checked(
                f"检查程序内部错误（{type(exc).__name__}: {exc}），此项未能判定"))
    results.findings.sort(key=lambda f: (f.severity.rank, f.rule, f.url))
    return results
