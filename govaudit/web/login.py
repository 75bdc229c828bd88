"""Logging in and out, the session of each request, and the CSRF check of every form.

- Each request's session is looked up (off the event loop) before any page sees it: a
  session whose user was removed or disabled, or whose password changed since, ends there.
- A form is accepted only with the synchronizer token of its session (before login: a token
  signed with the server's secret over a random cookie of the login page), and only from
  this site's own origin when the browser names one (a sibling host under the same domain
  is another origin).
- Password checks (Argon2) run on a bounded pool of their own threads; a client or user
  past the guessing limits is refused before any check (govaudit/web/throttle.py). Every
  login, failed or not, is logged with the client's address, never with the password.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from govaudit.config import Config, UserConfig
from govaudit.database import StoreTarget
from govaudit.web.auth import UserDirectory, authenticate, credential_stamp
from govaudit.web.sessions import Session, SessionStore
from govaudit.web.throttle import Lockout, LoginThrottle

log = logging.getLogger("govaudit.web.login")
_WAITING_PER_SLOT = 8     # password checks that may wait per running one; beyond: 503


@dataclass(frozen=True)
class Visitor:
    """Who is asking: the user and their session, or nobody."""

    user: UserConfig | None
    session: Session | None
    token: str = ""       # the session cookie's token (to end it at logout)


class Busy(Exception):
    """Too many password checks waiting."""


class Accounts:
    """Users, sessions, guessing limits and password checks of one workbench."""

    def __init__(self, config: Config, store: StoreTarget, secret: str) -> None:
        serve = config.serve
        self.directory = UserDirectory(config)
        self.sessions = SessionStore(store, max_age_s=serve.session_hours * 3600, idle_s=serve.idle_minutes * 60)
        self.throttle = LoginThrottle(store, config.login)
        self.secure = serve.https_only
        prefix = "__Host-" if serve.https_only else ""     # a sibling host cannot plant a __Host- cookie
        self.session_cookie = f"{prefix}govaudit_session"
        self.login_cookie = f"{prefix}govaudit_login"
        self.max_age_s = serve.session_hours * 3600
        self._secret = secret.encode()
        self._slots = serve.password_checks
        self._limiter: anyio.CapacityLimiter | None = None

    # -- each request -----------------------------------------------------------------------

    def visitor(self, token: str) -> Visitor:
        """The session of this cookie token and its user, if both still hold."""
        session = self.sessions.find(token) if token else None
        if session is None:
            return Visitor(None, None)
        user = self.directory.named(session.user)
        if user is None or user.disabled or credential_stamp(user) != session.stamp:
            self.sessions.end(token)
            log.warning("工作台：用户 %s 的会话已结束（用户已删除、停用或已改密码）", session.user)
            return Visitor(None, None)
        return Visitor(user, session, token)

    # -- forms ---------------------------------------------------------------------------------

    def login_token(self, request: Request) -> str:
        nonce = getattr(request.state, "login_nonce", "") or request.cookies.get(self.login_cookie, "")
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest() if nonce else ""

    def form_token(self, request: Request) -> str:
        """The token a form on this page must carry back."""
        visitor: Visitor = request.state.visitor
        return visitor.session.csrf if visitor.session else self.login_token(request)

    def prepare_login_form(self, request: Request) -> None:
        """The login page's random cookie, which its form's token is signed over: drawn now
        when the browser has none (given with the page by give_login_cookie)."""
        if not request.cookies.get(self.login_cookie):
            request.state.login_nonce = secrets.token_urlsafe(24)

    def give_login_cookie(self, request: Request, response: Response) -> None:
        nonce = getattr(request.state, "login_nonce", "")
        if nonce:
            response.set_cookie(self.login_cookie, nonce, max_age=self.max_age_s, path="/", secure=self.secure,
                                httponly=True, samesite="strict")

    async def posted(self, request: Request) -> FormData:
        """The form of a POST from this site with the right token; 403 otherwise."""
        if not same_origin(request, self.secure):
            log.warning("工作台：拒绝跨站提交 %s（Origin %r，来自 %s）", request.url.path,
                        request.headers.get("origin"), client_of(request))
            raise HTTPException(403, "请求被拒绝：表单来自其他网站。")
        form = await request.form(max_files=0, max_fields=64, max_part_size=16 * 1024)
        expected = self.form_token(request)
        sent = form.get("csrftoken")
        if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
            log.warning("工作台：拒绝 CSRF 校验失败的提交 %s（来自 %s）", request.url.path, client_of(request))
            raise HTTPException(403, "请求被拒绝：表单已过期或来源不明（CSRF 校验失败）。请返回上一页刷新后重试。")
        return form

    # -- logging in ------------------------------------------------------------------------------

    def locked(self, client: str, name: str) -> Lockout | None:
        return self.throttle.locked(client, name)

    async def check_password(self, name: str, password: str) -> UserConfig | None:
        """The user, when the password is theirs (Argon2 on the bounded pool; Busy when full)."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self._slots)
        if self._limiter.statistics().tasks_waiting >= self._slots * _WAITING_PER_SLOT:
            raise Busy
        users = self.directory.users()
        return await anyio.to_thread.run_sync(authenticate, users, name[:128], password[:1024], limiter=self._limiter)

    def open_session(self, response: Response, user: UserConfig, client: str) -> None:
        token, _ = self.sessions.open(user.name, credential_stamp(user), client)
        response.set_cookie(self.session_cookie, token, max_age=self.max_age_s, path="/", secure=self.secure,
                            httponly=True, samesite="strict")


class SessionLoader:
    """Puts the request's Visitor into request.state before anything else reads it."""

    def __init__(self, app: ASGIApp, accounts: Accounts) -> None:
        self.app = app
        self.accounts = accounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            token = Request(scope).cookies.get(self.accounts.session_cookie, "")
            visitor = await anyio.to_thread.run_sync(self.accounts.visitor, token) if token else Visitor(None, None)
            scope.setdefault("state", {})["visitor"] = visitor
        await self.app(scope, receive, send)


def same_origin(request: Request, secure: bool) -> bool:
    """A browser's POST names its origin; it must be this host (over HTTPS when https_only).
    Without an Origin header (old browsers, scripts) the token alone decides."""
    origin = request.headers.get("origin")
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    if origin is None:
        return True
    parts = urlsplit(origin)
    return (origin != "null" and parts.netloc.lower() == request.headers.get("host", "").lower()
            and (parts.scheme == "https" or not secure))


def client_of(request: Any) -> str:
    client = request.client
    return client.host if client else "?"
