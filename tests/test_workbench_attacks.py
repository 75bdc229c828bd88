"""The workbench attacked as an outsider would, deployed as the README says: `govaudit serve`
in its own process behind Debian's nginx terminating TLS (https_only, allowed_hosts,
trusted_proxies), over a run of a site whose content is hostile. Clients come from their
own loopback addresses (127.0.0.x), so nginx forwards each one's address as a real network
client's; nothing here is mocked."""

from __future__ import annotations

import logging
import ssl
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from click.testing import CliRunner

from govaudit.cli import main
from govaudit.config import load_config
from govaudit.nightly import run_all
from govaudit.web.auth import add_user
from tests.support.pages import footer, page
from tests.support.server import TestSite
from tests.support.services import NginxProxy, ServiceMissing, WorkbenchProcess
from tests.support.workbench import PASSWORD, form_token, office_config

log = logging.getLogger(__name__)
HOST = "127.0.0.1"
HOSTILE = '<script>alert("crawled")</script>'


@dataclass
class Deployment:
    base: str               # https://127.0.0.1:<nginx port>
    direct: str             # http://127.0.0.1:<workbench port>, the proxy bypassed
    ca: trustme.CA
    ca_file: Path
    config: Path
    workbench: WorkbenchProcess
    run_id: str
    document: dict[str, Any]

    def client(self, source: str = "127.0.0.5", **options: Any) -> httpx.Client:
        """A browser-like client from its own loopback address, through the proxy."""
        transport = httpx.HTTPTransport(verify=ssl.create_default_context(cafile=str(self.ca_file)), local_address=source)
        return httpx.Client(transport=transport, follow_redirects=False, timeout=30, **options)

    def login(self, client: httpx.Client, user: str, password: str = PASSWORD) -> httpx.Response:
        token = form_token(client.get(f"{self.base}/login").text)
        return client.post(f"{self.base}/login", data={"username": user, "password": password, "next": "/",
                                                         "csrftoken": token})

    def finding(self, severity: str) -> dict[str, Any]:
        return next(f for f in self.document["sites"][0]["findings"] if f["severity"] == severity)


def _hostile_site(site: TestSite) -> None:
    """Every crawled string a page of the workbench shows, made hostile: titles, link texts and
    targets, footer. A government's portal (by its sponsor) with no consultation channel:
    interaction.unanswered, a 单项否决."""
    foot = footer(without="identity.icp", replace={"identity.sponsor": f"主办：测试区人民政府<img src=x onerror=alert(2)>{HOSTILE}"})
    links = (f'<a href="/gone.html">旧专题{HOSTILE}</a> <a href="javascript:alert(3)">脚本链接</a>'
             f' <a href="/news.html">新闻"><svg onload=alert(4)></a>')
    site.page("/", page(f"首页{HOSTILE}", f"<p>2019年1月2日 更新</p>{links}", foot=foot))
    site.page("/news.html", page(f"新闻</title>{HOSTILE}", "<p>2019年1月2日 通知</p>", foot=foot))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    tmp_path = tmp_path_factory.mktemp("deployment")
    ca = trustme.CA()
    cert = ca.issue_cert(HOST)
    cert_file, key_file, ca_file = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(cert_file)
    cert.private_key_pem.write_to_path(key_file)
    ca.cert_pem.write_to_path(ca_file)
    with TestSite() as site:
        _hostile_site(site)
        config = office_config(tmp_path, site, extra=(
            '[serve]\nhttps_only = true\nallowed_hosts = ["127.0.0.1"]\ntrusted_proxies = ["127.0.0.1"]\n'
            "[login]\nuser_failures = 3\nclient_failures = 6\nlockout_minutes = 10\n"))
        for name, role in (("管理员", "admin"), ("审核员二", "reviewer"), ("访客", "viewer"), ("临时", "reviewer")):
            add_user(config, name, PASSWORD, role=role)
        outcome = run_all(load_config(config), today=date.today())
    try:
        workbench = WorkbenchProcess(config, env={"GOVAUDIT_SECRET": "a-test-secret-of-enough-length"})
        proxy = NginxProxy(workbench.port, cert_file, key_file)
    except ServiceMissing as exc:
        pytest.skip(str(exc))
    with workbench, proxy:
        yield Deployment(f"https://{HOST}:{proxy.port}", f"http://{HOST}:{workbench.port}", ca, ca_file, config,
                         workbench, outcome.result.run_id, outcome.result.document)


# -- who may read ----------------------------------------------------------------------------------

def test_through_the_proxy_an_anonymous_client_reads_nothing(deployment: Deployment) -> None:
    run = deployment.run_id
    with deployment.client() as client:
        for path in ("/", f"/runs/{run}", f"/runs/{run}/findings", f"/runs/{run}/sites/门户", f"/runs/{run}/report.json",
                     "/plan", "/false-positives", "/false-positives.csv", f"/units/{deployment.document['sites'][0]['unit']}"):
            response = client.get(deployment.base + path)
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
            assert "门户" not in response.text and "findings" not in response.text
        # a client that claims to be the machine itself is still the client nginx saw
        spoofed = client.get(f"{deployment.base}/runs/{run}/report.json", headers={"X-Forwarded-For": "127.0.0.1"})
        assert spoofed.status_code == 303
    assert "未登录不能查看（https_only = true" in deployment.workbench.logged()   # said at start-up


def test_a_foreign_host_is_refused_with_no_redirect_built_from_it(deployment: Deployment) -> None:
    with deployment.client() as client:
        for host in ("evil.example", "127.0.0.1.nip.example", "localhost.evil.example"):
            refused = client.get(f"{deployment.base}/login", headers={"Host": host})
            assert refused.status_code == 400 and "default-src 'none'" in refused.headers["content-security-policy"]
        assert client.get(f"{deployment.base}/login").status_code == 200
        assert client.get(f"{deployment.base}/runs/", headers={"Host": "evil.example"}).status_code == 400
    # DNS rebinding onto the workbench itself: a page's own name in Host
    rebound = httpx.get(f"{deployment.direct}/runs/{deployment.run_id}/report.json", headers={"Host": "attacker.example"})
    assert rebound.status_code == 400


# -- guessing ----------------------------------------------------------------------------------------

def test_guessing_locks_out_the_user_and_the_client_and_is_logged(deployment: Deployment) -> None:
    with deployment.client("127.0.0.11") as guesser:
        codes = [deployment.login(guesser, "临时", f"wrong-{n}").status_code for n in range(3)]
        assert codes == [401, 401, 401]
        locked = deployment.login(guesser, "临时")                         # the right password, too late
        assert locked.status_code == 429 and "锁定" in locked.text
    with deployment.client("127.0.0.12") as elsewhere:                    # the user is locked from anywhere
        assert deployment.login(elsewhere, "临时").status_code == 429
    with deployment.client("127.0.0.13") as sprayer:                      # one client, many names
        codes = [deployment.login(sprayer, f"猜测{n}", "password-1").status_code for n in range(6)]
        assert codes == [401] * 6
        assert deployment.login(sprayer, "审核员二").status_code == 429
        spoofing = deployment.client("127.0.0.13", headers={"X-Forwarded-For": "10.1.2.3"})
        with spoofing:
            assert deployment.login(spoofing, "审核员二").status_code == 429
    with deployment.client("127.0.0.14") as other:                        # others are not locked out
        assert deployment.login(other, "审核员二").status_code == 303
    logged = deployment.workbench.logged()
    assert "登录失败：用户名 '临时'，来自 127.0.0.11" in logged and "user:临时 锁定" in logged
    assert "client:127.0.0.13" in logged and "来自 127.0.0.14" in logged
    assert "wrong-0" not in logged and PASSWORD not in logged


def test_pages_stay_fast_while_guessers_hammer_the_login(deployment: Deployment) -> None:
    """Measured and logged (not a timed assertion): a reader's page before and while six
    guessers, each from its own address and each name new, make the server check passwords."""
    with deployment.client("127.0.0.20") as reader:
        assert deployment.login(reader, "访客").status_code == 303
        page_url = f"{deployment.base}/runs/{deployment.run_id}"

        def timed(count: int) -> list[float]:
            times = []
            for _ in range(count):
                started = time.perf_counter()
                assert reader.get(page_url).status_code == 200
                times.append(time.perf_counter() - started)
            return times

        before = timed(8)
        answers: list[int] = []

        def guess(index: int) -> None:
            """Guesses until locked out (a new name each time: only the client limit stops it)."""
            with deployment.client(f"127.0.1.{index}") as guesser:
                token = form_token(guesser.get(f"{deployment.base}/login").text)
                for n in range(40):
                    answers.append(guesser.post(f"{deployment.base}/login", data={
                        "username": f"g{index}-{n}", "password": "guess-password", "csrftoken": token}).status_code)
                    if answers[-1] == 429:
                        return

        guessers = [threading.Thread(target=guess, args=(i,)) for i in range(1, 7)]
        for thread in guessers:
            thread.start()
        during: list[float] = []
        while any(thread.is_alive() for thread in guessers) and len(during) < 200:
            during += timed(1)
        for thread in guessers:
            thread.join(60)
    log.warning("页面耗时：猜测前中位数 %.3f 秒；六个猜测者同时进行时（%d 次）中位数 %.3f 秒、最长 %.3f 秒；猜测应答 %s",
                statistics.median(before), len(during), statistics.median(during), max(during),
                {code: answers.count(code) for code in sorted(set(answers))})
    assert set(answers) <= {401, 429, 503} and answers.count(429) == 6   # every guesser reached its lockout


# -- sessions the server ends ---------------------------------------------------------------------

def _session_cookie(client: httpx.Client) -> str:
    return client.cookies["__Host-govaudit_session"]


def _replayed(deployment: Deployment, cookie: str) -> httpx.Response:
    with deployment.client("127.0.0.30", cookies={"__Host-govaudit_session": cookie}) as thief:
        return thief.get(f"{deployment.base}/runs/{deployment.run_id}/report.json")


def test_a_copied_cookie_dies_with_logout_password_change_disable_and_removal(deployment: Deployment) -> None:
    runner = CliRunner()
    config = str(deployment.config)
    with deployment.client("127.0.0.31") as browser:
        response = deployment.login(browser, "访客")
        assert response.status_code == 303
        set_cookie = response.headers["set-cookie"]
        assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie
        cookie = _session_cookie(browser)
        assert _replayed(deployment, cookie).status_code == 200            # a copied cookie works while the session does
        token = form_token(browser.get(f"{deployment.base}/").text)
        assert browser.post(f"{deployment.base}/logout", data={"csrftoken": token}).status_code == 303
        assert _replayed(deployment, cookie).status_code == 303           # ...and not after logout

        assert deployment.login(browser, "访客").status_code == 303
        cookie = _session_cookie(browser)
        changed = runner.invoke(main, ["user", "add", "访客", "--config", config, "--password-stdin"],
                                input="a-new-password-1\n")
        assert changed.exit_code == 0, changed.output
        assert _replayed(deployment, cookie).status_code == 303           # password changed
        assert deployment.login(browser, "访客").status_code == 401
        assert deployment.login(browser, "访客", "a-new-password-1").status_code == 303

        cookie = _session_cookie(browser)
        assert runner.invoke(main, ["user", "disable", "访客", "--config", config]).exit_code == 0
        assert _replayed(deployment, cookie).status_code == 303
        assert deployment.login(browser, "访客", "a-new-password-1").status_code == 401
        assert runner.invoke(main, ["user", "enable", "访客", "--config", config]).exit_code == 0
        assert deployment.login(browser, "访客", "a-new-password-1").status_code == 303

        cookie = _session_cookie(browser)
        listed = runner.invoke(main, ["user", "list", "--config", config])
        assert "访客" in listed.output and "只读" in listed.output and "在线会话 1" in listed.output
        assert runner.invoke(main, ["user", "remove", "访客", "--config", config]).exit_code == 0
        assert _replayed(deployment, cookie).status_code == 303
        assert deployment.login(browser, "访客", "a-new-password-1").status_code == 401
    add_user(deployment.config, "访客", PASSWORD, role="viewer")       # (as the other tests expect)


def test_an_admin_ends_a_users_sessions_from_the_workbench(deployment: Deployment) -> None:
    with deployment.client("127.0.0.35") as reviewer, deployment.client("127.0.0.36") as admin:
        assert deployment.login(reviewer, "审核员二").status_code == 303
        assert reviewer.get(f"{deployment.base}/users").status_code == 403      # not an admin
        assert deployment.login(admin, "管理员").status_code == 303
        accounts = admin.get(f"{deployment.base}/users")
        assert accounts.status_code == 200 and "审核员二" in accounts.text
        ended = admin.post(f"{deployment.base}/users/end-sessions",
                           data={"user": "审核员二", "csrftoken": form_token(accounts.text)})
        assert ended.status_code == 303
        assert reviewer.get(f"{deployment.base}/").status_code == 303          # sent to log in again


# -- forms -------------------------------------------------------------------------------------------

def _review_form(deployment: Deployment, finding: dict[str, Any], action: str, **extra: str) -> dict[str, str]:
    return {"site": "门户", "fingerprint": finding["fingerprint"], "action": action, "back": "/", **extra}


def test_every_post_route_refuses_a_missing_planted_or_foreign_token(deployment: Deployment) -> None:
    from tests.support.workbench import post_routes

    routes = post_routes(deployment.config)
    assert {"/login", "/logout", "/review", "/users/end-sessions"} <= set(routes)
    dead = deployment.finding("deduct")
    with deployment.client("127.0.0.40") as attacker:
        attacker.get(f"{deployment.base}/login")
        planted_cookie = attacker.cookies["__Host-govaudit_login"]
        planted_token = form_token(attacker.get(f"{deployment.base}/login").text)
    with deployment.client("127.0.0.41") as victim:
        assert deployment.login(victim, "管理员").status_code == 303
        good = form_token(victim.get(f"{deployment.base}/").text)
        form = _review_form(deployment, dead, "confirm")
        for route in routes:
            assert victim.post(deployment.base + route, data=form).status_code == 403, route
            assert victim.post(deployment.base + route, data={**form, "csrftoken": "forged"}).status_code == 403, route
        # the old double-submit pair and a login pair planted by a sibling host: not this session's token
        victim.cookies.set("csrftoken", "x" * 40)
        victim.cookies.set("__Host-govaudit_login", planted_cookie)
        for token in ("x" * 40, planted_token):
            assert victim.post(f"{deployment.base}/review", data={**form, "csrftoken": token}).status_code == 403
        # the right token from another origin, a sibling under the same domain included
        for origin in ("https://evil.example", "https://sibling.127.0.0.1", "null", f"http://{HOST}"):
            refused = victim.post(f"{deployment.base}/review", data={**form, "csrftoken": good}, headers={"Origin": origin})
            assert refused.status_code == 403, origin
            assert "default-src 'none'" in refused.headers["content-security-policy"] and "Traceback" not in refused.text
        same = victim.post(f"{deployment.base}/review", data={**form, "csrftoken": good},
                           headers={"Origin": deployment.base})
        assert same.status_code == 303


def test_multipart_and_urlencoded_forms_both_work_and_bodies_are_bounded(deployment: Deployment) -> None:
    dead = deployment.finding("deduct")
    with deployment.client("127.0.0.45") as browser:
        token = form_token(browser.get(f"{deployment.base}/login").text)
        multipart_login = browser.post(f"{deployment.base}/login", files={
            "username": (None, "审核员二"), "password": (None, PASSWORD), "next": (None, "/"), "csrftoken": (None, token)})
        assert multipart_login.status_code == 303
        token = form_token(browser.get(f"{deployment.base}/").text)
        fields = {**_review_form(deployment, dead, "confirm"), "csrftoken": token}
        multipart = browser.post(f"{deployment.base}/review", files={k: (None, v) for k, v in fields.items()})
        assert multipart.status_code == 303
        assert browser.post(f"{deployment.base}/review", data=fields).status_code == 303
        uploaded = browser.post(f"{deployment.base}/review", data=fields, files={"evidence": ("x.txt", b"x" * 100)})
        assert uploaded.status_code == 400 and "Traceback" not in uploaded.text
        big = browser.post(f"{deployment.base}/review", data={**fields, "reason": "长" * 100_000})   # 300 KB
        assert big.status_code == 413 and "default-src 'none'" in big.headers["content-security-policy"]
        huge = browser.post(f"{deployment.base}/review", content=b"a=" + b"b" * 2_000_000,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert huge.status_code == 413                                     # nginx's own limit
    def chunks() -> Iterator[bytes]:   # fields small enough each, 200 KB in all
        for n in range(25):
            yield f"f{n}=".encode() + b"a" * 8000 + b"&"
    chunked = httpx.post(f"{deployment.direct}/login", content=chunks(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert chunked.status_code == 413                                      # no length given: cut off as it streams


def test_error_pages_carry_the_headers_and_no_traceback(deployment: Deployment) -> None:
    with deployment.client("127.0.0.50") as client:
        assert deployment.login(client, "审核员二").status_code == 303
        for response in (client.get(f"{deployment.base}/nope"), client.get(f"{deployment.base}/review"),
                         client.get(f"{deployment.base}/runs/没有这次"),
                         client.get(f"{deployment.base}/runs/{deployment.run_id}/sites/没有"),
                         client.post(f"{deployment.base}/review", content=b"\xff\xfe--broken",
                                     headers={"Content-Type": "multipart/form-data; boundary=x"})):
            assert response.status_code in (400, 403, 404, 405), response.text
            assert "default-src 'none'" in response.headers["content-security-policy"]
            assert response.headers["x-frame-options"] == "DENY" and "Traceback" not in response.text


# -- reviews --------------------------------------------------------------------------------------------

def test_a_single_reviewer_cannot_lift_a_veto(deployment: Deployment) -> None:
    veto = deployment.finding("veto")
    report = f"{deployment.base}/runs/{deployment.run_id}/report.json"
    with deployment.client("127.0.0.60") as first, deployment.client("127.0.0.61") as second, \
            deployment.client("127.0.0.62") as viewer:
        assert deployment.login(first, "审核员二").status_code == 303
        site_page = first.get(f"{deployment.base}/runs/{deployment.run_id}/sites/门户").text
        assert '<option value="" selected disabled>请选择</option>' in site_page   # nothing preselected
        token = form_token(site_page)
        marked = first.post(f"{deployment.base}/review", data={
            **_review_form(deployment, veto, "false_positive", reason="栏目已迁移"), "csrftoken": token})
        assert marked.status_code == 303
        (entry,) = first.get(report).json()["sites"]
        assert entry["verdict"] == "不合格"
        assert next(f for f in entry["findings"] if f["fingerprint"] == veto["fingerprint"])["review"]["approval"] == "pending"
        own = first.post(f"{deployment.base}/review", data={**_review_form(deployment, veto, "approve"), "csrftoken": token})
        assert own.status_code == 400 and "不能批准自己" in own.text
        far = first.post(f"{deployment.base}/review", data={
            **_review_form(deployment, deployment.finding("deduct"), "defer", reason="改版", until="9999-12-31"),
            "csrftoken": token})
        assert far.status_code == 400 and "最长 180 天" in far.text
        assert deployment.login(viewer, "访客").status_code == 303
        refused = viewer.post(f"{deployment.base}/review", data={
            **_review_form(deployment, veto, "approve"), "csrftoken": form_token(viewer.get(f"{deployment.base}/").text)})
        assert refused.status_code == 403
        assert deployment.login(second, "管理员").status_code == 303
        page_text = second.get(f"{deployment.base}/runs/{deployment.run_id}/sites/门户").text
        assert "误报（待批准）" in page_text and "栏目已迁移" in page_text    # the current state and its reason
        approved = second.post(f"{deployment.base}/review", data={
            **_review_form(deployment, veto, "approve"), "csrftoken": form_token(page_text)})
        assert approved.status_code == 303
        (entry,) = second.get(report).json()["sites"]
    assert veto["fingerprint"] in {f["fingerprint"] for f in entry["set_aside"]}
    assert veto["rule"] not in entry["vetoed_by"]


# -- hostile crawled content in a real browser --------------------------------------------------------

def test_no_crawled_or_typed_script_runs_in_any_page(deployment: Deployment) -> None:
    """Chromium through the proxy, logged in as an admin (every form shown), on every page:
    no dialog opens, and the browser never even meets a script to block (a CSP report
    would mean some markup was not escaped)."""
    import os
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium 未安装（apt-get install -y chromium）")
    from playwright.sync_api import sync_playwright

    run, unit = deployment.run_id, deployment.document["sites"][0]["unit"]
    with deployment.client("127.0.0.70") as typist:          # a hostile review reason, too
        assert deployment.login(typist, "审核员二").status_code == 303
        token = form_token(typist.get(f"{deployment.base}/").text)
        typed = typist.post(f"{deployment.base}/review", data={
            **_review_form(deployment, deployment.finding("deduct"), "false_positive", reason=f"理由{HOSTILE}"),
            "csrftoken": token})
        assert typed.status_code == 303
    paths = ["/", f"/runs/{run}", f"/runs/{run}/findings", f"/runs/{run}/sites/门户", f"/runs/{run}/findings?state=set_aside",
             f"/units/{unit}", "/plan", "/false-positives", "/users", "/nope", f"/runs/{run}/sites/{HOSTILE}",
             f"/login?next=/%22%3E{HOSTILE}"]
    dialogs: list[str] = []
    reports: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--no-sandbox"] if os.geteuid() == 0 else [])
        context = browser.new_context(ignore_https_errors=True, locale="zh-CN")
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: reports.append(message.text) if "Content Security Policy" in message.text
                else None)
        page.goto(f"{deployment.base}/login")
        page.get_by_label("用户名").fill("管理员")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{deployment.base}/")
        seen = []
        for path in paths:
            page.goto(deployment.base + path)
            seen.append(page.content())
        browser.close()
    assert dialogs == [] and reports == []
    everything = "\n".join(seen)
    assert '&lt;script&gt;alert("crawled")&lt;/script&gt;' in everything   # shown, as text
    assert "理由&lt;script&gt;" in everything
