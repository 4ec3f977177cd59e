"""Dataview's Markdown export (``queryMarkdown``; dataview.md §5.8, §7 quirk 27).

Digital Garden and templates embed query results as Markdown produced by Dataview's exporter, so
gardend reproduces its text exactly, quirks included:

* tables: every ``|`` is escaped to ``\\|`` — already escaped ones too, so ``\\|`` becomes ``\\\\|``
  (Dataview's escape regex is a lookahead that can never see the backslash before the bar);
  columns are right-padded to their widest cell, measured in UTF-16 code units like JavaScript's
  ``String.length``; every row, the last included, ends with ``\\n``;
* lists: a nested list inside a top-level list is not indented (the recursion keeps depth 0), list
  pairs indent their nested values one level;
* tasks: sub-items indented by four spaces per level, grouped results as ``#`` headings with the
  group's items indented one level deeper (which Markdown then shows as a code block).

Values go through :func:`gardend.daemon.values.to_string`; like Dataview, table cells use the
query settings (``renderNullAs``) while list items, list-pair keys and group keys use the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..daemon.query.results import (
    CalendarResult,
    ListPair,
    ListResult,
    QueryError,
    QueryResult,
    TableResult,
    TaskGroup,
    TaskItem,
    TaskResult,
)
from ..daemon.values import DEFAULT_SETTINGS, ListPairWidget, Value, ValueSettings, to_string
from .dataview import nest_items

__all__ = [
    "MarkdownExportError",
    "markdown_list",
    "markdown_table",
    "markdown_task_list",
    "to_markdown",
]

_INDENT = "    "
#: Task trees deeper than this are cut (Python's recursion limit; no real note nests this deep).
_MAX_TASK_DEPTH = 200


class MarkdownExportError(ValueError):
    """A result Dataview's exporter refuses (calendar, mismatched table, failed query).

    ``str(err)`` is the message Dataview's ``queryMarkdown`` fails with.
    """


def _js_len(text: str) -> int:
    """JavaScript ``String.length`` (UTF-16 code units): what Dataview pads columns by."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _escape_table(text: str) -> str:
    return text.replace("|", "\\|")


def _pad(text: str, width: int, fill: str = " ") -> str:
    missing = width - _js_len(text)
    return text + fill * missing if missing > 0 else text


def _raw_cell(value: Value, allow_html: bool, settings: ValueSettings) -> str:
    if not allow_html:
        return to_string(value, settings)
    if isinstance(value, (list, tuple)):
        return "<ul>" + "".join(f"<li>{_cell(v, allow_html, settings)}</li>" for v in value) + "</ul>"
    if isinstance(value, Mapping):
        inner = "".join(
            f"<li><b>{_cell(k, allow_html, settings)}</b>: {_cell(v, allow_html, settings)}</li>"
            for k, v in value.items()
        )
        return f"<ul>{inner}</ul>"
    return to_string(value, settings)


def _cell(value: Value, allow_html: bool, settings: ValueSettings) -> str:
    return _escape_table(_raw_cell(value, allow_html, settings))


def markdown_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Value]],
    settings: ValueSettings = DEFAULT_SETTINGS,
    *,
    allow_html: bool = True,
) -> str:
    """Dataview's ``markdownTable``.  ``allow_html`` is the ``allowHtml`` export setting: lists and
    objects in cells become ``<ul>`` HTML instead of their ``toString`` text."""
    if rows and len(headers) != len(rows[0]):
        raise MarkdownExportError(
            f"The number of headers ({len(headers)}) must match the number of columns "
            f"({len(rows[0])})"
        )
    widths = [_js_len(_escape_table(h)) for h in headers]
    cells: list[list[str]] = []
    for row in rows:
        current = []
        for col, value in enumerate(row):
            text = _cell(value, allow_html, settings)
            current.append(text)
            if col < len(widths):
                widths[col] = max(widths[col], _js_len(text))
            else:  # a ragged row (Dataview would index past its array and print "undefined")
                widths.append(_js_len(text))
        cells.append(current)

    def line(parts: Sequence[str], fill: str = " ") -> str:
        return "| " + " | ".join(_pad(p, widths[i], fill) for i, p in enumerate(parts)) + " |\n"

    out = line([_escape_table(h) for h in headers])
    out += line(["" for _ in widths], "-")
    for current in cells:
        out += line(current)
    return out


def _list_rec(value: Value | ListPair, depth: int) -> str:
    if isinstance(value, (list, tuple)):
        out = "" if depth == 0 else "\n"
        for item in value:
            out += _INDENT * depth + "- " + _list_rec(item, depth) + "\n"
        return out
    if isinstance(value, Mapping):
        out = "" if depth == 0 else "\n"
        for key, item in value.items():
            out += _INDENT * depth + "- " + to_string(key) + ": " + _list_rec(item, depth) + "\n"
        return out
    if isinstance(value, ListPair):
        return to_string(value.id) + ": " + _list_rec(value.value, depth + 1)
    if isinstance(value, ListPairWidget):
        return to_string(value.key) + ": " + _list_rec(value.value, depth + 1)
    return to_string(value)


def markdown_list(rows: Sequence[Value | ListPair]) -> str:
    """Dataview's ``markdownList``: ``- item`` lines (see the module docstring for nesting)."""
    return _list_rec(list(rows), 0)


def markdown_task_list(rows: Sequence[TaskItem] | Sequence[TaskGroup], depth: int = 0) -> str:
    """Dataview's ``markdownTaskList``: ``- [status] text`` lines, children and groups indented."""
    if rows and isinstance(rows[0], TaskGroup):
        out = ""
        for group in rows:
            if isinstance(group, TaskGroup):
                out += "#" * (depth + 1) + " " + to_string(group.key) + "\n\n"
                out += markdown_task_list(group.rows, depth + 1)
        return out
    roots, _ = nest_items([r for r in rows if isinstance(r, TaskItem)])
    return _task_items(roots, depth)


def _task_items(items: Sequence[TaskItem], depth: int) -> str:
    out = ""
    for item in items:
        text = item.text.replace("\n", " ")
        out += _INDENT * depth + "- " + (f"[{item.status}] {text}\n" if item.task else f"{text}\n")
        if item.children and depth + 1 < _MAX_TASK_DEPTH:
            out += _task_items(nest_items(item.children)[0], depth + 1)
    return out


def to_markdown(
    result: QueryResult, settings: ValueSettings = DEFAULT_SETTINGS, *, allow_html: bool = True
) -> str:
    """Export any result like ``queryMarkdown``; raises :class:`MarkdownExportError` for calendars
    and failed queries (whose message is then Dataview's ``Dataview: …`` text)."""
    if isinstance(result, TableResult):
        return markdown_table(result.headers, result.rows, settings, allow_html=allow_html)
    if isinstance(result, ListResult):
        return markdown_list(result.rows)
    if isinstance(result, TaskResult):
        return markdown_task_list(result.rows)
    if isinstance(result, CalendarResult):
        raise MarkdownExportError("Cannot render calendar queries to markdown.")
    if isinstance(result, QueryError):
        raise MarkdownExportError("Dataview: " + result.message)
    raise TypeError(f"not a query result: {type(result).__name__}")
