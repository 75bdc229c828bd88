"""Chinese wording shared by several rules: how a failed request is described."""

from __future__ import annotations

from govaudit.crawler.failures import Failure
from govaudit.crawler.snapshot import FetchOutcome

_FAILURE_NAMES = {
    Failure.DNS_NXDOMAIN: "域名解析失败（域名不存在）", Failure.DNS_NODATA: "域名解析失败（域名没有地址记录）",
    Failure.DNS_NOT_ASKED: "按设置未解析该域名，未访问", Failure.DNS_TIMEOUT: "域名解析超时",
    Failure.DNS_ERROR: "域名解析失败（解析服务器出错）", Failure.BLOCKED_BY_SCOPE: "不在允许访问的地址范围内，按安全设置未访问",
    Failure.REFUSED: "连接被拒绝", Failure.RESET: "连接被重置", Failure.CONNECT: "无法建立连接",
    Failure.TIMEOUT: "连接或读取超时", Failure.SLOW_TRANSFER: "传输过慢（低于速度下限）",
    Failure.DEADLINE: "请求在时限内未完成", Failure.TLS: "HTTPS 证书校验或握手失败",
    Failure.PROTOCOL: "连接中断或响应不完整", Failure.REDIRECT: "重定向出错（循环、过多或地址无效）",
    Failure.ANTI_BOT: "防火墙返回验证页面，无法判断",
}

_HTTP_NAMES = {400: "请求错误", 401: "需要登录", 403: "禁止访问", 404: "页面不存在", 405: "方法不允许",
               410: "页面已删除", 429: "请求过多（限流）", 500: "服务器内部错误", 502: "网关错误",
               503: "服务不可用", 504: "网关超时"}


def describe_error(error: str) -> str:
    """A raw transport error ('ConnectTimeout: ...') in plain Chinese; evidence keeps the raw text."""
    lower = error.lower()
    if "dns:" in lower:
        if "nxdomain" in lower:
            plain = "域名解析失败（域名不存在）"
        elif "timeout" in lower:
            plain = "域名解析超时"
        else:
            plain = "域名解析失败"
    elif "blocked:" in lower:
        plain = "指向内网或本机地址，按安全设置未访问"
    elif lower.startswith("deadline"):
        plain = "请求在时限内未完成"
    elif "timeout" in lower:
        plain = "连接或读取超时"
    elif "certificate" in lower or "ssl" in lower:
        plain = "HTTPS 证书校验失败"
    elif lower.startswith("redirectloop"):
        plain = "重定向循环"
    elif lower.startswith("toomanyredirects"):
        plain = "重定向次数过多"
    elif lower.startswith("invalidredirect"):
        plain = "重定向地址无效"
    elif "connect" in lower:
        plain = "无法建立连接"
    elif "remoteprotocol" in lower or "readerror" in lower:
        plain = "连接中断"
    else:
        plain = "请求失败"
    return plain


def describe_status(status: int) -> str:
    name = _HTTP_NAMES.get(status, "")
    return f"HTTP {status}" + (f"（{name}）" if name else "")


def describe_outcome(outcome: FetchOutcome) -> str:
    if outcome.status is not None and outcome.error is None:
        plain = describe_status(outcome.status)
        return f"{plain}，{_FAILURE_NAMES[Failure.ANTI_BOT]}" if outcome.failure is Failure.ANTI_BOT else plain
    if outcome.failure in _FAILURE_NAMES:
        return _FAILURE_NAMES[outcome.failure]
    return describe_error(outcome.error or "未知错误")


def attempts_evidence(outcome: FetchOutcome) -> list[dict[str, object]]:
    return [{"method": a.method, "status": a.status, "error": a.error, "elapsed_s": a.elapsed_s}
            for a in outcome.attempts]
