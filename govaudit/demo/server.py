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
HOSTS = (PORTAL, DEPARTMENT, CITY, CITY_LOGIN, CONAC, CDN)
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


_ROBOTS = b"User-agent: *\nDisallow: /admin/\n"

ROUTES: dict[str, dict[str, Route]] = {
    PORTAL: {
        "/robots.txt": Route(body=_ROBOTS, content_type="text/plain"),
        "/": Route("portal/index.html"),
        "/index.html": Route(redirect="/"),
        "/zwgk/": Route(redirect="/zwgk/index.html", status=301),
        "/zwgk/index.html": Route("portal/zwgk.html", encoding="gb18030"),
        "/zwgk/zfxxgkzn.html": Route("portal/guide.html"),
        "/xwdt/index.html": Route("portal/xwdt.html"),
        "/xwdt/2026/t20261120_1001.html": Route("portal/article_gbk.html", encoding="gb18030",
                                                 declare_charset=False),
        "/xwdt/2026/t20261118_1002.html": Route("portal/article.html", behaviour="flaky_once"),
        "/tzgg/index.html": Route("portal/tzgg.html"),
        "/tzgg/t20261115_2001.html": Route("portal/notice.html"),
        "/zcwj/index.html": Route("portal/zcwj.html", behaviour="ratelimit_once"),
        "/hdjl/index.html": Route("portal/hdjl.html"),
        "/widgets/weather.html": Route("portal/weather_widget.html"),
        "/download/shenqingbiao.doc": Route(body=b"\xd0\xcf\x11\xe0demo", content_type="application/msword",
                                            behaviour="no_head"),
        "/images/red.png": Route(body=b"\x89PNG\r\n\x1a\n", content_type="image/png"),
        "/css/main.css": Route(body=b"body{margin:0}", content_type="text/css"),
    },
    DEPARTMENT: {
        "/": Route("department/index.html"),
        "/xwdt/t20261110_301.html": Route("department/article.html"),
        "/zcfg/index.html": Route("department/zcfg.html"),
    },
    CITY: {"/": Route("city/index.html")},
    CITY_LOGIN: {"/": Route(status=403, body="拒绝访问".encode("utf-8"))},
    CONAC: {"/sitename": Route(body="党政机关网站标识（演示）".encode("utf-8"))},
    CDN: {"/js/jquery.min.js": Route(body=b"/* jQuery (demo) */", content_type="application/javascript")},
}

# Hosts whose unknown paths answer 200 with the homepage (a seeded soft-404 defect).
SOFT_404_HOSTS = {DEPARTMENT}

# What a correct audit of the demo reports: (site, rule, a fragment of the finding's URL or
# evidence that identifies it). Anything else reported is a false alarm.
EXPECTED: tuple[tuple[str, str, str], ...] = (
    ("高新区门户网站（演示）", "links.dead", "/special/2019/index.html"),
    ("高新区门户网站（演示）", "links.dead", "/xxgk/old-guide.html"),
    ("高新区门户网站（演示）", "links.dead", "/images/2026/photo-missing.jpg"),
    ("高新区门户网站（演示）", "links.dead", "www.gxq-old-portal.gov.cn"),
    ("高新区门户网站（演示）", "identity.police", "/tzgg/"),
    ("科技创新局网站（演示）", "identity.conac", "kjcxj"),
    ("科技创新局网站（演示）", "identity.site_code", "44049000001"),
    ("科技创新局网站（演示）", "site.soft404", "govaudit-probe"),
    ("科技创新局网站（演示）", "site.domain", "kjcxj.gxq-demo.com"),
    ("科技创新局网站（演示）", "ipv6.no_aaaa", "kjcxj.gxq-demo.com"),
    ("高新区门户网站（演示）", "ipv6.subresource", CDN),
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
        text = self.server.render(route.template or "common/404.html")
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
    """What the IPv4 and IPv6 servers share: the port, request counts, the templates."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: dict[tuple[str, str], int] = {}
        self.port = 0
        self.templates = jinja2.Environment(loader=jinja2.PackageLoader("govaudit.demo", "sites"),
                                            autoescape=True)

    def render(self, template: str) -> str:
        return self.templates.get_template(template).render(port=self.port)


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

    def render(self, template: str) -> str:
        return self.state.render(template)


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
def serve_demo() -> Iterator[int]:
    """Serve every demo host on one loopback port, IPv4 and IPv6; yields the port."""
    state = _DemoState()
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
