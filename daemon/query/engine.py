"""Running a parsed DQL query over the index, step by step as Dataview's engine does.

Sources are resolved through the index (:mod:`.sources`), the matching notes become page objects
(:mod:`.pages`), and the query's commands run strictly in written order with Dataview's error
policy: a row whose expression fails is dropped; when *every* incoming row of a step fails, the
whole query fails with Dataview's message (dataview.md §2.4). The result is one of the
:mod:`.results` dataclasses, which every output format renders.
"""

from __future__ import annotations

import heapq
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cmp_to_key
from typing import Any, TypeVar

from ..index import Index
from ..values import (
    DVDate,
    Link,
    Value,
    ValueSettings,
    fast_sort_key,
    is_number,
    is_truthy,
    js_number_str,
    type_name,
)
from . import ast
from .errors import DQLSyntaxError
from .evaluator import EvaluationError, Evaluator, ensure_stack_headroom
from .pages import PageStore
from .parser import parse_expression, parse_query
from .results import (
    PATH_MEANING,
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
from .sources import SourceError, is_published_path, note_ids_for_source, published_note_ids

MAX_ROWS = 200_000
"""A FLATTEN that would produce more rows than this fails instead of exhausting memory (each
flattened row is a copy of its page's field map, roughly a kilobyte)."""


_NOTE_DEPENDENT = re.compile(r"\bthis\b|\[\[|\blink\s*\(", re.IGNORECASE)
"""Query text whose result can depend on the querying note: ``this``, link literals and
``link()`` (both resolve relative to the note)."""


class QueryReads:
    """What queries read, collected while they run: the publish compile cache keeps it so a
    cached result is reused only while nothing it read has changed (daemon/publish/cache.py).

    For one query: ``candidates`` is the ``FROM`` set as vault paths, or ``None`` when the query
    read every note (no ``FROM``); ``derefs`` are notes reached through links (``[[X]].field``).
    The object a caller attaches to :attr:`QueryEngine.reads` also collects ``runs`` — one
    ``(text, this path, reads)`` per block query — and the ``inline`` query texts, whose reads of
    other notes land in its own ``derefs``."""

    def __init__(self) -> None:
        self.candidates: set[str] | None = set()
        self.derefs: set[str] = set()
        self.failed = False
        self.runs: list[tuple[str, str | None, QueryReads]] = []
        self.inline: list[str] = []

    @property
    def empty(self) -> bool:
        return not (self.runs or self.inline)


class QueryFailed(Exception):
    """A query Dataview would report as failed; ``message`` is shown after ``Dataview: ``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class Row:
    id: Value
    data: dict[str, Any]


@dataclass
class QuerySettings:
    """The Dataview settings the engine itself uses (dataview.md §6), plus gardend's time budget."""

    table_id_column_name: str = "File"
    values: ValueSettings = field(default_factory=ValueSettings)
    timeout_s: float = 30.0
    """A query still running after this long fails with a clear message instead of hanging."""


class _Deadline:
    """Checked between rows: a pathological query stops instead of occupying the daemon."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.count = 0

    def check(self) -> None:
        self.count += 1
        if self.count & 63 == 0 and time.monotonic() > self.end:
            raise QueryFailed(f"query took longer than {self.seconds:g} s and was stopped")


class QueryEngine:
    """Answers DQL queries over one index. Create one per index; it caches page objects."""

    def __init__(
        self,
        index: Index,
        settings: QuerySettings | None = None,
        *,
        published_only: bool = False,
        share_results: bool = False,
        pages: PageStore | None = None,
    ) -> None:
        self.index = index
        self.settings = settings or QuerySettings()
        self.published_only = published_only
        """Publishing hook (digital-garden.md §9 row 3): when set, FROM sources yield only notes
        flagged ``dg-publish`` and links to unpublished notes dereference to nothing, so a
        published query can never read a private note's rows or fields."""
        self.pages = pages if pages is not None else PageStore(index)
        self._deadline = _Deadline(self.settings.timeout_s)
        self._shared: dict[str, tuple[QueryResult, QueryReads]] | None = {} if share_results else None
        """With ``share_results`` (a publish run or a site build, over an index that does not change
        meanwhile), a query whose result cannot depend on the note it is written in runs once."""
        self.reads: QueryReads | None = None
        """When set (by the publish compile cache), every query run adds what it read here."""

    # -- public API ------------------------------------------------------------------------------
    def apply_changes(self, changed_paths: list[str]) -> int:
        """Call after the index changed (e.g. from the watcher's batch callback)."""
        return self.pages.invalidate(changed_paths)

    def run(self, text: str, this_path: str | None = None) -> QueryResult:
        """Parse and execute; failures come back as :class:`QueryError` (never raised)."""
        outer = self.reads
        if outer is None and self._shared is None:
            return self._run(text, this_path)  # nobody keeps what the query reads
        reads = self.reads = QueryReads()
        try:
            if self._shared is not None and not _NOTE_DEPENDENT.search(text):
                cached = self._shared.get(text)
                if cached is None:
                    result = self._run(text, this_path)
                    reads.failed = isinstance(result, QueryError)
                    cached = self._shared[text] = (result, reads)
                result, reads = cached
            else:
                result = self._run(text, this_path)
                reads.failed = isinstance(result, QueryError)
        finally:
            self.reads = outer
        if outer is not None:
            outer.runs.append((text, this_path, reads))
        return result

    def _run(self, text: str, this_path: str | None) -> QueryResult:
        try:
            query = parse_query(text)
        except DQLSyntaxError as exc:
            return QueryError(str(exc), None)
        try:
            return self.execute(query, this_path)
        except QueryFailed as exc:
            return QueryError(exc.message, query.header.kind)

    def evaluate_inline(self, text: str, this_path: str | None) -> Value:
        """An inline ``= expr`` query (``text`` without the ``=``).

        Raises :class:`QueryFailed` whose message is the *complete* text Dataview shows (§2.7):
        ``Dataview (inline field '<expr>'): Error: …`` for parse errors and
        ``Dataview (for inline query '= <expr>'): <error>`` for evaluation errors.
        """
        if self.reads is not None:
            self.reads.inline.append(text)
        try:
            expr = parse_expression(text)
        except DQLSyntaxError as exc:
            raise QueryFailed(f"Dataview (inline field '{text}'): {exc}") from exc
        evaluator = self._evaluator(this_path)
        try:
            return evaluator.evaluate(expr, {}, self._this(this_path))
        except EvaluationError as exc:
            raise QueryFailed(f"Dataview (for inline query '= {text}'): {exc}") from exc

    def execute(self, query: ast.Query, this_path: str | None = None) -> QueryResult:
        self._deadline = _Deadline(self.settings.timeout_s)
        this = {"this": self._this(this_path)}  # the globals every expression sees
        evaluator = self._evaluator(this_path)
        try:
            ids = note_ids_for_source(self.index, query.source, this_path, self.pages.names)
        except SourceError as exc:
            raise QueryFailed(str(exc)) from exc
        if self.published_only:
            ids &= published_note_ids(self.index)
        paths = self.pages.paths()
        if self.reads is not None and self.reads.candidates is not None:
            if query.has_from:
                self.reads.candidates.update(paths[i] for i in ids if i in paths)
            else:
                self.reads.candidates = None
        ordered = sorted(ids, key=lambda i: paths.get(i, ""))
        header = query.header
        operations = query.operations
        if isinstance(header, ast.TaskHeader):
            rows = self._task_rows(ordered)
        else:
            pages = self.pages.pages(ordered)
            # Leading WHERE steps filter the page objects before rows are made of them.
            ensure_stack_headroom()  # for the row function calls of _where (they skip it)
            while operations and isinstance(operations[0], ast.WhereStep):
                pages = self._where(pages, pages, operations[0], evaluator, this)
                operations = operations[1:]
            # A page's own ``file.link`` is ``Link.file(file.path)``, built once with the page.
            rows = [Row(dict.__getitem__(page["file"], "link"), page) for page in pages]
        rows, meaning = self._execute_core(rows, operations, evaluator, this)
        if isinstance(header, ast.TableHeader):
            return self._table(header, rows, meaning, evaluator, this)
        if isinstance(header, ast.ListHeader):
            return self._list(header, rows, meaning, evaluator, this)
        if isinstance(header, ast.TaskHeader):
            return TaskResult(_task_groupings(meaning, [r.data for r in rows]))
        if isinstance(header, ast.CalendarHeader):
            fields = {"target": header.field.expr}
            extracted = self._extract(rows, fields, evaluator, this)
            return CalendarResult(
                [(data["target"], rows_id) for rows_id, data in extracted if isinstance(data["target"], DVDate)]
            )
        raise QueryFailed(f"Unrecognized query type '{getattr(header, 'kind', header)}'")

    # -- helpers ---------------------------------------------------------------------------------
    def _this(self, this_path: str | None) -> dict[str, Any]:
        if not this_path:
            return {}
        if self.reads is not None:
            self.reads.derefs.add(this_path)
        return self.pages.page_for_path(this_path) or {}

    def _evaluator(self, this_path: str | None) -> Evaluator:
        origin = this_path or ""
        names = self.pages.names

        def resolve_page(link: Link) -> dict[str, Any] | None:
            target = names.resolve_path(link.path, origin) if link.path else (this_path or None)
            if target is None:
                return None
            if self.reads is not None:
                self.reads.derefs.add(target)
            if self.published_only and target != this_path and not is_published_path(self.index, target):
                return None
            return self.pages.page_for_path(target)

        def normalize(path: str) -> str:
            return names.resolve_path(path, origin) or path

        return Evaluator(link_resolver=resolve_page, link_path_resolver=normalize, settings=self.settings.values)

    def _task_rows(self, ids: list[int]) -> list[Row]:
        rows: list[Row] = []
        for page in self.pages.pages(ids):
            file = page["file"]
            path = file["path"]
            for task in file["tasks"]:
                # Dataview deep-copies each task; a shallow copy is enough here because no step
                # mutates values in place (FLATTEN and GROUP BY build new row objects). The task's
                # keys come first, then the page's other keys; the task's values win.
                data = {**task, **page, **task}
                rows.append(Row(f"{path}#{task['line']}", data))
        return rows

    def _execute_core(
        self, rows: list[Row], operations: tuple[ast.Operation, ...], ev: Evaluator, this: dict[str, Any]
    ) -> tuple[list[Row], IdMeaning]:
        meaning: IdMeaning = PATH_MEANING
        tick = self._deadline.check
        ensure_stack_headroom()  # for every row function call below (they skip it)
        for position, op in enumerate(operations):
            incoming = len(rows)
            errors: list[str] = []
            if isinstance(op, ast.WhereStep):
                rows = self._where(rows, [row.data for row in rows], op, ev, this)
            elif isinstance(op, ast.SortStep):
                tagged: list[tuple[list[Value], Row]] = []
                key_functions = [ev.row_function(k.expr) for k in op.fields]
                for row in rows:
                    tick()
                    try:
                        keys = [key(row.data, this) for key in key_functions]
                    except EvaluationError as exc:
                        errors.append(str(exc))
                        continue
                    tagged.append((keys, row))
                factors = [1 if k.direction == "ascending" else -1 for k in op.fields]
                following = operations[position + 1] if position + 1 < len(operations) else None
                rows = _sorted_rows(tagged, factors, ev, _literal_limit(following))
            elif isinstance(op, ast.LimitStep):
                try:
                    amount = ev.evaluate_with(op.amount, {}, this)
                except EvaluationError as exc:
                    raise QueryFailed(f"Failed to execute 'limit' statement: {exc}") from exc
                if not is_number(amount):
                    raise QueryFailed(
                        "Failed to execute 'limit' statement: limit should be a number, but got "
                        f"'{type_name(amount)}' ({_js_template(amount)})"
                    )
                rows = rows[: _js_slice_end(amount, len(rows))]
            elif isinstance(op, ast.GroupStep):
                keyed: list[tuple[Value, Row]] = []
                group_key = ev.row_function(op.field.expr)
                for row in rows:
                    tick()
                    try:
                        keyed.append((group_key(row.data, this), row))
                    except EvaluationError as exc:
                        errors.append(str(exc))
                keyed = _sort_keyed(keyed, ev)
                groups: list[dict[str, Any]] = []
                for key, row in keyed:
                    if groups and ev.compare(key, groups[-1]["key"]) == 0:
                        groups[-1]["rows"].append(row.data)
                    else:
                        groups.append({"key": key, "rows": [row.data], op.field.name: key})
                rows = [Row(g["key"], g) for g in groups]
                meaning = IdMeaning("group", op.field.name, meaning)
            elif isinstance(op, ast.FlattenStep):
                flat: list[Row] = []
                flattened = ev.row_function(op.field.expr)
                for row in rows:
                    tick()
                    try:
                        value = flattened(row.data, this)
                    except EvaluationError as exc:
                        errors.append(str(exc))
                        continue
                    for element in value if isinstance(value, list) else [value]:
                        data = dict(row.data)
                        data[op.field.name] = element
                        flat.append(Row(row.id, data))
                        if len(flat) > MAX_ROWS:
                            raise QueryFailed(f"FLATTEN produced more than {MAX_ROWS:,} rows; stopped")
                rows = flat
                if meaning.kind == "group" and meaning.name == op.field.name and meaning.on is not None:
                    meaning = meaning.on
            elif isinstance(op, ast.LateFromStep):
                raise QueryFailed(op.error_message)
            else:  # pragma: no cover - the parser produces nothing else
                raise QueryFailed(f"Unrecognized query operation '{getattr(op, 'kind', op)}'")
            _fail_when_every_row_failed(op, errors, incoming)
        return rows, meaning

    def _where(
        self, items: list[_T], data: list[Any], op: ast.WhereStep, ev: Evaluator, this: dict[str, Any]
    ) -> list[_T]:
        """The items whose row data (``data``, same positions) satisfies the clause.

        The caller has called :func:`ensure_stack_headroom`."""
        tick = self._deadline.check
        clause = ev.row_function(op.clause)
        kept: list[_T] = []
        errors: list[str] = []
        for item, row_data in zip(items, data, strict=True):
            tick()
            try:
                if is_truthy(clause(row_data, this)):
                    kept.append(item)
            except EvaluationError as exc:
                errors.append(str(exc))
        _fail_when_every_row_failed(op, errors, len(items))
        return kept

    def _extract(
        self, rows: list[Row], fields: dict[str, ast.Expr], ev: Evaluator, this: dict[str, Any]
    ) -> list[tuple[Value, dict[str, Value]]]:
        out: list[tuple[Value, dict[str, Value]]] = []
        errors: list[str] = []
        functions = [(name, ev.row_function(expr)) for name, expr in fields.items()]
        ensure_stack_headroom()  # for the row function calls below (they skip it)
        for row in rows:
            self._deadline.check()
            values: dict[str, Value] = {}
            try:
                for name, function in functions:
                    values[name] = function(row.data, this)
            except EvaluationError as exc:
                errors.append(str(exc))
                continue
            out.append((row.id, values))
        if errors and len(errors) >= len(rows):
            listed = "\n".join("- " + m for m in errors[:3])
            raise QueryFailed(
                f"Every row during final data extraction failed with an error; first {max(len(errors), 3)}:"
                f"\n\n            {listed}"
            )
        return out

    def _table(
        self, header: ast.TableHeader, rows: list[Row], meaning: IdMeaning, ev: Evaluator, this: dict[str, Any]
    ) -> TableResult:
        fields = {f.name: f.expr for f in header.fields}
        extracted = self._extract(rows, fields, ev, this)
        names = [f.name for f in header.fields]
        if header.show_id:
            id_name = meaning.name if meaning.kind == "group" and meaning.name else self.settings.table_id_column_name
            return TableResult(
                [id_name, *names],
                [[row_id, *(values.get(n) for n in names)] for row_id, values in extracted],
                meaning,
            )
        return TableResult(names, [[values.get(n) for n in names] for _, values in extracted], None)

    def _list(
        self, header: ast.ListHeader, rows: list[Row], meaning: IdMeaning, ev: Evaluator, this: dict[str, Any]
    ) -> ListResult:
        if header.expr is None:
            self._extract(rows, {}, ev, this)
            return ListResult([row.id for row in rows], meaning)
        extracted = self._extract(rows, {"target": header.expr}, ev, this)
        if header.show_id:
            return ListResult([ListPair(row_id, values.get("target")) for row_id, values in extracted], meaning)
        return ListResult([values.get("target") for _, values in extracted], None)


_T = TypeVar("_T")


def _fail_when_every_row_failed(op: ast.Operation, errors: list[str], incoming: int) -> None:
    if errors and len(errors) >= incoming:
        listed = "\n".join("- " + m for m in errors[:3])
        raise QueryFailed(
            f"Every row during operation '{op.kind}' failed with an error; first {min(3, len(errors))}:"
            f"\n\n                {listed}"
        )


def _literal_limit(op: ast.Operation | None) -> int | None:
    """How many rows a ``LIMIT`` step right after a sort keeps, when that is known beforehand:
    its amount is a literal non-negative finite number (``rows.slice(0, n)`` keeps the first n).
    A negative amount counts from the end and keeps a number that depends on the row count."""
    if not isinstance(op, ast.LimitStep) or type(op.amount) is not ast.Literal:
        return None
    amount = op.amount.value
    if type(amount) is int or (type(amount) is float and math.isfinite(amount)):
        n = int(amount)  # type: ignore[arg-type]
        return n if n >= 0 else None
    return None


def _sorted_rows(
    tagged: list[tuple[list[Value], Row]], factors: list[int], ev: Evaluator, limit: int | None = None
) -> list[Row]:
    """Stable sort on several keys with Dataview's order; ``factors`` are 1 (ASC) or -1 (DESC).

    When every key has a plain tuple form (:func:`fast_sort_key`), rows are sorted in C: by the
    keys together when all run the same way, else one stable pass per key from the last to the
    first; otherwise the comparator is used. ``limit`` (a ``LIMIT`` that follows) may cut the
    result to its first ``limit`` rows: those are then picked with a heap, which returns exactly
    the first rows of the stable sort (``heapq.nsmallest`` is ``sorted(...)[:n]``).
    """
    normalize = ev.normalize_link_path
    fast: list[Any] = []
    if len(factors) == 1:
        for values, _row in tagged:
            key = fast_sort_key(values[0], normalize)
            if key is None:
                break
            fast.append(key)
    else:
        for values, _row in tagged:
            keys = tuple(fast_sort_key(v, normalize) for v in values)
            if None in keys:
                break
            fast.append(keys)
    if len(fast) == len(tagged):
        order: list[int] = list(range(len(tagged)))
        if len(set(factors)) == 1:
            descending = factors[0] < 0
            if limit is not None and limit < len(order):
                pick = heapq.nlargest if descending else heapq.nsmallest
                order = pick(limit, order, key=fast.__getitem__)
            else:
                order.sort(key=fast.__getitem__, reverse=descending)
        else:
            for i in reversed(range(len(factors))):
                order.sort(key=lambda r, i=i: fast[r][i], reverse=factors[i] < 0)
        return [tagged[r][1] for r in order]

    def order(a: tuple[list[Value], Row], b: tuple[list[Value], Row]) -> int:
        for i, factor in enumerate(factors):
            c = ev.compare(a[0][i], b[0][i])
            if c:
                return factor if c > 0 else -factor
        return 0

    tagged.sort(key=cmp_to_key(order))
    return [row for _, row in tagged]


def _sort_keyed(keyed: list[tuple[Value, Row]], ev: Evaluator) -> list[tuple[Value, Row]]:
    """GROUP BY's stable ascending sort by key (fast path as in :func:`_sorted_rows`)."""
    normalize = ev.normalize_link_path
    keys = [fast_sort_key(k, normalize) for k, _ in keyed]
    if all(k is not None for k in keys):
        order = sorted(range(len(keyed)), key=lambda i: keys[i])  # type: ignore[arg-type,return-value]
        return [keyed[i] for i in order]
    return sorted(keyed, key=cmp_to_key(lambda a, b: _lt_gt(a[0], b[0], ev)))


def _lt_gt(a: Value, b: Value, ev: Evaluator) -> int:
    """Dataview's comparator for SORT and GROUP BY: ``<`` first, then ``>``, else equal."""
    c = ev.compare(a, b)
    return -1 if c < 0 else (1 if c > 0 else 0)


def _js_slice_end(amount: int | float, length: int) -> int:
    """``rows.slice(0, n)``: fractional n truncated toward zero, negative counts from the end."""
    if amount != amount:  # NaN
        return 0
    if amount == float("inf"):
        return length
    if amount == float("-inf"):
        return 0
    n = int(amount)
    return max(0, length + n) if n < 0 else n


def _js_template(value: Value) -> str:
    """``${value}`` in a JS template literal (used in the LIMIT error message)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return js_number_str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(_js_template(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _task_groupings(meaning: IdMeaning, rows: list[dict[str, Any]]) -> list[TaskItem] | list[TaskGroup]:
    if meaning.kind == "group" and meaning.on is not None:
        key = meaning.name or "key"
        return [TaskGroup(r.get(key), _task_groupings(meaning.on, r.get("rows", []))) for r in rows]
    return [_task_item(r) for r in rows]


def _task_item(data: dict[str, Any]) -> TaskItem:
    return TaskItem(
        path=data.get("path", ""),
        line=int(data.get("line", 0)),
        text=str(data.get("text", "")),
        status=data.get("status", " ") if data.get("task") else " ",
        checked=bool(data.get("checked", False)),
        completed=bool(data.get("completed", False)),
        children=[_task_item(c) for c in data.get("children", [])],
        task=bool(data.get("task", False)),
        parent=data.get("parent"),
    )


EngineFactory = Callable[[Index], QueryEngine]
