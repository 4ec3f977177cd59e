"""The 66 built-in functions (§4): dispatch, vectorisation, semantics and quirks.

Cases are the verified examples of the reference (shared/reference/dataview.md §4, quirks 16-18,
33, 35, 37, 40) plus JavaScript semantics the reference names (``Math.round``, ``toFixed``,
``substring``, ``padStart``, ``split`` with a RegExp ...).  Expressions are parsed from DQL text and
evaluated against a small in-memory row in the UTC local zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from gardend.daemon import values as V
from gardend.daemon.query import ast
from gardend.daemon.query.binaryop import EvaluationError
from gardend.daemon.query.evaluator import Evaluator
from gardend.daemon.query.functions import (
    DEFAULT_FUNCTIONS,
    FunctionBuilder,
    currency_format,
    cyrb53,
    js_regex,
    js_round,
    js_split,
)
from gardend.daemon.query.parser import parse_expression
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with V.use_local_zone("UTC"):
        yield


PAGES: dict[str, dict[str, Any]] = {
    "Notes/Target.md": {"file": {"name": "Target", "path": "Notes/Target.md"}, "rating": 4},
    "Journal.md": {
        "file": {"name": "Journal", "path": "Journal.md", "day": V.DVDate.from_fields(2022, 3, 4)},
    },
}
ALIASES = {"Target": "Notes/Target.md", "Journal": "Journal.md"}


def _normalize(path: str) -> str:
    return ALIASES.get(path, path)


def _resolve(link: V.Link) -> Mapping[str, Any] | None:
    return PAGES.get(_normalize(link.path))


ROW: dict[str, Any] = {
    "n": 5,
    "xs": [3, 1, 2],
    "obj": {"a": 1, "b": 2},
    "target": V.Link.file("Notes/Target.md"),
    "pages": [{"name": "x", "v": 1}, {"name": "y", "v": 2}],
    "d": V.DVDate.from_fields(2021, 1, 5, 14, 3, 7),
}


def ev() -> Evaluator:
    return Evaluator(link_resolver=_resolve, link_path_resolver=_normalize)


def run(text: str) -> Any:
    return ev().evaluate(parse_expression(text), ROW, {"file": {"path": "This.md"}})


def js(text: str) -> Any:
    return V.to_result_json(run(text))


def error_of(text: str) -> str:
    with pytest.raises(EvaluationError) as info:
        run(text)
    return info.value.message


def _date(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dict[str, str]:
    return {"date": f"{y:04d}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.000+00:00"}


def _link(path: str, **kw: Any) -> dict[str, Any]:
    out = {"link": path, "display": None, "subpath": None, "type": "file", "embed": False}
    out.update(kw)
    return out


_ALL_NAMES_TEXT = (
    "all any array average ceil choice contains containsword currencyformat date dateformat "
    "default display dur durationformat econtains elink embed endswith extract filter firstvalue "
    "flat floor hash icontains join ldefault length link list localtime lower map max maxby meta "
    "min minby nonnull none number object padleft padright product reduce regexmatch regexreplace "
    "regextest replace reverse round slice sort split startswith string striptime substring sum "
    "truncate trunc typeof unique upper"
)
ALL_NAMES = _ALL_NAMES_TEXT.split()


def test_function_table_has_the_66_names() -> None:
    assert len(ALL_NAMES) == 66
    assert sorted(DEFAULT_FUNCTIONS) == sorted(ALL_NAMES)
    assert DEFAULT_FUNCTIONS["array"] is DEFAULT_FUNCTIONS["list"]


# ---- constructors (§4.2) ---------------------------------------------------------------------------

CONSTRUCTORS = [
    ('object("a", 1, "b", 2)', {"object": {"a": 1, "b": 2}}),
    ("object()", {"object": {}}),
    ('object("b", 1, "1", 2)', {"object": {"1": 2, "b": 1}}),
    ("list()", []),
    ("list(1, null, \"a\")", [1, None, "a"]),
    ("array(1, 2)", [1, 2]),
    ('date("2021-01-01")', _date(2021, 1, 1)),
    ('date("2021-01-05T10:30")', _date(2021, 1, 5, 10, 30)),
    ('date("nonsense")', None),
    ('date(" 2021-01-01")', None),
    ("date(d)", _date(2021, 1, 5, 14, 3, 7)),
    ("date(null)", None),
    ("date([[2021-05-06]])", _date(2021, 5, 6)),
    ("date([[Notes/Target|2020-02-03]])", _date(2020, 2, 3)),
    ("date([[Journal]])", _date(2022, 3, 4)),
    ("date([[Target]])", None),
    ('date(["2021-01-01", null])', [_date(2021, 1, 1), None]),
    ('date("12/25/2021", "MM/dd/yyyy")', _date(2021, 12, 25)),
    ('date("1609459200000", "x")', _date(2021, 1, 1)),
    ('date("at 1609459200 s", "X")', _date(2021, 1, 1)),
    ('date(null, "yyyy")', None),
    ("date(2024-03-10T25:00)", _date(2024, 3, 11, 1)),
    ('dur("1 day")', {"duration": {"days": 1}}),
    ('dur("  3h 20m ")', {"duration": {"hours": 3, "minutes": 20}}),
    ('dur("1.5 hours")', {"duration": {"hours": 1.5}}),
    ('dur("x")', None),
    ("dur(dur(2 days))", {"duration": {"days": 2}}),
    ("dur(null)", None),
    ('dur(["1 d", "2 h"])', [{"duration": {"days": 1}}, {"duration": {"hours": 2}}]),
    ("number(3)", 3),
    ('number("abc 12.5x")', 12.5),
    ('number("-3,5")', -3),
    ('number("x")', None),
    ("number(null)", None),
    ('number(["1", "b2"])', [1, 2]),
    ("string(1.50)", "1.5"),
    ("string(null)", "\\-"),
    ("string([1, 2])", "1, 2"),
    ("string([1, [2, 3]])", "1, [2, 3]"),
    ("string({})", "{  }"),
    ("string({a: 1, b: [2]})", "{ a: 1, b: [2] }"),
    ("string(date(2024-03-01))", "March 01, 2024"),
    ("string(dur(90 minutes))", "1 hour, 30 minutes"),
    ("string(dur(0 s))", ""),
    ("string(true)", "true"),
    ("string([[A/B.md]])", "[[A/B.md|B]]"),
    ("string([[A#h]])", "[[A#h|A > h]]"),
    ('link("Target")', _link("Notes/Target.md")),
    ('link("Unknown")', _link("Unknown")),
    ("link([[A]])", _link("A")),
    ("link(null)", None),
    ('link(["A", "B"])', [_link("A"), _link("B")]),
    ('link("A", "shown")', _link("A", display="shown")),
    ('link([[A]], "shown")', _link("A", display="shown")),
    ('link(null, "x")', None),
    ('link("A", null)', _link("A")),
    ('link("A", "d", true)', _link("A", display="d", embed=True)),
    ('link(["A", "B"], ["1", "2"])', [_link("A", display="1"), _link("B", display="2")]),
    ("embed([[A]])", _link("A", embed=True)),
    ("embed(![[A]], false)", _link("A")),
    ("embed([[A]], true)", _link("A", embed=True)),
    ("embed(null)", None),
    ("embed(null, true)", None),
    ("embed([[A]], null)", None),
    ('elink("http://x")', {"widget": "external-link", "url": "http://x", "display": "http://x"}),
    ('elink("http://x", "X")', {"widget": "external-link", "url": "http://x", "display": "X"}),
    ('elink("http://x", null)', {"widget": "external-link", "url": "http://x", "display": "http://x"}),
    ('elink(null, "X")', None),
    ("elink(null)", None),
    ("typeof(1)", "number"),
    ('typeof("")', "string"),
    ("typeof(true)", "boolean"),
    ("typeof(null)", "null"),
    ("typeof([])", "array"),
    ("typeof({})", "object"),
    ("typeof(d)", "date"),
    ("typeof(dur(1 s))", "duration"),
    ("typeof([[A]])", "link"),
    ("typeof((x) => x)", "function"),
    ('typeof(elink("u"))', "widget"),
    ("typeof([1, 2])", "array"),
]


@pytest.mark.parametrize(("text", "expected"), CONSTRUCTORS)
def test_constructors(text: str, expected: Any) -> None:
    assert js(text) == expected


def test_date_shorthands_are_evaluated_at_call_time() -> None:
    today = V.DVDate.now().start_of("day")
    assert run('date("today")') == today
    assert run('date("tomorrow")') == today.plus(V.Duration(days=1))
    assert run('date("sow")').weekday == 1


CONSTRUCTOR_ERRORS = [
    ('object("a")', "object() requires an even number of arguments"),
    ("object(1, 2)", "keys should be of type string for object(key1, value1, ...)"),
    ("dur(5)", "No implementation of 'dur' found for arguments: number"),
    ('date("abc", "yyyy")', "Can't handle format (yyyy) on date string (abc)"),
    ('date("abc", "x")', "Not a number for format( (${ f }): ${ d }"),
    ("date(1)", "No implementation of 'date' found for arguments: number"),
    # Quirk 39: these are not date literals, so they evaluate as calls and fail.
    ("date(2024)", "No implementation of 'date' found for arguments: number"),
    ("date(2024-13-01)", "No implementation of 'date' found for arguments: number"),
    ("date(2024-W11)", "No implementation found for 'number - null'"),
    ('link("a", "b", "c")', "No implementation of 'link' found for arguments: string, string, string"),
    ("typeof()", "No implementation of 'typeof' found for arguments: "),
    ("string(1, 2)", "No implementation of 'string' found for arguments: number, number"),
]


@pytest.mark.parametrize(("text", "message"), CONSTRUCTOR_ERRORS)
def test_constructor_errors(text: str, message: str) -> None:
    assert error_of(text) == message


# ---- numeric (§4.3) ---------------------------------------------------------------------------------

NUMERIC = [
    ("round(2.5)", 3),
    ("round(-2.5)", -2),
    ("round(2.4)", 2),
    ("round(-0.4)", 0),
    ("round(0.49999999999999994)", 0),
    ("round(1.005, 2)", 1),
    ("round(1.2345, 2)", 1.23),
    ("round(1.235, 2)", 1.24),
    ("round(1234.5678, -2)", 1235),
    ("round(2.5, 0)", 3),
    ("round(-2.5, 0)", -2),
    ("round(2.5, null)", 3),
    ("round(null)", None),
    ("round(null, 2)", None),
    ("round([1.4, 1.6])", [1, 2]),
    ("round([1.44, 1.66], 1)", [1.4, 1.7]),
    ("round(5 / 0)", {"number": "Infinity"}),
    ("trunc(-2.7)", -2),
    ("trunc(2.7)", 2),
    ("floor(-2.5)", -3),
    ("ceil(2.1)", 3),
    ("ceil(-2.1)", -2),
    ("floor(null)", None),
    ("ceil([1.5, null])", [2, None]),
    ("min(1, null)", 1),
    ("min(null, 1)", 1),
    ("min(3, 1, 2)", 1),
    ("min()", None),
    ("min([])", None),
    ("min(xs)", 1),
    ("min([5])", 5),
    ("min(5)", 5),
    ("min(null)", None),
    ("min(null, null)", None),
    ('min("a", 1)', 1),
    ("max(3, 1, 2)", 3),
    ("max(xs)", 3),
    ('max("a", 1)', "a"),
    ("max(1, null, 2)", 2),
    ("max([ [1, 2]])", 2),
    ("sum([1, 2, 3])", 6),
    ("sum(list())", None),
    ("sum([])", None),
    ('sum(["a", "b"])', "ab"),
    ("sum([dur(1 h), dur(30 m)])", {"duration": {"hours": 1, "minutes": 30}}),
    ("sum(5)", 5),
    ("sum(null)", None),
    ("product([2, 3, 4])", 24),
    ("product([])", None),
    ("product(7)", 7),
    ("average([1, 2, 3, 4])", 2.5),
    ("average([])", None),
    ("average(null)", None),
    ('average("x")', "x"),
    ("minby(pages, (p) => p.v).name", "x"),
    ("maxby(pages, (p) => p.v).name", "y"),
    ("minby([3, 1, 2], (x) => x)", 1),
    ("maxby([3, 1, 2], (x) => x)", 3),
    ("minby([1, 2], (x) => null)", 1),
    ("maxby([1, 2, 3], (x) => choice(x = 2, null, x))", 3),
    ("minby([1, 2], (x) => 0)", 1),
    ("maxby([1, 2], (x) => 0)", 1),
    ("maxby([1, 3, 2, 3], (x) => x)", 3),
    ("minby([], (x) => x)", None),
    ("minby(null, (x) => x)", None),
]


@pytest.mark.parametrize(("text", "expected"), NUMERIC)
def test_numeric(text: str, expected: Any) -> None:
    assert js(text) == expected


NUMERIC_ERRORS = [
    ("sum([1, null])", "No implementation found for 'number + null'"),
    ("product([2, null])", "No implementation found for 'number * null'"),
    ("average([1, null])", "No implementation found for 'number + null'"),
    ('average(["a", "b"])', "No implementation found for 'string / number'"),
    ('round("1")', "No implementation of 'round' found for arguments: string"),
    ("round(1.5, 101)", "toFixed() digits argument must be between 0 and 100"),
    ("minby([1], 2)", "No implementation of 'minby' found for arguments: array, number"),
    ("trunc(\"1\")", "No implementation of 'trunc' found for arguments: string"),
]


@pytest.mark.parametrize(("text", "message"), NUMERIC_ERRORS)
def test_numeric_errors(text: str, message: str) -> None:
    assert error_of(text) == message


# ---- containers (§4.4) ------------------------------------------------------------------------------

CONTAINERS = [
    ('contains(["abc"], "b")', True),
    ('contains(["a", "b"], ["a", "z"])', [True, False]),
    ('contains("hello", "ell")', True),
    ('contains("hello", "L")', False),
    ('contains(obj, "a")', True),
    ('contains(obj, "z")', False),
    ("contains(xs, 2)", True),
    ("contains(xs, 4)", False),
    ('contains(null, "a")', False),
    ("contains(1, 1)", True),
    ("contains([[[Target]]], [[Notes/Target.md]])", True),
    ("contains([ [1, 2]], 2)", True),
    ('icontains(["ABC"], "b")', True),
    ('icontains("Hello", "hELL")', True),
    ('icontains(obj, "a")', True),
    ('econtains(["abc"], "b")', False),
    ('econtains(["abc", "b"], "b")', True),
    ('econtains("abc", "b")', True),
    ("econtains([ [1, 2]], 2)", False),
    ('econtains(["a", "b"], ["a", "z"])', [True, False]),
    ('containsword("Hello World", "world")', True),
    ('containsword("Helloworld", "world")', False),
    ('containsword("a.b (c)", "(c)")', False),
    ('containsword("x c.d y", "c.d")', True),
    ('containsword("Über ABC def", "abc")', True),
    ('containsword("ÄBC def", "äbc")', False),
    ('containsword("x ÄBC def", "äbc")', False),
    ('containsword("ab äbc", "ÄBC")', False),
    ('containsword(null, "a")', None),
    ('containsword("a", null)', None),
    ('containsword(["a b", "c"], "a")', [True, False]),
    ('extract(obj, "a")', {"object": {"a": 1}}),
    ('extract(obj, "a", "zz")', {"object": {"a": 1, "zz": None}}),
    ('extract(target, "rating")', {"object": {"rating": 4}}),
    ('extract([obj, {a: 5}], "a")', [{"object": {"a": 1}}, {"object": {"a": 5}}]),
    ("extract(obj)", {"object": {}}),
    ("extract()", "extract(object, key1, ...) requires at least 1 argument"),
    ("sort(xs)", [1, 2, 3]),
    ('sort(["b", "A", "a", 1, null])', [None, 1, "a", "A", "b"]),
    ("sort(pages, (p) => 0 - p.v)", [{"object": {"name": "y", "v": 2}}, {"object": {"name": "x", "v": 1}}]),
    ("sort(5)", 5),
    ("sort(null)", None),
    ("reverse(xs)", [2, 1, 3]),
    ('reverse("abc")', "cba"),
    ("reverse(5)", 5),
    ("length(xs)", 3),
    ("length(obj)", 2),
    ('length("abc")', 3),
    ('length("a😀")', 3),
    ("length(null)", 0),
    ("nonnull([1, null, 2])", [1, 2]),
    ("nonnull(1, null, 2)", [1, 2]),
    ("nonnull()", []),
    ("firstvalue([null, 2, 3])", 2),
    ("firstvalue([null])", None),
    ("firstvalue(null)", None),
    ("all([])", True),
    ("all([1, true])", True),
    ("all([1, 0])", False),
    ("all(xs, (x) => x > 0)", True),
    ("all(1, 2, 0)", False),
    ("all(1)", True),
    ("all(0)", False),
    ("any([])", False),
    ("any([0, null, 1])", True),
    ("any(xs, (x) => x > 2)", True),
    ("any(0, false)", False),
    ("none([])", True),
    ("none([0, 1])", False),
    ("none(xs, (x) => x > 5)", True),
    ("none(0, null)", True),
    ("join(xs)", "3, 1, 2"),
    ('join(xs, "-")', "3-1-2"),
    ("join(xs, null)", "3, 1, 2"),
    ('join(5, "-")', "5"),
    ("join(null)", "\\-"),
    ('join([1, [2, 3]], "; ")', "1; 2, 3"),
    ('join(xs, ["-", "+"])', ["3-1-2", "3+1+2"]),
    ("filter(xs, (x) => x > 1)", [3, 2]),
    ("filter(null, (x) => x)", None),
    ("map(xs, (x) => x * 2)", [6, 2, 4]),
    ("map(null, (x) => x)", None),
    ('reduce([1, 2, 3], "+")', 6),
    ('reduce([8, 2, 2], "/")', 2),
    ('reduce([true, false], "|")', True),
    ('reduce([], "+")', None),
    ("reduce([1, 2, 3], (a, b) => a + b)", 6),
    ("reduce([1, null, 3], (a, b) => a + b)", 4),
    ("reduce([], (a, b) => a)", None),
    ('reduce(null, "+")', None),
    ("reduce([1], null)", None),
    ('reduce([1, 2], ["+", "*"])', [3, 2]),
    ("flat([1, [2, [3]]])", [1, 2, [3]]),
    ("flat([1, [2, [3, [4]]]], 2)", [1, 2, 3, [4]]),
    ("flat([1, [2, [3]]], 0)", [1, [2, [3]]]),
    ("flat([1, [2, [3]]], -1)", [1, [2, [3]]]),
    ("flat([1, [2, [3]]], 1 / 0)", [1, 2, 3]),
    ("flat(null)", None),
    ("slice([1, 2, 3, 4])", [1, 2, 3, 4]),
    ("slice([1, 2, 3, 4], 1)", [2, 3, 4]),
    ("slice([1, 2, 3, 4], -2)", [3, 4]),
    ("slice([1, 2, 3, 4], 1, 3)", [2, 3]),
    ("slice([1, 2, 3, 4], 1, -1)", [2, 3]),
    ("slice([1, 2, 3, 4], 3, 1)", []),
    ("slice([1, 2, 3, 4], -10, 10)", [1, 2, 3, 4]),
    ("slice(null, 1)", None),
    ("unique([3, 1, 3, 2])", [1, 2, 3]),
    ('unique(["b", "a", "b", 1])', [1, "a", "b"]),
    ("unique([[[A]], [[A|x]]])", [_link("A")]),
    ("unique(null)", None),
]


@pytest.mark.parametrize(("text", "expected"), CONTAINERS)
def test_containers(text: str, expected: Any) -> None:
    assert js(text) == expected


CONTAINER_ERRORS = [
    ("length(5)", "No implementation of 'length' found for arguments: number"),
    ("length(true)", "No implementation of 'length' found for arguments: boolean"),
    ("extract(obj, 1)", "extract(object, key1, ...) must be called with string keys"),
    ('reduce([1, 2], "^")', "reduce(array, op) supports '+', '-', '/', '*', '&', and '|'"),
    ("reduce([null, 1], (a, b) => a + b)", "No implementation found for 'null + number'"),
    ("currencyformat([1, 2])", "No implementation of 'currencyformat' found for arguments: array"),
    ("filter(xs, 5)", "No implementation of 'filter' found for arguments: array, number"),
    ("map(5, (x) => x)", "No implementation of 'map' found for arguments: number, function"),
    ("firstvalue(5)", "No implementation of 'firstvalue' found for arguments: number"),
    ("unique(5)", "No implementation of 'unique' found for arguments: number"),
    ('extract("s", "a")', "string indexing requires a numeric index (string[index])"),
]


@pytest.mark.parametrize(("text", "message"), CONTAINER_ERRORS)
def test_container_errors(text: str, message: str) -> None:
    assert error_of(text) == message


# ---- strings (§4.5) ------------------------------------------------------------------------------------

STRINGS = [
    ('regextest("b", "abc")', True),
    ('regextest("^b", "abc")', False),
    ('regextest("\\\\d+", "a12")', True),
    ('regextest(null, "a")', False),
    ('regextest("a", null)', False),
    ('regextest(["a", "z"], "abc")', [True, False]),
    ('regexmatch("ab", "abc")', False),
    ('regexmatch("abc", "abc")', True),
    ('regexmatch("^ab", "abc")', True),
    ('regexmatch("bc$", "abc")', True),
    ('regexmatch("a|x", "abc")', True),
    ('regexmatch("a.c", "a\\nc")', False),
    ('regexmatch(null, "a")', False),
    ('regexreplace("hello world", "o", "0")', "hell0 w0rld"),
    ('regexreplace("hello world", "(o)", "[$1]")', "hell[o] w[o]rld"),
    ('regexreplace("abc", "b", "<$&>")', "a<b>c"),
    ('regexreplace("abc", "b", "$$")', "a$c"),
    ('regexreplace("abc", "b", "[$`|$\']")', "a[a|c]c"),
    ('regexreplace("2021-01-05", "(?<y>\\\\d+)-(?<m>\\\\d+)-(?<d>\\\\d+)", "$<d>.$<m>.$<y>")', "05.01.2021"),
    ('regexreplace("abc", "(b)", "$2$1")', "a$2bc"),
    ('regexreplace("abc", "(x)?b", "[$1]")', "a[]c"),
    ('regexreplace("aaa", "a*", "-")', "--"),
    ('regexreplace("abc", "", "-")', "-a-b-c-"),
    ('regexreplace(null, "a", "b")', None),
    ('regexreplace("a", null, "b")', None),
    ('regexreplace("a", "a", null)', None),
    ('replace("a.b.c", ".", "-")', "a-b-c"),
    ('replace("abc", "", "-")', "a-b-c"),
    ('replace("", "", "-")', ""),
    ('replace(null, "a", "b")', None),
    ('replace(["ab", "cb"], "b", "x")', ["ax", "cx"]),
    ('lower("ÀB")', "àb"),
    ('upper("straße")', "STRASSE"),
    ("lower(null)", None),
    ('upper(["a", "b"])', ["A", "B"]),
    ('split("a1b2c", "[0-9]")', ["a", "b", "c"]),
    ('split("a1b2c", "([0-9])")', ["a", "1", "b", "2", "c"]),
    ('split("a, b,c", ", ?")', ["a", "b", "c"]),
    ('split("abc", "")', ["a", "b", "c"]),
    ('split("", ",")', [""]),
    ('split("", "")', []),
    ('split("a,b,c", ",", 2)', ["a", "b"]),
    ('split("a,b", "(x)?,")', ["a", "", "b"]),
    ('split(null, ",")', None),
    ('split("a", null)', None),
    ('startswith("hello", "he")', True),
    ('startswith("hello", "lo")', False),
    ('endswith("hello", "lo")', True),
    ('startswith(null, "a")', None),
    ('startswith(["ab", "ba"], "a")', [True, False]),
    ('padleft("5", 3)', "  5"),
    ('padleft("5", 3, "0")', "005"),
    ('padleft("5", 6, "ab")', "ababa5"),
    ('padleft("hello", 3)', "hello"),
    ('padleft("5", 3, "")', "5"),
    ('padright("5", 3, "0")', "500"),
    ('padleft(null, 3)', None),
    ('padleft(["1", "22"], 3, "0")', ["001", "022"]),
    ('substring("hello", 1)', "ello"),
    ('substring("hello", 1, 3)', "el"),
    ('substring("hello", -3)', "hello"),
    ('substring("hello", 3, 1)', "el"),
    ('substring("hello", 2, 100)', "llo"),
    ('substring("hello", 1.7)', "ello"),
    ('substring("a😀b", 1, 3)', "😀"),
    ('truncate("abc", 5)', "ab..."),
    ('truncate("abcdefgh", 5)', "ab..."),
    ('truncate("ab", 5)', "ab"),
    ('truncate("abcdef", 4, "!")', "abc!"),
    ('truncate("abcdef", 1)', "..."),
    ('truncate(["abcdef", "a"], 5)', ["ab...", "a"]),
]


@pytest.mark.parametrize(("text", "expected"), STRINGS)
def test_strings(text: str, expected: Any) -> None:
    assert js(text) == expected


STRING_ERRORS = [
    ('regexreplace("a", "(", "b")', "Invalid regexp '(' in regexreplace"),
    ('substring(null, 1)', "No implementation of 'substring' found for arguments: null, number"),
    ('truncate(null, 1)', "No implementation of 'truncate' found for arguments: null, number"),
    ('padleft("a", "3")', "No implementation of 'padleft' found for arguments: string, string"),
    ('padleft("a", 1 / 0)', "Invalid string length"),
    ('lower(1)', "No implementation of 'lower' found for arguments: number"),
]


@pytest.mark.parametrize(("text", "message"), STRING_ERRORS)
def test_string_errors(text: str, message: str) -> None:
    assert error_of(text) == message


def test_invalid_regex_in_regextest_is_an_evaluation_error() -> None:
    assert error_of('regextest("(", "a")').startswith("Invalid regular expression: /(/: ")
    assert error_of('split("a", "[")').startswith("Invalid regular expression: /[/: ")


# ---- utility (§4.6) --------------------------------------------------------------------------------------

UTILITY = [
    ("default(null, 2)", 2),
    ("default(1, 2)", 1),
    ("default([null, 1], 2)", [2, 1]),
    ("default(null, [1, 2])", [1, 2]),
    ("ldefault([null, 1], 2)", [None, 1]),
    ("ldefault(null, 2)", 2),
    ("choice(true, 1, 2)", 1),
    ('choice("", 1, 2)', 2),
    ("choice([true, false], 1, 2)", [1, 2]),
    ("display(null)", ""),
    ('display("plain")', "plain"),
    ('display("[[a|b]]")', "b"),
    ('display("[[a]]")', "a"),
    ('display("**bold** and _it_")', "bold and it"),
    ('display("# Head")', "Head"),
    ('display("[text](http://x)")', "text"),
    ('display("`code`")', "code"),
    ('display("snake_case_name")', "snake_case_name"),
    ('display("## Head ##")', "Head"),
    ('display("> quoted")', "quoted"),
    ('display("- item")', "item"),
    ('display("![alt](img.png)")', "alt"),
    ('display("a ~~b~~ <i>c</i>")', "a b c"),
    ("display([[Folder/A]])", "A"),
    ("display([[A#head]])", "A > head"),
    ("display([[A|**Shown**]])", "Shown"),
    ('display([1, "[[a|b]]", null])', "1, b, "),
    ("display(1.50)", "1.5"),
    ("display(true)", "true"),
    ("display(date(2024-03-01))", "March 01, 2024"),
    ("striptime(d)", _date(2021, 1, 5)),
    ("striptime(date(2021-01-05T10:00:00+05:00))", _date(2021, 1, 5)),
    ("striptime(null)", None),
    ("localtime(date(2021-01-05T10:00:00+05:00))", _date(2021, 1, 5, 5)),
    ("localtime(null)", None),
    ('dateformat(d, "yyyy-MM-dd")', "2021-01-05"),
    ('dateformat(d, "HH:mm:ss")', "14:03:07"),
    ("dateformat(d, \"ccc, DDDD 'at' h a\")", "Tue, Tuesday, January 5, 2021 at 2 PM"),
    ('dateformat(null, "yyyy")', None),
    ('dateformat([d, null], "yyyy")', ["2021", None]),
    ('durationformat(dur(90 minutes), "m")', "90"),
    ('durationformat(dur(90 minutes), "h:mm")', "1:30"),
    ("durationformat(dur(1 day 2 hours), \"d 'days' h 'hours'\")", "1 days 2 hours"),
    ('durationformat(null, "m")', None),
    ("currencyformat(12.5)", "$12.50"),
    ('currencyformat(12.5, "EUR")', "€12.50"),
    ('currencyformat(1234567.891, "USD")', "$1,234,567.89"),
    ("currencyformat(-3)", "-$3.00"),
    ('currencyformat(12.5, "JPY")', "¥13"),
    ('currencyformat(12.5, "chf")', "CHF\xa012.50"),
    ('currencyformat([1, 2], "USD")', ["$1.00", "$2.00"]),
    ('hash("seed", 1)', 180663221282093),
    ('hash("a", "b")', 3382748631033682),
    ('hash("a", "b", 2)', 3581236410161662),
    ("meta([[A#h|D]])", {"object": {"display": "D", "embed": False, "path": "A", "subpath": "h", "type": "header"}}),
    ("meta(![[A#^b1]])", {"object": {"display": None, "embed": True, "path": "A", "subpath": "b1", "type": "block"}}),
    ("meta([[A]])", {"object": {"display": None, "embed": False, "path": "A", "subpath": None, "type": "file"}}),
    ("meta(target).path", "Notes/Target.md"),
]


@pytest.mark.parametrize(("text", "expected"), UTILITY)
def test_utility(text: str, expected: Any) -> None:
    assert js(text) == expected


UTILITY_ERRORS = [
    ('hash("seed")', "No implementation of 'hash' found for arguments: string"),
    ("meta(null)", "No implementation of 'meta' found for arguments: null"),
    ('meta("A")', "No implementation of 'meta' found for arguments: string"),
    ("choice(true, 1)", "No implementation of 'choice' found for arguments: boolean, number"),
    ('currencyformat(1, "EU")', "Invalid currency code : EU"),
    ("currencyformat(null)", "No implementation of 'currencyformat' found for arguments: null"),
    ('dateformat(1, "y")', "No implementation of 'dateformat' found for arguments: number, string"),
]


@pytest.mark.parametrize(("text", "message"), UTILITY_ERRORS)
def test_utility_errors(text: str, message: str) -> None:
    assert error_of(text) == message


# ---- dispatch (§4.1) --------------------------------------------------------------------------------------


def test_vectorisation_uses_the_shortest_list_and_recurses() -> None:
    assert js('startswith(["ab", "ba", "aa"], ["a", "b"])') == [True, True]
    assert js('lower([["A", "B"], "C"])') == [["a", "b"], "c"]
    assert js("round([])") == []


def test_function_builder_dispatch_order() -> None:
    calls: list[str] = []
    fn = (
        FunctionBuilder("probe")
        .add("*", "null", impl=lambda ev, a, b: calls.append("any-null") or "any-null")
        .add("number", "*", impl=lambda ev, a, b: calls.append("number-any") or "number-any")
        .vararg(lambda ev, *args: "vararg")
        .vectorize(2, [0])
        .build()
    )
    e = Evaluator(functions={"probe": fn})
    assert e.evaluate(parse_expression("probe(1, null)"), {}) == "any-null"
    assert e.evaluate(parse_expression("probe(1, 2)"), {}) == "number-any"
    assert e.evaluate(parse_expression("probe()"), {}) == "vararg"
    assert e.evaluate(parse_expression("probe([1, 2], 2)"), {}) == ["number-any", "number-any"]
    strict = FunctionBuilder("strict").add("string", impl=lambda ev, s: s).build()
    with pytest.raises(EvaluationError, match=re.escape("No implementation of 'strict' found for arguments: number, null")):
        strict(e, 1, None)


# ---- helpers -----------------------------------------------------------------------------------------------


def test_cyrb53_verified_values() -> None:
    assert cyrb53("seed", 1) == 180663221282093
    assert cyrb53("ab") == 3382748631033682
    assert cyrb53("ab", 2) == 3581236410161662
    assert 0 <= cyrb53("😀" * 10, -5) < 2**53


def test_js_round_matches_math_round() -> None:
    assert [js_round(x) for x in (0.5, 1.5, -0.5, -1.5, 2.49, -2.51)] == [1, 2, 0, -1, 2, -3]


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_js_round_property(x: float) -> None:
    r = js_round(x)
    assert r - 0.5 <= x < r + 0.5 or r - 0.5 == x


def test_js_regex_translation() -> None:
    assert js_regex("(?<y>\\d{4})").fullmatch("2021").group("y") == "2021"
    assert js_regex("(?<a>x)\\k<a>").fullmatch("xx")
    assert js_regex("a$").search("a\n") is None
    assert js_regex("a.b").search("a\rb") is None
    assert js_regex("[^]").fullmatch("\n")
    assert js_regex("a[]").search("a") is None
    assert js_regex("\\d").search("٣") is None
    assert js_regex("\\s").fullmatch("\ufeff")
    assert js_regex("\\e").fullmatch("e")
    assert js_regex("(?<=a)b").search("ab")
    assert js_regex("[[]").fullmatch("[")


def test_js_split_semantics() -> None:
    assert js_split("a1b", "\\d", 0) == []
    assert js_split("a1b", "\\d", -1) == ["a", "b"]
    assert js_split("ab", "(?:)") == ["a", "b"]
    assert js_split("abc", "b|") == ["a", "c"]


def test_currency_format_helper() -> None:
    assert currency_format(0) == "$0.00"
    assert currency_format(1.005) == "$1.01"
    assert currency_format(2.5, "KRW") == "₩3"


def test_sort_uses_locale_order_and_type_order() -> None:
    """Quirk 38: strings sort by locale order; mixed types by type name."""
    assert run('sort(["b", "B", "a", "A", "é", "9", "10", "_z"])') == [
        "_z", "10", "9", "a", "A", "b", "B", "é",
    ]
    mixed = run('sort(["x", 1, null, [[A]], dur(1 s), date(2021-01-01), true, [1]])')
    assert [V.type_name(v) for v in mixed] == [
        "null", "array", "boolean", "date", "duration", "link", "number", "string",
    ]


# ---- property: any function with any arguments fails only with EvaluationError ----------------------

_ARG_VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 2.5, -0.5, 1e300, float("nan"), float("inf"), 2**60, "", "ab",
    "a😀b", "[[x|y]]", "(", "x", "$1", [], [1, None], [[1, [2]], "a"], {}, {"a": 1},
    V.Link.file("A"), V.Link.header("A", "h"), V.Duration(days=1), V.Duration(hours=1.5),
    V.DVDate.from_fields(2021, 1, 1), V.DVDate.invalid(), V.ExternalLinkWidget("u"),
]
_LAMBDAS = [
    ast.Lambda(("x",), ast.Variable("x")),
    ast.Lambda(("a", "b"), ast.BinaryOp(ast.Variable("a"), "+", ast.Variable("b"))),
    ast.Lambda((), ast.Literal(None)),
]
_args = st.one_of(
    st.sampled_from(_ARG_VALUES).map(ast.Literal),
    st.sampled_from(_LAMBDAS),
)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(ALL_NAMES), st.lists(_args, max_size=4))
def test_any_call_fails_only_with_evaluation_errors(name: str, args: list[ast.Expr]) -> None:
    expr = ast.FunctionCall(ast.Variable(name), tuple(args))
    with V.use_local_zone("UTC"):
        try:
            result = ev().evaluate(expr, ROW, {})
        except EvaluationError as exc:
            assert exc.message
            return
        V.to_result_json(result)
        V.to_string(result)


def test_catastrophic_regex_fails_the_row_instead_of_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    import gardend.daemon.query.functions as functions_mod
    from gardend.daemon.query.evaluator import EvaluationError, Evaluator
    from gardend.daemon.query.parser import parse_expression

    monkeypatch.setattr(functions_mod, "REGEX_TIMEOUT_S", 0.05)
    expr = parse_expression('regextest("(a|aa)+$", "' + "a" * 60 + 'b")')
    with pytest.raises(EvaluationError, match="took longer than"):
        Evaluator().evaluate(expr)
