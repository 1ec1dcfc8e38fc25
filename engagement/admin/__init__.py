"""Staff pages: surveys (designer, preview, publishing, distribution, consent), users, audit."""

from flask import Blueprint
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from engagement.adapters.clock import app_clock
from engagement.auth.permissions import Permission, can, sees_reports, sees_surveys

from .audit_labels import action_label, detail, target_label
from .messages import problem_text

bp = Blueprint("admin", __name__, url_prefix="/admin")


STATUS_LABELS = {
    "draft": _l("Draft"),
    "scheduled": _l("Scheduled"),
    "open": _l("Open"),
    "ended": _l("Window over"),
    "closed": _l("Closed"),
}
TEXT_KINDS = {
    "title": _l("Survey title"),
    "intro": _l("Introduction"),
    "thanks": _l("Thank-you message"),
    "section": _l("Section title"),
    "question": _l("Question"),
    "help": _l("Hint"),
    "not_applicable": _l("“Don't know” answer"),
    "choice": _l("Answer"),
}


def _form_texts(values, name: str) -> dict[str, str]:
    """What a refused form had in NAME_en / NAME_es / NAME_zh, to show it again."""
    return {lang: values.get(f"{name}_{lang}", "") for lang in ("en", "es", "zh")} if values else {}


@bp.app_context_processor
def _helpers():
    return {
        "can": can,
        "sees_surveys": sees_surveys,
        "sees_reports": sees_reports,
        "Permission": Permission,
        "status_label": lambda value: STATUS_LABELS.get(value, value),
        "survey_state": lambda survey: survey.state(app_clock()()),
        "kind_label": lambda value: TEXT_KINDS.get(value, value),
        "form_texts": _form_texts,
        "action_label": action_label,
        "detail": detail,
        "target_label": target_label,
        "problem_text": problem_text,
    }


@bp.app_template_filter("datetime_local")
def _datetime_local(value):
    """A timestamp in the district's time zone (Flask-Babel's default timezone)."""
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


from engagement.admin import (  # noqa: E402,F401  (registers the routes)
    distribution,
    preview,
    sms,
    surveys,
    users,
    views,
)
