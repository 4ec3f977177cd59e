"""luxon emulation: toFormat tokens, Duration#toFormat, fromFormat, plus/minus and diff."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from gardend.daemon.luxon import (
    diff,
    diff_units,
    format_datetime,
    format_duration,
    minus,
    parse_format,
    parse_with_format,
    plus,
)
from gardend.daemon.values import (
    LOCAL,
    UTC,
    Duration,
    DVDate,
    FixedOffsetZone,
    IANAZone,
    parse_date_text,
    parse_duration_text,
    to_string,
    use_local_zone,
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


# A Tuesday afternoon in local time.
SAMPLE = "2021-01-05T14:03:04.007"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("S", "7"), ("SSS", "007"), ("u", "007"), ("uu", "00"), ("uuu", "0"),
        ("s", "4"), ("ss", "04"), ("m", "3"), ("mm", "03"), ("h", "2"), ("hh", "02"),
        ("H", "14"), ("HH", "14"), ("Z", "+0"), ("ZZ", "+00:00"), ("ZZZ", "+0000"),
        ("ZZZZ", "UTC"), ("ZZZZZ", "Coordinated Universal Time"), ("z", "UTC"), ("a", "PM"),
        ("d", "5"), ("dd", "05"), ("c", "2"), ("ccc", "Tue"), ("cccc", "Tuesday"), ("ccccc", "T"),
        ("E", "2"), ("EEE", "Tue"), ("EEEE", "Tuesday"), ("EEEEE", "T"),
        ("L", "1"), ("LL", "01"), ("LLL", "Jan"), ("LLLL", "January"), ("LLLLL", "J"),
        ("M", "1"), ("MM", "01"), ("MMM", "Jan"), ("MMMM", "January"), ("MMMMM", "J"),
        ("y", "2021"), ("yy", "21"), ("yyyy", "2021"), ("yyyyyy", "002021"),
        ("G", "AD"), ("GG", "Anno Domini"), ("GGGGG", "A"),
        ("kk", "21"), ("kkkk", "2021"), ("W", "1"), ("WW", "01"),
        ("n", "2"), ("nn", "02"), ("ii", "21"), ("iiii", "2021"),
        ("o", "5"), ("ooo", "005"), ("q", "1"), ("qq", "01"),
        ("D", "1/5/2021"), ("DD", "Jan 5, 2021"), ("DDD", "January 5, 2021"),
        ("DDDD", "Tuesday, January 5, 2021"),
        ("t", "2:03 PM"), ("tt", "2:03:04 PM"), ("ttt", "2:03:04 PM UTC"),
        ("tttt", "2:03:04 PM Coordinated Universal Time"),
        ("T", "14:03"), ("TT", "14:03:04"), ("TTT", "14:03:04 UTC"),
        ("TTTT", "14:03:04 Coordinated Universal Time"),
        ("f", "1/5/2021, 2:03 PM"), ("ff", "Jan 5, 2021, 2:03 PM"),
        ("fff", "January 5, 2021 at 2:03 PM UTC"),
        ("ffff", "Tuesday, January 5, 2021 at 2:03 PM Coordinated Universal Time"),
        ("F", "1/5/2021, 2:03:04 PM"), ("FF", "Jan 5, 2021, 2:03:04 PM"),
        ("FFF", "January 5, 2021 at 2:03:04 PM UTC"),
        ("FFFF", "Tuesday, January 5, 2021 at 2:03:04 PM Coordinated Universal Time"),
        ("X", "1609855384"), ("x", "1609855384007"),
    ],
)
def test_format_tokens(token: str, expected: str) -> None:
    assert format_datetime(D(SAMPLE), token) == expected


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        # §4.6 / §5.6 / §6 formats
        ("2021-01-05", "MMMM dd, yyyy", "January 05, 2021"),
        ("2021-01-05T14:03:00", "h:mm a - MMMM dd, yyyy", "2:03 PM - January 05, 2021"),
        ("2021-01-05", "yyyy-MM-dd", "2021-01-05"),
        ("2021-01-05", "yyyyLLdd", "20210105"),
        ("2021-01-05T09:07:00", "HH:mm", "09:07"),
        ("2021-01-05", "ccc", "Tue"),
        ("2021-01-05", "DDDD", "Tuesday, January 5, 2021"),
        ("2021-01-05T00:30:00", "h:mm a", "12:30 AM"),
        ("2021-01-05T12:30:00", "h:mm a", "12:30 PM"),
        # quoting and literals
        ("2021-01-05", "yyyy-MM-dd'T'HH", "2021-01-05T00"),
        ("2021-01-05", "'Week' W", "Week 1"),
        ("2021-01-05", "'it''s'", "its"),
        ("2021-01-05", "'unterminated", "unterminated"),
        ("2021-01-05", "yyy ddd", "yyy ddd"),  # unknown tokens verbatim
        ("2021-01-05", "dd/MM/yyyy", "05/01/2021"),
        ("2021-01-05", "d. MMMM yyyy", "5. January 2021"),
        ("2021-01-05", "", ""),
        # ISO weeks across year boundaries
        ("2021-01-03", "kkkk-'W'WW-c", "2020-W53-7"),
        ("2024-12-30", "kkkk-'W'WW", "2025-W01"),
        # en-US locale weeks (Sunday start)
        ("2021-01-03", "n iiii", "2 2021"),
        ("2022-01-01", "n iiii", "1 2022"),
        ("0005-03-01", "yy yyyy", "05 0005"),
    ],
)
def test_format_examples(text: str, fmt: str, expected: str) -> None:
    assert format_datetime(D(text), fmt) == expected


def test_format_in_zones() -> None:
    fixed = D("2021-01-05T14:03:04-05:00")
    assert format_datetime(fixed, "Z ZZ ZZZ ZZZZ ZZZZZ z") == "-5 -05:00 -0500 UTC-5 UTC-5 UTC-5"
    assert format_datetime(fixed, "ttt") == "2:03:04 PM GMT-5"
    half = D("2021-01-05T14:03:04+05:30")
    assert format_datetime(half, "Z ZZ ZZZ") == "+5:30 +05:30 +0530"
    paris = D("2021-07-05T14:03:04[Europe/Paris]")
    assert format_datetime(paris, "Z ZZ ZZZZ z") == "+2 +02:00 GMT+2 Europe/Paris"
    assert format_datetime(paris, "ZZZZZ") == "Central European Summer Time"
    utc = D("2021-01-05T14:03:04Z")
    assert format_datetime(utc, "Z z ZZZZ") == "+0 UTC UTC"
    with use_local_zone("America/New_York"):
        ny = D("2021-07-05T14:03:04")
        assert format_datetime(ny, "Z ZZ ZZZZ ZZZZZ z") == (
            "-4 -04:00 EDT Eastern Daylight Time America/New_York")
        assert format_datetime(D("2021-01-05"), "ZZZZ ZZZZZ") == "EST Eastern Standard Time"
    chicago = D("2021-01-05T14:03:04").set_zone(IANAZone.create("America/Chicago"))  # type: ignore[arg-type]
    assert format_datetime(chicago, "HH ZZZZ") == "08 CST"
    tokyo = D("2021-01-05T14:03:04").set_zone("Asia/Tokyo")
    assert format_datetime(tokyo, "HH ZZZZ") == "23 GMT+9"


def test_format_invalid_date() -> None:
    assert format_datetime(DVDate.invalid("x"), "yyyy-MM-dd") == "Invalid DateTime"
    assert DVDate.from_fields(2021, 2, 30).to_format("yyyy") == "Invalid DateTime"


def test_negative_and_large_years() -> None:
    d = DVDate.from_fields(2021, 1, 1).set(year=-44)
    assert format_datetime(d, "yyyy G") == "-0044 BC"
    assert d.to_iso() == "-000044-01-01T00:00:00.000Z".replace("Z", "+00:00")
    big = DVDate.from_fields(2021, 1, 1).set(year=12345)
    assert big.to_iso() == "+012345-01-01T00:00:00.000+00:00"


def test_parse_format_tokens() -> None:
    toks = parse_format("yyyy-MM-dd 'at' HH")
    assert [(t.literal, t.val) for t in toks] == [
        (False, "yyyy"), (False, "-"), (False, "MM"), (False, "-"), (False, "dd"), (True, " "),
        (True, "at"), (True, " "), (False, "HH")]


# ---- Duration#toFormat ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "fmt", "expected"),
    [
        ("90 minutes", "m", "90"),  # §4.6 verified
        ("90 minutes", "h:mm", "1:30"),
        ("90 minutes", "hh:mm", "01:30"),
        ("90 minutes", "hh'h' mm'm'", "01h 30m"),
        ("1d 2h 3m 4s", "d'd' hh:mm:ss", "1d 02:03:04"),
        ("1d 2h 3m 4s", "h", "26"),
        ("1d 2h 3m 4s", "s", "93784"),
        ("1d 2h 3m 4s", "S", "93784000"),
        ("90 seconds", "m", "1"),  # floored
        ("1 yr", "M", "12"),
        ("1 yr", "M w d", "12 0 0"),
        ("1 yr", "d", "365"),
        ("3 weeks", "w", "3"),
        ("3 weeks", "d", "21"),
        ("2 hours", "'no tokens'", "no tokens"),
        ("2 hours", "x h", "x 2"),
        ("1.5 hours", "h:mm", "1:30"),
        ("-90 minutes", "h:mm", "-1:-30"),
        ("2 hours", "hhhh", "0002"),
    ],
)
def test_format_duration(duration: str, fmt: str, expected: str) -> None:
    assert format_duration(dur(duration), fmt) == expected


# ---- fromFormat --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fmt", "iso"),
    [
        ("2021-01-05", "yyyy-MM-dd", "2021-01-05T00:00:00.000+00:00"),
        ("05/01/2021", "dd/MM/yyyy", "2021-01-05T00:00:00.000+00:00"),
        ("5/1/2021", "d/M/yyyy", "2021-01-05T00:00:00.000+00:00"),
        ("2021-01-05 14:03:04.007", "yyyy-MM-dd HH:mm:ss.SSS", "2021-01-05T14:03:04.007+00:00"),
        ("2021-01-05 2:03 PM", "yyyy-MM-dd h:mm a", "2021-01-05T14:03:00.000+00:00"),
        ("2021-01-05 12:03 am", "yyyy-MM-dd hh:mm a", "2021-01-05T00:03:00.000+00:00"),
        ("January 5, 2021", "MMMM d, yyyy", "2021-01-05T00:00:00.000+00:00"),
        ("jan 5 21", "MMM d yy", "2021-01-05T00:00:00.000+00:00"),
        ("Tue, Jan 5, 2021", "EEE, LLL d, yyyy", "2021-01-05T00:00:00.000+00:00"),
        ("Tuesday 2021-01-05", "cccc yyyy-MM-dd", "2021-01-05T00:00:00.000+00:00"),
        ("99-01-05", "yy-MM-dd", "1999-01-05T00:00:00.000+00:00"),
        ("2021 005", "yyyy ooo", "2021-01-05T00:00:00.000+00:00"),
        ("2021-01-05T10:00+02:00", "yyyy-MM-dd'T'HH:mmZZ", "2021-01-05T08:00:00.000+00:00"),
        ("2021-01-05 Europe/Paris", "yyyy-MM-dd z", "2021-01-04T23:00:00.000+00:00"),
        ("20210105", "yyyyMMdd", "2021-01-05T00:00:00.000+00:00"),
        ("1609855384007", "x", "2021-01-05T14:03:04.007+00:00"),
        ("1609855384", "X", "2021-01-05T14:03:04.000+00:00"),
        ("2021-01", "yyyy-MM", "2021-01-01T00:00:00.000+00:00"),
    ],
)
def test_parse_with_format(text: str, fmt: str, iso: str) -> None:
    d = parse_with_format(text, fmt)
    assert d is not None
    assert d.zone is LOCAL
    assert d.to_iso() == iso


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("2021-02-30", "yyyy-MM-dd"),  # no rollover in fromFormat
        ("2021-13-01", "yyyy-MM-dd"),
        ("2021-01-05 25:00", "yyyy-MM-dd HH:mm"),
        ("2021/01/05", "yyyy-MM-dd"),
        ("2021-01-05 extra", "yyyy-MM-dd"),
        ("Wed 2021-01-05", "EEE yyyy-MM-dd"),  # mismatched weekday
        ("2 PM 14", "h a H"),
        ("nonsense", "yyyy-MM-dd"),
        ("2021-W01", "kkkk-'W'WW"),  # week tokens unsupported
        ("abc", "'abc'"),  # no units at all
    ],
)
def test_parse_with_format_rejects(text: str, fmt: str) -> None:
    assert parse_with_format(text, fmt) is None


def test_parse_with_format_defaults_and_zone() -> None:
    now = D("2022-06-15T12:00:00")
    d = parse_with_format("10:30", "HH:mm", now=now)
    assert d is not None and d.to_iso() == "2022-06-15T10:30:00.000+00:00"
    d = parse_with_format("03-04", "MM-dd", now=now)
    assert d is not None and d.to_iso() == "2022-03-04T00:00:00.000+00:00"
    with use_local_zone("America/New_York"):
        d = parse_with_format("2021-07-01", "yyyy-MM-dd")
        assert d is not None and d.to_iso() == "2021-07-01T00:00:00.000-04:00"
    d = parse_with_format("2021-07-01", "yyyy-MM-dd", zone=UTC)
    assert d is not None and d.zone == UTC
    # only a weekday: that day of the current ISO week, time defaulting to midnight
    d = parse_with_format("Tue", "EEE", now=D("2021-01-15T10:20:30"))
    assert d is not None and d.to_iso() == "2021-01-12T00:00:00.000+00:00"
    d = parse_with_format("Tue 10", "EEE HH", now=D("2021-01-15T10:20:30"))
    assert d is not None and d.to_iso() == "2021-01-12T10:00:00.000+00:00"


# ---- plus / minus ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "amount", "iso"),
    [
        ("2021-01-31", "1 month", "2021-02-28T00:00:00.000+00:00"),  # §3.5 verified
        ("2020-01-31", "1 month", "2020-02-29T00:00:00.000+00:00"),
        ("2020-02-29", "1 year", "2021-02-28T00:00:00.000+00:00"),
        ("2021-01-31", "13 months", "2022-02-28T00:00:00.000+00:00"),
        ("2021-03-31", "-1 month", "2021-02-28T00:00:00.000+00:00"),
        ("2021-01-01", "1 week", "2021-01-08T00:00:00.000+00:00"),
        ("2021-01-01", "1.5 days", "2021-01-02T12:00:00.000+00:00"),
        ("2021-01-01", "0.5 months", "2021-01-16T00:00:00.000+00:00"),
        ("2021-01-01T23:00:00", "2 hours", "2021-01-02T01:00:00.000+00:00"),
        ("2021-01-01", "1 year, 2 months, 3 days, 4 hours", "2022-03-04T04:00:00.000+00:00"),
        ("2021-12-31", "1 day", "2022-01-01T00:00:00.000+00:00"),
    ],
)
def test_plus(start: str, amount: str, iso: str) -> None:
    assert plus(D(start), dur(amount)).to_iso() == iso
    assert (D(start) + dur(amount)).to_iso() == iso


def test_minus() -> None:
    assert minus(D("2021-03-31"), dur("1 month")).to_iso() == "2021-02-28T00:00:00.000+00:00"
    assert (D("2021-01-01") - dur("1 day")).to_iso() == "2020-12-31T00:00:00.000+00:00"
    assert plus(DVDate.invalid("x"), dur("1 day")).is_valid is False


def test_calendar_vs_exact_units_across_dst() -> None:
    with use_local_zone("America/New_York"):
        start = D("2021-03-13T12:00:00")
        # a day is a calendar day: same wall clock, 23 real hours
        assert plus(start, dur("1 day")).to_iso() == "2021-03-14T12:00:00.000-04:00"
        # hours are exact time
        assert plus(start, dur("24 hours")).to_iso() == "2021-03-14T13:00:00.000-04:00"
        fall = D("2021-11-06T12:00:00")
        assert plus(fall, dur("1 day")).to_iso() == "2021-11-07T12:00:00.000-05:00"
        assert plus(fall, dur("24 hours")).to_iso() == "2021-11-07T11:00:00.000-05:00"


def test_plus_in_fixed_and_iana_zones() -> None:
    d = D("2021-01-31T10:00:00+02:00")
    moved = plus(d, dur("1 month"))
    assert moved.zone == FixedOffsetZone(120)
    assert moved.to_iso() == "2021-02-28T10:00:00.000+02:00"
    paris = D("2021-03-27T12:00:00[Europe/Paris]")
    assert plus(paris, dur("1 day")).to_iso() == "2021-03-28T12:00:00.000+02:00"


# ---- diff (Dataview date - date) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "human"),
    [
        ("2021-03-01", "2021-01-15", "1 month, 2 weeks"),  # §3.5 verified
        ("2022-01-01", "2021-01-01", "1 year"),
        ("2021-01-02", "2021-01-01", "1 day"),
        ("2021-01-01T10:00:00", "2021-01-01T08:30:00", "1 hour, 30 minutes"),
        ("2021-01-01T00:00:00.250", "2021-01-01", "250 milliseconds"),
        ("2021-02-28", "2021-01-31", "1 month"),
        ("2021-03-31", "2021-02-28", "1 month, 3 days"),
        ("2024-01-01", "2021-06-15", "2 years, 6 months, 2 weeks, 3 days"),
        ("2021-01-01", "2021-01-01", ""),
        ("2021-01-01", "2021-03-01", ""),  # negative durations render as ""
    ],
)
def test_diff(a: str, b: str, human: str) -> None:
    result = diff(D(a), D(b))
    assert to_string(result) == human
    assert to_string(D(a) - D(b)) == human  # type: ignore[arg-type]


def test_diff_values_and_sign() -> None:
    d = diff(D("2021-01-15"), D("2021-03-01"))
    assert (d.months, d.weeks, d.days) == (-1, -2, 0)
    raw = diff_units(D("2021-03-01"), D("2021-01-15"), ["days"])
    assert raw.values == {"days": 45}
    raw = diff_units(D("2021-01-02T12:00:00"), D("2021-01-01"), ["days"])
    assert raw.values == {"days": 1.5}
    raw = diff_units(D("2021-01-01T01:00:00"), D("2021-01-01"))
    assert raw.values == {"milliseconds": 3_600_000}
    with pytest.raises(ValueError):
        diff(DVDate.invalid("x"), D("2021-01-01"))


def test_diff_across_dst_and_zones() -> None:
    with use_local_zone("America/New_York"):
        a, b = D("2021-03-15"), D("2021-03-13")
        assert to_string(diff(a, b)) == "2 days"
        assert diff_units(a, b, ["hours"]).values == {"hours": 47}
    a = D("2021-01-01T12:00:00+02:00")
    b = D("2021-01-01T10:00:00Z")
    assert diff_units(a, b, ["hours"]).values == {"hours": 0}


# ---- properties --------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**11), st.integers(-5000, 5000))
def test_hours_are_exact_time(ts: int, hours: int) -> None:
    d = DVDate(ts * 1000, UTC)
    moved = plus(d, Duration(hours=hours))
    assert moved.ts - d.ts == hours * 3_600_000
    back = diff_units(moved, d, ["milliseconds"])
    assert back.values == {"milliseconds": hours * 3_600_000}


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**11), 10**11), st.integers(-400, 400))
def test_days_then_back_in_dst_zone(sec: int, days: int) -> None:
    with use_local_zone("America/New_York"):
        d = DVDate(sec * 1000, LOCAL).start_of("day")
        there = plus(d, Duration(days=days))
        assert minus(there, Duration(days=days)) == d
        assert diff_units(there, d, ["days"]).values == {"days": days}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_format_never_raises(fmt: str) -> None:
    format_datetime(D(SAMPLE), fmt)
    format_duration(dur("1d 2h 3m"), fmt)
    parse_with_format("2021-01-05", fmt)


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**14), 10**14), st.sampled_from(["UTC", "America/New_York", "Asia/Tokyo"]))
def test_iso_format_roundtrips_through_parser(ts: int, tz: str) -> None:
    with use_local_zone(tz):
        d = DVDate(ts, LOCAL)
        text = format_datetime(d, "yyyy-MM-dd'T'HH:mm:ss.SSS")
        if not 0 <= d.year <= 9999:
            return
        parsed = parse_with_format(text, "yyyy-MM-dd'T'HH:mm:ss.SSS")
        assert parsed is not None
        # ambiguous wall times may resolve to the other instant of an overlap; the wall clock
        # always survives
        assert parsed.fields == d.fields
        assert format_datetime(parsed, "yyyy-MM-dd'T'HH:mm:ss.SSS") == text


def test_nan_formats() -> None:
    assert not math.isnan(D(SAMPLE).to_millis())
