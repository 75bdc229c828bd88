"""Screenshots of the workbench for the README (docs/screenshots/*.png), over a fresh demo.

    python3 -m docs.make_screenshots

Runs `govaudit demo` into a temporary folder, adds a user, serves the workbench on a free
loopback port, marks one finding 误报 through the form, and photographs the main pages with
the installed Chromium. Only loopback is contacted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from govaudit.config import load_config
from govaudit.web.auth import add_user
from tests.support.workbench import serving

OUT = Path(__file__).parent / "screenshots"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="govaudit-shots-"))
    try:
        subprocess.run([sys.executable, "-m", "govaudit", "demo", "--out", str(folder)], check=True)
        config_path = folder / "config.toml"
        add_user(config_path, "zwgk", "demo-password", "李审核")
        shoot(load_config(config_path))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def shoot(config: object) -> None:
    OUT.mkdir(exist_ok=True)
    with serving(config) as base, sync_playwright() as playwright:  # type: ignore[arg-type]
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), headless=True,
                                             args=["--no-sandbox"] if os.geteuid() == 0 else [])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.goto(f"{base}/login")
        page.get_by_label("用户名").fill("zwgk")
        page.get_by_label("密码").fill("demo-password")
        page.get_by_role("button", name="登录").click()
        page.goto(base + "/")
        page.screenshot(path=str(OUT / "runs.png"))
        page.locator("table a").first.click()
        page.screenshot(path=str(OUT / "run.png"), full_page=True)
        page.locator("table a").first.click()
        first = page.locator("form.review").first
        first.locator("select").select_option("false_positive")
        first.locator("input[name=reason]").fill("该栏目已停更并在首页注明（演示）")
        first.get_by_role("button", name="记录").click()
        page.screenshot(path=str(OUT / "site.png"), full_page=True)
        page.goto(base + "/plan")
        page.screenshot(path=str(OUT / "plan.png"), full_page=True)
        page.goto(base + "/false-positives")
        page.screenshot(path=str(OUT / "false-positives.png"))
        browser.close()
    print(f"written: {', '.join(sorted(p.name for p in OUT.glob('*.png')))} in {OUT}")


if __name__ == "__main__":
    main()
