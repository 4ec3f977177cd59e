"""Expression evaluation: variables, operators, indexing, calls, lambdas and errors (§3.3-§3.10).

Every case is a verified example of the reference (shared/reference/dataview.md §3, quirks 9-18,
29-42), evaluated from DQL text against a small in-memory row, in the UTC local zone.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from gardend.daemon import values as V
from gardend.daemon.query import ast
from gardend.daemon.query.binaryop import DEFAULT_BINARY_OPS, BinaryOps, EvaluationError
from gardend.daemon.query.evaluator import MAX_EVALUATION_DEPTH, Evaluator, LambdaValue
from gardend.daemon.query.parser import parse_expression
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with V.use_local_zone("UTC"):
        yield


PAGES: dict[str, dict[str, Any]] = {
    "Notes/Target.md": {
        "file": {"name": "Target", "path": "Notes/Target.md", "day": None},
        "rating": 4,
        "tags": ["a", "b"],
    },
    "2021-05-06.md": {
        "file": {"name": "2021-05-06", "path": "2021-05-06.md"},
    },
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
    "s": "hello",
    "xs": [1, 2, 3],
    "obj": {"a": 1, "b c": 2, "nested": {"x": 10}},
    "Due Date": "space key",
    "nil": None,
    "target": V.Link.file("Notes/Target.md"),
    "links": [V.Link.file("Notes/Target.md"), V.Link.file("Missing.md")],
    "d": V.DVDate.from_fields(2021, 1, 15, 10, 30),
    "du": V.Duration(hours=36),
    "file": {"name": "Row", "path": "Row.md"},
    "objs": [{"a": 1}, {"a": 2}, 5, {"b": 3}],
    "f": None,
}
THIS: dict[str, Any] = {"file": {"name": "This", "path": "This.md"}, "n": 99, "only_this": 7}


def ev() -> Evaluator:
    return Evaluator(link_resolver=_resolve, link_path_resolver=_normalize)


def run(text: str, row: Mapping[str, Any] | None = None, this: Mapping[str, Any] | None = None) -> Any:
    return ev().evaluate(parse_expression(text), ROW if row is None else row, THIS if this is None else this)


def js(text: str, **kwargs: Any) -> Any:
    return V.to_result_json(run(text, **kwargs))


def error_of(text: str, row: Mapping[str, Any] | None = None) -> str:
    with pytest.raises(EvaluationError) as info:
        run(text, row)
    return info.value.message


# ---- operators (§3.4, §3.5) ------------------------------------------------------------------------

ARITHMETIC = [
    ("1 + 2", 3),
    ("5-3", 2),
    ("1 + -2", -1),
    ("5 / 0", {"number": "Infinity"}),
    ("0 / 0", {"number": "NaN"}),
    ("-5 / 0", {"number": "-Infinity"}),
    ("-7 % 3", -1),
    ("7 % -3", 1),
    ("5 % 0", {"number": "NaN"}),
    ("1 / 4", 0.25),
    ("0.1 + 0.2", 0.30000000000000004),
    ("9007199254740992 + 1", 9007199254740992),
    ("2 * 3 + 4", 10),
    ("2 + 3 * 4", 14),
    ('"a" + null', "a\\-"),
    ('null + "x"', "\\-x"),
    ('1 + "abc"', "1abc"),
    ('"abc" + 1.50', "abc1.5"),
    ('"a" + true', "atrue"),
    ('"x" + [1, [2, 3]]', "x1, [2, 3]"),
    ('"ab" * 3', "ababab"),
    ('3 * "ab"', "ababab"),
    ('"ab" * -1', ""),
    ('"ab" * 2.7', "abab"),
    ("null + null", None),
    ("null - null", None),
    ("null * null", None),
    ("null / null", None),
    ("null % null", None),
    ("date(2021-01-01) + null", None),
    ("null + date(2021-01-01)", None),
    ("date(2021-01-01) - null", None),
    ("null - date(2021-01-01)", None),
    ("[1, 2] + [3]", [1, 2, 3]),
    ("{a: 1, b: 2} + {b: 3, c: 4}", {"object": {"a": 1, "b": 3, "c": 4}}),
    ("date(2021-03-01) - date(2021-01-15)", {"duration": {"months": 1, "weeks": 2}}),
    ("date(2021-01-31) + dur(1 month)", {"date": "2021-02-28T00:00:00.000+00:00"}),
    ("dur(1 month) + date(2021-01-31)", {"date": "2021-02-28T00:00:00.000+00:00"}),
    ("date(2021-03-01) - dur(1 day)", {"date": "2021-02-28T00:00:00.000+00:00"}),
    ("dur(1 day) / 2", {"duration": {"hours": 12}}),
    ("dur(1 day) * 2", {"duration": {"days": 2}}),
    ("2 * dur(1 hour)", {"duration": {"hours": 2}}),
    ("dur(1 hour) + dur(30 minutes)", {"duration": {"hours": 1, "minutes": 30}}),
    ("dur(1 hour) - dur(90 minutes)", {"duration": {"minutes": -30}}),
]


@pytest.mark.parametrize(("text", "expected"), ARITHMETIC)
def test_arithmetic(text: str, expected: Any) -> None:
    assert js(text) == expected


OPERATOR_ERRORS = [
    ("1 + null", "No implementation found for 'number + null'"),
    ("null + 1", "No implementation found for 'null + number'"),
    ("dur(1 day) + null", "No implementation found for 'duration + null'"),
    ("[1] + null", "No implementation found for 'array + null'"),
    ("[[A]] + 1", "No implementation found for 'link + number'"),
    ("true + 1", "No implementation found for 'boolean + number'"),
    ("2 / dur(1 day)", "No implementation found for 'number / duration'"),
    ("[1] * 2", "No implementation found for 'array * number'"),
    ("{a: 1} - {a: 1}", "No implementation found for 'object - object'"),
    ('"ab" - "b"', "No implementation found for 'string - string'"),
]


@pytest.mark.parametrize(("text", "message"), OPERATOR_ERRORS)
def test_operator_errors(text: str, message: str) -> None:
    assert error_of(text) == message


COMPARISONS = [
    ("1 < 2 < 3", True),
    ('5 > "a"', False),
    ('1 = "1"', False),
    ("date(2021-01-01) > 1", False),
    ("null = null", True),
    ("null < 0", True),
    ('"a" < "B"', True),
    ("false < true", True),
    ("dur(60 minutes) = dur(1 hour)", False),
    ("dur(60 minutes) < dur(2 hour)", True),
    ("[[A]] = [[A|x]]", True),
    ("[[A#h]] = [[A]]", False),
    ('link("A") = [[A]]', True),
    ("[[Target]] = [[Notes/Target.md]]", True),
    ("[1, 2] < [1, 2, 0]", True),
    ("[1, 3] > [1, 2, 5]", True),
    ("{a: 1} = {a: 1}", True),
    ("{a: 1} != {a: 2}", True),
    ("0 / 0 = 0 / 0", False),
    ("date(2021-01-01) = date(2021-01-01)", True),
    ("date(2021-01-01T01:00:00+01:00) = date(2021-01-01T00:00:00Z)", False),
    ("date(2021-01-01T01:00:00+01:00) > date(2021-01-01T00:00:00Z)", True),
    ("date(2021-01-01T00:00:00Z) > date(2021-01-01T01:00:00+01:00)", True),
    ("1 <= 1", True),
    ("2 >= 3", False),
    ("[] < true", True),
    ("true < date(2021-01-01)", True),
]


@pytest.mark.parametrize(("text", "expected"), COMPARISONS)
def test_comparisons(text: str, expected: bool) -> None:
    assert run(text) is expected


LOGIC = [
    ("true or false and false", False),
    ("true and 1", True),
    ('"" or 0', False),
    ("!0", True),
    ('!""', True),
    ("![]", True),
    ("!{}", True),
    ("!(0 / 0)", False),
    ("!([[A]])", False),
    ("!([[]])", True),
    ("!null", True),
    ("!dur(0 seconds)", True),
    ("!date(1970-01-01T00:00:00Z)", True),
    ("!((x) => x)", False),
    ("true & false", False),
    ("false | true", True),
    ("1 AND 2", True),
    ("s or nil", True),
]


@pytest.mark.parametrize(("text", "expected"), LOGIC)
def test_logic_and_truthiness(text: str, expected: bool) -> None:
    assert run(text) is expected


def test_and_or_do_not_short_circuit() -> None:
    assert error_of("false and (1 + null)") == "No implementation found for 'number + null'"
    assert error_of("true or (1 + null)") == "No implementation found for 'number + null'"
    assert error_of("(1 + null) or true") == "No implementation found for 'number + null'"


# ---- variables (§3.3) ------------------------------------------------------------------------------


VARIABLES = [
    ("n", 5),
    ("missing", None),
    ("only_this", None),
    ("this.only_this", 7),
    ("this.n", 99),
    ("this.file.name", "This"),
    ("row.n", 5),
    ('row["Due Date"]', "space key"),
    ("row.this.n", 99),
    ("row.file.name", "Row"),
    ("row", None),
    ("N", None),
    ("file.name", "Row"),
]


@pytest.mark.parametrize(("text", "expected"), VARIABLES)
def test_variables(text: str, expected: Any) -> None:
    assert js(text) == expected


def test_row_variable_when_a_field_is_named_row() -> None:
    assert run("row", {"row": 3}) == 3
    assert run("row.x", {"row": {"x": 1}, "x": 2}) == 2


def test_row_data_shadows_this() -> None:
    assert run("this", {"this": 1}) == 1
    assert run("row.this", {"this": 1}) == 1


def test_no_this() -> None:
    assert Evaluator().evaluate(parse_expression("this.x"), {}) is None


# ---- indexing (§3.6) -------------------------------------------------------------------------------

INDEXING = [
    ("obj.a", 1),
    ('obj["b c"]', 2),
    ("obj.nested.x", 10),
    ("obj.zzz", None),
    ("obj[nil]", None),
    ("xs[0]", 1),
    ("xs[2]", 3),
    ("xs[3]", None),
    ("xs[-1]", None),
    ("xs[0.5]", None),
    ("[1, 2].length", [None, None]),
    ("objs.a", [1, 2, None, None]),
    ("[[1, 2], [3]].x", [[None, None], [None]]),
    ('"hello"[0]', "h"),
    ('"hello"[4]', "o"),
    ('"hello"[5]', None),
    ('"hello"[-1]', None),
    ('"a😀b"[1]', "\ud83d"),
    ('"a😀b"[3]', "b"),
    ("date(2021-01-15).week", 3),
    ("date(2021-01-15).weekyear", 2),
    ("date(2021-01-15).weekday", 5),
    ("date(2021-01-15).year", 2021),
    ("date(2021-01-15).month", 1),
    ("date(2021-01-15).day", 15),
    ("d.hour", 10),
    ("d.minute", 30),
    ("d.second", 0),
    ("d.millisecond", 0),
    ("date(2021-01-15).quarter", None),
    ("date(2021-01-15).ordinal", None),
    ("date(2021-01-15).zoneName", None),
    ("dur(1 day).hours", 24),
    ("dur(36 hours).days", 1.5),
    ("du.days", 1.5),
    ("dur(1 day).week", None),
    ("dur(2 weeks).weeks", 2),
    ("dur(1 hour).minutes", 60),
    ("dur(1 minute).milliseconds", 60000),
    ("dur(1 year).months", 12),
    ("dur(1 hour).foo", None),
    ("(5).x", None),
    ("true.x", None),
    ("nil.x", None),
    ("nil[0]", None),
    ("((x) => x).y", None),
    ('elink("http://a").x', None),
    ("target.rating", 4),
    ("target.file.name", "Target"),
    ("[[Target]].rating", 4),
    ("[[Target]].tags", ["a", "b"]),
    ("[[Nope]].rating", None),
    ("links.rating", [4, None]),
    ("target.missing", None),
]


@pytest.mark.parametrize(("text", "expected"), INDEXING)
def test_indexing(text: str, expected: Any) -> None:
    assert js(text) == expected


INDEX_ERRORS = [
    ('"abc".length', "string indexing requires a numeric index (string[index])"),
    ("obj[0]", 'can only index into objects with strings (a.b or a["b"])'),
    ("target[0]", 'can only index into links with strings (a.b or a["b"])'),
    ("d[0]", "date indexing requires a string representing the unit"),
    ("du[1]", "duration indexing requires a string representing the unit"),
    ("xs[true]", "Can only index with a string or number"),
    ("xs[[0]]", "Can only index with a string or number"),
    ("xs[{}]", "Can only index with a string or number"),
]


@pytest.mark.parametrize(("text", "message"), INDEX_ERRORS)
def test_index_errors(text: str, message: str) -> None:
    assert error_of(text) == message


def test_index_is_evaluated_before_the_object() -> None:
    assert error_of("(1 + null)[true]") == "Can only index with a string or number"
    assert run("(1 + null)[nil]") is None


def test_link_indexing_without_resolver() -> None:
    assert Evaluator().evaluate(parse_expression("[[Target]].rating"), {}) is None


# ---- calls and lambdas (§3.3, §4.1) ----------------------------------------------------------------

CALLS = [
    ("map([1, 2], (x) => x * n)", [5, 10]),
    ("map([1, 2], (n) => n * 2)", [2, 4]),
    ("((x, y) => x + y)(1, 2)", 3),
    ("((x, y) => y)(1)", None),
    ("((x, n) => n)(1)", 5),
    ("((x) => x)(1, 2)", 1),
    ("(() => 42)()", 42),
    ("map([1], (x) => row.n)", [5]),
    ("map([1], (x) => this.n)", [99]),
    ("typeof((x) => x)", "function"),
    ("string((x) => x)", "<function>"),
    ("map(xs, (x) => map([10], (y) => x + y))", [[11], [12], [13]]),
    ("{f: (x) => x + 1}.f(2)", 3),
    ("[(x) => x * 3][0](2)", 6),
]


@pytest.mark.parametrize(("text", "expected"), CALLS)
def test_calls(text: str, expected: Any) -> None:
    assert js(text) == expected


CALL_ERRORS = [
    ("foo(1)", "Unrecognized function name 'foo'"),
    ('"abc"(1)', "Unrecognized function name 'abc'"),
    ("(1)(2)", "Cannot call type 'number' as a function"),
    ("obj.a(2)", "Cannot call type 'number' as a function"),
    ("nil(1)", "Unrecognized function name 'nil'"),
    ("(nil)(1)", "Unrecognized function name 'nil'"),
    ("[nil][0](1)", "Cannot call type 'null' as a function"),
    ("[1, 2][0](1)", "Cannot call type 'number' as a function"),
    ("xs(1)", "Unrecognized function name 'xs'"),
    ("foo(1 + null)", "No implementation found for 'number + null'"),
    ("map([1], (x) => x + null)", "No implementation found for 'number + null'"),
    ("length(5)", "No implementation of 'length' found for arguments: number"),
]


@pytest.mark.parametrize(("text", "message"), CALL_ERRORS)
def test_call_errors(text: str, message: str) -> None:
    assert error_of(text) == message


def test_a_field_holding_a_lambda_cannot_be_called_by_name() -> None:
    lam = run("(x) => x + 1")
    assert isinstance(lam, LambdaValue)
    assert error_of("f(1)", {"f": lam}) == "Unrecognized function name 'f'"
    assert run("row.f(1)", {"f": lam}) == 2


def test_lambda_closes_over_its_row() -> None:
    lam = run("(x) => x + n", {"n": 10})
    assert run("map([1, 2], g)", {"g": lam, "n": 1000}) == [11, 12]
    assert lam(5) == 15


def test_lambda_value_calls_python_callables() -> None:
    assert run("row.f(2, 3)", {"f": lambda ev, a, b: a * b}) == 6


# ---- literals -------------------------------------------------------------------------------------


def test_list_and_object_literals() -> None:
    assert js("[1, n, [s]]") == [1, 5, ["hello"]]
    assert js('{a: n, "b c": s, "2": 1}') == {"object": {"2": 1, "a": 5, "b c": "hello"}}
    assert js("{}") == {"object": {}}
    assert js("[]") == []


def test_string_escapes_are_kept() -> None:
    assert run('"a\\nb"') == "a\\nb"
    assert run('"a\\"b"') == 'a"b'


# ---- settings --------------------------------------------------------------------------------------


def test_render_null_as_setting_leaks_into_strings() -> None:
    custom = Evaluator(settings=V.ValueSettings(render_null_as="-"))
    assert custom.evaluate(parse_expression('"a" + null'), {}) == "a-"
    assert custom.evaluate(parse_expression("string(null)"), {}) == "-"


def test_binary_ops_standalone() -> None:
    assert DEFAULT_BINARY_OPS.evaluate("+", 1, 2) == 3
    ops = BinaryOps(link_normalizer=_normalize)
    assert ops.evaluate("=", V.Link.file("Target"), V.Link.file("Notes/Target.md")) is True
    assert DEFAULT_BINARY_OPS.evaluate("=", V.Link.file("Target"), V.Link.file("Notes/Target.md")) is False


def test_try_evaluate() -> None:
    assert ev().try_evaluate(parse_expression("1 + 1")) == (True, 2)
    assert ev().try_evaluate(parse_expression("1 + null")) == (
        False,
        "No implementation found for 'number + null'",
    )


def test_string_repeat_limits() -> None:
    assert error_of('"ab" * (1 / 0)') == "Invalid count value: Infinity"
    assert error_of('"ab" * 1000000000') == "Invalid string length"
    assert run('"ab" * (0 / 0)') == ""


def test_duration_by_zero() -> None:
    assert error_of("dur(0 days) / 0") == "Invalid unit value NaN"


# ---- recursion bounds ------------------------------------------------------------------------------


def _deep_sum(height: int) -> ast.Expr:
    node: ast.Expr = ast.Literal(1)
    for _ in range(height):
        node = ast.BinaryOp(node, "+", ast.Literal(1))
    return node


def test_deepest_parseable_expressions_evaluate() -> None:
    assert run("(" * 60 + "1" + ")" * 60) == 1
    assert run(" + ".join(["1"] * 199)) == 199
    assert run("[" * 1 + "[" * 60 + "1" + "]" * 61) is not None
    text = "x"
    for _ in range(20):
        text = f"map([1], (x) => {text})"
    expected: Any = 1
    for _ in range(20):
        expected = [expected]
    assert js(text) == expected
    calls = "n"
    for _ in range(60):
        calls = f"default({calls}, 1)"
    assert run(calls) == 5


def test_nested_lambdas_at_the_parser_height_limit() -> None:
    """An AST of height 200 made only of lambda calls (the worst frame use per level)."""
    body: ast.Expr = ast.Variable("x")
    height = 1
    while height + 3 <= 200:
        lam = ast.Lambda(("x",), body)
        body = ast.FunctionCall(ast.Variable("map"), (ast.ListExpr((ast.Literal(1),)), lam))
        height += 2
    assert ast.expr_depth(body) <= 200
    result = Evaluator().evaluate(body, {})
    depth = 0
    while isinstance(result, list):
        result = result[0]
        depth += 1
    assert (depth, result) == (99, 1)


def test_overly_deep_trees_fail_cleanly_in_a_deep_stack() -> None:
    expr = _deep_sum(MAX_EVALUATION_DEPTH + 50)
    limit = sys.getrecursionlimit()

    def recurse(k: int) -> str:
        if k:
            return recurse(k - 1)
        with pytest.raises(EvaluationError) as info:
            Evaluator().evaluate(expr, {})
        return info.value.message

    assert recurse(min(400, limit // 3)) == "Expression is nested too deeply to evaluate"
    assert Evaluator().evaluate(_deep_sum(150), {}) == 151


def test_deep_tree_in_a_thread() -> None:
    results: list[Any] = []
    thread = threading.Thread(
        target=lambda: results.append(Evaluator().evaluate(_deep_sum(199), {}))
    )
    thread.start()
    thread.join()
    assert results == [200]


def test_depth_counter_resets_after_errors() -> None:
    for _ in range(3):
        with pytest.raises(EvaluationError):
            Evaluator().evaluate(_deep_sum(MAX_EVALUATION_DEPTH + 5), {})
    assert Evaluator().evaluate(_deep_sum(100), {}) == 101


# ---- property: well-typed arithmetic never fails with anything but EvaluationError --------------------

_numbers = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6).map(
        lambda f: round(f, 3)
    ),
)
_atoms = st.one_of(
    _numbers.map(lambda n: ast.Literal(V.clean_number(n))),
    st.sampled_from(
        [
            ast.Literal(None),
            ast.Literal(True),
            ast.Literal("ab"),
            ast.Variable("n"),
            ast.Variable("nil"),
            ast.Variable("s"),
            ast.Variable("xs"),
            ast.Variable("d"),
            ast.Variable("du"),
            ast.Variable("target"),
            ast.Literal(V.Duration(days=1)),
            ast.Literal(V.DVDate.from_fields(2021, 1, 1)),
        ]
    ),
)
_ops = st.sampled_from(sorted(ast.BINARY_OPERATORS))


def _extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.builds(ast.BinaryOp, children, _ops, children),
        st.builds(ast.Negated, children),
        st.builds(ast.Index, children, st.sampled_from([ast.Literal("day"), ast.Literal(0), ast.Literal(None)])),
        st.builds(
            lambda name, args: ast.FunctionCall(ast.Variable(name), tuple(args)),
            st.sampled_from(["round", "min", "max", "sum", "string", "length", "default", "choice"]),
            st.lists(children, max_size=3),
        ),
    )


_exprs = st.recursive(_atoms, _extend, max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_exprs)
def test_random_expressions_only_raise_evaluation_errors(expr: ast.Expr) -> None:
    with V.use_local_zone("UTC"):
        try:
            result = ev().evaluate(expr, ROW, THIS)
        except EvaluationError as exc:
            assert isinstance(exc.message, str) and exc.message
            return
    V.to_result_json(result)  # every result is a value of the model


@settings(max_examples=200, deadline=None)
@given(_numbers, st.sampled_from(["+", "-", "*", "/", "%"]), _numbers)
def test_number_arithmetic_matches_javascript(a: float, op: str, b: float) -> None:
    a, b = V.clean_number(a), V.clean_number(b)
    result = DEFAULT_BINARY_OPS.evaluate(op, a, b)
    fa, fb = float(a), float(b)
    if op == "+":
        expected = fa + fb
    elif op == "-":
        expected = fa - fb
    elif op == "*":
        expected = fa * fb
    elif op == "/":
        expected = fa / fb if fb else (math.nan if fa == 0 else math.copysign(math.inf, fa) * math.copysign(1, fb))
    else:
        expected = math.fmod(fa, fb) if fb else math.nan
    if math.isnan(expected):
        assert math.isnan(result)
    else:
        assert result == expected
        assert not (isinstance(result, float) and result.is_integer() and abs(result) < 2**53)
