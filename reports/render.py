"""Writing report.json and report.html (jinja2, autoescaped: everything crawled is untrusted)."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from govaudit.checks.registry import all_rules
from govaudit.faults import pause_point
from govaudit.reports.grouping import FindingGroup, group_findings

AREA_NAMES = {
    "content": "内容安全：错误表述、敏感人名、发布日期", "privacy": "内容安全：个人信息",
    "service": "办事服务", "newmedia": "政务新媒体",
    "site": "网站基本情况", "links": "链接可用性", "identity": "网站标识", "ipv6": "IPv6 支持",
    "disclosure": "政府信息公开专栏", "columns": "栏目更新", "homepage": "首页更新",
    "interaction": "互动回应", "regulations": "法规文件库", "annual_report": "政府信息公开工作年度报告",
}

CONTENT_SAFETY = (AREA_NAMES["content"], AREA_NAMES["privacy"])

EVIDENCE_LABELS = {
    "link": "链接地址", "on_homepage": "是否在首页", "internal": "站内链接", "where": "位置",
    "kind": "类型", "status": "HTTP 状态码", "error": "错误", "seen": "检查所见", "tries": "尝试次数",
    "method": "请求方法", "attempts": "每次尝试", "linked_from": "引用页面", "linked_from_count": "引用页面数",
    "checked_at": "检查时间", "pages_checked": "检查页面数", "pages_affected": "涉及页面数",
    "pages": "涉及页面", "footer_text": "页脚文字", "probe_url": "探测地址", "final_url": "最终地址",
    "redirects": "重定向", "title": "页面标题", "host": "主机名", "expected": "应为",
    "a": "A 记录", "aaaa": "AAAA 记录", "cname_chain": "CNAME 链", "source": "解析来源", "zone": "域",
    "required": "要求", "with_ipv6": "有 IPv6 的服务器数", "nameservers": "域名服务器", "url": "地址",
    "ipv4": "IPv4 访问", "ipv6": "IPv6 访问", "difference": "内容差异", "tolerance": "容差",
    "ipv4_size": "IPv4 页面大小", "ipv6_size": "IPv6 页面大小", "first_differences": "首处不同",
    "levels_below": "低于阈值的级别", "threshold": "阈值", "rate_二级": "二级支持率", "rate_三级": "三级支持率",
    "failing": "无法访问的页面", "failing_count": "无法访问页面数", "hosts": "主机", "count": "数量",
    "resources": "资源", "examples": "示例", "measures": "指标", "ratio": "劣化比", "bound": "提示上限",
    "connect_s": "建立连接（秒）", "total_s": "总耗时（秒）", "first_byte_s": "首字节（秒）", "address": "地址",
    "size": "大小", "level": "级别", "why": "原因", "name": "名称", "aaaa_status": "AAAA 状态",
    "wrong": "错误写法", "right": "正确写法", "category": "类别", "list": "词表", "sentences": "所在语句",
    "contexts": "所在文字（已打码）", "date": "日期", "date_text": "页面所写", "date_source": "日期来源", "days_ahead": "晚于检查日（天）",
    "column": "栏目", "column_url": "栏目地址", "missing": "缺少", "present": "已有", "searched": "查找范围",
    "year": "年度", "deadline": "期限", "published": "发布日期", "updated": "更新日期", "age_days": "距今天数",
    "limit_days": "要求（天）", "accounts": "账号数", "note": "说明",
}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("govaudit.reports", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["yesno"] = lambda v: "是" if v else "否"
    env.filters["safe_href"] = _safe_href
    env.filters["when"] = _when
    return env


def _when(value: Any) -> str:
    """'2026-11-26T20:38:42+08:00' -> '2026-11-26 20:38:42' for readers; other text unchanged."""
    text = str(value or "")
    try:
        return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return text


def _safe_href(url: Any) -> str:
    """Only http(s) URLs become links; anything else is shown as text by the template."""
    text = str(url or "")
    return text if text.startswith(("http://", "https://")) else ""


def findings_by_area(findings: list[dict[str, Any]]) -> list[tuple[str, list[FindingGroup]]]:
    """[(area name, its groups of findings)], areas in the order their worst group comes."""
    areas: dict[str, list[FindingGroup]] = {name: [] for name in CONTENT_SAFETY}   # 内容安全 first: acted on first
    for group in group_findings(findings):
        area = group.rule.split(".", 1)[0]
        areas.setdefault(AREA_NAMES.get(area, area), []).append(group)
    return [(name, groups) for name, groups in areas.items() if groups]


def headline_of(document: dict[str, Any]) -> dict[str, Any]:
    """The three lines at the top: vetoes, new since the last run, fixed."""
    rules = {r.id: r.title for r in all_rules()}
    sites = document["sites"]
    changes = [s.get("change") or {} for s in sites]
    return {
        "vetoed": [(s["name"], [rules.get(r, r) for r in s.get("vetoed_by", [])]) for s in sites if s.get("vetoed_by")],
        "failed": sum(1 for s in sites if s["verdict"] == "不合格"),
        "has_history": any(c.get("previous") for c in changes),
        "new": sum(c.get("new", 0) for c in changes),
        "new_veto": sum(c.get("new_veto", 0) for c in changes),
        "persisting": sum(c.get("persisting", 0) for c in changes),
        "fixed": sum(c.get("fixed", 0) for c in changes),
        "open": sum(len(s["findings"]) for s in sites),
        "set_aside": sum(len(s.get("set_aside", [])) for s in sites),
    }


def task_note(document: dict[str, Any], area: str) -> str:
    """'（珠高办〔2021〕50号 工作要点第30项）' for a report section, from the run's plan; '' without one."""
    plan = document.get("plan")
    if not plan:
        return ""
    rules = [r.id for r in all_rules() if r.area == area]
    numbers = [t["number"] for t in plan["tasks"]
               if any(r in t["rules"] or f"{area}.*" in t["rules"] for r in rules)]
    if not numbers:
        return ""
    prefix = f"{plan['document']} " if plan.get("document") else ""
    return f"（{prefix}工作要点第 {'、'.join(numbers)} 项）"


def severity_counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"veto": 0, "deduct": 0, "notice": 0}
    for finding in findings:
        counts[finding["severity"]] += 1
    return counts


def render_html(document: dict[str, Any]) -> str:
    rules = {r.id: r for r in all_rules()}
    template = environment().get_template("report.html.j2")
    return template.render(doc=document, rules=rules, labels=EVIDENCE_LABELS, by_area=findings_by_area,
                           counts=severity_counts, headline_of=headline_of, task_note=task_note)


def write_reports(document: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "report.json"
    html_path = out_dir / "report.html"
    write_atomic(json_path, json.dumps(_for_json(document), ensure_ascii=False, indent=2))
    write_atomic(html_path, render_html(document))
    return {"json": json_path, "html": html_path}


def _for_json(value: Any) -> Any:
    """The document without the screenshots' embedded thumbnails (HTML-only; the files stay
    referenced by their path)."""
    if isinstance(value, dict):
        return {k: _for_json(v) for k, v in value.items() if k != "thumbnail"}
    if isinstance(value, list):
        return [_for_json(v) for v in value]
    return value


def write_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename, so an earlier report is never left half-written."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        pause_point("report")  # crash-safety tests kill here, between writing and replacing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
