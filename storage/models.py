"""The tables. Constraints live here, in the database, not only in Python."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
    select,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TITLE_MAX = 200
# A normalised title past this length keeps its head and a digest (domain.text.title_key).
TITLE_KEY_MAX = 600
ROLES = ("admin", "supervisor", "liaison")
ARTICLE_STATUSES = ("submitted", "forwarded", "declined", "published")
OUTBOX_STATUSES = ("pending", "sent", "undeliverable")
ISSUE_STATUSES = ("held", "issued", "withheld")
ESCALATION_KINDS = ("supervision", "circular")
ADJUSTMENT_KINDS = ("bonus", "penalty", "veto")
TASK_ROLES = ("lead", "responsible")
CAMPAIGN_KINDS = ("file", "text", "template", "article")
INBOX_STATUSES = ("pending", "processing", "done", "failed")
# Replies to a user's own update go before notices and broadcasts.
PRIORITY_REPLY, PRIORITY_NOTICE = 0, 1


def utcnow() -> dt.datetime:
    """The current instant, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class Points(TypeDecorator[Decimal]):
    """An article's points, to two decimal places (0.5), stored as whole hundredths.

    Integers add up exactly on SQLite, which has no decimal type, and fast on PostgreSQL,
    where rankings sum a million of them. The column holds hundredths: raw SQL that reads it
    (the tallies' triggers only add and subtract) divides by 100.
    """

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> int | None:
        """Points as hundredths; refuses a finer fraction rather than round it away."""
        return None if value is None else hundredths(value)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        """Hundredths as points, without trailing zeros (1250 → 12.5, 1200 → 12)."""
        return None if value is None else Decimal(value) / 100


def hundredths(points: Decimal | int) -> int:
    """``points`` as whole hundredths, as the ``Points`` columns hold them."""
    scaled = Decimal(points) * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"points finer than 0.01: {points}")
    return int(scaled)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Office(Base):
    """机关: an office that runs the routine for its own units (a city, a district, a county).

    Offices form one tree under a root (the deployment's first office). A child office is also
    a unit of its parent (``unit_id``): what it forwards goes up as that unit's article.
    ``rules`` holds the office's own 计分办法 (TOML) where it has one; otherwise the
    deployment's rules are in force.
    """

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", use_alter=True), unique=True)
    rules: Mapped[str | None] = mapped_column(Text)
    # Where its bulletins and 督办单 go; the root's default to the environment's.
    bulletin_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    supervision_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parent: Mapped[Office | None] = relationship(remote_side=[id])
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])


def _root_office() -> Any:
    """The root office, as an INSERT's default for a row that names none."""
    return select(func.min(Office.id)).where(Office.parent_id.is_(None)).scalar_subquery()


def office_column(*, index: bool = False, primary_key: bool = False) -> Mapped[int]:
    """The office a row belongs to; left out, the root office (a deployment of one office
    never names it)."""
    return mapped_column(
        ForeignKey("offices.id"), default=_root_office(), index=index, primary_key=primary_key
    )


class Unit(Base):
    """单位: a reporting unit of one office, shown in ``display_order`` (the order of the
    units file). Names are unique within an office."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("office_id", "name", name="uq_units_office_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = office_column()
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(50))
    display_order: Mapped[int] = mapped_column(Integer, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A Telegram user known to the bot; a liaison (联络员) is bound to one unit."""

    __tablename__ = "users"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class RoleGrant(Base):
    """One role held by one user, in one office (a user's roles are all of one office)."""

    __tablename__ = "role_grants"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    telegram_id: Mapped[int] = mapped_column(
        ForeignKey("users.telegram_id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    office_id: Mapped[int] = office_column(index=True)
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")


class Article(Base):
    """稿件: one submitted piece of 政务公开工作信息.

    ``points`` and ``best_platform`` cache the article's score, kept in step with its
    publications in the same transaction, so rankings are one aggregate over this table.
    """

    __tablename__ = "articles"
    __table_args__ = (
        # Twins are judged on the normalised title (domain.text.title_key), not the typed one.
        UniqueConstraint("unit_id", "year", "title_key", name="uq_articles_unit_year_title_key"),
        CheckConstraint(f"status IN {ARTICLE_STATUSES!r}", name="status"),
        CheckConstraint("points >= 0", name="points"),
        Index("ix_articles_period", "submitted_on", "unit_id"),
        Index("ix_articles_origin_id", "origin_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    # The normalised title (domain.text.title_key), written by whoever inserts the article.
    title_key: Mapped[str] = mapped_column(String(TITLE_KEY_MAX))
    year: Mapped[int] = mapped_column(Integer)
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    points: Mapped[Decimal] = mapped_column(Points, default=Decimal(0))
    best_platform: Mapped[str | None] = mapped_column(String(32))
    submitted_by: Mapped[int | None] = mapped_column(BigInteger)
    # The upstream columns the liaison meant it for, as platform codes separated by ";".
    intended_for: Mapped[str | None] = mapped_column(String(200))
    file_id: Mapped[str | None] = mapped_column(String(200))
    file_name: Mapped[str | None] = mapped_column(String(255))
    # The child office's article this one is, sent up when that office forwarded it.
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()
    publications: Mapped[list[Publication]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="Publication.id"
    )
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="Endorsement.id"
    )
    # Answers to 约稿 that this article is: one makes it a commissioned article.
    commission_answers: Mapped[list[CampaignAnswer]] = relationship(viewonly=True)


class ArticleTally(Base):
    """Articles per unit, month, status and best platform, with their points.

    Kept by database triggers on ``articles`` (migration 0002) in the same transaction as
    every insert, update and delete, so rankings and bulletins aggregate a few rows per unit
    and month instead of every article. ``platform`` is '' for an unpublished article.
    """

    __tablename__ = "article_tallies"
    # Clustered on the key in SQLite too, so a ranking reads it in unit order without lookups.
    __table_args__ = ({"sqlite_with_rowid": False},)

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    articles: Mapped[int] = mapped_column(Integer)
    points: Mapped[Decimal] = mapped_column(Points)


class Publication(Base):
    """采用: an upstream platform published the article. At most once per platform."""

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("article_id", "platform", name="uq_publications_article_platform"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    article: Mapped[Article] = relationship(back_populates="publications")


class Endorsement(Base):
    """领导批示: a leader of a level the rules name commented on the article. At most once per
    level; it adds that level's points to the article's."""

    __tablename__ = "endorsements"
    __table_args__ = (
        UniqueConstraint("article_id", "level", name="uq_endorsements_article_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(32))
    endorsed_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    article: Mapped[Article] = relationship(back_populates="endorsements")


class Adjustment(Base):
    """加减分 / 单项否决: a bonus, penalty or veto for a unit in a month, with its reason."""

    __tablename__ = "adjustments"
    __table_args__ = (
        CheckConstraint(f"kind IN {ADJUSTMENT_KINDS!r}", name="kind"),
        Index("ix_adjustments_month_unit", "month", "unit_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    month: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()


class Task(Base):
    """工作任务: one row of a 任务分解表, known again on re-import by ``key``.

    ``key`` digests the year, section, sub-section and requirement, so importing the same
    table twice updates its tasks instead of adding them again.
    """

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("office_id", "key", name="uq_tasks_office_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = office_column()
    key: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(200))
    subsection: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    requirement: Mapped[str] = mapped_column(Text)
    lead_text: Mapped[str] = mapped_column(Text, default="")
    responsible_text: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assignments: Mapped[list[TaskAssignment]] = relationship(
        back_populates="task", cascade="all, delete-orphan"
    )


class TaskAssignment(Base):
    """A unit's part in a task: 牵头 (lead) or 责任 (responsible); one role per task and unit."""

    __tablename__ = "task_assignments"
    __table_args__ = (
        CheckConstraint(f"role IN {TASK_ROLES!r}", name="role"),
        Index("ix_task_assignments_unit", "unit_id", "task_id"),
    )

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))

    task: Mapped[Task] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()


class ProgressReport(Base):
    """进展: a unit's report on a task, with optional files; ``final`` marks the task done."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        Index("ix_progress_reports_task_unit", "task_id", "unit_id"),
        Index("ix_progress_reports_unit_month", "unit_id", "reported_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    reported_by: Mapped[int | None] = mapped_column(BigInteger)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    final: Mapped[bool] = mapped_column(default=False)
    # Telegram files sent with the report, as [[file_id, file_name], …].
    files: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()


class ScoreSheet(Base):
    """月度评分: a unit's dimension scores for one month (seed 004); one per unit and month."""

    __tablename__ = "score_sheets"
    __table_args__ = (
        UniqueConstraint("unit_id", "month", name="uq_score_sheets_unit_month"),
        CheckConstraint("total >= 0", name="total"),
        Index("ix_score_sheets_month", "month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    month: Mapped[dt.date] = mapped_column(Date)
    # Dimension name → score as text ("28.5"), in the rules' order.
    scores: Mapped[dict[str, str]] = mapped_column(JSON)
    total: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()


class OpeningBalance(Base):
    """The part of a unit's annual total earned before the data begins (期初累计)."""

    __tablename__ = "opening_balances"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    points: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    recorded_by: Mapped[str] = mapped_column(String(100))


class Evaluation(Base):
    """社会客观效果评估: a third party's score of a unit for a year, out of 100."""

    __tablename__ = "evaluations"
    __table_args__ = (CheckConstraint("score >= 0 AND score <= 100", name="score"),)

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    recorded_by: Mapped[str] = mapped_column(String(100))


class Campaign(Base):
    """催报: the office asks units for something (a file, a text, the annual report) by a date."""

    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint(f"kind IN {CAMPAIGN_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = office_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[dt.date] = mapped_column(Date, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    targets: Mapped[list[CampaignTarget]] = relationship(cascade="all, delete-orphan")


class CampaignTarget(Base):
    """A unit that owes a campaign an answer."""

    __tablename__ = "campaign_targets"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    # 约稿: the 扣分 of a unit that sent nothing by the deadline or sent late, taken once.
    penalty_id: Mapped[int | None] = mapped_column(
        ForeignKey("adjustments.id", ondelete="SET NULL")
    )

    unit: Mapped[Unit] = relationship()


class CampaignAnswer(Base):
    """A unit's answer to a campaign. Every answer is kept; the latest one counts."""

    __tablename__ = "campaign_answers"
    __table_args__ = (
        Index("ix_campaign_answers_campaign_unit", "campaign_id", "unit_id"),
        Index("ix_campaign_answers_article", "article_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    submitted_by: Mapped[int | None] = mapped_column(BigInteger)
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[str | None] = mapped_column(String(200))
    file_name: Mapped[str | None] = mapped_column(String(255))
    # 约稿: the article the unit submitted in answer (a campaign of kind ``article``).
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Invite(Base):
    """A single-use code that binds whoever redeems it as a liaison of the unit."""

    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship()


class OutboxMessage(Base):
    """A message the bot sends on its own: written first, delivered by the delivery job.

    ``key`` makes a message unique (e.g. ``article:12:published:province:user:1001``), so
    the same notice can never be queued, or sent, twice.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"status IN {OUTBOX_STATUSES!r}", name="status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_queue", "status", "priority", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    document: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_name: Mapped[str | None] = mapped_column(String(255))
    # The document is an image shown in the chat (sendPhoto), not a file to download.
    picture: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Inline keyboard as [[[label, callback_data], …], …], for approval requests.
    buttons: Mapped[list[list[list[str]]] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    priority: Mapped[int] = mapped_column(Integer, default=PRIORITY_NOTICE, server_default="1")
    # Set when the message replaces the text (or only the buttons) of one the bot sent.
    edit_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # A process delivering the row holds it until ``claimed_until``; then anyone may.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


_OPEN = text("status IN ('pending', 'processing')")


class InboxUpdate(Base):
    """An update from Telegram, recorded before Telegram is told it arrived.

    Updates of one chat are handled in ``update_id`` order, one at a time across every
    process; finishing one is written in the same transaction as what handling it changed.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        CheckConstraint(f"status IN {INBOX_STATUSES!r}", name="status"),
        # Over open updates only: handled ones stay a week and the claim never looks at them.
        Index("ix_inbox_open", "update_id", sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("ix_inbox_chat", "chat_key", "update_id", sqlite_where=_OPEN, postgresql_where=_OPEN),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    chat_key: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class Lease(Base):
    """A job that one process at a time may run (the scheduled jobs), held until it expires."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ConversationState(Base):
    """Where a step-by-step command stands for a chat and user, so it survives a restart."""

    __tablename__ = "conversation_states"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserDraft(Base):
    """A user's drafts (``user_data``): what a half-finished command has gathered so far."""

    __tablename__ = "user_drafts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BulletinDocument(Base):
    """The bulletin's .docx as the office edited it: published as is instead of the one the
    system writes."""

    __tablename__ = "bulletin_documents"

    office_id: Mapped[int] = office_column(primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BulletinIssue(Base):
    """一月一通报 issued (or held for approval) for a month: at most one per month."""

    __tablename__ = "bulletin_issues"
    __table_args__ = (
        CheckConstraint(f"status IN {ISSUE_STATUSES!r}", name="status"),
        UniqueConstraint("office_id", "month", name="uq_bulletin_issues_office_month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = office_column()
    month: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    # Set in the transaction that queues the bulletin and its notices: until then, a restart
    # publishes again (every queued row is keyed, so nothing goes twice).
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Escalation(Base):
    """督办单 or 全区通报 for a unit and month: at most one per unit, month and kind.

    督办单 are numbered per office and year (〔2020〕第3号); the database keeps numbers unique.
    """

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("unit_id", "month", "kind", name="uq_escalations_unit_month_kind"),
        UniqueConstraint(
            "office_id", "kind", "year", "number", name="uq_escalations_office_kind_year_number"
        ),
        CheckConstraint(f"kind IN {ESCALATION_KINDS!r}", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = office_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    month: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    streak: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()


class DataChange(Base):
    """A change to a month whose bulletin was already out: made by override, reported next."""

    __tablename__ = "data_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = office_column(index=True)
    month: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reported_in: Mapped[dt.date | None] = mapped_column(Date)


class Setting(Base):
    """Small facts the system keeps about itself, such as the scoring rules in force."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Who changed what, when, with the state before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(50))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
