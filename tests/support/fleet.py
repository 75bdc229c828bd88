"""Comparing whole runs of the two engines, and waiting for Celery workers (tests, bench)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

_WHEN = {"checked_at", "fetched_at", "elapsed_s"}   # when and how fast: differs between any two runs


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _stable(item) for key, item in value.items() if key not in _WHEN}
    if isinstance(value, list):
        return [_stable(item) for item in value]
    return value


def stable_findings(document: dict[str, Any]) -> dict[str, list[str]]:
    """report.json -> each site's findings (whole, as sorted JSON), leaving out when they
    were seen and how fast pages answered."""
    return {entry["name"]: sorted(json.dumps(_stable(f), sort_keys=True, ensure_ascii=False) for f in entry["findings"])
            for entry in document["sites"]}


def wait_for_workers(config: Path, count: int, timeout_s: float = 60) -> None:
    """Until `count` workers of the config's broker answer a ping."""
    from govaudit.config import load_config
    from govaudit.distributed import configure

    app = configure(load_config(config))
    deadline = time.monotonic() + timeout_s
    while len(app.control.ping(timeout=0.5) or []) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{count} 个 govaudit worker 未在 {timeout_s} 秒内就绪")
