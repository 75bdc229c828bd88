"""The command line (../shared/spec/interface.md). Messages are Chinese; exit 0 audit done,
1 audit could not be done, 2 bad usage or config."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import platform
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from govaudit import __version__
from govaudit.config import Config, SiteConfig, config_dir, load_config, parse_resolve, store_target, url_problem
from govaudit.crawler.urls import normalize
from govaudit.database import StoreTarget, shown, sqlite_path
from govaudit.errors import ConfigError, GovauditError, UsageError
from govaudit.inspection import InspectionResult, finish_run, inspect_sites
from govaudit.reports.extras import write_run_extras
from govaudit.reports.render import write_reports
from govaudit.screenshots import capture as capture_screenshots
from govaudit.store import Store

console = Console(stderr=True)
_DEPENDENCIES = ("httpx", "lxml", "jinja2", "dnspython", "protego", "charset-normalizer", "rich", "click",
                 "cattrs", "chinesecalendar", "apscheduler", "sqlalchemy", "openpyxl", "pdfplumber", "python-docx",
                 "playwright", "pillow", "alembic", "psycopg", "celery", "redis", "starlette", "uvicorn", "argon2-cffi",
                 "anyio", "tomlkit", "docxtpl", "pyahocorasick", "cn2an", "jieba")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govaudit")
def main() -> None:
    """govaudit：政府网站合规检查（可用性、链接、网站标识等），生成中文检查报告。"""


def _today(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today 应为 YYYY-MM-DD 格式的日期，实际为 {value!r}") from None


def _site_for(config: Config, url: str, unit: str | None) -> SiteConfig:
    """The configured site with this URL, or an ad-hoc one named after its host."""
    problem = url_problem(url)
    if problem:
        raise UsageError(problem)
    wanted = normalize(url)
    site = next((s for s in config.sites if normalize(s.url) == wanted), None)
    if site is None:
        site = SiteConfig(name=SiteConfig(name="", url=url).host, url=url)
    return dataclasses.replace(site, unit=unit) if unit is not None else site


# Without a terminal (a log), progress is written as a line at most this often per site.
_LOG_EVERY_S = 30.0


@contextmanager
def _progress() -> Iterator[Callable[[SiteConfig], Callable[[int, int, int, str], None]]]:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        def for_site(site: SiteConfig) -> Callable[[int, int, int, str], None]:
            task = bar.add_task(f"正在检查 {site.name}", total=None)
            logged = [0.0]

            def update(pages: int, known: int, links: int, doing: str) -> None:
                text = f"正在检查 {site.name}：已抓取 {pages}/{known} 个页面"
                if links:
                    text += f"，已检查 {links} 个链接"
                if doing:
                    text += f"；{doing}"
                bar.update(task, description=text)
                if not console.is_terminal and time.monotonic() - logged[0] >= _LOG_EVERY_S:
                    logged[0] = time.monotonic()
                    click.echo(text, err=True)
            return update
        yield for_site


def _run(config: Config, sites: list[SiteConfig], out: Path, today: date, store_path: StoreTarget, *,
         kind: str = "inspect", resume: bool = False, ledger: bool = False) -> tuple[InspectionResult, dict[str, Path]]:
    with _progress() as progress:
        try:
            result = inspect_sites(config, sites, store_path=store_path, today=today, progress=progress,
                                   kind=kind, resume=resume, announce=lambda text: click.echo(text, err=True))
            capture_screenshots(config, result.document, out, store_path, result.run_id)
            paths = write_reports(result.document, out)
            if ledger:
                paths.update(write_run_extras(result, config, out))
            finish_run(store_path, result.run_id, config)
        except OSError as exc:
            raise GovauditError(f"无法写入报告或数据库（{exc.filename or ''}：{exc.strerror}）；"
                                f"已完成的网站结果保存在数据库中，修复后重新运行即可继续") from exc
    return result, paths


def _print_summary(result: InspectionResult, paths: dict[str, Path]) -> None:
    for entry in result.document["sites"]:
        counts = {"veto": 0, "deduct": 0, "notice": 0}
        for finding in entry["findings"]:
            counts[finding["severity"]] += 1
        score = "不计分" if entry["score"] is None else f"{entry['score']} 分"
        unchecked_vetoes = entry.get("vetoes_not_checked") or []
        if unchecked_vetoes and entry["score"] is not None:
            score += f"，{len(unchecked_vetoes)} 项否决指标未检查"
        click.echo(f"{entry['name']}：{entry['verdict']}（{score}）；单项否决 {counts['veto']}，扣分 {counts['deduct']}，"
                   f"提示 {counts['notice']}，未检查 {len(entry['not_checked'])}；抓取 {entry['stats']['pages']} 个页面")
        unreachable = next((f for f in entry["findings"] if f["rule"] == "site.unreachable"), None)
        if unreachable is not None:
            click.echo(f"  首页无法访问：{unreachable['evidence']['seen']}")
        undecided = next((n for n in entry["not_checked"] if n["rule"] == "site.unreachable"), None)
        if undecided is not None:
            click.echo(f"  {undecided['reason']}")
    for name, label in (("html", "报告"), ("json", "数据"), ("summary", "汇总"), ("xlsx", "台账"), ("bulletin", "通报草稿")):
        if name in paths:
            click.echo(f"{label}：{paths[name].resolve()}")


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn govaudit's errors into a message and exit status; a crash into a short notice."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GovauditError as exc:
            click.echo(str(exc), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("已中断。已完成的网站结果保存在数据库中。", err=True)
            sys.exit(130)
        except Exception:
            click.echo("govaudit 内部错误，检查未完成。错误详情如下：", err=True)
            click.echo(traceback.format_exc(), err=True)
            sys.exit(1)
    return wrapper


@main.command()
@click.argument("url")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="配置文件（默认 ./config.toml）")
@click.option("--out", type=click.Path(file_okay=False), default="govaudit-out", show_default=True,
              help="报告输出目录")
@click.option("--today", help="检查基准日期 YYYY-MM-DD（默认今天），各项时效按此计算")
@click.option("--resolve", multiple=True, metavar="HOST:ADDR", help="把 HOST 解析为 ADDR（可重复，同 curl）")
@click.option("--max-pages", type=click.IntRange(min=1), help="最多抓取的页面数")
@click.option("--unit", help="责任单位名称（报告中显示）")
@click.option("--render", type=click.Choice(["auto", "never", "always"]),
              help="用浏览器渲染页面：auto 只渲染静态内容不足的页面（默认，见 [render] mode），always 全部渲染，never 不渲染")
@_guarded
def inspect(url: str, config_path: str | None, out: str, today: str | None, resolve: tuple[str, ...],
            max_pages: int | None, unit: str | None, render: str | None) -> None:
    """检查一个网站：抓取、逐条规则检查，写出 report.html 和 report.json。"""
    config = load_config(config_path)
    for item in resolve:
        try:
            parse_resolve(item)
        except ValueError as exc:
            raise ConfigError(str(exc), key="--resolve") from None
    network = dataclasses.replace(config.network, resolve=config.network.resolve + resolve)
    crawl = dataclasses.replace(config.crawl, max_pages=max_pages) if max_pages else config.crawl
    config = config.replace(network=network, crawl=crawl)
    if render is not None:
        config = config.replace(render=dataclasses.replace(config.render, mode=render))  # type: ignore[arg-type]
    site = _site_for(config, url, unit)
    # Without a config file the store goes with the report, never into the current directory.
    store = store_target(config) if config.source else Path(out) / "govaudit.sqlite"
    result, paths = _run(config, [site], Path(out), _today(today), store)
    _print_summary(result, paths)


@main.command()
@click.argument("run_id", metavar="RUN")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="配置文件（默认 ./config.toml）")
@click.option("--store", "store_option",
              help="数据库文件或地址（默认配置中的 [store]；govaudit inspect 不带配置时在其报告目录中）")
@click.option("--out", type=click.Path(file_okay=False), help="报告目录（默认 [store] reports_dir/新运行编号）")
@click.option("--today", help="检查基准日期 YYYY-MM-DD（默认为原运行的基准日期）")
@_guarded
def rejudge(run_id: str, config_path: str | None, store_option: str | None, out: str | None,
            today: str | None) -> None:
    """按现在的规则和配置重新判定一次已保存的运行（不联网，不重新抓取），写出新的报告。"""
    from govaudit.inspection import rejudge_run
    config = load_config(config_path)
    store_path = store_option or store_target(config)
    file = sqlite_path(store_path)
    if file is not None and not file.exists():
        raise UsageError(f"数据库 {file} 不存在（用 --store 指定 govaudit inspect 报告目录中的 govaudit.sqlite）")
    with Store(store_path) as store:
        info = store.run_info(run_id)
    if not info:
        raise UsageError(f"数据库 {shown(store_path)} 中没有运行 {run_id}")
    day = _today(today or info["today"])
    try:
        result = rejudge_run(config, store_path, run_id, day)
        base = config_dir(config) / config.store.reports_dir if config.source or file is None else file.parent
        out_dir = Path(out) if out else base / result.run_id
        capture_screenshots(config, result.document, out_dir, store_path, result.run_id)
        paths = write_reports(result.document, out_dir)
        paths.update(write_run_extras(result, config, out_dir))
        finish_run(store_path, result.run_id, config)
    except OSError as exc:
        raise GovauditError(f"无法写入报告或数据库（{exc.filename or ''}：{exc.strerror}）") from exc
    click.echo(f"已按 {day.isoformat()} 重新判定运行 {run_id}，新运行编号 {result.run_id}。")
    _print_summary(result, paths)


@main.command()
@click.option("--out", type=click.Path(file_okay=False), default="govaudit-demo", show_default=True,
              help="报告输出目录")
@click.option("--today", help="检查基准日期 YYYY-MM-DD（默认今天）")
@_guarded
def demo(out: str, today: str | None) -> None:
    """在本机启动内置的演示门户网站（含预置问题），检查并生成报告。"""
    from govaudit.demo.server import serve_demo
    from govaudit.demo.settings import demo_config, write_workbench_config
    from govaudit.notices import write_notices

    day = _today(today)
    with serve_demo(day) as port:
        config = demo_config(port)
        click.echo(f"演示网站已在 127.0.0.1 和 [::1] 的 {port} 端口启动，开始检查……")
        out_dir = Path(out)
        # Each demo serves on a new port, so its URLs (and finding identities) are new: a
        # history across demo runs would show everything fixed and found again. Start afresh.
        for leftover in out_dir.glob("govaudit.sqlite*"):
            leftover.unlink()
        result, paths = _run(config, list(config.sites), out_dir, day, out_dir / "govaudit.sqlite", ledger=True)
        with Store(out_dir / "govaudit.sqlite") as store:
            notices, bulletin = write_notices(config, store, result.document, out_dir / "notices")
    _print_summary(result, paths)
    click.echo(f"整改通知 {len(notices)} 份、检查情况通报草稿：{bulletin.parent.resolve()}")
    workbench = write_workbench_config(out_dir)
    click.echo(f"工作台（复核问题、按单位查看、误报记录）：govaudit serve --config {workbench}，浏览器打开 http://127.0.0.1:8080/")
    click.echo(f"复核需登录，先添加用户：govaudit user add 管理员 --role admin --config {workbench}")


@main.command("run")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="配置文件（默认 ./config.toml）")
@click.option("--out", type=click.Path(file_okay=False), help="报告目录（默认 [store] reports_dir/运行编号）")
@click.option("--site", "sites", multiple=True, help="只检查这个网站（可重复，名称同配置）")
@click.option("--today", help="检查基准日期 YYYY-MM-DD（默认今天）")
@_guarded
def run_command(config_path: str | None, out: str | None, sites: tuple[str, ...], today: str | None) -> None:
    """立即检查配置中的全部网站一次；上次中断的运行会接着完成（已完成的网站不再重复检查）。"""
    from govaudit.nightly import run_all

    config = load_config(config_path)
    with _progress() as progress:
        try:
            outcome = run_all(config, names=sites, out=Path(out) if out else None, today=_today(today),
                              progress=progress, announce=lambda text: click.echo(text, err=True))
        except OSError as exc:
            raise GovauditError(f"无法写入报告或数据库（{exc.filename or ''}：{exc.strerror}）；"
                                f"已完成的网站结果保存在数据库中，修复后重新运行即可继续") from exc
    _print_summary(outcome.result, outcome.paths)
    if outcome.mail_error:
        click.echo(f"报告邮件未能发出：{outcome.mail_error}（报告已保存）", err=True)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="配置文件（默认 ./config.toml）")
@click.option("--concurrency", type=click.IntRange(1, 1000),
              help="本工作进程同时检查的网站数（默认 [celery] worker_sites）")
@click.pass_context
@_guarded
def worker(context: click.Context, config_path: str | None, concurrency: int | None) -> None:
    """启动分布式检查的工作进程（[run] engine = "celery"）：从任务队列领取网站逐个检查，结果写入共享数据库。
    其余参数原样交给 Celery worker（如 --loglevel INFO、-n 名称@%h）。"""
    from govaudit.distributed import worker_main

    worker_main(load_config(config_path), concurrency, context.args)


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default="config.toml", show_default=True,
              help="配置文件")
@_guarded
def schedule(config_path: str) -> None:
    """在前台运行定时任务：每晚检查全部网站并发送报告、每小时监测首页可用性。Ctrl-C 或 SIGTERM 停止。"""
    from govaudit.schedules.scheduler import build_scheduler, run_forever

    config = load_config(config_path)
    if not config.sites:
        raise UsageError(f"{config_path} 中没有 [[sites]]：没有要检查的网站")
    run_forever(build_scheduler(config, str(Path(config_path).resolve())), click.echo)


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="配置文件（默认 ./config.toml）")
@click.option("--site", "sites", multiple=True, help="只看这个网站（可重复）")
@_guarded
def history(config_path: str | None, sites: tuple[str, ...]) -> None:
    """历次检查结果，以及每个问题的状态：新发现 / 仍存在（自何时）/ 已整改（何时）。"""
    from govaudit.history import standing
    config = load_config(config_path)
    database = store_target(config)
    file = sqlite_path(database)
    if file is not None and not file.exists():
        click.echo(f"还没有检查记录（数据库 {file} 不存在）。")
        return
    with Store(database) as store:
        names = list(sites) or [s.name for s in config.sites]
        for name in names:
            series = store.site_series(name)
            click.echo(f"== {name}" + ("（还没有检查记录）" if not series else ""))
            for point in series:
                counts = point["counts"]
                score = point["score"] if point["score"] is not None else "—"
                click.echo(f"  {point['today']}  {point['verdict']}  {score} 分  单项否决 {counts.get('veto', 0)} "
                           f"扣分 {counts.get('deduct', 0)} 提示 {counts.get('notice', 0)}")
            latest = series[-1]["run"] if series else ""
            reviews = store.reviews(name)
            for row in store.history_of(name):
                state = standing(row, latest)
                when = f"{row['fixed_at'][:10]} 整改" if state == "已整改" else f"自 {row['first_seen'][:10]}"
                mark = reviews.get((name, row["fingerprint"]))
                note = f"（复核：{mark.state.label}{'至 ' + mark.until if mark.until else ''}）" if mark else ""
                click.echo(f"  [{state}] {when}  {row['data']['message']}{note}  {row['fingerprint']}")


@main.command()
@click.option("--test", "test", is_flag=True, required=True, help="发送一封测试邮件")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="配置文件（默认 ./config.toml）")
@_guarded
def mail(test: bool, config_path: str | None) -> None:
    """按配置发送一封测试邮件，检查邮件设置。"""
    from govaudit.nightly import mail_test

    config = load_config(config_path)
    if not config.mail.enabled:
        raise ConfigError("邮件未启用：请在 [mail] 中设置 enabled = true 及服务器、发件人、收件人",
                          file=config.source, key="mail.enabled")
    error = mail_test(config)
    if error:
        raise GovauditError(error)
    click.echo(f"测试邮件已发送给 {'、'.join(config.mail.recipients)}。")


@main.command("annual-report")
@click.argument("file_or_url")
@click.option("--year", type=click.IntRange(2008, 2100), help="报告年度（默认从标题识别）")
@click.option("--json", "as_json", is_flag=True, help="以 report.json 的格式输出问题")
@_guarded
def annual_report(file_or_url: str, year: int | None, as_json: bool) -> None:
    """单独检查一份政府信息公开工作年度报告（HTML、文本、PDF、DOCX、XLSX 文件或网址）：各部分、表格、勾稽关系。"""
    import json

    from govaudit.checks.annual_report.standalone import check_report
    from govaudit.checks.base import Finding
    from govaudit.reports.document import finding_json, not_checked_json

    data, name, content_type = _read_source(file_or_url)
    found, outcomes = check_report(data, name, content_type, year)
    findings = [o for o in outcomes if isinstance(o, Finding)]
    skipped = [o for o in outcomes if not isinstance(o, Finding)]
    if as_json:
        click.echo(json.dumps({"report": {"title": found.title, "year": found.year, "source": file_or_url},
                               "findings": [finding_json(f, "") for f in findings],
                               "not_checked": [not_checked_json(n) for n in skipped]}, ensure_ascii=False, indent=2))
        return
    report = found.report
    click.echo(f"{found.title or name}（{found.year or '年度未识别'}年度，"
               f"{report.format if report else '—'} 年格式）：发现 {len(findings)} 个问题")
    for finding in findings:
        click.echo(f"- [{finding.severity.label}] {finding.rule}：{finding.message}")
        for key, value in finding.evidence.items():
            click.echo(f"    {key}: {value}")
    for item in skipped:
        click.echo(f"- [未检查] {item.rule}：{item.reason}")


def _read_source(file_or_url: str) -> tuple[bytes, str, str]:
    if file_or_url.startswith(("http://", "https://")):
        import asyncio

        from govaudit.crawler.fetch import Fetcher
        from govaudit.crawler.politeness import HostLimiter

        config = load_config(None)

        async def fetch() -> tuple[bytes, str]:
            limiter = HostLimiter(1, 0.0, 1)
            async with Fetcher(config.crawler, limiter) as fetcher:
                fetched = await fetcher.fetch(file_or_url, max_bytes=config.crawl.max_attachment_bytes)
            if not fetched.outcome.ok or fetched.body is None:
                from govaudit.checks.wording import describe_outcome

                raise GovauditError(f"无法下载 {file_or_url}：{describe_outcome(fetched.outcome)}")
            return fetched.body, fetched.outcome.header("content-type") or ""

        body, content_type = asyncio.run(fetch())
        return body, file_or_url, content_type
    path = Path(file_or_url)
    try:
        return path.read_bytes(), path.name, ""
    except OSError as exc:
        raise UsageError(f"无法读取文件 {file_or_url}：{exc.strerror}") from None


@main.group()
def regulations() -> None:
    """法规参考库：导入新版本、查询某部法规。"""


@regulations.command("import")
@click.argument("csv_file", type=click.Path(dir_okay=False))
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="配置文件（决定数据库位置）")
@click.option("--snapshot-date", help="该导出文件的快照日期 YYYY-MM-DD（默认今天）")
@_guarded
def regulations_import(csv_file: str, config_path: str | None, snapshot_date: str | None) -> None:
    """用新导出的 CSV（列同随附快照）替换法规参考库；文件有误时整份拒绝，原库保持不变。"""
    from govaudit.laws import import_library

    config = load_config(config_path)
    library = import_library(store_target(config), Path(csv_file), _today(snapshot_date))
    repealed = sum(1 for law in library.laws.values() if law.repealed)
    click.echo(f"已导入 {len(library)} 部法律法规（其中已废止 {repealed} 部），快照日期 {library.snapshot_date}。")


@regulations.command("show")
@click.argument("title")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="配置文件（决定数据库位置）")
@_guarded
def regulations_show(title: str, config_path: str | None) -> None:
    """显示参考库中某部法规的名称、层级、最新版本、状态和全部版本日期。"""
    from govaudit.checks.sitemodel.laws import normalise_title
    from govaudit.laws import active_library

    library = active_library(store_target(load_config(config_path)))
    law = library.find(title)
    click.echo(f"参考库：{library.source}（快照 {library.snapshot_date}，共 {len(library)} 部）")
    if law is None:
        click.echo(f"参考库中没有“{title}”（规范化名称：{normalise_title(title)}）。")
        return
    versions = "、".join(v.isoformat() for v in law.versions) or "无"
    click.echo(f"名称：{law.title}\n层级：{law.level}\n状态：{law.status}\n"
               f"最新版本：{law.latest_version or '未知'}\n施行日期：{law.in_force_from or '未知'}\n全部版本：{versions}")


@main.command()
def doctor() -> None:
    """检查运行环境：Python、依赖包、浏览器和中文字体，缺少时说明如何安装。"""
    import subprocess

    from govaudit.config import RenderOptions
    from govaudit.crawler.render import unavailable_reason

    click.echo(f"govaudit {__version__}，Python {platform.python_version()}（{sys.executable}）")
    for name in _DEPENDENCIES:
        try:
            click.echo(f"  [有] {name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            click.echo(f"  [缺] {name}：请运行 ./setup 安装")
    reason = unavailable_reason(RenderOptions())
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    click.echo(f"  [有] Chromium：{chromium}" if chromium else
               "  [缺] Chromium：页面渲染和截图不可用，相关检查列入未检查；安装：apt-get install -y chromium")
    if reason and chromium:
        click.echo(f"  [缺] {reason}")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    click.echo("  [有] 中文字体（Noto CJK）" if "CJK" in fonts else
               "  [缺] 中文字体：截图中的汉字会显示为方框；安装：apt-get install -y fonts-noto-cjk")



def _register_office_commands() -> None:
    from govaudit.office import register

    register(main, _guarded)


_register_office_commands()


if __name__ == "__main__":
    main()
