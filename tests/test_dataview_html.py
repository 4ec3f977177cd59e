"""Dataview view markup (dataview.md §5, obsidian.md §7, §8.4): golden strings and safety."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from gardend.daemon.query.results import (
    CalendarResult,
    ListPair,
    ListResult,
    QueryError,
    TableResult,
    TaskGroup,
    TaskItem,
    TaskResult,
)
from gardend.daemon.values import (
    Duration,
    ExternalLinkWidget,
    Link,
    parse_date_text,
    use_local_zone,
)
from gardend.renderers.dataview import (
    DataviewHtmlRenderer,
    FileClass,
    LinkRef,
    ObsidianLinkRenderer,
    ViewSettings,
    is_safe_url,
    render_html,
    render_inline_markdown,
)
from gardend.renderers.icons import lucide_svg

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "000_9d8ad8b6eef5d93c.txt"

SOURCE_CONTENT = [
    "Table 1",
    "Results (patients)",
    "Materials and methods (patients and procedures)",
    "Materials and methods (cell isolation and expansion)",
    "Figure 2A",
]
CITATION = (
    "Orozco, Lluis, Robert Soler, Carles Morera, Mercedes Alberca, Ana Sánchez, and Javier "
    "García-Sancho. “Intervertebral Disc Repair by Autologous Mesenchymal Bone Marrow Cells: A "
    "Pilot Study.” Transplantation 92, no. 7 (October 15, 2011): 822–28. "
    "https://doi.org/10.1097/TP.0b013e3182298a15."
)
PACKAGE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round" class="svg-icon lucide-package"><path d="M11 21.73a2 2 0 0 0 2 0l7-4'
    'A2 2 0 0 0 21 16V8a2 2 0 0 0-1-1.73l-7-4a2 2 0 0 0-2 0l-7 4A2 2 0 0 0 3 8v8a2 2 0 0 0 1 1.73z">'
    '</path><path d="M12 22V12"></path><polyline points="3.29 7 12 12 20.71 7"></polyline>'
    '<path d="m7.5 4.27 9 5.15"></path></svg>'
)


def seed_renderer() -> DataviewHtmlRenderer:
    """Every link target in the seed has the fileClass "Research Links" (default icon)."""
    links = ObsidianLinkRenderer(fileclass=lambda path: FileClass("Research Links"))
    return DataviewHtmlRenderer(link_renderer=links, source_path="Research/Insights/x.md")


def seed_tables() -> list[str]:
    if not SEED.is_file():
        pytest.skip(f"seed page not found at {SEED}")
    return re.findall(r"<div><table .*?</table></div>", SEED.read_text(encoding="utf-8"))


def first_seed_result() -> TableResult:
    return TableResult(
        ["Source Content"],
        [
            [Link.file(f"Research/Source Content/orozcoIntervertebralDiscRepair2011 - {n}.md")]
            for n in SOURCE_CONTENT
        ],
    )


def second_seed_result() -> TableResult:
    return TableResult(
        ["Original Sources", "Citations"],
        [[Link.file("Research/Evidence Sources/orozcoIntervertebralDiscRepair2011.md"), CITATION]],
    )


# ---- the seed page, byte for byte ---------------------------------------------------------------


def test_seed_first_table_matches_byte_for_byte() -> None:
    tables = seed_tables()
    assert seed_renderer().render_block(first_seed_result(), "div") == tables[0]


def test_seed_second_table_matches_byte_for_byte() -> None:
    tables = seed_tables()
    assert seed_renderer().render_block(second_seed_result(), "div") == tables[1]


def test_decorated_link_golden_without_seed() -> None:
    path = "Research/Evidence Sources/orozcoIntervertebralDiscRepair2011.md"
    expected = (
        f'<td><span><a data-tooltip-position="top" aria-label="{path}" data-href="{path}" '
        f'href="{path}" class="internal-link" target="_blank" rel="noopener nofollow" '
        'fileclass-name="Research Links">orozcoIntervertebralDiscRepair2011</a>'
        f'<a class="metadata-menu fileclass-icon">{PACKAGE_SVG}</a></span></td>'
    )
    assert expected in seed_renderer().table(second_seed_result())
    assert lucide_svg("package") == PACKAGE_SVG
    assert lucide_svg("no-such-icon") is None


def test_citation_autolink_keeps_trailing_dot_outside() -> None:
    html = seed_renderer().value(CITATION)
    assert html.endswith(
        '822–28. <a rel="noopener nofollow" class="external-link" '
        'href="https://doi.org/10.1097/TP.0b013e3182298a15" target="_blank">'
        "https://doi.org/10.1097/TP.0b013e3182298a15</a>.</span>"
    )


# ---- containers and views -----------------------------------------------------------------------


def test_containers() -> None:
    result = TableResult(["File"], [])
    inner = DataviewHtmlRenderer().render(result)
    assert render_html(result, container="div") == f"<div>{inner}</div>"
    assert render_html(result, container=None) == inner
    assert render_html(result, container="obsidian") == (
        f'<div class="block-language-dataview" style="overflow-x: auto;">{inner}</div>'
    )


def test_table_structure_count_and_empty_box() -> None:
    r = DataviewHtmlRenderer()
    html = r.table(TableResult(["**File**", "rating"], []))
    assert html == (
        '<table class="dataview table-view-table"><thead class="table-view-thead">'
        '<tr class="table-view-tr-header"><th class="table-view-th"><span><strong>File</strong>'
        '</span><span class="dataview small-text">0</span></th><th class="table-view-th"><span>'
        'rating</span></th></tr></thead><tbody class="table-view-tbody"></tbody></table>'
        '<div class="dataview dataview-error-box"><p class="dataview dataview-error-message">'
        "Dataview: No results to show for table query.</p></div>"
    )
    quiet = DataviewHtmlRenderer(
        settings=ViewSettings(warn_on_empty_result=False, show_result_count=False)
    )
    html = quiet.table(TableResult(["a"], [[1, True]]))
    assert "small-text" not in html and "error-box" not in html
    assert "<tr><td>1</td><td>true</td></tr>" in html


def test_list_view_plain_pairs_and_empty() -> None:
    r = DataviewHtmlRenderer()
    html = r.list(ListResult([Link.file("a/Note.md"), ListPair(Link.file("b.md"), "v")]))
    assert html.startswith('<ul class="dataview list-view-ul"><li><span><a ')
    assert html.endswith(">b</a></span>: <span>v</span></li></ul>")
    assert r.list(ListResult([])) == (
        '<div class="dataview dataview-error-box"><p class="dataview dataview-error-message">'
        "Dataview: No results to show for list query.</p></div>"
    )
    quiet = DataviewHtmlRenderer(settings=ViewSettings(warn_on_empty_result=False))
    assert quiet.list(ListResult([])) == '<ul class="dataview list-view-ul"></ul>'


def test_errors() -> None:
    r = DataviewHtmlRenderer()
    pre = '<pre class="dataview dataview-error">Dataview: bad &lt;x&gt;</pre>'
    assert r.render(QueryError("bad <x>", "table")) == f" {pre} "
    assert r.render(QueryError("bad <x>", "list")) == f" {pre} "
    assert r.render(QueryError("bad <x>", "task")) == pre
    assert r.render(QueryError("bad <x>")) == pre
    assert r.render(CalendarResult([])) == (
        '<pre class="dataview dataview-error">Dataview: Query returned 0 results.</pre>'
    )


def _tasks() -> tuple[TaskItem, TaskItem]:
    child = TaskItem("a.md", 2, "child", status="-", parent=1)
    plain = TaskItem("a.md", 3, "plain *note*", task=False, parent=1)
    top = TaskItem("a.md", 1, "top", children=[child, plain])
    return top, child


def test_task_view_nests_and_deduplicates() -> None:
    top, child = _tasks()
    html = DataviewHtmlRenderer().task(TaskResult([top, child]))
    assert html == (
        '<div class="dataview dataview-container"><ul class="contains-task-list">'
        '<li class="dataview task-list-item" data-task=" ">'
        '<input class="dataview task-list-item-checkbox" type="checkbox"><span>top</span>'
        '<ul class="contains-task-list"><li class="dataview task-list-item is-checked" '
        'data-task="-"><input class="dataview task-list-item-checkbox" type="checkbox" checked>'
        '<span>child</span></li><li class="dataview task-list-basic-item"><span>plain '
        "<em>note</em></span></li></ul></li></ul></div>"
    )


def test_grouped_tasks() -> None:
    top, child = _tasks()
    result = TaskResult([TaskGroup("g", [TaskGroup(Link.file("a.md"), [top, child])])])
    html = DataviewHtmlRenderer().task(result)
    assert html.startswith(
        '<div class="dataview dataview-container"><h4><span>g</span>'
        '<span class="dataview small-text">2</span></h4><div class="dataview result-group"><h4>'
    )
    assert html.count('<ul class="contains-task-list">') == 2
    assert DataviewHtmlRenderer().task(TaskResult([])) == (
        '<div class="dataview dataview-container"><div class="dataview dataview-error-box">'
        '<p class="dataview dataview-error-message">Dataview: No results to show for task query.'
        "</p></div></div>"
    )


# ---- values -------------------------------------------------------------------------------------


def test_scalar_values() -> None:
    r = DataviewHtmlRenderer()
    assert r.value(None) == "<span>-</span>"
    assert DataviewHtmlRenderer(settings=ViewSettings(render_null_as="**n/a**")).value(None) == (
        "<span><strong>n/a</strong></span>"
    )
    assert r.value(1.50) == "1.5"
    assert r.value(False) == "false"
    assert r.value(Duration(hours=1, minutes=30)) == "1 hour, 30 minutes"
    assert r.value(print) == "&lt;function&gt;"


def test_dates_are_local_and_choose_format_on_own_clock() -> None:
    r = DataviewHtmlRenderer()
    with use_local_zone("UTC"):
        assert r.value(parse_date_text("2021-01-05")) == "January 05, 2021"
        assert r.value(parse_date_text("2021-01-05T14:03:00")) == "2:03 PM - January 05, 2021"
        # Midnight in +05:00 is a date on its own clock, shown converted to local time.
        assert r.value(parse_date_text("2021-01-05T00:00:00+05:00")) == "January 04, 2021"


def test_lists_objects_and_depth() -> None:
    r = DataviewHtmlRenderer()
    assert r.value([]) == '<ul class="dataview dataview-ul dataview-result-list-ul"></ul>'
    assert r.value({"k": 1}) == (
        '<ul class="dataview dataview-ul dataview-result-object-ul">'
        '<li class="dataview dataview-li dataview-result-object-li">k: 1</li></ul>'
    )
    deep = r.value([[[[1]]]])
    assert deep.count("<ul") == 4 and '<li class="dataview-result-list-li">...</li>' in deep
    shallow = DataviewHtmlRenderer(settings=ViewSettings(max_recursive_render_depth=1))
    assert shallow.value([1]) == (
        '<ul class="dataview dataview-ul dataview-result-list-ul">'
        '<li class="dataview-result-list-li">...</li></ul>'
    )


def test_link_values() -> None:
    r = DataviewHtmlRenderer()
    assert r.value(Link.header("A/B.md", "Sec")) == (
        '<span><a data-tooltip-position="top" aria-label="A/B.md &gt; Sec" data-href="A/B.md#Sec" '
        'href="A/B.md#Sec" class="internal-link" target="_blank" rel="noopener nofollow">'
        "B &gt; Sec</a></span>"
    )
    assert r.value(Link.file("pic.png", embed=True)) == '<img alt="pic.png" src="pic.png">'
    unresolved = DataviewHtmlRenderer(link_renderer=ObsidianLinkRenderer(resolve=lambda p, s: None))
    html = unresolved.value(Link.file("Gone.md"))
    assert 'class="internal-link is-unresolved"' in html


def test_resolver_sees_linkpath_and_source() -> None:
    calls: list[tuple[str, str]] = []

    def resolve(linkpath: str, source: str) -> str | None:
        calls.append((linkpath, source))
        return None

    r = DataviewHtmlRenderer(
        link_renderer=ObsidianLinkRenderer(resolve=resolve), source_path="Dir/Query.md"
    )
    assert r.value(Link.file("pic.png", embed=True)) == (
        '<span><span class="internal-embed" src="pic.png" alt="pic.png"></span></span>'
    )
    r.value("[[Note#Part|x]]")
    assert calls == [("pic.png", "Dir/Query.md"), ("Note", "Dir/Query.md")]


def test_link_without_alias_has_no_tooltip() -> None:
    html = render_inline_markdown("[[Note]]", ObsidianLinkRenderer())
    assert html == (
        '<a data-href="Note" href="Note" class="internal-link" target="_blank" '
        'rel="noopener nofollow">Note</a>'
    )


def test_external_link_widget() -> None:
    r = DataviewHtmlRenderer()
    assert r.value(ExternalLinkWidget("https://x.org", "X")) == (
        '<a href="https://x.org" rel="noopener" target="_blank" class="external-link">X</a>'
    )
    assert r.inline_value(ExternalLinkWidget("https://x.org")) == (
        '<a rel="noopener" target="_blank" class="external-link" href="https://x.org">'
        "https://x.org</a>"
    )


def test_inline_queries() -> None:
    r = DataviewHtmlRenderer()
    assert r.inline_query([1, None]) == (
        '<span class="dataview dataview-inline-query"><span class="dataview '
        'dataview-result-list-span"><span>1</span>, <span>-</span></span></span>'
    )
    assert r.inline_query([]) == '<span class="dataview dataview-inline-query">&lt;empty list&gt;</span>'
    assert r.inline_query_error("= x", "boom") == (
        "<div><pre class=\"dataview dataview-error\">Dataview (for inline query '= x'): boom"
        "</pre></div>"
    )


def test_calendar_fallback() -> None:
    with use_local_zone("UTC"):
        html = DataviewHtmlRenderer().calendar(
            CalendarResult([(parse_date_text("2024-03-11"), Link.file("a.md"))])
        )
    assert html.startswith('<div class="dataview dataview-calendar"><ul class="dataview list-view-ul">')
    assert "March 11, 2024" in html


# ---- inline Markdown ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("\\-", "-"),
        ("**b** *e* `c<d>`", "<strong>b</strong> <em>e</em> <code>c&lt;d&gt;</code>"),
        ("*a **b** c*", "<em>a <strong>b</strong> c</em>"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("snake_case_name", "snake_case_name"),
        ("~~x~~ ==y==", "<del>x</del> <mark>y</mark>"),
        ("a\nb", "a<br>b"),
        (
            "#tag #123 x#y",
            '<a href="#tag" class="tag" target="_blank" rel="noopener nofollow">#tag</a> #123 x#y',
        ),
        (
            "(see https://en.wikipedia.org/wiki/A_(b)).",
            '(see <a rel="noopener nofollow" class="external-link" '
            'href="https://en.wikipedia.org/wiki/A_(b)" target="_blank">'
            "https://en.wikipedia.org/wiki/A_(b)</a>).",
        ),
        (
            "[site](https://x.org/?a=1&b=2)",
            '<a aria-label="https://x.org/?a=1&amp;b=2" data-tooltip-position="top" '
            'href="https://x.org/?a=1&amp;b=2" class="external-link" target="_blank" '
            'rel="noopener nofollow">site</a>',
        ),
        (
            "[[Folder/Note.md\\|Alias]]",
            '<a data-tooltip-position="top" aria-label="Folder/Note.md" data-href="Folder/Note.md" '
            'href="Folder/Note.md" class="internal-link" target="_blank" rel="noopener nofollow">'
            "Alias</a>",
        ),
        ("![[Other#Part]]", '<span class="internal-embed" src="Other#Part" alt="Other &gt; Part"></span>'),
    ],
)
def test_inline_markdown(source: str, expected: str) -> None:
    assert render_inline_markdown(source, ObsidianLinkRenderer()) == expected


def test_markdown_renderer_is_replaceable() -> None:
    calls: list[str] = []

    def fake(text: str, links: object, source_path: str) -> str:
        calls.append(text)
        return "MD"

    r = DataviewHtmlRenderer(markdown=fake)
    assert r.value("x") == "<span>MD</span>"
    assert r.table(TableResult(["h"], [[None]])).count("<span>MD</span>") == 2
    assert calls == ["x", "h", "\\-"]


def test_custom_link_renderer_receives_refs() -> None:
    seen: list[tuple[LinkRef, str]] = []

    def links(ref: LinkRef, source_path: str) -> str:
        seen.append((ref, source_path))
        return "<L>"

    r = DataviewHtmlRenderer(link_renderer=links, source_path="src.md")
    assert r.value("see [[A#b|c]]") == "<span>see <L></span>"
    assert seen == [(LinkRef.plain("A#b", "c"), "src.md")]
    assert seen[0][0].linkpath == "A" and seen[0][0].subpath == "#b"


# ---- hostile values -----------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "[x](javascript:alert(1))",
    "[x](<JaVa\tScRiPt:alert(1)>)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "<javascript:alert(1)>",
    "`</code><script>alert(1)</script>`",
    "**<b onclick=alert(1)>x</b>**",
    "[[<script>alert(1)</script>|\"><svg onload=alert(1)>]]",
    "#<script>",
    "https://x.org/\"onmouseover=\"alert(1)",
]


_ALLOWED_TAGS = {
    "a", "b", "br", "code", "del", "div", "em", "h4", "img", "input", "li", "mark", "p", "path",
    "polyline", "pre", "span", "strong", "svg", "table", "tbody", "td", "th", "thead", "tr", "ul",
}


class _Inspector(HTMLParser):
    """Collects what a browser would see: tags and their decoded attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _assert_inert(html: str) -> None:
    """No element or attribute a payload could have introduced: every tag is one the renderer
    emits, no event handlers, and every URL-valued attribute is safe as a browser parses it."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    for tag, attrs in inspector.tags:
        assert tag in _ALLOWED_TAGS, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (name, html)
            assert name in {
                "aria-label", "alt", "checked", "class", "d", "data-href", "data-task",
                "data-tooltip-position", "fileclass-name", "height", "href", "points", "rel",
                "src", "style", "target", "type", "viewbox", "width", "xmlns", "fill", "stroke",
                "stroke-width", "stroke-linecap", "stroke-linejoin",
            }, (name, html)
            if name in ("href", "src") and value is not None:
                assert is_safe_url(value), (value, html)


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_field_values_are_escaped(payload: str) -> None:
    r = DataviewHtmlRenderer()
    for html in (
        r.value(payload),
        r.value([payload, {payload: payload}]),
        r.inline_query(payload),
        r.table(TableResult([payload], [[payload]])),
        r.list(ListResult([ListPair(payload, payload)])),
        r.task(TaskResult([TaskGroup(payload, [TaskItem("a.md", 0, payload, status='"')])])),
        r.render(QueryError(payload, "table")),
    ):
        _assert_inert(html)


@pytest.mark.parametrize(
    "path",
    [
        'Notes/"><script>alert(1)</script>.md',
        "javascript:alert(1).md",
        " javascript:alert(1).md",
        "Notes/<img src=x onerror=alert(1)>.md",
    ],
)
def test_hostile_file_names_are_escaped(path: str) -> None:
    decorated = ObsidianLinkRenderer(fileclass=lambda p: FileClass('"><script>', icon="package"))
    for renderer in (DataviewHtmlRenderer(), DataviewHtmlRenderer(link_renderer=decorated)):
        html = renderer.value(Link.file(path, display='"><script>x</script>'))
        _assert_inert(html)
        html = renderer.value(Link.file(path, embed=True))
        _assert_inert(html)
    html = DataviewHtmlRenderer().value(Link.file("javascript:alert(1).md"))
    assert 'href="./javascript:alert(1).md"' in html


def test_hostile_external_link_widget() -> None:
    html = DataviewHtmlRenderer().value(ExternalLinkWidget("javascript:alert(1)", "<b>x</b>"))
    assert html == '<a rel="noopener" target="_blank" class="external-link">&lt;b&gt;x&lt;/b&gt;</a>'


def test_pathological_markdown_is_fast() -> None:
    import time

    r = DataviewHtmlRenderer()
    start = time.perf_counter()
    for payload in ("*a" * 5000, "[a" * 5000, "[[a" * 5000, "`a" * 5000, "[a](" * 3000):
        r.markdown(payload)
    nested = "".join("~~==**__"[(i % 4) * 2 : (i % 4) * 2 + 2] for i in range(1500))
    r.markdown(nested + "x" + nested[::-1])
    assert time.perf_counter() - start < 5
