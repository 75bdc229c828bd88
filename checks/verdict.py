"""Verdict and score of a site (国办秘函〔2019〕19号 scoring logic).

Any veto finding -> 不合格. Otherwise 100 minus the deductions of the points table (each
rule capped at its own points) and below the pass mark -> 不合格. When the homepage never
loaded nothing else could be judged: 无法判定, and no score.

A veto rule that could not decide (not_checked, no finding) is named with the verdict: 合格
then means "no veto found among those checked", and the report says how many were not
checked. When none of the veto rules could decide, the verdict is 无法判定 (with the score).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from govaudit.checks.base import Finding, NotChecked, Rule, Severity
from govaudit.checks.options import Deduction, Scoring

PASS = "合格"
FAIL = "不合格"
UNDECIDED = "无法判定"


@dataclass(frozen=True)
class Deducted:
    rule: str
    findings: int
    points: float


@dataclass(frozen=True)
class Verdict:
    verdict: str
    score: float | None
    vetoed_by: tuple[str, ...]
    deductions: tuple[Deducted, ...]
    vetoes_not_checked: tuple[str, ...] = ()   # veto rules that could not decide


def points_table(scoring: Scoring, rules: Iterable[Rule]) -> dict[str, Deduction]:
    """Each deduct rule's points: the office's ([scoring.deductions]) or the rule's own default."""
    table = {rule.id: rule.points for rule in rules if rule.points is not None}
    return {**table, **scoring.deductions}


def judge_site(findings: Iterable[Finding], *, homepage_loaded: bool, scoring: Scoring, rules: Iterable[Rule],
               not_checked: Iterable[NotChecked] = ()) -> Verdict:
    findings = list(findings)
    rules = list(rules)
    veto_rules = {rule.id for rule in rules if rule.severity is Severity.VETO}
    deductions = _deductions(findings, points_table(scoring, rules))
    if not homepage_loaded:
        return Verdict(UNDECIDED, None, (), deductions)
    score = round(max(0.0, 100.0 - sum(d.points for d in deductions)), 1)
    vetoes = tuple(sorted({f.rule for f in findings if f.severity is Severity.VETO}))
    unchecked = tuple(sorted({n.rule for n in not_checked if n.rule in veto_rules} - set(vetoes)))
    if vetoes or score < scoring.pass_mark:
        return Verdict(FAIL, score, vetoes, deductions, unchecked)
    if veto_rules and set(unchecked) == veto_rules:
        return Verdict(UNDECIDED, score, vetoes, deductions, unchecked)
    return Verdict(PASS, score, vetoes, deductions, unchecked)


def _deductions(findings: list[Finding], points: dict[str, Deduction]) -> tuple[Deducted, ...]:
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.severity is Severity.DEDUCT:
            by_rule.setdefault(finding.rule, []).append(finding)
    result = []
    for rule, group in sorted(by_rule.items()):
        table = points.get(rule)
        if table is None:
            continue
        lost = sum(table.homepage_points if f.on_homepage and table.homepage_points is not None
                   else table.points for f in group)
        result.append(Deducted(rule, len(group), round(min(lost, table.cap), 2)))
    return tuple(result)
