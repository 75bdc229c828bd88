"""The layers import each other one way: crawl -> stored snapshot -> checks -> reports, with
govaudit/ as the glue that composes them (installed as govaudit.crawler, govaudit.checks ...). Read from the source (every import statement,
including those inside functions), so a cycle cannot hide in a late import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("crawler", "checks", "reports", "schedules", "govaudit")
# layer -> the layers it must never import
FORBIDDEN = {
    "crawler": {"checks", "reports", "schedules", "govaudit"},
    "checks": {"reports", "schedules", "govaudit"},
    "reports": {"schedules"},
}


def layer_of(module: str) -> str:
    """'govaudit.crawler.urls' -> 'crawler'; 'govaudit.config' -> 'govaudit' (the glue)."""
    parts = module.split(".")
    if parts[0] == "govaudit" and len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return parts[0]


def imported_layers(path: Path) -> set[tuple[str, int]]:
    """(layer or other top-level package, line) of every import in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {(layer_of(alias.name), node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((layer_of(node.module), node.lineno))
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer: str) -> None:
    offences = [f"{path.relative_to(ROOT)}:{line} imports {package}"
                for path in sorted((ROOT / layer).rglob("*.py"))
                for package, line in sorted(imported_layers(path)) if package in FORBIDDEN[layer]]
    assert not offences, "\n".join(offences)


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from govaudit.config import Config\n    import govaudit.reports.render\n", "utf-8")
    assert {package for package, _ in imported_layers(module)} == {"govaudit", "reports"}
