"""Storage URLs turned into URLs a browser may fetch, for the fields that show objects."""

from __future__ import annotations

from quorum.errors import BadInput
from quorum.graphql.context import Info


def browser_url(info: Info, url: str) -> str | None:
    """A presigned (S3) or signed (local) URL for ``url`` that expires after the server's
    ``url_expiry_seconds``; ``None`` when no storage backend serves it (say, a file outside
    the readable folders). Never a URL that carries credentials."""
    try:
        return info.context.plugins.storage.browser_url(
            url, info.context.settings.url_expiry_seconds
        )
    except BadInput:
        return None
