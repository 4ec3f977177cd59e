"""DQL parse errors, formatted exactly like Dataview's (parsimmon 1.18) messages.

Dataview renders a failed query as ``Dataview: `` + the JavaScript string of the exception that
parsimmon's ``tryParse`` throws, i.e. ``Error: `` + ``formatError(input, result)``.  Users (and
gardend's ``check`` command) compare those texts with what they see in Obsidian, so the layout is
reproduced byte for byte here: the banner, the code excerpt with line numbers and caret, and the
sorted list of expectations.

Two details that only matter for exotic input are reproduced on purpose:

* JavaScript strings count UTF-16 code units, so the caret column and the "end of the input" test
  use UTF-16 lengths, while gardend reports positions as Python (code point) indexes.
* parsimmon computes the failing line by splitting on ``\\n`` only, but prints the excerpt from a
  split on ``\\r\\n``, ``\\n``, ``\\r``, U+2028 and U+2029; with lone ``\\r`` or U+2028 in the text the
  excerpt shows a different line than the one counted.  We do the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "KEYWORD_VARIABLE_MESSAGE",
    "DQLNestingError",
    "DQLSyntaxError",
    "format_parse_error",
    "sort_expectations",
]

#: The message Dataview's ``variableField`` fails with for a reserved word.  parsimmon's ``desc``
#: replaces it by ``variable`` in the rendered error, so it only survives as ``DQLSyntaxError.hint``.
KEYWORD_VARIABLE_MESSAGE = (
    "Variable fields cannot be a keyword (FROM or WHERE or LIMIT or GROUP or FLATTEN)"
)

_BANNER = "\n-- PARSING FAILED " + "-" * 50 + "\n\n"
_JS_LINE_SPLIT = re.compile("\r\n|[\n\r\u2028\u2029]")
_LINES_BEFORE = 2
_LINES_AFTER = 3


def _utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, as JavaScript's ``String.length`` counts it."""
    n = len(text)
    if text.isascii():
        return n
    return n + sum(1 for ch in text if ord(ch) > 0xFFFF)


def sort_expectations(expected: Iterable[str]) -> tuple[str, ...]:
    """De-duplicate and sort like JavaScript's default ``Array.prototype.sort`` (UTF-16 order)."""
    return tuple(sorted(set(expected), key=lambda s: s.encode("utf-16-be")))


def _format_got(text: str, position: int) -> str:
    """parsimmon's ``formatGot`` for string input."""
    if position >= len(text):
        return "Got the end of the input"
    before = text[:position].split("\n")
    line_index = len(before) - 1
    column = _utf16_len(before[-1])
    lines = _JS_LINE_SPLIT.split(text)
    first = line_index - _LINES_BEFORE if line_index - _LINES_BEFORE > 0 else 0
    last = min(line_index + _LINES_AFTER, len(lines))
    width = len(str(last))
    out: list[str] = []
    for offset, line in enumerate(lines[first:last]):
        number = first + offset
        is_error_line = number == line_index
        prefix = "> " if is_error_line else "  "
        out.append(f"{prefix}{str(number + 1).rjust(width)} | {line}")
        if is_error_line:
            out.append("  " + " " * width + " | " + " " * column + "^")
    return "\n".join(out)


def _format_expected(expected: tuple[str, ...]) -> str:
    if len(expected) == 1:
        return "Expected:\n\n" + expected[0]
    return "Expected one of the following: \n\n" + ", ".join(expected)


def format_parse_error(text: str, position: int, expected: Iterable[str]) -> str:
    """Return ``Error: `` + parsimmon's ``formatError`` text for a failure at ``position``.

    ``position`` is a Python index into ``text`` (0 … ``len(text)``); ``expected`` is the set of
    parser descriptions that failed there.  The result is what Dataview shows after its
    ``Dataview: `` prefix.
    """
    ordered = sort_expectations(expected)
    return (
        "Error: "
        + _BANNER
        + _format_got(text, position)
        + "\n\n"
        + _format_expected(ordered)
        + "\n"
    )


class DQLSyntaxError(ValueError):
    """A DQL query or expression that Dataview's parser would reject.

    ``str(err)`` is exactly the text Dataview shows after ``Dataview: `` (for a code block) or
    after ``Dataview (inline field '<expr>'): `` (for an inline ``= expr``).  The structured
    attributes serve tools that want to point at the problem themselves:

    * ``position`` – Python index of parsimmon's furthest failure;
    * ``expected`` – sorted, de-duplicated descriptions of what would have been accepted there;
    * ``line`` / ``column`` – 1-based, counted in code points (friendlier than the UTF-16 caret);
    * ``hint`` – an explanation Dataview's message hides (e.g. a reserved word used as a field);
    * ``text`` – the parsed input.
    """

    def __init__(
        self,
        message: str,
        position: int,
        expected: Iterable[str],
        *,
        text: str = "",
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.expected = tuple(expected)
        self.text = text
        self.hint = hint
        before = text[:position]
        self.line = before.count("\n") + 1
        self.column = position - (before.rfind("\n") + 1) + 1

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Keep keyword-only attributes when the error crosses a process boundary (pickling).
        return (
            _rebuild_error,
            (type(self), self.message, self.position, self.expected, self.text, self.hint),
        )


def _rebuild_error(
    cls: type[DQLSyntaxError],
    message: str,
    position: int,
    expected: tuple[str, ...],
    text: str,
    hint: str | None,
) -> DQLSyntaxError:
    return cls(message, position, expected, text=text, hint=hint)


class DQLNestingError(DQLSyntaxError):
    """The input nests deeper than gardend's parser (or its evaluator) supports.

    Dataview itself has no explicit limit: a deep enough input exhausts the JavaScript stack
    (``RangeError: Maximum call stack size exceeded``).  gardend stops earlier, at a fixed and
    documented depth, so that neither the parser nor any recursive consumer of the AST can hit a
    Python ``RecursionError``.  The message uses parsimmon's layout with the reason in place of
    the expectation list.
    """

    def __init__(self, text: str, position: int, limit: int, what: str) -> None:
        reason = f"{what} nests deeper than {limit} levels, which gardend does not support"
        message = "Error: " + _BANNER + _format_got(text, position) + "\n\n" + reason + "\n"
        super().__init__(message, position, (), text=text, hint=reason)
        self.limit = limit
