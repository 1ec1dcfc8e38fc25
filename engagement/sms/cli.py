"""`flask sms ...`: import contacts, invite, remind, run the outbox worker, try it out."""

from __future__ import annotations

import signal
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from engagement.adapters.clock import app_clock
from engagement.delivery.service import DeliveryError
from engagement.extensions import db
from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.models import School, Survey
from engagement.schema import schema_problem
from engagement.surveys.store import definition_of, latest_version

from .campaigns import (
    CampaignError,
    create_campaign,
    estimate_campaign,
    question_segments,
    remind_non_responders,
)
from .contacts import ContactFileError, import_contacts
from .conversation import SmsSettings, expire_conversations, simulate_text
from .outbox import OutboxSettings, abandon_stale, run_worker
from .phones import InvalidPhone, normalise_phone
from .transports import transport_from_config

sms_cli = AppGroup("sms", help="SMS surveys: contacts, campaigns, the outbox worker.")


def _settings() -> SmsSettings:
    return SmsSettings.from_config(current_app.config)


@sms_cli.command("import-contacts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--import-valid", is_flag=True, help="Import the good rows even if some are bad.")
def import_contacts_command(file: str, import_valid: bool) -> None:
    """Import contacts from a CSV: phone, language, schools, role."""
    try:
        text = Path(file).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(
            "the file is not UTF-8 text (in Excel: Save As > CSV UTF-8)"
        ) from error
    try:
        report = import_contacts(
            db.session,
            text,
            app_clock(),
            import_valid=import_valid,
            region=current_app.config["SMS_DEFAULT_REGION"],
        )
    except ContactFileError as error:
        raise click.ClickException(str(error)) from error
    for bad in report.bad:
        click.echo(f"line {bad.line}: {bad.reason}", err=True)
    if not report.imported:
        click.echo(
            f"{len(report.bad)} bad row(s) of {report.rows}; nothing was imported "
            "(fix them, or use --import-valid to import the good rows).",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"{report.created} contact(s) added, {report.updated} updated, "
        f"{report.merged} duplicate row(s) merged, {len(report.bad)} bad row(s) skipped."
    )
    if report.kept_language:
        click.echo(
            f"{report.kept_language} contact(s) kept the language they texted us"
            " instead of the file's."
        )


def _campaign_target(slug: str, schools: tuple[str, ...]) -> tuple[Survey, list[int]]:
    survey = db.session.scalars(select(Survey).where(Survey.slug == slug)).first()
    if survey is None:
        raise click.ClickException(f"no survey {slug!r}")
    codes = [c.strip().lower() for c in schools]
    rows = db.session.scalars(select(School).where(School.code.in_(codes))).all()
    unknown = set(codes) - {s.code for s in rows}
    if unknown:
        raise click.ClickException("unknown school code(s): " + ", ".join(sorted(unknown)))
    return survey, [s.id for s in rows]


@sms_cli.command("invite")
@click.argument("slug")
@click.option("--school", "schools", multiple=True, required=True, help="School code (repeat).")
@click.option("--lang", "languages", multiple=True, type=click.Choice(SUPPORTED_LANGUAGES))
@click.option("--estimate", is_flag=True, help="Only count recipients and segments.")
def invite_command(slug: str, schools: tuple[str, ...], languages: tuple[str, ...], estimate):
    """Invite the contacts of SCHOOLs to survey SLUG by text (queued in the outbox)."""
    survey, school_ids = _campaign_target(slug, schools)
    try:
        found = estimate_campaign(
            db.session, survey.id, school_ids, languages, app_clock(), _settings()
        )
        for language, (people, parts) in sorted(found.by_language.items()):
            click.echo(f"{language or 'unknown'}: {people} recipient(s), {parts} segment(s)")
        click.echo(f"total: {found.recipients} recipient(s), {found.segments} segment(s)")
        if estimate:
            return
        campaign = create_campaign(
            db.session, survey.id, school_ids, languages, app_clock(), _settings()
        )
    except (CampaignError, DeliveryError) as error:
        raise click.ClickException(f"{slug}: {type(error).__name__} {error}") from error
    click.echo(f"campaign {campaign.id}: {len(campaign.invitations)} invitation(s) queued")


@sms_cli.command("remind")
@click.argument("campaign_id", type=int)
@click.option("--max-reminders", default=1, show_default=True)
def remind_command(campaign_id: int, max_reminders: int) -> None:
    """Queue a reminder for invited contacts who have not answered."""
    try:
        count = remind_non_responders(
            db.session, campaign_id, app_clock(), _settings(), max_reminders=max_reminders
        )
    except CampaignError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{count} reminder(s) queued")


@sms_cli.command("segments")
@click.argument("slug")
def segments_command(slug: str) -> None:
    """Each question's SMS segment count per language, and each language's total."""
    survey = db.session.scalars(select(Survey).where(Survey.slug == slug)).first()
    version = latest_version(db.session, survey.id) if survey else None
    if version is None:
        raise click.ClickException(f"no survey {slug!r}")
    for language, counts in question_segments(definition_of(version)).items():
        click.echo(f"[{language}] total {sum(n for _k, n in counts)} segment(s)")
        for key, count in counts:
            click.echo(f"  {key}: {count}")


@sms_cli.command("send-worker")
@click.option("--rate", type=float, help="Messages per second (default SMS_SEND_RATE).")
@click.option("--once", is_flag=True, help="Stop when nothing is due instead of waiting.")
def send_worker_command(rate: float | None, once: bool) -> None:
    """Send queued texts through SMS_TRANSPORT, at the rate, inside sending hours."""
    problem = schema_problem(current_app)  # a worker outlives its start: refuse it up front
    if problem:
        raise click.ClickException(problem)
    settings = OutboxSettings.from_config(current_app.config)
    if rate is not None:
        if rate <= 0:
            raise click.BadParameter("must be above 0", param_hint="--rate")
        settings = OutboxSettings(**{**settings.__dict__, "rate": rate})
    transport = transport_from_config(current_app.config)
    clock = app_clock()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    abandoned = abandon_stale(db.session, clock, timedelta(minutes=10))
    if abandoned:
        click.echo(f"{abandoned} message(s) left by a stopped worker marked unknown", err=True)
    expire_conversations(db.session, clock)
    stats = run_worker(
        db.session, transport, clock, settings, once=once, should_stop=lambda: bool(stopping)
    )
    click.echo(
        f"sent {stats.sent}, retrying {stats.retried}, failed {stats.failed}, "
        f"cancelled {stats.cancelled}, unknown {stats.unknown}"
    )


@sms_cli.command("simulate")
@click.option("--phone", required=True, help="The phone to play, e.g. +16265550123.")
@click.option("--lang", type=click.Choice(SUPPORTED_LANGUAGES), help="Its known language.")
def simulate_command(phone: str, lang: str | None) -> None:
    """Play a phone through the real conversation engine, no Twilio: type texts, read replies."""
    settings = _settings()
    try:
        normalise_phone(phone, settings.region)
    except InvalidPhone as error:
        raise click.BadParameter(error.reason, param_hint="--phone") from error
    clock = app_clock()
    click.echo("Type a message (a survey keyword to start, HELP, STOP); Ctrl-D to quit.")
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        replies = simulate_text(
            db.session, phone, line.rstrip("\n"), clock, settings, language=lang
        )
        lang = None  # set once, before the first text
        for reply in replies:
            click.echo("< " + reply.replace("\n", "\n  ") + "\n")


def register(app: Flask) -> None:
    app.cli.add_command(sms_cli)
