"""The notices the bot queues, in the bot's words (Telegram HTML, typed values escaped)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from domain.adjustments import Recorded
from domain.campaigns import KIND_NAMES, campaign_ref
from domain.duplicates import Similar
from domain.ledger import ROLE_LABELS, LedgerRow, shorten, task_ref
from domain.notice_wording import NoticeWording
from domain.periods import Month, chinese_date
from domain.wording import figure, points_text, some_units
from reports.chat import esc, similar_warning


def adjustment_text(recorded: Recorded) -> str:
    """``加2分`` / ``扣1.5分`` / ``单项否决``."""
    return "单项否决" if recorded.kind == "veto" else points_text(recorded.points)


def notified_text(recorded: Recorded) -> str:
    """Whether anyone was told: a unit may have no liaison yet."""
    return "已通知该单位联络员。" if recorded.notified else "该单位尚无联络员，未能通知。"


def _plain_start(text: str, length: int = 60) -> str:
    plain = re.sub(r"<[^>]+>", "", text)
    plain = html.unescape(plain).replace("\n", " ")
    return plain[:length] + ("…" if len(plain) > length else "")


class ChatWording:
    """``NoticeWording`` as the bot says it in chat."""

    def new_article(
        self, article_id: int, unit: str, title: str, similar: Sequence[Similar]
    ) -> str:
        warning = "".join(f"\n{similar_warning(s)}" for s in similar)
        return (
            f"新稿件 #{article_id}：{esc(unit)}《{esc(title)}》待审核。"
            f"{warning}\n/pending 查看待审核稿件。"
        )

    def forwarded(self, article_id: int, title: str, points: Decimal) -> str:
        return (
            f"稿件 #{article_id}《{esc(title)}》已采用并报送上级平台，"
            f"暂计 {figure(points)} 分；上级平台刊发后按刊发级别计分。"
        )

    def declined(self, article_id: int, title: str) -> str:
        return (
            f"稿件 #{article_id}《{esc(title)}》本次未上报上级平台，不计分。"
            f"请围绕政务公开举措和经验做法继续报送。"
        )

    def declined_upstream(self, office: str, article_id: int, title: str) -> str:
        return f"稿件 #{article_id}《{esc(title)}》报送{esc(office)}后，{esc(office)}未予采用。"

    def published(
        self, article_id: int, title: str, platform: str, points: Decimal, counted_as: str | None
    ) -> str:
        if counted_as is None:
            return f"稿件 #{article_id}《{esc(title)}》已被{platform}采用，计 {figure(points)} 分。"
        return (
            f"稿件 #{article_id}《{esc(title)}》已被{platform}采用；"
            f"该稿件已按{counted_as}计 {figure(points)} 分，同一信息不重复计分。"
        )

    def endorsed(
        self, article_id: int, title: str, level: str, added: Decimal, points: Decimal
    ) -> str:
        return (
            f"稿件 #{article_id}《{esc(title)}》获{esc(level)}批示，另计 {figure(added)} 分，"
            f"现计 {figure(points)} 分。"
        )

    def adjustment(self, recorded: Recorded) -> str:
        unit, reason = esc(recorded.unit), esc(recorded.reason)
        if recorded.kind == "veto":
            return (
                f"<b>{unit}</b> {recorded.month.year} 年政务公开工作考核被"
                f"单项否决，年度得分按零分计算。原因：{reason}"
            )
        return (
            f"<b>{unit}</b> {recorded.month.year}年{recorded.month.month}月"
            f"考核{adjustment_text(recorded)}。原因：{reason}"
        )

    def campaign_opened(self, campaign_id: int, title: str, kind: str, deadline: dt.date) -> str:
        hint = "（模板可用 /report_template 下载）" if kind == "template" else ""
        return (
            f"📮 <b>催报 {campaign_ref(campaign_id)}</b>：{esc(title)}\n"
            f"请于 <b>{chinese_date(deadline)}</b> 前报送{KIND_NAMES[kind]}。"
            f"发送 /answer {campaign_id} 报送{hint}。"
        )

    def campaign_reminder(self, campaign_id: int, title: str, kind: str, deadline: dt.date) -> str:
        return (
            f"⏰ 提醒：催报 <b>{campaign_ref(campaign_id)}</b> {esc(title)}"
            f"将于 <b>{chinese_date(deadline)}</b> 截止，"
            f"贵单位尚未报送{KIND_NAMES[kind]}。"
            f"请发送 /answer {campaign_id} 报送。"
        )

    def campaign_overdue(
        self, campaign_id: int, title: str, deadline: dt.date, missing: Sequence[str]
    ) -> str:
        names = "、".join(esc(name) for name in missing)
        return (
            f"⚠️ <b>催报逾期</b>：{campaign_ref(campaign_id)} {esc(title)}"
            f"已于 {chinese_date(deadline)} 截止，仍有 {len(missing)} 个单位未报送：{names}。"
        )

    def submission_reminder(self, unit: str, month: Month, last_day: dt.date, standing: str) -> str:
        return (
            f"提醒：<b>{esc(unit)}</b>本月（{month.month}月）尚未报送政务公开工作信息，"
            f"请于 {last_day.month}月{last_day.day}日前发送 /submit 报送。{esc(standing)}"
        )

    def task_reminder(
        self,
        unit: str,
        month: Month,
        last_day: dt.date,
        open_tasks: Mapping[str, int],
        progress_counts: bool,
    ) -> str:
        counts = "、".join(
            f"{ROLE_LABELS[role]}{open_tasks[role]}项"
            for role in ("lead", "responsible")
            if role in open_tasks
        )
        text = (
            f"提醒：<b>{esc(unit)}</b>本月（{month.month}月）尚未报送工作任务进展"
            f"（未完成的任务：{counts}）。请于 {last_day.month}月{last_day.day}日前"
            f"发送 /progress 报送，/tasks 查看任务。"
        )
        return text + ("任务进展计入持续进展。" if progress_counts else "")

    def task_overdue(self, rows: Sequence[LedgerRow], leads: Sequence[str]) -> str:
        first = rows[0]
        units = esc(some_units([row.unit for row in rows], 20))
        return (
            f"⚠️ <b>任务逾期</b>：<b>{task_ref(first.task_id)}</b> {esc(shorten(first.task))}"
            f"（完成时限 {first.deadline}）\n尚未报送完成的单位：{units}。\n"
            f"牵头单位：{esc('、'.join(leads))}。请牵头单位督促落实，"
            f"/task {first.task_id} 查看进展。"
        )

    def undeliverable(self, chat_id: int, error: str, message: str) -> str:
        return (
            f"⚠️ 一条消息无法送达（对方 {chat_id}）：{esc(error)}\n"
            f"内容开头：{esc(_plain_start(message))}"
        )


CHAT_WORDING: NoticeWording = ChatWording()
