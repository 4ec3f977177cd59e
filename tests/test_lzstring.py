"""LZ-string Base64 (the ```` ```compressed-json ```` drawings): vectors made by lz-string 1.5.0
itself (tests/fixtures/excalidraw/lzstring-vectors.json, see generate.js) and properties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gardend.daemon.lzstring import compress_to_base64, decompress_from_base64
from hypothesis import given, settings
from hypothesis import strategies as st

VECTORS = json.loads(
    (Path(__file__).resolve().parent / "fixtures" / "excalidraw" / "lzstring-vectors.json").read_text()
)


def from_units(units: list[int]) -> str:
    return b"".join(u.to_bytes(2, "little") for u in units).decode("utf-16-le", "surrogatepass")


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["base64"][:16])
def test_lz_string_vectors_both_ways(vector: dict) -> None:
    text = from_units(vector["units"])
    assert compress_to_base64(text) == vector["base64"]
    assert decompress_from_base64(vector["base64"]) == text


@pytest.mark.parametrize("case", VECTORS["garbage"], ids=lambda c: c["input"])
def test_lz_string_on_input_that_is_not_lz_string(case: dict) -> None:
    """Not an error but ``""`` or ``None``, exactly as lz-string answers."""
    expected = None if case["units"] is None else from_units(case["units"])
    assert decompress_from_base64(case["input"]) == expected


def test_empty_input_is_none() -> None:
    assert decompress_from_base64("") is None


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_round_trip(text: str) -> None:
    assert decompress_from_base64(compress_to_base64(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n é", max_size=200))
def test_decoding_any_text_never_raises(text: str) -> None:
    result = decompress_from_base64(text)
    assert result is None or isinstance(result, str)


def test_output_is_capped() -> None:
    text = "ab" * 500
    assert decompress_from_base64(compress_to_base64(text), max_units=999) is None
    assert decompress_from_base64(compress_to_base64(text), max_units=1000) == text
