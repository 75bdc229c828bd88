"""Screenshots as evidence: each site's homepage above the fold, and the pages of its veto and
deduct findings where a picture helps (footer marks, a stale or blank column, the yearly
report's tables). Written beside the report; thumbnails embedded in report.html.

A screenshot shows the audited bytes: the page's document as the crawler captured it (from
the store), with its sub-resources fetched through the crawler's own fetcher, never the live
page as it may be now. Its caption says when the bytes were captured."""

from __future__ import annotations

import asyncio
import base64
import functools
import io
from pathlib import Path
from typing import Any

from govaudit.checks.registry import rule_by_id
from govaudit.config import Config
from govaudit.crawler.fetch import Fetcher
from govaudit.crawler.politeness import HostLimiter
from govaudit.crawler.render import Renderer, RenderUnavailable, unavailable_reason
from govaudit.crawler.resolve import AddressGuard
from govaudit.crawler.resources import ResourceCache
from govaudit.crawler.urls import Scope, origin_key
from govaudit.database import StoreTarget
from govaudit.store import Store

_THUMB_WIDTH = 360


def capture(config: Config, document: dict[str, Any], out_dir: Path, store_path: StoreTarget, run_id: str) -> None:
    """Add screenshots to the document's sites (and their findings) in place, each of the
    page as run `run_id` captured it."""
    if not config.render.screenshots or config.render.mode == "never":
        return
    reason = unavailable_reason(config.render)
    if reason:
        for entry in document["sites"]:
            entry["screenshot_note"] = reason
        return
    with Store(store_path) as store:
        asyncio.run(_capture_all(config, document, out_dir, store, run_id))


async def _capture_all(config: Config, document: dict[str, Any], out_dir: Path, store: Store, run_id: str) -> None:
    limiter = HostLimiter(config.politeness.per_host_concurrency, config.politeness.min_interval_s,
                          config.politeness.global_concurrency)
    async with Fetcher(config.crawler, limiter, guard=AddressGuard.from_network(config.network)) as fetcher:
        for index, entry in enumerate(document["sites"]):
            targets = _targets(entry, config.render.max_screenshots)
            allowed = {origin_key(url) for url, *_ in targets} | Scope(entry["url"]).hosts()
            in_scope = functools.partial(_allowed, allowed)
            resources = ResourceCache(fetcher, in_scope, max_bytes_each=config.render.resource_max_bytes,
                                      max_bytes_kept=config.render.resource_cache_mb * 1024 * 1024)
            try:
                async with Renderer(config.render, in_scope, resources) as renderer:
                    entry["screenshots"] = await _shots(renderer, entry, index, out_dir, store, run_id,
                                                        config.render.max_screenshots)
            except RenderUnavailable as exc:
                entry["screenshot_note"] = str(exc)


async def _shots(renderer: Renderer, entry: dict[str, Any], index: int, out_dir: Path, store: Store,
                 run_id: str, limit: int) -> list[dict[str, Any]]:
    shots = []
    for number, (url, label, how, finding) in enumerate(_targets(entry, limit)):
        captured = store.captured_document(run_id, entry["name"], url)
        if captured is None:   # not captured as a page (or pruned): never the live page instead
            continue
        html, captured_at = captured
        path = out_dir / "screenshots" / f"site{index}-{number}.png"
        rendered = await renderer.screenshot(url, html, path, full_page=how == "full", scroll_to_bottom=how == "bottom")
        if rendered.error or not path.exists():
            continue
        shot = {"url": url, "label": label, "file": f"screenshots/{path.name}", "captured_at": captured_at,
                "thumbnail": _thumbnail(path)}
        shots.append(shot)
        if finding is not None:
            finding["screenshot"] = shot
    return shots


def _targets(entry: dict[str, Any], limit: int) -> list[tuple[str, str, str, dict[str, Any] | None]]:
    targets: list[tuple[str, str, str, dict[str, Any] | None]] = [(entry["url"], "首页（首屏）", "top", None)]
    seen = {entry["url"]}
    for finding in entry["findings"]:
        how = _screenshot_of(finding["rule"])
        if how is None or finding["severity"] == "notice" or finding["url"] in seen:
            continue
        seen.add(finding["url"])
        targets.append((finding["url"], finding.get("title", finding["rule"]), how, finding))
        if len(targets) >= limit:
            break
    return targets


def _thumbnail(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as image:
        ratio = _THUMB_WIDTH / image.width
        small = image.convert("RGB").resize((_THUMB_WIDTH, max(1, int(image.height * ratio))))
        small = small.crop((0, 0, _THUMB_WIDTH, min(small.height, 600)))
        buffer = io.BytesIO()
        small.save(buffer, format="JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _allowed(origins: set[str], url: str) -> bool:
    return origin_key(url) in origins


def _screenshot_of(rule_id: str) -> str | None:
    """How a finding of the rule is pictured (its declaration's `screenshot`)."""
    try:
        return rule_by_id(rule_id).screenshot
    except KeyError:   # a rule of an earlier version, in a stored report
        return None
