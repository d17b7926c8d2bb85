"""What a change that crosses offices needs to know about the others: their rules and who
is told in the root office."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from domain.rules import Platform, Rules


@dataclass(frozen=True)
class Hierarchy:
    """Each office's 计分办法 by office id, and the deployment's own admins (the root's)."""

    rules_of: Callable[[int], Rules]
    root_admins: frozenset[int] = field(default_factory=frozenset)


def same_platform(rules: Rules, platform: Platform) -> Platform | None:
    """The platform of ``rules`` that is ``platform`` of another office's rules: by code, then
    by its names (an office that calls 《政务公开经验做法》 ``city`` and one that calls it
    ``jingyan`` score the same column)."""
    for spelling in (platform.code, platform.name, platform.short):
        found = rules.platform_named(spelling)
        if found is not None:
            return found
    return None
