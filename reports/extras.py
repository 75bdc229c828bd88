"""What a run of every site adds to report.html/json: the summary page (sites ranked, change
since the last run, 任务落实情况 by unit and plan task, inline SVG charts) and the
rectification ledger report.xlsx (台账). Both read the run back from the store."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govaudit.checks.registry import all_rules
from govaudit.config import Config, plan_of
from govaudit.history import standing
from govaudit.plan import Plan
from govaudit.reports.render import AREA_NAMES, environment, write_atomic
from govaudit.store import Store

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

VERDICT_ORDER = {"不合格": 0, "无法判定": 1, "合格": 2}
_SEVERITY_LABELS = {"veto": "单项否决", "deduct": "扣分", "notice": "提示"}


def summary_data(store: Store, run_id: str, document: dict[str, Any], plan: Plan) -> dict[str, Any]:
    sites = []
    area_counts: Counter[str] = Counter()
    units: dict[str, dict[str, Any]] = {}
    tasks: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(document["sites"]):
        counts = Counter(f["severity"] for f in entry["findings"])
        history = store.history_of(entry["name"])
        change = Counter(standing(row, run_id) for row in history
                         if row["last_run"] == run_id or row["fixed_run"] == run_id)
        series = store.site_series(entry["name"])
        sites.append({"entry": entry, "anchor": f"site-{index}", "counts": counts, "change": change,
                      "trend": [sum(point["counts"].values()) for point in series],
                      "trend_days": [point["today"] for point in series]})
        unit = units.setdefault(entry["unit"] or "未配置", {"sites": [], "counts": Counter()})
        unit["sites"].append(entry["name"])
        unit["counts"].update(counts)
        for finding in entry["findings"]:
            area_counts[AREA_NAMES.get(finding["rule"].split(".")[0], finding["rule"])] += 1
            task = tasks.setdefault(finding["task"] or "—", {"findings": 0, "sites": set(), "units": set()})
            task["findings"] += 1
            task["sites"].add(entry["name"])
            task["units"].add(entry["unit"] or "未配置")
    sites.sort(key=lambda s: (VERDICT_ORDER.get(s["entry"]["verdict"], 3), s["entry"]["score"] or 0))
    task_rows = []
    for planned in plan.tasks:
        found = tasks.get(planned.number, {"findings": 0, "sites": set(), "units": set()})
        task_rows.append({"task": planned.number, "summary": planned.summary, "lead": planned.lead,
                          "findings": found["findings"], "sites": sorted(found["sites"]),
                          "units": sorted(found["units"]),
                          "status": _task_status(plan, planned.number, found["findings"], document)})
    return {"sites": sites, "units": units, "tasks": task_rows, "areas": area_counts.most_common()}


def _task_status(plan: Plan, task: str, findings: int, document: dict[str, Any]) -> str:
    """待整改 / 未发现问题, unless no rule of the task could judge any site."""
    if findings:
        return "待整改"
    rules = {rule.id for rule in all_rules() if (owner := plan.task_for(rule.id)) is not None and owner.number == task}
    if not rules:
        return "本版本未检查"
    judged = any(rule not in {n["rule"] for n in entry["not_checked"] if not n.get("url")}
                 for entry in document["sites"] for rule in rules)
    return "未发现问题" if judged else "未能检查"


def write_run_extras(result: Any, config: Config, out_dir: Path) -> dict[str, Path]:
    """summary.html and report.xlsx beside report.html, for the run `result` names."""
    with Store(result.store_path) as store:
        data = summary_data(store, result.run_id, result.document, plan_of(config))
        ledger = ledger_rows(store, result.run_id, result.document, config)
    html = environment().get_template("summary.html.j2").render(doc=result.document, data=data,
                                                                  severity=_SEVERITY_LABELS, plan=result.document.get("plan"))
    summary_path = out_dir / "summary.html"
    write_atomic(summary_path, html)
    xlsx_path = out_dir / "report.xlsx"
    write_ledger(xlsx_path, *ledger)
    return {"summary": summary_path, "xlsx": xlsx_path}


def deadline_of(config: Config, severity: str, first_seen: str) -> str:
    """整改期限: the first sighting plus the [ledger] days of its severity."""
    days = {"veto": config.ledger.veto_days, "deduct": config.ledger.deduct_days, "notice": config.ledger.notice_days}
    return (date.fromisoformat(first_seen[:10]) + timedelta(days=days[severity])).isoformat()


def ledger_rows(store: Store, run_id: str, document: dict[str, Any],
                config: Config) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    """(open rows, fixed rows, set-apart rows) of the ledger. Findings the office set apart
    (误报, 暂缓整改) are not open: they have a sheet of their own."""
    open_rows: list[list[Any]] = []
    fixed_rows: list[list[Any]] = []
    apart_rows: list[list[Any]] = []
    for entry in document["sites"]:
        current = {f["fingerprint"]: f for f in entry["findings"]}
        for finding in entry.get("set_aside", []):
            review = finding["review"]
            apart_rows.append([entry["unit"], entry["name"], finding.get("title", finding["rule"]), finding["message"],
                               review["label"], review.get("until") or "", review["reason"], review["user"],
                               review["at"][:16].replace("T", " "), finding["url"], finding["fingerprint"]])
        apart = {f["fingerprint"] for f in entry.get("set_aside", [])}
        for row in store.history_of(entry["name"]):
            if row["fingerprint"] in apart:
                continue
            finding = row["data"]
            first = row["first_seen"][:10]
            if row["fixed_run"] is not None:
                fixed_rows.append([entry["unit"], entry["name"], finding.get("title", finding["rule"]),
                                   finding["message"], first, row["fixed_at"][:10], finding["url"]])
                continue
            if row["last_run"] != run_id:
                continue  # not seen in this run and not settled either: left out of this ledger
            annotated = current.get(row["fingerprint"], {})
            review = annotated.get("review")
            open_rows.append([len(open_rows) + 1, entry["unit"], entry["name"], finding.get("title", finding["rule"]),
                              finding["message"], finding["basis"], first,
                              "新发现" if review and review.get("returned") else standing(row, run_id),
                              review["label"] if review else "", deadline_of(config, row["severity"], first),
                              finding["url"], row["fingerprint"], annotated.get("task_basis") or ""])
    return open_rows, fixed_rows, apart_rows


def write_ledger(path: Path, open_rows: list[list[Any]], fixed_rows: list[list[Any]],
                 apart_rows: list[list[Any]] | None = None) -> None:
    from openpyxl import Workbook  # here, not at import: it loads numpy (30 MB) for every command

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "整改台账"
    _fill(sheet, ["序号", "责任单位", "网站", "问题类型", "问题描述", "依据", "首次发现", "状态", "复核", "整改期限", "链接",
                  "问题编号", "工作要点任务"], open_rows, widths=[6, 22, 22, 22, 60, 40, 12, 8, 8, 12, 50, 18, 30])
    fixed = book.create_sheet("已整改")
    _fill(fixed, ["责任单位", "网站", "问题类型", "问题描述", "首次发现", "整改时间", "链接"], fixed_rows,
          widths=[22, 22, 22, 60, 12, 12, 50])
    apart = book.create_sheet("误报与暂缓整改")
    _fill(apart, ["责任单位", "网站", "问题类型", "问题描述", "复核结果", "暂缓至", "理由", "复核人", "复核时间", "链接", "问题编号"],
          apart_rows or [], widths=[22, 22, 22, 60, 10, 12, 40, 10, 16, 50, 18])
    tmp = path.with_suffix(".xlsx.tmp")
    book.save(tmp)
    tmp.replace(path)


def _fill(sheet: Worksheet, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="9B1C1C")
    for row in rows:
        sheet.append([None] * len(row))
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # crawled text is never a formula (=, +, -, @ stay text)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
