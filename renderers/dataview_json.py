"""gardend's JSON encoding of query results (dataview.md §8; ``gardend query --format json``).

Programs, tests and conformance checks compare this output, so the shape is fixed by the spec and
every value goes through :func:`gardend.daemon.values.to_result_json`.  Task rows are the flat list
of matching tasks in engine order — the ``children`` the views nest are not part of the encoding.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

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
from ..daemon.values import to_result_json

__all__ = ["dumps", "result_to_json", "task_rows_to_json"]


def _task(item: TaskItem) -> dict[str, Any]:
    return {
        "path": item.path,
        "line": item.line,
        "text": item.text,
        "status": item.status,
        "checked": item.checked,
        "completed": item.completed,
    }


def task_rows_to_json(rows: Sequence[TaskItem] | Sequence[TaskGroup]) -> list[dict[str, Any]]:
    """Task rows, or ``{"key", "rows"}`` groups (nested for repeated GROUP BY)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        if isinstance(row, TaskGroup):
            out.append({"key": to_result_json(row.key), "rows": task_rows_to_json(row.rows)})
        else:
            out.append(_task(row))
    return out


def result_to_json(result: QueryResult) -> dict[str, Any]:
    """The JSON-able object for ``result`` (errors included: ``{"type": "error", …}``)."""
    if isinstance(result, TableResult):
        return {
            "type": "table",
            "headers": list(result.headers),
            "rows": [[to_result_json(v) for v in row] for row in result.rows],
        }
    if isinstance(result, ListResult):
        rows: list[Any] = []
        for row in result.rows:
            if isinstance(row, ListPair):
                rows.append({"id": to_result_json(row.id), "value": to_result_json(row.value)})
            else:
                rows.append(to_result_json(row))
        return {"type": "list", "rows": rows}
    if isinstance(result, TaskResult):
        return {"type": "task", "rows": task_rows_to_json(result.rows)}
    if isinstance(result, CalendarResult):
        return {
            "type": "calendar",
            "rows": [
                {"date": to_result_json(date), "link": to_result_json(link)}
                for date, link in result.rows
            ],
        }
    if isinstance(result, QueryError):
        return {"type": "error", "message": "Dataview: " + result.message}
    raise TypeError(f"not a query result: {type(result).__name__}")


def dumps(result: QueryResult, *, indent: int | None = None) -> str:
    """Serialise ``result``: UTF-8 text as is (no ``\\u`` escapes), strict JSON (non-finite numbers
    are already objects per §8, so ``allow_nan`` is off to catch any that slip through)."""
    return json.dumps(result_to_json(result), ensure_ascii=False, allow_nan=False, indent=indent)
