"""Finds every rule (each module under checks/<area>/ that defines RULE) and every page
analyser (modules that define ANALYSERS)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

import govaudit.checks as checks
from govaudit.checks.base import RULE_ID, Analyser, Rule


@cache
def _modules() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(info.name)
                 for info in pkgutil.walk_packages(checks.__path__, prefix=f"{checks.__name__}."))


@cache
def all_analysers() -> tuple[Analyser, ...]:
    found: dict[str, Analyser] = {}
    for module in _modules():
        for analyser in getattr(module, "ANALYSERS", ()):
            if not isinstance(analyser, Analyser):
                raise TypeError(f"{module.__name__}.ANALYSERS holds {analyser!r}, not an Analyser")
            if analyser.name in found:
                raise ValueError(f"page facts field {analyser.name!r} analysed twice ({module.__name__})")
            found[analyser.name] = analyser
    return tuple(found.values())


@cache
def all_rules() -> tuple[Rule, ...]:
    rules: dict[str, Rule] = {}
    for module in _modules():
        info = module
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            continue
        if not RULE_ID.match(rule.id):
            raise ValueError(f"malformed rule id {rule.id!r} in {info.__name__}")
        if rule.id in rules:
            raise ValueError(f"rule id {rule.id!r} defined twice ({info.__name__})")
        rules[rule.id] = rule
    return tuple(sorted(rules.values(), key=lambda r: r.id))


def rule_by_id(rule_id: str) -> Rule:
    for rule in all_rules():
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)
