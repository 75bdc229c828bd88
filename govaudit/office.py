"""The office's commands: `serve` (the workbench), `review` (a mark from the command line),
`user add` (a workbench account) and `notices` (整改通知 and the 通报 draft of a run).
Registered on the main command group by govaudit.cli."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from govaudit.config import Config, config_dir, load_config, store_target
from govaudit.database import StoreTarget, shown, sqlite_path
from govaudit.errors import ConfigError, GovauditError, UsageError
from govaudit.review import ReviewError, ReviewState, new_review
from govaudit.store import Store


def _existing_store(config: Config) -> StoreTarget:
    database = store_target(config)
    file = sqlite_path(database)
    if file is not None and not file.exists():
        raise UsageError(f"还没有检查记录（数据库 {file} 不存在）：先运行 govaudit run 或 govaudit demo")
    return database


def serve(config_path: str | None, host: str | None, port: int | None) -> None:
    import uvicorn

    from govaudit.web.app import create_app

    config = load_config(config_path)
    database = _existing_store(config)
    bind = host or config.serve.host
    listen = port or config.serve.port
    app = create_app(config, database, bind)
    where = f"http://{'[' + bind + ']' if ':' in bind else bind}:{listen}/"
    click.echo(f"govaudit 工作台：{where}（数据库 {shown(database)}；Ctrl-C 停止）", err=True)
    if not config.users:
        click.echo("注意：配置中还没有用户，只能查看不能复核；添加用户：govaudit user add 用户名"
                   + (f" --config {config.source}" if config.source else ""), err=True)
    uvicorn.run(app, host=bind, port=listen, log_level="warning", proxy_headers=False, server_header=False)


def review(config_path: str | None, fingerprint: str, state: ReviewState, reason: str, until: str | None,
           site: str | None, user: str | None) -> None:
    config = load_config(config_path)
    database = _existing_store(config)
    try:
        until_day = date.fromisoformat(until) if until else None
    except ValueError:
        raise UsageError(f"--until 应为 YYYY-MM-DD 格式的日期，实际为 {until!r}") from None
    with Store(database) as store:
        found = store.finding_sites(fingerprint)
        if site is not None:
            found = [(name, finding) for name, finding in found if name == site]
        if not found:
            raise UsageError(f"数据库 {shown(database)} 中没有编号为 {fingerprint} 的问题"
                             + (f"（网站“{site}”）" if site else "") + "；问题编号见报告中的“问题编号”")
        if len(found) > 1:
            raise UsageError(f"编号 {fingerprint} 的问题出现在多个网站：{'、'.join(n for n, _ in found)}；请用 --site 指定")
        name, finding = found[0]
        try:
            mark = new_review(name, fingerprint, finding, state, reason=reason, user=user or getpass.getuser(),
                              at=_now(), until=until_day, today=date.today())
        except ReviewError as exc:
            raise UsageError(str(exc)) from None
        store.add_review(mark)
    click.echo(f"已记录：{name} 的问题 {fingerprint}（{finding.get('title', finding['rule'])}）标记为“{state.label}”"
               + (f"，至 {mark.until}" if mark.until else "") + "；下次生成报告时生效。")


def add_user(config_path: str, name: str, password_stdin: bool, display_name: str) -> None:
    from govaudit.web.auth import add_user as write_user

    path = Path(config_path)
    if not path.is_file():
        raise ConfigError("配置文件不存在", file=str(path))
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")
    fresh = write_user(path, name, password, display_name)
    load_config(path)   # the file must still read
    click.echo(f"{'已添加' if fresh else '已更新'}用户“{name}”（{path} 中只保存密码的 Argon2 摘要）。")


def notices(config_path: str | None, run_id: str | None, out: str | None, mail: bool) -> None:
    from govaudit.inspection import run_document
    from govaudit.notices import mail_notices, write_notices

    config = load_config(config_path)
    database = _existing_store(config)
    with Store(database) as store:
        run_id = run_id or next((r["id"] for r in store.runs(limit=50) if r["finished_at"]), None)
        if run_id is None or not store.run_info(run_id):
            raise UsageError(f"数据库 {shown(database)} 中没有运行 {run_id or ''}（govaudit history 可查看历次运行）")
        info = store.run_info(run_id)
        document = run_document(store, config, run_id, [s.name for s in config.sites])
        folder = Path(out) if out else Path(info["reports_dir"] or config_dir(config) / config.store.reports_dir / run_id) / "notices"
        written, bulletin = write_notices(config, store, document, folder)
    for notice in written:
        click.echo(f"整改通知：{notice.unit}，{notice.findings} 个问题 -> {notice.path}")
    click.echo(f"检查情况通报（草稿）：{bulletin}")
    if not mail:
        return
    if not config.mail.enabled:
        raise ConfigError("邮件未启用：请在 [mail] 中设置 enabled = true", file=config.source, key="mail.enabled")
    failures = 0
    for unit, error in mail_notices(config, document, written).items():
        click.echo(f"  {unit}：{'已发送' if error is None else error}")
        failures += error is not None
    skipped = [n.unit for n in written if not n.mail]
    if skipped:
        click.echo(f"  未配置邮件地址（[[units]] mail），未发送：{'、'.join(skipped)}")
    if failures:
        raise GovauditError(f"{failures} 个单位的整改通知未能发出（文件已保存）")


def register(main: click.Group, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Add the office's commands to `main`, each wrapped by `wrap` (the CLI's handler that
    turns errors into messages and exit codes)."""
    config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                                 help="配置文件（默认 ./config.toml）")

    @main.command("serve")
    @config_option
    @click.option("--host", help="监听地址（默认 [serve] host，127.0.0.1）")
    @click.option("--port", type=click.IntRange(1, 65535), help="端口（默认 [serve] port，8080）")
    @wrap
    def serve_command(config_path: str | None, host: str | None, port: int | None) -> None:
        """启动工作台（网页）：查看历次结果、复核问题（需登录）、工作要点落实情况、误报记录。"""
        serve(config_path, host, port)

    @main.command("review")
    @click.argument("fingerprint")
    @config_option
    @click.option("--confirm", "state", flag_value=ReviewState.CONFIRMED.value, help="标记为已确认")
    @click.option("--false-positive", "state", flag_value=ReviewState.FALSE_POSITIVE.value, help="标记为误报（须 --reason）")
    @click.option("--defer-until", "until", help="暂缓整改至 YYYY-MM-DD（须 --reason）")
    @click.option("--reopen", "state", flag_value=ReviewState.OPEN.value, help="重新打开")
    @click.option("--reason", default="", help="理由")
    @click.option("--site", help="网站名称（同一编号出现在多个网站时）")
    @click.option("--user", help="复核人（默认当前系统用户）")
    @wrap
    def review_command(fingerprint: str, config_path: str | None, state: str | None, until: str | None, reason: str,
                       site: str | None, user: str | None) -> None:
        """复核一个问题（问题编号见报告）：已确认、误报、暂缓整改或重新打开。"""
        if until and state:
            raise UsageError("--defer-until 不能与 --confirm / --false-positive / --reopen 同用")
        chosen = ReviewState.DEFERRED if until else (ReviewState(state) if state else None)
        if chosen is None:
            raise UsageError("请指定 --confirm、--false-positive、--defer-until 日期 或 --reopen 之一")
        review(config_path, fingerprint, chosen, reason, until, site, user)

    @main.group("user")
    def user_group() -> None:
        """工作台用户。"""

    @user_group.command("add")
    @click.argument("name")
    @click.option("--config", "config_path", type=click.Path(dir_okay=False), default="config.toml", show_default=True,
                  help="写入用户的配置文件")
    @click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（脚本用）")
    @click.option("--display-name", default="", help="显示名（如 张三）")
    @wrap
    def user_add(name: str, config_path: str, password_stdin: bool, display_name: str) -> None:
        """添加或修改工作台用户，密码以 Argon2 摘要写入配置文件的 [[users]]。"""
        add_user(config_path, name, password_stdin, display_name)

    @main.command("notices")
    @click.argument("run_id", metavar="[RUN]", required=False)
    @config_option
    @click.option("--out", type=click.Path(file_okay=False), help="输出目录（默认该运行的报告目录下的 notices/）")
    @click.option("--mail", is_flag=True, help="把整改通知发给各单位（[[units]] mail），抄送 [mail] recipients")
    @wrap
    def notices_command(run_id: str | None, config_path: str | None, out: str | None, mail: bool) -> None:
        """生成一次运行（默认最近一次）的各单位整改通知和检查情况通报草稿（.docx）。"""
        notices(config_path, run_id, out, mail)


def _now() -> str:
    from govaudit.crawler.snapshot import now_iso

    return now_iso()
