"""Charts as PNG images, readable on a phone: 1200 px wide, Chinese labels, large type.

Drawn with matplotlib's object API (a ``Figure`` per chart, never ``pyplot``'s global state),
so charts can be drawn in worker threads off the bot's event loop.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from domain.ranking import Ranking, UnitScore
from domain.rules import Rules
from domain.trends import MonthTotals
from reports.numbers import change_mark, plain

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

# 10 inches at 120 dpi: 1200 px, wider than the 1080 px a phone shows at full width.
WIDTH, DPI = 10.0, 120
# More units than this would make bars too thin to read: the chart shows the best ones.
CHART_UNITS = 60
NAME_CHARS = 14
BAR_INCHES = 0.36
PALETTE = ("#c0392b", "#2471a3", "#239b56", "#b9770e", "#7d3c98", "#17a589", "#5d6d7e")
SUBMITTED_COLOUR = "#95a5a6"
CJK_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", "SimHei")


def cjk_font_path() -> str | None:
    """A font file with Chinese glyphs: the system's, else the one shipped as a dependency."""
    from matplotlib import font_manager

    for family in CJK_FAMILIES:
        for font in font_manager.fontManager.ttflist:
            if font.name == family:
                return str(font.fname)
    import cvttf_NotoSansCJK_Regular as packaged

    path = Path(packaged.__file__).parent / "NotoSansCJKtc-Regular.otf"
    return str(path) if path.is_file() else None


@lru_cache(maxsize=16)
def _font(size: float, bold: bool = False) -> FontProperties:
    from matplotlib.font_manager import FontProperties

    path = cjk_font_path()
    weight = "bold" if bold else "normal"
    if path is None:
        return FontProperties(size=size, weight=weight)
    return FontProperties(fname=path, size=size, weight=weight)


def _figure(height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def png(figure: Figure) -> bytes:
    """The figure as a PNG image."""
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def ranking_chart(
    ranking: Ranking,
    changes: Mapping[str, int | None] | None = None,
    limit: int = CHART_UNITS,
) -> bytes:
    """The ranking's scores as horizontal bars, grouped by unit category (one colour each),
    each labelled with its score and, when ``changes`` are given, its change since last month."""
    return png(ranking_figure(ranking, changes, limit))


def ranking_figure(
    ranking: Ranking,
    changes: Mapping[str, int | None] | None = None,
    limit: int = CHART_UNITS,
) -> Figure:
    """``ranking_chart``'s figure, before it becomes an image."""
    shown = ranking.rows[:limit]
    categories = list(dict.fromkeys(row.category for row in shown))
    grouped = len(categories) > 1
    # Top to bottom: a category's heading line (when there are several), then its units.
    lines: list[str | UnitScore] = []
    for category in categories:
        if grouped:
            lines.append(category)
        lines.extend(row for row in shown if row.category == category)
    figure = _figure(max(3.2, BAR_INCHES * max(len(lines), 1) + 1.6))
    axes = figure.add_subplot()
    colour = {c: PALETTE[n % len(PALETTE)] for n, c in enumerate(categories)}
    labels: list[str] = []
    for y, line in enumerate(lines):
        if isinstance(line, str):
            labels.append(f"【{line}】")
            continue
        labels.append(f"{line.rank}. {_short(line.unit)}")
        bar = axes.barh(y, float(line.score), color=colour[line.category], height=0.7)
        mark = "" if changes is None else f"  {change_mark(changes.get(line.unit))}"
        axes.bar_label(
            bar, labels=[f"{plain(line.score)}{mark}"], padding=4, fontproperties=_font(11)
        )
    axes.set_yticks(range(len(lines)), labels, fontproperties=_font(11))
    for tick, line in zip(axes.get_yticklabels(), lines, strict=True):
        if isinstance(line, str):
            tick.set_fontproperties(_font(12, bold=True))
            tick.set_color(colour[line])
    axes.set_ylim(len(lines) - 0.5, -0.5)
    axes.margins(x=0.18)
    title = f"{ranking.period.dated_label}政务公开工作信息得分"
    if ranking.category:
        title += f"（{ranking.category}）"
    if len(ranking.rows) > len(shown):
        title += f"（前{len(shown)}名）"
    axes.set_title(title, fontproperties=_font(16, bold=True), pad=12)
    axes.set_xlabel(
        "得分" + ("（↑↓ 较上月名次升降，新 为上月未排名）" if changes is not None else ""),
        fontproperties=_font(11),
    )
    axes.spines[["top", "right"]].set_visible(False)
    if not shown:
        axes.text(
            0.5, 0.5, "暂无单位", transform=axes.transAxes, ha="center", fontproperties=_font(14)
        )
    return figure


def _month_ticks(axes: Axes, months: Sequence[MonthTotals]) -> None:
    axes.set_xticks(
        range(len(months)), [f"{m.month.month}月" for m in months], fontproperties=_font(11)
    )


def _draw_counts(axes: Axes, months: Sequence[MonthTotals], rules: Rules) -> None:
    """报送 as grey bars beside 采用 stacked by platform, each month."""
    xs = range(len(months))
    submitted = axes.bar(
        [x - 0.2 for x in xs],
        [m.submitted for m in months],
        0.38,
        color=SUBMITTED_COLOUR,
        label="报送",
    )
    axes.bar_label(
        submitted,
        labels=[str(m.submitted or "") for m in months],
        padding=2,
        fontproperties=_font(10),
    )
    bottom = [0] * len(months)
    for n, platform in enumerate(rules.platforms):
        counts = [m.by_platform.get(platform.code, 0) for m in months]
        if not any(counts):
            continue
        axes.bar(
            [x + 0.2 for x in xs],
            counts,
            0.38,
            bottom=bottom,
            color=PALETTE[n % len(PALETTE)],
            label=f"{platform.short}采用",
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    for x, total in zip(xs, bottom, strict=True):
        if total:
            axes.annotate(
                str(total),
                (x + 0.2, total),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontproperties=_font(10),
            )
    _month_ticks(axes, months)
    axes.set_ylabel("篇数", fontproperties=_font(11))
    _whole_numbers_from_zero(axes)
    # Above the bars, so that a busy month is never hidden under the legend.
    axes.legend(
        prop=_font(10),
        loc="lower left",
        bbox_to_anchor=(0, 1),
        ncols=min(4, len(rules.platforms) + 1),
        frameon=False,
    )
    axes.spines[["top", "right"]].set_visible(False)


def _whole_numbers_from_zero(axes: Axes) -> None:
    """Counts and points start at 0 and step by whole numbers; an empty year still shows 0–1."""
    from matplotlib.ticker import MaxNLocator

    low, high = min(axes.dataLim.y0, 0), max(axes.dataLim.y1, 0)
    axes.set_ylim(low * 1.15, max(high * 1.15, 1))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def unit_chart(unit: str, months: Sequence[MonthTotals], rules: Rules) -> bytes:
    """A unit's year month by month: its score above, its submissions and publications below."""
    return png(unit_figure(unit, months, rules))


def unit_figure(unit: str, months: Sequence[MonthTotals], rules: Rules) -> Figure:
    """``unit_chart``'s figure, before it becomes an image."""
    figure = _figure(8.5)
    score_axes, count_axes = figure.subplots(2, 1, sharex=True, height_ratios=(2, 3))
    scores = [float(m.score) for m in months]
    bars = score_axes.bar(range(len(months)), scores, 0.6, color=PALETTE[0])
    score_axes.bar_label(
        bars,
        labels=[plain(m.score) if m.score else "" for m in months],
        padding=2,
        fontproperties=_font(10),
    )
    score_axes.set_ylabel("得分", fontproperties=_font(11))
    _whole_numbers_from_zero(score_axes)
    score_axes.spines[["top", "right"]].set_visible(False)
    _draw_counts(count_axes, months, rules)
    year = months[0].month.year if months else ""
    score_axes.set_title(
        f"{unit} {year}年逐月报送、采用和得分", fontproperties=_font(16, bold=True), pad=12
    )
    return figure


def trend_chart(title: str, months: Sequence[MonthTotals], rules: Rules) -> bytes:
    """The whole area's submissions and publications month by month."""
    figure = _figure(6.0)
    axes = figure.add_subplot()
    _draw_counts(axes, months, rules)
    axes.set_title(title, fontproperties=_font(16, bold=True), pad=12)
    return png(figure)
