"""Headers every response carries, so a browser holds the pages to what they are.

The pages use no script, no inline style and nothing from another origin, so the
policy can be strict: escaping is the first defence against respondents' text,
this is the second. Resume tokens and class codes travel in addresses; no
other site may see them in a Referer or frame the pages.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",  # the empty favicon is a data: address
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def register(app: Flask) -> None:
    @app.after_request
    def protective_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
