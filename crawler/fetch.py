"""One URL, fetched politely: retries with backoff, Retry-After, redirects recorded hop by
hop, HEAD falling back to GET, a byte limit and a whole-request deadline."""

from __future__ import annotations

import asyncio
import email.utils
import functools
import importlib.metadata
import ssl
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx

from govaudit.crawler.failures import Failure, of_exception, of_status
from govaudit.crawler.netstream import SpeedLimit
from govaudit.crawler.options import CrawlerOptions
from govaudit.crawler.politeness import HostLimiter
from govaudit.crawler.resolve import AddressGuard, AddressSource, Resolver, ResolvingTransport
from govaudit.crawler.snapshot import Attempt, FetchOutcome, Hop, now_iso
from govaudit.crawler.urls import normalize, origin_key

_REDIRECTS = {301, 302, 303, 307, 308}
_RETRY_STATUSES = {429, 500, 502, 503, 504, 520, 521, 522, 523, 524}


def user_agent(contact_url: str) -> str:
    return f"Mozilla/5.0 (compatible; govaudit/{_version()}; +{contact_url})"


@functools.cache
def _version() -> str:
    try:
        return importlib.metadata.version("govaudit")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0+source"


@dataclass
class _Once:
    attempt: Attempt
    status: int | None
    headers: list[tuple[str, str]]
    body: bytes
    truncated: bool
    size: int
    failure: Failure | None = None


@dataclass(frozen=True)
class Fetched:
    outcome: FetchOutcome
    body: bytes | None
    truncated: bool
    size: int


def always(_: str) -> bool:
    return True


class Fetcher:
    """Owns the HTTP client. Use as `async with Fetcher(config, ...) as fetcher:`."""

    def __init__(self, config: CrawlerOptions, limiter: HostLimiter, resolver: AddressSource | None = None,
                 guard: AddressGuard | None = None, *, timings: bool = False) -> None:
        self.retry = config.retry
        self.limiter = limiter
        self.resolver = resolver or Resolver(config.network)
        self.guard = guard
        self.timings = timings  # connect / first-byte times (httpcore trace): only where measured
        self.verify: bool | ssl.SSLContext = (ssl.create_default_context(cafile=config.network.ca_file)
                                              if config.network.ca_file else True)
        # Hosts of the audited site whose certificate failed: recorded (site.https), then read
        # without verification so the rest of the audit can go on.
        self.tls_errors: dict[str, str] = {}
        self.insecure_ok: Callable[[str], bool] = lambda _: False
        self._insecure: httpx.AsyncClient | None = None
        self.headers = {"User-Agent": user_agent(config.politeness.contact_url),
                        "Accept-Language": "zh-CN,zh;q=0.9",
                        "Accept-Encoding": "gzip, deflate"}  # what _Inflater reads in bounded steps
        self._client: httpx.AsyncClient | None = None
        self._global_concurrency = config.politeness.global_concurrency

    async def __aenter__(self) -> Fetcher:
        self._client = self._make_client(self.verify)
        return self

    def _make_client(self, verify: bool | ssl.SSLContext) -> httpx.AsyncClient:
        speed = (SpeedLimit(self.retry.speed_limit_bytes_s, self.retry.speed_time_s)
                 if self.retry.speed_limit_bytes_s and self.retry.speed_time_s else None)
        transport = ResolvingTransport(self.resolver, max_connections=self._global_concurrency * 2, guard=self.guard,
                                       verify=verify, speed=speed)
        return httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(self.retry.timeout_s), headers=self.headers,
                                 follow_redirects=False, trust_env=False)

    async def __aexit__(self, *exc: object) -> None:
        for client in (self._client, self._insecure):
            if client is not None:
                await client.aclose()

    async def fetch(self, url: str, *, method: str = "GET", max_bytes: int = 0,
                    follow: Callable[[str], bool] = always, html_only: bool = False) -> Fetched:
        """Fetch `url` with retries, following redirects for which `follow(url)` is true.

        max_bytes > 0 reads the body up to that many (decompressed) bytes; 0 reads none;
        html_only reads it only when the response says (or does not say) it is HTML.
        """
        started = time.perf_counter()
        attempts: list[Attempt] = []
        hops: list[Hop] = []
        current = url
        visited = {url}
        for _ in range(self.retry.max_redirects + 1):
            once = await self._with_retries(method, current, max_bytes, html_only, attempts)
            location = _header(once.headers, "location") if once.status in _REDIRECTS else None
            if not location:
                return self._done(url, current, once, attempts, hops, started, method)
            try:
                target = normalize(urljoin(current, location))
            except ValueError:
                return self._done(url, current, once, attempts, hops, started, method,
                                  error=f"InvalidRedirect: {location[:200]}")
            hops.append(Hop(current, once.status or 0))
            if target in visited:
                return self._done(url, target, once, attempts, hops, started, method,
                                  error="RedirectLoop: 重定向循环")
            if not follow(target):
                return self._done(url, target, once, attempts, hops, started, method, left_scope=True)
            visited.add(target)
            current = target
        return self._done(url, current, once, attempts, hops, started, method,
                          error=f"TooManyRedirects: 超过 {self.retry.max_redirects} 次重定向")

    async def check(self, url: str) -> FetchOutcome:
        """Status of a link: HEAD, and GET when HEAD answers with an error status (many
        servers refuse or break on HEAD: 405, 501, 500) or fails for a reason other than
        name resolution (a GET would fail the same way)."""
        head = await self.fetch(url, method="HEAD")
        status = head.outcome.status
        failure = head.outcome.failure
        head_refused = status is not None and status >= 400
        head_failed = status is None and failure is not None and not failure.in_name_resolution
        if not (head_refused or head_failed):
            return head.outcome
        get = await self.fetch(url, method="GET")
        merged = head.outcome.attempts + get.outcome.attempts
        return _replace_attempts(get.outcome, merged, method="HEAD→GET")

    async def _with_retries(self, method: str, url: str, max_bytes: int, html_only: bool,
                            attempts: list[Attempt]) -> _Once:
        for number in range(self.retry.retries + 1):
            async with self.limiter.slot(origin_key(url)):
                once = await self._once(method, url, max_bytes, html_only)
            attempts.append(once.attempt)
            delay = self._retry_delay(once, number)
            if delay is None:
                return once
            await asyncio.sleep(delay)
        return once

    def _retry_delay(self, once: _Once, number: int) -> float | None:
        if number >= self.retry.retries:
            return None
        backoff = self.retry.backoff_s * (2 ** number)
        if once.attempt.error is not None:
            return float(backoff)  # even "no such domain" may be a resolver's blip: ask again
        if once.status in _RETRY_STATUSES:
            retry_after = once.attempt.retry_after_s
            if retry_after is None:
                return float(backoff)
            return retry_after if retry_after <= self.retry.max_retry_after_s else None
        return None

    async def _once(self, method: str, url: str, max_bytes: int, html_only: bool) -> _Once:
        assert self._client is not None, "Fetcher used outside `async with`"
        key = origin_key(url)
        client = self._client
        if key in self.tls_errors:
            client = self._insecure_client()
        once = await self._once_with(client, method, url, max_bytes, html_only)
        if client is self._client and once.failure is Failure.TLS and self.insecure_ok(url):
            self.tls_errors[key] = once.attempt.error or ""
            once = await self._once_with(self._insecure_client(), method, url, max_bytes, html_only)
        return once

    def _insecure_client(self) -> httpx.AsyncClient:
        if self._insecure is None:
            self._insecure = self._make_client(False)
        return self._insecure

    async def _once_with(self, client: httpx.AsyncClient, method: str, url: str, max_bytes: int,
                         html_only: bool) -> _Once:
        started = time.perf_counter()
        status: int | None = None
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        size = 0
        truncated = False
        error: str | None = None
        failure: Failure | None = None
        marks: dict[str, float] = {}

        async def trace(event: str, info: dict[str, object]) -> None:
            marks.setdefault(event, time.perf_counter())

        try:
            async with asyncio.timeout(self.retry.request_deadline_s):
                extensions = {"trace": trace} if self.timings else {}
                async with client.stream(method, url, extensions=extensions) as response:
                    marks["headers"] = time.perf_counter()
                    status = response.status_code
                    headers = list(response.headers.multi_items())
                    wanted = not html_only or looks_like_html(response.headers.get("content-type"))
                    if max_bytes > 0 and method != "HEAD" and wanted:
                        decoder = _Inflater(response.headers.get("content-encoding"))
                        async for raw in response.aiter_raw():
                            chunk = decoder.feed(raw, max_bytes - size + 1)
                            size += len(chunk)
                            chunks.append(chunk)
                            if size > max_bytes or decoder.over:
                                truncated = True
                                break
                        if size > max_bytes:
                            chunks = [b"".join(chunks)[:max_bytes]]
        except TimeoutError as exc:
            error = f"Deadline: 超过 {self.retry.request_deadline_s:g} 秒未完成"
            failure = of_exception(exc)
        except httpx.HTTPError as exc:
            error = _describe(exc)
            failure = of_exception(exc)
        if failure is None and status is not None:
            failure = of_status(status)
        connect = _span(marks, "connection.connect_tcp.started", "connection.connect_tcp.complete")
        attempt = Attempt(method=method, status=status, error=error,
                          elapsed_s=round(time.perf_counter() - started, 3),
                          retry_after_s=_retry_after(headers), connect_s=connect,
                          first_byte_s=round(marks["headers"] - started, 4) if "headers" in marks else None)
        return _Once(attempt, status, headers, b"".join(chunks), truncated, size, failure)

    def _done(self, url: str, final_url: str, once: _Once, attempts: list[Attempt], hops: list[Hop],
              started: float, method: str, *, error: str | None = None,
              left_scope: bool = False) -> Fetched:
        failure = None if left_scope else Failure.REDIRECT if error is not None else once.failure
        outcome = FetchOutcome(
            url=url, final_url=final_url,
            status=once.status if error is None or left_scope else None,
            error=error or once.attempt.error, attempts=tuple(attempts), redirects=tuple(hops),
            headers=kept_headers(once.headers), elapsed_s=round(time.perf_counter() - started, 3),
            fetched_at=now_iso(), method=method, left_scope=left_scope, failure=failure)
        if outcome.error is not None and not left_scope:
            return Fetched(outcome, None, False, once.size)
        return Fetched(outcome, once.body, once.truncated, once.size)


# Response headers kept in the snapshot: what rules and evidence read. The rest (dates, etags,
# cookies...) would cost a kilobyte per page on a 20,000-page site for nothing.
KEPT_HEADERS = frozenset({"content-type", "content-length", "content-encoding", "location", "retry-after",
                          "last-modified", "server", "www-authenticate", "strict-transport-security"})


def kept_headers(headers: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    kept = []
    for name, value in headers:
        lower = name.lower()
        if lower in KEPT_HEADERS:
            kept.append((sys.intern(lower), sys.intern(value) if len(value) < 80 else value))
    return tuple(kept)


class _Inflater:
    """Decompresses gzip/deflate bodies a bounded amount at a time: a small compressed
    body that inflates to gigabytes (a zip bomb) is cut at the byte limit, not inflated."""

    def __init__(self, encoding: str | None) -> None:
        kind = (encoding or "").strip().lower()
        wbits = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}.get(kind)
        self._zlib = zlib.decompressobj(wbits) if wbits is not None else None
        self.over = False

    def feed(self, data: bytes, room: int) -> bytes:
        if self._zlib is None:
            return data
        try:
            out = self._zlib.decompress(data, max(1, room))
        except zlib.error:
            return b""  # a broken stream: what was read so far stands
        if self._zlib.unconsumed_tail:
            self.over = True  # more would come out than there is room for
        return out


def looks_like_html(content_type: str | None) -> bool:
    """True for HTML, XHTML and a missing type (some old servers send none)."""
    if not content_type:
        return True
    kind = content_type.split(";")[0].strip().lower()
    return kind in ("text/html", "application/xhtml+xml", "")


def _span(marks: dict[str, float], start: str, end: str) -> float | None:
    """Seconds between two trace events; None when the request reused a connection."""
    if start in marks and end in marks:
        return round(marks[end] - marks[start], 4)
    return None


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _retry_after(headers: list[tuple[str, str]]) -> float | None:
    value = _header(headers, "retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _describe(exc: httpx.HTTPError) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(exc) or (str(cause) if cause else "")
    return f"{type(exc).__name__}: {text}"[:300]


def _replace_attempts(outcome: FetchOutcome, attempts: tuple[Attempt, ...], method: str) -> FetchOutcome:
    from dataclasses import replace

    return replace(outcome, attempts=attempts, method=method)
