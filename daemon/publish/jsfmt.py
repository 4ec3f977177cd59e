"""JavaScript behaviours the plugin's output depends on, reproduced in Python.

The Digital Garden plugin is TypeScript; its bytes come from ``JSON.stringify``,
``String.prototype.replace`` (with its ``$`` replacement patterns), ``encodeURI`` and luxon's
``toISO``. Python's nearest equivalents differ in small ways that change bytes (``2020.0`` vs
``2020``, ``\\1`` vs ``$1``, ``quote`` vs ``encodeURI``), so each is written out here once.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from ..values import js_number_str

__all__ = [
    "encode_uri",
    "js_json",
    "js_regex",
    "js_replace",
    "js_replace_first",
    "luxon_iso",
]

_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_string(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")  # control characters and lone surrogates, lowercase hex
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _is_array_index(key: str) -> bool:
    return key == "0" or (key.isascii() and key.isdigit() and not key.startswith("0") and int(key) < 2**32 - 1)


def js_json(value: Any) -> str:
    """``JSON.stringify(value)``: compact, raw UTF-8, JavaScript number text, and JavaScript's
    property order (integer-like keys first, ascending; then insertion order)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "null" if math.isnan(value) or math.isinf(value) else js_number_str(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        ordered = sorted((k for k in keys if _is_array_index(k)), key=int) + [k for k in keys if not _is_array_index(k)]
        items = {str(k): v for k, v in value.items()}
        return "{" + ",".join(f"{_json_string(k)}:{js_json(items[k])}" for k in ordered) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(js_json(v) for v in value) + "]"
    return _json_string(str(value))


# -- String.prototype.replace ---------------------------------------------------------------------

_DOLLAR = re.compile(r"\$(\$|&|`|'|<([^>]*)>|([0-9]{1,2}))")


def _expand(template: str, match: re.Match[str] | None, matched: str, start: int, text: str) -> str:
    """GetSubstitution: ``$$ $& $` $' $n $nn $<name>``; anything else stays literal."""
    if "$" not in template:
        return template
    groups = match.groups() if match is not None else ()
    named = match.groupdict() if match is not None else {}

    def sub(m: re.Match[str]) -> str:
        token = m.group(1)
        if token == "$":
            return "$"
        if token == "&":
            return matched
        if token == "`":
            return text[:start]
        if token == "'":
            return text[start + len(matched):]
        if m.group(2) is not None:
            if not named:
                return m.group(0)
            return named.get(m.group(2)) or ""
        digits = m.group(3)
        if len(digits) == 2 and 1 <= int(digits) <= len(groups):
            return groups[int(digits) - 1] or ""
        if 1 <= int(digits[0]) <= len(groups):
            return (groups[int(digits[0]) - 1] or "") + digits[1:]
        return m.group(0)

    return _DOLLAR.sub(sub, template)


def js_replace_first(text: str, needle: str, replacement: str, *, patterns: bool = True) -> str:
    """``text.replace(needle, replacement)`` with a string needle: the first occurrence only, and
    (unless ``patterns`` is off, as for 2.74.3+ transclusions) ``$`` patterns interpreted."""
    at = text.find(needle)
    if at < 0:
        return text
    value = _expand(replacement, None, needle, at, text) if patterns else replacement
    return text[:at] + value + text[at + len(needle):]


def js_regex(pattern: str, flags: str = "") -> re.Pattern[str]:
    """A JavaScript regex as Python ``re`` (flags ``i m s``; ``g``/``u``/``y`` are handled by the
    caller). The dialects agree for the patterns gardens use; ``(?<name>`` is translated."""
    py_flags = 0
    if "i" in flags:
        py_flags |= re.IGNORECASE
    if "m" in flags:
        py_flags |= re.MULTILINE
    if "s" in flags:
        py_flags |= re.DOTALL
    pattern = re.sub(r"\(\?<(?![=!])", "(?P<", pattern)
    return re.compile(pattern, py_flags)


def js_replace(text: str, regex: re.Pattern[str], replacement: str, *, global_: bool) -> str:
    """``text.replace(/re/flags, replacement)``: every match with ``g``, else the first."""
    out: list[str] = []
    pos = 0
    for m in regex.finditer(text):
        out.append(text[pos:m.start()])
        out.append(_expand(replacement, m, m.group(0), m.start(), text))
        pos = m.end()
        if not global_:
            break
    out.append(text[pos:])
    return "".join(out)


# -- encodeURI ------------------------------------------------------------------------------------

_URI_UNESCAPED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789;,/?:@&=+$-_.!~*'()#")


def encode_uri(text: str) -> str:
    """JavaScript ``encodeURI`` (lone surrogates, which would throw there, become U+FFFD)."""
    out = []
    for ch in text:
        if ch in _URI_UNESCAPED:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "replace"))
    return "".join(out)


# -- luxon DateTime.fromMillis(ms).toISO() --------------------------------------------------------


def _zone(name: str | None) -> tzinfo | None:
    if not name or name == "local":
        return None
    if name.upper() in ("UTC", "Z"):
        return UTC
    return ZoneInfo(name)


def luxon_iso(ms: int, zone: str | None = None) -> str:
    """``DateTime.fromMillis(ms).toISO()`` in ``zone`` (IANA name; ``None``/``"local"`` = this
    process's zone): always milliseconds, ``±HH:MM`` offset, ``Z`` when the zone is UTC itself."""
    tz = _zone(zone)
    instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    local = instant.astimezone(tz) if tz is not None else instant.astimezone()
    offset = local.utcoffset() or timedelta(0)
    year = local.year
    head = f"{year:04d}" if 0 <= year <= 9999 else f"{'+' if year > 0 else '-'}{abs(year):06d}"
    body = f"{head}-{local:%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}"
    if tz is UTC:
        return body + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{body}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
