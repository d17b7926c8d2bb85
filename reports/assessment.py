"""The annual assessment (seed 000) as chat text, plain text, .docx, .xlsx and JSON."""

from __future__ import annotations

import json

from domain.assessment import ORDINALS, Assessed, Assessment
from domain.periods import chinese_date
from reports.chat import esc
from reports.numbers import plain
from reports.official import (
    annex_heading,
    annex_note,
    heading,
    official_document,
    paragraph,
    recipients,
    saved,
    signature,
    subheading,
    title,
)
from reports.xlsx import TableBook

PER_LINE = 3


def grade_heading(position: int, grade: str, units: list[Assessed]) -> str:
    """``（一）优秀等次（9个，按考核成绩排序）``."""
    return f"（{ORDINALS[position]}）{grade}等次（{len(units)}个，按考核成绩排序）"


def numbered_lines(units: list[Assessed], per_line: int = PER_LINE) -> list[str]:
    """``1.任城区政府    2.兖州区政府    3.曲阜市政府``, a few to a line."""
    items = [f"{n}.{unit.unit}" for n, unit in enumerate(units, start=1)]
    return ["    ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]


def annex_lines(assessment: Assessment) -> list[str]:
    """The attachment: per category, per grade present, the numbered list."""
    lines: list[str] = []
    for c, category in enumerate(assessment.categories):
        lines.append(f"{ORDINALS[c]}、{category.heading}考核结果")
        for g, (grade, units) in enumerate(category.grades):
            lines.append(grade_heading(g, grade, units))
            lines += numbered_lines(units)
    return lines


def body(assessment: Assessment) -> str:
    """The notice's first paragraph: who was assessed, how, and the result counted."""
    return f"{assessment.intro}{assessment.method}{assessment.summary}"


def assessment_text(assessment: Assessment) -> str:
    """The whole notice as plain text, the attachment included."""
    lines = [
        assessment.issuer,
        assessment.title,
        "",
        f"{assessment.recipients}：",
        body(assessment),
        "",
        f"附件：{assessment.annex_title}",
        "",
        assessment.issuer,
        chinese_date(assessment.issued_on),
        "",
        "附件",
        assessment.annex_title,
        *annex_lines(assessment),
    ]
    return "\n".join(lines) + "\n"


def assessment_message(assessment: Assessment) -> str:
    """/assessment: the summary and the lists, in HTML."""
    lines = [f"<b>{esc(assessment.title)}</b>", "", esc(assessment.summary), ""]
    for line in annex_lines(assessment):
        bold = "考核结果" in line and "、" in line[:3]
        lines.append(f"<b>{esc(line)}</b>" if bold else esc(line))
    return "\n".join(lines)


def assessment_docx(assessment: Assessment) -> bytes:
    """The notice as an official document, with its attachment on a new page."""
    document = official_document()
    title(document, assessment.issuer, assessment.title)
    recipients(document, assessment.recipients)
    paragraph(document, body(assessment))
    annex_note(document, [assessment.annex_title])
    signature(document, assessment.issuer, chinese_date(assessment.issued_on))
    annex_heading(document, "附件", assessment.annex_title)
    for c, category in enumerate(assessment.categories):
        heading(document, f"{ORDINALS[c]}、{category.heading}考核结果")
        for g, (grade, units) in enumerate(category.grades):
            subheading(document, grade_heading(g, grade, units))
            for line in numbered_lines(units):
                paragraph(document, line)
    return saved(document)


ROW_HEADERS = ["单位", "类别", "基础性工作", "第三方评估", "加减分", "年度成绩", "等次", "名次"]


def assessment_xlsx(assessment: Assessment) -> bytes:
    """One row per unit: the parts of the score, the score, the grade and the rank in category."""
    book = TableBook()
    sheet = book.table("考核结果", assessment.annex_title, ROW_HEADERS)
    for category in assessment.categories:
        rank = 0
        for _, units in category.grades:
            for unit in units:
                rank += 1
                sheet.append(
                    [
                        unit.unit,
                        category.heading,
                        plain(unit.basic),
                        plain(unit.third_party),
                        plain(unit.adjustments),
                        "0（单项否决）" if unit.vetoed else plain(unit.score),
                        unit.grade,
                        rank,
                    ]
                )
    return book.save()


def assessment_json(assessment: Assessment) -> str:
    """The assessment as JSON: the text and one object per unit."""
    units = []
    for category in assessment.categories:
        rank = 0
        for _, graded in category.grades:
            for unit in graded:
                rank += 1
                units.append(
                    {
                        "unit": unit.unit,
                        "category": unit.category,
                        "rank": rank,
                        "basic": plain(unit.basic),
                        "third_party": plain(unit.third_party),
                        "adjustments": plain(unit.adjustments),
                        "vetoed": unit.vetoed,
                        "score": plain(unit.score),
                        "grade": unit.grade,
                    }
                )
    return json.dumps(
        {
            "year": assessment.year,
            "title": assessment.title,
            "summary": assessment.summary,
            "units": units,
        },
        ensure_ascii=False,
        indent=2,
    )
