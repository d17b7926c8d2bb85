"""The office: /pending with 上报 / 不上报 buttons, /forward, /decline, /publish, /endorse,
/import."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from domain.access import Identity
from domain.annual_report import could_be_report, looks_like_report
from domain.duplicates import similar_titles
from domain.errors import UserError
from domain.imports import import_file
from domain.locks import split_override
from domain.review import (
    ArticleView,
    decline_article,
    endorse_article,
    forward_article,
    get_article,
    pending_articles,
    publish_article,
)
from domain.rules import Rules
from handlers.campaigns import check_report
from handlers.common import (
    ROLE_REFUSALS,
    acknowledge,
    answer,
    arguments,
    caller,
    download,
    edit,
    parse_article_id,
    refusing,
    requires,
)
from reports.chat import article_card, esc
from reports.numbers import score_text
from reports.wording import CHAT_WORDING
from runtime.context import BotContext
from runtime.services import services


def review_keyboard(article: ArticleView) -> InlineKeyboardMarkup:
    """上报 / 不上报 for an article awaiting review."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("上报", callback_data=f"rev:fwd:{article.id}"),
                InlineKeyboardButton("不上报", callback_data=f"rev:dec:{article.id}"),
            ]
        ]
    )


def platform_keyboard(article_id: int, rules: Rules) -> InlineKeyboardMarkup:
    """One button per upstream platform, for recording a publication."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{p.short}（{score_text(p.points)}分）",
                    callback_data=f"pub:{article_id}:{p.code}",
                )
            ]
            for p in rules.platforms
        ]
    )


def endorsement_keyboard(article_id: int, rules: Rules) -> InlineKeyboardMarkup:
    """One button per level of 领导批示 the rules score."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{e.name}（另计{score_text(e.points)}分）",
                    callback_data=f"end:{article_id}:{e.code}",
                )
            ]
            for e in rules.endorsements
        ]
    )


@requires("admin")
async def pending(update: Update, context: BotContext, who: Identity) -> None:
    """Submissions awaiting review, oldest first, each with its buttons."""
    svc = services(context)
    articles, total = pending_articles(svc.db, limit=10)
    if not articles:
        await answer(update, "目前没有待审核的稿件。")
        return
    more = f"，以下为最早的 {len(articles)} 篇" if total > len(articles) else ""
    await answer(update, f"待审核稿件共 {total} 篇{more}：")
    for article in articles:
        alike = await asyncio.to_thread(
            similar_titles,
            svc.db,
            svc.rules,
            None,
            article.submitted_on.year,
            article.title,
            exclude=article.id,
        )
        await answer(
            update,
            article_card(article, svc.rules, alike),
            reply_markup=review_keyboard(article),
        )


@requires("admin")
async def forward(update: Update, context: BotContext, who: Identity) -> None:
    """/forward ID: accept an article and send it upstream."""
    svc = services(context)
    args, override = split_override(arguments(context))
    article_id = _one_id(args, "/forward 12")
    article = forward_article(
        svc.db,
        svc.rules,
        article_id,
        who.telegram_id,
        CHAT_WORDING,
        override,
        svc.offices(),
        svc.today(),
    )
    await answer(
        update, _forwarded_text(article), reply_markup=platform_keyboard(article.id, svc.rules)
    )


@requires("admin")
async def decline(update: Update, context: BotContext, who: Identity) -> None:
    """/decline ID: do not forward an article."""
    svc = services(context)
    args, override = split_override(arguments(context))
    article = decline_article(
        svc.db, _one_id(args, "/decline 12"), who.telegram_id, CHAT_WORDING, override
    )
    await answer(
        update, f"已将 #{article.id}《{esc(article.title)}》标为不上报，已通知{esc(article.unit)}。"
    )


@requires("admin")
async def publish(update: Update, context: BotContext, who: Identity) -> None:
    """/publish ID PLATFORM: record a publication (platform buttons when omitted)."""
    svc = services(context)
    args, override = split_override(arguments(context))
    if not args:
        raise UserError("用法：/publish 编号 平台，例如 /publish 12 省级 或 /publish 12 看山东")
    article_id = parse_article_id(args[0])
    if len(args) == 1:
        article = get_article(svc.db, article_id)
        await answer(
            update,
            f"#{article.id}《{esc(article.title)}》被哪个平台采用？",
            reply_markup=platform_keyboard(article.id, svc.rules),
        )
        return
    await _record_publication(update, context, who, article_id, " ".join(args[1:]), override)


@requires("admin")
@refusing(alert=True)
async def review_button(update: Update, context: BotContext, who: Identity) -> None:
    """上报 / 不上报 pressed under an article."""
    query = update.callback_query
    assert query is not None and query.data is not None
    svc = services(context)
    _, action, raw_id = query.data.split(":")
    if action == "fwd":
        article = forward_article(
            svc.db,
            svc.rules,
            parse_article_id(raw_id),
            who.telegram_id,
            CHAT_WORDING,
            hierarchy=svc.offices(),
            today=svc.today(),
        )
        text, markup = _forwarded_text(article), platform_keyboard(article.id, svc.rules)
    else:
        article = decline_article(svc.db, parse_article_id(raw_id), who.telegram_id, CHAT_WORDING)
        text, markup = f"已标为不上报：#{article.id}《{esc(article.title)}》", None
    await acknowledge(query, "已处理")
    await edit(update, text, reply_markup=markup)


@requires("admin")
@refusing(alert=True)
async def publish_button(update: Update, context: BotContext, who: Identity) -> None:
    """A platform pressed for an article."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, raw_id, code = query.data.split(":")
    await _record_publication(update, context, who, parse_article_id(raw_id), code)


async def _record_publication(
    update: Update,
    context: BotContext,
    who: Identity,
    article_id: int,
    code: str,
    override: bool = False,
) -> None:
    svc = services(context)
    outcome = publish_article(
        svc.db,
        svc.rules,
        article_id,
        code,
        f"tg:{who.telegram_id}",
        svc.today(),
        CHAT_WORDING,
        override,
        svc.offices(),
    )
    article = outcome.article
    platform = svc.rules.by_code[outcome.platform]
    if outcome.raised:
        text = (
            f"已记录：#{article.id}《{esc(article.title)}》被{esc(platform.short)}采用，"
            f"计 {score_text(article.points)} 分（原 {score_text(outcome.previous_points)} 分），"
            f"已通知{esc(article.unit)}。"
        )
    else:
        text = (
            f"已记录：#{article.id}《{esc(article.title)}》被{esc(platform.short)}采用；"
            f"该稿件已按更高级别计 {score_text(article.points)} 分，得分不变。"
        )
    await answer(update, text)


@requires("admin")
async def endorse(update: Update, context: BotContext, who: Identity) -> None:
    """/endorse ID LEVEL: record a 领导批示 (level buttons when omitted)."""
    svc = services(context)
    args, override = split_override(arguments(context))
    if not svc.rules.endorsements:
        raise UserError("本单位计分办法未设领导批示加分（规则文件 [[endorsements]]）。")
    if not args:
        example = svc.rules.endorsements[0].name
        raise UserError(f"用法：/endorse 编号 级别，例如 /endorse 12 {esc(example)}")
    article_id = parse_article_id(args[0])
    if len(args) == 1:
        article = get_article(svc.db, article_id)
        await answer(
            update,
            f"#{article.id}《{esc(article.title)}》获哪一级领导批示？",
            reply_markup=endorsement_keyboard(article.id, svc.rules),
        )
        return
    await _record_endorsement(update, context, who, article_id, " ".join(args[1:]), override)


@requires("admin")
@refusing(alert=True)
async def endorse_button(update: Update, context: BotContext, who: Identity) -> None:
    """A level of 批示 pressed for an article."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, raw_id, code = query.data.split(":")
    await _record_endorsement(update, context, who, parse_article_id(raw_id), code)


async def _record_endorsement(
    update: Update,
    context: BotContext,
    who: Identity,
    article_id: int,
    level: str,
    override: bool = False,
) -> None:
    svc = services(context)
    outcome = endorse_article(
        svc.db,
        svc.rules,
        article_id,
        level,
        f"tg:{who.telegram_id}",
        svc.today(),
        CHAT_WORDING,
        override,
    )
    article = outcome.article
    await answer(
        update,
        f"已记录：#{article.id}《{esc(article.title)}》获{esc(outcome.level)}批示，"
        f"另计 {score_text(outcome.added)} 分，现计 {score_text(article.points)} 分，"
        f"已通知{esc(article.unit)}。",
    )


def _forwarded_text(article: ArticleView) -> str:
    return (
        f"已上报：#{article.id}《{esc(article.title)}》，暂计 {score_text(article.points)} 分，"
        f"已通知{esc(article.unit)}。\n上级平台刊发后，点击下方平台记录采用："
    )


def _one_id(args: list[str], example: str) -> int:
    if len(args) != 1:
        raise UserError(f"用法：{example}（稿件编号见 /pending）")
    return parse_article_id(args[0])


@requires("admin")
async def import_help(update: Update, context: BotContext, who: Identity) -> None:
    """/import without a file: say how to send one."""
    await answer(
        update,
        "请在私聊中直接发送 CSV 或 XLSX 文件（或在文件说明中写 /import）：\n"
        "· 单位文件，列：<code>name,category</code>（行序即显示顺序）\n"
        "· 稿件文件，列：<code>unit,title,submitted_on,forwarded,published_in</code>\n"
        "· 任务分解表，列：<code>部分,工作任务,牵头部门,责任单位,具体要求,完成时限</code>"
        "（工作任务、完成时限可空；单位名称用“、”分隔）\n"
        "· 月度评分，列：<code>unit,month,</code>各评分维度（可加 total、opening）\n"
        "· 第三方评估，列：<code>unit,year,evaluation</code>\n"
        "有错误的文件不会导入任何数据，并列出每个错误所在的行。",
    )


@refusing()
async def import_document(update: Update, context: BotContext) -> None:
    """A table sent in private (or captioned /import). A filled annual report template is
    checked for anyone the bot knows; any other table is an import (all or nothing), for
    admins."""
    who = caller(update, context)
    if not who.roles:
        await answer(update, ROLE_REFUSALS["liaison"])
        return
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    svc = services(context)
    name = document.file_name or "upload.csv"
    if not who.is_admin and not could_be_report(name):
        await answer(update, ROLE_REFUSALS["admin"])  # refused before anything is downloaded
        return
    content = await download(context, document)
    # Off the event loop: even within the limits a workbook takes a while to open.
    report = await asyncio.to_thread(looks_like_report, name, content)
    if report:
        await check_report(update, context, content, name)
        return
    if not who.is_admin:
        await answer(update, ROLE_REFUSALS["admin"])
        return
    _, override = split_override((message.caption or "").split())
    summary = await asyncio.to_thread(
        import_file,
        svc.db,
        svc.rules,
        name,
        content,
        f"tg:{who.telegram_id}",
        svc.today().year,
        override,
    )
    svc.identities.forget()  # a units file may have retired a liaison's unit
    await answer(update, esc(summary))
