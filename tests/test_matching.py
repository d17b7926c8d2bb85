"""Matching a column's published titles to the submitted articles (issue 14, first slice)."""

from __future__ import annotations

import pytest

from domain.matching import Candidate, match_lines, match_text, names_other_place, published_lines

AREA = ("济宁高新区", "高新区")
SUBMITTED = [
    Candidate(1, "公安分局", "济宁高新区公安分局“三个坚持”推进基层警务公开工作规范化建设"),
    Candidate(2, "柳行街道", "济宁高新区柳行街道推进村务公开规范化建设"),
    Candidate(3, "王因街道", "济宁高新区王因街道推进村务公开规范化建设"),
    Candidate(4, "党政办公室", "济宁高新区四项新举措推进基层政务公开标准化规范化建设"),
    Candidate(5, "经济发展局", "济宁高新区以政务公开为抓手助力企业复工复产——经济发展局在行动"),
]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("1.济宁高新区柳行街道推进村务公开规范化建设", "柳行街道推进村务公开规范化建设"),
        ("（12）高新区柳行街道推进村务公开规范化建设", "柳行街道推进村务公开规范化建设"),
        ("三、柳行街道推进村务公开规范化建设 2020-07-15", "柳行街道推进村务公开规范化建设"),
        ("柳行街道推进村务公开规范化建设（2020年7月15日）", "柳行街道推进村务公开规范化建设"),
        ("柳行街道推进村务公开规范化建设（来源：济宁高新区）", "柳行街道推进村务公开规范化建设"),
        ('“三个坚持” "推进" 「工作」，ＡＢ', "三个坚持推进工作ab"),
        ("2020年全区政务公开工作要点", "2020年全区政务公开工作要点"),
        ("12345热线办理规范化建设", "12345热线办理规范化建设"),
    ],
)
def test_a_line_is_reduced_to_the_words_of_its_title(line: str, words: str) -> None:
    assert match_text(line, AREA) == words


def test_lines_of_numbers_or_dates_only_are_not_titles() -> None:
    text = "政务公开看山东\n\n1.\n2020-07-15\n  济宁高新区柳行街道推进村务公开规范化建设  \n"
    assert published_lines(text) == [
        (1, "政务公开看山东"),
        (5, "济宁高新区柳行街道推进村务公开规范化建设"),
    ]


def test_edited_titles_are_matched_with_confidence() -> None:
    lines = [
        (1, '1、济宁高新区公安分局"三个坚持"推进基层警务公开规范化建设 2020-07-15'),
        (2, "柳行街道推进村务公开规范化建设（来源：济宁高新区）"),
        (3, "济宁高新区以政务公开为抓手助力企业复工复产"),  # the subtitle cut
        (4, "高新区四项新举措推进基层政务公开标准化规范化"),
    ]
    matches = match_lines(lines, SUBMITTED, AREA)
    assert [m.tier for m in matches] == ["confident"] * 4
    assert [m.best.article_id for m in matches if m.best] == [1, 2, 5, 4]


def test_a_line_naming_no_unit_of_two_alike_titles_is_doubtful() -> None:
    (match,) = match_lines([(1, "济宁高新区推进村务公开规范化建设")], SUBMITTED, AREA)
    assert match.tier == "doubtful"
    assert {c.article_id for c, _ in match.choices} == {2, 3}


def test_another_areas_article_is_never_taken_without_asking() -> None:
    line = "任城区柳行街道推进村务公开规范化建设"
    assert names_other_place(line, AREA) and not names_other_place("高新区柳行街道…", AREA)
    (match,) = match_lines([(1, line)], SUBMITTED, AREA)
    assert match.tier == "doubtful" and match.best is None


def test_a_title_nobody_submitted_is_unmatched() -> None:
    (match,) = match_lines([(1, "全市召开安全生产工作会议")], SUBMITTED, AREA)
    assert match.tier == "unmatched" and match.choices == ()


def test_no_articles_leave_every_line_unmatched() -> None:
    assert [m.tier for m in match_lines([(1, "某某标题文字")], [], AREA)] == ["unmatched"]
