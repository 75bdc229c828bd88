"""The Celery engine ([run] engine = "celery"): one task per site on a broker, audited by
`govaudit worker` processes on any number of machines, all writing to one shared store.

The coordinator (`govaudit run`, the scheduler) starts the run in the store, sends one task
per site not yet done and waits, showing progress, until the store holds every site; the
report is then assembled from the store, as on one machine. A task carries the effective
configuration (so `inspect`'s command-line changes reach the worker) and the site.

Faults: tasks are acknowledged late, so a worker killed mid-site leaves its task in the
broker, which hands it to another worker once the visibility timeout (the task's time limit
plus a margin) has passed. A task is idempotent: a site already committed in the run is not
audited again; a site being audited by a live worker (its claim in Redis, renewed while it
works) is retried later rather than audited twice; whatever a dead attempt left of the site
is discarded before it is audited again; and the site's results are committed in one
transaction that replaces any earlier commit whole (govaudit.store).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date
from typing import Any

import cattrs.preconf.json
import redis
from celery import Celery
from celery.result import AsyncResult
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from govaudit.checks.sitemodel.laws import LawLibrary
from govaudit.config import Config, SiteConfig, broker_url, redis_url, store_target
from govaudit.crawler.politeness import HostGate
from govaudit.crawler.shared_politeness import RedisHostGate
from govaudit.database import StoreTarget, hide_password, shown
from govaudit.errors import GovauditError
from govaudit.inspection import audit_one, recent_probes
from govaudit.laws import active_library
from govaudit.pipeline import judge_executor
from govaudit.store import Store

TASK = "govaudit.audit_site"
_REDELIVERY_MARGIN_S = 10.0   # visibility timeout = the task's time limit + this
_POLL_S = 0.5

app = Celery("govaudit", set_as_current=False)
_config_converter = cattrs.preconf.json.make_converter()

Announce = Callable[[str], None]


class SiteOverTime(GovauditError):
    """A site's task ran past its time limit (Celery's thread pool cannot enforce one)."""


class EngineUnavailable(GovauditError):
    """The broker (or its Redis) cannot be reached; the run stays unfinished and resumable."""


@dataclass(frozen=True)
class Limits:
    """What a task may take, all derived from [crawl] max_site_seconds."""

    time_limit_s: float
    visibility_timeout_s: float
    claim_s: float      # a live worker renews its claim on a site this often x 3

    @classmethod
    def of(cls, config: Config) -> Limits:
        limit = config.crawl.max_site_seconds + config.celery.judge_allowance_s
        visibility = limit + _REDELIVERY_MARGIN_S
        return cls(limit, visibility, max(3.0, min(60.0, visibility / 2)))


def configure(config: Config) -> Celery:
    """The Celery app set up from the config (broker, results, queue, limits)."""
    limits = Limits.of(config)
    results = redis_url(config)
    app.conf.update(
        broker_url=broker_url(config),
        result_backend=results or "rpc://",
        task_default_queue=config.celery.queue,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_track_started=True, result_expires=7 * 86_400,
        task_time_limit=limits.time_limit_s + 30, task_soft_time_limit=limits.time_limit_s,
        broker_connection_retry_on_startup=True, broker_connection_timeout=10,
        broker_transport_options={"visibility_timeout": limits.visibility_timeout_s,
                                  "unacked_restore_interval": 5, "unacked_restore_throttle": 1,
                                  "socket_timeout": 15, "socket_connect_timeout": 10},
        result_backend_transport_options={"retry_policy": {"max_retries": 3, "interval_start": 0.5,
                                                           "interval_step": 1, "interval_max": 2}},
        redis_socket_timeout=15, redis_socket_connect_timeout=10,
        worker_hijack_root_logger=False,
    )
    return app


# -- the coordinator --------------------------------------------------------------------------

def audit_remotely(config: Config, sites: Sequence[SiteConfig], today: date, store: StoreTarget, run_id: str,
                   announce: Announce | None = None) -> None:
    """Send one task per site and wait until the store holds every one of them."""
    configure(config)
    # What a worker audits with; the workbench's users (password hashes) stay off the broker.
    payload = _config_converter.unstructure(config.replace(users=()))
    say = announce or (lambda _text: None)
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=2, interval_start=0.5, interval_step=1)
        results_url = redis_url(config)
        if results_url is not None:
            with redis.Redis.from_url(results_url, socket_connect_timeout=10, socket_timeout=10) as client:
                client.ping()
        results = {site.name: app.send_task(TASK, args=[run_id, _config_converter.unstructure(site), today.isoformat(),
                                                        payload], retry=True,
                                            retry_policy={"max_retries": 3, "interval_start": 0.5, "interval_step": 1})
                   for site in sites}
    except (BrokerError, RedisError, OSError, RuntimeError) as exc:   # (RuntimeError: Celery's result backend gave up)
        raise EngineUnavailable(_broker_message(config, run_id, exc)) from None
    say(f"已向任务队列提交 {len(results)} 个网站（运行 {run_id}），等待工作进程检查……")
    _wait(config, store, run_id, results, say)


def _wait(config: Config, store: StoreTarget, run_id: str, results: dict[str, AsyncResult], say: Announce) -> None:
    wanted = set(results)
    shown_done = -1
    quiet_since = time.monotonic()
    while True:
        with Store(store) as db:
            done = wanted & set(db.sites_done(run_id))
        if len(done) != shown_done:
            shown_done, quiet_since = len(done), time.monotonic()
            say(f"已完成 {len(done)}/{len(wanted)} 个网站")
        if done == wanted:
            return
        for name in sorted(wanted - done):
            _raise_if_failed(config, run_id, name, results[name])
        if time.monotonic() - quiet_since > 60:
            quiet_since = time.monotonic()
            say(_workers_hint(config))
        time.sleep(_POLL_S)


def _raise_if_failed(config: Config, run_id: str, site: str, result: AsyncResult) -> None:
    try:
        failed = result.state == "FAILURE"
    except (BrokerError, RedisError, OSError, RuntimeError) as exc:
        raise EngineUnavailable(_broker_message(config, run_id, exc)) from None
    if failed:
        raise EngineUnavailable(f"网站“{site}”的检查任务失败：{result.result}；运行 {run_id} 未完成，"
                                "排除问题后再次执行 govaudit run 即从未完成的网站继续")


def _workers_hint(config: Config) -> str:
    try:
        replies = app.control.ping(timeout=2.0)
    except (BrokerError, RedisError, OSError):
        replies = []
    if not replies:
        return f"一分钟内没有网站完成，且没有工作进程应答（队列 {config.celery.queue}）：请启动 govaudit worker"
    return f"一分钟内没有网站完成；在线工作进程 {len(replies)} 个，仍在检查中……"


def _broker_message(config: Config, run_id: str, exc: BaseException) -> str:
    return (f"无法连接任务队列 {hide_password(broker_url(config))}（{type(exc).__name__}: {exc}）；"
            f"运行 {run_id} 未完成，已完成的网站结果保存在数据库中，队列恢复后再次执行 govaudit run 即继续")


# -- the worker -------------------------------------------------------------------------------
# Celery's threads run the tasks; each hands its site to the worker's one event loop and waits.
# One loop for all the sites a worker audits at once (as the local engine has): sites wait
# on the network almost all the time, and twenty loops in twenty threads cost twice the CPU.

_worker_lock = threading.Lock()
_executors: dict[str, Executor] = {}
_loop: asyncio.AbstractEventLoop | None = None
_gates: dict[str, RedisHostGate] = {}    # (used in the worker's loop only)


def _worker_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _worker_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="govaudit-sites", daemon=True).start()
        return _loop


def _shared_judge(config: Config) -> Executor:
    """This worker's judge (one per worker process, shared by the sites it audits at once)."""
    with _worker_lock:
        executor = _executors.get(config.run.judge)
        if executor is None:
            context = judge_executor(config.run.judge)
            executor = context.__enter__()
            atexit.register(context.__exit__, None, None, None)
            _executors[config.run.judge] = executor
        return executor


@app.task(name=TASK, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)  # type: ignore[untyped-decorator]
def audit_site(self: Any, run_id: str, site_data: dict[str, Any], today: str, config_data: dict[str, Any]) -> dict[str, Any]:
    """(In a worker) audit one site of a run and commit it -> a short summary."""
    config = _config_converter.structure(config_data, Config)
    site = _config_converter.structure(site_data, SiteConfig)
    limit = Limits.of(config).time_limit_s
    running = asyncio.run_coroutine_threadsafe(_audit_claimed(config, site, date.fromisoformat(today), run_id),
                                               _worker_loop())
    try:
        outcome = running.result(timeout=limit)
    except concurrent.futures.TimeoutError:
        running.cancel()
        raise SiteOverTime(f"网站“{site.name}”的检查超过任务时限 {limit:.0f} 秒（[crawl] max_site_seconds + "
                           "[celery] judge_allowance_s），未提交结果") from None
    if outcome.get("status") == "claimed":
        # Another worker is on it: look again later (should it die, this copy audits the site).
        raise self.retry(countdown=Limits.of(config).claim_s, max_retries=None)
    return outcome


async def _audit_claimed(config: Config, site: SiteConfig, today: date, run_id: str) -> dict[str, Any]:
    store = store_target(config)
    if site.name in await asyncio.to_thread(_sites_done, store, run_id):
        return {"site": site.name, "status": "already_done"}
    async with _claim(config, run_id, site.name) as claimed:
        if not claimed:
            return {"site": site.name, "status": "claimed"}
        probes, laws = await asyncio.to_thread(_site_inputs, store, site)
        report = await audit_one(config, site, today, None, laws, probes, store, run_id, _shared_judge(config),
                                 _host_gate(config))
    return {"site": site.name, "status": "done", "verdict": report.verdict.verdict,
            "pages": report.stats.get("pages"), "store": shown(store)}


def _sites_done(store: StoreTarget, run_id: str) -> list[str]:
    with Store(store) as db:
        return db.sites_done(run_id)


def _site_inputs(store: StoreTarget, site: SiteConfig) -> tuple[tuple[Any, ...], LawLibrary]:
    with Store(store) as db:
        probes = recent_probes(db, site)
    return probes, active_library(store)


def _host_gate(config: Config) -> HostGate | None:
    """The worker's gate to the per-host politeness all workers share (one per Redis)."""
    url = redis_url(config)
    if url is None:
        return None   # (a broker that is not Redis: politeness per worker process only; README)
    gate = _gates.get(url)
    if gate is None:
        gate = _gates[url] = RedisHostGate(url)
    return gate


# Claims: compare-and-renew and compare-and-delete, so a worker never touches another's claim.
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


@contextlib.asynccontextmanager
async def _claim(config: Config, run_id: str, site: str) -> AsyncIterator[bool]:
    """Whether this worker may audit the site now: a Redis key held while it works, renewed
    every claim_s/3 and gone claim_s after a worker dies. Without Redis, always yes (the
    store's commit still keeps one result per site)."""
    url = redis_url(config)
    if url is None:
        yield True
        return
    client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
    key, token = f"govaudit:site:{run_id}:{site}", secrets.token_hex(8)
    ttl_ms = int(Limits.of(config).claim_s * 1000)
    if not await asyncio.to_thread(client.set, key, token, nx=True, px=ttl_ms):
        client.close()
        yield False
        return

    async def renew() -> None:
        while True:
            await asyncio.sleep(ttl_ms / 3000)
            with contextlib.suppress(RedisError):
                await asyncio.to_thread(client.eval, _RENEW, 1, key, token, ttl_ms)

    renewing = asyncio.create_task(renew())
    try:
        yield True
    finally:
        renewing.cancel()
        with contextlib.suppress(RedisError):
            await asyncio.to_thread(client.eval, _RELEASE, 1, key, token)
        client.close()


def worker_main(config: Config, concurrency: int | None, extra: Sequence[str]) -> None:
    """`govaudit worker`: Celery's own worker (threads: each audits one site at a time while
    the worker's judge process analyses and judges), so Celery's options and tools apply."""
    configure(config)
    sites = concurrency or config.celery.worker_sites
    argv = ["worker", "--pool", "threads", "--concurrency", str(sites), "--queues", config.celery.queue,
            "--without-gossip", "--without-mingle", *extra]
    app.worker_main(argv)
