"""Real-shaped Chinese government pages for tests."""

from __future__ import annotations

# Each mark's line, so a test can drop exactly one.
FOOTER_PARTS = {
    "identity.conac": '<a href="https://bszs.conac.cn/sitename?method=show&amp;id=TEST01"><img src="/images/red.png" alt=""></a>',
    "identity.site_code": "网站标识码：4404990001",
    "identity.icp": "粤ICP备12345678号",
    "identity.police": "粤公网安备 44049902000001号",
    "identity.sponsor": "主办：珠海高新区党政办公室",
    "identity.contact": "联系电话：0756-1234567",
}


def footer(without: str | None = None, replace: dict[str, str] | None = None) -> str:
    parts = dict(FOOTER_PARTS)
    parts.update(replace or {})
    if without:
        parts.pop(without)
    return '<div class="footer">' + "<br>".join(parts.values()) + "</div>"


def page(title: str, body: str = "", *, charset: str | None = "utf-8", foot: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body>"
            f'<div class="header"><a href="/">首页</a></div><div class="main">{body}</div>'
            f"{footer() if foot is None else foot}</body></html>")
