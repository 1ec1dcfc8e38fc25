"""Staff forms for indicator data: baselines and targets, and the administrative values upload."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from engagement.adapters.clock import app_clock
from engagement.auth.permissions import Permission, require_permission
from engagement.extensions import db
from engagement.models import Indicator, ResultArea, School
from engagement.reporting.indicator_data import (
    IndicatorDataProblems,
    TargetInput,
    import_administrative,
    save_targets,
    valid_school_year,
)
from engagement.reporting.service import DISTRICT, administrative_values, school_years, targets_for

from . import bp

MAX_UPLOAD = 2 * 1024 * 1024


def _indicators() -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator)
            .join(ResultArea, ResultArea.id == Indicator.result_area_id)
            .order_by(ResultArea.code, Indicator.position)
        )
    )


def _current_year() -> str:
    today = app_clock()().date()
    start = today.year if today.month >= 7 else today.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _years() -> list[str]:
    return sorted(set(school_years(db.session)) | {_current_year()})


@bp.route("/targets", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_INDICATORS)
def targets():
    year = request.values.get("year") or _current_year()
    school = request.values.get("school") or ""
    indicators = _indicators()
    schools = list(db.session.scalars(select(School).order_by(School.name)))
    problems = []
    values = {}
    if not valid_school_year(year) or (school and school not in {s.code for s in schools}):
        abort(404)
    if request.method == "POST":
        rows = [
            TargetInput(
                i.key,
                request.form.get(f"{i.key}-baseline", ""),
                request.form.get(f"{i.key}-target", ""),
            )
            for i in indicators
        ]
        try:
            changed = save_targets(
                db.session, current_user, year, school or None, rows, app_clock()
            )
        except IndicatorDataProblems as error:
            problems = error.problems
            values = {r.indicator: (r.baseline, r.target) for r in rows}
        else:
            flash(_("Saved: %(count)s changed.", count=changed), "success")
            return redirect(url_for("reports.targets", year=year, school=school))
    saved = targets_for(db.session, [i.key for i in indicators])
    for indicator in indicators:
        if indicator.key not in values:
            baseline, target = saved.get((indicator.key, school or DISTRICT), {}).get(
                year, (None, None)
            )
            values[indicator.key] = (
                "" if baseline is None else f"{baseline:g}",
                "" if target is None else f"{target:g}",
            )
    bad_rows = {indicators[p.line - 1].key: p.message for p in problems if p.line}
    return render_template(
        "reports/targets.html",
        indicators=indicators,
        schools=schools,
        years=_years(),
        year=year,
        school=school,
        values=values,
        bad_rows=bad_rows,
        problems=[p for p in problems if not p.line],
    ), (400 if problems else 200)


@bp.route("/administrative", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_INDICATORS)
def administrative():
    problems = []
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read(MAX_UPLOAD + 1) if upload else b""
        if not upload or not upload.filename:
            flash(_("Please choose a file."), "error")
            status = 400
        elif len(data) > MAX_UPLOAD:
            flash(_("The file is too large."), "error")
            status = 400
        else:
            try:
                count = import_administrative(
                    db.session, current_user, data, app_clock(), source=upload.filename[:100]
                )
            except IndicatorDataProblems as error:
                problems = error.problems
                status = 400
            else:
                flash(
                    ngettext("Imported %(num)s value.", "Imported %(num)s values.", count),
                    "success",
                )
                return redirect(url_for("reports.administrative"))
    indicators = [i for i in _indicators() if i.source.value == "administrative"]
    current = administrative_values(db.session, [i.key for i in indicators])
    names = dict(db.session.execute(select(School.code, School.name)).all())
    return render_template(
        "reports/administrative.html",
        indicators=indicators,
        values=current.sort_values(["school_year", "indicator", "school"]).to_dict("records"),
        titles={i.key: i.title for i in indicators},
        names=names,
        problems=problems,
    ), status
