"""Limits on password guessing: failed logins counted per client address and per user name,
in the store (so they hold across restarts and are the same for every process).

Within [login] window_minutes, client_failures failures from one client (an IPv6 client
counted by its /64, which one machine can fill with addresses) or user_failures for one name
(from anywhere) lock that client or name out for lockout_minutes; each further lockout lasts
twice as long as the one before, up to lockout_max_minutes. A locked-out attempt is refused
before any password is checked, so guessing costs the server nothing. A name that does not
exist is counted like one that does (the answer never tells which names exist).
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, and_, delete, select

from govaudit.config import LoginOptions
from govaudit.database import StoreTarget
from govaudit.dbschema import login_failures
from govaudit.store import Store, upsert


@dataclass(frozen=True)
class Lockout:
    key: str           # "client:…" or "user:…"
    seconds: float     # until the lockout ends


def client_key(address: str) -> str:
    """The unit a client is counted by: its address, or for IPv6 its /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6 and not ip.is_loopback:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class LoginThrottle:
    def __init__(self, target: StoreTarget, options: LoginOptions) -> None:
        self.target = target
        self.options = options

    def _limits(self) -> dict[str, int]:
        return {"client": self.options.client_failures, "user": self.options.user_failures}

    def locked(self, client: str, user: str, now: float | None = None) -> Lockout | None:
        """The lockout in force for this client or this name (the longer one), if any."""
        now = time.time() if now is None else now
        keys = [f"client:{client_key(client)}", f"user:{user[:128]}"]
        with Store(self.target).reading() as connection:
            rows = connection.execute(select(login_failures.c.key, login_failures.c.locked_until)
                                      .where(login_failures.c.key.in_(keys))).all()
        active = [Lockout(key, until - now) for key, until in rows if until > now]
        return max(active, key=lambda lock: lock.seconds) if active else None

    def failed(self, client: str, user: str, now: float | None = None) -> Lockout | None:
        """Count a failed login; the lockout it starts, if it reaches a limit."""
        now = time.time() if now is None else now
        started = None
        with Store(self.target).transaction() as connection:
            self._forget_old(connection, now)
            for kind, key in (("client", f"client:{client_key(client)}"), ("user", f"user:{user[:128]}")):
                row = connection.execute(select(login_failures).where(login_failures.c.key == key)).first()
                values = self._counted(row._mapping if row else None, self._limits()[kind], now)
                upsert(connection, login_failures, [{"key": key, **values}])
                if values["locked_until"] > now and (row is None or row.locked_until <= now):
                    started = Lockout(key, values["locked_until"] - now)
        return started

    def succeeded(self, user: str) -> None:
        """A right password clears the name's count (the client's decays with the window)."""
        with Store(self.target).transaction() as connection:
            connection.execute(delete(login_failures).where(login_failures.c.key == f"user:{user[:128]}"))

    def _counted(self, row: RowMapping | None, limit: int, now: float) -> dict[str, float | int]:
        window = self.options.window_minutes * 60
        longest = self.options.lockout_max_minutes * 60
        failures, first_at, locked_until, lockouts = (0, now, 0.0, 0) if row is None else (
            row["failures"], row["first_at"], row["locked_until"], row["lockouts"])
        if now - first_at > window:
            failures, first_at = 0, now
        if locked_until and now - locked_until > longest:
            lockouts = 0          # long quiet since the last lockout: start again from the shortest
        failures += 1
        if failures >= limit:
            lockouts += 1
            length = min(self.options.lockout_minutes * 60 * 2 ** (lockouts - 1), longest)
            locked_until, failures, first_at = now + length, 0, now
        return {"failures": failures, "first_at": first_at, "locked_until": locked_until, "lockouts": lockouts}

    def _forget_old(self, connection: Connection, now: float) -> None:
        """Rows with nothing left to remember: the store never grows with past guessers."""
        window = self.options.window_minutes * 60
        longest = self.options.lockout_max_minutes * 60
        connection.execute(delete(login_failures).where(and_(
            login_failures.c.first_at < now - window, login_failures.c.locked_until < now - longest)))

    def lockouts(self, now: float | None = None) -> list[Lockout]:
        """Lockouts in force (for the admin's accounts page)."""
        now = time.time() if now is None else now
        with Store(self.target).reading() as connection:
            rows = connection.execute(select(login_failures.c.key, login_failures.c.locked_until)
                                      .where(login_failures.c.locked_until > now)).all()
        return [Lockout(key, until - now) for key, until in rows]
