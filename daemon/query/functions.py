"""Dataview's built-in functions (``DEFAULT_FUNCTIONS`` of src/expression/functions.ts, §4).

The table has the 66 names of §4 (``array`` is an alias of ``list``).  Every function is a plain
Python callable ``impl(evaluator, *args)``; most are built with :class:`FunctionBuilder`, which
reproduces Dataview's dispatch exactly because its order is observable (§4.1):

1. if the function declares vectorised positions for this argument count and one of them holds a
   list, it is called once per index up to the *shortest* such list, and returns the list of
   results;
2. otherwise the first overload whose arity and types match (``*`` matches anything, ``null``
   included) runs; a vararg overload matches anything;
3. otherwise ``No implementation of '<name>' found for arguments: <types>``.

Strings are JavaScript strings: lengths, positions, ``substring``, ``padleft``, ``reverse`` and
``truncate`` count UTF-16 code units, so astral characters (emoji) count twice as in Dataview.

Regular expressions (``regextest``, ``regexmatch``, ``regexreplace``, ``split``) are JavaScript
patterns run by Python's :mod:`re` after a translation (:func:`js_regex`):

* ``(?<name>...)`` -> ``(?P<name>...)`` and ``\\k<name>`` -> ``(?P=name)``;
* ``.`` excludes ``\\n \\r \\u2028 \\u2029`` and ``$`` only matches at the very end (no ``m`` flag);
* ``\\d \\w \\b`` are ASCII (as in JavaScript without the ``u`` flag); ``\\s``/``\\S`` outside
  classes use JavaScript's whitespace set;
* ``[^]`` (anything) and ``[]`` (nothing) are rewritten; identity escapes of letters with no
  JavaScript meaning (``\\a``, ``\\e``, ``\\z`` ...) become the literal letter;
* replacement templates support ``$1``..``$99``, ``$&``, ``$$``, ``$`` `` ` ``, ``$'`` and
  ``$<name>`` with JavaScript's rules (unmatched groups are empty).

Known regex gaps: lookbehind must have a fixed width in Python (JavaScript allows any), so such
patterns fail with an "Invalid regular expression" error; ``\\S`` *inside* a character class keeps
Python's (ASCII-mode) meaning; ``a{,3}`` is a quantifier in Python 3.11 but literal text in
JavaScript; matching advances by code point, so an empty-matching ``split`` pattern does not cut
astral characters into surrogate halves as JavaScript does; error texts for invalid patterns are
``Invalid regular expression: /<pattern>/: <Python's reason>`` (V8's reasons differ).

Other documented differences: ``display()`` approximates the ``remove-markdown`` package with its
regular expressions (run by Python's engine); ``currencyformat`` knows en-US symbols for common
ISO 4217 codes only (others print as ``XYZ 12.50``, as ICU does for unknown codes) and
``-0`` prints without a sign; ``lower``/``upper`` use Python's full Unicode case mapping (the
same as JavaScript's locale-independent mapping for all but Turkish/Lithuanian locales).
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import regex as _rx

from .. import luxon
from ..values import (
    JS_WHITESPACE,
    MAX_SAFE_INTEGER,
    DVDate,
    ExternalLinkWidget,
    Link,
    Value,
    clean_number,
    is_truthy,
    js_object_order,
    js_trim,
    parse_date_plus,
    parse_date_text,
    parse_duration_text,
    to_string,
    type_name,
)
from .binaryop import MAX_STRING_LENGTH, EvaluationError

if TYPE_CHECKING:
    from .evaluator import Evaluator

__all__ = [
    "DEFAULT_FUNCTIONS",
    "FunctionBuilder",
    "FunctionImpl",
    "currency_format",
    "cyrb53",
    "js_regex",
    "js_round",
    "js_split",
    "remove_markdown",
]

FunctionImpl = Callable[..., Value]


# =================================================================================================
# FunctionBuilder
# =================================================================================================


@dataclass(frozen=True)
class _Variant:
    types: tuple[str, ...]
    varargs: bool
    impl: FunctionImpl


@dataclass
class FunctionBuilder:
    """Builds a dispatching function like Dataview's ``FunctionBuilder`` (see module docstring).

    Overload implementations receive ``(evaluator, *args)``.
    """

    name: str
    variants: list[_Variant] = field(default_factory=list)
    vectorized: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def add(self, *types: str, impl: FunctionImpl) -> FunctionBuilder:
        """An overload for exactly these argument types (``"*"`` = any, ``null`` included)."""
        self.variants.append(_Variant(tuple(types), False, impl))
        return self

    def vararg(self, impl: FunctionImpl) -> FunctionBuilder:
        """An overload accepting any arguments (matches whenever it is reached)."""
        self.variants.append(_Variant((), True, impl))
        return self

    def vectorize(self, arg_count: int, positions: Sequence[int]) -> FunctionBuilder:
        """With ``arg_count`` arguments, map over lists found at ``positions``."""
        self.vectorized[arg_count] = tuple(positions)
        return self

    def build(self) -> FunctionImpl:
        """The dispatching function ``(evaluator, *args) -> value``."""
        name = self.name
        variants = tuple(self.variants)
        vectorized = dict(self.vectorized)
        # Per argument count: the overloads that can match, in order, up to the first vararg
        # (``None`` types).  Dispatch order is unchanged; only impossible arities are skipped.
        by_arity: dict[int, tuple[tuple[tuple[str, ...] | None, FunctionImpl], ...]] = {}

        def candidates(n: int) -> tuple[tuple[tuple[str, ...] | None, FunctionImpl], ...]:
            found = by_arity.get(n)
            if found is None:
                out: list[tuple[tuple[str, ...] | None, FunctionImpl]] = []
                for variant in variants:
                    if variant.varargs:
                        out.append((None, variant.impl))
                        break
                    if len(variant.types) == n:
                        out.append((variant.types, variant.impl))
                found = by_arity[n] = tuple(out)
            return found

        def dispatch(ev: Evaluator, *args: Value) -> Value:
            types = [type_name(a) for a in args]
            positions = vectorized.get(len(args))
            if positions:
                lists = [p for p in positions if types[p] == "array"]
                if lists:
                    count = min(len(args[p]) for p in lists)
                    out: list[Value] = []
                    for i in range(count):
                        sub = [args[k][i] if k in lists else args[k] for k in range(len(args))]
                        out.append(ev.call(dispatch, *sub))
                    return out
            for wanted, impl in candidates(len(args)):
                if wanted is None:
                    return impl(ev, *args)
                for t, actual in zip(wanted, types, strict=True):
                    if t != "*" and t != actual:
                        break
                else:
                    return impl(ev, *args)
            raise EvaluationError(
                f"No implementation of '{name}' found for arguments: {', '.join(types)}"
            )

        dispatch.__name__ = f"dv_{name}"
        dispatch.__qualname__ = f"dv_{name}"
        return dispatch


# =================================================================================================
# JavaScript helpers: numbers, UTF-16 strings
# =================================================================================================


def _integer(x: int | float) -> int | float:
    """ECMAScript ``ToIntegerOrInfinity``."""
    if isinstance(x, int):
        return x
    if x != x:
        return 0
    if math.isinf(x):
        return x
    return math.trunc(x)


def _to_int32(x: int | float) -> int:
    """ECMAScript ``ToInt32`` as an unsigned 32-bit value."""
    if isinstance(x, float):
        if not math.isfinite(x):
            return 0
        x = math.trunc(x)
    return int(x) & 0xFFFFFFFF


def js_round(x: int | float) -> int | float:
    """JavaScript ``Math.round``: halves go toward +Infinity (``-2.5`` -> ``-2``)."""
    if isinstance(x, int) or not math.isfinite(x):
        return x
    floor = math.floor(x)
    return clean_number(floor + 1 if x - floor >= 0.5 else floor)


def _js_to_fixed_parse(x: int | float, digits: int | float) -> int | float:
    """``parseFloat(x.toFixed(digits))`` with the exact decimal value of the double, rounding
    half away from zero, as ECMAScript specifies ``toFixed``."""
    f = _integer(digits)
    if not (0 <= f <= 100):
        raise EvaluationError("toFixed() digits argument must be between 0 and 100")
    if isinstance(x, float) and (not math.isfinite(x) or abs(x) >= 1e21):
        return x
    if abs(x) >= 1e21:
        return clean_number(float(x))
    q = Decimal(x).quantize(Decimal(1).scaleb(-int(f)), rounding=ROUND_HALF_UP)
    return clean_number(float(q))


def _is_bmp(text: str) -> bool:
    return text.isascii() or all(ord(ch) <= 0xFFFF for ch in text)


def _units(text: str) -> str:
    """``text`` with astral characters split into surrogate pairs: one ``str`` item per UTF-16
    code unit, so Python indexing matches JavaScript's."""
    if _is_bmp(text):
        return text
    out = []
    for ch in text:
        cp = ord(ch)
        if cp > 0xFFFF:
            cp -= 0x10000
            out.append(chr(0xD800 + (cp >> 10)))
            out.append(chr(0xDC00 + (cp & 0x3FF)))
        else:
            out.append(ch)
    return "".join(out)


def _from_units(units: str) -> str:
    """Re-join surrogate pairs produced by :func:`_units` (lone halves stay, as in JS)."""
    if _is_bmp(units) and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in units):
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _check_length(n: int | float) -> None:
    if n > MAX_STRING_LENGTH:
        raise EvaluationError("Invalid string length")


def _substring(text: str, start: int | float, end: int | float | None = None) -> str:
    units = _units(text)
    size = len(units)
    a = min(max(_integer(start), 0), size)
    b = size if end is None else min(max(_integer(end), 0), size)
    lo, hi = (a, b) if a <= b else (b, a)
    return _from_units(units[int(lo) : int(hi)])


def _pad(text: str, length: int | float, pad: str, at_start: bool) -> str:
    units = _units(text)
    target = _integer(length)
    if target != target or target <= len(units):
        return text
    if pad == "":
        return text
    _check_length(target)
    fill_len = int(target) - len(units)
    pad_units = _units(pad)
    fill = (pad_units * (fill_len // len(pad_units) + 1))[:fill_len]
    return _from_units(fill + units if at_start else units + fill)


# =================================================================================================
# Regular expressions (JavaScript -> Python)
# =================================================================================================

_JS_WS = "".join(f"\\u{ord(c):04x}" for c in JS_WHITESPACE)
_DOT = "[^\\n\\r\\u2028\\u2029]"
#: Letters that have a meaning after a backslash in JavaScript (non-unicode mode) and in Python
#: alike; any other escaped letter is an identity escape in JavaScript.
_SHARED_ESCAPES = frozenset("dDwWsSbBnrtvfxu0")


_LINE_START = "(?:(?<=[\\n\\r\\u2028\\u2029])|(?<![\\s\\S]))"
_LINE_END = "(?=[\\n\\r\\u2028\\u2029]|\\Z)"


def _translate_regex(pattern: str, multiline: bool = False) -> str:
    """JavaScript pattern source -> Python pattern source (see the module docstring)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    has_named = "(?<" in pattern
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                out.append("\\\\")  # JS: a trailing backslash is an error; Python agrees
                i += 1
                continue
            d = pattern[i + 1]
            if d == "k" and has_named and i + 2 < n and pattern[i + 2] == "<":
                close = pattern.find(">", i + 3)
                if close > 0:
                    out.append(f"(?P={pattern[i + 3 : close]})")
                    i = close + 1
                    continue
            if d == "c" and i + 2 < n and pattern[i + 2].isalpha():
                out.append(f"\\x{ord(pattern[i + 2]) % 32:02x}")
                i += 3
                continue
            if d == "s" and not in_class:
                out.append(f"[{_JS_WS}]")
            elif d == "S" and not in_class:
                out.append(f"[^{_JS_WS}]")
            elif d == "s" and in_class:
                out.append(_JS_WS)
            elif d == "v":
                out.append("\\x0b")
            elif d.isalpha() and d not in _SHARED_ESCAPES:
                out.append(d)
            elif d == "u" and not re.match(r"[0-9A-Fa-f]{4}", pattern[i + 2 : i + 6]):
                out.append("u")
            elif d == "x" and not re.match(r"[0-9A-Fa-f]{2}", pattern[i + 2 : i + 4]):
                out.append("x")
            else:
                out.append(c + d)
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c in "[&~|":
                out.append("\\" + c)  # literal in JS classes; Python warns about set syntax
                i += 1
                continue
            out.append(c)
            i += 1
            continue
        if c == "[":
            if pattern.startswith("[^]", i):
                out.append("[\\s\\S]")
                i += 3
                continue
            if pattern.startswith("[]", i):
                out.append("(?!)")
                i += 2
                continue
            in_class = True
            out.append(c)
            if i + 1 < n and pattern[i + 1] == "^":
                out.append("^")
                i += 1
            i += 1
            continue
        if c == ".":
            out.append(_DOT)
        elif c == "$":
            out.append(_LINE_END if multiline else "\\Z")
        elif c == "^" and multiline:
            out.append(_LINE_START)
        elif c == "(" and pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            i += 3
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


REGEX_TIMEOUT_S = 2.0
"""Longest a single regular-expression call may run. A pattern like ``(a+)+$`` backtracks
exponentially (in V8 as in Python); with the ``regex`` engine's timeout it fails the row with a
clear message instead of freezing the daemon."""


class _TimedPattern:
    """A compiled pattern whose matching calls carry :data:`REGEX_TIMEOUT_S`."""

    __slots__ = ("groupindex", "pattern", "source")

    def __init__(self, compiled: Any, source: str) -> None:
        self.pattern = compiled
        self.groupindex = compiled.groupindex
        self.source = source

    def _timeout(self) -> EvaluationError:
        return EvaluationError(
            f"Regular expression /{self.source}/ took longer than {REGEX_TIMEOUT_S:g} s (catastrophic backtracking?)"
        )

    def search(self, text: str, pos: int = 0) -> Any:
        try:
            return self.pattern.search(text, pos, timeout=REGEX_TIMEOUT_S)
        except TimeoutError:
            raise self._timeout() from None

    def match(self, text: str, pos: int = 0) -> Any:
        try:
            return self.pattern.match(text, pos, timeout=REGEX_TIMEOUT_S)
        except TimeoutError:
            raise self._timeout() from None

    def fullmatch(self, text: str, pos: int = 0) -> Any:
        try:
            return self.pattern.fullmatch(text, pos, timeout=REGEX_TIMEOUT_S)
        except TimeoutError:
            raise self._timeout() from None

    def sub(self, repl: Any, text: str) -> str:
        try:
            return self.pattern.sub(repl, text, timeout=REGEX_TIMEOUT_S)
        except TimeoutError:
            raise self._timeout() from None


@functools.lru_cache(maxsize=512)
def js_regex(pattern: str, multiline: bool = False) -> _TimedPattern:
    """Compile a JavaScript regular expression source (flags: none, or ``m`` with ``multiline``).

    The translated pattern uses :mod:`re` syntax and is compiled with the ``regex`` engine in its
    ``re``-compatible mode, which supports a timeout per call. Raises :class:`regex.error` for
    patterns it rejects (see the module docstring for gaps).
    """
    with warnings.catch_warnings():
        # Python warns about future set syntax (``[a--b]``) that JavaScript reads literally.
        warnings.simplefilter("ignore", FutureWarning)
        compiled = _rx.compile(_translate_regex(pattern, multiline), _rx.ASCII | _rx.VERSION0)
    return _TimedPattern(compiled, pattern)


def _regex(pattern: str) -> _TimedPattern:
    try:
        return js_regex(pattern)
    except (_rx.error, re.error, OverflowError, RecursionError) as exc:
        raise EvaluationError(f"Invalid regular expression: /{pattern}/: {exc}") from None


_RE_TEMPLATE = re.compile(r"\$(\$|&|`|'|[0-9]{1,2}|<[^>]*>)")


def _expand_js_template(template: str, match: re.Match[str], has_named: bool) -> str:
    """JavaScript ``GetSubstitution``."""
    if "$" not in template:
        return template
    groups = match.re.groups
    source = match.string

    def sub(m: re.Match[str]) -> str:
        tok = m.group(1)
        if tok == "$":
            return "$"
        if tok == "&":
            return match.group(0)
        if tok == "`":
            return source[: match.start()]
        if tok == "'":
            return source[match.end() :]
        if tok.startswith("<"):
            if not has_named:
                return m.group(0)
            name = tok[1:-1]
            try:
                return match.group(name) or ""
            except IndexError:
                return ""
        if len(tok) == 2:
            nn = int(tok)
            if 1 <= nn <= groups:
                return match.group(nn) or ""
            n1 = int(tok[0])
            if 1 <= n1 <= groups:
                return (match.group(n1) or "") + tok[1]
            return m.group(0)
        n1 = int(tok)
        if 1 <= n1 <= groups:
            return match.group(n1) or ""
        return m.group(0)

    return _RE_TEMPLATE.sub(sub, template)


def _js_replace_all(text: str, pattern: str, replacement: str) -> str:
    try:
        regex = js_regex(pattern)
    except (_rx.error, re.error, OverflowError, RecursionError):
        raise EvaluationError(f"Invalid regexp '{pattern}' in regexreplace") from None
    has_named = bool(regex.groupindex)
    result = regex.sub(lambda m: _expand_js_template(replacement, m, has_named), text)
    if len(result) > MAX_STRING_LENGTH:
        raise EvaluationError("Invalid string length")
    return result


def js_split(text: str, pattern: str, limit: int | float | None = None) -> list[str]:
    """JavaScript ``text.split(new RegExp(pattern), limit)`` (capture groups included; a
    non-participating group gives ``""`` as Dataview maps ``undefined`` to ``""``)."""
    regex = _regex(pattern)
    lim = 2**32 - 1 if limit is None else _to_int32(limit)
    if lim == 0:
        return []
    if text == "":
        return [] if regex.match(text, 0) is not None else [""]
    out: list[str] = []
    size = len(text)
    p = q = 0
    while q < size:
        # ECMAScript @@split: a sticky match at q; an empty match at the last cut moves on.
        m = regex.match(text, q)
        if m is None or m.end() == p:
            q += 1
            continue
        out.append(text[p:q])
        if len(out) == lim:
            return out
        for g in m.groups():
            out.append(g or "")
            if len(out) == lim:
                return out
        p = q = m.end()
    out.append(text[p:])
    return [s or "" for s in out]


# =================================================================================================
# Markdown stripping (display)
# =================================================================================================

#: The replacement steps of the ``remove-markdown`` 0.5 package (Dataview's options: GFM on, list
#: leaders stripped, image alt text kept), as JavaScript sources with their ``m`` flag and
#: ``$n`` replacement; run through :func:`js_regex` so ``.``, ``$``, ``\\s`` and ``\\W`` keep their
#: JavaScript meaning.
_RM_SOURCE: tuple[tuple[str, bool, str], ...] = (
    (r"^(-\s*?|\*\s*?|_\s*?){3,}\s*", True, ""),  # horizontal rules
    (r"^([\s\t]*)([\*\-\+]|\d+\.)\s+", True, "$1"),  # list leaders
    (r"\n={2,}", False, "\n"),  # setext header underline (GFM)
    (r"~{3}.*\n", False, ""),  # fenced code (GFM)
    (r"~~", False, ""),  # strike-through (GFM)
    (r"`{3}.*\n", False, ""),  # fenced code (GFM)
    (r"<[^>]*>", False, ""),  # HTML tags (the package runs this twice)
    (r"<[^>]*>", False, ""),
    (r"^[=\-]{2,}\s*$", False, ""),  # setext headers
    (r"\[\^.+?\](\: .*?$)?", False, ""),  # footnotes
    (r"\s{0,2}\[.*?\]: .*?$", False, ""),
    (r"\!\[(.*?)\][\[\(].*?[\]\)]", False, "$1"),  # images -> alt text
    (r"\[([^\]]*?)\][\[\(].*?[\]\)]", False, "$1"),  # inline links
    (r"^(\n)?\s{0,3}>\s?", True, "$1"),  # block quotes
    (r"^\s{1,2}\[(.*?)\]: (\S+)( \".*?\")?\s*$", False, ""),  # reference links
    (r"^(\n)?\s{0,}#{1,6}\s*( (.+))? +#+$|^(\n)?\s{0,}#{1,6}\s*( (.+))?$", True, "$1$3$4$6"),
    (r"([\*]+)(\S)(.*?\S)??\1", False, "$2$3"),  # * emphasis
    (r"(^|\W)([_]+)(\S)(.*?\S)??\2($|\W)", False, "$1$3$4$5"),  # _ emphasis
    (r"(`{3,})(.*?)\1", True, "$2"),  # one-line code blocks
    (r"`(.+?)`", False, "$1"),  # inline code
    (r"~(.*?)~", False, "$1"),  # strike-through
)


_RE_WIKILINK_DISPLAY = re.compile(r"\[\[([^|\]]*)\|([^\]]*)\]\]")
_RE_WIKILINK = re.compile(r"\[\[([^\]]*)\]\]")


def remove_markdown(text: str) -> str:
    """Dataview's Markdown stripping for ``display()``: wiki links reduced to their display text
    (``[[a|b]]`` -> ``b``, ``[[a]]`` -> ``a``), then the ``remove-markdown`` 0.5 steps."""
    out = _RE_WIKILINK_DISPLAY.sub(lambda m: m.group(2), text)
    out = _RE_WIKILINK.sub(lambda m: m.group(1), out)
    if not out:
        return out
    try:
        for source, multiline, template in _RM_SOURCE:
            regex = js_regex(source, multiline)
            out = regex.sub(lambda m, t=template: _expand_js_template(t, m, False), out)
    except RecursionError:  # pragma: no cover - the package catches its errors and goes on
        return out
    return out


# =================================================================================================
# Hash and currency formatting
# =================================================================================================


def _imul(a: int, b: int) -> int:
    return (a * b) & 0xFFFFFFFF


def cyrb53(text: str, seed: int | float = 0) -> int:
    """The public-domain cyrb53 53-bit string hash (Dataview's ``hash()``), over UTF-16 units."""
    s = _to_int32(seed)
    h1 = 0xDEADBEEF ^ s
    h2 = 0x41C6CE57 ^ s
    data = text.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(data), 2):
        ch = data[i] | (data[i + 1] << 8)
        h1 = _imul(h1 ^ ch, 2654435761)
        h2 = _imul(h2 ^ ch, 1597334677)
    h1 = _imul(h1 ^ (h1 >> 16), 2246822507) ^ _imul(h2 ^ (h2 >> 13), 3266489909)
    h2 = _imul(h2 ^ (h2 >> 16), 2246822507) ^ _imul(h1 ^ (h1 >> 13), 3266489909)
    return 4294967296 * (2097151 & h2) + (h1 & 0xFFFFFFFF)


#: en-US currency symbols (CLDR) and fraction digits for common ISO 4217 codes; other well-formed
#: codes print as ``XYZ 12.50`` (with a no-break space), as ICU does for unknown currencies.
_CURRENCY_SYMBOLS: dict[str, str] = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "CNY": "CN¥",
    "INR": "₹", "KRW": "₩", "BRL": "R$", "MXN": "MX$", "NZD": "NZ$", "HKD": "HK$", "TWD": "NT$",
    "ILS": "₪", "VND": "₫", "XAF": "FCFA", "XOF": "F\u202fCFA", "XPF": "CFPF", "XCD": "EC$",
    "PHP": "₱",
}
_ZERO_DIGIT_CURRENCIES = frozenset(
    {"JPY", "KRW", "VND", "XAF", "XOF", "XPF", "CLP", "ISK", "UGX", "PYG", "RWF", "KMF", "GNF",
     "DJF", "VUV", "BIF", "HUF_NONE"}
)
_THREE_DIGIT_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND", "IQD", "LYD"})
_RE_CURRENCY = re.compile(r"[A-Za-z]{3}")


def currency_format(value: int | float, code: str = "USD") -> str:
    """``Intl.NumberFormat("en-US", {style: "currency", currency: code}).format(value)``."""
    if not _RE_CURRENCY.fullmatch(code):
        raise EvaluationError(f"Invalid currency code : {code}")
    upper = code.upper()
    digits = 0 if upper in _ZERO_DIGIT_CURRENCIES else 3 if upper in _THREE_DIGIT_CURRENCIES else 2
    symbol = _CURRENCY_SYMBOLS.get(upper, upper + "\xa0")
    if isinstance(value, float) and value != value:
        return f"{symbol}NaN"
    if isinstance(value, float) and math.isinf(value):
        return f"{'-' if value < 0 else ''}{symbol}∞"
    try:
        dec = Decimal(repr(value) if isinstance(value, float) else str(value))
        q = dec.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # pragma: no cover - absurd magnitudes
        q = Decimal(value)
    negative = q < 0
    body = f"{abs(q):,.{digits}f}"
    return f"{'-' if negative else ''}{symbol}{body}"


# =================================================================================================
# Function implementations
# =================================================================================================


def _null(_ev: Evaluator, *_args: Value) -> Value:
    return None


def _identity(_ev: Evaluator, value: Value, *_rest: Value) -> Value:
    return value


# ---- constructors -------------------------------------------------------------------------------

def _list(_ev: Evaluator, *args: Value) -> Value:
    return list(args)


def _object(_ev: Evaluator, *args: Value) -> Value:
    if len(args) % 2 != 0:
        raise EvaluationError("object() requires an even number of arguments")
    result: dict[str, Value] = {}
    for i in range(0, len(args), 2):
        key = args[i]
        if not isinstance(key, str):
            raise EvaluationError("keys should be of type string for object(key1, value1, ...)")
        result[key] = args[i + 1]
    return js_object_order(result)


link = (
    FunctionBuilder("link")
    .add("string", impl=lambda ev, a: Link.file(ev.normalize_link_path(a), False))
    .add("link", impl=_identity)
    .add("null", impl=_null)
    .vectorize(1, [0])
    .add("string", "string", impl=lambda ev, t, d: Link.file(ev.normalize_link_path(t), False, d))
    .add("link", "string", impl=lambda ev, t, d: t.with_display(d))
    .add("null", "*", impl=_null)
    .add("*", "null", impl=lambda ev, t, _n: ev.call(link, t))
    .vectorize(2, [0, 1])
    .add(
        "string",
        "string",
        "boolean",
        impl=lambda ev, t, d, e: Link.file(ev.normalize_link_path(t), e, d),
    )
    .build()
)

embed = (
    FunctionBuilder("embed")
    .add("link", impl=lambda ev, a: a.to_embed())
    .add("null", impl=_null)
    .vectorize(1, [0])
    .add("link", "boolean", impl=lambda ev, a, e: a.to_embed() if e else a.from_embed())
    .add("null", "*", impl=_null)
    .add("*", "null", impl=_null)
    .vectorize(2, [0, 1])
    .build()
)

elink = (
    FunctionBuilder("elink")
    .add("string", "string", impl=lambda ev, a, d: ExternalLinkWidget(a, d))
    .add("string", "null", impl=lambda ev, a, _n: ExternalLinkWidget(a, a))
    .add("null", "*", impl=_null)
    .vectorize(2, [0])
    .add("string", impl=lambda ev, a: ExternalLinkWidget(a, a))
    .add("null", impl=_null)
    .vectorize(1, [0])
    .build()
)

_RE_FIRST_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _date_from_link(ev: Evaluator, lnk: Link) -> Value:
    if lnk.display:
        parsed = parse_date_text(lnk.display)
        if parsed is not None:
            return parsed
    parsed = parse_date_text(lnk.path)
    if parsed is not None:
        return parsed
    page = ev.resolve_link(lnk)
    if page:
        file = page.get("file")
        if isinstance(file, Mapping) and file.get("day"):
            return file.get("day")
    return None


def _date_with_format(_ev: Evaluator, text: str, fmt: str) -> Value:
    if fmt in ("x", "X"):
        m = _RE_FIRST_NUMBER.search(text)
        if m is None:
            raise EvaluationError("Not a number for format( (${ f }): ${ d }")
        number = float(m.group(0))
        millis = number if fmt == "x" else number * 1000
        result = DVDate.from_millis(millis)
    else:
        result = luxon.parse_with_format(text, fmt)
    if result is None or not result.is_valid:
        raise EvaluationError(f"Can't handle format ({fmt}) on date string ({text})")
    return result


date = (
    FunctionBuilder("date")
    .add("string", impl=lambda ev, s: parse_date_plus(s))
    .add("date", impl=_identity)
    .add("link", impl=_date_from_link)
    .add("null", impl=_null)
    .vectorize(1, [0])
    .add("string", "string", impl=_date_with_format)
    .add("null", "string", impl=_null)
    .build()
)

dur = (
    FunctionBuilder("dur")
    .add("string", impl=lambda ev, s: parse_duration_text(js_trim(s)))
    .add("duration", impl=_identity)
    .add("null", impl=_null)
    .vectorize(1, [0])
    .build()
)


def _number_from_string(_ev: Evaluator, text: str) -> Value:
    m = _RE_FIRST_NUMBER.search(text)
    return clean_number(float(m.group(0))) if m else None


number = (
    FunctionBuilder("number")
    .add("number", impl=_identity)
    .add("string", impl=_number_from_string)
    .add("null", impl=_null)
    .vectorize(1, [0])
    .build()
)

string = FunctionBuilder("string").add("*", impl=lambda ev, a: to_string(a, ev.settings)).build()

typeof = FunctionBuilder("typeof").add("*", impl=lambda ev, a: type_name(a)).build()

# ---- numeric ------------------------------------------------------------------------------------


def _round2(_ev: Evaluator, n: int | float, digits: int | float) -> Value:
    # `digits <= 0` is false for NaN, which then reaches toFixed(NaN) = toFixed(0).
    if digits <= 0:
        return js_round(n)
    return _js_to_fixed_parse(n, digits)


round_ = (
    FunctionBuilder("round")
    .add("number", impl=lambda ev, n: js_round(n))
    .add("null", impl=_null)
    .vectorize(1, [0])
    .add("number", "number", impl=_round2)
    .add("number", "null", impl=lambda ev, n, _p: js_round(n))
    .add("null", "*", impl=_null)
    .vectorize(2, [0])
    .build()
)


def _unary_numeric(name: str, op: Callable[[float], int | float]) -> FunctionImpl:
    def impl(_ev: Evaluator, n: int | float) -> Value:
        if isinstance(n, int) or not math.isfinite(n):
            return n
        return clean_number(op(n))

    return (
        FunctionBuilder(name)
        .add("number", impl=impl)
        .add("null", impl=_null)
        .vectorize(1, [0])
        .build()
    )


trunc = _unary_numeric("trunc", math.trunc)
floor = _unary_numeric("floor", math.floor)
ceil = _unary_numeric("ceil", math.ceil)


def _minmax(name: str, keep_left: Callable[[int], bool]) -> FunctionImpl:
    def pair(ev: Evaluator, a: Value, b: Value) -> Value:
        return a if keep_left(ev.compare(a, b)) else b

    def fold(ev: Evaluator, *args: Value) -> Value:
        if not args:
            return None
        acc = args[0]
        for value in args[1:]:
            acc = ev.call(built, acc, value)
        return acc

    built = (
        FunctionBuilder(name)
        .add("*", "null", impl=lambda ev, a, _n: a)
        .add("null", "*", impl=lambda ev, _n, a: a)
        .add("*", "*", impl=pair)
        .add("array", impl=lambda ev, a: ev.call(built, *a))
        .vararg(fold)
        .build()
    )
    return built


min_ = _minmax("min", lambda c: c <= 0)
max_ = _minmax("max", lambda c: c > 0)


def _by(name: str, keep_left: Callable[[int], bool]) -> FunctionImpl:
    def impl(ev: Evaluator, arr: list[Value], func: Value) -> Value:
        if not arr:
            return None
        mapped = [(value, ev.call(func, value)) for value in arr]
        kept = [pair for pair in mapped if pair[1] is not None]
        if not kept:
            return arr[0]
        best = kept[0]
        for pair in kept[1:]:
            if not keep_left(ev.compare(best[1], pair[1])):
                best = pair
        return best[0]

    return (
        FunctionBuilder(name)
        .add("array", "function", impl=impl)
        .add("null", "function", impl=_null)
        .build()
    )


# Ties keep the first element for both (reference §4.3).  Dataview's older source kept the last
# one for ``maxby`` (``compare > 0 ? p : c``); the reference's verified behaviour is followed.
minby = _by("minby", lambda c: c <= 0)
maxby = _by("maxby", lambda c: c >= 0)


def _reduce_op(ev: Evaluator, items: list[Value], op: str) -> Value:
    if not items:
        return None
    if op not in ("+", "-", "*", "/", "&", "|"):
        raise EvaluationError("reduce(array, op) supports '+', '-', '/', '*', '&', and '|'")
    acc = items[0]
    for value in items[1:]:
        acc = ev.binary(op, acc, value)
    return acc


def _reduce_fn(ev: Evaluator, items: list[Value], func: Value) -> Value:
    if not items:
        return None
    acc = items[0]
    for value in items[1:]:
        if value is None:
            continue
        acc = ev.call(func, acc, value)
    return acc


reduce = (
    FunctionBuilder("reduce")
    .add("array", "string", impl=_reduce_op)
    .add("array", "function", impl=_reduce_fn)
    .add("null", "*", impl=_null)
    .add("*", "null", impl=_null)
    .vectorize(2, [1])
    .build()
)

sum_ = (
    FunctionBuilder("sum")
    .add("array", impl=lambda ev, a: _reduce_op(ev, a, "+"))
    .add("*", impl=_identity)
    .build()
)

product = (
    FunctionBuilder("product")
    .add("array", impl=lambda ev, a: _reduce_op(ev, a, "*"))
    .add("*", impl=_identity)
    .build()
)


def _average(ev: Evaluator, items: list[Value]) -> Value:
    if not items:
        return None
    return ev.binary("/", _reduce_op(ev, items, "+"), len(items))


average = (
    FunctionBuilder("average")
    .add("array", impl=_average)
    .add("*", impl=_identity)
    .build()
)

# ---- containers -----------------------------------------------------------------------------------

length = (
    FunctionBuilder("length")
    .add("array", impl=lambda ev, a: len(a))
    .add("object", impl=lambda ev, a: len(a))
    .add("string", impl=lambda ev, a: len(_units(a)))
    .add("null", impl=lambda ev, _a: 0)
    .build()
)


def _equal(ev: Evaluator, a: Value, b: Value) -> bool:
    return ev.compare(a, b) == 0


def _contains_in_list(ev: Evaluator, lst: list[Value], x: Value) -> bool:
    """``contains(list, x)``: any element contains x (recursively). String elements with a string
    needle are checked directly — the common ``contains(file.tags, "#x")`` — without re-dispatch."""
    if type(x) is str:
        for element in lst:
            if type(element) is str:
                if x in element:
                    return True
            elif ev.call(contains, element, x):
                return True
        return False
    return any(ev.call(contains, e, x) for e in lst)


contains = (
    FunctionBuilder("contains")
    .add("array", "*", impl=_contains_in_list)
    .add("string", "string", impl=lambda ev, h, n: n in h)
    .add("object", "string", impl=lambda ev, o, k: k in o)
    .add("*", "*", impl=_equal)
    .vectorize(2, [1])
    .build()
)

icontains = (
    FunctionBuilder("icontains")
    .add("array", "*", impl=lambda ev, lst, x: any(ev.call(icontains, e, x) for e in lst))
    .add("string", "string", impl=lambda ev, h, n: n.lower() in h.lower())
    .add("object", "string", impl=lambda ev, o, k: k in o)
    .add("*", "*", impl=_equal)
    .vectorize(2, [1])
    .build()
)

econtains = (
    FunctionBuilder("econtains")
    .add("array", "*", impl=lambda ev, lst, x: any(_equal(ev, x, e) for e in lst))
    .add("string", "string", impl=lambda ev, h, n: n in h)
    .add("object", "string", impl=lambda ev, o, k: k in o)
    .add("*", "*", impl=_equal)
    .vectorize(2, [1])
    .build()
)

_ASCII_WORD = "[A-Za-z0-9_]"
_WORD_BOUNDARY = f"(?:(?<={_ASCII_WORD})(?!{_ASCII_WORD})|(?<!{_ASCII_WORD})(?={_ASCII_WORD}))"


def _containsword(_ev: Evaluator, hay: str, needle: str) -> bool:
    # JS: /.*\b<escaped>\b.*/i -- \b is ASCII-only while `i` folds all of Unicode, hence the
    # explicit boundary instead of re.ASCII (which would make IGNORECASE ASCII-only too).
    regex = re.compile(_WORD_BOUNDARY + re.escape(needle) + _WORD_BOUNDARY, re.IGNORECASE)
    return regex.search(hay) is not None


containsword = (
    FunctionBuilder("containsword")
    .add("string", "string", impl=_containsword)
    .add("null", "*", impl=_null)
    .add("*", "null", impl=_null)
    .vectorize(2, [0, 1])
    .build()
)


def extract(ev: Evaluator, *args: Value) -> Value:
    """``extract(object, key1, ...)`` with Dataview's manual vectorisation over the object."""
    if not args:
        return "extract(object, key1, ...) requires at least 1 argument"
    obj = args[0]
    if isinstance(obj, list | tuple):
        return [ev.call(extract, v, *args[1:]) for v in obj]
    result: dict[str, Value] = {}
    for key in args[1:]:
        if not isinstance(key, str):
            raise EvaluationError("extract(object, key1, ...) must be called with string keys")
        result[key] = ev.index(obj, key)
    return js_object_order(result)


reverse = (
    FunctionBuilder("reverse")
    .add("array", impl=lambda ev, a: list(reversed(a)))
    .add("string", impl=lambda ev, s: _from_units(_units(s)[::-1]))
    .add("*", impl=_identity)
    .build()
)


def _sort_by(ev: Evaluator, items: list[Value], key: Value) -> Value:
    keyed = [(ev.call(key, v), v) for v in items]

    def cmp(a: tuple[Value, Value], b: tuple[Value, Value]) -> int:
        if ev.binary("<", a[0], b[0]):
            return -1
        if ev.binary("=", a[0], b[0]):
            return 0
        return 1

    keyed.sort(key=functools.cmp_to_key(cmp))
    return [v for _, v in keyed]


def _sort_plain(ev: Evaluator, items: list[Value]) -> Value:
    out = list(items)
    out.sort(key=functools.cmp_to_key(ev.compare))
    return out


sort = (
    FunctionBuilder("sort")
    .add("array", impl=_sort_plain)
    .add("array", "function", impl=_sort_by)
    .add("*", impl=_identity)
    .build()
)


def _unique(ev: Evaluator, items: list[Value]) -> Value:
    ordered = _sort_plain(ev, items)
    out: list[Value] = []
    for value in ordered:
        if not out or ev.compare(out[-1], value) != 0:
            out.append(value)
    return out


unique = FunctionBuilder("unique").add("array", impl=_unique).add("null", impl=_null).build()


def _flat(_ev: Evaluator, items: list[Value], depth: int | float = 1) -> Value:
    """JavaScript ``Array.prototype.flat`` (iterative: data may nest deeply)."""
    level = _integer(depth)
    out: list[Value] = []
    stack: list[tuple[Any, int | float]] = [(iter(items), max(level, 0))]
    while stack:
        it, remaining = stack[-1]
        for v in it:
            if remaining > 0 and isinstance(v, list | tuple):
                stack.append((iter(v), remaining - 1))
                break
            out.append(v)
        else:
            stack.pop()
    return out


flat = (
    FunctionBuilder("flat")
    .add("array", impl=_flat)
    .add("array", "number", impl=_flat)
    .add("null", impl=_null)
    .add("null", "*", impl=_null)
    .build()
)


def _slice_index(value: int | float, size: int) -> int:
    rel = _integer(value)
    if rel < 0:
        return int(max(size + rel, 0))
    return int(min(rel, size))


def _slice(_ev: Evaluator, items: list[Value], start: Value = 0, end: Value = None) -> Value:
    size = len(items)
    lo = _slice_index(start, size)
    hi = size if end is None else _slice_index(end, size)
    return list(items[lo:hi]) if lo < hi else []


slice_ = (
    FunctionBuilder("slice")
    .add("array", impl=_slice)
    .add("array", "number", impl=_slice)
    .add("array", "number", "number", impl=_slice)
    .add("null", impl=_null)
    .add("null", "*", impl=_null)
    .add("null", "*", "*", impl=_null)
    .build()
)


def _firstvalue(_ev: Evaluator, items: list[Value]) -> Value:
    for v in items:
        if v is not None:
            return v
    return None


firstvalue = (
    FunctionBuilder("firstvalue").add("array", impl=_firstvalue).add("null", impl=_null).build()
)

nonnull = (
    FunctionBuilder("nonnull")
    .add("array", impl=lambda ev, a: [v for v in a if v is not None])
    .vararg(lambda ev, *args: [v for v in args if v is not None])
    .build()
)


def _quantifier(name: str, combine: Callable[[Any], bool], negate: bool = False) -> FunctionImpl:
    def finish(result: bool) -> bool:
        return not result if negate else result

    return (
        FunctionBuilder(name)
        .add("array", impl=lambda ev, a: finish(combine(is_truthy(v) for v in a)))
        .add(
            "array",
            "function",
            impl=lambda ev, a, f: finish(combine(is_truthy(ev.call(f, v)) for v in a)),
        )
        .vararg(lambda ev, *args: finish(combine(is_truthy(v) for v in args)))
        .build()
    )


any_ = _quantifier("any", any)
all_ = _quantifier("all", all)
# Dataview builds `none` with the name "all" (quirk §7.16); it has a vararg so never reports it.
none = _quantifier("all", any, negate=True)


def _join(ev: Evaluator, items: list[Value], sep: str) -> str:
    out = sep.join(to_string(v, ev.settings) for v in items)
    _check_length(len(out))
    return out


join = (
    FunctionBuilder("join")
    .add("array", "string", impl=_join)
    .add("array", "null", impl=lambda ev, a, _n: _join(ev, a, ", "))
    .add("*", "string", impl=lambda ev, e, _s: to_string(e, ev.settings))
    .add("array", impl=lambda ev, a: _join(ev, a, ", "))
    .add("*", impl=lambda ev, e: to_string(e, ev.settings))
    .vectorize(2, [1])
    .build()
)

filter_ = (
    FunctionBuilder("filter")
    .add("array", "function", impl=lambda ev, a, f: [v for v in a if is_truthy(ev.call(f, v))])
    .add("null", "*", impl=_null)
    .build()
)

map_ = (
    FunctionBuilder("map")
    .add("array", "function", impl=lambda ev, a, f: [ev.call(f, v) for v in a])
    .add("null", "*", impl=_null)
    .build()
)

# ---- strings -------------------------------------------------------------------------------------------


def _regextest(_ev: Evaluator, pattern: str, text: str) -> bool:
    return _regex(pattern).search(text) is not None


def _regexmatch(_ev: Evaluator, pattern: str, text: str) -> bool:
    if not pattern.startswith("^") and not pattern.endswith("$"):
        pattern = "^" + pattern + "$"
    return _regex(pattern).search(text) is not None


regextest = (
    FunctionBuilder("regextest")
    .add("string", "string", impl=_regextest)
    .add("null", "*", impl=lambda ev, *_a: False)
    .add("*", "null", impl=lambda ev, *_a: False)
    .vectorize(2, [0, 1])
    .build()
)

regexmatch = (
    FunctionBuilder("regexmatch")
    .add("string", "string", impl=_regexmatch)
    .add("null", "*", impl=lambda ev, *_a: False)
    .add("*", "null", impl=lambda ev, *_a: False)
    .vectorize(2, [0, 1])
    .build()
)

regexreplace = (
    FunctionBuilder("regexreplace")
    .add("string", "string", "string", impl=lambda ev, t, p, r: _js_replace_all(t, p, r))
    .add("null", "*", "*", impl=_null)
    .add("*", "null", "*", impl=_null)
    .add("*", "*", "null", impl=_null)
    .vectorize(3, [0, 1, 2])
    .build()
)


def _replace(_ev: Evaluator, text: str, pattern: str, repl: str) -> str:
    if pattern == "":
        units = _units(text)
        out = repl.join(units[i] for i in range(len(units)))
        out = _from_units(out) if units is not text else out
    else:
        out = text.replace(pattern, repl)
    _check_length(len(out))
    return out


replace = (
    FunctionBuilder("replace")
    .add("string", "string", "string", impl=_replace)
    .add("null", "*", "*", impl=_null)
    .add("*", "null", "*", impl=_null)
    .add("*", "*", "null", impl=_null)
    .vectorize(3, [0, 1, 2])
    .build()
)

lower = (
    FunctionBuilder("lower")
    .add("string", impl=lambda ev, s: s.lower())
    .add("null", impl=_null)
    .vectorize(1, [0])
    .build()
)

upper = (
    FunctionBuilder("upper")
    .add("string", impl=lambda ev, s: s.upper())
    .add("null", impl=_null)
    .vectorize(1, [0])
    .build()
)

split = (
    FunctionBuilder("split")
    .add("string", "string", impl=lambda ev, s, d: js_split(s, d))
    .add("string", "string", "number", impl=lambda ev, s, d, n: js_split(s, d, n))
    .add("null", "*", impl=_null)
    .add("*", "null", impl=_null)
    .add("*", "*", "null", impl=_null)
    .add("*", "null", "*", impl=_null)
    .add("null", "*", "*", impl=_null)
    .build()
)

startswith = (
    FunctionBuilder("startswith")
    .add("string", "string", impl=lambda ev, s, p: s.startswith(p))
    .add("null", "*", impl=_null)
    .add("*", "null", impl=_null)
    .vectorize(2, [0, 1])
    .build()
)

endswith = (
    FunctionBuilder("endswith")
    .add("string", "string", impl=lambda ev, s, p: s.endswith(p))
    .add("null", "*", impl=_null)
    .add("*", "null", impl=_null)
    .vectorize(2, [0, 1])
    .build()
)


def _padder(name: str, at_start: bool) -> FunctionImpl:
    return (
        FunctionBuilder(name)
        .add("string", "number", impl=lambda ev, s, n: _pad(s, n, " ", at_start))
        .add("string", "number", "string", impl=lambda ev, s, n, p: _pad(s, n, p, at_start))
        .add("null", "*", impl=_null)
        .add("*", "null", impl=_null)
        .add("null", "*", "*", impl=_null)
        .add("*", "null", "*", impl=_null)
        .add("*", "*", "null", impl=_null)
        .vectorize(2, [0, 1])
        .vectorize(3, [0, 1, 2])
        .build()
    )


padleft = _padder("padleft", True)
padright = _padder("padright", False)

substring = (
    FunctionBuilder("substring")
    .add("string", "number", impl=lambda ev, s, a: _substring(s, a))
    .add("string", "number", "number", impl=lambda ev, s, a, b: _substring(s, a, b))
    .vectorize(2, [0, 1])
    .vectorize(3, [0, 1, 2])
    .build()
)


def _truncate(_ev: Evaluator, text: str, size: int | float, suffix: str = "...") -> str:
    units = _units(text)
    keep = size - len(_units(suffix))
    if len(units) > keep:
        return _substring(text, 0, max(0, keep)) + suffix
    return text


truncate = (
    FunctionBuilder("truncate")
    .add("string", "number", "string", impl=_truncate)
    .add("string", "number", impl=_truncate)
    .vectorize(2, [0, 1])
    .vectorize(3, [0, 1, 2])
    .build()
)

# ---- utility ----------------------------------------------------------------------------------------------

fdefault = (
    FunctionBuilder("default")
    .add("*", "*", impl=lambda ev, v, d: d if v is None else v)
    .vectorize(2, [0, 1])
    .build()
)

ldefault = (
    FunctionBuilder("ldefault").add("*", "*", impl=lambda ev, v, d: d if v is None else v).build()
)

choice = (
    FunctionBuilder("choice")
    .add("*", "*", "*", impl=lambda ev, c, a, b: a if is_truthy(c) else b)
    .vectorize(3, [0])
    .build()
)


def _display_link(ev: Evaluator, lnk: Link) -> Value:
    if lnk.display:
        return ev.call(display, lnk.display)
    return ev.call(display, lnk.markdown())


display = (
    FunctionBuilder("display")
    .add("null", impl=lambda ev, _n: "")
    .add("array", impl=lambda ev, a: ", ".join(str(ev.call(display, v)) for v in a))
    .add("string", impl=lambda ev, s: remove_markdown(s))
    .add("link", impl=_display_link)
    .add("*", impl=lambda ev, v: to_string(v, ev.settings))
    .build()
)

striptime = (
    FunctionBuilder("striptime")
    .add("date", impl=lambda ev, d: d.strip_time())
    .add("null", impl=_null)
    .vectorize(1, [0])
    .build()
)

localtime = (
    FunctionBuilder("localtime")
    .add("date", impl=lambda ev, d: d.to_local())
    .add("null", impl=_null)
    .vectorize(1, [0])
    .build()
)

dateformat = (
    FunctionBuilder("dateformat")
    .add("date", "string", impl=lambda ev, d, f: luxon.format_datetime(d, f))
    .add("null", "string", impl=_null)
    .vectorize(2, [0])
    .build()
)

durationformat = (
    FunctionBuilder("durationformat")
    .add("duration", "string", impl=lambda ev, d, f: luxon.format_duration(d, f))
    .add("null", "string", impl=_null)
    .vectorize(2, [0])
    .build()
)

currencyformat = (
    FunctionBuilder("currencyformat")
    .add("number", impl=lambda ev, n: currency_format(n))
    .add("number", "string", impl=lambda ev, n, c: currency_format(n, c))
    .vectorize(2, [0])
    .build()
)


def _hash_number(n: int | float) -> int | float:
    value = n if -MAX_SAFE_INTEGER <= n <= MAX_SAFE_INTEGER else float(n)
    return clean_number(value)


hash_ = (
    FunctionBuilder("hash")
    .add("string", "number", impl=lambda ev, s, n: _hash_number(cyrb53(s, n)))
    .add("string", "string", impl=lambda ev, s, t: _hash_number(cyrb53(s + t)))
    .add("string", "string", "number", impl=lambda ev, s, t, n: _hash_number(cyrb53(s + t, n)))
    .build()
)

meta = (
    FunctionBuilder("meta")
    .add(
        "link",
        impl=lambda ev, lnk: {
            "display": lnk.display if lnk.display is not None else None,
            "embed": bool(lnk.embed),
            "path": lnk.path,
            "subpath": lnk.subpath if lnk.subpath is not None else None,
            "type": lnk.type,
        },
    )
    .build()
)

#: Dataview's function table (66 names; ``array`` is ``list``).
DEFAULT_FUNCTIONS: Mapping[str, FunctionImpl] = {
    # constructors
    "list": _list,
    "array": _list,
    "link": link,
    "embed": embed,
    "elink": elink,
    "date": date,
    "dur": dur,
    "dateformat": dateformat,
    "durationformat": durationformat,
    "currencyformat": currencyformat,
    "localtime": localtime,
    "number": number,
    "string": string,
    "object": _object,
    "typeof": typeof,
    # numeric
    "round": round_,
    "trunc": trunc,
    "floor": floor,
    "ceil": ceil,
    "min": min_,
    "max": max_,
    "minby": minby,
    "maxby": maxby,
    # strings
    "regextest": regextest,
    "regexreplace": regexreplace,
    "regexmatch": regexmatch,
    "replace": replace,
    "lower": lower,
    "upper": upper,
    "split": split,
    "startswith": startswith,
    "endswith": endswith,
    "padleft": padleft,
    "padright": padright,
    "substring": substring,
    "truncate": truncate,
    # dates
    "striptime": striptime,
    # containers
    "length": length,
    "contains": contains,
    "icontains": icontains,
    "econtains": econtains,
    "containsword": containsword,
    "reverse": reverse,
    "sort": sort,
    "unique": unique,
    "flat": flat,
    "slice": slice_,
    "firstvalue": firstvalue,
    # aggregation
    "reduce": reduce,
    "join": join,
    "sum": sum_,
    "product": product,
    "average": average,
    "all": all_,
    "any": any_,
    "none": none,
    "filter": filter_,
    "map": map_,
    "nonnull": nonnull,
    # utility
    "extract": extract,
    "default": fdefault,
    "ldefault": ldefault,
    "choice": choice,
    "display": display,
    "hash": hash_,
    "meta": meta,
}
