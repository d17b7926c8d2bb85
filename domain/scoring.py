"""得分: an article's score follows its publications and the rules in force.

Each article keeps its current points on its own row, so that rankings add up stored numbers
instead of scoring every article again; this module keeps those cached points true when the
rules file changes the points.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from domain.rules import Rules
from storage.db import Database
from storage.repos import Conflict, repository

RULES_KEY = "scoring_rules"


def scoring_fingerprint(rules: Rules) -> str:
    """A digest of everything in the rules that decides an article's points."""
    relevant: dict[str, object] = {
        "platforms": [[p.code, _number(p.points)] for p in rules.platforms],
        "unpublished_points": _number(rules.scoring.unpublished_points),
    }
    # What the default rules leave out leaves a database's fingerprint as it was.
    if rules.scoring.policy != "highest":
        relevant["policy"] = rules.scoring.policy
    if rules.endorsements:
        relevant["endorsements"] = [[e.code, _number(e.points)] for e in rules.endorsements]
    if rules.commissions:
        relevant["commissions"] = [_number(rules.commissions.points), rules.commissions.higher]
    return hashlib.sha256(json.dumps(relevant).encode()).hexdigest()


def _number(points: Decimal) -> int | str:
    """Whole points as the integers earlier releases digested, so their digest stands."""
    whole = points.to_integral_value()
    return int(whole) if points == whole else str(points.normalize())


def rescore_if_rules_changed(db: Database, rules: Rules, actor: str) -> int | None:
    """Recompute the points of every article of ``db``'s office if the office's scoring rules
    differ from the last run's.

    Returns the number of articles rescored, or None when the rules had not changed. Runs in
    one transaction, so a crash leaves the old scores and the old fingerprint together. Several
    processes starting at once on a new database race to record the first fingerprint: the
    loser looks again, and finds the work done.
    """
    try:
        return _rescore(db, rules, actor)
    except Conflict:
        return _rescore(db, rules, actor)


def _rescore(db: Database, rules: Rules, actor: str) -> int | None:
    fingerprint = scoring_fingerprint(rules)
    with repository(db) as repo:
        previous = repo.settings.get(RULES_KEY)
        if previous == fingerprint:
            return None
        order = {p.code: index for index, p in enumerate(rules.platforms)}
        points = {p.code: p.points for p in rules.platforms}
        count = repo.articles.rescore(
            points,
            order,
            rules.scoring.unpublished_points,
            summed=rules.scoring.policy == "sum",
            endorsed={e.code: e.points for e in rules.endorsements},
            commission=(
                (rules.commissions.points, rules.commissions.higher) if rules.commissions else None
            ),
        )
        repo.settings.put(RULES_KEY, fingerprint)
        if previous is not None:
            repo.audit.record(
                actor,
                "article.rescore",
                "rules",
                None,
                {"fingerprint": previous},
                {"fingerprint": fingerprint, "articles": count},
            )
    return count
