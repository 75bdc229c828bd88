"""Screenshots as evidence: each site's homepage above the fold, and the pages of its veto and
deduct findings where a picture helps (footer marks, a stale or blank column, the yearly
report's tables). Written beside the report; thumbnails embedded in report.html."""

from __future__ import annotations

import asyncio
import base64
import io
from pathlib import Path
from typing import Any

from crawler.render import Renderer, RenderUnavailable, unavailable_reason
from crawler.failures import ResolutionFailed
from crawler.resolve import Resolver
from crawler.urls import Scope, origin_key
from govaudit.config import Config

_PICTURED = {"identity": "bottom", "columns": "top", "annual_report": "full", "homepage": "top",
             "interaction": "top", "regulations": "top"}
_THUMB_WIDTH = 360


def capture(config: Config, document: dict[str, Any], out_dir: Path) -> None:
    """Add screenshots to the document's sites (and their findings) in place."""
    if not config.render.screenshots or config.render.mode == "never":
        return
    reason = unavailable_reason(config.render)
    if reason:
        for entry in document["sites"]:
            entry["screenshot_note"] = reason
        return
    asyncio.run(_capture_all(config, document, out_dir))


async def _capture_all(config: Config, document: dict[str, Any], out_dir: Path) -> None:
    resolver = Resolver(config.network)
    for index, entry in enumerate(document["sites"]):
        targets = _targets(entry, config.render.max_screenshots)
        hosts: dict[str, list[str]] = {}
        for url, *_ in targets:
            host = url.split("/")[2].rsplit(":", 1)[0].strip("[]") if url.count(":") > 1 else url.split("/")[2]
            try:
                hosts[host] = await resolver.resolve(host)
            except ResolutionFailed:
                continue
        scope = Scope(entry["url"])
        allowed = {origin_key(url) for url, *_ in targets} | scope.hosts()
        try:
            async with Renderer(config.render, lambda u: origin_key(u) in allowed, hosts) as renderer:
                shots = []
                for number, (url, label, how, finding) in enumerate(targets):
                    path = out_dir / "screenshots" / f"site{index}-{number}.png"
                    rendered = await renderer.screenshot(url, path, full_page=how == "full",
                                                         scroll_to_bottom=how == "bottom")
                    if rendered.error or not path.exists():
                        continue
                    shot = {"url": url, "label": label, "file": f"screenshots/{path.name}", "thumbnail": _thumbnail(path)}
                    shots.append(shot)
                    if finding is not None:
                        finding["screenshot"] = shot
                entry["screenshots"] = shots
        except RenderUnavailable as exc:
            entry["screenshot_note"] = str(exc)


def _targets(entry: dict[str, Any], limit: int) -> list[tuple[str, str, str, dict[str, Any] | None]]:
    targets: list[tuple[str, str, str, dict[str, Any] | None]] = [(entry["url"], "首页（首屏）", "top", None)]
    seen = {entry["url"]}
    for finding in entry["findings"]:
        how = _PICTURED.get(finding["rule"].split(".")[0])
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
