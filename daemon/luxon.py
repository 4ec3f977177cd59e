"""Emulation of the parts of luxon 3.4 that Dataview exposes.

Dataview delegates date formatting (``dateformat``, default date rendering), format-based parsing
(``date(text, format)``), duration formatting (``durationformat``) and date arithmetic to luxon.
Users see those outputs verbatim, so they are reproduced here token by token for the ``en-US``
locale (the locale Dataview uses outside a browser, §6).

What is *not* emulated (documented gaps):

* Other locales: month/weekday names, meridiems and macro formats are always en-US.
* ``parse_with_format`` does not support macro tokens (``D``, ``DD``, ``t``, ``f`` ...), week-based
  tokens (``W``, ``WW``, ``kk``, ``kkkk``, ``n``, ``ii``) or ``ZZZZ``/``ZZZZZ``; it returns ``None``
  for such formats.
* Zone names for ``ZZZZ``/``ZZZZZ``/``ttt``/``fff``...: en-US abbreviations exist only for US
  zones (as in ICU); long names are known for common metazones, others print ``GMT+01:00``.
* Macro tokens use a plain space before AM/PM and ``" at "`` between date and time in the
  long forms (Chromium/ICU 72 output); Node builds with ICU >= 72 print U+202F before AM/PM.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .values import (
    LOCAL,
    Duration,
    DVDate,
    FixedOffsetZone,
    IANAZone,
    Zone,
    civil_from_days,
    days_from_civil,
    days_in_year,
    js_floor,
    js_number_str,
)

__all__ = [
    "FormatToken",
    "diff",
    "diff_units",
    "format_datetime",
    "format_duration",
    "minus",
    "parse_format",
    "parse_with_format",
    "plus",
]

MONTHS_LONG = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
MONTHS_SHORT = tuple(m[:3] for m in MONTHS_LONG)
MONTHS_NARROW = tuple(m[0] for m in MONTHS_LONG)
WEEKDAYS_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_SHORT = tuple(w[:3] for w in WEEKDAYS_LONG)
WEEKDAYS_NARROW = tuple(w[0] for w in WEEKDAYS_LONG)
MERIDIEMS = ("AM", "PM")
ERAS = {"short": ("BC", "AD"), "long": ("Before Christ", "Anno Domini"), "narrow": ("B", "A")}


# =================================================================================================
# Format strings
# =================================================================================================


@dataclass(frozen=True)
class FormatToken:
    """One piece of a luxon format string: a literal or a run of one repeated letter."""

    literal: bool
    val: str


@functools.lru_cache(maxsize=1024)
def parse_format(fmt: str) -> tuple[FormatToken, ...]:
    """luxon ``Formatter.parseFormat``: split into runs of the same character; text in single
    quotes is literal (``''`` produces nothing); whitespace-only runs are literal."""
    current: str | None = None
    current_full = ""
    bracketed = False
    splits: list[FormatToken] = []
    for c in fmt:
        if c == "'":
            if current_full:
                splits.append(FormatToken(bracketed or current_full.isspace(), current_full))
            current = None
            current_full = ""
            bracketed = not bracketed
        elif bracketed or c == current:
            current_full += c
        else:
            if current_full:
                splits.append(FormatToken(_is_ws(current_full), current_full))
            current_full = c
            current = c
    if current_full:
        splits.append(FormatToken(bracketed or _is_ws(current_full), current_full))
    return tuple(splits)


def _is_ws(s: str) -> bool:
    return bool(s) and all(c in " \t\n\r\x0b\x0c\xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff"
                           or "\u2000" <= c <= "\u200a" for c in s)


def _pad_start(value: int | float | str, n: int) -> str:
    """luxon ``padStart``: sign kept in front of the zero padding."""
    if isinstance(value, str):
        try:
            neg = float(value) < 0
        except ValueError:
            neg = False
        if neg:
            return "-" + js_number_str(-float(value)).rjust(n, "0")
        return value.rjust(n, "0")
    if value < 0:
        return "-" + js_number_str(-value).rjust(n, "0")
    return js_number_str(value).rjust(n, "0")


def _num(value: int | float, pad: int = 0) -> str:
    """luxon ``Formatter#num`` for en-US (no grouping, up to 3 decimals)."""
    if isinstance(value, float) and math.isfinite(value):
        value = round(value * 1000) / 1000
    return _pad_start(value, pad)


# ---- Intl-like helpers for macro tokens ---------------------------------------------------------


def _h12(h: int) -> int:
    return 12 if h % 12 == 0 else h % 12


def _meridiem(d: DVDate) -> str:
    return MERIDIEMS[0 if d.hour < 12 else 1]


def _intl_zone_name(d: DVDate, style: str) -> str:
    zone = d.zone
    if isinstance(zone, FixedOffsetZone):
        off = zone.fixed
        if off == 0:
            return "Coordinated Universal Time" if style == "long" else "UTC"
        if off % 60 == 0:
            h = int(off // 60)
            if style == "long":
                return f"GMT{'+' if h >= 0 else '-'}{abs(h):02d}:00"
            return f"GMT{'+' if h >= 0 else '-'}{abs(h)}"
        return "Coordinated Universal Time" if style == "long" else "UTC"
    return zone.offset_name(d.ts, style)


def _date_short(d: DVDate) -> str:
    return f"{d.month}/{d.day}/{d.year}"


def _date_med(d: DVDate) -> str:
    return f"{MONTHS_SHORT[d.month - 1]} {d.day}, {d.year}"


def _date_full(d: DVDate) -> str:
    return f"{MONTHS_LONG[d.month - 1]} {d.day}, {d.year}"


def _date_huge(d: DVDate) -> str:
    return f"{WEEKDAYS_LONG[d.weekday - 1]}, {_date_full(d)}"


def _time_12(d: DVDate, seconds: bool) -> str:
    s = f"{_h12(d.hour)}:{d.minute:02d}"
    if seconds:
        s += f":{d.second:02d}"
    return s + " " + _meridiem(d)


def _time_24(d: DVDate, seconds: bool) -> str:
    s = f"{d.hour:02d}:{d.minute:02d}"
    if seconds:
        s += f":{d.second:02d}"
    return s


_MACROS: dict[str, Callable[[DVDate], str]] = {
    "D": _date_short,
    "DD": _date_med,
    "DDD": _date_full,
    "DDDD": _date_huge,
    "t": lambda d: _time_12(d, False),
    "tt": lambda d: _time_12(d, True),
    "ttt": lambda d: _time_12(d, True) + " " + _intl_zone_name(d, "short"),
    "tttt": lambda d: _time_12(d, True) + " " + _intl_zone_name(d, "long"),
    "T": lambda d: _time_24(d, False),
    "TT": lambda d: _time_24(d, True),
    "TTT": lambda d: _time_24(d, True) + " " + _intl_zone_name(d, "short"),
    "TTTT": lambda d: _time_24(d, True) + " " + _intl_zone_name(d, "long"),
    "f": lambda d: _date_short(d) + ", " + _time_12(d, False),
    "ff": lambda d: _date_med(d) + ", " + _time_12(d, False),
    "fff": lambda d: _date_full(d) + " at " + _time_12(d, False) + " "
    + _intl_zone_name(d, "short"),
    "ffff": lambda d: _date_huge(d) + " at " + _time_12(d, False) + " "
    + _intl_zone_name(d, "long"),
    "F": lambda d: _date_short(d) + ", " + _time_12(d, True),
    "FF": lambda d: _date_med(d) + ", " + _time_12(d, True),
    "FFF": lambda d: _date_full(d) + " at " + _time_12(d, True) + " "
    + _intl_zone_name(d, "short"),
    "FFFF": lambda d: _date_huge(d) + " at " + _time_12(d, True) + " "
    + _intl_zone_name(d, "long"),
}


def _year_tail(y: int, n: int) -> str:
    """``num(year.toString().slice(-n), n)``."""
    return _pad_start(js_number_str(y)[-n:], n)


_TOKENS: dict[str, Callable[[DVDate], str]] = {
    # milliseconds / fractional seconds
    "S": lambda d: _num(d.millisecond),
    "SSS": lambda d: _num(d.millisecond, 3),
    "u": lambda d: _num(d.millisecond, 3),
    "uu": lambda d: _num(d.millisecond // 10, 2),
    "uuu": lambda d: _num(d.millisecond // 100),
    # seconds, minutes, hours
    "s": lambda d: _num(d.second),
    "ss": lambda d: _num(d.second, 2),
    "m": lambda d: _num(d.minute),
    "mm": lambda d: _num(d.minute, 2),
    "h": lambda d: _num(_h12(d.hour)),
    "hh": lambda d: _num(_h12(d.hour), 2),
    "H": lambda d: _num(d.hour),
    "HH": lambda d: _num(d.hour, 2),
    # offsets and zones
    "Z": lambda d: d.zone.format_offset(d.ts, "narrow"),
    "ZZ": lambda d: d.zone.format_offset(d.ts, "short"),
    "ZZZ": lambda d: d.zone.format_offset(d.ts, "techie"),
    "ZZZZ": lambda d: d.zone.offset_name(d.ts, "short"),
    "ZZZZZ": lambda d: d.zone.offset_name(d.ts, "long"),
    "z": lambda d: d.zone_name,
    # meridiem
    "a": _meridiem,
    # days
    "d": lambda d: _num(d.day),
    "dd": lambda d: _num(d.day, 2),
    # weekdays (standalone and format forms are identical in English)
    "c": lambda d: _num(d.weekday),
    "ccc": lambda d: WEEKDAYS_SHORT[d.weekday - 1],
    "cccc": lambda d: WEEKDAYS_LONG[d.weekday - 1],
    "ccccc": lambda d: WEEKDAYS_NARROW[d.weekday - 1],
    "E": lambda d: _num(d.weekday),
    "EEE": lambda d: WEEKDAYS_SHORT[d.weekday - 1],
    "EEEE": lambda d: WEEKDAYS_LONG[d.weekday - 1],
    "EEEEE": lambda d: WEEKDAYS_NARROW[d.weekday - 1],
    # months
    "L": lambda d: _num(d.month),
    "LL": lambda d: _num(d.month, 2),
    "LLL": lambda d: MONTHS_SHORT[d.month - 1],
    "LLLL": lambda d: MONTHS_LONG[d.month - 1],
    "LLLLL": lambda d: MONTHS_NARROW[d.month - 1],
    "M": lambda d: _num(d.month),
    "MM": lambda d: _num(d.month, 2),
    "MMM": lambda d: MONTHS_SHORT[d.month - 1],
    "MMMM": lambda d: MONTHS_LONG[d.month - 1],
    "MMMMM": lambda d: MONTHS_NARROW[d.month - 1],
    # years
    "y": lambda d: _num(d.year),
    "yy": lambda d: _year_tail(d.year, 2),
    "yyyy": lambda d: _num(d.year, 4),
    "yyyyyy": lambda d: _num(d.year, 6),
    # eras (luxon: year < 0 is BC, year 0 counts as AD)
    "G": lambda d: ERAS["short"][0 if d.year < 0 else 1],
    "GG": lambda d: ERAS["long"][0 if d.year < 0 else 1],
    "GGGGG": lambda d: ERAS["narrow"][0 if d.year < 0 else 1],
    # ISO week year / number
    "kk": lambda d: _year_tail(d.week_year, 2),
    "kkkk": lambda d: _num(d.week_year, 4),
    "W": lambda d: _num(d.week_number),
    "WW": lambda d: _num(d.week_number, 2),
    # locale (en-US) week number / year: weeks start on Sunday, week 1 contains Jan 1
    "n": lambda d: _num(d.local_week_number),
    "nn": lambda d: _num(d.local_week_number, 2),
    "ii": lambda d: _year_tail(d.local_week_year, 2),
    "iiii": lambda d: _num(d.local_week_year, 4),
    # ordinal day, quarter
    "o": lambda d: _num(d.ordinal),
    "ooo": lambda d: _num(d.ordinal, 3),
    "q": lambda d: _num(d.quarter),
    "qq": lambda d: _num(d.quarter, 2),
    # epoch
    "X": lambda d: _num(math.floor(d.ts / 1000)),
    "x": lambda d: _num(d.ts),
}


def format_datetime(d: DVDate, fmt: str, locale: str = "en-US") -> str:
    """luxon ``DateTime#toFormat`` (en-US strings whatever ``locale`` says).

    Unknown tokens are emitted verbatim (``yyy`` -> ``yyy``), quoted text is literal, and an
    invalid date formats as ``Invalid DateTime``.
    """
    if not d.is_valid:
        return "Invalid DateTime"
    out: list[str] = []
    for tok in parse_format(fmt):
        if tok.literal:
            out.append(tok.val)
            continue
        fn = _TOKENS.get(tok.val) or _MACROS.get(tok.val)
        out.append(fn(d) if fn is not None else tok.val)
    return "".join(out)


# =================================================================================================
# Duration formatting
# =================================================================================================

_DUR_TOKEN_UNITS = {
    "S": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days",
    "w": "weeks", "M": "months", "y": "years",
}


def format_duration(d: Duration, fmt: str) -> str:
    """luxon ``Duration#toFormat``: tokens ``S s m h d w M y`` padded by repetition (``hh``),
    quoted literals; the duration is first shifted to exactly the units in the format, so larger
    units fold into the ones present (``90 minutes`` with ``m`` -> ``90``).  Values are floored."""
    tokens = parse_format(fmt)
    units = [_DUR_TOKEN_UNITS[t.val[0]] for t in tokens
             if not t.literal and t.val[0] in _DUR_TOKEN_UNITS]
    collapsed = d.shift_to(*units) if units else d
    out: list[str] = []
    for tok in tokens:
        if tok.literal:
            out.append(tok.val)
            continue
        unit = _DUR_TOKEN_UNITS.get(tok.val[0])
        if unit is None:
            out.append(tok.val)
        else:
            out.append(_pad_start(js_floor(collapsed.get(unit)), len(tok.val)))
    return "".join(out)


# =================================================================================================
# Parsing with a format (DateTime.fromFormat)
# =================================================================================================

_ONE_OR_TWO = "[0-9][0-9]?"


def _one_of(strings: Sequence[str], start: int) -> tuple[str, Callable[[list[str]], int]]:
    regex = "|".join(re.escape(s) for s in strings)

    def deser(groups: list[str]) -> int:
        low = groups[0].lower()
        for i, s in enumerate(strings):
            if s.lower() == low:
                return i + start
        return -1

    return f"(?:{regex})", deser


def _int_unit(regex: str, post: Callable[[int], int] | None = None):  # type: ignore[no-untyped-def]
    def deser(groups: list[str]) -> int:
        v = int(groups[0])
        return post(v) if post else v

    return regex, deser


def _untruncate_year(year: int) -> int:
    if year > 99:
        return year
    return 1900 + year if year > 60 else 2000 + year


def _offset_deser(groups: list[str]) -> int:
    hour, minute = groups[0], groups[1] if len(groups) > 1 else None
    off_hour = int(hour)
    off_min = int(minute) if minute else 0
    return off_hour * 60 + (-off_min if hour.startswith("-") else off_min)


_UNSUPPORTED_PARSE = frozenset({"W", "WW", "kk", "kkkk", "n", "nn", "ii", "iiii", "ZZZZ",
                                "ZZZZZ"} | set(_MACROS))


def _unit_for_token(tok: str) -> tuple[str, Callable[[list[str]], object], int] | None:
    """(regex, deserialiser, number of capture groups) for a token, ``None`` if literal."""
    simple = {
        "y": _int_unit("[0-9]+"),
        "yy": _int_unit("[0-9]{2,4}", _untruncate_year),
        "yyyy": _int_unit("[0-9]{4}"),
        "yyyyy": _int_unit("[0-9]{4,6}"),
        "yyyyyy": _int_unit("[0-9]{6}"),
        "M": _int_unit(_ONE_OR_TWO),
        "MM": _int_unit("[0-9]{2}"),
        "MMM": _one_of(MONTHS_SHORT, 1),
        "MMMM": _one_of(MONTHS_LONG, 1),
        "L": _int_unit(_ONE_OR_TWO),
        "LL": _int_unit("[0-9]{2}"),
        "LLL": _one_of(MONTHS_SHORT, 1),
        "LLLL": _one_of(MONTHS_LONG, 1),
        "d": _int_unit(_ONE_OR_TWO),
        "dd": _int_unit("[0-9]{2}"),
        "o": _int_unit("[0-9]{1,3}"),
        "ooo": _int_unit("[0-9]{3}"),
        "HH": _int_unit("[0-9]{2}"),
        "H": _int_unit(_ONE_OR_TWO),
        "hh": _int_unit("[0-9]{2}"),
        "h": _int_unit(_ONE_OR_TWO),
        "mm": _int_unit("[0-9]{2}"),
        "m": _int_unit(_ONE_OR_TWO),
        "q": _int_unit(_ONE_OR_TWO),
        "qq": _int_unit("[0-9]{2}"),
        "s": _int_unit(_ONE_OR_TWO),
        "ss": _int_unit("[0-9]{2}"),
        "S": _int_unit("[0-9]{1,3}"),
        "SSS": _int_unit("[0-9]{3}"),
        "u": ("[0-9]{1,9}", lambda g: g[0]),
        "uu": ("[0-9][0-9]?", lambda g: g[0]),
        "uuu": _int_unit("[0-9]"),
        "a": _one_of(MERIDIEMS, 0),
        "E": _int_unit("[0-9]"),
        "c": _int_unit("[0-9]"),
        "EEE": _one_of(WEEKDAYS_SHORT, 1),
        "EEEE": _one_of(WEEKDAYS_LONG, 1),
        "ccc": _one_of(WEEKDAYS_SHORT, 1),
        "cccc": _one_of(WEEKDAYS_LONG, 1),
        "G": _one_of(ERAS["short"], 0),
        "GG": _one_of(ERAS["long"], 0),
        "z": ("[a-z_+,\\-./]{1,256}?", lambda g: g[0]),
        "X": _int_unit("-?[0-9]+"),
        "x": _int_unit("-?[0-9]+"),
    }
    if tok in simple:
        regex, deser = simple[tok]
        return f"({regex})", deser, 1
    if tok in ("Z", "ZZ"):
        return "([+-][0-9][0-9]?)(?::([0-9]{2}))?", _offset_deser, 2
    if tok == "ZZZ":
        return "([+-][0-9][0-9]?)([0-9]{2})?", _offset_deser, 2
    return None


@functools.lru_cache(maxsize=256)
def _compile_format(fmt: str) -> tuple[re.Pattern[str], tuple[tuple[str, Callable, int], ...]] | None:
    parts: list[str] = []
    handlers: list[tuple[str, Callable, int]] = []
    for tok in parse_format(fmt):
        if tok.literal:
            parts.append(re.escape(tok.val))
            continue
        if tok.val in _UNSUPPORTED_PARSE:
            return None
        unit = _unit_for_token(tok.val)
        if unit is None:
            parts.append(re.escape(tok.val))
            continue
        regex, deser, groups = unit
        parts.append(regex)
        handlers.append((tok.val[0], deser, groups))
    return re.compile("".join(parts), re.IGNORECASE), tuple(handlers)


def parse_with_format(
    text: str, fmt: str, zone: Zone | None = None, now: DVDate | None = None
) -> DVDate | None:
    """luxon ``DateTime.fromFormat(text, fmt)``; ``None`` where luxon gives an invalid DateTime.

    The whole text must match (case-insensitively).  Supported tokens: ``y yy yyyy yyyyy yyyyyy
    M MM MMM MMMM L LL LLL LLLL d dd o ooo H HH h hh a m mm s ss S SSS u uu uuu E EEE EEEE c ccc
    cccc q qq G GG Z ZZ ZZZ z x X``; other letters are literals.  Missing larger units come from
    *now*, missing smaller ones default to their minimum.  Out-of-range values (Feb 30, hour 25)
    give ``None``.  The result is in ``zone`` (default: local), even when the text had an offset.
    """
    target = LOCAL if zone is None else zone
    compiled = _compile_format(fmt)
    if compiled is None:
        return None
    regex, handlers = compiled
    m = regex.fullmatch(text)
    if m is None:
        return None
    matches: dict[str, object] = {}
    gi = 1
    for key, deser, groups in handlers:
        vals = [m.group(gi + k) for k in range(groups)]
        matches[key] = deser(vals)
        gi += groups
    if "x" in matches or "X" in matches:
        ms = matches["x"] if "x" in matches else matches["X"] * 1000  # type: ignore[operator]
        return DVDate.from_millis(ms, target)  # type: ignore[arg-type]
    if "a" in matches and "H" in matches:
        return None  # luxon: ConflictingSpecificationError
    parsed_zone: Zone | None = None
    if "z" in matches:
        parsed_zone = IANAZone.create(str(matches["z"]))
        if parsed_zone is None:
            return None
    if "Z" in matches and parsed_zone is None:
        parsed_zone = FixedOffsetZone(matches["Z"])  # type: ignore[arg-type]
    if "q" in matches:
        matches["M"] = (matches["q"] - 1) * 3 + 1  # type: ignore[operator]
    if "h" in matches:
        h = matches["h"]
        if h < 12 and matches.get("a") == 1:  # type: ignore[operator]
            matches["h"] = h + 12  # type: ignore[operator]
        elif h == 12 and matches.get("a") == 0:
            matches["h"] = 0
    if matches.get("G") == 0 and matches.get("y"):
        matches["y"] = -matches["y"]  # type: ignore[operator]
    if "u" in matches:
        frac = str(matches["u"])
        matches["S"] = math.floor(float("0." + frac) * 1000) if frac else None
    fields: dict[str, int] = {}
    for key, field_name in (("y", "year"), ("M", "month"), ("L", "month"), ("d", "day"),
                            ("h", "hour"), ("H", "hour"), ("m", "minute"), ("s", "second"),
                            ("S", "millisecond"), ("E", "weekday"), ("c", "weekday"),
                            ("o", "ordinal")):
        if key in matches and matches[key] is not None:
            fields[field_name] = matches[key]  # type: ignore[assignment]
    if not fields and parsed_zone is None:
        return None
    interp = parsed_zone or target
    now_ts = now.ts if now is not None else None
    if "ordinal" in fields:
        ordinal = fields.pop("ordinal")
        if "month" in fields or "day" in fields:
            return None
        year = fields.get("year")
        if year is None:
            year = DVDate(now_ts if now_ts is not None else DVDate.now().ts, interp).year
        if not 1 <= ordinal <= days_in_year(int(year)):
            return None
        base = days_from_civil(int(year), 1, 1) + ordinal - 1
        y, mo, d = civil_from_days(base)
        fields.update(year=y, month=mo, day=d)
    inst = DVDate.from_object(fields, interp, now_ts)
    if not inst.is_valid:
        return None
    return inst.set_zone(target)


# =================================================================================================
# Calendar arithmetic
# =================================================================================================


def plus(d: DVDate, dur: Duration) -> DVDate:
    """luxon ``DateTime#plus`` (calendar units in the date's zone, month ends clamp)."""
    return d.plus(dur)


def minus(d: DVDate, dur: Duration) -> DVDate:
    """luxon ``DateTime#minus``."""
    return d.minus(dur)


def _day_diff(earlier: DVDate, later: DVDate) -> int:
    a = days_from_civil(earlier.year, earlier.month, earlier.day)  # type: ignore[arg-type]
    b = days_from_civil(later.year, later.month, later.day)  # type: ignore[arg-type]
    return js_floor((b - a) * 86_400_000 / 86_400_000)  # type: ignore[return-value]


def _differ(unit: str, a: DVDate, b: DVDate) -> int:
    if unit == "years":
        return b.year - a.year  # type: ignore[return-value]
    if unit == "months":
        return b.month - a.month + (b.year - a.year) * 12  # type: ignore[return-value]
    days = _day_diff(a, b)
    if unit == "weeks":
        return int((days - int(math.fmod(days, 7))) / 7)
    return days


_HIGH_ORDER = ("years", "months", "weeks", "days")
_LOW_ORDER = ("hours", "minutes", "seconds", "milliseconds")


def _diff(earlier: DVDate, later: DVDate, units: Sequence[str]) -> Duration:
    results: dict[str, int | float] = {}
    cursor = earlier
    high_water: DVDate | None = None
    lowest: str | None = None
    for unit in _HIGH_ORDER:
        if unit not in units:
            continue
        lowest = unit
        results[unit] = _differ(unit, cursor, later)
        high_water = earlier.plus(Duration(results))
        if high_water.ts > later.ts:
            results[unit] -= 1
            cursor = earlier.plus(Duration(results))
            if cursor.ts > later.ts:
                high_water = cursor
                results[unit] -= 1
                cursor = earlier.plus(Duration(results))
        else:
            cursor = high_water
    remaining = later.ts - cursor.ts
    lower = [u for u in units if u in _LOW_ORDER]
    if not lower and lowest is not None and high_water is not None:
        if high_water.ts < later.ts:
            high_water = cursor.plus(Duration({lowest: 1}))
        if high_water is not cursor:
            span = high_water.ts - cursor.ts
            extra = remaining / span if span else math.nan
            results[lowest] = results.get(lowest, 0) + extra
    duration = Duration(results)
    if lower:
        return Duration.from_millis(remaining).shift_to(*lower).plus(duration)
    return duration


def diff_units(a: DVDate, b: DVDate, units: Sequence[str] = ("milliseconds",)) -> Duration:
    """luxon ``a.diff(b, units)``: the (signed) calendar difference ``a - b`` in ``units``."""
    if not a.is_valid or not b.is_valid:
        raise ValueError("created by diffing an invalid DateTime")
    norm = []
    for u in units:
        nu = u if u.endswith("s") else u + "s"
        if nu not in _HIGH_ORDER and nu not in _LOW_ORDER:
            raise ValueError(f"Invalid unit {u}")
        norm.append(nu)
    other_is_later = b.ts > a.ts
    earlier, later = (a, b) if other_is_later else (b, a)
    result = _diff(earlier, later, norm)
    return result.negate() if other_is_later else result


_DATAVIEW_DIFF_UNITS = ("years", "months", "days", "hours", "minutes", "seconds", "milliseconds")


def diff(a: DVDate, b: DVDate) -> Duration:
    """Dataview's ``date - date`` (§3.5): luxon diff in years, months, days, hours, minutes,
    seconds and milliseconds, then normalised (``shiftToAll().normalize()``).
    ``date(2021-03-01) - date(2021-01-15)`` -> ``1 month, 2 weeks``."""
    return diff_units(a, b, _DATAVIEW_DIFF_UNITS).normalized()
