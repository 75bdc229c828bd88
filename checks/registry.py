"""Finds every rule: each module under checks/<area>/ that defines RULE."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import checks
from checks.base import RULE_ID, Rule


@cache
def all_rules() -> tuple[Rule, ...]:
    rules: dict[str, Rule] = {}
    for info in pkgutil.walk_packages(checks.__path__, prefix="checks."):
        module = importlib.import_module(info.name)
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            continue
        if not RULE_ID.match(rule.id):
            raise ValueError(f"malformed rule id {rule.id!r} in {info.name}")
        if rule.id in rules:
            raise ValueError(f"rule id {rule.id!r} defined twice ({info.name})")
        rules[rule.id] = rule
    return tuple(sorted(rules.values(), key=lambda r: r.id))


def rule_by_id(rule_id: str) -> Rule:
    for rule in all_rules():
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)
