"""Every connection is released on every path: a few hundred requests to failing TLS,
resetting, stalling, closing and trickling servers (and a few cancelled mid-request) leave
the process with the descriptors it started with, and no ResourceWarning."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from govaudit.crawler.fetch import Fetched, Fetcher
from govaudit.crawler.politeness import HostLimiter
from tests.conftest import fast_config

ROOT = Path(__file__).resolve().parents[2]
PER_MODE = 50


@pytest.fixture(scope="module")
def bad_servers() -> Iterator[dict[str, int]]:
    process = subprocess.Popen([sys.executable, "-m", "tests.support.badservers"], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def _url(mode: str, port: int) -> str:
    scheme = "https" if mode.startswith("tls") else "http"
    return f"{scheme}://127.0.0.1:{port}/page-{mode}.html"


async def _hammer(ports: dict[str, int]) -> tuple[list[Fetched], int]:
    config = fast_config()
    config = config.replace(
        retry=dataclasses.replace(config.retry, timeout_s=0.3, request_deadline_s=1.0, retries=0),
        politeness=dataclasses.replace(config.politeness, per_host_concurrency=25, global_concurrency=60))
    limiter = HostLimiter(25, 0.0, 60)
    async with Fetcher(config.crawler, limiter) as fetcher:
        # As for the audited site's own host: a certificate failure is recorded, then read on.
        fetcher.insecure_ok = lambda url: f":{ports['tls_silent']}/" in url
        requests = [fetcher.fetch(_url(mode, port), max_bytes=10_000) for mode, port in ports.items()
                    for _ in range(PER_MODE)]
        results = await asyncio.gather(*requests)
        # Cancelled mid-request: the task dies while its connection waits on the server.
        stalled = [asyncio.create_task(fetcher.fetch(_url(mode, ports[mode]), max_bytes=10_000))
                   for mode in ("stall", "tls_stall", "trickle") for _ in range(10)]
        await asyncio.sleep(0.15)
        for task in stalled:
            task.cancel()
        cancelled = sum(1 for r in await asyncio.gather(*stalled, return_exceptions=True)
                        if isinstance(r, asyncio.CancelledError))
    return list(results), cancelled


def test_failed_connections_release_their_descriptors(bad_servers: dict[str, int]) -> None:
    gc.collect()   # what earlier tests left for the collector (their stores' readers) goes first
    before = _open_descriptors()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results, cancelled = asyncio.run(_hammer(bad_servers))
        gc.collect()
    after = _open_descriptors()

    by_mode: dict[str, list[Fetched]] = {}
    for fetched in results:
        mode = fetched.outcome.url.rsplit("page-", 1)[1].removesuffix(".html")
        by_mode.setdefault(mode, []).append(fetched)
    assert all(f.outcome.ok for f in by_mode["ok"] + by_mode["tls_silent"])
    for mode in ("tls_untrusted", "tls_stall", "reset", "stall", "eof", "trickle"):
        assert len(by_mode[mode]) == PER_MODE and all(f.outcome.error and f.body is None for f in by_mode[mode]), mode
    assert "certificate" in (by_mode["tls_untrusted"][0].outcome.error or "").lower()
    assert cancelled == 30
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert after == before, f"{after - before} descriptors left open"
