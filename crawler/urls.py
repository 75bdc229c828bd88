"""URL normalisation, link classification and the audit's scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import httpx

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Schemes a browser handles without a request to a web server: never fetched, never "dead".
_NON_FETCH_SCHEMES = {"javascript", "mailto", "tel", "sms", "data", "about", "blob", "file",
                      "ftp", "news", "weixin", "callto"}
# Session parameters, removed from every URL: a server that puts a fresh one in every link
# would otherwise make one page look like endless pages. [crawl] session_parameters sets them
# (configure_session_parameters); names ending in "*" match as prefixes (ASPSESSIONIDxxxx).
DEFAULT_SESSION_PARAMETERS = ("jsessionid", "sid", "phpsessid", "aspsessionid*", "sessionid", "token")
_session_names: frozenset[str] = frozenset()
_session_prefixes: tuple[str, ...] = ()
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#]*", re.I)


class LinkTarget(Enum):
    HTTP = "http"
    SAME_PAGE = "same_page"          # "#top", "" : the page itself
    OTHER_SCHEME = "other_scheme"    # javascript:, mailto:, tel:, file: ... never fetched
    INVALID = "invalid"


@dataclass(frozen=True)
class Resolved:
    target: LinkTarget
    url: str | None = None     # normalised absolute URL for HTTP targets
    scheme: str | None = None  # for OTHER_SCHEME
    problem: str | None = None  # for INVALID


def normalize(url: str) -> str:
    """Canonical form used as the key of a URL everywhere: no fragment, lower-case host,
    no default port, '/' for an empty path, IDN hosts in punycode. Raises ValueError."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(str(exc)) from None
    if parsed.scheme not in _DEFAULT_PORTS:
        raise ValueError(f"unsupported scheme {parsed.scheme!r}")
    if not parsed.host:
        raise ValueError("no host")
    # Rebuilt from parts: httpx keeps the original spelling in str(), not the canonical one.
    netloc = parsed.netloc.decode("ascii").lower()
    port_suffix = f":{_DEFAULT_PORTS[parsed.scheme]}"
    if netloc.endswith(port_suffix):
        netloc = netloc[: -len(port_suffix)]
    path = parsed.raw_path.decode("ascii")
    if ";" in path or "?" in path:
        path = _without_session(path)
    return f"{parsed.scheme}://{netloc}{path or '/'}"


def configure_session_parameters(names: tuple[str, ...]) -> None:
    """Set the session parameters removed from URLs (once per run, from the configuration)."""
    global _session_names, _session_prefixes
    lowered = [n.lower() for n in names]
    names_set = frozenset(n for n in lowered if not n.endswith("*"))
    prefixes = tuple(n[:-1] for n in lowered if n.endswith("*"))
    if (names_set, prefixes) != (_session_names, _session_prefixes):
        _session_names, _session_prefixes = names_set, prefixes
        _resolve_cached.cache_clear()


def _is_session(name: str) -> bool:
    lower = name.lower()
    return lower in _session_names or any(lower.startswith(p) for p in _session_prefixes)


def _without_session(path: str) -> str:
    """`path` (with its query) without session parameters: ;jsessionid=… and ?sid=…."""
    path = _PATH_SESSION.sub("", path)
    base, _, query = path.partition("?")
    if not query:
        return base + ("?" if path.endswith("?") else "")
    kept = [pair for pair in query.split("&") if not _is_session(pair.split("=", 1)[0])]
    return base + ("?" + "&".join(kept) if kept else "")


def resolve_link(base_url: str, href: str) -> Resolved:
    """Classify an href found on the page at `base_url` and make it absolute."""
    href = href.strip().replace("\n", "").replace("\r", "").replace("\t", "")
    if not href or href.startswith("#"):
        return Resolved(LinkTarget.SAME_PAGE)
    if href.startswith("/") and not href.startswith("//") and "#" not in href:
        # Root-relative links (most of a site's navigation) depend only on the base's origin:
        # resolved once per site, not once per page.
        scheme_end = base_url.find("://")
        path_start = base_url.find("/", scheme_end + 3) if scheme_end > 0 else -1
        if path_start > 0:
            base_url = base_url[:path_start + 1]
    return _resolve_cached(base_url, href)


@lru_cache(maxsize=4096)   # bounded: a large site reuses its navigation, not its articles
def _resolve_cached(base_url: str, href: str) -> Resolved:
    try:
        scheme = urlsplit(href).scheme.lower() if ":" in href.split("/", 1)[0] else ""
    except ValueError as exc:
        return Resolved(LinkTarget.INVALID, problem=str(exc))
    if scheme and scheme not in _DEFAULT_PORTS:
        if scheme in _NON_FETCH_SCHEMES or scheme.isalpha():
            return Resolved(LinkTarget.OTHER_SCHEME, scheme=scheme)
    try:
        absolute = urljoin(base_url, href)
        normalized = _joined_canonical(base_url, href, absolute) or normalize(absolute)
    except ValueError as exc:
        return Resolved(LinkTarget.INVALID, problem=str(exc))
    if "#" in href and normalized == normalize_or_none(base_url):
        return Resolved(LinkTarget.SAME_PAGE)
    return Resolved(LinkTarget.HTTP, url=normalized)


# A relative href of characters that normalisation never changes (no %, no ;, no #, no
# spaces or backslashes, no scheme): joined to a canonical base it is canonical as it is.
_PLAIN_RELATIVE = re.compile(r"(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//)[A-Za-z0-9._~/\-=&?+,:@!$()*]+\Z")


def _joined_canonical(base_url: str, href: str, absolute: str) -> str | None:
    """`absolute` when it is already what normalize() would return (the common case of a
    site's own relative links; parsing every link with httpx costs more than the crawl's
    parse of the page), else None."""
    if not _PLAIN_RELATIVE.match(href) or not _is_canonical(base_url):
        return None
    path_start = absolute.find("/", absolute.find("://") + 3)
    if path_start < 0:
        return None
    if "?" in absolute:
        return absolute[:path_start] + _without_session(absolute[path_start:])
    return absolute


@lru_cache(maxsize=1024)
def _is_canonical(url: str) -> bool:
    return normalize_or_none(url) == url and "#" not in url


def normalize_or_none(url: str) -> str | None:
    try:
        return normalize(url)
    except ValueError:
        return None


def origin_key(url: str) -> str:
    """host, or host:port when the port is not the scheme's default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme):
        return host
    return f"{host}:{port}"


class Scope:
    """Which URLs belong to the audited site: its own origin and the hosts configured as
    the same site ('host' for any default port, 'host:port' for one port)."""

    def __init__(self, start_url: str, same_site_hosts: tuple[str, ...] = ()) -> None:
        self.start_url = normalize(start_url)
        self.keys = {origin_key(self.start_url)}
        self.keys.update(h.lower().rstrip(".") for h in same_site_hosts)

    def contains(self, url: str) -> bool:
        return origin_key(url) in self.keys

    def hosts(self) -> set[str]:
        return set(self.keys)


configure_session_parameters(DEFAULT_SESSION_PARAMETERS)
