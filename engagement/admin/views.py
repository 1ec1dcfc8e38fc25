"""The staff home page and the audit log."""

from flask import render_template, request
from flask_login import current_user, login_required

from engagement.audit import actions_in_log, recent_events
from engagement.auth.permissions import Permission, can, require_permission, scope_of
from engagement.designer.service import list_surveys
from engagement.extensions import db

from . import bp

PAGE = 100


@bp.get("/")
@login_required
def index():
    rates = not scope_of(current_user, Permission.READ_RESPONSE_RATES).nowhere
    runs = can(current_user, Permission.DESIGN_SURVEYS) or can(current_user, Permission.RUN_SURVEYS)
    return render_template(
        "admin/index.html",
        surveys=list_surveys(db.session) if runs or rates else [],
        rates=rates,
        reading=scope_of(current_user, Permission.READ_REPORTS),
    )


@bp.get("/audit")
@require_permission(Permission.READ_AUDIT)
def audit_log():
    action = request.args.get("action") or None
    before = request.args.get("before", type=int)
    events = recent_events(db.session, action=action, limit=PAGE, before_id=before)
    return render_template(
        "admin/audit.html",
        events=events,
        actions=actions_in_log(db.session),
        action=action,
        older=events[-1].id if len(events) == PAGE else None,
    )
