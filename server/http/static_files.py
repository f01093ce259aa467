"""The web/ folder served at ``/static``, readable from sandboxed frames.

A custom worker template (:mod:`quorum.templates`) runs in a frame sandboxed without
``allow-same-origin``, so its origin is opaque and every request it makes is
cross-origin. Module scripts are fetched in CORS mode, so the crowd elements it imports
from ``/static`` need ``Access-Control-Allow-Origin``. These files are the same public code
every visitor gets, and the header allows no credentials, so ``*`` exposes nothing.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope


class PublicStaticFiles(StaticFiles):
    """Starlette's static files, with ``Access-Control-Allow-Origin: *`` on every file."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file's response, readable by any origin (no credentials)."""
        response = await super().get_response(path, scope)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
