"""Text as users type it, made safe to keep: what cannot be seen or stored is taken out at
the edge, before any rule looks at it.

Control characters (NUL above all: PostgreSQL refuses it in text) go; so do zero-width and
bidirectional-control characters, which would make an invisible title, or a second copy of
a title that looks the same. Runs of any kind of space (the full-width 　 of Chinese input
methods too) become one plain space.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from storage.models import TITLE_KEY_MAX

# The control characters (Unicode's Cc: C0 and C1) but newline and tab; zero-width
# space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel separator, and the
# bidirectional marks, embeddings, overrides and isolates. One pattern: an import cleans
# every cell of 100,000 rows with it.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u00ad\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)
_SPACES = re.compile(r"[^\S\n]+")


def strip_invisible(text: str) -> str:
    """``text`` without control characters (but newlines and tabs) and invisible ones."""
    return _INVISIBLE.sub("", text)


def clean_text(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` without control and invisible characters, every space a plain one, each line
    trimmed at its end and the whole trimmed (newlines kept unless ``keep_newlines`` is off,
    when they become spaces)."""
    if text.isprintable() and "  " not in text:
        # No control, invisible or other space character, no run of spaces (most titles
        # and cells: isprintable is false for each of those but the plain space).
        return text.strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not keep_newlines:
        text = text.replace("\n", " ")
    text = _SPACES.sub(" ", strip_invisible(text))
    if "\n" not in text:  # one line (a title, a cell): nothing to trim line by line
        return text.strip()
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


# Marks that Chinese and English input methods type for the same thing, each mapped to one.
_VARIANTS = str.maketrans(
    {
        **dict.fromkeys("“”„‟〝〞「」『』＂", '"'),
        **dict.fromkeys("‘’‚‛｀", "'"),
        **dict.fromkeys("—–―‒−﹣－~～", "-"),
        **dict.fromkeys("《〈«", "<"),
        **dict.fromkeys("》〉»", ">"),
        **dict.fromkeys("【〔［", "["),
        **dict.fromkeys("】〕］", "]"),
        **dict.fromkeys("·•・‧", "·"),
        "。": ".",
        "、": ",",
    }
)
# The marks ``_VARIANTS`` maps: most titles hold none, and finding that out is cheaper than
# translating every character (a title key is made for each of 100,000 rows of an import).
_VARIANT_MARKS = re.compile("[" + re.escape("".join(map(chr, _VARIANTS))) + "]")
# <<看山东>> is how 《看山东》 is typed without a Chinese input method.
_DOUBLED = re.compile(r"([<>])\1+")


def title_key(title: str) -> str:
    """What makes two titles the same article: compared without spaces, case, full-width
    forms, invisible characters or a closing full stop, and with the punctuation variants of
    input methods (“” and "", 《》 and <<>>, ， and ,) taken as one. At most ``TITLE_KEY_MAX``
    characters (NFKC can lengthen text: ﷽ is 18 letters), a longer key ending in its digest."""
    # Case folded between two NFKC passes (Unicode's NFKC_Casefold): folding can decompose.
    text = unicodedata.normalize("NFKC", strip_invisible(title)).casefold()
    text = unicodedata.normalize("NFKC", text)
    if _VARIANT_MARKS.search(text):
        text = text.translate(_VARIANTS)
    text = "".join(text.split())  # every kind of space out (str.split's are re's \s)
    if "<<" in text or ">>" in text:
        text = _DOUBLED.sub(r"\1", text)
    # Once more: taking spaces out can bring combining marks together, to be put in order.
    key = unicodedata.normalize("NFKC", text).rstrip(".")
    if len(key) > TITLE_KEY_MAX:
        digest = hashlib.sha256(key.encode()).hexdigest()
        key = key[: TITLE_KEY_MAX - len(digest) - 1] + "#" + digest
    return key
