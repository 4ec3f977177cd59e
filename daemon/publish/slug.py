"""The Digital Garden's slugify (digital-garden.md §3.5: @sindresorhus/slugify 1.1.2 defaults).

Steps: built-in replacements (``&`` → `` and ``, ``♥`` → `` love ``, ``🦄`` → `` unicorn ``),
transliteration, decamelize (four regex passes), lower-case, then every run of characters
outside ``[a-z0-9]`` becomes ``-``. Scripts without a transliteration (CJK, Korean, Hebrew)
are dropped, not romanised — as the plugin does.

The transliteration table here covers German umlauts, Latin letters with diacritics (through
Unicode decomposition, like lodash's ``deburr``), and the special Latin letters ``ß æ ø œ đ ł þ
ı``; the complete table of the ``transliterate`` package (Cyrillic, Greek, Arabic, …) lives in
:mod:`.transliteration` when present.
"""

from __future__ import annotations

import re
import unicodedata

_REPLACEMENTS = (("&", " and "), ("\U0001f984", " unicorn "), ("\u2665", " love "))

#: Letters whose transliteration is not their Unicode decomposition (German first, as the
#: transliterate table orders them).
_SPECIAL = {
    "ß": "ss", "ä": "ae", "Ä": "Ae", "ö": "oe", "Ö": "Oe", "ü": "ue", "Ü": "Ue",
    "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "Oe", "đ": "d", "Đ": "D",
    "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "ı": "i", "ĸ": "k",
}

_DECAMEL = (
    (re.compile(r"([A-Z]{2,})(\d+)"), r"\1 \2"),
    (re.compile(r"([a-z\d]+)([A-Z]{2,})"), r"\1 \2"),
    (re.compile(r"([a-z\d])([A-Z])"), r"\1 \2"),
    (re.compile(r"([A-Z]+)([A-Z][a-z\d]+)"), r"\1 \2"),
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DASHES = re.compile(r"-{2,}")

try:  # the full table of the transliterate package, when shipped
    from .transliteration import TABLE as _TABLE  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - the fallback above is used
    _TABLE = None


def transliterate(text: str) -> str:
    """Latin-ize what the plugin's transliteration would, drop what it would drop."""
    text = unicodedata.normalize("NFC", text)
    for needle, replacement in _REPLACEMENTS:
        text = text.replace(needle, replacement)
    if _TABLE is not None:
        for needle, replacement in _TABLE:
            if needle in text:
                text = text.replace(needle, replacement)
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        special = _SPECIAL.get(ch)
        if special is not None:
            out.append(special)
            continue
        # deburr: Latin letters with combining marks lose the marks.
        decomposed = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        out.append(base if base.isascii() else ch)
    return "".join(out)


def decamelize(text: str) -> str:
    for pattern, replacement in _DECAMEL:
        text = pattern.sub(replacement, text)
    return text


def slugify(text: str) -> str:
    """The plugin's slug of one path segment (may be empty)."""
    text = transliterate(text)
    text = decamelize(text)
    text = text.lower()
    text = _NON_ALNUM.sub("-", text).replace("\\", "")
    text = _DASHES.sub("-", text)
    return text.strip("-")
