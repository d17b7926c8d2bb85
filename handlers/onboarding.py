"""Onboarding: /start with an invite, /help, /invite, /units, and each role's command menu."""

from __future__ import annotations

import contextlib

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden

from domain.access import Identity, create_invite, redeem_invite
from domain.bulletin import scoring_rules_text
from domain.rules import Rules
from domain.units import list_units
from handlers.common import answer, arguments, caller, refuse, refusing, requires
from reports.chat import esc
from runtime.context import BotContext
from runtime.services import services

LIAISON_MENU = [
    ("submit", "报送政务公开工作信息"),
    ("mine", "本单位稿件、得分与排名"),
    ("tasks", "本单位工作任务与进展"),
    ("progress", "报送任务进展"),
    ("answer", "报送催报事项"),
    ("report_template", "下载政府信息公开年报模板"),
    ("cancel", "取消当前操作"),
]
SUPERVISOR_MENU = [
    ("rank", "得分排名 [下级机关] [年-月[..年-月]] [类别]，如 2020-07"),
    ("unit", "单位详情：/unit 单位名称"),
    ("stats", "按平台、类别统计"),
    ("rollup", "下级机关汇总 [年-月[..年-月]]"),
    ("stagnant", "连续无持续进展的单位"),
    ("task", "任务详情：/task 编号"),
    ("ledger", "工作任务台账 [单位]"),
    ("scores", "月度评分通报 [年-月]，如 2020-07"),
    ("assessment", "年度考核：/assessment 年份"),
]
ADMIN_MENU = [
    ("pending", "待审核稿件"),
    ("forward", "上报：/forward 编号"),
    ("decline", "不上报：/decline 编号"),
    ("publish", "记录采用：/publish 编号 平台"),
    ("endorse", "记录领导批示：/endorse 编号 级别"),
    ("published", "按栏目刊发清单记录采用：/published 平台，换行后每行一个标题"),
    ("invite", "邀请联络员：/invite 单位"),
    ("units", "单位列表"),
    ("import", "导入单位、稿件、任务、评分或评估（发送文件）"),
    ("bulletin", "预览一月一通报 [年-月]，如 2020-07"),
    ("wording", "修改通报的导语或存在问题：/wording 年-月 导语 文字"),
    ("adjust", "加减分：/adjust 单位 +2 原因"),
    ("veto", "单项否决：/veto 单位 原因"),
    ("campaign", "发起催报，或 /campaign 编号 查看报送情况"),
    ("campaigns", "催报事项列表"),
]
HELP_ITEM = ("help", "帮助")


def menu_for(who: Identity, rules: Rules) -> list[tuple[str, str]]:
    """The commands a user's roles allow, without repeats (/endorse where the rules score
    领导批示)."""
    items: list[tuple[str, str]] = []
    if who.is_liaison:
        items += LIAISON_MENU
    if who.is_admin:
        items += [i for i in ADMIN_MENU if i[0] != "endorse" or rules.endorsements]
    if who.can_supervise:
        items += SUPERVISOR_MENU
    items.append(HELP_ITEM)
    return list(dict.fromkeys(items))


async def set_menu(bot: Bot, who: Identity, rules: Rules) -> None:
    """Show the user the commands of their roles (a chat-scoped menu)."""
    commands = [BotCommand(name, text) for name, text in menu_for(who, rules)]
    # A user who has not opened a chat with the bot yet gets the menu at their first /start.
    with contextlib.suppress(BadRequest, Forbidden):
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(who.telegram_id))


@refusing()
async def start(update: Update, context: BotContext) -> None:
    """Bind with an invite code, or greet a known user."""
    user = update.effective_user
    assert user is not None
    svc = services(context)
    args = arguments(context)
    if args:
        unit = redeem_invite(svc.db, args[0], user.id, user.full_name, svc.now())
        svc.identities.forget(user.id)
        who = caller(update, context)
        await set_menu(context.bot, who, svc.rules)
        await answer(
            update,
            f"绑定成功！您已成为<b>{esc(unit)}</b>的联络员。\n"
            f"发送 /submit 报送政务公开工作信息，/mine 查看本单位得分，/help 查看全部命令。",
        )
        return
    who = caller(update, context)
    await set_menu(context.bot, who, svc.rules)
    if not who.roles:
        await answer(
            update,
            "您好！这里是政务公开工作信息报送助手。\n"
            "联络员请点击政务公开办公室发给您的邀请链接完成绑定。",
        )
        return
    rules = services(context).rules
    await answer(update, f"您好，{esc(user.full_name)}！\n\n{help_text(who, rules)}")


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands of the caller's roles."""
    await answer(update, help_text(caller(update, context), services(context).rules))


def help_text(who: Identity, rules: Rules) -> str:
    """What the caller can do, one command a line; a liaison also reads how the unit's
    articles are scored (the rules file's 计分办法, as the bulletin's 附件3 words it)."""
    roles = []
    if who.is_liaison:
        roles.append(f"{esc(who.unit_name)}联络员")
    if who.is_admin:
        roles.append("管理员")
    elif who.can_supervise:
        roles.append("督查人员")
    if not roles:
        return "您尚未绑定单位。请点击政务公开办公室发给您的邀请链接完成绑定。"
    lines = [f"您的身份：{'、'.join(roles)}", ""]
    lines += [f"/{name} — {esc(text)}" for name, text in menu_for(who, rules)]
    if who.is_liaison:
        lines += ["", "<b>本单位计分办法</b>", esc(scoring_rules_text(rules))]
    return "\n".join(lines)


@requires("admin")
async def invite(update: Update, context: BotContext, who: Identity) -> None:
    """Make a single-use invite link for a unit (buttons when no unit is typed)."""
    svc = services(context)
    name = " ".join(arguments(context)).strip()
    if not name:
        units = list_units(svc.db)
        if not units:
            await refuse(update, "尚无单位，请先导入单位文件（/import）。")
            return
        buttons = [[InlineKeyboardButton(u.name, callback_data=f"inv:{u.id}")] for u in units[:40]]
        await answer(
            update,
            "请选择要邀请联络员的单位（或发送 /invite 单位名称）：",
            reply_markup=InlineKeyboardMarkup(buttons),
        )
        return
    await _send_invite(update, context, who, name)


@requires("admin")
async def invite_button(update: Update, context: BotContext, who: Identity) -> None:
    """The unit chosen by button for /invite."""
    query = update.callback_query
    assert query is not None and query.data is not None
    unit_id = int(query.data.split(":", 1)[1])
    names = {u.id: u.name for u in list_units(services(context).db)}
    if unit_id not in names:
        await refuse(update, "该单位已不存在。")
        return
    await _send_invite(update, context, who, names[unit_id])


async def _send_invite(update: Update, context: BotContext, who: Identity, unit_name: str) -> None:
    svc = services(context)
    issued = create_invite(svc.db, unit_name, who.telegram_id, svc.now())
    link = f"https://t.me/{context.bot.username}?start={issued.code}"
    expires = issued.expires_at.astimezone(svc.settings.tz).strftime("%Y-%m-%d %H:%M")
    await answer(
        update,
        f"<b>{esc(issued.unit)}</b>联络员邀请链接（仅可使用一次，{expires} 前有效）：\n"
        f"{esc(link)}\n\n也可让联络员向本机器人发送：\n<code>/start {esc(issued.code)}</code>",
    )


@requires("admin")
async def units(update: Update, context: BotContext, who: Identity) -> None:
    """List the units by category, in display order, with their liaisons' count."""
    listing = list_units(services(context).db)
    if not listing:
        await answer(update, "尚无单位。请发送单位文件（列：name,category）并在说明中写 /import。")
        return
    lines = [f"<b>单位列表</b>（共 {len(listing)} 个）"]
    categories = dict.fromkeys(unit.category for unit in listing)
    for category in categories:
        lines.append(f"\n<b>{esc(category)}</b>")
        members = [u for u in listing if u.category == category]
        for n, unit in enumerate(members, start=1):
            liaisons = f"，联络员 {unit.liaisons} 人" if unit.liaisons else "，尚无联络员"
            lines.append(f"{n}. {esc(unit.name)}{liaisons}")
    await answer(update, "\n".join(lines))
