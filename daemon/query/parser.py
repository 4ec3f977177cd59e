"""Parser for the Dataview Query Language (DQL), faithful to Dataview 0.5.70.

Dataview parses queries with parsimmon combinators (src/expression/parse.ts, src/query/parse.ts).
This module is a hand-written recursive-descent parser for the same grammar.  It accepts exactly
the inputs Dataview accepts, builds the AST of :mod:`gardend.daemon.query.ast`, and on failure
raises :class:`DQLSyntaxError` with Dataview's exact message.

Getting the *message* right is most of the work.  parsimmon reports the furthest position at
which any attempted parser failed, together with the names of everything that failed there.  Its
rules, which this parser reproduces, are:

* every attempt (successful or not) carries its furthest failure; sequencing, alternation,
  repetition and mapping merge them: the further position wins, equal positions union their
  names.  So the failures "hidden" inside a successful parse (the operator that was not there
  after ``x``, the ``AS`` that did not follow a column) still count;
* ``.desc(name)`` replaces the names of a *failed* parse by ``name`` at the same position, but
  leaves the failures carried by a *successful* parse untouched.  That is why
  ``WHERE from = 1`` reports ``WHERE <expression>`` while ``WHERE a OR contains(From, 1)``
  reports ``variable`` (the WHERE clause succeeded with ``a OR contains``);
* Dataview's ``chainOpt`` (date literals) throws away the failures of the optional parts.

The parser therefore keeps one running "furthest failure" (position + set of names), and every
place where Dataview's grammar has a ``desc`` opens a scope that renames a failure.  Where a
failure is provably dominated (it lies before a position the parse has already moved past) it is
not recorded, which keeps the hot paths cheap; comments mark those spots.

Positions are Python string indexes; only the error text converts to JavaScript's UTF-16 columns.
Recursion is bounded (:data:`MAX_NESTING`) and expression/source trees are bounded in height
(:data:`MAX_AST_DEPTH`), so no input can raise ``RecursionError`` here or in a recursive consumer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from ..values import (
    Link,
    clean_number,
    match_emoji,
    parse_date_shorthand,
    parse_date_text,
    parse_duration_text,
)
from .ast import (
    BinaryOp,
    BinaryOpSource,
    CalendarHeader,
    CsvSource,
    Expr,
    FlattenStep,
    FolderSource,
    FunctionCall,
    GroupStep,
    Header,
    Index,
    Lambda,
    LateFromStep,
    LimitStep,
    LinkSource,
    ListExpr,
    ListHeader,
    Literal,
    NamedField,
    Negated,
    NegatedSource,
    ObjectExpr,
    Operation,
    Query,
    SortKey,
    SortStep,
    Source,
    TableHeader,
    TagSource,
    TaskHeader,
    Variable,
    WhereStep,
    expr_depth,
    strip_newlines,
)
from .errors import (
    KEYWORD_VARIABLE_MESSAGE,
    DQLNestingError,
    DQLSyntaxError,
    format_parse_error,
    sort_expectations,
)

__all__ = [
    "KEYWORDS",
    "MAX_AST_DEPTH",
    "MAX_NESTING",
    "DQLNestingError",
    "DQLSyntaxError",
    "parse_expression",
    "parse_query",
    "parse_source",
]

#: Bracket/call/negation nesting the parser follows before giving up with DQLNestingError.
#: Dataview has no explicit limit but runs out of JavaScript stack a few hundred levels deep;
#: 64 keeps the worst case (nested objects, ~7 Python frames a level) far below Python's default
#: recursion limit even when the caller is already deep in its own stack.
MAX_NESTING = 64
#: Maximum height of any expression or source tree in a parsed query (long ``a and b and …``
#: chains nest to the left).  Consumers may rely on it to recurse without RecursionError.
MAX_AST_DEPTH = 200

#: Identifiers that cannot be variables (compared upper-cased, as Dataview does).
KEYWORDS = ("FROM", "WHERE", "LIMIT", "GROUP", "FLATTEN")
_KEYWORD_SET = frozenset(KEYWORDS)

T = TypeVar("T")
_Result = tuple[int, T] | None

# ---------------------------------------------------------------------------------------------
# Character classes (JavaScript semantics)
# ---------------------------------------------------------------------------------------------

#: JavaScript's ``\s``: the characters of Unicode Zs plus the ECMAScript line terminators and
#: BOM.  Python's ``\s``/``str.isspace`` differ (they include U+001C…U+001F and U+0085 and
#: exclude U+FEFF), so the set is spelled out.
_JS_WS = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WS_CHARS = frozenset(
    "\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
)
_WS_RUN = re.compile(f"[{_JS_WS}]+")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_ASCII_IDENT_REST = re.compile(r"[A-Za-z0-9_\-]*")
_IDENT_EXTRA = frozenset("0123456789_-")
_STRING_STOP = re.compile(r'["\\]')
_LINK_STOP = re.compile(r"[\[\]]")
_TAG_RUN = re.compile(
    f"[^\u2000-\u206f\u2e00-\u2e7f'!\"#$%&()*+,.:;<=>?@^`{{|}}~\\[\\]\\\\{_JS_WS}]*"
)
_DIGITS = frozenset("0123456789")
_ZONE_OFFSET = re.compile(r"[0-9]{1,2}(?::[0-9]{2})?")
_ZONE_NAME = re.compile(r"[0-9A-Za-z+,\-./]+")

# Keyword regexes: JavaScript's /i without the u flag folds ASCII letters only.
_RE_FLAGS = re.IGNORECASE | re.ASCII
_QUERY_TYPE = re.compile("TABLE|LIST|TASK|CALENDAR", _RE_FLAGS)
_WITHOUT_ID = re.compile(f"WITHOUT[{_JS_WS}]+ID", _RE_FLAGS)
_AS = re.compile("AS", _RE_FLAGS)
_FROM = re.compile("FROM", _RE_FLAGS)
_WHERE = re.compile("WHERE", _RE_FLAGS)
_SORT = re.compile("SORT", _RE_FLAGS)
_LIMIT = re.compile("LIMIT", _RE_FLAGS)
_GROUP_BY = re.compile("GROUP BY", _RE_FLAGS)
_FLATTEN = re.compile("FLATTEN", _RE_FLAGS)
_DIRECTION = re.compile("ASCENDING|DESCENDING|ASC|DESC", _RE_FLAGS)

#: ``date(...)`` shorthands, longest first (Dataview sorts its keys by length).
_DATE_SHORTHANDS = tuple(
    sorted(
        (
            "now",
            "today",
            "yesterday",
            "tomorrow",
            "sow",
            "start-of-week",
            "eow",
            "end-of-week",
            "soy",
            "start-of-year",
            "eoy",
            "end-of-year",
            "som",
            "start-of-month",
            "eom",
            "end-of-month",
        ),
        key=len,
        reverse=True,
    )
)
#: Duration unit spellings, longest first: the first that prefixes the text wins.
_DURATION_UNITS = tuple(
    sorted(
        [
            *("year", "years", "yr", "yrs", "month", "months", "mo", "mos"),
            *("week", "weeks", "wk", "wks", "w", "day", "days", "d"),
            *("hour", "hours", "hr", "hrs", "h", "minute", "minutes", "min", "mins", "m"),
            *("second", "seconds", "sec", "secs", "s"),
        ],
        key=len,
        reverse=True,
    )
)

def _emoji_end(text: str, i: int) -> int:
    """End of the emoji sequence starting at ``i``, or -1 (the value model's emoji matcher,
    gardend's approximation of the ``emoji-regex`` package Dataview uses)."""
    j = match_emoji(text, i)
    return j if j > i else -1


def _scan_identifier(text: str, i: int) -> int:
    """End of a Dataview identifier at ``i`` (letter or emoji, then letters/digits/_/-/emoji), or -1."""
    n = len(text)
    if i >= n:
        return -1
    ch = text[i]
    if ch.isalpha():
        j = i + 1
    else:
        j = _emoji_end(text, i)
        if j < 0:
            return -1
    while True:
        j = _ASCII_IDENT_REST.match(text, j).end()
        if j >= n:
            return j
        ch = text[j]
        if ch.isalpha() or ch in _IDENT_EXTRA:
            j += 1
            continue
        k = _emoji_end(text, j)
        if k < 0:
            return j
        j = k


def _number_value(text: str) -> int | float:
    """JavaScript ``parseFloat`` of a number literal: ``int`` when a safe integer, as values.py
    represents numbers; ``-0`` stays ``-0.0`` (``1 / -0`` is ``-Infinity`` in JavaScript)."""
    value = float(text)
    if value == 0 and text.startswith("-"):
        return -0.0
    return clean_number(value)


def _split_link(inner: str) -> tuple[str, str | None]:
    """Dataview's ``splitOnUnescapedPipe``: path (``\\|`` unescaped) and optional display."""
    pipe = inner.find("|")
    while pipe >= 0:
        if pipe > 0 and inner[pipe - 1] == "\\":
            pipe = inner.find("|", pipe + 1)
            continue
        return inner[:pipe].replace("\\|", "|"), inner[pipe + 1 :]
    return inner.replace("\\|", "|"), None


def _make_link(inner: str, embed: bool) -> Link:
    path, display = _split_link(inner)
    return Link.infer(path, embed=embed, display=display)


def _source_depth(source: Source) -> int:
    """Height of a source tree, without recursion."""
    best = 0
    stack: list[tuple[Source, int]] = [(source, 1)]
    while stack:
        node, depth = stack.pop()
        best = max(best, depth)
        if isinstance(node, BinaryOpSource):
            stack.append((node.left, depth + 1))
            stack.append((node.right, depth + 1))
        elif isinstance(node, NegatedSource):
            stack.append((node.child, depth + 1))
    return best


_INTEGER_KEY = re.compile(r"0|[1-9][0-9]*")


def _js_object_fields(entries: list[tuple[str, Expr]]) -> tuple[tuple[str, Expr], ...]:
    """Order object-literal entries as a JavaScript object built by assignment holds them.

    A repeated key keeps its first position and takes the last value; array-index keys come first
    in numeric order.  ``__proto__`` is dropped: assigning an object to it sets the prototype.
    """
    merged: dict[str, Expr] = {}
    for key, value in entries:
        if key == "__proto__":
            continue
        merged[key] = value
    index_keys = [k for k in merged if _INTEGER_KEY.fullmatch(k) and int(k) < 2**32 - 1]
    if not index_keys:
        return tuple(merged.items())
    index_keys.sort(key=int)
    index_set = set(index_keys)
    ordered = [(k, merged[k]) for k in index_keys]
    ordered.extend((k, v) for k, v in merged.items() if k not in index_set)
    return tuple(ordered)


# ---------------------------------------------------------------------------------------------
# Expectation names (parsimmon descriptions and regex/string renderings used by Dataview)
# ---------------------------------------------------------------------------------------------

E_WS = "whitespace"
E_COMMENT = "Not a comment"
E_EOF = "EOF"
E_HEADER = "TABLE or LIST or TASK or CALENDAR"
E_WITHOUT = r"/WITHOUT\s+ID/i"
E_AS = "/AS/i"
E_FROM = "/FROM/i"
E_WHERE = "WHERE <expression>"
E_SORT = "SORT field [ASC/DESC]"
E_LIMIT = "LIMIT <value>"
E_GROUP = "GROUP BY <value> [AS <name>]"
E_FLATTEN = "FLATTEN <value> [AS <name>]"
E_DIRECTION = "/ASCENDING|DESCENDING|ASC|DESC/i"
E_COMMA = "','"
E_DOT = "'.'"
E_LBRACKET = "'['"
E_RBRACKET = "']'"
E_LPAREN = "'('"
E_RPAREN = "')'"
E_RBRACE = "'}'"
E_COLON = "':'"
E_ARROW = "'=>'"
E_IDENT = "variable identifier"
E_IDENT_REST = r"/[0-9\p{Letter}_-]/u"
E_TEXT = "text"
E_VARIABLE = "variable"
E_STRING = "string"
E_NUMBER = "number"
E_BOOL = "boolean"
E_NULL = "'null'"
E_DATE = "date"
E_DURATION = "duration"
E_LINK = "file link"
E_NEGATED = "negated field"
E_LIST = "list ('[1, 2, 3]')"
E_OBJECT = "object ('{ a: 1, b: 2 }')"
E_BANG = "'!'"
E_MINUS = "'-'"
E_OUTGOING = "'outgoing('"
E_CSV = "'csv('"
E_TAG = "tag ('#hello/stuff')"

E_BOOL_OP = "'and' or 'or'"
#: The four binary-operator levels, tightest first (``'*' or '/' or '%'`` … ``'and' or 'or'``).
_ALL_OP_NAMES = (
    "'*' or '/' or '%'",
    "'+' or '-'",
    "'>=' or '<=' or '!=' or '=' or '>' or '<'",
    E_BOOL_OP,
)
_IDENT_END_NAMES = (E_IDENT_REST, E_TEXT)
_POSTFIX_NAMES = (E_DOT, E_LBRACKET, E_LPAREN)
#: What every alternative of ``atomField`` reports when it fails on the first character.
_ATOM_NAMES = (
    E_LINK,
    E_NEGATED,
    E_LIST,
    E_OBJECT,
    E_LPAREN,
    E_BOOL,
    E_NUMBER,
    E_STRING,
    E_DATE,
    E_DURATION,
    E_NULL,
    E_VARIABLE,
)
_SOURCE_NAMES = (E_LPAREN, E_MINUS, E_BANG, E_OUTGOING, E_LINK, E_STRING, E_TAG, E_CSV)
_CLAUSE_NAMES = (E_FROM, E_WHERE, E_SORT, E_LIMIT, E_GROUP, E_FLATTEN)
_WS_COMMENT_NAMES = (E_WS, E_COMMENT)


class _TooDeep(Exception):
    """Internal: nesting limit reached at ``position``."""

    def __init__(self, position: int, what: str, limit: int) -> None:
        super().__init__(position)
        self.position = position
        self.what = what
        self.limit = limit


# ---------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------


class _Parser:
    """One parse of one text.  Methods return ``(end, value)`` on success and ``None`` on failure.

    ``fpos``/``fexp`` hold parsimmon's merged furthest failure; see the module docstring.
    """

    __slots__ = ("depth", "fexp", "fpos", "keyword_ends", "n", "text", "time_dependent")

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.fpos = -1
        self.fexp: set[str] = set()
        self.depth = 0
        self.time_dependent = False
        self.keyword_ends: set[int] = set()

    # --- failure bookkeeping -------------------------------------------------------------

    def fail(self, pos: int, name: str) -> None:
        """Record that ``name`` was expected at ``pos`` (parsimmon's ``mergeReplies``)."""
        if pos > self.fpos:
            self.fpos = pos
            self.fexp = {name}
        elif pos == self.fpos:
            self.fexp.add(name)

    def fail_all(self, pos: int, names: tuple[str, ...]) -> None:
        if pos > self.fpos:
            self.fpos = pos
            self.fexp = set(names)
        elif pos == self.fpos:
            self.fexp.update(names)

    def scope(self) -> tuple[int, set[str]]:
        """Start a ``desc`` scope: failures recorded from here on can be renamed as a whole."""
        saved = (self.fpos, self.fexp)
        self.fpos = -1
        self.fexp = set()
        return saved

    def unscope(self, saved: tuple[int, set[str]], rename: str | None = None) -> None:
        """End a scope; ``rename`` (for a failed parse) replaces the scope's names."""
        if rename is not None:
            self.fexp = {rename}
        outer_pos, outer_names = saved
        if outer_pos > self.fpos:
            self.fpos = outer_pos
            self.fexp = outer_names
        elif outer_pos == self.fpos:
            outer_names.update(self.fexp)
            self.fexp = outer_names

    def enter(self, pos: int, what: str) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _TooDeep(pos, what, MAX_NESTING)

    def error(self) -> DQLSyntaxError:
        pos = self.fpos
        expected = sort_expectations(self.fexp)
        hint = KEYWORD_VARIABLE_MESSAGE if pos in self.keyword_ends else None
        return DQLSyntaxError(
            format_parse_error(self.text, pos, expected), pos, expected, text=self.text, hint=hint
        )

    # --- whitespace and comments ---------------------------------------------------------

    def ow(self, i: int) -> int:
        """``P.optWhitespace``: never fails, records nothing."""
        if i < self.n and self.text[i] in _WS_CHARS:
            return _WS_RUN.match(self.text, i).end()  # type: ignore[union-attr]
        return i

    def ws(self, i: int) -> int:
        """``P.whitespace``: one or more; -1 (recording ``whitespace``) if none."""
        if i < self.n and self.text[i] in _WS_CHARS:
            return _WS_RUN.match(self.text, i).end()  # type: ignore[union-attr]
        self.fail(i, E_WS)
        return -1

    def owc(self, i: int) -> int:
        """Dataview's ``optionalWhitespaceOrComment``: ``alt(whitespace, comment).many()``."""
        text = self.text
        while True:
            if i < self.n and text[i] in _WS_CHARS:
                i = _WS_RUN.match(text, i).end()  # type: ignore[union-attr]
                continue
            if text.startswith("//", i):
                self.fail(i, E_WS)
                end = text.find("\n", i)
                i = self.n if end < 0 else end
                continue
            self.fail_all(i, _WS_COMMENT_NAMES)
            return i

    # --- lexical pieces ------------------------------------------------------------------

    def identifier(self, i: int) -> _Result[str]:
        """``EXPRESSION.identifier`` (desc ``variable identifier``), without the keyword check."""
        end = _scan_identifier(self.text, i)
        if end < 0:
            self.fail(i, E_IDENT)
            return None
        # The `many` over further identifier characters failed at `end`.
        self.fail_all(end, _IDENT_END_NAMES)
        return end, self.text[i:end]

    def string(self, i: int) -> _Result[str]:
        """``EXPRESSION.string`` (desc ``string``): only ``\\"`` and ``\\\\`` are escapes."""
        text = self.text
        if not text.startswith('"', i):
            self.fail(i, E_STRING)
            return None
        parts: list[str] = []
        j = i + 1
        while True:
            m = _STRING_STOP.search(text, j)
            if m is None:  # unterminated: the content loop and the closing quote fail at the end
                self.fail(self.n, E_STRING)
                return None
            k = m.start()
            parts.append(text[j:k])
            if text[k] == '"':
                # The failures of the content loop at `k` are dominated: the parse moves to k+1.
                return k + 1, "".join(parts)
            if k + 1 >= self.n:  # a backslash at the very end: `P.any` fails after it
                self.fail(k + 1, E_STRING)
                return None
            escaped = text[k + 1]
            parts.append(escaped if escaped in '"\\' else "\\" + escaped)
            j = k + 2

    def link_inner(self, i: int) -> tuple[int, str] | None:
        """The regex ``\\[\\[([^\\[\\]]*?)\\]\\]`` at ``i``: end and inner text, recording nothing."""
        text = self.text
        if not text.startswith("[[", i):
            return None
        m = _LINK_STOP.search(text, i + 2)
        if m is None:
            return None
        k = m.start()
        if text[k] != "]" or not text.startswith("]]", k):
            return None
        return k + 2, text[i + 2 : k]

    # --- expressions ---------------------------------------------------------------------

    def field(self, i: int) -> _Result[Expr]:
        """``EXPRESSION.field``: the four left-associative binary levels over postfix expressions.

        Implemented as one precedence-climbing loop instead of four nested parsers (fewer Python
        frames per nesting level).  At every operand end the operator levels are tried from the
        tightest (``* / %``) outwards, exactly the order in which Dataview's nested
        ``createBinaryParser`` levels try them, so the same failures are recorded.
        """
        self.enter(i, "expression")
        r = self.postfix(i)
        if r is None:
            self.depth -= 1
            return None
        pos, first = r
        text = self.text
        n = self.n
        operands: list[Expr] = [first]
        ops: list[tuple[int, str]] = []
        while True:
            q = self.ow(pos)
            level, op, op_end = 0, "", q
            c = text[q] if q < n else ""
            if c in ("*", "/", "%"):
                level, op, op_end = 1, c, q + 1
            elif c in ("+", "-"):
                level, op, op_end = 2, c, q + 1
            elif c in (">", "<", "=", "!"):
                two = text[q : q + 2]
                if two in (">=", "<=", "!="):
                    level, op, op_end = 3, two, q + 2
                elif c != "!":
                    level, op, op_end = 3, c, q + 1
            elif c in ("&", "|"):
                level, op, op_end = 4, c, q + 1
            elif c in ("a", "A"):
                if q + 2 < n and text[q + 1] in "nN" and text[q + 2] in "dD":
                    level, op, op_end = 4, "&", q + 3
            elif c in ("o", "O") and q + 1 < n and text[q + 1] in "rR":
                level, op, op_end = 4, "|", q + 2
            if not level:
                self.fail_all(q, _ALL_OP_NAMES)
                break
            r = self.postfix(self.ow(op_end))
            if r is None:
                # The other levels then try (and fail) at `q`, but the operand failed further on,
                # so those failures are dominated and not recorded.
                break
            pos, right = r
            while ops and ops[-1][0] <= level:
                _, prev = ops.pop()
                rhs = operands.pop()
                operands[-1] = BinaryOp(operands[-1], prev, rhs)
            ops.append((level, op))
            operands.append(right)
        while ops:
            _, prev = ops.pop()
            rhs = operands.pop()
            operands[-1] = BinaryOp(operands[-1], prev, rhs)
        node = operands[0]
        self.depth -= 1
        # Every node consumes at least one character, so only long texts can be too high.
        if self.depth == 0 and pos - i > MAX_AST_DEPTH and expr_depth(node) > MAX_AST_DEPTH:
            raise _TooDeep(i, "expression tree", MAX_AST_DEPTH)
        return pos, node

    def postfix(self, i: int) -> _Result[Expr]:
        """``indexField``: an atom followed by ``.name``, ``[expr]`` and ``(args)`` postfixes."""
        r = self.atom(i)
        if r is None:
            return None
        pos, node = r
        text = self.text
        while True:
            c = text[pos : pos + 1]
            if c == ".":
                ident = self.identifier(pos + 1)
                if ident is None:
                    break  # '[' and '(' then fail at `pos`, dominated by the identifier's failure
                pos = ident[0]
                node = Index(node, Literal(ident[1]))
            elif c == "[":
                r = self.field(self.ow(pos + 1))
                if r is None:
                    break
                k = self.ow(r[0])
                if not text.startswith("]", k):
                    self.fail(k, E_RBRACKET)
                    break
                pos = k + 1
                node = Index(node, r[1])
            elif c == "(":
                end, args = self.sep_by(self.ow(pos + 1), self.field)
                k = self.ow(end)
                if not text.startswith(")", k):
                    self.fail(k, E_RPAREN)
                    break
                pos = k + 1
                node = FunctionCall(node, tuple(args))
            else:
                self.fail_all(pos, _POSTFIX_NAMES)
                break
        return pos, node

    def sep_by(self, i: int, item: Callable[[int], _Result[T]]) -> tuple[int, list[T]]:
        """``item.sepBy(P.string(",").trim(P.optWhitespace))``; never fails."""
        r = item(i)
        if r is None:
            return i, []
        return self.sep_rest(r[0], [r[1]], item)

    def sep_rest(
        self, pos: int, values: list[T], item: Callable[[int], _Result[T]]
    ) -> tuple[int, list[T]]:
        """The ``(sep item)*`` tail of ``sepBy``/``sepBy1`` after a first item ending at ``pos``."""
        text = self.text
        while True:
            a = self.ow(pos)
            if not text.startswith(",", a):
                self.fail(a, E_COMMA)
                return pos, values
            r = item(self.ow(a + 1))
            if r is None:
                return pos, values
            pos = r[0]
            values.append(r[1])

    def atom(self, i: int) -> _Result[Expr]:
        """``atomField``: the alternatives in Dataview's order, dispatched on the first character.

        Alternatives that cannot get past the first character all report their name at ``i``;
        those names are added in bulk when every alternative failed (when one succeeds they are
        dominated by the failures recorded after it).
        """
        text = self.text
        c = text[i : i + 1]
        if c == "!":
            # embedLink ('![[...]]') is tried before negation.
            link = self.link_inner(i + 1)
            if link is not None:
                return link[0], Literal(_make_link(link[1], True), text[i : link[0]])
            self.fail(i + 1, E_LINK)
            saved = self.scope()
            self.enter(i, "negation")
            r = self.postfix(i + 1)
            self.depth -= 1
            if r is not None:
                self.unscope(saved)
                return r[0], Negated(r[1])
            self.unscope(saved, E_NEGATED)
        elif c == "[":
            link = self.link_inner(i)
            if link is not None:
                return link[0], Literal(_make_link(link[1], False), text[i : link[0]])
            saved = self.scope()
            r = self.list_literal(i)
            self.unscope(saved, None if r is not None else E_LIST)
            if r is not None:
                return r
        elif c == "{":
            saved = self.scope()
            r = self.object_literal(i)
            self.unscope(saved, None if r is not None else E_OBJECT)
            if r is not None:
                return r
        elif c == "(" or c in _WS_CHARS:
            # lambdaField skips leading whitespace before its '('.
            j = self.ow(i)
            if text.startswith("(", j):
                r = self.lambda_literal(j)
                if r is not None:
                    return r
            else:
                self.fail(j, E_LPAREN)
            if c == "(":
                r = self.field(self.ow(i + 1))
                if r is not None:
                    k = self.ow(r[0])
                    if text.startswith(")", k):
                        return k + 1, r[1]
                    self.fail(k, E_RPAREN)
        elif c == '"':
            s = self.string(i)
            if s is not None:
                return s[0], Literal(s[1])
        elif c == "-" or c in _DIGITS:
            m = _NUMBER.match(text, i)
            if m is not None:
                return m.end(), Literal(_number_value(m.group()))
        elif c:
            # bool, date, duration and null literals, then a variable.
            if c in "tfTF":
                for word, value in (
                    ("true", True),
                    ("false", False),
                    ("True", True),
                    ("False", False),
                ):
                    if text.startswith(word, i):
                        return i + len(word), Literal(value)
            elif c == "d":
                if text.startswith("date(", i):
                    r = self.date_literal(i)
                    if isinstance(r, tuple):
                        return r
                    self.fail(r, E_DATE)
                elif text.startswith("dur(", i):
                    r = self.duration_literal(i)
                    if isinstance(r, tuple):
                        return r
                    self.fail(r, E_DURATION)
            elif c == "n" and text.startswith("null", i):
                return i + 4, Literal(None)
            end = _scan_identifier(text, i)
            if end >= 0:
                name = text[i:end]
                if name.upper() in _KEYWORD_SET:
                    # Dataview's keyword failure, renamed to `variable` by the field's desc.
                    self.fail(end, E_VARIABLE)
                    self.keyword_ends.add(end)
                else:
                    self.fail_all(end, _IDENT_END_NAMES)
                    return end, Variable(name)
        self.fail_all(i, _ATOM_NAMES)
        return None

    def list_literal(self, i: int) -> _Result[Expr]:
        """``[a, b, ...]`` (inside the caller's ``list`` desc scope)."""
        end, values = self.sep_by(self.ow(i + 1), self.field)
        k = self.ow(end)
        if not self.text.startswith("]", k):
            self.fail(k, E_RBRACKET)
            return None
        return k + 1, ListExpr(tuple(values))

    def object_entry(self, i: int) -> _Result[tuple[str, Expr]]:
        key = self.identifier(i)
        if key is None:
            key = self.string(i)
            if key is None:
                return None
        a = self.ow(key[0])
        if not self.text.startswith(":", a):
            self.fail(a, E_COLON)
            return None
        r = self.field(self.ow(a + 1))
        if r is None:
            return None
        return r[0], (key[1], r[1])

    def object_literal(self, i: int) -> _Result[Expr]:
        """``{ key: value, ... }`` (inside the caller's ``object`` desc scope)."""
        end, entries = self.sep_by(self.ow(i + 1), self.object_entry)
        k = self.ow(end)
        if not self.text.startswith("}", k):
            self.fail(k, E_RBRACE)
            return None
        return k + 1, ObjectExpr(_js_object_fields(entries))

    def lambda_literal(self, j: int) -> _Result[Expr]:
        """``(a, b) => expr`` with ``j`` at the ``(``; no desc, so its failures are visible."""
        text = self.text
        end, params = self.sep_by(self.ow(j + 1), self.identifier)
        k = self.ow(end)
        if not text.startswith(")", k):
            self.fail(k, E_RPAREN)
            return None
        a = self.ow(k + 1)
        if not text.startswith("=>", a):
            self.fail(a, E_ARROW)
            return None
        r = self.field(self.ow(a + 2))
        if r is None:
            return None
        return r[0], Lambda(tuple(params), r[1])

    def date_literal(self, i: int) -> tuple[int, Expr] | int:
        """``date( <shorthand | date> )``.  Returns the node, or the furthest failure position.

        The caller reports a failure as ``date`` (Dataview's desc); only its position matters,
        and on success every failure inside lies before the closing parenthesis (dominated).
        """
        text = self.text
        j = self.ow(i + 5)
        info = -1
        for word in _DATE_SHORTHANDS:
            if text.startswith(word, j):
                value = parse_date_shorthand(word)
                end = j + len(word)
                self.time_dependent = True
                break
        else:
            r = self.date_text(j)
            if isinstance(r, int):
                return r
            end, value, info = r
        if value is None:  # pragma: no cover - values.py rejected a shorthand it should know
            return end
        k = self.ow(end)
        if text.startswith(")", k):
            return k + 1, Literal(value, text[i : k + 1])
        return max(k, info)

    def date_text(self, j: int) -> tuple[int, object, int] | int:
        """Dataview's ``date`` parser: ``YYYY-MM`` then optional parts, each only after the last.

        ``chainOpt`` keeps extending while the next part matches and drops the failure of the
        part that did not; validity is checked once at the end (``assert``), so an invalid date
        fails as a whole instead of falling back to a shorter prefix.  Returns
        ``(end, value, info)`` – ``info`` being the position of a failure carried by the last
        successful part (the optional ``.SSS``) – or the failure position.
        """
        text = self.text
        n = self.n

        def digits(p: int, count: int) -> bool:
            return p + count <= n and all(text[p + d] in _DIGITS for d in range(count))

        if not digits(j, 4):
            return j
        if not text.startswith("-", j + 4):
            return j + 4
        if not digits(j + 5, 2):
            return j + 5
        end = j + 7
        info = -1
        if text.startswith("-", end) and digits(end + 1, 2):
            end += 3
            if text.startswith("T", end) and digits(end + 1, 2):
                end += 3
                if text.startswith(":", end) and digits(end + 1, 2):
                    end += 3
                    if text.startswith(":", end) and digits(end + 1, 2):
                        end += 3
                        # Milliseconds: `alt(seq('.', /\d{3}/), succeed)` always succeeds, but
                        # carries the failure of its first branch.
                        if text.startswith(".", end):
                            if digits(end + 1, 3):
                                end += 4
                            else:
                                info = end + 1
                        else:
                            info = end
                        zone_end = self.zone(end)
                        if zone_end > 0:
                            # The zone part replaces the previous result and its failures; the
                            # ones it carries itself lie at its start (dominated).
                            end = zone_end
                            info = -1
        value = parse_date_text(text[j:end])
        if value is None:  # `assert(dt.isValid, "valid date")` fails at the end
            return max(end, info)
        return end, value, info

    def zone(self, p: int) -> int:
        """The optional zone of a date (``+HH[:mm]``, ``Z`` or ``[IANA/Name]``): end or -1."""
        text = self.text
        c = text[p : p + 1]
        if c in ("+", "-"):
            m = _ZONE_OFFSET.match(text, p + 1)
            if m is not None:
                return m.end()
        if c == "Z":
            return p + 1
        if c == "[":
            m = _ZONE_NAME.match(text, p + 1)
            if m is not None and text.startswith("]", m.end()):
                return m.end() + 1
        return -1

    def duration_literal(self, i: int) -> tuple[int, Expr] | int:
        """``dur( <duration> )``; returns the node or the furthest failure position."""
        text = self.text
        start = self.ow(i + 4)
        r = self.duration_item(start)
        if r < 0:
            return -r - 1
        end = r
        info = -1
        while True:
            a = self.ow(end)
            b = self.ow(a + 1) if text.startswith(",", a) else a
            r = self.duration_item(b)
            if r < 0:
                info = -r - 1
                break
            end = r
        k = self.ow(end)
        if text.startswith(")", k):
            value = parse_duration_text(text[start:end])
            if value is not None:
                return k + 1, Literal(value, text[i : k + 1])
        return max(k, info)

    def duration_item(self, p: int) -> int:
        """``<number> <ws>? <unit>``: the end, or ``-(failure position) - 1``."""
        m = _NUMBER.match(self.text, p)
        if m is None:
            return -p - 1
        q = self.ow(m.end())
        for unit in _DURATION_UNITS:
            if self.text.startswith(unit, q):
                return q + len(unit)
        return -q - 1

    # --- sources -------------------------------------------------------------------------

    def source(self, i: int) -> _Result[Source]:
        """``EXPRESSION.source``: atoms joined by ``and``/``or``/``&``/``|``, one level, left-assoc."""
        r = self.atom_source(i)
        if r is None:
            return None
        pos, node = r
        text = self.text
        n = self.n
        while True:
            q = self.ow(pos)
            c = text[q : q + 1]
            if c in ("&", "|"):
                op, op_end = c, q + 1
            elif c in ("a", "A") and q + 2 < n and text[q + 1] in "nN" and text[q + 2] in "dD":
                op, op_end = "&", q + 3
            elif c in ("o", "O") and q + 1 < n and text[q + 1] in "rR":
                op, op_end = "|", q + 2
            else:
                self.fail(q, E_BOOL_OP)
                break
            r = self.atom_source(self.ow(op_end))
            if r is None:
                break
            pos = r[0]
            node = BinaryOpSource(node, op, r[1])  # type: ignore[arg-type]
        if self.depth == 0 and pos - i > MAX_AST_DEPTH and _source_depth(node) > MAX_AST_DEPTH:
            raise _TooDeep(i, "source tree", MAX_AST_DEPTH)
        return pos, node

    def atom_source(self, i: int) -> _Result[Source]:
        text = self.text
        c = text[i : i + 1]
        self.enter(i, "source")
        try:
            if c == "(":
                r = self.source(self.ow(i + 1))
                if r is not None:
                    k = self.ow(r[0])
                    if text.startswith(")", k):
                        return k + 1, r[1]
                    self.fail(k, E_RPAREN)
            elif c in ("-", "!"):
                r = self.atom_source(i + 1)
                if r is not None:
                    return r[0], NegatedSource(r[1])
            elif c == "[":
                link = self.link_inner(i)
                if link is not None:
                    return link[0], LinkSource(_make_link(link[1], False).path, "incoming")
            elif c == '"':
                s = self.string(i)
                if s is not None:
                    return s[0], FolderSource(s[1])
            elif c == "#":
                end = _TAG_RUN.match(text, i + 1).end()  # type: ignore[union-attr]
                self.fail(end, E_TEXT)
                return end, TagSource(text[i:end])
            elif text.startswith("outgoing(", i):
                j = self.ow(i + 9)
                link = self.link_inner(j)
                if link is None:
                    self.fail(j, E_LINK)
                elif text.startswith(")", link[0]):
                    return link[0] + 1, LinkSource(_make_link(link[1], False).path, "outgoing")
                else:
                    self.fail(link[0], E_RPAREN)
            elif text.startswith("csv(", i):
                s = self.string(self.ow(i + 4))
                if s is not None:
                    if text.startswith(")", s[0]):
                        return s[0] + 1, CsvSource(s[1])
                    self.fail(s[0], E_RPAREN)
            self.fail_all(i, _SOURCE_NAMES)
            return None
        finally:
            self.depth -= 1

    # --- query ---------------------------------------------------------------------------

    def named_field(self, i: int) -> _Result[NamedField]:
        """``namedField``: ``expr AS name`` or ``expr`` named by its source text.

        Dataview tries the explicit form first and re-parses the expression for the implicit
        one; parsing is deterministic, so the expression is parsed once and both outcomes
        (with their failures) derived from it.
        """
        r = self.field(i)
        if r is None:
            return None
        end, expr = r
        raw = self.text[i:end]
        k = self.ws(end)
        if k >= 0:
            m = _AS.match(self.text, k)
            if m is None:
                self.fail(k, E_AS)
            else:
                k2 = self.ws(m.end())
                if k2 >= 0:
                    name = self.identifier(k2)
                    if name is None:
                        name = self.string(k2)
                    if name is not None:
                        return name[0], NamedField(name[1], expr, raw, True)
        return end, NamedField(strip_newlines(raw), expr, raw, False)

    def header(self, i: int) -> _Result[Header]:
        """``headerClause`` (desc ``TABLE or LIST or TASK or CALENDAR``)."""
        saved = self.scope()
        r = self.header_body(i)
        self.unscope(saved, None if r is not None else E_HEADER)
        return r

    def header_body(self, i: int) -> _Result[Header]:
        text = self.text
        m = _QUERY_TYPE.match(text, i)
        if m is None:
            self.fail(i, "query type")  # renamed by the header's desc
            return None
        kind = m.group().lower()
        j = m.end()
        if kind == "task":
            return j, TaskHeader()
        if kind == "calendar":
            k = self.ws(j)
            if k < 0:
                return None
            named = self.named_field(k)
            if named is None:
                return None
            return named[0], CalendarHeader(named[1])
        # TABLE / LIST: end of input, or whitespace then the rest.
        if j == self.n:
            return j, (TableHeader(()) if kind == "table" else ListHeader(None))
        self.fail(j, E_EOF)
        k = self.ws(j)
        if k < 0:
            return None
        show_id = True
        without = _WITHOUT_ID.match(text, k)
        if without is not None:
            show_id = False
            k = self.ow(without.end())
        else:
            self.fail(k, E_WITHOUT)
        if kind == "table":
            end, fields = self.sep_by(k, self.named_field)
            return end, TableHeader(tuple(fields), show_id)
        r = self.field(k)
        if r is None:
            return k, ListHeader(None, show_id)
        return r[0], ListHeader(r[1], show_id, text[k : r[0]])

    def from_clause(self, i: int) -> _Result[Source]:
        """``FROM <ws> source`` (no desc: its failures keep their own names)."""
        m = _FROM.match(self.text, i)
        if m is None:
            self.fail(i, E_FROM)
            return None
        k = self.ws(m.end())
        if k < 0:
            return None
        return self.source(k)

    def clause(self, i: int) -> _Result[Operation]:
        """One data command, alternatives in Dataview's order (FROM, WHERE, SORT, LIMIT, GROUP BY, FLATTEN)."""
        c = self.text[i : i + 1].lower()
        r: _Result[Operation] = None
        if c == "f":
            src = self.from_clause(i)
            if src is not None:
                return src[0], LateFromStep(src[1])
            r = self.described(i, _FLATTEN, E_FLATTEN, self.flatten_body)
        elif c == "w":
            r = self.described(i, _WHERE, E_WHERE, self.where_body)
        elif c == "s":
            r = self.described(i, _SORT, E_SORT, self.sort_body)
        elif c == "l":
            r = self.described(i, _LIMIT, E_LIMIT, self.limit_body)
        elif c == "g":
            r = self.described(i, _GROUP_BY, E_GROUP, self.group_body)
        if r is None:
            self.fail_all(i, _CLAUSE_NAMES)
        return r

    def described(
        self,
        i: int,
        keyword: re.Pattern[str],
        name: str,
        body: Callable[[int], _Result[Operation]],
    ) -> _Result[Operation]:
        """A keyword clause followed by whitespace and ``body``, inside a ``desc(name)`` scope."""
        m = keyword.match(self.text, i)
        if m is None:
            self.fail(i, name)
            return None
        saved = self.scope()
        r = None
        k = self.ws(m.end())
        if k >= 0:
            r = body(k)
        self.unscope(saved, None if r is not None else name)
        return r

    def where_body(self, k: int) -> _Result[Operation]:
        r = self.field(k)
        return None if r is None else (r[0], WhereStep(r[1]))

    def limit_body(self, k: int) -> _Result[Operation]:
        r = self.field(k)
        return None if r is None else (r[0], LimitStep(r[1]))

    def group_body(self, k: int) -> _Result[Operation]:
        r = self.named_field(k)
        return None if r is None else (r[0], GroupStep(r[1]))

    def flatten_body(self, k: int) -> _Result[Operation]:
        r = self.named_field(k)
        return None if r is None else (r[0], FlattenStep(r[1]))

    def sort_key(self, i: int) -> _Result[SortKey]:
        """``sortField``: ``expr`` + optional whitespace + optional direction."""
        r = self.field(i)
        if r is None:
            return None
        k = self.ow(r[0])
        m = _DIRECTION.match(self.text, k)
        if m is None:
            self.fail(k, E_DIRECTION)
            return k, SortKey(r[1])
        word = m.group().lower()
        direction = "descending" if word in ("desc", "descending") else "ascending"
        return m.end(), SortKey(r[1], direction)

    def sort_body(self, k: int) -> _Result[Operation]:
        first = self.sort_key(k)
        if first is None:  # sepBy1: at least one key
            return None
        end, keys = self.sep_rest(first[0], [first[1]], self.sort_key)
        return end, SortStep(tuple(keys))

    def query(self) -> Query | None:
        """``query.skip(eof)``."""
        pos = self.owc(0)
        h = self.header(pos)
        if h is None:
            return None
        pos = self.owc(h[0])
        source: Source = FolderSource("")
        has_from = False
        src = self.from_clause(self.owc(pos))
        if src is not None:
            pos = self.owc(src[0])
            source = src[1]
            has_from = True
        operations: list[Operation] = []
        while True:
            r = self.clause(self.owc(pos))
            if r is None:
                break
            operations.append(r[1])
            pos = self.owc(r[0])
        if pos != self.n:
            self.fail(pos, E_EOF)
            return None
        return Query(h[1], source, tuple(operations), has_from, self.time_dependent)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def _run(text: str, parse: Callable[[_Parser], T | None]) -> T:
    parser = _Parser(text)
    try:
        result = parse(parser)
    except _TooDeep as deep:
        raise DQLNestingError(text, deep.position, deep.limit, deep.what) from None
    except RecursionError:  # a caller already deep in its own stack; never leak RecursionError
        raise DQLNestingError(text, 0, MAX_NESTING, "the input") from None
    if result is None:
        raise parser.error()
    return result


def parse_query(text: str) -> Query:
    """Parse a ```` ```dataview ```` block.  Raises :class:`DQLSyntaxError` like Dataview would."""
    return _run(text, _Parser.query)


def _whole(parser: _Parser, part: Callable[[_Parser, int], _Result[T]]) -> T | None:
    r = part(parser, 0)
    if r is None:
        return None
    if r[0] != parser.n:
        parser.fail(r[0], E_EOF)
        return None
    return r[1]


def parse_expression(text: str) -> Expr:
    """Parse a lone expression (an inline ```= expr``` query, ``EXPRESSION.field.tryParse``).

    The text is used as given – Dataview does not skip leading whitespace here.  Errors are
    rendered by the caller as ``Dataview (inline field '<expr>'): `` + ``str(err)``.
    """
    return _run(text, lambda p: _whole(p, _Parser.field))


def parse_source(text: str) -> Source:
    """Parse a FROM source on its own (``EXPRESSION.source.tryParse``, as ``dv.pages("...")`` does)."""
    return _run(text, lambda p: _whole(p, _Parser.source))
