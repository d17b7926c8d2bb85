"""The rules file: platforms and their points, escalation thresholds, the schedule.

The built-in default (``rules.toml`` beside this module) is seed 002's 附件3.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from decimal import Decimal
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.errors import UserError
from domain.periods import Month


class RulesError(Exception):
    """The rules file is malformed; the message names the file and the line at fault."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Platform(_Strict):
    """An upstream column (栏目) that can publish articles, and what a publication there earns."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)
    name: str = Field(min_length=1)
    short: str = Field(min_length=1)
    publisher: str = ""
    # Decimals to the hundredth (0.5 for a picture on the portal, as some offices score it).
    points: Decimal = Field(ge=0, le=10_000, decimal_places=2)
    # 国家级 / 省级 / 市级: a clerk may name the platform by its level.
    level: str = ""
    # Other names clerks use for it (``看山东``); matched like the code and the names.
    aliases: tuple[str, ...] = ()

    @property
    def cited(self) -> str:
        """How a bulletin cites it: ``省政府办公厅《政务公开看山东》``."""
        return f"{self.publisher}{self.short}"

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every name that means this platform alone: code, names, citation, aliases."""
        return (self.code, self.name, self.short, self.cited, *self.aliases)


class EndorsementLevel(_Strict):
    """领导批示: a level of leader whose written comment on an article earns it more points
    (``另计``), over and above what its publications earn."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)
    # Who endorsed, as the 计分办法 words it: 国务院领导, 省政府领导.
    name: str = Field(min_length=1, max_length=40)
    points: Decimal = Field(ge=0, le=10_000, decimal_places=2)
    aliases: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every name that means this level: code, name, aliases."""
        return (self.code, self.name, *self.aliases)


_BRACKETS = str.maketrans("", "", "《》<>〈〉\"“”'‘’ \t\u3000")


def platform_key(text: str) -> str:
    """How a platform's name is compared: width-folded, lower-cased, without brackets,
    quotes or spaces (``《政务公开看山东》`` = ``政务公开看山东``)."""
    return unicodedata.normalize("NFKC", text).translate(_BRACKETS).lower()


class Scoring(_Strict):
    unpublished_points: Decimal = Field(default=Decimal(2), ge=0, le=10_000, decimal_places=2)
    # highest: an article published by several platforms scores once, at the highest (seed
    # 002); sum: every publication counts.
    policy: Literal["highest", "sum"] = "highest"


class EscalationRules(_Strict):
    supervision_after: int = Field(default=2, ge=1)
    circular_after: int = Field(default=3, ge=1)
    require_approval: bool = False
    # The month the office adopted 一月一通报 ("从本月开始"): idle months before it are never
    # held against a unit. Unset: the month the system first recorded an article.
    since: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")

    @field_validator("since")
    @classmethod
    def _a_month(cls, since: str | None) -> str | None:
        if since is not None:
            try:
                Month.parse(since)
            except UserError as error:
                raise ValueError(str(error)) from None
        return since

    @property
    def since_month(self) -> Month | None:
        """``since`` as a month, when the rules file sets it."""
        return Month.parse(self.since) if self.since else None

    @model_validator(mode="after")
    def _ordered(self) -> EscalationRules:
        if self.circular_after <= self.supervision_after:
            raise ValueError("circular_after 必须大于 supervision_after")
        return self


class Schedule(_Strict):
    bulletin_working_day: int = Field(default=3, ge=1, le=20)
    bulletin_time: dt.time = dt.time(9, 0)
    reminder_working_days_before_end: int = Field(default=5, ge=1, le=20)
    reminder_time: dt.time = dt.time(9, 0)


class BulletinStyle(_Strict):
    issuer: str = "政务公开工作办公室"
    recipients: str = "各单位"
    category_phrases: dict[str, str] = Field(default_factory=dict)
    low_publication_rate: float = Field(default=0.5, ge=0, le=1)
    supervision_office: str = "督查室"
    # 导语, before 一、基本情况; {period} is the months covered (1—7月).
    preamble: str = "现将{period}份全区政务公开信息报送情况通报如下："
    # The area as 附件2 and 附件3 name it (1—7月份济宁高新区信息报送清单, 高新区…计分办法).
    area: str = ""
    area_short: str = ""
    # How the text names the whole area: 全区 (a district), 全市, 全县; 全区通报 is named after it.
    scope: str = "全区"
    # 版头 (GB/T 9704): 发文机关标志 in red, and 发文字号 with {year} and {seq} (the month).
    mark: str = ""
    number: str = ""

    @property
    def level(self) -> str:
        """The office's own level as its texts say it: 全区 → ``区级``, 全市 → ``市级``."""
        return f"{self.scope.removeprefix('全')}级"

    @property
    def circular(self) -> str:
        """The name of the notice to every unit: ``全区通报``, ``全市通报``."""
        return f"{self.scope}通报"

    @property
    def area_names(self) -> tuple[str, ...]:
        """The area's names as titles may open with them, the longer first."""
        names = (name for name in (self.area, self.area_short) if name)
        return tuple(sorted(names, key=len, reverse=True))

    @field_validator("preamble", "number")
    @classmethod
    def _placeholders(cls, text: str) -> str:
        try:
            text.format(period="1—7月", year=2020, seq=7)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(f"只能使用 {{period}}、{{year}}、{{seq}} 占位：{error}") from None
        return text

    def phrase(self, category: str) -> str:
        """``各街道办事处`` for 街道; ``各<category>`` when not configured."""
        return self.category_phrases.get(category, f"各{category}")


class Collective(_Strict):
    """A collective name in a 任务分解表 (``各县（市、区）政府``) and the units it stands for."""

    categories: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    all: bool = False


class TaskRules(_Strict):
    """The task ledger (任务分解表 → 台账): names, follow-up and how progress counts."""

    collective: dict[str, Collective] = Field(default_factory=dict)
    # Remind units with tasks and no progress report this month, N working days before its end.
    reminder_working_days_before_end: int = Field(default=5, ge=1, le=20)
    reminder_time: dt.time = dt.time(9, 0)
    # Whether a progress report on a task ends a 无持续进展 streak, as an article does.
    progress_counts: bool = True


class Dimension(_Strict):
    """A dimension of the monthly score sheet (月度评分) and its maximum."""

    name: str = Field(min_length=1, max_length=20)
    max: Decimal = Field(gt=0)


def _seed_004_dimensions() -> tuple[Dimension, ...]:
    # Seed 004 does not print the maxima; these leave room for every figure it shows.
    return (
        Dimension(name="公共服务", max=Decimal(5)),
        Dimension(name="交流互动", max=Decimal(10)),
        Dimension(name="网站建设及安全", max=Decimal(15)),
        Dimension(name="政务信息公开", max=Decimal(70)),
    )


class ScoreRules(_Strict):
    """月度评分 (seed 004): the dimensions, and how the score bulletin names things."""

    dimensions: tuple[Dimension, ...] = Field(default_factory=_seed_004_dimensions)
    issuer: str = "政务公开工作办公室"
    publication: str = "政务信息公开工作"
    # How the annex titles name each category ("各镇（街道）"); the category itself otherwise.
    category_phrases: dict[str, str] = Field(default_factory=dict)
    # Written once before a run of names of the category in the text: 市 + 公安局、教育体育局.
    lead_ins: dict[str, str] = Field(default_factory=dict)
    # How many of the best and of the worst units of each category the text names.
    named: int = Field(default=2, ge=1, le=10)

    @field_validator("dimensions")
    @classmethod
    def _distinct(cls, dimensions: tuple[Dimension, ...]) -> tuple[Dimension, ...]:
        if not dimensions:
            raise ValueError("至少需要一个评分维度")
        names = [d.name for d in dimensions]
        if len(set(names)) != len(names):
            raise ValueError("评分维度名称重复")
        return dimensions

    def phrase(self, category: str) -> str:
        """How annex titles name a category."""
        return self.category_phrases.get(category, category)


class CampaignRules(_Strict):
    """催报: when units that have not answered are reminded, before the deadline."""

    reminder_working_days: tuple[int, ...] = (5, 2, 1)
    reminder_time: dt.time = dt.time(9, 0)

    @field_validator("reminder_working_days")
    @classmethod
    def _positive(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 1 or d > 30 for d in days):
            raise ValueError("提醒的工作日数应在 1 到 30 之间")
        return tuple(sorted(set(days), reverse=True))


GRADES = ("优秀", "良好", "合格", "不合格")


class BasicWork(_Strict):
    """基础性工作, out of 100: each source's annual figure over the best of the unit's category,
    times 100, weighted. A source with no figures in a category gives its weight to the others."""

    articles: float = Field(default=0.5, ge=0)
    score_sheets: float = Field(default=0.5, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> BasicWork:
        if self.articles + self.score_sheets <= 0:
            raise ValueError("articles 与 score_sheets 的权重不能都为 0")
        return self


class AssessmentRules(_Strict):
    """年度考核 (seed 000): weights, grades by thresholds or by quotas, and the wording."""

    basic_weight: float = Field(default=0.4, ge=0, le=1)
    third_party_weight: float = Field(default=0.6, ge=0, le=1)
    basic: BasicWork = BasicWork()
    grading: str = Field(default="thresholds", pattern="^(thresholds|quotas)$")
    # thresholds: the lowest annual score of each grade; below 合格's is 不合格.
    thresholds: dict[str, float] = Field(
        default_factory=lambda: {"优秀": 90.0, "良好": 80.0, "合格": 60.0}
    )
    # quotas: the share of each category's units in a grade, best first (rounded half up);
    # the rest are 合格, or 不合格 below 合格's threshold.
    quotas: dict[str, float] = Field(default_factory=lambda: {"优秀": 0.3, "良好": 0.4})
    issuer: str = "政务公开工作办公室"
    # How the title names the whole: 关于2020年全市政务公开工作考核情况的通报.
    scope: str = "全区"
    # Category headings in the attachment ("县（市、区）") and how the text groups categories.
    category_headings: dict[str, str] = Field(default_factory=dict)
    text_groups: dict[str, list[str]] = Field(default_factory=dict)
    # Dropped from a unit's name where the text cites it (任城区政府 → 任城区).
    text_drops_suffixes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> AssessmentRules:
        if abs(self.basic_weight + self.third_party_weight - 1) > 1e-9:
            raise ValueError("basic_weight 与 third_party_weight 之和必须为 1")
        unknown = sorted(set(self.thresholds) - set(GRADES)) + sorted(
            set(self.quotas) - set(GRADES)
        )
        if unknown:
            raise ValueError(f"未知的等次：{'、'.join(unknown)}（可用：{'、'.join(GRADES)}）")
        if "合格" not in self.thresholds:
            raise ValueError("thresholds 必须给出合格的最低分")
        if sum(self.quotas.values()) > 1:
            raise ValueError("quotas 的比例之和不能超过 1")
        return self


class AdjustmentRules(_Strict):
    """加减分: the most one entry may add or take away, and above what it is confirmed."""

    max_points: Decimal = Field(default=Decimal(10), gt=0, le=100, decimal_places=2)
    confirm_above: Decimal = Field(default=Decimal(5), ge=0, le=100, decimal_places=2)

    def needs_confirmation(self, points: Decimal) -> bool:
        """Whether an entry of ``points`` waits for the admin to confirm it."""
        return abs(points) > self.confirm_above


class CommissionRules(_Strict):
    """约稿: an article the office asked a unit for (a campaign of kind ``article``). Adopted,
    it scores ``points`` (or its column's points when ``higher`` and they are more); a unit
    that sends nothing by the deadline, or sends late, loses ``missed_penalty`` (0: nothing)."""

    points: Decimal = Field(ge=0, le=10_000, decimal_places=2)
    higher: bool = False
    missed_penalty: Decimal = Field(default=Decimal(0), ge=0, le=100, decimal_places=2)


class QuotaRules(_Strict):
    """报送任务: each unit owes ``count`` articles a week or a month. Meeting it earns
    ``base_points`` and each article beyond it ``extra_points``; missing it loses the base
    (``missed = "base"``) or costs a penalty (``missed`` = the points taken away)."""

    per: Literal["week", "month"]
    count: int = Field(ge=1, le=1000)
    base_points: Decimal = Field(ge=0, le=10_000, decimal_places=2)
    extra_points: Decimal = Field(default=Decimal(0), ge=0, le=10_000, decimal_places=2)
    missed: Literal["base"] | Annotated[Decimal, Field(gt=0, le=10_000, decimal_places=2)] = "base"

    @property
    def noun(self) -> str:
        """周 or 月, as the sentences name the period."""
        return "周" if self.per == "week" else "月"

    def points(self, submitted: int) -> Decimal:
        """What a period with ``submitted`` articles earns (negative: a penalty)."""
        if submitted >= self.count:
            return self.base_points + self.extra_points * (submitted - self.count)
        return Decimal(0) if self.missed == "base" else -self.missed


class DuplicateRules(_Strict):
    """重复报送: how similar (0–100, on the normalised titles) a new title must be to one
    already submitted this year to ask the liaison (same unit) or warn the office (another
    unit); 0 turns the check off."""

    same_unit: float = Field(default=90.0, ge=0, le=100)
    other_unit: float = Field(default=90.0, ge=0, le=100)


class Rules(_Strict):
    """Everything the rules file configures."""

    scoring: Scoring = Scoring()
    platforms: tuple[Platform, ...]
    endorsements: tuple[EndorsementLevel, ...] = ()
    escalation: EscalationRules = EscalationRules()
    schedule: Schedule = Schedule()
    bulletin: BulletinStyle = BulletinStyle()
    tasks: TaskRules = TaskRules()
    scores: ScoreRules = ScoreRules()
    assessment: AssessmentRules = AssessmentRules()
    campaigns: CampaignRules = CampaignRules()
    adjustments: AdjustmentRules = AdjustmentRules()
    quota: QuotaRules | None = None
    commissions: CommissionRules | None = None
    duplicates: DuplicateRules = DuplicateRules()

    @field_validator("platforms")
    @classmethod
    def _unique_codes(cls, platforms: tuple[Platform, ...]) -> tuple[Platform, ...]:
        if not platforms:
            raise ValueError("至少需要一个平台")
        codes = [p.code for p in platforms]
        doubled = sorted({c for c in codes if codes.count(c) > 1})
        if doubled:
            raise ValueError(f"平台代码重复：{', '.join(doubled)}")
        return platforms

    @model_validator(mode="after")
    def _unambiguous_platform_names(self) -> Rules:
        seen: dict[str, str] = {}
        for platform in self.platforms:
            for spelling in platform.spellings:
                key = platform_key(spelling)
                if seen.setdefault(key, platform.code) != platform.code:
                    raise ValueError(f"平台名称“{spelling}”同时指向 {seen[key]} 和 {platform.code}")
        return self

    @field_validator("endorsements")
    @classmethod
    def _unambiguous_endorsements(
        cls, endorsements: tuple[EndorsementLevel, ...]
    ) -> tuple[EndorsementLevel, ...]:
        seen: dict[str, str] = {}
        for level in endorsements:
            for spelling in level.spellings:
                key = platform_key(spelling)
                if seen.setdefault(key, level.code) != level.code:
                    raise ValueError(f"批示级别“{spelling}”同时指向 {seen[key]} 和 {level.code}")
        return endorsements

    def endorsement_named(self, text: str) -> EndorsementLevel | None:
        """The level of 批示 ``text`` names: its code, name or an alias."""
        key = platform_key(text)
        return next((e for e in self.endorsements if key in map(platform_key, e.spellings)), None)

    def endorsement_choices(self) -> str:
        """The levels as a clerk names them: ``省政府领导（province）``."""
        return "、".join(f"{e.name}（{e.code}）" for e in self.endorsements)

    @cached_property
    def by_code(self) -> dict[str, Platform]:
        """Platforms keyed by their code."""
        return {p.code: p for p in self.platforms}

    @cached_property
    def _by_spelling(self) -> dict[str, Platform]:
        named: dict[str, Platform] = {}
        for platform in reversed(self.platforms):  # a level names the first platform listed
            if platform.level:
                named[platform_key(platform.level)] = platform
        for platform in self.platforms:
            named.update({platform_key(s): platform for s in platform.spellings})
        return named

    def platform_named(self, text: str) -> Platform | None:
        """The platform ``text`` names: its code, full or short name, citation, level
        (``省级``; the first listed of that level) or an alias from the rules file."""
        return self._by_spelling.get(platform_key(text))

    def platform_choices(self) -> str:
        """The platforms as a clerk names them: ``《政务公开看山东》（省级，province）``."""
        return "、".join(
            f"{p.short}（{'，'.join(filter(None, (p.level, p.code)))}）" for p in self.platforms
        )

    def points_for(
        self,
        status: str,
        platforms: set[str] | frozenset[str],
        endorsed: set[str] | frozenset[str] = frozenset(),
        commissioned: bool = False,
    ) -> tuple[Decimal, str | None]:
        """The score of an article and the platform that earns it (or, summed, earns most).

        Published: the highest points among its platforms (the same article scores once,
        equal points go to the platform listed first), or with ``policy = "sum"`` the points
        of every platform added up; a 约稿 (``commissioned``) adopted scores the commission's
        points instead (or the higher of the two, as ``[commissions] higher`` says); forwarded
        but unpublished: ``unpublished_points``; otherwise nothing. Each level of 批示 it
        ``endorsed`` adds its points on top.
        """
        extra = sum((e.points for e in self.endorsements if e.code in endorsed), Decimal(0))
        points, best = self._publication_points(status, platforms)
        commission = self.commissions
        if commissioned and commission is not None and best is not None:
            points = max(points, commission.points) if commission.higher else commission.points
        return points + extra, best

    def _publication_points(
        self, status: str, platforms: set[str] | frozenset[str]
    ) -> tuple[Decimal, str | None]:
        known = [self.by_code[code] for code in platforms if code in self.by_code]
        if known:
            best = max(known, key=lambda p: (p.points, -self.platforms.index(p)))
            if self.scoring.policy == "sum":
                return sum((p.points for p in known), Decimal(0)), best.code
            return best.points, best.code
        if platforms:
            return Decimal(0), None  # published only by platforms the rules no longer score
        if status == "forwarded":
            return self.scoring.unpublished_points, None
        return Decimal(0), None


DEFAULT_RULES_TEXT = (files("domain") / "rules.toml").read_text(encoding="utf-8")


def load_rules(path: Path | None = None) -> Rules:
    """Read and validate a rules file, or the built-in rules when ``path`` is None."""
    if path is None:
        return parse_rules(DEFAULT_RULES_TEXT, "内置规则")
    return parse_rules(path.read_text(encoding="utf-8"), str(path))


def parse_rules(text: str, name: str) -> Rules:
    """Validate the rules in TOML ``text``; ``name`` says where they came from in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        raise RulesError(f"规则文件 {name} 第 {line} 行：TOML 语法错误（{exc}）") from None
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        line = locate(text, loc)
        where = ".".join(str(part) for part in loc) or "(根)"
        reason = error["msg"].removeprefix("Value error, ")
        raise RulesError(f"规则文件 {name} 第 {line} 行：{where}：{reason}") from None


def _line_from_message(message: str) -> int:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 1


def locate(text: str, loc: tuple[str | int, ...]) -> int:
    """The 1-based line of the key at ``loc`` (as pydantic reports it) in TOML ``text``.

    Walks table headers (``[a]``, ``[[a]]``) and keys; falls back to the nearest enclosing
    table when the key itself is absent (a missing field is reported at its table).
    """
    lines = text.splitlines()
    start, end = 0, len(lines)
    best = 1
    parts = list(loc)
    prefix: list[str] = []
    while parts:
        part = parts.pop(0)
        if isinstance(part, int):
            continue
        prefix.append(part)
        header = re.compile(rf"^\s*\[\[?\s*{re.escape('.'.join(prefix))}\s*\]\]?\s*(#.*)?$")
        occurrence = parts[0] if parts and isinstance(parts[0], int) else 0
        hits = [i for i in range(start, end) if header.match(lines[i])]
        if len(hits) > occurrence:
            start = hits[occurrence]
            best = start + 1
            following = [i for i in range(start + 1, end) if re.match(r"^\s*\[", lines[i])]
            end = following[0] if following else end
            start += 1
            continue
        key = re.compile(rf"^\s*{re.escape(part)}\s*=")
        for i in range(start, end):
            if key.match(lines[i]):
                return i + 1
        return best
    return best
