"""Dataview's Markdown export (dataview.md §5.8, §7 quirk 27)."""

from __future__ import annotations

import pytest
from gardend.daemon.query.results import (
    CalendarResult,
    ListPair,
    ListResult,
    QueryError,
    TableResult,
    TaskGroup,
    TaskItem,
    TaskResult,
)
from gardend.daemon.values import Link, ValueSettings, parse_date_text, use_local_zone
from gardend.renderers.dataview_markdown import (
    MarkdownExportError,
    markdown_list,
    markdown_table,
    to_markdown,
)


def test_table_padding_and_link_escape() -> None:
    result = TableResult(
        ["File", "rating"], [[Link.file("a.md"), 5], [Link.file("Long/Name.md"), None]]
    )
    assert to_markdown(result) == (
        "| File                   | rating |\n"
        "| ---------------------- | ------ |\n"
        "| [[a.md\\|a]]            | 5      |\n"
        "| [[Long/Name.md\\|Name]] | \\-     |\n"
    )


def test_table_exact_layout() -> None:
    text = markdown_table(["h", "x"], [["a", 1], ["bbb", 22]])
    assert text == "| h   | x  |\n| --- | -- |\n| a   | 1  |\n| bbb | 22 |\n"


def test_double_escape_quirk() -> None:
    text = markdown_table(["a|b"], [["x \\| y"], [Link.file("p|q.md")]])
    lines = text.splitlines()
    assert lines[0].startswith("| a\\|b ")
    assert lines[2].startswith("| x \\\\| y ")
    # The path's own "|" is escaped by Link.markdown() and then again by the table escape.
    assert lines[3].startswith("| [[p\\\\|q.md\\|p\\|q]] ")


def test_utf16_width_and_null_setting() -> None:
    text = markdown_table(["e"], [["😀"], [None]], ValueSettings(render_null_as="—"))
    assert text == "| e  |\n| -- |\n| 😀 |\n| —  |\n"


def test_html_cells_and_plain_cells() -> None:
    rows = [[[1, {"k": "v|w"}]]]
    assert markdown_table(["c"], rows).splitlines()[2] == (
        "| <ul><li>1</li><li><ul><li><b>k</b>: v\\\\\\|w</li></ul></li></ul> |"
    )
    assert markdown_table(["c"], rows, allow_html=False).splitlines()[2] == "| 1, { k: v\\|w } |"


def test_header_count_mismatch() -> None:
    with pytest.raises(MarkdownExportError, match=r"number of headers \(1\) must match .*\(2\)"):
        markdown_table(["a"], [[1, 2]])


def test_dates_use_their_own_zone() -> None:
    with use_local_zone("UTC"):
        d = parse_date_text("2021-01-05T00:00:00+05:00")
        assert markdown_table(["d"], [[d]]).splitlines()[2] == "| January 05, 2021 |"


def test_lists() -> None:
    assert markdown_list([Link.file("a/N.md"), 2, None]) == "- [[a/N.md|N]]\n- 2\n- \\-\n"
    # Nested lists are not indented at the top level (quirk); objects become "key: value" items.
    assert markdown_list([[1, 2], {"k": 1}]) == "- - 1\n- 2\n\n- - k: 1\n\n"
    assert to_markdown(ListResult([ListPair(Link.file("n.md"), "v")])) == "- [[n.md|n]]: v\n"
    # A list-pair value that is a list goes one level deeper.
    assert markdown_list([ListPair("k", [1, 2])]) == "- k: \n    - 1\n    - 2\n\n"
    assert to_markdown(ListResult([])) == ""


def _tasks() -> tuple[TaskItem, TaskItem]:
    child = TaskItem("a.md", 2, "child\nmore", status="x", checked=True, parent=1)
    plain = TaskItem("a.md", 3, "plain", task=False, parent=1)
    top = TaskItem("a.md", 1, "top", children=[child, plain])
    return top, child


def test_tasks_nested_and_deduplicated() -> None:
    top, child = _tasks()
    assert to_markdown(TaskResult([top, child])) == (
        "- [ ] top\n    - [x] child more\n    - plain\n"
    )


def test_grouped_tasks_are_indented_quirk() -> None:
    top, child = _tasks()
    result = TaskResult([TaskGroup("g", [TaskGroup(Link.file("a.md"), [top, child])])])
    assert to_markdown(result) == (
        "# g\n\n## [[a.md|a]]\n\n"
        "        - [ ] top\n            - [x] child more\n            - plain\n"
    )


def test_refusals() -> None:
    with pytest.raises(MarkdownExportError, match=r"^Cannot render calendar queries to markdown\.$"):
        to_markdown(CalendarResult([]))
    with pytest.raises(MarkdownExportError, match=r"^Dataview: boom$"):
        to_markdown(QueryError("boom", "table"))
