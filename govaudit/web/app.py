"""`govaudit serve`: the office's workbench over the store (Starlette, served by uvicorn).

Reading: runs; a run's sites ranked; a run's findings filtered by site, unit, area, rule,
severity, review state and new/persisting; a unit's page; the plan's tasks; the false-positive
log (and its CSV); for admins, the accounts. Reading needs a login unless the reader is on
this machine itself (govaudit/web/guards.py). Writing: the review of a finding (by a reviewer;
a set-aside 单项否决 waits for a second reviewer), ending sessions (by an admin), always with
the session's CSRF token (govaudit/web/login.py). Every page is server-rendered with
autoescaped Jinja2 and works without JavaScript; a Content-Security-Policy forbids scripts
altogether, so nothing crawled or typed can run in a reader's browser.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import secrets
from collections import Counter
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

import anyio.to_thread
import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from govaudit.checks.registry import all_rules
from govaudit.config import Config, UserConfig, plan_of
from govaudit.database import StoreTarget
from govaudit.history import standing
from govaudit.inspection import run_document
from govaudit.plan import NO_PLAN
from govaudit.reports.annotate import annotate_document
from govaudit.reports.extras import VERDICT_ORDER, summary_data
from govaudit.reports.render import AREA_NAMES, EVIDENCE_LABELS, findings_by_area, headline_of
from govaudit.reports.render import environment as report_environment
from govaudit.review import Review, ReviewError, ReviewState, approval_of, new_review
from govaudit.store import Store
from govaudit.web.auth import ROLES, may_review
from govaudit.web.guards import BodyLimit, SecurityHeaders, allowed_hosts, anonymous_rule, error_page, may_read_anonymously
from govaudit.web.login import Accounts, Busy, SessionLoader, Visitor, client_of

log = logging.getLogger(__name__)

_STATES = {"open": "待整改（未复核）", "confirmed": "已确认", "pending": "待批准（单项否决的误报或暂缓）",
           "returned": "复核后恢复", "set_aside": "误报 / 暂缓整改"}
_ACTIONS = {"confirm": ReviewState.CONFIRMED, "false_positive": ReviewState.FALSE_POSITIVE,
            "defer": ReviewState.DEFERRED, "reopen": ReviewState.OPEN}


class Workbench:
    """The pages, over one config and its store."""

    def __init__(self, config: Config, store: StoreTarget, accounts: Accounts) -> None:
        self.config = config
        self.store = store
        self.accounts = accounts
        env = report_environment()
        env.loader = jinja2.ChoiceLoader([jinja2.PackageLoader("govaudit.web", "templates"), env.loader])  # type: ignore[list-item]
        self.env = env

    # -- plumbing -------------------------------------------------------------------------------

    @staticmethod
    def user(request: Request) -> UserConfig | None:
        visitor: Visitor = request.state.visitor
        return visitor.user

    def may_read(self, request: Request) -> bool:
        return self.user(request) is not None or may_read_anonymously(self.config.serve, request.scope)

    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> Response:
        user = self.user(request)
        if template != "login.html.j2" and not self.may_read(request):
            return _to_login(request.url.path)
        html = self.env.get_template(template).render(
            user=user, may_review=may_review(user), csrftoken=self.accounts.form_token(request),
            request_path=request.url.path, labels=EVIDENCE_LABELS, areas=AREA_NAMES, roles=ROLES,
            severity_labels={"veto": "单项否决", "deduct": "扣分", "notice": "提示"}, **context)
        return HTMLResponse(html, status_code=status)

    def message(self, request: Request, status: int, title: str, text: str, back: str | None = None) -> Response:
        return self.page(request, "message.html.j2", status=status, title=title, message=text, back=back)

    def not_found(self, request: Request, what: str) -> Response:
        return self.message(request, 404, "未找到", what)

    def document(self, store: Store, run_id: str) -> dict[str, Any] | None:
        if not store.run_info(run_id):
            return None
        return run_document(store, self.config, run_id, [s.name for s in self.config.sites])

    def latest_run(self, store: Store) -> str | None:
        finished = [r for r in store.runs(limit=50) if r["finished_at"] and r["kind"] != "audit"]
        return finished[0]["id"] if finished else None

    # -- reading ---------------------------------------------------------------------------------

    def runs(self, request: Request) -> Response:
        with Store(self.store) as store:
            reviews = store.reviews()
            rows = []
            for info in store.runs(limit=60):
                reviewed = annotate_document({"run": {"today": info["today"]}, "sites": store.site_entries(info["id"])},
                                             NO_PLAN, reviews, self.config.scoring)   # (verdicts as reviewed)
                entries = reviewed["sites"]
                rows.append({**info, "sites": len(entries), "failed": sum(1 for e in entries if e["verdict"] == "不合格")})
        return self.page(request, "runs.html.j2", runs=rows)

    def run(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        with Store(self.store) as store:
            document = self.document(store, run_id)
            if document is None:
                return self.not_found(request, f"没有运行 {run_id}")
            sites = sorted(document["sites"], key=lambda s: (VERDICT_ORDER.get(s["verdict"], 3), s["score"] or 0))
        return self.page(request, "run.html.j2", doc=document, sites=sites, headline=headline_of(document))

    def findings(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        site_name = request.path_params.get("site")
        with Store(self.store) as store:
            document = self.document(store, run_id)
            if document is None:
                return self.not_found(request, f"没有运行 {run_id}")
            entries = document["sites"]
            site = next((e for e in entries if e["name"] == site_name), None) if site_name else None
            if site_name and site is None:
                return self.not_found(request, f"运行 {run_id} 中没有网站“{site_name}”")
            filters = _filters(request, site_name)
            rows = _filtered(entries, filters, store, run_id)
            events: dict[str, list[Review]] = {}
            for entry in ([site] if site else []):
                for event in store.review_events(entry["name"]):
                    events.setdefault(event.fingerprint, []).append(event)
            trend = [{**point, "total": sum(point["counts"].values())}
                     for point in (store.site_series(site_name, limit=20) if site_name else [])]
        choices = _choices(entries)
        return self.page(request, "findings.html.j2", doc=document, site=site, filters=filters, rows=rows,
                         grouped=findings_by_area(rows), events=events, trend=trend, choices=choices, states=_STATES,
                         query=urlencode({k: v for k, v in filters.items() if v and k != "site"}), today=date.today())

    def unit(self, request: Request) -> Response:
        name = request.path_params["unit"]
        with Store(self.store) as store:
            run_id = request.query_params.get("run") or self.latest_run(store)
            document = self.document(store, run_id) if run_id else None
        if document is None:
            return self.not_found(request, "还没有已完成的运行")
        sites = [e for e in document["sites"] if (e["unit"] or "未配置") == name]
        if not sites:
            return self.not_found(request, f"运行 {run_id} 中没有责任单位“{name}”的网站")
        unit = next((u for u in self.config.units if u.name == name), None)
        return self.page(request, "unit.html.j2", doc=document, unit_name=name, unit=unit, sites=sites,
                         grouped=findings_by_area([{**f, "site": s["name"]} for s in sites for f in s["findings"]]))

    def plan(self, request: Request) -> Response:
        plan = plan_of(self.config)
        with Store(self.store) as store:
            run_id = request.query_params.get("run") or self.latest_run(store)
            document = self.document(store, run_id) if run_id else None
            data = summary_data(store, run_id, document, plan) if document and run_id else None
        return self.page(request, "plan.html.j2", plan=plan, doc=document, data=data)

    def false_positives(self, request: Request) -> Response:
        rows = self._false_positive_rows()
        if request.url.path.endswith(".csv"):
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(["规则", "规则名称", "网站", "页面", "理由", "复核人", "复核时间", "问题编号"])
            for row in rows:
                writer.writerow([_csv_safe(str(row[k])) for k in ("rule", "title", "site", "url", "reason", "user", "at",
                                                                     "fingerprint")])
            return Response("\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": "attachment; filename=false-positives.csv"})
        by_rule = Counter(row["rule"] for row in rows)
        return self.page(request, "false_positives.html.j2", rows=rows, by_rule=by_rule.most_common())

    def _false_positive_rows(self) -> list[dict[str, Any]]:
        titles = {r.id: r.title for r in all_rules()}
        with Store(self.store) as store:
            current = store.reviews()
        rows = [{"rule": r.rule, "title": titles.get(r.rule, r.title), "site": r.site, "url": r.url, "reason": r.reason,
                 "user": r.user, "at": r.at, "fingerprint": r.fingerprint}
                for r in current.values() if r.state is ReviewState.FALSE_POSITIVE]
        return sorted(rows, key=lambda r: r["at"], reverse=True)

    def report_json(self, request: Request) -> Response:
        with Store(self.store) as store:
            document = self.document(store, request.path_params["run_id"])
        if document is None:
            return self.not_found(request, "没有这次运行")
        return JSONResponse(document)

    # -- accounts (admins) -------------------------------------------------------------------------

    def users(self, request: Request) -> Response:
        if not _is_admin(self.user(request)):
            return self.message(request, 403, "无权查看", "只有管理员（role = \"admin\"）可以查看账号")
        live = self.accounts.sessions.live_counts()
        locks = {lock.key: lock for lock in self.accounts.throttle.lockouts()}
        rows = [{"user": u, "sessions": live.get(u.name, 0), "locked": locks.get(f"user:{u.name}")}
                for u in self.accounts.directory.users()]
        clients = [lock for key, lock in locks.items() if key.startswith("client:")]
        return self.page(request, "users.html.j2", rows=rows, clients=clients)

    async def end_sessions(self, request: Request) -> Response:
        form = await self.accounts.posted(request)
        admin = self.user(request)
        if not _is_admin(admin):
            raise HTTPException(403, "只有管理员可以结束他人的会话")
        name = str(form.get("user", ""))
        ended = await anyio.to_thread.run_sync(self.accounts.sessions.end_user, name)
        await anyio.to_thread.run_sync(self.accounts.throttle.succeeded, name)   # and lift its lockout
        log.warning("工作台：管理员 %s 结束了用户 %s 的 %d 个会话（来自 %s）", admin.name if admin else "?", name, ended,
                    client_of(request))
        return RedirectResponse("/users", status_code=303)

    # -- logging in and out ------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        target = _local_path(request.query_params.get("next", "/"))
        if request.method == "GET":
            self.accounts.prepare_login_form(request)
            response = self.page(request, "login.html.j2", next=target, error=None)
            self.accounts.give_login_cookie(request, response)
            return response
        form = await self.accounts.posted(request)
        name, password = str(form.get("username", ""))[:128], str(form.get("password", ""))
        client = client_of(request)
        lock = await anyio.to_thread.run_sync(self.accounts.locked, client, name)
        if lock is not None:
            log.warning("工作台登录被拒（%s 已锁定，还剩 %d 秒）：用户名 %r，来自 %s", lock.key, lock.seconds, name[:64], client)
            minutes = max(1, round(lock.seconds / 60))
            return self.page(request, "login.html.j2", status=429, next=target,
                             error=f"登录失败次数过多，已暂时锁定，请约 {minutes} 分钟后再试")
        try:
            user = await self.accounts.check_password(name, password)
        except Busy:
            log.warning("工作台登录被拒（服务器繁忙）：用户名 %r，来自 %s", name[:64], client)
            return self.page(request, "login.html.j2", status=503, next=target, error="服务器繁忙，请稍后再试")
        if user is None:
            started = await anyio.to_thread.run_sync(self.accounts.throttle.failed, client, name)
            log.warning("工作台登录失败：用户名 %r，来自 %s%s", name[:64], client,
                        f"；{started.key} 锁定 {started.seconds:.0f} 秒" if started else "")
            return self.page(request, "login.html.j2", status=401, next=target, error="用户名或密码错误")
        await anyio.to_thread.run_sync(self.accounts.throttle.succeeded, name)
        old: Visitor = request.state.visitor
        if old.token:
            await anyio.to_thread.run_sync(self.accounts.sessions.end, old.token)
        response = RedirectResponse(_local_path(str(form.get("next", "/"))), status_code=303)
        await anyio.to_thread.run_sync(self.accounts.open_session, response, user, client)
        log.warning("工作台登录：用户 %s（%s），来自 %s", user.name, ROLES[user.role], client)
        return response

    async def logout(self, request: Request) -> Response:
        visitor: Visitor = request.state.visitor
        if visitor.token:                     # (a session already over has nothing to end)
            await self.accounts.posted(request)
            await anyio.to_thread.run_sync(self.accounts.sessions.end, visitor.token)
            log.warning("工作台退出：用户 %s，来自 %s", visitor.session.user if visitor.session else "?", client_of(request))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(self.accounts.session_cookie, path="/", secure=self.accounts.secure, httponly=True,
                               samesite="strict")
        return response

    # -- the one change to findings: a review ------------------------------------------------------

    async def review(self, request: Request) -> Response:
        user = self.user(request)
        if user is None:                      # (logged out or expired: log in first, nothing is read)
            return _to_login("/")
        form = await self.accounts.posted(request)
        back = _local_path(str(form.get("back", "/")))
        if not may_review(user):
            return self.message(request, 403, "无权复核", "只读用户（role = \"viewer\"）不能复核问题", back)
        site, fingerprint = str(form.get("site", "")), str(form.get("fingerprint", ""))
        try:
            mark = await anyio.to_thread.run_sync(self._review_mark, form, user, site, fingerprint)
        except ReviewError as exc:
            return self.message(request, 400, "无法记录", str(exc), back)
        log.warning("工作台复核：%s 将网站“%s”的问题 %s 标记为 %s%s（来自 %s）", user.name, site, fingerprint,
                    mark.state.label, "（待批准）" if mark.pending else (f"，批准人 {mark.approver}" if mark.approver else ""),
                    client_of(request))
        return RedirectResponse(back, status_code=303)

    def _review_mark(self, form: Any, user: UserConfig, site: str, fingerprint: str) -> Review:
        action = str(form.get("action", ""))
        shown = user.display_name or user.name
        with Store(self.store) as store:
            finding = dict(store.finding_sites(fingerprint)).get(site)
            if finding is None:
                raise ReviewError(f"网站“{site}”没有编号为 {fingerprint} 的问题")
            if action in ("approve", "reject"):
                current = store.reviews(site).get((site, fingerprint))
                mark = approval_of(current, approve=action == "approve", user=shown, account=user.name, at=_now(),
                                   reason=str(form.get("reason", "")))
            elif action in _ACTIONS:
                until_text = str(form.get("until", "")).strip()
                try:
                    until = date.fromisoformat(until_text) if until_text else None
                except ValueError:
                    raise ReviewError(f"日期格式应为 YYYY-MM-DD：{until_text!r}") from None
                mark = new_review(site, fingerprint, finding, _ACTIONS[action], reason=str(form.get("reason", "")),
                                  user=shown, account=user.name, at=_now(), until=until, today=date.today(),
                                  max_defer_days=self.config.review.max_defer_days)
            else:
                raise ReviewError("请选择复核结论")
            store.add_review(mark)
        return mark


def create_app(config: Config, store: StoreTarget, host: str = "127.0.0.1") -> ASGIApp:
    """The workbench as an ASGI application. Serve it with uvicorn's own proxy-header handling
    off (proxy_headers=False): forwarded addresses are believed here, from [serve]
    trusted_proxies only."""
    secret = os.environ.get(config.serve.secret_env, "") if config.serve.secret_env else ""
    if not secret:
        secret = secrets.token_urlsafe(32)
        log.warning("未设置环境变量 %s：登录表单的签名密钥随机生成，重启后打开着的登录页须刷新", config.serve.secret_env)
    accounts = Accounts(config, store, secret)
    bench = Workbench(config, store, accounts)
    reading = _reading_guard(bench)
    routes = [
        Route("/", reading(bench.runs)), Route("/runs/{run_id}", reading(bench.run)),
        Route("/runs/{run_id}/findings", reading(bench.findings)),
        Route("/runs/{run_id}/sites/{site:path}", reading(bench.findings)),
        Route("/runs/{run_id}/report.json", reading(bench.report_json)), Route("/units/{unit:path}", reading(bench.unit)),
        Route("/plan", reading(bench.plan)), Route("/false-positives", reading(bench.false_positives)),
        Route("/false-positives.csv", reading(bench.false_positives)), Route("/users", bench.users),
        Route("/login", bench.login, methods=["GET", "POST"]), Route("/logout", bench.logout, methods=["POST"]),
        Route("/review", bench.review, methods=["POST"]), Route("/users/end-sessions", bench.end_sessions, methods=["POST"]),
    ]
    hosts = allowed_hosts(config.serve, host)
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error, Exception: _server_error}, middleware=[
        Middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False),
        Middleware(BodyLimit, limit=config.serve.max_body_kb * 1024),
        Middleware(SessionLoader, accounts=accounts)])
    app.router.redirect_slashes = False     # (a redirect is never built from the request's Host)
    log.warning("工作台访问规则：%s；接受的主机名：%s；可信代理：%s", anonymous_rule(config.serve), "、".join(hosts),
                "、".join(config.serve.trusted_proxies) or "无")
    served: ASGIApp = app
    if config.serve.trusted_proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        served = ProxyHeadersMiddleware(app, trusted_hosts=list(config.serve.trusted_proxies))  # type: ignore[arg-type,assignment]
    return SecurityHeaders(served)


def _reading_guard(bench: Workbench) -> Any:
    """A reading page answers only a reader who may read; anyone else is sent to log in."""
    def guard(handler: Any) -> Any:
        def guarded(request: Request) -> Response:
            if not bench.may_read(request):
                return _to_login(request.url.path)
            result: Response = handler(request)
            return result
        return guarded
    return guard


def _to_login(path: str) -> Response:
    return RedirectResponse(f"/login?next={quote(_local_path(path))}", status_code=303)


def _is_admin(user: UserConfig | None) -> bool:
    return user is not None and user.role == "admin"


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", None)
    plain = detail if isinstance(detail, str) and detail and not detail.isascii() else None
    return HTMLResponse(error_page(status, plain), status_code=status)


async def _server_error(request: Request, exc: Exception) -> Response:
    return HTMLResponse(error_page(500), status_code=500)


def _filters(request: Request, site: str | None) -> dict[str, str]:
    keys = ("unit", "area", "rule", "severity", "state", "change")
    return {"site": site or request.query_params.get("site", ""),
            **{k: request.query_params.get(k, "").strip()[:100] for k in keys}}


def _filtered(entries: list[dict[str, Any]], filters: dict[str, str], store: Store, run_id: str) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        if filters["site"] and entry["name"] != filters["site"]:
            continue
        if filters["unit"] and (entry["unit"] or "未配置") != filters["unit"]:
            continue
        history = {row["fingerprint"]: row for row in store.history_of(entry["name"])} if filters["change"] else {}
        for finding in [*entry["findings"], *entry.get("set_aside", [])]:
            finding = {**finding, "site": entry["name"], "state": _state(finding)}
            if filters["area"] and finding["rule"].split(".")[0] != filters["area"]:
                continue
            if any(filters[k] and finding[key] != filters[k] for k, key in (("rule", "rule"), ("severity", "severity"),
                                                                              ("state", "state"))):
                continue
            if not filters["state"] and finding["state"] == "set_aside":
                continue   # set apart: listed on their own, or when asked for
            if filters["change"]:
                row = history.get(finding["fingerprint"])
                if row is None or standing(row, run_id) != filters["change"]:
                    continue
            rows.append(finding)
    return rows


def _state(finding: dict[str, Any]) -> str:
    review = finding.get("review")
    if not review:
        return "open"
    if review.get("approval") == "pending":
        return "pending"
    if review.get("returned"):
        return "returned"
    if review["state"] in ("false_positive", "deferred"):
        return "set_aside"
    return "confirmed" if review["state"] == "confirmed" else "open"


def _choices(entries: list[dict[str, Any]]) -> dict[str, list[str]]:
    findings = [f for e in entries for f in [*e["findings"], *e.get("set_aside", [])]]
    return {"site": sorted({e["name"] for e in entries}), "unit": sorted({e["unit"] or "未配置" for e in entries}),
            "area": sorted({f["rule"].split(".")[0] for f in findings}), "rule": sorted({f["rule"] for f in findings})}


def _local_path(target: str) -> str:
    """Only a path on this server is a place to go back to (no //host, no scheme)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula is quoted as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _now() -> str:
    from govaudit.crawler.snapshot import now_iso

    return now_iso()
