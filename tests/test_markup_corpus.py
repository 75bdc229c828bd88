"""Each extractor on each page of the markup corpus (tests/corpus.py): what it reads must be
what a careful reader sees, and what it cannot read must never come out as "absent"."""

from __future__ import annotations

from datetime import date

import pytest

from govaudit.checks.identity.marks import Status, judged
from govaudit.checks.registry import all_rules
from govaudit.checks.sitemodel.interaction import Message, listed_messages, with_detail
from govaudit.checks.sitemodel.lists import Item, list_items
from govaudit.checks.sitemodel.pagefacts import is_article, page_facts
from tests.conftest import TODAY
from tests.corpus import MARKUP, Case, analysed_of, cases, page_of

CASES = cases()
MARKS = {"site_code": "identity.site_code", "icp": "identity.icp", "police": "identity.police",
         "sponsor": "identity.sponsor", "conac": "identity.conac"}
NOT_ON_THE_PAGE = ("script", "iframe")   # shown by a script or a frame: unknown on the page alone


def _ids(case: Case) -> str:
    return case.name.removesuffix(".html")


def _with(key: str) -> list[Case]:
    return [c for c in CASES if c.facts.get(key)]


def test_the_corpus_has_the_layouts_it_promises() -> None:
    own = [c for c in CASES if not c.real]
    assert len(own) >= 25
    assert any(c.facts["charset"] == "gbk" for c in own)
    for kind in ("list", "article", "footer", "message_list", "message_detail", "homepage"):
        assert any(c.facts["kind"] == kind for c in own), kind
    assert MARKUP.is_dir()


@pytest.mark.parametrize("case", [c for c in CASES if c.facts.get("identity")], ids=_ids)
def test_identity_marks_as_a_reader_sees_them(case: Case) -> None:
    all_rules()  # registers the judges
    page = analysed_of(case)
    for key, rule in MARKS.items():
        shown = case.facts["identity"].get(key)
        status = judged(page, rule, {}).status   # frames not fetched: unknown
        if shown in NOT_ON_THE_PAGE:
            assert status in (Status.PRESENT, Status.UNSURE), (rule, status)
        elif shown:
            result = judged(page, rule, {})
            assert result.status is Status.PRESENT, (rule, shown, result.status)
            if key == "sponsor" and isinstance(shown, str):   # the name a reader reads, not only "some sponsor"
                assert _squeeze(result.seen) == _squeeze(shown), (shown, result.seen)
        else:
            assert status in (Status.MISSING, Status.UNSURE), (rule, status)


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _take(items: list[Item], title: str) -> Item:
    """The first remaining item titled `title` (a list may repeat a title), removed."""
    wanted = _squeeze(title)
    matches = [i for i in items if _squeeze(i.title) == wanted]
    assert matches, f"no item titled {title!r} among {[i.title for i in items][:12]}"
    items.remove(matches[0])
    return matches[0]


@pytest.mark.parametrize("case", _with("list_items"), ids=_ids)
def test_list_items_and_their_dates(case: Case) -> None:
    page = page_of(case, depth=0 if case.facts["kind"] == "homepage" else 1)
    items = list_items(page, TODAY)
    outcome = case.facts.get("list_dates") or "found"
    for fact in case.facts["list_items"]:
        item = _take(items, fact["title"])
        if fact["date"]:
            assert item.date_known and item.date is not None, item
            assert item.date.value == date.fromisoformat(fact["date"])
        elif outcome == "unknown":
            assert not item.date_known and not item.positively_undated, item
        else:
            assert item.positively_undated, item


@pytest.mark.parametrize("case", [c for c in CASES if c.facts["kind"] in ("list", "message_list", "homepage")],
                         ids=_ids)
def test_list_pages_are_not_taken_for_articles(case: Case) -> None:
    assert not is_article(page_of(case))


@pytest.mark.parametrize("case", [c for c in CASES if c.facts["kind"] == "article"], ids=_ids)
def test_articles_are_recognised_and_dated(case: Case) -> None:
    facts = page_facts(analysed_of(case), TODAY)
    assert facts.is_article
    if case.facts.get("article_date"):
        assert facts.article_date is not None
        assert facts.article_date.value == date.fromisoformat(case.facts["article_date"])


_STATES = {"answered": True, "unanswered": False, "unknown": None}


@pytest.mark.parametrize("case", [c for c in CASES if c.facts["kind"] == "message_list" and c.facts["messages"]],
                         ids=_ids)
def test_message_lists_read_state_from_each_row(case: Case) -> None:
    listed = {_squeeze(m.title): m for m in listed_messages(page_of(case))}
    for fact in case.facts["messages"]:
        message = listed[_squeeze(fact["title"])]
        assert message.asked == date.fromisoformat(fact["asked"])
        assert message.replied is _STATES[fact["status"]], fact


@pytest.mark.parametrize("case", [c for c in CASES if c.facts["kind"] == "message_detail"], ids=_ids)
def test_message_details_read_their_own_fields(case: Case) -> None:
    (fact,) = case.facts["messages"]
    unknown = Message(fact["title"], None, None, None, None, "http://127.0.0.1:8000/list.html")
    message = with_detail(unknown, page_of(case))
    assert message.replied is _STATES[fact["status"]]
    assert message.asked == date.fromisoformat(fact["asked"])
    if fact.get("replied"):
        assert message.reply_date == date.fromisoformat(fact["replied"])
