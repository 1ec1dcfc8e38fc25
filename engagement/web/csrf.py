"""CSRF protection for respondent pages, without a session: a signed double-submit cookie.

Parents and students have no account, so their pages need no Flask session: decoding a
signed session cookie and then a signed, timestamped token on every page cost a completed
survey about a tenth of its CPU (measured in-process). Instead the browser keeps a random
value in an HttpOnly cookie scoped to the survey pages, and each form carries an HMAC of
that value under the app's secret key. A page on another site can neither read the cookie
nor compute the HMAC (OWASP's "signed double-submit cookie"); SameSite=Lax keeps the cookie
off its requests besides. Staff pages keep Flask-WTF's session tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Blueprint, Response, current_app, g, request
from flask_wtf.csrf import CSRFError

from engagement.extensions import csrf

COOKIE = "respondent_csrf"
FIELD = "csrf_token"  # the name Flask-WTF's forms use, so a page is the same either way
COOKIE_PATH = "/s/"  # every respondent form: landing, class code, survey pages
_VALUE_LENGTH = 24  # secrets.token_urlsafe(18)


def form_token() -> str:
    """The token this browser's forms carry; a browser without the cookie is given one."""
    value = g.get("respondent_csrf")
    if value is None:
        value = request.cookies.get(COOKIE, "")
        if not _well_formed(value):
            value = g.new_respondent_csrf = secrets.token_urlsafe(18)
        g.respondent_csrf = value
    return _sign(value)


def protect(blueprint: Blueprint) -> None:
    """Check this blueprint's POSTs with the cookie's token instead of the session's."""
    csrf.exempt(blueprint)
    blueprint.before_request(_check)
    blueprint.after_request(_give_cookie)


class CookiesBlocked(CSRFError):
    """A form posted with no cookie at all: most likely the browser refuses them."""


def _check() -> None:
    if request.method != "POST" or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if not request.cookies:
        raise CookiesBlocked("The browser sent no cookies.")
    value, sent = request.cookies.get(COOKIE, ""), request.form.get(FIELD, "")
    # As bytes: compare_digest refuses a str that is not ASCII, and `sent` may be anything.
    if not (_well_formed(value) and hmac.compare_digest(_sign(value).encode(), sent.encode())):
        raise CSRFError("The CSRF token is missing or does not match this browser.")


def _give_cookie(response: Response) -> Response:
    value = g.get("new_respondent_csrf")
    if value is not None:
        response.set_cookie(
            COOKIE,
            value,
            max_age=current_app.config["RESUME_COOKIE_DAYS"] * 86400,  # as long as a draft
            path=COOKIE_PATH,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def _well_formed(value: str) -> bool:
    return len(value) == _VALUE_LENGTH and value.isascii()


def _sign(value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"respondent-csrf:" + value.encode(), hashlib.sha256).hexdigest()
