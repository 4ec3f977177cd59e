"""Tags against obsidian.md §2.3, §5.1-5.2 and dataview.md §1.3-1.4."""

from __future__ import annotations

from typing import Any

import pytest
from gardend.daemon.tags import (
    _js_number,
    find_list_item_tags,
    find_obsidian_tags,
    is_valid_dataview_tag,
    normalize_frontmatter_aliases_obsidian,
    normalize_frontmatter_tags_obsidian,
    split_frontmatter_aliases_dataview,
    split_frontmatter_tags_dataview,
    tag_with_parents,
)
from hypothesis import given, settings
from hypothesis import strategies as st

# --- Obsidian inline tags (obsidian.md §5.1) ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#tag", [("#tag", 0)]),
        ("see #tag here", [("#tag", 4)]),
        ("a#b", []),
        ("(#x)", []),
        ('"#x"', []),
        ("[#x]", []),
        ("http://a/#x", []),
        ("#tag.", [("#tag", 0)]),
        ("#a,#b", [("#a", 0)]),
        ("#C++", [("#C", 0)]),
        ("#1984", []),
        ("#y1984", [("#y1984", 0)]),
        ("#1984a", [("#1984a", 0)]),
        ("#1984/x", [("#1984/x", 0)]),
        ("#-", [("#-", 0)]),
        ("#_", [("#_", 0)]),
        ("#inbox/to-read", [("#inbox/to-read", 0)]),
        ("#Project/Alpha", [("#Project/Alpha", 0)]),  # case kept
        ("#日本語 #ünï", [("#日本語", 0), ("#ünï", 5)]),
        ("#€ #© #→ #·", [("#€", 0), ("#©", 3), ("#→", 6), ("#·", 9)]),
        ("#🎉party", [("#🎉party", 0)]),
        ("#\U0001f468\u200d\U0001f469\u200d\U0001f467", [("#\U0001f468", 0)]),  # ZWJ ends the tag
        ("#a\u2014b", [("#a", 0)]),  # em dash (U+2014) is General Punctuation
        ("#a\u2e2eb", [("#a", 0)]),  # Supplemental Punctuation
        ("## Title #tag", [("#tag", 9)]),
        ("# Title", []),
        ("#", []),
        ("##", []),
        ("x\t#a\u00a0#b\u3000#c", [("#a", 2), ("#b", 5), ("#c", 8)]),  # JS whitespace
        ("#1984 #x", [("#x", 6)]),
        ("#\u0661\u0662", [("#\u0661\u0662", 0)]),  # Arabic-Indic digits are not ASCII \d
        ("no tags at all", []),
    ],
)
def test_obsidian_inline_tags(text: str, expected: list[tuple[str, int]]) -> None:
    assert find_obsidian_tags(text) == expected


@pytest.mark.parametrize("punct", list("'!\"#$%&()*+,.:;<=>?@^`{|}~[]\\"))
def test_obsidian_tag_ends_at_ascii_punctuation(punct: str) -> None:
    assert find_obsidian_tags(f"#ab{punct}cd") == [("#ab", 0)]


@settings(max_examples=500)
@given(
    st.text(max_size=200) | st.text(alphabet=st.sampled_from("#ab1/ -_.\t\u2014é🎉"), max_size=60)
)
def test_obsidian_tag_properties(text: str) -> None:
    last = -1
    for tag, offset in find_obsidian_tags(text):
        assert text[offset : offset + len(tag)] == tag
        assert tag.startswith("#") and len(tag) > 1
        assert not tag[1:].isascii() or not tag[1:].isdigit()
        assert offset == 0 or text[offset - 1].isspace() or text[offset - 1] == "\ufeff"
        assert offset > last
        last = offset


# --- Dataview list-item tags and validity (dataview.md §1.3) ---------------------------------


@pytest.mark.parametrize(
    ("tag", "valid"),
    [
        ("#tag", True),
        ("#1", True),  # all digits are fine for Dataview
        ("#a/b-c_d", True),
        ("#ünïcödé", True),
        ("#日本語", True),
        ("#🎉", True),
        ("#", True),  # "zero or more" characters
        ("#a.b", False),
        ("#a#b", False),
        ("#a b", False),
        ("#a\u2026", False),
        ("#a\u2e2e", False),
        ("#a@b", False),
        ("#a|b", False),
        ("#a\\b", False),
        ("tag", False),
    ],
)
def test_is_valid_dataview_tag(tag: str, valid: bool) -> None:
    assert is_valid_dataview_tag(tag) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("task #a and #b/c", ["#a", "#b/c"]),
        ("a#b", ["#b"]),  # no whitespace needed before '#'
        ("#1", ["#1"]),
        ("#tag.", ["#tag"]),
        ("#x, #y; #z: (#w) [#v] {#u}", ["#x", "#y", "#z", "#w", "#v", "#u"]),
        ("#a#b", []),  # candidate '#a#b' is not a valid tag as a whole
        ("#tag\u2026 #ok", ["#ok"]),  # '…' is inside the candidate but invalid
        ("#a@b #c", ["#c"]),
        ("#dup #Dup #dup", ["#dup", "#Dup"]),  # Set semantics, case kept
        ("no tags", []),
        ("#", []),
    ],
)
def test_list_item_tags(text: str, expected: list[str]) -> None:
    assert find_list_item_tags(text) == expected


@given(st.text(max_size=120))
def test_list_item_tags_are_valid_and_present(text: str) -> None:
    for tag in find_list_item_tags(text):
        assert tag in text and is_valid_dataview_tag(tag) and len(tag) > 1


# --- Nesting (dataview.md §1.3, obsidian.md §5.2) ---------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("#a/b/c", ["#a/b/c", "#a/b", "#a"]),
        ("#a", ["#a"]),
        ("#a/", ["#a"]),
        ("#a/b//", ["#a/b", "#a"]),
        ("#/a", ["#/a"]),
        ("#", []),
        ("", []),
    ],
)
def test_tag_with_parents(tag: str, expected: list[str]) -> None:
    assert tag_with_parents(tag) == expected


def test_tag_with_parents_dataview_mode_keeps_trailing_slash() -> None:
    assert tag_with_parents("#a/", strip_trailing_slash=False) == ["#a/", "#a"]


@given(st.text(alphabet=st.sampled_from("#ab/"), max_size=20))
def test_tag_with_parents_are_prefixes(tag: str) -> None:
    result = tag_with_parents(tag)
    for parent in result:
        assert tag.startswith(parent)
    assert len(set(result)) == len(result)
    assert [len(p) for p in result] == sorted((len(p) for p in result), reverse=True)


# --- Frontmatter, Dataview (dataview.md §1.3, §1.4) -------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a b, c", ["#a", "#b", "#c"]),
        (["x/y", 2020], ["#x/y", "#2020"]),
        (None, []),
        ("", []),
        ("#a", ["#a"]),
        (["a, b", ["c d", [None, "e"]]], ["#a", "#b", "#c", "#d", "#e"]),
        (["", 0, False, None, "x"], ["#x"]),  # falsy array items skipped
        (0, ["#0"]),  # ... but not a falsy scalar at top level
        (True, ["#true"]),
        (1.0, ["#1"]),  # JS number formatting
        (1.5, ["#1.5"]),
        ("  a\u00a0\u3000b ", ["#a", "#b"]),
        ({"k": "v"}, ["#[object", "#Object]"]),  # JS stringification of an object
    ],
)
def test_split_frontmatter_tags_dataview(value: Any, expected: list[str]) -> None:
    assert split_frontmatter_tags_dataview(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a, b", ["a", "b"]),
        ("Just One Name", ["Just One Name"]),
        (["a, b", " c "], ["a, b", "c"]),  # array elements are not split
        ([1, None, ""], ["1", "null", ""]),  # stringified, not filtered
        (None, []),
        ("", []),
        (0, []),
        (False, []),
        (12, ["12"]),
        (" , x ,, ", ["x"]),
    ],
)
def test_split_frontmatter_aliases_dataview(value: Any, expected: list[str]) -> None:
    assert split_frontmatter_aliases_dataview(value) == expected


# --- Frontmatter, Obsidian (obsidian.md §2.3, §5.4) -------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["a", "#b"], ["#a", "#b"]),
        (["journal", "personal"], ["#journal", "#personal"]),
        (["a/b"], ["#a/b"]),
        ("a b", []),
        ("a, b", []),
        ("single", ["#single"]),
        ("  padded  ", ["#padded"]),
        (1984, []),
        (["1984"], ["#1984"]),  # not validated against inline rules
        ([1984, True, None, ["x"], {"k": 1}, "ok"], ["#ok"]),
        (["", "  ", "two words", "x"], ["#x"]),
        (None, []),
        ({"a": "b"}, []),
    ],
)
def test_normalize_frontmatter_tags_obsidian(value: Any, expected: list[str]) -> None:
    assert normalize_frontmatter_tags_obsidian(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["Alpha Name", " b ", 3, None], ["Alpha Name", "b"]),
        ("One, Two", ["One, Two"]),
        ("#notatag", ["#notatag"]),
        (None, []),
        (42, []),
    ],
)
def test_normalize_frontmatter_aliases_obsidian(value: Any, expected: list[str]) -> None:
    assert normalize_frontmatter_aliases_obsidian(value) == expected


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1.0, "1"),
        (-0.0, "0"),
        (0.5, "0.5"),
        (1e21, "1e+21"),
        (1.2345678901234568e20, "123456789012345680000"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (-2.5, "-2.5"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_js_number(number: float, text: str) -> None:
    assert _js_number(number) == text


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=10,
    )
)
def test_frontmatter_helpers_never_raise(value: Any) -> None:
    for fn in (
        split_frontmatter_tags_dataview,
        split_frontmatter_aliases_dataview,
        normalize_frontmatter_tags_obsidian,
        normalize_frontmatter_aliases_obsidian,
    ):
        result = fn(value)
        assert isinstance(result, list) and all(isinstance(x, str) for x in result)
    for tag in split_frontmatter_tags_dataview(value) + normalize_frontmatter_tags_obsidian(value):
        assert tag.startswith("#")
