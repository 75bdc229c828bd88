"""Errors a user sees. Their text is Chinese; each names what was wrong and where."""

from __future__ import annotations


class GovauditError(Exception):
    """Base for errors reported to the user without a traceback."""

    exit_code = 1


class ConfigError(GovauditError):
    """A config file or command-line value is wrong (exit status 2)."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        self.file = file
        self.line = line
        self.key = key
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(f"文件 {self.file}")
        if self.line:
            where.append(f"第 {self.line} 行")
        if self.key:
            where.append(f"配置项 {self.key}")
        prefix = "配置错误"
        if where:
            prefix += "（" + "，".join(where) + "）"
        return f"{prefix}：{self.detail}"


class UsageError(GovauditError):
    """A bad command-line argument (exit status 2)."""

    exit_code = 2
