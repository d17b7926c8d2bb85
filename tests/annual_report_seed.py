"""Seed 003's figures (济宁市人民政府办公室, 2020) and the template filled with them."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from domain.annual_report import (
    ACTIVE_SHEET,
    APPLICATION_SHEET,
    REVIEW_SHEET,
    TEXT_SHEET,
    active_layout,
    application_cell,
    review_cell,
    text_cell,
)
from reports.annual_report import template_xlsx

ACTIVE = {
    ("规章", "本年新制作数量"): 0,
    ("规章", "本年新公开数量"): 0,
    ("规章", "对外公开总数量"): 0,
    ("规范性文件", "本年新制作数量"): 10,
    ("规范性文件", "本年新公开数量"): 10,
    ("规范性文件", "对外公开总数量"): 56,
    ("政府集中采购", "采购项目数量"): 30,
    ("政府集中采购", "采购总金额"): 2220.68,
}
# (row, column): value; empty cells are zero.
APPLICATIONS = {
    ("new", "自然人"): 52,
    ("new", "商业企业"): 1,
    ("new", "总计"): 53,
    ("carried", "自然人"): 0,
    ("carried", "总计"): 0,
    ("open", "自然人"): 10,
    ("open", "商业企业"): 1,
    ("open", "总计"): 11,
    ("partial", "自然人"): 13,
    ("partial", "总计"): 13,
    ("withheld.5", "自然人"): 1,
    ("withheld.5", "总计"): 1,
    ("withheld.8", "自然人"): 1,
    ("withheld.8", "总计"): 1,
    ("unable.1", "自然人"): 27,
    ("unable.1", "总计"): 27,
    ("total", "自然人"): 52,
    ("total", "商业企业"): 1,
    ("total", "总计"): 53,
    ("forward", "自然人"): 0,
    ("forward", "总计"): 0,
}
REVIEWS = {
    ("行政复议", "结果维持"): 1,
    ("行政复议", "总计"): 1,
    ("行政诉讼（未经复议直接起诉）", "结果维持"): 1,
    ("行政诉讼（未经复议直接起诉）", "总计"): 1,
}
TEXTS = {
    "unit": "济宁市人民政府办公室",
    "year": 2020,
    "overview": (
        "2020年，济宁市人民政府办公室严格执行市委、市政府关于政务公开工作的各项部署，"
        "以《信息公开条例》为根本遵循，以基层政务公开标准化、规范化建设为工作重点，"
        "不断完善工作体制机制，畅通公开渠道，进一步提高了政府治理能力，"
        "切实增强了人民群众满意度、获得感。\n"
        "2020年市政府办公室共受理依申请公开53件，承办省政府协查函35件，"
        "均在法定期限内予以答复，办结率为100%。"
    ),
    "problems": (
        "2020年全市及本机关在政务公开工作中主要存在的问题有：一是公开意识有待进一步提升；"
        "二是人员配置有待进一步强化；三是政策解读方式有待进一步拓展。\n"
        "针对存在的问题，2021年市政府办公室将进一步加大督导考核力度，全面推进基层政务公开"
        "标准化规范化建设，丰富政策文件解读方式，抓好公共企事业单位信息公开。"
    ),
    "other": "无",
}


def filled_template(**changes: Any) -> bytes:
    """The template filled with seed 003's figures; ``changes`` maps ``sheet!cell`` to a value."""
    book = load_workbook(io.BytesIO(template_xlsx()))
    cells = {(label, column): cell for _, label, column, cell in active_layout()}
    for key, value in ACTIVE.items():
        book[ACTIVE_SHEET][cells[key]] = value
    for (key, column), value in APPLICATIONS.items():
        book[APPLICATION_SHEET][application_cell(key, column)] = value
    for (group, column), value in REVIEWS.items():
        book[REVIEW_SHEET][review_cell(group, column)] = value
    for key, value in TEXTS.items():
        book[TEXT_SHEET][text_cell(key)] = value
    for where, value in changes.items():
        sheet, cell = where.split("!")
        book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
