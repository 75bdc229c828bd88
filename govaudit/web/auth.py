"""Users of the workbench: Argon2 password hashes and roles kept in the config ([[users]]),
written by `govaudit user add/remove/disable/enable` (tomlkit, so the office's comments and
layout stay). A running workbench reads the users again whenever the file changes, so a
removed or disabled user is refused at once, without a restart."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from govaudit.config import Config, UserConfig, load_config
from govaudit.errors import ConfigError, GovauditError, UsageError

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# Verifying against this when the user does not exist (or is disabled) takes as long as a
# real check: the time of a failed login does not tell which names exist.
_DUMMY_HASH = _hasher.hash("govaudit-no-such-user")
MIN_PASSWORD = 8
ROLES = {"admin": "管理员", "reviewer": "复核人", "viewer": "只读"}


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"密码至少 {MIN_PASSWORD} 个字符")
    return _hasher.hash(password)


def authenticate(users: tuple[UserConfig, ...], name: str, password: str) -> UserConfig | None:
    """The user whose password this is; None for a wrong password, an unknown or a disabled user.
    Slow on purpose (Argon2): call it off the event loop."""
    user = next((u for u in users if u.name == name), None)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user is not None and not user.disabled else None


def credential_stamp(user: UserConfig) -> str:
    """Changes whenever the user's password does: a session opened before no longer matches."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def may_review(user: UserConfig | None) -> bool:
    return user is not None and user.role in ("admin", "reviewer")


class UserDirectory:
    """The [[users]] of the config file, read again when the file changes. A file that no
    longer reads leaves no user at all (nobody logs in until it is fixed) rather than
    keeping users the office may have just removed."""

    def __init__(self, config: Config) -> None:
        self._path = Path(config.source) if config.source else None
        self._users = config.users
        self._stamp = self._file_stamp()
        self._lock = threading.Lock()

    def _file_stamp(self) -> tuple[int, int] | None:
        if self._path is None:
            return None
        try:
            status = self._path.stat()
        except OSError:
            return (0, 0)
        return (status.st_mtime_ns, status.st_size)

    def users(self) -> tuple[UserConfig, ...]:
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return self._users
        with self._lock:
            if stamp != self._stamp:
                self._users = self._reload()
                self._stamp = stamp
        return self._users

    def _reload(self) -> tuple[UserConfig, ...]:
        try:
            users = load_config(self._path).users
        except GovauditError as exc:
            log.error("工作台：配置文件无法读取，暂停所有登录，修正后自动恢复：%s", exc)
            return ()
        log.warning("工作台：配置文件已变化，重新读取用户（%d 个）", len(users))
        return users

    def named(self, name: object) -> UserConfig | None:
        if not isinstance(name, str):
            return None
        return next((u for u in self.users() if u.name == name), None)


# -- writing [[users]] (the `govaudit user` commands) ----------------------------------------------

def add_user(config_path: Path, name: str, password: str, display_name: str = "", role: str | None = None) -> bool:
    """Write (or replace) [[users]] NAME with the password's hash into the config file;
    True when the user was new."""
    name = name.strip()
    if not name or any(c in name for c in "\"'\n\r\t"):
        raise UsageError(f"用户名不能为空，也不能含引号或换行：{name!r}")
    if role is not None and role not in ROLES:
        raise UsageError(f"角色应为 {'、'.join(ROLES)} 之一，实际为 {role!r}")
    password_hash = hash_password(password)
    fresh = False

    def change(users: Any) -> None:
        nonlocal fresh
        entry = _entry(users, name)
        if entry is None:
            fresh = True
            entry = _new_entry(name)
            users.append(entry)
        entry["password_hash"] = password_hash
        if display_name:
            entry["display_name"] = display_name
        if role is not None:
            entry["role"] = role

    _edit_users(config_path, change)
    return fresh


def remove_user(config_path: Path, name: str) -> None:
    def change(users: Any) -> None:
        entry = _entry(users, name)
        if entry is None:
            raise UsageError(f"配置文件 {config_path} 中没有用户“{name}”")
        users.remove(entry)

    _edit_users(config_path, change)


def set_disabled(config_path: Path, name: str, disabled: bool) -> None:
    def change(users: Any) -> None:
        entry = _entry(users, name)
        if entry is None:
            raise UsageError(f"配置文件 {config_path} 中没有用户“{name}”")
        if disabled:
            entry["disabled"] = True
        elif "disabled" in entry:
            del entry["disabled"]

    _edit_users(config_path, change)


def _entry(users: Any, name: str) -> Any:
    return next((u for u in users if u.get("name") == name), None)


def _new_entry(name: str) -> Any:
    import tomlkit

    entry = tomlkit.table()
    entry["name"] = name
    return entry


def _edit_users(config_path: Path, change: Callable[[Any], None]) -> None:
    """Apply `change` to the [[users]] array of the file, keeping everything else as it was;
    the file is replaced whole (never left half written) and must still read afterwards."""
    import tomlkit

    try:
        original = config_path.read_text(encoding="utf-8")
        document = tomlkit.parse(original)
    except FileNotFoundError:
        raise ConfigError("配置文件不存在", file=str(config_path)) from None
    except Exception as exc:  # noqa: BLE001 - tomlkit's parse errors have no common base worth naming
        raise ConfigError(f"无法读取配置文件：{exc}", file=str(config_path)) from None
    users = document.get("users")
    if users is None:
        users = tomlkit.aot()
        document.append("users", users)
    change(users)
    tmp = config_path.with_suffix(config_path.suffix + ".tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    tmp.replace(config_path)
    try:
        load_config(config_path)
    except GovauditError:
        config_path.write_text(original, encoding="utf-8")
        raise
