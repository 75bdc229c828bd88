"""The office's work plan (工作要点分工方案) as data: which plan task each rule's findings
answer to, and who leads it. A plan is a TOML file named by the config ([plan] file, or
[plan] example for one shipped in govaudit/plans/); with none, findings carry their national
basis only and no local task or unit. Nothing region-specific lives in code or templates.

File format (README, 工作要点):

    [plan]
    title = "…工作要点分工方案"        # required
    document = "某办〔2021〕50号"       # the plan's document number, shown as its basis
    issuer = "…办公室"                  # optional
    year = 2021                         # optional

    [[tasks]]
    number = "31"                       # as the plan numbers it
    summary = "政府门户网站全部支持 IPv6"
    lead = "区党政办（宣传科）"          # 牵头及责任单位, as the plan writes it
    rules = ["ipv6.*"]                  # rule ids or "area.*"; an exact id wins over "area.*"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from govaudit.errors import ConfigError


@dataclass(frozen=True)
class PlanTask:
    number: str
    summary: str
    lead: str
    rules: tuple[str, ...] = ()

    def covers(self, rule_id: str) -> bool:
        return any(rule_id == p or (p.endswith(".*") and rule_id.startswith(p[:-1])) for p in self.rules)


@dataclass(frozen=True)
class Plan:
    title: str = ""
    document: str = ""
    issuer: str = ""
    year: int | None = None
    tasks: tuple[PlanTask, ...] = ()
    source: str = ""
    _by_rule: dict[str, PlanTask | None] = field(default_factory=dict, compare=False, repr=False)

    @property
    def configured(self) -> bool:
        return bool(self.tasks)

    def task_for(self, rule_id: str) -> PlanTask | None:
        """The task a rule's findings answer to: the one naming the rule exactly, else the
        first whose "area.*" covers it; None when the plan does not cover the rule."""
        if rule_id not in self._by_rule:
            exact = next((t for t in self.tasks if rule_id in t.rules), None)
            self._by_rule[rule_id] = exact or next((t for t in self.tasks if t.covers(rule_id)), None)
        return self._by_rule[rule_id]

    def tasks_for_area(self, area: str) -> list[PlanTask]:
        """Tasks covering any rule of `area` (section headings of the report)."""
        from govaudit.checks.registry import all_rules

        rules = [r.id for r in all_rules() if r.area == area]
        return [t for t in self.tasks if any(t.covers(r) or r in t.rules for r in rules)]

    def task_label(self, number: str) -> str:
        """'珠高办〔2021〕50号 工作要点第31项' (or without the document when it has none)."""
        return f"{self.document + ' ' if self.document else ''}工作要点第{number}项"


NO_PLAN = Plan()
EXAMPLES = ("zhuhai-gaoxin-2021", "example-city-2024")


def load_plan(path: Path) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("工作要点文件不存在", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"无法读取工作要点文件（应为 UTF-8 编码的 TOML）：{exc}", file=str(path)) from None
    return parse_plan(text, str(path))


@cache
def example_plan(name: str) -> Plan:
    if name not in EXAMPLES:
        raise ConfigError(f"没有名为“{name}”的示例工作要点；可用的有：{'、'.join(EXAMPLES)}", key="plan.example")
    text = resources.files("govaudit.plans").joinpath(f"{name}.toml").read_text("utf-8")
    return parse_plan(text, f"govaudit/plans/{name}.toml")


def parse_plan(text: str, source: str) -> Plan:
    from govaudit.checks.registry import all_rules
    from govaudit.config import locate_key

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(message, file=source, line=locate_key(text, key), key=key)

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TOML 语法错误：{exc}", file=source) from None
    head = raw.get("plan")
    if not isinstance(head, dict) or not isinstance(head.get("title"), str) or not head["title"].strip():
        raise fail("plan.title", "工作要点文件应有 [plan] 表和 title（方案名称）")
    items = raw.get("tasks", [])
    if not isinstance(items, list) or not items:
        raise fail("tasks", "工作要点文件应有至少一个 [[tasks]]")
    known = {rule.id for rule in all_rules()}
    areas = {rule.area for rule in all_rules()}
    tasks = []
    for index, item in enumerate(items):
        tasks.append(_task(item, f"tasks[{index}]", known, areas, fail))
    numbers = [t.number for t in tasks]
    for number in numbers:
        if numbers.count(number) > 1:
            raise fail("tasks", f"任务号“{number}”重复")
    year = head.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise fail("plan.year", f"应为年份整数，实际为 {year!r}")
    return Plan(title=head["title"].strip(), document=_text(head, "document"), issuer=_text(head, "issuer"),
                year=year, tasks=tuple(tasks), source=source)


def _task(item: Any, key: str, known: set[str], areas: set[str], fail: Any) -> PlanTask:
    if not isinstance(item, dict):
        raise fail(key, "每个 [[tasks]] 应为表")
    for name in ("number", "summary", "lead"):
        if not isinstance(item.get(name), str) or not item[name].strip():
            raise fail(f"{key}.{name}", "缺少必填项（应为字符串）")
    unknown = set(item) - {"number", "summary", "lead", "rules"}
    if unknown:
        raise fail(f"{key}.{sorted(unknown)[0]}", f"未知的配置项“{sorted(unknown)[0]}”；可用的有：number、summary、lead、rules")
    rules = item.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise fail(f"{key}.rules", "应为规则编号列表，如 [\"ipv6.*\", \"links.dead\"]")
    for rule in rules:
        if rule.endswith(".*") and rule[:-2] not in areas or not rule.endswith(".*") and rule not in known:
            raise fail(f"{key}.rules", f"没有编号为“{rule}”的检查规则或规则类别")
    return PlanTask(item["number"].strip(), item["summary"].strip(), item["lead"].strip(), tuple(rules))


def _text(table: dict[str, Any], key: str) -> str:
    value = table.get(key, "")
    return value.strip() if isinstance(value, str) else ""
