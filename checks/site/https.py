"""site.https: the site's HTTPS certificate is not valid (expired, self-signed, for another
name). Browsers warn visitors away; the audit itself reads on, so nothing else is lost."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.crawler.snapshot import SiteSnapshot


def problem(error: str) -> str:
    lower = error.lower()
    if "expired" in lower:
        return "证书已过期"
    if "self-signed" in lower or "self signed" in lower or "unable to get local issuer" in lower:
        return "证书不受信任（自签名或签发机构不受信任）"
    if "hostname" in lower or "not valid for" in lower or "doesn't match" in lower:
        return "证书与网站域名不符"
    return "证书校验失败"


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    for host, error in sorted(snapshot.tls_errors.items()):
        yield RULE.finding(f"https://{host}/", {"host": host, "problem": problem(error), "error": error})


RULE = Rule(
    id="site.https",
    title="HTTPS 证书无效",
    severity=Severity.NOTICE,
    basis="国办发〔2017〕47号《政府网站发展指引》（网站安全防护）",
    explanation="网站通过 HTTPS 访问时证书校验失败（过期、自签名、与域名不符）。访问者会看到浏览器安全警告；"
                "检查程序记录后以不校验证书的方式继续读取，其他检查不受影响。",
    messages={"default": "{host} 的 HTTPS {problem}"},
    check=check,
    advice="向受信任的证书机构申请与网站域名一致的证书，并在到期前续期。",
)
