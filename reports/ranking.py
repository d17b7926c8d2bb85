"""The ranking as an aligned table (like seed 002's 附件1), CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from domain.ranking import Ranking
from domain.rules import Rules
from reports.numbers import plain, score_text
from reports.widths import text_width


def ranking_headers(ranking: Ranking, rules: Rules) -> list[str]:
    """附件1's column headings, with a leading 名次."""
    return [
        "名次",
        "单位",
        *(f"{p.short}\n（{score_text(p.points)}分）" for p in rules.platforms),
        *(["领导批示"] if rules.endorsements else []),
        *(["报送任务分"] if rules.quota else []),
        "报送数量",
        "采用数量",
        f"{ranking.period.label}得分",
    ]


def ranking_cells(ranking: Ranking, rules: Rules) -> list[list[str]]:
    """附件1's rows: platform columns blank where zero, as the seed prints them."""
    return [
        [
            str(row.rank),
            row.unit,
            *(str(row.by_platform[p.code] or "") for p in rules.platforms),
            *([str(row.endorsed or "")] if rules.endorsements else []),
            *([score_text(row.quota)] if rules.quota else []),
            str(row.submitted),
            str(row.published),
            score_text(row.score),
        ]
        for row in ranking.rows
    ]


# A terminal of 100 columns holds the narrow table: headings and names wrap, as 附件1 prints them
# (名次 and the counts two characters a line, a platform five, a unit's name six).
NARROW_RANK, NARROW_HEADING, NARROW_COUNT, NARROW_NAME = 2, 10, 4, 12
NARROW_SCORE = 6


def wrap_columns(text: str, columns: int) -> str:
    """``text`` broken into lines of at most ``columns`` terminal columns (CJK: two each)."""
    lines, line, used = [], "", 0
    for ch in text:
        width = text_width(ch)
        if used + width > columns and line:
            lines.append(line)
            line, used = "", 0
        line += ch
        used += width
    return "\n".join([*lines, line])


def ranking_table(ranking: Ranking, rules: Rules, *, wide: bool = False) -> str:
    """A plain-text table aligned for Chinese characters; within 100 columns unless ``wide``."""
    title = f"{ranking.period.dated_label}政务公开工作信息得分情况"
    if ranking.category:
        title += f"（{ranking.category}）"
    headers = ranking_headers(ranking, rules)
    rows = ranking_cells(ranking, rules)
    if not wide:
        platforms = len(rules.platforms)
        widths = [
            NARROW_RANK,
            NARROW_NAME,
            *[NARROW_HEADING] * platforms,
            *([NARROW_COUNT] if rules.endorsements else []),
            *([NARROW_SCORE] if rules.quota else []),
            NARROW_COUNT,
            NARROW_COUNT,
        ]
        widths.append(NARROW_SCORE)
        headers = [
            "\n".join(wrap_columns(part, width) for part in h.split("\n"))
            for h, width in zip(headers, widths, strict=True)
        ]
        rows = [[r[0], wrap_columns(r[1], NARROW_NAME), *r[2:]] for r in rows]
    return f"{title}\n\n{ranked_table(rows, headers)}"


def ranked_table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """Rows of a rank, a name and figures, aligned: the name left, everything else right."""
    return tabulate(
        rows,
        headers=headers,
        tablefmt="simple",
        colalign=("right", "left", *["right"] * (len(headers) - 2)),
        disable_numparse=True,
    )


def ranking_records(ranking: Ranking, rules: Rules) -> list[dict[str, Any]]:
    """The ranking as JSON-ready objects (the contract of ``gongkai rank --format json``)."""
    return [
        {
            "rank": row.rank,
            "unit": row.unit,
            "category": row.category,
            "submitted": row.submitted,
            "published": row.published,
            "unpublished": row.unpublished,
            "score": plain(row.score),
            "article_points": plain(row.article_points),
            "adjustments": plain(row.adjustments),
            "by_platform": {p.code: row.by_platform[p.code] for p in rules.platforms},
            "endorsed": row.endorsed,
            "quota": plain(row.quota),
        }
        for row in ranking.rows
    ]


def ranking_json(ranking: Ranking, rules: Rules) -> str:
    """A JSON array, best first."""
    return json.dumps(ranking_records(ranking, rules), ensure_ascii=False, indent=2)


def ranking_csv(ranking: Ranking, rules: Rules) -> str:
    """CSV as Excel on a Chinese Windows opens it: UTF-8 with a BOM, Chinese headings, one
    column per platform (its short name)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "名次",
            "单位",
            "类别",
            "报送数量",
            "采用数量",
            "上报未刊发数量",
            "得分",
            *(p.short for p in rules.platforms),
            *(["领导批示"] if rules.endorsements else []),
            *(["报送任务分"] if rules.quota else []),
        ]
    )
    for record in ranking_records(ranking, rules):
        writer.writerow(
            [
                record["rank"],
                record["unit"],
                record["category"],
                record["submitted"],
                record["published"],
                record["unpublished"],
                record["score"],
                *(record["by_platform"][p.code] for p in rules.platforms),
                *([record["endorsed"]] if rules.endorsements else []),
                *([record["quota"]] if rules.quota else []),
            ]
        )
    return out.getvalue()
