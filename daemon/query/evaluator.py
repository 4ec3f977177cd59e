"""Evaluation of DQL expressions (Dataview's ``Context.evaluate``, src/expression/context.ts).

:class:`Evaluator` turns an AST from :mod:`gardend.daemon.query.parser` into a value of the model in
:mod:`gardend.daemon.values`, against one row (a page's data object) and the globals (``this``):

* variables read the row first, then the globals, else ``null`` (§3.3);
* ``row.x`` / ``row["x"]`` index the merge of globals and row -- the only way to reach keys with
  spaces (§3.3);
* binary operators dispatch per type through :class:`~gardend.daemon.query.binaryop.BinaryOps`;
  ``and``/``or`` evaluate both sides (an error on either side is an error, §3.4);
* indexing follows §3.6: objects by key, lists by position or -- with a string -- by mapping over
  the elements (elements that fail are dropped), strings by UTF-16 position, dates and durations
  by unit name, links by resolving the linked page through the injectable ``link_resolver``;
* calls with a plain name use the function table (never a variable), other callees are
  evaluated: lambdas are called, strings name a function, anything else is
  ``Cannot call type '<type>' as a function``; arguments are evaluated *before* the name is
  looked up, as in Dataview, so an argument's error wins over ``Unrecognized function name``;
* lambdas close over the row they were created in; missing arguments stay unbound and fall back
  to normal lookup (§4.1 rule 5).

Known differences from Dataview: object indexing and ``contains(object, key)`` see only the
object's own keys (JavaScript also finds prototype members such as ``constructor``); Python
exceptions raised inside a built-in (e.g. an integer too large for a double) surface with Python's
text where V8 would word its own; the depth-limit error below is gardend's own.

Errors are :class:`EvaluationError` with Dataview's message.  Recursion is bounded: the parser
caps trees at height 200, and the evaluator additionally counts nested evaluation levels
(sub-expressions, function and lambda calls, vectorised calls) per thread and fails with an
``EvaluationError`` beyond :data:`MAX_EVALUATION_DEPTH`.  So that this guard fires before
Python's own, a top-level evaluation raises ``sys.getrecursionlimit()`` (never lowers it) when the
caller's stack plus :data:`MAX_EVALUATION_DEPTH` levels would not fit -- with the default limit of
1000 that happens once, to about 2000; ``RecursionError`` is still mapped to the same error as a
last resort.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..values import (
    DEFAULT_SETTINGS,
    MAX_SAFE_INTEGER,
    Duration,
    DVDate,
    Link,
    Value,
    ValueSettings,
    is_number,
    is_truthy,
    type_name,
)
from .ast import (
    BinaryOp,
    Expr,
    FunctionCall,
    Index,
    Lambda,
    ListExpr,
    Literal,
    Negated,
    ObjectExpr,
    Variable,
)
from .binaryop import COMPARISON_OPERATORS, BinaryOps, EvaluationError

__all__ = [
    "MAX_EVALUATION_DEPTH",
    "EvaluationError",
    "Evaluator",
    "LambdaValue",
    "RowFunction",
    "ensure_stack_headroom",
]

#: Nested evaluation levels allowed per top-level :meth:`Evaluator.evaluate` (AST levels, function
#: and lambda calls, vectorisation over nested lists).  Parsed expressions are at most 200 high,
#: so real queries stay far below this.
MAX_EVALUATION_DEPTH = 600

#: Python frames one evaluation level may use at most (generous); used to make sure the
#: interpreter's recursion limit leaves room for :data:`MAX_EVALUATION_DEPTH` levels.
_FRAMES_PER_LEVEL = 3

_DEPTH_MESSAGE = "Expression is nested too deeply to evaluate"


class _DepthState(threading.local):
    depth: int = 0


_STATE = _DepthState()


def _utf16_unit(text: str, index: int) -> str | None:
    """``text[index]`` in JavaScript (one UTF-16 code unit; a lone surrogate for astral halves)."""
    if text.isascii() or all(ord(ch) <= 0xFFFF for ch in text):
        return text[index] if 0 <= index < len(text) else None
    units = text.encode("utf-16-le", "surrogatepass")
    if not 0 <= index < len(units) // 2:
        return None
    return chr(int.from_bytes(units[2 * index : 2 * index + 2], "little"))


_HEADROOM = MAX_EVALUATION_DEPTH * _FRAMES_PER_LEVEL + 100


def _ensure_stack_headroom() -> None:
    """Raise Python's recursion limit (never lower it) so that a full-depth evaluation fits above
    the caller's current stack.

    The common case costs one C-level frame lookup: if the stack is shallower than
    ``limit - headroom`` frames there is nothing to do.  Only otherwise are the frames counted.
    """
    limit = sys.getrecursionlimit()
    room = limit - _HEADROOM
    if room > 0:
        try:
            sys._getframe(room)
        except ValueError:
            return  # the stack is shallower than `room`
    depth = 0
    frame = sys._getframe(1)
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    needed = depth + _HEADROOM
    if limit < needed:
        sys.setrecursionlimit(needed)


def ensure_stack_headroom() -> None:
    """What :meth:`Evaluator.evaluate_with` does before a top-level evaluation; call it once
    before a loop of :meth:`Evaluator.row_function` calls (from the frame that makes them)."""
    _ensure_stack_headroom()


RowFunction = Callable[[Mapping[str, Value], Mapping[str, Value]], Value]
"""``f(data, global_vars)``: one expression ready to be evaluated for many rows."""

_FAST_MAX_LEVEL = 32
"""Deepest node a fast row function handles itself (far below :data:`MAX_EVALUATION_DEPTH`, so
the depth guard can never fire inside one)."""

_OBJECT_DICTS: set[type] = {dict}
"""``dict`` types whose values are DQL objects (``type_name`` ``"object"``), found as they come."""


class LambdaValue:
    """A DQL lambda as a value (``typeof`` -> ``function``), closing over the row it was made in.

    It is a Python callable so that the value model recognises it as a function; calling it
    directly evaluates it with the evaluator that created it.
    """

    __slots__ = ("body", "data", "evaluator", "globals", "params")

    def __init__(
        self,
        params: tuple[str, ...],
        body: Expr,
        data: Mapping[str, Value],
        global_vars: Mapping[str, Value],
        evaluator: Evaluator,
    ) -> None:
        self.params = params
        self.body = body
        self.data = data
        self.globals = global_vars
        self.evaluator = evaluator

    def __call__(self, *args: Value) -> Value:
        return self.evaluator.call(self, *args)

    def __repr__(self) -> str:
        return f"LambdaValue(({', '.join(self.params)}) => ...)"


FunctionImpl = Callable[..., Value]


def _default_functions() -> Mapping[str, FunctionImpl]:
    from .functions import DEFAULT_FUNCTIONS

    return DEFAULT_FUNCTIONS


@dataclass
class Evaluator:
    """Evaluates expressions for one query context (Dataview's ``Context``).

    ``link_resolver`` returns the data object of the page a link points to (or ``None`` when the
    link does not resolve); it backs ``link.field`` indexing and ``date(link)``.
    ``link_path_resolver`` maps a link path to the full vault path as resolved from the querying
    file (unchanged when no file matches); it backs ``link("x")`` and link equality.  Both default
    to "nothing resolves" / identity, which suits tests and contexts without a vault.
    """

    link_resolver: Callable[[Link], Mapping[str, Value] | None] | None = None
    link_path_resolver: Callable[[str], str] | None = None
    settings: ValueSettings = DEFAULT_SETTINGS
    functions: Mapping[str, FunctionImpl] = field(default_factory=_default_functions)
    #: Extra globals beside ``this`` (Dataview's context globals).
    globals: Mapping[str, Value] = field(default_factory=dict)
    binary_ops: BinaryOps = field(init=False)

    def __post_init__(self) -> None:
        self.binary_ops = BinaryOps(self.settings, self.link_path_resolver)

    # ---- public entry points -------------------------------------------------------------------

    def evaluate(
        self,
        expr: Expr,
        row: Mapping[str, Value] | None = None,
        this: Mapping[str, Value] | None = None,
    ) -> Value:
        """Evaluate ``expr`` for ``row`` with ``this`` as the querying page; raises
        :class:`EvaluationError` with Dataview's message on failure."""
        global_vars: dict[str, Value] = dict(self.globals)
        global_vars["this"] = None if this is None else this
        return self.evaluate_with(expr, {} if row is None else row, global_vars)

    def evaluate_with(
        self, expr: Expr, data: Mapping[str, Value], global_vars: Mapping[str, Value]
    ) -> Value:
        """Evaluate with an explicit globals mapping (for engines that keep their own)."""
        if _STATE.depth == 0:
            _ensure_stack_headroom()
            try:
                return self._eval(expr, data, global_vars)
            except RecursionError:  # pragma: no cover - last resort, the depth guard fires first
                raise EvaluationError(_DEPTH_MESSAGE) from None
            finally:
                _STATE.depth = 0
        return self._eval(expr, data, global_vars)

    def row_function(self, expr: Expr) -> RowFunction:
        """``expr`` prepared for many rows: ``f(data, global_vars)`` returns exactly what
        ``evaluate_with(expr, data, global_vars)`` returns (or raises what it raises), except that
        the caller calls :func:`ensure_stack_headroom` once before its loop instead of once per
        row.

        Field reads (``x``, ``file.name``, ``a.b.c``), literals, ``!``, binary operators and calls
        of named functions over them run as closures built here, without the generic dispatch and
        with an inline numeric comparison; anything else (lambdas, ``row[...]``, computed indexes,
        computed callees) uses :meth:`_eval`. The closures keep the generic path's observable
        behaviour: evaluation order, errors, and the nesting depth seen by the steps that count it
        (function calls, and indexing a list by a string, which recurses per level).
        """
        fast = self._fast(expr, 1)
        generic = self._eval
        state = _STATE

        if fast is None:

            def run_generic(data: Mapping[str, Value], global_vars: Mapping[str, Value]) -> Value:
                if state.depth:
                    return generic(expr, data, global_vars)
                try:
                    return generic(expr, data, global_vars)
                except RecursionError:  # pragma: no cover - last resort, as in evaluate_with
                    raise EvaluationError(_DEPTH_MESSAGE) from None
                finally:
                    state.depth = 0

            return run_generic

        def run_fast(data: Mapping[str, Value], global_vars: Mapping[str, Value]) -> Value:
            if state.depth:
                return generic(expr, data, global_vars)
            try:
                return fast(data, global_vars)
            except RecursionError:  # pragma: no cover - last resort, as in evaluate_with
                raise EvaluationError(_DEPTH_MESSAGE) from None
            finally:
                state.depth = 0

        return run_fast

    def try_evaluate(
        self,
        expr: Expr,
        row: Mapping[str, Value] | None = None,
        this: Mapping[str, Value] | None = None,
    ) -> tuple[bool, Value]:
        """``(True, value)`` or ``(False, message)`` -- Dataview's ``Result`` shape."""
        try:
            return True, self.evaluate(expr, row, this)
        except EvaluationError as exc:
            return False, exc.message

    def binary(self, op: str, left: Value, right: Value) -> Value:
        """Apply a binary operator to two values (used by ``reduce``, ``sum``, ``contains`` ...)."""
        return self.binary_ops.evaluate(op, left, right)

    def compare(self, a: Value, b: Value) -> int:
        """Dataview's total order with this context's link normaliser."""
        return self.binary_ops.compare(a, b)

    def normalize_link_path(self, path: str) -> str:
        """The full vault path of a link path (identity without a resolver)."""
        return path if self.link_path_resolver is None else self.link_path_resolver(path)

    def resolve_link(self, link: Link) -> Mapping[str, Value] | None:
        """The data object of the linked page, or ``None``."""
        return None if self.link_resolver is None else self.link_resolver(link)

    def call(self, func: Value, *args: Value) -> Value:
        """Call a function value: a lambda, a function name, or a Python callable -- which, like
        Dataview's ``FunctionImpl(ctx, ...args)``, receives this evaluator first."""
        self._enter()
        try:
            if isinstance(func, LambdaValue):
                data = dict(func.data)
                for name, value in zip(func.params, args, strict=False):
                    data[name] = value
                return func.evaluator._eval(func.body, data, func.globals)
            if isinstance(func, str):
                impl = self.functions.get(func)
                if impl is None:
                    raise EvaluationError(f"Unrecognized function name '{func}'")
                return self._invoke(impl, args)
            if callable(func) and type_name(func) == "function":
                return self._invoke(func, args)
            raise EvaluationError(f"Cannot call type '{type_name(func)}' as a function")
        finally:
            _STATE.depth -= 1

    def index(self, obj: Value, key: Value) -> Value:
        """Dataview indexing of a value (§3.6): ``obj[key]`` with ``key`` already evaluated."""
        if key is None:
            return None
        if not (isinstance(key, str) or is_number(key)):
            raise EvaluationError("Can only index with a string or number")
        return self._index_value(obj, key)

    # ---- internals -----------------------------------------------------------------------------

    @staticmethod
    def _enter() -> None:
        depth = _STATE.depth + 1
        if depth > MAX_EVALUATION_DEPTH:
            raise EvaluationError(_DEPTH_MESSAGE)
        _STATE.depth = depth

    def _invoke(self, impl: FunctionImpl, args: tuple[Value, ...] | list[Value]) -> Value:
        """Call a built-in; stray Python errors become evaluation errors, as Dataview turns any
        JavaScript exception of a function into its message."""
        try:
            return impl(self, *args)
        except EvaluationError:
            raise
        except RecursionError:
            raise EvaluationError(_DEPTH_MESSAGE) from None
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError) as exc:
            raise EvaluationError(str(exc)) from None

    def _fast(self, expr: Expr, level: int) -> RowFunction | None:
        """A closure for ``expr`` run at top level, or ``None`` when it is not a simple shape.

        ``level`` is the evaluation depth :meth:`_eval` would be at while working on ``expr``
        (its non-leaf ancestors plus one); the closures set it before calling code that
        counts depth, so that code behaves as under :meth:`_eval`.
        """
        kind = type(expr)
        if kind is Literal:
            value = expr.value  # type: ignore[union-attr]
            return lambda data, global_vars: value
        if kind is Variable:
            name = expr.name  # type: ignore[union-attr]

            def variable(data: Mapping[str, Value], global_vars: Mapping[str, Value]) -> Value:
                if name in data:
                    return data[name]
                return global_vars.get(name)

            return variable
        if level > _FAST_MAX_LEVEL:
            return None
        state = _STATE
        if kind is Index:
            key_expr = expr.index  # type: ignore[union-attr]
            target = expr.object  # type: ignore[union-attr]
            if type(key_expr) is not Literal or type(key_expr.value) is not str:
                return None
            if type(target) is Variable and target.name == "row":
                return None
            inner = self._fast(target, level + 1)
            if inner is None:
                return None
            key: str = key_expr.value
            index_value = self._index_value
            objects = _OBJECT_DICTS

            def index(data: Mapping[str, Value], global_vars: Mapping[str, Value]) -> Value:
                obj = inner(data, global_vars)
                if type(obj) in objects:
                    return obj.get(key)  # type: ignore[union-attr]
                if isinstance(obj, dict) and type_name(obj) == "object":
                    objects.add(type(obj))
                    return obj.get(key)
                state.depth = level
                return index_value(obj, key)

            return index
        if kind is FunctionCall and type(expr.func) is Variable:  # type: ignore[union-attr]
            name = expr.func.name  # type: ignore[union-attr]
            arguments = [self._fast(arg, level + 1) for arg in expr.arguments]  # type: ignore[union-attr]
            if any(arg is None for arg in arguments):
                return None
            call = self.call

            def function_call(data: Mapping[str, Value], global_vars: Mapping[str, Value]) -> Value:
                args = [arg(data, global_vars) for arg in arguments]  # type: ignore[misc]
                state.depth = level  # call() counts one more level, as under _eval
                return call(name, *args)

            return function_call
        if kind is Negated:
            child = self._fast(expr.child, level + 1)  # type: ignore[union-attr]
            if child is None:
                return None
            return lambda data, global_vars: not is_truthy(child(data, global_vars))
        if kind is BinaryOp:
            left = self._fast(expr.left, level + 1)  # type: ignore[union-attr]
            right = self._fast(expr.right, level + 1)  # type: ignore[union-attr]
            if left is None or right is None:
                return None
            op: str = expr.op  # type: ignore[union-attr]
            evaluate = self.binary_ops.evaluate
            if op not in COMPARISON_OPERATORS:

                def binary(data: Mapping[str, Value], global_vars: Mapping[str, Value]) -> Value:
                    a = left(data, global_vars)
                    return evaluate(op, a, right(data, global_vars))

                return binary
            # compare() on two numbers: -1 if a < b, 0 if a == b, else 1 (NaN: 1 both ways).
            less, equal, greater = (_COMPARISON_RESULTS[op](c) for c in (-1, 0, 1))
            top = MAX_SAFE_INTEGER

            def comparison(data: Mapping[str, Value], global_vars: Mapping[str, Value]) -> Value:
                a = left(data, global_vars)
                b = right(data, global_vars)
                ta = type(a)
                tb = type(b)
                if (ta is float or (ta is int and -top <= a <= top)) and (  # type: ignore[operator]
                    tb is float or (tb is int and -top <= b <= top)  # type: ignore[operator]
                ):
                    return less if a < b else (equal if a == b else greater)  # type: ignore[operator]
                if a is None:  # null sorts first (compare's first rule)
                    return equal if b is None else less
                if b is None:
                    return greater
                return evaluate(op, a, b)

            return comparison
        return None

    def _eval(self, expr: Expr, data: Mapping[str, Value], global_vars: Mapping[str, Value]) -> Value:
        if isinstance(expr, Literal):
            return expr.value
        if isinstance(expr, Variable):
            name = expr.name
            if name in data:
                return data[name]
            return global_vars.get(name)
        self._enter()
        try:
            if isinstance(expr, BinaryOp):
                left = self._eval(expr.left, data, global_vars)
                right = self._eval(expr.right, data, global_vars)
                return self.binary_ops.evaluate(expr.op, left, right)
            if isinstance(expr, Negated):
                return not is_truthy(self._eval(expr.child, data, global_vars))
            if isinstance(expr, Index):
                key = self._eval(expr.index, data, global_vars)
                if key is None:
                    return None
                if not (isinstance(key, str) or is_number(key)):
                    raise EvaluationError("Can only index with a string or number")
                target = expr.object
                if isinstance(target, Variable) and target.name == "row":
                    obj: Value = {**global_vars, **data}
                else:
                    obj = self._eval(target, data, global_vars)
                return self._index_value(obj, key)
            if isinstance(expr, FunctionCall):
                callee = expr.func
                func: Value = (
                    callee.name
                    if isinstance(callee, Variable)
                    else self._eval(callee, data, global_vars)
                )
                args = [self._eval(arg, data, global_vars) for arg in expr.arguments]
                return self.call(func, *args)
            if isinstance(expr, Lambda):
                return LambdaValue(expr.arguments, expr.value, data, global_vars, self)
            if isinstance(expr, ListExpr):
                return [self._eval(v, data, global_vars) for v in expr.values]
            if isinstance(expr, ObjectExpr):
                return {key: self._eval(v, data, global_vars) for key, v in expr.fields}
            raise EvaluationError(f"Unrecognized expression type '{type(expr).__name__}'")
        finally:
            _STATE.depth -= 1

    def _index_value(self, obj: Value, key: str | int | float) -> Value:
        kind = type_name(obj)
        if kind == "object":
            if not isinstance(key, str):
                raise EvaluationError('can only index into objects with strings (a.b or a["b"])')
            return obj.get(key) if isinstance(obj, Mapping) else None
        if kind == "link":
            if not isinstance(key, str):
                raise EvaluationError('can only index into links with strings (a.b or a["b"])')
            page = self.resolve_link(obj)
            if page is None:
                return None
            return page.get(key)
        if kind == "array":
            if isinstance(key, str):
                self._enter()
                try:
                    out: list[Value] = []
                    for element in obj:
                        try:
                            out.append(self._index_value(element, key))
                        except EvaluationError as exc:
                            if exc.message == _DEPTH_MESSAGE:
                                raise
                            continue
                    return out
                finally:
                    _STATE.depth -= 1
            return _array_at(obj, key)
        if kind == "string":
            if not is_number(key):
                raise EvaluationError("string indexing requires a numeric index (string[index])")
            if isinstance(key, float) and not key.is_integer():
                return None
            return _utf16_unit(obj, int(key)) if abs(key) < 2**53 else None
        if kind == "date":
            if not isinstance(key, str):
                raise EvaluationError("date indexing requires a string representing the unit")
            return _date_part(obj, key)
        if kind == "duration":
            if not isinstance(key, str):
                raise EvaluationError("duration indexing requires a string representing the unit")
            return _duration_part(obj, key)
        return None


_COMPARISON_RESULTS: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
    "=": lambda c: c == 0,
    "!=": lambda c: c != 0,
}
"""What each comparison operator makes of :func:`~gardend.daemon.values.compare`'s result
(as in :meth:`BinaryOps.evaluate`)."""


def _array_at(items: Any, key: int | float) -> Value:
    """``array[n]``: out of range, negative or fractional positions give ``null``."""
    if isinstance(key, float):
        if not key.is_integer():
            return None
        key = int(key)
    if 0 <= key < len(items):
        return items[key]
    return None


def _date_part(date: DVDate, key: str) -> Value:
    return date.index(key)


def _duration_part(duration: Duration, key: str) -> Value:
    try:
        return duration.as_unit(key)
    except ValueError as exc:
        raise EvaluationError(str(exc)) from None
