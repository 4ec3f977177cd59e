"""The aiohttp application: middlewares, routes and lifecycle hooks around a :class:`ServerState`.

``create_app`` builds nothing it would have to own: the state (index connection, engine, hub)
is made by the caller (``run_server`` or a test), which also closes it. The app only binds the
event hub to its loop at start-up and ends event streams at shutdown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from aiohttp import web

from .api import add_routes
from .security import STATE_KEY, handler_args, middlewares, security_headers
from .state import ServerState

__all__ = ["ServerState", "create_app"]


def create_app(
    state: ServerState, setup: Iterable[Callable[[web.Application], None]] = ()
) -> web.Application:
    """The API app, plus whatever each ``setup(app)`` adds after the API routes.

    The site pages (:func:`gardend.daemon.site.site_setup`) come in through ``setup`` so the
    server package does not depend on the site package, and an API-only app stays possible.
    """
    app = web.Application(
        middlewares=middlewares(), client_max_size=state.max_body, handler_args=handler_args()
    )
    app[STATE_KEY] = state
    app.on_response_prepare.append(security_headers)
    add_routes(app)
    for extend in setup:
        extend(app)

    async def bind_hub(app: web.Application) -> None:
        state.hub.bind(asyncio.get_running_loop())

    async def close_streams(app: web.Application) -> None:
        await state.hub.close()

    app.on_startup.append(bind_hub)
    app.on_shutdown.append(close_streams)
    return app
