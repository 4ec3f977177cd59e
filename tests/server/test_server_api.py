"""The JSON API on the example vault: notes, one note, queries, search, health, OpenAPI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from gardend.daemon.export import note_objects, write_export
from gardend.daemon.server import create_app
from gardend.daemon.server.api import plain_fts_query
from gardend.daemon.server.openapi import openapi_document

from .conftest import AUTH, call, indexed, make_state

SOURCE = "Research/Evidence Sources/orozcoIntervertebralDiscRepair2011.md"


def test_health(example_state) -> None:
    status, _, body = call(example_state, "GET", "/api/health")
    assert status == 200
    assert body["status"] == "ok" and body["notes"] == 19 and body["subscribers"] == 0


def test_notes_are_paged_in_path_order(example_state) -> None:
    _, _, first = call(example_state, "GET", "/api/notes", params={"limit": "5"})
    _, _, rest = call(example_state, "GET", "/api/notes", params={"offset": "5", "limit": "1000"})
    assert first["total"] == rest["total"] == 19
    paths = [n["path"] for n in first["notes"] + rest["notes"]]
    assert len(paths) == 19 and paths == sorted(paths)
    home = next(n for n in first["notes"] if n["path"] == "Home.md")
    assert home == {"path": "Home.md", "title": "Home", "publish": True, "excluded": False, "permalink": "/"}
    journal = next(n for n in first["notes"] if n["path"].startswith("Journal/"))
    assert journal["publish"] is False and journal["permalink"] is None  # no page on the garden


@pytest.mark.parametrize(
    "params", [{"limit": "0"}, {"limit": "1001"}, {"limit": "x"}, {"offset": "-1"}, {"offset": "1.5"}]
)
def test_notes_paging_is_validated(example_state, params: dict[str, str]) -> None:
    status, _, body = call(example_state, "GET", "/api/notes", params=params)
    assert status == 400 and body["error"]["status"] == 400


def test_note_is_the_export_object_plus_live_data(example_state) -> None:
    status, _, body = call(example_state, "GET", "/api/note", params={"path": SOURCE})
    assert status == 200
    exported = next(o for o in note_objects(example_state.index) if o["path"] == SOURCE)
    extra = {"ctime_ns", "permalink", "backlinks", "unresolved"}
    assert {k: v for k, v in body.items() if k not in extra} == json.loads(json.dumps(exported))
    # Where the site and the compiled note put it (slug rules of digital-garden.md §3.4).
    assert body["permalink"] == "/research/evidence-sources/orozco-intervertebral-disc-repair2011/"
    assert body["frontmatter"]["year"] == 2011
    assert any(f["key"] == "year" and f["value"] == 2011 for f in body["fields"])
    assert body["tags"][0]["tag"] == "#evidence-source"
    sources = {b["source"] for b in body["backlinks"]}
    assert "Reading Notes/Orozco 2011 - reading notes.md" in sources
    assert all(set(b) == {"source", "original", "embed", "subpath", "line", "col"} for b in body["backlinks"])


def test_note_unresolved_links(example_state) -> None:
    _, _, notes = call(example_state, "GET", "/api/notes", params={"limit": "100"})
    for note in notes["notes"]:
        _, _, body = call(example_state, "GET", "/api/note", params={"path": note["path"]})
        assert body["unresolved"] == [link for link in body["links"] if link["resolved"] is None]
        for link in body["links"]:
            if link["resolved"] is not None:
                assert link["resolved"]


def test_note_errors(example_state) -> None:
    assert call(example_state, "GET", "/api/note")[0] == 400
    assert call(example_state, "GET", "/api/note", params={"path": "Nope.md"})[0] == 404
    # Attachments are files, not notes.
    assert call(example_state, "GET", "/api/note", params={"path": "Attachments/pain-diary-2025-02.png"})[0] == 404


def test_export_output_unchanged_by_refactor(example_state) -> None:
    """`gardend export` is built from the same function as the note endpoint."""
    buf = io.StringIO()
    count = write_export(example_state.index, buf)
    lines = buf.getvalue().splitlines()
    assert count == len(lines) == 19
    assert [json.loads(line)["path"] for line in lines] == sorted(json.loads(line)["path"] for line in lines)


# -- queries -------------------------------------------------------------------------------------
def test_query_json(example_state) -> None:
    query = 'TABLE year, citekey FROM "Research/Evidence Sources" SORT year DESC'
    status, _, body = call(example_state, "POST", "/api/query", json={"query": query}, headers=AUTH)
    assert status == 200
    assert body["type"] == "table"
    assert body["headers"] == ["File", "year", "citekey"]
    assert body["rows"][0][1] == 2011
    assert body["rows"][0][0]["link"] == SOURCE


def test_query_with_this(example_state) -> None:
    query = "LIST FROM [[]]"
    for this in ("Research/Tags/Back Pain.md", "Research/Tags/Back Pain", "Back Pain"):
        status, _, body = call(example_state, "POST", "/api/query", json={"query": query, "this": this}, headers=AUTH)
        assert status == 200 and body["type"] == "list", this
        assert body["rows"], this
    status, _, body = call(example_state, "POST", "/api/query", json={"query": query, "this": "Nope"}, headers=AUTH)
    assert status == 404 and body["error"]["status"] == 404


def test_query_html(example_state) -> None:
    query = 'TABLE WITHOUT ID file.link AS "Insight" FROM "Research/Insights"'
    status, _, body = call(
        example_state, "POST", "/api/query", json={"query": query, "format": "html", "this": "Home.md"}, headers=AUTH
    )
    assert status == 200
    assert set(body) == {"html"}
    assert body["html"].startswith("<div><table class=\"dataview table-view-table\"")
    assert "internal-link" in body["html"]


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_query_failure_is_dataview_error_with_200(example_state, fmt: str) -> None:
    status, _, body = call(
        example_state, "POST", "/api/query", json={"query": "LIST FROM", "format": fmt}, headers=AUTH
    )
    assert status == 200
    assert body["type"] == "error"
    assert body["message"].startswith("Dataview: ")
    if fmt == "html":
        assert "dataview-error" in body["html"]


# -- search --------------------------------------------------------------------------------------
def test_search_ranks_and_marks_snippets(example_state) -> None:
    status, _, body = call(example_state, "GET", "/api/search", params={"q": "mesenchymal"})
    assert status == 200
    results = body["results"]
    assert results
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all("<mark>" in r["snippet"].lower() or "mesenchymal" in r["title"].lower() for r in results)
    assert any("<mark>Mesenchymal</mark>" in r["snippet"] or "<mark>mesenchymal</mark>" in r["snippet"] for r in results)


def test_search_snippets_are_escaped(make_vault, tmp_path) -> None:
    from .conftest import indexed, make_state

    root = make_vault({"x.md": "before <script>alert(1)</script> needle & after\n"})
    with indexed(root, tmp_path / "s.sqlite") as (_, _, reader):
        state = make_state(root, reader)
        _, _, body = call(state, "GET", "/api/search", params={"q": "needle"})
        state.shutdown_executor()
    snippet = body["results"][0]["snippet"]
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet and "<mark>needle</mark>" in snippet and "&amp;" in snippet


def test_search_prefix_and_paging(example_state) -> None:
    _, _, whole = call(example_state, "GET", "/api/search", params={"q": "mesench"})
    assert whole["results"]
    _, _, page = call(example_state, "GET", "/api/search", params={"q": "disc", "limit": "2", "offset": "1"})
    _, _, full = call(example_state, "GET", "/api/search", params={"q": "disc", "limit": "3"})
    assert [r["path"] for r in page["results"]] == [r["path"] for r in full["results"][1:3]]


@pytest.mark.parametrize("q", ['disc AND (', '"unbalanced', "nocolumn:disc", "*", "NEAR(", "AND"])
def test_search_fts_syntax_errors_are_400(example_state, q: str) -> None:
    status, _, body = call(example_state, "GET", "/api/search", params={"q": q, "syntax": "fts"})
    assert status == 400
    assert body["error"]["message"].startswith("invalid search query")


@pytest.mark.parametrize("q", ['disc AND (', '"unbalanced', "nocolumn:disc", "C++ -x", "NEAR(", "AND"])
def test_search_plain_syntax_never_fails(example_state, q: str) -> None:
    status, _, body = call(example_state, "GET", "/api/search", params={"q": q})
    assert status == 200, body


def test_search_fts_syntax(example_state) -> None:
    status, _, body = call(example_state, "GET", "/api/search", params={"q": "title:Lumbar", "syntax": "fts"})
    assert status == 200
    assert [r["path"] for r in body["results"]] == ["Research/Tags/Lumbar Spine.md"]


@pytest.mark.parametrize("params", [{}, {"q": "  "}, {"q": "!!"}, {"q": "x", "syntax": "regex"}, {"q": "x", "limit": "500"}])
def test_search_bad_parameters(example_state, params: dict[str, str]) -> None:
    assert call(example_state, "GET", "/api/search", params=params)[0] == 400


def test_plain_fts_query() -> None:
    assert plain_fts_query('C++ "x" or') == '"C" "x" "or"*'


# -- OpenAPI -------------------------------------------------------------------------------------
def test_openapi_document_is_json_and_3_1(example_state) -> None:
    status, headers, body = call(example_state, "GET", "/api/openapi.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert body["openapi"].startswith("3.1")
    assert body == json.loads(json.dumps(openapi_document(body["info"]["version"])))


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()


def test_openapi_lists_every_route(example_state) -> None:
    app = create_app(example_state)
    routes: dict[str, set[str]] = {}
    for route in app.router.routes():
        if route.method in ("HEAD", "*"):
            continue  # HEAD comes with every GET; "*" is each path's 405 fallback
        path = route.resource.canonical if route.resource is not None else ""
        routes.setdefault(path, set()).add(route.method.lower())
    doc = openapi_document("0")
    documented = {path: set(ops) for path, ops in doc["paths"].items()}
    assert routes == documented


def test_openapi_refs_resolve_and_operations_are_complete() -> None:
    doc = openapi_document("0")
    for ref in _refs(doc):
        assert ref.startswith("#/")
        node: object = doc
        for part in ref[2:].split("/"):
            assert isinstance(node, dict) and part in node, ref
            node = node[part]
    op_ids = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["summary"] and "200" in op["responses"], (path, method)
            op_ids.append(op["operationId"])
            for param in op.get("parameters", []):
                assert {"name", "in", "schema"} <= set(param)
    assert len(op_ids) == len(set(op_ids))


def test_non_finite_frontmatter_is_strict_json(make_vault, tmp_path) -> None:
    from .conftest import indexed, make_state

    root = make_vault({"n.md": "---\nx: .nan\ny: -.inf\nlist: [1, .inf]\n---\nbody\n"})
    with indexed(root, tmp_path / "s.sqlite") as (_, _, reader):
        state = make_state(root, reader)
        status, _, body = call(state, "GET", "/api/note", params={"path": "n.md"})
        state.shutdown_executor()
    assert status == 200
    assert body["frontmatter"] == {
        "x": {"number": "NaN"}, "y": {"number": "-Infinity"}, "list": [1, {"number": "Infinity"}]
    }


def test_permalinks_follow_the_garden_settings(tmp_path: Path) -> None:
    """The API's permalink is the one the site and the compiled note use: path-rewrite rules and
    the slugify switch of the Digital Garden plugin, dg-permalink over both."""
    root = tmp_path / "vault"
    for rel, text in {
        "Garden/My Note.md": "---\ndg-publish: true\n---\nx\n",
        "Garden/Custom.md": "---\ndg-publish: true\ndg-permalink: elsewhere\n---\nx\n",
        ".obsidian/plugins/dg/manifest.json": '{"id": "digitalgarden"}',
        ".obsidian/plugins/dg/data.json": '{"pathRewriteRules": "Garden:Notes", "slugifyEnabled": false}',
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    with indexed(root, tmp_path / "index.sqlite") as (_, _, reader):
        state = make_state(root, reader)
        try:
            _, _, listed = call(state, "GET", "/api/notes")
            _, _, one = call(state, "GET", "/api/note", params={"path": "Garden/My Note.md"})
        finally:
            state.shutdown_executor()
    assert {n["path"]: n["permalink"] for n in listed["notes"]} == {
        "Garden/Custom.md": "/elsewhere/", "Garden/My Note.md": "/Notes/My Note/",
    }
    assert one["permalink"] == "/Notes/My Note/"
