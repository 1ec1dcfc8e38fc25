"""User management for the engagement office: invite, assign roles and scopes, deactivate."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engagement.adapters.clock import app_clock
from engagement.auth.messages import account_error_message
from engagement.auth.permissions import Permission, require_permission
from engagement.auth.service import (
    AccountError,
    Assignment,
    create_user,
    issue_password_link,
    list_users,
    set_active,
    update_user,
)
from engagement.extensions import db
from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.links import public_url
from engagement.models import ResultArea, Role, School, User

from . import bp
from .forms import CsrfForm, require_csrf, role_labels

manage_users = require_permission(Permission.MANAGE_USERS)


def _choices() -> dict:
    return {
        "roles": role_labels(),
        "areas": list(db.session.scalars(select(ResultArea).order_by(ResultArea.code))),
        "schools": list(
            db.session.scalars(select(School).where(School.active.is_(True)).order_by(School.name))
        ),
        "languages": SUPPORTED_LANGUAGES,
    }


def _assignment() -> Assignment:
    form = request.form
    roles = set()
    for value in form.getlist("roles"):
        try:
            roles.add(Role(value))
        except ValueError:
            abort(400)
    return Assignment(
        name=form.get("name", ""),
        roles=frozenset(roles),
        result_areas=frozenset(form.getlist("result_areas")),
        schools=frozenset(form.getlist("schools")),
        language=form.get("language") or None,
    )


def _form_page(template: str, status: int = 200, **context):
    return render_template(template, form=CsrfForm(), **_choices(), **context), status


@bp.get("/users")
@manage_users
def users():
    return render_template("admin/users.html", users=list_users(db.session), roles=role_labels())


@bp.route("/users/new", methods=["GET", "POST"])
@manage_users
def new_user():
    if request.method == "GET":
        return _form_page("admin/user_form.html", user=None, values={})
    require_csrf()
    assignment = _assignment()
    try:
        user = create_user(
            db.session, request.form.get("email", ""), assignment, app_clock(), actor=current_user
        )
    except AccountError as error:
        return _form_page(
            "admin/user_form.html",
            422,
            user=None,
            values=request.form,
            error=account_error_message(error),
        )
    return _link_page(user, invited=True)


def _link_page(user: User, invited: bool):
    hours = current_app.config["INVITE_LINK_HOURS" if invited else "RESET_LINK_HOURS"]
    raw = issue_password_link(db.session, user, app_clock(), hours, actor=current_user)
    return (
        render_template(
            "admin/user_link.html",
            user=user,
            link=public_url("auth.reset", token=raw),
            hours=hours,
            invited=invited,
        ),
        201,
        {"Cache-Control": "no-store"},
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@manage_users
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if request.method == "GET":
        return _form_page("admin/user_form.html", user=user, values=None)
    require_csrf()
    try:
        update_user(db.session, user_id, _assignment(), app_clock(), actor=current_user)
    except AccountError as error:
        db.session.rollback()
        return _form_page(
            "admin/user_form.html",
            422,
            user=db.session.get(User, user_id),
            values=request.form,
            error=account_error_message(error),
        )
    flash(_("Saved."), "info")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/active")
@manage_users
def set_user_active(user_id: int):
    require_csrf()
    try:
        user = set_active(
            db.session,
            user_id,
            request.form.get("active") == "1",
            app_clock(),
            actor=current_user,
        )
    except AccountError as error:
        flash(account_error_message(error), "error")
        return redirect(url_for(".users")), 303
    flash(
        _("%(email)s can log in again.", email=user.email)
        if user.active
        else _("%(email)s can no longer log in.", email=user.email),
        "info",
    )
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/password-link")
@manage_users
def password_link(user_id: int):
    require_csrf()
    user = db.session.get(User, user_id) or abort(404)
    if not user.active:
        abort(409)
    return _link_page(user, invited=False)
