"""The server's defences: Host check, bearer token, body cap, security headers, JSON errors.

A local HTTP server is reachable by every web page the user opens: a hostile page can make the
browser send requests to ``127.0.0.1`` (CSRF) or, through DNS rebinding, read the answers under
its own origin. The defences here close both:

* **Host check** — a rebinding attack arrives with the attacker's host name in ``Host``; only the
  server's own names (``127.0.0.1``, ``localhost``, ``[::1]`` at the port the connection actually
  arrived on, plus configured names) are served; anything else gets 421, a missing Host 400.
* **Token** — every state-changing method (anything but GET/HEAD/OPTIONS) needs
  ``Authorization: Bearer <token>``; a cross-site form cannot set that header, and a page cannot
  read the token from the 0600 file. When the server listens beyond loopback, every ``/api/``
  request needs it, since anyone on the network can connect.
* **Body cap** — bodies over ``max_body`` are refused (413) before they are read; the request
  line and each header are bounded by the HTTP parser (:func:`handler_args`).
* **Headers** — a strict Content-Security-Policy, ``nosniff`` and ``no-referrer`` on every response
  (a page with a Mermaid diagram sets its own policy first: :data:`DIAGRAM_CONTENT_SECURITY_POLICY`).
* **Errors** — always ``{"error": {"status", "message"}}``; exceptions are logged, never sent.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from ..config import vault_state_dir
from .state import ServerState

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DIAGRAM_CONTENT_SECURITY_POLICY",
    "LOOPBACK_NAMES",
    "MAX_REQUEST_LINE",
    "STATE_KEY",
    "error_response",
    "handler_args",
    "load_or_create_token",
    "middlewares",
    "security_headers",
    "token_path",
]

log = logging.getLogger("gardend.server")

STATE_KEY: web.AppKey[ServerState] = web.AppKey("gardend_state", ServerState)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
)
"""Every response's policy: scripts and stylesheets only from our own files, no inline script
or style at all (a note's ``style`` attributes are ignored), no plugins, no framing."""
DIAGRAM_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
)
"""The policy of a site page that holds a Mermaid diagram, and only of such a page: the
default one plus inline styles.

Mermaid writes each diagram as SVG markup with a ``<style>`` element (the theme's colours,
scoped to the diagram's id) and ``style`` attributes (sizes, label layout); under
``style-src 'self'`` the browser drops both and the diagram comes out as black shapes with
overlapping labels. Those styles are generated per diagram, so neither a hash nor (on the
static site) a nonce can allow them; ``'unsafe-inline'`` is the only way, and it is needed for
``<style>`` elements and attributes alike (``style-src-elem`` / ``style-src-attr``).

Inline style cannot run script, and ``script-src`` is untouched: no ``'unsafe-eval'`` (Mermaid
11 in ``securityLevel: "strict"`` draws without ``eval``/``Function``, checked in the browser
test) and no inline script. What a page under this policy gives up is the guarantee that a
note's own ``style`` attributes are ignored; the sanitiser already limits them to layout and
colour properties (no ``position``, no ``url()``-carrying ones), and ``<style>`` elements in
notes are removed. Pages without a diagram keep :data:`CONTENT_SECURITY_POLICY`."""
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

MAX_REQUEST_LINE = 64 * 1024
"""Longest request line (method, URL, version) the HTTP parser accepts.

aiohttp's default, 8190 bytes, is shorter than requests the API documents as valid: a vault path
may have 4096 characters (:data:`.openapi.VAULT_PATH_MAX_CHARS`), and percent-encoded that is up
to 12 bytes each. A longer line is refused by the parser itself, before any middleware runs, so
its 400 is aiohttp's plain-text one, not the JSON error shape (no traceback, nothing looked up).
64 KiB holds every URL the schema allows with room to spare; it only bounds how much of one
line the parser buffers, and request bodies keep their own cap (``max_body``)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def handler_args() -> dict[str, Any]:
    """Keyword arguments for aiohttp's request handler (``web.Application(handler_args=...)``)."""
    return {"max_line_size": MAX_REQUEST_LINE}


# -- token ---------------------------------------------------------------------------------------
def token_path(root: Path) -> Path:
    return vault_state_dir(root) / "token"


def load_or_create_token(root: Path) -> str:
    """The vault's API token, created on first start with ``secrets.token_urlsafe(32)``.

    The file is created with ``O_EXCL`` and mode 0600 (never briefly world-readable); an existing
    file with looser permissions is tightened, since other local users could otherwise read it.
    """
    path = token_path(root)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    if mode is not None:
        if mode & 0o077:
            log.warning("%s was readable by other users; restricting it to mode 0600", path)
            os.chmod(path, 0o600)
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token
        path.unlink()
    token = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another gardend started at the same moment: use its token
        return path.read_text(encoding="utf-8").strip() or token
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    return token


def token_matches(header: str | None, token: str) -> bool:
    """Constant-time comparison of an ``Authorization`` header with ``Bearer <token>``."""
    if not header or not token:
        return False
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.strip().encode("utf-8"), token.encode("utf-8"))


# -- errors --------------------------------------------------------------------------------------
def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    """The one error shape of the API: ``{"error": {"status": n, "message": "..."}}``."""
    return web.json_response({"error": {"status": status, "message": message}}, status=status, headers=headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into the JSON error shape; log unexpected exceptions, never leak them."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise  # redirects and the like are not errors
        headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "www-authenticate")}
        message = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else exc.reason
        return error_response(exc.status, message, headers)
    except Exception:
        log.exception("internal error while answering %s %s", request.method, request.path)
        return error_response(500, "internal server error (details are in the gardend log)")


# -- host check ----------------------------------------------------------------------------------
def _local_port(request: web.Request) -> int | None:
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if isinstance(sockname, tuple) and len(sockname) >= 2:
        return int(sockname[1])
    return None


def host_allowed(host: str, port: int | None, extra: frozenset[str]) -> bool:
    """Whether ``host`` (a Host header value) names this server.

    Loopback names must carry the port the connection arrived on (a page on another local port
    is another origin); configured names match as written (``name`` or ``name:port``) or as
    ``name`` at our port.
    """
    host = host.strip().lower()
    if host in extra:
        return True
    name, sep, rest = host.rpartition(":")
    if not sep or rest.startswith("[") or not rest.isdigit() or name.endswith(":"):
        return False  # no port, or an unbracketed IPv6 address
    if port is None or int(rest) != port:
        return False
    return name in LOOPBACK_NAMES or name in extra


@web.middleware
async def host_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    host = request.headers.get("Host")
    if not host:
        return error_response(400, "missing Host header")
    state = request.app[STATE_KEY]
    if not host_allowed(host, _local_port(request), state.allowed_hosts):
        return error_response(421, "this server does not answer for that Host name")
    return await handler(request)


# -- token and body checks -----------------------------------------------------------------------
@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    needs_token = request.method not in SAFE_METHODS or (
        state.require_token_for_reads and (request.path == "/api" or request.path.startswith("/api/"))
    )
    if needs_token and not token_matches(request.headers.get("Authorization"), state.token):
        return error_response(
            401, "missing or invalid token: send 'Authorization: Bearer <token>' (the token is the file 'token' in the vault's state_dir, see `gardend info`)",
            {"WWW-Authenticate": 'Bearer realm="gardend"'},
        )
    return await handler(request)


@web.middleware
async def body_limit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse declared oversized bodies early; aiohttp's ``client_max_size`` catches chunked ones."""
    limit = request.app[STATE_KEY].max_body
    length = request.content_length
    if length is not None and length > limit:
        return error_response(413, f"request body is larger than {limit} bytes")
    return await handler(request)


def middlewares() -> list[Any]:
    """Outermost first: errors wrap everything so even a refused Host gets the JSON shape."""
    return [error_middleware, host_middleware, auth_middleware, body_limit_middleware]


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: every response, streamed ones included, gets the headers."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
