"""LZ-string's Base64 form, decoded (and encoded, for tests and round trips).

The Excalidraw plugin stores a drawing either as plain JSON or, with "compress" on, as a
```` ```compressed-json ```` block: the JSON compressed by the lz-string library and written
in its URL-unsafe Base64 alphabet, wrapped at a fixed width. The Digital Garden plugin inflates
that block with ``LZString.decompressFromBase64`` before publishing the drawing (digital-garden.md
§4.11), so gardend needs the same decoder, bit for bit — including what it does with text that is
not valid lz-string output (it returns an empty string or "null" instead of failing; callers
turn those into a clear error).

The algorithm (an LZW variant over UTF-16 code units, bits read least-significant first from
6-bit Base64 digits) is lz-string's documented format; the code here is gardend's own.
Strings are handled as sequences of UTF-16 code units, as in JavaScript, and only joined into a
Python ``str`` at the end, so surrogate pairs split across dictionary entries come out right.
"""

from __future__ import annotations

__all__ = ["compress_to_base64", "decompress_from_base64"]

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_VALUE = {ch: i for i, ch in enumerate(_ALPHABET)}


def _units_to_str(units: list[int]) -> str:
    """UTF-16 code units → ``str``; pairs combine, lone surrogates are kept (as JavaScript does)."""
    raw = b"".join(u.to_bytes(2, "little") for u in units)
    return raw.decode("utf-16-le", "surrogatepass")


def _str_to_units(text: str) -> list[int]:
    raw = text.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(raw[i:i + 2], "little") for i in range(0, len(raw), 2)]


class _BitReader:
    """Bits of the Base64 text, least significant first within each 6-bit digit."""

    __slots__ = ("_length", "_position", "_text", "_value", "index")

    def __init__(self, text: str) -> None:
        self._text = text
        self._length = len(text)
        self._value = self._digit(0)
        self._position = 32  # lz-string's reset value for Base64: the bit mask 2**5
        self.index = 1

    def _digit(self, i: int) -> int:
        # Past the end, or a character outside the alphabet: JavaScript's ``undefined & n`` is 0.
        return _VALUE.get(self._text[i], 0) if i < self._length else 0

    def read(self, count: int) -> int:
        bits = 0
        for power in range(count):
            if self._value & self._position:
                bits |= 1 << power
            self._position >>= 1
            if self._position == 0:
                self._position = 32
                self._value = self._digit(self.index)
                self.index += 1
        return bits


#: LZW output can grow quadratically with its input; a drawing is never near this many UTF-16
#: units, so a text that would decode past it is refused (``None``) rather than exhausting memory.
MAX_UNITS = 1 << 26


def decompress_from_base64(text: str, max_units: int = MAX_UNITS) -> str | None:
    """``LZString.decompressFromBase64(text)``: the decoded string, ``""`` when the input ends
    early, or ``None`` for an empty input or a back-reference past the dictionary (and, unlike
    lz-string, for an output longer than ``max_units``)."""
    if text == "":
        return None
    if not text.isascii():  # JavaScript indexes the input by UTF-16 code unit
        text = "".join(map(chr, _str_to_units(text)))
    reader = _BitReader(text)
    first = reader.read(2)
    if first == 2:
        return ""
    unit = reader.read(8 if first == 0 else 16)
    dictionary: list[list[int] | None] = [None, None, None, [unit]]
    enlarge_in, num_bits = 4, 3
    w = [unit]
    result = [unit]
    while True:
        if reader.index > len(text):
            return ""
        code = reader.read(num_bits)
        if code in (0, 1):
            dictionary.append([reader.read(8 if code == 0 else 16)])
            code = len(dictionary) - 1
            enlarge_in -= 1
        elif code == 2:
            return _units_to_str(result)
        if enlarge_in == 0:
            enlarge_in = 1 << num_bits
            num_bits += 1
        if code < len(dictionary) and dictionary[code]:
            entry = dictionary[code]
        elif code == len(dictionary):
            entry = w + w[:1]
        else:
            return None
        assert entry is not None
        result.extend(entry)
        if len(result) > max_units:
            return None
        dictionary.append(w + entry[:1])
        enlarge_in -= 1
        w = entry
        if enlarge_in == 0:
            enlarge_in = 1 << num_bits
            num_bits += 1


class _BitWriter:
    __slots__ = ("_out", "_position", "_value")

    def __init__(self) -> None:
        self._out: list[str] = []
        self._value = 0
        self._position = 0

    def write(self, value: int, count: int) -> None:
        for _ in range(count):
            self._value = (self._value << 1) | (value & 1)
            self._position += 1
            if self._position == 6:
                self._out.append(_ALPHABET[self._value])
                self._value = self._position = 0
            value >>= 1

    def finish(self) -> str:
        # Flush the last digit, then pad to a multiple of four characters as lz-string does.
        while True:
            self._value <<= 1
            if self._position == 5:
                self._out.append(_ALPHABET[self._value])
                break
            self._position += 1
        text = "".join(self._out)
        return text + "=" * (-len(text) % 4)


def compress_to_base64(text: str) -> str:
    """``LZString.compressToBase64(text)`` (tests use it to build drawings; the compile only
    decodes). Same dictionary growth rules as the decoder above, in reverse."""
    writer = _BitWriter()
    dictionary: dict[tuple[int, ...], int] = {}
    to_create: set[tuple[int, ...]] = set()
    enlarge_in, dict_size, num_bits = 2, 3, 2
    w: tuple[int, ...] = ()

    def emit_w() -> None:
        nonlocal enlarge_in, num_bits
        if w in to_create:
            unit = w[0]
            if unit < 256:
                writer.write(0, num_bits)
                writer.write(unit, 8)
            else:
                writer.write(1, num_bits)
                writer.write(unit, 16)
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in = 1 << num_bits
                num_bits += 1
            to_create.discard(w)
        else:
            writer.write(dictionary[w], num_bits)
        enlarge_in -= 1
        if enlarge_in == 0:
            enlarge_in = 1 << num_bits
            num_bits += 1

    for unit in _str_to_units(text):
        c = (unit,)
        if c not in dictionary:
            dictionary[c] = dict_size
            dict_size += 1
            to_create.add(c)
        wc = w + c
        if wc in dictionary:
            w = wc
            continue
        emit_w()
        dictionary[wc] = dict_size
        dict_size += 1
        w = c
    if w:
        emit_w()
    writer.write(2, num_bits)
    return writer.finish()
