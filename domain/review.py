"""报送与审核: a liaison submits an article; the office forwards, declines or records publications.

Every change is audited and queues a notice to the unit's liaisons in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import cast

from domain.access import Identity
from domain.articles import apply_score, check_title
from domain.duplicates import Similar
from domain.errors import UserError
from domain.hierarchy import Hierarchy, same_platform
from domain.locks import guard, locking_bulletin
from domain.notice_wording import NoticeWording
from domain.notices import admin_chats, enqueue_many
from domain.periods import Month
from domain.rules import Platform, Rules
from domain.text import title_key
from domain.wording import figure
from storage.db import Database
from storage.models import Article, Endorsement, Publication
from storage.repos import Repo, repository

LINK_MAX = 500
STATUS_NAMES = {
    "submitted": "待审核",
    "forwarded": "已上报，待刊发",
    "declined": "未上报",
    "published": "已采用",
}
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class ArticleView:
    """An article as messages show it."""

    id: int
    unit: str
    title: str
    status: str
    points: Decimal
    best_platform: str | None
    platforms: tuple[str, ...]
    submitted_on: dt.date
    link: str | None
    file_name: str | None
    intended_for: tuple[str, ...]
    # The levels of 批示 recorded on it, as rule codes.
    endorsed: tuple[str, ...] = ()
    # The 约稿 (campaign number) it answers, if any.
    commission: int | None = None

    @property
    def status_name(self) -> str:
        """The status in Chinese."""
        return STATUS_NAMES[self.status]


def view(article: Article) -> ArticleView:
    """The read-only view of an article (its unit and publications loaded)."""
    return ArticleView(
        id=article.id,
        unit=article.unit.name,
        title=article.title,
        status=article.status,
        points=article.points,
        best_platform=article.best_platform,
        platforms=tuple(p.platform for p in article.publications),
        endorsed=tuple(e.level for e in article.endorsements),
        commission=next((a.campaign_id for a in article.commission_answers), None),
        submitted_on=article.submitted_on,
        link=article.link,
        file_name=article.file_name,
        intended_for=tuple(c for c in (article.intended_for or "").split(";") if c),
    )


def check_link(link: str) -> str:
    """A link as stored: an http(s) URL of at most ``LINK_MAX`` characters."""
    link = link.strip()
    if len(link) > LINK_MAX:
        raise UserError(f"链接过长（{len(link)} 个字符，最多 {LINK_MAX} 个）。")
    if not _URL.match(link):
        raise UserError("链接格式不正确，应以 http:// 或 https:// 开头，例如 https://www.gov.cn/…")
    return link


def validate_title(title: str) -> str:
    """``check_title`` with its complaint as a ``UserError``."""
    try:
        return check_title(title)
    except ValueError as exc:
        raise UserError(f"{exc}。") from None


def submit_article(
    db: Database,
    rules: Rules,
    who: Identity,
    title: str,
    today: dt.date,
    office: Iterable[int],
    wording: NoticeWording,
    link: str | None = None,
    file_id: str | None = None,
    file_name: str | None = None,
    intended_for: tuple[str, ...] = (),
    alike: Sequence[Similar] = (),
) -> ArticleView:
    """Record a liaison's article for review and tell the office (the admins' chats), with the
    other units' articles it is very like (``alike``, from ``similar_titles``). Audited."""
    if not who.is_liaison or who.unit_id is None:
        raise UserError("只有已绑定单位的联络员可以报送稿件。请先使用邀请链接绑定单位。")
    title = validate_title(title)
    link = check_link(link) if link else None
    unknown = [code for code in intended_for if code not in rules.by_code]
    if unknown:
        raise UserError(f"未知平台代码：{'、'.join(unknown)}")
    # The busiest write of the bot: a few single statements rather than the ORM's unit of work.
    with repository(db) as repo:
        article_id = repo.articles.insert_new(
            unit_id=who.unit_id,
            title=title,
            title_key=title_key(title),
            year=today.year,
            submitted_on=today,
            status="submitted",
            points=Decimal(0),
            link=link,
            file_id=file_id,
            file_name=file_name,
            intended_for=";".join(intended_for) or None,
            submitted_by=who.telegram_id,
        )
        if article_id is None:
            _refuse_twin(repo, who.unit_id, today.year, title)
            raise AssertionError("the unique title was refused but no twin is found")
        entry_id = repo.audit.insert(
            f"tg:{who.telegram_id}",
            "article.submit",
            "article",
            article_id,
            {"unit": who.unit_name, "title": title, "link": link, "file": file_name},
        )
        unit = who.unit_name or ""
        others = [s for s in alike if not s.same_unit]
        text = wording.new_article(article_id, unit, title, others)
        repo.outbox.add_new(f"audit:{entry_id}", office, text)
        return ArticleView(
            id=article_id,
            unit=unit,
            title=title,
            status="submitted",
            points=Decimal(0),
            best_platform=None,
            platforms=(),
            submitted_on=today,
            link=link,
            file_name=file_name,
            intended_for=intended_for,
        )


def ensure_title_is_new(db: Database, unit_id: int, year: int, title: str) -> None:
    """Refuse a title the unit already used this year."""
    with repository(db) as repo:
        _refuse_twin(repo, unit_id, year, title)


def _refuse_twin(repo: Repo, unit_id: int, year: int, title: str) -> None:
    existing = repo.articles.by_keys([(unit_id, year, title_key(title))])
    if existing:
        twin = next(iter(existing.values()))
        raise UserError(f"本单位今年已报送过同名稿件 #{twin.id}《{twin.title}》，请勿重复报送。")


def pending_articles(db: Database, limit: int = 20) -> tuple[list[ArticleView], int]:
    """The oldest submissions awaiting review, and how many await in all."""
    with repository(db) as repo:
        articles, total = repo.articles.pending(limit)
        return [view(a) for a in articles], total


def unit_articles(db: Database, unit_id: int, year: int) -> list[ArticleView]:
    """A unit's articles of a year, newest first."""
    with repository(db) as repo:
        return [view(a) for a in repo.articles.of_unit(unit_id, year)]


def get_article(db: Database, article_id: int) -> ArticleView:
    """One article, or a ``UserError`` naming the number."""
    with repository(db) as repo:
        return view(_require(repo, article_id))


def forward_article(
    db: Database,
    rules: Rules,
    article_id: int,
    admin_id: int,
    wording: NoticeWording,
    override: bool = False,
    hierarchy: Hierarchy | None = None,
    today: dt.date | None = None,
) -> ArticleView:
    """区级采用·上报: the office accepts the article and sends it upstream; an office with a
    parent submits it there as its own unit's on ``today`` (``send_upward``)."""
    with repository(db) as repo:
        article = _require(repo, article_id, lock=True)
        locked = guard(repo, article.submitted_on, override, f"/forward {article_id}")
        if article.status in {"forwarded", "published"}:
            raise UserError(
                f"稿件 #{article.id} 已上报（{STATUS_NAMES[article.status]}），无需重复操作。"
            )
        before = _state(article)
        article.status = "forwarded"
        apply_score(article, set(view(article).platforms), rules)
        _tell_liaisons(
            repo,
            article,
            _audit(repo, f"tg:{admin_id}", "article.forward", article, before, locked),
            wording.forwarded(article.id, article.title, article.points),
        )
        send_upward(
            repo,
            article,
            f"tg:{admin_id}",
            today or article.submitted_on,
            wording,
            hierarchy or Hierarchy(_no_rules),
        )
        return view(article)


def _no_rules(office_id: int) -> Rules:
    raise AssertionError(f"office {office_id}'s rules were needed and not given")


def send_upward(
    repo: Repo,
    article: Article,
    actor: str,
    today: dt.date,
    wording: NoticeWording,
    hierarchy: Hierarchy,
) -> int | None:
    """A child office forwarded ``article``: it becomes its unit's article at the parent (same
    title, file and link; submitted the day it was forwarded), once, and the parent's admins
    hear of it as of any submission. Its number there, or None for an office without parent.

    A title the office already sent up this year is refused, and with it the forward."""
    office = repo.offices.current()
    if office.parent_id is None or office.unit_id is None:
        return None
    upstream = repo.seen_from(office.parent_id)
    existing = upstream.articles.copy_of(article.id)
    if existing is not None:
        return existing
    copy_id = upstream.articles.insert_new(
        unit_id=office.unit_id,
        title=article.title,
        title_key=title_key(article.title),
        year=today.year,
        submitted_on=today,
        status="submitted",
        points=Decimal(0),
        link=article.link,
        file_id=article.file_id,
        file_name=article.file_name,
        origin_id=article.id,
    )
    parent = repo.offices.get(office.parent_id)
    assert parent is not None
    if copy_id is None:
        twin = upstream.articles.by_keys([(office.unit_id, today.year, title_key(article.title))])
        number = next(iter(twin.values())).id if twin else "?"
        raise UserError(
            f"“{parent.name}”已收到本机关今年报送的同名稿件 #{number}，不能重复上报。"
            f"可修改标题后重新报送。"
        )
    entry_id = upstream.audit.insert(
        actor,
        "article.submit",
        "article",
        copy_id,
        {"office": office.name, "origin": article.id, "unit": article.unit.name},
    )
    admins = hierarchy.root_admins if parent.parent_id is None else frozenset()
    text = wording.new_article(copy_id, office.name, article.title, [])
    enqueue_many(upstream, f"audit:{entry_id}", admin_chats(upstream, admins), text)
    return copy_id


def decline_article(
    db: Database, article_id: int, admin_id: int, wording: NoticeWording, override: bool = False
) -> ArticleView:
    """不上报: the office does not forward the article."""
    with repository(db) as repo:
        article = _require(repo, article_id, lock=True)
        locked = guard(repo, article.submitted_on, override, f"/decline {article_id}")
        if article.status == "declined":
            raise UserError(f"稿件 #{article.id} 已是“未上报”状态。")
        if article.status == "published":
            raise UserError(f"稿件 #{article.id} 已被上级平台采用，不能改为不上报。")
        if article.endorsements:
            raise UserError(f"稿件 #{article.id} 已获领导批示，不能改为不上报。")
        before = _state(article)
        article.status = "declined"
        article.points, article.best_platform = Decimal(0), None
        _tell_liaisons(
            repo,
            article,
            _audit(repo, f"tg:{admin_id}", "article.decline", article, before, locked),
            wording.declined(article.id, article.title),
        )
        tell_declined_downward(repo, article, wording)
        return view(article)


@dataclass(frozen=True)
class PublishOutcome:
    """What recording a publication did to the article's score."""

    article: ArticleView
    platform: str
    raised: bool
    previous_points: Decimal


def publish_article(
    db: Database,
    rules: Rules,
    article_id: int,
    code: str,
    actor: str,
    today: dt.date,
    wording: NoticeWording,
    override: bool = False,
    hierarchy: Hierarchy | None = None,
) -> PublishOutcome:
    """采用: record that a platform published the article; the score rises only if higher.
    ``actor`` is who recorded it (``tg:<id>`` in chat, ``cli:<user>`` from the command line).
    An article a child office sent up is published there too (``_publish_downward``)."""
    platform = rules.platform_named(code)
    if platform is None:
        raise UserError(f"未知平台“{code.strip()[:40]}”。可用平台：{rules.platform_choices()}")
    with repository(db) as repo:
        article = _require(repo, article_id, lock=True)
        locked = guard(repo, article.submitted_on, override, f"/publish {article_id} {code}")
        if platform.code in view(article).platforms:
            raise UserError(f"稿件 #{article.id} 已记录过被{platform.short}采用，不重复计分。")
        publication = _Publication(platform, actor, today, wording)
        previous = _record_publication(repo, article, rules, publication, locked)
        if article.origin_id is not None:
            _publish_downward(repo, article, publication, hierarchy)
        return PublishOutcome(view(article), platform.code, article.points > previous, previous)


@dataclass(frozen=True)
class _Publication:
    """A column publishing an article: which, recorded by whom and when, and how to tell it."""

    platform: Platform
    actor: str
    on: dt.date
    wording: NoticeWording


def _record_publication(
    repo: Repo, article: Article, rules: Rules, publication: _Publication, locked: Month | None
) -> Decimal:
    """Record ``publication`` on ``article`` (not yet published there) under ``rules``: the
    score, the audit entry, the unit's liaisons told. The article's points before it."""
    platform = publication.platform
    have = set(view(article).platforms)
    before, previous = _state(article), article.points
    recorded = Publication(
        platform=platform.code, published_on=publication.on, recorded_by=publication.actor
    )
    article.publications.append(recorded)
    apply_score(article, have | {platform.code}, rules)
    entry_id = _audit(repo, publication.actor, "article.publish", article, before, locked)
    raised = article.points > previous
    best = None if raised else rules.by_code[article.best_platform or platform.code].short
    text = publication.wording.published(
        article.id, article.title, platform.short, article.points, best
    )
    _tell_liaisons(repo, article, entry_id, text)
    return previous


def _publish_downward(
    repo: Repo, article: Article, publication: _Publication, hierarchy: Hierarchy | None
) -> None:
    """The column that published an office's article published the child office's article it
    came from: one fact, recorded at each level below, scored by each level's own rules (the
    same column by code or name; a level whose rules do not know it records nothing). A month
    a child already reported takes it as a correction, told in its next bulletin."""
    if hierarchy is None:
        raise AssertionError("an article sent up is published without the offices' rules")
    origin_id = article.origin_id
    while origin_id is not None:
        office = repo.offices.of_article(origin_id)
        assert office is not None
        below = repo.seen_from(office.id)
        origin = _require(below, origin_id, lock=True)
        rules = hierarchy.rules_of(office.id)
        found = same_platform(rules, publication.platform)
        if found is None or found.code in view(origin).platforms:
            return
        publication = replace(publication, platform=found)
        locked = locking_bulletin(below, origin.submitted_on)
        _record_publication(below, origin, rules, publication, locked)
        origin_id = origin.origin_id


def tell_declined_downward(repo: Repo, article: Article, wording: NoticeWording) -> None:
    """The office did not take up an article a child office sent: that office's admins and
    the liaisons of the unit it came from are told (the child's own record is unchanged)."""
    if article.origin_id is None:
        return
    office = repo.offices.of_article(article.origin_id)
    parent = repo.offices.current()
    assert office is not None
    below = repo.seen_from(office.id)
    origin = _require(below, article.origin_id)
    text = wording.declined_upstream(parent.name, origin.id, origin.title)
    chats = admin_chats(below, frozenset())
    chats += [
        u.telegram_id for u in below.users.liaisons_of(origin.unit_id) if u.telegram_id not in chats
    ]
    enqueue_many(below, f"declined-upstream:{article.id}", chats, text)


@dataclass(frozen=True)
class EndorseOutcome:
    """What recording a 批示 did to the article's score."""

    article: ArticleView
    level: str
    added: Decimal


def endorse_article(
    db: Database,
    rules: Rules,
    article_id: int,
    level_text: str,
    actor: str,
    today: dt.date,
    wording: NoticeWording,
    override: bool = False,
) -> EndorseOutcome:
    """领导批示: record that a leader of a level the rules name commented on the article; its
    points are added to the article's (另计), once per level. Only an article the office has
    sent upstream can be endorsed (declining it afterwards is refused)."""
    level = rules.endorsement_named(level_text)
    if level is None:
        if not rules.endorsements:
            raise UserError("本单位计分办法未设领导批示加分（规则文件 [[endorsements]]）。")
        raise UserError(
            f"未知批示级别“{level_text.strip()[:40]}”。可用：{rules.endorsement_choices()}"
        )
    with repository(db) as repo:
        article = _require(repo, article_id, lock=True)
        locked = guard(repo, article.submitted_on, override, f"/endorse {article_id} {level_text}")
        if article.status not in {"forwarded", "published"}:
            raise UserError(
                f"稿件 #{article.id} 尚未上报（{STATUS_NAMES[article.status]}），"
                "上报后才能记录领导批示。"
            )
        if level.code in {e.level for e in article.endorsements}:
            raise UserError(f"稿件 #{article.id} 已记录过{level.name}批示，不重复计分。")
        before = _state(article)
        previous = article.points
        article.endorsements.append(
            Endorsement(level=level.code, endorsed_on=today, recorded_by=actor)
        )
        apply_score(article, set(view(article).platforms), rules)
        entry_id = _audit(repo, actor, "article.endorse", article, before, locked)
        added = article.points - previous
        text = wording.endorsed(article.id, article.title, level.name, added, article.points)
        _tell_liaisons(repo, article, entry_id, text)
        return EndorseOutcome(view(article), level.name, added)


def _require(repo: Repo, article_id: int, lock: bool = False) -> Article:
    article = repo.articles.get(article_id, lock=lock)
    if article is None:
        raise UserError(f"没有编号为 #{article_id} 的稿件。")
    return article


def _state(article: Article) -> dict[str, object]:
    return {
        "status": article.status,
        "points": article.points,
        "best_platform": article.best_platform,
        "platforms": sorted(p.platform for p in article.publications),
        "endorsed": sorted(e.level for e in article.endorsements),
    }


def _audit(
    repo: Repo,
    actor: str,
    action: str,
    article: Article,
    before: dict[str, object],
    locked: Month | None,
) -> int:
    """Record the change; its entry's id keys the notices about it.

    A change to a month already reported is also kept for the next bulletin to tell.
    """
    repo.flush()
    after = _state(article)
    if locked is not None:
        after["override"] = f"{locked}"
        day = article.submitted_on
        repo.changes.add(
            day.replace(day=1),
            f"#{article.id}《{article.title}》（{article.unit.name}，{day.year}年{day.month}月）："
            f"{STATUS_NAMES[str(before['status'])]}、{figure(cast(Decimal, before['points']))}分 → "
            f"{STATUS_NAMES[article.status]}、{figure(article.points)}分",
            actor,
        )
    entry = repo.audit.record(actor, action, "article", article.id, before, after)
    repo.flush()
    return entry.id


def _tell_liaisons(repo: Repo, article: Article, audit_id: int, text: str) -> None:
    chats = [user.telegram_id for user in repo.users.liaisons_of(article.unit_id)]
    enqueue_many(repo, f"audit:{audit_id}", chats, text)
