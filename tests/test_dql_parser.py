"""DQL parser: accept/reject facts, AST shapes and Dataview's exact error messages.

The facts come from the reference (shared/reference/dataview.md §2.1, §2.2, §2.7, §2.8, §3.2-§3.4
and quirks 9, 22, 29, 36, 39, 43) and from real parse errors quoted in Dataview's issue tracker.
"""

from __future__ import annotations

import contextlib
import inspect
import pickle
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gardend.daemon.query import parser as P
from gardend.daemon.query.ast import (
    BinaryOp,
    BinaryOpSource,
    CalendarHeader,
    CsvSource,
    FlattenStep,
    FolderSource,
    FunctionCall,
    GroupStep,
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
    Query,
    SortKey,
    SortStep,
    TableHeader,
    TagSource,
    TaskHeader,
    Variable,
    WhereStep,
    expr_depth,
    to_dql,
)
from gardend.daemon.query.errors import (
    KEYWORD_VARIABLE_MESSAGE,
    DQLNestingError,
    DQLSyntaxError,
    format_parse_error,
)
from gardend.daemon.values import Link, parse_date_text, parse_duration_text

parse_query = P.parse_query
parse_expression = P.parse_expression
parse_source = P.parse_source

BANNER = "Error: \n-- PARSING FAILED --------------------------------------------------\n\n"


def rejected(text: str) -> DQLSyntaxError:
    with pytest.raises(DQLSyntaxError) as info:
        parse_query(text)
    return info.value


def V(name: str) -> Variable:
    return Variable(name)


def L(value: object) -> Literal:
    return Literal(value)  # type: ignore[arg-type]


# =============================================================================================
# §2.7: Dataview's error messages, byte for byte
# =============================================================================================


def test_error_at_end_of_input_matches_dataview() -> None:
    err = rejected("TABLE file.name FROM")
    assert "Dataview: " + str(err) == (
        "Dataview: Error: \n-- PARSING FAILED --------------------------------------------------\n\n"
        "Got the end of the input\n\nExpected:\n\nwhitespace\n"
    )
    assert err.position == len("TABLE file.name FROM")
    assert err.expected == ("whitespace",)


def test_mid_input_error_matches_dataview() -> None:
    err = rejected("TABLE x GROUP  BY y")
    assert "Dataview: " + str(err) == (
        "Dataview: Error: \n-- PARSING FAILED --------------------------------------------------\n\n"
        "> 1 | TABLE x GROUP  BY y\n    |         ^\n\nExpected one of the following: \n\n"
        "'*' or '/' or '%', '+' or '-', ',', '>=' or '<=' or '!=' or '=' or '>' or '<', 'and' or 'or', "
        "/AS/i, /FROM/i, EOF, FLATTEN <value> [AS <name>], GROUP BY <value> [AS <name>], LIMIT <value>, "
        "Not a comment, SORT field [ASC/DESC], WHERE <expression>, whitespace\n"
    )
    assert (err.position, err.line, err.column) == (8, 1, 9)


def test_empty_block_message() -> None:
    """§2.8: an empty block."""
    assert str(rejected("")) == (
        BANNER + "Got the end of the input\n\nExpected one of the following: \n\n"
        "Not a comment, TABLE or LIST or TASK or CALENDAR, whitespace\n"
    )


# Messages users quoted in obsidian-dataview issues #1164, #1103 and #2448 (Dataview 0.5.20-0.5.67,
# same parser files): reserved words as fields.  Note the message says `variable`, not Dataview's
# keyword text: parsimmon's `desc("variable")` replaces it.
ISSUE_MESSAGES = [
    (
        "table what, where, when\nfrom #example",
        "> 1 | table what, where, when\n    |                  ^\n  2 | from #example\n\nExpected:\n\nvariable\n",
    ),
    (
        'TABLE \n\tfile.ctime AS "Date Time",\n\tfrom AS "Course"\n'
        'FROM [[2022 Applied Data Science MIT]] and "Learning/2022 Applied Data Science MIT"\n'
        "SORT file.ctime DESC",
        '  1 | TABLE \n  2 | \tfile.ctime AS "Date Time",\n> 3 | \tfrom AS "Course"\n    |      ^\n'
        '  4 | FROM [[2022 Applied Data Science MIT]] and "Learning/2022 Applied Data Science MIT"\n'
        "  5 | SORT file.ctime DESC\n\nExpected:\n\nvariable\n",
    ),
    (
        'TABLE\n\tfile.folder AS "Folder"\nFROM "Documentation"\n'
        'WHERE contains(join(Related), "cpp") OR contains(From, "C++")',
        '  2 | \tfile.folder AS "Folder"\n  3 | FROM "Documentation"\n'
        '> 4 | WHERE contains(join(Related), "cpp") OR contains(From, "C++")\n'
        "    |                                                      ^\n\nExpected:\n\nvariable\n",
    ),
]


@pytest.mark.parametrize(
    ("query", "tail"), ISSUE_MESSAGES, ids=["issue-1164", "issue-1103", "issue-2448"]
)
def test_real_world_keyword_messages(query: str, tail: str) -> None:
    err = rejected(query)
    assert str(err) == BANNER + tail
    assert err.hint == KEYWORD_VARIABLE_MESSAGE


def test_keyword_as_whole_where_clause_is_renamed_by_the_clause() -> None:
    """`WHERE from = 1` fails inside the WHERE clause's desc: the clause name is reported."""
    err = rejected("LIST WHERE from = 1")
    assert err.expected == ("WHERE <expression>",)
    assert err.position == len("LIST WHERE from")
    assert err.hint == KEYWORD_VARIABLE_MESSAGE


def test_expression_atom_expectations() -> None:
    """The atom names listed in §2.7, all at the end of `TABLE x +`."""
    err = rejected("TABLE x +")
    assert err.expected == (
        "'('",
        "'null'",
        "boolean",
        "date",
        "duration",
        "file link",
        "list ('[1, 2, 3]')",
        "negated field",
        "number",
        "object ('{ a: 1, b: 2 }')",
        "string",
        "variable",
    )


def test_source_expectations() -> None:
    err = rejected("LIST FROM ;")
    assert err.expected == (
        "'!'",
        "'('",
        "'-'",
        "'csv('",
        "'outgoing('",
        "file link",
        "string",
        "tag ('#hello/stuff')",
    )


def test_template_code_in_tag_source() -> None:
    """§2.8: Templater code left in a template; the tag ends at `<`."""
    err = rejected("LIST\nFROM #dungeon<% tp.date.now('YY') %>/day")
    assert (err.line, err.column) == (2, 14)
    assert "text" in err.expected and "'and' or 'or'" in err.expected


def test_context_lines_and_label_width() -> None:
    text = "\n".join(["LIST"] + ["WHERE x"] * 9 + ["WHERE ;", "WHERE y", "WHERE z", "WHERE w"])
    err = rejected(text)
    assert str(err).split("\n\n")[1] == (
        "   9 | WHERE x\n  10 | WHERE x\n> 11 | WHERE ;\n     |       ^\n  12 | WHERE y\n  13 | WHERE z"
    )


def test_caret_counts_utf16_units() -> None:
    """JavaScript columns count UTF-16 code units: an astral emoji takes two."""
    err = rejected('LIST "😀" ;')
    assert err.column == 10  # code points
    assert str(err).split("\n\n")[1] == '> 1 | LIST "😀" ;\n    |' + " " * 11 + "^"


def test_line_split_quirk_with_lone_carriage_return() -> None:
    """parsimmon counts lines on \\n but prints lines split on \\r too (so \\r shifts the excerpt)."""
    assert format_parse_error("a\rb\nc", 4, ["x"]) == (
        BANNER + "  1 | a\n> 2 | b\n    | ^\n  3 | c\n\nExpected:\n\nx\n"
    )


def test_error_is_picklable_and_structured() -> None:
    err = rejected("LIST\nWHERE ;")
    copy = pickle.loads(pickle.dumps(err))
    assert str(copy) == str(err)
    assert (copy.position, copy.expected, copy.line, copy.column) == (
        err.position,
        err.expected,
        2,
        7,
    )
    assert isinstance(err, ValueError)


def test_inline_expression_errors() -> None:
    """Inline `= expr` text is parsed as is; the renderer adds `Dataview (inline field ...)`."""
    with pytest.raises(DQLSyntaxError) as info:
        parse_expression("from")
    assert str(info.value) == BANNER + "Got the end of the input\n\nExpected:\n\nvariable\n"
    with pytest.raises(DQLSyntaxError) as info:
        parse_expression("this.x +")
    assert info.value.position == len("this.x +")
    with pytest.raises(DQLSyntaxError) as info:
        parse_expression(" x")  # the lambda alternative skips whitespace before its '('
    assert (info.value.position, info.value.expected) == (1, ("'('",))


# =============================================================================================
# Accept / reject facts (§2.1, §2.2, §2.8, quirks 9, 22, 29, 36, 39, 43)
# =============================================================================================

ACCEPTED = [
    # §2.8 accepted
    "list from #a",
    "LiSt FrOm #a",
    "table file.name from #a where x sort y desc",
    "LIST WHERE x FROM #a",
    "LIST LIMIT 5 LIMIT 3",
    "LIST\n// comment on its own line\nWHERE x // after a clause\n// at the end",
    "// leading comment\nLIST",
    "LIST\n// only comments after",
    "TABLE WITHOUT\n \t ID x",
    "TABLE    WITHOUT     ID   name, value",
    "TABLE WITHOUT ID",
    "LIST WITHOUT ID",
    'LIST FROM csv("data/a.csv")',
    "LIST FROM outgoing([[x]])",
    "LIST FROM [[]]",
    "LIST FROM [[#]]",
    "LIST FROM -#tag",
    "LIST FROM !#tag",
    "LIST\nSORT",
    "LIST SORT",
    "TASK\nSORT file.name",
    "TABLE a\nSORT file.name",
    "LIST FROM #a\nSORT file.name",
    "LIST\nWHERE x\nSORT file.name",
    "LIST GROUP BY x",
    "LIST LIMIT 3",
    "LIST FLATTEN x",
    # §2.1 / §2.2
    "TABLE",
    "TABLE FROM #a",
    "TASK",
    "task from #games",
    "CALENDAR file.day",
    'TABLE file.name, (x + 1) AS "Sum"',
    "TABLE x AS y",
    "TABLE x as from",
    "LIST FROM #a WHERE x SORT y FROM #b",
    "LIST x\n\n\n",
    "LIST x // trailing comment",
    "LIST sort",
    "LIST table",
    'LIST row["where"]',
    "LIST row.where",
    "TABLE\r\n  a,\r\n  b\r\nWHERE c",
    # §2.3 sources
    'LIST FROM #a or #b and #c & "f" | [[n]]',
    'LIST FROM -("a" and #b)',
    'LIST FROM csv( "a.csv")',
    "LIST FROM outgoing( [[x]])",
    "LIST FROM #",
    "LIST FROM #a/b-c_d/1",
    "LIST FROM #début",
    # expressions (§3.2-§3.4, quirks 9, 36, 39)
    "LIST x-y",
    "LIST 5-3",
    "LIST 1 + -2",
    "LIST True",
    'LIST "a\\nb"',
    "LIST date(today)",
    "LIST date( start-of-month )",
    "LIST date(2021-01)",
    "LIST date(2021-01-05T10:00:00+02:00)",
    "LIST date(2021-01-05T10:00:00[Europe/Paris])",
    "LIST date(2021-01-05T10:00:00.123Z)",
    "LIST date(2024)",
    "LIST date(2024-13-01)",
    "LIST date(2024-W11)",
    "LIST dur(1 h, 30 min)",
    "LIST dur(1h30m)",
    "LIST dur(-1.5 days)",
    "LIST dur(null)",
    "LIST [[a\\|b|c]]",
    "LIST ![[x]]",
    "LIST (x, y) => x",
    "LIST () => 16",
    'LIST {a: 1, "b c": 2}',
    "LIST {}",
    "LIST []",
    "LIST [ 1,  2, 3   ]",
    "LIST !!x",
    "LIST !(a & b)",
    "LIST x and y or z",
    "LIST 1 < 2 < 3",
    "LIST a.b.c[0](1)",
    "LIST list().parts[0]",
    'LIST "hello".what[yes]',
    "LIST 📷",
    "LIST 😊x",
    "LIST lma0()",
    "LIST x AND y OR z",
    "LIST 14 % 2",
    "LIST 3*a",
    "LIST x % y",
]

REJECTED = [
    # §2.8 rejected
    "LIST x;",
    "TASK file.link",
    "CALENDAR",
    "CALENDAR ",
    "TASKS",
    "LISTING",
    "LISTwhere",
    "TABLE x GROUP  BY y",
    "TABLE x GROUP\nBY y",
    "LIST SORT BY x",
    "LIST WHERE a == b",
    "LIST WHERE a <> b",
    "LIST WHERE a && b",
    "LIST WHERE 'a'",
    "LIST FROM #a, #b",
    "TABLE a, b,",
    "TABLE a AS b c",
    "LIST\n%% comment %%",
    "LIST\n# heading",
    "TABLE formulas._Var",
    "LIST WHERE #dv/list",
    "",
    "   \n  ",
    "// only a comment",
    "LIST SORT file.name",
    "TABLE SORT x",
    "TABLE WITHOUT ID SORT x",
    "LIST\nSORT file.name",
    "LIST FROM #dungeon<% tp.date.now('YY') %>",
    'LIST WHERE x = date("<% moment().format("YYYY-MM-DD") %>")',
    # §2.1
    "WHERE x",
    "LIST WHERE(x)",
    "LIST FROM",
    "TABLE x, // comment inside the field list\ny",
    "LIST WHERE x +\n// comment inside an expression\n1",
    # quirk 9 / §3.4: no unary minus; no word boundary after literals
    "LIST -x",
    "LIST - 3",
    "LIST -(1)",
    "LIST trueX",
    "LIST falsehood",
    "LIST nullable",
    # quirk 29 / §3.2 numbers
    "LIST 1.5e2",
    "LIST 1e3",
    "LIST .5",
    "LIST +1",
    # quirk 39
    "LIST dur(500 ms)",
    # reserved words (§2.1)
    "LIST from",
    "LIST where",
    "LIST WHERE limit",
    "LIST group",
    "LIST Flatten",
    "TABLE x AS",
    # §3.3 identifiers
    "LIST _x",
    "LIST 1abc",
    "LIST x y",
    "LIST a.1",
    "LIST x.",
    # misc structure
    "LIST [1, 2",
    "LIST {a 1}",
    "LIST (x",
    "LIST f(x,)",
    "LIST [1,]",
    "LIST (x) =>",
    'LIST "unterminated',
    'LIST "ends with backslash\\',
    "LIST FROM outgoing([[x]]",
    'LIST FROM csv("a.csv"',
    "LIST FROM ([[x]]",
    "LIST SORT x ascending,",
    "LIST GROUP BY",
    "LIST FLATTEN x AS",
]


@pytest.mark.parametrize("query", ACCEPTED)
def test_accepted(query: str) -> None:
    assert isinstance(parse_query(query), Query)


@pytest.mark.parametrize("query", REJECTED)
def test_rejected(query: str) -> None:
    err = rejected(query)
    assert str(err).startswith(BANNER)
    assert 0 <= err.position <= len(query)
    assert err.expected


# =============================================================================================
# AST shapes
# =============================================================================================


def test_headers_and_show_id() -> None:
    assert parse_query("TABLE").header == TableHeader(())
    assert parse_query("TABLE WITHOUT ID a").header == TableHeader(
        (NamedField("a", V("a"), "a"),), show_id=False
    )
    assert parse_query("LIST").header == ListHeader(None)
    assert parse_query("LIST WITHOUT ID").header == ListHeader(None, show_id=False)
    assert parse_query("LIST WITHOUT ID file.name").header == ListHeader(
        Index(V("file"), L("name")), show_id=False, text="file.name"
    )
    assert parse_query("task").header == TaskHeader()
    assert parse_query("CALENDAR file.day").header == CalendarHeader(
        NamedField("file.day", Index(V("file"), L("day")), "file.day")
    )
    # WITHOUT ID needs no whitespace after ID (the regex is followed by optional whitespace).
    assert parse_query("LIST WITHOUT IDfoo").header == ListHeader(
        V("foo"), show_id=False, text="foo"
    )


def test_field_names_are_source_text_without_line_breaks() -> None:
    """§2.2: implicit names are the exact source text, lines trimmed and concatenated."""
    q = parse_query(
        'TABLE file.name, (x + 1) AS "Sum", y AS z, choice(a,\n    "b",\n  "c")\nWHERE true'
    )
    fields = q.header.fields  # type: ignore[union-attr]
    assert [f.name for f in fields] == ["file.name", "Sum", "z", 'choice(a,"b","c")']
    assert [f.explicit for f in fields] == [False, True, True, False]
    assert fields[3].text == 'choice(a,\n    "b",\n  "c")'
    assert fields[1].expr == BinaryOp(V("x"), "+", L(1))


def test_group_and_flatten_names() -> None:
    q = parse_query('LIST FLATTEN file.tags\nGROUP BY file.folder AS folder\nFLATTEN x AS "y z"')
    assert q.operations == (
        FlattenStep(NamedField("file.tags", Index(V("file"), L("tags")), "file.tags")),
        GroupStep(NamedField("folder", Index(V("file"), L("folder")), "file.folder", True)),
        FlattenStep(NamedField("y z", V("x"), "x", True)),
    )


def test_sort_keys_and_directions() -> None:
    q = parse_query("TASK SORT a, b desc, c DESCENDING, d Asc, e ascending")
    assert q.operations == (
        SortStep(
            (
                SortKey(V("a")),
                SortKey(V("b"), "descending"),
                SortKey(V("c"), "descending"),
                SortKey(V("d"), "ascending"),
                SortKey(V("e"), "ascending"),
            )
        ),
    )


def test_clauses_any_order_and_late_from() -> None:
    """§2.1 / quirk 22: a FROM after other clauses parses but is flagged for the engine."""
    q = parse_query('LIST FROM #a\nLIMIT 5\nWHERE x\nFROM "folder"\nLIMIT 3')
    assert q.has_from and q.source == TagSource("#a")
    assert q.operations == (
        LimitStep(L(5)),
        WhereStep(V("x")),
        LateFromStep(FolderSource("folder")),
        LimitStep(L(3)),
    )
    late = q.operations[2]
    assert isinstance(late, LateFromStep)
    assert late.error_message == "Unrecognized query operation 'folder'"


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("#t", "tag"),
        ('"f"', "folder"),
        ("[[n]]", "link"),
        ("outgoing([[n]])", "link"),
        ('csv("a.csv")', "csv"),
        ("-#t", "negate"),
        ("#a or #b", "binaryop"),
    ],
)
def test_late_from_source_types(source: str, kind: str) -> None:
    late = parse_query(f"LIST WHERE x FROM {source}").operations[1]
    assert isinstance(late, LateFromStep)
    assert late.kind == kind
    assert late.error_message == f"Unrecognized query operation '{kind}'"


def test_no_from_means_whole_vault() -> None:
    q = parse_query("LIST WHERE x")
    assert q.source == FolderSource("") and not q.has_from


def test_sources() -> None:
    assert parse_source('"lma0" or #neat') == BinaryOpSource(
        FolderSource("lma0"), "|", TagSource("#neat")
    )
    assert parse_source("#a or #b and #c") == BinaryOpSource(
        BinaryOpSource(TagSource("#a"), "|", TagSource("#b")), "&", TagSource("#c")
    )
    assert parse_source('!"meme" & #dirty') == BinaryOpSource(
        NegatedSource(FolderSource("meme")), "&", TagSource("#dirty")
    )
    assert parse_source('-("meme" & #dirty)') == NegatedSource(
        BinaryOpSource(FolderSource("meme"), "&", TagSource("#dirty"))
    )
    assert parse_source("[[Note#Heading|Alias]]") == LinkSource("Note", "incoming")
    assert parse_source("outgoing([[Dir/Note]])") == LinkSource("Dir/Note", "outgoing")
    assert parse_source("[[]]") == LinkSource("", "incoming")
    assert parse_source('csv("data.csv")') == CsvSource("data.csv")
    assert parse_source("#daily/2021/20/08") == TagSource("#daily/2021/20/08")
    assert parse_source("#🌱/🌿") == TagSource("#🌱/🌿")
    assert parse_source("#a-b_c1") == TagSource("#a-b_c1")


def test_precedence_and_associativity() -> None:
    """§3.4: * / % > + - > comparisons > and/or (one level), all left-associative."""
    assert parse_expression("14 + 6 >= 19 - 2") == BinaryOp(
        BinaryOp(L(14), "+", L(6)), ">=", BinaryOp(L(19), "-", L(2))
    )
    assert parse_expression("true or false and false") == BinaryOp(
        BinaryOp(L(True), "|", L(False)), "&", L(False)
    )
    assert parse_expression("a & b | c") == BinaryOp(BinaryOp(V("a"), "&", V("b")), "|", V("c"))
    assert parse_expression("1 < 2 < 3") == BinaryOp(BinaryOp(L(1), "<", L(2)), "<", L(3))
    assert parse_expression("(16 - 4) - 8") == BinaryOp(BinaryOp(L(16), "-", L(4)), "-", L(8))
    assert parse_expression("16 - 4 - 8") == BinaryOp(BinaryOp(L(16), "-", L(4)), "-", L(8))
    assert parse_expression("a + b * c - d / e % f") == BinaryOp(
        BinaryOp(V("a"), "+", BinaryOp(V("b"), "*", V("c"))),
        "-",
        BinaryOp(BinaryOp(V("d"), "/", V("e")), "%", V("f")),
    )
    assert parse_expression("a = b and c != d") == BinaryOp(
        BinaryOp(V("a"), "=", V("b")), "&", BinaryOp(V("c"), "!=", V("d"))
    )
    assert parse_expression("x AND y Or z") == BinaryOp(BinaryOp(V("x"), "&", V("y")), "|", V("z"))
    # and/or have no word boundary: `x order` is `x or der`.
    assert parse_expression("x order") == BinaryOp(V("x"), "|", V("der"))


def test_minus_and_identifiers() -> None:
    """§3.3 / quirk 9: `-` belongs to identifiers and to number literals only."""
    assert parse_expression("x-y") == V("x-y")
    assert parse_expression("x - y") == BinaryOp(V("x"), "-", V("y"))
    assert parse_expression("5-3") == BinaryOp(L(5), "-", L(3))
    assert parse_expression("1 + -2") == BinaryOp(L(1), "+", L(-2))
    assert parse_expression("1 - -2") == BinaryOp(L(1), "-", L(-2))
    assert parse_expression("time-played") == V("time-played")
    assert parse_expression("x_1-2") == V("x_1-2")


def test_negation() -> None:
    assert parse_expression("!true") == Negated(L(True))
    assert parse_expression("!!what") == Negated(Negated(V("what")))
    assert parse_expression("!a.b") == Negated(Index(V("a"), L("b")))
    assert parse_expression("!neat(0)") == Negated(FunctionCall(V("neat"), (L(0),)))
    assert parse_expression("true & !false") == BinaryOp(L(True), "&", Negated(L(False)))
    assert parse_expression("!x + 1") == BinaryOp(Negated(V("x")), "+", L(1))


def test_postfix_chains() -> None:
    assert parse_expression("a.b.c3") == Index(Index(V("a"), L("b")), L("c3"))
    assert parse_expression("a[0]") == Index(V("a"), L(0))
    assert parse_expression("hello[brain]") == Index(V("hello"), V("brain"))
    assert parse_expression('"hello"[0]') == Index(L("hello"), L(0))
    assert parse_expression("list().parts[0]") == Index(
        Index(FunctionCall(V("list"), ()), L("parts")), L(0)
    )
    assert parse_expression("f(1)(2)") == FunctionCall(FunctionCall(V("f"), (L(1),)), (L(2),))
    assert parse_expression("a[ b ]") == Index(V("a"), V("b"))
    assert parse_expression("f( 1 ,2 )") == FunctionCall(V("f"), (L(1), L(2)))
    assert parse_expression("row.where") == Index(V("row"), L("where"))
    assert parse_expression("1.x") == Index(L(1), L("x"))


def test_numbers() -> None:
    """§3.2: `-?[0-9]+(\\.[0-9]+)?`, JavaScript doubles (int when integral)."""
    assert parse_expression("123") == L(123)
    assert parse_expression("-123.18") == L(-123.18)
    assert parse_expression("1000.0") == L(1000)
    assert parse_expression("005") == L(5)
    zero = parse_expression("-0")
    assert isinstance(zero, Literal) and zero.value == 0 and str(zero.value) == "-0.0"
    big = parse_expression("12345678901234567890")
    assert (
        isinstance(big, Literal)
        and big.value == 12345678901234567890.0
        and isinstance(big.value, float)
    )
    assert L(1) != L(True) and L(0) != L(False)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('""', ""),
        ('"hello"', "hello"),
        ('"\\""', '"'),
        ('"\\\\"', "\\"),
        ('"\\\\\\""', '\\"'),
        ('"\\w+"', "\\w+"),
        ('"a\\nb"', "a\\nb"),
        ('"tab\\t"', "tab\\t"),
        ('"📷"', "📷"),
        ('"⚗️ KNOWLEDGE"', "⚗️ KNOWLEDGE"),
        ('"multi\nline"', "multi\nline"),
    ],
)
def test_string_escapes(text: str, value: str) -> None:
    """Quirk 36: only `\\"` and `\\\\` are escapes; other backslashes stay."""
    assert parse_expression(text) == L(value)


def test_booleans_and_null() -> None:
    assert parse_expression("true") == L(True)
    assert parse_expression("False") == L(False)
    assert parse_expression("TRUE") == V("TRUE")
    assert parse_expression("null") == L(None)
    assert parse_expression('"null"') == L("null")


def test_links() -> None:
    link = Link.infer
    assert parse_expression("[[test/Main]]") == L(link("test/Main", embed=False, display=None))
    assert parse_expression("[[test/Main|Yes]]") == L(link("test/Main", embed=False, display="Yes"))
    assert parse_expression("[[Hello \\| There]]") == L(
        link("Hello | There", embed=False, display=None)
    )
    assert parse_expression("[[\\||Yes]]") == L(link("|", embed=False, display="Yes"))
    assert parse_expression("[[a|b|c]]") == L(link("a", embed=False, display="b|c"))
    assert parse_expression("[[a|b\\|c]]") == L(link("a", embed=False, display="b\\|c"))
    assert parse_expression("[[test/Main#what|Yes]]") == L(
        link("test/Main#what", embed=False, display="Yes")
    )
    assert parse_expression("[[2020#^14df]]") == L(link("2020#^14df", embed=False, display=None))
    assert parse_expression("[[]]") == L(link("", embed=False, display=None))
    embed = parse_expression("![[hello]]")
    assert embed == L(link("hello", embed=True, display=None))
    assert isinstance(embed, Literal) and embed.source == "![[hello]]"
    assert parse_expression("!([[hello]])") == Negated(L(link("hello", embed=False, display=None)))


def test_dates_and_durations() -> None:
    d = parse_expression("date(2021-01-05)")
    assert (
        isinstance(d, Literal)
        and d.value == parse_date_text("2021-01-05")
        and d.source == "date(2021-01-05)"
    )
    d = parse_expression("date( 2021-08-15T12:40:50[Europe/Paris] )")
    assert isinstance(d, Literal) and d.value == parse_date_text(
        "2021-08-15T12:40:50[Europe/Paris]"
    )
    # Quirk 39: an hour of 25 still makes a date literal (values.py rolls it over).
    assert isinstance(parse_expression("date(2024-01-01T25:00)"), Literal)
    # Not date literals: function calls of `date` (quirk 39: errors only at run time).
    assert parse_expression("date(2024)") == FunctionCall(V("date"), (L(2024),))
    assert parse_expression("date(2024-13-01)") == FunctionCall(
        V("date"), (BinaryOp(BinaryOp(L(2024), "-", L(13)), "-", L(1)),)
    )
    assert parse_expression('date("today")') == FunctionCall(V("date"), (L("today"),))
    assert parse_expression("date(todayx)") == FunctionCall(V("date"), (V("todayx"),))
    assert parse_expression("date") == V("date")
    dur = parse_expression("dur(4 hours, 15 minutes)")
    assert isinstance(dur, Literal) and dur.value == parse_duration_text("4 hours, 15 minutes")
    assert parse_expression("today() + dur(4hr)") == BinaryOp(
        FunctionCall(V("today"), ()), "+", L(parse_duration_text("4hr"))
    )
    assert parse_expression("dur(null)") == FunctionCall(V("dur"), (L(None),))
    assert parse_expression('dur("1 day")') == FunctionCall(V("dur"), (L("1 day"),))


def test_date_shorthands_mark_the_query_time_dependent() -> None:
    """Quirk 14: `date(today)` is evaluated when parsing; the Query says so."""
    assert parse_query("LIST WHERE file.day = date(today)").time_dependent
    assert not parse_query('LIST WHERE file.day = date("today")').time_dependent
    lit = parse_expression("date(start-of-week)")
    assert isinstance(lit, Literal) and lit.source == "date(start-of-week)"


def test_lists_objects_lambdas() -> None:
    assert parse_expression("[ [] ]") == ListExpr((ListExpr(()),))
    assert parse_expression('[1, "a"]') == ListExpr((L(1), L("a")))
    assert parse_expression('{ "yes no": 1, b: [2] }') == ObjectExpr(
        (("yes no", L(1)), ("b", ListExpr((L(2),))))
    )
    assert parse_expression("{ from: 1 }") == ObjectExpr((("from", L(1)),))
    assert parse_expression("() => 16") == Lambda((), L(16))
    assert parse_expression("(yes, no) => yes - no") == Lambda(
        ("yes", "no"), BinaryOp(V("yes"), "-", V("no"))
    )
    assert parse_expression("( v ) =>v") == Lambda(("v",), V("v"))


def test_object_key_order_is_javascript_order() -> None:
    """Repeated keys keep the first position and the last value; array-index keys come first."""
    obj = parse_expression('{b: 1, "2": 2, a: 3, b: 4, "1": 5, "01": 6}')
    assert obj == ObjectExpr((("1", L(5)), ("2", L(2)), ("b", L(4)), ("a", L(3)), ("01", L(6))))


def test_emoji_and_unicode_identifiers() -> None:
    assert parse_expression("😊") == V("😊")
    assert parse_expression("📅-due") == V("📅-due")
    assert parse_expression("début") == V("début")
    assert parse_expression("日本語") == V("日本語")
    assert parse_expression("⚙️x") == V("⚙️x")


def test_identifier_with_leading_underscore_message() -> None:
    err = rejected("TABLE formulas._Var")
    assert err.position == len("TABLE formulas.")
    assert err.expected == ("variable identifier",)


# =============================================================================================
# Pathological input
# =============================================================================================


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "text",
    [
        "LIST " + "(" * 10_000,
        "LIST " + "(" * 10_000 + "x" + ")" * 10_000,
        "LIST " + "!" * 10_000 + "x",
        "LIST " + "[" * 10_000,
        "LIST " + "f(" * 10_000,
        "LIST " + "{a: " * 10_000,
        "LIST " + "(x) => " * 10_000 + "x",
        "LIST FROM " + "(" * 10_000 + "#a",
        "LIST FROM " + "-" * 10_000 + "#a",
        "LIST WHERE " + " + ".join(["x"] * 5_000),
        "LIST WHERE f(" + " and ".join(["x"] * 5_000) + ")",
        "LIST FROM " + " or ".join(["#a"] * 5_000),
    ],
    ids=lambda t: t[:20],
)
def test_deep_nesting_fails_cleanly(text: str) -> None:
    with pytest.raises(DQLNestingError) as info:
        parse_query(text)
    assert str(info.value).startswith(BANNER)
    assert "deeper than" in str(info.value)


def test_nesting_just_below_the_limits_parses() -> None:
    depth = P.MAX_NESTING - 2
    assert parse_expression("(" * depth + "x" + ")" * depth) == V("x")
    chain = parse_expression(" + ".join(["x"] * (P.MAX_AST_DEPTH - 1)))
    assert expr_depth(chain) == P.MAX_AST_DEPTH - 1


def test_nesting_limit_holds_with_a_deep_caller() -> None:
    """Even called from deep in the caller's stack, the parser never leaks RecursionError."""

    def nest(k: int) -> object:
        if k:
            return nest(k - 1)
        try:
            return parse_expression("{a: " * (P.MAX_NESTING - 2) + "1" + "}" * (P.MAX_NESTING - 2))
        except DQLNestingError as err:
            return err

    result = nest(sys.getrecursionlimit() - len(inspect.stack(0)) - 100)
    assert isinstance(result, ObjectExpr | DQLNestingError)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "text",
    [
        "LIST " + "[[a " * 20_000,
        'LIST "' + "a" * 200_000,
        "LIST " + '"a" ' * 20_000,
        "LIST WHERE " + "x" * 200_000,
        "LIST\n" + "// comment\n" * 20_000 + "WHERE x",
        "TABLE " + ", ".join(f"f{i}" for i in range(20_000)),
        "LIST " + "date(" * 20_000,
        "LIST " + "dur(1 h " * 20_000,
        "LIST FROM " + "outgoing(" * 20_000,
        "LIST SORT " + ", ".join(["x desc"] * 20_000),
    ],
    ids=lambda t: t[:20],
)
def test_long_inputs_do_not_blow_up(text: str) -> None:
    """Linear behaviour on long inputs (a quadratic parser would take minutes here)."""
    with contextlib.suppress(DQLSyntaxError):
        parse_query(text)


# =============================================================================================
# Rendering
# =============================================================================================


@pytest.mark.parametrize(
    "text",
    [
        "a + b * c",
        "(a + b) * c",
        "a - (b - c)",
        "!(a & b)",
        "!x.y",
        "(!x).y",
        "((x) => x)(1)",
        "f((x) => x * 2, [1, [2]])",
        '{ a: 1, "b c": [[x]], d: ![[y]] }',
        "[[[a]]]",
        "[ [1]]",
        "date((today))",
        "date(today) - dur(1 day)",
        'x["a b"].c[0]',
        "-1.5 * -2",
        '"q\\"uote\\\\"',
        "!([[a]])",
    ],
)
def test_to_dql_round_trips(text: str) -> None:
    expr = parse_expression(text)
    assert parse_expression(to_dql(expr)) == expr


def test_query_to_dql_round_trips() -> None:
    text = (
        'TABLE WITHOUT ID file.link AS "Note", rating\nFROM #books AND -"Archive"\n'
        "WHERE rating >= 3\nSORT rating DESC, file.name\nGROUP BY x AS y\nFLATTEN z\nLIMIT 5\nFROM #late"
    )
    q = parse_query(text)
    assert parse_query(to_dql(q)) == q


# =============================================================================================
# Corpora: every ```dataview block must parse or be rejected for a documented reason
# =============================================================================================

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
FENCE = re.compile(r"^(?P<prefix>(?:[ \t]*>)*[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")

# (corpus-relative path, 1-based line of the opening fence) -> why Dataview rejects it too.
EXPECTED_REJECTIONS = {
    (
        "dataview-deep-dive/Templates/DQL Codeblock.md",
        11,
    ): "empty block (§2.8: an empty block is rejected)",
    ("dataview-deep-dive/Templates Archive/Vorlage Formeln.md", 34): (
        "`formulas._Var`: identifiers cannot start with `_` (§2.8, §3.3)"
    ),
}


def dataview_blocks(text: str) -> Iterator[tuple[int, str]]:
    """Yield (line of the opening fence, body) for each ```dataview block, in callouts too."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence = m["fence"]
        info = m["info"].split()
        quote = m["prefix"].count(">")
        indent = len(m["prefix"]) if quote == 0 else 0
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            line = lines[j]
            if quote:
                q = re.match(rf"^(?:[ \t]*>){{{quote}}} ?", line)
                if q is None:
                    break
                line = line[q.end() :]
            else:
                line = re.sub(rf"^ {{0,{indent}}}", "", line)
            if closing.match(line):
                break
            body.append(line)
            j += 1
        if info and info[0] == "dataview":
            yield i + 1, "\n".join(body)
        i = j + 1


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["dataview-deep-dive", "dataview-test-vault"])
def test_corpus_blocks(name: str) -> None:
    root = CORPORA / name
    if not root.is_dir():
        pytest.skip(f"shared corpus {name!r} not found at {root}")
    accepted = 0
    rejections: dict[tuple[str, int], str] = {}
    for path in sorted(root.rglob("*.md")):
        rel = str(path.relative_to(CORPORA))
        for line, body in dataview_blocks(path.read_text(encoding="utf-8")):
            try:
                parse_query(body)
                accepted += 1
            except DQLSyntaxError as err:  # anything else propagates and fails the test
                rejections[(rel, line)] = str(err)
    for (rel, line), message in sorted(rejections.items()):
        print(f"rejected: {rel}:{line}\n{message}")
    expected = {key for key in EXPECTED_REJECTIONS if key[0].startswith(name + "/")}
    assert set(rejections) == expected, "rejections differ from the documented ones"
    assert accepted >= {"dataview-deep-dive": 200, "dataview-test-vault": 16}[name]
