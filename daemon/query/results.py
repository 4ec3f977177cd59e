"""What a DQL query produces, independent of how it is shown.

Dataview's engine returns one of four result shapes (obsidian-dataview 0.5.70, ``src/api/result.ts``
and ``src/query/engine.ts``; dataview.md §5.8, §8) which its views then render.  gardend keeps the
same split: the engine builds these dataclasses, and every output format (HTML views, Markdown
export, JSON, CSV, terminal tables) is a pure function of them in :mod:`gardend.renderers`.  Keeping
them free of rendering concerns is what lets the CLI, the preview server and the publisher share one
engine run.

The classes are frozen so a result can be cached and shared between renderers without one of them
mutating it; the ``list`` fields are still Python lists (the brief's shape, and what the engine
naturally builds), so results are not hashable — do not put them in sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from ..values import DVDate, Link, Value

__all__ = [
    "PATH_MEANING",
    "CalendarResult",
    "IdMeaning",
    "ListPair",
    "ListResult",
    "QueryError",
    "QueryResult",
    "TableResult",
    "TaskGroup",
    "TaskItem",
    "TaskResult",
]


@dataclass(frozen=True)
class IdMeaning:
    """What the identifier column of a TABLE / the id of a LIST row holds.

    Dataview's ``IdentifierMeaning``: ``{type: "path"}`` (one row per page, the id is the page link)
    or ``{type: "group", name, on}`` (after GROUP BY, the id is the group key; ``on`` is what was
    grouped, itself possibly a group for repeated GROUP BY).  Consumers use it to decide e.g.
    whether the first column is a file (sortable by path, decoratable) or an arbitrary key.
    """

    kind: Literal["path", "group"] = "path"
    #: For groups: the AS name or the GROUP BY expression's source text (§2.5).
    name: str | None = None
    on: IdMeaning | None = None


#: The meaning of an ungrouped query's id: a page link.
PATH_MEANING = IdMeaning()


@dataclass(frozen=True)
class TableResult:
    """A TABLE result: ``headers[i]`` names column ``i`` of every row.

    ``headers`` already contains the id column heading (``File`` or the group name) unless the
    query said ``WITHOUT ID``, in which case ``id_meaning`` is ``None``.  Rows are lists of Dataview
    values (:mod:`gardend.daemon.values`), one per header.
    """

    headers: list[str]
    rows: list[list[Value]]
    id_meaning: IdMeaning | None = PATH_MEANING


@dataclass(frozen=True)
class ListPair:
    """A ``LIST expr`` row: the page link (or group key) and the expression's value.

    Dataview wraps these in a ``list-pair`` widget before rendering; gardend keeps the engine's
    shape and lets each renderer decide (HTML ``key: value``, JSON ``{"id", "value"}``).
    """

    id: Value
    value: Value


@dataclass(frozen=True)
class ListResult:
    """A LIST result: plain values (page links, group keys or ``WITHOUT ID`` values) or pairs."""

    rows: list[Value | ListPair]
    #: What ids mean (``None`` for ``LIST WITHOUT ID``); Dataview's ``primaryMeaning``.
    id_meaning: IdMeaning | None = PATH_MEANING


@dataclass(frozen=True)
class TaskItem:
    """A list item of a TASK result (dataview.md §1.7 ``ListItem.serialize``, §8).

    ``line`` and ``parent`` are 0-based source lines.  ``children`` is the item's *whole* subtree as
    indexed (tasks and plain list items, whether or not they matched WHERE), because Dataview's task
    view shows all of them.  ``parent`` is needed by the views' de-duplication: an item whose parent
    is part of the same result is shown only nested under it (``nestItems``).
    """

    path: str
    line: int
    text: str
    status: str = " "
    checked: bool = False
    completed: bool = False
    children: list[TaskItem] = field(default_factory=list)
    #: False for plain list items (possible among ``children``).
    task: bool = True
    parent: int | None = None


@dataclass(frozen=True)
class TaskGroup:
    """One GROUP BY bucket of a TASK result; ``rows`` nests further groups for repeated GROUP BY."""

    key: Value
    rows: list[TaskItem] | list[TaskGroup]


@dataclass(frozen=True)
class TaskResult:
    """A TASK result: matching tasks in engine order, or (after GROUP BY) a list of groups.

    Every matching task is its own row, subtasks included; nesting a subtask under a parent that is
    also a row is a view step (the renderers do it, like Dataview's ``nestItems``).
    """

    rows: list[TaskItem] | list[TaskGroup]


@dataclass(frozen=True)
class CalendarResult:
    """A CALENDAR result: one ``(date, page link)`` per page whose field held a date."""

    rows: list[tuple[DVDate, Link]]


@dataclass(frozen=True)
class QueryError:
    """A query that failed to parse or run.

    ``message`` is the text Dataview shows *after* ``Dataview: `` (e.g. ``Error: \\n-- PARSING
    FAILED …`` for parse errors); renderers add the prefix.  ``query_type`` (``"table"``,
    ``"list"``, ``"task"``, ``"calendar"`` or ``None`` when the query did not parse) only selects
    the error markup: Dataview's TABLE and LIST views surround the error ``pre`` with two text nodes.
    """

    message: str
    query_type: str | None = None


#: Anything the engine hands to a renderer.
QueryResult: TypeAlias = TableResult | ListResult | TaskResult | CalendarResult | QueryError
