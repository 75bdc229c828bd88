"""Server-side sessions of the workbench, kept in the store.

The cookie holds a random token; the store keeps only its SHA-256, the user, the stamp of
the user's password at login, the session's CSRF token (a synchronizer token: forms carry
it, the server compares) and when it was opened and last used. So the server can end a
session: logout deletes it, `govaudit user remove/disable` and a password change delete the
user's sessions (and a changed password no longer matches the stamp), and a session unused
for [serve] idle_minutes or older than session_hours is gone. Nothing about a session can be
forged or extended from the client side.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update

from govaudit.database import StoreTarget
from govaudit.dbschema import web_sessions
from govaudit.store import Store

_TOUCH_EVERY_S = 60.0   # last_seen is written at most this often per session (idle timing to the minute)


@dataclass(frozen=True)
class Session:
    id: str            # SHA-256 of the cookie token
    user: str
    stamp: str
    csrf: str
    client: str
    created_at: float
    last_seen: float


class SessionStore:
    def __init__(self, target: StoreTarget, *, max_age_s: float, idle_s: float) -> None:
        self.target = target
        self.max_age_s = max_age_s
        self.idle_s = idle_s

    def open(self, user: str, stamp: str, client: str, now: float | None = None) -> tuple[str, Session]:
        """A new session (a new token: a session id is never carried over a login); the token
        goes into the cookie, the session's digest into the store."""
        now = time.time() if now is None else now
        token = secrets.token_urlsafe(32)
        session = Session(id=_digest(token), user=user, stamp=stamp, csrf=secrets.token_urlsafe(32),
                          client=client[:64], created_at=now, last_seen=now)
        with Store(self.target).transaction() as connection:
            connection.execute(delete(web_sessions).where(self._expired(now)))
            connection.execute(insert(web_sessions).values(**session.__dict__))
        return token, session

    def find(self, token: str, now: float | None = None) -> Session | None:
        """The live session of this cookie token, its last use noted; None when there is none."""
        if not token or len(token) > 100:
            return None
        now = time.time() if now is None else now
        key = _digest(token)
        with Store(self.target).reading() as connection:
            row = connection.execute(select(web_sessions).where(web_sessions.c.id == key)).first()
        if row is None:
            return None
        session = Session(**row._mapping)
        if now - session.created_at > self.max_age_s or now - session.last_seen > self.idle_s:
            self.end(token)
            return None
        if now - session.last_seen > _TOUCH_EVERY_S:
            with Store(self.target).transaction() as connection:
                connection.execute(update(web_sessions).where(web_sessions.c.id == key).values(last_seen=now))
        return session

    def end(self, token: str) -> None:
        with Store(self.target).transaction() as connection:
            connection.execute(delete(web_sessions).where(web_sessions.c.id == _digest(token)))

    def end_user(self, user: str) -> int:
        """End every session of a user; how many there were."""
        with Store(self.target).transaction() as connection:
            return int(connection.execute(delete(web_sessions).where(web_sessions.c.user == user)).rowcount or 0)

    def live_counts(self, now: float | None = None) -> dict[str, int]:
        """Live sessions per user."""
        now = time.time() if now is None else now
        query = (select(web_sessions.c.user, func.count()).where(~self._expired(now))
                 .group_by(web_sessions.c.user))
        with Store(self.target).reading() as connection:
            return {user: int(count) for user, count in connection.execute(query)}

    def _expired(self, now: float) -> ColumnElement[bool]:
        return or_(web_sessions.c.created_at < now - self.max_age_s, web_sessions.c.last_seen < now - self.idle_s)


def end_sessions_of(target: StoreTarget, user: str) -> int:
    """For the `govaudit user` commands: end a user's sessions (the limits do not matter here)."""
    return SessionStore(target, max_age_s=0, idle_s=0).end_user(user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
