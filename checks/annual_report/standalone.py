"""`govaudit annual-report FILE_OR_URL`: the content rules on one report alone, so an
office can check a draft before publishing it."""

from __future__ import annotations

from govaudit.checks.annual_report import arithmetic, blank_cells, sections, tables, text_mismatch, work_points
from govaudit.checks.annual_report.common import FoundReport
from govaudit.checks.annual_report.model import read_report
from govaudit.checks.base import Outcome

_RULES = (sections, tables, arithmetic, text_mismatch, blank_cells, work_points)


def check_report(data: bytes, name: str, content_type: str = "", year: int | None = None) -> tuple[FoundReport, list[Outcome]]:
    report = read_report(data, name, content_type)
    if year is not None:
        report.year = year
    found = FoundReport(report.year, name, report.title or name, None, report, report.unreadable)
    if report.unreadable:
        return found, [module.RULE.not_checked(report.unreadable, name) for module in _RULES]
    outcomes: list[Outcome] = []
    for module in _RULES:
        outcomes.extend(module.judge(found))
    return found, outcomes
