"""The application factory: one Starlette app per call, no module-level state.

Routes: ``/graphql`` (queries, mutations, subscriptions over graphql-transport-ws), ``/``
(console), ``/work`` (worker portal; ``/work/frame`` is the sandboxed document a custom
template runs in, :mod:`quorum.http.security_headers`), ``/session`` (browser sign-in,
:mod:`quorum.http.sessions`), ``/uploads`` (manifests from the console, :mod:`quorum.http.uploads`),
``/elements/<task type>.js`` (a plugin's own labeling element,
:mod:`quorum.http.element_modules`), ``/static``, ``/objects/...`` (signed URLs of the local
store) and ``/healthz``. Every response carries the security headers of
:mod:`quorum.http.security_headers`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from typing import cast

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from quorum.auth import CallerCache
from quorum.db.engine import Database
from quorum.errors import DISK_FULL_MESSAGE, DiskFull, Unauthenticated, is_disk_full
from quorum.events import Event
from quorum.graphql.budget import Limits
from quorum.graphql.context import Context
from quorum.graphql.dataloaders import DataLoaders
from quorum.graphql.request_json import CheckedJsonGraphQL
from quorum.graphql.schema import build_schema
from quorum.http import health
from quorum.http.access_log import AccessLog
from quorum.http.element_modules import ROUTE as ELEMENT_ROUTE
from quorum.http.element_modules import serve_element
from quorum.http.limits import RequestSizeLimit
from quorum.http.objects import serve_object
from quorum.http.security_headers import FRAME_HEADERS, SecurityHeaders
from quorum.http.sessions import session_key, sign_in, sign_out, who_is_signed_in
from quorum.http.sign_ins import SignInLimit, SignInLimiter
from quorum.http.static_files import PublicStaticFiles
from quorum.http.uploads import upload_manifest
from quorum.plugins import PluginHost
from quorum.progress import ProgressFeeds
from quorum.runner.loop import Runner
from quorum.settings import Settings

log = logging.getLogger(__name__)


def query_limits(settings: Settings) -> Limits:
    """The GraphQL query budgets of ``settings``."""
    return Limits(
        max_query_bytes=settings.max_query_bytes,
        max_anonymous_query_bytes=settings.max_anonymous_query_bytes,
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_fields=settings.max_fields,
        max_cost=settings.max_query_cost,
        max_anonymous_cost=settings.max_anonymous_query_cost,
    )


class QuorumGraphQL(CheckedJsonGraphQL):
    """Strawberry's ASGI view with Quorum's typed context (and checked request JSON)."""

    def __init__(
        self, db: Database, plugins: PluginHost, settings: Settings, progress: ProgressFeeds
    ) -> None:
        super().__init__(
            build_schema(query_limits(settings)),
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            keep_alive=True,
            keep_alive_interval=15,
            connection_init_wait_timeout=timedelta(seconds=settings.websocket_init_seconds),
            # Refused before any parsing or lookup: a burst of subscribe messages costs little.
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        )
        self.db = db
        self.plugins = plugins
        self.settings = settings
        self.progress = progress
        self.callers = CallerCache(settings.auth_cache_seconds)
        self.session_key = session_key(settings.signing_key())
        self.sign_ins = SignInLimiter(settings.sign_in_failures_per_minute)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Strawberry's response, with ``extensions.code`` ``BAD_INPUT`` on errors that
        never reached execution (a query that does not parse)."""
        response = await super().process_result(request, result)
        for error in response.get("errors") or []:
            if isinstance(error, dict):
                error.setdefault("extensions", {}).setdefault("code", "BAD_INPUT")
        return response

    async def get_context(self, request: Request | WebSocket, response: object) -> Context:
        """A fresh context (and dataloaders) per request or websocket connection."""
        connection: HTTPConnection = request
        return Context(
            db=self.db,
            plugins=self.plugins,
            settings=self.settings,
            request=connection,
            loaders=DataLoaders.build(self.db),
            callers=self.callers,
            session_key=self.session_key,
            sign_ins=self.sign_ins,
            progress=self.progress,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:
        """Accept a websocket's ``connection_init`` only with a valid token or session
        (closed with 4403 otherwise): a connection nobody can use holds nothing open."""
        try:
            await context.read(lambda _session, _user: None)
        except Unauthenticated as exc:
            log.info("websocket refused: %s", exc)
            raise ConnectionRejectionError() from exc
        return cast(UnsetType, UNSET)  # acknowledged, with no payload


async def _server_error(_request: Request, exc: Exception) -> Response:
    """An unexpected error outside GraphQL: ``507 DISK_FULL`` (JSON, as the upload route's
    refusals) for a full disk, else a plain 500 (the server log has the traceback)."""
    if is_disk_full(exc):
        return JSONResponse({"error": DISK_FULL_MESSAGE, "code": DiskFull.code}, status_code=507)
    return PlainTextResponse("Internal Server Error", status_code=500)


def _web_root() -> Path:
    return Path(str(files("quorum.web")))


def create_app(
    settings: Settings,
    *,
    plugins: Iterable[object] = (),
    run_runner: bool = False,
) -> Starlette:
    """The Quorum app for ``settings``; ``plugins`` are extra plugin objects (tests), and
    ``run_runner`` starts the background runner with the app's lifespan."""
    settings.prepare_data_dir()

    def committed(event: Event) -> None:
        host.event(event)
        progress.notify(event)

    db = Database(settings.database_url, after_commit=committed)
    host = PluginHost(settings, plugins, database=db)
    progress = ProgressFeeds(db)
    runner = Runner(db, host, settings.runner_poll_seconds, settings.runner_lease_seconds)
    graphql = QuorumGraphQL(db, host, settings, progress)
    web = _web_root()

    checks = {
        "database": health.database_check(db),
        "storage": health.storage_check(host.storage, settings.storage_url, settings.data_dir),
    }

    async def healthz(_request: Request) -> Response:
        status, body = await health.health(checks)
        return JSONResponse(body, status_code=status)

    async def console(_request: Request) -> Response:
        return FileResponse(web / "index.html")

    async def portal(_request: Request) -> Response:
        return FileResponse(web / "work.html")

    async def template_frame(_request: Request) -> Response:
        return FileResponse(web / "work" / "template-frame.html", headers=FRAME_HEADERS)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if run_runner:
            runner.start()
        try:
            yield
        finally:
            runner.stop()
            db.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/session", sign_in, methods=["POST"]),
            Route("/session", who_is_signed_in, methods=["GET"]),
            Route("/session", sign_out, methods=["DELETE"]),
            Route("/uploads", upload_manifest, methods=["POST"]),
            Route(ELEMENT_ROUTE + "/{name}.js", serve_element),
            Route("/", console),
            Route("/work", portal),
            Route("/work/frame", template_frame),
            Route("/objects/{path:path}", serve_object),
            Mount("/static", PublicStaticFiles(directory=web), name="static"),
        ],
        middleware=[
            *([Middleware(AccessLog)] if settings.access_log else []),
            Middleware(SecurityHeaders),
            Middleware(SignInLimit, limiter=graphql.sign_ins),
            Middleware(
                RequestSizeLimit,
                max_bytes=settings.max_request_bytes,
                max_graphql_bytes=settings.max_graphql_request_bytes,
                max_anonymous_bytes=settings.max_anonymous_request_bytes,
            ),
        ],
        lifespan=lifespan,
        exception_handlers={Exception: _server_error},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.plugins = host
    app.state.runner = runner
    app.state.progress = progress
    app.state.session_key = graphql.session_key
    app.state.callers = graphql.callers
    app.state.sign_ins = graphql.sign_ins
    return app
