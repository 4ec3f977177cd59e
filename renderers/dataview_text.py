"""Query results as CSV and as an aligned plain-text table for terminals.

Both formats flatten every result kind to one grid (:func:`result_grid`) of ``to_string`` texts
(dataview.md §3.9) — the same text Dataview's Markdown export and ``string()`` use, so what a user
sees in the terminal matches what they would get in a note:

* TABLE: the table's own headers;
* LIST: the id column (``File``, the group name, or ``value`` for ``WITHOUT ID``) and, for
  ``LIST expr``, a ``value`` column;
* TASK: ``path``, ``line`` (0-based, as in JSON), ``status``, ``text``, preceded by one
  ``group N`` column per GROUP BY level;
* CALENDAR: ``date`` and ``File``.

The terminal table additionally makes control characters visible (a field value containing an ANSI
escape sequence must not be able to drive the user's terminal) and measures East Asian wide
characters as two columns.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence

from ..daemon.query.results import (
    CalendarResult,
    IdMeaning,
    ListPair,
    ListResult,
    QueryError,
    QueryResult,
    TableResult,
    TaskGroup,
    TaskItem,
    TaskResult,
)
from ..daemon.values import DEFAULT_SETTINGS, Value, ValueSettings, to_string

__all__ = ["TextExportError", "display_width", "result_grid", "to_csv", "to_text_table"]


class TextExportError(ValueError):
    """The result is a failed query; ``str(err)`` is Dataview's ``Dataview: …`` message."""


def _id_heading(meaning: IdMeaning | None) -> str:
    if meaning is None:
        return "value"
    if meaning.kind == "group" and meaning.name:
        return meaning.name
    return "File"


def _task_depth(rows: Sequence[TaskItem] | Sequence[TaskGroup]) -> int:
    depth = 0
    current: Sequence[TaskItem] | Sequence[TaskGroup] = rows
    while current and isinstance(current[0], TaskGroup):
        depth += 1
        current = current[0].rows
    return depth


def _task_rows(
    rows: Sequence[TaskItem] | Sequence[TaskGroup],
    keys: list[str],
    levels: int,
    out: list[list[str]],
    settings: ValueSettings,
) -> None:
    for row in rows:
        if isinstance(row, TaskGroup):
            _task_rows(row.rows, [*keys, to_string(row.key, settings)], levels, out, settings)
        else:
            padded = keys + [""] * (levels - len(keys))
            out.append([*padded, row.path, str(row.line), row.status, row.text])


def result_grid(
    result: QueryResult, settings: ValueSettings = DEFAULT_SETTINGS
) -> tuple[list[str], list[list[str]]]:
    """``(headers, rows)`` of strings for any successful result (see the module docstring)."""

    def text(v: Value) -> str:
        return to_string(v, settings)

    if isinstance(result, TableResult):
        return list(result.headers), [[text(v) for v in row] for row in result.rows]
    if isinstance(result, ListResult):
        id_heading = _id_heading(result.id_meaning)
        if any(isinstance(r, ListPair) for r in result.rows):
            rows = [
                [text(r.id), text(r.value)] if isinstance(r, ListPair) else ["", text(r)]
                for r in result.rows
            ]
            return [id_heading, "value"], rows
        return [id_heading], [[text(r)] for r in result.rows]
    if isinstance(result, TaskResult):
        levels = _task_depth(result.rows)
        grid: list[list[str]] = []
        _task_rows(result.rows, [], levels, grid, settings)
        headers = [f"group {n}" for n in range(1, levels + 1)]
        return [*headers, "path", "line", "status", "text"], grid
    if isinstance(result, CalendarResult):
        return ["date", "File"], [[text(d), text(link)] for d, link in result.rows]
    if isinstance(result, QueryError):
        raise TextExportError("Dataview: " + result.message)
    raise TypeError(f"not a query result: {type(result).__name__}")


def to_csv(result: QueryResult, settings: ValueSettings = DEFAULT_SETTINGS) -> str:
    """RFC 4180 CSV (``\\r\\n`` line ends, minimal quoting) with a header row."""
    headers, rows = result_grid(result, settings)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue()


def _visible(text: str) -> str:
    """One terminal line: line breaks as ``⏎``, other control characters as ``\\xNN``."""
    out = []
    for ch in text:
        if ch in "\r\n":
            out.append("⏎" if ch == "\n" else "")
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200d":
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide/fullwidth characters count 2, combining marks 0."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch == "\u200d":
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _truncate(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def to_text_table(
    result: QueryResult,
    settings: ValueSettings = DEFAULT_SETTINGS,
    *,
    max_column_width: int | None = 60,
    show_count: bool = True,
) -> str:
    """An aligned table: header, ``-+-`` rule, rows, and a ``N results`` footer.

    Cells wider than ``max_column_width`` columns are cut with ``…`` (``None``: never cut).
    """
    headers, rows = result_grid(result, settings)
    cells = [[_visible(c) for c in row] for row in [headers, *rows]]
    if max_column_width is not None:
        cells = [[_truncate(c, max(max_column_width, 2)) for c in row] for row in cells]
    ncols = max(len(r) for r in cells)
    widths = [0] * ncols
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], display_width(c))

    def line(row: Sequence[str]) -> str:
        parts = [c + " " * (widths[i] - display_width(c)) for i, c in enumerate(row)]
        return " | ".join(parts).rstrip()

    out = [line(cells[0]), "-+-".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells[1:])
    if show_count:
        out.append(f"{len(rows)} result" + ("" if len(rows) == 1 else "s"))
    return "\n".join(out) + "\n"
