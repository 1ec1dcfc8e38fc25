"""Result-area, school and district pages, their printable versions and exports."""

from __future__ import annotations

import re

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from engagement.adapters.clock import app_clock
from engagement.audit import record
from engagement.auth.permissions import (
    Permission,
    can,
    require_permission,
    scope_of,
    sees_reports,
    view_arg,
)
from engagement.extensions import db
from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.models import Channel, ResultArea, School
from engagement.reporting.comments import comment_reports, question_comments
from engagement.reporting.metrics import FILTERS, Filters
from engagement.reporting.service import (
    DISTRICT,
    CellSizes,
    ReportNotFound,
    indicator_table,
    respondent_groups,
    school_years,
)
from engagement.reporting.survey_results import (
    SurveyResults,
    may_read,
    only_school,
    readable_surveys,
    survey_results,
    visible_to,
)
from engagement.web.helpers import translated, url_keeping_query

from . import bp
from .charts import Bar, bar_chart
from .tables import (
    answer_counts,
    baseline_and_target,
    cell_note,
    comment_rows,
    export_rows,
    grid,
    row_note,
    sentiment_label,
    status_label,
    survey_rows,
    target_status,
    to_csv,
    to_xlsx,
)


def _sizes() -> CellSizes:
    return CellSizes.from_config(current_app.config)


CHANNEL_LABELS = {Channel.WEB: _l("Web"), Channel.SMS: _l("SMS"), Channel.PAPER: _l("Paper")}
TIER_LABELS = {"focus": _l("Focus"), "achieving": _l("Achieving"), "excelling": _l("Excelling")}
# What the report pages' filters may hold; grade band and role are free text (a survey's codes).
_FILTER_VALUES = {
    "language": set(SUPPORTED_LANGUAGES),
    "channel": {channel.value for channel in CHANNEL_LABELS},
    "tier": set(TIER_LABELS),
}


AUDIENCE_ROLES = {"parent": _l("Families"), "student": _l("Students"), "staff": _l("Staff")}


def _group_labels(school_year: str, slug: str | None = None) -> dict[str, dict[str, str]]:
    """The role and grade-band filters' choices (a year's, or one survey's), named in the
    reader's language."""
    return {
        name: {
            code: translated(label) if label else str(AUDIENCE_ROLES.get(code, code))
            for code, label in choices.items()
        }
        for name, choices in respondent_groups(db.session, school_year, slug).items()
    }


def _in_tier(schools) -> list[School]:
    """The schools a page or file lists, or offers to pick: under a tier filter, that tier's."""
    tier = _filters().tier
    return [school for school in schools if tier is None or school.tier == tier]


def _school_codes(table) -> list[str]:
    return [school.code for school in _in_tier(table.schools)]


def _place_names(schools) -> dict[str, str]:
    """Each school's name by code, and the name of the all-schools row (DISTRICT)."""
    return {**{s.code: s.name for s in schools}, DISTRICT: _district_label()}


def _district_label() -> str:
    """The all-schools row: the district, or under a tier filter only that tier's schools."""
    tier = _filters().tier
    if tier:
        return _("All %(tier)s schools", tier=TIER_LABELS[tier])
    return _("District")


def _filters() -> Filters:
    """The page's filters; a value no respondent can have is a bad address (400), not an empty
    report."""
    values = {name: request.args.get(name) or None for name in FILTERS if name != "school"}
    if unknown_filter(values):
        abort(400)
    return Filters(**values)


def unknown_filter(values: dict[str, str | None]) -> str | None:
    """The first filter whose value no respondent or school can have (pages and the API)."""
    for name, allowed in _FILTER_VALUES.items():
        if values.get(name) is not None and values[name] not in allowed:
            return name
    for name in ("grade_band", "role"):
        if values.get(name) is not None and not re.fullmatch(r"[\w-]{1,40}", values[name]):
            return name
    school = values.get("school")
    if (
        school is not None
        and db.session.scalar(select(School.id).where(School.code == school)) is None
    ):
        return "school"
    return None


def _year() -> str:
    years = school_years(db.session)
    year = request.args.get("year") or (years[-1] if years else "")
    if years and year not in years:
        abort(404)
    return year


def _area(code: str) -> ResultArea:
    area = db.session.scalars(select(ResultArea).where(ResultArea.code == code)).first()
    if area is None:
        abort(404)
    return area


def _school(code: str) -> School:
    school = db.session.scalars(select(School).where(School.code == code)).first()
    if school is None:
        abort(404)
    return school


def _charts(table, codes, names):
    """One bar chart per indicator: every school shown, then the district.

    A page of the district alone has nothing to compare a bar with: no charts, the table says it.
    """
    if not codes:
        return {}
    cells = grid(table, codes)
    charts = {}
    for indicator in table.indicators:
        bars = []
        for code in [*codes, DISTRICT]:
            cell = cells.get((code, indicator.key))
            if cell is None:
                continue
            bars.append(
                Bar(
                    names[code],
                    cell.pct if cell.shown else None,
                    cell_note(cell, table.min_cell),
                    district=code == DISTRICT,
                )
            )
        if bars:
            title = translated(indicator.title)
            charts[indicator.key] = bar_chart(
                title,
                bars,
                _(
                    "Bar chart of %(title)s by school; the table lists the same numbers.",
                    title=title,
                ),
            )
    return charts


def _comments(area: str | None = None, school: str | None = None):
    """The page's comments, or None when the reader may not read comments here."""
    if not can(current_user, Permission.READ_COMMENTS, result_area=area, school=school):
        return None
    reports = comment_reports(db.session, _year(), app_clock(), _sizes(), area=area)
    return question_comments(db.session, reports, _filters(), schools=[school] if school else None)


def _page(
    template: str,
    table,
    codes,
    title: str,
    export: tuple[str, dict] | None,
    comments=None,
    **context,
):
    names = _place_names(table.schools)
    grid_cells = grid(table, codes)
    export_urls = (
        {fmt: url_keeping_query(export[0], fmt=fmt, **export[1]) for fmt in ("csv", "xlsx")}
        if export
        else None
    )
    comment_urls = (
        {
            fmt: url_keeping_query(export[0].replace("_export", "_comments"), fmt=fmt, **export[1])
            for fmt in ("csv", "xlsx")
        }
        if export and comments is not None
        else None
    )
    return render_template(
        template,
        table=table,
        cells=grid_cells,
        codes=codes,
        names=names,
        charts=_charts(table, codes, names),
        note=lambda cell: cell_note(cell, table.min_cell),
        years=school_years(db.session),
        filters=_filters(),
        channels={channel.value: label for channel, label in CHANNEL_LABELS.items()},
        tiers=TIER_LABELS,
        groups=_group_labels(table.school_year),
        title=title,
        printable=request.args.get("print") == "1",
        export_urls=export_urls,
        comments=comments,
        comment_urls=comment_urls,
        status=lambda indicator, code: target_status(
            table, indicator, code, grid_cells.get((code, indicator.key))
        ),
        status_label=status_label,
        baseline=lambda indicator: baseline_and_target(table, indicator, DISTRICT)[0],
        can_manage=can(current_user, Permission.MANAGE_INDICATORS),
        sentiment_label=sentiment_label,
        print_url=url_keeping_query(request.endpoint, **(request.view_args or {}), print="1"),
        as_of=app_clock()(),  # a printed page says when its figures were taken
        **context,
    )


@bp.get("/")
@login_required
def index():
    if not sees_reports(current_user):
        abort(403)
    scope = scope_of(current_user, Permission.READ_REPORTS)
    areas = list(db.session.scalars(select(ResultArea).order_by(ResultArea.code)))
    schools = list(
        db.session.scalars(select(School).where(School.active.is_(True)).order_by(School.name))
    )
    return render_template(
        "reports/index.html",
        scope=scope,
        can_manage=can(current_user, Permission.MANAGE_INDICATORS),
        areas=[a for a in areas if scope.everywhere or a.code in scope.result_areas],
        schools=[s for s in schools if scope.everywhere or s.code in scope.schools],
        surveys=[survey for survey, _definition in readable_surveys(db.session, scope)],
    )


@bp.get("/area/<area>")
@require_permission(Permission.READ_REPORTS, result_area=view_arg("area"))
def area(area: str):
    found = _area(area)
    table = indicator_table(
        db.session, _year(), app_clock(), _sizes(), area=area, filters=_filters()
    )
    codes = _school_codes(table)
    keys = {indicator.key for indicator in table.indicators}
    return _page(
        "reports/area.html",
        table,
        codes,
        _("Result area %(code)s: %(title)s", code=found.code, title=translated(found.title)),
        ("reports.area_export", {"area": area})
        if can(current_user, Permission.EXPORT_REPORTS, result_area=area)
        else None,
        comments=_comments(area=area),
        area=found,
        surveys=_surveys_of_year(
            table.school_year, lambda d: any(q.indicator in keys for q in d.questions)
        ),
    )


@bp.get("/school/<school>")
@require_permission(Permission.READ_REPORTS, school=view_arg("school"))
def school(school: str):
    found = _school(school)
    table = indicator_table(db.session, _year(), app_clock(), _sizes(), filters=_filters())
    export = (
        ("reports.school_export", {"school": school})
        if can(current_user, Permission.EXPORT_REPORTS, school=school)
        else None
    )
    return _page(
        "reports/area.html",
        table,
        [found.code],
        found.name,
        export,
        comments=_comments(school=school),
        school=found,
        surveys=_surveys_of_year(table.school_year),
    )


def _surveys_of_year(school_year: str, measures=lambda definition: True) -> list:
    """The year's surveys the reader may open question by question (those `measures` keeps)."""
    scope = scope_of(current_user, Permission.READ_REPORTS)
    return [
        survey
        for survey, definition in readable_surveys(db.session, scope)
        if survey.school_year == school_year and measures(definition)
    ]


@bp.get("/district")
@require_permission(Permission.READ_REPORTS)
def district():
    table = indicator_table(db.session, _year(), app_clock(), _sizes(), filters=_filters())
    export = (
        ("reports.district_export", {}) if can(current_user, Permission.EXPORT_REPORTS) else None
    )
    return _page(
        "reports/area.html",
        table,
        [],
        _("District: all result areas"),
        export,
        comments=_comments(),
    )


def _export(table, codes, fmt: str, name: str):
    names = _place_names(table.schools)
    header, rows = export_rows(table, codes, names)
    return _download(header, rows, fmt, name, table.school_year, "reports.export")


def _download(header, rows, fmt: str, name: str, year: str, action: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filters = _filters().as_dict()
    record(db.session, current_user, action, name, {"format": fmt, "year": year, **filters})
    db.session.commit()
    # A filtered file says so in its name ("area-B-2026-27-es-sms.csv"): it is not the whole.
    filename = "-".join([name, year, *filters.values()]) + f".{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(to_csv(header, rows), mimetype="text/csv", headers=disposition)
    if fmt == "xlsx":
        return Response(
            to_xlsx(header, rows, name),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=disposition,
        )
    abort(404)


@bp.get("/area/<area>/export.<fmt>")
@require_permission(Permission.EXPORT_REPORTS, result_area=view_arg("area"))
def area_export(area: str, fmt: str):
    _area(area)
    table = indicator_table(
        db.session, _year(), app_clock(), _sizes(), area=area, filters=_filters(), with_trends=False
    )
    return _export(table, _school_codes(table), fmt, f"area-{area}")


@bp.get("/school/<school>/export.<fmt>")
@require_permission(Permission.EXPORT_REPORTS, school=view_arg("school"))
def school_export(school: str, fmt: str):
    found = _school(school)
    table = indicator_table(
        db.session, _year(), app_clock(), _sizes(), filters=_filters(), with_trends=False
    )
    return _export(table, [found.code], fmt, f"school-{found.code}")


@bp.get("/district/export.<fmt>")
@require_permission(Permission.EXPORT_REPORTS)
def district_export(fmt: str):
    table = indicator_table(
        db.session, _year(), app_clock(), _sizes(), filters=_filters(), with_trends=False
    )
    return _export(table, [], fmt, "district")


def _comments_export(fmt: str, name: str, area: str | None = None, school: str | None = None):
    """Every eligible comment, masked, as CSV or XLSX; needs the export permission too."""
    if not can(current_user, Permission.EXPORT_REPORTS, result_area=area, school=school):
        abort(403)
    year = _year()
    reports = comment_reports(db.session, year, app_clock(), _sizes(), area=area)
    questions = question_comments(
        db.session, reports, _filters(), schools=[school] if school else None, limit=None
    )
    names = dict(db.session.execute(select(School.code, School.name)).all())
    header, rows = comment_rows(questions, names)
    return _download(header, rows, fmt, f"comments-{name}", year, "reports.comments_export")


@bp.get("/area/<area>/comments.<fmt>")
@require_permission(Permission.READ_COMMENTS, result_area=view_arg("area"))
def area_comments(area: str, fmt: str):
    _area(area)
    return _comments_export(fmt, f"area-{area}", area=area)


@bp.get("/school/<school>/comments.<fmt>")
@require_permission(Permission.READ_COMMENTS, school=view_arg("school"))
def school_comments(school: str, fmt: str):
    found = _school(school)
    return _comments_export(fmt, f"school-{found.code}", school=found.code)


@bp.get("/district/comments.<fmt>")
@require_permission(Permission.READ_COMMENTS)
def district_comments(fmt: str):
    return _comments_export(fmt, "district")


def _survey_results(slug: str, permission: Permission) -> SurveyResults:
    """The survey's results as far as the reader may see them; 404 unknown, 403 out of scope."""
    scope = scope_of(current_user, permission)
    if scope.nowhere:
        abort(403)
    try:
        results = survey_results(db.session, slug, app_clock(), _sizes(), _filters())
    except ReportNotFound:
        abort(404)
    if not may_read(results.report.definition, results.report.indicator_area, scope):
        abort(403)
    return visible_to(results, scope)


def _school_choices(scope) -> list[School]:
    """The schools a reader may pick on a survey's page: all of them, or their own."""
    schools = db.session.scalars(
        select(School).where(School.active.is_(True)).order_by(School.name)
    )
    return [s for s in schools if scope.everywhere or scope.result_areas or s.code in scope.schools]


def _chosen_school(choices: list[School]) -> School | None:
    """?school=: one school's rows beside the district's; 404 unknown, 403 not the reader's."""
    chosen = _school(request.args["school"]) if request.args.get("school") else None
    if chosen is not None and chosen not in choices:
        abort(403)
    return chosen


@bp.get("/survey/<slug>")
@login_required
def survey(slug: str):
    results = _survey_results(slug, Permission.READ_REPORTS)
    choices = _school_choices(scope_of(current_user, Permission.READ_REPORTS))
    chosen = _chosen_school(choices)
    exports = (
        {
            fmt: url_keeping_query("reports.survey_export", slug=slug, fmt=fmt)
            for fmt in ("csv", "xlsx")
        }
        if not scope_of(current_user, Permission.EXPORT_REPORTS).nowhere
        else None
    )
    report = results.report
    return render_template(
        "reports/survey.html",
        results=results,
        definition=report.definition,
        title=translated(report.survey.title),
        school_year=report.survey.school_year,
        min_cell=report.min_cell,
        chosen=chosen,
        school_choices=_in_tier(choices),
        schools=[s for s in choices if s.code in results.schools],
        rows=results.by_question,
        section_rows=results.by_section,
        answer_counts=answer_counts,
        district_label=_district_label(),
        note=lambda row: row_note(row, report.min_cell),
        filters=_filters(),
        channels={channel.value: label for channel, label in CHANNEL_LABELS.items()},
        tiers=TIER_LABELS,
        groups=_group_labels(report.survey.school_year, slug),
        printable=request.args.get("print") == "1",
        print_url=url_keeping_query("reports.survey", slug=slug, print="1"),
        school_url=lambda code: url_keeping_query("reports.survey", slug=slug, school=code),
        export_urls=exports,
        as_of=app_clock()(),
    )


@bp.get("/survey/<slug>/export.<fmt>")
@login_required
def survey_export(slug: str, fmt: str):
    results = _survey_results(slug, Permission.EXPORT_REPORTS)
    chosen = _chosen_school(_school_choices(scope_of(current_user, Permission.EXPORT_REPORTS)))
    if chosen is not None:  # the file of the page it was asked from: that school and the district
        results = only_school(results, chosen.code)
    names = _place_names(db.session.scalars(select(School)))
    header, rows = survey_rows(results, names)
    year = results.report.survey.school_year
    return _download(header, rows, fmt, f"survey-{slug}", year, "reports.export")
