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

import httpcore

_IO_ERRORS = (OSError, ssl.SSLError, EOFError)


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout("read timed out") from exc
        except _IO_ERRORS as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
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
                      socket_options: typing.Iterable[typing.Any] | None = None) -> AsyncioStream:
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
    return AsyncioStream(reader, writer)


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
