"""The roll-up of the offices below: a table for the terminal and the chat, and JSON."""

from __future__ import annotations

import json
from typing import Any

from domain.rollup import RollUp
from domain.rules import Rules
from reports.numbers import plain, score_text
from reports.ranking import ranked_table


def rollup_headers(rules: Rules) -> list[str]:
    """The roll-up's columns: the office's own counts, then what it sent here, by column."""
    platforms = [p.short for p in rules.platforms]
    return ["名次", "机关", "所属单位报送", "上报", "报送本级", *platforms, "本级得分"]


def rollup_cells(rollup: RollUp, rules: Rules) -> list[list[str]]:
    """The roll-up's rows as text, in ``rollup_headers``' order."""
    return [
        [
            str(row.rank or "—"),
            row.office,
            str(row.submitted),
            str(row.forwarded),
            str(row.sent_up),
            *(str(row.by_platform.get(p.code, 0)) for p in rules.platforms),
            score_text(row.score),
        ]
        for row in rollup.rows
    ]


def rollup_table(rollup: RollUp, rules: Rules) -> str:
    """Each office below, as this office ranks it: its own counts, then what it sent up."""
    if not rollup.rows:
        return f"{rollup.title}\n\n本机关没有下级机关。"
    table = ranked_table(rollup_cells(rollup, rules), rollup_headers(rules))
    return f"{rollup.title}\n\n{table}"


def rollup_records(rollup: RollUp, rules: Rules) -> list[dict[str, Any]]:
    """One object per office below, best first (English keys, as ``rank --format json``)."""
    return [
        {
            "rank": row.rank or None,
            "office": row.office,
            "submitted": row.submitted,
            "forwarded": row.forwarded,
            "sent_up": row.sent_up,
            "by_platform": {p.code: row.by_platform.get(p.code, 0) for p in rules.platforms},
            "score": plain(row.score),
        }
        for row in rollup.rows
    ]


def rollup_json(rollup: RollUp, rules: Rules) -> str:
    """``rollup_records`` as a JSON array."""
    return json.dumps(rollup_records(rollup, rules), ensure_ascii=False, indent=2)
