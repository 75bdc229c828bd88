"""Why a request failed, decided once, here, from the exception and the status: the rules
branch on this enum and never take error strings apart.

`proves_dead` says whether a failure (after the fetcher's retries) shows that the target
does not work for a visitor. The others mean the tester cannot tell: the crawler did not
ask (a host outside the resolve map, an address the guard keeps it from, an IP literal the
audit may not contact), its own resolver failed, the certificate could not be checked, or a
firewall answered instead of the site (瑞数 412, 加速乐 521 challenge pages).
"""

from __future__ import annotations

import ssl
from enum import Enum

import httpcore
import httpx


class Failure(str, Enum):
    DNS_NXDOMAIN = "dns_nxdomain"        # the name does not exist
    DNS_NODATA = "dns_nodata"            # the name has no address
    DNS_NOT_ASKED = "dns_not_asked"      # not resolved by configuration (resolve_only_mapped)
    DNS_TIMEOUT = "dns_timeout"
    DNS_ERROR = "dns_error"              # SERVFAIL or another resolver failure
    BLOCKED_BY_SCOPE = "blocked_by_scope"  # an address the audit may not contact
    REFUSED = "refused"
    RESET = "reset"
    CONNECT = "connect"                  # no connection for another reason (unreachable ...)
    TIMEOUT = "timeout"
    SLOW_TRANSFER = "slow_transfer"      # an answer trickling below the speed floor
    DEADLINE = "deadline"                # the whole request outlasted its deadline
    TLS = "tls"
    PROTOCOL = "protocol"                # a broken HTTP answer
    REDIRECT = "redirect"                # a loop, too many hops, an invalid Location
    HTTP_STATUS = "http_status"          # an HTTP error status (4xx/5xx)
    ANTI_BOT = "anti_bot"                # a firewall's challenge instead of the page
    AUTH = "auth"                        # 401/403/407: the tester is refused, not the visitor
    RATE_LIMITED = "rate_limited"        # 429

    @property
    def proves_dead(self) -> bool:
        return self not in _UNDECIDED

    @property
    def in_name_resolution(self) -> bool:
        """Failed before any connection: another method would fail the same way."""
        return self in _NAME_RESOLUTION


_UNDECIDED = frozenset({Failure.DNS_NOT_ASKED, Failure.DNS_TIMEOUT, Failure.DNS_ERROR, Failure.BLOCKED_BY_SCOPE,
                        Failure.TLS, Failure.ANTI_BOT, Failure.AUTH, Failure.RATE_LIMITED})
_NAME_RESOLUTION = frozenset({Failure.DNS_NXDOMAIN, Failure.DNS_NODATA, Failure.DNS_NOT_ASKED, Failure.DNS_TIMEOUT,
                              Failure.DNS_ERROR})
# Statuses firewalls answer with instead of the page: 412 (瑞数 / Botgate), 521 (加速乐's
# JavaScript challenge; also Cloudflare's "origin down", which cannot be told apart).
ANTI_BOT_STATUSES = frozenset({412, 521})
_AUTH_STATUSES = frozenset({401, 403, 407})


class ResolutionFailed(Exception):
    """A host name could not be turned into an address; `failure` says why."""

    def __init__(self, host: str, failure: Failure, detail: str = "") -> None:
        self.host = host
        self.failure = failure
        super().__init__(f"{host}: {failure.value} {detail}".strip())


class ClassifiedConnectError(httpcore.ConnectError):
    """A connection not made for a reason decided where it happened (name resolution, the
    address guard). A subclass of httpcore's error, so that it survives httpcore's pool,
    which re-raises with `from None`, and httpx's mapping, which keeps it as the cause."""

    def __init__(self, message: str, failure: Failure) -> None:
        super().__init__(message)
        self.failure = failure


class SlowTransferError(httpcore.ReadError):
    """An answer below the speed floor (crawler.netstream.SpeedLimit)."""

    def __init__(self, message: str, failure: Failure) -> None:
        super().__init__(message)
        self.failure = failure


def of_status(status: int) -> Failure | None:
    """The failure an HTTP status stands for; None for a working answer (< 400)."""
    if status < 400:
        return None
    if status in ANTI_BOT_STATUSES:
        return Failure.ANTI_BOT
    if status in _AUTH_STATUSES:
        return Failure.AUTH
    if status == 429:
        return Failure.RATE_LIMITED
    return Failure.HTTP_STATUS


def of_exception(exc: BaseException) -> Failure:
    """The failure behind a transport exception (httpx's, with its causes)."""
    if isinstance(exc, TimeoutError):
        return Failure.DEADLINE
    for cause in _chain(exc):
        if isinstance(cause, (ClassifiedConnectError, SlowTransferError, ResolutionFailed)):
            return cause.failure
        if isinstance(cause, (ssl.SSLError, ssl.CertificateError)):
            return Failure.TLS
        if isinstance(cause, ConnectionRefusedError):
            return Failure.REFUSED
        if isinstance(cause, ConnectionResetError):
            return Failure.RESET
    if isinstance(exc, httpx.TimeoutException):
        return Failure.TIMEOUT
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return Failure.PROTOCOL
    return Failure.CONNECT


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
