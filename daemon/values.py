"""Dataview's value model, re-implemented in Python.

Dataview (obsidian-dataview 0.5.70, see ``shared/reference/dataview.md``) works on a small set of
JavaScript values: ``null``, numbers, strings, booleans, luxon ``DateTime`` / ``Duration`` objects,
``Link`` objects, arrays, plain objects, widgets and functions.  Everything downstream (the index,
the evaluator, the renderers) needs to agree on *one* Python model for those values, with the same
quirks Dataview has, so this module is the single place where that model lives:

* Python representation: ``None``, ``bool``, ``int | float`` (numbers; integral numbers are kept as
  ``int`` because that is how JavaScript prints them), ``str``, ``list``, ``dict`` (insertion
  ordered), :class:`Link`, :class:`DVDate`, :class:`Duration`, :class:`Widget` and Python callables
  (Dataview "function" values).
* Parsing of the literal grammars used when indexing notes (§1.4, §1.6, §3.2).
* The total order / equality / truthiness rules (§3.7, §3.8) including their quirks.
* ``toString`` (§3.9), the JSON result encoding (§8) and a lossless storage encoding for SQLite.

Calendar arithmetic and formatting that mirror luxon live in :mod:`gardend.daemon.luxon`; this
module keeps the primitives both need (zones, the civil calendar, ``DateTime.set`` semantics).
"""

from __future__ import annotations

import bisect
import functools
import math
import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC as _PY_UTC
from datetime import date as _date
from datetime import datetime as _datetime
from datetime import timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo, available_timezones

#: A Dataview value.  Kept as ``Any`` for static checking because the union is recursive
#: (``None | bool | int | float | str | list[Value] | dict[str, Value] | Link | DVDate | Duration |
#: Widget | Callable``).
Value: TypeAlias = Any

# =================================================================================================
# JavaScript number helpers
# =================================================================================================

#: JavaScript's ``Number.MAX_SAFE_INTEGER``: integral floats up to this are represented as ``int``.
MAX_SAFE_INTEGER = 2**53 - 1


def is_number(v: object) -> bool:
    """True for Dataview numbers (``int``/``float`` but not ``bool``, which subclasses ``int``)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def clean_number(x: int | float) -> int | float:
    """Return ``x`` as ``int`` when it is an integral float that JS would print without a decimal.

    JavaScript has a single number type; we keep ``int`` where possible so that ``str()``/JSON of
    computed values look like JavaScript output (``1`` rather than ``1.0``).  ``-0.0`` becomes ``0``
    (JavaScript prints ``-0`` as ``0`` too).  NaN and infinities stay floats.
    """
    if isinstance(x, float) and x.is_integer() and -MAX_SAFE_INTEGER <= x <= MAX_SAFE_INTEGER:
        return int(x)
    return x


def js_number_str(x: int | float) -> str:
    """JavaScript ``String(n)`` for a number (``Number::toString`` of ECMA-262).

    ``1.5`` -> ``"1.5"``, ``1.0`` -> ``"1"``, ``1e21`` -> ``"1e+21"``, ``1e-7`` -> ``"1e-7"``,
    ``NaN`` -> ``"NaN"``, ``-0`` -> ``"0"``.  Python's ``repr`` already yields the shortest
    round-tripping digits (the same digits JavaScript chooses), so only the layout differs.
    """
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        if -MAX_SAFE_INTEGER <= x <= MAX_SAFE_INTEGER:
            return str(x)
        x = float(x)
    if x != x:
        return "NaN"
    if x == math.inf:
        return "Infinity"
    if x == -math.inf:
        return "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    r = repr(abs(x))
    mant, _, exp_s = r.partition("e")
    int_part, _, frac_part = mant.partition(".")
    digits = int_part + frac_part
    stripped = digits.lstrip("0")
    lead = len(digits) - len(stripped)
    # value = 0.<digits> * 10^n
    n = len(int_part) - lead + (int(exp_s) if exp_s else 0)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        es = ("+" if e >= 0 else "-") + str(abs(e))
        out = digits + "e" + es if k == 1 else digits[0] + "." + digits[1:] + "e" + es
    return sign + out


def js_trunc(x: int | float) -> int | float:
    """``Math.trunc`` (NaN/infinities pass through instead of raising)."""
    if isinstance(x, int) or not math.isfinite(x):
        return x
    return math.trunc(x)


def js_floor(x: int | float) -> int | float:
    """``Math.floor`` (NaN/infinities pass through instead of raising)."""
    if isinstance(x, int) or not math.isfinite(x):
        return x
    return math.floor(x)


def js_div(a: int | float, b: int | float) -> int | float:
    """JavaScript ``a / b``: division by zero yields ``±Infinity`` or ``NaN`` instead of raising."""
    try:
        return clean_number(a / b)
    except ZeroDivisionError:
        if a == 0 or a != a:
            return math.nan
        neg = (a < 0) != (math.copysign(1.0, float(b)) < 0)
        return -math.inf if neg else math.inf


def js_mod(a: int | float, b: int | float) -> int | float:
    """JavaScript ``a % b`` (result has the sign of the dividend; ``x % 0`` is NaN)."""
    if isinstance(a, int) and isinstance(b, int):
        if b == 0:
            return math.nan
        r = abs(a) % abs(b)
        return r if a >= 0 else -r
    fa, fb = float(a), float(b)
    if fb == 0 or math.isinf(fa) or fa != fa or fb != fb:
        return math.nan
    if math.isinf(fb):
        return clean_number(fa)
    return clean_number(math.fmod(fa, fb))


def _fmod1(x: int | float) -> int | float:
    """``x % 1`` in JavaScript."""
    if isinstance(x, int):
        return 0
    if not math.isfinite(x):
        return math.nan
    return math.fmod(x, 1.0)


# =================================================================================================
# Unicode helpers: JS whitespace, emoji, canonical keys, header normalisation
# =================================================================================================

#: The characters matched by JavaScript's ``\s`` (which differs from Python's ``str.isspace``:
#: Python counts U+001C..U+001F and U+0085, JavaScript counts U+FEFF).
JS_WHITESPACE = (
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_JS_WS_SET = frozenset(JS_WHITESPACE)
_JS_WS_CLASS = re.escape(JS_WHITESPACE)
_RE_JS_WS_RUN = re.compile(f"[{_JS_WS_CLASS}]+")


def js_trim(s: str) -> str:
    """JavaScript ``String.prototype.trim`` (strips exactly the JS whitespace set)."""
    return s.strip(JS_WHITESPACE)


# Extended_Pictographic code point ranges (Unicode emoji-data.txt, stable since Unicode 13; the
# property reserves whole blocks for future emoji so newer code points are covered as well).
# Dataview uses the `emoji-regex` package (all RGI emoji, incl. sequences); we approximate it with
# this property plus the sequence grammar in `match_emoji`.  Chosen because it is the Unicode
# property designed for "is this an emoji-like pictograph" and it needs no third-party data.
_EXT_PICT_RANGES: tuple[tuple[int, int], ...] = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328),
    (0x2388, 0x2388), (0x23CF, 0x23CF), (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2),
    (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2605),
    (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712), (0x2714, 0x2714),
    (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721), (0x2728, 0x2728), (0x2733, 0x2734),
    (0x2744, 0x2744), (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755),
    (0x2757, 0x2757), (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50),
    (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F), (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171),
    (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA), (0x1F400, 0x1F53D), (0x1F546, 0x1F64F),
    (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F), (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF),
    (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945), (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)
_EXT_PICT_STARTS = [r[0] for r in _EXT_PICT_RANGES]


def is_extended_pictographic(c: str) -> bool:
    """Whether the single character ``c`` has the Unicode Extended_Pictographic property."""
    cp = ord(c)
    if cp < 0xA9:
        return False
    i = bisect.bisect_right(_EXT_PICT_STARTS, cp) - 1
    return i >= 0 and cp <= _EXT_PICT_RANGES[i][1]


def _is_skin_tone(c: str) -> bool:
    return "\U0001f3fb" <= c <= "\U0001f3ff"


def _is_regional_indicator(c: str) -> bool:
    return "\U0001f1e6" <= c <= "\U0001f1ff"


def match_emoji(s: str, i: int) -> int:
    """If an emoji (sequence) starts at ``s[i]``, return the index after it, else ``i``.

    Recognised: keycaps (``1️⃣``), flags (regional-indicator pairs), tag sequences (🏴 + tags),
    Extended_Pictographic characters with optional variation selector / skin-tone modifier, joined
    by ZWJ into sequences (👩‍💻), and a lone skin-tone modifier.
    """
    n = len(s)
    if i >= n:
        return i
    c = s[i]
    if c in "0123456789#*":
        j = i + 1
        if j < n and s[j] == "\ufe0f":
            j += 1
        if j < n and s[j] == "\u20e3":
            return j + 1
        return i
    if _is_regional_indicator(c):
        if i + 1 < n and _is_regional_indicator(s[i + 1]):
            return i + 2
        return i
    if _is_skin_tone(c):
        return i + 1
    if not is_extended_pictographic(c):
        return i
    j = i + 1
    while True:
        if j < n and s[j] in "\ufe0f\ufe0e":
            j += 1
        if j < n and _is_skin_tone(s[j]):
            j += 1
        # Tag sequence (subdivision flags).
        if c == "\U0001f3f4" and j < n and "\U000e0020" <= s[j] <= "\U000e007e":
            k = j
            while k < n and "\U000e0020" <= s[k] <= "\U000e007e":
                k += 1
            if k < n and s[k] == "\U000e007f":
                j = k + 1
        if j + 1 < n and s[j] == "\u200d" and is_extended_pictographic(s[j + 1]):
            c = s[j + 1]
            j += 2
            continue
        return j


def _is_word_char(c: str) -> bool:
    """``[0-9\\p{Letter}_-]`` (ASCII digits only, as in Dataview's regexes)."""
    return c.isalpha() or ("0" <= c <= "9") or c == "_" or c == "-"


@functools.lru_cache(maxsize=16384)
def canonical_key(raw: str) -> str:
    """Dataview's ``canonicalizeVarName`` (§1.5): the lower-case, query-friendly key.

    Scans left to right: an emoji is kept as is, a run of ``[0-9\\p{Letter}_-]`` is lower-cased,
    a run of whitespace becomes one ``-``, anything else is dropped.
    ``"Due Date"`` -> ``"due-date"``, ``"🎉 Party"`` -> ``"🎉-party"``, ``"Some/Path"`` -> ``"somepath"``.
    """
    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        e = match_emoji(raw, i)
        if e > i:
            out.append(raw[i:e])
            i = e
            continue
        c = raw[i]
        if _is_word_char(c):
            j = i + 1
            while j < n and _is_word_char(raw[j]):
                j += 1
            out.append(raw[i:j].lower())
            i = j
        elif c in _JS_WS_SET:
            j = i + 1
            while j < n and raw[j] in _JS_WS_SET:
                j += 1
            out.append("-")
            i = j
        else:
            i += 1
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def normalize_header_for_link(header: str) -> str:
    """Dataview's ``normalizeHeaderForLink`` (§1.7): keep emoji and word runs, turn everything
    else into spaces, collapse whitespace, trim.  ``"Head ing!"`` -> ``"Head ing"``."""
    out: list[str] = []
    i, n = 0, len(header)
    while i < n:
        e = match_emoji(header, i)
        if e > i:
            out.append(header[i:e])
            i = e
            continue
        c = header[i]
        if _is_word_char(c):
            j = i + 1
            while j < n and _is_word_char(header[j]):
                j += 1
            out.append(header[i:j])
            i = j
        else:
            out.append(" ")
            i += 1
    return " ".join(p for p in _RE_JS_WS_RUN.split("".join(out)) if p)


# =================================================================================================
# Time zones
# =================================================================================================

_UTC_ALIASES = frozenset(
    {"utc", "etc/utc", "etc/gmt", "gmt", "etc/universal", "universal", "etc/zulu", "zulu",
     "uct", "etc/uct", "etc/gmt0", "etc/gmt+0", "etc/gmt-0", "gmt0", "gmt+0", "gmt-0",
     "greenwich", "etc/greenwich"}
)

_MIN_SAFE_SEC = -62135596800 + 2 * 86400  # 0001-01-03T00:00:00Z
_MAX_SAFE_SEC = 253402300799 - 2 * 86400  # 9999-12-29T23:59:59Z

#: JavaScript ``Date`` range (±8.64e15 ms); luxon DateTimes outside it are invalid.
_MAX_TS = 8_640_000_000_000_000


def _om(minutes: int | float) -> int:
    """Offset minutes -> milliseconds (offsets may be fractional for historic LMT offsets)."""
    if isinstance(minutes, int):
        return minutes * 60000
    return round(minutes * 60000)


def _tz_offset_minutes(tz: tzinfo, ts: int) -> int | float:
    """UTC offset (minutes) of the ``tzinfo`` at the instant ``ts`` (epoch ms)."""
    sec = ts // 1000
    if sec < _MIN_SAFE_SEC:
        sec = _MIN_SAFE_SEC
    elif sec > _MAX_SAFE_SEC:
        sec = _MAX_SAFE_SEC
    off = _datetime.fromtimestamp(sec, tz).utcoffset()
    if off is None:
        return 0
    secs = off.days * 86400 + off.seconds
    return secs // 60 if secs % 60 == 0 else secs / 60


def _format_offset(offset: int | float, fmt: str) -> str:
    """luxon ``formatOffset``: ``narrow`` (+5, +5:30), ``short`` (+05:00), ``techie`` (+0500)."""
    hours = int(abs(offset / 60))
    minutes = int(abs(math.fmod(offset, 60)))
    sign = "+" if offset >= 0 else "-"
    if fmt == "short":
        return f"{sign}{hours:02d}:{minutes:02d}"
    if fmt == "narrow":
        return f"{sign}{hours}" + (f":{minutes}" if minutes > 0 else "")
    if fmt == "techie":
        return f"{sign}{hours:02d}{minutes:02d}"
    raise ValueError(f"unknown offset format {fmt!r}")


# Short / long zone names as ICU prints them for en-US.  ICU only has abbreviations for the US
# metazones in en-US; other zones print as "GMT+1".  Long names are given for the most common
# metazones; others fall back to ICU's "GMT+01:00" style.
_US_ABBREVIATIONS = frozenset(
    {"EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "AKST", "AKDT", "HST", "HDT"}
)
_LONG_NAMES: dict[str, tuple[str, str]] = {
    "E": ("Eastern Standard Time", "Eastern Daylight Time"),
    "C": ("Central Standard Time", "Central Daylight Time"),
    "M": ("Mountain Standard Time", "Mountain Daylight Time"),
    "P": ("Pacific Standard Time", "Pacific Daylight Time"),
    "AK": ("Alaska Standard Time", "Alaska Daylight Time"),
    "H": ("Hawaii-Aleutian Standard Time", "Hawaii-Aleutian Daylight Time"),
    "CE": ("Central European Standard Time", "Central European Summer Time"),
    "EE": ("Eastern European Standard Time", "Eastern European Summer Time"),
    "WE": ("Western European Standard Time", "Western European Summer Time"),
}
_ABBR_TO_LONG: dict[str, str] = {}
for _k, (_std, _dst) in _LONG_NAMES.items():
    _ABBR_TO_LONG[_k + "ST"] = _std
    _ABBR_TO_LONG[_k + "DT"] = _dst
_ABBR_TO_LONG["CET"] = _LONG_NAMES["CE"][0]
_ABBR_TO_LONG["CEST"] = _LONG_NAMES["CE"][1]
_ABBR_TO_LONG["EET"] = _LONG_NAMES["EE"][0]
_ABBR_TO_LONG["EEST"] = _LONG_NAMES["EE"][1]
_ABBR_TO_LONG["WET"] = _LONG_NAMES["WE"][0]
_ABBR_TO_LONG["WEST"] = _LONG_NAMES["WE"][1]
_ABBR_TO_LONG["BST"] = "British Summer Time"
_ABBR_TO_LONG["JST"] = "Japan Standard Time"
_AMERICAN_ZONES = frozenset(
    {"EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT", "EST", "MST", "HST", "Pacific/Honolulu",
     "Pacific/Johnston"}
)


def _is_american(name: str) -> bool:
    return name.startswith(("America/", "US/")) or name in _AMERICAN_ZONES


def _gmt_name(offset: int | float, long: bool) -> str:
    if offset == 0:
        return "GMT"
    if long:
        return "GMT" + _format_offset(offset, "short")
    return "GMT" + _format_offset(offset, "narrow")


def _iana_offset_name(name: str, tz: tzinfo, ts: int, style: str) -> str:
    if name.lower() in _UTC_ALIASES:
        return "Coordinated Universal Time" if style == "long" else "UTC"
    sec = min(max(ts // 1000, _MIN_SAFE_SEC), _MAX_SAFE_SEC)
    d = _datetime.fromtimestamp(sec, tz)
    abbr = d.tzname() or ""
    off = _tz_offset_minutes(tz, ts)
    american = _is_american(name)
    if style == "short":
        return abbr if american and abbr in _US_ABBREVIATIONS else _gmt_name(off, False)
    if abbr == "GMT" and off == 0:
        return "Greenwich Mean Time"
    if abbr in _ABBR_TO_LONG and american == (abbr in _US_ABBREVIATIONS):
        if abbr == "JST" and name != "Asia/Tokyo":
            return _gmt_name(off, True)
        return _ABBR_TO_LONG[abbr]
    return _gmt_name(off, True)


class Zone:
    """A luxon-like zone.  Equality follows luxon's ``Zone#equals`` (type + identity)."""

    __slots__ = ()
    #: luxon zone type: ``"system"``, ``"fixed"`` or ``"iana"``.
    type: str = "abstract"

    @property
    def name(self) -> str:
        """luxon ``zone.name`` (what the ``z`` format token prints)."""
        raise NotImplementedError

    @property
    def key(self) -> str:
        """Stable identity used by the storage encoding (``"local"`` for the system zone)."""
        return self.name

    @property
    def is_universal(self) -> bool:
        """True for fixed-offset zones (luxon ``isUniversal``)."""
        return False

    def offset(self, ts: int) -> int | float:
        """Offset from UTC in minutes at instant ``ts`` (epoch milliseconds)."""
        raise NotImplementedError

    def offset_name(self, ts: int, style: str = "short") -> str:
        """Zone name as Intl prints it for en-US (``EST`` / ``Eastern Standard Time``)."""
        raise NotImplementedError

    def format_offset(self, ts: int, fmt: str) -> str:
        """luxon ``zone.formatOffset(ts, format)``."""
        return _format_offset(self.offset(ts), fmt)

    def tzinfo(self) -> tzinfo:
        """A Python ``tzinfo`` for interop with :mod:`datetime`."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key}>"


class FixedOffsetZone(Zone):
    """A fixed UTC offset (luxon ``FixedOffsetZone``), named ``UTC`` / ``UTC+2`` / ``UTC-5:30``."""

    __slots__ = ("fixed",)
    type = "fixed"

    def __init__(self, minutes: int | float) -> None:
        self.fixed = clean_number(minutes)

    @property
    def name(self) -> str:
        if self.fixed == 0:
            return "UTC"
        return "UTC" + _format_offset(self.fixed, "narrow")

    @property
    def is_universal(self) -> bool:
        return True

    def offset(self, ts: int) -> int | float:
        return self.fixed

    def offset_name(self, ts: int, style: str = "short") -> str:
        return self.name

    def tzinfo(self) -> tzinfo:
        if self.fixed == 0:
            return _PY_UTC
        return timezone(timedelta(minutes=self.fixed))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FixedOffsetZone) and other.fixed == self.fixed

    def __hash__(self) -> int:
        return hash(("fixed", self.fixed))


_IANA_LOWER: dict[str, str] | None = None
_IANA_LOCK = threading.Lock()


def _load_zoneinfo(name: str) -> tuple[str, ZoneInfo] | None:
    """Load an IANA zone, case-insensitively (Intl accepts any case; the filesystem does not)."""
    global _IANA_LOWER
    if not name or "\x00" in name:
        return None
    try:
        return name, ZoneInfo(name)
    except Exception:
        pass
    with _IANA_LOCK:
        if _IANA_LOWER is None:
            try:
                _IANA_LOWER = {z.lower(): z for z in available_timezones()}
            except Exception:
                _IANA_LOWER = {}
        real = _IANA_LOWER.get(name.lower())
    if real is None:
        return None
    try:
        return real, ZoneInfo(real)
    except Exception:
        return None


class IANAZone(Zone):
    """An IANA zone (luxon ``IANAZone``).  The name is kept as written, as luxon does."""

    __slots__ = ("_name", "_tz")
    type = "iana"
    _cache: dict[str, IANAZone | None] = {}

    def __init__(self, name: str, tz: tzinfo) -> None:
        self._name = name
        self._tz = tz

    @classmethod
    def create(cls, name: str) -> IANAZone | None:
        """The zone called ``name`` or ``None`` when it is not a valid IANA zone."""
        if name in cls._cache:
            return cls._cache[name]
        loaded = _load_zoneinfo(name)
        zone = cls(name, loaded[1]) if loaded else None
        cls._cache[name] = zone
        return zone

    @property
    def name(self) -> str:
        return self._name

    def offset(self, ts: int) -> int | float:
        return _tz_offset_minutes(self._tz, ts)

    def offset_name(self, ts: int, style: str = "short") -> str:
        return _iana_offset_name(self._name, self._tz, ts, style)

    def tzinfo(self) -> tzinfo:
        return self._tz

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IANAZone) and other._name == self._name

    def __hash__(self) -> int:
        return hash(("iana", self._name))


@dataclass(frozen=True)
class _LocalInfo:
    name: str
    tz: tzinfo
    fixed: int | float | None  # constant offset (minutes) when the zone has no transitions


def _canonical_system_name(name: str) -> str:
    # V8/ICU report Etc/UTC and friends as "UTC".
    return "UTC" if name.lower() in _UTC_ALIASES else name


def _make_local_info(name: str, tz: tzinfo) -> _LocalInfo:
    fixed: int | float | None = None
    if isinstance(tz, timezone) or name.lower() in _UTC_ALIASES:
        fixed = _tz_offset_minutes(tz, 0)
    return _LocalInfo(_canonical_system_name(name), tz, fixed)


def _resolve_zone_spec(spec: str) -> _LocalInfo | None:
    s = spec.strip()
    if s.startswith(":"):
        s = s[1:]
    if not s:
        return None
    if s.startswith("/"):
        try:
            with open(s, "rb") as fh:
                tz = ZoneInfo.from_file(fh)
        except Exception:
            return None
        _, _, after = s.partition("zoneinfo/")
        return _make_local_info(after or "UTC", tz)
    loaded = _load_zoneinfo(s)
    if loaded is None:
        return None
    return _make_local_info(loaded[0], loaded[1])


def _resolve_system_zone() -> _LocalInfo:
    env = os.environ.get("TZ")
    if env:
        info = _resolve_zone_spec(env)
        if info is not None:
            return info
        return _make_local_info("UTC", _PY_UTC)
    try:
        target = os.path.realpath("/etc/localtime")
        _, sep, after = target.partition("zoneinfo/")
        if sep and after:
            loaded = _load_zoneinfo(after)
            if loaded is not None:
                return _make_local_info(loaded[0], loaded[1])
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as fh:
            info = _resolve_zone_spec(fh.read())
            if info is not None:
                return info
    except OSError:
        pass
    try:
        with open("/etc/localtime", "rb") as fh:
            return _make_local_info("UTC", ZoneInfo.from_file(fh))
    except Exception:
        return _make_local_info("UTC", _PY_UTC)


_local_override: _LocalInfo | None = None
_local_cache: tuple[str | None, _LocalInfo] | None = None


def _local_info() -> _LocalInfo:
    """The local zone, resolved once per process (``TZ`` is read at first use).

    Reading ``os.environ`` on every date creation cost more than the date itself; a process that
    changes ``TZ`` at run time calls :func:`set_local_zone` (or ``set_local_zone(None)`` to re-read).
    """
    global _local_cache
    if _local_override is not None:
        return _local_override
    cached = _local_cache
    if cached is not None:
        return cached[1]
    info = _resolve_system_zone()
    _local_cache = (os.environ.get("TZ"), info)
    return info


class SystemZone(Zone):
    """The machine's local zone (luxon ``SystemZone``; storage key ``"local"``).

    It is resolved lazily from the ``TZ`` environment variable, else ``/etc/localtime``, and can be
    overridden with :func:`use_local_zone` / :func:`set_local_zone`.  Like luxon, a :class:`DVDate`
    remembers the offset it was created with, so changing the local zone does not alter existing
    values.
    """

    __slots__ = ()
    type = "system"

    @property
    def name(self) -> str:
        return _local_info().name

    @property
    def key(self) -> str:
        return "local"

    def offset(self, ts: int) -> int | float:
        info = _local_info()
        if info.fixed is not None:
            return info.fixed
        return _tz_offset_minutes(info.tz, ts)

    def offset_name(self, ts: int, style: str = "short") -> str:
        info = _local_info()
        return _iana_offset_name(info.name, info.tz, ts, style)

    def tzinfo(self) -> tzinfo:
        return _local_info().tz

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SystemZone)

    def __hash__(self) -> int:
        return hash("system")


#: The system ("local") zone singleton.
LOCAL = SystemZone()
#: luxon's ``FixedOffsetZone.utcInstance``.
UTC = FixedOffsetZone(0)


def local_zone() -> SystemZone:
    """The system local zone (a singleton whose rules follow ``TZ`` / the override)."""
    return LOCAL


def local_zone_name() -> str:
    """The IANA name of the current local zone (``"UTC"``, ``"America/New_York"``, ...)."""
    return _local_info().name


def set_local_zone(name: str | None) -> None:
    """Globally override the local zone (``None`` re-reads ``TZ`` / ``/etc/localtime``)."""
    global _local_override, _local_cache
    if name is None:
        _local_override = None
        _local_cache = None
        return
    info = _resolve_zone_spec(name)
    if info is None:
        raise ValueError(f"unknown time zone {name!r}")
    _local_override = info


@contextmanager
def use_local_zone(name: str) -> Iterator[None]:
    """Temporarily make ``name`` the local zone (for tests: ``with use_local_zone("UTC"): ...``)."""
    global _local_override
    previous = _local_override
    set_local_zone(name)
    try:
        yield
    finally:
        _local_override = previous


_RE_UTC_SPEC = re.compile(r"utc(?:([+-][0-9]{1,2})(?::([0-9]{2}))?)?", re.IGNORECASE)


def zone_from_name(name: str) -> Zone | None:
    """luxon ``normalizeZone`` for a string; ``None`` when luxon would produce an invalid zone.

    ``"local"``/``"system"`` -> the system zone, ``"utc"``/``"gmt"`` -> UTC, ``"UTC+2"`` /
    ``"utc-5:30"`` -> fixed offsets, anything else -> an IANA zone (case-insensitive lookup).
    """
    lowered = name.lower()
    if lowered in ("local", "system", "default"):
        return LOCAL
    if lowered in ("utc", "gmt"):
        return UTC
    m = _RE_UTC_SPEC.fullmatch(lowered)
    if m:
        return FixedOffsetZone(_signed_offset(m.group(1), m.group(2)))
    return IANAZone.create(name)


def zone_from_key(key: str) -> Zone | None:
    """Inverse of :attr:`Zone.key` (used by the storage decoder)."""
    if key == "local":
        return LOCAL
    return zone_from_name(key)


def _signed_offset(hour_str: str | None, minute_str: str | None) -> int:
    """luxon ``signedOffset``: ``("+5", "30")`` -> 330, ``("-05", "30")`` -> -330."""
    off_hour = int(hour_str) if hour_str else 0
    off_min = int(minute_str) if minute_str else 0
    negative = hour_str is not None and hour_str.startswith("-")
    return off_hour * 60 + (-off_min if negative else off_min)


# =================================================================================================
# Civil calendar arithmetic (proleptic Gregorian, any year)
# =================================================================================================

_DAY_MS = 86_400_000


def is_leap_year(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def days_in_year(y: int) -> int:
    return 366 if is_leap_year(y) else 365


def days_in_month(y: int, m: int) -> int:
    """Days in month ``m`` of year ``y``; ``m`` may overflow (13 = January next year)."""
    mod_m = (m - 1) % 12 + 1
    mod_y = y + (m - mod_m) // 12
    if mod_m == 2:
        return 29 if is_leap_year(mod_y) else 28
    return (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[mod_m - 1]


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of the proleptic Gregorian date (``m`` in 1..12, any ``d``)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z: int) -> tuple[int, int, int]:
    """Inverse of :func:`days_from_civil`."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + (1 if m <= 2 else 0), m, d)


def fields_to_local_ms(
    y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0
) -> int:
    """``Date.UTC`` semantics: every field may overflow and rolls into the next larger unit."""
    y += (mo - 1) // 12
    mo = (mo - 1) % 12 + 1
    days = days_from_civil(y, mo, 1) + d - 1
    return days * _DAY_MS + h * 3_600_000 + mi * 60_000 + s * 1000 + ms


def local_ms_to_fields(lms: int) -> tuple[int, int, int, int, int, int, int]:
    """Wall-clock fields ``(year, month, day, hour, minute, second, millisecond)``."""
    days, rem = divmod(lms, _DAY_MS)
    y, m, d = civil_from_days(days)
    h, rem = divmod(rem, 3_600_000)
    mi, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return (y, m, d, h, mi, s, ms)


def iso_weekday(y: int, m: int, d: int) -> int:
    """ISO weekday, 1 = Monday .. 7 = Sunday."""
    return (days_from_civil(y, m, d) + 3) % 7 + 1


def ordinal_day(y: int, m: int, d: int) -> int:
    """Day of the year (1-based)."""
    return days_from_civil(y, m, d) - days_from_civil(y, 1, 1) + 1


def _local_weekday(iso_wd: int, start_of_week: int) -> int:
    return (iso_wd - start_of_week + 7) % 7 + 1


def _first_week_offset(year: int, min_days: int, start_of_week: int) -> int:
    fwdlw = _local_weekday(iso_weekday(year, 1, min_days), start_of_week)
    return -fwdlw + min_days - 1


def weeks_in_week_year(year: int, min_days: int = 4, start_of_week: int = 1) -> int:
    """Number of weeks in a week-numbering year (ISO by default)."""
    off = _first_week_offset(year, min_days, start_of_week)
    off_next = _first_week_offset(year + 1, min_days, start_of_week)
    return (days_in_year(year) - off + off_next) // 7


def gregorian_to_week(
    y: int, m: int, d: int, min_days: int = 4, start_of_week: int = 1
) -> tuple[int, int, int]:
    """``(weekYear, weekNumber, weekday)``; ISO rules by default, en-US with ``(1, 7)``."""
    ordinal = ordinal_day(y, m, d)
    weekday = _local_weekday(iso_weekday(y, m, d), start_of_week)
    week = (ordinal - weekday + 14 - min_days) // 7
    if week < 1:
        week_year = y - 1
        week = weeks_in_week_year(week_year, min_days, start_of_week)
    elif week > weeks_in_week_year(y, min_days, start_of_week):
        week_year = y + 1
        week = 1
    else:
        week_year = y
    return (week_year, week, weekday)


def _fix_offset(local_ts: int, o: int | float, zone: Zone) -> tuple[int, int | float]:
    """luxon ``fixOffset``: find the instant whose wall clock is ``local_ts`` in ``zone``.

    ``o`` is a guess of the offset; it decides which instant is chosen for ambiguous wall times.
    Wall times inside a DST gap are moved forward by the gap (02:30 -> 03:30).
    """
    utc_guess = local_ts - _om(o)
    o2 = zone.offset(utc_guess)
    if o == o2:
        return utc_guess, o
    utc_guess -= _om(o2 - o)
    o3 = zone.offset(utc_guess)
    if o2 == o3:
        return utc_guess, o2
    return local_ts - _om(min(o2, o3)), max(o2, o3)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


# =================================================================================================
# DVDate — a luxon DateTime
# =================================================================================================

_DATE_UNITS = ("year", "month", "day", "hour", "minute", "second", "millisecond")
_DATE_UNIT_ALIASES = {
    "year": "year", "years": "year", "month": "month", "months": "month", "day": "day",
    "days": "day", "hour": "hour", "hours": "hour", "minute": "minute", "minutes": "minute",
    "second": "second", "seconds": "second", "millisecond": "millisecond",
    "milliseconds": "millisecond", "weekday": "weekday", "weekdays": "weekday",
}


class DVDate:
    """A luxon ``DateTime``: an instant (epoch milliseconds) plus a zone identity.

    Wall-clock fields are computed once, in the zone, and cached (as luxon does), so a date keeps
    its fields even if the local zone is later overridden.  Two dates are equal (``==``) when they
    are the same instant in the same zone (luxon ``equals``); invalid dates (luxon
    "Invalid DateTime", e.g. ``file.day`` from an impossible file name) compare equal to each other
    only when their reasons match — use :func:`compare` for Dataview's ``=`` semantics.
    """

    __slots__ = ("_c", "_invalid", "_o", "_ts", "_zone")

    def __init__(self, ts: int, zone: Zone | None = None, offset: int | float | None = None) -> None:
        """The instant ``ts`` (epoch ms) seen in ``zone`` (default: local).  ``offset`` (minutes)
        may be passed when already known, as luxon does after resolving a wall-clock time."""
        zone = LOCAL if zone is None else zone
        self._zone = zone
        ts = int(ts)
        if abs(ts) > _MAX_TS:
            self._ts = 0
            self._o: int | float = 0
            self._c: tuple[int, ...] = ()
            self._invalid: str | None = "unit out of range"
            return
        o = zone.offset(ts) if offset is None else offset
        self._ts = ts
        self._o = o
        self._c = local_ms_to_fields(ts + _om(o))
        self._invalid = None

    # ---- constructors -------------------------------------------------------------------------

    @classmethod
    def invalid(cls, reason: str = "invalid input", zone: Zone | None = None) -> DVDate:
        """An invalid DateTime (formats as ``Invalid DateTime``, fields are NaN)."""
        self = cls.__new__(cls)
        self._zone = LOCAL if zone is None else zone
        self._ts = 0
        self._o = 0
        self._c = ()
        self._invalid = reason
        return self

    @classmethod
    def from_millis(cls, ts: int | float, zone: Zone | None = None) -> DVDate:
        """``DateTime.fromMillis`` (default zone: local)."""
        if not math.isfinite(ts):
            return cls.invalid("unit out of range", zone)
        return cls(int(ts), zone)

    @classmethod
    def now(cls, zone: Zone | None = None) -> DVDate:
        """The current instant in ``zone`` (default local)."""
        return cls(_now_ms(), zone)

    @classmethod
    def from_object(
        cls, obj: Mapping[str, int | float], zone: Zone | None = None, now: int | None = None
    ) -> DVDate:
        """luxon ``DateTime.fromObject``: validated construction from calendar units.

        Units before the first given one default to *now*, units after it to their minimum
        (``{"year": 2021}`` -> 2021-01-01T00:00).  Out-of-range units (month 13, Feb 30,
        minute 60 ...) give an invalid date.  A ``weekday`` with a full date must match it.
        """
        zone = LOCAL if zone is None else zone
        ts_now = _now_ms() if now is None else now
        o_provis = zone.offset(ts_now)
        given = {_DATE_UNIT_ALIASES.get(k, k): v for k, v in obj.items() if v is not None}
        weekday = given.pop("weekday", None)
        unknown = set(given) - set(_DATE_UNITS)
        if unknown:
            raise ValueError(f"invalid unit(s) {sorted(unknown)}")
        now_c = local_ms_to_fields(ts_now + _om(o_provis))
        defaults = (1, 1, 1, 0, 0, 0, 0)
        vals: list[int | float] = []
        found = False
        for idx, unit in enumerate(_DATE_UNITS):
            if unit in given:
                found = True
                vals.append(given[unit])
            else:
                vals.append(defaults[idx] if found else now_c[idx])
        if weekday is not None and not any(u in given for u in ("year", "month", "day")):
            # Week-based: the given weekday of the current ISO week.
            if not _is_int(weekday) or not 1 <= weekday <= 7:
                return cls.invalid("unit out of range", zone)
            base = days_from_civil(now_c[0], now_c[1], now_c[2])
            base += int(weekday) - iso_weekday(now_c[0], now_c[1], now_c[2])
            vals[0], vals[1], vals[2] = civil_from_days(base)
            # units after the weekday default to their minimum
            for idx in range(3, 7):
                if _DATE_UNITS[idx] not in given:
                    vals[idx] = defaults[idx]
            weekday = None
        if not all(_is_int(v) for v in vals):
            return cls.invalid("unit out of range", zone)
        y, mo, d, h, mi, s, ms = (int(v) for v in vals)
        if not (1 <= mo <= 12 and 1 <= d <= days_in_month(y, mo)):
            return cls.invalid("unit out of range", zone)
        if not (
            (0 <= h <= 23 or (h == 24 and mi == 0 and s == 0 and ms == 0))
            and 0 <= mi <= 59
            and 0 <= s <= 59
            and 0 <= ms <= 999
        ):
            return cls.invalid("unit out of range", zone)
        ts, o = _fix_offset(fields_to_local_ms(y, mo, d, h, mi, s, ms), o_provis, zone)
        inst = cls(ts, zone, o)
        if weekday is not None and inst.is_valid and inst.weekday != weekday:
            return cls.invalid("mismatched weekday", zone)
        return inst

    @classmethod
    def from_fields(
        cls,
        year: int,
        month: int = 1,
        day: int = 1,
        hour: int = 0,
        minute: int = 0,
        second: int = 0,
        millisecond: int = 0,
        zone: Zone | None = None,
    ) -> DVDate:
        """A validated date from wall-clock fields in ``zone`` (default local); invalid on
        out-of-range fields (use :meth:`set` for JavaScript-style rollover)."""
        return cls.from_object(
            {"year": year, "month": month, "day": day, "hour": hour, "minute": minute,
             "second": second, "millisecond": millisecond},
            zone,
        )

    @classmethod
    def from_datetime(cls, dt: _datetime | _date) -> DVDate:
        """From a Python ``datetime``/``date``.  Naive values are local wall-clock times; aware
        ones keep their instant, in an IANA zone when the tzinfo is a ``ZoneInfo``, else in a
        fixed-offset zone."""
        if not isinstance(dt, _datetime):
            return cls.from_fields(dt.year, dt.month, dt.day)
        if dt.tzinfo is None or dt.utcoffset() is None:
            return cls.from_fields(
                dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond // 1000
            )
        zone: Zone | None = None
        if isinstance(dt.tzinfo, ZoneInfo) and dt.tzinfo.key:
            zone = IANAZone.create(dt.tzinfo.key)
        if zone is None:
            off = dt.utcoffset()
            assert off is not None
            secs = off.days * 86400 + off.seconds
            zone = FixedOffsetZone(secs // 60 if secs % 60 == 0 else secs / 60)
        naive = dt.replace(tzinfo=None) - dt.utcoffset()  # type: ignore[operator]
        lms = fields_to_local_ms(
            naive.year, naive.month, naive.day, naive.hour, naive.minute, naive.second,
            naive.microsecond // 1000,
        )
        return cls(lms, zone)

    # ---- basic properties ---------------------------------------------------------------------

    @property
    def is_valid(self) -> bool:
        return self._invalid is None

    @property
    def invalid_reason(self) -> str | None:
        return self._invalid

    @property
    def ts(self) -> int:
        """Epoch milliseconds (0 for invalid dates; check :attr:`is_valid`)."""
        return self._ts

    def to_millis(self) -> int | float:
        """luxon ``valueOf``: epoch milliseconds, NaN when invalid."""
        return self._ts if self._invalid is None else math.nan

    @property
    def zone(self) -> Zone:
        return self._zone

    @property
    def zone_name(self) -> str:
        """luxon ``zoneName`` (``z`` token)."""
        return self._zone.name

    @property
    def offset(self) -> int | float:
        """UTC offset in minutes (NaN when invalid)."""
        return self._o if self._invalid is None else math.nan

    @property
    def is_offset_fixed(self) -> bool:
        return self._zone.is_universal

    def _field(self, i: int) -> int | float:
        return self._c[i] if self._invalid is None else math.nan

    @property
    def year(self) -> int | float:
        return self._field(0)

    @property
    def month(self) -> int | float:
        return self._field(1)

    @property
    def day(self) -> int | float:
        return self._field(2)

    @property
    def hour(self) -> int | float:
        return self._field(3)

    @property
    def minute(self) -> int | float:
        return self._field(4)

    @property
    def second(self) -> int | float:
        return self._field(5)

    @property
    def millisecond(self) -> int | float:
        return self._field(6)

    @property
    def fields(self) -> tuple[int, int, int, int, int, int, int]:
        """Wall-clock ``(year, month, day, hour, minute, second, millisecond)`` (valid dates)."""
        if self._invalid is not None:
            raise ValueError("Invalid DateTime has no fields")
        return self._c  # type: ignore[return-value]

    @property
    def weekday(self) -> int | float:
        """ISO weekday (1 = Monday .. 7 = Sunday)."""
        if self._invalid is not None:
            return math.nan
        return iso_weekday(self._c[0], self._c[1], self._c[2])

    @property
    def week_number(self) -> int | float:
        """ISO week number (luxon ``weekNumber``)."""
        if self._invalid is not None:
            return math.nan
        return gregorian_to_week(self._c[0], self._c[1], self._c[2])[1]

    @property
    def week_year(self) -> int | float:
        """ISO week-numbering year (luxon ``weekYear``)."""
        if self._invalid is not None:
            return math.nan
        return gregorian_to_week(self._c[0], self._c[1], self._c[2])[0]

    @property
    def local_week_number(self) -> int | float:
        """Week number with en-US rules (weeks start on Sunday, week 1 contains January 1)."""
        if self._invalid is not None:
            return math.nan
        return gregorian_to_week(self._c[0], self._c[1], self._c[2], 1, 7)[1]

    @property
    def local_week_year(self) -> int | float:
        """Week-numbering year with en-US rules."""
        if self._invalid is not None:
            return math.nan
        return gregorian_to_week(self._c[0], self._c[1], self._c[2], 1, 7)[0]

    @property
    def ordinal(self) -> int | float:
        """Day of the year."""
        if self._invalid is not None:
            return math.nan
        return ordinal_day(self._c[0], self._c[1], self._c[2])

    @property
    def quarter(self) -> int | float:
        if self._invalid is not None:
            return math.nan
        return (self._c[1] - 1) // 3 + 1

    @property
    def days_in_month(self) -> int | float:
        if self._invalid is not None:
            return math.nan
        return days_in_month(self._c[0], self._c[1])

    # ---- transformations ----------------------------------------------------------------------

    def set_zone(self, zone: Zone | str, keep_local_time: bool = False) -> DVDate:
        """luxon ``setZone``: same instant in another zone, or (``keep_local_time``) the same wall
        clock in the other zone.  An unknown zone name gives an invalid date."""
        if isinstance(zone, str):
            z = zone_from_name(zone)
            if z is None:
                return DVDate.invalid("unsupported zone", self._zone)
            zone = z
        if self._invalid is not None:
            return self
        if zone == self._zone:
            return self
        if keep_local_time:
            guess = zone.offset(self._ts)
            ts, _ = _fix_offset(fields_to_local_ms(*self._c), guess, zone)
            return DVDate(ts, zone)
        return DVDate(self._ts, zone)

    def to_local(self) -> DVDate:
        """luxon ``toLocal``."""
        return self.set_zone(LOCAL)

    def to_utc(self) -> DVDate:
        """luxon ``toUTC``."""
        return self.set_zone(UTC)

    def set(self, **values: int | float) -> DVDate:
        """luxon ``DateTime#set``: overwrite wall-clock units, letting overflow roll over
        (``day=30`` in February -> March 2, ``hour=25`` -> next day 01:00).

        Keys: ``year month day hour minute second millisecond weekday`` (singular or plural).
        ``weekday`` moves within the ISO week.  If ``day`` is not given it is clamped to the
        (possibly new) month's length, as luxon does.
        """
        if self._invalid is not None:
            return self
        norm = {}
        for k, v in values.items():
            unit = _DATE_UNIT_ALIASES.get(k)
            if unit is None:
                raise ValueError(f"Invalid unit {k}")
            norm[unit] = v
        c = list(self._c)
        if "weekday" in norm:
            wd = int(js_trunc(norm.pop("weekday")))
            base = days_from_civil(c[0], c[1], c[2]) + wd - iso_weekday(c[0], c[1], c[2])
            c[0], c[1], c[2] = civil_from_days(base)
            if "day" not in norm:
                norm["day"] = c[2]
        for i, unit in enumerate(_DATE_UNITS):
            if unit in norm:
                v = norm[unit]
                if not math.isfinite(v):
                    return DVDate.invalid("unit out of range", self._zone)
                c[i] = int(js_trunc(v))
        if "day" not in norm:
            c[2] = min(days_in_month(c[0], c[1]), c[2])
        ts, o = _fix_offset(fields_to_local_ms(*c), self._o, self._zone)
        return DVDate(ts, self._zone, o)

    def start_of(self, unit: str) -> DVDate:
        """luxon ``startOf`` (``year quarter month week day hour minute second``); weeks start
        on Monday (ISO), as in luxon 3.4."""
        if self._invalid is not None:
            return self
        u = unit.lower().rstrip("s")
        o: dict[str, int] = {}
        order = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")
        if u not in order:
            if u == "millisecond":
                return self
            raise ValueError(f"Invalid unit {unit}")
        idx = order.index(u)
        if idx <= 0:
            o["month"] = 1
        if idx <= 2:
            o["day"] = 1
        if idx <= 4:
            o["hour"] = 0
        if idx <= 5:
            o["minute"] = 0
        if idx <= 6:
            o["second"] = 0
        o["millisecond"] = 0
        if u == "week":
            o.pop("day", None)
            o["weekday"] = 1
        if u == "quarter":
            q = (self._c[1] - 1) // 3 + 1
            o["month"] = (q - 1) * 3 + 1
        return self.set(**o)

    def end_of(self, unit: str) -> DVDate:
        """luxon ``endOf``: ``plus(1 unit).startOf(unit).minus(1 ms)``."""
        if self._invalid is not None:
            return self
        u = unit.lower().rstrip("s")
        if u == "quarter":
            nxt = self.plus(Duration(months=3))
        else:
            nxt = self.plus(Duration({u + "s": 1}))
        return nxt.start_of(unit).plus(Duration(milliseconds=-1))

    def plus(self, dur: Duration) -> DVDate:
        """luxon ``DateTime#plus``: years/months/weeks/days are calendar units in this date's
        zone (month ends clamp: Jan 31 + 1 month = Feb 28); smaller units are exact time."""
        if self._invalid is not None:
            return self
        y = self._c[0] + int(js_trunc(dur.years))
        mo = self._c[1] + int(js_trunc(dur.months))
        d = (
            min(self._c[2], days_in_month(y, mo))
            + int(js_trunc(dur.days))
            + int(js_trunc(dur.weeks)) * 7
        )
        frac = Duration(
            years=dur.years - js_trunc(dur.years),
            months=dur.months - js_trunc(dur.months),
            weeks=dur.weeks - js_trunc(dur.weeks),
            days=dur.days - js_trunc(dur.days),
            hours=dur.hours,
            minutes=dur.minutes,
            seconds=dur.seconds,
            milliseconds=dur.milliseconds,
        ).shift_to("milliseconds").milliseconds
        local_ts = fields_to_local_ms(y, mo, d, *self._c[3:])
        ts, o = _fix_offset(local_ts, self._o, self._zone)
        if frac != 0:
            if not math.isfinite(frac):
                return DVDate.invalid("unit out of range", self._zone)
            ts += int(js_trunc(frac))
            o = self._zone.offset(ts)
        return DVDate(ts, self._zone, o)

    def minus(self, dur: Duration) -> DVDate:
        """luxon ``DateTime#minus`` (= plus of the negated duration)."""
        return self.plus(dur.negate())

    def strip_time(self) -> DVDate:
        """Dataview ``stripTime``: local-zone midnight of this date's calendar day."""
        if self._invalid is not None:
            return self
        return DVDate.from_fields(self._c[0], self._c[1], self._c[2])

    # ---- output ---------------------------------------------------------------------------------

    def to_iso(self) -> str | None:
        """luxon ``toISO()``: ``2021-01-05T14:03:00.000+01:00`` (``Z`` for the UTC fixed zone);
        ``None`` for invalid dates."""
        if self._invalid is not None:
            return None
        y, mo, d, h, mi, s, ms = self._c
        if y > 9999 or y < 0:
            ys = ("+" if y >= 0 else "-") + f"{abs(y):06d}"
        else:
            ys = f"{y:04d}"
        off = "Z" if self._zone.is_universal and self._o == 0 else _format_offset(self._o, "short")
        return f"{ys}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.{ms:03d}{off}"

    def to_format(self, fmt: str) -> str:
        """luxon ``toFormat`` (en-US); see :func:`gardend.daemon.luxon.format_datetime`."""
        return _lx.format_datetime(self, fmt)

    def to_datetime(self) -> _datetime:
        """An aware Python ``datetime`` for this instant in this zone (raises when invalid or
        outside Python's year range)."""
        if self._invalid is not None:
            raise ValueError("Invalid DateTime")
        tz = self._zone.tzinfo()
        base = _datetime(1970, 1, 1, tzinfo=_PY_UTC) + timedelta(milliseconds=self._ts)
        return base.astimezone(tz)

    @property
    def dt(self) -> _datetime:
        """Alias of :meth:`to_datetime`."""
        return self.to_datetime()

    def index(self, key: str) -> int | float | None:
        """Dataview date indexing (§3.6): ``year month day hour minute second millisecond``,
        ``weekday`` (ISO), ``weekyear`` (the ISO *week number* — quirk), ``week``
        (``floor(day / 7) + 1`` — quirk); anything else -> ``None``."""
        if key == "year":
            return self.year
        if key == "month":
            return self.month
        if key == "weekyear":
            return self.week_number
        if key == "week":
            d = self.day
            return math.floor(d / 7) + 1 if isinstance(d, int) else math.nan
        if key == "weekday":
            return self.weekday
        if key == "day":
            return self.day
        if key == "hour":
            return self.hour
        if key == "minute":
            return self.minute
        if key == "second":
            return self.second
        if key == "millisecond":
            return self.millisecond
        return None

    # ---- comparisons ------------------------------------------------------------------------------

    def equals(self, other: DVDate) -> bool:
        """luxon ``DateTime#equals``: same instant and same zone; invalid dates never equal."""
        if self._invalid is not None or other._invalid is not None:
            return False
        return self._ts == other._ts and self._zone == other._zone

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DVDate):
            return NotImplemented
        if self._invalid is not None or other._invalid is not None:
            return self._invalid == other._invalid and self._zone == other._zone
        return self._ts == other._ts and self._zone == other._zone

    def __hash__(self) -> int:
        if self._invalid is not None:
            return hash(("invalid-date", self._invalid))
        return hash((self._ts, self._zone))

    def __lt__(self, other: DVDate) -> bool:
        return self.to_millis() < other.to_millis()

    def __le__(self, other: DVDate) -> bool:
        return self.to_millis() <= other.to_millis()

    def __gt__(self, other: DVDate) -> bool:
        return self.to_millis() > other.to_millis()

    def __ge__(self, other: DVDate) -> bool:
        return self.to_millis() >= other.to_millis()

    def __add__(self, other: Duration) -> DVDate:
        if isinstance(other, Duration):
            return self.plus(other)
        return NotImplemented

    def __sub__(self, other: Duration | DVDate) -> DVDate | Duration:
        if isinstance(other, Duration):
            return self.minus(other)
        if isinstance(other, DVDate):
            return _lx.diff(self, other)
        return NotImplemented

    def __repr__(self) -> str:
        if self._invalid is not None:
            return f"DVDate(Invalid DateTime: {self._invalid})"
        return f"DVDate({self.to_iso()} [{self._zone.key}])"


def _is_int(v: object) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, float) and v.is_integer()


# =================================================================================================
# Duration — a luxon Duration
# =================================================================================================

#: Duration units, largest first (luxon ``orderedUnits`` without quarters, which Dataview never
#: produces).
DURATION_UNITS: tuple[str, ...] = (
    "years", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds",
)
_UNIT_INDEX = {u: i for i, u in enumerate(DURATION_UNITS)}
_DURATION_UNIT_ALIASES = {u: u for u in DURATION_UNITS} | {u[:-1]: u for u in DURATION_UNITS}

# luxon's casual conversion matrix: a month is 30 days (but 4 weeks!), a year 365 days / 52 weeks.
_CASUAL: dict[str, dict[str, int]] = {
    "years": {"months": 12, "weeks": 52, "days": 365, "hours": 365 * 24,
              "minutes": 365 * 24 * 60, "seconds": 365 * 24 * 3600,
              "milliseconds": 365 * 24 * 3600 * 1000},
    "months": {"weeks": 4, "days": 30, "hours": 30 * 24, "minutes": 30 * 24 * 60,
               "seconds": 30 * 24 * 3600, "milliseconds": 30 * 24 * 3600 * 1000},
    "weeks": {"days": 7, "hours": 7 * 24, "minutes": 7 * 24 * 60, "seconds": 7 * 24 * 3600,
              "milliseconds": 7 * 24 * 3600 * 1000},
    "days": {"hours": 24, "minutes": 24 * 60, "seconds": 24 * 3600,
             "milliseconds": 24 * 3600 * 1000},
    "hours": {"minutes": 60, "seconds": 3600, "milliseconds": 3600 * 1000},
    "minutes": {"seconds": 60, "milliseconds": 60 * 1000},
    "seconds": {"milliseconds": 1000},
}


def _normalize_values(vals: dict[str, int | float]) -> None:
    """luxon 3.4 ``normalizeValues`` (mutates ``vals``; only units present take part)."""
    factor = -1 if _duration_millis(vals) < 0 else 1
    previous: str | None = None
    for current in reversed(DURATION_UNITS):
        if current not in vals:
            continue
        if previous is not None:
            previous_val = vals[previous] * factor
            conv = _CASUAL[current][previous]
            roll_up = js_floor(previous_val / conv)
            vals[current] += roll_up * factor
            vals[previous] -= roll_up * conv * factor
        previous = current
    previous = None
    for current in DURATION_UNITS:
        if current not in vals:
            continue
        if previous is not None:
            fraction = _fmod1(vals[previous])
            vals[previous] -= fraction
            vals[current] += fraction * _CASUAL[previous][current]
        previous = current
    for k in vals:
        vals[k] = clean_number(vals[k])


def _duration_millis(vals: Mapping[str, int | float]) -> int | float:
    """luxon ``durationToMillis`` with the casual matrix (summed from the smallest unit up)."""
    total: int | float = vals.get("milliseconds", 0)
    for unit in ("seconds", "minutes", "hours", "days", "weeks", "months", "years"):
        v = vals.get(unit)
        if v:
            total += v * _CASUAL[unit]["milliseconds"]
    return total


class Duration:
    """A luxon ``Duration``: unit-preserving amounts of years .. milliseconds.

    Units are kept as given (``Duration(minutes=90)`` stays 90 minutes); :meth:`normalize` /
    :meth:`shift_to` convert with luxon's casual matrix.  ``==`` is luxon ``equals``: the same
    units with the same values, a missing unit counting as 0 — so ``60 minutes != 1 hour`` (a
    Dataview quirk).  The arithmetic operators implement Dataview's duration operators, which
    normalise their result (``shiftToAll().normalize()``); use :meth:`plus`/:meth:`map_units`
    for the raw luxon operations.
    """

    __slots__ = ("_v",)

    def __init__(self, values: Mapping[str, int | float] | None = None, /, **units: int | float):
        merged: dict[str, int | float] = {}
        for source in (values or {}, units):
            for k, v in source.items():
                unit = _DURATION_UNIT_ALIASES.get(k)
                if unit is None:
                    raise ValueError(f"Invalid unit {k}")
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ValueError(f"Invalid unit value {v!r}")
                merged[unit] = v
        self._v: dict[str, int | float] = {
            u: clean_number(merged[u]) for u in DURATION_UNITS if u in merged
        }

    @classmethod
    def _raw(cls, vals: dict[str, int | float]) -> Duration:
        d = cls.__new__(cls)
        d._v = {u: clean_number(vals[u]) for u in DURATION_UNITS if u in vals}
        return d

    @classmethod
    def from_millis(cls, ms: int | float) -> Duration:
        return cls(milliseconds=ms)

    # ---- accessors ------------------------------------------------------------------------------

    @property
    def values(self) -> dict[str, int | float]:
        """The units present (a copy), largest first — luxon ``toObject()``."""
        return dict(self._v)

    def to_object(self) -> dict[str, int | float]:
        return dict(self._v)

    def get(self, unit: str) -> int | float:
        u = _DURATION_UNIT_ALIASES.get(unit)
        if u is None:
            raise ValueError(f"Invalid unit {unit}")
        return self._v.get(u, 0)

    @property
    def years(self) -> int | float:
        return self._v.get("years", 0)

    @property
    def months(self) -> int | float:
        return self._v.get("months", 0)

    @property
    def weeks(self) -> int | float:
        return self._v.get("weeks", 0)

    @property
    def days(self) -> int | float:
        return self._v.get("days", 0)

    @property
    def hours(self) -> int | float:
        return self._v.get("hours", 0)

    @property
    def minutes(self) -> int | float:
        return self._v.get("minutes", 0)

    @property
    def seconds(self) -> int | float:
        return self._v.get("seconds", 0)

    @property
    def milliseconds(self) -> int | float:
        return self._v.get("milliseconds", 0)

    # ---- luxon operations -----------------------------------------------------------------------

    def as_millis(self) -> int | float:
        """Total milliseconds (luxon ``toMillis``; month = 30 days, year = 365 days)."""
        return clean_number(_duration_millis(self._v))

    def normalize(self) -> Duration:
        """luxon ``normalize()``: carry between the units present (``{hours: 12, minutes: -45}``
        -> ``{hours: 11, minutes: 15}``)."""
        vals = dict(self._v)
        _normalize_values(vals)
        return Duration._raw(vals)

    def shift_to(self, *units: str) -> Duration:
        """luxon ``shiftTo``: express the duration in exactly these units (fractions go to the
        smallest requested unit)."""
        if not units:
            return self
        wanted = set()
        for u in units:
            nu = _DURATION_UNIT_ALIASES.get(u)
            if nu is None:
                raise ValueError(f"Invalid unit {u}")
            wanted.add(nu)
        built: dict[str, int | float] = {}
        accumulated: dict[str, int | float] = {}
        last_unit = ""
        for k in DURATION_UNITS:
            if k in wanted:
                last_unit = k
                own: int | float = 0
                for ak in list(accumulated):
                    own += _CASUAL[ak][k] * accumulated[ak]
                    accumulated[ak] = 0
                if k in self._v:
                    own += self._v[k]
                i = js_trunc(own)
                built[k] = i
                accumulated[k] = (float(own) * 1e3 - float(i) * 1e3) / 1e3
            elif k in self._v:
                accumulated[k] = self._v[k]
        for key, val in accumulated.items():
            if val != 0:
                if key == last_unit:
                    built[last_unit] += val
                else:
                    built[last_unit] += val / _CASUAL[last_unit][key]
        _normalize_values(built)
        return Duration._raw(built)

    def shift_to_all(self) -> Duration:
        """luxon ``shiftToAll`` (all eight units, zeros included)."""
        return self.shift_to(*DURATION_UNITS)

    def normalized(self) -> Duration:
        """Dataview's ``normalizeDuration``: ``shiftToAll().normalize()``."""
        return self.shift_to_all().normalize()

    def as_(self, unit: str) -> int | float:
        """luxon ``as(unit)``: the total in one unit (may be fractional)."""
        u = _DURATION_UNIT_ALIASES.get(unit)
        if u is None:
            raise ValueError(f"Invalid unit {unit}")
        return self.shift_to(u).get(u)

    def as_unit(self, unit: str) -> int | float | None:
        """Dataview duration indexing (§3.6): ``dur(36 hours).days`` -> 1.5.  Accepts ``year(s)
        month(s) weeks day(s) hour(s) minute(s) second(s) millisecond(s)`` (no singular
        ``week``); any other key -> ``None``."""
        if unit == "week":
            return None
        u = _DURATION_UNIT_ALIASES.get(unit)
        if u is None:
            return None
        return self.shift_to(u).get(u)

    def negate(self) -> Duration:
        return Duration._raw({k: (0 if v == 0 else -v) for k, v in self._v.items()})

    def plus(self, other: Duration) -> Duration:
        """luxon ``plus``: unit-wise sum over the units present in either (not normalised)."""
        result = {}
        for k in DURATION_UNITS:
            if k in other._v or k in self._v:
                result[k] = other._v.get(k, 0) + self._v.get(k, 0)
        return Duration._raw(result)

    def minus(self, other: Duration) -> Duration:
        """luxon ``minus`` (not normalised)."""
        return self.plus(other.negate())

    def map_units(self, fn: Callable[[int | float], int | float]) -> Duration:
        """luxon ``mapUnits``: apply ``fn`` to every unit present (NaN results raise like luxon's
        ``Invalid unit value NaN``)."""
        out = {}
        for k, v in self._v.items():
            r = fn(v)
            if isinstance(r, bool) or r != r:
                raise ValueError(f"Invalid unit value {js_number_str(r)}")
            out[k] = r
        return Duration._raw(out)

    def equals(self, other: Duration) -> bool:
        """luxon ``equals``: the same value for every unit, a missing unit counting as 0."""
        for u in DURATION_UNITS:
            a = self._v.get(u)
            b = other._v.get(u)
            if a is None or a == 0:
                if not (b is None or b == 0):
                    return False
            elif a != b:
                return False
        return True

    def to_human(self) -> str:
        """Dataview's ``renderMinimalDuration`` (§3.9): normalise, drop units that are not
        positive, then luxon ``toHuman()`` in en-US: ``1 hour, 30 minutes``; zero -> ``""``."""
        norm = self.normalized()
        parts = []
        for unit in DURATION_UNITS:
            v = norm._v.get(unit)
            if v is not None and v > 0:
                parts.append(_format_unit_long(v, unit[:-1]))
        return ", ".join(parts)

    # ---- Dataview operators -------------------------------------------------------------------

    def __add__(self, other: object) -> Duration:
        if isinstance(other, Duration):
            return self.plus(other).normalized()
        return NotImplemented

    def __sub__(self, other: object) -> Duration:
        if isinstance(other, Duration):
            return self.minus(other).normalized()
        return NotImplemented

    def __mul__(self, other: object) -> Duration:
        if is_number(other):
            n = other
            return self.map_units(lambda x: x * n).normalized()  # type: ignore[operator]
        return NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Duration:
        if is_number(other):
            n = other
            return self.map_units(lambda x: js_div(x, n)).normalized()  # type: ignore[arg-type]
        return NotImplemented

    def __neg__(self) -> Duration:
        return self.negate()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.equals(other)

    def __hash__(self) -> int:
        return hash(tuple((k, v) for k, v in self._v.items() if v != 0))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={js_number_str(v)}" for k, v in self._v.items())
        return f"Duration({inner})"


def _format_intl_number(x: int | float) -> str:
    """``Intl.NumberFormat("en-US", {useGrouping: false})`` (luxon's number formatter): at most
    3 fraction digits, half-expand rounding on the shortest decimal representation (as ICU)."""
    if isinstance(x, float):
        if x != x:
            return "NaN"
        if math.isinf(x):
            return "∞" if x > 0 else "-∞"
    d = Decimal(repr(float(x))) if isinstance(x, float) else Decimal(x)
    with localcontext() as ctx:
        ctx.prec = 1000
        q = d.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    s = format(q, "f")
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    int_part, _, frac = s.partition(".")
    frac = frac.rstrip("0")
    out = str(int(int_part)) + ("." + frac if frac else "")
    if neg and out != "0":
        out = "-" + out
    return out


def _format_unit_long(v: int | float, unit: str) -> str:
    """``Intl.NumberFormat("en-US", {style: "unit", unit, unitDisplay: "long"})``."""
    num = _format_intl_number(v)
    plural = num not in ("1", "-1")
    return f"{num} {unit}{'s' if plural else ''}"


# =================================================================================================
# Links and widgets
# =================================================================================================


def get_file_title(path: str) -> str:
    """Dataview ``getFileTitle``: last path segment without a trailing ``.md``."""
    if "/" in path:
        path = path[path.rfind("/") + 1 :]
    if path.endswith(".md"):
        path = path[:-3]
    return path


@dataclass(frozen=True)
class Link:
    """An Obsidian link (file, header or block), as Dataview models it.

    Python ``==`` compares every field; Dataview's notion of link equality (path, type, subpath;
    display and embed ignored) is :meth:`equals` / :func:`compare`.
    """

    path: str
    display: str | None = None
    subpath: str | None = None
    embed: bool = False
    type: str = "file"

    @classmethod
    def file(cls, path: str, embed: bool = False, display: str | None = None) -> Link:
        """A link to a whole file."""
        return cls(path=path, display=display, subpath=None, embed=embed, type="file")

    @classmethod
    def header(
        cls, path: str, header: str, embed: bool = False, display: str | None = None
    ) -> Link:
        """A link to a heading; the heading is normalised like Dataview does (§1.7)."""
        return cls(
            path=path, display=display, subpath=normalize_header_for_link(header), embed=embed,
            type="header",
        )

    @classmethod
    def block(
        cls, path: str, block_id: str, embed: bool = False, display: str | None = None
    ) -> Link:
        """A link to a block (``^id``)."""
        return cls(path=path, display=display, subpath=block_id, embed=embed, type="block")

    @classmethod
    def infer(cls, linkpath: str, embed: bool = False, display: str | None = None) -> Link:
        """Dataview ``Link.infer``: ``#^`` -> block, ``#`` -> header, else file.  As in the
        original, only the text between the first and second separator is the subpath."""
        if "#^" in linkpath:
            parts = linkpath.split("#^")
            return cls.block(parts[0], parts[1], embed, display)
        if "#" in linkpath:
            parts = linkpath.split("#")
            return cls.header(parts[0], parts[1], embed, display)
        return cls.file(linkpath, embed, display)

    @classmethod
    def parse_inner(cls, inner: str, embed: bool = False) -> Link:
        """Parse the text inside ``[[...]]``: split at the first ``|`` not preceded by a
        backslash into path and display; ``\\|`` in the path becomes ``|`` (display kept as is)."""
        pipe = -1
        while True:
            pipe = inner.find("|", pipe + 1)
            if pipe < 0:
                return cls.infer(inner.replace("\\|", "|"), embed, None)
            if pipe > 0 and inner[pipe - 1] == "\\":
                continue
            return cls.infer(inner[:pipe].replace("\\|", "|"), embed, inner[pipe + 1 :])

    def equals(self, other: Link) -> bool:
        """Dataview ``Link#equals``: same path, type and subpath."""
        return self.path == other.path and self.type == other.type and self.subpath == other.subpath

    def with_path(self, path: str) -> Link:
        return Link(path, self.display, self.subpath, self.embed, self.type)

    def with_display(self, display: str | None) -> Link:
        return Link(self.path, display, self.subpath, self.embed, self.type)

    def with_header(self, header: str) -> Link:
        return Link.header(self.path, header, self.embed, self.display)

    def to_file(self) -> Link:
        return Link.file(self.path, self.embed, self.display)

    def to_embed(self) -> Link:
        return self if self.embed else Link(self.path, self.display, self.subpath, True, self.type)

    def from_embed(self) -> Link:
        return Link(self.path, self.display, self.subpath, False, self.type) if self.embed else self

    def obsidian_link(self) -> str:
        """The inner link text Obsidian understands: path (``|`` escaped) + ``#sub`` / ``#^id``."""
        escaped = self.path.replace("|", "\\|")
        sub = (self.subpath or "").replace("|", "\\|") if self.subpath is not None else "undefined"
        if self.type == "header":
            return escaped + "#" + sub
        if self.type == "block":
            return escaped + "#^" + sub
        return escaped

    def file_title(self) -> str:
        """The file's title: last path segment without ``.md``."""
        return get_file_title(self.path)

    def file_name(self) -> str:
        """Dataview ``Link#fileName``."""
        return get_file_title(self.path).replace(".md", "", 1)

    def markdown(self) -> str:
        """``[[path|display]]`` (``!`` prefix for embeds); without a display text the file title
        is used, plus `` > subpath`` for header/block links (§3.9)."""
        result = ("!" if self.embed else "") + "[[" + self.obsidian_link()
        if self.display:
            result += "|" + self.display
        else:
            result += "|" + get_file_title(self.path)
            if self.type in ("header", "block"):
                result += " > " + (self.subpath if self.subpath is not None else "undefined")
        return result + "]]"

    def to_object(self) -> dict[str, Any]:
        return {"path": self.path, "type": self.type, "subpath": self.subpath,
                "display": self.display, "embed": self.embed}

    def __str__(self) -> str:
        return self.markdown()


class Widget:
    """Base class of Dataview widgets (``typeof`` -> ``"widget"``)."""

    __slots__ = ()
    widget_type: str = "widget"

    def markdown(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class ExternalLinkWidget(Widget):
    """``elink(url, display)``: rendered ``[display](url)``."""

    url: str
    display: str | None = None
    widget_type = "dataview:external-link"

    def markdown(self) -> str:
        return f"[{self.display if self.display is not None else self.url}]({self.url})"


@dataclass(frozen=True)
class ListPairWidget(Widget):
    """A LIST row ``id: value`` pair."""

    key: Value
    value: Value
    widget_type = "dataview:list-pair"

    def markdown(self) -> str:
        return f"{to_string(self.key)}: {to_string(self.value)}"


# =================================================================================================
# Settings
# =================================================================================================


@dataclass(frozen=True)
class ValueSettings:
    """The settings that influence value -> text conversion (§6)."""

    render_null_as: str = "\\-"
    default_date_format: str = "MMMM dd, yyyy"
    default_date_time_format: str = "h:mm a - MMMM dd, yyyy"
    max_recursive_render_depth: int = 4


DEFAULT_SETTINGS = ValueSettings()


# =================================================================================================
# Literal grammars (§1.6, §3.2)
# =================================================================================================

_RE_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_RE_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})"
    r"(?:-([0-9]{2})"
    r"(?:T([0-9]{2})"
    r"(?::([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{3}))?"
    r"(?:([+-])([0-9]{1,2}(?::[0-9]{2})?)|(Z)|\[([0-9A-Za-z+,\-./]+)\])?"
    r")?)?)?)?"
)

_DURATION_UNIT_WORDS: dict[str, str] = {
    "year": "years", "years": "years", "yr": "years", "yrs": "years",
    "month": "months", "months": "months", "mo": "months", "mos": "months",
    "week": "weeks", "weeks": "weeks", "wk": "weeks", "wks": "weeks", "w": "weeks",
    "day": "days", "days": "days", "d": "days",
    "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours", "h": "hours",
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
    "m": "minutes",
    "second": "seconds", "seconds": "seconds", "sec": "seconds", "secs": "seconds",
    "s": "seconds",
}
# Longest spelling first, like Dataview's `P.alt` over the length-sorted keys.
_DUR_UNIT_ALT = "|".join(
    re.escape(w) for w in sorted(_DURATION_UNIT_WORDS, key=lambda w: -len(w))
)
_RE_DUR_ELEM = re.compile(
    rf"(-?[0-9]+(?:\.[0-9]+)?)[{_JS_WS_CLASS}]*({_DUR_UNIT_ALT})"
)
_RE_DUR_SEP = re.compile(rf"[{_JS_WS_CLASS}]*,[{_JS_WS_CLASS}]*|[{_JS_WS_CLASS}]*")
_RE_LIST_SEP = re.compile(rf"[{_JS_WS_CLASS}]*,[{_JS_WS_CLASS}]*")
_RE_STRING = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
_RE_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_RE_TAG = re.compile(
    "#[^\u2000-\u206f\u2e00-\u2e7f'!\"#$%&()*+,.:;<=>?@^`{|}~\\[\\]\\\\" + _JS_WS_CLASS + "]*"
)
_RE_LINK = re.compile(r"(!?)\[\[([^\[\]]*?)\]\]")
_RE_BOOL = re.compile(r"true|false|True|False")


def _parse_number_text(text: str) -> int | float:
    """``Number.parseFloat`` of a ``-?[0-9]+(\\.[0-9]+)?`` literal (``005`` -> 5)."""
    v = float(text)
    if v == 0 and text.startswith("-"):
        return -0.0
    return clean_number(v)


def _date_from_match(m: re.Match[str]) -> DVDate | None:
    """Build the date like Dataview's chained ``DateTime.set`` calls (§3.2)."""
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return None  # DateTime.fromObject({year, month}) is invalid
    zone: Zone = LOCAL
    c = [year, month, 1, 0, 0, 0, 0]
    local_fixed = _local_info().fixed
    if local_fixed is not None:
        # Constant offset: the chained `set` calls reduce to one wall-clock computation.
        for idx in range(3, 8):
            g = m.group(idx)
            if g is None:
                break
            c[idx - 1] = int(g)
        dt = DVDate(fields_to_local_ms(*c) - _om(local_fixed), zone, local_fixed)
    else:
        # DST-aware zone: replay luxon's fromObject + set(day) + set(hour) ... so that wall times
        # in gaps/overlaps resolve exactly as they do in Dataview.
        ts, o = _fix_offset(fields_to_local_ms(*c), zone.offset(_now_ms()), zone)
        for idx in range(3, 8):
            g = m.group(idx)
            if g is None:
                break
            c = list(local_ms_to_fields(ts + _om(o)))
            c[idx - 1] = int(g)
            ts, o = _fix_offset(fields_to_local_ms(*c), o, zone)
        dt = DVDate(ts, zone, o)
    if not dt.is_valid:
        return None
    sign = m.group(8)
    target: Zone | None = None
    if sign is not None:
        hm = m.group(9)
        hh, _, mm = hm.partition(":")
        target = zone_from_name("UTC" + sign + hh + (":" + mm if mm else ""))
    elif m.group(10) is not None:
        target = UTC
    elif m.group(11) is not None:
        target = zone_from_name(m.group(11))
        if target is None:
            return None
    if target is not None:
        dt = dt.set_zone(target, keep_local_time=True)
        if not dt.is_valid:
            return None
    return dt


def _date_at(s: str, i: int) -> tuple[DVDate, int] | None:
    m = _RE_DATE.match(s, i)
    if m is None:
        return None
    dt = _date_from_match(m)
    if dt is None:
        return None
    return dt, m.end()


def _duration_at(s: str, i: int) -> tuple[Duration, int] | None:
    m = _RE_DUR_ELEM.match(s, i)
    if m is None:
        return None
    acc: dict[str, int | float] = {}
    end = m.end()
    while True:
        unit = _DURATION_UNIT_WORDS[m.group(2)]
        acc[unit] = acc.get(unit, 0) + _parse_number_text(m.group(1))
        sep = _RE_DUR_SEP.match(s, end)
        if sep is None:
            break
        nxt = _RE_DUR_ELEM.match(s, sep.end())
        if nxt is None:
            break
        m = nxt
        end = m.end()
    return Duration._raw(acc), end


def _unescape_string(inner: str) -> str:
    if "\\" not in inner:
        return inner
    return _RE_ESCAPE.sub(lambda mm: mm.group(1) if mm.group(1) in '"\\' else mm.group(0), inner)


_ATOM_START = frozenset('0123456789-"#[!tfTFn')


def _inline_atom_at(s: str, i: int) -> tuple[Value, int] | None:
    """One ``atomInlineField`` at ``s[i]`` (PEG: the first alternative that matches wins)."""
    if i >= len(s):
        return None
    c = s[i]
    if c not in _ATOM_START:
        return None
    if "0" <= c <= "9":
        r = _date_at(s, i)
        if r is not None:
            return r
    if "0" <= c <= "9" or c == "-":
        rd = _duration_at(s, i)
        if rd is not None:
            return rd[0].normalized(), rd[1]
    elif c == '"':
        m = _RE_STRING.match(s, i)
        if m is not None:
            return _unescape_string(m.group(1)), m.end()
        return None
    elif c == "#":
        m = _RE_TAG.match(s, i)
        assert m is not None
        return m.group(0), m.end()
    elif c in "[!":
        m = _RE_LINK.match(s, i)
        if m is not None:
            return Link.parse_inner(m.group(2), embed=bool(m.group(1))), m.end()
        return None
    elif c in "tfTF":
        m = _RE_BOOL.match(s, i)
        if m is not None:
            return m.group(0) in ("true", "True"), m.end()
        return None
    elif c == "n":
        if s.startswith("null", i):
            return "null", i + 4
        return None
    m = _RE_NUMBER.match(s, i)
    if m is not None:
        return _parse_number_text(m.group(0)), m.end()
    return None


def parse_inline_value(text: str) -> Value:
    """Type an inline field value like Dataview's ``parseInlineValue`` (§1.6).

    Empty/whitespace -> ``None``.  Otherwise the *whole* text must be one atom (date, normalised
    duration, quoted string, tag, link/embed, boolean, number, ``null`` -> the string ``"null"``)
    or a comma-separated list of atoms (``1,000`` -> ``[1, 0]``; a trailing comma after a single
    atom gives a one-element list); anything else is returned unchanged as a string.  The text is
    not trimmed (the extractor already trimmed it).
    """
    if not text or text[0] not in _ATOM_START:
        if js_trim(text) == "":
            return None
        return text
    first = _inline_atom_at(text, 0)
    if first is None:
        return text
    value, i = first
    n = len(text)
    sep = _RE_LIST_SEP.match(text, i)
    if sep is not None:
        items = [value]
        k = sep.end()
        nxt = _inline_atom_at(text, k)
        if nxt is not None:
            items.append(nxt[0])
            k = nxt[1]
            while True:
                sep2 = _RE_LIST_SEP.match(text, k)
                if sep2 is None:
                    break
                nxt2 = _inline_atom_at(text, sep2.end())
                if nxt2 is None:
                    break
                items.append(nxt2[0])
                k = nxt2[1]
        return items if k == n else text
    return value if i == n else text


def parse_date_text(s: str) -> DVDate | None:
    """Dataview's date literal grammar (§3.2), matching the whole string; ``None`` otherwise.

    ``YYYY-MM[-DD[THH[:mm[:ss[.SSS][zone]]]]]`` in the local zone; ``zone`` (only after seconds)
    is ``±H[H][:mm]`` (fixed offset), ``Z`` (UTC) or ``[IANA/Name]``, keeping the wall clock.
    Day/hour overflow rolls forward (``2021-02-30`` -> March 2); an invalid month fails.
    """
    if not s or not ("0" <= s[0] <= "9"):
        return None
    r = _date_at(s, 0)
    if r is None or r[1] != len(s):
        return None
    return r[0]


_SHORTHANDS = frozenset(
    {"now", "today", "yesterday", "tomorrow", "sow", "start-of-week", "eow", "end-of-week",
     "soy", "start-of-year", "eoy", "end-of-year", "som", "start-of-month", "eom",
     "end-of-month"}
)


def parse_date_shorthand(s: str, now: DVDate | None = None) -> DVDate | None:
    """Dataview's date shorthands (§3.2: ``now today yesterday tomorrow sow eow som eom soy
    eoy`` and their long forms), relative to ``now`` (default: the current local time)."""
    if s not in _SHORTHANDS:
        return None
    cur = DVDate.now() if now is None else now
    if s == "now":
        return cur
    if s == "today":
        return cur.start_of("day")
    if s == "yesterday":
        return cur.start_of("day").minus(Duration(days=1))
    if s == "tomorrow":
        return cur.start_of("day").plus(Duration(days=1))
    if s in ("sow", "start-of-week"):
        return cur.start_of("week")
    if s in ("eow", "end-of-week"):
        return cur.end_of("week")
    if s in ("soy", "start-of-year"):
        return cur.start_of("year")
    if s in ("eoy", "end-of-year"):
        return cur.end_of("year")
    if s in ("som", "start-of-month"):
        return cur.start_of("month")
    return cur.end_of("month")


def parse_date_plus(s: str, now: DVDate | None = None) -> DVDate | None:
    """Shorthand or date literal (Dataview ``datePlus``: used by ``date(...)``)."""
    return parse_date_shorthand(s, now) or parse_date_text(s)


def parse_duration_text(s: str) -> Duration | None:
    """Dataview's duration grammar (§3.2) on the whole string; *not* normalised (the ``dur()``
    literal form: ``1.5 hours`` stays ``{hours: 1.5}``).  ``1h30m``, ``1h, 30m``, ``-2 days``."""
    if not s:
        return None
    r = _duration_at(s, 0)
    if r is None or r[1] != len(s):
        return None
    return r[0]


def parse_link_text(s: str) -> Link | None:
    """A whole-string ``[[link]]`` or ``![[embed]]``; ``None`` otherwise."""
    m = _RE_LINK.fullmatch(s)
    if m is None:
        return None
    return Link.parse_inner(m.group(2), embed=bool(m.group(1)))


def _js_key(k: object) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    if is_number(k):
        return js_number_str(k)  # type: ignore[arg-type]
    return str(k)


def _is_array_index(k: str) -> bool:
    return k.isascii() and k.isdigit() and (k == "0" or k[0] != "0") and int(k) < 2**32 - 1


def js_object_order(d: Mapping[str, Value]) -> dict[str, Value]:
    """Reorder keys like a JavaScript object enumerates them: array-index keys (``"0"``,
    ``"12"``) first in ascending order, then the other keys in insertion order."""
    idx = [k for k in d if _is_array_index(k)]
    if not idx:
        return dict(d)
    idx.sort(key=int)
    out = {k: d[k] for k in idx}
    for k, v in d.items():
        if k not in out:
            out[k] = v
    return out


def type_frontmatter_value(obj: Any, normalize_durations: bool = False) -> Value:
    """Convert a YAML-delivered value into a Dataview value (§1.4, ``parseFrontmatter``).

    ``None`` -> null; numbers/booleans as is; lists and mappings recursively (mapping keys become
    strings in JavaScript enumeration order, not canonicalised); strings become a date, a
    duration or a link/embed when the *whole* string matches that grammar, else stay strings.
    YAML timestamps delivered as ``date``/``datetime`` objects are treated like the equivalent
    date text.  Durations are not normalised (0.5.70's ``parseFrontmatter`` returns the parsed
    duration as is); pass ``normalize_durations=True`` to normalise them like inline values.
    Unknown types -> ``None`` (Dataview's fallback).
    """
    if obj is None:
        return None
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, (int, float)):
        return clean_number(obj) if isinstance(obj, float) else obj
    if isinstance(obj, str):
        if obj and "0" <= obj[0] <= "9":
            d = parse_date_text(obj)
            if d is not None:
                return d
        dur = parse_duration_text(obj)
        if dur is not None:
            return dur.normalized() if normalize_durations else dur
        link = parse_link_text(obj)
        if link is not None:
            return link
        return obj
    if isinstance(obj, (list, tuple)):
        return [type_frontmatter_value(x, normalize_durations) for x in obj]
    if isinstance(obj, Mapping):
        out: dict[str, Value] = {}
        for k, v in obj.items():
            out[_js_key(k)] = type_frontmatter_value(v, normalize_durations)
        return js_object_order(out)
    if isinstance(obj, (_datetime, _date)):
        return DVDate.from_datetime(obj)
    return None


# =================================================================================================
# Types, truthiness, ordering (§3.1, §3.7, §3.8)
# =================================================================================================


def type_name(v: Value) -> str:
    """Dataview ``typeof`` names: ``null number string boolean duration date widget array link
    function object`` (checked in Dataview's ``wrapValue`` order)."""
    fast = _EXACT_TYPE_NAMES.get(type(v))
    if fast is not None:  # the common exact types, without the isinstance chain
        return fast
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, Duration):
        return "duration"
    if isinstance(v, DVDate):
        return "date"
    if isinstance(v, Widget):
        return "widget"
    if isinstance(v, (list, tuple)):
        return "array"
    if isinstance(v, Link):
        return "link"
    if isinstance(v, Mapping):
        return "object"
    if callable(v):
        return "function"
    return "object"


_EXACT_TYPE_NAMES: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness of a plain (YAML/JSON) value: ``false``, ``0``, ``NaN``, ``""`` and
    ``null`` are falsy; lists and objects are truthy even when empty (unlike :func:`is_truthy`).
    The Digital Garden plugin and Dataview's task fields test values this way."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float):
        return value == value and value != 0
    if isinstance(value, str):
        return value != ""
    return True


def is_truthy(v: Value) -> bool:
    """Dataview ``Values.isTruthy`` (§3.7)."""
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0  # NaN != 0 -> truthy, as in JavaScript
    if isinstance(v, str):
        return len(v) > 0
    if isinstance(v, Link):
        return bool(v.path)
    if isinstance(v, DVDate):
        return v.to_millis() != 0
    if isinstance(v, Duration):
        return v.as_("seconds") != 0
    if isinstance(v, (list, tuple, Mapping)):
        return len(v) > 0
    return True


# ---- string collation (approximation of ICU root collation, as used by localeCompare) ---------

# Groups of primary weights, in CLDR root order.
_G_SPACE, _G_PUNCT, _G_SYMBOL_MOD, _G_SYMBOL, _G_CURRENCY, _G_DIGIT = 1, 2, 3, 4, 5, 6
_G_LATIN, _G_SCRIPT, _G_OTHER = 7, 8, 9
_GROUP = 1 << 32

_ASCII_RANK = {
    _G_SPACE: "\t\n\x0b\x0c\r\x85\u2028\u2029 ",
    _G_PUNCT: "_-,;:!?.'\"()[]{}@*/\\&#%",
    _G_SYMBOL_MOD: "`^",
    _G_SYMBOL: "+<=>|~",
    _G_CURRENCY: "$",
}
_ASCII_PRIMARY: dict[str, int] = {}
for _g, _chars in _ASCII_RANK.items():
    for _i, _ch in enumerate(_chars):
        _ASCII_PRIMARY[_ch] = _g * _GROUP + _i

# Accent order of DUCET's secondary weights for the common combining marks.
_ACCENT_ORDER = "\u0301\u0300\u0306\u0302\u030c\u030a\u0308\u030b\u0303\u0307\u0327\u0328\u0304"
_ACCENT_RANK = {c: i for i, c in enumerate(_ACCENT_ORDER)}
# Latin letters that are separate primaries right after a base letter.
_LATIN_AFTER = {"æ": ("a", 1), "ð": ("d", 1), "đ": ("d", 2), "ħ": ("h", 1), "ı": ("i", 1),
                "ł": ("l", 1), "ŋ": ("n", 1), "ø": ("o", 1), "œ": ("o", 2), "þ": ("z", 1)}

_Element = tuple[int, int, int]  # (primary, secondary, tertiary); primary 0 = combining mark


def _latin_primary(lower: str) -> int | None:
    if "a" <= lower <= "z":
        return _G_LATIN * _GROUP + (ord(lower) - 97) * 16
    after = _LATIN_AFTER.get(lower)
    if after is not None:
        return _G_LATIN * _GROUP + (ord(after[0]) - 97) * 16 + after[1]
    return None


@functools.lru_cache(maxsize=65536)
def _char_elements(c: str) -> tuple[_Element, ...]:
    """Collation elements of one (NFD) character."""
    if c in _ASCII_PRIMARY:
        return ((_ASCII_PRIMARY[c], 1, 0),)
    cat = unicodedata.category(c)
    cp = ord(c)
    if cat in ("Mn", "Me", "Mc"):
        if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
            return ()
        return ((0, 2 + _ACCENT_RANK.get(c, 32 + cp), 0),)
    if cat == "Cf" or (cat == "Cc" and c not in _JS_WS_SET and c != "\x85"):
        return ()
    compat = unicodedata.normalize("NFKD", c)
    if compat != c:
        out: list[_Element] = []
        for ch in compat:
            for p, s, t in _char_elements(ch):
                out.append((p, s, t + 1 if p else t))
        return tuple(out)
    if cat == "Zs" or c in _JS_WS_SET:
        return ((_G_SPACE * _GROUP + 100 + cp, 1, 0),)
    if cat == "Nd":
        return ((_G_DIGIT * _GROUP + unicodedata.decimal(c), 1, 0 if cp < 128 else 1),)
    if cat.startswith("P"):
        return ((_G_PUNCT * _GROUP + 0x1000 + cp, 1, 0),)
    if cat == "Sk":
        return ((_G_SYMBOL_MOD * _GROUP + 0x1000 + cp, 1, 0),)
    if cat in ("Sm", "So"):
        return ((_G_SYMBOL * _GROUP + 0x1000 + cp, 1, 0),)
    if cat == "Sc":
        return ((_G_CURRENCY * _GROUP + 0x1000 + cp, 1, 0),)
    if cat.startswith("L") or cat.startswith("N"):
        lower = c.lower()
        upper = 1 if lower != c else 0
        if c == "ß":
            s_prim = _latin_primary("s")
            assert s_prim is not None
            return ((s_prim, 1, 1), (s_prim, 1, 1))  # "ss" < "ß" at the tertiary level
        base = lower[0] if lower else c
        lp = _latin_primary(base)
        if lp is not None:
            return ((lp, 1, upper * 4),)
        if unicodedata.name(base, "").startswith("LATIN "):
            return ((_G_LATIN * _GROUP + 27 * 16 + ord(base), 1, upper * 4),)
        bcp = ord(base)
        if 0x30A1 <= bcp <= 0x30F6:  # katakana: same primary as hiragana, later tertiary
            return ((_G_SCRIPT * _GROUP + bcp - 0x60, 1, 2),)
        return ((_G_SCRIPT * _GROUP + bcp, 1, upper * 4),)
    return ((_G_OTHER * _GROUP + cp, 1, 0),)


CollationKey: TypeAlias = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


@functools.lru_cache(maxsize=131072)
def collation_key(s: str) -> CollationKey:
    """A three-level sort key approximating ICU root collation (JavaScript ``localeCompare``).

    Level 1 (primary) compares base characters ignoring case and accents, with whitespace <
    punctuation < symbols < currency < digits < letters (Latin, then other scripts); level 2
    compares accents; level 3 case (lower before upper).  Digits compare character by character
    (``"10" < "9"``).  Control/format characters are ignorable.
    """
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for ch in unicodedata.normalize("NFD", s):
        for p, sec, ter in _char_elements(ch):
            if p:
                primary.append(p)
                tertiary.append(ter)
            secondary.append(sec)
    return (tuple(primary), tuple(secondary), tuple(tertiary))


def locale_compare(a: str, b: str) -> int:
    """JavaScript ``a.localeCompare(b)`` (ICU root collation approximation): -1, 0 or 1."""
    if a == b:
        return 0
    ka, kb = collation_key(a), collation_key(b)
    if ka < kb:
        return -1
    if ka > kb:
        return 1
    return 0


def _utf16_key(s: str) -> bytes:
    """Sort key for JavaScript's default ``Array.prototype.sort`` (UTF-16 code unit order)."""
    return s.encode("utf-16-be", "surrogatepass")


def compare(a: Value, b: Value, link_normalizer: Callable[[str], str] | None = None) -> int:
    """Dataview's ``Values.compareValue`` (§3.8): -1, 0 or 1.

    null first; different types by type name; numbers numerically; strings by ``localeCompare``;
    links by (normalised) path, then type, then subpath; dates by instant but equal only for the
    same zone; durations by total milliseconds but equal only with the same units; lists
    element-wise then by length; objects by sorted keys then values.  Reproduces Dataview's
    non-total corners: NaN, invalid dates, same-instant dates in different zones and equal-length
    durations with different units compare as ``1`` in *both* directions.
    """
    if a is None:
        return 0 if b is None else -1
    if b is None:
        return 1
    ta, tb = type_name(a), type_name(b)
    if ta != tb:
        return -1 if ta < tb else 1
    if ta == "number":
        if a < b:
            return -1
        if a == b:
            return 0
        return 1
    if ta == "string":
        return locale_compare(a, b)
    if a is b:
        return 0
    if ta == "boolean":
        if a == b:
            return 0
        return 1 if a else -1
    if ta == "link":
        norm = link_normalizer or (lambda x: x)
        pc = locale_compare(norm(a.path), norm(b.path))
        if pc != 0:
            return pc
        tc = locale_compare(a.type, b.type)
        if tc != 0:
            return tc
        if a.subpath and not b.subpath:
            return 1
        if not a.subpath and b.subpath:
            return -1
        if not a.subpath and not b.subpath:
            return 0
        return locale_compare(a.subpath or "", b.subpath or "")
    if ta == "date":
        if a.to_millis() < b.to_millis():
            return -1
        return 0 if a.equals(b) else 1
    if ta == "duration":
        if a.as_millis() < b.as_millis():
            return -1
        return 0 if a.equals(b) else 1
    if ta == "array":
        for x, y in zip(a, b, strict=False):
            c = compare(x, y)
            if c != 0:
                return c
        la, lb = len(a), len(b)
        return -1 if la < lb else (1 if la > lb else 0)
    if ta == "object":
        k1 = sorted(a.keys(), key=_utf16_key)
        k2 = sorted(b.keys(), key=_utf16_key)
        kc = compare(k1, k2)
        if kc != 0:
            return kc
        for k in k1:
            c = compare(a[k], b[k])
            if c != 0:
                return c
        return 0
    return 0  # widget, function


def values_equal(a: Value, b: Value, link_normalizer: Callable[[str], str] | None = None) -> bool:
    """Dataview ``=``: ``compare(a, b) == 0``."""
    return compare(a, b, link_normalizer) == 0


_CmpKey = functools.cmp_to_key(compare)


def fast_sort_key(v: Value, link_normalizer: Callable[[str], str] | None = None) -> tuple[Any, ...] | None:
    """A plain tuple key ordering like :func:`compare`, for the common scalar types.

    ``None`` for values whose order needs :func:`compare` itself (lists, objects, durations, NaN,
    invalid dates). Sorting thousands of rows by tuple keys runs in C instead of calling
    ``compare`` ~n·log n times. Same-instant dates in different zones count as equal here
    (``compare`` says "greater" both ways, an order with no defined result).
    """
    if v is None:
        return ("",)
    kind = type(v)
    if kind is str:
        return ("string", collation_key(v))
    if kind is int or kind is float:
        return None if v != v else ("number", v)
    if kind is bool:
        return ("boolean", v)
    if isinstance(v, Link):
        path = link_normalizer(v.path) if link_normalizer else v.path
        sub = v.subpath or ""
        return ("link", collation_key(path), collation_key(v.type), bool(sub), collation_key(sub))
    if isinstance(v, DVDate) and v.is_valid:
        return ("date", v.to_millis())
    return None


def sort_key(v: Value) -> Any:
    """A key for ``sorted``/``list.sort`` using :func:`compare` (stable, ascending)."""
    return _CmpKey(v)


# =================================================================================================
# String conversion (§3.9)
# =================================================================================================


def to_string(v: Value, settings: ValueSettings = DEFAULT_SETTINGS, recursive: bool = False) -> str:
    """Dataview ``Values.toString``: the text used by ``string()``, ``join()``, string ``+`` and
    the Markdown export.  Dates are formatted in their own zone."""
    if v is None:
        return settings.render_null_as
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return js_number_str(v)
    if isinstance(v, Duration):
        return v.to_human()
    if isinstance(v, DVDate):
        if v.second == 0 and v.hour == 0 and v.minute == 0:
            return _lx.format_datetime(v, settings.default_date_format)
        return _lx.format_datetime(v, settings.default_date_time_format)
    if isinstance(v, Widget):
        return v.markdown()
    if isinstance(v, Link):
        return v.markdown()
    if isinstance(v, (list, tuple)):
        inner = ", ".join(to_string(x, settings, True) for x in v)
        return "[" + inner + "]" if recursive else inner
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{k}: {to_string(x, settings, True)}" for k, x in v.items()) + " }"
    if callable(v):
        return "<function>"
    return str(v)


# =================================================================================================
# JSON result encoding (§8)
# =================================================================================================


def _json_number(x: int | float) -> Any:
    if isinstance(x, int):
        return x
    if x != x:
        return {"number": "NaN"}
    if x == math.inf:
        return {"number": "Infinity"}
    if x == -math.inf:
        return {"number": "-Infinity"}
    return clean_number(x)


def to_result_json(v: Value) -> Any:
    """The ``gardend query --format json`` encoding of a value (§8)."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, float)):
        return _json_number(v)
    if isinstance(v, (list, tuple)):
        return [to_result_json(x) for x in v]
    if isinstance(v, Link):
        return {"link": v.path, "display": v.display, "subpath": v.subpath, "type": v.type,
                "embed": bool(v.embed)}
    if isinstance(v, DVDate):
        return {"date": v.to_iso()}
    if isinstance(v, Duration):
        return {"duration": {k: _json_number(x) for k, x in v.values.items() if x != 0}}
    if isinstance(v, ExternalLinkWidget):
        return {"widget": "external-link", "url": v.url,
                "display": v.display if v.display is not None else v.url}
    if isinstance(v, ListPairWidget):
        return {"widget": "list-pair", "key": to_result_json(v.key),
                "value": to_result_json(v.value)}
    if isinstance(v, Widget):
        return {"widget": v.widget_type}
    if isinstance(v, Mapping):
        return {"object": {k: to_result_json(x) for k, x in v.items()}}
    if callable(v):
        return {"function": True}
    raise TypeError(f"not a Dataview value: {v!r}")


# =================================================================================================
# Lossless storage encoding
# =================================================================================================

_TAG = "$t"


def _store_num(x: int | float) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return {_TAG: "num", "v": js_number_str(x)}
    return x


def _load_num(x: Any) -> int | float:
    if isinstance(x, dict):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[x["v"]]
    return x  # type: ignore[no-any-return]


def to_storage(v: Value) -> Any:
    """Encode a value as JSON-able data that :func:`from_storage` restores exactly.

    Non-JSON values become objects with the reserved key ``"$t"``; a user object that itself has a
    ``"$t"`` key is wrapped (``{"$t": "obj", "v": {...}}``) so it is never mistaken for one.
    Dates keep their zone identity: a local-zone date stores its wall clock as well, so when the
    local zone changed between writing and reading it is re-interpreted in the new local zone.
    """
    if v is None or isinstance(v, (bool, str, int)):
        return v
    if isinstance(v, float):
        return _store_num(v)
    if isinstance(v, (list, tuple)):
        return [to_storage(x) for x in v]
    if isinstance(v, Link):
        out: dict[str, Any] = {_TAG: "link", "p": v.path}
        if v.display is not None:
            out["d"] = v.display
        if v.subpath is not None:
            out["s"] = v.subpath
        if v.embed:
            out["e"] = True
        if v.type != "file":
            out["k"] = v.type
        return out
    if isinstance(v, DVDate):
        if not v.is_valid:
            return {_TAG: "date", "invalid": v.invalid_reason, "z": v.zone.key}
        y, mo, d, h, mi, s, ms = v.fields
        return {_TAG: "date", "ts": v.ts, "z": v.zone.key, "o": v.offset,
                "w": [y, mo, d, h, mi, s, ms]}
    if isinstance(v, Duration):
        return {_TAG: "dur", "v": {k: _store_num(x) for k, x in v.values.items()}}
    if isinstance(v, ExternalLinkWidget):
        return {_TAG: "elink", "url": v.url, "d": v.display}
    if isinstance(v, ListPairWidget):
        return {_TAG: "pair", "k": to_storage(v.key), "v": to_storage(v.value)}
    if isinstance(v, Mapping):
        enc = {k: to_storage(x) for k, x in v.items()}
        if _TAG in v:
            return {_TAG: "obj", "v": enc}
        return enc
    raise TypeError(f"cannot store value of type {type_name(v)}: {v!r}")


def from_storage(obj: Any) -> Value:
    """Decode the output of :func:`to_storage`."""
    if obj is None or isinstance(obj, (bool, str, int, float)):
        return obj
    if isinstance(obj, list):
        return [from_storage(x) for x in obj]
    if not isinstance(obj, dict):
        raise TypeError(f"not a stored value: {obj!r}")
    tag = obj.get(_TAG)
    if tag is None:
        return {k: from_storage(x) for k, x in obj.items()}
    if tag == "obj":
        return {k: from_storage(x) for k, x in obj["v"].items()}
    if tag == "num":
        return _load_num(obj)
    if tag == "link":
        return Link(obj["p"], obj.get("d"), obj.get("s"), bool(obj.get("e", False)),
                    obj.get("k", "file"))
    if tag == "date":
        zone = zone_from_key(obj.get("z", "local")) or LOCAL
        if "invalid" in obj:
            return DVDate.invalid(obj["invalid"], zone)
        ts = obj["ts"]
        if zone is LOCAL:
            off = obj.get("o")
            if off is not None and LOCAL.offset(ts) == off:
                return DVDate(ts, LOCAL, off)
            w = obj["w"]
            guess = LOCAL.offset(ts)
            new_ts, o = _fix_offset(fields_to_local_ms(*w), guess, LOCAL)
            return DVDate(new_ts, LOCAL, o)
        return DVDate(ts, zone)
    if tag == "dur":
        return Duration._raw({k: _load_num(x) for k, x in obj["v"].items()})
    if tag == "elink":
        return ExternalLinkWidget(obj["url"], obj.get("d"))
    if tag == "pair":
        return ListPairWidget(from_storage(obj["k"]), from_storage(obj["v"]))
    raise ValueError(f"unknown stored value tag {tag!r}")


# Imported last: luxon.py imports names from this module.
from . import luxon as _lx  # noqa: E402
