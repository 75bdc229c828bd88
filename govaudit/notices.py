"""整改通知 per responsible unit and the run's 专项检查情况通报 draft, as Word files made from
templates the office can edit (docxtpl), and the mail that sends each unit its notice with
the office copied. They list what counts after review: findings set apart as 误报 or
暂缓整改 are left out (reports/annotate.py)."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from govaudit.config import Config, config_dir, unit_of
from govaudit.history import standing
from govaudit.mail import build_message, send
from govaudit.reports.extras import deadline_of
from govaudit.store import Store

_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FILE_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class Notice:
    unit: str
    path: Path
    findings: int
    mail: tuple[str, ...]


def write_notices(config: Config, store: Store, document: dict[str, Any], out_dir: Path) -> tuple[list[Notice], Path]:
    """One .docx per unit with open findings, and the 通报 draft, into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    run_id = document["run"]["id"]
    notices = []
    for unit, entries in _by_unit(document).items():
        context = notice_context(config, store, document, unit, entries)
        if not context["items"]:
            continue
        path = out_dir / f"整改通知-{_file_name(unit)}.docx"
        _render(_template(config, config.notices.template, "notice.docx"), context, path)
        known = unit_of(config, unit)
        notices.append(Notice(unit, path, len(context["items"]), known.mail if known else ()))
    bulletin = out_dir / f"检查情况通报-{run_id}.docx"
    _render(_template(config, config.notices.bulletin_template, "bulletin.docx"), bulletin_context(config, document), bulletin)
    return notices, bulletin


def mail_notices(config: Config, document: dict[str, Any], notices: list[Notice]) -> dict[str, str | None]:
    """Each unit with addresses gets its notice, the office ([mail] recipients) copied;
    -> unit: None when sent, else the error (units without an address are skipped)."""
    results: dict[str, str | None] = {}
    today = document["run"]["today"]
    for notice in notices:
        if not notice.mail:
            continue
        subject = f"政府网站检查问题整改通知：{notice.unit}（{today} 检查，{notice.findings} 个问题）"
        body = (f"<p>{html.escape(notice.unit)}：</p><p>{html.escape(config.notices.office)}于 {today} 对你单位负责的政府网站进行了检查，"
                f"发现 {notice.findings} 个问题，详见附件整改通知（含证据链接和整改期限）。请按期整改。</p>")
        message = build_message(config.mail, subject, body, [notice.path], to=notice.mail, cc=config.mail.recipients)
        results[notice.unit] = send(config.mail, message)
    return results


def notice_context(config: Config, store: Store, document: dict[str, Any], unit: str,
                   entries: list[dict[str, Any]]) -> dict[str, Any]:
    run_id = document["run"]["id"]
    items: list[dict[str, Any]] = []
    for entry in entries:
        history = {row["fingerprint"]: row for row in store.history_of(entry["name"])}
        for finding in sorted(entry["findings"], key=lambda f: ({"veto": 0, "deduct": 1, "notice": 2}[f["severity"]], f["rule"])):
            row = history.get(finding["fingerprint"])
            first = row["first_seen"][:10] if row else document["run"]["today"]
            review = finding.get("review") or {}
            state = standing(row, run_id) if row else "新发现"
            if review.get("state") == "confirmed":
                state += "（已确认）"
            items.append({"no": len(items) + 1, "site": entry["name"], "title": finding.get("title", finding["rule"]),
                          "severity": finding.get("severity_label", finding["severity"]), "message": finding["message"],
                          "url": finding["url"], "first_seen": first, "standing": state,
                          "deadline": deadline_of(config, finding["severity"], first), "basis": finding["basis"]})
    known = unit_of(config, unit)
    plan = document.get("plan") or {}
    return {"unit": unit, "office": config.notices.office, "today": document["run"]["today"], "run_id": run_id,
            "issued": _chinese_date(date.today()), "count": len(items),
            "veto_count": sum(1 for e in entries for f in e["findings"] if f["severity"] == "veto"),
            "sites": [{"name": e["name"], "verdict": e["verdict"], "score": e["score"]} for e in entries],
            "items": items, "contact": known.contact if known else "", "plan_title": plan.get("title", ""),
            "plan_document": plan.get("document", ""), "days": _days(config)}


def bulletin_context(config: Config, document: dict[str, Any]) -> dict[str, Any]:
    sites = document["sites"]
    findings = [(s, f) for s in sites for f in s["findings"]]
    changes = [s.get("change") or {} for s in sites]
    overview = {"sites": len(sites), "passed": sum(1 for s in sites if s["verdict"] == "合格"),
                "failed": sum(1 for s in sites if s["verdict"] == "不合格"),
                "undecided": sum(1 for s in sites if s["verdict"] == "无法判定"), "findings": len(findings),
                "veto": sum(1 for _, f in findings if f["severity"] == "veto"),
                "has_history": any(c.get("previous") for c in changes),
                "new": sum(c.get("new", 0) for c in changes), "fixed": sum(c.get("fixed", 0) for c in changes)}
    today = date.fromisoformat(document["run"]["today"])
    return {"office": config.notices.office, "today": document["run"]["today"], "issued": _chinese_date(date.today()),
            "today_cn": f"{today.year}年{today.month}月", "overview": overview, "units": _ranking(document),
            "problems": _typical_problems(findings), "failed_sites": _failed_sites(sites), "days": _days(config)}


def _ranking(document: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for unit, entries in _by_unit(document, every=True).items():
        scores = [e["score"] for e in entries if e["score"] is not None]
        rows.append({"unit": unit, "sites": len(entries), "failed": sum(1 for e in entries if e["verdict"] == "不合格"),
                     "findings": sum(len(e["findings"]) for e in entries),
                     "veto": sum(1 for e in entries for f in e["findings"] if f["severity"] == "veto"),
                     "average": round(sum(scores) / len(scores), 1) if scores else "—"})
    rows.sort(key=lambda r: (-r["failed"], -r["veto"], -r["findings"], r["unit"]))
    return [{**row, "rank": index} for index, row in enumerate(rows, start=1)]


def _typical_problems(findings: list[tuple[dict[str, Any], dict[str, Any]]], limit: int = 10) -> list[dict[str, Any]]:
    by_rule: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for site, finding in findings:
        by_rule.setdefault(finding["rule"], []).append((site, finding))
    order = sorted(by_rule.items(), key=lambda kv: ({"veto": 0, "deduct": 1, "notice": 2}[kv[1][0][1]["severity"]], -len(kv[1])))
    problems = []
    for _, items in order[:limit]:
        site, example = items[0]
        names = list(dict.fromkeys(s["name"] for s, _ in items))
        problems.append({"title": example.get("title", example["rule"]), "count": len(items),
                         "sites": "、".join(names[:5]) + (f" 等 {len(names)} 个" if len(names) > 5 else ""),
                         "example": f"{site['name']}：{example['message']}（{example['url']}）", "basis": example["basis"]})
    return problems


def _failed_sites(sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for site in sites:
        if site["verdict"] != "不合格":
            continue
        vetoes = Counter(f.get("title", f["rule"]) for f in site["findings"] if f["severity"] == "veto")
        reason = "；".join(f"{title}（{n}）" for title, n in vetoes.items()) or f"得分 {site['score']} 低于合格线"
        rows.append({"name": site["name"], "unit": site["unit"] or "未配置",
                     "score": site["score"] if site["score"] is not None else "—", "reason": reason})
    return rows


def _by_unit(document: dict[str, Any], every: bool = False) -> dict[str, list[dict[str, Any]]]:
    units: dict[str, list[dict[str, Any]]] = {}
    for entry in document["sites"]:
        if every or entry["findings"]:
            units.setdefault(entry["unit"] or "未配置责任单位", []).append(entry)
    return units


def _render(template: Path, context: dict[str, Any], path: Path) -> None:
    from docxtpl import DocxTemplate, RichText

    document = DocxTemplate(str(template))
    clean = _xml_safe(context)
    for item in clean.get("items", []):
        link = RichText()
        if str(item["url"]).startswith(("http://", "https://")):
            link.add(item["url"], url_id=document.build_url_id(item["url"]), color="0563C1", underline=True)
        else:
            link.add(item["url"])
        item["link"] = link
    document.render(clean, autoescape=True)
    tmp = path.with_suffix(".docx.tmp")
    document.save(str(tmp))
    tmp.replace(path)


def _xml_safe(value: Any) -> Any:
    """Crawled text without the control characters XML cannot hold (docxtpl escapes the rest)."""
    if isinstance(value, str):
        return _XML_UNSAFE.sub("", value)
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_xml_safe(v) for v in value]
    return value


def _template(config: Config, configured: str, shipped: str) -> Path:
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else config_dir(config) / path
    return Path(str(resources.files("govaudit.reports").joinpath("templates", shipped)))


def _days(config: Config) -> dict[str, int]:
    return {"veto": config.ledger.veto_days, "deduct": config.ledger.deduct_days, "notice": config.ledger.notice_days}


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _file_name(unit: str) -> str:
    return _FILE_UNSAFE.sub("_", unit).strip(". ")[:80] or "未命名单位"
