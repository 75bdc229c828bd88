"""A real HTTP server on loopback whose routes each test declares.

    site = TestSite()                      # 127.0.0.1, or TestSite("::1")
    site.page("/", "<html>...</html>")
    site.route("/flaky", [Reply(503), Reply(200, b"ok")])   # served in turn, last repeats
    with site: ... site.url("/") ...
    site.hits  # [(method, path), ...] every request received
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    delay_s: float = 0.0
    # Writes the body itself (trickling, resetting...); the response then has no length and
    # the connection closes after it.
    writer: Callable[[Any], None] | None = None


Responder = Reply | Sequence[Reply] | Callable[[str, str, dict[str, str]], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client resetting a keep-alive connection: not a test failure


class TestSite:
    __test__ = False  # not a pytest test class

    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: Any = None) -> None:
        self.host = host
        self.bind_port = port
        self.tls = tls   # an ssl.SSLContext: serve HTTPS
        self.routes: dict[str, Responder] = {}
        self.hits: list[tuple[str, str]] = []
        self.timeline: list[tuple[float, float, str]] = []   # (started, ended, path), monotonic seconds
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self.fallback: Responder = Reply(404, "<html><head><title>404</title></head><body>没有此页</body></html>".encode())
        self._server: _Server | None = None
        # The footer's badge image of support/pages.py
        self.route("/images/red.png", Reply(200, b"\x89PNG\r\n\x1a\n", content_type="image/png"))

    # -- declaring routes ----------------------------------------------------------------

    def route(self, path: str, responder: Responder) -> TestSite:
        self.routes[path] = responder
        return self

    def page(self, path: str, html: str, *, encoding: str = "utf-8", charset: str | None = "utf-8",
             status: int = 200) -> TestSite:
        content_type = "text/html" + (f"; charset={charset}" if charset else "")
        return self.route(path, Reply(status, html.encode(encoding), content_type=content_type))

    def redirect(self, path: str, location: str, status: int = 302) -> TestSite:
        return self.route(path, Reply(status, headers={"Location": location}, content_type=None))

    # -- running ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def __enter__(self) -> TestSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                site._serve(self, "GET")

            def do_HEAD(self) -> None:  # noqa: N802
                site._serve(self, "HEAD")

            def log_message(self, format: str, *args: Any) -> None:
                return

        server_class = _Server
        if ":" in self.host:
            server_class = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
        self._server = server_class((self.host, self.bind_port), Handler)
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        import time

        started = time.monotonic()
        try:
            self._answer(handler, method)
        finally:
            with self._lock:
                self.timeline.append((started, time.monotonic(), urlsplit(handler.path).path))

    def _answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = urlsplit(handler.path).path
        with self._lock:
            self.hits.append((method, path))
            count = self._counts.get(path, 0)
            self._counts[path] = count + 1
        responder = self.routes.get(path, self.fallback)
        if callable(responder):
            reply = responder(method, path, dict(handler.headers))
        elif isinstance(responder, Reply):
            reply = responder
        else:
            reply = responder[min(count, len(responder) - 1)]
        if reply.delay_s:
            import time

            time.sleep(reply.delay_s)
        handler.send_response(reply.status)
        headers = dict(reply.headers)
        if reply.content_type:
            headers.setdefault("Content-Type", reply.content_type)
        if reply.writer is None:
            headers["Content-Length"] = str(len(reply.body))
        else:
            headers["Connection"] = "close"
            handler.close_connection = True
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if method == "HEAD":
            return
        if reply.writer is not None:
            try:
                reply.writer(handler.wfile)
            except OSError:
                pass  # the client went away: what the test wanted to see
        else:
            handler.wfile.write(reply.body)

    def copy_routes_from(self, other: TestSite) -> TestSite:
        self.routes = dict(other.routes)
        return self

    def requested(self, path: str, method: str | None = None) -> int:
        return sum(1 for m, p in self.hits if p == path and (method is None or m == method))


class DualStack:
    """Two TestSites on one port number, 127.0.0.1 and [::1], for URLs that name a host
    resolving to both. Routes are declared on each (`v4`, `v6`) or on both (`both`)."""

    def __init__(self) -> None:
        self.v4 = TestSite("127.0.0.1")
        self.v6: TestSite | None = None

    def __enter__(self) -> DualStack:
        for _ in range(20):
            self.v4.__enter__()
            try:
                self.v6 = TestSite("::1", self.v4.port).__enter__()
                return self
            except OSError:
                self.v4.__exit__()
                self.v4 = TestSite("127.0.0.1")
        raise OSError("no port free on both 127.0.0.1 and ::1")

    def __exit__(self, *exc: object) -> None:
        self.v4.__exit__()
        if self.v6 is not None:
            self.v6.__exit__()

    @property
    def port(self) -> int:
        return self.v4.port

    def both(self, path: str, html: str) -> None:
        self.v4.page(path, html)
        assert self.v6 is not None
        self.v6.page(path, html)
