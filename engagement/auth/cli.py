"""`flask users ...`: the first administrator, the demo administrator, one-time links."""

from __future__ import annotations

import secrets

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from engagement.adapters.clock import app_clock
from engagement.extensions import db
from engagement.links import public_url
from engagement.models import Role

from .passwords import hasher_for
from .service import (
    AccountError,
    Assignment,
    create_user,
    find_user,
    issue_password_link,
    list_users,
    role_names,
)

users_cli = AppGroup("users", help="Staff accounts: create the first administrator, reset links.")
DEMO_ADMIN_EMAIL = "admin@example.org"


def _hasher():
    return hasher_for(current_app.config["PASSWORD_HASH_PROFILE"])


@users_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="ADMIN_PASSWORD"
)
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create an engagement-office administrator (the first account)."""
    try:
        user = create_user(
            db.session,
            email,
            Assignment(name=name, roles=frozenset({Role.ADMIN})),
            app_clock(),
            actor=None,
            password=password,
            hasher=_hasher(),
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    except AccountError as error:
        raise click.ClickException(_describe(error)) from error
    click.echo(f"administrator {user.email} created; log in at {public_url('auth.login')}")


@users_cli.command("demo-admin")
def demo_admin_command() -> None:
    """For `make run`: a demo administrator with a fresh random password, printed."""
    password = secrets.token_urlsafe(12)
    user = find_user(db.session, DEMO_ADMIN_EMAIL)
    if user is None:
        create_user(
            db.session,
            DEMO_ADMIN_EMAIL,
            Assignment(name="Demo administrator", roles=frozenset({Role.ADMIN})),
            app_clock(),
            actor=None,
            password=password,
            hasher=_hasher(),
        )
    else:
        user.password_hash = _hasher().hash(password)
        user.active = True
        user.session_version += 1
        db.session.commit()
    click.echo(f"  Staff pages:  {public_url('admin.index')}")
    click.echo(f"    email:      {DEMO_ADMIN_EMAIL}")
    click.echo(f"    password:   {password}")


@users_cli.command("reset-link")
@click.argument("email")
def reset_link_command(email: str) -> None:
    """Print a one-time link to set EMAIL's password (no email needed)."""
    user = find_user(db.session, email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    hours = current_app.config["RESET_LINK_HOURS"]
    raw = issue_password_link(db.session, user, app_clock(), hours)
    click.echo(public_url("auth.reset", token=raw))
    click.echo(f"(works once, for {hours} hours)", err=True)


@users_cli.command("list")
def list_command() -> None:
    for user in list_users(db.session):
        state = "active" if user.active else "inactive"
        click.echo(f"{user.email}\t{state}\t{','.join(role_names(user.roles))}")


def _describe(error: AccountError) -> str:
    return f"{error.code.replace('_', ' ')} {error.params or ''}".strip()


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
