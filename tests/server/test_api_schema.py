"""The API against its own OpenAPI document, with schemathesis: no 5xx, every response as documented.

``/api/openapi.json`` is the contract plugin authors code against, so it is checked the way an
outsider would: schemathesis reads the document, generates valid and invalid requests for every
operation (the examples, coverage and fuzzing phases) and runs all its checks on the answers —
no server error, documented status codes and content types, response bodies that match their
schemas, invalid input refused with a 4xx, valid input accepted, ``Allow`` on a 405, the token
not ignored.

The server is the daemon's real application (API and site routes, middlewares, request-line
limit) on the example vault, listening on 127.0.0.1 in a thread of this process. Generation is
seeded and Hypothesis' example database is off, so every run sends the same requests; nothing
waits on a clock.

Left out: ``GET /api/events``, an endless Server-Sent-Events stream whose body schemathesis
would read forever (``tests/server/test_server_events.py`` covers it).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis")

import requests  # noqa: E402  (after the skip: both come with schemathesis)
from aiohttp import web  # noqa: E402
from gardend.daemon import __version__  # noqa: E402
from gardend.daemon.server import create_app  # noqa: E402
from gardend.daemon.server.openapi import openapi_document  # noqa: E402
from gardend.daemon.site import site_setup  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402

from .conftest import AUTH, EXAMPLE_VAULT, indexed, make_state  # noqa: E402

MAX_EXAMPLES = 100
"""Fuzzing cases per operation, as in ``st run -n 100`` (the examples and coverage phases add
their own). The whole module takes about 10 s on the 2-core CI machine."""

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261130,
        "headers": dict(AUTH),
        "generation": {"max-examples": MAX_EXAMPLES},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
    }
)
"""Built here rather than discovered, so that no ``schemathesis.toml`` lying around changes the run."""

SCHEMA = schemathesis.openapi.from_dict(openapi_document(__version__), config=CONFIG).exclude(
    path="/api/events", method="GET"
)


@contextlib.contextmanager
def _serve(app: web.Application) -> Iterator[str]:
    """Run ``app`` on 127.0.0.1 (a free port) in a thread with its own event loop; yield its URL."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="api-schema-server", daemon=True)
    thread.start()
    runner = web.AppRunner(app, handle_signals=False)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return int(runner.addresses[0][1])

    try:
        port = asyncio.run_coroutine_threadsafe(start(), loop).result()
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("api-schema") / "index.sqlite"
    with indexed(EXAMPLE_VAULT, db) as (_, _, reader):
        state = make_state(EXAMPLE_VAULT, reader)
        try:
            with _serve(create_app(state, setup=[site_setup(preview=True)])) as url:
                yield url
        finally:
            state.shutdown_executor()


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    """A session that ignores proxy variables: every request goes straight to 127.0.0.1."""
    with requests.Session() as s:
        s.trust_env = False
        yield s


def _is_fts_syntax_error(case: schemathesis.Case, response: requests.Response) -> bool:
    """A valid ``syntax=fts`` search whose text is not a valid FTS5 query.

    That is the one 400 a schema-valid request can get: FTS5's query language cannot be written
    as a JSON Schema, so the schema says "a string" and the server answers a syntax error with
    400 ``invalid search query: fts5: ...`` (documented in the parameter's description). Only
    this answer, on this operation, is spared the "valid data is accepted" check; every other
    check still runs on it.
    """
    if case.operation.label != "GET /api/search" or response.status_code != 400:
        return False
    if not isinstance(case.query, dict) or case.query.get("syntax") != "fts":
        return False
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return False
    return isinstance(message, str) and message.startswith("invalid search query: fts5:")


@SCHEMA.parametrize()
@settings(
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, base_url: str, session: requests.Session) -> None:
    response = case.call(base_url=base_url, session=session)
    excluded = [positive_data_acceptance] if _is_fts_syntax_error(case, response) else []
    case.validate_response(
        response,
        excluded_checks=excluded,
        headers=dict(AUTH),
        transport_kwargs={"base_url": base_url, "session": session},
    )


# -- real data through the response schemas ------------------------------------------------------
# Generated paths and queries almost never name a note of the vault, so the schemas of the big
# answers (a note with all its fields, query results) are checked here on every note and on
# queries of every result type.


def test_every_note_matches_the_note_schema(base_url: str, session: requests.Session) -> None:
    notes = SCHEMA["/api/notes"]["GET"].Case(query={"limit": 1000}).call_and_validate(
        base_url=base_url, session=session
    )
    paths = [n["path"] for n in notes.json()["notes"]]
    assert len(paths) == 19
    operation = SCHEMA["/api/note"]["GET"]
    for path in paths:
        response = operation.Case(query={"path": path}).call_and_validate(base_url=base_url, session=session)
        assert response.status_code == 200 and response.json()["path"] == path


@pytest.mark.parametrize("fmt", ["json", "html"])
@pytest.mark.parametrize(
    "query",
    [
        'TABLE year, citekey FROM "Research/Evidence Sources" SORT year DESC',
        "LIST FROM #topic",
        "LIST title GROUP BY file.folder",
        "TASK",
        "CALENDAR file.mtime",
        "LIST WHERE",  # a parse error: 200 with type 'error'
        "TABLE nosuchfunction(1)",
    ],
)
def test_query_results_match_their_schema(base_url: str, session: requests.Session, query: str, fmt: str) -> None:
    case = SCHEMA["/api/query"]["POST"].Case(
        body={"query": query, "format": fmt, "this": "Home.md"}, media_type="application/json"
    )
    response = case.call_and_validate(base_url=base_url, session=session, headers=dict(AUTH))
    assert response.status_code == 200


def test_search_hits_match_their_schema(base_url: str, session: requests.Session) -> None:
    operation = SCHEMA["/api/search"]["GET"]
    for query in ({"q": "disc"}, {"q": "title:Lumbar", "syntax": "fts"}, {"q": "€"}):
        response = operation.Case(query=query).call_and_validate(base_url=base_url, session=session)
        assert response.status_code == 200
    assert response.json()["results"] == []

