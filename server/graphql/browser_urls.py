"""Storage URLs turned into URLs a browser may fetch, for the fields that show objects."""

from __future__ import annotations

from quorum.errors import BadInput
from quorum.graphql.context import Info
from quorum.tenancy import read_organization_storage


def browser_url(info: Info, url: str, organization_id: int) -> str | None:
    """A presigned (S3) or signed (local) URL for ``url`` that expires after the server's
    ``url_expiry_seconds``; ``None`` when ``organization_id`` does not hold ``url``
    (:mod:`quorum.tenancy`) or no storage backend serves it (say, a file outside the
    readable folders). Never a URL that carries credentials."""
    context = info.context
    storage = read_organization_storage(
        context.db, context.plugins.storage, context.settings, organization_id
    )
    try:
        return storage.browser_url(url, context.settings.url_expiry_seconds)
    except BadInput:
        return None
