"""Safe mode: nothing of an unpublished note reaches a published file (digital-garden.md §9 rows 1–3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gardend.daemon.index import Index
from gardend.daemon.publish.settings import GardenSettings
from gardend.daemon.publish.transclusion import PRIVATE_PLACEHOLDER
from gardend.daemon.query.engine import QueryEngine
from gardend.daemon.query.results import ListResult

from ..conftest import VaultMaker
from .helpers import compiler, indexed

PUB = "---\ndg-publish: true\n---\n"
SECRET_NOTE = "---\nphone: 555-0199\n---\nDivorce lawyer appointment\n"
#: What only the private note contains (its name is typed in the published note, so it may show).
PRIVATE_WORDS = ("Divorce", "lawyer appointment", "555-0199", "Private/", "Private")


def vault(make_vault: VaultMaker) -> Path:
    return make_vault({
        "Pub.md": PUB + (
            "Embed: ![[Lawyer notes]]\nSection: ![[Lawyer notes#Heading|Custom]]\n"
            "Link: [[Lawyer notes]] and [[Lawyer notes|my contact]] and [[Other public]]\n"
            "```dataview\nLIST FROM \"Private\"\n```\n"
            "```dataview\nTABLE phone FROM \"\"\n```\n"
            "Inline: `= [[Lawyer notes]].phone`\n"
        ),
        "Private/Lawyer notes.md": SECRET_NOTE,
        "Other public.md": PUB + "hello\n",
    })


@pytest.mark.parametrize("output", ["html", "markdown"])
def test_safe_mode_leaves_no_private_text(make_vault: VaultMaker, tmp_path: Path, output: str) -> None:
    root = vault(make_vault)
    settings = GardenSettings(dataview_output=output)  # type: ignore[arg-type]
    text = compiler(root, tmp_path, settings, "safe").compile("Pub.md").text
    for word in PRIVATE_WORDS:
        assert word not in text, word
    assert text.count(PRIVATE_PLACEHOLDER) == 2  # both embeds of the private note
    assert "Link: Lawyer notes and my contact and [[Other public\\|Other public]]" in text


def test_plugin_mode_reproduces_the_leaks(make_vault: VaultMaker, tmp_path: Path) -> None:
    text = compiler(vault(make_vault), tmp_path).compile("Pub.md").text
    assert "Divorce lawyer appointment" in text  # transclusion leak (§9 row 1)
    assert "[[Private/Lawyer notes\\|Lawyer notes]]" in text  # path leak (§9 row 2)
    assert "555-0199" in text  # query leak (§9 row 3)


def test_safe_mode_link_text_is_the_alias_or_the_last_segment(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"Pub.md": PUB + "[[Private/Lawyer notes]] [[Lawyer notes#H|x]]\n", "Private/Lawyer notes.md": "s"})
    text = compiler(root, tmp_path, mode="safe").compile("Pub.md").text
    assert text.endswith("\nLawyer notes x\n")


def test_engine_published_only_hook(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = vault(make_vault)
    index: Index = indexed(root, tmp_path)
    everything = QueryEngine(index).run('LIST FROM ""', "Pub.md")
    published = QueryEngine(index, published_only=True).run('LIST FROM ""', "Pub.md")
    assert isinstance(everything, ListResult) and isinstance(published, ListResult)
    assert len(everything.rows) == 3 and len(published.rows) == 2
    assert QueryEngine(index).evaluate_inline("[[Lawyer notes]].phone", "Pub.md") == "555-0199"
    assert QueryEngine(index, published_only=True).evaluate_inline("[[Lawyer notes]].phone", "Pub.md") is None


def test_links_hidden_from_the_plugin_by_unbalanced_backticks_are_still_redacted(
    make_vault: VaultMaker, tmp_path: Path
) -> None:
    """The plugin's code-stripping regexes pair backticks across a ```` fence around a ``` one
    and hide the links after it; safe mode must redact those too (found on a generated vault)."""
    root = make_vault({
        "Pub.md": PUB + (
            "````markdown\n```js\nlet a = 1\n```\n[[NotALink]]\n````\n\n"
            "> [!quote] Guide\n> See [[Private/Lawyer notes]] and [[Lawyer notes#^blk1|the block]].\n"
            "- [ ] task [[Private/Lawyer notes#Heading]]\n"
            "Public: [[Other public]]\n\n```python\nx = 1\n```\n"
        ),
        "Private/Lawyer notes.md": SECRET_NOTE,
        "Other public.md": PUB + "hello\n",
    })
    text = compiler(root, tmp_path, mode="safe").compile("Pub.md").text
    assert "Private/" not in text and "blk1" not in text
    assert "See Lawyer notes and the block." in text
    assert "- [ ] task Lawyer notes" in text


def test_safe_mode_redacts_links_the_plugin_leaves_unresolved(make_vault: VaultMaker, tmp_path: Path) -> None:
    """``[[Note | alias]]``: the plugin does not resolve the untrimmed text and writes it out as
    typed, yet Obsidian opens ``Note`` — a private note's name would reach the repository."""
    root = make_vault({
        "Pub.md": PUB + "A [[Lawyer notes | my contact]] B [[Private/Lawyer notes |]] C [[Other public ]]\n",
        "Private/Lawyer notes.md": "s",
        "Other public.md": PUB + "hello\n",
    })
    safe = compiler(root, tmp_path, mode="safe").compile("Pub.md").text
    assert safe.endswith("\nA  my contact B  C [[Other public \\|Other public ]]\n")
    plugin = compiler(root, tmp_path / "p").compile("Pub.md").text
    assert "[[Lawyer notes \\| my contact]]" in plugin


def test_safe_mode_redacts_raw_html_anchors_to_private_notes(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({
        "Pub.md": PUB + (
            '<a href="Private/Lawyer%20notes.md">one</a> <A class="x" href=\'Private/Lawyer notes.md#H\'>two</A> '
            '<a href="Other public.md">three</a> <a href="https://example.com/Private/Lawyer notes.md">four</a>\n'
        ),
        "Private/Lawyer notes.md": "s",
        "Other public.md": PUB + "hello\n",
    })
    safe = compiler(root, tmp_path, mode="safe").compile("Pub.md").text
    assert safe.endswith(
        'one two <a href="Other public.md">three</a> <a href="https://example.com/Private/Lawyer notes.md">four</a>\n'
    )
