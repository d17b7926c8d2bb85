"""Reading the unit lists written in a 任务分解表's cells.

A cell lists units separated by 、 ， , ； or new lines, as people write them:
"市发展改革委、市商务局", "任城区、兖州区政府" (a suffix written once for the whole run),
"市工业和信息化局、市能源局等市政府有关部门、单位" (a few named, then a collective name).
Collective names come from the rules file and stand for a category, named units, or all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from domain.rules import Collective
from storage.repos import close_names

_GROUP_SEPARATORS = "，,;；\n"
_OPENING, _CLOSING = "（(", "）)"


@dataclass(frozen=True)
class KnownUnit:
    """What matching needs to know of a unit."""

    id: int
    name: str
    category: str


@dataclass
class Resolved:
    """The units a cell names, in the order written, and the names that matched nothing."""

    unit_ids: list[int] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def add(self, unit_ids: Iterable[int]) -> None:
        """Add units not already named."""
        for unit_id in unit_ids:
            if unit_id not in self.unit_ids:
                self.unit_ids.append(unit_id)


class UnitLists:
    """Resolves cells against the known units and the rules' collective names."""

    def __init__(self, units: Iterable[KnownUnit], collective: Mapping[str, Collective]) -> None:
        self._units = list(units)
        self._by_name = {u.name: u for u in self._units}
        # Longest first, so "市政府各部门、单位" wins over any shorter name inside it.
        self._collective = sorted(collective.items(), key=lambda item: -len(item[0]))

    def resolve(self, cell: str) -> Resolved:
        """The units ``cell`` names; unknown names are kept, as written, for the error."""
        result = Resolved()
        text = cell
        for phrase, meaning in self._collective:
            if phrase in text:
                ids, missing = self._expand(meaning)
                result.add(ids)
                result.unknown += [f"{phrase}（{m}）" for m in missing]
                text = text.replace(phrase, "，")
        for group in _split(text, _GROUP_SEPARATORS):
            items = [item.strip().removesuffix("等").strip() for item in _split(group, "、")]
            items = [item for item in items if item]
            for item in items:
                unit = self._by_name.get(item) or self._with_shared_suffix(item, items[-1])
                if unit is None:
                    result.unknown.append(item)
                else:
                    result.add([unit.id])
        return result

    def suggestions(self, name: str) -> str:
        """ "（是否指：…？）" with the known names close to ``name``, or nothing."""
        return did_you_mean(close_names(name, list(self._by_name)))

    def _expand(self, meaning: Collective) -> tuple[list[int], list[str]]:
        if meaning.all:
            return [u.id for u in self._units], []
        ids: list[int] = []
        missing: list[str] = []
        for category in meaning.categories:
            members = [u.id for u in self._units if u.category == category]
            if not members:
                missing.append(f"类别“{category}”下没有单位")
            ids += members
        for name in meaning.units:
            unit = self._by_name.get(name)
            if unit is None:
                missing.append(f"单位“{name}”不存在")
            else:
                ids.append(unit.id)
        return ids, missing

    def _with_shared_suffix(self, item: str, last: str) -> KnownUnit | None:
        """``任城区`` in "任城区、兖州区政府" is 任城区政府: the last name lends its suffix."""
        if item == last or last not in self._by_name:
            return None
        for length in range(1, len(last)):
            unit = self._by_name.get(item + last[-length:])
            if unit is not None:
                return unit
        return None


def did_you_mean(close: list[str]) -> str:
    """``（是否指：市体育局？）`` for the names given; nothing when there are none."""
    return f"（是否指：{'、'.join(close)}？）" if close else ""


def _split(text: str, separators: str) -> list[str]:
    """Split at ``separators`` outside brackets: "各县（市、区）政府" stays whole."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(depth - 1, 0)
        if char in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in (part.strip() for part in parts) if p]
