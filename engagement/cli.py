"""Command-line tasks: `flask surveys ...` and `flask seed ...`."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import yaml
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from engagement.adapters.clock import app_clock
from engagement.delivery.service import forget_unfinished
from engagement.extensions import db
from engagement.models import Survey, SurveyStatus
from engagement.seeding import SEED_DIR, load_framework, load_schools
from engagement.surveys.loader import definition_to_yaml, read_template, template_paths
from engagement.surveys.store import (
    KeywordTaken,
    SurveyNotFound,
    definition_of,
    indicator_catalogue,
    latest_version,
    load_template_files,
    set_status,
)
from engagement.surveys.validation import IndicatorInfo

surveys_cli = AppGroup(
    "surveys", help="Validate, load, open and close survey templates; forget unfinished ones."
)
seed_cli = AppGroup("seed", help="Load the school roster, the result areas and demo data.")
reports_cli = AppGroup("reports", help="Build report cells and import administrative indicators.")


def _catalogue() -> dict[str, IndicatorInfo]:
    """Indicators in the database, or the seed file's before the database exists or is seeded."""
    try:
        catalogue = indicator_catalogue(db.session)
    except SQLAlchemyError:
        db.session.rollback()
        catalogue = {}
    if catalogue:
        return catalogue
    areas = yaml.safe_load((SEED_DIR / "result_areas.yaml").read_text(encoding="utf-8"))
    return {
        item["key"]: IndicatorInfo(item["source"], item.get("direction", "higher"))
        for area in areas
        for item in area["indicators"]
    }


def _paths(paths: tuple[str, ...]) -> list[Path]:
    found = [p for path in paths for p in template_paths(Path(path))]
    if not found:
        raise click.UsageError("no .yaml files found in " + ", ".join(paths))
    return found


def _district_date(value: str | None) -> datetime | None:
    """A date typed by staff means midnight at the start of that day in the district."""
    if value is None:
        return None
    day = datetime.strptime(value, "%Y-%m-%d")
    return day.replace(tzinfo=ZoneInfo(current_app.config["DISTRICT_TIMEZONE"]))


@surveys_cli.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def validate_command(paths: tuple[str, ...]) -> None:
    """Report every problem in the templates at PATHS; exit 1 if there is any."""
    catalogue = _catalogue()
    problems = []
    files = _paths(paths)
    for path in files:
        _definition, found = read_template(path, catalogue)
        problems.extend(found)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {len(files)} file(s).", err=True)
        sys.exit(1)
    click.echo(f"{len(files)} file(s) valid.")


@surveys_cli.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--open", "open_", is_flag=True, help="Open the surveys for responses.")
def load_command(paths: tuple[str, ...], open_: bool) -> None:
    """Load valid templates as new versions (an unchanged file creates nothing)."""
    results, problems = load_template_files(db.session, _paths(paths), app_clock())
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s); nothing was loaded.", err=True)
        sys.exit(1)
    for result in results:
        state = "created" if result.created else "unchanged"
        click.echo(f"{result.slug}: version {result.version_number} {state}")
        if open_:
            try:
                set_status(db.session, result.slug, SurveyStatus.OPEN)
            except KeywordTaken as taken:
                raise click.ClickException(_keyword_taken(taken)) from taken


def _keyword_taken(taken: KeywordTaken) -> str:
    return (
        f"the open survey {taken.slug!r} already answers to the text keyword {taken.keyword}:"
        f" change this survey's sms_keyword, or close {taken.slug!r} first"
    )


@surveys_cli.command("open")
@click.argument("slug")
@click.option("--opens", help="First day, YYYY-MM-DD (district time).")
@click.option("--closes", help="Closes at the start of this day, YYYY-MM-DD (district time).")
def open_command(slug: str, opens: str | None, closes: str | None) -> None:
    """Open a survey for responses, optionally within a window."""
    try:
        set_status(
            db.session,
            slug,
            SurveyStatus.OPEN,
            opens_at=_district_date(opens),
            closes_at=_district_date(closes),
        )
    except SurveyNotFound as error:
        raise click.ClickException(f"no survey {slug!r}") from error
    except KeywordTaken as taken:
        raise click.ClickException(_keyword_taken(taken)) from taken
    click.echo(f"{slug}: open")


@surveys_cli.command("close")
@click.argument("slug")
def close_command(slug: str) -> None:
    try:
        set_status(db.session, slug, SurveyStatus.CLOSED)
    except SurveyNotFound as error:
        raise click.ClickException(f"no survey {slug!r}") from error
    click.echo(f"{slug}: closed")


@surveys_cli.command("forget-unfinished")
@click.option("--days", type=click.FloatRange(min=0), help="default: UNFINISHED_RETENTION_DAYS")
def forget_unfinished_command(days: float | None) -> None:
    """Delete the answers of surveys started and left untouched for DAYS (run it daily)."""
    if days is None:
        days = float(current_app.config["UNFINISHED_RETENTION_DAYS"])
    forgotten = forget_unfinished(db.session, app_clock(), timedelta(days=days))
    click.echo(f"{forgotten} unfinished survey(s) left for more than {days:g} days forgotten")


@surveys_cli.command("list")
def list_command() -> None:
    for survey in db.session.scalars(select(Survey).order_by(Survey.slug)):
        version = latest_version(db.session, survey.id)
        number = version.number if version else 0
        click.echo(f"{survey.slug}\t{survey.status.value}\tv{number}\t{survey.title.get('en', '')}")


@surveys_cli.command("export")
@click.argument("slug")
def export_command(slug: str) -> None:
    """Print the current version of a survey as a template file."""
    survey = db.session.scalars(select(Survey).where(Survey.slug == slug)).first()
    version = latest_version(db.session, survey.id) if survey else None
    if version is None:
        raise click.ClickException(f"no survey {slug!r}")
    click.echo(definition_to_yaml(definition_of(version)), nl=False)


@seed_cli.command("domain")
def seed_domain_command() -> None:
    """Load (or update) the schools and the result areas with their indicators."""
    added, updated = load_schools(db.session)
    indicators = load_framework(db.session)
    click.echo(f"schools: {added} added, {updated} updated; indicators: {indicators}")


@seed_cli.command("demo")
@click.option("--per-school", default=12, show_default=True)
def seed_demo_command(per_school: int) -> None:
    """Add demo responses to every open survey, if there are no responses yet."""
    from engagement.demo import add_demo_responses

    created = add_demo_responses(db.session, app_clock(), per_school=per_school)
    click.echo(f"demo responses: {created} added" if created else "demo responses: already present")


@reports_cli.command("rebuild")
def reports_rebuild_command() -> None:
    """Count every survey's report cells again from its responses."""
    from engagement.reporting import cube

    for survey in db.session.scalars(select(Survey).order_by(Survey.slug)).all():
        state = cube.rebuild(db.session, survey.id, app_clock())
        click.echo(f"{survey.slug}: {state.responses} responses counted")


@reports_cli.command("import-admin")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def reports_import_admin_command(path: str) -> None:
    """Import administrative indicator values (indicator,school,school_year,value) from a CSV."""
    from engagement.reporting.indicator_data import IndicatorDataProblems, import_administrative

    try:
        count = import_administrative(
            db.session, None, Path(path).read_bytes(), app_clock(), source=Path(path).name
        )
    except IndicatorDataProblems as error:
        for problem in error.problems:
            click.echo(f"{path}:{problem.line}: {problem.message}", err=True)
        click.echo(f"{len(error.problems)} problem(s); nothing was imported.", err=True)
        sys.exit(1)
    click.echo(f"imported {count} values from {path}")


def register(app: Flask) -> None:
    app.cli.add_command(surveys_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(reports_cli)
