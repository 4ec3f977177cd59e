"""Row functions (:meth:`Evaluator.row_function`), the engine's per-row fast path, and the top-N
pick of ``SORT`` + ``LIMIT``: both must give exactly what the generic path gives."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from functools import cmp_to_key
from pathlib import Path
from typing import Any

import pytest
from gardend.daemon.index import Index
from gardend.daemon.query import ast
from gardend.daemon.query.engine import QueryEngine, Row, _literal_limit, _sorted_rows
from gardend.daemon.query.evaluator import (
    _STATE,
    MAX_EVALUATION_DEPTH,
    EvaluationError,
    Evaluator,
    ensure_stack_headroom,
)
from gardend.daemon.query.pages import LazyObject
from gardend.daemon.query.parser import parse_expression, parse_query
from gardend.daemon.query.results import TableResult
from gardend.daemon.sync import Synchronizer
from gardend.daemon.values import Duration, DVDate, Link, to_result_json, use_local_zone
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import VaultMaker

OPERATORS = ["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "=", "!=", "&", "|"]
NAMES = ["a", "b", "file", "this", "row", "missing"]
KEYS = ["a", "b", "name", "x", "length"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.sampled_from([0, 1, 3, 2**53 - 1, 2**53, 2**53 + 1, -(2**53) - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.sampled_from(["", "a", "B", "ä", "10", "9"]),
    st.builds(lambda d: DVDate.from_fields(2024, 1, d), st.integers(min_value=1, max_value=28)),
    st.builds(lambda m: Duration(minutes=m), st.integers(min_value=0, max_value=90)),
    st.builds(Link.file, st.sampled_from(["A.md", "b/C.md", "a.md"])),
)


def _lazy(data: dict[str, Any]) -> LazyObject:
    pending = {"late": lambda: [1, 2]}
    return LazyObject(data, pending, ("late",))


values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=3).map(_lazy),
    ),
    max_leaves=8,
)

literals = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**54), max_value=2**54),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["a", "name", "x", ""]),
).map(ast.Literal)


def _expressions() -> st.SearchStrategy[ast.Expr]:
    leaves = st.one_of(literals, st.sampled_from(NAMES).map(ast.Variable))

    def extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
        return st.one_of(
            st.builds(ast.Index, children, st.sampled_from(KEYS).map(ast.Literal)),
            st.builds(ast.Index, children, literals),  # non-string keys: the generic path
            st.builds(ast.Negated, children),
            st.builds(ast.BinaryOp, children, st.sampled_from(OPERATORS), children),
            st.builds(lambda c: ast.FunctionCall(ast.Variable("length"), (c,)), children),
        )

    return st.recursive(leaves, extend, max_leaves=6)


def _outcome(function: Any) -> tuple[str, Any]:
    try:
        return "value", function()
    except EvaluationError as exc:
        return "error", exc.message


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping):
        return list(a.keys()) == list(b.keys()) and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _check(expr: ast.Expr, data: dict[str, Any], this: dict[str, Any]) -> None:
    generic_ev = Evaluator()
    fast_ev = Evaluator()
    global_vars = {"this": this}
    expected = _outcome(lambda: generic_ev.evaluate_with(expr, data, global_vars))
    function = fast_ev.row_function(expr)
    ensure_stack_headroom()
    got = _outcome(lambda: function(data, global_vars))
    assert got[0] == expected[0], (expr, got, expected)
    assert _same(got[1], expected[1]), (expr, got, expected)
    assert _STATE.depth == 0


@settings(max_examples=600, deadline=None)
@given(
    _expressions(),
    st.dictionaries(st.sampled_from(NAMES), values, max_size=5),
    st.dictionaries(st.sampled_from(KEYS), values, max_size=3),
)
def test_row_function_matches_evaluate_with(expr: ast.Expr, data: dict[str, Any], this: dict[str, Any]) -> None:
    _check(expr, data, this)


@pytest.mark.parametrize(
    "text",
    [
        "rating > 3",
        "file.name",
        "file.frontmatter.a.b",
        "!done",
        "a = b",
        "a + 1 < b * 2",
        "a.x.length",
        "row.a",
        "row[\"a\"]",
        "a[0]",
        "a[\"x\"]",
        "this.a > 1 and a",
        "x.name != null",
    ],
)
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"rating": 4, "a": 2, "b": 2.0, "done": 0},
        {"rating": "5", "a": [{"x": 1}, {"x": [1, 2]}, 3], "b": None, "done": [1]},
        {"rating": None, "a": {"x": {"length": 2}}, "file": {"name": "N", "frontmatter": {"a": {"b": 1}}}},
        {"rating": float("nan"), "a": 2**60, "b": 2**60 + 1, "x": Link.file("A.md")},
        {"file": _lazy({"name": "Lazy"}), "a": Duration(hours=1), "b": DVDate.from_fields(2024, 2, 3)},
    ],
)
def test_row_function_on_parsed_expressions(text: str, data: dict[str, Any]) -> None:
    _check(parse_expression(text), data, {"a": 1})


def test_row_function_keeps_the_depth_limit() -> None:
    """Indexing a list by a string recurses per level and counts depth as under _eval: the same
    nesting fails (or not) both ways, right at the limit."""
    outcomes = set()
    for levels in range(MAX_EVALUATION_DEPTH - 6, MAX_EVALUATION_DEPTH + 3):
        nested: Any = {"x": 1}
        for _ in range(levels):
            nested = [nested]
        for text in ("a.x", "a.x.y", "!a.x", "a.x = 1", "this.a.x"):
            _check(parse_expression(text), {"a": nested}, {"a": nested})
        outcomes.add(_outcome(lambda n=nested: Evaluator().evaluate(parse_expression("a.x"), {"a": n}))[0])
    assert outcomes == {"value", "error"}


def test_row_function_inside_an_evaluation_uses_the_generic_path() -> None:
    ev = Evaluator()
    function = ev.row_function(parse_expression("a.x"))
    _STATE.depth = 3
    try:
        assert function({"a": {"x": 7}}, {}) == 7
        assert _STATE.depth == 3
    finally:
        _STATE.depth = 0


# ---- SORT + LIMIT ------------------------------------------------------------------------------

sort_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([0.5, -0.0, 2.0]),
    st.sampled_from(["a", "A", "b", "ä", "10", "9", ""]),
    st.builds(Link.file, st.sampled_from(["A.md", "b/C.md", "a.md"])),
    st.builds(lambda d: DVDate.from_fields(2024, 1, d), st.integers(min_value=1, max_value=3)),
)


@settings(max_examples=400, deadline=None)
@given(
    st.integers(min_value=1, max_value=3).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(sort_values, min_size=n, max_size=n), max_size=25),
            st.lists(st.sampled_from([1, -1]), min_size=n, max_size=n),
        )
    ),
    st.integers(min_value=0, max_value=30),
)
def test_sorted_rows_top_n_is_the_stable_sort_prefix(case: tuple[list[list[Any]], list[int]], limit: int) -> None:
    keys, factors = case
    ev = Evaluator()
    rows = [Row(i, {}) for i in range(len(keys))]

    def order(a: tuple[list[Any], Row], b: tuple[list[Any], Row]) -> int:
        for i, factor in enumerate(factors):
            c = ev.compare(a[0][i], b[0][i])
            if c:
                return factor if c > 0 else -factor
        return 0

    reference = [row.id for _, row in sorted(zip(keys, rows, strict=True), key=cmp_to_key(order))]
    full = [row.id for row in _sorted_rows(list(zip(keys, rows, strict=True)), factors, ev)]
    cut = [row.id for row in _sorted_rows(list(zip(keys, rows, strict=True)), factors, ev, limit)]
    assert full == reference
    assert cut[:limit] == reference[:limit]


def test_literal_limit() -> None:
    def limit_of(text: str) -> int | None:
        query = parse_query(f"LIST FROM #t SORT file.name {text}")
        return _literal_limit(query.operations[-1])

    assert limit_of("LIMIT 3") == 3
    assert limit_of("LIMIT 0") == 0
    assert limit_of("LIMIT 2.7") == 2
    assert limit_of("LIMIT -2") is None  # counts from the end
    assert limit_of("LIMIT 1 + 1") is None
    assert limit_of("LIMIT \"3\"") is None
    assert limit_of("WHERE true") is None  # not a LIMIT
    assert _literal_limit(None) is None
    for amount in (float("inf"), float("-inf"), float("nan"), True, None, -0.5):
        expected = 0 if amount == -0.5 else None
        assert _literal_limit(ast.LimitStep(ast.Literal(amount))) == expected


VAULT = {
    **{
        f"p/N{i:02}.md": f"---\nrating: {[3, 5, None, 4, '4', 5][i % 6]}\nrank: {i % 4}\n---\n#t\n"
        for i in range(30)
    },
    "q/Other.md": "---\nrating: 5\n---\n",
}


@pytest.fixture
def engine(make_vault: VaultMaker, tmp_path: Path) -> Iterator[QueryEngine]:
    root = make_vault({k: v.replace("rating: None", "rating:") for k, v in VAULT.items()})
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    with use_local_zone("UTC"):
        yield QueryEngine(index)
    index.close()


def _rows(engine: QueryEngine, text: str) -> list[list[Any]]:
    result = engine.run(text)
    assert isinstance(result, TableResult), getattr(result, "message", result)
    return [[to_result_json(v) for v in row] for row in result.rows]


@pytest.mark.parametrize(
    "body",
    [
        "FROM #t WHERE rating > 3 SORT rank",
        "FROM \"p\" SORT rank DESC",
        "FROM \"p\" SORT rank DESC, file.name",
        "FROM \"p\" SORT rank, rating",
        "FROM \"p\" WHERE rating SORT rating DESC, rank DESC",
        "SORT rating",
        "FROM \"p\" WHERE rank > 1 WHERE rating SORT file.mtime DESC",
    ],
)
@pytest.mark.parametrize("limit", [0, 1, 3, 7, 100])
def test_sort_limit_is_the_sorted_prefix(engine: QueryEngine, body: str, limit: int) -> None:
    full = _rows(engine, f"TABLE rating, rank {body}")
    assert _rows(engine, f"TABLE rating, rank {body} LIMIT {limit}") == full[:limit]
    counted_from_end = full[: max(0, len(full) - limit)] if limit else []  # slice(0, -0) is empty
    assert _rows(engine, f"TABLE rating, rank {body} LIMIT -{limit}") == counted_from_end


def test_leading_where_failing_everywhere_fails_the_query(engine: QueryEngine) -> None:
    result = engine.run('TABLE rating FROM "p" WHERE rating.x.y(1)')
    assert not isinstance(result, TableResult)
    assert "Every row during operation 'where' failed" in result.message
