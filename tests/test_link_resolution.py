"""Obsidian link resolution (obsidian.md §3.4): the worked examples and the corner cases."""

from __future__ import annotations

import pytest
from gardend.daemon.links import (
    MalformedURI,
    candidate_names,
    decode_uri,
    default_display,
    file_lookup_name,
    heading_matches,
    is_internal_destination,
    resolve,
    split_linktext,
    strip_heading,
)
from hypothesis import given
from hypothesis import strategies as st

VAULT = ["Note.md", "A/Note.md", "B/Sub/Note.md", "A/Only.md", "C/Only.md", "Img/pic.png"]


def table(paths: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in paths:
        out.setdefault(file_lookup_name(p), []).append(p)
    return out


@pytest.mark.parametrize(
    ("link", "source", "expected"),
    [
        ("Note", "B/Sub/X.md", "Note.md"),  # root file wins (exact path)
        ("A/Note", "Z/X.md", "A/Note.md"),
        ("Sub/Note", "Z/X.md", "B/Sub/Note.md"),  # suffix match
        ("Only", "C/X.md", "C/Only.md"),  # same folder first
        ("./Only", "C/X.md", "C/Only.md"),
        ("../A/Only", "C/X.md", "A/Only.md"),
        ("/A/Only", "Z/X.md", "A/Only.md"),
        ("/Only", "Z/X.md", None),  # rooted: no fuzzy fallback
        ("pic.png", "Z/X.md", "Img/pic.png"),
        ("pic", "Z/X.md", None),  # .md optional, other extensions are not
        ("NOTE.MD", "Z/X.md", "Note.md"),
        ("", "Z/X.md", "Z/X.md"),  # [[#heading]] points at the note itself
        ("Missing", "Z/X.md", None),
    ],
)
def test_worked_examples(link: str, source: str, expected: str | None) -> None:
    assert resolve(link, source, table(VAULT)).path == expected


def test_ambiguous_equal_length_is_deterministic_and_reported() -> None:
    res = resolve("Only", "C/D/X.md", table(VAULT))
    assert res.path == "A/Only.md"  # shortest, then alphabetical
    assert set(res.ambiguous) == {"A/Only.md", "C/Only.md"}
    # Registration order must not matter.
    assert resolve("Only", "C/D/X.md", table(list(reversed(VAULT)))).path == "A/Only.md"


def test_same_folder_prefix_is_a_string_prefix() -> None:
    # "Research" is a prefix of "Research Links/..." too (obsidian.md §3.4 step 8).
    vault = ["Research Links/T.md", "Zzzz/T.md"]
    assert resolve("T", "Research/X.md", table(vault)).path == "Research Links/T.md"


def test_unique_bare_name_resolves_anywhere() -> None:
    assert resolve("Deep", "X.md", table(["a/b/c/Deep.md"])).path == "a/b/c/Deep.md"


def test_dotted_names_try_md_second() -> None:
    vault = ["notes/v1.2 notes.md", "report.pdf", "report.pdf.md"]
    assert resolve("v1.2 notes", "x.md", table(vault)).path == "notes/v1.2 notes.md"
    assert resolve("report.pdf", "x.md", table(vault)).path == "report.pdf"


def test_unicode_normalisation_and_nbsp() -> None:
    nfd = "Cafe\u0301.md"  # decomposed é on disk (macOS)
    assert resolve("Caf\u00e9", "x.md", table([nfd])).path == nfd
    assert resolve("Caf\u00e9\u00a0", "x.md", table([nfd])).path == nfd


def test_candidate_names() -> None:
    assert candidate_names("Folder/Note") == ("note.md",)
    assert candidate_names("v1.2 notes") == ("v1.2 notes", "v1.2 notes.md")


def test_split_and_display() -> None:
    assert split_linktext("Note#H#Sub") == ("Note", "#H#Sub")
    assert split_linktext("Note") == ("Note", None)
    assert default_display("Note#Details") == "Note > Details"
    assert default_display("#Details") == "Details"
    assert default_display("Folder/Note.md") == "Folder/Note.md"


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("My%20Note.md", "My Note.md"),
        ("a%23b", "a%23b"),  # reserved escapes stay (decodeURI)
        ("caf%C3%A9", "café"),
        ("plain", "plain"),
    ],
)
def test_decode_uri(raw: str, decoded: str) -> None:
    assert decode_uri(raw) == decoded


@pytest.mark.parametrize("raw", ["100%", "%zz", "%C3"])
def test_decode_uri_malformed(raw: str) -> None:
    with pytest.raises(MalformedURI):
        decode_uri(raw)


def test_internal_destinations() -> None:
    assert is_internal_destination("Note.md")
    assert is_internal_destination("../x/y.md")
    assert not is_internal_destination("https://example.com")
    assert not is_internal_destination("mailto:a@b")
    assert not is_internal_destination("obsidian://open?vault=x")
    assert not is_internal_destination("//cdn.example.com/x")


@pytest.mark.parametrize(
    ("heading", "stripped"),
    [("Why? (FAQ)", "Why FAQ"), ("C++ & C#", "C C"), ("2.1 Setup", "2 1 Setup"), ("it's  a-b_c", "it's a-b_c")],
)
def test_strip_heading(heading: str, stripped: str) -> None:
    assert strip_heading(heading) == stripped


def test_heading_chain() -> None:
    headings = [(1, "A"), (2, "B"), (1, "C"), (2, "B"), (3, "Why? (FAQ)")]
    assert heading_matches("#B", headings) == 1  # first wins
    assert heading_matches("#C#B", headings) == 3
    assert heading_matches("#why faq", headings) == 4
    assert heading_matches("#Nope", headings) is None


paths = st.lists(
    st.from_regex(r"[A-Za-z]{1,3}(/[A-Za-z]{1,3}){0,2}\.(md|png)", fullmatch=True), min_size=1, max_size=8, unique=True
)


@given(paths, st.from_regex(r"[A-Za-z./]{0,10}", fullmatch=True), st.sampled_from(["x.md", "A/x.md", "A/B/x.md"]))
def test_resolution_is_order_independent_and_picks_a_candidate(vault: list[str], link: str, source: str) -> None:
    forward = resolve(link, source, table(vault))
    backward = resolve(link, source, table(list(reversed(vault))))
    assert forward == backward
    if forward.path is not None and link:
        assert forward.path in vault
