"""Dataview's binary operators (``+ - * / % < <= > >= = != & |``), per operand type.

Dataview (src/expression/binaryop.ts, reference §3.5) keeps a registry keyed by
``(left type, operator, right type)`` where either type may be the wildcard ``*``.  Lookup tries the
exact pair, then ``(left, *)``, then ``(*, right)``, then ``(*, *)``; a miss is the error
``No implementation found for '<left> <op> <right>'``.  The *order* of those fallbacks is
observable (``null + "x"`` finds ``* + string`` and gives ``\\-x`` while ``null + 1`` is an error),
so the registry is reproduced as data rather than as ``if`` chains.

Numbers follow JavaScript double arithmetic: ``5 / 0`` is ``Infinity``, ``-7 % 3`` is ``-1``, and
integers beyond 2**53 are rounded like doubles.  Comparisons always go through
:func:`gardend.daemon.values.compare` (the total order of §3.8) and never fail; ``&``/``|`` return
a boolean of both sides' truthiness (the evaluator evaluates both sides first: no short-circuit).

:class:`EvaluationError` lives here because this is the lowest layer of the evaluator; the
evaluator and the function table re-export it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..values import (
    DEFAULT_SETTINGS,
    MAX_SAFE_INTEGER,
    Value,
    ValueSettings,
    clean_number,
    compare,
    is_truthy,
    js_div,
    js_mod,
    js_number_str,
    to_string,
    type_name,
)

__all__ = [
    "COMPARISON_OPERATORS",
    "DEFAULT_BINARY_OPS",
    "MAX_STRING_LENGTH",
    "BinaryOps",
    "EvaluationError",
    "js_number",
    "js_repeat",
]

#: V8's maximum string length (``String::kMaxLength`` on 64-bit builds); longer results are the
#: JavaScript ``RangeError: Invalid string length``.  Also protects the daemon from building
#: gigantic strings out of ``"x" * 1e12``.
MAX_STRING_LENGTH = 2**29 - 24

#: The comparison operators; all of them are defined for every pair of types.
COMPARISON_OPERATORS = frozenset({"<", "<=", ">", ">=", "=", "!="})


class EvaluationError(Exception):
    """An expression failed to evaluate; ``message`` is Dataview's own error text.

    Dataview reports these texts to the user (row errors, ``Dataview: ...`` banners), so callers
    should show ``str(error)`` unchanged.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def js_number(x: int | float) -> int | float:
    """Round a Python number to what a JavaScript double would hold, ``int`` where integral.

    Python integers are unbounded; JavaScript rounds anything past 2**53 to the nearest double.
    Rounding the exact result once gives the same double as JavaScript's correctly rounded
    operation on the (exactly representable) operands.
    """
    if isinstance(x, int) and not isinstance(x, bool):
        if -MAX_SAFE_INTEGER <= x <= MAX_SAFE_INTEGER:
            return x
        try:
            return float(x)
        except OverflowError:
            return math.inf if x > 0 else -math.inf
    return clean_number(x)


def _to_integer_or_infinity(x: int | float) -> int | float:
    """ECMAScript ``ToIntegerOrInfinity``: NaN -> 0, truncate toward zero, keep infinities."""
    if isinstance(x, int):
        return x
    if x != x:
        return 0
    if math.isinf(x):
        return x
    return math.trunc(x)


def js_repeat(text: str, count: int | float) -> str:
    """JavaScript ``String.prototype.repeat`` (with its ``RangeError`` messages)."""
    n = _to_integer_or_infinity(count)
    if n < 0 or math.isinf(n):
        raise EvaluationError(f"Invalid count value: {js_number_str(count)}")
    if n == 0 or not text:
        return ""
    if len(text) * n > MAX_STRING_LENGTH:
        raise EvaluationError("Invalid string length")
    return text * int(n)


BinaryImpl = Callable[[Value, Value, "BinaryOps"], Value]


def _num_add(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return js_number(a + b)


def _num_sub(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return js_number(a - b)


def _num_mul(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return js_number(a * b)


def _num_div(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return js_div(a, b)


def _num_mod(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return js_mod(a, b)


def _str_plus_any(a: Value, b: Value, ops: BinaryOps) -> Value:
    return _check_length(a + to_string(b, ops.settings))


def _any_plus_str(a: Value, b: Value, ops: BinaryOps) -> Value:
    return _check_length(to_string(a, ops.settings) + b)


def _check_length(text: str) -> str:
    if len(text) > MAX_STRING_LENGTH:
        raise EvaluationError("Invalid string length")
    return text


def _str_times_num(a: Value, b: Value, _ops: BinaryOps) -> Value:
    # Dataview: ``b < 0 ? "" : a.repeat(b)`` -- the sign check comes first.
    return "" if b < 0 else js_repeat(a, b)


def _num_times_str(a: Value, b: Value, ops: BinaryOps) -> Value:
    return _str_times_num(b, a, ops)


def _luxon(call: Callable[[], Value]) -> Value:
    """Run a luxon-emulating operation, turning its ``ValueError`` (luxon's thrown errors, e.g.
    ``Invalid unit value NaN``) into an evaluation error with the same text."""
    try:
        return call()
    except (ValueError, OverflowError) as exc:
        raise EvaluationError(str(exc)) from None


def _date_minus_date(a: Value, b: Value, _ops: BinaryOps) -> Value:
    from ..luxon import diff

    return _luxon(lambda: diff(a, b))


def _date_minus_dur(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return _luxon(lambda: a.minus(b))


def _date_plus_dur(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return _luxon(lambda: a.plus(b))


def _dur_plus_date(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return _luxon(lambda: b.plus(a))


def _dur_plus_dur(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return _luxon(lambda: a + b)


def _dur_minus_dur(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return _luxon(lambda: a - b)


def _dur_div_num(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return _luxon(lambda: a / b)


def _dur_times_num(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return _luxon(lambda: a * b)


def _num_times_dur(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return _luxon(lambda: b * a)


def _array_concat(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return [*a, *b]


def _object_merge(a: Value, b: Value, _ops: BinaryOps) -> Value:
    merged = dict(a)
    merged.update(b)
    return merged


def _null(_a: Value, _b: Value, _ops: BinaryOps) -> Value:
    return None


def _and(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return is_truthy(a) and is_truthy(b)


def _or(a: Value, b: Value, _ops: BinaryOps) -> Value:
    return is_truthy(a) or is_truthy(b)


#: Dataview's registry, in its registration order (later registrations of the same key win, as
#: with a JavaScript ``Map``; there are none here).
_REGISTRY: dict[tuple[str, str, str], BinaryImpl] = {
    ("*", "&", "*"): _and,
    ("*", "|", "*"): _or,
    ("number", "+", "number"): _num_add,
    ("number", "-", "number"): _num_sub,
    ("number", "*", "number"): _num_mul,
    ("number", "/", "number"): _num_div,
    ("number", "%", "number"): _num_mod,
    ("string", "+", "*"): _str_plus_any,
    ("*", "+", "string"): _any_plus_str,
    ("string", "*", "number"): _str_times_num,
    ("number", "*", "string"): _num_times_str,
    ("date", "-", "date"): _date_minus_date,
    ("date", "-", "duration"): _date_minus_dur,
    ("date", "+", "duration"): _date_plus_dur,
    ("duration", "+", "date"): _dur_plus_date,
    ("duration", "+", "duration"): _dur_plus_dur,
    ("duration", "-", "duration"): _dur_minus_dur,
    ("duration", "/", "number"): _dur_div_num,
    ("duration", "*", "number"): _dur_times_num,
    ("number", "*", "duration"): _num_times_dur,
    ("array", "+", "array"): _array_concat,
    ("object", "+", "object"): _object_merge,
    ("null", "+", "null"): _null,
    ("null", "-", "null"): _null,
    ("null", "*", "null"): _null,
    ("null", "/", "null"): _null,
    ("null", "%", "null"): _null,
    ("date", "+", "null"): _null,
    ("null", "+", "date"): _null,
    ("date", "-", "null"): _null,
    ("null", "-", "date"): _null,
}


@dataclass(frozen=True)
class BinaryOps:
    """Dataview's ``BinaryOpHandler`` bound to the settings and link normaliser of one context.

    ``link_normalizer`` maps a link path to the full vault path (as resolved from the querying
    file), so that ``[[A]] = [[Folder/A.md]]`` holds when they name the same note; ``settings``
    decides how ``null`` renders inside string concatenation (``"a" + null`` -> ``a\\-``).
    """

    settings: ValueSettings = DEFAULT_SETTINGS
    link_normalizer: Callable[[str], str] | None = None
    registry: Mapping[tuple[str, str, str], BinaryImpl] = field(default_factory=lambda: _REGISTRY)

    def compare(self, a: Value, b: Value) -> int:
        """The total order of §3.8 (-1, 0 or 1) with this context's link normaliser."""
        return compare(a, b, self.link_normalizer)

    def evaluate(self, op: str, left: Value, right: Value) -> Value:
        """Apply ``op`` (``&``/``|`` for ``and``/``or``) to two already evaluated operands."""
        # Integers beyond 2**53 (possible in YAML data) are doubles in JavaScript.
        if type(left) is int and not -MAX_SAFE_INTEGER <= left <= MAX_SAFE_INTEGER:
            left = js_number(left)
        if type(right) is int and not -MAX_SAFE_INTEGER <= right <= MAX_SAFE_INTEGER:
            right = js_number(right)
        if op in COMPARISON_OPERATORS:
            c = compare(left, right, self.link_normalizer)
            if op == "<":
                return c < 0
            if op == "<=":
                return c <= 0
            if op == ">":
                return c > 0
            if op == ">=":
                return c >= 0
            if op == "=":
                return c == 0
            return c != 0
        lt, rt = type_name(left), type_name(right)
        registry = self.registry
        impl = (
            registry.get((lt, op, rt))
            or registry.get((lt, op, "*"))
            or registry.get(("*", op, rt))
            or registry.get(("*", op, "*"))
        )
        if impl is None:
            raise EvaluationError(f"No implementation found for '{lt} {op} {rt}'")
        return impl(left, right, self)


DEFAULT_BINARY_OPS = BinaryOps()
