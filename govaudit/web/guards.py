"""What stands between the network and the workbench's pages: who may read without logging
in, which Host names are served, how large a request body may be, and the headers every
response carries, errors included (an error never shows a traceback)."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govaudit.config import ServeOptions

log = logging.getLogger(__name__)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'; form-action 'self'; frame-ancestors 'none'"
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                    (b"cache-control", b"no-store")]
# Headers a proxy adds: their presence means the peer is not the reader.
PROXY_HEADERS = (b"forwarded", b"x-forwarded-for", b"x-forwarded-host", b"x-forwarded-proto", b"x-real-ip", b"via")


# -- who may read without logging in -----------------------------------------------------------

def anonymous_rule(serve: ServeOptions) -> str:
    """The rule in force, in Chinese, for the start-up message."""
    if serve.anonymous_read == "no":
        return "未登录不能查看（[serve] anonymous_read = \"no\"）"
    if serve.https_only:
        return "未登录不能查看（https_only = true：经代理对外提供服务）"
    rule = "仅本机直接访问（回环地址、无代理头）时未登录可查看；其他来源须登录"
    return rule + ("（anonymous_read = \"yes\" 按 \"auto\" 处理，不再向网络开放）" if serve.anonymous_read == "yes" else "")


def may_read_anonymously(serve: ServeOptions, scope: Scope) -> bool:
    """Only a reader on this machine itself: the peer is loopback and no proxy speaks for
    anyone; never with https_only (then a proxy serves the network) or anonymous_read = "no"."""
    if serve.anonymous_read == "no" or serve.https_only:
        return False
    if any(name in PROXY_HEADERS for name, _ in scope.get("headers", [])):
        return False
    client = scope.get("client")
    return client is not None and ipaddress_is_loopback(client[0])


def is_loopback_host(host: str) -> bool:
    """localhost, or a loopback address (bracketed or not)."""
    return host == "localhost" or ipaddress_is_loopback(host.strip("[]"))


def ipaddress_is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def allowed_hosts(serve: ServeOptions, bind: str) -> list[str]:
    """Host names served ([serve] allowed_hosts, else the bind address and loopback names),
    IPv6 literals bracketed as they stand in a Host header."""
    names = list(serve.allowed_hosts) or [bind, "localhost", "127.0.0.1", "::1"]
    return sorted({_bracketed(name.lower()) for name in names})


def _bracketed(name: str) -> str:
    try:
        return f"[{ipaddress.IPv6Address(name.strip('[]'))}]"
    except ValueError:
        return name


# -- request bodies -----------------------------------------------------------------------------

class BodyLimit:
    """Refuses (413) a request body over `limit` bytes: by its Content-Length at once, or, sent
    in chunks, as soon as it passes the limit. What is still coming is read and dropped, up to
    _DRAIN bytes, before the answer, so a proxy that is still sending gets the 413 rather than a
    reset connection (its 502); past that the connection is simply closed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length and (not length.isdigit() or int(length) > self.limit):
            if length.isdigit() and int(length) <= _DRAIN:
                await _drain(receive, _DRAIN)
            await _refuse(send, 413 if length.isdigit() else 400)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                if message.get("more_body"):
                    await _drain(receive, _DRAIN)
                raise HTTPException(413)
            return message

        await self.app(scope, limited, send)


_DRAIN = 1024 * 1024


async def _drain(receive: Receive, budget: int) -> None:
    while budget > 0:
        message = await receive()
        budget -= len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body"):
            return


async def _refuse(send: Send, status: int) -> None:
    body = error_page(status).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# -- every response -----------------------------------------------------------------------------

_ERRORS = {400: "请求有误", 401: "需要登录", 403: "请求被拒绝", 404: "没有这个页面", 405: "不支持这种请求方式",
           413: "提交的内容过大", 429: "尝试次数过多，请稍后再试", 500: "服务器出错", 503: "服务器繁忙，请稍后再试"}


def error_page(status: int, text: str | None = None) -> str:
    """A plain error page (status and a Chinese line; never a traceback)."""
    from html import escape

    title = _ERRORS.get(status, "请求出错")
    line = escape(text) if text else title
    return (f"<!DOCTYPE html><html lang='zh-CN'><meta charset='utf-8'><title>{title}</title>"
            f"<p>{line}（{status}）。<a href='/'>返回首页</a></p></html>")


class SecurityHeaders:
    """CSP (no script at all), no framing, no sniffing, no caching, on every response, errors
    included; an exception that escapes everything else becomes a plain 500 page here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(event: Any) -> None:
            nonlocal started
            if event["type"] == "http.response.start":
                started = True
                kept = [(k, v) for k, v in event.get("headers", []) if k.lower() not in dict(SECURITY_HEADERS)]
                event = {**event, "headers": [*kept, *SECURITY_HEADERS]}
            await send(event)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            log.exception("工作台：处理 %s %s 时出错", scope.get("method"), scope.get("path"))
            if not started:
                await _refuse(with_headers, 500)
