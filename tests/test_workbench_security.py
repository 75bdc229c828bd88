"""The workbench's guards one by one: who may read anonymously, how sessions expire, how
guessing is counted and locked out, how a changed user file is read, how the [serve]
options are checked. The same guards attacked through a real proxy: test_workbench_attacks.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from govaudit.config import ConfigError, LoginOptions, ServeOptions, load_config, parse_config, store_target
from govaudit.web.auth import UserDirectory, add_user, credential_stamp, remove_user, set_disabled
from govaudit.web.guards import allowed_hosts, may_read_anonymously
from govaudit.web.sessions import SessionStore
from govaudit.web.throttle import LoginThrottle, client_key
from tests.support.server import TestSite
from tests.support.services import NginxProxy, ServiceMissing
from tests.support.workbench import PASSWORD, office_config, office_site, serving


def _scope(client: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"type": "http", "client": (client, 50000),
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}


@pytest.mark.parametrize(("serve", "client", "headers", "allowed"), [
    (ServeOptions(), "127.0.0.1", {}, True),
    (ServeOptions(), "::1", {}, True),
    (ServeOptions(), "127.0.0.1", {"X-Forwarded-For": "10.0.0.8"}, False),     # a proxy on this machine
    (ServeOptions(), "127.0.0.1", {"Forwarded": "for=10.0.0.8"}, False),
    (ServeOptions(), "127.0.0.1", {"X-Real-IP": "10.0.0.8"}, False),
    (ServeOptions(), "10.0.0.8", {}, False),
    (ServeOptions(anonymous_read="yes"), "10.0.0.8", {}, False),             # "yes" never opens the network
    (ServeOptions(https_only=True), "127.0.0.1", {}, False),
    (ServeOptions(anonymous_read="no"), "127.0.0.1", {}, False),
])
def test_who_may_read_without_logging_in(serve: ServeOptions, client: str, headers: dict[str, str], allowed: bool) -> None:
    assert may_read_anonymously(serve, _scope(client, headers)) is allowed


def test_allowed_hosts_default_to_the_bind_address_and_loopback_names() -> None:
    assert allowed_hosts(ServeOptions(), "::1") == ["127.0.0.1", "[::1]", "localhost"]
    assert allowed_hosts(ServeOptions(allowed_hosts=("GZPT.example.gov.cn",)), "0.0.0.0") == ["gzpt.example.gov.cn"]


def test_serve_options_that_cannot_work_are_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match="trusted_proxies") as bad:
        parse_config('[serve]\ntrusted_proxies = ["nginx-box"]\n')
    assert bad.value.line == 2
    with pytest.raises(ConfigError, match="不带 http://"):
        parse_config('[serve]\nallowed_hosts = ["https://gzpt.example.gov.cn:443"]\n')
    with pytest.raises(ConfigError, match="role"):
        parse_config('[[users]]\nname = "a"\npassword_hash = "x"\nrole = "root"\n')
    with pytest.raises(ConfigError, match="超出范围"):
        parse_config("[login]\nuser_failures = 1\n")


def test_sessions_end_when_idle_or_too_old_and_per_user(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    sessions = SessionStore(store, max_age_s=3600, idle_s=600)
    token, opened = sessions.open("甲", "stamp", "127.0.0.1", now=1000.0)
    assert sessions.find(token, now=1500.0) == opened                  # used within the idle time...
    assert sessions.find(token, now=2000.0) is not None                # ...counted from the last use
    assert sessions.find(token, now=2700.0) is None                    # idle for 700 s: gone
    token, _ = sessions.open("甲", "stamp", "127.0.0.1", now=10_000.0)
    for now in range(10_000, 13_600, 500):
        assert sessions.find(token, now=float(now)) is not None
    assert sessions.find(token, now=13_700.0) is None                  # older than max_age, however busy
    first, _ = sessions.open("乙", "stamp", "127.0.0.1")
    second, _ = sessions.open("乙", "stamp", "127.0.0.2")
    assert sessions.live_counts()["乙"] == 2 and sessions.end_user("乙") == 2
    assert sessions.find(first) is None and sessions.find(second) is None
    assert sessions.find("") is None and sessions.find("x" * 500) is None


def test_lockouts_double_up_to_the_cap_and_ipv6_clients_count_by_their_64(tmp_path: Path) -> None:
    options = LoginOptions(window_minutes=15, client_failures=3, user_failures=100, lockout_minutes=10,
                           lockout_max_minutes=25)
    throttle = LoginThrottle(tmp_path / "t.sqlite", options)
    now = 0.0
    lengths = []
    for _ in range(3):
        for _ in range(2):
            assert throttle.failed("2001:db8::1", f"u{now}", now=now) is None
            now += 1
        lock = throttle.failed("2001:db8::1", f"u{now}", now=now)
        assert lock is not None and throttle.locked("2001:db8::ffff", "any", now=now + 1) is not None   # same /64
        assert throttle.locked("2001:db8:0:1::1", "any", now=now + 1) is None                         # another /64
        lengths.append(lock.seconds)
        now += lock.seconds + 1
    assert lengths == [600, 1200, 1500]                                # 10, 20, then capped at 25 minutes
    assert client_key("2001:db8::1") == "2001:db8::/64" and client_key("192.0.2.7") == "192.0.2.7"
    throttle.failed("192.0.2.7", "甲", now=now)
    throttle.succeeded("甲")
    assert throttle.locked("192.0.2.8", "甲", now=now) is None


def test_the_user_file_is_read_again_when_it_changes_and_a_broken_one_lets_nobody_in(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# 配置\n", encoding="utf-8")
    add_user(path, "甲", PASSWORD, role="admin")
    add_user(path, "乙", PASSWORD)
    directory = UserDirectory(load_config(path))
    first = directory.named("甲")
    assert first is not None and first.role == "admin" and directory.named("乙").role == "reviewer"  # type: ignore[union-attr]
    add_user(path, "甲", "another-password")
    changed = directory.named("甲")
    assert changed is not None and credential_stamp(changed) != credential_stamp(first)
    set_disabled(path, "乙", True)
    assert directory.named("乙").disabled  # type: ignore[union-attr]
    remove_user(path, "乙")
    assert directory.named("乙") is None
    path.write_text(path.read_text("utf-8") + "\n[serve\n", encoding="utf-8")
    assert directory.users() == () and directory.named("甲") is None


def test_a_failed_write_of_the_user_file_leaves_it_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[users]]\nname = "甲"\npassword_hash = "x"\n[[users]]\nname = "乙"\npassword_hash = "y"\n',
                    encoding="utf-8")
    before = path.read_text("utf-8")
    with pytest.raises(Exception, match="没有用户"):
        remove_user(path, "丙")
    assert path.read_text("utf-8") == before


def test_through_a_plain_proxy_on_this_machine_anonymous_reading_stops(site: TestSite, tmp_path: Path) -> None:
    """The set-up #26 measured: the workbench on 127.0.0.1 with anonymous reading left on,
    nginx in front of it on the same machine; a client of the proxy reads nothing, a reader
    on the machine itself still does (with trusted_proxies set or not)."""
    from govaudit.nightly import run_all

    office_site(site)
    for extra in ("", '[serve]\ntrusted_proxies = ["127.0.0.1"]\n'):
        folder = tmp_path / ("trusted" if extra else "plain")
        folder.mkdir()
        config = load_config(office_config(folder, site, extra=extra))
        run_id = run_all(config).result.run_id
        with serving(config) as base:
            port = int(base.rsplit(":", 1)[1])
            try:
                proxy = NginxProxy(port)
            except ServiceMissing as exc:
                pytest.skip(str(exc))
            with proxy:
                transport = httpx.HTTPTransport(local_address="127.0.0.9")
                with httpx.Client(transport=transport, follow_redirects=False) as outsider:
                    through = outsider.get(f"http://127.0.0.1:{proxy.port}/runs/{run_id}/report.json")
                assert through.status_code == 303 and through.headers["location"].startswith("/login")
                assert httpx.get(f"{base}/runs/{run_id}/report.json").status_code == 200
        assert store_target(config).exists()  # type: ignore[union-attr]


def test_a_server_error_is_a_plain_page_with_the_headers_and_no_traceback(site: TestSite, tmp_path: Path) -> None:
    office_site(site)
    config = load_config(office_config(tmp_path, site))
    database = store_target(config)
    database.write_bytes(b"this is not a database" * 100)  # type: ignore[union-attr]
    with serving(config) as base:
        response = httpx.get(f"{base}/")
    assert response.status_code == 500 and "服务器出错" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()
