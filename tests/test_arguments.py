"""What users type, read one way: no string, however odd, makes a reader raise anything but
a ``UserError``, and cleaned text is safe to store."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.arguments import MAX_ID, parse_id, parse_year
from domain.errors import UserError
from domain.inbox import clean_payload
from domain.periods import FIRST_YEAR, LAST_YEAR, Month, Period
from domain.text import TITLE_KEY_MAX, clean_text, title_key

ODD = st.text(
    st.characters(codec="utf-8")
    | st.sampled_from(["²", "١", "１", "\u200b", "\x00", "-", ".", "#", "T", "C", " "])
)
NUMBERISH = st.one_of(ODD, st.integers(-(10**30), 10**30).map(str), st.just("2147483648"))


@given(NUMBERISH)
def test_an_id_is_a_database_integer_or_a_user_error(text: str) -> None:
    try:
        value = parse_id(text, "稿件", "#12")
    except UserError as exc:
        assert "无效" in str(exc)
        return
    assert 1 <= value <= MAX_ID


@given(NUMBERISH)
def test_a_year_is_in_range_or_a_user_error(text: str) -> None:
    try:
        year = parse_year(text, FIRST_YEAR, LAST_YEAR)
    except UserError:
        return
    assert FIRST_YEAR <= year <= LAST_YEAR


@given(st.one_of(ODD, st.from_regex(r"\A[0-9０-９]{4}-[0-9]{1,2}(\.\.[0-9]{4}-[0-9]{1,2})?\Z")))
def test_a_period_is_in_range_or_a_user_error(text: str) -> None:
    try:
        period = Period.parse(text)
    except UserError:
        return
    for month in (period.first, period.last):
        assert FIRST_YEAR <= month.year <= LAST_YEAR
        month.previous().first_day, month.next().first_day


def test_a_full_width_month_is_read_as_typed() -> None:
    assert Month.parse("２０２０-０７") == Month(2020, 7)


@given(st.text())
def test_cleaned_text_has_nothing_invisible_and_cleaning_twice_changes_nothing(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert cleaned == cleaned.strip()
    for char in cleaned:
        assert char == "\n" or unicodedata.category(char) != "Cc"
        assert char not in "\u200b\u200c\u200d\u200e\u200f\u202e\u2066\ufeff\x00"


@given(st.text())
def test_a_title_key_ignores_what_a_clean_and_a_second_key_would_take_out(text: str) -> None:
    key = title_key(text)
    assert title_key(clean_text(text)) == key
    assert title_key(key) == key
    assert not any(char.isspace() for char in key)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("济宁高新区“四项”举措", '济宁高新区"四项"举措'),
        ("《政务公开看山东》刊发", "<<政务公开看山东>>刊发"),
        ("标题（一）：开展工作", "标题(一):开展工作"),
        ("ＡＢＣ 专项　行动", "abc专项行动"),
        ("推进村务公开。", "推进村务公开"),
        ("“放管服”改革——深化", '"放管服"改革--深化'),
    ],
)
def test_titles_typed_with_other_input_methods_have_one_key(typed: str, stored: str) -> None:
    assert title_key(typed) == title_key(stored)


def test_a_key_never_outgrows_its_column() -> None:
    longest = title_key("\ufdfa" * 200)  # 18 letters each after NFKC
    assert len(longest) == TITLE_KEY_MAX
    assert longest != title_key("\ufdfa" * 199) and title_key(longest) != ""


def test_titles_that_differ_in_words_have_different_keys() -> None:
    assert title_key("推进村务公开") != title_key("推进政务公开")
    assert title_key("第1期") != title_key("第11期")


@given(st.text(), st.text())
def test_a_cleaned_update_holds_no_nul_anywhere(text: str, name: str) -> None:
    payload = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private", "first_name": name},
            "from": {"id": 5, "is_bot": False, "first_name": name},
            "text": "/submit " + text,
            "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        },
    }
    cleaned = clean_payload(payload)
    assert "\\u0000" not in json.dumps(cleaned)
    assert cleaned["message"]["text"].startswith("/submit")
    assert cleaned["message"]["entities"][0]["length"] == 7
