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

from checks.base import Finding, NotChecked, Severity
from govaudit.config import Scoring

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


def judge_site(findings: Iterable[Finding], *, homepage_loaded: bool, scoring: Scoring,
               not_checked: Iterable[NotChecked] = (), veto_rules: Iterable[str] = ()) -> Verdict:
    findings = list(findings)
    deductions = _deductions(findings, scoring)
    if not homepage_loaded:
        return Verdict(UNDECIDED, None, (), deductions)
    score = round(max(0.0, 100.0 - sum(d.points for d in deductions)), 1)
    vetoes = tuple(sorted({f.rule for f in findings if f.severity is Severity.VETO}))
    veto_rules = set(veto_rules)
    unchecked = tuple(sorted({n.rule for n in not_checked if n.rule in veto_rules} - set(vetoes)))
    if vetoes or score < scoring.pass_mark:
        return Verdict(FAIL, score, vetoes, deductions, unchecked)
    if veto_rules and set(unchecked) == veto_rules:
        return Verdict(UNDECIDED, score, vetoes, deductions, unchecked)
    return Verdict(PASS, score, vetoes, deductions, unchecked)


def _deductions(findings: list[Finding], scoring: Scoring) -> tuple[Deducted, ...]:
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.severity is Severity.DEDUCT:
            by_rule.setdefault(finding.rule, []).append(finding)
    result = []
    for rule, group in sorted(by_rule.items()):
        table = scoring.deductions.get(rule)
        if table is None:
            continue
        points = sum(table.homepage_points if f.on_homepage and table.homepage_points is not None
                     else table.points for f in group)
        result.append(Deducted(rule, len(group), round(min(points, table.cap), 2)))
    return tuple(result)
