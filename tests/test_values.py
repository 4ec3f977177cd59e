"""The value model: parsing literals, ordering, truthiness, toString, JSON and storage (§3, §8)."""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterator

import pytest
from gardend.daemon.values import (
    LOCAL,
    UTC,
    Duration,
    DVDate,
    ExternalLinkWidget,
    FixedOffsetZone,
    IANAZone,
    Link,
    ListPairWidget,
    ValueSettings,
    compare,
    from_storage,
    is_truthy,
    js_div,
    js_mod,
    js_number_str,
    local_zone,
    local_zone_name,
    normalize_header_for_link,
    parse_date_plus,
    parse_date_shorthand,
    parse_date_text,
    parse_duration_text,
    sort_key,
    to_result_json,
    to_storage,
    to_string,
    type_name,
    use_local_zone,
    values_equal,
    zone_from_name,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(autouse=True)
def _utc_local() -> Iterator[None]:
    with use_local_zone("UTC"):
        yield


@pytest.fixture(params=["UTC", "America/New_York"])
def local_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    with use_local_zone(request.param):
        yield request.param


def D(text: str) -> DVDate:
    d = parse_date_text(text)
    assert d is not None, text
    return d


def dur(text: str) -> Duration:
    d = parse_duration_text(text)
    assert d is not None, text
    return d


# ---- JavaScript numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1, "1"), (1.0, "1"), (1.5, "1.5"), (-0.0, "0"), (0, "0"), (1e21, "1e+21"),
        (1e20, "100000000000000000000"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (0.000001, "0.000001"),
        (123.456, "123.456"), (0.1 + 0.2, "0.30000000000000004"), (math.nan, "NaN"),
        (math.inf, "Infinity"), (-math.inf, "-Infinity"), (-2.5, "-2.5"), (2**60, "1152921504606847000"),
        (1.2345678901234567e19, "12345678901234567000"), (1e16, "10000000000000000"),
        (True, "true"),
    ],
)
def test_js_number_str(value: float, text: str) -> None:
    assert js_number_str(value) == text


def test_js_division_and_modulo() -> None:
    assert js_div(5, 0) == math.inf
    assert js_div(-5, 0) == -math.inf
    assert math.isnan(js_div(0, 0))
    assert js_div(1, 2) == 0.5
    assert js_div(4, 2) == 2 and isinstance(js_div(4, 2), int)
    assert js_mod(-7, 3) == -1
    assert js_mod(7, -3) == 1
    assert math.isnan(js_mod(1, 0))
    assert js_mod(5.5, 2) == 1.5


# ---- date literals (§3.2) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2021-01", "2021-01-01T00:00:00.000+00:00"),
        ("2021-01-05", "2021-01-05T00:00:00.000+00:00"),
        ("2021-01-05T14", "2021-01-05T14:00:00.000+00:00"),
        ("2021-01-05T14:03", "2021-01-05T14:03:00.000+00:00"),
        ("2021-01-05T14:03:04", "2021-01-05T14:03:04.000+00:00"),
        ("2021-01-05T14:03:04.123", "2021-01-05T14:03:04.123+00:00"),
        ("2021-01-05T14:03:04Z", "2021-01-05T14:03:04.000Z"),
        ("2021-01-05T14:03:04+2", "2021-01-05T14:03:04.000+02:00"),
        ("2021-01-05T14:03:04+02", "2021-01-05T14:03:04.000+02:00"),
        ("2021-01-05T14:03:04+05:30", "2021-01-05T14:03:04.000+05:30"),
        ("2021-01-05T14:03:04-05:30", "2021-01-05T14:03:04.000-05:30"),
        ("2021-01-05T14:03:04.500-08:00", "2021-01-05T14:03:04.500-08:00"),
        ("2021-01-05T14:03:04[Europe/Paris]", "2021-01-05T14:03:04.000+01:00"),
        ("2021-07-05T14:03:04[europe/paris]", "2021-07-05T14:03:04.000+02:00"),
        ("2021-01-05T14:03:04[UTC]", "2021-01-05T14:03:04.000Z"),
        ("2021-02-30", "2021-03-02T00:00:00.000+00:00"),
        ("2021-01-01T25:00", "2021-01-02T01:00:00.000+00:00"),
        ("2024-01-31T23:59:60", "2024-02-01T00:00:00.000+00:00"),
        ("0000-01-01", "0000-01-01T00:00:00.000+00:00"),
    ],
)
def test_parse_date_text(text: str, iso: str) -> None:
    assert D(text).to_iso() == iso


@pytest.mark.parametrize(
    "text",
    [
        "2021", "2024-13-01", "2021-00-10", "2024-W11", "21-01-01", "2021-1-1", "2021-01-01 10:30",
        "2021-01-01T10:30+02:00", "2021-01-01T10:30:00.12", "2021-01-01T10:30:00[Bad/Zone]",
        "2021-01-01T10:30:00[America/New_York]", "today", "", "x2021-01-01", "2021-01-01x",
        "２０２１-01-01",
    ],
)
def test_parse_date_text_rejects(text: str) -> None:
    assert parse_date_text(text) is None


def test_date_literals_keep_local_wall_clock(local_tz: str) -> None:
    d = D("2021-07-01T10:00:00")
    assert (d.hour, d.zone) == (10, LOCAL)
    expected_offset = 0 if local_tz == "UTC" else -240
    assert d.offset == expected_offset
    winter = D("2021-01-01")
    assert winter.offset == (0 if local_tz == "UTC" else -300)


def test_dst_gap_and_overlap_new_york() -> None:
    with use_local_zone("America/New_York"):
        # 02:30 does not exist on 2021-03-14: luxon moves forward by the gap.
        assert D("2021-03-14T02:30:00").to_iso() == "2021-03-14T03:30:00.000-04:00"
        # 01:30 exists twice on 2021-11-07: the chain of set() calls picks the first (EDT).
        assert D("2021-11-07T01:30:00").to_iso() == "2021-11-07T01:30:00.000-04:00"


def test_local_zone_resolution() -> None:
    assert local_zone() is LOCAL
    assert local_zone_name() == "UTC"
    with use_local_zone("Europe/Paris"):
        assert local_zone_name() == "Europe/Paris"
        assert LOCAL.offset(D("2021-07-01").ts) == 120
    with pytest.raises(ValueError), use_local_zone("Not/AZone"):
        pass


def test_zone_from_name() -> None:
    assert zone_from_name("local") is LOCAL
    assert zone_from_name("UTC") == UTC
    assert zone_from_name("gmt") == UTC
    assert zone_from_name("UTC+2") == FixedOffsetZone(120)
    assert zone_from_name("utc-5:30") == FixedOffsetZone(-330)
    assert FixedOffsetZone(-330).name == "UTC-5:30"
    assert zone_from_name("Europe/Paris") == IANAZone.create("Europe/Paris")
    assert zone_from_name("Nowhere/Land") is None


# ---- date shorthands ---------------------------------------------------------------------------------

NOW = "2021-01-15T10:20:30.456"  # a Friday


@pytest.mark.parametrize(
    ("shorthand", "iso"),
    [
        ("now", "2021-01-15T10:20:30.456+00:00"),
        ("today", "2021-01-15T00:00:00.000+00:00"),
        ("yesterday", "2021-01-14T00:00:00.000+00:00"),
        ("tomorrow", "2021-01-16T00:00:00.000+00:00"),
        ("sow", "2021-01-11T00:00:00.000+00:00"),
        ("start-of-week", "2021-01-11T00:00:00.000+00:00"),
        ("eow", "2021-01-17T23:59:59.999+00:00"),
        ("end-of-week", "2021-01-17T23:59:59.999+00:00"),
        ("som", "2021-01-01T00:00:00.000+00:00"),
        ("start-of-month", "2021-01-01T00:00:00.000+00:00"),
        ("eom", "2021-01-31T23:59:59.999+00:00"),
        ("end-of-month", "2021-01-31T23:59:59.999+00:00"),
        ("soy", "2021-01-01T00:00:00.000+00:00"),
        ("start-of-year", "2021-01-01T00:00:00.000+00:00"),
        ("eoy", "2021-12-31T23:59:59.999+00:00"),
        ("end-of-year", "2021-12-31T23:59:59.999+00:00"),
    ],
)
def test_date_shorthands(shorthand: str, iso: str) -> None:
    d = parse_date_shorthand(shorthand, D(NOW))
    assert d is not None
    assert d.to_iso() == iso


def test_date_shorthand_rejects_and_now() -> None:
    assert parse_date_shorthand("todayx") is None
    assert parse_date_shorthand("Today") is None
    assert parse_date_shorthand("2021-01-01") is None
    today = parse_date_shorthand("today")
    assert today is not None and today.hour == 0 and today.zone is LOCAL
    assert parse_date_plus("2021-01-01") == D("2021-01-01")
    assert parse_date_plus("som", D(NOW)) == D("2021-01-01")


def test_shorthands_in_dst_zone() -> None:
    with use_local_zone("America/New_York"):
        now = D("2021-03-14T12:00:00")
        assert parse_date_shorthand("today", now).to_iso() == "2021-03-14T00:00:00.000-05:00"  # type: ignore[union-attr]
        assert parse_date_shorthand("tomorrow", now).to_iso() == "2021-03-15T00:00:00.000-04:00"  # type: ignore[union-attr]


# ---- duration literals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("1 year", {"years": 1}), ("2 years", {"years": 2}), ("1 yr", {"years": 1}),
        ("3yrs", {"years": 3}), ("1 month", {"months": 1}), ("2 months", {"months": 2}),
        ("1 mo", {"months": 1}), ("2mos", {"months": 2}), ("1 week", {"weeks": 1}),
        ("2 weeks", {"weeks": 2}), ("1wk", {"weeks": 1}), ("2 wks", {"weeks": 2}),
        ("3w", {"weeks": 3}), ("1 day", {"days": 1}), ("2 days", {"days": 2}), ("3d", {"days": 3}),
        ("1 hour", {"hours": 1}), ("2 hours", {"hours": 2}), ("1hr", {"hours": 1}),
        ("2 hrs", {"hours": 2}), ("4h", {"hours": 4}), ("1 minute", {"minutes": 1}),
        ("5 minutes", {"minutes": 5}), ("5 min", {"minutes": 5}), ("5mins", {"minutes": 5}),
        ("5m", {"minutes": 5}), ("1 second", {"seconds": 1}), ("9 seconds", {"seconds": 9}),
        ("9 sec", {"seconds": 9}), ("9 secs", {"seconds": 9}), ("9s", {"seconds": 9}),
        ("1h30m", {"hours": 1, "minutes": 30}), ("1h 30m", {"hours": 1, "minutes": 30}),
        ("1 h, 30 min", {"hours": 1, "minutes": 30}), ("1h,30m", {"hours": 1, "minutes": 30}),
        ("3h 20m", {"hours": 3, "minutes": 20}), ("1.5 hours", {"hours": 1.5}),
        ("-2 days", {"days": -2}), ("1h 1h", {"hours": 2}), ("4hr2min", {"hours": 4, "minutes": 2}),
        ("1d 2h 3m 4s", {"days": 1, "hours": 2, "minutes": 3, "seconds": 4}),
    ],
)
def test_parse_duration_text(text: str, values: dict[str, float]) -> None:
    d = dur(text)
    assert d.values == values  # not normalised: units as written


@pytest.mark.parametrize(
    "text", ["", "5", "500 ms", "5 Minutes", "1y", "h", "1h x", " 1h", "1h ", "1e3 h", ".5h", "1h,"]
)
def test_parse_duration_text_rejects(text: str) -> None:
    assert parse_duration_text(text) is None


# ---- durations (§3.5, §3.6, §3.9) -------------------------------------------------------------------


def test_duration_normalize_and_shift() -> None:
    assert Duration(hours=12, minutes=-45).normalize() == Duration(hours=11, minutes=15)
    assert Duration(years=2, days=5000).normalize().values == {"years": 15, "days": 255}
    assert Duration(hours=1, seconds=30).shift_to("minutes", "milliseconds").values == {
        "minutes": 60, "milliseconds": 30000}
    assert Duration(hours=60).shift_to("days").values == {"days": 2.5}
    assert Duration(years=1).shift_to("days").values == {"days": 365}
    assert Duration(minutes=90).shift_to_all().values == {
        "years": 0, "months": 0, "weeks": 0, "days": 0, "hours": 1, "minutes": 30, "seconds": 0,
        "milliseconds": 0}
    assert Duration(hours=-90).normalized().values["days"] == -3
    assert Duration(years=2.5, days=0, hours=0).normalize().values == {
        "years": 2, "days": 182, "hours": 12}


def test_duration_indexing_examples() -> None:
    # §3.6 verified examples
    assert dur("1 day").as_unit("hours") == 24
    assert dur("36 hours").as_unit("days") == 1.5
    assert dur("1 day").as_unit("week") is None
    assert dur("14 days").as_unit("weeks") == 2
    assert dur("1 year").as_unit("months") == 12
    assert dur("1 hour").as_unit("milliseconds") == 3_600_000
    assert dur("1 hour").as_unit("millisecond") == 3_600_000
    assert dur("1 hour").as_unit("fortnight") is None


def test_duration_equality_quirk() -> None:
    # §7.12: dur(60 minutes) = dur(1 hour) is false; missing units count as zero.
    assert dur("60 minutes") != dur("1 hour")
    assert not values_equal(dur("60 minutes"), dur("1 hour"))
    assert dur("1 hour") == Duration(hours=1, minutes=0)
    assert values_equal(dur("1 hour"), dur("1 hour").normalized())
    assert compare(dur("1 hour"), dur("2 hours")) == -1
    assert compare(dur("1 day"), dur("25 hours")) == -1
    assert compare(dur("1 month"), dur("30 days")) == 1  # equal millis, different units


def test_duration_arithmetic() -> None:
    # §3.5: duration operators normalise
    assert to_string(dur("1 day") / 2) == "12 hours"
    assert to_string(dur("1 hour") + dur("30 minutes")) == "1 hour, 30 minutes"
    assert to_string(dur("2 hours") - dur("30 minutes")) == "1 hour, 30 minutes"
    assert to_string(dur("90 minutes") * 2) == "3 hours"
    assert to_string(2 * dur("90 minutes")) == "3 hours"
    assert (dur("1 hour") + dur("30 minutes")) == Duration(hours=1, minutes=30)
    assert dur("1 hour").plus(dur("30 minutes")).values == {"hours": 1, "minutes": 30}
    assert -dur("1 hour") == Duration(hours=-1)
    # luxon: Infinity hours turn into NaN everywhere while normalising; renders as ""
    assert math.isnan((dur("1 hour") / 0).values["hours"])
    assert to_string(dur("1 hour") / 0) == ""
    with pytest.raises(ValueError):
        _ = Duration(hours=0) / 0  # luxon: Invalid unit value NaN


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Duration(hours=1, minutes=30), "1 hour, 30 minutes"),
        (Duration(minutes=90), "1 hour, 30 minutes"),
        (Duration(hours=1.5), "1 hour, 30 minutes"),
        (Duration(seconds=0), ""),
        (Duration(), ""),
        (Duration(days=1), "1 day"),
        (Duration(days=2), "2 days"),
        (Duration(years=1, months=2, weeks=1, days=3, hours=4, minutes=5, seconds=6,
                  milliseconds=7), "1 year, 2 months, 1 week, 3 days, 4 hours, 5 minutes, "
                                    "6 seconds, 7 milliseconds"),
        (Duration(milliseconds=1.5), "1.5 milliseconds"),
        (Duration(hours=1000), "1 month, 1 week, 6 days, 16 hours"),
        (Duration(hours=-1), ""),  # only positive units are rendered
        (Duration(years=1234), "1234 years"),  # luxon formats without grouping
        (Duration(seconds=1.23456), "1 second, 234.56 milliseconds"),
        (Duration(milliseconds=0.0005), "0.001 milliseconds"),
    ],
)
def test_duration_to_human(value: Duration, text: str) -> None:
    assert value.to_human() == text
    assert to_string(value) == text


def test_duration_truthiness_and_millis() -> None:
    assert not is_truthy(Duration(seconds=0))
    assert is_truthy(Duration(milliseconds=1))
    assert Duration(months=1).as_millis() == 30 * 86_400_000
    assert Duration(years=1).as_millis() == 365 * 86_400_000
    assert Duration(weeks=1).as_millis() == 7 * 86_400_000


# ---- DVDate ------------------------------------------------------------------------------------------


def test_date_indexing_examples() -> None:
    d = D("2021-01-15")
    # §3.6 verified: week = floor(day/7)+1, weekyear = ISO week number, weekday ISO
    assert d.index("week") == 3
    assert d.index("weekyear") == 2
    assert d.index("weekday") == 5
    assert [d.index(k) for k in ("year", "month", "day", "hour", "minute", "second",
                                 "millisecond")] == [2021, 1, 15, 0, 0, 0, 0]
    # §7.34
    assert d.index("quarter") is None
    assert d.index("ordinal") is None
    assert d.index("zoneName") is None


def test_invalid_dates() -> None:
    # file.day from an impossible file name (§1.2, §7.6)
    bad = DVDate.from_fields(2021, 13, 45)
    assert not bad.is_valid
    assert math.isnan(bad.year)
    assert to_string(bad) == "Invalid DateTime"
    assert bad.to_format("yyyy") == "Invalid DateTime"
    assert bad.to_iso() is None
    assert to_result_json(bad) == {"date": None}
    assert is_truthy(bad)  # NaN != 0
    assert compare(bad, D("2021-01-01")) == 1 and compare(D("2021-01-01"), bad) == 1
    assert compare(bad, bad) == 0  # same object
    assert not DVDate.from_fields(2021, 2, 29).is_valid
    assert DVDate.from_fields(2020, 2, 29).is_valid


def test_date_equality_requires_same_zone() -> None:
    a = D("2021-01-01T10:00:00Z")
    b = D("2021-01-01T11:00:00+01:00")
    assert a.ts == b.ts
    assert a != b
    assert compare(a, b) == 1 and compare(b, a) == 1  # §7.12 quirk
    assert not values_equal(a, b)
    assert values_equal(a, D("2021-01-01T10:00:00Z"))
    assert compare(D("2021-01-01"), D("2021-01-02")) == -1


def test_date_set_and_start_end_of(local_tz: str) -> None:
    d = D("2021-01-31T10:20:30.400")
    assert d.set(day=30, month=2).to_format("yyyy-MM-dd") == "2021-03-02"
    assert d.set(month=2).to_format("yyyy-MM-dd") == "2021-02-28"  # day clamped when not set
    assert d.set(hour=25).to_format("yyyy-MM-dd HH") == "2021-02-01 01"
    assert d.start_of("day").to_format("yyyy-MM-dd HH:mm:ss.SSS") == "2021-01-31 00:00:00.000"
    assert d.start_of("week").to_format("yyyy-MM-dd") == "2021-01-25"
    assert d.end_of("month").to_format("yyyy-MM-dd HH:mm:ss.SSS") == "2021-01-31 23:59:59.999"
    assert d.start_of("year").to_format("yyyy-MM-dd") == "2021-01-01"
    assert d.start_of("quarter").to_format("yyyy-MM-dd") == "2021-01-01"
    assert d.start_of("hour").to_format("HH:mm:ss") == "10:00:00"
    assert d.strip_time().zone is LOCAL


def test_set_zone() -> None:
    d = D("2021-01-01T10:00:00")
    moved = d.set_zone("Europe/Paris")
    assert moved.ts == d.ts and moved.hour == 11
    kept = d.set_zone("Europe/Paris", keep_local_time=True)
    assert kept.hour == 10 and kept.ts == d.ts - 3_600_000
    assert not d.set_zone("Bad/Zone").is_valid
    assert d.to_utc().zone == UTC
    assert d.to_utc().to_local().zone is LOCAL


def test_dates_keep_their_offset_when_local_zone_changes() -> None:
    with use_local_zone("America/New_York"):
        d = D("2021-01-01")
    assert d.offset == -300 and d.hour == 0  # luxon caches the offset


def test_datetime_interop() -> None:
    d = D("2021-01-01T10:00:00+02:00")
    py = d.to_datetime()
    assert py.utcoffset() is not None and py.hour == 10
    assert DVDate.from_datetime(py) == d
    assert DVDate.from_datetime(py.replace(tzinfo=None)).hour == 10
    with use_local_zone("America/New_York"):
        ny = D("2021-07-01T12:00:00")
        assert ny.dt.hour == 12


# ---- links -------------------------------------------------------------------------------------------


def test_link_constructors() -> None:
    assert Link.file("A.md") == Link("A.md", None, None, False, "file")
    h = Link.header("A.md", "Head ing!")
    assert (h.type, h.subpath) == ("header", "Head ing")
    b = Link.block("A.md", "abc")
    assert (b.type, b.subpath) == ("block", "abc")
    assert Link.infer("A#^blk") == Link.block("A", "blk")
    assert Link.infer("A#Head") == Link.header("A", "Head")
    assert Link.infer("A#b#c") == Link.header("A", "b")  # only the second piece (as Dataview)
    assert Link.infer("A") == Link.file("A")
    assert Link.infer("A", True, "d") == Link.file("A", True, "d")
    assert Link.file("A").with_path("B.md") == Link.file("B.md")
    assert Link.file("A").with_display("x").display == "x"
    assert Link.file("A").to_embed().embed and not Link.file("A", True).from_embed().embed


@pytest.mark.parametrize(
    ("header", "normalised"),
    [("Head ing!", "Head ing"), ("Ünï  (x)", "Ünï x"), ("  a   b  ", "a b"), ("a_b-c", "a_b-c"),
     ("🎉 Party!", "🎉 Party"), ("x.y", "x y")],
)
def test_header_normalisation(header: str, normalised: str) -> None:
    assert normalize_header_for_link(header) == normalised


@pytest.mark.parametrize(
    ("link", "markdown"),
    [
        (Link.file("A/B.md"), "[[A/B.md|B]]"),
        (Link.header("A", "h"), "[[A#h|A > h]]"),
        (Link.block("A", "b1"), "[[A#^b1|A > b1]]"),
        (Link.file("Folder/Page.md"), "[[Folder/Page.md|Page]]"),
        (Link.file("a|b.md", True, "Shown"), "![[a\\|b.md|Shown]]"),
        (Link.header("Page", "Heading"), "[[Page#Heading|Page > Heading]]"),
        (Link.file("x.markdown"), "[[x.markdown|x.markdown]]"),
        (Link.file("A", display=""), "[[A|A]]"),
    ],
)
def test_link_markdown(link: Link, markdown: str) -> None:
    assert link.markdown() == markdown
    assert to_string(link) == markdown


def test_link_misc() -> None:
    assert Link.header("A", "h").obsidian_link() == "A#h"
    assert Link.block("A", "b").obsidian_link() == "A#^b"
    assert Link.file("F/N.md").file_title() == "N"
    assert Link.file("F/N.md").equals(Link.file("F/N.md", display="x", embed=True))
    assert not is_truthy(Link.file(""))
    assert is_truthy(Link.file("a"))


# ---- types and truthiness (§3.1, §3.7) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name", "truthy"),
    [
        (None, "null", False), (0, "number", False), (1, "number", True), (-1.5, "number", True),
        (math.nan, "number", True), ("", "string", False), ("a", "string", True),
        (True, "boolean", True), (False, "boolean", False), ([], "array", False),
        ([0], "array", True), ({}, "object", False), ({"a": None}, "object", True),
        (Link.file("a"), "link", True), (ExternalLinkWidget("u"), "widget", True),
        (ListPairWidget(1, 2), "widget", True), (lambda x: x, "function", True),
        (Duration(hours=1), "duration", True),
    ],
)
def test_type_name_and_truthiness(value: object, name: str, truthy: bool) -> None:
    assert type_name(value) == name
    assert is_truthy(value) is truthy


def test_date_truthiness() -> None:
    assert is_truthy(D("2021-01-01"))
    assert not is_truthy(DVDate.from_millis(0))


# ---- ordering (§3.8, §7.38) ------------------------------------------------------------------------


def test_string_locale_order() -> None:
    # §7.38 verified: strings sort by locale order, not code point.
    expected = ["_z", "10", "9", "a", "A", "b", "B", "é"]
    for seed in range(20):
        shuffled = expected[:]
        random.Random(seed).shuffle(shuffled)
        assert sorted(shuffled, key=sort_key) == expected


@pytest.mark.parametrize(
    ("a", "b", "result"),
    [
        ("a", "B", -1), ("a", "A", -1), ("A", "b", -1), ("abc", "abd", -1), ("ab", "abc", -1),
        ("e", "é", -1), ("é", "f", -1), ("E", "é", -1), ("a b", "ab", -1), ("a-b", "ab", -1),
        ("_", "-", -1), ("-", ",", -1), (",", ";", -1), (";", ":", -1), (":", "!", -1),
        ("!", "?", -1), ("?", ".", -1), (".", "'", -1), ("'", '"', -1), ('"', "(", -1),
        ("(", ")", -1), (")", "[", -1), ("]", "{", -1), ("}", "@", -1), ("@", "*", -1),
        ("*", "/", -1), ("/", "\\", -1), ("\\", "&", -1), ("&", "#", -1), ("#", "%", -1),
        ("%", "`", -1), ("`", "^", -1), ("^", "+", -1), ("+", "<", -1), ("<", "=", -1),
        ("=", ">", -1), (">", "|", -1), ("|", "~", -1), ("~", "$", -1), ("$", "0", -1),
        ("9", "a", -1), (" ", "_", -1), ("z", "Ω", -1), ("Ω", "Я", -1), ("ss", "ß", -1),
        ("ß", "st", -1), ("x", "x", 0), ("é", "e\u0301", 0), ("a\u200bb", "ab", 0),
        ("Äb", "ab", 1), ("ab", "Äb", -1),
    ],
)
def test_string_compare_pairs(a: str, b: str, result: int) -> None:
    assert compare(a, b) == result
    assert compare(b, a) == -result


def test_mixed_type_order() -> None:
    # §3.8 / §7.38: null, list, boolean, date, duration, (function), link, number, (object), string
    values = [None, [1], True, D("2021-01-01"), Duration(hours=1), (lambda: 1), Link.file("a"), 5,
              {"a": 1}, "x", ExternalLinkWidget("u")]
    expected = [type_name(v) for v in values]
    for seed in range(10):
        shuffled = values[:]
        random.Random(seed).shuffle(shuffled)
        assert [type_name(v) for v in sorted(shuffled, key=sort_key)] == expected
    assert compare(5, "a") == -1  # number < string by type name
    assert compare(1, "1") != 0
    assert compare(D("2021-01-01"), 1) == -1


def test_number_boolean_null_order() -> None:
    assert compare(None, None) == 0
    assert compare(None, 0) == -1 and compare(0, None) == 1
    assert compare(1, 2) == -1 and compare(2, 2.0) == 0
    assert compare(False, True) == -1 and compare(True, True) == 0
    assert compare(math.nan, 1) == 1 and compare(1, math.nan) == 1
    assert compare(math.nan, math.nan) == 1


def test_link_order() -> None:
    # §3.8: by path, then type (block < file < header), then subpath; display/embed ignored
    assert compare(Link.file("A"), Link.file("A", display="x")) == 0
    assert compare(Link.file("A"), Link.file("A", embed=True)) == 0
    assert compare(Link.header("A", "h"), Link.file("A")) == 1
    assert compare(Link.block("A", "b"), Link.file("A")) == -1
    assert compare(Link.block("A", "z"), Link.header("A", "a")) == -1
    assert compare(Link.header("A", "a"), Link.header("A", "b")) == -1
    assert compare(Link.file("a"), Link.file("B")) == -1
    # §7.31: with the link normaliser (resolution), [[Home]] = [[Home.md]]
    resolve = {"Home": "Home.md"}.get
    assert compare(Link.file("Home"), Link.file("Home.md"), lambda p: resolve(p) or p) == 0
    assert compare(Link.file("Home"), Link.file("Home.md")) != 0


def test_list_and_object_order() -> None:
    assert compare([1, 2], [1, 3]) == -1
    assert compare([1, 2], [1, 2, 0]) == -1
    assert compare([], []) == 0
    assert compare({"a": 1}, {"a": 1}) == 0
    assert compare({"a": 1}, {"b": 0}) == -1
    assert compare({"a": 1, "b": 2}, {"b": 2, "a": 1}) == 0
    assert compare({"a": 2}, {"a": 1}) == 1
    assert compare(ExternalLinkWidget("a"), ExternalLinkWidget("b")) == 0


# ---- toString (§3.9, §7.33) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "\\-"), ("abc", "abc"), (1.5, "1.5"), (1.50, "1.5"), (3, "3"), (True, "true"),
        (False, "false"), ([1, [2, 3]], "1, [2, 3]"), ([], ""), ({}, "{  }"),
        ({"a": 1, "b": [1, 2]}, "{ a: 1, b: [1, 2] }"), ({"a": None}, "{ a: \\- }"),
        ([None, "x"], "\\-, x"), (ExternalLinkWidget("http://x", "X"), "[X](http://x)"),
        (ExternalLinkWidget("http://x"), "[http://x](http://x)"),
        (ListPairWidget(Link.file("a.md"), 2), "[[a.md|a]]: 2"), (lambda: 1, "<function>"),
        (math.inf, "Infinity"), (math.nan, "NaN"),
    ],
)
def test_to_string(value: object, text: str) -> None:
    assert to_string(value) == text


def test_to_string_dates_and_durations(local_tz: str) -> None:
    assert to_string(D("2024-03-01")) == "March 01, 2024"
    assert to_string(D("2021-01-05T14:03:00")) == "2:03 PM - January 05, 2021"
    assert to_string(D("2021-01-05T00:00:00.500")) == "January 05, 2021"  # ms ignored
    assert to_string(Duration(hours=1, minutes=30)) == "1 hour, 30 minutes"
    # own zone, no conversion to local
    assert to_string(D("2021-01-05T23:30:00+05:00")) == "11:30 PM - January 05, 2021"


def test_to_string_settings() -> None:
    s = ValueSettings(render_null_as="NULL", default_date_format="yyyy-MM-dd",
                      default_date_time_format="yyyy-MM-dd HH:mm")
    assert to_string(None, s) == "NULL"
    assert to_string([None], s) == "NULL"
    assert to_string(D("2021-01-05"), s) == "2021-01-05"
    assert to_string(D("2021-01-05T10:11"), s) == "2021-01-05 10:11"


# ---- JSON result encoding (§8) ---------------------------------------------------------------------


def test_result_json() -> None:
    assert to_result_json(None) is None
    assert to_result_json(1) == 1
    assert to_result_json(1.0) == 1
    assert to_result_json(1.5) == 1.5
    assert to_result_json(math.inf) == {"number": "Infinity"}
    assert to_result_json(-math.inf) == {"number": "-Infinity"}
    assert to_result_json(math.nan) == {"number": "NaN"}
    assert to_result_json("s") == "s"
    assert to_result_json([1, [True]]) == [1, [True]]
    assert to_result_json({"a": [1]}) == {"object": {"a": [1]}}
    assert to_result_json(lambda: 1) == {"function": True}
    assert to_result_json(Link.header("F/N.md", "Head", display="D")) == {
        "link": "F/N.md", "display": "D", "subpath": "Head", "type": "header", "embed": False}
    assert to_result_json(Link.file("Home", embed=True)) == {
        "link": "Home", "display": None, "subpath": None, "type": "file", "embed": True}
    assert to_result_json(D("2024-03-11")) == {"date": "2024-03-11T00:00:00.000+00:00"}
    assert to_result_json(D("2024-03-11T10:00:00+05:30")) == {
        "date": "2024-03-11T10:00:00.000+05:30"}
    assert to_result_json(Duration(hours=1, minutes=30, seconds=0)) == {
        "duration": {"hours": 1, "minutes": 30}}
    assert to_result_json(ExternalLinkWidget("http://x")) == {
        "widget": "external-link", "url": "http://x", "display": "http://x"}
    json.dumps(to_result_json([D("2024-03-11"), Duration(hours=1.5), {"x": math.nan}]))


def test_result_json_dst_zone() -> None:
    with use_local_zone("America/New_York"):
        assert to_result_json(D("2024-03-11")) == {"date": "2024-03-11T00:00:00.000-04:00"}
        assert to_result_json(D("2024-01-11")) == {"date": "2024-01-11T00:00:00.000-05:00"}


# ---- storage encoding --------------------------------------------------------------------------------


def _roundtrip(v: object) -> object:
    return from_storage(json.loads(json.dumps(to_storage(v))))


def test_storage_examples(local_tz: str) -> None:
    samples = [
        None, True, 0, -5, 1.5, -0.0, math.inf, -math.inf, "text", "", [1, [2]], {"a": {"b": None}},
        Link.file("a.md"), Link.header("a.md", "H", True, "disp"), Link.block("a", "b"),
        D("2021-01-01"), D("2021-01-01T10:00:00Z"), D("2021-01-01T10:00:00+02:00"),
        D("2021-07-01T10:00:00[Europe/Paris]"), Duration(minutes=90),
        Duration(hours=0, minutes=1.5), DVDate.from_fields(2021, 13, 45),
        ExternalLinkWidget("http://x", "X"), ListPairWidget("k", [1]),
        {"$t": "date", "ts": 0}, {"$t": "obj", "v": 1}, [{"$t": 1}],
    ]
    for v in samples:
        back = _roundtrip(v)
        assert back == v, v
        assert type(back) is type(v), v
        if isinstance(v, DVDate):
            assert isinstance(back, DVDate) and back.zone == v.zone
            assert back.to_iso() == v.to_iso()
    assert math.isnan(_roundtrip(math.nan))  # type: ignore[arg-type]


def test_storage_reinterprets_local_dates_in_new_zone() -> None:
    with use_local_zone("UTC"):
        stored = json.dumps(to_storage(D("2021-01-01")))
        fixed = json.dumps(to_storage(D("2021-01-01T00:00:00Z")))
    with use_local_zone("America/New_York"):
        local = from_storage(json.loads(stored))
        assert isinstance(local, DVDate)
        assert local.zone is LOCAL
        assert local.to_iso() == "2021-01-01T00:00:00.000-05:00"
        utc = from_storage(json.loads(fixed))
        assert isinstance(utc, DVDate)
        assert utc.to_iso() == "2021-01-01T00:00:00.000Z"


def test_storage_rejects_functions() -> None:
    with pytest.raises(TypeError):
        to_storage(lambda: 1)


_ZONES = [LOCAL, UTC, FixedOffsetZone(120), FixedOffsetZone(-330), IANAZone.create("Europe/Paris")]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False),
    st.text(max_size=12),
)
_links = st.builds(
    Link,
    st.text(max_size=10),
    st.none() | st.text(max_size=5),
    st.none() | st.text(max_size=5),
    st.booleans(),
    st.sampled_from(["file", "header", "block"]),
)
_dates = st.builds(
    DVDate,
    st.integers(min_value=-62_000_000_000_000, max_value=250_000_000_000_000),
    st.sampled_from(_ZONES),
)
_durations = st.dictionaries(
    st.sampled_from(["years", "months", "weeks", "days", "hours", "minutes", "seconds",
                     "milliseconds"]),
    st.integers(-1000, 1000) | st.floats(-1e6, 1e6, allow_nan=False),
    max_size=4,
).map(Duration)
_atoms = st.one_of(_scalars, _links, _dates, _durations,
                   st.just(DVDate.invalid("unit out of range")))
_values = st.recursive(
    _atoms,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["a", "b", "$t", "v", "K"]) | st.text(max_size=4),
                      children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_storage_roundtrip_property(v: object) -> None:
    back = _roundtrip(v)
    assert back == v
    assert to_storage(back) == to_storage(v)


@settings(max_examples=100, deadline=None)
@given(_values)
def test_storage_roundtrip_property_dst(v: object) -> None:
    with use_local_zone("America/New_York"):
        # values drawn under UTC: local dates are re-interpreted once, then stable
        v2 = _roundtrip(v)
        assert _roundtrip(v2) == v2


# ---- compare is a total order on values where Dataview's order is total ---------------------------

_ordered_atoms = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-50, 50),
    st.floats(-50, 50, allow_nan=False),
    st.text(alphabet="aAbBeé _-09#Zz\u0301ßs", max_size=4),
    st.builds(Link, st.sampled_from(["a", "A", "b", "a.md"]), st.none(),
              st.none() | st.sampled_from(["", "h", "x"]), st.booleans(),
              st.sampled_from(["file", "header", "block"])),
    # dates in one zone and durations in one unit: Dataview's order is total there
    st.builds(DVDate, st.integers(0, 10**12), st.just(UTC)),
    st.integers(-5, 5).map(lambda n: Duration(hours=n)),
)
_ordered_values = st.recursive(
    _ordered_atoms,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["a", "b", "B", "é"]), children, max_size=2),
    max_leaves=6,
)


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


@settings(max_examples=400, deadline=None)
@given(_ordered_values, _ordered_values, _ordered_values)
def test_compare_is_a_total_order(a: object, b: object, c: object) -> None:
    assert compare(a, a) == 0
    ab, bc, ac = compare(a, b), compare(b, c), compare(a, c)
    assert ab in (-1, 0, 1)
    assert _sign(compare(b, a)) == -ab  # antisymmetric
    assert values_equal(a, b) == (ab == 0)  # consistent with equality
    if ab <= 0 and bc <= 0:
        assert ac <= 0  # transitive
    if ab == 0 and bc == 0:
        assert ac == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(_ordered_values, max_size=8))
def test_sort_key_sorts_consistently(items: list[object]) -> None:
    ordered = sorted(items, key=sort_key)
    for x, y in itertools.pairwise(ordered):
        assert compare(x, y) <= 0


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_date_and_duration_never_raise(text: str) -> None:
    parse_date_text(text)
    parse_duration_text(text)
    parse_date_shorthand(text, D(NOW))


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{4}-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2}(\.[0-9]{3})?"
                     r"([+-][0-9]{1,2}(:[0-9]{2})?|Z)?)?)?)?)?", fullmatch=True))
def test_date_grammar_accepts_or_rejects_cleanly(text: str) -> None:
    d = parse_date_text(text)
    month = int(text[5:7])
    assert (d is None) == (not 1 <= month <= 12)
    if d is not None:
        assert d.is_valid


def test_collision_with_reserved_key_is_escaped() -> None:
    enc = to_storage({"$t": "date", "ts": 5})
    assert enc["$t"] == "obj"
