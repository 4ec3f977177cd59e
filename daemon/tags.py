"""Tag syntax as Obsidian and Dataview each see it (obsidian.md §2.3, §5; dataview.md §1.3, §1.4).

Obsidian and Dataview disagree in small ways, and gardend has to reproduce both because Dataview
takes body tags from Obsidian's metadata cache but parses list-item tags and frontmatter itself:

* Obsidian body tags: ``#`` at the start of the text or after whitespace, at least one allowed
  character, all-digit tags (``#1984``) rejected.
* Dataview list-item tags: a looser candidate regex (no whitespace requirement, ``a#b`` yields
  ``#b``) whose whole match must then be a valid Dataview tag, which may be all digits.
* Frontmatter: Obsidian keeps string list items without spaces; Dataview splits strings on commas
  and whitespace and stringifies numbers the JavaScript way (``tags: 1.0`` → ``#1``).

"Whitespace" is the ECMAScript set (shared with ``inline_fields``) and "digit" is ASCII, because
both programs use JavaScript regular expressions.  These functions run on every line, so each
returns immediately when the text contains no ``#``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

from .inline_fields import JS_WHITESPACE, JS_WHITESPACE_CLASS
from .values import js_truthy

__all__ = [
    "find_list_item_tags",
    "find_obsidian_tags",
    "is_valid_dataview_tag",
    "normalize_frontmatter_aliases_obsidian",
    "normalize_frontmatter_tags_obsidian",
    "split_frontmatter_aliases_dataview",
    "split_frontmatter_tags_dataview",
    "tag_with_parents",
]

# Characters that end a tag in both Obsidian and Dataview: whitespace, ASCII punctuation except
# '-', '_' and '/', General Punctuation (U+2000-U+206F) and Supplemental Punctuation (U+2E00-U+2E7F).
_TAG_EXCLUDED: Final[str] = (
    r"\u2000-\u206F\u2E00-\u2E7F'!" + '"' + r"#$%&()*+,.:;<=>?@^`{|}~\[\]\\" + JS_WHITESPACE_CLASS
)
_OBSIDIAN_TAG: Final[re.Pattern[str]] = re.compile(
    rf"(?<![^{JS_WHITESPACE_CLASS}])#[^{_TAG_EXCLUDED}]+"
)
_ALL_DIGITS_TAG: Final[re.Pattern[str]] = re.compile(r"#[0-9]+")
_DATAVIEW_TAG: Final[re.Pattern[str]] = re.compile(rf"#[^{_TAG_EXCLUDED}]*")
# Dataview's POTENTIAL_TAG_MATCHER (src/data-import/common.ts).
_DATAVIEW_TAG_CANDIDATE: Final[re.Pattern[str]] = re.compile(
    rf"#[^{JS_WHITESPACE_CLASS},;.:!?'" + '"' + r"`()\[\]{}]+"
)
_DATAVIEW_TAG_SPLIT: Final[re.Pattern[str]] = re.compile(rf"[,{JS_WHITESPACE_CLASS}]+")
_JS_WS_CHARS: Final[frozenset[str]] = frozenset(JS_WHITESPACE)


def find_obsidian_tags(text: str) -> list[tuple[str, int]]:
    """Inline tags by Obsidian's tokenizer rule (obsidian.md §5.1), as ``(tag, offset)`` pairs.

    The tag keeps its ``#`` and case.  ``text`` should be one inline text run: the caller removes
    code, math, HTML and link targets first, since Obsidian does not look for tags there.
    """
    if "#" not in text:
        return []
    return [
        (m.group(), m.start())
        for m in _OBSIDIAN_TAG.finditer(text)
        if _ALL_DIGITS_TAG.fullmatch(m.group()) is None
    ]


def is_valid_dataview_tag(tag: str) -> bool:
    """Dataview's tag grammar: ``#`` then any number of non-excluded characters (``#1`` is valid)."""
    return _DATAVIEW_TAG.fullmatch(tag) is not None


def find_list_item_tags(text: str) -> list[str]:
    """Tags of a list item's text (lines joined by a space) as Dataview records them (§1.3).

    Candidates come from Dataview's loose regex and are kept only if the *whole* candidate is a
    valid tag, so ``#a#b`` or ``#tag…`` yields nothing.  Duplicates are removed (Dataview stores a
    ``Set``), first occurrence wins, case is preserved.
    """
    if "#" not in text:
        return []
    tags = [m.group() for m in _DATAVIEW_TAG_CANDIDATE.finditer(text)]
    return list(dict.fromkeys(t for t in tags if is_valid_dataview_tag(t)))


def tag_with_parents(tag: str, *, strip_trailing_slash: bool = True) -> list[str]:
    """The tag followed by each ancestor, cutting at the last ``/`` repeatedly.

    ``#a/b/c`` → ``['#a/b/c', '#a/b', '#a']``.  Trailing slashes are removed first as in
    Obsidian's tag counts (``#a/`` → ``['#a']``); pass ``strip_trailing_slash=False`` for
    Dataview's ``file.tags``, which cuts the raw tag (``#a/`` → ``['#a/', '#a']``).  A bare ``#``
    is never produced as an ancestor: it names no tag.
    """
    if strip_trailing_slash:
        tag = tag.rstrip("/")
    result: list[str] = []
    while tag and tag != "#":
        result.append(tag)
        cut = tag.rfind("/")
        if cut < 0:
            break
        tag = tag[:cut]
    return result


def _js_trim(text: str) -> str:
    return text.strip(JS_WHITESPACE)


def _has_whitespace(text: str) -> bool:
    return any(c in _JS_WS_CHARS for c in text)


def _string_items(value: Any) -> list[str]:
    """Obsidian's ``parseFrontMatterStringArray``: string → [it]; list → its strings; else [] (trimmed)."""
    if isinstance(value, str):
        return [_js_trim(value)]
    if isinstance(value, list | tuple):
        return [_js_trim(item) for item in value if isinstance(item, str)]
    return []


def normalize_frontmatter_tags_obsidian(value: Any) -> list[str]:
    """Obsidian's ``parseFrontMatterTags`` for one ``tags`` value (obsidian.md §2.3).

    String items only (numbers, booleans, nested lists and null are dropped), trimmed; empty items
    and items containing whitespace are dropped; ``#`` is prefixed when missing.  So a single
    string ``"a, b"`` or ``"a b"`` gives nothing, as in the Obsidian build the reference read.
    """
    return [
        item if item.startswith("#") else "#" + item
        for item in _string_items(value)
        if item and not _has_whitespace(item)
    ]


def normalize_frontmatter_aliases_obsidian(value: Any) -> list[str]:
    """Obsidian's ``parseFrontMatterAliases``: the string-array rule only, spaces allowed, no ``#``.

    Empty strings are kept, as the reference's string-array rule states (only ``tags`` drops
    empties); callers that build a name index should skip them.
    """
    return _string_items(value)


def _js_number(value: float) -> str:
    """JavaScript ``Number.prototype.toString()`` (``1.0`` → ``1``, ``1e-7`` → ``1e-7``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(value))).as_tuple()[1:]
    digits = "".join(map(str, digits_tuple)).rstrip("0")
    assert isinstance(exponent, int)  # finite values only at this point
    point = exponent + len(digits_tuple)  # value = 0.<digits> * 10**point
    k = len(digits)
    if k <= point <= 21:
        return sign + digits + "0" * (point - k)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    e = point - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _js_string(value: Any) -> str:
    """JavaScript ``"" + value`` for YAML-shaped values (Dataview stringifies frontmatter this way)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _js_number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ",".join("" if item is None else _js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, _dt.date):  # not produced by gardend's loader (dates stay strings)
        return value.isoformat()
    return str(value)


def _split_tag_or_alias(value: Any, splitter: re.Pattern[str]) -> Iterable[str]:
    """Dataview's ``splitFrontmatterTagOrAlias``: recursive over arrays (falsy items skipped)."""
    if value is None:
        return
    if isinstance(value, list | tuple):
        for item in value:
            if js_truthy(item):
                yield from _split_tag_or_alias(item, splitter)
        return
    for piece in splitter.split(_js_string(value)):
        piece = _js_trim(piece)
        if piece:
            yield piece


_COMMA: Final[re.Pattern[str]] = re.compile(",")


def split_frontmatter_tags_dataview(value: Any) -> list[str]:
    """Dataview's tags from one ``tags``/``tag`` value (dataview.md §1.3), ``#`` prefixed.

    Strings (and stringified numbers/booleans) are split on ``[,\\s]+``; arrays are processed
    item by item, recursively.  ``tags: a b, c`` → ``#a #b #c``; ``[x/y, 2020]`` → ``#x/y #2020``.
    No validity check and no de-duplication (Dataview's page-level ``Set`` does that).
    """
    return [
        piece if piece.startswith("#") else "#" + piece
        for piece in _split_tag_or_alias(value, _DATAVIEW_TAG_SPLIT)
    ]


def split_frontmatter_aliases_dataview(value: Any) -> list[str]:
    """Dataview's aliases from one ``alias``/``aliases`` value (dataview.md §1.4).

    Falsy values give nothing.  Arrays: every element stringified and trimmed, *not* split and
    not filtered (``[a, ""]`` keeps ``""``, a null element becomes ``"null"``, as in Dataview).
    Anything else: stringified, split on ``,``, trimmed, empty pieces dropped.
    """
    if not js_truthy(value):
        return []
    if isinstance(value, list | tuple):
        return [_js_trim(_js_string(item)) for item in value]
    return list(_split_tag_or_alias(value, _COMMA))
