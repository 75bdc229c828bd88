"""A fault-injection point for the crash-safety tests (tests/hostile/test_load_and_kills.py).

With GOVAUDIT_PAUSE_AT=<name> in the environment, the process announces that it reached
<name> (by writing GOVAUDIT_PAUSE_FILE) and waits there, so a test can kill -9 it at exactly
that moment: inside a store transaction, or between writing a report and putting it in place.
Without the variable this does nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_point(name: str) -> None:
    if os.environ.get("GOVAUDIT_PAUSE_AT") != name:
        return
    marker = os.environ.get("GOVAUDIT_PAUSE_FILE")
    if marker:
        Path(marker).write_text(name, encoding="utf-8")
    time.sleep(120)
