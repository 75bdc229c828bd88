"""Parsing HTML once (lxml) and pulling out the links a crawl follows and checks."""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from govaudit.crawler.snapshot import Link
from govaudit.crawler.urls import LinkTarget, resolve_link

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# libxml2 drops what follows an early </html> or </body> (a header include that closes the
# document, as on real gov.cn pages); browsers keep it. The end tags are implied anyway.
_END_OF_DOCUMENT = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_STYLESHEET_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon"}
_ICON_RELS = {"icon", "shortcut", "apple-touch-icon"}
# element -> attribute holding its URL
_URL_ATTRIBUTES = {"a": "href", "area": "href", "iframe": "src", "frame": "src",
                   "link": "href", "script": "src", "img": "src"}


def parse_html(text: str) -> lxml.html.HtmlElement:
    """A tree for any text, however broken; an empty document for empty input."""
    text = _END_OF_DOCUMENT.sub("", _XML_DECLARATION.sub("", text, count=1))
    if not text.strip():
        return lxml.html.document_fromstring("<html><body></body></html>")
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def page_title(tree: lxml.html.HtmlElement) -> str:
    title = tree.find(".//title")
    return " ".join((title.text_content() if title is not None else "").split())[:300]


def base_url(tree: lxml.html.HtmlElement, page_url: str) -> str:
    base = tree.find(".//base[@href]")
    if base is None:
        return page_url
    href = (base.get("href") or "").strip()
    resolved = resolve_link(page_url, href)
    return resolved.url if resolved.target is LinkTarget.HTTP and resolved.url else page_url


def _link_text(element: lxml.html.HtmlElement) -> str:
    """What a link says: its text, else its title, else the alt text of its image (gov
    sites often link columns and platforms through pictures)."""
    text = " ".join(element.text_content().split())
    if not text:
        text = " ".join((element.get("title") or element.get("alt") or "").split())
    if not text:
        image = element.find(".//img")
        text = " ".join((image.get("alt") or image.get("title") or "").split()) if image is not None else ""
    return text[:80]


def extract_links(tree: lxml.html.HtmlElement, page_url: str) -> tuple[tuple[Link, ...], tuple[tuple[str, str], ...]]:
    """-> (links to fetch or check, (href, why-not-fetched) for javascript:/mailto:/bad URLs).

    Each target appears once per page, with the first element that carried it.
    """
    base = base_url(tree, page_url)
    links: dict[str, Link] = {}
    skipped: list[tuple[str, str]] = []
    for element in tree.iter(*_URL_ATTRIBUTES):
        tag = element.tag
        if tag == "link":
            rels = set((element.get("rel") or "").lower().split())
            if not _STYLESHEET_RELS & rels:
                continue
            if rels & _ICON_RELS and "stylesheet" not in rels:
                tag = "icon"   # a favicon: decoration, not a link a visitor follows
        href = element.get(_URL_ATTRIBUTES[element.tag])
        if href is None:
            continue
        resolved = resolve_link(base, href)
        if resolved.target is LinkTarget.HTTP and resolved.url:
            if resolved.url not in links:
                text = _link_text(element) if tag in ("a", "area") else ""
                links[resolved.url] = Link(url=resolved.url, tag=tag, text=text)
        elif resolved.target is LinkTarget.OTHER_SCHEME:
            skipped.append((href.strip()[:200], resolved.scheme or ""))
        elif resolved.target is LinkTarget.INVALID:
            skipped.append((href.strip()[:200], f"invalid: {resolved.problem}"))
    for href in stub_targets(tree):
        resolved = resolve_link(base, href)
        if resolved.target is LinkTarget.HTTP and resolved.url and resolved.url not in links:
            links[resolved.url] = Link(url=resolved.url, tag="refresh", text="")
    return tuple(links.values()), tuple(skipped)


_REFRESH = re.compile(r"^\s*\d*(?:\.\d+)?\s*[;,]?\s*url\s*=\s*['\"]?([^'\"]+)", re.I)
_SCRIPT_REDIRECT = re.compile(
    r"(?:window\.|document\.|self\.|top\.)?location(?:\.href)?\s*=\s*['\"]([^'\"]+)['\"]"
    r"|location\.(?:replace|assign)\(\s*['\"]([^'\"]+)['\"]\s*\)")
_STUB_TEXT = 200   # a page with less visible text than this that sets location is a redirect stub


def stub_targets(tree: lxml.html.HtmlElement) -> list[str]:
    """Where a page sends its visitor without a click: a meta refresh's URL, or the one
    location a stub page's script sets (a page of little text; a real page's scripts that
    set location on some event are not followed)."""
    found = []
    for meta in tree.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() == "refresh":
            match = _REFRESH.match(meta.get("content") or "")
            if match:
                found.append(match.group(1).strip())
    scripts = [script.text for script in tree.iter("script") if script.text and "location" in script.text]
    targets = {m.group(1) or m.group(2) for text in scripts for m in _SCRIPT_REDIRECT.finditer(text)}
    body = tree.find("body")
    if len(targets) == 1 and body is not None:   # (the page's text is measured only then: most pages set no location)
        visible = "".join(body.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]"))
        if len("".join(visible.split())) < _STUB_TEXT:
            found.extend(targets)
    return found
