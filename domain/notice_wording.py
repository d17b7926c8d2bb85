"""What the notices the domain queues say is for ``reports`` to decide.

The domain knows when a unit must be told and what happened; the words (Telegram HTML, every
typed value escaped) come from an implementation of ``NoticeWording``, passed in by whoever
calls the domain (``reports.wording.CHAT_WORDING``), so the bot's voice lives in one package
and the domain never builds HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from domain.periods import Month

if TYPE_CHECKING:
    from decimal import Decimal

    from domain.adjustments import Recorded
    from domain.duplicates import Similar
    from domain.ledger import LedgerRow


class NoticeWording(Protocol):
    """One method per notice; each returns the message as Telegram HTML."""

    def new_article(
        self, article_id: int, unit: str, title: str, similar: Sequence[Similar]
    ) -> str:
        """To the office: a unit submitted an article (and what it is very like)."""
        ...

    def forwarded(self, article_id: int, title: str, points: Decimal) -> str:
        """To the unit: the office accepted the article and sent it upstream."""
        ...

    def declined(self, article_id: int, title: str) -> str:
        """To the unit: the office did not send the article upstream."""
        ...

    def declined_upstream(self, office: str, article_id: int, title: str) -> str:
        """To the unit and its office: the office above did not take up the article."""
        ...

    def published(
        self, article_id: int, title: str, platform: str, points: Decimal, counted_as: str | None
    ) -> str:
        """To the unit: a platform published the article (``counted_as``: the platform it
        already scores by, when this one scores no higher)."""
        ...

    def endorsed(
        self, article_id: int, title: str, level: str, added: Decimal, points: Decimal
    ) -> str:
        """To the unit: a leader of ``level`` commented on the article (领导批示), adding
        ``added`` points to make ``points``."""
        ...

    def adjustment(self, recorded: Recorded) -> str:
        """To the unit: a bonus, a penalty or a 单项否决."""
        ...

    def campaign_opened(self, campaign_id: int, title: str, kind: str, deadline: dt.date) -> str:
        """To the units asked: what they owe and by when."""
        ...

    def campaign_reminder(self, campaign_id: int, title: str, kind: str, deadline: dt.date) -> str:
        """To a unit that has not answered before the deadline."""
        ...

    def campaign_overdue(
        self, campaign_id: int, title: str, deadline: dt.date, missing: Sequence[str]
    ) -> str:
        """To the 督查室: the units that had not answered by the deadline."""
        ...

    def submission_reminder(self, unit: str, month: Month, last_day: dt.date, standing: str) -> str:
        """To a unit with nothing submitted this month (``standing``: its streak and outlook,
        plain text)."""
        ...

    def task_reminder(
        self,
        unit: str,
        month: Month,
        last_day: dt.date,
        open_tasks: Mapping[str, int],
        progress_counts: bool,
    ) -> str:
        """To a unit with unfinished tasks and no progress report this month."""
        ...

    def task_overdue(self, rows: Sequence[LedgerRow], leads: Sequence[str]) -> str:
        """To the lead units and the 督查室: one task past its deadline."""
        ...

    def undeliverable(self, chat_id: int, error: str, message: str) -> str:
        """To the admins: Telegram refused a message for good (``message``: its HTML)."""
        ...
