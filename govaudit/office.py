"""The office's commands: `serve` (the workbench), `review` (a mark from the command line),
`user add/remove/disable/enable/list` (workbench accounts) and `notices` (整改通知 and the
通报 draft of a run).
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
from govaudit.review import ReviewError, ReviewState, approval_of, new_review
from govaudit.store import Store


def _existing_store(config: Config) -> StoreTarget:
    database = store_target(config)
    file = sqlite_path(database)
    if file is not None and not file.exists():
        raise UsageError(f"还没有检查记录（数据库 {file} 不存在）：先运行 govaudit run 或 govaudit demo")
    return database


def serve(config_path: str | None, host: str | None, port: int | None) -> None:
    import logging

    import uvicorn

    from govaudit.web.app import create_app
    from govaudit.web.guards import is_loopback_host

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
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
    if not is_loopback_host(bind) and not config.serve.allowed_hosts:
        click.echo(f"注意：监听 {bind} 但未设置 [serve] allowed_hosts，只接受以 {bind}、localhost、127.0.0.1 访问；"
                   "经域名访问须在 allowed_hosts 中写明域名（见 README“部署工作台”）", err=True)
    # Forwarded addresses are believed by the app itself, from [serve] trusted_proxies only.
    uvicorn.run(app, host=bind, port=listen, log_level="warning", proxy_headers=False, server_header=False,
                date_header=False, timeout_keep_alive=5, limit_concurrency=200, h11_max_incomplete_event_size=16 * 1024)


def review(config_path: str | None, fingerprint: str, state: ReviewState | str, reason: str, until: str | None,
           site: str | None, user: str | None) -> None:
    """Record a mark (a ReviewState), or "approve" / "reject" a pending set-aside of a 单项否决."""
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
        who = user or getpass.getuser()
        try:
            if isinstance(state, ReviewState):
                mark = new_review(name, fingerprint, finding, state, reason=reason, user=who, at=_now(), until=until_day,
                                  today=date.today(), max_defer_days=config.review.max_defer_days)
            else:
                mark = approval_of(store.reviews(name).get((name, fingerprint)), approve=state == "approve", user=who,
                                   account=who, at=_now(), reason=reason)
        except ReviewError as exc:
            raise UsageError(str(exc)) from None
        store.add_review(mark)
    what = f"{name} 的问题 {fingerprint}（{finding.get('title', finding['rule'])}）"
    if mark.approver:
        click.echo(f"已批准：{what}的“{mark.state.label}”（{mark.user} 提出）；下次生成报告时生效。")
        return
    click.echo(f"已记录：{what}标记为“{mark.state.label}”" + (f"，至 {mark.until}" if mark.until else "")
               + ("；单项否决的问题须另一位复核人批准（govaudit review 编号 --approve --user 批准人）后才生效" if mark.pending
                  else "；下次生成报告时生效。"))


def add_user(config_path: str, name: str, password_stdin: bool, display_name: str, role: str | None) -> None:
    from govaudit.web.auth import add_user as write_user

    path = _config_file(config_path)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")
    fresh = write_user(path, name, password, display_name, role)
    ended = "" if fresh else _end_sessions(path, name)
    click.echo(f"{'已添加' if fresh else '已更新'}用户“{name}”（{path} 中只保存密码的 Argon2 摘要）。{ended}")


def remove_user(config_path: str, name: str) -> None:
    from govaudit.web.auth import remove_user as drop_user

    path = _config_file(config_path)
    drop_user(path, name)
    click.echo(f"已删除用户“{name}”。{_end_sessions(path, name)}")


def disable_user(config_path: str, name: str, disabled: bool) -> None:
    from govaudit.web.auth import set_disabled

    path = _config_file(config_path)
    set_disabled(path, name, disabled)
    click.echo(f"已停用用户“{name}”。{_end_sessions(path, name)}" if disabled else f"已启用用户“{name}”。")


def list_users(config_path: str) -> None:
    from govaudit.web.auth import ROLES
    from govaudit.web.sessions import SessionStore

    config = load_config(_config_file(config_path))
    live: dict[str, int] = {}
    database = store_target(config)
    file = sqlite_path(database)
    if file is None or file.exists():
        serve = config.serve
        live = SessionStore(database, max_age_s=serve.session_hours * 3600, idle_s=serve.idle_minutes * 60).live_counts()
    if not config.users:
        click.echo("还没有用户：govaudit user add 用户名 --config " + str(config_path))
    for user in config.users:
        state = "已停用" if user.disabled else "正常"
        click.echo(f"{user.name}\t{user.display_name or '-'}\t{ROLES[user.role]}（{user.role}）\t{state}\t"
                   f"在线会话 {live.get(user.name, 0)}")


def _config_file(config_path: str) -> Path:
    path = Path(config_path)
    if not path.is_file():
        raise ConfigError("配置文件不存在", file=str(path))
    return path


def _end_sessions(config_path: Path, name: str) -> str:
    """End the user's workbench sessions in the config's store (a running workbench also
    refuses them by itself once it sees the changed file)."""
    from govaudit.web.sessions import end_sessions_of

    config = load_config(config_path)
    database = store_target(config)
    file = sqlite_path(database)
    if file is not None and not file.exists():
        return ""
    ended = end_sessions_of(database, name)
    return f"已结束其 {ended} 个工作台会话。" if ended else ""


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
    @click.option("--approve", "state", flag_value="approve", help="批准另一位复核人对单项否决问题的误报或暂缓")
    @click.option("--reject", "state", flag_value="reject", help="驳回待批准的误报或暂缓（须 --reason）")
    @click.option("--reason", default="", help="理由")
    @click.option("--site", help="网站名称（同一编号出现在多个网站时）")
    @click.option("--user", help="复核人（默认当前系统用户）")
    @wrap
    def review_command(fingerprint: str, config_path: str | None, state: str | None, until: str | None, reason: str,
                       site: str | None, user: str | None) -> None:
        """复核一个问题（问题编号见报告）：已确认、误报、暂缓整改或重新打开。"""
        if until and state:
            raise UsageError("--defer-until 不能与 --confirm / --false-positive / --reopen 同用")
        chosen: ReviewState | str
        if until:
            chosen = ReviewState.DEFERRED
        elif state in ("approve", "reject"):
            chosen = state
        elif state:
            chosen = ReviewState(state)
        else:
            raise UsageError("请指定 --confirm、--false-positive、--defer-until 日期、--reopen、--approve 或 --reject 之一")
        review(config_path, fingerprint, chosen, reason, until, site, user)

    @main.group("user")
    def user_group() -> None:
        """工作台用户。"""

    user_config = click.option("--config", "config_path", type=click.Path(dir_okay=False), default="config.toml",
                               show_default=True, help="用户所在的配置文件")

    @user_group.command("add")
    @click.argument("name")
    @user_config
    @click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（脚本用）")
    @click.option("--display-name", default="", help="显示名（如 张三）")
    @click.option("--role", type=click.Choice(["admin", "reviewer", "viewer"]),
                  help="角色：admin 管理员、reviewer 复核人（新用户默认）、viewer 只读")
    @wrap
    def user_add(name: str, config_path: str, password_stdin: bool, display_name: str, role: str | None) -> None:
        """添加用户或修改其密码、角色（密码以 Argon2 摘要写入 [[users]]；改密码即结束其会话）。"""
        add_user(config_path, name, password_stdin, display_name, role)

    @user_group.command("remove")
    @click.argument("name")
    @user_config
    @wrap
    def user_remove(name: str, config_path: str) -> None:
        """删除用户，其工作台会话随即结束。"""
        remove_user(config_path, name)

    @user_group.command("disable")
    @click.argument("name")
    @user_config
    @wrap
    def user_disable(name: str, config_path: str) -> None:
        """停用用户（保留记录），其工作台会话随即结束。"""
        disable_user(config_path, name, True)

    @user_group.command("enable")
    @click.argument("name")
    @user_config
    @wrap
    def user_enable(name: str, config_path: str) -> None:
        """重新启用停用的用户。"""
        disable_user(config_path, name, False)

    @user_group.command("list")
    @user_config
    @wrap
    def user_list(config_path: str) -> None:
        """列出用户：角色、状态、在线会话数。"""
        list_users(config_path)

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
