"""Users of the workbench: Argon2 password hashes kept in the config ([[users]]), written by
`govaudit user add NAME` (tomlkit, so the office's comments and layout stay), and who may
read without logging in."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from govaudit.config import Config, UserConfig
from govaudit.errors import ConfigError, UsageError

_hasher = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check: the
# time of a failed login does not tell which names exist.
_DUMMY_HASH = _hasher.hash("govaudit-no-such-user")
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"密码至少 {MIN_PASSWORD} 个字符")
    return _hasher.hash(password)


def authenticate(config: Config, name: str, password: str) -> UserConfig | None:
    user = next((u for u in config.users if u.name == name), None)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def user_named(config: Config, name: object) -> UserConfig | None:
    return next((u for u in config.users if u.name == name), None) if isinstance(name, str) else None


def anonymous_may_read(config: Config, host: str) -> bool:
    """[serve] anonymous_read: "yes", "no", or "auto": only when served on a loopback address."""
    if config.serve.anonymous_read != "auto":
        return config.serve.anonymous_read == "yes"
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def add_user(config_path: Path, name: str, password: str, display_name: str = "") -> bool:
    """Write (or replace) [[users]] NAME with the password's hash into the config file;
    True when the user was new."""
    import tomlkit

    name = name.strip()
    if not name or any(c in name for c in "\"'\n\r\t"):
        raise UsageError(f"用户名不能为空，也不能含引号或换行：{name!r}")
    try:
        document = tomlkit.parse(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("配置文件不存在", file=str(config_path)) from None
    except Exception as exc:  # noqa: BLE001 - tomlkit's parse errors have no common base worth naming
        raise ConfigError(f"无法读取配置文件：{exc}", file=str(config_path)) from None
    users = document.get("users")
    if users is None:
        users = tomlkit.aot()
        document.append("users", users)
    entry = next((u for u in users if u.get("name") == name), None)
    fresh = entry is None
    if entry is None:
        entry = tomlkit.table()
        entry["name"] = name
        users.append(entry)
    entry["password_hash"] = hash_password(password)
    if display_name:
        entry["display_name"] = display_name
    tmp = config_path.with_suffix(config_path.suffix + ".tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    tmp.replace(config_path)
    return fresh
