"""Personal data on pages (privacy.*): property tests of the number checks, the false-alarm
guards, and an audit end to end whose every output is searched for a full number."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from govaudit.checks.privacy.scan import is_id_number, luhn_valid, mask, province_codes, scan
from govaudit.config import load_config
from govaudit.nightly import run_all
from govaudit.notices import write_notices
from govaudit.store import Store
from tests.conftest import audit
from tests.support.pages import page
from tests.support.server import TestSite
from tests.test_workbench import _texts

TODAY = date(2026, 11, 26)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_digit(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(sorted(province_codes())))
    area = draw(st.from_regex(r"\d{4}", fullmatch=True))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.from_regex(r"\d{3}", fullmatch=True))
    first = f"{province}{area}{born:%Y%m%d}{sequence}"
    return first + check_digit(first)


def luhn_complete(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


@given(id_numbers())
def test_every_valid_id_number_is_found_and_only_masked(number: str) -> None:
    facts = scan(["序号 姓名 身份证号码", f"1 张三 {number} 低保对象"], TODAY)
    assert [h.masked for h in facts.id_numbers] == [mask(number)]
    assert number not in repr(facts) and number[:4] in repr(facts)


@given(id_numbers(), st.integers(1, 10))
def test_a_wrong_check_digit_is_never_found(number: str, shift: int) -> None:
    digits = "0123456789X"
    wrong = number[:17] + digits[(digits.index(number[17].upper()) + shift) % 11]
    assert not is_id_number(wrong, TODAY)
    assert scan([f"身份证 {wrong}"], TODAY).id_numbers == ()


@given(st.sampled_from(sorted(province_codes())), st.integers(1900, 2026), st.integers(1, 99), st.integers(1, 99))
def test_an_impossible_birth_date_is_never_found(province: str, year: int, month: int, day: int) -> None:
    try:
        date(year, month, day)
        return   # a real date: not this test's case
    except ValueError:
        pass
    first = f"{province}0101{year:04d}{month:02d}{day:02d}123"
    assert not is_id_number(first + check_digit(first), TODAY)


@given(st.from_regex(r"\d{2}", fullmatch=True).filter(lambda code: code not in province_codes()), id_numbers())
def test_an_unknown_region_is_never_found(region: str, valid: str) -> None:
    first = region + valid[2:17]
    assert not is_id_number(first + check_digit(first), TODAY)


def test_birth_after_the_audit_and_masked_and_labelled_numbers_are_not_ids() -> None:
    future = f"440402{(TODAY + timedelta(days=2)):%Y%m%d}123"
    assert not is_id_number(future + check_digit(future), TODAY)
    first = "44040219800101123"
    number = first + check_digit(first)
    assert scan([f"身份证号 {number[:4]}**********{number[-4:]}"], TODAY).id_numbers == ()
    assert scan([f"订单号：{number}"], TODAY).id_numbers == ()
    assert scan(["统一社会信用代码", f"{number}"], TODAY).id_numbers == ()
    assert scan(["统一社会信用代码：91440400MA4UJ8XX1K 企业名称"], TODAY).id_numbers == ()
    assert scan([f"申请人身份证 {number}。"], TODAY).id_numbers != ()
    assert scan([f"编号{number}5"], TODAY).id_numbers == ()   # part of a longer number


@given(st.from_regex(r"62\d{14,16}", fullmatch=True))
def test_labelled_luhn_valid_card_numbers_are_found(body: str) -> None:
    number = luhn_complete(body[:-1])
    assert [h.masked for h in scan([f"银行卡号：{number}"], TODAY).bank_cards] == [mask(number)]
    assert scan([f"单位对公账号：{number}"], TODAY).bank_cards == ()
    assert scan([f"金额合计 {number} 元"], TODAY).bank_cards == ()   # no card label


@settings(max_examples=50)
@given(st.from_regex(r"62\d{15}", fullmatch=True))
def test_card_numbers_failing_luhn_are_never_found(body: str) -> None:
    number = body if not luhn_valid(body) else body[:-1] + str((int(body[-1]) + 1) % 10)
    assert scan([f"卡号：{number}"], TODAY).bank_cards == ()


def test_mobiles_count_in_lists_of_people_not_on_contact_lines() -> None:
    rows = ["序号", "姓名", "联系方式", "1", "王小明", "13800138000", "2", "李华", "13912345678", "3", "陈大伟", "15011112222"]
    assert [h.masked for h in scan(rows, TODAY).mobiles] == ["138****8000", "139****5678", "150****2222"]
    assert scan(rows[:9], TODAY).mobiles == ()   # two people: not a list
    contacts = ["联系人：王小明", "联系电话：13800138000", "咨询电话 13912345678", "联系人 李华 手机 15011112222"]
    assert scan(contacts, TODAY).mobiles == ()
    assert scan(["区级河长名单公示", *rows], TODAY).mobiles == ()   # officials' duty phones are published on purpose


def test_an_audit_reports_leaks_masked_and_no_output_holds_a_full_number(site: TestSite, tmp_path: Path) -> None:
    from tests.support.workbench import office_config

    people = [("王小明", "440402198001011235"), ("李华", "11010519491231002X"), ("陈大伟", "320311197003150318")]
    valid = [n[:17] + check_digit(n[:17]) for _, n in people]
    mobiles = ["13800138000", "13912345678", "15011112222"]
    rows = "".join(f"<tr><td>{i}</td><td>{name}</td><td>{number}</td><td>{mobile}</td></tr>"
                   for i, ((name, _), number, mobile) in enumerate(zip(people, valid, mobiles), start=1))
    card = luhn_complete("621700000000000000")
    site.page("/", page("首页", '<a href="/gs/list.html">公示公告</a>'))
    site.page("/gs/list.html", page("公示公告", '<ul><li><a href="/gs/t1.html">2026年低保对象名单公示</a> 2026-11-20</li></ul>'))
    head = "<tr><th>序号</th><th>姓名</th><th>身份证号码</th><th>联系电话</th></tr>"
    body = f"<table>{head}{rows}</table><p>补助发放银行卡号：{card}</p>"
    site.page("/gs/t1.html", page("2026年低保对象名单公示", body, charset="gbk"), encoding="gbk", charset="gbk")
    config_path = office_config(tmp_path, site)
    outcome = run_all(load_config(config_path), today=TODAY)
    (entry,) = outcome.result.document["sites"]
    found = {f["rule"]: f for f in entry["findings"] if f["rule"].startswith("privacy.")}
    assert set(found) == {"privacy.id_number", "privacy.mobile", "privacy.bank_card"}
    assert found["privacy.id_number"]["evidence"]["examples"] == [mask(n) for n in valid]
    assert entry["verdict"] == "不合格" and "privacy.id_number" in entry["vetoed_by"]
    out = outcome.paths["html"].parent
    with Store(tmp_path / "govaudit.sqlite") as store:
        write_notices(load_config(config_path), store, outcome.result.document, out / "notices")
    texts = _texts(out)
    assert {"report.html", "report.json", "report.xlsx", "summary.html"} <= set(texts)
    for name, text in texts.items():
        for number in [*valid, *mobiles, card]:
            assert number not in text, f"{name} holds a full number"


def test_the_id_number_severity_is_the_offices_to_set(site: TestSite) -> None:
    from govaudit.checks.options import ContentOptions
    from tests.conftest import audit, fast_config

    first = "44040219800101123"
    site.page("/", page("首页", f"<p>申请人身份证号码：{first + check_digit(first)}</p>"))
    assert [f.severity.value for f in audit(site.url("/")).results.findings if f.rule == "privacy.id_number"] == ["veto"]
    lowered = fast_config(content=ContentOptions(id_number_severity="notice"))
    report = audit(site.url("/"), lowered)
    assert [f.severity.value for f in report.results.findings if f.rule == "privacy.id_number"] == ["notice"]
    assert "privacy.id_number" not in report.verdict.vetoed_by


def _xlsx(rows: list[list[str]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _docx(paragraphs: list[str]) -> bytes:
    import io

    from docx import Document as WordDocument

    document = WordDocument()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_lists_published_as_attachments_are_read(site: TestSite, tmp_path: Path) -> None:
    from tests.conftest import audit
    from tests.support.server import Reply

    people = [("王小明", "44040219800101123"), ("李华", "11010519491231002"), ("陈大伟", "32031119700315031")]
    rows = [["序号", "姓名", "身份证号码", "联系电话"]] + [
        [str(i), name, first + check_digit(first), f"1380013800{i}"] for i, (name, first) in enumerate(people, start=1)]
    site.page("/", page("首页", '<a href="/fj/mingdan.xlsx">2026年低保对象名单（Excel）</a>'
                              '<a href="/fj/gongshi.docx">公示文件（Word）</a><a href="/fj/big.pdf">公示附件（PDF）</a>'))
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    site.route("/fj/mingdan.xlsx", Reply(200, _xlsx(rows), content_type=sheet_type))
    site.route("/fj/gongshi.docx", Reply(200, _docx(["依据《中华人民共合国社会救助法》，现予公示。"]),
                                         content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    site.route("/fj/big.pdf", Reply(200, b"%PDF-1.4 not really a pdf", content_type="application/pdf"))
    report = audit(site.url("/"))
    found = {(f.rule, f.url.rsplit("/", 1)[-1]) for f in report.results.findings
             if f.rule.startswith(("privacy.", "content.wording"))}
    assert found == {("privacy.id_number", "mingdan.xlsx"), ("privacy.mobile", "mingdan.xlsx"),
                     ("content.wording", "gongshi.docx")}
    evidence = next(f.evidence for f in report.results.findings if f.rule == "privacy.id_number")
    assert evidence["where"] == "附件" and all("*" in example for example in evidence["examples"])


def _people_table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


OFFICIALS = [("办公室", "王小明", "13800138000"), ("财务科", "李华", "13912345678"), ("法规科", "陈大伟", "15011112222"),
             ("审批科", "赵晓", "15811113333")]


def test_a_published_directory_is_no_leak_and_a_list_of_people_still_is(site: TestSite) -> None:
    """#33: a page "…咨询电话" with a table 部门 / 联系人 / 手机 of four officials' work mobiles
    was reported as privacy.mobile (the guard looked for 联系人 on the same line only)."""
    site.page("/", page("首页", '<a href="/a.html">业务咨询电话</a> <a href="/b.html">各科室联系人</a> <a href="/c.html">救助公示</a>'))
    site.page("/a.html", page("2026年业务咨询电话", _people_table(("部门", "联系人", "手机"), OFFICIALS)))
    site.page("/b.html", page("各科室工作安排", _people_table(("科室", "联系人", "手机"), OFFICIALS)
                              + _people_table(("序号", "值班领导", "手机"),                  # rows starting with a number
                                              [(str(n), name, "1870000000" + str(n)) for n, (_, name, _) in enumerate(OFFICIALS, 1)])))
    site.page("/c.html", page("2026年临时救助对象公示", _people_table(
        ("序号", "姓名", "联系电话", "救助金额"), [(str(n), name, phone, "500") for n, (_, name, phone) in enumerate(OFFICIALS, 1)])))
    # a page laid out in tables whose banner row says 在线咨询 excuses nothing nested in it
    volunteers = _people_table(("序号", "姓名", "手机"), [(str(n), name, "1860000000" + str(n)) for n, (_, name, _)
                                                     in enumerate(OFFICIALS, 1)])
    site.page("/d.html", page("优秀志愿者风采", f"<table><tr><td>首页 在线咨询</td></tr><tr><td>{volunteers}</td></tr></table>"))
    site.page("/", page("首页", '<a href="/a.html">业务咨询电话</a> <a href="/b.html">各科室联系人</a> <a href="/c.html">救助公示</a>'
                        ' <a href="/d.html">志愿者</a>'))
    report = audit(site.url("/"))
    leaks = [f for f in report.results.findings if f.rule == "privacy.mobile"]
    assert [f.url for f in leaks] == [site.url("/c.html"), site.url("/d.html")]
