"""Frontmatter recognition and YAML typing as Obsidian does them (obsidian.md §2.1, §2.2)."""

from __future__ import annotations

import pytest
from gardend.daemon.frontmatter import find_frontmatter, parse_yaml
from hypothesis import given
from hypothesis import strategies as st


def props(text: str) -> dict | None:
    block = find_frontmatter(text)
    assert block is not None
    return parse_yaml(block.yaml_text).data


@pytest.mark.parametrize(
    ("yaml_value", "expected"),
    [
        ("true", True),
        ("false", False),
        ("True", True),
        ("yes", "yes"),  # YAML 1.1 words are strings
        ("on", "on"),
        ("no", "no"),
        ("12:30", "12:30"),  # not sexagesimal 750
        ("2024-01-01", "2024-01-01"),  # dates stay strings
        ("2020-08-21T10:30:00", "2020-08-21T10:30:00"),
        ("12", 12),
        ("-3.5", -3.5),
        ("007", 7),
        ("0x1F", 31),
        ("1e3", 1000.0),
        ("", None),
        ("~", None),
        ("null", None),
        ('"[[Note]]"', "[[Note]]"),
        ("[[Note]]", [["Note"]]),  # unquoted: a nested list (Obsidian behaviour of YAML)
        ("[a, b]", ["a", "b"]),
        ("{b: 1}", {"b": 1}),
    ],
)
def test_scalar_typing(yaml_value: str, expected: object) -> None:
    assert props(f"---\nkey: {yaml_value}\n---\nbody\n") == {"key": expected}


def test_key_order_is_kept() -> None:
    assert list(props("---\nz: 1\na: 2\nm: 3\n---\n") or {}) == ["z", "a", "m"]


def test_json_frontmatter() -> None:
    text = '---\n{"dg-publish":true,"permalink":"/x/","tags":["insight"]}\n---\n\n# Body'
    assert props(text) == {"dg-publish": True, "permalink": "/x/", "tags": ["insight"]}


@pytest.mark.parametrize(
    "text",
    [
        "--- \na: 1\n---\n",  # trailing space on the opener
        "\n---\na: 1\n---\n",  # leading blank line
        "---\na: 1\n...\n",  # ... does not close
        "---\na: 1\n",  # never closed
        "---\na: 1\n----\n",  # ---- is not ---
        "# Title\n---\na: 1\n---\n",
    ],
)
def test_not_frontmatter(text: str) -> None:
    assert find_frontmatter(text) is None


def test_empty_block_and_crlf() -> None:
    assert props("---\n---\nbody") == {}
    block = find_frontmatter("---\r\na: 1\r\n---\r\nbody")
    assert block is not None and block.end_line == 2
    assert parse_yaml(block.yaml_text).data == {"a": 1}


def test_broken_yaml_reports_note_line() -> None:
    text = "---\ntitle: ok\ntags: [a, b\nother: 1\n---\nbody"
    block = find_frontmatter(text)
    assert block is not None
    result = parse_yaml(block.yaml_text)
    assert result.data is None
    assert result.error and "invalid YAML" in result.error
    assert result.error_line is not None and 3 <= result.error_line <= 5


def test_tabs_are_invalid() -> None:
    result = parse_yaml("a:\n\t- x\n")
    assert result.data is None and result.error


def test_non_mapping_is_not_properties() -> None:
    result = parse_yaml("- a\n- b\n")
    assert result.data is None and result.error and "not a mapping" in result.error


def test_duplicate_keys_keep_last_and_warn() -> None:
    result = parse_yaml("a: 1\nb: 2\na: 3\n")
    assert result.data == {"a": 3, "b": 2}
    assert result.warnings and result.warnings[0][0] == 4


def test_non_string_keys_become_text() -> None:
    assert parse_yaml("1: x\ntrue: y\n").data == {"1": "x", "true": "y"}


yaml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


@given(yaml_text)
def test_parse_yaml_never_raises(text: str) -> None:
    result = parse_yaml(text)
    assert (result.data is None) == (result.error is not None)


@given(st.text(max_size=300))
def test_find_frontmatter_never_raises_and_is_consistent(text: str) -> None:
    block = find_frontmatter(text)
    if block is not None:
        assert text.startswith("---")
        assert 0 < block.body_offset <= len(text)


scalars = st.one_of(
    st.booleans(), st.integers(-10**6, 10**6), st.text(alphabet="abc xyz:-#", max_size=10), st.none()
)


@given(st.dictionaries(st.from_regex(r"[a-z][a-z_-]{0,8}", fullmatch=True), scalars, max_size=6))
def test_round_trip_of_simple_properties(data: dict) -> None:
    import json

    text = "---\n" + json.dumps(data) + "\n---\n"
    assert props(text) == data
