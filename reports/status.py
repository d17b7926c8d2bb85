"""``gongkai status`` and ``GET /healthz``: the service on one screen, in Chinese, or as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from domain.service_status import ServiceStatus

BULLETIN_STATUS = {"held": "待审核发布", "issued": "已发布", "withheld": "已暂缓"}
DUE_NAMES = {"bulletin": "一月一通报", "reminder": "月末报送提醒"}


def _at(moment: dt.datetime, tz: dt.tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _age(moment: dt.datetime, now: dt.datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds} 秒"
    if seconds < 3600:
        return f"{seconds // 60} 分钟"
    if seconds < 86400:
        return f"{seconds // 3600} 小时"
    return f"{seconds // 86400} 天"


def _jobs_line(status: ServiceStatus, tz: dt.tzinfo) -> str:
    jobs = status.jobs
    if jobs is None:
        return "定时任务：没有进程在运行（gongkai run 未启动？）"
    if not jobs.live:
        return f"定时任务：无人运行（{jobs.holder} 的租约已于 {_at(jobs.expires_at, tz)} 过期）"
    return f"定时任务：由 {jobs.holder} 运行（租约至 {_at(jobs.expires_at, tz)}）"


def status_text(status: ServiceStatus, tz: dt.tzinfo) -> str:
    """The status as a few lines of plain text."""
    now = status.now
    lines = [f"gongkai 状态（{_at(now, tz)}）", f"数据库：{status.database}"]
    if status.error is not None:
        lines.append(f"  ✗ {status.error}")
    elif status.revision != status.head:
        lines.append(
            f"  ✗ 数据库版本 {status.revision or '（未初始化）'}，应为 {status.head}："
            "请运行 gongkai db upgrade"
        )
    else:
        lines.append(f"  ✓ 可用，版本 {status.revision}")
        lines.append(_jobs_line(status, tz))
        inbox = f"收件箱：待处理 {status.inbox_waiting} 条"
        if status.inbox_oldest is not None:
            inbox += f"（最早的已等 {_age(status.inbox_oldest, now)}）"
        if status.inbox.get("failed"):
            inbox += f"，处理失败已搁置 {status.inbox['failed']} 条"
        lines.append(inbox)
        outbox = f"发件箱：待发送 {status.outbox.get('pending', 0)} 条"
        if status.outbox_oldest is not None:
            outbox += f"（最早的已等 {_age(status.outbox_oldest, now)}）"
        outbox += f"，已发送 {status.outbox.get('sent', 0)} 条"
        lines.append(outbox)
        given_up = status.outbox.get("undeliverable", 0)
        lines.append(f"无法送达：{given_up} 条" if given_up else "无法送达：无")
        lines.extend(
            f"  #{m.message_id} → 聊天 {m.chat_id}：{m.error[:80]}" for m in status.undeliverable
        )
        last = status.last_bulletin
        if last is None:
            lines.append("最近通报：尚无")
        else:
            when = f"，{_at(last.published_at, tz)}" if last.published_at else ""
            state = BULLETIN_STATUS.get(last.status, last.status)
            if last.status == "issued" and last.published_at is None:
                state = "待发送（通报群未设置？请检查 GONGKAI_BULLETIN_CHAT_ID）"
            lines.append(f"最近通报：{last.month.year}年{last.month.month}月，{state}{when}")
    lines.extend(f"下次{DUE_NAMES[kind]}：{_at(when, tz)}" for kind, when in status.next_due)
    return "\n".join(lines) + "\n"


def status_json(status: ServiceStatus) -> dict[str, Any]:
    """The status for monitoring systems (English keys, ISO times)."""

    def iso(moment: dt.datetime | None) -> str | None:
        return moment.isoformat() if moment is not None else None

    jobs = status.jobs
    last = status.last_bulletin
    return {
        "ok": status.healthy,
        "time": iso(status.now),
        "database": {
            "url": status.database,
            "error": status.error,
            "revision": status.revision,
            "head": status.head,
        },
        "jobs": (
            {"holder": jobs.holder, "expires_at": iso(jobs.expires_at), "live": jobs.live}
            if jobs is not None
            else None
        ),
        "inbox": {**status.inbox, "oldest_open": iso(status.inbox_oldest)},
        "outbox": {**status.outbox, "oldest_pending": iso(status.outbox_oldest)},
        "last_bulletin": (
            {
                "month": str(last.month),
                "status": last.status,
                "published_at": iso(last.published_at),
            }
            if last is not None
            else None
        ),
        "next_due": {kind: iso(when) for kind, when in status.next_due},
    }
