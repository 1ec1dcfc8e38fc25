"""Input no view should see: NUL characters, and numbers no database integer can hold."""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

NUL = "\x00"
DATABASE_INT_MAX = 2**31 - 1  # ids and counts are PostgreSQL integers


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in a URL: a number no database integer can hold matches no route (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def whole_number(text: str | None, maximum: int = DATABASE_INT_MAX) -> int | None:
    """A count or id typed into a form or a query: plain digits within range, else None.

    `str.isdigit` alone also passes "²" (which `int` refuses) and numbers too big to store.
    """
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= maximum else None


def carries_nul() -> bool:
    """Whether a NUL character hides in what views read: path, query, cookies, token or form.

    Nobody types U+0000 and PostgreSQL cannot store or even compare it in text,
    so such a request is malformed, whatever it was aimed at.
    """
    if NUL in request.path or b"%00" in request.query_string or b"\x00" in request.query_string:
        return True
    if NUL in request.headers.get("Authorization", ""):
        return True
    if any(NUL in key or NUL in value for key, value in request.cookies.items(multi=True)):
        return True
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any(NUL in key or NUL in value for key, value in request.form.items(multi=True))
    return False


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        if carries_nul():
            abort(400)
