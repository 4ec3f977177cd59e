"""Inline-field extraction against dataview.md §1.5, §1.7 and §7 quirks 1-3, 7."""

from __future__ import annotations

import pytest
from gardend.daemon.inline_fields import (
    _ASCII_FULL_LINE_KEY,
    JS_WHITESPACE,
    InlineField,
    _scan_full_line_key,
    extract_bracket_fields,
    extract_full_line_field,
    extract_line_fields,
    extract_list_item_fields,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def kv(fields: list[InlineField]) -> list[tuple[str, str]]:
    return [(f.key, f.value) for f in fields]


# --- §1.5 full-line table (every verified row) -------------------------------------------------


@pytest.mark.parametrize(
    ("line", "key", "value"),
    [
        ("Key:: value", "Key", "value"),
        ("**Key**:: value", "Key", "value"),
        ("`Key`:: v", "Key", "v"),
        ("~~Key~~:: v", "Key", "v"),
        ("_Key_:: v", "_Key_", "v"),
        ("__Key__:: v", "__Key__", "v"),
        ("> Key:: v", "Key", "v"),
        ("#tag:: v", "tag", "v"),
        ("My Key/Sub:: v", "My Key/Sub", "v"),
        ("Key :: v", "Key", "v"),
        ("a:: b:: c", "a", "b:: c"),
        ("key::", "key", ""),
        ("🎉:: v", "", "v"),  # quirk 7: the leading emoji is swallowed
    ],
)
def test_full_line_table(line: str, key: str, value: str) -> None:
    field = extract_full_line_field(line)
    assert field is not None
    assert (field.key, field.value, field.wrapper) == (key, value, "full")
    assert (field.start, field.end) == (0, len(line))
    # The same line as a page line gives the same single field.
    assert kv(extract_line_fields(line)) == [(key, value)]


@pytest.mark.parametrize("line", ["Key.x:: v", "Key (x):: v", "https://x.com::y"])
def test_full_line_not_a_field(line: str) -> None:
    assert extract_full_line_field(line) is None
    assert extract_line_fields(line) == []


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("Due Date:: 2021-01-01", "Due Date"),
        ("Ünïcödé Key:: v", "Ünïcödé Key"),
        ("日本語 キー:: v", "日本語 キー"),
        ("🎉 Party:: v", "Party"),  # leading emoji + space are one leading non-word run
        ("Party 🎉:: v", "Party 🎉"),  # an emoji after a word is part of the key
        ("Key_1:: v", "Key_1"),
        ("a-b:: v", "a-b"),
        ("- Key:: v", "Key"),
        ("** Key **:: v", "Key "),  # key body keeps its inner trailing space, as in Dataview
        ("::v", ""),
        ("**:: v", ""),
        ("Key\u00a0:: v", "Key"),  # NBSP is JS whitespace: trimmed
    ],
)
def test_full_line_more_keys(line: str, key: str) -> None:
    field = extract_full_line_field(line)
    assert field is not None and field.key == key


@pytest.mark.parametrize(
    "line", ["Key#x:: v", "a.b:: v", "Key:x:: v", "e\u0301x:: v", "K\u00e9y!:: v"]
)
def test_full_line_rejected_keys(line: str) -> None:
    assert extract_full_line_field(line) is None


def test_full_line_offsets_ignore_surrounding_whitespace() -> None:
    line = "   Key:: value  "
    field = extract_full_line_field(line)
    assert field is not None
    assert (field.start, field.end) == (3, 14)
    assert line[field.start : field.end] == "Key:: value"
    assert extract_line_fields(line) == [field]


def test_full_line_requires_separator() -> None:
    assert extract_full_line_field("Key: value") is None


# --- §1.5 bracketed / parenthesised fields ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("text (key:: v (nested) more) end", [("key", "v (nested) more")]),
        ("[[Link]] text (key:: v)", [("key", "v")]),
        ("[key:: [[Note]]]", [("key", "[[Note]]")]),
        ("x [a::b\\]c] y", [("a", "b\\]c")]),
        ("[ key with space :: value ]", [("key with space", "value")]),
        ("[:: v]", [("", "v")]),
        ("[a:: 1][b:: 2]", [("a", "1")]),  # quirk 2
        ("[a:: 1] [b:: 2]", [("a", "1"), ("b", "2")]),
        ("(a:: 1) [b:: 2] (c:: 3)", [("a", "1"), ("b", "2"), ("c", "3")]),
        ("[a:: (b:: c)]", [("a", "(b:: c)")]),  # nested field overlaps: dropped
        ("[a:: 1", []),  # no closing wrapper
        ("[a [b:: 1]", [("b", "1")]),  # '[' in the key: that candidate fails, the next succeeds
        ("[a:: x \\\\] y", [("a", "x \\\\")]),  # double backslash: the ']' is not escaped
        ("[a:: \\[x] y]", [("a", "\\[x")]),  # escaped '[' is not counted for nesting
        ("[a:: [x] y", []),
        ("(a:: 1)(b:: 2)", [("a", "1")]),
        ("[a:: 1](b:: 2)", [("a", "1")]),
        ("[key::]", [("key", "")]),
        ("[k:: a:: b]", [("k", "a:: b")]),
    ],
)
def test_bracket_examples(text: str, expected: list[tuple[str, str]]) -> None:
    assert kv(extract_bracket_fields(text)) == expected


def test_bracket_offsets_and_wrappers() -> None:
    text = "x [a:: 1] (b:: 2)"
    fields = extract_bracket_fields(text)
    assert [(f.start, f.end, f.wrapper) for f in fields] == [(2, 9, "bracket"), (10, 17, "paren")]
    assert text[2:9] == "[a:: 1]" and text[10:17] == "(b:: 2)"


def test_line_with_bracket_field_ignores_full_line_form() -> None:  # quirk 3
    assert kv(extract_line_fields("Key:: v [a:: 1]")) == [("a", "1")]


def test_code_and_comment_lines_are_scanned() -> None:  # quirk 1: the caller passes them all
    assert kv(extract_line_fields("`[a:: 1]` in inline code")) == [("a", "1")]
    assert kv(extract_line_fields("%% Key:: v %%")) == [("Key", "v %%")]
    assert kv(extract_line_fields("`Key:: v`")) == [("Key", "v`")]


def test_line_fields_offsets_are_in_the_given_line() -> None:
    line = "  > text [a:: 1]  "
    (field,) = extract_line_fields(line)
    assert line[field.start : field.end] == "[a:: 1]"


def test_long_lines_are_skipped() -> None:
    field = "[a:: 1] "
    assert extract_line_fields(field + "x" * (32768 - len(field))) != []
    assert extract_line_fields(field + "x" * (32769 - len(field))) == []
    # UTF-16 length counts astral characters twice (JS String.length).
    assert extract_line_fields(field + "😀" * 16381) == []
    assert extract_line_fields(field + "😀" * 16380) != []


def test_lines_without_separator() -> None:
    assert extract_line_fields("plain text [a] (b) #tag") == []
    assert extract_bracket_fields("[a: b]") == []


# --- §1.7 list items and emoji shorthand ------------------------------------------------------

D = "2021-01-01"


@pytest.mark.parametrize(
    ("emoji", "key"),
    [
        ("\u2795", "created"),
        ("\U0001f6eb", "start"),
        ("\u23f3", "scheduled"),
        ("\u231b", "scheduled"),
        ("\U0001f4c5", "due"),
        ("\U0001f4c6", "due"),
        ("\U0001f5d3", "due"),
        ("\U0001f5d3\ufe0f", "due"),
        ("\u2705", "completion"),
    ],
)
@pytest.mark.parametrize("is_task", [True, False])
def test_emoji_table(emoji: str, key: str, is_task: bool) -> None:
    for sep in ("", " ", "  "):
        text = f"do it {emoji}{sep}{D} later"
        (field,) = extract_list_item_fields(text, is_task)
        assert (field.key, field.value, field.wrapper) == (key, D, "emoji")
        assert text[field.start : field.end].endswith(D)


def test_emoji_fields_all_at_once_in_source_order() -> None:
    text = f"x \u2705 {D} \U0001f4c5 2021-02-02 \u2795 2021-03-03 \u23f3 2021-04-04 \U0001f6eb 2021-05-05"
    fields = extract_list_item_fields(text, True)
    assert kv(fields) == [
        ("completion", D),
        ("due", "2021-02-02"),
        ("created", "2021-03-03"),
        ("scheduled", "2021-04-04"),
        ("start", "2021-05-05"),
    ]


def test_emoji_first_match_only() -> None:
    assert kv(extract_list_item_fields(f"\U0001f4c5 {D} \U0001f4c5 2022-02-02", True)) == [
        ("due", D)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "\U0001f4c5 2021-1-01",
        "\U0001f4c5 tomorrow",
        "\U0001f4c5 \u0662\u0660\u0662\u0661-01-01",  # non-ASCII digits: JS \d is ASCII only
        "2021-01-01 \U0001f4c5",
    ],
)
def test_emoji_needs_a_date_after_it(text: str) -> None:
    assert extract_list_item_fields(text, True) == []


def test_bare_variation_selector_counts_as_due() -> None:
    # Dataview's due class contains U+FE0F on its own, so any emoji + FE0F before a date is "due".
    (field,) = extract_list_item_fields(f"love \u2764\ufe0f {D}", True)
    assert (field.key, field.value) == ("due", D)
    (field,) = extract_list_item_fields(f"\U0001f5d3\ufe0f {D}", True)
    assert field.start == 1  # the match starts at the selector, as in JS


def test_meeting_example() -> None:
    # §1.7: "- meeting 📅 2021-01-01 does create page field due" (the caller propagates).
    assert kv(extract_list_item_fields(f"meeting \U0001f4c5 {D}", False)) == [("due", D)]


def test_emoji_and_bracket_same_key_both_count() -> None:
    text = f"[due:: 2020-01-01] \U0001f4c5 {D}"
    assert kv(extract_list_item_fields(text, True)) == [("due", "2020-01-01"), ("due", D)]


def test_emoji_inside_bracket_field_overlaps() -> None:
    text = f"[when:: \U0001f4c5 {D}]"
    assert kv(extract_list_item_fields(text, True)) == [("when", f"\U0001f4c5 {D}")]


def test_emoji_touching_a_bracket_field_follows_the_overlap_rule() -> None:
    # Starts exactly at the previous field's end: dropped (same rule as quirk 2).
    assert kv(extract_list_item_fields(f"[a:: 1]\U0001f4c5 {D}", True)) == [("a", "1")]
    assert len(extract_list_item_fields(f"[a:: 1] \U0001f4c5 {D}", True)) == 2
    # 🗓️ matches from its U+FE0F, one character later, so it survives.
    assert len(extract_list_item_fields(f"[a:: 1]\U0001f5d3\ufe0f {D}", True)) == 2


@pytest.mark.parametrize(
    ("text", "is_task", "expected"),
    [
        ("Key:: value", False, [("Key", "value")]),
        ("Key:: value", True, []),  # tasks never get the full-line form
        ("Key:: v [a:: 1]", False, [("a", "1")]),
        (f"Key:: v \U0001f4c5 {D}", False, [("due", D)]),  # an emoji field is "another field"
        ("**Status**:: done", False, [("Status", "done")]),
        ("task [due:: 2021-01-01] more", True, [("due", "2021-01-01")]),
        ("plain item", False, []),
        ("", False, []),
    ],
)
def test_list_item_rules(text: str, is_task: bool, expected: list[tuple[str, str]]) -> None:
    assert kv(extract_list_item_fields(text, is_task)) == expected


def test_list_item_lines_are_joined_with_a_space() -> None:
    text = "first [a:: 1\nstill a] second\nKey:: x"
    (field,) = extract_list_item_fields(text, False)
    assert (field.key, field.value) == ("a", "1 still a")
    assert text[field.start : field.end] == "[a:: 1\nstill a]"
    # Full-line form on a multi-line item: the value runs to the end of the joined text.
    (field,) = extract_list_item_fields("Key:: one\ntwo", False)
    assert (field.key, field.value) == ("Key", "one two")


def test_list_items_have_no_length_limit() -> None:
    assert extract_list_item_fields("[a:: 1] " + "x" * 40000, True) != []


# --- naive oracle: Dataview's scan transcribed from the reference text ------------------------


def _oracle_closing(text: str, start: int, open_: str, close: str) -> int:
    nesting = 0
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if char == "\\":
            escaped = not escaped
            continue
        if escaped:
            escaped = False
            continue
        if char == open_:
            nesting += 1
        elif char == close:
            nesting -= 1
        if nesting < 0:
            return index
    return -1


def _oracle(text: str) -> list[tuple[str, str, int, int]]:
    found: list[tuple[str, str, int, int]] = []
    for open_, close in (("[", "]"), ("(", ")")):
        pos = text.find(open_)
        while pos >= 0:
            sep = text.find("::", pos + 1)
            ok = False
            if sep >= 0:
                key = text[pos + 1 : sep].strip(JS_WHITESPACE)
                if not any(c in key for c in "[]()"):
                    close_at = _oracle_closing(text, sep + 2, open_, close)
                    if close_at >= 0:
                        value = text[sep + 2 : close_at].strip(JS_WHITESPACE)
                        found.append((key, value, pos, close_at + 1))
                        pos = text.find(open_, close_at + 1)
                        ok = True
            if not ok:
                pos = text.find(open_, pos + 1)
    found.sort(key=lambda f: f[2])
    kept: list[tuple[str, str, int, int]] = []
    for f in found:
        if not kept or f[2] > kept[-1][3]:
            kept.append(f)
    return kept


_field_text = st.text(alphabet=st.sampled_from("[]()\\:: ab#*_`~\t\u00a0é🎉📅2021-0"), max_size=60)


@settings(max_examples=600)
@given(_field_text)
def test_bracket_fields_match_the_naive_scan(text: str) -> None:
    got = [(f.key, f.value, f.start, f.end) for f in extract_bracket_fields(text)]
    assert got == _oracle(text)


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=40))
def test_ascii_key_fast_path_matches_scanner(raw: str) -> None:
    fast = _ASCII_FULL_LINE_KEY.match(raw)
    assert (None if fast is None else fast.group(1)) == _scan_full_line_key(raw)


# --- properties ---------------------------------------------------------------------------------


_any_text = st.text(max_size=200) | _field_text


def _check_fields(text: str, fields: list[InlineField]) -> None:
    last_end = -1
    for f in fields:
        assert 0 <= f.start < f.end <= len(text)
        assert f.start > last_end
        last_end = f.end
        assert f.wrapper in {"full", "bracket", "paren", "emoji"}
        if f.wrapper == "emoji":
            assert text[f.start : f.end].endswith(f.value)
        else:
            span = text[f.start : f.end]
            assert f.key in span and "::" in span
        if f.wrapper == "bracket":
            assert text[f.start] == "[" and text[f.end - 1] == "]"
        if f.wrapper == "paren":
            assert text[f.start] == "(" and text[f.end - 1] == ")"


@settings(max_examples=400)
@given(_any_text)
def test_line_fields_properties(text: str) -> None:
    _check_fields(text, extract_line_fields(text))
    _check_fields(text, extract_bracket_fields(text))
    full = extract_full_line_field(text)
    if full is not None:
        _check_fields(text, [full])


@settings(max_examples=400)
@given(_any_text, st.booleans())
def test_list_item_fields_properties(text: str, is_task: bool) -> None:
    _check_fields(text, extract_list_item_fields(text, is_task))


def test_adversarial_line_is_not_quadratic() -> None:
    import time

    # Every '(' has a valid key but no closer: Dataview rescans the rest of the line each time.
    line = "x (a:: " * 4000 + "[b:: " * 500
    t0 = time.perf_counter()
    assert extract_line_fields(line) == []
    assert extract_list_item_fields(line * 3, False) == []
    assert time.perf_counter() - t0 < 1.0
