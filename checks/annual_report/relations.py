"""The arithmetic a yearly report must satisfy (../shared/reference/annual-report.md).

表三, per column: 一 + 二 = 三(七)总计 + 四 (the official 勾稽关系); (七)总计 = the sum of
every result row; per row: 总计 = the six applicant columns. 表四, per group: 总计 = 维持 +
纠正 + 其他 + 尚未审结. A relation with a blank cell on either side is not checked: a blank
may mean 0 or a figure left out, and adding it as 0 made a real, balancing report "wrong"
(annual_report.blank_cells reports the blanks themselves).
"""

from __future__ import annotations

from dataclasses import dataclass

from govaudit.checks.annual_report.model import APPLICANT_COLUMNS, ROW_LABELS, T4_COLUMNS, AnnualReport, Cell, Table


@dataclass(frozen=True)
class Mismatch:
    table: str
    relation: str
    row: str            # row key (表三) or group (表四)
    column: int         # index of the cell that does not tie
    expected: float
    found: float

    def describe(self) -> dict[str, object]:
        columns = APPLICANT_COLUMNS if self.table == "表三" else T4_COLUMNS
        return {"table": self.table, "relation": self.relation, "row": ROW_LABELS.get(self.row, self.row),
                "column": columns[self.column], "expected": _plain(self.expected), "found": _plain(self.found)}


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def _total(cells: list[Cell]) -> float | None:
    """The sum of `cells`, None when one of them is blank."""
    if any(cell.value is None for cell in cells):
        return None
    return sum(cell.number for cell in cells)


def _differ(expected: float | None, found: Cell) -> bool:
    return expected is not None and found.value is not None and expected != found.number


def _result_rows(table: Table) -> list[str]:
    return [key for key in table.rows if key.split("_")[0] in ("open", "partial", "refuse", "unable", "nohandle", "other")]


def table3_mismatches(table: Table) -> list[Mismatch]:
    rows = table.rows
    found: list[Mismatch] = []
    width = len(APPLICANT_COLUMNS)
    if all(k in rows for k in ("new", "carried_in", "total", "carried_out")):
        for c in range(width):
            left = _total([rows["new"][c], rows["carried_in"][c]])
            right = _total([rows["total"][c], rows["carried_out"][c]])
            if left is not None and right is not None and left != right:
                found.append(Mismatch("表三", "一 + 二 = 三(七)总计 + 四", "balance", c, left, right))
    results = _result_rows(table)
    if "total" in rows and results:
        for c in range(width):
            expected = _total([rows[k][c] for k in results])
            if _differ(expected, rows["total"][c]):
                found.append(Mismatch("表三", "(七)总计 = (一)至(六)各项之和", "total", c, expected or 0,
                                      rows["total"][c].number))
    for key, cells in rows.items():
        expected = _total(cells[:-1])
        if _differ(expected, cells[-1]):
            found.append(Mismatch("表三", "总计列 = 各类申请人之和", key, width - 1, expected or 0, cells[-1].number))
    return found


def table4_mismatches(table: Table) -> list[Mismatch]:
    found = []
    for group, cells in table.rows.items():
        expected = _total(cells[:4])
        if _differ(expected, cells[4]):
            found.append(Mismatch("表四", "总计 = 维持 + 纠正 + 其他 + 尚未审结", group, 4, expected or 0, cells[4].number))
    return found


def mismatches(report: AnnualReport) -> list[Mismatch]:
    found = []
    if report.table3 is not None:
        found += table3_mismatches(report.table3)
    if report.table4 is not None:
        found += table4_mismatches(report.table4)
    return found
