"""How well and how fast a column's contents are matched to the submitted articles.

    python bench/bench_match.py [--submitted 2000] [--published 300] [--seed 7]

Generates a year of submissions in the style of seed 002's 附件2 (the area's name, a unit,
"推进…规范化建设", "“…”助力…", subtitles after ——), picks the titles a column published and
edits them as columns and clerks do (the area's name added or dropped, quotes and punctuation
changed, one to four characters changed, the subtitle cut, numbering, dates and sources
around the line), then matches them with ``domain.matching`` and prints the confident tier's
precision and recall, how many lines were doubtful or unmatched, and the time taken.
"""

from __future__ import annotations

import argparse
import random
import time

from domain.matching import Candidate, match_lines

AREA, AREA_SHORT = "济宁高新区", "高新区"
UNITS = [
    "党政办公室", "党工委组织部", "党工委宣传部", "党工委政法委", "经济发展局", "财政金融局",
    "城乡建设和交通局", "投资促进局", "自然资源和规划分局", "生态环境分局", "公安分局",
    "行政审批服务局", "综合行政执法局", "应急管理局", "科技创新局", "统计工作处", "消防救援大队",
    "交警大队", "发展软环境保障局", "城乡统筹发展局", "黄屯街道", "接庄街道", "柳行街道",
    "王因街道", "洸河街道",
]  # fmt: skip
FIELDS = [
    "基层政务公开标准化规范化", "重大建设项目批准和实施领域信息公开", "公共资源配置领域信息公开",
    "社会公益事业建设领域信息公开", "村务公开", "政务服务事项", "“放管服”改革", "优化营商环境",
    "政策解读", "安全生产领域信息公开", "食品药品安全信息公开", "扶贫领域信息公开",
    "生态环境领域信息公开", "减税降费政策", "疫情防控信息发布", "征地拆迁信息公开",
    "财政预决算公开", "政府信息依申请公开", "政务新媒体管理", "12345热线办理",
]  # fmt: skip
ACTIONS = ["推进", "深化", "扎实开展", "全面加强", "持续做好", "创新开展", "积极推动", "抓实抓细"]
AIMS = ["助力企业复工复产", "打通服务群众“最后一公里”", "提升群众满意度", "推动工作提质增效",
        "助力乡村振兴", "营造良好营商环境", "保障群众知情权", "护航高质量发展"]  # fmt: skip
SLOGANS = ["三个坚持", "四项举措", "五个到位", "一网通办", "两个清单", "六个一", "双随机一公开"]
SUBTITLES = ["——以{unit}为例", "——{unit}工作纪实", "——来自{unit}的报道", "——{unit}在行动"]


def submitted_titles(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """``count`` distinct (unit, title) in the style of seed 002's 附件2."""
    titles: dict[str, str] = {}
    while len(titles) < count:
        unit = rng.choice(UNITS)
        field, action, aim = rng.choice(FIELDS), rng.choice(ACTIONS), rng.choice(AIMS)
        shape = rng.randrange(6)
        if shape == 0:
            title = f"{AREA}{unit}{action}{field}规范化建设"
        elif shape == 1:
            title = f"{AREA}{unit}“{rng.choice(SLOGANS)}”{action}{field}"
        elif shape == 2:
            title = f"{AREA}{action}{field}{aim}"
        elif shape == 3:
            title = f"{AREA}{unit}以{field}为抓手{aim}"
        elif shape == 4:
            title = f"{AREA}{unit}{action}{field}" + rng.choice(SUBTITLES).format(unit=unit)
        else:
            title = f"{AREA}开展{field}专项行动{aim}"
        titles.setdefault(title, unit)
    return [(unit, title) for title, unit in titles.items()]


def edited(title: str, rng: random.Random, number: int, ours: bool = True) -> str:
    """A published title as a column prints it and a clerk copies it."""
    text = title
    if "——" in text and rng.random() < 0.5:
        text = text.split("——")[0]  # the subtitle cut
    if text.startswith(AREA) and rng.random() < 0.3:
        text = text[len(AREA) :]  # the area's name dropped
    elif ours and not text.startswith(AREA) and rng.random() < 0.5:
        text = AREA + text
    if rng.random() < 0.5:
        text = text.replace("“", '"').replace("”", '"').replace("，", ",")
    if rng.random() < 0.2:
        text = text.replace("“", "「").replace("”", "」")
    # Typing slips fall in the words, not in the area's name a column prints as it is.
    start = len(AREA) if text.startswith(AREA) else 0 if ours else 3
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4])):
        chars = list(text)
        at = rng.randrange(start, len(chars))
        what = rng.random()
        if what < 0.4:
            chars[at] = rng.choice("的和与及在等新全区市")  # a character changed
        elif what < 0.7:
            del chars[at]  # dropped
        else:
            chars.insert(at, rng.choice("的和与在全面"))  # added
        text = "".join(chars)
    before = rng.choice(["", "", f"{number}.", f"{number}、", f"（{number}）", f"{number} "])
    after = rng.choice(
        ["", "", " 2020-07-15", "（2020年7月15日）", "（来源：济宁高新区）", " 07-15"]
    )
    return before + text + after


def foreign_titles(count: int, rng: random.Random, known: set[str]) -> list[str]:
    """Titles the column published for other areas: the same phrases, other names."""
    others = ["任城区", "兖州区", "曲阜市", "邹城市"]
    units = ["人社局", "民政局", "水务局", "南张街道", "李营街道", "长沟镇"]
    out: list[str] = []
    while len(out) < count:
        _, title = submitted_titles(1, rng)[0]
        title = title.replace(AREA, rng.choice(others))
        for unit in UNITS:
            title = title.replace(unit, rng.choice(units))
        if title not in known:
            out.append(title)
    return out


def main() -> None:
    """Generate, match, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submitted", type=int, default=2000)
    parser.add_argument("--published", type=int, default=300)
    parser.add_argument("--foreign", type=int, default=30, help="lines of other areas' articles")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pairs = submitted_titles(args.submitted, rng)
    candidates = [Candidate(n, unit, title) for n, (unit, title) in enumerate(pairs, start=1)]
    chosen = rng.sample(candidates, args.published)
    lines = [(n, edited(c.title, rng, n)) for n, c in enumerate(chosen, start=1)]
    truth = {n: c.article_id for n, c in enumerate(chosen, start=1)}
    known = {c.title for c in candidates}
    for title in foreign_titles(args.foreign, rng, known):
        lines.append((len(lines) + 1, edited(title, rng, len(lines) + 1, ours=False)))
    rng.shuffle(lines)
    started = time.perf_counter()
    matches = match_lines(lines, candidates, (AREA, AREA_SHORT))
    elapsed = time.perf_counter() - started
    confident = [m for m in matches if m.tier == "confident"]
    right = [m for m in confident if m.best and m.best.article_id == truth.get(m.line_number)]
    doubtful = [m for m in matches if m.tier == "doubtful"]
    offered = [
        m for m in doubtful if any(c.article_id == truth.get(m.line_number) for c, _ in m.choices)
    ]
    unmatched = [m for m in matches if m.tier == "unmatched"]
    foreign = [m for m in matches if m.line_number not in truth]
    print(
        f"{args.submitted:,} submitted titles, {args.published} published lines of them and "
        f"{args.foreign} of other areas (seed {args.seed})"
    )
    print(
        f"confident: {len(confident)}, precision {len(right) / max(1, len(confident)):.4f}, "
        f"recall {len(right) / args.published:.4f}"
    )
    print(f"doubtful:  {len(doubtful)} (the right article among the two offered: {len(offered)})")
    print(f"unmatched: {len(unmatched)}")
    print(
        f"other areas' lines: {sum(m.tier == 'confident' for m in foreign)} taken as confident, "
        f"{sum(m.tier == 'doubtful' for m in foreign)} doubtful, "
        f"{sum(m.tier == 'unmatched' for m in foreign)} unmatched"
    )
    print(f"matching took {elapsed:.3f} s")
    for m in confident:
        if m not in right:
            print("  wrong:", m.line, "→", m.choices[0][0].title, f"{m.choices[0][1]:.1f}")


if __name__ == "__main__":
    main()
