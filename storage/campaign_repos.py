"""Repositories of 催报 campaigns: their target units and answers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from storage.models import Campaign, CampaignAnswer, CampaignTarget
from storage.scope import Scope


class Campaigns:
    """Campaigns, who owes them, and what was sent."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def get(self, campaign_id: int) -> Campaign | None:
        """A campaign with its target units."""
        query = (
            select(Campaign)
            .where(Campaign.id == campaign_id, self.scope.is_office(Campaign.office_id))
            .options(selectinload(Campaign.targets).joinedload(CampaignTarget.unit))
        )
        return self.session.scalars(query).one_or_none()

    def target(self, campaign_id: int, unit_id: int) -> CampaignTarget | None:
        """The unit's place in the campaign, if it is asked."""
        return self.session.get(CampaignTarget, (campaign_id, unit_id))

    def since(self, deadline: dt.date) -> list[Campaign]:
        """Campaigns whose deadline is on or after ``deadline``, oldest deadline first."""
        query = (
            select(Campaign)
            .where(Campaign.deadline >= deadline, self.scope.is_office(Campaign.office_id))
            .options(selectinload(Campaign.targets).joinedload(CampaignTarget.unit))
            .order_by(Campaign.deadline, Campaign.id)
        )
        return list(self.session.scalars(query))

    def recent(self, limit: int) -> list[Campaign]:
        """The newest campaigns, with their target units."""
        query = (
            select(Campaign)
            .where(self.scope.is_office(Campaign.office_id))
            .options(selectinload(Campaign.targets))
            .order_by(Campaign.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def of_unit(self, unit_id: int, deadline: dt.date) -> list[Campaign]:
        """Campaigns the unit owes an answer to, with a deadline on or after ``deadline``."""
        query = (
            select(Campaign)
            .join(CampaignTarget, CampaignTarget.campaign_id == Campaign.id)
            .where(CampaignTarget.unit_id == unit_id, Campaign.deadline >= deadline)
            .order_by(Campaign.deadline, Campaign.id)
        )
        return list(self.session.scalars(query))

    def is_target(self, campaign_id: int, unit_id: int) -> bool:
        """Whether the unit owes the campaign an answer."""
        query = select(CampaignTarget.unit_id).where(
            CampaignTarget.campaign_id == campaign_id, CampaignTarget.unit_id == unit_id
        )
        return self.session.scalar(query) is not None

    def latest_answers(self, campaign_id: int) -> dict[int, CampaignAnswer]:
        """Per unit, its latest answer (the one that counts)."""
        newest = (
            select(func.max(CampaignAnswer.id))
            .where(CampaignAnswer.campaign_id == campaign_id)
            .group_by(CampaignAnswer.unit_id)
        )
        query = select(CampaignAnswer).where(CampaignAnswer.id.in_(newest))
        return {answer.unit_id: answer for answer in self.session.scalars(query)}

    def answer_counts(self, campaign_id: int) -> dict[int, int]:
        """Per unit, how many answers it sent."""
        query = (
            select(CampaignAnswer.unit_id, func.count())
            .where(CampaignAnswer.campaign_id == campaign_id)
            .group_by(CampaignAnswer.unit_id)
        )
        return {unit_id: count for unit_id, count in self.session.execute(query)}

    def answered_units(self, campaign_ids: list[int]) -> set[tuple[int, int]]:
        """(campaign, unit) pairs with at least one answer."""
        if not campaign_ids:
            return set()
        query = (
            select(CampaignAnswer.campaign_id, CampaignAnswer.unit_id)
            .where(CampaignAnswer.campaign_id.in_(campaign_ids))
            .distinct()
        )
        return {(c, u) for c, u in self.session.execute(query)}
