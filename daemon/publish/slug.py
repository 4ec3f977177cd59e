"""The Digital Garden's slugify (digital-garden.md §3.5: @sindresorhus/slugify 1.1.2 defaults).

The plugin's permalinks, transclusion section ids and the site's heading ids all come from this
function, so it must agree with the JavaScript character for character:

1. ``transliterate``: NFC-normalise; build one replacement map like the JavaScript ``Map`` the
   package builds — the ``transliterate`` table first, then slugify's overridable replacements
   (``&`` → `` and ``, ``🦄`` → `` unicorn ``, ``♥`` → `` love ``); a key that occurs twice
   keeps its first position and takes its last value — and apply each entry as a global
   literal replace in map order; then ``lodash.deburr`` (its Latin-1/Latin Extended-A letter
   table, and removal of its combining-mark ranges; nothing else is decomposed).
2. decamelize: four regex passes with ASCII-only classes (JavaScript ``\\d`` is ``[0-9]``).
3. lower-case (full Unicode, like ``String.prototype.toLowerCase``).
4. every run outside ``[a-z0-9]`` becomes ``-``; ``\\`` removed; ``--+`` collapsed; one ``-``
   stripped from each end.

Scripts the table does not cover (CJK, Korean, Hebrew, …) are dropped, not romanised.
"""

from __future__ import annotations

import re
import unicodedata

from .transliteration import COMBINING_MARK_RANGES, DEBURR, TABLE

#: @sindresorhus/slugify 1.1.2 ``overridable-replacements.js`` (merged after the table).
_OVERRIDABLE = (("&", " and "), ("\U0001f984", " unicorn "), ("\u2665", " love "))


def _merged_map() -> tuple[tuple[str, str], ...]:
    """``new Map([...table, ...overridable])``: dict insertion order is the JS Map order."""
    merged: dict[str, str] = {}
    for key, value in (*TABLE, *_OVERRIDABLE):
        merged[key] = value
    return tuple(merged.items())


_REPLACEMENTS = _merged_map()
_DEBURR = {ord(key): value for key, value in DEBURR}
for _low, _high in COMBINING_MARK_RANGES:
    _DEBURR.update(dict.fromkeys(range(_low, _high + 1), ""))

_DECAMEL = (
    (re.compile(r"([A-Z]{2,})([0-9]+)"), r"\1 \2"),
    (re.compile(r"([a-z0-9]+)([A-Z]{2,})"), r"\1 \2"),
    (re.compile(r"([a-z0-9])([A-Z])"), r"\1 \2"),
    (re.compile(r"([A-Z]+)([A-Z][a-z0-9]+)"), r"\1 \2"),
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DASHES = re.compile(r"-{2,}")


_BY_FIRST_CHAR: dict[str, list[int]] = {}
for _i, (_needle, _replacement) in enumerate(_REPLACEMENTS):
    _BY_FIRST_CHAR.setdefault(_needle[0], []).append(_i)
    # The look-up below relies on this: no replacement can create a needle's first character
    # (replacements are ASCII, and the only ASCII needle, "&", occurs in none of them).
    assert _replacement.isascii() and "&" not in _replacement, _needle


def transliterate(text: str) -> str:
    """``@sindresorhus/transliterate`` 0.1.2 with slugify's replacements merged in.

    Equivalent to applying every replacement in map order (the JavaScript's loop), but only the
    entries whose first character occurs in the text are tried: the leak audit slugs hundreds of
    thousands of strings, and trying all 639 entries on each took most of its time."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return text.replace("&", " and ")  # ASCII: "&" is the only entry that can apply
    for i in sorted({i for ch in set(text) for i in _BY_FIRST_CHAR.get(ch, ())}):
        needle, replacement = _REPLACEMENTS[i]
        if needle in text:
            text = text.replace(needle, replacement)
    return text.translate(_DEBURR)


def decamelize(text: str) -> str:
    for pattern, replacement in _DECAMEL:
        text = pattern.sub(replacement, text)
    return text


def slugify(text: str) -> str:
    """The plugin's slug of one path segment (may be empty)."""
    text = decamelize(transliterate(text)).lower()
    text = _NON_ALNUM.sub("-", text).replace("\\", "")
    text = _DASHES.sub("-", text)
    if text.startswith("-"):
        text = text[1:]
    if text.endswith("-"):
        text = text[:-1]
    return text
