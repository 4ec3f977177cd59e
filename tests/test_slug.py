"""The Digital Garden slug and permalink rules (digital-garden.md §3.3–§3.5)."""

from __future__ import annotations

import pytest
from gardend.daemon.publish.paths import garden_path, parse_rewrite_rules, permalink_for
from gardend.daemon.publish.slug import slugify
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("2025-01-30 12.13.47", "2025-01-30-12-13-47"), ("Dates 2023.01.02", "dates-2023-01-02"),
        ("v1.2.3", "v1-2-3"), ("000 Home", "000-home"), ("camelCase Note", "camel-case-note"),
        ("XMLHttpRequest", "xml-http-request"), ("JSONParser", "json-parser"), ("toJSON", "to-json"),
        ("iPhone 12 Pro", "i-phone-12-pro"), ("iOS", "i-os"), ("macOS", "mac-os"), ("ABCdef", "ab-cdef"),
        ("fooBAR", "foo-bar"), ("PD1 Dataview", "pd-1-dataview"), ("T1 BaseFile", "t1-base-file"),
        ("A1B2", "a1-b2"), ("10x Engineer", "10x-engineer"), ("2nd", "2nd"), ("hello_world", "hello-world"),
        ("__init__", "init"), ("SnakeCase_Test", "snake-case-test"), ("foo--bar", "foo-bar"),
        ("My-Note", "my-note"), ("What's up?", "what-s-up"), ("O'Reilly", "o-reilly"),
        ("Tom's 2nd Note", "tom-s-2nd-note"), ("C++ & C#", "c-and-c"), ("a & b", "a-and-b"),
        ("I ♥ Dogs", "i-love-dogs"), ("Emoji 🌱 Garden", "emoji-garden"), ("100%", "100"),
        ("$price = 5", "price-5"), ("@mention #tag", "mention-tag"), ("Header: with colon", "header-with-colon"),
        ("(Parens) [brackets]", "parens-brackets"), ("Über Straße", "ueber-strasse"), ("Zürich", "zuerich"),
        ("Ünïcödé", "uenicoede"), ("Crème brûlée", "creme-brulee"), ("naïve café", "naive-cafe"),
        ("Ça va? Oui!", "ca-va-oui"), ("Ærø & Øl", "a-ero-and-ol"), ("Œuvre", "oeuvre"), ("Ğ ş İ ı", "g-s-i-i"),
        ("ı", "i"), ("ß", "ss"), ("Đà Nẵng", "da-nang"), ("Tiếng Việt", "tieng-viet"), ("中文笔记", ""),
        ("日本語", ""), ("한국어", ""), ("עברית", ""), ("Chinese 中文", "chinese"), ("ﬁ ligature", "ligature"),
        ("ǅemal", "emal"), ("e.g. this", "e-g-this"), ("dot.in.name", "dot-in-name"),
    ],
)
def test_reference_examples(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("text", "slug"), [("Привет мир", "privet-mir"), ("Ελληνικά", "ellinika"), ("العربية", "alerbyt")]
)
def test_non_latin_scripts_need_the_full_table(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_permalinks() -> None:
    assert permalink_for("Research/Insights/2025-01-30 12.13.47.md") == "/research/insights/2025-01-30-12-13-47/"
    assert permalink_for("x.md", {"dg-permalink": "my-name/custom"}) == "/my-name/custom/"
    assert permalink_for("x.md", {"dg-permalink": "custom link/shouldBeDifferentToPath"}) == (
        "/custom link/shouldBeDifferentToPath/"
    )
    assert permalink_for("x.md", {"dg-path": "custom path/should also write to permalink"}) == (
        "/custom-path/should-also-write-to-permalink/"
    )
    assert permalink_for("L Languages/中文.md") == "/l-languages//"
    assert permalink_for("Board.canvas") == "/board.canvas/"


def test_rewrite_rules() -> None:
    rules = parse_rewrite_rules(
        "Path Rewriting/Subfolder2:fun-folder\nPath Rewriting:\nSubfolder:subfolder-rewritten\n"
        "Path Rewriting/Subfolder:this-will-never-hit"
    )
    assert garden_path("Path Rewriting/004 Folder set to root.md", None, rules) == "004 Folder set to root.md"
    assert garden_path("Path Rewriting/Subfolder/How deep do the rewrite rules go.md", None, rules) == (
        "Subfolder/How deep do the rewrite rules go.md"
    )
    assert permalink_for("Path Rewriting/Subfolder2/More specific path rewriting.md", None, rules) == (
        "/fun-folder/more-specific-path-rewriting/"
    )


@given(st.text(max_size=60))
def test_slug_shape(text: str) -> None:
    slug = slugify(text)
    assert slug == slug.strip("-")
    assert "--" not in slug
    assert all(c.isascii() and (c.isalnum() or c == "-") and not c.isupper() for c in slug)


def _reference_transliterate(text: str) -> str:
    """The JavaScript loop as written: every replacement of the merged map, in order."""
    import unicodedata

    from gardend.daemon.publish.slug import _DEBURR, _REPLACEMENTS

    text = unicodedata.normalize("NFC", text)
    for needle, replacement in _REPLACEMENTS:
        if needle in text:
            text = text.replace(needle, replacement)
    return text.translate(_DEBURR)


_SCRIPT_TEXT = st.text(
    alphabet=st.sampled_from(list("aZ09 &-_/ÄäÖößçéÿŁłœŒ♥ЖжЩщЫыйЙ中文ØøÞþ\u0301\u0308ἀΩ🦄ĳǅ")), max_size=30
)


@given(_SCRIPT_TEXT | st.text(max_size=30))
def test_transliterate_tries_only_relevant_entries_but_equals_the_full_loop(text: str) -> None:
    from gardend.daemon.publish.slug import transliterate

    assert transliterate(text) == _reference_transliterate(text)
