"""`govaudit serve`: the office's workbench over the store (Starlette, served by uvicorn).

Reading: runs; a run's sites ranked; a run's findings filtered by site, unit, area, rule,
severity, review state and new/persisting; a unit's page; the plan's tasks; the false-positive
log (and its CSV). Writing: only the review of a finding, only by a logged-in user, only with
a CSRF token (asgi-csrf, double-submit cookie) in the form. Every page is server-rendered
with autoescaped Jinja2 and works without JavaScript; a Content-Security-Policy forbids
scripts altogether, so nothing crawled or typed can run in a reader's browser.
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

import jinja2
from asgi_csrf import asgi_csrf
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from govaudit.checks.registry import all_rules
from govaudit.config import Config, plan_of
from govaudit.database import StoreTarget
from govaudit.history import standing
from govaudit.inspection import run_document
from govaudit.plan import NO_PLAN
from govaudit.reports.annotate import annotate_document
from govaudit.reports.extras import VERDICT_ORDER, summary_data
from govaudit.reports.render import AREA_NAMES, EVIDENCE_LABELS, findings_by_area, headline_of
from govaudit.reports.render import environment as report_environment
from govaudit.review import Review, ReviewError, ReviewState, new_review
from govaudit.store import Store
from govaudit.web.auth import anonymous_may_read, authenticate, user_named

log = logging.getLogger(__name__)

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'; form-action 'self'; frame-ancestors 'none'"
_PROTECTED = {"/login", "/logout", "/review"}
_STATES = {"open": "待整改（未复核）", "confirmed": "已确认", "returned": "复核后恢复", "set_aside": "误报 / 暂缓整改"}
_ACTIONS = {"confirm": ReviewState.CONFIRMED, "false_positive": ReviewState.FALSE_POSITIVE,
            "defer": ReviewState.DEFERRED, "reopen": ReviewState.OPEN}


class Workbench:
    """The pages, over one config and its store."""

    def __init__(self, config: Config, store: StoreTarget, host: str) -> None:
        self.config = config
        self.store = store
        self.anonymous_read = anonymous_may_read(config, host)
        env = report_environment()
        env.loader = jinja2.ChoiceLoader([jinja2.PackageLoader("govaudit.web", "templates"), env.loader])  # type: ignore[list-item]
        self.env = env

    # -- plumbing -------------------------------------------------------------------------------

    def user(self, request: Request) -> Any:
        return user_named(self.config, request.session.get("user"))

    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> Response:
        user = self.user(request)
        if user is None and not self.anonymous_read and template != "login.html.j2":
            return RedirectResponse(f"/login?next={quote(str(request.url.path))}", status_code=303)
        html = self.env.get_template(template).render(
            user=user, csrftoken=request.scope["csrftoken"](), request_path=request.url.path,
            labels=EVIDENCE_LABELS, areas=AREA_NAMES, severity_labels={"veto": "单项否决", "deduct": "扣分", "notice": "提示"},
            **context)
        return HTMLResponse(html, status_code=status)

    def not_found(self, request: Request, what: str) -> Response:
        return self.page(request, "message.html.j2", status=404, title="未找到", message=what)

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
            if self.user(request) is None and not self.anonymous_read:
                return RedirectResponse("/login?next=/false-positives", status_code=303)
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
        if self.user(request) is None and not self.anonymous_read:
            return RedirectResponse("/login", status_code=303)
        return JSONResponse(document)

    # -- logging in and out ------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        target = _local_path(request.query_params.get("next", "/"))
        if request.method == "GET":
            return self.page(request, "login.html.j2", next=target, error=None)
        form = await request.form()
        name, password = str(form.get("username", "")), str(form.get("password", ""))
        user = authenticate(self.config, name, password)
        if user is None:
            log.warning("工作台登录失败：用户名 %r", name[:64])
            return self.page(request, "login.html.j2", status=401, next=target, error="用户名或密码错误")
        request.session.clear()
        request.session["user"] = user.name
        return RedirectResponse(_local_path(str(form.get("next", "/"))), status_code=303)

    async def logout(self, request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/", status_code=303)

    # -- the one change: a review ----------------------------------------------------------------

    async def review(self, request: Request) -> Response:
        user = self.user(request)
        form = await request.form()
        back = _local_path(str(form.get("back", "/")))
        if user is None:
            return RedirectResponse(f"/login?next={quote(back)}", status_code=303)
        action = _ACTIONS.get(str(form.get("action", "")))
        site, fingerprint = str(form.get("site", "")), str(form.get("fingerprint", ""))
        if action is None:
            return self.page(request, "message.html.j2", status=400, title="无法记录", message="未知的复核操作")
        until_text = str(form.get("until", "")).strip()
        try:
            until = date.fromisoformat(until_text) if until_text else None
            with Store(self.store) as store:
                finding = dict(store.finding_sites(fingerprint)).get(site)
                if finding is None:
                    raise ReviewError(f"网站“{site}”没有编号为 {fingerprint} 的问题")
                store.add_review(new_review(site, fingerprint, finding, action, reason=str(form.get("reason", "")),
                                            user=user.display_name or user.name, at=_now(), until=until,
                                            today=date.today()))
        except ReviewError as exc:
            return self.page(request, "message.html.j2", status=400, title="无法记录", message=str(exc), back=back)
        except ValueError:
            return self.page(request, "message.html.j2", status=400, title="无法记录",
                             message=f"日期格式应为 YYYY-MM-DD：{until_text!r}", back=back)
        return RedirectResponse(back, status_code=303)


def create_app(config: Config, store: StoreTarget, host: str = "127.0.0.1") -> ASGIApp:
    bench = Workbench(config, store, host)
    secret = os.environ.get(config.serve.secret_env, "") if config.serve.secret_env else ""
    if not secret:
        secret = secrets.token_urlsafe(32)
        log.warning("未设置环境变量 %s：会话密钥随机生成，工作台重启后需重新登录", config.serve.secret_env)
    routes = [
        Route("/", bench.runs), Route("/runs/{run_id}", bench.run),
        Route("/runs/{run_id}/findings", bench.findings), Route("/runs/{run_id}/sites/{site:path}", bench.findings),
        Route("/runs/{run_id}/report.json", bench.report_json), Route("/units/{unit:path}", bench.unit),
        Route("/plan", bench.plan), Route("/false-positives", bench.false_positives),
        Route("/false-positives.csv", bench.false_positives),
        Route("/login", bench.login, methods=["GET", "POST"]), Route("/logout", bench.logout, methods=["POST"]),
        Route("/review", bench.review, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _http_error, 405: _http_error}, middleware=[Middleware(
        SessionMiddleware, secret_key=secret, session_cookie="govaudit_session", max_age=config.serve.session_hours * 3600,
        same_site="strict", https_only=config.serve.https_only)])
    protected = asgi_csrf(app, signing_secret=secret, always_protect=_PROTECTED, cookie_secure=config.serve.https_only,
                          cookie_samesite="Strict", send_csrf_failed=_csrf_refused)
    return _SecurityHeaders(protected)


class _SecurityHeaders:
    """CSP (no script at all), no framing, no sniffing, on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(event: Any) -> None:
            if event["type"] == "http.response.start":
                event = {**event, "headers": [*event.get("headers", []), (b"content-security-policy", _CSP.encode()),
                                              (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
                                              (b"referrer-policy", b"same-origin")]}
            await send(event)

        await self.app(scope, receive, with_headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    text = {404: "没有这个页面", 405: "不支持这种请求方式"}.get(status, "请求出错")
    return HTMLResponse(f"<!DOCTYPE html><meta charset='utf-8'><title>{text}</title><p>{text}（{status}）。<a href='/'>返回首页</a></p>",
                        status_code=status)


async def _csrf_refused(scope: Scope, send: Send, message_id: Any) -> None:
    body = ("<!DOCTYPE html><meta charset='utf-8'><title>请求被拒绝</title><p>请求被拒绝：表单已过期或来源不明（CSRF 校验失败）。"
            "请返回上一页刷新后重试。</p>").encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/html; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})


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
