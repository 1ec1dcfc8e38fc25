"""The staff home page and the audit log."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engagement.audit import actions_in_log, recent_events
from engagement.auth.permissions import (
    Permission,
    require_permission,
    scope_of,
    sees_reports,
    sees_surveys,
)
from engagement.designer.service import list_surveys
from engagement.extensions import db
from engagement.web.guards import whole_number

from . import bp

PAGE = 100


@bp.get("/")
@login_required
def index():
    has_surveys = sees_surveys(current_user)
    if not has_surveys and sees_reports(current_user):
        return redirect(url_for("reports.index"))  # a Working Group member's home is the reports
    rates = not scope_of(current_user, Permission.READ_RESPONSE_RATES).nowhere
    return render_template(
        "admin/index.html",
        surveys=list_surveys(db.session) if has_surveys else [],
        rates=rates,
        reading=scope_of(current_user, Permission.READ_REPORTS),
    )


@bp.get("/audit")
@require_permission(Permission.READ_AUDIT)
def audit_log():
    action = request.args.get("action") or None
    before = whole_number(request.args.get("before"))
    events = recent_events(db.session, action=action, limit=PAGE, before_id=before)
    return render_template(
        "admin/audit.html",
        events=events,
        actions=actions_in_log(db.session),
        action=action,
        older=events[-1].id if len(events) == PAGE else None,
    )
