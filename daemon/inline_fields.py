"""Inline-field extraction exactly as Dataview 0.5.70 does it (dataview.md §1.5, §1.7, §7 quirks 1-3, 7).

Three syntaxes exist: full-line ``Key:: value``, bracketed ``[key:: value]`` and parenthesised
``(key:: value)``; list items additionally get the Tasks-plugin emoji shorthand dates
(``📅 2021-01-01`` → ``due``).  This module only *finds* fields: keys are returned raw and values
as trimmed text.  Canonical keys and value typing live elsewhere, so that a caller can keep the raw
key (task fields use raw keys only) and can decide what to do with keys whose canonical form is
empty (``🎉:: v`` yields raw key ``""``; Dataview indexes such a key under ``""`` only).

Fidelity notes -- Dataview runs in JavaScript, so a few JS definitions are reproduced on purpose:

* "whitespace" (``trim()``, regex ``\\s``) is the ECMAScript set (``JS_WHITESPACE``), not
  ``str.isspace()``, which differs (``\\x1c``-``\\x1f``, ``\\x85`` vs ``\\ufeff``);
* ``\\d`` in Dataview's ``u``-flag regexes is ASCII-only, so ``[0-9]`` is used here;
* the 32768-character line limit is measured in UTF-16 code units like ``String.length``.

Offsets (``start``/``end``) are Python string indices (code points) into the text that was passed in,
not UTF-16 units.  Ordering and overlap decisions only compare offsets within one text, so they come
out the same as in Dataview.

Everything here runs on every line of every note, so the common case (no ``::``, no emoji) returns
after one substring test, and bracket matching is done with a per-text index instead of rescanning
the rest of the line for every candidate: Dataview's scan is quadratic on adversarial lines such as
``(a:: (a:: (a:: …`` and a daemon indexing arbitrary vaults should not be.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Final

__all__ = [
    "JS_WHITESPACE",
    "JS_WHITESPACE_CLASS",
    "MAX_LINE_UTF16",
    "InlineField",
    "extract_bracket_fields",
    "extract_full_line_field",
    "extract_line_fields",
    "extract_list_item_fields",
]

#: ECMAScript WhiteSpace + LineTerminator: what JS ``trim()`` removes and what ``\s`` matches.
JS_WHITESPACE: Final[str] = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
#: The same set, written as the body of a regex character class.
JS_WHITESPACE_CLASS: Final[str] = (
    r"\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)

#: Dataview skips page-level lines longer than this (in UTF-16 code units, JS ``String.length``).
MAX_LINE_UTF16: Final[int] = 32768

_ASCII_WORD: Final[frozenset[str]] = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
)
# Characters of the full-line key body besides letters: ASCII word chars, JS whitespace, '/', '-'.
_KEY_EXTRA: Final[frozenset[str]] = _ASCII_WORD | frozenset(JS_WHITESPACE) | frozenset("/-")
_KEY_TRAILER: Final[frozenset[str]] = frozenset("_*~`")

# Any wrapper character makes a bracketed key invalid.
_WRAPPER_CHAR: Final[re.Pattern[str]] = re.compile(r"[\[\]()]")
# Characters that matter when looking for the closing wrapper: the backslash escape and the pair.
_CLOSER_SCAN: Final[dict[str, re.Pattern[str]]] = {
    "[": re.compile(r"[\\\[\]]"),
    "(": re.compile(r"[\\()]"),
}
_WRAPPERS: Final[tuple[tuple[str, str, str], ...]] = (("[", "]", "bracket"), ("(", ")", "paren"))

# Full-line key, ASCII-only key text: possessive quantifiers reproduce parsimmon's greedy,
# non-backtracking regexps (leading non-word run, key body, trailing markup, end of input).
_ASCII_FULL_LINE_KEY: Final[re.Pattern[str]] = re.compile(
    r"[^0-9A-Za-z_]*+([0-9A-Za-z_\t\n\x0b\x0c\r /-]*+)[_*~`]*+\Z"
)

# Approximation of the `emoji-regex` package used by Dataview for emoji inside full-line keys.
# Only reachable for an emoji *after* a letter/digit (a leading emoji is swallowed by the
# leading non-word run, quirk 7), so a compact table of pictographic blocks plus the usual
# sequence glue (variation selector, skin tones, ZWJ, tag sequences, flags, keycaps) suffices.
_EMOJI_BASE: Final[str] = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf"
    "\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf"
    "\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001f1e5\U0001f200-\U0001f3fa\U0001f400-\U0001faff"
)
_EMOJI_ELEMENT: Final[str] = (
    f"[{_EMOJI_BASE}][\ufe0e\ufe0f]?[\U0001f3fb-\U0001f3ff]?(?:[\U000e0020-\U000e007e]+\U000e007f)?"
)
_EMOJI_SEQUENCE: Final[re.Pattern[str]] = re.compile(
    "[\U0001f1e6-\U0001f1ff]{2}"
    "|[0-9#*]\ufe0f?\u20e3"
    f"|{_EMOJI_ELEMENT}(?:\u200d{_EMOJI_ELEMENT})*"
    "|[\U0001f3fb-\U0001f3ff]"
)

# Emoji shorthand task dates (§1.7).  Like Dataview's DUE regex, the due class also contains a
# bare U+FE0F, so "🗓️ 2021-01-01" matches starting at the variation selector.
_DATE: Final[str] = rf"[{JS_WHITESPACE_CLASS}]*([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})"
_EMOJI_FIELDS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile("\u2795" + _DATE), "created"),
    (re.compile("\U0001f6eb" + _DATE), "start"),
    (re.compile("[\u23f3\u231b]" + _DATE), "scheduled"),
    (re.compile("[\U0001f4c5\U0001f4c6\U0001f5d3\ufe0f]" + _DATE), "due"),
    (re.compile("\u2705" + _DATE), "completion"),
)
# Cheap pre-filter: none of the shorthand regexes can match without one of these characters.
_EMOJI_FIELD_CHAR: Final[re.Pattern[str]] = re.compile(
    "[\u2795\U0001f6eb\u23f3\u231b\U0001f4c5\U0001f4c6\U0001f5d3\ufe0f\u2705]"
)


@dataclass(frozen=True, slots=True)
class InlineField:
    """One inline field as Dataview extracts it (before key canonicalisation and value typing)."""

    key: str
    """Raw key: trimmed; for full-line fields with surrounding markup (``**Key**``) removed."""
    value: str
    """Raw value text, trimmed; typing (§1.6) happens elsewhere."""
    start: int
    """Offset in the given text where the field starts (for bracket/paren: the wrapper char)."""
    end: int
    """Offset just after the field (after the closing wrapper; end of the trimmed line)."""
    wrapper: str
    """``"full"``, ``"bracket"``, ``"paren"`` or ``"emoji"``."""


class _Closer:
    """Finds the matching closing wrapper for any value start in O(log n).

    Dataview scans forward from the value start counting nesting, with a backslash toggling an
    escape that hides the next character.  The escape state at a value start is always "not
    escaped" (the preceding character is the second ``:`` of ``::``), so one left-to-right pass
    over the whole text gives the same escape decisions for every start.  With ``depth(i)`` the
    nesting depth before position ``i``, the closer for a value starting at ``v`` is the first
    unescaped close at ``i >= v`` with ``depth(i) == depth(v)``: depth moves in steps of one, so
    that is exactly where Dataview's relative nesting first drops below zero.
    """

    __slots__ = ("_closes_by_depth", "_depth_after", "_event_pos")

    def __init__(self, text: str, open_: str, close: str) -> None:
        event_pos: list[int] = []
        depth_after: list[int] = []
        closes_by_depth: dict[int, list[int]] = {}
        depth = 0
        escaped_at = -1  # index of the character hidden by a pending backslash escape
        for match in _CLOSER_SCAN[open_].finditer(text):
            pos = match.start()
            char = text[pos]
            if char == "\\":
                # A backslash right after an escaping backslash cancels it; otherwise it escapes.
                escaped_at = -1 if escaped_at == pos else pos + 1
                continue
            if escaped_at == pos:
                escaped_at = -1
                continue
            if char == open_:
                depth += 1
            else:
                closes_by_depth.setdefault(depth, []).append(pos)
                depth -= 1
            event_pos.append(pos)
            depth_after.append(depth)
        self._event_pos = event_pos
        self._depth_after = depth_after
        self._closes_by_depth = closes_by_depth

    def find(self, value_start: int) -> int:
        """Index of the closing wrapper for a value starting at ``value_start``, or -1."""
        idx = bisect_left(self._event_pos, value_start)
        depth = self._depth_after[idx - 1] if idx else 0
        closes = self._closes_by_depth.get(depth)
        if not closes:
            return -1
        j = bisect_left(closes, value_start)
        return closes[j] if j < len(closes) else -1


def _bracket_candidates(text: str) -> list[InlineField]:
    """All ``[k:: v]`` then all ``(k:: v)`` fields, unsorted and before the overlap rule."""
    found: list[InlineField] = []
    for open_, close, wrapper in _WRAPPERS:
        pos = text.find(open_)
        closer: _Closer | None = None
        sep = -1  # cached: first '::' at or after pos + 1
        while pos >= 0:
            if sep <= pos:
                sep = text.find("::", pos + 1)
                if sep < 0:
                    break  # no separator left: no later candidate can succeed either
            if _WRAPPER_CHAR.search(text, pos + 1, sep) is None:
                if closer is None:
                    closer = _Closer(text, open_, close)
                close_at = closer.find(sep + 2)
                if close_at >= 0:
                    found.append(
                        InlineField(
                            key=text[pos + 1 : sep].strip(JS_WHITESPACE),
                            value=text[sep + 2 : close_at].strip(JS_WHITESPACE),
                            start=pos,
                            end=close_at + 1,
                            wrapper=wrapper,
                        )
                    )
                    pos = text.find(open_, close_at + 1)
                    continue
            pos = text.find(open_, pos + 1)
    return found


def _emoji_candidates(text: str) -> list[InlineField]:
    """First match of each emoji shorthand regex (created, start, scheduled, due, completion)."""
    found: list[InlineField] = []
    for pattern, key in _EMOJI_FIELDS:
        match = pattern.search(text)
        if match is not None:
            found.append(InlineField(key, match.group(1), match.start(), match.end(), "emoji"))
    return found


def _drop_overlaps(fields: list[InlineField]) -> list[InlineField]:
    """Sort by start and keep a field only if it starts strictly after the last kept one ends.

    "Strictly" is the documented quirk 2: ``[a:: 1][b:: 2]`` keeps only ``a`` because ``b``
    starts exactly at ``a``'s (exclusive) end.  Nested fields are dropped the same way.
    """
    if len(fields) < 2:
        return fields
    fields.sort(key=lambda f: f.start)  # stable, like JS Array.prototype.sort
    kept: list[InlineField] = []
    last_end = -1
    for field in fields:
        if field.start > last_end:
            kept.append(field)
            last_end = field.end
    return kept


def extract_bracket_fields(text: str) -> list[InlineField]:
    """``[k:: v]`` and ``(k:: v)`` fields of ``text`` in source order (Dataview ``extractInlineFields``).

    Keys are the trimmed text between the wrapper and the first ``::`` after it and must not
    contain ``[ ] ( )``; values run to the matching closer (same-type nesting, backslash escapes,
    backslashes kept in the value).  Fields that overlap an earlier kept one are dropped.
    """
    if "::" not in text:
        return []
    return _drop_overlaps(_bracket_candidates(text))


def _parse_full_line_key(raw: str) -> str | None:
    """Apply Dataview's full-line key grammar to an already trimmed key text.

    Grammar (parsimmon, every step greedy and never backtracking, whole input consumed):
    a run of characters that are neither ASCII word characters nor letters (dropped), then any
    number of emoji sequences / runs of letters, ASCII word chars, whitespace, ``/`` and ``-``
    (this is the key), then a run of ``_ * ~ ` `` (dropped).  Returns None when it does not parse.
    """
    if raw.isascii():
        match = _ASCII_FULL_LINE_KEY.match(raw)
        return match.group(1) if match is not None else None
    return _scan_full_line_key(raw)


def _scan_full_line_key(raw: str) -> str | None:
    """General (Unicode letters, emoji) version of ``_parse_full_line_key``."""
    n = len(raw)
    i = 0
    while i < n and not (raw[i] in _ASCII_WORD or raw[i].isalpha()):
        i += 1
    key_start = i
    while i < n:
        emoji = _EMOJI_SEQUENCE.match(raw, i)
        if emoji is not None:
            i = emoji.end()
            continue
        j = i
        while j < n and (raw[j] in _KEY_EXTRA or raw[j].isalpha()):
            j += 1
        if j == i:
            break
        i = j
    key_end = i
    while i < n and raw[i] in _KEY_TRAILER:
        i += 1
    return raw[key_start:key_end] if i == n else None


def extract_full_line_field(line: str) -> InlineField | None:
    """The ``Key:: value`` form (Dataview ``extractFullLineField``), or None if the key is invalid.

    The key text is what precedes the first ``::``; the value is everything after it, trimmed
    (``a:: b:: c`` → ``a`` = ``b:: c``).  Surrounding whitespace of ``line`` is ignored;
    ``start``/``end`` delimit the trimmed line within ``line``.
    """
    sep = line.find("::")
    if sep < 0:
        return None
    key = _parse_full_line_key(line[:sep].strip(JS_WHITESPACE))
    if key is None:
        return None
    start = len(line) - len(line.lstrip(JS_WHITESPACE))
    end = len(line.rstrip(JS_WHITESPACE))
    return InlineField(key, line[sep + 2 :].strip(JS_WHITESPACE), start, end, "full")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def extract_line_fields(line: str) -> list[InlineField]:
    """Page-level fields of one line of a non-list section (§1.5 "Which lines are scanned").

    Lines over 32768 UTF-16 units or without ``::`` are skipped.  If the line holds any
    bracketed/parenthesised field only those count and a full-line ``Key:: value`` on the same
    line is ignored (quirk 3); otherwise the full-line form is tried.  Callers pass every line of
    every non-list section, code blocks and comments included (quirk 1).
    """
    if "::" not in line:
        return []
    length = len(line)
    if length > MAX_LINE_UTF16 or (
        length > MAX_LINE_UTF16 // 2 and _utf16_len(line) > MAX_LINE_UTF16
    ):
        return []
    fields = _drop_overlaps(_bracket_candidates(line))
    if fields:
        return fields
    full = extract_full_line_field(line)
    return [full] if full is not None else []


def extract_list_item_fields(text: str, is_task: bool) -> list[InlineField]:
    """Fields of one list item or task (§1.7).

    ``text`` is the item's text (checkbox and symbol removed).  Its lines are joined with a space,
    as Dataview does for extraction; a newline is replaced one-for-one so offsets still index the
    given text.  Bracketed fields and the emoji shorthand dates (keys ``created``, ``start``,
    ``scheduled``, ``due``, ``completion``) go through one overlap filter; a full-line
    ``Key:: value`` counts only for a non-task item that has no other field.  No line-length limit
    applies to list items.
    """
    if "\n" in text:
        text = text.replace("\n", " ")
    has_sep = "::" in text
    candidates = _bracket_candidates(text) if has_sep else []
    if _EMOJI_FIELD_CHAR.search(text) is not None:
        candidates.extend(_emoji_candidates(text))
    fields = _drop_overlaps(candidates)
    if not fields and has_sep and not is_task:
        full = extract_full_line_field(text)
        if full is not None:
            fields = [full]
    return fields
