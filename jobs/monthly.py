"""The scheduled jobs: the bulletin with its escalations, the reminders, the task ledger's
follow-up (reminders and overdue notices) and the campaigns' (reminders, escalation). Thin
wrappers.

They run on a schedule and once at start (catching up on anything missed while down); each
asks ``domain`` whether its time has come, by the injected clock, so running them more often
than needed changes nothing. Every office has its own, at the times of its own rules, and
each runs as that office (its data, its rules, its chats).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging

from telegram.ext import JobQueue

from domain.campaigns import run_campaign_followup
from domain.monthly import run_bulletin_cycle, run_reminders
from domain.offices import list_offices
from domain.task_followup import run_overdue_notices, run_task_reminders
from jobs.delivery import JOB_NAME as DELIVERY_JOB
from jobs.delivery import deliver_outbox
from jobs.lease import Job, leader_only
from reports.notices import monthly_renderers
from reports.wording import CHAT_WORDING
from runtime.context import BotContext, job_queue
from runtime.services import (
    Services,
    chats_of,
    deployment,
    in_office,
    outside_update,
    services,
)

log = logging.getLogger(__name__)
BULLETIN_JOB = "monthly-bulletin"
REMINDER_JOB = "monthly-reminders"
TASK_JOB = "task-follow-up"
CAMPAIGN_JOB = "campaign-follow-up"
CATCH_UP_JOB = "monthly-catch-up"
OFFICES_JOB = "office-schedules"
# How often the jobs' holder looks for offices added since it scheduled theirs.
OFFICES_INTERVAL = 3600.0
# A late run is still worth making the same day; the work is idempotent, so run it once.
JOB_OPTIONS = {"misfire_grace_time": 6 * 3600, "coalesce": True, "max_instances": 1}


async def bulletin_job(context: BotContext) -> None:
    """Issue last month's bulletin and escalations if due and not yet out."""
    svc = services(context)
    outcome = await asyncio.to_thread(
        run_bulletin_cycle,
        svc.db,
        svc.rules,
        svc.clock(),
        svc.settings.tz,
        chats_of(svc),
        monthly_renderers(svc.rules),
    )
    if outcome.status not in (None, "already"):
        log.info("bulletin for %s: %s", outcome.month, outcome.status)
    _deliver_now(context)


async def reminder_job(context: BotContext) -> None:
    """Remind units with nothing submitted this month, if it is time."""
    svc = services(context)
    queued = await asyncio.to_thread(
        run_reminders, svc.db, svc.rules, svc.clock(), svc.settings.tz, CHAT_WORDING
    )
    if queued:
        log.info("queued %d reminders", queued)
    _deliver_now(context)


async def task_followup_job(context: BotContext) -> None:
    """Remind units with no task report this month, if it is time; chase overdue tasks."""
    svc = services(context)
    now, tz = svc.clock(), svc.settings.tz
    reminded = await asyncio.to_thread(run_task_reminders, svc.db, svc.rules, now, tz, CHAT_WORDING)
    chased = await asyncio.to_thread(
        run_overdue_notices, svc.db, now, tz, chats_of(svc), CHAT_WORDING
    )
    if reminded or chased:
        log.info("task follow-up: %d reminders, %d overdue notices", reminded, chased)
    _deliver_now(context)


async def campaign_followup_job(context: BotContext) -> None:
    """Remind units that owe a campaign; escalate those missing after its deadline."""
    svc = services(context)
    queued = await asyncio.to_thread(
        run_campaign_followup,
        svc.db,
        svc.rules,
        svc.clock(),
        svc.settings.tz,
        chats_of(svc),
        CHAT_WORDING,
    )
    if queued:
        log.info("campaign follow-up: %d notices", queued)
    _deliver_now(context)


async def catch_up_job(context: BotContext) -> None:
    """At start: whatever came due while the bot was down, office by office."""
    outside_update()
    for office in await asyncio.to_thread(list_offices, deployment(context).db):
        with in_office(office.id):
            await bulletin_job(context)
            await reminder_job(context)
            await task_followup_job(context)
            await campaign_followup_job(context)
    # Marks the start-up as settled: whatever was due at start has been decided.
    context.bot_data.caught_up = True


def _deliver_now(context: BotContext) -> None:
    job_queue(context).run_once(deliver_outbox, 0, name=f"{DELIVERY_JOB}-now")


def schedule_monthly(queue: JobQueue[BotContext], svc: Services) -> None:
    """Register every office's monthly jobs under fixed names, replacing any from before,
    and look for new offices every hour."""
    for job in queue.jobs():
        if job.name and job.name.split(":")[0] in (*MONTHLY_JOBS, CATCH_UP_JOB, OFFICES_JOB):
            job.schedule_removal()
    for office in list_offices(svc.db):
        _schedule_office(queue, svc, office.id, office.parent is None)
    queue.run_repeating(
        leader_only(_schedule_new_offices),
        interval=OFFICES_INTERVAL,
        name=OFFICES_JOB,
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )


MONTHLY_JOBS = (BULLETIN_JOB, REMINDER_JOB, TASK_JOB, CAMPAIGN_JOB)


def _schedule_office(
    queue: JobQueue[BotContext], svc: Services, office_id: int, root: bool
) -> None:
    """An office's daily jobs at its rules' times (the root's under the names they had)."""
    rules = svc.for_office(office_id).rules
    daily = [
        (bulletin_job, rules.schedule.bulletin_time, BULLETIN_JOB),
        (reminder_job, rules.schedule.reminder_time, REMINDER_JOB),
        (task_followup_job, rules.tasks.reminder_time, TASK_JOB),
        (campaign_followup_job, rules.campaigns.reminder_time, CAMPAIGN_JOB),
    ]
    for callback, at, name in daily:
        when = dt.time(at.hour, at.minute, tzinfo=svc.settings.tz)
        queue.run_daily(
            leader_only(as_office(callback, None if root else office_id)),
            when,
            name=name if root else f"{name}:{office_id}",
            job_kwargs=JOB_OPTIONS,
        )


async def _schedule_new_offices(context: BotContext) -> None:
    """Schedule the jobs of offices added (from the command line) since the last look."""
    queue = job_queue(context)
    svc = deployment(context)
    for office in await asyncio.to_thread(list_offices, svc.db):
        if office.parent is not None and not queue.get_jobs_by_name(f"{BULLETIN_JOB}:{office.id}"):
            log.info("scheduling the jobs of office %s", office.name)
            _schedule_office(queue, svc, office.id, root=False)


def as_office(job: Job, office_id: int | None) -> Job:
    """Run ``job`` as office ``office_id``'s."""

    @functools.wraps(job)
    async def scoped(context: BotContext) -> None:
        with in_office(office_id):
            await job(context)

    return scoped


async def catch_up_on_lead(context: BotContext) -> None:
    """On taking the jobs' lease (at start, or from a dead process): catch up, as its own job."""
    job_queue(context).run_once(catch_up_job, 0, name=CATCH_UP_JOB)
