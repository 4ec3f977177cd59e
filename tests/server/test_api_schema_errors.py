"""What the schemathesis runs found, pinned down: each case here was a 5xx, an answer that did not
match ``/api/openapi.json``, or malformed input that was served instead of refused.

Fuzzing finds such cases by chance; these tests keep them found. The schema's patterns are also
checked to mean the same in the two regex dialects that read them: ECMAScript (JSON Schema
validators, clients) and Python (the handlers, schemathesis' generator).
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from gardend.daemon.server import UnsafePathError, safe_vault_path
from gardend.daemon.server.openapi import (
    MAX_OFFSET,
    QUERY_TEXT_PATTERN,
    SEARCH_MAX_CHARS,
    SEARCH_TEXT_PATTERN,
    VAULT_PATH_MAX_CHARS,
    VAULT_PATH_PATTERN,
)
from gardend.daemon.server.security import MAX_REQUEST_LINE
from gardend.daemon.site import site_setup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import AUTH, EXAMPLE_VAULT, call, client_for, run

JSON_BODY = {**AUTH, "Content-Type": "application/json"}


def _is_error(body: Any, status: int) -> bool:
    return isinstance(body, dict) and body.get("error", {}).get("status") == status and bool(body["error"]["message"])


# -- request bodies: 500s before -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/json; charset=no-such-charset", b'{"query": "LIST'),  # LookupError: was 500
        ("application/json", b"[" * 200_000),  # RecursionError: was 500
        ("application/json", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        ("application/json", b'{"query": "LIST \xff"}'),  # not UTF-8
    ],
)
def test_bodies_that_crashed_the_parser_are_400(example_state, content_type: str, data: bytes) -> None:
    status, _, body = call(
        example_state, "POST", "/api/query", data=data, headers={**AUTH, "Content-Type": content_type}
    )
    assert status == 400 and _is_error(body, 400)


def test_charset_parameter_is_ignored(example_state) -> None:
    """JSON has no charset parameter (RFC 8259); a made-up one used to be looked up: a 500."""
    headers = {**AUTH, "Content-Type": "application/json; charset=no-such-charset"}
    status, _, body = call(example_state, "POST", "/api/query", data=b'{"query": "LIST"}', headers=headers)
    assert status == 200 and body["type"] == "list"


def test_body_in_utf16_is_json_too(example_state) -> None:
    """RFC 8259 JSON may come in UTF-16/32; ``json.loads`` on the bytes detects it."""
    data = '{"query": "LIST FROM #topic"}'.encode("utf-16")
    status, _, body = call(example_state, "POST", "/api/query", data=data, headers=JSON_BODY)
    assert status == 200 and body["type"] == "list"


@pytest.mark.parametrize("query", ["\x1c", " \t\r\n", "\x00"])
def test_blank_query_is_400(example_state, query: str) -> None:
    status, _, body = call(example_state, "POST", "/api/query", json={"query": query}, headers=AUTH)
    assert status == 400 and _is_error(body, 400)


def test_query_that_is_only_unicode_space_is_a_query_error(example_state) -> None:
    """Matches the schema's pattern, so it is run: the parser's error is a 200 of type 'error'."""
    status, _, body = call(example_state, "POST", "/api/query", json={"query": "\u3000"}, headers=AUTH)
    assert status == 200 and body["type"] == "error"


# -- query parameters ----------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["", " 5", "5 ", "+5", "5_0", "٥", "0x5", "1e2", "5.0"])
@pytest.mark.parametrize(("url", "name"), [("/api/notes", "limit"), ("/api/notes", "offset"), ("/api/search?q=disc", "offset")])
def test_integers_are_ascii_decimal_only(example_state, url: str, name: str, value: str) -> None:
    sep = "&" if "?" in url else "?"
    status, _, body = call(example_state, "GET", f"{url}{sep}{name}={urllib.parse.quote(value)}")
    assert status == 400 and _is_error(body, 400)


def test_offset_bounds_match_the_schema(example_state) -> None:
    status, _, body = call(example_state, "GET", "/api/notes", params={"offset": str(MAX_OFFSET)})
    assert status == 200 and body["notes"] == [] and body["offset"] == MAX_OFFSET
    for offset in (str(MAX_OFFSET + 1), str(10**40), "1" + "0" * 5000):  # the last: past int()'s digit limit
        status, _, body = call(example_state, "GET", "/api/notes", params={"offset": offset})
        assert status == 400 and "between" in body["error"]["message"]


@pytest.mark.parametrize(
    "query",
    ["limit=5&limit=6", "limit=&limit=5", "offset=0&offset=0"],
)
def test_repeated_parameters_are_refused(example_state, query: str) -> None:
    """A value given twice was answered from the first copy (a malformed request served)."""
    status, _, body = call(example_state, "GET", f"/api/notes?{query}")
    assert status == 400 and "at most once" in body["error"]["message"]


@pytest.mark.parametrize(
    "url", ["/api/note?path=Home.md&path=../x", "/api/search?q=disc&q=x", "/api/search?q=disc&syntax=fts&syntax=plain"]
)
def test_repeated_string_parameters_are_refused(example_state, url: str) -> None:
    status, _, body = call(example_state, "GET", url)
    assert status == 400 and _is_error(body, 400)


@pytest.mark.parametrize("params", [{"q": "disc", "syntax": ""}, {"q": "x" * (SEARCH_MAX_CHARS + 1)}, {"q": "_"}])
def test_search_parameters_outside_the_schema_are_400(example_state, params: dict[str, str]) -> None:
    status, _, body = call(example_state, "GET", "/api/search", params=params)
    assert status == 400 and _is_error(body, 400)


@pytest.mark.parametrize("q", ["€", "\x85", "…", "\u3000"])
def test_non_ascii_without_words_finds_nothing(example_state, q: str) -> None:
    """Valid per the schema's pattern (any non-ASCII character): an empty answer, not a 400."""
    status, _, body = call(example_state, "GET", "/api/search", params={"q": q})
    assert status == 200 and body["results"] == []


def test_non_ascii_words_are_searched(example_state) -> None:
    status, _, body = call(example_state, "GET", "/api/search", params={"q": "Sánchez"})
    assert status == 200 and body["results"]


# -- methods: Allow names exactly the path's methods, with the site's catch-all route present ------
def _with_site(state: Any, method: str, url: str, **kwargs: Any) -> tuple[int, dict[str, str], Any]:
    async def go() -> tuple[int, dict[str, str], Any]:
        async with (
            client_for(state, site_setup(preview=True)) as client,
            client.request(method, url, **kwargs) as resp,
        ):
            return resp.status, dict(resp.headers), await resp.json()

    return run(go())


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("OPTIONS", "/api/query", "POST"),  # was Allow: GET,HEAD,POST (the site's GET /{tail})
        ("GET", "/api/query", "POST"),  # was a 404 from the site's catch-all
        ("PUT", "/api/publish", "POST"),
        ("DELETE", "/api/health", "GET,HEAD"),
        ("POST", "/api/notes", "GET,HEAD"),
        ("PATCH", "/api/openapi.json", "GET,HEAD"),
    ],
)
def test_405_names_the_methods_of_the_path(example_state, method: str, url: str, allow: str) -> None:
    status, headers, body = _with_site(example_state, method, url, headers=AUTH)
    assert status == 405 and _is_error(body, 405)
    assert headers["Allow"] == allow
    assert method in body["error"]["message"]


def test_wrong_method_without_token_is_401_first(example_state) -> None:
    status, _, body = _with_site(example_state, "DELETE", "/api/health")
    assert status == 401 and _is_error(body, 401)


def test_unknown_api_path_is_a_json_404_with_the_site(example_state) -> None:
    status, _, body = _with_site(example_state, "GET", "/api/nothing/here")
    assert status == 404 and _is_error(body, 404)


# -- long URLs: every URL the schema allows fits the request-line limit --------------------------
def test_longest_valid_path_is_answered_as_json(example_state) -> None:
    """4096 four-byte characters, percent-encoded: 49 KB, past aiohttp's default 8190-byte
    request line, which answered such a schema-valid request with a plain-text 400."""
    path = "\U0001f3fb" * VAULT_PATH_MAX_CHARS
    url = "/api/note?path=" + urllib.parse.quote(path)
    assert 8190 < len(url) < MAX_REQUEST_LINE - 100
    status, _, body = call(example_state, "GET", url)
    assert status == 404 and _is_error(body, 404)
    status, _, body = call(example_state, "GET", "/api/note?path=" + "a" * (VAULT_PATH_MAX_CHARS + 1))
    assert status == 400 and _is_error(body, 400)


def test_request_line_beyond_the_limit_is_refused(example_state) -> None:
    status, _, _ = call(example_state, "GET", "/api/note?path=" + "a" * MAX_REQUEST_LINE)
    assert status == 400  # by aiohttp's parser, before any handler: nothing is looked up


# -- the schema's patterns: one meaning in ECMAScript and in Python ------------------------------
PATH_SAMPLES = [
    "Home.md", "a", "...", ".a", "..a", "a..", ".obsidian/app.json", "Research/Tags/L4-L5.md",
    "ünïcödé/日本.md", "\U0001f3fb.md", "a b/c", "C", "Cx:", "1:2", "a\nb", "a\x7f",
    # refused
    "", ".", "..", "../x", "a/../b", "a/./b", "a//b", "a/", "/etc/passwd", "//x", "\\x", "a\\b",
    "C:x", "c:/x", "Z:", "a\x00b", "./a", "a/.", "a/..", "..\U0001f3fb/..",
]


@pytest.mark.parametrize("path", PATH_SAMPLES)
def test_path_pattern_is_the_servers_rule(tmp_path: Path, path: str) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    try:
        safe_vault_path(vault, path)
        accepted = True
    except UnsafePathError:
        accepted = False
    valid = bool(re.search(VAULT_PATH_PATTERN, path)) and 1 <= len(path) <= VAULT_PATH_MAX_CHARS
    assert valid == accepted


@settings(max_examples=200, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.from_regex(VAULT_PATH_PATTERN))
def test_every_path_the_schema_allows_is_accepted(path: str) -> None:
    if len(path) <= VAULT_PATH_MAX_CHARS:
        safe_vault_path(EXAMPLE_VAULT, path)


@settings(max_examples=200, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=st.sampled_from("ab./\\:C\x00é"), max_size=8))
def test_every_path_the_server_accepts_matches_the_pattern(path: str) -> None:
    try:
        safe_vault_path(EXAMPLE_VAULT, path)
    except UnsafePathError:
        assert not re.search(VAULT_PATH_PATTERN, path)  # the example vault has no symlinks
    else:
        assert re.search(VAULT_PATH_PATTERN, path)


DIALECT_SAMPLES = [
    "", "a", "Z", "0", "_", "!!", " ", "\t", "\x1c", "\x1f", "\x7f", "\x85", "\xa0", "é", "ß", "€",
    "…", "\u3000", "\ufeff", "\u2028", "日本", "\U0001f3fb", "a b", "x!", "[", "`", "{", "~", "@",
    "Home.md", "a/b", "../x", "C:x", ".a", "...", "a//b", "a\\b",
]


@pytest.mark.parametrize("pattern", [VAULT_PATH_PATTERN, QUERY_TEXT_PATTERN, SEARCH_TEXT_PATTERN])
def test_patterns_mean_the_same_in_ecmascript(pattern: str) -> None:
    """jsonschema-rs (schemathesis' validator) reads patterns as ECMAScript; Python's ``re`` must
    agree on every sample, non-ASCII and control characters included (``\\w``/``\\s`` do not)."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    for sample in DIALECT_SAMPLES:
        assert validator.is_valid(sample) == bool(re.search(pattern, sample)), (pattern, sample)
