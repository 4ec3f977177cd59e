"""Machine-readable result formats: §8 JSON, plus CSV and the terminal table (dataview_text)."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from gardend.daemon.query.results import (
    CalendarResult,
    IdMeaning,
    ListPair,
    ListResult,
    QueryError,
    TableResult,
    TaskGroup,
    TaskItem,
    TaskResult,
)
from gardend.daemon.values import Duration, Link, parse_date_text, use_local_zone
from gardend.renderers.dataview_json import dumps, result_to_json
from gardend.renderers.dataview_text import (
    TextExportError,
    display_width,
    result_grid,
    to_csv,
    to_text_table,
)

LINK_A = {"link": "a.md", "display": None, "subpath": None, "type": "file", "embed": False}


def test_table() -> None:
    result = TableResult(["File", "n", "x"], [[Link.file("a.md"), 1.5, math.inf]])
    assert result_to_json(result) == {
        "type": "table",
        "headers": ["File", "n", "x"],
        "rows": [[LINK_A, 1.5, {"number": "Infinity"}]],
    }


def test_list_plain_and_pairs() -> None:
    assert result_to_json(ListResult([Link.file("a.md")])) == {"type": "list", "rows": [LINK_A]}
    pairs = ListResult([ListPair(Link.file("a.md"), [1, None])])
    assert result_to_json(pairs) == {"type": "list", "rows": [{"id": LINK_A, "value": [1, None]}]}


def test_tasks_flat_and_grouped() -> None:
    child = TaskItem("a.md", 2, "c", status="x", checked=True, completed=True, parent=1)
    top = TaskItem("a.md", 1, "t", children=[child])
    row_top = {"path": "a.md", "line": 1, "text": "t", "status": " ", "checked": False,
               "completed": False}
    row_child = {"path": "a.md", "line": 2, "text": "c", "status": "x", "checked": True,
                 "completed": True}
    assert result_to_json(TaskResult([top, child])) == {"type": "task", "rows": [row_top, row_child]}
    grouped = TaskResult([TaskGroup("g", [TaskGroup(Link.file("a.md"), [top])])])
    assert result_to_json(grouped) == {
        "type": "task",
        "rows": [{"key": "g", "rows": [{"key": LINK_A, "rows": [row_top]}]}],
    }


def test_calendar_and_values() -> None:
    with use_local_zone("UTC"):
        result = CalendarResult([(parse_date_text("2024-03-11"), Link.file("a.md"))])
        assert result_to_json(result) == {
            "type": "calendar",
            "rows": [{"date": {"date": "2024-03-11T00:00:00.000+00:00"}, "link": LINK_A}],
        }
    table = TableResult(["d"], [[Duration(hours=1)], [{"k": print}]])
    assert result_to_json(table)["rows"] == [
        [{"duration": {"hours": 1}}],
        [{"object": {"k": {"function": True}}}],
    ]


def test_error() -> None:
    assert result_to_json(QueryError("Error: \n-- PARSING FAILED")) == {
        "type": "error",
        "message": "Dataview: Error: \n-- PARSING FAILED",
    }


def test_dumps_is_strict_utf8_json() -> None:
    text = dumps(TableResult(["é"], [[math.nan]]))
    assert text == '{"type": "table", "headers": ["é"], "rows": [[{"number": "NaN"}]]}'
    assert json.loads(dumps(ListResult([]), indent=2)) == {"type": "list", "rows": []}


def test_unknown_result_type() -> None:
    with pytest.raises(TypeError):
        result_to_json("not a result")  # type: ignore[arg-type]


# ---- CSV and terminal tables --------------------------------------------------------------------


def test_csv_round_trips_through_csv_module() -> None:
    result = TableResult(["File", "note"], [[Link.file("a.md"), 'say "hi",\nbye'], [None, 3]])
    text = to_csv(result)
    assert list(csv.reader(io.StringIO(text))) == [
        ["File", "note"],
        ["[[a.md|a]]", 'say "hi",\nbye'],
        ["\\-", "3"],
    ]


def test_grids_for_each_result_kind() -> None:
    assert result_grid(ListResult([Link.file("a.md")])) == (["File"], [["[[a.md|a]]"]])
    assert result_grid(ListResult([1], id_meaning=None)) == (["value"], [["1"]])
    grouped_list = ListResult(
        [ListPair("k", 1)], id_meaning=IdMeaning("group", "status", IdMeaning())
    )
    assert result_grid(grouped_list) == (["status", "value"], [["k", "1"]])
    task = TaskItem("a.md", 4, "do", status="x")
    assert result_grid(TaskResult([TaskGroup("g", [task])])) == (
        ["group 1", "path", "line", "status", "text"],
        [["g", "a.md", "4", "x", "do"]],
    )
    with pytest.raises(TextExportError, match=r"^Dataview: boom$"):
        result_grid(QueryError("boom"))


def test_text_table_alignment_and_control_characters() -> None:
    result = TableResult(["File", "v"], [[Link.file("日本.md"), "a\x1b[2Jb\nc"], [1, None]])
    assert to_text_table(result) == (
        "File             | v\n"
        "-----------------+------------\n"
        "[[日本.md|日本]] | a\\x1b[2Jb⏎c\n"
        "1                | \\-\n"
        "2 results\n"
    )
    assert display_width("日本a") == 5


def test_text_table_truncates() -> None:
    text = to_text_table(TableResult(["x"], [["abcdefgh"]]), max_column_width=4, show_count=False)
    assert text == "x\n----\nabc…\n"
