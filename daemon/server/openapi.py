"""The OpenAPI 3.1 description of the JSON API, written by hand.

Hand-written rather than generated because the handlers are plain functions and the document is
the contract plugin authors code against: it should read well and change deliberately. A test
compares its paths and methods with the app's router, so a route cannot be added without it.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = [
    "MAX_OFFSET",
    "NOTES_DEFAULT_LIMIT",
    "NOTES_MAX_LIMIT",
    "QUERY_TEXT_PATTERN",
    "SEARCH_DEFAULT_LIMIT",
    "SEARCH_MAX_CHARS",
    "SEARCH_MAX_LIMIT",
    "SEARCH_TEXT_PATTERN",
    "VAULT_PATH_MAX_CHARS",
    "VAULT_PATH_PATTERN",
    "openapi_document",
]

# The limits the handlers enforce live here, next to the schema that promises them, so the two
# cannot drift apart (the handlers in .api import them).
NOTES_DEFAULT_LIMIT = 100
NOTES_MAX_LIMIT = 1000
SEARCH_DEFAULT_LIMIT = 20
SEARCH_MAX_LIMIT = 100
SEARCH_MAX_CHARS = 1024
"""Longest search string: a search box, not a document. Bounded so that every request the
schema allows fits the server's request-line limit (:data:`.security.MAX_REQUEST_LINE`)."""
MAX_OFFSET = 2**53 - 1
"""The largest ``offset`` accepted: JavaScript's ``Number.MAX_SAFE_INTEGER``, so the offset a
response echoes back is exact in every client (Obsidian plugins are JavaScript). Far beyond any
vault; a larger one is refused with 400 rather than silently clamped."""
VAULT_PATH_MAX_CHARS = 4096
"""Same bound as :data:`gardend.daemon.server.paths.MAX_PATH_CHARS`."""

_SEGMENT = r"(?:[^/\\.\x00]|\.[^/\\.\x00]|\.\.[^/\\\x00])[^/\\\x00]*"
VAULT_PATH_PATTERN = rf"^(?![A-Za-z]:){_SEGMENT}(?:/{_SEGMENT})*$"
"""The lexical rules of :func:`~gardend.daemon.server.paths.safe_vault_path` as a regular
expression that ECMAScript and Python read alike: '/'-separated segments, none empty, ``.`` or
``..``; no backslash or NUL; no leading ``/`` or drive letter. Published in the schema so that a
client (and a schema-driven fuzzer) knows which strings are paths at all: a string that matches
is answered 200 or 404, never 400, unless a symlink in the vault points outside it."""

# Patterns use only ASCII ranges and escapes that ECMAScript (the schema language's regex
# dialect, which schema validators and clients use) and Python's ``re`` (the handlers, and
# schemathesis' generator) read alike: ``\w`` and ``\s`` differ between the two (ASCII-only in
# ECMAScript, Unicode in Python), so a pattern built on them promises something the server does
# not do for non-ASCII input.
QUERY_TEXT_PATTERN = r"[^\x00-\x20]"
"""A DQL query must contain something besides ASCII spaces and control characters (400 if not);
whatever else it contains is the query language's business (a parse error is a 200 answer of
type ``error``)."""
SEARCH_TEXT_PATTERN = r"[^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]"
"""A search string must contain an ASCII letter or digit, or any non-ASCII character (400 if
not: ``"!!"`` or blanks cannot match anything). Non-ASCII is let through whole because which of
it are letters is Unicode's business; non-ASCII text without letters simply finds nothing."""

_ERROR = {"$ref": "#/components/responses/Error"}
_JSON = "application/json"
_VAULT_PATH = {
    "type": "string",
    "minLength": 1,
    "maxLength": VAULT_PATH_MAX_CHARS,
    "pattern": VAULT_PATH_PATTERN,
}


def _ok(schema_ref: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


def _errors(*codes: int) -> dict[str, Any]:
    base = {"401": _ERROR, "421": _ERROR, "500": _ERROR}
    base.update({str(c): _ERROR for c in codes})
    return base


_PAGING = [
    {"name": "offset", "in": "query", "required": False,
     "description": "Number of items to skip; past the end gives an empty page.",
     "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}},
]

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
            }
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "version", "notes", "subscribers"],
        "properties": {
            "status": {"const": "ok"},
            "version": {"type": "string"},
            "notes": {"type": "integer", "description": "Notes in the index."},
            "subscribers": {"type": "integer", "description": "Open event streams."},
        },
    },
    "NoteSummary": {
        "type": "object",
        "required": ["path", "title", "publish", "excluded", "permalink"],
        "properties": {
            "path": {"type": "string", "description": "Vault path, '/'-separated."},
            "title": {"type": "string"},
            "publish": {"type": "boolean", "description": "Flagged `dg-publish: true`."},
            "excluded": {"type": "boolean", "description": "Matched by Obsidian's 'Excluded files'."},
            "permalink": {"type": ["string", "null"],
                          "description": "URL path of the note's page on the garden; null when not published."},
        },
    },
    "NoteList": {
        "type": "object",
        "required": ["total", "offset", "limit", "notes"],
        "properties": {
            "total": {"type": "integer"},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "notes": {"type": "array", "items": {"$ref": "#/components/schemas/NoteSummary"}},
        },
    },
    "Value": {
        "description": "A Dataview value in gardend's JSON encoding (null, boolean, number, string, "
        "array, or an object with a `type` member for links, dates, durations, non-finite numbers).",
    },
    "Link": {
        "type": "object",
        "required": ["original", "kind", "embed", "linkpath", "line", "col", "resolved"],
        "properties": {
            "original": {"type": "string", "description": "The link exactly as written."},
            "kind": {"enum": ["wiki", "markdown", "frontmatter"]},
            "embed": {"type": "boolean"},
            "linkpath": {"type": "string"},
            "subpath": {"type": ["string", "null"]},
            "display": {"type": ["string", "null"]},
            "line": {"type": "integer", "description": "0-based."},
            "col": {"type": "integer"},
            "key": {"type": ["string", "null"], "description": "Frontmatter key path of a frontmatter link."},
            "resolved": {"type": ["string", "null"], "description": "Target vault path; null when unresolved."},
            "ambiguous": {"type": ["array", "null"], "items": {"type": "string"}},
        },
    },
    "Backlink": {
        "type": "object",
        "required": ["source", "original", "embed", "line", "col"],
        "properties": {
            "source": {"type": "string", "description": "Vault path of the linking note."},
            "original": {"type": "string"},
            "embed": {"type": "boolean"},
            "subpath": {"type": ["string", "null"]},
            "line": {"type": "integer"},
            "col": {"type": "integer"},
        },
    },
    "Note": {
        "type": "object",
        "description": "The note as `gardend export` writes it, plus ctime_ns, permalink, backlinks and unresolved.",
        "required": [
            "path", "title", "size", "mtime_ns", "ctime_ns", "content_hash", "publish", "excluded",
            "frontmatter", "fields", "tags", "aliases", "headings", "blocks", "lists", "links", "queries",
            "diagnostics", "permalink", "backlinks", "unresolved",
        ],
        "properties": {
            "path": {"type": "string"},
            "title": {"type": "string"},
            "size": {"type": "integer"},
            "mtime_ns": {"type": "integer"},
            "ctime_ns": {"type": ["integer", "null"]},
            "content_hash": {"type": ["string", "null"]},
            "publish": {"type": "boolean"},
            "excluded": {"type": "boolean"},
            "frontmatter": {"type": ["object", "null"]},
            "fields": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["key", "value", "source", "line"],
                    "properties": {
                        "key": {"type": "string"},
                        "value": {"$ref": "#/components/schemas/Value"},
                        "source": {"enum": ["frontmatter", "list", "inline"]},
                        "line": {"type": ["integer", "null"]},
                    },
                },
            },
            "tags": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["tag", "source", "line"],
                    "properties": {
                        "tag": {"type": "string"},
                        "source": {"enum": ["inline", "frontmatter"]},
                        "line": {"type": ["integer", "null"]},
                    },
                },
            },
            "aliases": {"type": "array", "items": {"type": "string"}},
            "headings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"level": {"type": "integer"}, "text": {"type": "string"}, "line": {"type": "integer"}},
                },
            },
            "blocks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"}, "line": {"type": "integer"},
                        "end_line": {"type": "integer"}, "kind": {"type": "string"},
                    },
                },
            },
            "lists": {"type": "array", "items": {"type": "object", "description": "List items and tasks."}},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}},
            "queries": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"kind": {"type": "string"}, "line": {"type": "integer"}, "source": {"type": "string"}},
                },
            },
            "diagnostics": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string"}, "severity": {"enum": ["error", "warning"]},
                        "line": {"type": ["integer", "null"]}, "message": {"type": "string"},
                    },
                },
            },
            "permalink": {"type": ["string", "null"], "description": "URL path of the note's page on the garden (`/` for the `dg-home` note); null when not published."},
            "backlinks": {"type": "array", "items": {"$ref": "#/components/schemas/Backlink"}},
            "unresolved": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}},
        },
    },
    "QueryRequest": {
        "type": "object",
        "required": ["query"],
        "properties": {
            "query": {"type": "string", "minLength": 1, "pattern": QUERY_TEXT_PATTERN,
                      "description": "A Dataview (DQL) query (not blank)."},
            "this": {**_VAULT_PATH, "type": ["string", "null"],
                     "description": "The note `this` means: vault path, with or without .md, or a link name."},
            "format": {"enum": ["json", "html"], "default": "json"},
        },
    },
    "QueryResult": {
        "description": "gardend's JSON encoding of a Dataview result (`gardend query --format json`), "
        "one shape per `type`. A failed query is `{type: error, message}` with status 200.",
        "oneOf": [
            {"$ref": "#/components/schemas/TableResult"},
            {"$ref": "#/components/schemas/RowsResult"},
            {"$ref": "#/components/schemas/QueryError"},
        ],
    },
    "TableResult": {
        "type": "object",
        "required": ["type", "headers", "rows"],
        "additionalProperties": False,
        "properties": {
            "type": {"const": "table"},
            "headers": {"type": "array", "items": {"type": "string"}},
            "rows": {"type": "array", "items": {"type": "array", "items": {"$ref": "#/components/schemas/Value"}}},
        },
    },
    "RowsResult": {
        "type": "object",
        "description": "LIST rows (values, or `{id, value}` pairs with WITHOUT ID off), TASK rows "
        "(task and list items), CALENDAR rows (`{date, link}`).",
        "required": ["type", "rows"],
        "additionalProperties": False,
        "properties": {
            "type": {"enum": ["list", "task", "calendar"]},
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Value"}},
        },
    },
    "QueryError": {
        "type": "object",
        "required": ["type", "message"],
        "additionalProperties": False,
        "properties": {
            "type": {"const": "error"},
            "message": {"type": "string", "description": "Dataview's error text, starting with 'Dataview: '."},
        },
    },
    "QueryHtml": {
        "type": "object",
        "required": ["html"],
        "additionalProperties": False,
        "dependentRequired": {"type": ["message"], "message": ["type"]},
        "properties": {
            "html": {"type": "string", "description": "Dataview's HTML for the result (or its error)."},
            "type": {"const": "error", "description": "Present only when the query failed."},
            "message": {"type": "string"},
        },
    },
    "PublishStatus": {
        "type": "object",
        "description": "Publication status, decided like the Digital Garden plugin: each compiled note's and "
        "asset's git blob SHA-1 against the garden repository's tree.",
        "required": ["mode", "summary", "new", "changed", "published", "deleted", "errors", "notices"],
        "properties": {
            "mode": {"enum": ["safe", "plugin"]},
            "summary": {"type": "string"},
            "new": {"type": "array", "items": {"type": "string"}, "description": "Repository paths to add."},
            "changed": {"type": "array", "items": {"type": "string"}, "description": "Repository paths to update."},
            "published": {"type": "array", "items": {"type": "string"}, "description": "Up to date."},
            "deleted": {"type": "array", "items": {"type": "string"}, "description": "Repository paths to delete."},
            "errors": {"type": "array", "items": {"type": "string"}, "description": "Problems that block a publish."},
            "notices": {"type": "array", "items": {"type": "string"},
                        "description": "Output gardend cannot produce (dataviewjs), with file and line."},
        },
    },
    "PublishReport": {
        "type": "object",
        "required": ["published", "summary", "commit"],
        "properties": {
            "published": {"type": "boolean", "description": "False when there was nothing to publish."},
            "pushed": {"type": "boolean"},
            "commit": {"type": ["string", "null"]},
            "summary": {"type": "string"},
            "message": {"type": "string", "description": "The commit message (every add, update and delete)."},
        },
    },
    "SearchResults": {
        "type": "object",
        "required": ["query", "syntax", "offset", "limit", "results"],
        "properties": {
            "query": {"type": "string"},
            "syntax": {"enum": ["plain", "fts"]},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["path", "title", "snippet", "score"],
                    "properties": {
                        "path": {"type": "string"},
                        "title": {"type": "string"},
                        "snippet": {
                            "type": "string",
                            "description": "HTML: escaped note text with matches in <mark> elements.",
                        },
                        "score": {"type": "number", "description": "Relevance (negated bm25); higher is better."},
                    },
                },
            },
        },
    },
}

_PATHS: dict[str, Any] = {
    "/api/health": {
        "get": {
            "operationId": "health",
            "summary": "Liveness and index size.",
            "responses": {"200": _ok("Health", "The server is up."), **_errors()},
        }
    },
    "/api/notes": {
        "get": {
            "operationId": "listNotes",
            "summary": "Notes in path order, paged.",
            "parameters": [
                *_PAGING,
                {"name": "limit", "in": "query", "required": False, "description": "Page size.",
                 "schema": {"type": "integer", "minimum": 1, "maximum": NOTES_MAX_LIMIT,
                            "default": NOTES_DEFAULT_LIMIT}},
            ],
            "responses": {"200": _ok("NoteList", "A page of notes."), **_errors(400)},
        }
    },
    "/api/note": {
        "get": {
            "operationId": "getNote",
            "summary": "One note: frontmatter, typed fields, tags, links, backlinks, unresolved links.",
            "parameters": [
                {"name": "path", "in": "query", "required": True,
                 "description": "Vault path of the note (relative, '/'-separated; '..' and absolute paths are refused).",
                 "schema": _VAULT_PATH, "example": "Home.md"},
            ],
            "responses": {"200": _ok("Note", "The note."), **_errors(400, 404)},
        }
    },
    "/api/query": {
        "post": {
            "operationId": "runQuery",
            "summary": "Run a Dataview query; failures are answered with status 200 and type 'error'.",
            "security": [{"bearer": []}],
            "requestBody": {
                "required": True,
                "content": {_JSON: {
                    "schema": {"$ref": "#/components/schemas/QueryRequest"},
                    "example": {"query": "LIST FROM #project SORT file.mtime DESC", "format": "json"},
                }},
            },
            "responses": {
                "200": {
                    "description": "The result as JSON, or as Dataview's HTML when format is 'html'.",
                    "content": {_JSON: {"schema": {"oneOf": [
                        {"$ref": "#/components/schemas/QueryResult"},
                        {"$ref": "#/components/schemas/QueryHtml"},
                    ]}}},
                },
                **_errors(400, 404, 413),
            },
        }
    },
    "/api/search": {
        "get": {
            "operationId": "search",
            "summary": "Full-text search over titles and note text, best matches first (bm25).",
            "parameters": [
                {"name": "q", "in": "query", "required": True,
                 "description": "What to search for: at least one ASCII letter or digit, or a non-ASCII "
                 "character (blanks and ASCII punctuation alone are refused).",
                 "schema": {"type": "string", "minLength": 1, "maxLength": SEARCH_MAX_CHARS,
                            "pattern": SEARCH_TEXT_PATTERN}},
                {"name": "syntax", "in": "query", "required": False,
                 "description": "'plain': every word must occur, the last as a prefix (never a syntax error); "
                 "'fts': SQLite FTS5 query syntax (errors give 400).",
                 "schema": {"enum": ["plain", "fts"], "default": "plain"}},
                *_PAGING,
                {"name": "limit", "in": "query", "required": False, "description": "Page size.",
                 "schema": {"type": "integer", "minimum": 1, "maximum": SEARCH_MAX_LIMIT,
                            "default": SEARCH_DEFAULT_LIMIT}},
            ],
            "responses": {"200": _ok("SearchResults", "Matching notes."), **_errors(400)},
        }
    },
    "/api/events": {
        "get": {
            "operationId": "events",
            "summary": "Server-Sent Events: index changes for live reload and plugin clients.",
            "description": "Each event is one `data:` line holding JSON: `{type: changed, paths: [...]}` after "
            "every index update; `{type: publish, state: started|nothing|done|failed, ...}` while the daemon publishes; `{type: overflow}` when the client was too slow and is dropped (reload, "
            "reconnect); `{type: closed}` at shutdown. Comment lines are heartbeats.",
            "responses": {
                "200": {
                    "description": "An event stream.",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                **_errors(503),
            },
        }
    },
    "/api/publish/status": {
        "get": {
            "operationId": "publishStatus",
            "summary": "Which published notes and assets are new, changed, published or to delete (cached compile).",
            "responses": {"200": _ok("PublishStatus", "The plan."), **_errors(409)},
        }
    },
    "/api/publish": {
        "post": {
            "operationId": "publish",
            "summary": "Publish now: one commit with every add, change and delete, then push; all or nothing.",
            "security": [{"bearer": []}],
            "responses": {"200": _ok("PublishReport", "What was published."), **_errors(409, 413)},
        }
    },
    "/api/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document.",
            "responses": {
                "200": {"description": "OpenAPI 3.1 document.", "content": {_JSON: {"schema": {"type": "object"}}}},
                **_errors(),
            },
        }
    },
}


def openapi_document(version: str) -> dict[str, Any]:
    """A fresh copy of the document (callers may not mutate the shared one)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "gardend API",
            "version": version,
            "description": "The local JSON API of gardend. Requests must name the server in Host "
            "(localhost, 127.0.0.1 or [::1] at its port, or a configured name); POST requests, and "
            "every request when the server listens beyond loopback, need `Authorization: Bearer <token>` "
            "(the token is in the vault's state folder). Errors are `{error: {status, message}}`.",
        },
        "servers": [{"url": "/"}],
        # Reads are open on loopback and need the token beyond it; POST always needs it.
        "security": [{}, {"bearer": []}],
        "paths": copy.deepcopy(_PATHS),
        "components": {
            "schemas": copy.deepcopy(_SCHEMAS),
            "responses": {
                "Error": {
                    "description": "An error.",
                    "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
