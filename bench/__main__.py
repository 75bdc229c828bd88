"""govaudit's benchmark: `python3 -m bench` (see README, 性能基准).

Generates the synthetic sites, serves them on 127.0.0.1, runs govaudit, Scrapy and the raw
baselines each in its own process (CPU time and peak RSS from wait4), repeats every measurement
and keeps the median, prints the table and writes bench/RESULTS.md and bench/results.json.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

from bench.serve import serve
from bench.sitegen import generate
from tests.support.fleet import stable_findings, wait_for_workers

HERE = Path(__file__).resolve().parent
CELERY_WORKERS = 2


@dataclass(frozen=True)
class Sizes:
    small: int
    large: int
    huge: int
    fleet_sites: int
    fleet_pages: int


FULL = Sizes(5_000, 20_000, 50_000, 40, 250)
QUICK = Sizes(1_000, 4_000, 10_000, 10, 100)
# The second site: ../shared/bench/gensite.py (lighter pages, another layout).
GENSITE = HERE.parent.parent / "shared" / "bench" / "gensite.py"


@dataclass(frozen=True)
class Measure:
    pages: int
    wall_s: float
    cpu_s: float
    rss_mb: float
    extra: dict[str, float]

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s

    @property
    def cpu_per_page(self) -> float:
        return self.cpu_s / max(1, self.pages)


def measure(command: list[str], cwd: Path | None = None) -> tuple[float, float, float, str]:
    """Run `command` -> (wall s, CPU s user+system of it and its children, peak RSS MB of it
    and every process it started together, stdout)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd)
        peak = _tree_peak_rss(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
    if process.returncode not in (0, 3):  # 3: govaudit found veto-level problems (a normal outcome)
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, max(peak, usage.ru_maxrss * 1024) / 1024 / 1024, stdout


def _tree_peak_rss(pid: int) -> float:
    """Peak of the summed RSS (bytes) of `pid` and its descendants, sampled every 50 ms until
    it exits (ru_maxrss would give the largest single process only)."""
    peak = 0.0
    try:
        root = psutil.Process(pid)
        while root.status() != psutil.STATUS_ZOMBIE:
            total = 0
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            peak = max(peak, total)
            time.sleep(0.05)
    except psutil.Error:
        pass
    return peak


def _tree_cpu(roots: list[subprocess.Popen[bytes]]) -> float:
    """CPU seconds (user + system) used so far by these processes and their live children."""
    total = 0.0
    for root in roots:
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(root.pid)
            for proc in [process, *process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    times = proc.cpu_times()
                    total += times.user + times.system + times.children_user + times.children_system
    return total


def _json_line(stdout: str) -> dict[str, float]:
    return json.loads(stdout.strip().splitlines()[-1])


def bench_config(path: Path, store: Path | str, *, fleet: list[tuple[str, str]] | None = None,
                 celery: tuple[str, int] | None = None) -> Path:
    """A config.toml for the bench: politeness lifted for the large site, default-shaped
    politeness (2 per host, 0.1 s) for the fleet; with `celery` (broker URL, sites per
    worker), the fleet on the Celery engine."""
    if fleet is None:
        politeness = "per_host_concurrency = 16\nmin_interval_s = 0\nglobal_concurrency = 16\n"
        run = ""
        sites = ""
    else:
        politeness = "per_host_concurrency = 2\nmin_interval_s = 0.1\n"
        run = f"[run]\nmax_concurrent_sites = {len(fleet)}\n"
        if celery is not None:
            run += f'engine = "celery"\n[celery]\nbroker_url = "{celery[0]}"\nworker_sites = {celery[1]}\n'
        sites = "".join(f'[[sites]]\nname = "{name}"\nurl = "{url}"\nunit = "{name}"\n' for name, url in fleet)
    where = f'url = "{store}"' if "://" in str(store) else f'path = "{store}"'
    reports = Path(tempfile.gettempdir()) / "govaudit-bench-reports" if "://" in str(store) else Path(store).parent / "reports"
    path.write_text(f"""
[crawl]
max_pages = 100000
max_depth = 1000
max_site_bytes = 10000000000
max_site_seconds = 3600
check_external_links = false
[politeness]
{politeness}
[render]
mode = "never"
screenshots = false
[store]
{where}
reports_dir = "{reports}"
{run}
{sites}""", encoding="utf-8")
    return path


def _gensite(root: Path, size: int) -> Path:
    """The second site (../shared/bench/gensite.py), generated once -> its document root."""
    if not (root / "www" / "index.html").exists():
        subprocess.run([sys.executable, str(GENSITE), str(size), str(root)], check=True, stdout=subprocess.DEVNULL)
    return root / "www"


class Bench:
    def __init__(self, sizes: Sizes, runs: int, data: Path, work: Path, with_scrapy: bool,
                 services: tuple[Any, Any] | None = None) -> None:
        self.sizes, self.runs, self.data, self.work, self.with_scrapy = sizes, runs, data, work, with_scrapy
        self.services = services   # (redis-server, PostgreSQL) for the Celery fleet; None: not measured
        self.results: dict[str, list[Measure]] = {}

    def prepare(self) -> list[Path]:
        print("生成测试站点 ...", flush=True)
        sizes = (self.sizes.small, self.sizes.large, self.sizes.huge)
        roots = []
        for seed, size in enumerate(sizes, start=1):
            roots.append(self.data / f"site{size}")
            generate(roots[-1], size, seed=seed)
        for size in sizes:
            roots.append(_gensite(self.data / f"gensite{size}", size))
        fleet = [self.data / f"fleet{self.sizes.fleet_pages}" / f"site{i:02d}" for i in range(self.sizes.fleet_sites)]
        for i, root in enumerate(fleet):
            generate(root, self.sizes.fleet_pages, seed=100 + i, site_name=f"演示{i:02d}区")
        return roots + fleet

    def run_fleet(self) -> None:
        """Only the fleet, on both engines."""
        roots = self.prepare()[6:]
        with serve(roots) as (server, ports):
            self.server = server
            fleet = [(f"fleet{i:02d}", f"http://127.0.0.1:{p}/") for i, p in enumerate(ports)]
            for number in range(1, self.runs + 1):
                print(f"第 {number}/{self.runs} 轮", flush=True)
                self._fleets(fleet)

    def _fleets(self, fleet: list[tuple[str, str]]) -> None:
        local, local_document = self._fleet(fleet)
        self._record("fleet", local)
        if self.services is not None:
            distributed, document = self._fleet_celery(fleet)
            distributed.extra["same_findings"] = float(stable_findings(document) == stable_findings(local_document))
            self._record("fleet_celery", distributed)

    def run(self) -> None:
        roots = self.prepare()
        with serve(roots) as (server, ports):
            self.server = server
            urls = [f"http://127.0.0.1:{p}/" for p in ports]
            sites = {"bench": dict(zip(("small", "large", "huge"), urls[:3])),
                     "gensite": dict(zip(("small", "large", "huge"), urls[3:6]))}
            urls_file = self.work / "urls.txt"
            manifest = json.loads((roots[0] / "manifest.json").read_text("utf-8"))
            urls_file.write_text("\n".join(urls[0].rstrip("/") + u for u in manifest["urls"]), "utf-8")
            fleet = [(f"fleet{i:02d}", f"http://127.0.0.1:{p}/") for i, p in enumerate(ports[6:])]
            for number in range(1, self.runs + 1):
                print(f"第 {number}/{self.runs} 轮", flush=True)
                self._record("raw", self._baseline("raw", str(urls_file)))
                self._record("raw_lxml", self._baseline("raw-lxml", str(urls_file)))
                self._record("crawl_only", self._crawl_only(urls[0]))
                for family, by_size in sites.items():
                    prefix = "govaudit" if family == "bench" else "govaudit_gensite"
                    for size, url in by_size.items():
                        self._record(f"{prefix}_{size}", self._audit(url, f"{family}-{size}"))
                    if self.with_scrapy:
                        self._record("scrapy" if family == "bench" else "scrapy_gensite", self._scrapy(by_size["small"]))
                self._fleets(fleet)

    def _record(self, name: str, m: Measure) -> None:
        self.results.setdefault(name, []).append(m)
        print(f"  {name:15} {m.pages:6d} 页 {m.wall_s:7.1f} s {m.pages_per_s:7.1f} 页/秒 "
              f"{1000 * m.cpu_per_page:6.2f} ms CPU/页 {m.rss_mb:7.1f} MB", flush=True)

    def _baseline(self, mode: str, target: str) -> Measure:
        wall, cpu, rss, out = measure([sys.executable, "-m", "bench.baselines", mode, target, "--concurrency", "16"],
                                      cwd=HERE.parent)
        return Measure(int(_json_line(out)["pages"]), wall, cpu, rss, {})

    def _crawl_only(self, url: str) -> Measure:
        config = bench_config(self.work / "crawl.toml", self.work / "crawl" / "govaudit.sqlite")
        wall, cpu, rss, out = measure([sys.executable, "-m", "bench.baselines", "crawl", url, str(config)],
                                      cwd=HERE.parent)
        return Measure(int(_json_line(out)["pages"]), wall, cpu, rss, {})

    def _audit(self, url: str, label: str) -> Measure:
        folder = self.work / f"audit-{label}-{time.monotonic_ns()}"
        config = bench_config(self.work / f"audit-{label}.toml", folder / "govaudit.sqlite")
        wall, cpu, rss, _ = measure([sys.executable, "-m", "govaudit", "inspect", url, "--config", str(config),
                                     "--out", str(folder / "out"), "--today", "2026-11-26"])
        stats = json.loads((folder / "out" / "report.json").read_text("utf-8"))["sites"][0]["stats"]
        extra = {"crawl_s": stats["crawl_s"], "rules_s": stats["rules_s"]}
        return Measure(int(stats["pages"]), wall, cpu, rss, extra)

    def _scrapy(self, url: str) -> Measure:
        wall, cpu, rss, out = measure([sys.executable, "-m", "bench.scrapy_spider", url], cwd=HERE.parent)
        return Measure(int(_json_line(out)["pages"]), wall, cpu, rss, {})

    def _fleet(self, fleet: list[tuple[str, str]]) -> tuple[Measure, dict[str, Any]]:
        folder = self.work / f"fleet-{time.monotonic_ns()}"
        config = bench_config(self.work / "fleet.toml", folder / "govaudit.sqlite", fleet=fleet)
        wall, cpu, rss, _ = measure([sys.executable, "-m", "govaudit", "run", "--config", str(config),
                                     "--out", str(folder / "out"), "--today", "2026-11-26"])
        document = json.loads((folder / "out" / "report.json").read_text("utf-8"))
        pages = [int(s["stats"]["pages"]) for s in document["sites"]]
        ideal = max(pages) * 0.1 / 2
        return Measure(sum(pages), wall, cpu, rss, {"ideal_s": ideal}), document

    def _fleet_celery(self, fleet: list[tuple[str, str]]) -> tuple[Measure, dict[str, Any]]:
        """The same fleet on the Celery engine: 2 `govaudit worker` processes (already
        running, as in a deployment), a fresh PostgreSQL database, `govaudit run` waiting."""
        assert self.services is not None
        redis_server, postgres = self.services
        redis_server.flush()
        folder = self.work / f"fleet-celery-{time.monotonic_ns()}"
        folder.mkdir()
        per_worker = (len(fleet) + CELERY_WORKERS - 1) // CELERY_WORKERS
        config = bench_config(self.work / "fleet-celery.toml", postgres.new_database(), fleet=fleet,
                              celery=(redis_server.url(), per_worker))
        workers = [subprocess.Popen([sys.executable, "-m", "govaudit", "worker", "--config", str(config),
                                     "-n", f"bench{n}@%h", "--loglevel", "WARNING"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                   for n in range(CELERY_WORKERS)]
        try:
            wait_for_workers(config, CELERY_WORKERS)
            before = _tree_cpu(workers)
            wall, cpu, rss, _ = measure([sys.executable, "-m", "govaudit", "run", "--config", str(config),
                                         "--out", str(folder / "out"), "--today", "2026-11-26"])
            workers_cpu = _tree_cpu(workers) - before
        finally:
            for worker in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(30)
        document = json.loads((folder / "out" / "report.json").read_text("utf-8"))
        pages = [int(s["stats"]["pages"]) for s in document["sites"]]
        return Measure(sum(pages), wall, cpu + workers_cpu, rss, {"ideal_s": max(pages) * 0.1 / 2}), document

    # -- summary -----------------------------------------------------------------------------

    def median(self, name: str, key: str) -> float:
        values = []
        for m in self.results.get(name, []):
            values.append(getattr(m, key) if hasattr(m, key) else m.extra[key])
        return statistics.median(values) if values else float("nan")

    def figures(self) -> dict[str, object]:
        med = self.median
        rules = [m.extra["rules_s"] / (m.extra["rules_s"] + m.extra["crawl_s"]) for m in self.results["govaudit_small"]]
        fleet = [m.wall_s / m.extra["ideal_s"] for m in self.results["fleet"]]
        return {
            "pages_per_s": {"govaudit": med("govaudit_small", "pages_per_s"), "scrapy": med("scrapy", "pages_per_s"),
                            "raw": med("raw", "pages_per_s")},
            "cpu_s_per_page": {"govaudit": med("govaudit_small", "cpu_per_page"), "scrapy": med("scrapy", "cpu_per_page")},
            "peak_rss_mb": {"govaudit_5k": med("govaudit_small", "rss_mb"), "govaudit_20k": med("govaudit_large", "rss_mb"),
                            "scrapy": med("scrapy", "rss_mb")},
            "fleet_wall_over_ideal": statistics.median(fleet),
            "rules_share": statistics.median(rules),
            "crawl_only_pages_per_s": med("crawl_only", "pages_per_s"),
            "raw_lxml_pages_per_s": med("raw_lxml", "pages_per_s"),
            # additions beyond the keys
            "govaudit_20k_pages_per_s": med("govaudit_large", "pages_per_s"),
            "sites": {family: {
                "pages_per_s": {size: med(f"{prefix}_{size}", "pages_per_s") for size in ("small", "large", "huge")},
                "peak_rss_mb": {size: med(f"{prefix}_{size}", "rss_mb") for size in ("small", "large", "huge")},
                "cpu_s_per_page": med(f"{prefix}_small", "cpu_per_page"),
                "scrapy_pages_per_s": med(scrapy, "pages_per_s"), "scrapy_rss_mb": med(scrapy, "rss_mb"),
                "scrapy_cpu_s_per_page": med(scrapy, "cpu_per_page"),
            } for family, prefix, scrapy in (("bench", "govaudit", "scrapy"),
                                             ("gensite", "govaudit_gensite", "scrapy_gensite"))},
            "cpu_s_per_page_crawl_only": med("crawl_only", "cpu_per_page"),
            "fleet_wall_s": med("fleet", "wall_s"),
            "fleet_ideal_s": med("fleet", "ideal_s"),
            "fleet_celery": fleet_figures(self),
            "runs": self.runs,
            "sizes": vars(self.sizes),
            "server": self.server,
            "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(),
        }


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    return (f"{os.cpu_count()} 核 {cpu}，内存 {int(memory) // 1024 // 1024} GiB，"
            f"{platform.system()} {platform.release()}，Python {platform.python_version()}")


def table(f: dict[str, object]) -> str:
    pps, cpu, rss = f["pages_per_s"], f["cpu_s_per_page"], f["peak_rss_mb"]  # type: ignore[index]
    rows = [
        ("govaudit 完整检查（5k 页）", pps["govaudit"], cpu["govaudit"], rss["govaudit_5k"]),
        ("govaudit 完整检查（20k 页）", f["govaudit_20k_pages_per_s"], None, rss["govaudit_20k"]),
        ("govaudit 只抓取（规则关闭）", f["crawl_only_pages_per_s"], f["cpu_s_per_page_crawl_only"], None),
        ("Scrapy CrawlSpider", pps["scrapy"], cpu["scrapy"], rss["scrapy"]),
        ("httpx 裸抓取", pps["raw"], None, None),
        ("httpx 裸抓取 + lxml 提取链接", f["raw_lxml_pages_per_s"], None, None),
    ]
    lines = ["| 测量 | 页/秒 | CPU 毫秒/页 | 峰值内存 MB |", "|---|---:|---:|---:|"]
    for name, p, c, r in rows:
        lines.append(f"| {name} | {p:.1f} | {'' if c is None else f'{1000 * c:.2f}'} | {'' if r is None else f'{r:.0f}'} |")
    ratios = [
        ("govaudit / Scrapy 页/秒（目标 ≥ 2）", pps["govaudit"] / pps["scrapy"]),
        ("govaudit / Scrapy CPU 每页（目标 < 1）", cpu["govaudit"] / cpu["scrapy"]),
        ("govaudit / 裸抓取 页/秒", pps["govaudit"] / pps["raw"]),
        ("只抓取 / 裸抓取+lxml 页/秒（目标 ≥ 0.6）", f["crawl_only_pages_per_s"] / f["raw_lxml_pages_per_s"]),
        ("峰值内存 20k / 5k（目标 ≤ 1.3）", rss["govaudit_20k"] / rss["govaudit_5k"]),
        ("峰值内存 govaudit 5k / Scrapy（目标 < 1）", rss["govaudit_5k"] / rss["scrapy"]),
        ("多站 实际用时 / 理想用时（目标 ≤ 1.2）", f["fleet_wall_over_ideal"]),
        ("规则用时占比（规则 / (抓取 + 规则)）", f["rules_share"]),
    ]
    celery = f.get("fleet_celery") or {}
    if celery:
        ratios.append((f"多站 本地引擎用时 / Celery 引擎（{celery['workers']} 个工作进程）用时（目标 ≥ 1.7）",
                       celery["speedup"]))
    lines += ["", "| 比值 | 数值 |", "|---|---:|"] + [f"| {name} | {value:.2f} |" for name, value in ratios]
    if celery:
        nation = celery["nation"]
        lines += ["", f"多站 Celery 引擎：{celery['celery_wall_s']:.1f} 秒（本地引擎 {celery['local_wall_s']:.1f} 秒），"
                  f"问题与本地引擎{'完全相同' if celery['same_findings'] else '不同'}；每核每秒 {celery['pages_per_core_s']:.0f} 页。"
                  f"全国 {nation['sites']:,} 个网站 × {nation['pages_per_site']} 页：约 {nation['core_hours']:.1f} 核·小时，"
                  f"每晚 {nation['night_hours']} 小时内完成需约 {nation['workers_at_one_core']} 个工作进程（每核一个）。"]
    lines += ["", "两种站点、三种规模（同一轮测量；内存为 govaudit 及其启动的全部进程之和的峰值）：", "",
              "| 站点 | 规模 | govaudit 页/秒 | 峰值内存 MB | 内存 / 5k | Scrapy 页/秒（5k） | govaudit / Scrapy |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    sizes = f["sizes"]  # type: ignore[index]
    for family, site in f["sites"].items():  # type: ignore[attr-defined]
        base = site["peak_rss_mb"]["small"]
        for size in ("small", "large", "huge"):
            p, r = site["pages_per_s"][size], site["peak_rss_mb"][size]
            lines.append(f"| {'bench/sitegen' if family == 'bench' else 'shared gensite'} | {sizes[size]:,} | {p:.1f} | "
                         f"{r:.0f} | {r / base:.2f} | {site['scrapy_pages_per_s']:.1f} | {p / site['scrapy_pages_per_s']:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python3 -m bench", description="govaudit 性能基准")
    parser.add_argument("--quick", action="store_true", help="小规模（1k/4k 页，10×100 多站），用于检查基准本身")
    parser.add_argument("--runs", type=int, default=3, help="每项重复次数，取中位数（默认 3）")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "govaudit-bench",
                        help="生成站点的目录（可重复使用）")
    parser.add_argument("--no-scrapy", action="store_true", help="不运行 Scrapy（未安装时）")
    parser.add_argument("--no-write", action="store_true", help="只打印，不写 bench/RESULTS.md 和 results.json")
    parser.add_argument("--fleet-only", action="store_true",
                        help="只测多站（本地引擎与 Celery 引擎），不写结果文件")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govaudit-bench-run-") as work, contextlib.ExitStack() as stack:
        services = _start_services(stack)
        bench = Bench(QUICK if args.quick else FULL, args.runs, args.data, Path(work), not args.no_scrapy, services)
        if args.fleet_only:
            bench.run_fleet()
            print(json.dumps(fleet_figures(bench), ensure_ascii=False, indent=2))
            return
        bench.run()
        figures = bench.figures()
    text = table(figures)
    print(text)
    if not args.no_write:
        (HERE / "results.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", "utf-8")
        write_results_md(figures, text)


def _start_services(stack: contextlib.ExitStack) -> tuple[Any, Any] | None:
    """redis-server and PostgreSQL on free loopback ports (as the tests start them) for the
    Celery fleet; None, with a note, where they are not installed."""
    from tests.support.services import PostgresServer, RedisServer, ServiceMissing

    try:
        return stack.enter_context(RedisServer()), stack.enter_context(PostgresServer())
    except ServiceMissing as exc:
        print(f"不测 Celery 多站：{exc}", flush=True)
        return None


# The national estimate: every government website (about 14,000) audited every night.
NATION_SITES, NATION_PAGES, NIGHT_HOURS = 14_000, 300, 6


def fleet_figures(bench: Bench) -> dict[str, object]:
    if "fleet_celery" not in bench.results:
        return {}
    local_wall, celery_wall = bench.median("fleet", "wall_s"), bench.median("fleet_celery", "wall_s")
    per_core_s = bench.median("fleet_celery", "pages") / bench.median("fleet_celery", "cpu_s")
    pages = NATION_SITES * NATION_PAGES
    cores = pages / per_core_s / (NIGHT_HOURS * 3600)
    return {
        "local_wall_s": local_wall, "celery_wall_s": celery_wall, "speedup": local_wall / celery_wall,
        "workers": CELERY_WORKERS, "celery_cpu_s": bench.median("fleet_celery", "cpu_s"),
        "same_findings": all(m.extra["same_findings"] == 1.0 for m in bench.results["fleet_celery"]),
        "pages_per_core_s": per_core_s, "pages_per_core_h": per_core_s * 3600,
        "nation": {"sites": NATION_SITES, "pages_per_site": NATION_PAGES, "night_hours": NIGHT_HOURS,
                   "core_hours": pages / per_core_s / 3600, "workers_at_one_core": math.ceil(cores)},
    }


def write_results_md(figures: dict[str, object], text: str) -> None:
    path = HERE / "RESULTS.md"
    notes = ""
    if path.exists():  # keep the hand-written part (what was tried) below the measured table
        old = path.read_text("utf-8")
        marker = "<!-- notes -->"
        notes = old[old.index(marker):] if marker in old else ""
    sizes = json.dumps(figures["sizes"], ensure_ascii=False)
    fleet = f"多站理想用时 {figures['fleet_ideal_s']:.1f} s，实际 {figures['fleet_wall_s']:.1f} s"
    path.write_text(f"""# 性能基准结果

由 `python3 -m bench` 生成（每项 {figures['runs']} 次取中位数）。日期：{figures['date']}。
机器：{figures['machine']}。静态服务器：{figures['server']}。
规模：{sizes}。{fleet}。

{text}

{notes}""", encoding="utf-8")


if __name__ == "__main__":
    main()
