"""`govaudit rejudge`: a stored run judged again without the network gives the same findings;
a rule changed in between changes its own findings and no other's."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import govaudit.checks.runner as checks_runner
from govaudit.checks.base import RuleContext
from govaudit.checks.registry import all_rules
from govaudit.cli import main
from govaudit.config import SiteConfig
from govaudit.crawler.snapshot import SiteSnapshot
from govaudit.inspection import rejudge_run
from govaudit.store import Store
from tests.conftest import TODAY, fast_config, inspect_into
from tests.support.server import TestSite
from tests.support.sites import varied_site

CHANGED = "identity.contact"


def _site(site: TestSite) -> None:
    varied_site(site)


def _keys(findings: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return sorted((f["rule"], f["url"], f["message"], json.dumps(f["evidence"], sort_keys=True, ensure_ascii=False))
                  for f in findings)


@pytest.fixture()
def stored(tmp_path: Path) -> Iterator[tuple[Path, str, list[dict[str, Any]]]]:
    with TestSite() as site:
        _site(site)
        result = inspect_into(fast_config(), [SiteConfig(name="重判", url=site.url("/"))], tmp_path / "out",
                              tmp_path / "s.sqlite")
    # The server is gone: judging again must not need it.
    (entry,) = result.document["sites"]  # type: ignore[misc]
    yield tmp_path / "s.sqlite", result.run_id, entry["findings"]


def test_rejudging_a_stored_run_gives_its_findings(stored: tuple[Path, str, list[dict[str, Any]]]) -> None:
    store, run_id, original = stored
    assert len({f["rule"] for f in original}) >= 4   # a test of many rules, not of none
    again = rejudge_run(fast_config(), store, run_id, TODAY)
    (entry,) = again.document["sites"]  # type: ignore[misc]
    assert _keys(entry["findings"]) == _keys(original)
    with Store(store) as db:
        assert db.run_info(again.run_id)["kind"] == "rejudge"
        assert db.snapshot_run(again.run_id) == run_id


def test_a_changed_rule_changes_only_its_own_findings(stored: tuple[Path, str, list[dict[str, Any]]],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    store, run_id, original = stored
    assert any(f["rule"] == CHANGED for f in original)

    def stricter(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Any]:
        yield rule.finding(snapshot.start_url, {"seen": "新版本规则"}, variant="missing")

    rule = next(r for r in all_rules() if r.id == CHANGED)
    changed = tuple(dataclasses.replace(r, check=stricter) if r.id == CHANGED else r for r in all_rules())
    monkeypatch.setattr(checks_runner, "all_rules", lambda: changed)
    again = rejudge_run(fast_config(), store, run_id, TODAY)
    (entry,) = again.document["sites"]  # type: ignore[misc]
    others = [f for f in original if f["rule"] != CHANGED]
    assert _keys([f for f in entry["findings"] if f["rule"] != CHANGED]) == _keys(others)
    mine = [f for f in entry["findings"] if f["rule"] == CHANGED]
    assert len(mine) == 1 and mine[0]["evidence"] == {"seen": "新版本规则"}
    assert _keys(mine) != _keys([f for f in original if f["rule"] == CHANGED])


def test_rejudge_command_writes_a_new_report_with_another_day(stored: tuple[Path, str, list[dict[str, Any]]],
                                                             tmp_path: Path) -> None:
    store, run_id, original = stored
    out = tmp_path / "again"
    result = CliRunner().invoke(main, ["rejudge", run_id, "--store", str(store), "--out", str(out),
                                       "--today", "2027-06-30"])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "report.json").read_text("utf-8"))
    assert document["run"]["today"] == "2027-06-30"
    stale = [f for f in document["sites"][0]["findings"] if f["rule"] == "columns.stale"]
    before = [f for f in original if f["rule"] == "columns.stale"]
    # A year and a half later the news column is older: its age is measured from the new day.
    assert stale and all(f["evidence"] != g["evidence"] for f in stale for g in before)
    assert (out / "report.html").exists()


def test_rejudge_of_an_unknown_run_is_a_usage_error(stored: tuple[Path, str, list[dict[str, Any]]]) -> None:
    store, _, _ = stored
    result = CliRunner().invoke(main, ["rejudge", "no-such-run", "--store", str(store)])
    assert result.exit_code == 2 and "没有运行" in result.output
