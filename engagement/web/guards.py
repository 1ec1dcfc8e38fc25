"""Checks every request passes before a view sees it."""

from __future__ import annotations

from flask import Flask, abort, request

NUL = "\x00"


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
