"""Typed AST of the Dataview Query Language (DQL), as Dataview 0.5.70's parser builds it.

The node shapes mirror Dataview's own objects (``Field`` in src/expression/field.ts, ``Source`` in
src/data-index/source.ts, ``Query`` in src/query/query.ts) so that the evaluator and engine can be
read side by side with Dataview's code; each class carries Dataview's ``type`` string as
:attr:`kind`.  All nodes are frozen dataclasses: a parsed query is a value that can be cached,
compared and shared between threads.

Literal values:

* ``None`` – ``null``;
* ``bool`` – ``true`` / ``false``;
* ``int`` / ``float`` – numbers.  Dataview numbers are JavaScript doubles; like the rest of gardend
  (``values.clean_number``) a safe integer is stored as ``int`` (so it prints and serialises as
  ``1``, not ``1.0``), any other value as ``float``; the literal ``-0`` stays ``-0.0``;
* ``str`` – strings, already unescaped (only ``\\"`` and ``\\\\`` are escapes, §3.2);
* ``Link`` / ``DVDate`` / ``Duration`` from :mod:`gardend.daemon.values` – link literals, and the
  *values* of ``date(...)`` / ``dur(...)`` literals (evaluated at parse time, like Dataview).

:func:`to_dql` renders any node back to DQL text that re-parses to an equal node.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Union

if TYPE_CHECKING:
    from ..values import Duration, DVDate, Link

__all__ = [
    "BINARY_OPERATORS",
    "BinaryOp",
    "BinaryOpSource",
    "CalendarHeader",
    "CsvSource",
    "Expr",
    "FlattenStep",
    "FolderSource",
    "FunctionCall",
    "GroupStep",
    "Header",
    "Index",
    "Lambda",
    "LateFromStep",
    "LimitStep",
    "LinkSource",
    "ListExpr",
    "ListHeader",
    "Literal",
    "NamedField",
    "Negated",
    "NegatedSource",
    "ObjectExpr",
    "Operation",
    "Query",
    "SortKey",
    "SortStep",
    "Source",
    "TableHeader",
    "TagSource",
    "TaskHeader",
    "Variable",
    "WhereStep",
    "expr_children",
    "expr_depth",
    "strip_newlines",
    "to_dql",
]

LiteralValue = Union[None, bool, int, float, str, "Link", "DVDate", "Duration"]

#: Binary operators as they appear in the AST (``and``/``or`` are stored as ``&``/``|``, as in
#: Dataview), mapped to their precedence level (1 binds tightest).
BINARY_OPERATORS: dict[str, int] = {
    "*": 1,
    "/": 1,
    "%": 1,
    "+": 2,
    "-": 2,
    ">=": 3,
    "<=": 3,
    "!=": 3,
    "=": 3,
    ">": 3,
    "<": 3,
    "&": 4,
    "|": 4,
}


# --------------------------------------------------------------------------------------------
# Expressions (Dataview "fields")
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Literal:
    """A constant.  ``source`` is the literal's DQL text for links, dates and durations.

    ``source`` is kept because those values cannot be printed back losslessly without knowing the
    value classes (and ``date(today)`` must print as ``date(today)``, not as a fixed date); it does
    not take part in equality.  Equality is type-strict (``Literal(1) != Literal(True)``), unlike
    Python's ``1 == True``.
    """

    value: LiteralValue
    source: str | None = None
    kind: ClassVar[str] = "literal"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Literal):
            return NotImplemented
        return type(self.value) is type(other.value) and bool(self.value == other.value)

    def __hash__(self) -> int:
        try:
            value_hash = hash(self.value)
        except TypeError:  # value classes that are not hashable still give a usable hash
            value_hash = 0
        return hash((Literal, type(self.value).__name__, value_hash))


@dataclass(frozen=True, slots=True)
class Variable:
    """A field lookup by name (row data first, then globals such as ``this``)."""

    name: str
    kind: ClassVar[str] = "variable"


@dataclass(frozen=True, slots=True)
class BinaryOp:
    """``left op right``; ``op`` is one of :data:`BINARY_OPERATORS` (``and`` → ``&``, ``or`` → ``|``)."""

    left: Expr
    op: str
    right: Expr
    kind: ClassVar[str] = "binaryop"


@dataclass(frozen=True, slots=True)
class Negated:
    """``!child`` – logical not of the child's truthiness."""

    child: Expr
    kind: ClassVar[str] = "negated"


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """``func(arguments...)``.  A plain :class:`Variable` callee names a built-in function."""

    func: Expr
    arguments: tuple[Expr, ...]
    kind: ClassVar[str] = "function"


@dataclass(frozen=True, slots=True)
class Index:
    """``object.name`` (index is a string :class:`Literal`) or ``object[index]``."""

    object: Expr
    index: Expr
    kind: ClassVar[str] = "index"


@dataclass(frozen=True, slots=True)
class Lambda:
    """``(arguments...) => value``."""

    arguments: tuple[str, ...]
    value: Expr
    kind: ClassVar[str] = "lambda"


@dataclass(frozen=True, slots=True)
class ListExpr:
    """``[values...]``."""

    values: tuple[Expr, ...]
    kind: ClassVar[str] = "list"


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    """``{ key: value, ... }``.

    ``fields`` is in JavaScript property order, as Dataview's object holds it: a repeated key keeps
    its first position and its last value, and integer-like keys (``"0"``, ``"12"``) come first in
    ascending numeric order.
    """

    fields: tuple[tuple[str, Expr], ...]
    kind: ClassVar[str] = "object"


Expr = (
    Literal | Variable | BinaryOp | Negated | FunctionCall | Index | Lambda | ListExpr | ObjectExpr
)


# --------------------------------------------------------------------------------------------
# Sources (FROM)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TagSource:
    """``#tag`` – pages carrying the tag (or a child tag), case-insensitively."""

    tag: str
    kind: ClassVar[str] = "tag"


@dataclass(frozen=True, slots=True)
class FolderSource:
    """``"path"`` – a folder (recursively), a file, or ``path.md``; ``""`` is the whole vault."""

    folder: str
    kind: ClassVar[str] = "folder"


@dataclass(frozen=True, slots=True)
class LinkSource:
    """``[[file]]`` (``direction="incoming"``) or ``outgoing([[file]])``; only the link path is kept."""

    file: str
    direction: typing.Literal["incoming", "outgoing"]
    kind: ClassVar[str] = "link"


@dataclass(frozen=True, slots=True)
class CsvSource:
    """``csv("file.csv")`` – rows of a CSV file."""

    path: str
    kind: ClassVar[str] = "csv"


@dataclass(frozen=True, slots=True)
class NegatedSource:
    """``-source`` / ``!source`` – every markdown file except the child's."""

    child: Source
    kind: ClassVar[str] = "negate"


@dataclass(frozen=True, slots=True)
class BinaryOpSource:
    """``left and right`` (``op="&"``) or ``left or right`` (``op="|"``)."""

    left: Source
    op: typing.Literal["&", "|"]
    right: Source
    kind: ClassVar[str] = "binaryop"


Source = TagSource | FolderSource | LinkSource | CsvSource | NegatedSource | BinaryOpSource


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NamedField:
    """An expression with its column / key name.

    ``name`` is the ``AS`` name, or else the expression's source text with line breaks removed
    (:func:`strip_newlines`) – the default TABLE heading, GROUP BY key name and FLATTEN key.
    ``text`` is the expression's exact source text; ``explicit`` tells whether ``AS`` was used.
    """

    name: str
    expr: Expr
    text: str
    explicit: bool = False


@dataclass(frozen=True, slots=True)
class TableHeader:
    """``TABLE [WITHOUT ID] field, ...`` (zero fields allowed)."""

    fields: tuple[NamedField, ...]
    show_id: bool = True
    kind: ClassVar[str] = "table"


@dataclass(frozen=True, slots=True)
class ListHeader:
    """``LIST [WITHOUT ID] [expr]``; ``text`` is the expression's source text (or ``None``)."""

    expr: Expr | None
    show_id: bool = True
    text: str | None = None
    kind: ClassVar[str] = "list"


@dataclass(frozen=True, slots=True)
class TaskHeader:
    """``TASK`` – takes nothing else."""

    kind: ClassVar[str] = "task"


@dataclass(frozen=True, slots=True)
class CalendarHeader:
    """``CALENDAR field`` – exactly one (named) field."""

    field: NamedField
    kind: ClassVar[str] = "calendar"


Header = TableHeader | ListHeader | TaskHeader | CalendarHeader


@dataclass(frozen=True, slots=True)
class SortKey:
    """One ``SORT`` key."""

    expr: Expr
    direction: typing.Literal["ascending", "descending"] = "ascending"


@dataclass(frozen=True, slots=True)
class WhereStep:
    """``WHERE clause``."""

    clause: Expr
    kind: ClassVar[str] = "where"


@dataclass(frozen=True, slots=True)
class SortStep:
    """``SORT key [dir], ...``."""

    fields: tuple[SortKey, ...]
    kind: ClassVar[str] = "sort"


@dataclass(frozen=True, slots=True)
class LimitStep:
    """``LIMIT amount`` (evaluated once, without row context)."""

    amount: Expr
    kind: ClassVar[str] = "limit"


@dataclass(frozen=True, slots=True)
class GroupStep:
    """``GROUP BY field [AS name]``."""

    field: NamedField
    kind: ClassVar[str] = "group"


@dataclass(frozen=True, slots=True)
class FlattenStep:
    """``FLATTEN field [AS name]``."""

    field: NamedField
    kind: ClassVar[str] = "flatten"


@dataclass(frozen=True, slots=True)
class LateFromStep:
    """A ``FROM`` after other data commands.

    Dataview's grammar accepts it, but its engine has no case for it and fails the whole query
    with ``Unrecognized query operation '<source type>'`` (quirk §7.22).  The engine should raise
    :attr:`error_message` when it reaches this step, after running the steps before it.
    """

    source: Source

    @property
    def kind(self) -> str:
        """Dataview puts the bare source in the operation list, so its type is the source's."""
        return self.source.kind

    @property
    def error_message(self) -> str:
        return f"Unrecognized query operation '{self.source.kind}'"


Operation = WhereStep | SortStep | LimitStep | GroupStep | FlattenStep | LateFromStep


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed DQL query.

    ``source`` is ``FolderSource("")`` (the whole vault) when the query has no ``FROM`` right after
    the header; ``has_from`` tells the two cases apart.  ``time_dependent`` is true when a
    ``date(now|today|...)`` shorthand literal was evaluated while parsing: such a parse must not be
    cached across midnight (Dataview re-parses on every refresh, quirk §7.14).
    """

    header: Header
    source: Source = FolderSource("")
    operations: tuple[Operation, ...] = ()
    has_from: bool = False
    time_dependent: bool = False


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

_JS_TRIM = " \t\n\x0b\x0c\r\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_NEWLINES = re.compile(r"[\r\n]+")


def strip_newlines(text: str) -> str:
    """Dataview's ``stripNewlines``: split on runs of CR/LF, JS-trim each line, concatenate."""
    if "\n" not in text and "\r" not in text:
        return text.strip(_JS_TRIM)
    return "".join(part.strip(_JS_TRIM) for part in _NEWLINES.split(text))


def expr_children(expr: Expr) -> Iterator[Expr]:
    """Direct sub-expressions of ``expr`` (for walks: dependency collection, depth checks)."""
    if isinstance(expr, BinaryOp):
        yield expr.left
        yield expr.right
    elif isinstance(expr, Negated):
        yield expr.child
    elif isinstance(expr, FunctionCall):
        yield expr.func
        yield from expr.arguments
    elif isinstance(expr, Index):
        yield expr.object
        yield expr.index
    elif isinstance(expr, Lambda):
        yield expr.value
    elif isinstance(expr, ListExpr):
        yield from expr.values
    elif isinstance(expr, ObjectExpr):
        for _, value in expr.fields:
            yield value


def expr_depth(expr: Expr) -> int:
    """Height of the expression tree (a leaf is 1), computed without recursion."""
    best = 0
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > best:
            best = depth
        for child in expr_children(node):
            stack.append((child, depth + 1))
    return best


# --------------------------------------------------------------------------------------------
# Rendering back to DQL
# --------------------------------------------------------------------------------------------

_IDENT_REST_OK = re.compile(r"[0-9_\-]")


def _is_plain_identifier(name: str) -> bool:
    """True if ``name`` re-parses as an identifier (letters/digits/_/- only; emoji not assumed)."""
    if not name or not name[0].isalpha():
        return False
    return all(ch.isalpha() or _IDENT_REST_OK.fullmatch(ch) for ch in name[1:])


def _render_number(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{value!r} has no DQL literal")
    if value == 0 and str(value).startswith("-"):
        return "-0"
    text = format(Decimal(repr(value)), "f")
    return text


def _render_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_literal(node: Literal) -> str:
    value = node.value
    if node.source is not None:
        return node.source
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _render_number(value)
    if isinstance(value, str):
        return _render_string(value)
    raise ValueError(f"cannot render a {type(value).__name__} literal without its source text")


def _precedence(node: Expr) -> int:
    """0 for postfix-level expressions (incl. ``!x``), 1-4 for binary levels, 5 for lambdas."""
    if isinstance(node, BinaryOp):
        return BINARY_OPERATORS[node.op]
    if isinstance(node, Lambda):
        return 5
    return 0


def _postfix_target(node: Expr) -> str:
    """Render ``node`` so that a postfix (``.x``, ``[i]``, ``(args)``) applies to all of it."""
    text = _render_expr(node)
    if isinstance(node, BinaryOp | Lambda | Negated):
        return f"({text})"
    return text


def _render_expr(node: Expr) -> str:
    if isinstance(node, Literal):
        return _render_literal(node)
    if isinstance(node, Variable):
        return node.name
    if isinstance(node, BinaryOp):
        level = BINARY_OPERATORS[node.op]
        left = _render_expr(node.left)
        if _precedence(node.left) > level:
            left = f"({left})"
        right = _render_expr(node.right)
        if _precedence(node.right) >= level:
            right = f"({right})"
        return f"{left} {node.op} {right}"
    if isinstance(node, Negated):
        child = _render_expr(node.child)
        # `!` + `[[x]]` would read as the embed `![[x]]`.
        if isinstance(node.child, BinaryOp | Lambda) or child.startswith("[["):
            child = f"({child})"
        return "!" + child
    if isinstance(node, FunctionCall):
        args = [_render_expr(arg) for arg in node.arguments]
        if isinstance(node.func, Variable) and node.func.name in ("date", "dur") and args:
            # `date(today)` would re-parse as a date *literal*; parentheses keep it a call.
            args[0] = f"({args[0]})"
        return f"{_postfix_target(node.func)}({', '.join(args)})"
    if isinstance(node, Index):
        target = _postfix_target(node.object)
        index = node.index
        if (
            isinstance(index, Literal)
            and isinstance(index.value, str)
            and _is_plain_identifier(index.value)
        ):
            return f"{target}.{index.value}"
        return f"{target}[{_render_expr(index)}]"
    if isinstance(node, Lambda):
        return f"({', '.join(node.arguments)}) => {_render_expr(node.value)}"
    if isinstance(node, ListExpr):
        inner = ", ".join(_render_expr(v) for v in node.values)
        # `[[1]]` would read as a link; `[ [1]]` is a list holding a list.
        return "[ " + inner + "]" if inner.startswith("[") else "[" + inner + "]"
    if isinstance(node, ObjectExpr):
        if not node.fields:
            return "{}"
        parts = []
        for key, value in node.fields:
            rendered_key = key if _is_plain_identifier(key) else _render_string(key)
            parts.append(f"{rendered_key}: {_render_expr(value)}")
        return "{ " + ", ".join(parts) + " }"
    raise TypeError(f"not a DQL expression node: {node!r}")


def _render_source(node: Source) -> str:
    if isinstance(node, TagSource):
        return node.tag
    if isinstance(node, FolderSource):
        return _render_string(node.folder)
    if isinstance(node, CsvSource):
        return f"csv({_render_string(node.path)})"
    if isinstance(node, LinkSource):
        link = "[[" + node.file.replace("|", "\\|") + "]]"
        return link if node.direction == "incoming" else f"outgoing({link})"
    if isinstance(node, NegatedSource):
        child = _render_source(node.child)
        if isinstance(node.child, BinaryOpSource):
            child = f"({child})"
        return "-" + child
    if isinstance(node, BinaryOpSource):
        right = _render_source(node.right)
        if isinstance(node.right, BinaryOpSource):
            right = f"({right})"
        return f"{_render_source(node.left)} {'and' if node.op == '&' else 'or'} {right}"
    raise TypeError(f"not a DQL source node: {node!r}")


def _render_named(named: NamedField) -> str:
    text = named.text if named.text else _render_expr(named.expr)
    if named.explicit:
        return f"{text} AS {_render_string(named.name)}"
    return text


def _render_query(query: Query) -> str:
    header = query.header
    lines: list[str] = []
    if isinstance(header, TableHeader):
        head = "TABLE" + ("" if header.show_id else " WITHOUT ID")
        if header.fields:
            head += " " + ", ".join(_render_named(f) for f in header.fields)
    elif isinstance(header, ListHeader):
        head = "LIST" + ("" if header.show_id else " WITHOUT ID")
        if header.expr is not None:
            head += " " + (header.text if header.text else _render_expr(header.expr))
    elif isinstance(header, TaskHeader):
        head = "TASK"
    else:
        head = "CALENDAR " + _render_named(header.field)
    lines.append(head)
    if query.has_from:
        lines.append("FROM " + _render_source(query.source))
    for op in query.operations:
        if isinstance(op, WhereStep):
            lines.append("WHERE " + _render_expr(op.clause))
        elif isinstance(op, SortStep):
            keys = ", ".join(
                _render_expr(k.expr) + (" DESC" if k.direction == "descending" else " ASC")
                for k in op.fields
            )
            lines.append("SORT " + keys)
        elif isinstance(op, LimitStep):
            lines.append("LIMIT " + _render_expr(op.amount))
        elif isinstance(op, GroupStep):
            lines.append("GROUP BY " + _render_named(op.field))
        elif isinstance(op, FlattenStep):
            lines.append("FLATTEN " + _render_named(op.field))
        else:
            lines.append("FROM " + _render_source(op.source))
    return "\n".join(lines)


def to_dql(node: Expr | Source | Query | NamedField) -> str:
    """Render a node as DQL text that parses back to an equal node.

    Expressions are printed with minimal parentheses and spaces around every binary operator
    (``a-b`` would be one identifier).  Header/GROUP BY/FLATTEN fields are printed from their
    source text so that their implicit names survive; explicit names are quoted.  Two ASTs that
    no DQL text produces do not round trip: a :class:`LateFromStep` directly after the header
    (it would be the query's source) and a :class:`SortStep` directly after a field-less TABLE or
    LIST header (``SORT`` would be read as a field, quirk §7.43).
    """
    if isinstance(node, Query):
        return _render_query(node)
    if isinstance(node, NamedField):
        return _render_named(node)
    if isinstance(
        node, TagSource | FolderSource | CsvSource | LinkSource | NegatedSource | BinaryOpSource
    ):
        return _render_source(node)
    return _render_expr(node)
