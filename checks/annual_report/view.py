"""The report's "年度报告检查" section: the report found (link, date, on time?), the section
checklist, and 表三/表四 redrawn with the cells that do not tie and their expected values."""

from __future__ import annotations

from typing import Any

from govaudit.checks.annual_report.common import deadline_for, due_year, readable_due_report
from govaudit.checks.annual_report.model import APPLICANT_COLUMNS, ROW_LABELS, T4_COLUMNS, AnnualReport, Table
from govaudit.checks.annual_report.relations import Mismatch, mismatches
from govaudit.checks.base import RuleContext
from govaudit.checks.sitemodel.kind import site_kind
from govaudit.crawler.snapshot import SiteSnapshot


def annual_view(snapshot: SiteSnapshot, context: RuleContext) -> dict[str, Any]:
    if snapshot.homepage_page is None:
        return {}
    year = due_year(context)
    deadline = deadline_for(year, site_kind(snapshot, context).kind)
    found, why = readable_due_report(snapshot, context)
    view: dict[str, Any] = {"year": year, "deadline": deadline.isoformat(), "found": found is not None,
                            "unreadable": why if found is not None else None}
    if found is None:
        return view
    published = found.published.value if found.published else None
    view.update({"title": found.title, "url": found.url,
                 "published": published.isoformat() if published else None,
                 "on_time": None if published is None else published <= deadline})
    if found.report is not None and not why:
        view.update(report_tables(found.report))
    return view


def report_tables(report: AnnualReport) -> dict[str, Any]:
    wrong = mismatches(report)
    return {"format": report.format, "sections": report.sections,
            "table3": _redraw(report.table3, APPLICANT_COLUMNS, wrong, ROW_LABELS),
            "table4": _redraw(report.table4, T4_COLUMNS, wrong, {})}


def _redraw(table: Table | None, columns: tuple[str, ...], wrong: list[Mismatch],
            labels: dict[str, str]) -> dict[str, Any] | None:
    if table is None:
        return None
    flagged = {(m.row, m.column): m for m in wrong if m.table == table.name}
    balance = {m.column: m for m in wrong if m.table == table.name and m.row == "balance"}
    rows = []
    for key, cells in table.rows.items():
        row = []
        for index, cell in enumerate(cells):
            mismatch = flagged.get((key, index)) or (balance.get(index) if key == "carried_out" else None)
            row.append({"raw": cell.raw, "blank": cell.value is None,
                        "expected": mismatch.describe()["expected"] if mismatch and mismatch.row == key else None,
                        "wrong": mismatch is not None})
        rows.append({"label": labels.get(key, key), "cells": row})
    return {"name": table.name, "columns": list(columns), "rows": rows, "ambiguous": table.ambiguous}
