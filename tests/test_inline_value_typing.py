"""Typing of inline field values (§1.6), frontmatter values (§1.4) and canonical keys (§1.5)."""

from __future__ import annotations

import datetime as pydt
import time
from collections.abc import Iterator

import pytest
from gardend.daemon.values import (
    Duration,
    DVDate,
    FixedOffsetZone,
    IANAZone,
    Link,
    canonical_key,
    parse_inline_value,
    to_string,
    type_frontmatter_value,
    type_name,
    use_local_zone,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(autouse=True)
def _utc_local() -> Iterator[None]:
    """Tests must not depend on the machine's zone: UTC unless a test asks for another."""
    with use_local_zone("UTC"):
        yield


@pytest.fixture(params=["UTC", "America/New_York"])
def local_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a test under a zone without DST and under one with DST."""
    with use_local_zone(request.param):
        yield request.param


def _date(v: object) -> DVDate:
    assert isinstance(v, DVDate), v
    return v


# ---- the verified table of §1.6 ------------------------------------------------------------------

STRING_AS_WRITTEN = [
    "12abc", "1 2", "a, b", "3 days ago", "0.1+0.2", "[[A]] extra", "2021-01-01T10:30+02:00",
    "today", "now", "TRUE", "FALSE", "1e3", ".5", "+5", "2021-13-01", "2021-01-01 10:30",
    "1, 2,", "True story", "nullable", "#tag extra", "2024-W11",
]


@pytest.mark.parametrize("text", STRING_AS_WRITTEN)
def test_values_that_stay_strings(text: str) -> None:
    # §1.6 table, §7.4, §7.29: anything that is not entirely atoms stays the raw string.
    assert parse_inline_value(text) == text


def test_plain_year_is_a_number() -> None:
    assert parse_inline_value("2024") == 2024


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("-3.5", -3.5),
        ("20210101", 20210101),
        ("005", 5),
        ("0", 0),
        ("1,000", [1, 0]),
        ("1,000,000", [1, 0, 0]),
        ('"a", "b"', ["a", "b"]),
        ("#tag, #b", ["#tag", "#b"]),
        ('true, 1, "x"', [True, 1, "x"]),
        ("true", True),
        ("false", False),
        ("True", True),
        ("False", False),
        ("null", "null"),
        ('"quoted"', "quoted"),
        ("#tag", "#tag"),
        ("#a/b-c_d", "#a/b-c_d"),
        ("#", "#"),
        ("1,", [1]),
        ("1 ,2", [1, 2]),
        ("1 , 2", [1, 2]),
        ('"a\\"b"', 'a"b'),
        ('"a\\\\b"', "a\\b"),
        ('"a\\nb"', "a\\nb"),
        ('"a\\tb"', "a\\tb"),
    ],
)
def test_atoms_and_lists(text: str, expected: object) -> None:
    result = parse_inline_value(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("text", ["", " ", "   ", "\t"])
def test_empty_is_null(text: str) -> None:
    assert parse_inline_value(text) is None


def test_numbers_keep_int_type() -> None:
    assert isinstance(parse_inline_value("12"), int)
    assert isinstance(parse_inline_value("12.0"), int)  # JS prints 12
    assert isinstance(parse_inline_value("12.5"), float)


def test_links_and_embeds() -> None:
    assert parse_inline_value("[[A]], [[B|b]]") == [Link.file("A"), Link.file("B", display="b")]
    assert parse_inline_value("[[Note]]") == Link.file("Note")
    assert parse_inline_value("![[img.png]]") == Link.file("img.png", embed=True)
    assert parse_inline_value("[[Note#Head ing!]]") == Link.header("Note", "Head ing")
    assert parse_inline_value("[[Note#^abc]]") == Link.block("Note", "abc")
    assert parse_inline_value("[[Folder/Note|Shown]]") == Link.file("Folder/Note", display="Shown")
    # An escaped pipe is not a separator; it becomes a plain pipe in the path.
    assert parse_inline_value("[[A\\|B]]") == Link.file("A|B")
    assert parse_inline_value("[[A\\|B|C\\|D]]") == Link.file("A|B", display="C\\|D")
    assert parse_inline_value("[[]]") == Link.file("")
    assert parse_inline_value("[[a]b]]") == "[[a]b]]"


def test_dates(local_tz: str) -> None:
    d = _date(parse_inline_value("2021-01-05"))
    assert (d.year, d.month, d.day, d.hour) == (2021, 1, 5, 0)
    assert d.zone.key == "local"
    lst = parse_inline_value("2021-01-01, 2021-02-01")
    assert isinstance(lst, list)
    assert [_date(x).month for x in lst] == [1, 2]


def test_date_with_offset_keeps_wall_clock() -> None:
    d = _date(parse_inline_value("2021-01-01T10:30:00+02:00"))
    assert d.zone == FixedOffsetZone(120)
    assert d.zone.name == "UTC+2"
    assert (d.hour, d.minute) == (10, 30)
    assert d.to_iso() == "2021-01-01T10:30:00.000+02:00"


def test_date_with_iana_zone() -> None:
    d = _date(parse_inline_value("2021-01-01T10:00:00[Europe/Paris]"))
    assert d.zone == IANAZone.create("Europe/Paris")
    assert d.to_iso() == "2021-01-01T10:00:00.000+01:00"
    # `_` is not in the zone character class, so such zones cannot be written.
    assert parse_inline_value("2021-01-01T10:00:00[America/New_York]") == (
        "2021-01-01T10:00:00[America/New_York]"
    )
    assert parse_inline_value("2021-01-01T10:00:00[Not/AZone]") == "2021-01-01T10:00:00[Not/AZone]"


def test_date_rollover() -> None:
    assert _date(parse_inline_value("2021-02-30")).to_iso() == "2021-03-02T00:00:00.000+00:00"
    assert _date(parse_inline_value("2021-01-01T25:00")).to_iso() == "2021-01-02T01:00:00.000+00:00"


@pytest.mark.parametrize(
    ("text", "human"),
    [
        ("5m", "5 minutes"),
        ("1 mo", "1 month"),
        ("1h 30m", "1 hour, 30 minutes"),
        ("1h, 30m", "1 hour, 30 minutes"),
        ("1h30m", "1 hour, 30 minutes"),
        ("1.5 hours", "1 hour, 30 minutes"),
        ("2 weeks", "2 weeks"),
        ("90 minutes", "1 hour, 30 minutes"),
        ("45 days", "1 month, 2 weeks, 3 days"),  # casual matrix: a month is 4 weeks here
    ],
)
def test_durations_are_normalised(text: str, human: str) -> None:
    d = parse_inline_value(text)
    assert isinstance(d, Duration)
    assert to_string(d) == human
    # normalised form: shiftToAll().normalize() keeps all eight units
    assert set(d.values) == {"years", "months", "weeks", "days", "hours", "minutes", "seconds",
                             "milliseconds"}


def test_duration_then_number_list() -> None:
    assert parse_inline_value("5 min, 3") == [Duration(minutes=5).normalized(), 3]


def test_value_is_not_trimmed() -> None:
    # The extractor trims; parse_inline_value itself does not (leading space -> string).
    assert parse_inline_value(" 12") == " 12"
    assert parse_inline_value("12 ") == "12 "


# ---- property tests ------------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_parse_inline_value_never_raises(text: str) -> None:
    result = parse_inline_value(text)
    if isinstance(result, str):
        # a string result is either the input itself, a quoted string, a tag, or "null"
        assert result == text or text.startswith(('"', "#", "null"))
    assert type_name(result) in {"null", "string", "number", "boolean", "date", "duration", "link",
                                 "array"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-:T.,+Z[] hmsdwyo\"#!tfnul", max_size=30))
def test_parse_inline_value_never_raises_on_literal_like_text(text: str) -> None:
    parse_inline_value(text)


def test_plain_strings_are_fast() -> None:
    samples = ["done", "In progress", "Tolkien", "the quick brown fox", "true story", "#x y"]
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        for s in samples:
            parse_inline_value(s)
    per_call = (time.perf_counter() - start) / (n * len(samples))
    assert per_call < 20e-6


# ---- frontmatter (§1.4) --------------------------------------------------------------------------


def test_frontmatter_scalars() -> None:
    assert type_frontmatter_value(None) is None
    assert type_frontmatter_value(True) is True
    assert type_frontmatter_value(3) == 3
    assert type_frontmatter_value(2.5) == 2.5
    assert type_frontmatter_value("12") == "12"  # strings are never numbers here
    assert type_frontmatter_value("true") == "true"
    assert type_frontmatter_value("hello") == "hello"
    assert type_frontmatter_value(object()) is None


def test_frontmatter_strings_to_values(local_tz: str) -> None:
    d = _date(type_frontmatter_value("2021-01-01"))
    assert (d.year, d.month, d.day) == (2021, 1, 1)
    assert d.zone.key == "local"
    assert type_frontmatter_value("3d") == Duration(days=3)
    assert type_frontmatter_value("5 min") == Duration(minutes=5)
    assert type_frontmatter_value("1h 30m") == Duration(hours=1, minutes=30)
    assert type_frontmatter_value("[[Note]]") == Link.file("Note")
    assert type_frontmatter_value("![[img.png]]") == Link.file("img.png", embed=True)
    assert type_frontmatter_value("[[Note]] and more") == "[[Note]] and more"
    assert type_frontmatter_value("a, b") == "a, b"  # comma strings are not split
    assert type_frontmatter_value("today") == "today"  # no shorthands


def test_frontmatter_durations_normalisation_flag() -> None:
    assert type_frontmatter_value("90 minutes") == Duration(minutes=90)
    assert type_frontmatter_value("90 minutes", normalize_durations=True) == Duration(
        hours=1, minutes=30
    )


def test_frontmatter_containers() -> None:
    # An unquoted [[Note]] in YAML is a nested list.
    assert type_frontmatter_value([["Note"]]) == [["Note"]]
    obj = type_frontmatter_value({"Due Date": "2021-01-01", "b": 1, 2: "x", "1": None})
    assert isinstance(obj, dict)
    assert list(obj) == ["1", "2", "Due Date", "b"]  # JS object key order, keys not canonicalised
    assert isinstance(obj["Due Date"], DVDate)


def test_frontmatter_yaml_timestamps() -> None:
    d = _date(type_frontmatter_value(pydt.date(2021, 1, 2)))
    assert d.to_iso() == "2021-01-02T00:00:00.000+00:00"
    aware = pydt.datetime(2021, 1, 2, 10, 0, tzinfo=pydt.timezone(pydt.timedelta(hours=2)))
    assert _date(type_frontmatter_value(aware)).to_iso() == "2021-01-02T10:00:00.000+02:00"


# ---- canonical keys (§1.5) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Due Date", "due-date"),
        ("**Bold Key**", "bold-key"),
        ("Key_1", "key_1"),
        ("A  B", "a-b"),
        ("a\tb", "a-b"),
        ("  lead", "-lead"),
        ("Some/Path", "somepath"),
        ("key.with.dots", "keywithdots"),
        ("Ünïcödé Key", "ünïcödé-key"),
        ("🎉 Party", "🎉-party"),
        ("日本語 キー", "日本語-キー"),
        ("__Under__", "__under__"),
        ("[[Link]]", "link"),
        ("", ""),
        ("👩\u200d💻 Dev", "👩\u200d💻-dev"),
        ("🇫🇷 Flag", "🇫🇷-flag"),
        ("Status", "status"),
        ("STATUS", "status"),
        ("x-y", "x-y"),
    ],
)
def test_canonical_key(raw: str, canonical: str) -> None:
    assert canonical_key(raw) == canonical
