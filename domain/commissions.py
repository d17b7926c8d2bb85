"""约稿: the office asks named units for an article on a topic by a deadline (a campaign of
kind ``article``, followed up as every 催报 is).

A unit answers with an article: it is submitted for review as any other and marked as the
answer, so that, adopted, it scores the rules' ``[commissions] points``. A unit that sends
nothing by the deadline, or sends late, loses ``missed_penalty`` once: an automatic 扣分 in the
adjustments, audited and told to the unit, counted in every ranking of its month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from domain.access import Identity
from domain.campaigns import campaign_ref, penalize_missed, requested
from domain.errors import UserError
from domain.notice_wording import NoticeWording
from domain.review import ArticleView, submit_article
from domain.rules import Rules
from storage.db import Database
from storage.models import CampaignAnswer
from storage.repos import repository


@dataclass(frozen=True)
class CommissionAnswered:
    """An article sent in answer to a 约稿."""

    campaign_id: int
    campaign_title: str
    deadline: dt.date
    article: ArticleView
    late: bool


def answer_commission(
    db: Database,
    rules: Rules,
    who: Identity,
    campaign_id: int,
    title: str,
    today: dt.date,
    office: Iterable[int],
    wording: NoticeWording,
    file: tuple[str, str] | None = None,
) -> CommissionAnswered:
    """Submit the unit's article as its answer to the 约稿, in one transaction; a late one
    costs the unit the penalty (once)."""
    campaign = requested(db, who, campaign_id)
    if campaign.kind != "article":
        raise UserError(f"催报 {campaign_ref(campaign_id)} 不是约稿。")
    assert who.unit_id is not None
    with db.transaction():
        article = submit_article(
            db,
            rules,
            who,
            title,
            today,
            office,
            wording,
            file_id=file[0] if file else None,
            file_name=file[1] if file else None,
        )
        late = today > campaign.deadline
        with repository(db) as repo:
            repo.add(
                CampaignAnswer(
                    campaign_id=campaign_id,
                    unit_id=who.unit_id,
                    submitted_by=who.telegram_id,
                    submitted_on=today,
                    late=late,
                    text=article.title,
                    article_id=article.id,
                )
            )
            repo.flush()
            repo.audit.record(
                f"tg:{who.telegram_id}",
                "campaign.answer",
                "campaign",
                campaign_id,
                None,
                {"unit": who.unit_name, "article": article.id, "late": late},
            )
            if late:
                penalize_missed(repo, rules, campaign_id, who.unit_id, "逾期报送", wording)
    return CommissionAnswered(campaign.id, campaign.title, campaign.deadline, article, late)
