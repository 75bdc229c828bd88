"""Broken HTTPS (self-signed, expired, wrong host): a site.https finding, never a crash or a
lost audit; a certificate from a configured CA bundle is valid."""

from __future__ import annotations

import dataclasses
import datetime
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.conftest import audit, fast_config
from tests.support.pages import page
from tests.support.server import TestSite


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _tls_site(ca: trustme.CA, *names: str, expired: bool = False) -> TestSite:
    now = datetime.datetime.now(datetime.UTC)
    cert = ca.issue_cert(*names, not_before=now - datetime.timedelta(days=400) if expired else None,
                         not_after=now - datetime.timedelta(days=30) if expired else None)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    site = TestSite(tls=context)
    return site


@pytest.fixture
def https_site(request: pytest.FixtureRequest, ca: trustme.CA) -> Iterator[TestSite]:
    names, expired = request.param
    with _tls_site(ca, *names, expired=expired) as site:
        site.page("/", page("首页", '<a href="/a.html">a</a>'))
        site.page("/a.html", page("a"))
        yield site


@pytest.mark.parametrize("https_site,problem", [
    ((("127.0.0.1",), False), "不受信任"),          # our client does not know this CA: self-signed chain
    ((("127.0.0.1",), True), "不受信任"),        # an untrusted chain is reported before its dates
    ((("www.other.gov.cn",), False), "不受信任"),
], indirect=["https_site"])
def test_broken_certificates_are_a_finding_and_the_audit_goes_on(https_site: TestSite, problem: str) -> None:
    report = audit(https_site.url("/"))
    (finding,) = [f for f in report.results.findings if f.rule == "site.https"]
    assert problem in finding.evidence["problem"]
    assert https_site.url("/a.html") in report.snapshot.pages and report.snapshot.pages[https_site.url("/a.html")].fetch.ok
    assert report.verdict.verdict != "无法判定"


@pytest.mark.parametrize("names,expired,problem", [(("127.0.0.1",), True, "过期"), (("www.other.gov.cn",), False, "不符")])
def test_trusted_ca_separates_expired_and_wrong_host(ca: trustme.CA, tmp_path: Path, names: tuple[str, ...],
                                                     expired: bool, problem: str) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    config = fast_config()
    config = config.replace(network=dataclasses.replace(config.network, ca_file=str(bundle)))
    with _tls_site(ca, *names, expired=expired) as site:
        site.page("/", page("首页"))
        report = audit(site.url("/"), config)
    (finding,) = [f for f in report.results.findings if f.rule == "site.https"]
    assert problem in finding.evidence["problem"]


def test_valid_certificate_from_the_configured_bundle(ca: trustme.CA, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    config = fast_config()
    config = config.replace(network=dataclasses.replace(config.network, ca_file=str(bundle)))
    with _tls_site(ca, "127.0.0.1") as site:
        site.page("/", page("首页"))
        report = audit(site.url("/"), config)
    assert not [f for f in report.results.findings if f.rule == "site.https"]
    assert report.snapshot.homepage is not None and report.snapshot.homepage.ok
