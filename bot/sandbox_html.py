"""Telegram's HTML parse mode, as the sandbox Bot API enforces it.

Turns an HTML text into plain text and message entities, or raises the same error Telegram
answers (``Bad Request: can't parse entities: …``) for an unsupported tag, an unknown named
entity, or a tag left open. Offsets and lengths count UTF-16 code units, as Telegram's do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# tag → entity type; None means the tag is allowed but decided by its attributes.
_TAGS: dict[str, str | None] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": None,
    "a": None,
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*(/?)>")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z][a-zA-Z0-9]*);")
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's description."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    entity: dict[str, object]
    start: int


@dataclass
class ParsedText:
    """Plain text and its entities."""

    text: str
    entities: list[dict[str, object]] = field(default_factory=list)


def _decoded(name: str, source: str, position: int) -> str:
    """The character an HTML entity (``&name;`` at ``position``) stands for."""
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    if name in _NAMED:
        return _NAMED[name]
    offset = len(source[:position].encode("utf-8"))
    raise EntityParseError(
        f'Bad Request: can\'t parse entities: Unsupported HTML entity "&{name};" '
        f"at byte offset {offset}"
    )


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML into text and entities, or raise ``EntityParseError``."""
    out: list[str] = []
    length = 0
    stack: list[_Open] = []
    entities: list[dict[str, object]] = []
    position = 0
    while position < len(source):
        char = source[position]
        if char == "<":
            match = _TAG.match(source, position)
            offset = len(source[:position].encode("utf-8"))
            if not match:
                raise EntityParseError(
                    f"Bad Request: can't parse entities: Unsupported start tag at byte offset "
                    f"{offset}"
                )
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _TAGS:
                raise EntityParseError(
                    f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" at byte '
                    f"offset {offset}"
                )
            if closing:
                if not stack or stack[-1].tag != name:
                    raise EntityParseError(
                        f"Bad Request: can't parse entities: Unmatched end tag at byte offset "
                        f'{offset}, expected "</{stack[-1].tag}>", found "</{name}>"'
                        if stack
                        else f"Bad Request: can't parse entities: Unexpected end tag at byte "
                        f"offset {offset}"
                    )
                opened = stack.pop()
                if length > opened.start:
                    entity = {
                        **opened.entity,
                        "offset": opened.start,
                        "length": length - opened.start,
                    }
                    entities.append(entity)
            else:
                stack.append(_Open(name, _entity_for(name, attrs, offset), length))
            position = match.end()
            continue
        if char == "&":
            match = _ENTITY.match(source, position)
            if match:
                decoded = _decoded(match.group(1), source, position)
                out.append(decoded)
                length += utf16_len(decoded)
                position = match.end()
                continue
        out.append(char)
        length += utf16_len(char)
        position += 1
    if stack:
        raise EntityParseError(
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1].tag}"'
        )
    entities.sort(key=lambda e: (e["offset"], -int(str(e["length"]))))
    return ParsedText("".join(out), entities)


def _entity_for(name: str, attrs: str, offset: int) -> dict[str, object]:
    values = {
        m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
        for m in _ATTR.finditer(attrs)
    }
    if name == "a":
        href = values.get("href", "")
        if href.startswith("tg://user?id="):
            return {"type": "text_mention", "user": {"id": int(href.split("=", 1)[1])}}
        return {"type": "text_link", "url": href}
    if name == "span":
        if values.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Bad Request: can\'t parse entities: Tag "span" must have class "tg-spoiler" at '
                f"byte offset {offset}"
            )
        return {"type": "spoiler"}
    if name == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    if name == "tg-emoji":
        return {"type": "custom_emoji", "custom_emoji_id": values.get("emoji-id", "")}
    if name == "code" and values.get("class", "").startswith("language-"):
        return {"type": "code", "language": values["class"].removeprefix("language-")}
    entity_type = _TAGS[name]
    assert entity_type is not None
    return {"type": entity_type}
