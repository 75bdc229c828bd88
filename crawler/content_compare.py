"""Is the homepage the same over IPv4 and IPv6? Compare after stripping per-request noise.

Following internet.nl: nonces, CSRF tokens, ASP.NET __VIEWSTATE/__EVENTVALIDATION, session
ids, timestamps and long random tokens differ on every request and say nothing about the
content; they are removed before the comparison.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_NOISE = [
    # attribute values that change per request
    re.compile(r"""\b(nonce|integrity)\s*=\s*(["'])[^"']*\2""", re.I),
    re.compile(r"""<input[^>]*\bname\s*=\s*["']?(__VIEWSTATE\w*|__EVENTVALIDATION|__REQUESTDIGEST|csrf\w*|_csrf\w*|"""
               r"""authenticity_token|_token|csrfmiddlewaretoken)\b[^>]*>""", re.I),
    re.compile(r"""<meta[^>]*\bname\s*=\s*["']?(csrf[\w-]*|_csrf\w*)\b[^>]*>""", re.I),
    # session ids in URLs and scripts
    re.compile(r"""(jsessionid|phpsessid|aspsessionid\w*|sessionid|sid)\s*[=:]\s*["']?[\w.-]+""", re.I),
    # dates and times: 2026-11-26 20:38:42, 2026/11/26, 20:38:42, 2026年11月26日
    re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?"),
    re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b"),
    # epoch timestamps (10 or 13 digits) and long random tokens (hex / base64-ish)
    re.compile(r"\b1\d{9}(?:\d{3})?\b"),
    re.compile(r"\b[0-9a-f]{16,}\b", re.I),
    re.compile(r"[A-Za-z0-9+/_-]{32,}={0,2}"),
]


def strip_noise(html: str) -> str:
    for pattern in _NOISE:
        html = pattern.sub("", html)
    return html


def _lines(html: str) -> list[str]:
    # Markup often has no line breaks: cut at tags so a difference stays local.
    text = re.sub(r">\s*<", ">\n<", html)
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Comparison:
    difference: float                 # 0.0 same .. 1.0 nothing in common, after noise
    first_differences: tuple[str, ...]  # unified-diff lines: '-' IPv4 only, '+' IPv6 only


def compare(ipv4_html: str, ipv6_html: str, *, max_diff_lines: int = 12) -> Comparison:
    left = _lines(strip_noise(ipv4_html))
    right = _lines(strip_noise(ipv6_html))
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    difference = round(1.0 - matcher.ratio(), 4) if (left or right) else 0.0
    diff = [line for line in difflib.unified_diff(left, right, "IPv4", "IPv6", n=0, lineterm="")
            if not line.startswith(("---", "+++", "@@"))]
    return Comparison(difference, tuple(line[:200] for line in diff[:max_diff_lines]))
