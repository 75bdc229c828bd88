"""config.toml: the shipped file loads; every error names file, line and key; exit 2."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest
from annotated_types import Interval
from click.testing import CliRunner

from govaudit.cli import main
from govaudit.config import Config, Deduction, load_config, parse_config
from govaudit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_config_loads_and_lists_sites() -> None:
    config = load_config(ROOT / "config.toml")
    assert config.sites and all(s.url.startswith("http") for s in config.sites)
    assert config.politeness.per_host_concurrency == 2 and config.politeness.min_interval_s == 0.5


def test_no_file_means_builtin_defaults(tmp_path: Path) -> None:
    assert load_config(None, default_path=tmp_path / "config.toml") == Config()


@pytest.mark.parametrize("text,line,key,words", [
    ("[crawl]\nmax_pages = 10\nmax_pagez = 5\n", 3, "crawl.max_pagez", "未知的配置项"),
    ("[crawl]\nmax_pages = \"many\"\n", 2, "crawl.max_pages", "应为整数"),
    ("[politeness]\nmin_interval_s = -1\n", 2, "politeness.min_interval_s", "不能为负数"),
    ("[crawl]\ncheck_external_links = 1\n", 2, "crawl.check_external_links", "true 或 false"),
    ("[crawls]\nmax_pages = 1\n", 1, "crawls", "未知的配置节"),
    ("[[sites]]\nname = \"a\"\nurl = \"http://a.gov.cn/\"\n\n[[sites]]\nname = \"b\"\nurl = \"ftp://b.gov.cn/\"\n",
     7, "sites[1].url", "只支持 http 和 https"),
    ("[[sites]]\nname = \"a\"\nurl = \"http://a.gov.cn/\"\nkind = \"town\"\n", 4, "sites[0].kind", "portal / department"),
    ("[[sites]]\nname = \"a\"\n", 1, "sites[0].url", "缺少必填项"),
    ("[network]\nresolve = [\"www.a.gov.cn:not-an-ip\"]\n", 2, "network.resolve[0]", "不是 IP 地址"),
    ("[scoring.deductions.\"links.deadly\"]\npoints = 1\n", None, "scoring.deductions.links.deadly", "没有编号为"),
    ("[crawl\nmax_pages = 1\n", 1, None, "TOML 语法错误"),
    ("[crawl]\nmax_pages = 0\n", 2, "crawl.max_pages", "超出范围"),
    ("[ipv6]\ncontent_tolerance = 1.5\n", 2, "ipv6.content_tolerance", "超出范围"),
    ("[render]\njs_heap_mb = 999999\n", 2, "render.js_heap_mb", "不大于 16384"),
    ("[schedule]\navailability_veto_share = 2\n", 2, "schedule.availability_veto_share", "超出范围"),
    ("[scoring]\npass_mark = 101\n", 2, "scoring.pass_mark", "超出范围"),
    ("[store]\nurl = \"mysql://db/govaudit\"\n", 2, "store.url", "postgresql://"),
    ("[celery]\nbroker_url = \"127.0.0.1:6379\"\n", 2, "celery.broker_url", "任务队列地址"),
    ("[run]\nengine = \"spark\"\n", 2, "run.engine", "local / celery"),
])
def test_config_errors_name_file_line_and_key(text: str, line: int | None, key: str | None, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source="bad.toml")
    error = caught.value
    assert error.file == "bad.toml" and error.key == key and words in str(error)
    if line is not None:
        assert error.line == line
    assert "bad.toml" in str(error)


def test_scoring_table_is_configurable() -> None:
    config = parse_config('[scoring.deductions."links.dead"]\npoints = 0.5\ncap = 3\n')
    assert config.scoring.deductions["links.dead"].points == 0.5


def test_cli_config_error_exits_2_with_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[crawl]\nmax_depht = 2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["inspect", "http://127.0.0.1:9/", "--config", str(bad),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "第 2 行" in result.output and "crawl.max_depht" in result.output and str(bad) in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args,words", [
    (["inspect", "not a url"], "只支持 http 和 https"),
    (["inspect", "ftp://www.a.gov.cn/"], "只支持 http 和 https"),
    (["inspect", "http://"], "缺少主机名"),
    (["inspect", "http://127.0.0.1:9/", "--today", "2026-13-01"], "--today"),
    (["inspect", "http://127.0.0.1:9/", "--resolve", "www.a.gov.cn"], "主机名:地址"),
])
def test_cli_bad_usage_exits_2(tmp_path: Path, args: list[str], words: str) -> None:
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out"),
                                       "--config", str(ROOT / "config.toml")])
    assert result.exit_code == 2, result.output
    assert words in result.output


def _numeric(hint: object) -> bool:
    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    return any(a in (int, float) for a in args)


def test_every_numeric_option_has_bounds() -> None:
    """Each layer's options: an int or float field carries an Interval with both ends."""
    groups = [Config, *(type(getattr(Config(), f.name)) for f in dataclasses.fields(Config)
                        if dataclasses.is_dataclass(getattr(Config(), f.name))), Deduction]
    unbounded = []
    for group in groups:
        for name, hint in typing.get_type_hints(group, include_extras=True).items():
            base = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
            if not _numeric(base):
                continue
            bounds = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Interval)]
            if not bounds or (bounds[0].ge is None and bounds[0].gt is None) or (bounds[0].le is None and bounds[0].lt is None):
                unbounded.append(f"{group.__name__}.{name}")
    assert not unbounded, unbounded
    assert len(groups) > 10


def test_the_store_and_broker_urls_come_from_the_environment_first(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from govaudit.config import broker_url, store_target

    path = tmp_path / "config.toml"
    path.write_text('[store]\npath = "data/g.sqlite"\n[celery]\nbroker_url = "redis://q:6379/0"\n', encoding="utf-8")
    config = load_config(path)
    monkeypatch.delenv("GOVAUDIT_STORE_URL", raising=False)
    monkeypatch.delenv("GOVAUDIT_BROKER_URL", raising=False)
    assert store_target(config) == tmp_path / "data" / "g.sqlite"   # relative to the config file
    assert broker_url(config) == "redis://q:6379/0"
    monkeypatch.setenv("GOVAUDIT_STORE_URL", "postgresql://govaudit:secret@db/govaudit")
    monkeypatch.setenv("GOVAUDIT_BROKER_URL", "redis://:secret@q2:6379/0")
    assert store_target(config) == "postgresql://govaudit:secret@db/govaudit"
    assert broker_url(config) == "redis://:secret@q2:6379/0"
