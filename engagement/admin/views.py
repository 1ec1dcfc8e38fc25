"""The staff home page and the audit log."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engagement.audit import COMMAND_LINE, actions_in_log, actors_in_log, recent_events
from engagement.auth.permissions import (
    Permission,
    can,
    require_permission,
    scope_of,
    sees_reports,
    sees_surveys,
)
from engagement.designer.service import list_surveys
from engagement.extensions import db
from engagement.models import Audience, SurveyStatus
from engagement.web.guards import whole_number

from . import bp

PAGE = 100


@bp.get("/")
@login_required
def index():
    has_surveys = sees_surveys(current_user)
    if not has_surveys and sees_reports(current_user):
        return redirect(url_for("reports.index"))  # a Working Group member's home is the reports
    rates_scope = scope_of(current_user, Permission.READ_RESPONSE_RATES)
    runs = can(current_user, Permission.DESIGN_SURVEYS) or can(current_user, Permission.RUN_SURVEYS)
    surveys = list_surveys(db.session) if has_surveys else []
    if not runs:  # school staff: the surveys families can answer, not drafts or district counts
        surveys = [row for row in surveys if row[0].status is not SurveyStatus.DRAFT]
    reading = scope_of(current_user, Permission.READ_REPORTS)
    consent = scope_of(current_user, Permission.READ_CONSENT)
    # School staff proctor the student surveys: their list of who may take each one.
    proctoring = (
        []
        if runs or consent.everywhere
        else [
            (survey, code)
            for survey, _version, _responses in surveys
            if survey.audience is Audience.STUDENT and survey.status is SurveyStatus.OPEN
            for code in sorted(consent.schools)
        ]
    )
    return render_template(
        "admin/index.html",
        proctoring=proctoring,
        surveys=surveys,
        rates=not rates_scope.nowhere,
        district_counts=runs or rates_scope.everywhere,
        reading=reading,
        school_names={school.code: school.name for school in current_user.schools},
    )


@bp.get("/audit")
@require_permission(Permission.READ_AUDIT)
def audit_log():
    action = request.args.get("action") or None
    actor = request.args.get("who") or None
    before = whole_number(request.args.get("before"))
    events = recent_events(db.session, action=action, actor=actor, limit=PAGE, before_id=before)
    return render_template(
        "admin/audit.html",
        events=events,
        actions=actions_in_log(db.session),
        action=action,
        actors=actors_in_log(db.session),
        actor=actor,
        older=events[-1].id if len(events) == PAGE else None,
        COMMAND_LINE=COMMAND_LINE,
    )
