"""Log in, log out, set a password through a one-time link, manage one's own API tokens."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from engagement.adapters.clock import app_clock
from engagement.extensions import db
from engagement.i18n import LANGUAGE_COOKIE, LANGUAGE_NAMES, SUPPORTED_LANGUAGES

from . import bp
from .forms import LanguageForm, LoginForm, SetPasswordForm, TokenForm
from .messages import account_error_message
from .passwords import hasher_for
from .service import (
    AccountError,
    LoginLimits,
    LoginRefused,
    api_tokens,
    authenticate,
    create_api_token,
    pending_reset,
    reset_password,
    revoke_api_token,
    set_language,
)


def hasher():
    return hasher_for(current_app.config["PASSWORD_HASH_PROFILE"])


def login_limits() -> LoginLimits:
    config = current_app.config
    return LoginLimits(
        window=timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]),
        per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        per_ip=config["LOGIN_MAX_FAILURES_PER_IP"],
    )


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an address elsewhere (open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("admin.index")


def _remember_language(response, language: str | None):
    """Keep the chosen language for the pages that follow; none chosen: the browser's again."""
    if language not in SUPPORTED_LANGUAGES:
        response.delete_cookie(LANGUAGE_COOKIE)
    else:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(
                db.session,
                form.email.data,
                form.password.data,
                request.remote_addr or "",
                app_clock(),
                hasher(),
                login_limits(),
            )
        except LoginRefused as refused:
            form.form_errors.append(account_error_message(refused))
            status = 429 if refused.code == "locked" else 401
        else:
            session.clear()
            login_user(user)
            session.permanent = True
            response = redirect(_safe_next(request.args.get("next")))
            if user.language is None:  # no choice of their own: the one picked here stays
                return response
            return _remember_language(response, user.language)
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    try:
        pending = pending_reset(db.session, token, app_clock())
    except AccountError as error:
        return render_template("auth/link_error.html", message=account_error_message(error)), 410
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            reset_password(
                db.session,
                token,
                form.password.data,
                app_clock(),
                hasher(),
                current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except AccountError as error:
            form.password.errors.append(account_error_message(error))
            status = 422
        else:
            logout_user()
            flash(_("Your password is set. Please log in."), "info")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 422
    return render_template(
        "auth/reset.html",
        form=form,
        email=pending.user.email,
        minimum=current_app.config["PASSWORD_MIN_LENGTH"],
    ), status


def _language_form() -> LanguageForm:
    form = LanguageForm(language=current_user.language or "")
    form.language.choices = [SelectChoice("", _("As my browser asks"))] + [
        SelectChoice(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES
    ]
    return form


def _account_page(new_token: str | None = None, token_form: TokenForm | None = None, status=200):
    return render_template(
        "auth/account.html",
        language_form=_language_form(),
        token_form=token_form or TokenForm(formdata=None),
        tokens=api_tokens(db.session, current_user),
        new_token=new_token,
    ), status


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/language")
@login_required
def account_language():
    form = _language_form()
    if not form.validate_on_submit():
        abort(400)
    language = form.language.data or None
    set_language(db.session, current_user, language)
    shown_next = language or request.accept_languages.best_match(SUPPORTED_LANGUAGES) or "en"
    with force_locale(shown_next):  # said in the language the next page is in
        flash(_("Saved."), "info")
    return _remember_language(redirect(url_for(".account")), language)


@bp.post("/account/tokens")
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(token_form=form, status=422)
    try:
        raw = create_api_token(db.session, current_user, form.name.data, app_clock())
    except AccountError as error:  # a name of spaces only
        form.name.errors = [account_error_message(error)]
        return _account_page(token_form=form, status=422)
    return _account_page(new_token=raw)[0], 201, {"Cache-Control": "no-store"}


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    try:
        revoke_api_token(db.session, current_user, token_id, app_clock())
    except AccountError:
        abort(404)
    flash(_("The token no longer works."), "info")
    return redirect(url_for(".account"))
