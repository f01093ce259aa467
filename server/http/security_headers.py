"""Security headers: on every HTTP response ``X-Content-Type-Options: nosniff`` and
``Referrer-Policy: same-origin`` (a signed image URL's host never learns the page); on
every HTML page (the console at ``/``, the portal at ``/work``) a Content-Security-Policy
and ``X-Frame-Options: DENY``, so that no other site can frame them (clickjacking) and
only the server's own scripts run in them.

The page policy (:data:`PAGE_POLICY`) lets scripts and style sheets come from the server
alone (style attributes are allowed: the elements colour labels with them), images from
anywhere (the object store's signed URLs name another host, an S3 endpoint or a CDN),
connections (the API, its websocket) and frames to the server only, and no plugin,
``<base>`` or form posted elsewhere.

A custom worker template runs inside the portal in a frame sandboxed without
``allow-same-origin`` (web/work/template-frame.js). Its document is ``/work/frame``
(web/work/template-frame.html), which writes the rendered template into itself: it has a
policy of its own (:data:`FRAME_POLICY`) that lets the requester's template run as in
Ground Truth (inline scripts and styles, scripts and images from any host) but keeps it
sandboxed even when opened on its own, and framed by the portal alone. A ``srcdoc`` frame
would inherit the portal's policy and break every template with an inline script.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The Content-Security-Policy of the console and the portal.
PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: blob: https: http:",
        "media-src 'self' data: blob: https: http:",
        "connect-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)
#: The Content-Security-Policy of the frame a custom template runs in.
FRAME_POLICY = "sandbox allow-scripts; frame-ancestors 'self'"
#: The headers of the template frame's document.
FRAME_HEADERS = {"Content-Security-Policy": FRAME_POLICY, "X-Frame-Options": "SAMEORIGIN"}


class SecurityHeaders:
    """Pure-ASGI middleware adding the security headers to every HTTP response, and the
    page policy to HTML responses that bring no policy of their own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", PAGE_POLICY)
                    headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)
