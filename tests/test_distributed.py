"""The Celery engine with the real services: redis-server as broker (and the shared politeness),
PostgreSQL as the shared store, `govaudit worker` processes, `govaudit run` as coordinator."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govaudit.store import Store
from tests.conftest import TODAY
from tests.support.fleet import stable_findings, wait_for_workers
from tests.support.pages import page
from tests.support.server import Reply, TestSite
from tests.support.sites import varied_site

pytestmark = pytest.mark.timeout(240)


def _config(path: Path, sites: dict[str, str], *, store: str, broker: str, engine: str = "celery",
            politeness: str = "per_host_concurrency = 2\nmin_interval_s = 0", max_site_seconds: int = 30,
            judge: str = "thread", max_depth: int = 3) -> Path:
    """A config file as the workers and the coordinator read it: loopback test sites only
    (no name resolves), no external links, no browser."""
    listed = "".join(f'[[sites]]\nname = "{name}"\nurl = "{url}"\nunit = "{name}单位"\n\n' for name, url in sites.items())
    path.write_text(f"""
[crawl]
max_site_seconds = {max_site_seconds}
max_depth = {max_depth}
check_external_links = false
[network]
resolve_only_mapped = true
[retry]
timeout_s = 3
backoff_s = 0.05
request_deadline_s = 10
[politeness]
{politeness}
[render]
mode = "never"
screenshots = false
[ipv6]
enabled = false
[store]
url = "{store}"
reports_dir = "{path.parent / 'reports'}"
[run]
engine = "{engine}"
judge = "{judge}"
[celery]
broker_url = "{broker}"
judge_allowance_s = 2
{listed}""", encoding="utf-8")
    return path


def _govaudit(*args: str) -> list[str]:
    return [sys.executable, "-m", "govaudit", *args]


@contextlib.contextmanager
def _workers(config: Path, log_dir: Path, count: int, concurrency: int = 2) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` worker processes (each in a session of its own, so it can be killed whole)."""
    processes = []
    try:
        for number in range(count):
            with open(log_dir / f"worker{len(list(log_dir.glob('worker*.log')))}.log", "wb") as log:
                processes.append(subprocess.Popen(
                    _govaudit("worker", "--config", str(config), "--concurrency", str(concurrency),
                              "-n", f"w{number}-{os.urandom(3).hex()}@%h", "--loglevel", "WARNING"),
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        wait_for_workers(config, count)
        yield processes
    finally:
        for process in processes:
            _kill(process)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def _run(config: Path, out: Path, timeout_s: float = 180) -> dict[str, Any]:
    finished = subprocess.run(_govaudit("run", "--config", str(config), "--out", str(out), "--today", TODAY.isoformat()),
                              capture_output=True, timeout=timeout_s)
    assert finished.returncode == 0, finished.stderr.decode("utf-8", "replace")[-3000:]
    return json.loads((out / "report.json").read_text("utf-8"))


def _verdicts(document: dict[str, Any]) -> dict[str, tuple[str, Any, int]]:
    return {e["name"]: (e["verdict"], e["score"], e["stats"]["pages"]) for e in document["sites"]}


def _logs(folder: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace")[-2000:] for p in sorted(folder.glob("worker*.log")))


def test_two_workers_give_the_findings_of_the_local_engine(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(TestSite()) for _ in range(4)]
        for number, server in enumerate(servers):
            varied_site(server, name=f"第{number}区")
        sites = {f"站点{n}": server.url("/") for n, server in enumerate(servers)}
        local = _config(tmp_path / "local.toml", sites, store=f"sqlite:///{tmp_path / 'local.sqlite'}",
                        broker=redis_url, engine="local")
        expected = _run(local, tmp_path / "local-out")
        distributed = _config(tmp_path / "celery.toml", sites, store=postgres_url, broker=redis_url, judge="process")
        with _workers(distributed, tmp_path, count=2):
            document = _run(distributed, tmp_path / "celery-out")
    assert len({f["rule"] for entry in expected["sites"] for f in entry["findings"]}) >= 4   # many rules, not none
    assert stable_findings(document) == stable_findings(expected), _logs(tmp_path)
    assert _verdicts(document) == _verdicts(expected)
    with Store(postgres_url) as store:
        (run,) = store.runs()
        assert run["finished_at"] is not None
        assert sorted(store.sites_done(run["id"])) == sorted(sites)


def test_a_worker_killed_mid_site_loses_nothing_and_stores_each_site_once(tmp_path: Path, redis_url: str,
                                                                         postgres_url: str) -> None:
    with contextlib.ExitStack() as stack:
        quick = [stack.enter_context(TestSite()) for _ in range(2)]
        for number, server in enumerate(quick):
            varied_site(server, name=f"第{number}区")
        slow = stack.enter_context(TestSite())
        slow.page("/", page("首页", "".join(f'<a href="/p{n}.html">栏目{n}</a>' for n in range(12))))
        for n in range(12):
            slow.route(f"/p{n}.html", Reply(200, page(f"栏目{n}", "<p>内容</p>").encode(), delay_s=0.4))
        sites = {"慢站": slow.url("/"), **{f"站点{n}": s.url("/") for n, s in enumerate(quick)}}
        config = _config(tmp_path / "celery.toml", sites, store=postgres_url, broker=redis_url, max_site_seconds=10,
                         politeness="per_host_concurrency = 1\nmin_interval_s = 0")
        coordinator = subprocess.Popen(_govaudit("run", "--config", str(config), "--out", str(tmp_path / "out"),
                                                 "--today", TODAY.isoformat()),
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with _workers(config, tmp_path, count=1, concurrency=3) as (first,):
            deadline = time.monotonic() + 60
            while sum(1 for _, path in slow.hits if path.startswith("/p")) < 3:   # mid-crawl of the slow site
                assert time.monotonic() < deadline, _logs(tmp_path)
                time.sleep(0.05)
            _kill(first)
            killed_at = time.monotonic()
            with _workers(config, tmp_path, count=1, concurrency=3):
                _, stderr = coordinator.communicate(timeout=150)
        assert coordinator.returncode == 0, stderr.decode("utf-8", "replace")[-3000:] + _logs(tmp_path)
        # The slow site was audited again from the start after the kill, by the second worker.
        assert any(started > killed_at and path == "/" for started, _, path in slow.timeline)
    document = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert sorted(e["name"] for e in document["sites"]) == sorted(sites)
    with Store(postgres_url) as store:
        (run,) = store.runs()
        assert store.query("SELECT site, COUNT(*) FROM site_results GROUP BY site ORDER BY site") == \
            sorted((name, 1) for name in sites)
        slow_entry = next(e for e in document["sites"] if e["name"] == "慢站")
        # no page of the killed attempt is left beside those of the audit that counted
        assert store.query("SELECT COUNT(*) FROM pages WHERE site = '慢站'") == [(slow_entry["stats"]["pages"],)]
        for entry in document["sites"]:
            stored = store.query("SELECT COUNT(*) FROM findings WHERE site = :site", site=entry["name"])
            assert stored == [(len(entry["findings"]),)]
            history = store.query("SELECT COUNT(*) FROM finding_history WHERE site = :site", site=entry["name"])
            assert history == store.query("SELECT COUNT(DISTINCT fingerprint) FROM findings WHERE site = :site",
                                          site=entry["name"])


def test_two_sites_on_one_host_share_its_politeness_across_workers(tmp_path: Path, redis_url: str,
                                                                  postgres_url: str) -> None:
    with TestSite() as server:
        # Each site a chain of pages (one request of each site waiting at a time, so neither
        # site's many waiting requests crowd the other's out and the two sites interleave).
        for prefix in ("/a", "/b"):
            server.page(f"{prefix}/", page("首页", f'<a href="{prefix}/0.html">栏目</a>'))
            for n in range(10):
                server.route(f"{prefix}/{n}.html", Reply(200, page(f"栏目{n}", f'<a href="{prefix}/{n + 1}.html">下一页</a>')
                                                         .encode(), delay_s=0.05))
        sites = {"甲": server.url("/a/"), "乙": server.url("/b/")}
        config = _config(tmp_path / "celery.toml", sites, store=postgres_url, broker=redis_url, max_depth=20,
                         politeness="per_host_concurrency = 1\nmin_interval_s = 0.2")
        with _workers(config, tmp_path, count=2, concurrency=1):
            _run(config, tmp_path / "out")
        timeline = sorted(server.timeline)
    assert len(timeline) >= 20
    # the two sites were audited at the same time, by the two workers
    first_b = min(start for start, _, path in timeline if path.startswith("/b"))
    last_a = max(start for start, _, path in timeline if path.startswith("/a"))
    first_a = min(start for start, _, path in timeline if path.startswith("/a"))
    last_b = max(start for start, _, path in timeline if path.startswith("/b"))
    assert first_b < last_a and first_a < last_b, "the sites did not overlap in time: nothing was tested"
    for (start, end, _), (next_start, _, _) in zip(timeline, timeline[1:]):
        assert next_start >= end - 0.005, "two requests to one host at once (per_host_concurrency = 1)"
        assert next_start - start >= 0.15, "requests to one host closer than its interval (0.2 s)"


def test_a_broker_that_cannot_be_reached_fails_the_run_clearly_and_leaves_it_resumable(tmp_path: Path,
                                                                                    postgres_url: str) -> None:
    with TestSite() as server:
        server.page("/", page("首页", "<p>内容</p>"))
        config = _config(tmp_path / "celery.toml", {"甲": server.url("/")}, store=postgres_url,
                         broker="redis://127.0.0.1:9/0")   # the discard port: nothing listens there
        finished = subprocess.run(_govaudit("run", "--config", str(config), "--today", TODAY.isoformat()),
                                  capture_output=True, timeout=120)
    message = finished.stderr.decode("utf-8")
    assert finished.returncode == 1, message
    assert "无法连接任务队列 redis://127.0.0.1:9/0" in message and "再次执行 govaudit run 即继续" in message
    with Store(postgres_url) as store:
        assert store.unfinished_run("nightly") is not None
