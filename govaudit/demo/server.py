"""The bundled demo: a district portal and one department site, served on loopback.

All demo host names are answered by the audit's resolve map (127.0.0.1) with
`resolve_only_mapped`, so nothing the demo links to can leave the machine. One server
serves every host, choosing the site by the Host header. Pages are jinja2 templates under
sites/; GBK pages are written in UTF-8 here and encoded when served.

Seeded defects and tricky-but-valid cases are listed in EXPECTED (and in the README).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import jinja2

PORTAL = "www.gxq-demo.gov.cn"
DEPARTMENT = "kjcxj.gxq-demo.com"
CITY = "www.zhuhai-demo.gov.cn"
CITY_LOGIN = "login.zhuhai-demo.gov.cn"
CONAC = "bszs.conac.cn"
CDN = "static.gxq-cdn.com"
OLD_PORTAL = "www.gxq-old-portal.gov.cn"   # taken offline: every path answers 404
HOSTS = (PORTAL, DEPARTMENT, CITY, CITY_LOGIN, CONAC, CDN, OLD_PORTAL)
# The portal is dual-stack; every other demo host is IPv4-only (the department site's
# missing AAAA and the CDN's are seeded IPv6 defects).
DUAL_STACK = {PORTAL}


@dataclass(frozen=True)
class Route:
    template: str | None = None
    status: int = 200
    encoding: str = "utf-8"
    declare_charset: bool = True
    content_type: str = "text/html"
    redirect: str | None = None
    # 'flaky_once': 503 on the first request, then 200; 'ratelimit_once': 429 with
    # Retry-After: 1, then 200; 'no_head': HEAD answers 405.
    behaviour: str | None = None
    body: bytes | None = None
    context: tuple[tuple[str, object], ...] = ()   # extra template values (title, days ago)
    annual: str | None = None   # "due" / "previous": a yearly report built by demo/annual.py


_ROBOTS = b"User-agent: *\nDisallow: /admin/\n"

# 法定主动公开内容 sub-columns of the portal: slug -> (name, days since the newest item).
# 行政事业性收费 (第二十条第（八）项) is missing on purpose: a seeded gap.
STATUTORY_COLUMNS: dict[str, tuple[str, int]] = {
    "gzgfxwj": ("规章和规范性文件", 30),
    "jgzn": ("机构职能", 200),
    "ghxx": ("规划信息", 90),
    "tjxx": ("统计信息", 25),
    "xzxk": ("行政许可", 12),
    "xzcf": ("行政处罚", 18),
    "czyjs": ("财政预决算", 150),
    "zfcg": ("政府采购", 9),
    "zdjsxm": ("重大建设项目", 60),
    "jyjyshbz": ("教育、就业和社会保障", 21),
    "yjgl": ("应急管理", 45),
    "aqscjdjc": ("安全生产监督检查", 33),
    "rsxx": ("人事信息（公务员招考）", 70),
}

# The portal's 规章和规范性文件 library. 12号 is declared repealed by 8号 but still marked
# 有效; 8号 was published 50 days after it was written; 珠高规 3号 has no validity mark.
DOCUMENTS: dict[int, dict[str, object]] = {
    1: {"title": "珠海高新区党政办公室关于印发政务公开工作要点分工方案的通知", "no": "珠高办〔{y}〕50号",
        "written": 40, "published": 35, "validity": "有效",
        "body": "各单位：现将工作要点分工方案印发给你们，请认真贯彻落实。"},
    2: {"title": "珠海高新区政务公开管理办法", "no": "珠高办〔{y2}〕12号", "written": 700, "published": 690,
        "validity": "有效", "body": "第一条 为规范政务公开工作，制定本办法。"},
    3: {"title": "珠海高新区政务公开工作规定", "no": "珠高办〔{y}〕8号", "written": 90, "published": 40,
        "validity": "有效", "body": "第一条 为规范政务公开工作，制定本规定。第三十条 本规定自印发之日起施行，"
                                    "《珠海高新区政务公开管理办法》（珠高办〔{y2}〕12号）同时废止。"},
    4: {"title": "珠海高新区促进科技创新若干措施", "no": "珠高规〔{y1}〕3号", "written": 300, "published": 295,
        "validity": "", "body": "一、支持企业研发投入。二、支持创新平台建设。"},
}

def _id_number(first17: str) -> str:
    """A made-up 居民身份证号码 with a correct GB 11643 check digit (the demo's leak)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


# A 公示 list that publishes citizens' ID and mobile numbers and a bank card (seeded privacy.* leaks).
RELIEF = (("张晓红", _id_number("44040219850312002"), "13800001111"),
          ("刘建国", _id_number("44040419620708101"), "13900002222"),
          ("陈秀英", _id_number("44040319790925204"), "15000003333"))
RELIEF_CARD = "6217000000000000004"   # Luhn-valid

# The portal's 法律法规 column: an outdated 行政法规 text (the 2007 政府信息公开条例), a current
# one, a repealed one shown as in force, and a provincial regulation the library does not know.
LAWS: dict[int, dict[str, object]] = {
    1: {"title": "中华人民共和国政府信息公开条例", "no": "国务院令第492号", "written_date": "2007年04月05日",
        "preamble": "（2007年4月5日中华人民共和国国务院令第492号公布 自2008年5月1日起施行）",
        "body": "第一条 为了保障公民、法人和其他组织依法获取政府信息，提高政府工作的透明度，制定本条例。"},
    2: {"title": "优化营商环境条例", "no": "国务院令第722号", "written_date": "2019年10月22日",
        "preamble": "（2019年10月22日中华人民共和国国务院令第722号公布 自2020年1月1日起施行）",
        "body": "第一条 为了持续优化营商环境，不断解放和发展社会生产力，制定本条例。"},
    3: {"title": "中华人民共和国中外合资经营企业法实施条例", "no": "国务院令第148号", "written_date": "2019年03月02日",
        "preamble": "（1983年9月20日国务院发布 根据2019年3月2日《国务院关于修改部分行政法规的决定》第六次修订）",
        "body": "第一章 总则 第一条 为了便于合营企业的设立和经营，制定本条例。"},
    4: {"title": "广东省政务公开条例", "no": "广东省第十三届人民代表大会常务委员会公告第88号", "written_date": "2021年07月29日",
        "preamble": "（2021年7月29日广东省第十三届人民代表大会常务委员会第三十三次会议通过）",
        "body": "第一条 为了推进政务公开，制定本条例。"},
}

ROUTES: dict[str, dict[str, Route]] = {
    PORTAL: {
        "/robots.txt": Route(body=_ROBOTS, content_type="text/plain"),
        "/": Route("portal/index.html"),
        "/index.html": Route(redirect="/"),
        "/zwgk/": Route(redirect="/zwgk/index.html", status=301),
        "/zwgk/index.html": Route("portal/zwgk.html", encoding="gb18030"),
        "/zwgk/zfxxgkzn.html": Route("portal/guide.html"),
        "/zwgk/fdzdgknr/index.html": Route("portal/fdzdgknr.html"),
        "/zwgk/ndbg/index.html": Route("portal/ndbg.html"),
        "/zwgk/ndbg/content_last.html": Route(annual="due"),
        "/zwgk/ndbg/content_before.html": Route(annual="previous"),
        "/zwgk/zwxmt.html": Route("portal/newmedia.html"),
        "/zwgk/wzndbb.html": Route("portal/site_report.html"),
        "/xwdt/content_1003.html": Route("portal/article_wording.html"),
        "/xwdt/content_1004.html": Route("portal/plain_article.html", context=(("title", "高新区召开明年重点项目推进会"),
                                                                                ("days", -30))),
        "/tzgg/content_2002.html": Route("portal/notice_list.html"),
        "/ldzc/index.html": Route("portal/leaders.html"),
        "/bsfw/index.html": Route("portal/service.html"),
        "/bsfw/gxqy.html": Route("portal/service_guide.html"),
        "/xwdt/index.html": Route("portal/xwdt.html"),
        "/xwdt/index_1.html": Route("portal/xwdt_page2.html"),
        "/xwdt/bmdt/index.html": Route("portal/bmdt.html"),
        "/xwdt/content_1001.html": Route("portal/article_gbk.html", encoding="gb18030", declare_charset=False),
        "/xwdt/content_1002.html": Route("portal/article.html", behaviour="flaky_once"),
        "/tzgg/index.html": Route("portal/tzgg.html"),
        "/tzgg/content_2001.html": Route("portal/notice.html"),
        "/zcwj/index.html": Route("portal/zcwj.html", behaviour="ratelimit_once"),
        "/ztzl/index.html": Route("portal/ztzl.html"),
        "/tpxw/index.html": Route("portal/tpxw.html"),
        "/hdjl/index.html": Route("portal/hdjl.html"),
        "/hdjl/liuyan/content_3001.html": Route("portal/message_answered.html"),
        "/hdjl/liuyan/content_3003.html": Route("portal/message_unanswered.html"),
        **{path: Route("portal/plain_article.html", context=(("title", title), ("days", days)))
           for path, (title, days) in {
               "/hdjl/liuyan/content_3002.html": ("唐家湾镇某小区门口道路积水问题", 20),
               "/xwdt/bmdt/content_501.html": ("区发改财政局召开预算编制工作会议", 41),
               "/xwdt/bmdt/content_502.html": ("区社会事业局开展秋季开学安全检查", 75),
               "/xwdt/content_0901.html": ("高新区召开年度政务公开工作总结会议", 333),
               "/xwdt/content_0902.html": ("高新区举办政府信息公开业务培训班", 375),
               "/tpxw/content_801.html": ("高新区举办科技成果转化对接活动", 33),
               "/tpxw/content_802.html": ("唐家湾镇开展防台风应急演练", 47),
           }.items()},
        "/widgets/weather.html": Route("portal/weather_widget.html"),
        "/download/shenqingbiao.doc": Route(body=b"\xd0\xcf\x11\xe0demo", content_type="application/msword",
                                            behaviour="no_head"),
        "/images/red.png": Route(body=b"\x89PNG\r\n\x1a\n", content_type="image/png"),
        "/css/main.css": Route(body=b"body{margin:0}", content_type="text/css"),
        **{f"/zwgk/fdzdgknr/{slug}/index.html": Route("portal/category.html")
           for slug in STATUTORY_COLUMNS if slug != "gzgfxwj"},
        **{f"/zwgk/fdzdgknr/{slug}/content_{n}.html": Route("portal/category_article.html")
           for slug in STATUTORY_COLUMNS if slug != "gzgfxwj" for n in (1, 2)},
        "/zwgk/fdzdgknr/gzgfxwj/index.html": Route("portal/document_library.html"),
        **{f"/zwgk/fdzdgknr/gzgfxwj/content_{n}.html": Route("portal/document.html", context=tuple(doc.items()))
           for n, doc in DOCUMENTS.items()},
        "/zwgk/fdzdgknr/flfg/index.html": Route("portal/law_library.html"),
        **{f"/zwgk/fdzdgknr/flfg/content_{n}.html": Route("portal/law.html", context=tuple(law.items()))
           for n, law in LAWS.items()},
    },
    DEPARTMENT: {
        "/": Route("department/index.html"),
        "/xwdt/content_301.html": Route("department/article.html"),
        "/zcfg/index.html": Route("department/zcfg.html"),
    },
    CITY: {"/": Route("city/index.html")},
    CITY_LOGIN: {"/": Route(status=403, body="拒绝访问".encode())},
    CONAC: {"/sitename": Route(body="党政机关网站标识（演示）".encode())},
    CDN: {"/js/jquery.min.js": Route(body=b"/* jQuery (demo) */", content_type="application/javascript")},
}

# Hosts whose unknown paths answer 200 with the homepage (a seeded soft-404 defect).
SOFT_404_HOSTS = {DEPARTMENT}

_P = "高新区门户网站（演示）"
_D = "科技创新局网站（演示）"

# Found only when pages are rendered (Chromium present): the 图片新闻 list is written by script.
RENDERED_EXPECTED: tuple[tuple[str, str, str], ...] = (
    ("高新区门户网站（演示）", "columns.stale", "图片新闻"),
)

# What a correct audit of the demo reports: (site, rule, a fragment of the finding's URL or
# evidence that identifies it). Anything else reported is a false alarm.
EXPECTED: tuple[tuple[str, str, str], ...] = (
    (_P, "links.dead", "/special/2019/index.html"),
    (_P, "links.dead", "/xxgk/old-guide.html"),
    (_P, "links.dead", "/images/2026/photo-missing.jpg"),
    (_P, "links.dead", "www.gxq-old-portal.gov.cn"),
    (_P, "identity.police", "/tzgg/"),
    (_P, "ipv6.subresource", CDN),
    (_P, "disclosure.subcolumn_missing", "政府信息公开制度"),
    (_P, "disclosure.guide_incomplete", "传真号码"),
    (_P, "disclosure.statutory_missing", "第二十条第（8）项"),
    (_P, "columns.stale", "部门动态"),
    (_P, "columns.blank", "专题专栏"),
    (_P, "interaction.unanswered", "content_3003.html"),
    (_P, "annual_report.arithmetic", "表四"),
    (_P, "regulations.outdated", "政府信息公开条例"),
    (_P, "regulations.repealed_shown", "中外合资经营企业法实施条例"),
    (_P, "regulations.repealed_shown", "12号"),
    (_P, "regulations.no_validity", "珠高规"),
    (_P, "regulations.late_publication", "8号"),
    (_D, "identity.conac", "kjcxj"),
    (_D, "identity.site_code", "44049000001"),
    (_D, "site.soft404", "govaudit-probe"),
    (_D, "site.domain", "kjcxj.gxq-demo.com"),
    (_D, "ipv6.no_aaaa", "kjcxj.gxq-demo.com"),
    (_D, "disclosure.column_missing", "kjcxj"),
    (_D, "disclosure.newmedia_list_missing", "kjcxj"),
    (_D, "interaction.unanswered", "在线互动渠道"),
    (_D, "regulations.library_missing", "kjcxj"),
    (_D, "annual_report.missing", "kjcxj"),
    # 内容安全, 办事服务, 政务新媒体 (issue 20)
    (_P, "content.wording", "中华人民共合国"),
    (_P, "content.sensitive_names", "周明远"),
    (_P, "content.future_date", "content_1004"),
    (_P, "privacy.id_number", "content_2002"),
    (_P, "privacy.mobile", "content_2002"),
    (_P, "privacy.bank_card", "content_2002"),
    (_P, "service.guide_incomplete", "设定依据"),
    (_P, "newmedia.list_stale", "zwxmt"),
    (_D, "service.entry_missing", "kjcxj"),
    (_D, "disclosure.search_missing", "kjcxj"),
    (_D, "disclosure.site_annual_report", "kjcxj"),
)


class _Handler(BaseHTTPRequestHandler):
    server: _DemoHTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _respond(self, head: bool) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        path = urlsplit(self.path).path
        route = ROUTES.get(host, {}).get(path)
        if route is None:
            route = ROUTES[host]["/"] if host in SOFT_404_HOSTS else Route("common/404.html", status=404)
        if route.redirect:
            status = route.status if 300 <= route.status < 400 else 301
            self._send(status, b"", [("Location", route.redirect)], head)
            return
        status, extra = self._behaviour(host, path, route, head)
        body, content_type = self._body(route)
        self._send(status, body, [("Content-Type", content_type), *extra], head)

    def _behaviour(self, host: str, path: str, route: Route, head: bool) -> tuple[int, list[tuple[str, str]]]:
        if route.behaviour == "no_head" and head:
            return 405, [("Allow", "GET")]
        if route.behaviour in ("flaky_once", "ratelimit_once"):
            with self.server.lock:
                seen = self.server.hits.get((host, path), 0)
                self.server.hits[(host, path)] = seen + 1
            if seen == 0:
                if route.behaviour == "flaky_once":
                    return 503, []
                return 429, [("Retry-After", "1")]
        return route.status, []

    def _body(self, route: Route) -> tuple[bytes, str]:
        if route.body is not None:
            charset = "; charset=utf-8" if route.content_type.startswith("text/") else ""
            return route.body, route.content_type + charset
        if route.annual:
            text = self.server.state.annual_report(route.annual)
        else:
            text = self.server.render(route.template or "common/404.html", urlsplit(self.path).path, route.context)
        body = text.encode(route.encoding, errors="replace")
        label = "gbk" if route.encoding == "gb18030" else route.encoding
        return body, route.content_type + (f"; charset={label}" if route.declare_charset else "")

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]], head: bool) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


class _DemoState:
    """What the IPv4 and IPv6 servers share: the port, request counts, the templates and
    the day the pages are dated from (every date in the demo is days before `today`)."""

    def __init__(self, today: date) -> None:
        self.lock = threading.Lock()
        self.hits: dict[tuple[str, str], int] = {}
        self.port = 0
        self.today = today
        self.templates = jinja2.Environment(loader=jinja2.PackageLoader("govaudit.demo", "sites"),
                                            autoescape=True)

    def render(self, template: str, path: str, extra: tuple[tuple[str, object], ...] = ()) -> str:
        def days_ago(days: int, fmt: str = "%Y-%m-%d") -> str:
            return (self.today - timedelta(days=days)).strftime(fmt)

        slug = path.split("/")[3] if path.startswith("/zwgk/fdzdgknr/") else ""
        name, newest = STATUTORY_COLUMNS.get(slug, ("", 0))
        return self.templates.get_template(template).render(
            port=self.port, d=days_ago, year=self.today.year, slug=slug, category=name, newest=newest,
            report_published=self.report_published().isoformat(),
            site_report_year=self.site_report_year(), site_report_published=f"{self.site_report_year() + 1}-01-20",
            relief=RELIEF, relief_card=RELIEF_CARD,
            **dict(extra))

    def site_report_year(self) -> int:
        """The year whose 政府网站工作年度报表 is due by now (published on time on the portal)."""
        return self.today.year - 1 if self.today > date(self.today.year, 1, 31) else self.today.year - 2


    def report_published(self) -> date:
        """Last year's report went out on 20 January (well before the deadline)."""
        published = date(self.today.year, 1, 20)
        return published if published < self.today else self.today - timedelta(days=1)

    def annual_report(self, which: str) -> str:
        from markupsafe import Markup

        from govaudit.demo.annual import CONSISTENT, report_parts

        year = self.today.year - 1
        if which == "due":  # 表四's 行政复议 总计 is wrong: a seeded arithmetic error
            title, body = report_parts(year, table4=[1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1])
            published = self.report_published().isoformat()
        else:
            numbers = {**CONSISTENT, "open": [10, 3, 0, 0, 0, 1], "carried_out": [2, 0, 0, 0, 0, 0]}
            title, body = report_parts(year - 1, numbers=numbers)
            published = f"{year}-01-25"
        return self.templates.get_template("portal/annual_report.html").render(
            port=self.port, title=Markup(title), body=Markup(body), published=published)


class _DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: _DemoState, address: tuple[str, int], family: int = socket.AF_INET) -> None:
        self.address_family = family
        self.state = state
        super().__init__(address, _Handler)

    @property
    def lock(self) -> threading.Lock:
        return self.state.lock

    @property
    def hits(self) -> dict[tuple[str, str], int]:
        return self.state.hits

    def render(self, template: str, path: str, extra: tuple[tuple[str, object], ...] = ()) -> str:
        return self.state.render(template, path, extra)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client closing its keep-alive connection is normal here: no traceback."""
        return


def _bind_pair(state: _DemoState) -> list[_DemoHTTPServer]:
    """An IPv4 and an IPv6 server on one port number (URLs carry one port for both)."""
    for _ in range(20):
        v4 = _DemoHTTPServer(state, ("127.0.0.1", 0))
        port = int(v4.server_address[1])
        try:
            v6 = _DemoHTTPServer(state, ("::1", port), socket.AF_INET6)
        except OSError:
            v4.server_close()
            continue
        state.port = port
        return [v4, v6]
    raise OSError("no free port on both 127.0.0.1 and ::1 for the demo")


@contextmanager
def serve_demo(today: date) -> Iterator[int]:
    """Serve every demo host on one loopback port, IPv4 and IPv6; yields the port. Pages
    are dated relative to `today`, so the demo reads the same whatever day it runs."""
    state = _DemoState(today)
    servers = _bind_pair(state)
    for server in servers:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                         name="govaudit-demo", daemon=True).start()
    try:
        yield state.port
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def demo_resolve_map() -> tuple[str, ...]:
    entries = [f"{host}:127.0.0.1" for host in HOSTS]
    entries += [f"{host}:::1" for host in HOSTS if host in DUAL_STACK]
    return tuple(entries)
