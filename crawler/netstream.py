"""Plain asyncio sockets for httpcore, in place of its anyio backend.

httpcore's anyio backend connects through anyio.connect_tcp, whose cancel scope writes the
repr of the current task into a string on every connection: with a finished audit's results
reachable from that task, one repr cost more memory than the whole crawl (measured: +130 MB
at the end of a 4,000-page audit). The addresses are already resolved (crawler.resolve), so
a direct asyncio connection is all that is needed; errors map to httpcore's exceptions as
its own backends map them.

Every stream is released on every path (success, timeout, TLS failure, reset, cancellation):
`aclose` aborts the transport and waits until its socket is closed. A graceful TLS close
would wait for the peer's close_notify for up to 30 s (asyncio's ssl_shutdown_timeout): a
broken server would hold one descriptor per connection, past the end of the event loop.
"""

from __future__ import annotations

import asyncio
import ssl
import typing
from dataclasses import dataclass

import httpcore

from govaudit.crawler.failures import Failure, SlowTransferError

_IO_ERRORS = (OSError, ssl.SSLError, EOFError)


@dataclass(frozen=True)
class SpeedLimit:
    """Like curl's --speed-limit / --speed-time: an answer that, once it has begun, delivers
    fewer than `bytes_per_s` over `window_s` is abandoned (a server dripping a byte every
    few seconds would otherwise hold an audit for minutes, each byte resetting the read
    timeout). Time to the first byte is the read timeout's business, not this one's."""

    bytes_per_s: int
    window_s: float


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 speed: SpeedLimit | None = None) -> None:
        self._reader = reader
        self._writer = writer
        self._speed = speed
        self._window_start: float | None = None   # set by the first byte of an answer
        self._window_bytes = 0

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        loop = asyncio.get_running_loop()
        give_up = None if timeout is None else loop.time() + timeout
        while True:
            wait = self._wait_for(loop, give_up)
            try:
                async with asyncio.timeout(wait):
                    data = await self._reader.read(max_bytes)
            except TimeoutError as exc:
                self._check_speed(loop)
                if give_up is not None and loop.time() >= give_up:
                    raise httpcore.ReadTimeout("read timed out") from exc
                continue
            except _IO_ERRORS as exc:
                raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc
            self._count(loop, len(data))
            return data

    def _wait_for(self, loop: asyncio.AbstractEventLoop, give_up: float | None) -> float | None:
        """How long one read may wait: to the read timeout, or to the end of the speed window."""
        left = None if give_up is None else max(0.0, give_up - loop.time())
        if self._speed is None or self._window_start is None:
            return left
        window_left = max(0.0, self._window_start + self._speed.window_s - loop.time())
        return window_left if left is None else min(left, window_left)

    def _count(self, loop: asyncio.AbstractEventLoop, received: int) -> None:
        if self._speed is None or not received:
            return
        if self._window_start is None:
            self._window_start = loop.time()
        self._window_bytes += received
        self._check_speed(loop)

    def _check_speed(self, loop: asyncio.AbstractEventLoop) -> None:
        """At the end of each window: too few bytes is a slow transfer; else a new window."""
        speed = self._speed
        if speed is None or self._window_start is None or loop.time() - self._window_start < speed.window_s:
            return
        if self._window_bytes < speed.bytes_per_s * speed.window_s:
            raise SlowTransferError(f"SlowTransfer: {speed.window_s:g} 秒内只收到 {self._window_bytes} 字节"
                                    f"（低于每秒 {speed.bytes_per_s} 字节）", Failure.SLOW_TRANSFER)
        self._window_start, self._window_bytes = loop.time(), 0

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        self._window_start, self._window_bytes = None, 0   # a new request: its answer starts afresh
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout("write timed out") from exc
        except _IO_ERRORS as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        await release(self._writer)

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout("TLS handshake timed out") from exc
        except _IO_ERRORS as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        except BaseException:  # cancelled mid-handshake: the socket must not outlive the task
            self._writer.transport.abort()
            raise
        return self

    def get_extra_info(self, info: str) -> typing.Any:
        transport = self._writer.transport
        if info == "ssl_object":
            return transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        if info == "socket":
            return transport.get_extra_info("socket")
        if info == "is_readable":  # an idle keep-alive connection the server has closed
            return self._reader.at_eof() or transport.is_closing()
        return None


async def connect_tcp(address: str, port: int, timeout: float | None = None,
                      socket_options: typing.Iterable[typing.Any] | None = None,
                      speed: SpeedLimit | None = None) -> AsyncioStream:
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(address, port)
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(f"connect to {address}:{port} timed out") from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
    try:
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
    except OSError as exc:
        await release(writer)
        raise httpcore.ConnectError(f"socket option: {exc}") from exc
    return AsyncioStream(reader, writer, speed)


# Bounds the wait for a socket to close; closing normally takes one turn of the event loop.
_RELEASE_LIMIT_S = 1.0


async def release(writer: asyncio.StreamWriter) -> None:
    """Abort the connection and wait until its socket is closed.

    Abort, not close: nothing is left to send, and a graceful close can wait on the peer.
    The wait watches the socket itself, not `writer.wait_closed()`: after a failed
    `start_tls` the transport belongs to asyncio's SSL protocol, and the stream's protocol
    is never told the connection was lost.
    """
    sock = writer.get_extra_info("socket")
    writer.transport.abort()
    if sock is None:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _RELEASE_LIMIT_S
    pause = 0.0
    while sock.fileno() != -1 and loop.time() < deadline:
        await asyncio.sleep(pause)
        pause = 0.01
